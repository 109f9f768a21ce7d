/* SPDX-License-Identifier: MIT */
#ifndef LAB_TOPOLOGY_H
#define LAB_TOPOLOGY_H

/*
 * A guest's PCI topology as data: the bridges and endpoints a run adds to
 * its machine, beside the platform's own (the test device at 00:10.0 and
 * the disks stay where they are). Read from a topology file
 * (scenarios/topologies/NAME.yaml; the format is in docs/scenarios.md,
 * "Topologies"); harness/domain.c turns it into libvirt controllers and
 * devices.
 *
 * A node is found in the guest by its path: the root bus, then the
 * device.function of each hop ("0000:00/04.0/00.0/00.0"). Bus numbers are
 * the firmware's or the kernel's to choose; paths are not, so expectations
 * and probes name nodes by id and the lab maps ids to the guest's
 * addresses through the paths the agent reports.
 */
#include <stddef.h>
#include <json.h>

#include "error.h"

enum lab_topo_kind {
	/* bridges: each gives the nodes under it a bus */
	LAB_TOPO_ROOT_PORT,          /* pcie-root-port; ACS unless acs: false */
	LAB_TOPO_SWITCH_UP,          /* x3130-upstream */
	LAB_TOPO_SWITCH_DOWN,        /* xio3130-downstream */
	LAB_TOPO_PCIE_PCI_BRIDGE,    /* pcie-pci-bridge: a conventional bus */
	LAB_TOPO_PCI_BRIDGE,         /* pci-bridge, under a pcie-pci-bridge */
	LAB_TOPO_EXPANDER,           /* pxb-pcie: a second host bridge */
	/* endpoints */
	LAB_TOPO_EDU,                /* QEMU's edu: the DMA engine */
	LAB_TOPO_E1000E,
	LAB_TOPO_VIRTIO_NET,         /* with iommu_platform */
	LAB_TOPO_VIRTIO_BLK,         /* the run's virtio disk, moved here */
	LAB_TOPO_NVME,               /* the run's NVMe disk, moved here */
	LAB_TOPO_KIND_N
};

struct lab_topo_kind_info {
	const char *name;            /* in topology files */
	const char *qemu;            /* QEMU's device */
	const char *libvirt;         /* libvirt's controller model, or NULL */
	int bridge;                  /* has a bus of its own */
	int conventional_bus;        /* that bus is conventional PCI */
};

const struct lab_topo_kind_info *lab_topo_kind_info(enum lab_topo_kind k);
int lab_topo_kind_by_name(const char *name);    /* -1 when unknown */
/* "root-port, switch-upstream, ..." for error messages */
const char *lab_topo_kind_names(void);

#define LAB_TOPO_ID_MAX 24
#define LAB_TOPO_NODES_MAX 32
#define LAB_TOPO_ROOT_SLOT_FIRST 0x04 /* root-bus slots the lab gives nodes */
#define LAB_TOPO_ROOT_SLOT_LAST  0x0f /* (00:10.0 on is the test device's) */
#define LAB_TOPO_PATH_MAX 96

struct lab_topo_node {
	char id[LAB_TOPO_ID_MAX + 1];   /* [a-z0-9_-], unique in the topology */
	enum lab_topo_kind kind;
	int parent;                  /* index of the bridge it sits on, -1: the root bus */
	unsigned slot, function;
	int acs;                     /* root ports: 0 = QEMU's disable-acs */
	int bypass_iommu;            /* expanders: QEMU's bypass_iommu */
	unsigned bus_nr;             /* expanders: the root bus number */
	int line;                    /* in the topology file, 0 when not read from one */
};

struct lab_topology {
	char *name;
	char *description;
	char *file;                  /* where it was read from, or NULL */
	struct lab_topo_node nodes[LAB_TOPO_NODES_MAX];
	size_t n;
};

/* Read and check a topology file; errors say "file:line: ...". */
struct lab_topology *lab_topology_load(const char *file, struct lab_error *err);
void lab_topology_free(struct lab_topology *t);

/* After nodes were added by hand: default slots, then the rules (a bridge
 * before what sits on it, what may sit on what, free addresses). */
int lab_topology_check(struct lab_topology *t, struct lab_error *err);

/* An id a node may have: 1 to LAB_TOPO_ID_MAX of a-z, 0-9, _ and - (scenario
 * files name nodes by it before they know the topology). */
int lab_topology_valid_id(const char *s);
/* The node called id, or -1. */
int lab_topology_find(const struct lab_topology *t, const char *id);
/* The node's path (see above) into buf. */
void lab_topology_path(const struct lab_topology *t, size_t i, char *buf, size_t len);
/* The first node of kind k, or -1. */
int lab_topology_first(const struct lab_topology *t, enum lab_topo_kind k);

/* The run spec's form (harness/worker.h): {"name":..., "nodes":[...]}. */
json_object *lab_topology_to_json(const struct lab_topology *t);
struct lab_topology *lab_topology_from_json(json_object *o, struct lab_error *err);

/* The tree as text, one node a line, for the terminal. */
char *lab_topology_text(const struct lab_topology *t);

#endif
