/* SPDX-License-Identifier: MIT */
#ifndef AGENT_BLOCK_H
#define AGENT_BLOCK_H

/*
 * Block-device DMA through the IOMMU, and the agent's journal on disk.
 * Both ends use this header, as proto.h: the harness attaches disks with
 * these serials (harness/domain.h, harness/disk.h), the agent finds them by
 * serial (virtio-blk: /sys/block/vdX/serial; NVMe: the controller's serial).
 *
 * Command "block" {"disk": "virtio" | "nvme"}: mount the disk with the
 * serial LAB_BLOCK_SERIAL_<DISK> read-only (ext4, whole device), hash
 * /data.bin with busybox's sha256sum and compare with /data.sha256, unmount.
 * Reply: {"disk", "device": "/dev/vda", "driver": "virtio_blk" | "nvme",
 *         "pci": "0000:00:12.0", "iommu_group": N | null,
 *         "domain_type": "DMA" | "identity" | ... | null,
 *         "access_platform": bool (virtio: VIRTIO_F_ACCESS_PLATFORM, the
 *         device DMAs through the IOMMU) | null (NVMe), "bytes": N,
 *         "sha256": hex, "expected": hex, "match": bool, "ms": N}
 * or an error naming what is missing (the disk, a module, the file).
 *
 * The journal: when a disk with the serial LAB_BLOCK_SERIAL_JOURNAL is
 * present, the agent mounts it read-write and appends a line per command,
 * "<monotonic ms> <command> started" before it runs and
 * "<monotonic ms> <command> <short result>" after, each fsync'ed, to
 * /journal/agent.log (harness/disk.h: LAB_DISK_JOURNAL_FILE), so the
 * harness can read what the guest did after a panic (lab_disk_journal).
 * A helper process does the writing and acknowledges each line once it is
 * on disk; the agent waits for that at most 1 s, so a line is durable before
 * the command runs and before its reply leaves, while a disk that stalls
 * (DMA the test broke) can never hold the agent up for longer: after one
 * such timeout it stops waiting until the writer catches up, and lines the
 * pipe has no room for are dropped and counted. No journal disk: no
 * journal, silently.
 */
#include <json.h>

#include "error.h"

#define LAB_BLOCK_SERIAL_VIRTIO  "iommulab-virtio"
#define LAB_BLOCK_SERIAL_NVME    "iommulab-nvme"
#define LAB_BLOCK_SERIAL_JOURNAL "iommulab-journal"

/* The reply, or NULL with err set (bad arguments, or what is missing). */
json_object *block_probe(json_object *args, struct lab_error *err);

/* The block device of disk ("virtio" | "nvme": the disk with that serial
 * above), waited for a moment as block_probe waits for a hot-plugged one:
 * its name in /sys/block ("vda", "nvme0n1") into name, its PCI function
 * into pci ("" when its sysfs path shows none). 0, or -1 with err set
 * (an unknown disk, or none with that serial). The perf command's block
 * reads (perf.h) find their disk so. */
int block_find(const char *disk, char *name, size_t len, char pci[16], struct lab_error *err);

/* Mount the journal disk if there is one (retried by block_journal_note
 * for a while: an NVMe or slow disk may appear after the agent starts). */
void block_journal_open(void);
/* One journal line: command and a short result (at most ~100 characters
 * are kept; newlines become spaces). */
void block_journal_note(const char *command, const char *result);
/* The short result of a command's reply for the journal: "ok", "match",
 * "MISMATCH" or "error: ..." (a static buffer). */
const char *block_journal_result(json_object *ret, const char *err);
/* Let the writer finish (bounded wait), unmount: before power-off. */
void block_journal_close(void);

#endif
