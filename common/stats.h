/* SPDX-License-Identifier: MIT */
#ifndef LAB_STATS_H
#define LAB_STATS_H

/*
 * Summary statistics of a set of samples (latencies in microseconds, as
 * the agent's perf command measures them: guests/agent/perf.h), shared by
 * both ends: the agent summarises, the harness judges whether a summary it
 * received is sane. No allocation, no libraries: it links into the static
 * agent as it is.
 *
 * Percentiles: linear interpolation between the closest ranks (Hyndman and
 * Fan's type 7; numpy's default, R's default, Excel's PERCENTILE.INC). Over
 * the n samples sorted ascending, x[0..n-1], the p-th percentile (0..100)
 * lies at rank h = (n - 1) * p / 100: x[floor(h)] + (h - floor(h)) *
 * (x[floor(h) + 1] - x[floor(h)]). The median is the 50th percentile (the
 * mean of the two middle samples when n is even); p0 is the minimum and
 * p100 the maximum, so min <= median <= p90 <= p99 <= max always holds.
 *
 * stddev is the sample standard deviation (divisor n - 1), 0 for a single
 * sample.
 */
#include <stddef.h>

struct lab_stats {
	size_t n;
	double median, p90, p99, min, max, mean, stddev;
};

/* Sorts samples[0..n-1] in place and fills out. 0, or -1 when n is 0 or a
 * sample is not a finite number (out zeroed). */
int lab_stats_compute(double *samples, size_t n, struct lab_stats *out);
/* The p-th percentile (0..100, clamped) of sorted[0..n-1] (ascending) as
 * above; 0 for n == 0. */
double lab_stats_percentile(const double *sorted, size_t n, double p);
/* Does s look like a summary of at least one sample: n > 0, every value
 * finite, min <= median <= p90 <= p99 <= max, min <= mean <= max,
 * stddev >= 0? 1 or 0. */
int lab_stats_sane(const struct lab_stats *s);

#endif
