/* SPDX-License-Identifier: MIT */
#ifndef LAB_STORE_H
#define LAB_STORE_H

/*
 * What a guest needs, on a libvirt host that does not share the lab
 * machine's files, through libvirt's storage API only (the connection is
 * all there is: qemu+ssh://, qemu+tcp://, ...).
 *
 * The lab owns one storage pool per host, LAB_STORE_POOL (type dir, at the
 * host's pool_dir; defined, built and started when missing). In it:
 *   cas-<first 24 hex of the content's SHA-256>-<basename>
 *       an artefact (kernel, initramfs, firmware, the block probes' base
 *       disk), uploaded once per content with virStorageVolUpload and
 *       found again by name and size afterwards;
 *   run-<lab machine's hostname>-<pid of the top-level iommu-lab>-<run>-<disk>
 *       a run's qcow2 overlay (backing store: the base's volume), created
 *       by the worker, deleted after a run that went well, kept otherwise.
 * `iommu-lab gc` tells a live owner from a dead one by that pid.
 */
#include <sys/types.h>

#include <libvirt/libvirt.h>

#include "disk.h"
#include "error.h"

#define LAB_STORE_POOL "iommulab"

struct lab_store {
	virConnectPtr conn;          /* borrowed */
	virStoragePoolPtr pool;
	long qemu_uid, qemu_gid;     /* whom the host's QEMU runs as (its DAC
					baselabel), -1 unknown: the owner of
					the run's overlays (domain.c sets
					relabel='no') */
};

/* A run's artefacts as volume paths on its host (the worker spec carries
 * them): what the domain XML names instead of the lab machine's paths. */
struct lab_store_run {
	const char *kernel, *initrd;
	const char *firmware;        /* or NULL */
	const char *disk_base;       /* or NULL: the run has no disks */
	const char *local_base;      /* the same base on the lab machine (the
					journal read back is rebased onto it) */
	const char *prefix;          /* run-HOST-PID-RUN: its volumes' names */
};

/* The lab's pool on conn: looked up, else defined at dir, built, started. */
int lab_store_open(virConnectPtr conn, const char *dir, struct lab_store *st,
		   struct lab_error *err);
void lab_store_close(struct lab_store *st);

/* The volume name of a file's content: cas-HASH-BASENAME (the file is read). */
int lab_store_cas_name(const char *file, char *name, size_t len, struct lab_error *err);
/* Make sure the pool holds file's content; its volume's path into path.
 * *sent: bytes uploaded (0 when the volume was there with the right size). */
int lab_store_put(struct lab_store *st, const char *file, char *path, size_t len,
		  long long *sent, struct lab_error *err);

/* The prefix of a run's volumes: run-HOST-PID-RUN, every character outside
 * [A-Za-z0-9._] of the host and run names made '_'. */
/* A machine's name as run volume names carry it (every character outside
 * [A-Za-z0-9._] made '_'): what gc compares them with. */
void lab_store_run_host(char *out, size_t len, const char *hostname);
void lab_store_run_prefix(char *out, size_t len, const char *hostname, pid_t pid,
			  const char *run);

/* A run's disk set (disk.h) as qcow2 overlay volumes PREFIX-<disk> of
 * r->disk_base. Clear with lab_store_disk_set_clear. */
int lab_store_disk_set_make(struct lab_store *st, const struct lab_store_run *r,
			    struct lab_disk_set *s, struct lab_error *err);
/* Forget the set; keep = 0 also deletes its volumes. */
void lab_store_disk_set_clear(struct lab_store *st, struct lab_disk_set *s, int keep);
/* A volume (by its path in the pool) downloaded to a local file. */
int lab_store_download(struct lab_store *st, const char *volpath, const char *file,
		       struct lab_error *err);
/* An overlay volume (a journal disk) downloaded to file and rebased onto
 * local_base (qemu-img rebase -u), so libguestfs can open it here. */
int lab_store_fetch_overlay(struct lab_store *st, const char *volpath, const char *local_base,
			    const char *file, struct lab_error *err);

#endif
