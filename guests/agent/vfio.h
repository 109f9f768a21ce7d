/* SPDX-License-Identifier: MIT */
#ifndef AGENT_VFIO_H
#define AGENT_VFIO_H

/*
 * One PCI device through VFIO (Documentation/driver-api/vfio.rst), as the
 * DMA probe uses it: bound to vfio-pci, its group in a type1 container of
 * its own, bus master on, BAR0's first page mapped, a page-aligned buffer
 * mapped at an IOVA and unmapped again, and its single MSI vector
 * signalled on an eventfd. Two devices get two containers: a group in
 * another's container would share its mappings (the isolation probe).
 */
#include <stddef.h>
#include <stdint.h>
#include <json.h>

#include "error.h"
#include "sysfs.h"

struct vfio {
	const char *dev;
	char group_name[SYSFS_GROUP_LEN], group_type[SYSFS_GROUP_LEN];
	char iommu_type[16];            /* "type1v2" | "type1", "" before known */
	int irq_fd;                     /* MSI eventfd, -1 when none */
	int container, group, device;
	uint64_t cfg_off;
	int cmd_saved;                  /* -1: not changed */
	void *bar_map;                  /* BAR0's first page */
	size_t bar_len;
	uint8_t *buf_map;               /* what mmap returned */
	size_t buf_map_len;
	uint8_t *buf;                   /* the DMA buffer, aligned to map_len */
	uint64_t iova;                  /* where buf is mapped */
	uint64_t map_len;               /* the mapping granule: a page or more */
	int mapped;
	int viable;                     /* VFIO_GROUP_FLAGS_VIABLE; -1 before known */
	uint32_t map_flags;             /* VFIO_DMA_MAP_FLAG_*; 0: read and write */
	int claim_only;                 /* vfio_open stops once the group is in the
					   container, before VFIO_SET_IOMMU: the
					   kernel then holds it in its blocking
					   domain (VFIO owns its DMA) */
};

/* Nothing open, nothing mapped: what vfio_close expects of an unused one. */
#define VFIO_INIT { .container = -1, .group = -1, .device = -1, .cmd_saved = -1, .irq_fd = -1, \
		    .viable = -1 }

/* Bind dev to vfio-pci unless driver (what it is bound to now, "" for
 * none) already is; *rebound set when this call bound it. 0, or -1 with
 * err set. */
int vfio_bind(const char *dev, const char *driver, int *rebound, struct lab_error *err);
/* Is dev bound to no driver, to vfio-pci, or to one that leaves its DMA to
 * whoever owns the group (pcieport, pci-stub: driver_managed_dma)? What
 * VFIO needs of every device in a group to call it viable (the kernel's
 * iommu_group_claim_dma_owner; VFIO_GROUP_FLAGS_VIABLE). */
int vfio_leaves_dma(const char *dev);
/* Make dev's IOMMU group viable for VFIO: bind every other device in it
 * that has a driver of its own (not vfio-pci, pcieport or pci-stub, which
 * leave DMA to VFIO) to vfio-pci. The addresses rebound are added to
 * bound (an array). 0, or -1 with err set. */
int vfio_bind_group(const char *dev, json_object *bound, struct lab_error *err);
/* Container, group and device for dev, bus master and memory decoding on
 * (restored by vfio_close), BAR0's first page mapped; iova must be aligned
 * to the IOMMU's smallest page and pagesz. 0, or -1 with err set (and
 * what was opened left for vfio_close). */
int vfio_open(struct vfio *v, const char *dev, uint64_t iova, long pagesz,
	      struct lab_error *err);
/* The DMA buffer: anonymous, map_len bytes aligned to map_len. */
int vfio_alloc_buffer(struct vfio *v, struct lab_error *err);
/* Map the buffer at the iova, read and write: 0, or -1 with err set. */
int vfio_map(struct vfio *v, struct lab_error *err);
/* Unmap it (no-op when not mapped): 0, or -1 with err set. */
int vfio_unmap(struct vfio *v, struct lab_error *err);
/* The device's MSI (one vector) on an eventfd, v->irq_fd. */
int vfio_irq_setup(struct vfio *v, struct lab_error *err);
/* The interrupt chip /proc/interrupts names for dev's VFIO MSI ("" when
 * not listed) and the vector's count over all CPUs (-1). */
void vfio_irq_chip(const char *dev, char *chip, size_t len, long *count);
/* Undo everything vfio_open, vfio_map and vfio_irq_setup did; failures
 * (restoring the command register, unmapping) go to err. */
void vfio_close(struct vfio *v, struct lab_error *err);

#endif
