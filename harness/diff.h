/* SPDX-License-Identifier: MIT */
#ifndef LAB_DIFF_H
#define LAB_DIFF_H

/*
 * Two results.json documents compared (last night vs tonight, QEMU 7.2 vs
 * 10.0): runs whose verdict changed, observations that differ for the same
 * run name, runs added or gone. The diff document:
 *
 *   {"old": {run_id, host}, "new": {run_id, host},
 *    "summary": {newly_failing, fixed, changed_verdict, changed_observations,
 *                added, gone, unchanged},
 *    "runs": [{name, change, old_name?, new_name?, old_verdict, new_verdict,
 *              checks: [{name, old_verdict, new_verdict}],
 *              observations: [{path, old, new}]}]}
 *
 * change is one of newly_failing, fixed, verdict, observations, added, gone;
 * each run is counted once, runs in that order (within a kind, in the order
 * of NEW, gone ones in the order of OLD). A failing verdict is fail or error:
 * newly_failing means failing in NEW and not in OLD, a run only NEW has that
 * fails included (it carries "added": true and counts as newly failing, not
 * as added); fixed the other way round. Unchanged runs are only counted.
 *
 * Observations compared (timings, durations, kernel versions, timelines and
 * paths never are): status, default_domain, interrupt_remapping, iommus (the
 * kinds), iommus.KIND.decoded.REG.FIELD (the second IOMMU of a kind is
 * KIND#1), groups (each "TYPE: dev dev", ids ignored; old/new list only the
 * groups one side lacks), faults (signatures "iommu event code access
 * address", likewise), probes.NAME (ran or absent), probes.NAME.error,
 * probes.NAME.KEY (every boolean result and the outcome strings),
 * probes.NAME.faults.
 */
#include <stdio.h>
#include <json.h>

#include "error.h"

struct lab_diff_opts {
	/* An extended regex: its first match is removed from every run name of
	 * both sides before pairing ("\\+qemu-[a-z0-9-]+$" pairs a matrix run on two
	 * QEMUs whose names differ by the QEMU axis). NULL pairs by full name. */
	const char *pair;
};

/* A results.json: PATH itself, or PATH/results.json when PATH is a folder.
 * NULL with err naming the path when missing, unreadable, not JSON, or not a
 * results document (an object with a runs array). */
json_object *lab_diff_load(const char *path, struct lab_error *err);

/* The diff document of OLD -> NEW (both only read; the diff may share
 * values with them). NULL with err set on a bad --pair regex or when two
 * runs of one side pair under the same name. */
json_object *lab_diff_results(json_object *old, json_object *new, const struct lab_diff_opts *o,
			      struct lab_error *err);

/* Runs newly failing in a diff document (0 for anything malformed). */
int lab_diff_newly_failing(json_object *diff);

/* "diff: 2 newly failing, 1 fixed, 0 verdict changed, 3 observations changed,
 * 0 added, 0 gone (88 unchanged)" into buf. */
void lab_diff_summary_line(json_object *diff, char *buf, size_t size);

/* The diff as text: a header, one section per kind of change, each run with
 * its changed checks and fields one line each, then the summary line.
 * Names from the data are printed with control characters replaced. */
void lab_diff_print(json_object *diff, FILE *out);

#endif
