# Sourced by run.sh: PCI topologies under the vIOMMU (scenarios/topologies/
# mix.yaml): a shared and an isolated group on intel and on SMMUv3, the
# fault naming the requester ID alias of a PCIe-to-PCI bridge, a hot-plug,
# and the picture in the report. Two guests, one per IOMMU.
"$LAB" run scenarios/default-topology.yaml scenarios/default-topology-smmuv3.yaml \
	--only '^topology\.intel\.mix@bookworm$|^topology-smmuv3\.smmuv3-uefi\.mix@bookworm$' \
	--jobs 2 --json --timeout "$TIMEOUT" --results "$OUT/topo" >"$OUT/topo.json" 2>"$OUT/topo.err"
rc=$?
check "topology: two runs, every check held (exit 0)" \
	sh -c "[ $rc -eq 0 ] && jq -e '.runs | length == 2' '$OUT/topo.json'"
[ "$rc" -eq 0 ] || jq -r '.runs[] | .name as $n | .checks[] | select(.verdict == "fail" or .verdict == "error") | $n + ": " + .name + ": " + .reason' "$OUT/topo.json" 2>/dev/null | head -n 5 | sed 's/^/#   /'
topo_check() { # run-name check-name-prefix: that check ran and passed
	jq -e --arg run "$1" --arg check "$2" '.runs[] | select(.name == $run) |
		[.checks[] | select(.name | startswith($check))] |
		length >= 1 and all(.verdict == "pass")' "$OUT/topo.json"
}
for run in topology.intel.mix@bookworm topology-smmuv3.smmuv3-uefi.mix@bookworm; do
	check "$run: behind a PCIe-to-PCI bridge one group (shared)" \
		topo_check "$run" 'same_group ["pcie-br"'
	check "$run: a root port with ACS isolates its device" \
		topo_check "$run" 'separate_groups ["rp-acs","edu-acs"]'
	check "$run: without ACS the port and its device share" \
		topo_check "$run" 'same_group ["rp-noacs","edu-noacs"]'
	check "$run: the fault names the bridge's alias, not the device" \
		topo_check "$run" 'probe.alias_fault.fault'
	check "$run: hot-plugged disk: a group, DMA through it, gone after unplug" \
		topo_check "$run" 'probe.hotplug.'
	check "$run: VFIO refuses a shared group until every function is its own" \
		topo_check "$run" 'probe.group_'
done
check "topology: the alias is the bridge's secondary bus, devfn 00.0" \
	jqf '.runs[] | select(.name == "topology.intel.mix@bookworm") | .observations as $o |
	($o.topology.nodes[] | select(.id == "pcie-br") | .address) as $br |
	($o.pci[] | select(.address == $br) | .secondary_bus) as $sec |
	[$o.probes[] | select(.name == "alias_fault") | .faults[].device] |
	index(("0000:" + ($sec | tostring | if length == 1 then "0" + . else . end) + ":00.0"))' \
	"$OUT/topo.json"
check "topology: report.html draws each run's PCI tree" \
	sh -c "[ \$(grep -c '<svg' '$OUT/topo/report.html') -ge 2 ]"
check "topology: no lab domain left" no_domains_left
