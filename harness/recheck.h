/* SPDX-License-Identifier: MIT */
#ifndef LAB_RECHECK_H
#define LAB_RECHECK_H

/*
 * Re-judging a results folder without booting anything: each stored run's
 * outcome (its folder's run.json, as the worker wrote it) evaluated again
 * against the runs of a matrix loaded from (possibly edited) scenario
 * files. The loop for writing expectations: run once, then recheck as the
 * expectations change.
 */
#include <json.h>

#include "error.h"
#include "matrix.h"

/* The stored results.json of dir (a results folder, or the file itself);
 * *base gets the folder the runs' "dir" members are relative to. */
json_object *lab_recheck_load(const char *dir, char *base, size_t base_len,
			      struct lab_error *err);

/* The scenario files the stored runs came from (runs[].file), distinct, in
 * order: a NULL-terminated array of borrowed strings (free the array). */
const char **lab_recheck_files(json_object *stored, size_t *n);

/* The QEMU builds the stored runs used (runs[].qemu_build), distinct,
 * NULL-terminated, borrowed: for lab_matrix_set_qemus when a stored matrix
 * ran on a QEMU axis. *n is 0 when every run used the system's. */
const char **lab_recheck_qemus(json_object *stored, size_t *n);

/*
 * A new results document: stored's runs judged against m's specs of the
 * same name. A run m lacks, or one that never booted, is a skip saying so;
 * a run whose `when`/`skip` now excludes it is a skip with that reason.
 * run_id is the new document's id; "rechecked" names base.
 */
json_object *lab_recheck_run(json_object *stored, const char *base, const struct lab_matrix *m,
			     const char *run_id, struct lab_error *err);

#endif
