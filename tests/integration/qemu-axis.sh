# Sourced by tests/integration/run.sh (its check/jqf helpers, $LAB, $OUT,
# $TIMEOUT): one guest on a QEMU that is not the host's, fetched by the lab
# as Debian packages and unpacked into the image cache, and `diff` between it
# and the host QEMU's run of the same guest (the first section's intel run).

# The other Debian QEMU: bookworm's 7.2 on a backports host, and the reverse.
host_qemu=$(jq -r '.host.qemu' "$OUT/boot.json")
case "$host_qemu" in
7.*) other=backports ;;
*) other=bookworm ;;
esac
"$LAB" run --platform intel --qemu "$other" --json --timeout "$TIMEOUT" \
	--results "$OUT/otherq" >"$OUT/otherq.json" 2>"$OUT/otherq.err"
rc=$?
check "qemu axis: a guest on the $other QEMU (not the host's $host_qemu): exit 0" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || tail -n 5 "$OUT/otherq.err" | sed 's/^/#   /'
want=$(cat "images/cache/qemu-$other/version" 2>/dev/null)
check "qemu axis: the run is named +qemu-$other and records QEMU $want, not the host's" \
	jqf ".runs[0].name == \"intel@bookworm+qemu-$other\" and .runs[0].qemu_build == \"$other\" and
	     .runs[0].qemu_version == \"$want\" and .runs[0].qemu_version != .host.qemu" "$OUT/otherq.json"
check "qemu axis: libvirt ran it as <emulator> from the image cache" \
	grep -q "<emulator>.*/qemu-$other/bin/qemu-system-x86_64</emulator>" \
	"$OUT/otherq/intel@bookworm+qemu-$other/domain.xml"
check "qemu axis: the guest answered on it" \
	jqf '.runs[0].status == "ok" and (.runs[0].observations.iommus | length) == 1' "$OUT/otherq.json"

# diff of the two: paired without the axis, nothing newly fails, and the
# intel-iommu's default address width is among what changed (39 on 7.2, 48
# from 9.2: hw/i386/intel_iommu.c)
"$LAB" diff --json --pair '\+qemu-[a-z0-9-]+$' "$OUT/boot" "$OUT/otherq" >"$OUT/qdiff.json"
rc=$?
check "diff: the host's QEMU vs $other: exit 0 (nothing newly fails)" [ "$rc" -eq 0 ]
check "diff: intel@bookworm paired across QEMUs, its MGAW 39 vs 48 among the changes" \
	jqf '.runs[] | select(.name == "intel@bookworm") | .change == "observations" and
	     ([.observations[].path] | index("iommus.intel.decoded.cap.mgaw"))' "$OUT/qdiff.json"
check "diff: the runs only the host's QEMU made are gone, none added" \
	jqf '.summary.gone >= 1 and .summary.added == 0' "$OUT/qdiff.json"
"$LAB" diff "$OUT/boot" "$OUT/otherq" >"$OUT/qdiff.txt"
check "diff: text names both QEMU versions" \
	grep -q "QEMU $host_qemu.*QEMU $want" "$OUT/qdiff.txt"

# Fault classes a newer QEMU raises: interrupt-remapping faults (QEMU 8.2 on)
# and first-stage ones (x-flts), on the backports QEMU whichever the host's
# is; and the virtio-iommu's faults, decoded (6.12 guest)
"$LAB" run scenarios/default-dma-intel.yaml scenarios/default-topology-virtio.yaml \
	--qemu backports --only '(raw_translated|first_stage)@bookworm|bypass_off@backports' \
	--jobs 2 --timeout "$TIMEOUT" --results "$OUT/newq" >"$OUT/newq.out" 2>&1
rc=$?
check "fault classes on QEMU 10: exit 0, every check held" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || grep -E 'fail|error' "$OUT/newq.out" | head -n 5 | sed 's/^/#   /'
newq() { verdict "$OUT/newq/results.json" "$@"; }
check "intel: an interrupt request to an absent IRTE is INTR_REMAP_FAULT 0x22" \
	newq "dma-intel.raw_translated@bookworm+qemu-backports" probe.irte_absent.fault pass
check "intel: a device VFIO holds blocked faults (0x05 on 6.1)" \
	newq "dma-intel.raw_translated@bookworm+qemu-backports" probe.blocked_device.fault pass
check "intel: first stage: unmapped 0x71, read-only 0x85" \
	sh -c "jq -e '.runs[] | select(.name == \"dma-intel.first_stage@bookworm+qemu-backports\") |
		[.checks[] | select(.name == \"probe.write_after_unmap.fault\" or .name == \"probe.read_only.fault\") |
		 .verdict] == [\"pass\", \"pass\"]' '$OUT/newq/results.json'"
check "virtio: the alias endpoint's DMA without bypass: UNKNOWN_FAULT naming the alias" \
	newq "topology-virtio.bypass_off@backports+qemu-backports" probe.alias_dma.fault pass
grep -h "fault reason 0x22" "$OUT/newq/dma-intel.raw_translated@bookworm+qemu-backports/kmsg.log" >"$OUT/ir.log"
"$LAB" reproduce "$OUT/ir.log" --qemu backports --results "$OUT/repro-ir" >"$OUT/repro-ir.out" 2>&1
check "reproduce intel interrupt_remap on QEMU 10: reproduced 1 of 1" \
	grep -q "^reproduced 1 of 1 fault signature" "$OUT/repro-ir.out"
check "fault classes: no lab domain left" no_domains_left
