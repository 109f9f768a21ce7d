/* SPDX-License-Identifier: MIT */
#ifndef LAB_MATRIX_H
#define LAB_MATRIX_H

/*
 * Expanding scenario files into runs: platforms x kernels x variants, each
 * run named kselftest-style "matrix.variant@kernel" (with ".platform" after
 * the matrix when a file has several platforms).
 */
#include <json.h>

#include "error.h"
#include "scenario.h"

struct lab_run_spec {
	char *name;
	const char *matrix, *variant, *platform, *suite;  /* borrowed */
	char *append;              /* matrix's arguments, then the variant's */
	json_object *qemu;         /* matrix's options, overridden by the variant's */
	const char *when, *skip;   /* the variant's */
	json_object *probes;       /* the variant's DMA probes (borrowed), or NULL */
	const struct lab_expect **expects;   /* merged: the variant's win by key */
	size_t nexpects;
	unsigned timeout_s, memory_mib;      /* 0: the command's default */
	const char *file;
	int line;
};

struct lab_matrix {
	struct lab_scenario **scenarios;
	size_t nscenarios;
	struct lab_run_spec *runs;
	size_t nruns;
};

/* Load every file and expand; duplicate run names across files are an error. */
struct lab_matrix *lab_matrix_load(char *const *files, size_t nfiles, const char *platforms_dir,
				   struct lab_error *err);
/* Keep only the runs whose name matches the POSIX extended regex. */
int lab_matrix_filter(struct lab_matrix *m, const char *regex, struct lab_error *err);
/* Keep only shard k of n (1-based): runs i with i % n == k - 1. */
void lab_matrix_shard(struct lab_matrix *m, unsigned k, unsigned n);
void lab_matrix_free(struct lab_matrix *m);

#endif
