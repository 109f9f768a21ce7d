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
boot() { # platform expected-kind name-regex default-domain
	p=$1
	"$LAB" run --platform "$p" --json --timeout "$TIMEOUT" --results "$OUT/$p" \
		>"$OUT/$p.json" 2>"$OUT/$p.err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		not_ok "$p: run exits 0" "exit $rc: $(tail -n 5 "$OUT/$p.err")"
		jq -r '.runs[0].console_tail // empty' "$OUT/$p.json" 2>/dev/null | tail -n 15 | sed 's/^/#   /'
		return
	fi
	ok "$p: run exits 0"
	o=".runs[0].observations"
	check "$p: exactly one IOMMU, of kind $2" \
		jqf "($o.iommus | length) == 1 and $o.iommus[0].kind == \"$2\"" "$OUT/$p.json"
	check "$p: the IOMMU is named like $3" \
		jqf "$o.iommus[0].name | test(\"$3\")" "$OUT/$p.json"
	check "$p: a group holds the edu device 0000:00:10.0" \
		jqf "[$o.groups[] | select(.devices | index(\"0000:00:10.0\"))] | length == 1" "$OUT/$p.json"
	check "$p: default domain is $4" jqf "$o.default_domain == \"$4\"" "$OUT/$p.json"
	check "$p: console and kmsg logs kept" test -s "$OUT/$p/$p/console.log" -a -s "$OUT/$p/$p/kmsg.log"
	check "$p: no lab domain left" no_domains_left
}

boot intel intel '^dmar0$' DMA-FQ
check "intel: cap and ecap reported" \
	jqf '.runs[0].observations.iommus[0].registers | (.cap | test("^0x[0-9a-f]+$")) and (.ecap | test("^0x[0-9a-f]+$"))' "$OUT/intel.json"
boot amd amd '^ivhd0$' DMA
check "amd: cap and features reported" \
	jqf '.runs[0].observations.iommus[0].registers | has("cap") and has("features")' "$OUT/amd.json"
boot smmuv3 smmuv3 '^smmu3[.]' DMA

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
check "silent agent: verdict timeout" jqf '.runs[0].status == "timeout"' "$OUT/silent.json"
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
	jqf '.runs[0].status == "panic" and (.runs[0].detail | test("^Kernel panic - not syncing"))' "$OUT/panic.json"
check "panic: found long before the timeout" jqf '.runs[0].total_s < 60' "$OUT/panic.json"
check "panic: no lab domain left" no_domains_left

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

# Garbage on the agent channel is survived (the unit tests feed it directly;
# here a hostile kernel command line must not break the XML or the run).
"$LAB" run --platform intel --append "x='</cmdline>' &amp;" --json --timeout "$TIMEOUT" \
	--results "$OUT/hostile" >"$OUT/hostile.json" 2>/dev/null
check "hostile --append: guest boots with it verbatim" \
	jqf ".runs[0].observations.cmdline | endswith(\"x='</cmdline>' &amp;\")" "$OUT/hostile.json"

echo "1..$n"
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
