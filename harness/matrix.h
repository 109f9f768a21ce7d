/* SPDX-License-Identifier: MIT */
#ifndef LAB_MATRIX_H
#define LAB_MATRIX_H

/*
 * Expanding scenario files into runs: platforms x kernels x QEMUs x
 * variants, each run named kselftest-style "matrix.variant@kernel" (with
 * ".platform" after the matrix when a file has several platforms, and
 * "+qemu-NAME" after the kernel when the matrix has a QEMU axis: several
 * QEMUs, or one that is not the system's).
 */
#include <json.h>

#include "error.h"
#include "scenario.h"

struct lab_run_spec {
	char *name;
	const char *matrix, *variant, *platform, *suite;  /* borrowed */
	const char *qemu_build;    /* system, bookworm, backports or a QEMU's path
				      (harness/qemu.h); borrowed */
	const char *qemu_name;     /* how runs name it: the suite, or custom-ID */
	const char *kernel_path;   /* a custom kernel's image (suite "custom-ID"), or NULL */
	const char *modules_path;  /* its INSTALL_MOD_PATH tree, or NULL */
	char *append;              /* matrix's arguments, then the variant's */
	json_object *qemu;         /* matrix's options, overridden by the variant's */
	json_object *machine;      /* machine options, merged the same way */
	const char *when, *skip;   /* the variant's */
	json_object *probes;       /* the variant's DMA probes (borrowed), or NULL */
	json_object *topology;     /* the variant's PCI topology (borrowed), or NULL */
	const struct lab_expect **expects;   /* merged: the variant's win by key */
	size_t nexpects;
	unsigned timeout_s, memory_mib;      /* 0: the command's default */
	const char *file;
	int line;
	size_t index;              /* its place in the matrix before --shard cut it */
};

struct lab_matrix {
	char *kernel_suite;        /* set by lab_matrix_set_kernel() */
	char **qemu_names;         /* set by lab_matrix_set_qemus() */
	size_t nqemu_names;
	struct lab_scenario **scenarios;
	size_t nscenarios;
	struct lab_run_spec *runs;
	size_t nruns;
	json_object *topology;     /* ad-hoc runs' PCI topology (run --topology), or
				      NULL; owned: the runs borrow it */
	unsigned shard_k, shard_n; /* set by lab_matrix_shard(), else 0 */
	json_object *all_names;    /* the run names before the shard was cut, or NULL */
};

/* Load every file and expand; duplicate run names across files are an error. */
struct lab_matrix *lab_matrix_load(char *const *files, size_t nfiles, const char *platforms_dir,
				   struct lab_error *err);
/*
 * Put every run on one kernel instead of the files' kernel axis: a suite
 * (bookworm, backports) or a kernel the user built (kernel_path, with
 * modules_path its INSTALL_MOD_PATH tree or NULL), which becomes the suite
 * "custom-ID" (ID from the files' paths, sizes and times). Runs that
 * differed only by kernel become one. The paths are borrowed.
 */
int lab_matrix_set_kernel(struct lab_matrix *m, const char *suite, const char *kernel_path,
			  const char *modules_path, struct lab_error *err);
/* The suite name a custom kernel gets ("custom-<12 hex>"), into buf. */
int lab_matrix_custom_suite(const char *kernel_path, const char *modules_path, char *buf,
			    size_t len, struct lab_error *err);

/*
 * Put every run on these QEMUs instead of the files' QEMU axis: names
 * (system, bookworm, backports) or paths of qemu-system-ARCH binaries
 * (named custom-ID, ID from the file's path, size and time). Runs that
 * differed only by QEMU become one per given QEMU. specs are borrowed.
 */
int lab_matrix_set_qemus(struct lab_matrix *m, const char *const *specs, size_t n,
			 struct lab_error *err);

/* Is the run skipped before anything boots, by what its file says? Its
 * `skip:`, or a `when:` that does not hold for the run's own QEMU version,
 * the host's libvirt and the guest kernel. 1 with why filled, or 0. */
int lab_matrix_run_skipped(const struct lab_run_spec *r, const char *qemu, const char *libvirt,
			   const char *kernel, char *why, size_t len);

/* Keep only the runs whose name matches the POSIX extended regex. */
int lab_matrix_filter(struct lab_matrix *m, const char *regex, struct lab_error *err);
/* Keep only shard k of n (1-based): runs i with i % n == k - 1. The matrix
 * remembers what it was cut from (lab_matrix_identity). */
void lab_matrix_shard(struct lab_matrix *m, unsigned k, unsigned n);

/*
 * What a results folder records of its matrix, for `report merge` to tell
 * shards of one matrix from anything else:
 * {"runs_total": N, "run_names": [every run's name, in matrix order],
 *  "shard": "K/N" or null}. A run's place in that list is
 * lab_matrix_index().
 */
json_object *lab_matrix_identity(const struct lab_matrix *m);
size_t lab_matrix_index(const struct lab_matrix *m, size_t i);
void lab_matrix_free(struct lab_matrix *m);

#endif
