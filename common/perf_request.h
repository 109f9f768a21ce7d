/* SPDX-License-Identifier: MIT */
#ifndef LAB_PERF_REQUEST_H
#define LAB_PERF_REQUEST_H

/*
 * The "perf" command of the agent protocol (common/proto.h): what the
 * IOMMU costs, measured in the guest (guests/agent/perf.c), asked for by a
 * scenario's `mode: perf` probe (harness/scenario_probe.c, which checks the
 * same limits before anything boots). Latencies are CLOCK_MONOTONIC in the
 * guest, in microseconds, summarised by common/stats.h. Under TCG they
 * compare configurations with each other on one host; they are not
 * hardware numbers.
 *
 * Request ("perf" command arguments; unknown keys are rejected):
 *   measure     "vfio_map" | "edu_rtt" | "block_read" | "pgtable"
 *   device      "ssss:bb:dd.f" of the edu (vfio_map, edu_rtt, pgtable; the
 *               harness adds the test device)
 *   dma_mask    optional hex string, edu's mask (as the dma command's)
 *   sizes       vfio_map: byte counts, each a multiple of 4096 within
 *               PERF_SIZE_MIN..PERF_SIZE_MAX, at most PERF_SIZES_MAX;
 *               default 4 KiB, 64 KiB, 2 MiB and 16 MiB (16 MiB only
 *               while MemAvailable holds PERF_MEM_FACTOR times it)
 *   iterations  vfio_map (default 200: each size's map and unmap timed that
 *               often, fewer when a size has used PERF_SIZE_BUDGET_MS,
 *               never fewer than PERF_ITER_MIN) and edu_rtt (default 10)
 *   via         edu_rtt: "vfio" (the IOVA translated through a VFIO type1
 *               domain) | "raw" (no driver, a physical address: refused
 *               unless the device's group is identity or it has none)
 *   disk        block_read: "virtio" | "nvme" (the lab's disks, block.h)
 *   mib         block_read (default 16: read sequentially with O_DIRECT
 *               from the start of the disk) and pgtable (default 8: that
 *               many MiB VFIO-mapped as separate 4 KiB mappings, one per
 *               2 MiB of IOVA so each needs a leaf table of its own)
 *   block_kib   block_read: one read's size in KiB (default 4), a multiple
 *               of 4
 *
 * Result: {"mode": "perf", "measure", "device" (the edu, or the disk's
 *   PCI function), "stats": [{"metric": "map_us" | "unmap_us" | "rtt_us" |
 *   "read_us", "size": BYTES, "n", "median", "p90", "p99", "min", "max",
 *   "mean", "stddev"}], "ops": {"map", "unmap", "dma", "io"} (what the
 *   guest did; zero counts left out), "bytes" (vfio_map and pgtable: mapped
 *   by the timed calls, every iteration counted; edu_rtt: moved by the
 *   DMAs; block_read: read),
 *   "domain_type" (the device's group's type, null without a group),
 *   "kmsg_seq_before" (as the dma command's: faults after it are the
 *   probe's), "elapsed_ms"; and by measure:
 *   vfio_map:   "stale_reachable": after a round trip through a mapping and
 *               its unmap, an edu -> RAM DMA to the same IOVA still landed
 *               (a missing IOTLB invalidation; null when the check could
 *               not run), "iova", "skipped": [{"size", "why"}] (a default
 *               size memory did not allow)
 *   edu_rtt:    "via", "note" (edu's timer dominates: see below)
 *   block_read: "disk", "block_device", "throughput_mib_s"
 *   pgtable:    "sec_pagetables_kib": {"before", "after" (all mapped),
 *               "after_unmap", "counted" (SecPageTables grew with the
 *               mappings: the kernel accounts IOMMU page tables there)},
 *               "mappings", "iova_stride"; map_us/unmap_us stats of the
 *               4 KiB mappings
 *   "error": what failed, only when something did (stats then hold what
 *   was measured before).
 *
 * edu completes a transfer about 100 ms of virtual time after its command
 * (hw/misc/edu.c, a timer): an edu round trip measures that timer far more
 * than the IOMMU's translation (docs/NOTES.md, "The edu test device").
 */

#define PERF_ITER_MAX       10000
#define PERF_RTT_ITER_MAX   100
#define PERF_SIZES_MAX      8
#define PERF_SIZE_MIN       4096ull
#define PERF_SIZE_MAX       (256ull << 20)
#define PERF_MIB_MAX        64
#define PERF_BLOCK_KIB_MAX  1024
#define PERF_ITER_MIN       5
#define PERF_SIZE_BUDGET_MS 5000
#define PERF_MEM_FACTOR     4

#endif
