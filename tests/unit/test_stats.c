/* SPDX-License-Identifier: MIT */
/* Summary statistics both ends share (common/stats.h): percentiles by
 * linear interpolation between the closest ranks, on samples whose answers
 * are worked out by hand (and agree with numpy.percentile's default). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stats.h"

#define EPS 1e-9

static void odd_count(void **state)
{
	double s[] = { 5, 1, 3 };
	struct lab_stats st;

	(void)state;
	assert_int_equal(lab_stats_compute(s, 3, &st), 0);
	assert_int_equal(st.n, 3);
	assert_float_equal(st.min, 1, EPS);
	assert_float_equal(st.max, 5, EPS);
	assert_float_equal(st.median, 3, EPS);      /* the middle sample */
	assert_float_equal(st.p90, 4.6, EPS);       /* rank 1.8: 3 + 0.8 * (5 - 3) */
	assert_float_equal(st.p99, 4.96, EPS);      /* rank 1.98 */
	assert_float_equal(st.mean, 3, EPS);
	assert_float_equal(st.stddev, 2, EPS);      /* sqrt((4 + 0 + 4) / 2) */
	assert_true(lab_stats_sane(&st));
}

static void even_count(void **state)
{
	double s[] = { 4, 1, 3, 2 };
	struct lab_stats st;

	(void)state;
	assert_int_equal(lab_stats_compute(s, 4, &st), 0);
	assert_float_equal(st.median, 2.5, EPS);    /* mean of the two middle ones */
	assert_float_equal(st.p90, 3.7, EPS);       /* rank 2.7 */
	assert_float_equal(st.p99, 3.97, EPS);      /* rank 2.97 */
	assert_float_equal(st.mean, 2.5, EPS);
	assert_float_equal(st.stddev, sqrt(5.0 / 3.0), EPS);
}

static void one_sample(void **state)
{
	double s[] = { 7.25 };
	struct lab_stats st;

	(void)state;
	assert_int_equal(lab_stats_compute(s, 1, &st), 0);
	assert_int_equal(st.n, 1);
	assert_float_equal(st.min, 7.25, EPS);
	assert_float_equal(st.median, 7.25, EPS);
	assert_float_equal(st.p90, 7.25, EPS);
	assert_float_equal(st.p99, 7.25, EPS);
	assert_float_equal(st.max, 7.25, EPS);
	assert_float_equal(st.mean, 7.25, EPS);
	assert_float_equal(st.stddev, 0, EPS);      /* no spread from one sample */
	assert_true(lab_stats_sane(&st));
}

static void ties(void **state)
{
	double s[] = { 2, 9, 2, 2, 2 };
	struct lab_stats st;

	(void)state;
	assert_int_equal(lab_stats_compute(s, 5, &st), 0);
	assert_float_equal(st.median, 2, EPS);
	assert_float_equal(st.p90, 6.2, EPS);       /* rank 3.6: 2 + 0.6 * 7 */
	assert_float_equal(st.p99, 8.72, EPS);      /* rank 3.96 */
	assert_float_equal(st.mean, 3.4, EPS);
	/* all equal: no spread, and the mean stays within [min, max] */
	{
		double e[] = { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1 };

		assert_int_equal(lab_stats_compute(e, 7, &st), 0);
		assert_float_equal(st.stddev, 0, 1e-12);
		assert_true(lab_stats_sane(&st));
	}
}

static void unsorted_input_is_sorted(void **state)
{
	double s[] = { 7, 3, 10, 1, 9, 2, 8, 6, 4, 5 };
	struct lab_stats st;

	(void)state;
	assert_int_equal(lab_stats_compute(s, 10, &st), 0);
	for (int i = 0; i < 10; i++)
		assert_float_equal(s[i], i + 1, EPS);
	assert_float_equal(st.median, 5.5, EPS);
	assert_float_equal(st.p90, 9.1, EPS);       /* numpy: 9.1 */
	assert_float_equal(st.p99, 9.91, EPS);      /* numpy: 9.91 */
	assert_float_equal(st.stddev, sqrt(82.5 / 9.0), EPS);
}

static void percentiles_on_and_between_ranks(void **state)
{
	double s[101];

	(void)state;
	for (int i = 0; i <= 100; i++)
		s[i] = i * 2.0;
	/* 101 samples: percentile p lands exactly on rank p */
	assert_float_equal(lab_stats_percentile(s, 101, 90), 180, EPS);
	assert_float_equal(lab_stats_percentile(s, 101, 99), 198, EPS);
	/* and between ranks: 12.5 lies half-way from 12 to 13 */
	assert_float_equal(lab_stats_percentile(s, 101, 12.5), 25, EPS);
	/* the ends, clamped */
	assert_float_equal(lab_stats_percentile(s, 101, 0), 0, EPS);
	assert_float_equal(lab_stats_percentile(s, 101, 100), 200, EPS);
	assert_float_equal(lab_stats_percentile(s, 101, -5), 0, EPS);
	assert_float_equal(lab_stats_percentile(s, 101, 150), 200, EPS);
	assert_float_equal(lab_stats_percentile(s, 0, 50), 0, EPS);
}

static void no_samples_or_not_numbers(void **state)
{
	double s[] = { 1, NAN, 3 }, inf[] = { INFINITY };
	struct lab_stats st;

	(void)state;
	assert_int_equal(lab_stats_compute(s, 0, &st), -1);
	assert_int_equal(st.n, 0);
	assert_int_equal(lab_stats_compute(s, 3, &st), -1);
	assert_int_equal(lab_stats_compute(inf, 1, &st), -1);
	assert_false(lab_stats_sane(&st));
}

static void insane_summaries(void **state)
{
	struct lab_stats ok = { 3, 2, 4, 5, 1, 6, 3, 1 }, s;

	(void)state;
	assert_true(lab_stats_sane(&ok));
	s = ok, s.n = 0;
	assert_false(lab_stats_sane(&s));
	s = ok, s.median = 4.5;                     /* median above p90 */
	assert_false(lab_stats_sane(&s));
	s = ok, s.p99 = 7;                          /* p99 above max */
	assert_false(lab_stats_sane(&s));
	s = ok, s.min = 2.5;                        /* min above median */
	assert_false(lab_stats_sane(&s));
	s = ok, s.mean = 0.5;                       /* mean below min */
	assert_false(lab_stats_sane(&s));
	s = ok, s.stddev = -1;
	assert_false(lab_stats_sane(&s));
	s = ok, s.p90 = NAN;
	assert_false(lab_stats_sane(&s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(odd_count),
		cmocka_unit_test(even_count),
		cmocka_unit_test(one_sample),
		cmocka_unit_test(ties),
		cmocka_unit_test(unsorted_input_is_sorted),
		cmocka_unit_test(percentiles_on_and_between_ranks),
		cmocka_unit_test(no_samples_or_not_numbers),
		cmocka_unit_test(insane_summaries),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
