/* SPDX-License-Identifier: MIT */
#ifndef LAB_COMPARE_H
#define LAB_COMPARE_H

/*
 * The comparator: one verdict per check, one per run (the verdicts and how
 * a run's follows from its checks': harness/verdict.h). The invocation
 * exits 0 only when no run failed or erred.
 */
#include <json.h>

#include "matrix.h"
#include "verdict.h"

struct lab_env {
	const char *qemu;       /* "7.2.0" */
	const char *libvirt;    /* "9.0.0" */
	const char *kernel;     /* the guest kernel release: "6.1.0-56-amd64" */
	const char *platform;   /* the run's platform: "intel" */
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

#endif
