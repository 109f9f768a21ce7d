/* SPDX-License-Identifier: MIT */
/*
 * The TAP 13 report (lab_report_write_tap), kselftest style: a plan, one
 * line per case, a YAML block behind each problem, the console tail of a run
 * that did not boot as comments, and a "# Totals:" line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonval.h"
#include "report.h"
#include "report_internal.h"

/* A TAP description: one line, '#' escaped as TAP 13 asks. */
static void tap_desc(FILE *out, const char *s)
{
	char *c = rpt_clean(s, RPT_ONE_LINE), *p;

	for (p = c ? c : "(out of memory)"; *p; p++) {
		if (*p == '#' || *p == '\\')
			fputc('\\', out);
		fputc(*p, out);
	}
	free(c);
}

/* A YAML scalar: clean text as a JSON string, which YAML reads as a
 * double-quoted scalar. */
static void yaml_str(FILE *out, const char *key, char *clean_text)
{
	json_object *s = json_object_new_string(clean_text ? clean_text : "");

	fprintf(out, "  %s: %s\n", key, s ? json_object_to_json_string_ext(s,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : "\"\"");
	json_object_put(s);
	free(clean_text);
}

static void tap_yaml(FILE *out, const struct rpt_item *it)
{
	json_object *run = it->run, *ev = lab_jsonval_arr(it->check, "evidence");
	size_t i;

	fputs("  ---\n", out);
	fprintf(out, "  severity: %s\n", rpt_verdict_name[it->v]);
	yaml_str(out, "message", rpt_item_message(it));
	if (it->check) {
		char *e = rpt_clean_json(lab_jsonval_get(it->check, "expected"), 0);
		char *o = rpt_clean_json(lab_jsonval_get(it->check, "observed"), 0);

		fprintf(out, "  expected: %s\n  observed: %s\n", e ? e : "null", o ? o : "null");
		free(e);
		free(o);
		fprintf(out, "  evidence:%s\n", lab_jsonval_len(ev) ? "" : " []");
		for (i = 0; i < lab_jsonval_len(ev); i++) {
			json_object *l = json_object_array_get_idx(ev, i);
			char *s = json_object_is_type(l, json_type_string) ?
				  rpt_clean_len(json_object_get_string(l),
						json_object_get_string_len(l), RPT_ONE_LINE) :
				  rpt_clean_json(l, 0);
			json_object *j = json_object_new_string(s ? s : "");

			fprintf(out, "    - %s\n", j ? json_object_to_json_string_ext(j,
				JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : "\"\"");
			json_object_put(j);
			free(s);
		}
	} else {
		yaml_str(out, "status", rpt_clean(rpt_status_of(run), RPT_ONE_LINE));
	}
	if (lab_jsonval_str(run, "file")) {
		char *at = NULL;

		if (asprintf(&at, "%s:%d", lab_jsonval_str(run, "file"), rpt_whole(run, "line")) < 0)
			at = NULL;
		yaml_str(out, "at", rpt_clean(at, RPT_ONE_LINE));
		free(at);
	}
	if (lab_jsonval_str(run, "dir")) {
		char *d = rpt_clean(lab_jsonval_str(run, "dir"), RPT_ONE_LINE);
		json_object *j = json_object_new_array();

		if (d && j) {
			char *c = NULL, *k = NULL;

			if (asprintf(&c, "%s/console.log", d) >= 0)
				json_object_array_add(j, json_object_new_string(c));
			if (asprintf(&k, "%s/kmsg.log", d) >= 0)
				json_object_array_add(j, json_object_new_string(k));
			free(c);
			free(k);
			fprintf(out, "  logs: %s\n", json_object_to_json_string_ext(j,
				JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
		}
		json_object_put(j);
		free(d);
	}
	fputs("  ...\n", out);
}

#define TAP_CONSOLE_LINES 30

/* The console tail of a run that did not boot as comment lines. */
static void tap_console(FILE *out, json_object *run)
{
	char *tail = rpt_clean_member(run, "console_tail", 0), *p, *nl;
	size_t lines = 0;

	if (!tail)
		return;
	for (p = tail; *p; p++)
		lines += *p == '\n';
	lines += p > tail && p[-1] != '\n';
	for (p = tail; *p; p = nl ? nl + 1 : p + strlen(p), lines--) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (lines <= TAP_CONSOLE_LINES) {
			char *c;

			/* a lone CR would end the comment line early */
			for (c = p; *c; c++)
				if (*c == '\r' || *c == '\t')
					*c = ' ';
			fprintf(out, "# console: %s\n", p);
		}
	}
	free(tail);
}

/* Test point num: ok or not ok, "run :: case", the directive of a skip,
 * xfail or xpass, and the YAML block of a problem. */
static void tap_case(FILE *out, const struct rpt_item *it, const char *run_name, unsigned num)
{
	char *msg = NULL;

	fprintf(out, "%s %u ", it->v == RPT_PASS || it->v == RPT_SKIP ? "ok" : "not ok", num);
	tap_desc(out, run_name);
	fputs(" :: ", out);
	tap_desc(out, it->name);
	if (it->v == RPT_SKIP || it->v == RPT_XFAIL || it->v == RPT_XPASS)
		msg = rpt_item_message(it);
	switch (it->v) {
	case RPT_SKIP:
		fprintf(out, " # SKIP %s", msg && *msg ? msg : "skipped");
		break;
	case RPT_XFAIL:
		fprintf(out, " # TODO xfail: %s", msg && *msg ? msg : "expected to fail");
		break;
	case RPT_XPASS:
		fprintf(out, " # XPASS %s", msg ? msg : "unexpected pass");
		break;
	default:
		break;
	}
	fputc('\n', out);
	free(msg);
	if (rpt_is_problem(it->v))
		tap_yaml(out, it);
}

int lab_report_write_tap(json_object *results, FILE *out)
{
	json_object *runs = lab_jsonval_arr(results, "runs"), *host = lab_jsonval_get(results, "host");
	struct rpt_counts c = { 0 };
	unsigned num_case = 0;
	size_t r;
	int i, n, total = 0;

	for (r = 0; r < lab_jsonval_len(runs); r++) {
		lab_autofree struct rpt_item *items = NULL;

		n = rpt_run_items(json_object_array_get_idx(runs, r), &items);
		if (n < 0) {
			errno = ENOMEM;
			return -1;
		}
		total += n;
	}
	fputs("TAP version 13\n", out);
	fputs("# iommu-lab run ", out);
	tap_desc(out, rpt_str_or(results, "run_id", "?"));
	fputs(": qemu ", out);
	tap_desc(out, rpt_str_or(host, "qemu", "?"));
	fputs(", libvirt ", out);
	tap_desc(out, rpt_str_or(host, "libvirt", "?"));
	fputc('\n', out);
	fprintf(out, "1..%d\n", total);
	for (r = 0; r < lab_jsonval_len(runs); r++) {
		json_object *run = json_object_array_get_idx(runs, r);
		const char *name = rpt_str_or(run, "name", "(unnamed)");
		lab_autofree struct rpt_item *items = NULL;
		char secs[32];

		n = rpt_run_items(run, &items);
		if (n < 0) {
			errno = ENOMEM;
			return -1;
		}
		rpt_fmt_secs(secs, sizeof(secs), rpt_num(run, "duration_s"), 1);
		fputs("# ", out);
		tap_desc(out, name);
		fprintf(out, ": status %s, verdict %s, %s s\n", rpt_status_class(rpt_status_of(run)),
			rpt_verdict_name[rpt_run_verdict(run)], secs);
		for (i = 0; i < n; i++) {
			if (!items[i].check && strcmp(rpt_status_of(run), "ok") &&
			    rpt_has_text(run, "console_tail"))
				tap_console(out, run);
			c.v[items[i].v]++;
			tap_case(out, &items[i], name, ++num_case);
		}
	}
	fprintf(out, "# Totals: pass:%u fail:%u xfail:%u xpass:%u skip:%u error:%u\n",
		c.v[RPT_PASS], c.v[RPT_FAIL], c.v[RPT_XFAIL], c.v[RPT_XPASS], c.v[RPT_SKIP], c.v[RPT_ERROR]);
	if (fflush(out) || ferror(out)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}
