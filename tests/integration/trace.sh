# Sourced by run.sh: QEMU's IOMMU trace events counted per probe window
# (LAB_TRACE=1 traces runs without perf probes), the checks they imply, and
# the relations between runs. Three intel guests: strict, lazy, passthrough.
LAB_TRACE=1 "$LAB" run tests/integration/data/trace-intel.yaml --jobs 1 --json \
	--timeout "$TIMEOUT" --results "$OUT/trace" >"$OUT/trace.json" 2>"$OUT/trace.err"
rc=$?
check "trace: three runs, every check and relation held (exit 0)" \
	sh -c "[ $rc -eq 0 ] && jq -e '.runs | length == 3' '$OUT/trace.json'"
[ "$rc" -eq 0 ] || jq -r '(.runs[] | .name as $n | .checks[] | select(.verdict == "fail" or .verdict == "error") | $n + ": " + .name + ": " + .reason), (.relations.checks[]? | select(.verdict != "pass") | .name + ": " + .reason)' "$OUT/trace.json" 2>/dev/null | head -n 5 | sed 's/^/#   /'
tp() { # run probe jq-condition on the probe record
	jq -e --arg run "$1" --arg p "$2" ".runs[] | select(.name == \$run) |
		.observations.probes[] | select(.name == \$p) | $3" "$OUT/trace.json"
}
check "trace: each probe has its window on the host clock" \
	tp trace-intel.strict@bookworm vfio '.window.end > .window.start and .window.start > 1.7e9'
check "trace: the VFIO probe's DMA looked the IOTLB up and its unmap invalidated" \
	tp trace-intel.strict@bookworm vfio '.trace.iotlb_misses >= 1 and .trace.invalidations_per_unmap >= 1'
check "trace: a 2 MiB read through virtio-blk walked hundreds of pages" \
	tp trace-intel.lazy@bookworm blk '.trace.page_walks > 100 and .trace.hit_rate > 0'
check "trace: strict invalidates more per MiB than lazy" \
	jq -e '[.relations.checks[] | select(.relation | startswith("lazy.blk")) | .verdict] == ["pass"]' "$OUT/trace.json"
check "trace: passthrough: no IOTLB lookup, checked" \
	jq -e '.runs[] | select(.name == "trace-intel.pt@bookworm") | [.checks[] | select(.name == "trace.blk.identity_no_lookups") | .verdict] == ["pass"]' "$OUT/trace.json"
check "trace: the raw trace file is gone, its counts kept" \
	sh -c "! test -e '$OUT/trace/trace-intel.strict@bookworm/qemu-trace.log' && jq -e '.trace.lines > 0' '$OUT/trace/trace-intel.strict@bookworm/run.json'"
check "trace: results.json compares the runs (perf section) and report.html shows it" \
	sh -c "jq -e '.perf.groups | length == 1' '$OUT/trace.json' && grep -q 'Performance: configurations compared' '$OUT/trace/report.html'"
check "trace: no lab domain left" no_domains_left
