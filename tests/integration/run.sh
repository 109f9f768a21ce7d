#!/bin/sh
# Integration tests: real guests through libvirt (TCG). Needs `make all
# images daemons` first (the Makefile's `integration` target does that).
#
# Prints TAP-style lines and ends with "integration: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
LAB=${LAB:-build/iommu-lab}
URI=qemu:///system
OUT=$(mktemp -d /tmp/iommu-lab-it.XXXXXX)
# QEMU runs as libvirt-qemu: the block runs' disk overlays live in here
chmod 0755 "$OUT"
trap 'rm -rf "$OUT"' EXIT
n=0
passed=0
failed=0
# One TCG boot takes ~10 s here; leave room for a loaded 2-core CI machine.
TIMEOUT=${LAB_IT_TIMEOUT:-240}

ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	[ $# -gt 1 ] && printf '#   %s\n' "$2"
}
check() { # name, then a command that must succeed
	name=$1; shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}
lab_domains() { virsh -q -c "$URI" list --all --name | grep -c '^iommulab-' || true; }
no_domains_left() { [ "$(lab_domains)" -eq 0 ]; }
jqf() { jq -e "$@"; }

# ---- each platform boots, and the agent reports ------------------------------
# All three in one invocation, two at a time, as ad-hoc runs (observations
# only), and SMMUv3 once more through UEFI and the IORT.
"$LAB" run --platform intel --platform amd --platform smmuv3 --platform smmuv3-uefi --jobs 2 --json \
	--timeout "$TIMEOUT" --results "$OUT/boot" >"$OUT/boot.json" 2>"$OUT/boot.err"
rc=$?
check "three platforms: run exits 0" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || { tail -n 5 "$OUT/boot.err" | sed 's/^/#   /'; jq -r '.runs[] | select(.status != "ok") | .name + ": " + .status + " " + .reason' "$OUT/boot.json" 2>/dev/null | sed 's/^/#   /'; }

boot() { # platform expected-kind name-regex default-domain
	p=$1
	r=".runs[] | select(.name == \"$p@bookworm\")"
	o="$r | .observations"
	check "$p: the guest answered" jqf "$r | .status == \"ok\"" "$OUT/boot.json"
	check "$p: exactly one IOMMU, of kind $2" \
		jqf "$o | (.iommus | length) == 1 and .iommus[0].kind == \"$2\"" "$OUT/boot.json"
	check "$p: the IOMMU is named like $3" \
		jqf "$o | .iommus[0].name | test(\"$3\")" "$OUT/boot.json"
	check "$p: a group holds the edu device 0000:00:10.0" \
		jqf "[$o | .groups[] | select(.devices | index(\"0000:00:10.0\"))] | length == 1" "$OUT/boot.json"
	check "$p: default domain is $4" jqf "$o | .default_domain == \"$4\"" "$OUT/boot.json"
	check "$p: console and kmsg logs kept" \
		test -s "$OUT/boot/$p@bookworm/console.log" -a -s "$OUT/boot/$p@bookworm/kmsg.log"
}

boot intel intel '^dmar0$' DMA-FQ
check "intel: cap and ecap reported and decoded" \
	jqf '.runs[] | select(.name == "intel@bookworm") | .observations.iommus[0] | (.registers.cap | test("^0x[0-9a-f]+$")) and (.registers.ecap | test("^0x[0-9a-f]+$")) and .decoded.cap.mgaw > 0' "$OUT/boot.json"
boot amd amd '^ivhd0$' DMA
check "amd: cap and features reported" \
	jqf '.runs[] | select(.name == "amd@bookworm") | .observations.iommus[0].registers | has("cap") and has("features")' "$OUT/boot.json"
boot smmuv3 smmuv3 '^smmu3[.]' DMA
boot smmuv3-uefi smmuv3 '^smmu3[.]' DMA
acpi() { # platform table: the guest's table is there, parsed, and valid
	jqf ".runs[] | select(.name == \"$1@bookworm\") | .observations.acpi.$2 | .valid == true and .checksum_ok == true" \
		"$OUT/boot.json"
}
# the host address width is intel-iommu's aw-bits: 39 up to QEMU 9.1, 48 from
# 9.2 on the newest q35 machine type (hw/i386/intel_iommu.c; older machine
# types keep 39): judged against the QEMU version the run recorded
check "intel: the DMAR is valid, host address width 39 (48 from QEMU 9.2), INTR_REMAP set" \
	jqf '.runs[] | select(.name == "intel@bookworm") |
	((.qemu_version | split(".") | map(tonumber)) >= [9, 2]) as $aw48 | .observations.acpi.DMAR |
	.valid and .host_address_width == (if $aw48 then 48 else 39 end) and .flags.intr_remap' "$OUT/boot.json"
check "amd: the IVRS is valid" acpi amd IVRS
check "smmuv3-uefi: the IORT is valid and maps edu's RID 0x80 to the SMMUv3" \
	jqf '.runs[] | select(.name == "smmuv3-uefi@bookworm") | .observations.acpi.IORT |
	.valid and ([.nodes[] | select(.type == "root_complex") | .pci_coverage[] |
	select(.rid == 128 and .output_type == "smmuv3")] | length == 1)' "$OUT/boot.json"
check "smmuv3 (device tree): no ACPI tables at all" \
	jqf '.runs[] | select(.name == "smmuv3@bookworm") | .observations.acpi == {}' "$OUT/boot.json"
check "three platforms: no lab domain left" no_domains_left

# ---- a small matrix with expectations: verdicts and reports --------------------
# Run as two shards at once (what CI jobs on two machines do), joined by
# `report merge`: the merged folder is what the checks below read.
"$LAB" run scenarios/smoke.yaml --shard 1/2 --jobs 1 --results "$OUT/smoke-1" >"$OUT/smoke-1.out" 2>&1 &
shard1=$!
"$LAB" run scenarios/smoke.yaml --shard 2/2 --jobs 1 --results "$OUT/smoke-2" >"$OUT/smoke-2.out" 2>&1
rc2=$?
wait "$shard1"
rc1=$?
check "smoke matrix: both shards exit 0" [ "$rc1" -eq 0 -a "$rc2" -eq 0 ]
"$LAB" report merge --results "$OUT/smoke" "$OUT/smoke-2" "$OUT/smoke-1" >"$OUT/smoke.out" 2>&1
rc=$?
check "smoke matrix: merged, exit 0, every check held" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || tail -n 8 "$OUT/smoke.out" "$OUT/smoke-1.out" "$OUT/smoke-2.out" | sed 's/^/#   /'
check "report merge: runs in matrix order, two shards, none missing, logs reachable from the merged folder" \
	jqf '([.runs[].index] == [0, 1, 2]) and (.merged.shards | length) == 2 and (.merged.missing | length) == 0
	     and (.matrix.run_names == [.runs[].name])' "$OUT/smoke/results.json"
check "report merge: a run's dir leads to its console log" \
	test -s "$OUT/smoke/$(jq -r '.runs[0].dir' "$OUT/smoke/results.json")/console.log"
"$LAB" report merge --results "$OUT/merge-twice" "$OUT/smoke-1" "$OUT/smoke-1" >"$OUT/merge-twice.out" 2>&1
rc=$?
check "report merge: one shard twice is refused (exit 2, overlapping, no folder left)" \
	sh -c "[ $rc -eq 2 ] && grep -q 'overlapping shards' '$OUT/merge-twice.out' && [ ! -e '$OUT/merge-twice' ]"
"$LAB" report merge --results "$OUT/merge-one" "$OUT/smoke-2" >"$OUT/merge-one.out" 2>&1
rc=$?
check "report merge: a shard missing is exit 1, its two runs named" \
	sh -c "[ $rc -eq 1 ] && grep -q '2 runs of the matrix in no folder' '$OUT/merge-one.out' &&
	       jq -e '.summary.verdict == \"error\" and (.merged.missing | length) == 2' '$OUT/merge-one/results.json'"
check "smoke matrix: results.json says pass" jqf '.summary.verdict == "pass" and .summary.runs == 3' "$OUT/smoke/results.json"
check "smoke matrix: junit.xml parses, 3 runs' cases, no failures" \
	sh -c "xmllint --xpath 'count(//testcase)' '$OUT/smoke/junit.xml' | grep -qv '^0$' && xmllint --xpath 'string(/testsuites/@failures)' '$OUT/smoke/junit.xml' | grep -qx 0"
check "smoke matrix: report.html and results.tap written" test -s "$OUT/smoke/report.html" -a -s "$OUT/smoke/results.tap"

# An expectation that does not hold makes a failing check and exit 1.
"$LAB" run tests/data/scenario/expect-fail.yaml --results "$OUT/xfail" >"$OUT/xfail.out" 2>&1
rc=$?
check "wrong expectation: exit 1" [ "$rc" -eq 1 ]
check "wrong expectation: the check fails with expected and observed" \
	jqf '.runs[0].checks[] | select(.name == "default_domain") | .verdict == "fail" and .expected == "identity" and .observed == "DMA-FQ"' "$OUT/xfail/results.json"
check "known bug: that check is xfail, not fail" \
	jqf '(.runs[0].checks[] | select(.name == "iommus") | .verdict == "xfail")' "$OUT/xfail/results.json"

# ---- DMA probes: a VFIO round trip and the unmap fault per platform, and an
# identity-domain control where a raw DMA lands --------------------------------
# amd's VFIO probes (isolation among them) are dma-amd.vfio before QEMU 9.2
# and dma-amd.pt_off from 9.2 (amd-iommu translates nothing with pt=on
# there: docs/NOTES.md); only one of the two boots on any QEMU.
"$LAB" run scenarios/default-dma-intel.yaml scenarios/default-dma-amd.yaml scenarios/default-dma-smmuv3.yaml \
	--only '(vfio|dma-amd[.]pt_off|dma-(intel|smmuv3)[.]raw_identity|isolation|dma-intel[.]vfio_above_4g)@bookworm$' \
	--jobs 2 --results "$OUT/dma" \
	>"$OUT/dma.out" 2>&1
rc=$?
check "dma: exit 0, every probe check held" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || grep -E '^dma|runs,' "$OUT/dma.out" | sed 's/^/#   /'
check "dma: eight runs booted (nine matched, one amd variant skipped for this QEMU)" \
	jqf '.summary.runs == 9 and ([.runs[] | select(.status == "ok")] | length) == 8' "$OUT/dma/results.json"
amd_vfio=$(jq -r '.runs[] | select((.name | test("^dma-amd[.](vfio|pt_off)@")) and .status == "ok") | .name' \
	"$OUT/dma/results.json" | head -n 1)
verdict() { # results.json run check verdict
	jqf ".runs[] | select(.name == \"$2\") | .checks[] | select(.name == \"$3\") | .verdict == \"$4\"" "$1"
}
probe() { verdict "$OUT/dma/results.json" "$@"; }
check "dma intel: VFIO round trip exact" probe dma-intel.vfio@bookworm probe.write_after_unmap.round_trip pass
check "dma intel: write after unmap blocked" probe dma-intel.vfio@bookworm probe.write_after_unmap.blocked pass
check "dma intel: DMAR fault reason 0x05 at 0x100000 from 00:10.0" \
	probe dma-intel.vfio@bookworm probe.write_after_unmap.fault pass
check "dma intel: read of an unmapped IOVA faults with reason 0x06" \
	probe dma-intel.vfio@bookworm probe.read_unmapped.fault pass
check "dma smmuv3: VFIO round trip exact" probe dma-smmuv3.vfio@bookworm probe.write_after_unmap.round_trip pass
check "dma smmuv3: write after unmap blocked" probe dma-smmuv3.vfio@bookworm probe.write_after_unmap.blocked pass
check "dma smmuv3: F_TRANSLATION, stream ID = requester ID 0x80" \
	probe dma-smmuv3.vfio@bookworm probe.write_after_unmap.fault pass
check "dma amd ($amd_vfio): write after unmap blocked" probe "$amd_vfio" probe.write_after_unmap.blocked pass
check "dma amd: no IO_PAGE_FAULT is a known QEMU limitation (xfail)" \
	probe "$amd_vfio" probe.write_after_unmap.fault xfail
check "dma identity: a raw DMA lands (iommu=pt: no isolation)" \
	probe dma-intel.raw_identity@bookworm probe.raw_write.landed pass
check "dma isolation intel: 00:11.0 cannot write 00:10.0's IOVA (blocked)" \
	probe dma-intel.isolation@bookworm probe.peer_write.blocked pass
check "dma isolation intel: the fault names 00:11.0" \
	probe dma-intel.isolation@bookworm probe.peer_write.fault pass
check "dma isolation smmuv3: the peer's read is blocked" \
	probe dma-smmuv3.isolation@bookworm probe.peer_read.blocked pass
check "dma isolation smmuv3: F_TRANSLATION from the peer's stream ID 0x88" \
	probe dma-smmuv3.isolation@bookworm probe.peer_read.fault pass
check "dma isolation amd: blocked" probe "$amd_vfio" probe.peer_write.blocked pass
check "dma msi intel: the MSI arrives on the VFIO eventfd" \
	probe dma-intel.isolation@bookworm probe.msi.irq_delivered pass
check "dma msi intel: through interrupt remapping (IR-PCI-MSI)" \
	probe dma-intel.isolation@bookworm probe.msi.irq_remapped pass
check "dma msi smmuv3: the MSI arrives" probe dma-smmuv3.isolation@bookworm probe.msi.irq_delivered pass
# fault classes beyond the unmapped IOVA, produced and decoded
check "dma intel: a write to a read-only mapping faults (0x05 on a present PTE)" \
	probe dma-intel.vfio_above_4g@bookworm probe.perm_write.fault pass
check "dma intel: an IOVA beyond the address width faults with 0x04 (0x05 from QEMU 9.2)" \
	probe dma-intel.vfio_above_4g@bookworm probe.beyond_width.fault pass
check "dma smmuv3: a write to a read-only mapping is F_PERMISSION" \
	probe dma-smmuv3.vfio@bookworm probe.perm_write.fault pass
check "dma amd: a write to a read-only mapping is blocked (no event: QEMU logs none)" \
	probe "$amd_vfio" probe.perm_write.blocked pass
check "dma: no lab domain left" no_domains_left

# ---- block DMA through the IOMMU: libguestfs-built disks, read back in guests --
# (the block probes ride in the DMA runs above: vfio translated, raw_identity)
for p in intel smmuv3; do
	check "block $p: virtio-blk data arrives intact through the IOMMU" \
		probe "dma-$p.vfio@bookworm" probe.blk_virtio.match pass
	check "block $p: virtio negotiated DMA through the IOMMU (ACCESS_PLATFORM)" \
		probe "dma-$p.vfio@bookworm" probe.blk_virtio.access_platform pass
	check "block $p: NVMe data arrives intact, its group translated" \
		probe "dma-$p.vfio@bookworm" probe.blk_nvme.domain_type pass
	check "block $p: identity domain, data intact" \
		probe "dma-$p.raw_identity@bookworm" probe.blk_nvme.match pass
done
check "block: the overlays of passing runs are removed" \
	sh -c "! ls '$OUT'/dma/*/disk-*.qcow2 >/dev/null 2>&1"

# A guest that reads a disk and then panics: the journal comes back from its disk.
"$LAB" run tests/data/scenario/panic-journal.yaml --results "$OUT/pj" >"$OUT/pj.out" 2>&1
rc=$?
check "journal: the expected panic passes (exit 0)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || jq -r '.runs[] | "\(.status): \(.reason)", (.journal // "no journal" | .[-300:])' \
	"$OUT/pj/results.json" 2>&1 | sed 's/^/#   /'
check "journal: status panic, and the journal read back says the NVMe read matched" \
	jqf '.runs[0].status == "panic" and (.runs[0].journal | test("block match"))' "$OUT/pj/results.json"
check "journal: journal.log and the disks kept" \
	test -s "$OUT/pj/panic-journal.read_then_crash@bookworm/journal.log" -a \
	-f "$OUT/pj/panic-journal.read_then_crash@bookworm/disk-journal.qcow2"
check "journal: no lab domain left" no_domains_left

# ---- reproduce: a log the lab itself made, replayed: every signature comes back --
for p in intel:2 smmuv3:3; do
	sigs=${p#*:}    # (not n: that is the TAP counter)
	p=${p%:*}
	"$LAB" reproduce "$OUT/dma/dma-$p.vfio@bookworm/kmsg.log" --jobs 2 \
		--results "$OUT/repro-$p" >"$OUT/repro-$p.out" 2>&1
	rc=$?
	check "reproduce $p: exit 0" [ "$rc" -eq 0 ]
	check "reproduce $p: reproduced $sigs of $sigs fault signatures" \
		grep -q "^reproduced $sigs of $sigs fault signatures" "$OUT/repro-$p.out"
	check "reproduce $p: the generated scenario file is kept" test -s "$OUT/repro-$p/reproduce-$p.yaml"
done
# each new class alone, from a log the lab made: its lines only
repro_class() { # name log-lines-file class
	"$LAB" reproduce "$2" --jobs 2 --results "$OUT/repro-$1" >"$OUT/repro-$1.out" 2>&1
	check "reproduce $1: reproduced 1 of 1" grep -q "^reproduced 1 of 1 fault signature" "$OUT/repro-$1.out"
	check "reproduce $1: the scenario names the class ($3)" \
		grep -q "name: $3-1" "$OUT/repro-$1"/reproduce-*.yaml
}
grep -h "fault reason 0x04" "$OUT/dma/dma-intel.vfio_above_4g@bookworm/kmsg.log" >"$OUT/aw.log"
repro_class intel-address-width "$OUT/aw.log" address_width
grep -h -A4 "event 0x13 received" "$OUT/dma/dma-smmuv3.vfio@bookworm/kmsg.log" >"$OUT/perm.log"
repro_class smmuv3-permission "$OUT/perm.log" permission
check "reproduce: no lab domain left" no_domains_left

# ---- a kernel you built: here the 6.12 package's vmlinuz, taken as a file ------
deb=$(ls images/cache/debs/linux-image-6.12*_amd64.deb 2>/dev/null | head -n 1)
if [ -n "$deb" ]; then
	mkdir -p "$OUT/kernel"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$OUT/kernel" --wildcards './boot/vmlinuz-*'
	"$LAB" run --platform intel --kernel "$(ls "$OUT"/kernel/boot/vmlinuz-*)" --json \
		--results "$OUT/custom" >"$OUT/custom.json" 2>"$OUT/custom.err"
	check "custom kernel: image built on first use, guest answers" \
		jqf '.runs[0].status == "ok" and (.runs[0].name | test("^intel@custom-[0-9a-f]{12}$"))' "$OUT/custom.json"
	check "custom kernel: its version read from the bzImage header" \
		jqf '.runs[0].kernel_version | startswith("6.12")' "$OUT/custom.json"
else
	echo "# skip custom kernel: no 6.12 kernel package in images/cache/debs (make images)"
fi

# ---- another QEMU than the host's, and diff ------------------------------------
. tests/integration/qemu-axis.sh

# ---- PCI topologies: groups, aliases, hot-plug ---------------------------------
. tests/integration/topology.sh

# ---- QEMU trace events per probe window (trace.sh) --------------------------
. tests/integration/trace.sh

# ---- remote hosts: a loopback libvirtd with everything uploaded -----------------
. tests/integration/remote.sh

# ---- failure behaviour --------------------------------------------------------
# Missing image: a clear error naming what to run.
LAB_IMAGES=$OUT/no-images "$LAB" run --platform intel --results "$OUT/noimg" >"$OUT/noimg.out" 2>&1
rc=$?
check "missing image: exit 2" [ "$rc" -eq 2 ]
check "missing image: says to run 'make images'" grep -q "make images" "$OUT/noimg.out"

# libvirt not reachable: a clear error.
"$LAB" run --platform intel --uri "qemu+unix:///system?socket=$OUT/no.sock" \
	--results "$OUT/nolv" >"$OUT/nolv.out" 2>&1
rc=$?
check "libvirt unreachable: exit 2" [ "$rc" -eq 2 ]
check "libvirt unreachable: says so and how to start it" \
	grep -q "cannot reach libvirt.*" "$OUT/nolv.out"

# Agent silent (init is a shell that waits on the console): verdict timeout.
"$LAB" run --platform intel --append "rdinit=/bin/sh" --timeout 25 --json \
	--results "$OUT/silent" >"$OUT/silent.json" 2>/dev/null
rc=$?
check "silent agent: exit 1" [ "$rc" -eq 1 ]
check "silent agent: verdict timeout" jqf '.runs[0].status == "timeout" and .runs[0].verdict == "error"' "$OUT/silent.json"
check "silent agent: console tail in the result" \
	jqf '.runs[0].console_tail | test("Run /bin/sh|Freeing unused")' "$OUT/silent.json"
check "silent agent: no lab domain left" no_domains_left

# Guest kernel panic (no init at all): verdict panic with the panic line,
# found when it happens, not at the timeout.
"$LAB" run --platform intel --append "rdinit=/nonexistent" --timeout 200 --json \
	--results "$OUT/panic" >"$OUT/panic.json" 2>/dev/null
rc=$?
check "panic: exit 1" [ "$rc" -eq 1 ]
check "panic: verdict panic with the panic line" \
	jqf '.runs[0].status == "panic" and (.runs[0].reason | test("^Kernel panic - not syncing"))' "$OUT/panic.json"
check "panic: found long before the timeout" jqf '.runs[0].duration_s < 60' "$OUT/panic.json"
check "panic: no lab domain left" no_domains_left

# A stalled guest (paused here, silent from its first console line on) is a
# timeout after --stall seconds of silence, not at its 200 s timeout, and
# keeps the console tail and the journal read back from its disk.
"$LAB" run tests/data/scenario/stall-journal.yaml --stall 20 --json \
	--results "$OUT/stall" >"$OUT/stall.json" 2>/dev/null &
pid=$!
stall_dir=$OUT/stall/stall-journal.paused@bookworm
i=0
# domain.xml names the domain (other lab guests may be running); the console
# log's first bytes come seconds before the agent could answer
while ! { [ -s "$stall_dir/console.log" ] && [ -s "$stall_dir/domain.xml" ]; } && [ $i -lt 600 ]; do
	sleep 0.2; i=$((i + 1))
done
dom=$(sed -n 's|.*<name>\(iommulab-[^<]*\)</name>.*|\1|p' "$stall_dir/domain.xml" 2>/dev/null | head -n 1)
check "stall: the guest was paused" virsh -q -c "$URI" suspend "$dom"
wait "$pid"
rc=$?
check "stall: the expected timeout passes (exit 0)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || jq -r '.runs[] | "\(.status): \(.reason) (\(.duration_s) s)"' "$OUT/stall.json" 2>&1 | sed 's/^/#   /'
check "stall: status timeout, the reason says stalled for 20 s, agent not ready" \
	jqf '.runs[0].status == "timeout" and (.runs[0].reason | test("^stalled: .* for 20 s .*agent: not ready yet"))' "$OUT/stall.json"
check "stall: over well before the 200 s timeout" jqf '.runs[0].duration_s < 90' "$OUT/stall.json"
check "stall: console tail and journal in the result" \
	jqf '(.runs[0].console_tail | length) > 0 and (.runs[0] | has("journal"))' "$OUT/stall.json"
check "stall: its domain is gone" sh -c "[ -n '$dom' ] && ! virsh -q -c '$URI' domstate '$dom'"

# SIGINT while a guest runs: it is destroyed, the command says so.
"$LAB" run --platform smmuv3 --append "rdinit=/bin/sh" --timeout 200 \
	--results "$OUT/sigint" >"$OUT/sigint.out" 2>&1 &
pid=$!
i=0
while [ "$(lab_domains)" -eq 0 ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
check "sigint: the guest was running" [ "$(lab_domains)" -eq 1 ]
kill -INT "$pid"
wait "$pid"
rc=$?
check "sigint: exit 130" [ "$rc" -eq 130 ]
check "sigint: no lab domain left" no_domains_left
check "sigint: results still written" test -s "$OUT/sigint/results.json"

# ---- perf probes: what the IOMMU costs (docs/scenarios.md, "Perf probes"):
# one short strict run per platform (amd's strict variant before QEMU 9.2,
# strict_ir_off from 9.2: one of the two boots; virtio-iommu needs 6.12),
# traced (a perf probe makes a run a measured one)
"$LAB" run scenarios/perf-intel.yaml scenarios/perf-amd.yaml scenarios/perf-smmuv3.yaml scenarios/perf-virtio.yaml \
	--only '^perf-(intel|smmuv3)[.]strict@bookworm$|^perf-amd[.]strict(_ir_off)?@bookworm$|^perf-virtio[.]strict@backports$' \
	--jobs 2 --timeout "$TIMEOUT" --results "$OUT/perf" >"$OUT/perf.out" 2>&1
rc=$?
check "perf: exit 0, every check held" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || grep -E '^perf|runs,' "$OUT/perf.out" | sed 's/^/#   /'
check "perf: four runs booted, one per platform" \
	jqf '[.runs[] | select(.status == "ok") | .platform] | sort == ["amd", "intel", "smmuv3", "virtio"]' "$OUT/perf/results.json"
check "perf: perf_sane and stale_iova_unreachable pass in every run booted" \
	jqf '[.runs[] | select(.status == "ok") | .checks[] | select(.name == "perf_sane" or .name == "stale_iova_unreachable") | .verdict] | length == 8 and all(. == "pass")' \
	"$OUT/perf/results.json"
check "perf: map, unmap and read medians non-zero for every size" \
	jqf '[.runs[] | select(.status == "ok") | .observations.probes[] | .result
	      | select(.measure == "vfio_map" or .measure == "block_read") | .stats[] | .median > 0 and .n > 0] | length > 0 and all' \
	"$OUT/perf/results.json"
check "perf: each block read probe moved 8 MiB in 2048 reads" \
	jqf '[.runs[] | select(.status == "ok") | .observations.probes[] | .result | select(.measure == "block_read")
	      | .bytes == 8388608 and .ops.io == 2048] | length == 8 and all' "$OUT/perf/results.json"
check "perf: 6.1 does not count IOMMU page tables in SecPageTables" \
	jqf '[.runs[] | select(.status == "ok" and .kernel == "bookworm") | .observations.probes[] | .result | select(.measure == "pgtable")
	      | .sec_pagetables_kib.counted == false] | length == 3 and all' "$OUT/perf/results.json"
check "perf: strict: every block read's window holds at least one IOTLB invalidation per I/O" \
	jqf '[.runs[] | select(.status == "ok") | .observations.probes[] | select(.result.measure == "block_read")
	      | .trace.invalidations_per_unmap >= 1] | length == 8 and all' "$OUT/perf/results.json"
check "perf: the QEMU trace counted lookups in every VFIO map probe" \
	jqf '[.runs[] | select(.status == "ok") | .observations.probes[] | select(.result.measure == "vfio_map")
	      | (.trace.iotlb_hits + .trace.iotlb_misses + .trace.page_walks) > 0] | length == 4 and all' "$OUT/perf/results.json"
check "perf: report.html draws the comparison" \
	sh -c "grep -q 'Performance: configurations compared' '$OUT/perf/report.html' && grep -q '<svg' '$OUT/perf/report.html'"

# Garbage on the agent channel is survived (the unit tests feed it directly;
# here a hostile kernel command line must not break the XML or the run).
"$LAB" run --platform intel --append "x='</cmdline>' &amp;" --json --timeout "$TIMEOUT" \
	--results "$OUT/hostile" >"$OUT/hostile.json" 2>/dev/null
check "hostile --append: guest boots with it verbatim" \
	jqf ".runs[0].observations.cmdline | endswith(\"x='</cmdline>' &amp;\")" "$OUT/hostile.json"

# The lab when its host misbehaves (tests/integration/faults.sh, ~2.5 min, on
# a private libvirtd of its own): its lines counted here, its figures shown.
tests/integration/faults.sh >"$OUT/faults.out" 2>&1
while IFS= read -r line; do
	case "$line" in
	"ok "*) ok "faults: ${line#ok [0-9]* - }" ;;
	"not ok "*) not_ok "faults: ${line#not ok [0-9]* - }" ;;
	"#   kept"*|"#     kept"*) ;;
	"#"*|"1..0"*) echo "$line" ;;
	esac
done <"$OUT/faults.out"

echo "1..$n"
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
