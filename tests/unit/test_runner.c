/* SPDX-License-Identifier: MIT */
/* The runner's stall decision: console and agent both silent for the
 * window, whichever spoke last; a window of 0 never stalls. (The run itself
 * needs a guest: tests/integration/run.sh.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "runner.h"

static void silence_shorter_than_the_window_is_not_a_stall(void **state)
{
	(void)state;
	assert_false(lab_runner_stalled(100.0, 100.0, 100.0, 0.0, 30));
	assert_false(lab_runner_stalled(129.9, 100.0, 100.0, 0.0, 30));
}

static void both_silent_for_the_window_is_a_stall(void **state)
{
	(void)state;
	assert_true(lab_runner_stalled(130.0, 100.0, 100.0, 0.0, 30));
	assert_true(lab_runner_stalled(500.0, 100.0, 90.0, 0.0, 30));
}

static void either_voice_keeps_the_run_alive(void **state)
{
	(void)state;
	/* the console went quiet long ago, the agent's heartbeat goes on */
	assert_false(lab_runner_stalled(200.0, 10.0, 195.0, 0.0, 30));
	/* the agent never spoke (still booting), the console scrolls */
	assert_false(lab_runner_stalled(200.0, 199.0, 0.0, 0.0, 30));
	assert_true(lab_runner_stalled(240.0, 199.0, 0.0, 0.0, 30));
}

/* a guest starved of host CPU says nothing for a while, but its vCPUs run */
static void working_vcpus_are_no_stall(void **state)
{
	(void)state;
	assert_false(lab_runner_stalled(200.0, 100.0, 100.0, 190.0, 30));
	assert_true(lab_runner_stalled(221.0, 100.0, 100.0, 190.0, 30));
	/* a fifth of a CPU is work; an idle TCG guest's few per cent are not */
	assert_true(lab_runner_cpu_busy(400000000ULL, 2.0));
	assert_false(lab_runner_cpu_busy(100000000ULL, 2.0));
	assert_false(lab_runner_cpu_busy(0, 2.0));
	assert_false(lab_runner_cpu_busy(1000000000ULL, 0.0));
}

static void a_zero_window_never_stalls(void **state)
{
	(void)state;
	assert_false(lab_runner_stalled(1e6, 0.0, 0.0, 0.0, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(silence_shorter_than_the_window_is_not_a_stall),
		cmocka_unit_test(both_silent_for_the_window_is_a_stall),
		cmocka_unit_test(either_voice_keeps_the_run_alive),
		cmocka_unit_test(working_vcpus_are_no_stall),
		cmocka_unit_test(a_zero_window_never_stalls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
