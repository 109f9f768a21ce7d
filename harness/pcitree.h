/* SPDX-License-Identifier: MIT */
#ifndef LAB_PCITREE_H
#define LAB_PCITREE_H

/*
 * The guest's PCI tree as observed: each device of the observations' "pci"
 * list placed under its bridge, with the requester ID the IOMMU sees for
 * its DMA, and the run's topology (harness/topology.h) matched to the
 * guest's addresses. Reads the observations only: `recheck` gets the same.
 *
 * The requester ID follows QEMU (pci_device_iommu_address_space) and the
 * kernel (pci_for_each_dma_alias) alike: from the device up, each
 * conventional bus it crosses takes the DMA over: a PCIe-to-PCI bridge
 * with its secondary bus and devfn 00.0, a conventional PCI-to-PCI bridge
 * with its own address. The last (topmost) is what the IOMMU sees.
 */
#include <json.h>

#include "topology.h"

/*
 * Add to obs: to each "pci" entry "parent" (the bridge's address, or
 * null on a root bus) and "requester"; and, given a topology, "topology":
 * {"name", "nodes": [{"id", "kind", "path", "bus" (the parent's id),
 * "address" (null when the guest has no device there)}]}.
 */
void lab_pcitree_annotate(json_object *obs, const struct lab_topology *t);

/* The guest address of dev: a PCI address as it is, a topology id through
 * obs's "topology"; NULL when the id is unknown or the node was not found. */
const char *lab_pcitree_address(json_object *obs, const char *dev);

/* obs's "pci" entry at address, or NULL. */
json_object *lab_pcitree_device(json_object *obs, const char *address);

#endif
