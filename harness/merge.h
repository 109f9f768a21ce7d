/* SPDX-License-Identifier: MIT */
#ifndef LAB_MERGE_H
#define LAB_MERGE_H

/*
 * Joining shards: the results of `run --shard K/N` on several machines (or
 * several CI jobs) into one results document, as if one invocation had run
 * the whole matrix. Each shard's results.json records its matrix (every run
 * name before the shard was cut, lab_matrix_identity) and each run's place
 * in it (`index`); shards of one matrix record the same names. Refused: a
 * shard of another matrix, a run found in two shards, a results.json that
 * records no matrix, a shard the lab did not finish (unless allowed). Runs
 * of the matrix that no shard holds are listed as missing and make the
 * merged verdict an error: a lost shard never passes for a green night.
 */
#include <stddef.h>
#include <json.h>

#include "error.h"

struct lab_merge_input {
	const char *dir;           /* the shard's results folder (for messages, and run dirs) */
	json_object *results;      /* its results.json (borrowed) */
};

/*
 * The merged document: runs in matrix order with `dir` rewritten relative
 * to out_dir (where the merged reports go), a summary over them, `merged`
 * (the shards, the missing runs). allow_incomplete: take what a shard that
 * did not finish holds (`complete: false`) instead of refusing it.
 */
json_object *lab_merge_results(const struct lab_merge_input *in, size_t n, const char *out_dir,
			       const char *run_id, int allow_incomplete, struct lab_error *err);

#endif
