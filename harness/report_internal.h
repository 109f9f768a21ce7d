/* SPDX-License-Identifier: MIT */
#ifndef LAB_REPORT_INTERNAL_H
#define LAB_REPORT_INTERNAL_H

/*
 * What the report writers share, and nothing else includes: the files
 * report.c (reading the results object, verdicts, cleaning untrusted text,
 * runs and checks as test cases), report_tree.c (libxml2 trees, written
 * atomically) and one file per format: report_junit.c, report_tap.c,
 * report_html.c, report_table.c. The public API is report.h.
 *
 * Names shared between these files start with rpt_ (RPT_ for constants);
 * each file's own helpers are static and unprefixed.
 */
#include <stddef.h>
#include <json.h>
#include <libxml/tree.h>

#include "error.h"

/* ---- reading the results object (report.c) --------------------------------
 * Members of the results object through jsonval.h; these add what the
 * reports need on top: a default, a non-empty test and numbers. */

/* o[key] when it is a string, else dflt. */
const char *rpt_str_or(json_object *o, const char *key, const char *dflt);
/* o[key] is a non-empty string. */
int rpt_has_text(json_object *o, const char *key);
/* o[key] when it is a number, else 0. */
double rpt_num(json_object *o, const char *key);
/* A count or line number: whole, within 0..INT_MAX whatever the data says. */
int rpt_whole(json_object *o, const char *key);

/* ---- verdicts and statuses (report.c) ------------------------------------ */

enum rpt_verdict { RPT_PASS, RPT_FAIL, RPT_XFAIL, RPT_XPASS, RPT_SKIP, RPT_ERROR, RPT_VERDICTS };

/* "pass", "fail"... as results.json spells them. */
extern const char *const rpt_verdict_name[RPT_VERDICTS];

/* A verdict string; an unknown one is an error (never silently a pass). */
enum rpt_verdict rpt_verdict_of(json_object *o, enum rpt_verdict dflt);
/* fail, xpass and error: what makes CI red. */
int rpt_is_problem(enum rpt_verdict v);
/* A run's status, "ok" when it has none. */
const char *rpt_status_of(json_object *run);
/* A run's verdict; without one, what its status implies. */
enum rpt_verdict rpt_run_verdict(json_object *run);
/* The status as a CSS class: only known names, never text from the data. */
const char *rpt_status_class(const char *status);

/* ---- sanitising untrusted text (report.c) -------------------------------- */

enum { RPT_ONE_LINE = 1 };

/*
 * Guest text made safe for XML 1.0, HTML, YAML and a terminal: valid UTF-8
 * only (each bad byte becomes U+FFFD), C0 controls shown as their Control
 * Pictures (ESC as U+241B, so an escape sequence is visible but inert), DEL
 * as U+2421, C1 controls, U+FFFE/U+FFFF and bidi overrides as U+FFFD. Tab, CR
 * and LF stay unless RPT_ONE_LINE (then a space). NULL on allocation failure.
 */
char *rpt_clean_len(const char *s, size_t n, unsigned flags);
/* rpt_clean_len() of a C string; NULL cleans as "". */
char *rpt_clean(const char *s, unsigned flags);
/* A string member cleaned, embedded NULs included; "" when absent. */
char *rpt_clean_member(json_object *o, const char *key, unsigned flags);
/* Any JSON value as JSON text, cleaned. */
char *rpt_clean_json(json_object *v, int pretty);
/* Code points in a valid UTF-8 string (one column each, near enough). */
size_t rpt_width_of(const char *s);
/* Copy valid UTF-8 s into dst (room for width * 4 + 1 bytes), cut to width
 * code points with an ellipsis when longer. Returns the width written. */
size_t rpt_fit(char *dst, const char *s, size_t width);
/* A malloc'd copy of clean text cut to max code points ("…" when cut);
 * takes ownership of s. */
char *rpt_cut(char *s, size_t max);
/* Seconds as "12.345" whatever the locale; negative or absurd values are 0. */
void rpt_fmt_secs(char *buf, size_t size, double s, int decimals);

/* ---- runs and checks as test cases (report.c) ---------------------------- */

struct rpt_item {
	json_object *run;
	json_object *check;	/* NULL for the run-level "boot" and "verdict" cases */
	const char *name;	/* raw: clean before use */
	enum rpt_verdict v;
};

/* The test cases of one run (see report.h). Returns how many, or -1 when
 * out of memory; *out is malloc'd. */
int rpt_run_items(json_object *run, struct rpt_item **out);
/* The one-line message of a case: the check's reason, or what went wrong. */
char *rpt_item_message(const struct rpt_item *it);

struct rpt_counts {
	unsigned v[RPT_VERDICTS];
	unsigned tests;
};

/* A run's matrix; a run without one is "adhoc". */
const char *rpt_matrix_of(json_object *run);
/* Distinct matrix names, in the order of their first run. Returns how many
 * (0 when out of memory); *out is malloc'd. */
size_t rpt_matrices(json_object *runs, const char ***out);

/* The counts per check verdict: the summary object's when it has one (the
 * comparator's word), else counted over the runs' checks. */
void rpt_summary_counts(json_object *results, struct rpt_counts *c, unsigned *nruns);
/* The invocation's verdict: the summary's, else the worst run's. */
enum rpt_verdict rpt_overall_verdict(json_object *results);

/* ---- building trees with libxml2 (report_tree.c) ------------------------- */

/* Every text and attribute value goes through rpt_clean() and libxml2's own
 * escaping at serialisation; a failed allocation sets oom and the writer
 * reports it once at the end. */
struct rpt_tree {
	xmlDocPtr doc;
	int oom;
};

/* A new document, XML or HTML (<!DOCTYPE html>), and its root element tag.
 * The root, or NULL with err set ("building path") when out of memory. */
xmlNodePtr rpt_new_tree(struct rpt_tree *t, const char *tag, int html, const char *path,
			struct lab_error *err);
/* Serialise the tree (as XML, or as HTML) to path (through path.tmp and a
 * rename) and free it. 0 or -1 with err set. */
int rpt_save_tree(struct rpt_tree *t, const char *path, int html, struct lab_error *err);
/* A new element under parent, with class cls unless NULL. */
xmlNodePtr rpt_el(struct rpt_tree *t, xmlNodePtr parent, const char *tag, const char *cls);
/* Append already clean text (takes ownership of s; NULL means no memory). */
void rpt_text_own(struct rpt_tree *t, xmlNodePtr parent, char *s);
/* Append text, cleaned. */
void rpt_text(struct rpt_tree *t, xmlNodePtr parent, const char *s);
void rpt_textf(struct rpt_tree *t, xmlNodePtr parent, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* An element holding text: rpt_el() then rpt_text(). */
xmlNodePtr rpt_el_text(struct rpt_tree *t, xmlNodePtr parent, const char *tag, const char *cls,
		       const char *s);
/* Set an attribute from already clean text (takes ownership). */
void rpt_attr_own(struct rpt_tree *t, xmlNodePtr n, const char *name, char *value);
/* Set an attribute, cleaned. */
void rpt_attr(struct rpt_tree *t, xmlNodePtr n, const char *name, const char *value);
void rpt_attrf(struct rpt_tree *t, xmlNodePtr n, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- report.html's comparison of measured runs (report_perf.c) ----------- */
/* The "Performance" section: results["perf"] and ["relations"], if any. */
void rpt_html_perf(struct rpt_tree *t, xmlNodePtr body, json_object *results);

#endif
