/* SPDX-License-Identifier: MIT */
#ifndef LAB_COMPARE_H
#define LAB_COMPARE_H

/*
 * The comparator: one verdict per check, one per run.
 *   pass   the expectation held            fail   it did not
 *   xfail  it did not, as a known bug says  xpass  a known bug did not show
 *   skip   no expectation applies here      error  could not be evaluated
 * A run's verdict: error if any check errs, fail if any fails or passes
 * unexpectedly, else pass. The invocation exits 0 only when no run failed
 * or erred.
 */
#include <json.h>

#include "matrix.h"

struct lab_env {
	const char *qemu;       /* "7.2.0" */
	const char *libvirt;    /* "9.0.0" */
	const char *kernel;     /* the guest kernel release: "6.1.0-56-amd64" */
};

/*
 * Evaluate spec's expectations (plus the implicit status: ok and
 * no_faults: true) against what the run produced: status is the runner's
 * ("ok", "panic", ...), observations may be NULL when the guest never
 * answered, kmsg is the array of kernel log records ({"msg": ...}) or NULL,
 * faults the array of fault records parsed from it.
 * Returns {"checks": [...], "verdict": "..."}.
 */
json_object *lab_compare_run(const struct lab_run_spec *spec, const struct lab_env *env,
			     const char *status, json_object *observations, json_object *kmsg,
			     json_object *faults);

/* Worst of two run verdicts (pass < skip < xfail... : see compare.c). */
const char *lab_compare_worse(const char *a, const char *b);

#endif
