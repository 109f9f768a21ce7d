/* SPDX-License-Identifier: MIT */
/*
 * The terminal table (lab_report_print_table): one line per run with its
 * counts and first problem, then the summary line, each cut to
 * LAB_REPORT_TABLE_WIDTH columns, coloured only when asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonval.h"
#include "report.h"
#include "report_internal.h"

#define W_NAME_MIN 8
#define W_NAME_MAX 36
#define W_STATUS 11
#define W_VERDICT 7

static const char *const verdict_color[RPT_VERDICTS] = {
	[RPT_PASS] = "32", [RPT_FAIL] = "31", [RPT_XFAIL] = "33",
	[RPT_XPASS] = "35", [RPT_SKIP] = "90", [RPT_ERROR] = "1;31",
};

static const struct {
	const char *head;
	int width;
	enum rpt_verdict v;
} count_cols[] = {
	{ "PASS", 4, RPT_PASS }, { "FAIL", 4, RPT_FAIL }, { "XFAIL", 5, RPT_XFAIL },
	{ "XPASS", 5, RPT_XPASS }, { "SKIP", 4, RPT_SKIP }, { "ERROR", 5, RPT_ERROR },
};

#define N_COUNT_COLS (sizeof(count_cols) / sizeof(count_cols[0]))

/* One column: text cleaned to one line, cut to width, padded unless last;
 * colour codes wrap the text only, so padding stays right. */
static void col(FILE *out, const char *s, size_t width, int right, const char *color, int last)
{
	char buf[LAB_REPORT_TABLE_WIDTH * 4 + 8];
	char *c = rpt_clean(s, RPT_ONE_LINE);
	size_t w, pad;

	if (width > LAB_REPORT_TABLE_WIDTH)
		width = LAB_REPORT_TABLE_WIDTH;
	w = rpt_fit(buf, c ? c : "?", width);
	free(c);
	pad = width - w;
	if (right)
		fprintf(out, "%*s", (int)pad, "");
	if (color && *buf)
		fprintf(out, "\033[%sm%s\033[0m", color, buf);
	else
		fputs(buf, out);
	if (!right && !last)
		fprintf(out, "%*s", (int)pad, "");
	if (!last)
		fputc(' ', out);
}

/* The run-name column: as wide as the longest name, within limits. */
static size_t name_width(json_object *runs)
{
	size_t r, w = W_NAME_MIN;

	for (r = 0; r < lab_jsonval_len(runs); r++) {
		char *c = rpt_clean(rpt_str_or(json_object_array_get_idx(runs, r), "name", "(unnamed)"),
				RPT_ONE_LINE);

		if (c && rpt_width_of(c) > w)
			w = rpt_width_of(c);
		free(c);
	}
	return w < W_NAME_MAX ? w : W_NAME_MAX;
}

static size_t problem_width(size_t name_w)
{
	size_t w = name_w + 1 + W_STATUS + 1 + W_VERDICT + 1 + 1, i;

	for (i = 0; i < N_COUNT_COLS; i++)
		w += count_cols[i].width + 1;
	return LAB_REPORT_TABLE_WIDTH - w;
}

/* "check: reason" for the first failing check, else why the run did not
 * boot or was skipped, else "". */
static char *first_problem(json_object *run)
{
	struct rpt_item *items;
	int i, n = rpt_run_items(run, &items), pick = -1;
	char *msg, *s = NULL;

	for (i = 0; i < n && pick < 0; i++)
		if (rpt_is_problem(items[i].v))
			pick = i;
	if (pick < 0 && n > 0 && !items[0].check && strcmp(rpt_status_of(run), "ok"))
		pick = 0;
	if (pick < 0) {
		free(items);
		return strdup("");
	}
	msg = rpt_item_message(&items[pick]);
	if (msg && items[pick].check) {
		if (asprintf(&s, "%s: %s", items[pick].name, msg) < 0)
			s = NULL;
		free(msg);
		msg = s;
	} else if (msg && !strcmp(items[pick].name, "verdict")) {
		if (asprintf(&s, "verdict: %s", msg) < 0)
			s = NULL;
		free(msg);
		msg = s;
	}
	free(items);
	return msg;
}

/* One run's line: name (nw columns), status, verdict, its checks counted
 * per verdict, its first problem. */
static void table_row(FILE *out, json_object *run, size_t nw, int color)
{
	json_object *checks = lab_jsonval_arr(run, "checks");
	const char *status = rpt_status_of(run);
	enum rpt_verdict rv = rpt_run_verdict(run);
	unsigned k[RPT_VERDICTS] = { 0 };
	char n[16], *problem;
	size_t i;

	for (i = 0; i < lab_jsonval_len(checks); i++)
		k[rpt_verdict_of(json_object_array_get_idx(checks, i), RPT_ERROR)]++;
	col(out, rpt_str_or(run, "name", "(unnamed)"), nw, 0, NULL, 0);
	col(out, status, W_STATUS, 0, color && strcmp(status, "ok") ?
	    (strcmp(status, "skipped") ? verdict_color[RPT_ERROR] : verdict_color[RPT_SKIP]) :
	    NULL, 0);
	col(out, rpt_verdict_name[rv], W_VERDICT, 0, color ? verdict_color[rv] : NULL, 0);
	for (i = 0; i < N_COUNT_COLS; i++) {
		enum rpt_verdict cv = count_cols[i].v;

		snprintf(n, sizeof(n), "%u", k[cv]);
		col(out, n, count_cols[i].width, 1,
		    color && k[cv] && cv != RPT_PASS ? verdict_color[cv] : NULL, 0);
	}
	fputc(' ', out);
	problem = first_problem(run);
	col(out, problem ? problem : "", problem_width(nw), 0, NULL, 1);
	free(problem);
	fputc('\n', out);
}

void lab_report_print_table(json_object *results, FILE *out, int color)
{
	json_object *runs = lab_jsonval_arr(results, "runs");
	enum rpt_verdict v = rpt_overall_verdict(results);
	char line[LAB_REPORT_TABLE_WIDTH * 4 + 8], secs[32], *plain = NULL;
	size_t r, i, nw = name_width(runs);
	struct rpt_counts c;
	unsigned nruns;

	col(out, "RUN", nw, 0, NULL, 0);
	col(out, "STATUS", W_STATUS, 0, NULL, 0);
	col(out, "VERDICT", W_VERDICT, 0, NULL, 0);
	for (i = 0; i < N_COUNT_COLS; i++)
		col(out, count_cols[i].head, count_cols[i].width, 1, NULL, 0);
	fputc(' ', out);
	col(out, "FIRST PROBLEM", problem_width(nw), 0, NULL, 1);
	fputc('\n', out);
	for (r = 0; r < lab_jsonval_len(runs); r++)
		table_row(out, json_object_array_get_idx(runs, r), nw, color);

	rpt_summary_counts(results, &c, &nruns);
	rpt_fmt_secs(secs, sizeof(secs), rpt_num(results, "duration_s"), 1);
	if (asprintf(&plain, "%u runs, %u checks: %u pass, %u fail, %u xfail, %u xpass, %u skip, "
		     "%u error in %s s; verdict ", nruns, c.tests, c.v[RPT_PASS], c.v[RPT_FAIL],
		     c.v[RPT_XFAIL], c.v[RPT_XPASS], c.v[RPT_SKIP], c.v[RPT_ERROR], secs) < 0)
		plain = NULL;
	rpt_fit(line, plain ? plain : "", LAB_REPORT_TABLE_WIDTH - 5);
	free(plain);
	fputs(line, out);
	if (color)
		fprintf(out, "\033[1;%sm%s\033[0m\n", verdict_color[v], rpt_verdict_name[v]);
	else
		fprintf(out, "%s\n", rpt_verdict_name[v]);
}
