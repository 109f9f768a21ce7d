/* SPDX-License-Identifier: MIT */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double lab_stats_percentile(const double *sorted, size_t n, double p)
{
	double h, frac;
	size_t lo;

	if (n == 0)
		return 0;
	if (!(p > 0))           /* also NaN */
		return sorted[0];
	if (p >= 100)
		return sorted[n - 1];
	h = (double)(n - 1) * p / 100.0;
	lo = (size_t)h;
	frac = h - (double)lo;
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

int lab_stats_compute(double *samples, size_t n, struct lab_stats *out)
{
	double sum = 0, sq = 0, mean;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(samples[i]))
			return -1;
	qsort(samples, n, sizeof(*samples), cmp_double);
	for (size_t i = 0; i < n; i++)
		sum += samples[i];
	mean = sum / (double)n;
	/* two passes: no cancellation in the sum of squares */
	for (size_t i = 0; i < n; i++)
		sq += (samples[i] - mean) * (samples[i] - mean);
	out->n = n;
	out->min = samples[0];
	out->max = samples[n - 1];
	/* rounding may put the mean a hair outside [min, max] for equal samples */
	out->mean = mean < out->min ? out->min : mean > out->max ? out->max : mean;
	out->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	out->median = lab_stats_percentile(samples, n, 50);
	out->p90 = lab_stats_percentile(samples, n, 90);
	out->p99 = lab_stats_percentile(samples, n, 99);
	return 0;
}

int lab_stats_sane(const struct lab_stats *s)
{
	const double v[] = { s->min, s->median, s->p90, s->p99, s->max, s->mean, s->stddev };

	if (s->n == 0)
		return 0;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!isfinite(v[i]))
			return 0;
	return s->min <= s->median && s->median <= s->p90 && s->p90 <= s->p99 &&
	       s->p99 <= s->max && s->min <= s->mean && s->mean <= s->max && s->stddev >= 0;
}
