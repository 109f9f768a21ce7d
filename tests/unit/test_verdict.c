/* SPDX-License-Identifier: MIT */
/* The verdict and run-status vocabulary: names both ways, order, and how a
 * run's verdict follows from its worst check's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "verdict.h"

static void names_round_trip(void **state)
{
	(void)state;
	for (int v = 0; v < LAB_VERDICT_COUNT; v++)
		assert_int_equal(lab_verdict_parse(lab_verdict_name(v)), v);
	for (int s = 0; s < LAB_RUN_STATUS_COUNT; s++)
		assert_int_equal(lab_run_status_parse(lab_run_status_name(s)), s);
	assert_int_equal(lab_verdict_parse("maybe"), LAB_VERDICT_ERROR);
	assert_int_equal(lab_verdict_parse(NULL), LAB_VERDICT_ERROR);
	assert_int_equal(lab_run_status_parse("zombie"), -1);
	assert_string_equal(lab_run_status_name(LAB_RUN_SKIPPED), "skipped");
}

static void runs_follow_their_worst_check(void **state)
{
	(void)state;
	assert_int_equal(lab_verdict_worse(LAB_VERDICT_PASS, LAB_VERDICT_XFAIL), LAB_VERDICT_XFAIL);
	assert_int_equal(lab_verdict_worse(LAB_VERDICT_ERROR, LAB_VERDICT_FAIL), LAB_VERDICT_ERROR);
	/* known bugs and skips do not fail a run; a known bug gone does */
	assert_int_equal(lab_verdict_of_run(LAB_VERDICT_XFAIL), LAB_VERDICT_PASS);
	assert_int_equal(lab_verdict_of_run(LAB_VERDICT_SKIP), LAB_VERDICT_PASS);
	assert_int_equal(lab_verdict_of_run(LAB_VERDICT_XPASS), LAB_VERDICT_FAIL);
	assert_int_equal(lab_verdict_of_run(LAB_VERDICT_ERROR), LAB_VERDICT_ERROR);
}

static void what_a_scenario_can_expect(void **state)
{
	(void)state;
	assert_true(lab_run_status_expectable(LAB_RUN_OK));
	assert_true(lab_run_status_expectable(LAB_RUN_PANIC));
	assert_true(lab_run_status_expectable(LAB_RUN_TIMEOUT));
	assert_true(lab_run_status_expectable(LAB_RUN_CRASHED));
	assert_false(lab_run_status_expectable(LAB_RUN_ERROR));
	assert_false(lab_run_status_expectable(LAB_RUN_SKIPPED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test(runs_follow_their_worst_check),
		cmocka_unit_test(what_a_scenario_can_expect),
	};

	return cmocka_run_group_tests_name("verdict", tests, NULL, NULL);
}
