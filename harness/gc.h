/* SPDX-License-Identifier: MIT */
#ifndef LAB_GC_H
#define LAB_GC_H

/*
 * What a lab that died (SIGKILL, a crash, a host reboot) leaves behind, and
 * only that (`iommu-lab gc`): its guests that outlived it, its per-run
 * storage volumes, the disk overlays of runs it had in flight, half-written
 * temporary files, its worker processes. Whose a thing is decides
 * (owner.h): a live lab's, another machine's and anything not the lab's
 * are left alone. Each step tells the caller what it found and did.
 */
#include <libvirt/libvirt.h>

#include "error.h"

struct lab_gc_opts {
	int dry_run;       /* say what would go, touch nothing */
	int volumes;       /* cas-* volumes too (a cache: kept by default) */
};

enum lab_gc_action {
	LAB_GC_REMOVED,    /* gone (or, dry run, would go) */
	LAB_GC_KEPT,       /* the lab's, but its owner lives or cannot be told */
	LAB_GC_FAILED,     /* should go, could not */
};

/* kind: "domain", "volume", "file", "worker"; where: a URI or a folder. */
typedef void (*lab_gc_say_fn)(enum lab_gc_action a, const char *kind, const char *where,
			      const char *name, const char *why, void *opaque);

struct lab_gc {
	const struct lab_gc_opts *o;
	lab_gc_say_fn say;
	void *opaque;
	unsigned removed, kept, failed;
};

/* Lab domains on conn (uri names it) whose owner is dead: destroyed. */
void lab_gc_domains(struct lab_gc *g, virConnectPtr conn, const char *uri);
/* run-* volumes (and cas-* with opts->volumes) of the lab's storage pool
 * (store.h, LAB_STORE_POOL) on conn, when it exists, whose owner is dead:
 * deleted. */
void lab_gc_volumes(struct lab_gc *g, virConnectPtr conn, const char *uri);
/* Under a results root (results/ID/RUN/): in the run folders of a dead
 * lab, the disk overlays of runs that never finished (no run.json; a
 * finished run that failed keeps its disks on purpose) and *.tmp files a
 * killed writer left (file.h). Results themselves are never touched. */
void lab_gc_files(struct lab_gc *g, const char *root);
/* `iommu-lab _guest` workers whose lab is gone: SIGTERM (they destroy
 * their guest), SIGKILL after 10 s. */
void lab_gc_workers(struct lab_gc *g);

#endif
