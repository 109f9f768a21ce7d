/* SPDX-License-Identifier: MIT */
#include "evaluate.h"

#include <stdint.h>
#include <string.h>

#include "jsonval.h"
#include "perf.h"
#include "verdict.h"

static void set_str(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v ? v : ""));
}

void lab_evaluate_run(json_object *row, const struct lab_run_spec *spec, const struct lab_env *env,
		      json_object *outcome, int adhoc)
{
	const char *status = lab_jsonval_str(outcome, "status");
	json_object *obs = lab_jsonval_obj(outcome, "observations");

	if (lab_run_status_parse(status) < 0)      /* a worker that said nothing sane */
		status = lab_run_status_name(LAB_RUN_ERROR);
	set_str(row, "status", status);
	set_str(row, "reason", lab_jsonval_str(outcome, "detail"));
	if (strcmp(status, "ok"))
		json_object_object_add(row, "console_tail",
				       json_object_get(lab_jsonval_get(outcome, "console_tail")));
	/* what the agent journaled to its disk before the guest died */
	if (lab_jsonval_get(outcome, "journal"))
		json_object_object_add(row, "journal",
				       json_object_get(lab_jsonval_get(outcome, "journal")));
	if (adhoc) {
		set_str(row, "verdict", lab_verdict_name(!strcmp(status, "ok") ? LAB_VERDICT_PASS
										 : LAB_VERDICT_ERROR));
		json_object_object_add(row, "checks", json_object_new_array());
	} else {
		json_object *cmp = lab_compare_run(spec, env, status, obs,
						   lab_jsonval_arr(outcome, "kmsg"),
						   lab_jsonval_arr(obs, "faults"));

		json_object *checks = lab_jsonval_get(cmp, "checks");
		enum lab_verdict v = lab_verdict_parse(lab_jsonval_str(cmp, "verdict"));

		/* a measured run's trace counts are checks too (perf.h) */
		if (obs && !strcmp(status, "ok") && lab_perf_run_checks(obs, checks) == LAB_VERDICT_FAIL)
			v = lab_verdict_worse(v, LAB_VERDICT_FAIL);
		json_object_object_add(row, "verdict", json_object_new_string(lab_verdict_name(v)));
		json_object_object_add(row, "checks", json_object_get(checks));
		json_object_put(cmp);
	}
	json_object_object_add(row, "observations", json_object_get(obs));
}

void lab_evaluate_not_run(json_object *row, enum lab_run_status status, enum lab_verdict verdict,
			  const char *reason)
{
	set_str(row, "status", lab_run_status_name(status));
	set_str(row, "verdict", lab_verdict_name(verdict));
	set_str(row, "reason", reason);
	json_object_object_add(row, "checks", json_object_new_array());
	json_object_object_add(row, "observations", NULL);
}

json_object *lab_evaluate_summary(json_object *rows)
{
	json_object *s = json_object_new_object(), *rv = json_object_new_object();
	int64_t counts[LAB_VERDICT_COUNT] = { 0 }, runs[LAB_VERDICT_COUNT] = { 0 };
	size_t checks = 0, n = lab_jsonval_len(rows);
	enum lab_verdict overall = LAB_VERDICT_PASS;

	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(rows, i);
		json_object *cs = lab_jsonval_arr(r, "checks");
		enum lab_verdict v = lab_verdict_parse(lab_jsonval_str(r, "verdict"));

		runs[v]++;
		for (size_t j = 0; j < lab_jsonval_len(cs); j++, checks++)
			counts[lab_verdict_parse(lab_jsonval_str(json_object_array_get_idx(cs, j),
								 "verdict"))]++;
		/* runs are pass, skip, fail or error: the worst is the invocation's */
		overall = lab_verdict_worse(overall, v == LAB_VERDICT_SKIP ? LAB_VERDICT_PASS : v);
	}
	json_object_object_add(s, "runs", json_object_new_int64((int64_t)n));
	json_object_object_add(s, "checks", json_object_new_int64((int64_t)checks));
	for (int k = 0; k < LAB_VERDICT_COUNT; k++) {
		json_object_object_add(s, lab_verdict_name(k), json_object_new_int64(counts[k]));
		json_object_object_add(rv, lab_verdict_name(k), json_object_new_int64(runs[k]));
	}
	json_object_object_add(s, "run_verdicts", rv);
	json_object_object_add(s, "verdict", json_object_new_string(lab_verdict_name(overall)));
	return s;
}
