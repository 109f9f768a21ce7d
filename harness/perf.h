/* SPDX-License-Identifier: MIT */
#ifndef LAB_PERF_H
#define LAB_PERF_H
/*
 * What measured runs add to the results: checks a run's own trace counts
 * must pass, the matrix-level relations between runs (relation.h), and
 * results.json's "perf" section that compares runs by platform, kernel,
 * QEMU and policy (the variant). Emulated numbers compare configurations
 * on one host; they are not hardware numbers.
 */
#include <regex.h>
#include <stdio.h>
#include <json.h>
#include "matrix.h"
#include "verdict.h"

#define LAB_PERF_NOTE "Emulated IOMMUs under TCG: these numbers compare configurations " \
	"with each other on the same host; they are not hardware numbers."

/*
 * The checks a run's trace counts imply (observations' probes with
 * "trace"), appended to checks; returns the worst verdict among them
 * (pass when none):
 *   trace.PROBE.invalidations_per_unmap  strict policy (a VFIO domain, or
 *       the device's domain type DMA): at least one IOTLB invalidation per
 *       unmap in the window (skip when the window held no unmap);
 *   trace.PROBE.identity_no_lookups      identity domain: no IOTLB lookup.
 */
enum lab_verdict lab_perf_run_checks(json_object *observations, json_object *checks);

/* The probe's policy as the checks see it: "strict", "lazy", "identity",
 * or NULL when unknown. */
const char *lab_perf_policy(json_object *probe);

/* results.json's "perf": {"note", "runs": [...], "groups": [...]}, or NULL
 * when no run was measured (no probe with trace counts or of mode perf). */
json_object *lab_perf_section(json_object *rows);

/*
 * After all runs: judge every relation of m's scenarios over results'
 * runs (results["relations"]: {"checks": [...], "pass", "fail", "skip"}),
 * add "perf" (lab_perf_section), and let a failed relation fail the
 * summary's verdict. m may be NULL (no relations).
 */
void lab_perf_apply(json_object *results, const struct lab_matrix *m);

/*
 * Two results documents' measured runs side by side (diff.h adds it as
 * the diff's "perf" when either side has any): runs paired by name (after
 * removing re's first match, when re is given), each probe's statistics
 * (median, p90 by metric and size) and trace rates (hit_rate,
 * invalidations_per_unmap, invalidations_per_mib) old and new with
 * new/old ratios, informational; and the relations, paired by text and
 * platform@kernel (and QEMU unless re is given), with
 * "relations_newly_failing": those failing in NEW and not in OLD, which
 * make the diff fail. NULL when neither side has perf data or relations.
 */
json_object *lab_perf_diff(json_object *old, json_object *new, const regex_t *re);
/* Print a lab_perf_diff document as text. */
void lab_perf_diff_print(json_object *pd, FILE *out);

#endif
