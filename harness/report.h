/* SPDX-License-Identifier: MIT */
#ifndef LAB_REPORT_H
#define LAB_REPORT_H

/*
 * Reports: one invocation's results object (what the lab writes as
 * results/<run-id>/results.json) turned into the formats people and CI read:
 * JUnit XML, TAP 13 (kselftest style), one self-contained HTML page and the
 * terminal table printed at the end of a run.
 *
 * The results object is only read (borrowed). Everything that came from a
 * guest is untrusted: control characters, invalid UTF-8 and markup in any
 * string are sanitised or escaped before they reach any output.
 *
 * How runs and checks become test cases (JUnit and TAP agree):
 *  - one test case per check, named "<run> :: <check>" in TAP, classname =
 *    run name and name = check name in JUnit;
 *  - a run whose status is not "ok" gets an extra "boot" case carrying the
 *    status: skipped for a skipped run (its only case when it has no checks),
 *    xfail when the comparator judged the run xfail, an error otherwise;
 *  - a run that booted but has no checks (an ad-hoc run) gets one "boot"
 *    case with the run's verdict (pass when it has none);
 *  - a run whose verdict is fail, xpass or error although none of its cases
 *    says so gets one "verdict" case with that verdict, so CI never shows
 *    green for a run the comparator failed.
 * Verdicts map to JUnit as: fail and xpass -> <failure>, error -> <error>,
 * skip and xfail -> <skipped> ("xfail: reason"); pass -> nothing.
 */
#include <stdio.h>
#include <json.h>

#include "error.h"

/* JUnit XML (one <testsuite> per matrix) written to path (via path.tmp and a
 * rename, so readers never see half a file). 0 or -1 with err set. */
int lab_report_write_junit(json_object *results, const char *path, struct lab_error *err);

/* TAP version 13 on out, with a "# Totals:" line at the end as kselftest
 * prints. 0, or -1 with errno set when writing to out failed. */
int lab_report_write_tap(json_object *results, FILE *out);

/* One self-contained HTML page (inline CSS and JS, nothing external): the
 * matrix grid first, then details per run and check. Links to each run's
 * console.log and kmsg.log are relative to the page, which therefore belongs
 * in the results folder. 0 or -1 with err set. */
int lab_report_write_html(json_object *results, const char *path, struct lab_error *err);

/* The compact table for the terminal: one line per run, then a summary line,
 * each at most LAB_REPORT_TABLE_WIDTH columns. ANSI colours only when color. */
#define LAB_REPORT_TABLE_WIDTH 120
void lab_report_print_table(json_object *results, FILE *out, int color);

#endif
