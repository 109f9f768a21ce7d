/* SPDX-License-Identifier: MIT */
#include "recheck.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cleanup.h"
#include "evaluate.h"
#include "jsonval.h"
#include "perf.h"
#include "observation.h"
#include "verdict.h"

json_object *lab_recheck_load(const char *dir, char *base, size_t base_len,
			      struct lab_error *err)
{
	char path[PATH_MAX + 16];
	struct stat st;
	json_object *doc;

	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(path, sizeof(path), "%s/results.json", dir);
		snprintf(base, base_len, "%s", dir);
	} else {
		const char *slash = strrchr(dir, '/');

		snprintf(path, sizeof(path), "%s", dir);
		snprintf(base, base_len, "%.*s", slash ? (int)(slash - dir) : 1,
			 slash ? dir : ".");
	}
	doc = json_object_from_file(path);
	if (!doc || !lab_jsonval_arr(doc, "runs")) {
		lab_error_set(err, "%s: %s", path,
			      doc ? "not a results document (no runs)" : json_util_get_last_err());
		json_object_put(doc);
		return NULL;
	}
	return doc;
}

/* Distinct string values of runs[].key, NULL-terminated. */
static const char **distinct(json_object *stored, const char *key, size_t *n)
{
	json_object *runs = lab_jsonval_arr(stored, "runs");
	const char **out = calloc(lab_jsonval_len(runs) + 1, sizeof(*out));

	*n = 0;
	for (size_t i = 0; out && i < lab_jsonval_len(runs); i++) {
		const char *v = lab_jsonval_str(json_object_array_get_idx(runs, i), key);
		size_t j;

		for (j = 0; v && j < *n && strcmp(out[j], v); j++)
			;
		if (v && *v && j == *n)
			out[(*n)++] = v;
	}
	return out;
}

const char **lab_recheck_files(json_object *stored, size_t *n)
{
	return distinct(stored, "file", n);
}

const char **lab_recheck_qemus(json_object *stored, size_t *n)
{
	const char **q = distinct(stored, "qemu_build", n);

	if (*n == 1 && !strcmp(q[0], "system"))
		*n = 0;
	return q;
}

static const struct lab_run_spec *spec_named(const struct lab_matrix *m, const char *name)
{
	for (size_t i = 0; name && i < m->nruns; i++)
		if (!strcmp(m->runs[i].name, name))
			return &m->runs[i];
	return NULL;
}

/* The stored row's identity and timings: what evaluation does not decide. */
static json_object *base_row(json_object *stored_row)
{
	static const char *const keep[] = {
		"name", "matrix", "variant", "platform", "kernel", "kernel_version", "qemu_build",
		"qemu_version", "file", "line", "append", "qemu", "dir", "duration_s", "accel",
		"accel_reason", "timeline",
	};
	json_object *o = json_object_new_object();

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		json_object *v = lab_jsonval_get(stored_row, keep[i]);

		if (v)
			json_object_object_add(o, keep[i], json_object_get(v));
	}
	return o;
}

/* The run's outcome as its worker wrote it, or what the stored row keeps of
 * it (results from before run.json existed lack the kernel log). */
static json_object *outcome_of(json_object *stored_row, const char *base)
{
	char path[PATH_MAX * 2];
	const char *dir = lab_jsonval_str(stored_row, "dir");
	lab_autojson json_object *stored = NULL;
	json_object *o;

	if (dir && !strstr(dir, "..")) {
		snprintf(path, sizeof(path), "%s/%s/run.json", base, dir);
		stored = json_object_from_file(path);
	}
	if (json_object_is_type(stored, json_type_object)) {
		o = lab_steal(&stored);
		json_object *obs = lab_jsonval_obj(o, "observations");

		/* results from before the worker attributed faults itself:
		 * its observations hold none of the probes it ran */
		if (obs && lab_jsonval_len(lab_jsonval_arr(obs, "probes")) !=
			   lab_jsonval_len(lab_jsonval_arr(o, "probes")))
			lab_observation_attribute(obs, lab_jsonval_arr(o, "probes"),
						  lab_jsonval_arr(o, "kmsg"));
		return o;
	}
	o = json_object_new_object();
	json_object_object_add(o, "status", json_object_get(lab_jsonval_get(stored_row, "status")));
	json_object_object_add(o, "detail", json_object_get(lab_jsonval_get(stored_row, "reason")));
	json_object_object_add(o, "observations",
			       json_object_get(lab_jsonval_get(stored_row, "observations")));
	json_object_object_add(o, "console_tail",
			       json_object_get(lab_jsonval_get(stored_row, "console_tail")));
	return o;
}

static json_object *recheck_row(json_object *stored_row, json_object *host, const char *base,
				const struct lab_matrix *m)
{
	const char *name = lab_jsonval_str(stored_row, "name");
	const char *status = lab_jsonval_str(stored_row, "status");
	const struct lab_run_spec *spec = spec_named(m, name);
	struct lab_env env = { lab_jsonval_str(stored_row, "qemu_version"),
			       lab_jsonval_str(host, "libvirt"),
			       lab_jsonval_str(stored_row, "kernel_version"),
			       spec ? spec->platform : lab_jsonval_str(stored_row, "platform") };
	json_object *row = base_row(stored_row), *outcome;
	char why[512];

	if (!env.qemu)
		env.qemu = lab_jsonval_str(host, "qemu");   /* results from before the QEMU axis */
	if (!spec) {
		lab_evaluate_not_run(row, LAB_RUN_SKIPPED, LAB_VERDICT_SKIP,
				     "not in the scenario files given to recheck");
		return row;
	}
	if (lab_matrix_run_skipped(spec, env.qemu, env.libvirt, env.kernel, why, sizeof(why))) {
		lab_evaluate_not_run(row, LAB_RUN_SKIPPED, LAB_VERDICT_SKIP, why);
		return row;
	}
	if (lab_run_status_parse(status) == LAB_RUN_SKIPPED ||
	    lab_run_status_parse(status) == LAB_RUN_INTERRUPTED || !status) {
		snprintf(why, sizeof(why), "never booted (%s); recheck boots nothing",
			 lab_jsonval_str(stored_row, "reason") ? lab_jsonval_str(stored_row, "reason")
							       : "no outcome");
		lab_evaluate_not_run(row, LAB_RUN_SKIPPED, LAB_VERDICT_SKIP, why);
		return row;
	}
	outcome = outcome_of(stored_row, base);
	lab_evaluate_run(row, spec, &env, outcome, 0);
	json_object_put(outcome);
	return row;
}

json_object *lab_recheck_run(json_object *stored, const char *base, const struct lab_matrix *m,
			     const char *run_id, struct lab_error *err)
{
	json_object *runs = lab_jsonval_arr(stored, "runs"), *host = lab_jsonval_obj(stored, "host");
	json_object *out, *rows = json_object_new_array();
	time_t t0 = time(NULL);
	char started[32];

	if (!runs) {
		lab_error_set(err, "not a results document (no runs)");
		json_object_put(rows);
		return NULL;
	}
	for (size_t i = 0; i < lab_jsonval_len(runs); i++)
		json_object_array_add(rows, recheck_row(json_object_array_get_idx(runs, i), host,
							base, m));
	out = json_object_new_object();
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t0));
	json_object_object_add(out, "run_id", json_object_new_string(run_id));
	json_object_object_add(out, "started", json_object_new_string(started));
	json_object_object_add(out, "rechecked", json_object_new_string(base));
	json_object_object_add(out, "rechecked_run_id",
			       json_object_get(lab_jsonval_get(stored, "run_id")));
	json_object_object_add(out, "duration_s",
			       json_object_get(lab_jsonval_get(stored, "duration_s")));
	json_object_object_add(out, "host", json_object_get(host));
	json_object_object_add(out, "summary", lab_evaluate_summary(rows));
	json_object_object_add(out, "runs", rows);
	lab_perf_apply(out, m);     /* relations judged again, the perf section */
	return out;
}
