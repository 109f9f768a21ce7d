/* SPDX-License-Identifier: MIT */
/*
 * The self-contained HTML page (lab_report_write_html): its inline CSS and
 * JS, the header with the overall verdict and counts, the "Compared with"
 * section from results["baseline"], one grid per matrix and the details of
 * each run and check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "jsonval.h"
#include "pcidiagram.h"
#include "report.h"
#include "report_internal.h"

/* Marks beside the colours, for readers who cannot tell them apart. */
static const char *const verdict_mark[RPT_VERDICTS] = {
	[RPT_PASS] = "\u2713", [RPT_FAIL] = "\u2717", [RPT_XFAIL] = "x",
	[RPT_XPASS] = "!", [RPT_SKIP] = "\u2013", [RPT_ERROR] = "E",
};

static const char html_css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222;background:#fff}\n"
	"h1{margin:.2em 0}h2{margin:1.2em 0 .4em}h3{margin:.2em 0}h4{margin:.2em 0;font-size:1em}\n"
	"table.meta td,table.meta th,table.kv td,table.kv th{text-align:left;padding:1px 8px 1px 0;vertical-align:top}\n"
	"table.meta th,table.kv th{color:#555;font-weight:normal}\n"
	".badge,.pill{display:inline-block;padding:0 6px;border-radius:3px;font-weight:bold}\n"
	".pill{margin-right:4px}\n"
	".v-pass{background:#43a047;color:#fff}.v-fail{background:#e53935;color:#fff}\n"
	".v-xfail{background:#ffb300;color:#222}.v-xpass{background:#8e24aa;color:#fff}\n"
	".v-skip{background:#bdbdbd;color:#222}.v-error{background:#7f0000;color:#fff}\n"
	".s-ok{color:#2e7d32}.s-skipped{color:#757575}\n"
	".s-timeout,.s-panic,.s-crashed,.s-error,.s-interrupted,.s-other{color:#b71c1c;font-weight:bold}\n"
	".scroll{overflow-x:auto}\n"
	".pcitree{margin:.6em 0}.pcitree svg{display:block}\n"
	"table.grid{border-collapse:collapse}\n"
	"table.grid th,table.grid td{border:1px solid #ddd;padding:2px 4px}\n"
	"table.grid th{vertical-align:bottom}\n"
	"table.grid th.rn{text-align:left;white-space:nowrap;font-weight:normal;max-width:32em;"
	"overflow:hidden;text-overflow:ellipsis}\n"
	"table.grid th.ck{vertical-align:bottom;font-weight:normal}\n"
	"table.grid th.ck div{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;"
	"max-height:14em;overflow:hidden;text-overflow:ellipsis}\n"
	"table.grid td.cell{text-align:center;min-width:1.4em}\n"
	"table.grid td.cell a{color:inherit;text-decoration:none;display:block}\n"
	"table.grid td.absent{background:#fff}\n"
	"body.problems-only tr.good{display:none}\n"
	".run{border-top:2px solid #ccc;margin-top:1.2em;padding-top:.4em}\n"
	".check{border-left:6px solid #ccc;margin:.6em 0;padding:.2em .8em;background:#fafafa;color:#222}\n"
	".check.v-pass{border-color:#43a047}.check.v-fail{border-color:#e53935}\n"
	".check.v-xfail{border-color:#ffb300}.check.v-xpass{border-color:#8e24aa}\n"
	".check.v-skip{border-color:#bdbdbd}.check.v-error{border-color:#7f0000}\n"
	":target{outline:3px solid #1e88e5}\n"
	"pre{white-space:pre-wrap;word-break:break-all;background:#f4f4f4;padding:4px 6px;margin:2px 0;"
	"max-height:30em;overflow:auto}\n"
	"table.eo{width:100%;table-layout:fixed}table.eo td{vertical-align:top}"
	"table.eo th{text-align:left;color:#555;font-weight:normal}\n"
	".label{color:#555;margin-top:.3em}.none{color:#777;font-style:italic}\n"
	"p.merged{color:#555;margin:.2em 0}p.merged-missing{color:#7f0000;font-weight:bold;margin:.2em 0}\n"
	".hidden{display:none}\n"
	"table.diff td,table.diff th{vertical-align:top}table.diff tr.newly_failing{background:#fdecea}\n"
	"table.diff ul{margin:0;padding-left:1.2em}\n"
	".charts svg.chart{display:inline-block;margin:.4em .8em .4em 0;border:1px solid #eee}\n"
	"table.perf td.num{text-align:right;font-variant-numeric:tabular-nums}\n";

static const char html_js[] =
	"(function(){\n"
	"var b=document.getElementById('only-problems');\n"
	"if(b)b.addEventListener('change',function(){"
	"document.body.classList.toggle('problems-only',b.checked);});\n"
	"var t=document.querySelectorAll('button.toggle');\n"
	"for(var i=0;i<t.length;i++)t[i].addEventListener('click',function(e){"
	"e.target.nextElementSibling.classList.toggle('hidden');});\n"
	"})();\n";

static void badge(struct rpt_tree *t, xmlNodePtr parent, enum rpt_verdict v)
{
	char cls[32];

	snprintf(cls, sizeof(cls), "badge v-%s", rpt_verdict_name[v]);
	rpt_el_text(t, parent, "span", cls, rpt_verdict_name[v]);
}

static void status_badge(struct rpt_tree *t, xmlNodePtr parent, const char *status)
{
	char cls[32];

	snprintf(cls, sizeof(cls), "badge s-%s", rpt_status_class(status));
	rpt_el_text(t, parent, "span", cls, status);
}

/* A heading and its value in a row: <th>key</th><td class=cls>value</td>. */
static void th_td(struct rpt_tree *t, xmlNodePtr tr, const char *key, const char *cls,
		  const char *value)
{
	rpt_el_text(t, tr, "th", NULL, key);
	rpt_el_text(t, tr, "td", cls, value);
}

/* A key/value row of a small table; nothing when the value is empty. */
static void kv(struct rpt_tree *t, xmlNodePtr table, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	th_td(t, rpt_el(t, table, "tr", NULL), key, NULL, value);
}

/* Clean text inside <pre class=cls> (takes ownership). */
static void pre_own(struct rpt_tree *t, xmlNodePtr parent, const char *cls, char *s)
{
	rpt_text_own(t, rpt_el(t, parent, "pre", cls), s);
}

/* The <thead> row of a grid: the run-name column, then heads (up to NULL).
 * Returns the row, for more columns. */
static xmlNodePtr head_row(struct rpt_tree *t, xmlNodePtr table, const char *const *heads)
{
	xmlNodePtr tr = rpt_el(t, rpt_el(t, table, "thead", NULL), "tr", NULL);

	rpt_el_text(t, tr, "th", "rn", "run");
	for (; *heads; heads++)
		rpt_el_text(t, tr, "th", NULL, *heads);
	return tr;
}

/* ---- the page's head and header -------------------------------------------- */

/* <head>: encoding, a policy that forbids anything external, title, CSS. */
static void html_head(struct rpt_tree *t, xmlNodePtr html, json_object *results)
{
	xmlNodePtr head = rpt_el(t, html, "head", NULL), meta;

	meta = rpt_el(t, head, "meta", NULL);
	rpt_attr(t, meta, "http-equiv", "Content-Type");
	rpt_attr(t, meta, "content", "text/html; charset=UTF-8");
	/* nothing external, ever: the page must work from a CI artefact */
	meta = rpt_el(t, head, "meta", NULL);
	rpt_attr(t, meta, "http-equiv", "Content-Security-Policy");
	rpt_attr(t, meta, "content", "default-src 'none'; style-src 'unsafe-inline'; "
		 "script-src 'unsafe-inline'; img-src data:");
	meta = rpt_el(t, head, "meta", NULL);
	rpt_attr(t, meta, "name", "viewport");
	rpt_attr(t, meta, "content", "width=device-width, initial-scale=1");
	rpt_textf(t, rpt_el(t, head, "title", NULL), "iommu-lab %s: %s",
		  rpt_str_or(results, "run_id", ""), rpt_verdict_name[rpt_overall_verdict(results)]);
	rpt_text(t, rpt_el(t, head, "style", NULL), html_css);
}

/* A merged folder (`report merge`): its shards, and the runs none held. */
static void html_merged(struct rpt_tree *t, xmlNodePtr top, json_object *results)
{
	json_object *merged = lab_jsonval_get(results, "merged");
	json_object *shards = lab_jsonval_arr(merged, "shards");
	json_object *missing = lab_jsonval_arr(merged, "missing");
	xmlNodePtr p;

	if (!merged)
		return;
	p = rpt_el(t, top, "p", "merged");
	rpt_textf(t, p, "merged from %zu shard%s:", lab_jsonval_len(shards),
		  lab_jsonval_len(shards) == 1 ? "" : "s");
	for (size_t i = 0; i < lab_jsonval_len(shards); i++) {
		json_object *s = json_object_array_get_idx(shards, i);

		rpt_textf(t, p, "%s %s (%s, %s on %s)", i ? "," : "", rpt_str_or(s, "dir", "?"),
			  rpt_str_or(s, "shard", "whole"), rpt_str_or(s, "verdict", "?"),
			  rpt_str_or(s, "hostname", "?"));
	}
	if (!lab_jsonval_len(missing))
		return;
	p = rpt_el(t, top, "p", "merged-missing");
	rpt_textf(t, p, "%zu run%s of the matrix in no shard (an error): ", lab_jsonval_len(missing),
		  lab_jsonval_len(missing) == 1 ? "" : "s");
	for (size_t i = 0; i < lab_jsonval_len(missing); i++)
		rpt_textf(t, p, "%s%s", i ? ", " : "",
			  json_object_get_string(json_object_array_get_idx(missing, i)));
}

/* The header's table: the invocation, and the host it ran on. */
static void html_meta(struct rpt_tree *t, xmlNodePtr top, json_object *results)
{
	json_object *host = lab_jsonval_get(results, "host");
	xmlNodePtr table = rpt_el(t, top, "table", "meta"), tr;
	char secs[32];

	rpt_fmt_secs(secs, sizeof(secs), rpt_num(results, "duration_s"), 1);
	tr = rpt_el(t, table, "tr", NULL);
	th_td(t, tr, "run", "run-id", rpt_str_or(results, "run_id", ""));
	th_td(t, tr, "started", NULL, rpt_str_or(results, "started", ""));
	rpt_el_text(t, tr, "th", NULL, "duration");
	rpt_textf(t, rpt_el(t, tr, "td", NULL), "%s s", secs);
	tr = rpt_el(t, table, "tr", NULL);
	th_td(t, tr, "host QEMU", NULL, rpt_str_or(host, "qemu", "?"));
	th_td(t, tr, "libvirt", NULL, rpt_str_or(host, "libvirt", "?"));
	th_td(t, tr, "host", NULL, rpt_str_or(host, "hostname", "?"));
	html_merged(t, top, results);
}

/* The overall verdict, the facts, the counts per verdict and the filter. */
static void html_header(struct rpt_tree *t, xmlNodePtr body, json_object *results)
{
	xmlNodePtr top = rpt_el(t, body, "div", "top"), p, label, input;
	struct rpt_counts c;
	unsigned nruns;
	int i;

	badge(t, rpt_el_text(t, top, "h1", NULL, "iommu-lab "), rpt_overall_verdict(results));
	html_meta(t, top, results);
	rpt_summary_counts(results, &c, &nruns);
	p = rpt_el(t, top, "p", "counts");
	rpt_textf(t, p, "%u runs, %u checks: ", nruns, c.tests);
	for (i = 0; i < RPT_VERDICTS; i++) {
		char cls[32];

		snprintf(cls, sizeof(cls), "pill v-%s", rpt_verdict_name[i]);
		rpt_textf(t, rpt_el(t, p, "span", cls), "%u %s", c.v[i], rpt_verdict_name[i]);
		rpt_text(t, p, " ");
	}
	p = rpt_el(t, top, "p", "tools");
	label = rpt_el(t, p, "label", NULL);
	input = rpt_el(t, label, "input", NULL);
	rpt_attr(t, input, "type", "checkbox");
	rpt_attr(t, input, "id", "only-problems");
	rpt_text(t, label, " only runs with problems (fail, xpass, error)");
}

/* ---- compared with a baseline ---------------------------------------------- */

/* One changed check or observation of a diff entry as a list item. */
static void html_diff_item(struct rpt_tree *t, xmlNodePtr ul, const char *what, json_object *old,
			   json_object *new)
{
	xmlNodePtr li = rpt_el(t, ul, "li", NULL);

	rpt_text(t, li, what);
	rpt_text(t, li, ": ");
	rpt_text_own(t, rpt_el(t, li, "code", NULL), rpt_clean_json(old, 0));
	rpt_text(t, li, " \u2192 ");
	rpt_text_own(t, rpt_el(t, li, "code", NULL), rpt_clean_json(new, 0));
}

/* One run of the diff document: its change, verdicts and what changed. */
static void html_diff_row(struct rpt_tree *t, xmlNodePtr tbody, json_object *e)
{
	json_object *checks = lab_jsonval_arr(e, "checks");
	json_object *obs = lab_jsonval_arr(e, "observations");
	const char *change = rpt_str_or(e, "change", "?");
	xmlNodePtr row, td, ul;
	size_t i;

	row = rpt_el(t, tbody, "tr", !strcmp(change, "newly_failing") ?
		     "newly_failing problem" : "changed");
	rpt_attr(t, row, "data-run", rpt_str_or(e, "name", "(unnamed)"));
	rpt_el_text(t, row, "th", "rn", rpt_str_or(e, "name", "(unnamed)"));
	rpt_el_text(t, row, "td", "change", change);
	rpt_el_text(t, row, "td", NULL, rpt_str_or(e, "old_verdict", "absent"));
	rpt_el_text(t, row, "td", NULL, rpt_str_or(e, "new_verdict", "absent"));
	td = rpt_el(t, row, "td", NULL);
	if (!lab_jsonval_len(checks) && !lab_jsonval_len(obs))
		return;
	ul = rpt_el(t, td, "ul", NULL);
	for (i = 0; i < lab_jsonval_len(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i);
		char *what = NULL;

		if (asprintf(&what, "check %s", rpt_str_or(c, "name", "(unnamed)")) < 0) {
			t->oom = 1;
			continue;
		}
		html_diff_item(t, ul, what, lab_jsonval_get(c, "old_verdict"),
			       lab_jsonval_get(c, "new_verdict"));
		free(what);
	}
	for (i = 0; i < lab_jsonval_len(obs); i++) {
		json_object *o = json_object_array_get_idx(obs, i);

		html_diff_item(t, ul, rpt_str_or(o, "path", "?"), lab_jsonval_get(o, "old"),
			       lab_jsonval_get(o, "new"));
	}
}

/* "Compared with DIR": the diff document results["baseline"] holds (see
 * diff.h), when run --baseline put one there. */
static void html_baseline(struct rpt_tree *t, xmlNodePtr body, json_object *results)
{
	static const char *const heads[] = { "change", "baseline", "now", "what changed", NULL };
	json_object *b = lab_jsonval_get(results, "baseline"), *runs = lab_jsonval_arr(b, "runs");
	json_object *old = lab_jsonval_get(b, "old"), *old_host = lab_jsonval_get(old, "host");
	xmlNodePtr h2, table, tbody;
	char line[256];
	size_t r;

	if (!json_object_is_type(b, json_type_object))
		return;
	h2 = rpt_el_text(t, body, "h2", NULL, "Compared with ");
	rpt_attr(t, h2, "id", "baseline");
	rpt_text(t, h2, rpt_str_or(b, "dir", rpt_str_or(old, "run_id", "?")));
	rpt_textf(t, rpt_el(t, body, "p", "none"), "baseline run %s (QEMU %s, libvirt %s)",
		  rpt_str_or(old, "run_id", "?"), rpt_str_or(old_host, "qemu", "?"),
		  rpt_str_or(old_host, "libvirt", "?"));
	lab_diff_summary_line(b, line, sizeof(line));
	rpt_el_text(t, body, "p", "diff-summary", line);
	if (!lab_jsonval_len(runs))
		return;
	table = rpt_el(t, rpt_el(t, body, "div", "scroll"), "table", "grid diff");
	head_row(t, table, heads);
	tbody = rpt_el(t, table, "tbody", NULL);
	for (r = 0; r < lab_jsonval_len(runs); r++)
		html_diff_row(t, tbody, json_object_array_get_idx(runs, r));
}

/* ---- one grid per matrix --------------------------------------------------- */

/* Check names of a matrix's runs, in first-seen order; how many, or -1. */
static int columns(json_object *runs, const char *matrix, const char ***out)
{
	size_t r, i, j, n = 0, max = 0;
	const char **cols;

	for (r = 0; r < lab_jsonval_len(runs); r++)
		max += lab_jsonval_len(lab_jsonval_arr(json_object_array_get_idx(runs, r), "checks"));
	cols = calloc(max + 1, sizeof(*cols));
	*out = cols;
	if (!cols)
		return -1;
	for (r = 0; r < lab_jsonval_len(runs); r++) {
		json_object *run = json_object_array_get_idx(runs, r);
		json_object *checks = lab_jsonval_arr(run, "checks");

		if (strcmp(rpt_matrix_of(run), matrix))
			continue;
		for (i = 0; i < lab_jsonval_len(checks); i++) {
			const char *name = rpt_str_or(json_object_array_get_idx(checks, i),
						      "name", "(unnamed)");

			for (j = 0; j < n && strcmp(cols[j], name); j++)
				;
			if (j == n)
				cols[n++] = name;
		}
	}
	return n;
}

/* The first check of a run with that name, or -1. */
static int check_index(json_object *run, const char *name)
{
	json_object *checks = lab_jsonval_arr(run, "checks");
	size_t i;

	for (i = 0; i < lab_jsonval_len(checks); i++)
		if (!strcmp(rpt_str_or(json_object_array_get_idx(checks, i), "name", "(unnamed)"), name))
			return i;
	return -1;
}

/* The cell of run ri's check col: its verdict's mark, linking to the check. */
static void html_grid_cell(struct rpt_tree *t, xmlNodePtr tr, json_object *run, size_t ri,
			   const char *col)
{
	int ci = check_index(run, col);
	enum rpt_verdict v;
	xmlNodePtr td, a;
	char cls[32];

	if (ci < 0) {
		td = rpt_el(t, tr, "td", "cell absent");
		rpt_attr(t, td, "data-check", col);
		return;
	}
	v = rpt_verdict_of(json_object_array_get_idx(lab_jsonval_arr(run, "checks"), ci), RPT_ERROR);
	snprintf(cls, sizeof(cls), "cell v-%s", rpt_verdict_name[v]);
	td = rpt_el(t, tr, "td", cls);
	rpt_attr(t, td, "data-check", col);
	rpt_attrf(t, td, "title", "%s: %s", col, rpt_verdict_name[v]);
	a = rpt_el_text(t, td, "a", NULL, verdict_mark[v]);
	rpt_attrf(t, a, "href", "#c-%zu-%d", ri, ci);
}

/* Run ri's row: its name linking to its details, status, verdict, cells. */
static void html_grid_row(struct rpt_tree *t, xmlNodePtr tbody, json_object *run, size_t ri,
			  const char **cols, int ncols)
{
	const char *name = rpt_str_or(run, "name", "(unnamed)"), *status = rpt_status_of(run);
	enum rpt_verdict rv = rpt_run_verdict(run);
	xmlNodePtr tr, th;
	char cls[32];
	int i;

	tr = rpt_el(t, tbody, "tr", rpt_is_problem(rv) ? "run problem" : "run good");
	rpt_attr(t, tr, "data-run", name);
	th = rpt_el(t, tr, "th", "rn");
	rpt_attr(t, th, "title", name);
	rpt_attrf(t, rpt_el_text(t, th, "a", NULL, name), "href", "#r-%zu", ri);
	snprintf(cls, sizeof(cls), "status s-%s", rpt_status_class(status));
	rpt_el_text(t, tr, "td", cls, status);
	snprintf(cls, sizeof(cls), "verdict v-%s", rpt_verdict_name[rv]);
	rpt_el_text(t, tr, "td", cls, rpt_verdict_name[rv]);
	for (i = 0; i < ncols; i++)
		html_grid_cell(t, tr, run, ri, cols[i]);
}

/* The grid of one matrix (the mi-th): a row per run, a column per check. */
static void html_grid(struct rpt_tree *t, xmlNodePtr body, json_object *results,
		      const char *matrix, size_t mi)
{
	static const char *const heads[] = { "status", "verdict", NULL };
	json_object *runs = lab_jsonval_arr(results, "runs");
	xmlNodePtr h2, table, tr, th, tbody;
	const char **cols;
	int i, ncols = columns(runs, matrix, &cols);
	size_t r, nruns = 0;

	if (ncols < 0) {
		t->oom = 1;
		return;
	}
	for (r = 0; r < lab_jsonval_len(runs); r++)
		nruns += !strcmp(rpt_matrix_of(json_object_array_get_idx(runs, r)), matrix);
	h2 = rpt_el_text(t, body, "h2", NULL, matrix);
	rpt_attrf(t, h2, "id", "m-%zu", mi);
	rpt_textf(t, rpt_el(t, h2, "span", "none"), " (%zu run%s, %d check%s)",
		  nruns, nruns == 1 ? "" : "s", ncols, ncols == 1 ? "" : "s");
	table = rpt_el(t, rpt_el(t, body, "div", "scroll"), "table", "grid");
	rpt_attr(t, table, "data-matrix", matrix);
	tr = head_row(t, table, heads);
	for (i = 0; i < ncols; i++) {
		th = rpt_el(t, tr, "th", "ck");
		rpt_attr(t, th, "title", cols[i]);
		rpt_el_text(t, th, "div", NULL, cols[i]);
	}
	tbody = rpt_el(t, table, "tbody", NULL);
	for (r = 0; r < lab_jsonval_len(runs); r++) {
		json_object *run = json_object_array_get_idx(runs, r);

		if (!strcmp(rpt_matrix_of(run), matrix))
			html_grid_row(t, tbody, run, r, cols, ncols);
	}
	free(cols);
}

/* ---- the details of each run and check ------------------------------------- */

/* A check's expected or observed value as pretty JSON; "(absent)" when the
 * check has no such member (a JSON null is "null"). */
static char *json_or_absent(json_object *check, const char *key)
{
	if (json_object_object_get_ex(check, key, NULL))
		return rpt_clean_json(lab_jsonval_get(check, key), 1);
	return rpt_clean("(absent)", 0);
}

/* A check's evidence, one log line each (a line that is no string as JSON). */
static void html_evidence(struct rpt_tree *t, xmlNodePtr div, json_object *ev)
{
	size_t i, size = 0;
	char *lines = NULL;
	FILE *f;

	rpt_el_text(t, div, "div", "label", "evidence");
	if (!lab_jsonval_len(ev)) {
		rpt_el_text(t, div, "p", "none", "no log lines");
		return;
	}
	f = open_memstream(&lines, &size);
	if (!f) {
		t->oom = 1;
		return;
	}
	for (i = 0; i < lab_jsonval_len(ev); i++) {
		json_object *l = json_object_array_get_idx(ev, i);

		if (json_object_is_type(l, json_type_string))
			fwrite(json_object_get_string(l), 1, json_object_get_string_len(l), f);
		else
			fputs(json_object_to_json_string_ext(l, JSON_C_TO_STRING_PLAIN), f);
		fputc('\n', f);
	}
	if (fclose(f)) {
		t->oom = 1;
		free(lines);
		return;
	}
	pre_own(t, div, "evidence", rpt_clean_len(lines, size, 0));
	free(lines);
}

/* Check ci of run ri: verdict and name, reason, expected beside observed,
 * evidence. */
static void html_check(struct rpt_tree *t, xmlNodePtr parent, json_object *check, size_t ri,
		       size_t ci)
{
	enum rpt_verdict v = rpt_verdict_of(check, RPT_ERROR);
	xmlNodePtr div, h4, tr, eo;
	char cls[32];

	snprintf(cls, sizeof(cls), "check v-%s", rpt_verdict_name[v]);
	div = rpt_el(t, parent, "div", cls);
	rpt_attrf(t, div, "id", "c-%zu-%zu", ri, ci);
	h4 = rpt_el(t, div, "h4", NULL);
	badge(t, h4, v);
	rpt_text(t, h4, " ");
	rpt_text(t, h4, rpt_str_or(check, "name", "(unnamed)"));
	if (rpt_has_text(check, "reason"))
		rpt_text_own(t, rpt_el(t, div, "p", "reason"), rpt_clean_member(check, "reason", 0));
	eo = rpt_el(t, div, "table", "eo");
	tr = rpt_el(t, eo, "tr", NULL);
	rpt_el_text(t, tr, "th", NULL, "expected");
	rpt_el_text(t, tr, "th", NULL, "observed");
	tr = rpt_el(t, eo, "tr", NULL);
	pre_own(t, rpt_el(t, tr, "td", NULL), "json expected", json_or_absent(check, "expected"));
	pre_own(t, rpt_el(t, tr, "td", NULL), "json observed", json_or_absent(check, "observed"));
	html_evidence(t, div, lab_jsonval_arr(check, "evidence"));
}

/* A run's heading: matrix (linking to its grid), name, verdict, status. */
static void html_run_title(struct rpt_tree *t, xmlNodePtr div, json_object *run, size_t mi)
{
	xmlNodePtr h3 = rpt_el(t, div, "h3", NULL), a;

	a = rpt_el_text(t, h3, "a", NULL, rpt_matrix_of(run));
	rpt_attrf(t, a, "href", "#m-%zu", mi);
	rpt_text(t, h3, " / ");
	rpt_text(t, h3, rpt_str_or(run, "name", "(unnamed)"));
	rpt_text(t, h3, " ");
	badge(t, h3, rpt_run_verdict(run));
	rpt_text(t, h3, " ");
	status_badge(t, h3, rpt_status_of(run));
}

/* A run's facts as a key/value table: variant, platform, kernel, QEMU,
 * scenario, duration and why it did not pass. */
static void html_run_facts(struct rpt_tree *t, xmlNodePtr div, json_object *run)
{
	const char *file = lab_jsonval_str(run, "file"), *qemu = lab_jsonval_str(run, "qemu_version");
	xmlNodePtr kvt = rpt_el(t, div, "table", "kv");
	char secs[32], *at = NULL;

	kv(t, kvt, "variant", lab_jsonval_str(run, "variant"));
	kv(t, kvt, "platform", lab_jsonval_str(run, "platform"));
	kv(t, kvt, "kernel", lab_jsonval_str(run, "kernel"));
	if (qemu) {
		const char *build = lab_jsonval_str(run, "qemu_build");
		char *q = NULL;

		/* the QEMU this run really ran on: the host's, or the axis's */
		if (asprintf(&q, "%s (%s)", qemu, build ? build : "system") >= 0)
			kv(t, kvt, "QEMU", q);
		free(q);
	}
	if (file && asprintf(&at, "%s:%d", file, rpt_whole(run, "line")) >= 0) {
		kv(t, kvt, "scenario", at);
		free(at);
	}
	rpt_fmt_secs(secs, sizeof(secs), rpt_num(run, "duration_s"), 1);
	strcat(secs, " s");
	kv(t, kvt, "duration", secs);
	if (rpt_has_text(run, "reason")) {
		xmlNodePtr tr = rpt_el(t, kvt, "tr", NULL);

		rpt_el_text(t, tr, "th", NULL, "reason");
		rpt_text_own(t, rpt_el(t, tr, "td", "reason"), rpt_clean_member(run, "reason", 0));
	}
}

/* Links to a run's console.log and kmsg.log, its console tail and journal. */
static void html_run_logs(struct rpt_tree *t, xmlNodePtr div, json_object *run)
{
	const char *dir = lab_jsonval_str(run, "dir");
	xmlNodePtr p, a;

	if (dir) {
		p = rpt_el_text(t, div, "p", "logs", "logs: ");
		/* "./" keeps a folder name such as "javascript:..." a relative path */
		a = rpt_el_text(t, p, "a", NULL, "console.log");
		rpt_attrf(t, a, "href", "./%s/console.log", dir);
		rpt_text(t, p, " ");
		a = rpt_el_text(t, p, "a", NULL, "kmsg.log");
		rpt_attrf(t, a, "href", "./%s/kmsg.log", dir);
	}
	if (lab_jsonval_get(run, "console_tail")) {
		rpt_el_text(t, div, "div", "label", "console tail");
		pre_own(t, div, "console", rpt_clean_member(run, "console_tail", 0));
	}
	if (lab_jsonval_get(run, "journal")) {
		rpt_el_text(t, div, "div", "label", "agent journal (read back from its disk)");
		pre_own(t, div, "console", rpt_clean_member(run, "journal", 0));
	}
}

/* A run with a topology: its PCI tree as the guest showed it, its groups and
 * what the checks said of its devices (pcidiagram.h), as inline SVG. */
static void html_run_tree(struct rpt_tree *t, xmlNodePtr div, json_object *run)
{
	json_object *obs = lab_jsonval_obj(run, "observations");
	struct lab_pcidiagram *d = lab_pcidiagram_new(obs, lab_jsonval_arr(run, "checks"));
	xmlNodePtr box, svg = NULL;

	if (!d) {
		t->oom |= lab_jsonval_obj(obs, "topology") != NULL;
		return;
	}
	/* the picture has its own heading */
	box = rpt_el(t, div, "div", "scroll pcitree");
	if (box)
		svg = lab_pcidiagram_svg(d, t->doc);
	if (!svg || !xmlAddChild(box, svg)) {
		xmlFreeNode(svg);
		t->oom = 1;
	}
	lab_pcidiagram_free(d);
}

/* Run ri (of the mi-th matrix) in full: heading, facts, its PCI tree, logs,
 * each check, then its observations behind a button. */
static void html_run(struct rpt_tree *t, xmlNodePtr body, json_object *run, size_t ri, size_t mi)
{
	json_object *checks = lab_jsonval_arr(run, "checks");
	json_object *obs = lab_jsonval_get(run, "observations");
	xmlNodePtr div, p, btn;
	size_t i;

	div = rpt_el(t, body, "div", "run");
	rpt_attrf(t, div, "id", "r-%zu", ri);
	html_run_title(t, div, run, mi);
	html_run_facts(t, div, run);
	html_run_tree(t, div, run);
	html_run_logs(t, div, run);
	if (!lab_jsonval_len(checks))
		rpt_el_text(t, div, "p", "none", "no checks");
	for (i = 0; i < lab_jsonval_len(checks); i++)
		html_check(t, div, json_object_array_get_idx(checks, i), ri, i);
	if (obs) {
		p = rpt_el(t, div, "div", "obs");
		btn = rpt_el_text(t, p, "button", "toggle", "observations");
		rpt_attr(t, btn, "type", "button");
		pre_own(t, p, "json hidden", rpt_clean_json(obs, 1));
	}
}

/* ---- the page -------------------------------------------------------------- */

int lab_report_write_html(json_object *results, const char *path, struct lab_error *err)
{
	json_object *runs = lab_jsonval_arr(results, "runs");
	struct rpt_tree t;
	xmlNodePtr html = rpt_new_tree(&t, "html", 1, path, err), body;
	const char **m = NULL;
	size_t i, r, nm;

	if (!html)
		return -1;
	rpt_attr(&t, html, "lang", "en");
	html_head(&t, html, results);

	body = rpt_el(&t, html, "body", NULL);
	html_header(&t, body, results);
	html_baseline(&t, body, results);
	rpt_html_perf(&t, body, results);
	nm = rpt_matrices(runs, &m);
	if (!m)
		t.oom = 1;
	if (!nm)
		rpt_el_text(&t, body, "p", "none", "no runs");
	for (i = 0; i < nm; i++)
		html_grid(&t, body, results, m[i], i);
	if (nm)
		rpt_el_text(&t, body, "h2", NULL, "details");
	for (i = 0; i < nm; i++)
		for (r = 0; r < lab_jsonval_len(runs); r++)
			if (!strcmp(rpt_matrix_of(json_object_array_get_idx(runs, r)), m[i]))
				html_run(&t, body, json_object_array_get_idx(runs, r), r, i);
	free(m);
	rpt_text(&t, rpt_el(&t, body, "script", NULL), html_js);
	return rpt_save_tree(&t, path, 1, err);
}
