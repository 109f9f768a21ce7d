#!/bin/sh
# The cross-version matrix (make nightly): the default matrix on Debian's two
# QEMUs, bookworm's 7.2 and bookworm-backports' 10.0 (fetched into the image
# cache, never installed; the host's own libvirt drives both), each on both
# guest kernels, then what changed from the one QEMU to the other.
#
#   lab/nightly.sh [OUT]     OUT defaults to results/nightly-<date>-<time>
#
# Leaves OUT/qemu-bookworm/, OUT/qemu-backports/ (each a results folder) and
# OUT/diff.txt, OUT/diff.json. Exit 0 when both matrices held and nothing
# fails on 10.0 that held on 7.2; 1 otherwise; 2 on set-up errors.
set -u
cd "$(dirname "$0")/.."
LAB=${LAB:-build/iommu-lab}
JOBS=${JOBS:-$(nproc)}
OUT=${1:-results/nightly-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" && chmod 0755 "$OUT" || exit 2

start=$(date +%s)
rc=0
for q in bookworm backports; do
	echo "nightly: the default matrix on QEMU $q" >&2
	"$LAB" run --jobs "$JOBS" --qemu "$q" --results "$OUT/qemu-$q" scenarios/default-*.yaml
	r=$?
	[ "$r" -eq 2 ] && exit 2
	[ "$r" -ne 0 ] && rc=1
done
# run names differ only by their +qemu-NAME suffix: pair them without it
"$LAB" diff --pair '\+qemu-[a-z0-9-]+$' --json "$OUT/qemu-bookworm" "$OUT/qemu-backports" >"$OUT/diff.json"
"$LAB" diff --pair '\+qemu-[a-z0-9-]+$' "$OUT/qemu-bookworm" "$OUT/qemu-backports" >"$OUT/diff.txt"
r=$?
cat "$OUT/diff.txt"
[ "$r" -eq 2 ] && exit 2
[ "$r" -ne 0 ] && rc=1
echo "nightly: both QEMUs in $(($(date +%s) - start)) s; results in $OUT" >&2
exit "$rc"
