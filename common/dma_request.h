/* SPDX-License-Identifier: MIT */
#ifndef LAB_DMA_REQUEST_H
#define LAB_DMA_REQUEST_H

/*
 * The "dma" command of the agent protocol (common/proto.h), the contract
 * between the harness, which writes the requests from scenario files
 * (harness/scenario_probe.c) and from real machines' faults (harness/replay.c),
 * and the agent, which makes QEMU's edu test device (1234:11e8) DMA on
 * purpose, through VFIO or with no driver at all (guests/agent/dma.c), and
 * reports whether the data arrived and where the IOMMU stopped it.
 *
 * Request ("dma" command arguments; unknown keys are rejected):
 *   device       "ssss:bb:dd.f" (hex; upper case is folded to lower case)
 *   mode         "vfio" | "raw"
 *   direction    "read"  = the device reads RAM  (RAM -> edu, DMA_TO_DEVICE)
 *                "write" = the device writes RAM (edu -> RAM, DMA_FROM_DEVICE)
 *   size         integer, 1..4095 bytes. edu's buffer is 0x40000..0x40fff
 *                and the edu side of every transfer is 0x40000, but QEMU up
 *                to 7.2 (Debian's 7.2.22 included) checks the range with an
 *                off-by-one (the end must lie strictly below 0x41000) and
 *                aborts (hw_error) on a 4096-byte transfer: seen here.
 *   iova         vfio only, required: hex string "0x...", 4 KiB aligned,
 *                iova + size - 1 within dma_mask. raw takes no iova: the
 *                address is the buffer's physical address.
 *   dma_mask     optional hex string "0x...", 2^n - 1 with n in 12..64;
 *                default 0x0fffffff (edu's 28-bit default). edu does not
 *                expose its mask: pass it when QEMU's edu has dma_mask=.
 *                edu silently truncates addresses to its mask, so nothing
 *                beyond it is ever programmed.
 *   map          vfio only, boolean, default true: map the buffer at iova
 *   unmap_first  vfio only, boolean, default false (needs map): round trip,
 *                unmap, then DMA once more in `direction` (isolation check)
 *   peer         vfio only, "ssss:bb:dd.f" of a second edu (needs map, not
 *                unmap_first): after the round trip, the peer, bound to
 *                vfio-pci in a container of its own with nothing mapped,
 *                DMAs in `direction` at the IOVA mapped for `device`
 *   irq          vfio only, boolean (needs map): every round-trip transfer
 *                asks edu for its completion MSI, delivered on a VFIO
 *                eventfd
 *   map_access   vfio only, "rw" (default) | "read" | "write": what the
 *                mapping lets the device do (VFIO_DMA_MAP_FLAG_READ /
 *                _WRITE); with "read" or "write" (needs map, no
 *                unmap_first, peer or irq) there is no round trip: one DMA
 *                in `direction` at the mapped IOVA (a permission fault when
 *                the mapping does not allow it)
 *   vfio_claim   raw only, boolean: instead of unbinding, bind vfio-pci and
 *                let VFIO take the group (VFIO_GROUP_SET_CONTAINER) without
 *                setting an IOMMU: the kernel holds the group in its
 *                blocking domain (6.1: an empty domain; 6.12 VT-d: the
 *                context entry cleared; SMMUv3: an abort STE) while the
 *                write goes out
 *   address      raw only, hex string "0x...": DMA to this bus address
 *                instead of a buffer's (an address beyond the IOMMU's
 *                width, or the MSI window 0xfee00000: an interrupt
 *                request); "write" only, the outcome not observable
 *
 * What runs:
 *   vfio, map:         pattern -> edu -> canary-filled buffer (same IOVA),
 *                      compared byte for byte: round_trip.
 *   vfio, unmap_first: then unmap and probe in `direction`: "write" DMAs
 *                      edu -> RAM onto the canary; "read" DMAs a fresh
 *                      pattern RAM -> edu, then maps again and copies edu's
 *                      buffer back to see whether the pattern got there.
 *   vfio, map=false:   one DMA in `direction` at an IOVA nothing is mapped at
 *                      (outcome not observable: only the fault tells).
 *   raw:               unbind, bus master via sysfs config, one DMA in
 *                      `direction` to a locked page's physical address (a
 *                      page within dma_mask; error, nothing programmed, if
 *                      none is found). "read" is not observable either.
 *   raw, address:      the same DMA to `address` (edu writes its buffer).
 *   vfio, map_access:  map with that access, one DMA in `direction`:
 *                      "write" onto the canary (landed?), "read" of a new
 *                      pattern, verified by mapping again read-write.
 *
 * Result (always an object unless the arguments are invalid):
 *   mode, direction, device, iova (hex; raw: the physical address used),
 *   size, dma_mask, mapped (vfio: the buffer was mapped; raw: null),
 *   completed (every DMA started finished: edu cleared its run bit within
 *   2 s; null when none was started), round_trip ("exact" | "mismatch" |
 *   null), landed (the last DMA's data reached its target: RAM for "write",
 *   edu for "read"; null when not observable), canary_intact (write
 *   probes: the buffer kept its canary), blocked (isolation probes, i.e.
 *   unmap_first and raw "write": !landed), kmsg_seq_before (sequence number
 *   of the first /dev/kmsg record that can belong to this probe: pass it as
 *   the "kmsg" command's "since"), driver (bound before the probe), group,
 *   group_type (the group's default domain type), steps[] (each DMA: phase
 *   round-trip|probe|verify, op ram->edu|edu->ram, src, dst, count,
 *   completed, ms), error (string | null), elapsed_ms.
 *   vfio adds bound_vfio (this probe bound vfio-pci), iommu_type, and with
 *   unmap_first, unmapped; raw adds phys. peer adds peer, peer_group,
 *   peer_group_type (blocked/landed/canary_intact are then the peer's DMA).
 *   irq adds irq_sent, irq_received, irq_delivered (every MSI arrived
 *   within 1 s), irq_worst_ms, irq_chip and irq_count (/proc/interrupts),
 *   irq_remapped (x86: the chip is IR-PCI-MSI; null elsewhere).
 */

#include <stdint.h>

enum { DMA_VFIO = 1, DMA_RAW = 2 };
enum {
	DMA_TO_DEVICE = 1,      /* "read": the device reads RAM */
	DMA_FROM_DEVICE = 2,    /* "write": the device writes RAM */
};

#define DMA_EDU_BUF_ADDR 0x40000u
#define DMA_EDU_BUF_SIZE 4096u
/* largest transfer every QEMU accepts: see 'size' above */
#define DMA_MAX_SIZE (DMA_EDU_BUF_SIZE - 1)
#define DMA_EDU_DEFAULT_MASK 0x0fffffffull
#define DMA_IOVA_ALIGN 4096u

struct dma_request {
	char device[16];
	int mode;               /* DMA_VFIO, DMA_RAW */
	int direction;          /* DMA_TO_DEVICE, DMA_FROM_DEVICE */
	uint64_t iova;          /* vfio only */
	uint32_t size;
	int unmap_first;
	int map;
	uint64_t dma_mask;
	char peer[16];          /* "" unless an isolation probe */
	int irq;
	int map_access;         /* DMA_ACCESS_RW, _READ, _WRITE: the mapping's */
	uint64_t address;       /* raw: explicit bus address; 0: a buffer's */
	int vfio_claim;         /* raw: VFIO owns the group, no IOMMU set */
};

enum { DMA_ACCESS_RW = 0, DMA_ACCESS_READ = 1, DMA_ACCESS_WRITE = 2 };

#endif
