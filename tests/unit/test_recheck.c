/* SPDX-License-Identifier: MIT */
/* recheck: a stored run (a real intel guest's outcome, tests/data/recheck/
 * stored/) judged again against the scenario it ran with, an edited one and
 * one that now excludes it, booting nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "jsonval.h"
#include "matrix.h"
#include "recheck.h"

#define DATA "tests/data/recheck/"

static json_object *recheck(const char *scenario, struct lab_matrix **mp)
{
	struct lab_error err = { 0 };
	char base[4096];
	char *files[] = { (char *)scenario };
	json_object *stored = lab_recheck_load(DATA "stored", base, sizeof(base), &err);
	struct lab_matrix *m;
	json_object *out;

	if (!stored)
		fail_msg("%s", err.msg);
	m = lab_matrix_load(files, 1, "guests/platforms", &err);
	if (!m)
		fail_msg("%s", err.msg);
	out = lab_recheck_run(stored, base, m, "test", &err);
	assert_non_null(out);
	json_object_put(stored);
	*mp = m;
	return out;
}

static json_object *run0(json_object *results)
{
	return json_object_array_get_idx(lab_jsonval_arr(results, "runs"), 0);
}

/* The verdict of the first check whose name starts with key ("" if none). */
static const char *verdict_of(json_object *run, const char *key)
{
	json_object *checks = lab_jsonval_arr(run, "checks");

	for (size_t i = 0; i < lab_jsonval_len(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i);
		const char *name = lab_jsonval_str(c, "name");

		if (name && !strncmp(name, key, strlen(key)))
			return lab_jsonval_str(c, "verdict");
	}
	return "";
}

static void same_scenario_same_verdicts(void **state)
{
	struct lab_matrix *m;
	json_object *r = recheck(DATA "smoke.yaml", &m);

	(void)state;
	assert_string_equal(lab_jsonval_str(run0(r), "verdict"), "pass");
	assert_string_equal(verdict_of(run0(r), "status"), "pass");
	assert_string_equal(verdict_of(run0(r), "groups_min"), "pass");
	assert_string_equal(verdict_of(run0(r), "no_faults"), "pass");
	/* identity and timings are the stored run's */
	assert_string_equal(lab_jsonval_str(run0(r), "kernel_version"), "6.1.0-57-amd64");
	assert_string_equal(lab_jsonval_str(lab_jsonval_obj(r, "summary"), "verdict"), "pass");
	json_object_put(r);
	lab_matrix_free(m);
}

static void edited_expectations_are_judged_anew(void **state)
{
	struct lab_matrix *m;
	json_object *r = recheck(DATA "edited.yaml", &m);

	(void)state;
	/* the guest built DMA-FQ: the edited expectation fails */
	assert_string_equal(verdict_of(run0(r), "default_domain"), "fail");
	/* the new log expectation is judged against the stored kernel log */
	assert_string_equal(verdict_of(run0(r), "log_present"), "pass");
	assert_string_equal(lab_jsonval_str(run0(r), "verdict"), "fail");
	assert_string_equal(lab_jsonval_str(lab_jsonval_obj(r, "summary"), "verdict"), "fail");
	/* the stored folder has no never_ran run: recheck adds nothing */
	assert_int_equal(lab_jsonval_len(lab_jsonval_arr(r, "runs")), 1);
	json_object_put(r);
	lab_matrix_free(m);
}

static void excluded_now_is_a_skip_with_the_reason(void **state)
{
	struct lab_matrix *m;
	json_object *r = recheck(DATA "skipped.yaml", &m);

	(void)state;
	assert_string_equal(lab_jsonval_str(run0(r), "verdict"), "skip");
	assert_non_null(strstr(lab_jsonval_str(run0(r), "reason"), "needs qemu >= 99"));
	json_object_put(r);
	lab_matrix_free(m);
}

static void not_a_results_folder(void **state)
{
	struct lab_error err = { 0 };
	char base[4096];

	(void)state;
	assert_null(lab_recheck_load(DATA, base, sizeof(base), &err));
	assert_non_null(strstr(err.msg, "results.json"));
	lab_error_clear(&err);
	assert_null(lab_recheck_load(DATA "smoke.yaml", base, sizeof(base), &err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_scenario_same_verdicts),
		cmocka_unit_test(edited_expectations_are_judged_anew),
		cmocka_unit_test(excluded_now_is_a_skip_with_the_reason),
		cmocka_unit_test(not_a_results_folder),
	};

	return cmocka_run_group_tests_name("recheck", tests, NULL, NULL);
}
