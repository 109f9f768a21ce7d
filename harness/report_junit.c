/* SPDX-License-Identifier: MIT */
/*
 * The JUnit XML report (lab_report_write_junit): one <testsuite> per
 * matrix, one <testcase> per case of rpt_run_items(), counts and times in
 * the attributes CI reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonval.h"
#include "report.h"
#include "report_internal.h"

#define JUNIT_MESSAGE_MAX 1024

static void set_counts(struct rpt_tree *t, xmlNodePtr n, const struct rpt_counts *c, double secs)
{
	char time[32];

	rpt_fmt_secs(time, sizeof(time), secs, 3);
	rpt_attrf(t, n, "tests", "%u", c->tests);
	rpt_attrf(t, n, "failures", "%u", c->v[RPT_FAIL] + c->v[RPT_XPASS]);
	rpt_attrf(t, n, "errors", "%u", c->v[RPT_ERROR]);
	rpt_attrf(t, n, "skipped", "%u", c->v[RPT_SKIP] + c->v[RPT_XFAIL]);
	rpt_attr(t, n, "time", time);
}

/* The body of a <failure> or <error>: everything behind the verdict. */
static char *junit_body(const struct rpt_item *it)
{
	json_object *run = it->run, *ev = lab_jsonval_arr(it->check, "evidence");
	char *s = NULL, *e = NULL, *o = NULL, *r = NULL;
	size_t i, size = 0;
	FILE *f = open_memstream(&s, &size);

	if (!f)
		return NULL;
	if (it->check) {
		e = rpt_clean_json(lab_jsonval_get(it->check, "expected"), 0);
		o = rpt_clean_json(lab_jsonval_get(it->check, "observed"), 0);
		r = rpt_clean_member(it->check, "reason", 0);
		fprintf(f, "expected: %s\nobserved: %s\n", e ? e : "", o ? o : "");
		if (r && *r)
			fprintf(f, "reason: %s\n", r);
		if (lab_jsonval_len(ev))
			fputs("evidence:\n", f);
		for (i = 0; i < lab_jsonval_len(ev); i++) {
			json_object *line = json_object_array_get_idx(ev, i);
			char *l = json_object_is_type(line, json_type_string) ?
				  rpt_clean_len(json_object_get_string(line),
						json_object_get_string_len(line), 0) :
				  rpt_clean_json(line, 0);

			fprintf(f, "  %s\n", l ? l : "");
			free(l);
		}
	} else {
		e = rpt_clean(rpt_status_of(run), RPT_ONE_LINE);
		r = rpt_clean_member(run, "reason", 0);
		fprintf(f, "status: %s\n", e ? e : "");
		if (r && *r)
			fprintf(f, "reason: %s\n", r);
	}
	free(e);
	free(o);
	free(r);
	if (lab_jsonval_str(run, "file")) {
		r = rpt_clean(lab_jsonval_str(run, "file"), RPT_ONE_LINE);
		fprintf(f, "scenario: %s:%d\n", r ? r : "", rpt_whole(run, "line"));
		free(r);
	}
	if (lab_jsonval_str(run, "dir")) {
		r = rpt_clean(lab_jsonval_str(run, "dir"), RPT_ONE_LINE);
		fprintf(f, "logs: %s/console.log %s/kmsg.log\n", r ? r : "", r ? r : "");
		free(r);
	}
	if (fclose(f)) {
		free(s);
		return NULL;
	}
	return s;
}

static void junit_case(struct rpt_tree *t, xmlNodePtr suite, const struct rpt_item *it, double secs)
{
	xmlNodePtr tc = rpt_el(t, suite, "testcase", NULL), res = NULL;
	char time[32], *msg, *tail;

	rpt_fmt_secs(time, sizeof(time), secs, 3);
	rpt_attr(t, tc, "classname", rpt_str_or(it->run, "name", "(unnamed)"));
	rpt_attr(t, tc, "name", it->name);
	rpt_attr(t, tc, "time", time);
	if (it->v == RPT_PASS)
		return;
	msg = rpt_cut(rpt_item_message(it), JUNIT_MESSAGE_MAX);
	switch (it->v) {
	case RPT_FAIL:
	case RPT_XPASS:
		res = rpt_el(t, tc, "failure", NULL);
		break;
	case RPT_ERROR:
		res = rpt_el(t, tc, "error", NULL);
		break;
	case RPT_SKIP:
	case RPT_XFAIL:
		res = rpt_el(t, tc, "skipped", NULL);
		break;
	default:
		break;
	}
	if ((it->v == RPT_XFAIL || it->v == RPT_XPASS) && msg) {
		char *x = NULL;

		if (asprintf(&x, "%s: %s", rpt_verdict_name[it->v], msg) < 0)
			x = NULL;
		free(msg);
		msg = x;
	}
	rpt_attr_own(t, res, "message", msg);
	if (it->v == RPT_FAIL || it->v == RPT_XPASS || it->v == RPT_ERROR) {
		/* a boot case's type is the status (timeout, panic...) */
		rpt_attr(t, res, "type", !it->check && !strcmp(it->name, "boot") &&
			 strcmp(rpt_status_of(it->run), "ok") ? rpt_status_of(it->run) :
			 rpt_verdict_name[it->v]);
		rpt_text_own(t, res, junit_body(it));
	}
	if (!it->check && rpt_has_text(it->run, "console_tail")) {
		tail = rpt_clean_member(it->run, "console_tail", 0);
		rpt_text_own(t, rpt_el(t, tc, "system-out", NULL), tail);
	}
}

static void junit_suite(struct rpt_tree *t, xmlNodePtr root, json_object *results,
			const char *matrix, struct rpt_counts *total)
{
	json_object *runs = lab_jsonval_arr(results, "runs"), *host = lab_jsonval_get(results, "host");
	static const char *const keys[] = { "run_id", "qemu", "libvirt" };
	xmlNodePtr suite = rpt_el(t, root, "testsuite", NULL), props;
	struct rpt_counts c = { 0 };
	double secs = 0;
	size_t r;

	rpt_attr(t, suite, "name", matrix);
	set_counts(t, suite, &c, 0);	/* placeholders, in schema order */
	if (lab_jsonval_str(results, "started"))
		rpt_attr(t, suite, "timestamp", lab_jsonval_str(results, "started"));
	if (lab_jsonval_str(host, "hostname"))
		rpt_attr(t, suite, "hostname", lab_jsonval_str(host, "hostname"));
	props = rpt_el(t, suite, "properties", NULL);
	for (r = 0; r < 3; r++) {
		const char *v = r ? lab_jsonval_str(host, keys[r]) : lab_jsonval_str(results, keys[r]);
		xmlNodePtr p;

		if (!v)
			continue;
		p = rpt_el(t, props, "property", NULL);
		rpt_attr(t, p, "name", keys[r]);
		rpt_attr(t, p, "value", v);
	}
	for (r = 0; r < lab_jsonval_len(runs); r++) {
		json_object *run = json_object_array_get_idx(runs, r);
		struct rpt_item *items;
		int i, n;

		if (strcmp(rpt_matrix_of(run), matrix))
			continue;
		n = rpt_run_items(run, &items);
		if (n < 0)
			t->oom = 1;
		for (i = 0; i < n; i++) {
			junit_case(t, suite, &items[i], rpt_num(run, "duration_s") / n);
			c.v[items[i].v]++;
			c.tests++;
		}
		secs += rpt_num(run, "duration_s");
		free(items);
	}
	set_counts(t, suite, &c, secs);
	for (r = 0; r < RPT_VERDICTS; r++)
		total->v[r] += c.v[r];
	total->tests += c.tests;
}

int lab_report_write_junit(json_object *results, const char *path, struct lab_error *err)
{
	json_object *runs = lab_jsonval_arr(results, "runs");
	struct rpt_counts total = { 0 };
	struct rpt_tree t;
	xmlNodePtr root = rpt_new_tree(&t, "testsuites", 0, path, err);
	const char **m = NULL;
	size_t i, nm;

	if (!root)
		return -1;
	rpt_attrf(&t, root, "name", "iommu-lab %s", rpt_str_or(results, "run_id", ""));
	set_counts(&t, root, &total, 0);
	nm = rpt_matrices(runs, &m);
	if (!m)
		t.oom = 1;
	for (i = 0; i < nm; i++)
		junit_suite(&t, root, results, m[i], &total);
	free(m);
	set_counts(&t, root, &total, rpt_num(results, "duration_s"));
	return rpt_save_tree(&t, path, 0, err);
}
