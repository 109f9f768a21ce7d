/* SPDX-License-Identifier: MIT */
#ifndef LAB_EVALUATE_H
#define LAB_EVALUATE_H

/*
 * Evaluation: from what a run produced (its outcome, the worker's run.json:
 * harness/worker.h) and its spec (the scenario's expectations) to the
 * judged part of its row in results.json, and from the rows to the
 * summary. It boots nothing and reads no file: `run` calls it as workers
 * finish, `recheck` on stored outcomes against (edited) scenario files.
 */
#include <json.h>

#include "compare.h"
#include "matrix.h"

/*
 * Add to row (a run's result object) what the outcome says and how it is
 * judged: status, reason, console_tail (not ok), journal, verdict, checks
 * and observations. adhoc: no expectations, the guest answering is all
 * there is to judge.
 */
void lab_evaluate_run(json_object *row, const struct lab_run_spec *spec, const struct lab_env *env,
		      json_object *outcome, int adhoc);

/* The judged part of the row of a run that never booted: its status
 * (skipped, or error or interrupted), verdict and reason, no checks, no
 * observations. */
void lab_evaluate_not_run(json_object *row, enum lab_run_status status, enum lab_verdict verdict,
			  const char *reason);

/* The summary of rows (results.json's "runs"): runs, checks, a count per
 * check verdict, run_verdicts, and the overall verdict. */
json_object *lab_evaluate_summary(json_object *rows);

#endif
