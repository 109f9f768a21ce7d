/* SPDX-License-Identifier: MIT */
#ifndef LAB_PATHS_H
#define LAB_PATHS_H

#include <stddef.h>

#include "error.h"

/*
 * Where the lab finds its data. The root is the checkout the command was
 * built in (build/iommu-lab -> ..), or $LAB_ROOT. Each folder can be moved
 * with its own variable: $LAB_IMAGES, $LAB_PLATFORMS, $LAB_RESULTS.
 * Returned strings are owned by this module and live until exit.
 */
const char *lab_paths_root(void);
const char *lab_paths_images(void);     /* images/cache */
const char *lab_paths_disks(void);      /* images/cache/disk: libguestfs images */
const char *lab_paths_platforms(void);  /* guests/platforms */
const char *lab_paths_results(void);    /* results */

/* A new invocation's id: "20261125-121500-4242" (time and pid). */
void lab_paths_new_id(char *id, size_t id_len);

/* A new invocation's id ("20261125-121500-4242") and its results folder:
 * override if given, else results/<id>; created. 0, or -1 with err set. */
int lab_paths_new_results(const char *override, char *id, size_t id_len, char *dir,
			  size_t dir_len, struct lab_error *err);

/* A short id for files a user hands the lab (a kernel, a QEMU): 12 hex
 * digits from each file's real path, size and modification time, so a
 * rebuilt file gets a new id. */
int lab_paths_file_id(const char *const *files, size_t n, char *buf, size_t len,
		      struct lab_error *err);

#endif
