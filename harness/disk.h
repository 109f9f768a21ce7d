/* SPDX-License-Identifier: MIT */
#ifndef LAB_DISK_H
#define LAB_DISK_H

/*
 * Disk images for block-device DMA through the emulated IOMMU, made with
 * libguestfs's C API (its appliance runs under QEMU here: the direct backend
 * with TCG, unless LIBGUESTFS_BACKEND says otherwise).
 *
 * The base image (qcow2, LAB_DISK_SIZE) holds one ext4 filesystem on the
 * whole device, labelled LAB_DISK_LABEL, no partition table:
 *   /data.bin     LAB_DISK_DATA_SIZE deterministic pseudo-random bytes
 *   /data.sha256  their SHA-256 (guestfs_checksum) as 64 hex digits + "\n"
 *   /journal/     empty; the agent appends LAB_DISK_JOURNAL_FILE there
 * Every run gets qcow2 overlays of it (lab_disk_overlay): nothing writable
 * is shared. The guest finds each disk by its serial (guests/agent/block.h).
 */
#include "domain.h"
#include "error.h"

#define LAB_DISK_VERSION      1             /* bump when the content changes */
#define LAB_DISK_SIZE         (64LL << 20)
#define LAB_DISK_DATA_SIZE    (2 << 20)
#define LAB_DISK_LABEL        "iommulab"
#define LAB_DISK_JOURNAL_FILE "/journal/agent.log"
#define LAB_DISK_JOURNAL_MAX  (256 << 10)   /* lab_disk_journal returns the tail */
#define LAB_DISK_QEMU_USER    "libvirt-qemu" /* qemu.conf's default user */

/* The base image under cache_dir (created if missing), built once:
 * cache_dir/iommulab-base-vVERSION-DIGEST.qcow2, DIGEST covering what goes
 * in, so a change makes a new name. Built under a temporary name and
 * renamed, so a killed build never leaves a file that looks done.
 * *path_out (absolute, caller frees) is set on success. */
int lab_disk_base(const char *cache_dir, char **path_out, struct lab_error *err);

/* A qcow2 overlay at path backed by base (absolute; qcow2), for one run. */
int lab_disk_overlay(const char *base, const char *path, struct lab_error *err);

/* The journal's text from an image (an overlay a guest wrote), opened
 * read-only: the last LAB_DISK_JOURNAL_MAX bytes, "" when the agent never
 * wrote one. For after a guest panic. *text_out: caller frees. */
int lab_disk_journal(const char *image, char **text_out, struct lab_error *err);

/*
 * A run's disks: overlays of the base in the run's folder, attached as
 * virtio-blk and NVMe (the block probes read through them) and a journal
 * disk (virtio, past the IOMMU, so it survives a test that breaks
 * translation) the agent writes as it goes.
 */
enum { LAB_DISK_VIRTIO, LAB_DISK_NVME, LAB_DISK_JOURNAL, LAB_DISK_SET_N };

struct lab_disk_set {
	char *paths[LAB_DISK_SET_N];
	struct lab_domain_disk disks[LAB_DISK_SET_N];
	size_t n;
};

/* The base under cache_dir (built on first use), then dir/disk-*.qcow2. */
int lab_disk_set_make(const char *cache_dir, const char *dir, struct lab_disk_set *s,
		      struct lab_error *err);
/* A disk's short name (virtio, nvme, journal: dir/disk-NAME.qcow2). */
const char *lab_disk_set_name(size_t i);
/* Put disk i of the set at path (taken over; freed by clear), in order. */
void lab_disk_set_add(struct lab_disk_set *s, size_t i, char *path);
/* The journal disk's image, or NULL when the set is empty. */
const char *lab_disk_set_journal(const struct lab_disk_set *s);
/* Forget the set; keep_files = 0 also removes the overlays. */
void lab_disk_set_clear(struct lab_disk_set *s, int keep_files);

#endif
