/* SPDX-License-Identifier: MIT */
/* The monotonic clock both ends share (common/clock.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "clock.h"

static void the_clock_moves_forward(void **state)
{
	double a = lab_clock_now(), b;
	int64_t ms = lab_clock_ms();

	(void)state;
	lab_clock_sleep_ms(20);
	b = lab_clock_now();
	assert_true(b - a >= 0.019 && b - a < 5);
	assert_true(lab_clock_ms() - ms >= 19);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_clock_moves_forward),
	};

	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
