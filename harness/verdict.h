/* SPDX-License-Identifier: MIT */
#ifndef LAB_VERDICT_H
#define LAB_VERDICT_H

/*
 * The lab's one vocabulary for how runs end and how checks are judged,
 * with the names results.json, JUnit, TAP and the report use.
 *
 * Check verdicts, best to worst:
 *   pass   the expectation held            skip   no expectation applies here
 *   xfail  it did not, as a known bug says  xpass  a known bug did not show
 *   fail   it did not                       error  it could not be evaluated
 * A run's verdict is its worst check's, except that skips and known bugs
 * do not fail a run and an unexpected pass does (the bug is gone: say so).
 */

enum lab_verdict {
	LAB_VERDICT_PASS,
	LAB_VERDICT_SKIP,
	LAB_VERDICT_XFAIL,
	LAB_VERDICT_XPASS,
	LAB_VERDICT_FAIL,
	LAB_VERDICT_ERROR,
	LAB_VERDICT_COUNT
};

/* How a run ended. The first five a guest can be expected to end with
 * (`status:` in a scenario); the rest are the lab's. */
enum lab_run_status {
	LAB_RUN_OK,           /* the agent answered and the guest is gone */
	LAB_RUN_PANIC,        /* the guest kernel panicked */
	LAB_RUN_TIMEOUT,      /* the agent did not finish in time, or the guest stalled */
	LAB_RUN_CRASHED,      /* the guest stopped before the agent was done */
	LAB_RUN_ERROR,        /* the lab could not start or drive the guest */
	LAB_RUN_INTERRUPTED,  /* SIGINT / SIGTERM */
	LAB_RUN_SKIPPED,      /* never booted, and why is said */
	LAB_RUN_STATUS_COUNT
};

const char *lab_verdict_name(enum lab_verdict v);
/* The verdict of a name; an unknown name is an error. */
enum lab_verdict lab_verdict_parse(const char *name);
/* The worse of two verdicts. */
enum lab_verdict lab_verdict_worse(enum lab_verdict a, enum lab_verdict b);
/* A run's verdict from its worst check's. */
enum lab_verdict lab_verdict_of_run(enum lab_verdict worst_check);

const char *lab_run_status_name(enum lab_run_status s);
/* The status of a name, or -1. */
int lab_run_status_parse(const char *name);
/* Can a scenario expect a guest to end this way (ok, panic, timeout, crashed)? */
int lab_run_status_expectable(enum lab_run_status s);

#endif
