/* SPDX-License-Identifier: MIT */
#ifndef LAB_RELATION_H
#define LAB_RELATION_H
/*
 * Cross-run relations a scenario file declares at the matrix level
 * (docs/scenarios.md, "Relations"): "VARIANT.PROBE.KEY OP VARIANT.PROBE.KEY"
 * or "VARIANT.PROBE.KEY OP NUMBER", judged after all runs of the matrix,
 * once per platform, kernel and QEMU the matrix ran on, between the runs
 * of the two variants there. Each is a check: pass, fail, or skip saying
 * which side did not run or had no value.
 *
 * KEY is a trace count of the probe (trace.h: iotlb_hits, iotlb_misses,
 * invalidations, page_walks, hit_rate, invalidations_per_unmap,
 * invalidations_per_mib), its result's throughput_mib_s, or one of its
 * statistics: METRIC[@SIZE].STAT (read_us.median, map_us@4096.p90; STAT
 * one of n, median, p90, p99, min, max, mean, stddev).
 */
#include <json.h>
#include "error.h"

struct lab_relation_side {
	char *variant, *probe, *key;   /* NULL variant: a number */
	double number;
};

struct lab_relation {
	char *text;
	int line;
	struct lab_relation_side lhs, rhs;
	char op[3];                    /* < <= > >= == != */
};

/* Parse text (the syntax above) into r; err says what is wrong. */
int lab_relation_parse(const char *text, struct lab_relation *r, struct lab_error *err);
void lab_relation_clear(struct lab_relation *r);

/* The value KEY of probe PROBE in a results.json run row (its
 * observations' probes); -1 with why set when there is none. */
int lab_relation_value(json_object *row, const char *probe, const char *key, double *out,
		       char *why, size_t why_len);

/* Whether a OP b holds. */
int lab_relation_holds(const char *op, double a, double b);

/*
 * Judge relations (n of them, of the matrix named matrix in file) over
 * the rows of results.json: one check per relation and (platform, kernel,
 * QEMU) group of that matrix's runs, appended to checks:
 * {"name", "relation", "file", "line", "matrix", "platform", "kernel",
 * "qemu", "verdict", "lhs": {run, value}, "rhs": {run, value}, "reason"}.
 */
void lab_relation_judge(const struct lab_relation *rels, size_t n, const char *matrix,
			const char *file, json_object *rows, json_object *checks);

#endif
