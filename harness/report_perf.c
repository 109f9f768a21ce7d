/* SPDX-License-Identifier: MIT */
/*
 * report.html's comparison of measured runs (results["perf"], perf.h):
 * per platform, kernel and QEMU, inline SVG bar charts (latency by size
 * and policy, IOTLB invalidations per MiB by policy, hit rates), a table
 * with the spread, and the relations judged between runs. The charts are
 * plain SVG elements built with libxml2; every label comes from the
 * results, cleaned like any other text.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonval.h"
#include "report_internal.h"

#define CH_W 640         /* a chart's width */
#define CH_H 220         /* its plot's height */
#define CH_LEFT 60       /* room for the axis labels */
#define CH_TOP 28        /* the title */
#define CH_BOTTOM 40     /* category labels */
#define LEGEND_H 18      /* a legend row */
#define MAX_CAT 24
#define MAX_SER 8

static const char *const palette[MAX_SER] = {
	"#1e88e5", "#e53935", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#6d4c41", "#546e7a"
};

struct chart {
	const char *title, *unit;
	int log_ok;                      /* a log axis when the values span decades */
	size_t ncat, nser;
	char cat[MAX_CAT][64];
	char ser[MAX_SER][64];
	double v[MAX_CAT][MAX_SER];      /* NAN: no bar */
	double hi[MAX_CAT][MAX_SER];     /* a whisker up to it (p90), or NAN */
};

static void chart_init(struct chart *c, const char *title, const char *unit)
{
	memset(c, 0, sizeof(*c));
	c->title = title;
	c->unit = unit;
	for (size_t i = 0; i < MAX_CAT; i++)
		for (size_t j = 0; j < MAX_SER; j++)
			c->v[i][j] = c->hi[i][j] = NAN;
}

static int index_of(char (*names)[64], size_t *n, size_t max, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(names[i], name))
			return (int)i;
	if (*n >= max)
		return -1;
	snprintf(names[*n], 64, "%s", name);
	return (int)(*n)++;
}

static void chart_put(struct chart *c, const char *cat, const char *ser, double v, double hi)
{
	int i, j;

	if (!isfinite(v))
		return;      /* no bar: no category or series for it either */
	i = index_of(c->cat, &c->ncat, MAX_CAT, cat);
	j = index_of(c->ser, &c->nser, MAX_SER, ser);
	if (i < 0 || j < 0)
		return;
	c->v[i][j] = v;
	c->hi[i][j] = isfinite(hi) ? hi : NAN;
}

static xmlNodePtr svg_el(struct rpt_tree *t, xmlNodePtr parent, const char *tag)
{
	return rpt_el(t, parent, tag, NULL);
}

static void svg_text(struct rpt_tree *t, xmlNodePtr parent, double x, double y, const char *anchor,
		     int size, const char *s)
{
	xmlNodePtr n = svg_el(t, parent, "text");

	rpt_attrf(t, n, "x", "%.1f", x);
	rpt_attrf(t, n, "y", "%.1f", y);
	rpt_attrf(t, n, "font-size", "%d", size);
	rpt_attr(t, n, "text-anchor", anchor);
	rpt_text(t, n, s);
}

static void svg_line(struct rpt_tree *t, xmlNodePtr parent, double x1, double y1, double x2,
		     double y2, const char *stroke)
{
	xmlNodePtr n = svg_el(t, parent, "line");

	rpt_attrf(t, n, "x1", "%.1f", x1);
	rpt_attrf(t, n, "y1", "%.1f", y1);
	rpt_attrf(t, n, "x2", "%.1f", x2);
	rpt_attrf(t, n, "y2", "%.1f", y2);
	rpt_attr(t, n, "stroke", stroke);
}

/* A nice round top for the axis. */
static double axis_top(double max)
{
	double p = pow(10, floor(log10(max)));

	for (double m = 1; m <= 10; m *= 2)
		if (m * p >= max)
			return m * p;
	return 10 * p;
}

/* Where v sits on the axis, 0..1: linear from 0 to top, or log from
 * 10^lo to 10^hi. */
static double scale(double v, int log_axis, double top, double lo, double hi)
{
	if (!log_axis)
		return v / top;
	if (v <= 0)
		return 0;
	return (log10(v) - lo) / (hi - lo);
}

static void chart_draw(struct rpt_tree *t, xmlNodePtr parent, const struct chart *c)
{
	double max = 0, min = INFINITY, top, slot, bw, lo = 0, hi = 1;
	int log_axis;
	int h = CH_TOP + CH_H + CH_BOTTOM + LEGEND_H * (int)((c->nser + 3) / 4);
	xmlNodePtr svg, n;
	char buf[64];

	if (!c->ncat || !c->nser)
		return;
	for (size_t i = 0; i < c->ncat; i++)
		for (size_t j = 0; j < c->nser; j++) {
			if (isfinite(c->v[i][j]) && c->v[i][j] > max)
				max = c->v[i][j];
			if (isfinite(c->v[i][j]) && c->v[i][j] > 0 && c->v[i][j] < min)
				min = c->v[i][j];
			if (isfinite(c->hi[i][j]) && c->hi[i][j] > max)
				max = c->hi[i][j];
		}
	top = max > 0 ? axis_top(max) : 1;
	log_axis = c->log_ok && isfinite(min) && max / min > 50;
	if (log_axis) {
		lo = floor(log10(min));
		hi = ceil(log10(max));
		if (hi <= lo)
			hi = lo + 1;
	}
	svg = rpt_el(t, parent, "svg", "chart");
	rpt_attr(t, svg, "xmlns", "http://www.w3.org/2000/svg");
	rpt_attrf(t, svg, "width", "%d", CH_W);
	rpt_attrf(t, svg, "height", "%d", h);
	rpt_attrf(t, svg, "viewBox", "0 0 %d %d", CH_W, h);
	rpt_attr(t, svg, "role", "img");
	svg_text(t, svg, CH_W / 2.0, 18, "middle", 13, c->title);
	/* the axis: quarters of a round top, or each decade */
	for (int k = 0; k <= (log_axis ? (int)(hi - lo) : 4); k++) {
		double y = log_axis ? CH_TOP + CH_H - CH_H * k / (hi - lo) : CH_TOP + CH_H - CH_H * k / 4.0;

		svg_line(t, svg, CH_LEFT, y, CH_W - 10, y, k ? "#eee" : "#999");
		snprintf(buf, sizeof(buf), "%g", log_axis ? pow(10, lo + k) : top * k / 4);
		svg_text(t, svg, CH_LEFT - 4, y + 4, "end", 10, buf);
	}
	if (log_axis)
		svg_text(t, svg, CH_W - 12, CH_TOP - 4, "end", 10, "log scale");
	n = svg_el(t, svg, "text");     /* the unit, up the axis */
	rpt_attr(t, n, "font-size", "10");
	rpt_attr(t, n, "text-anchor", "middle");
	rpt_attrf(t, n, "transform", "translate(14 %d) rotate(-90)", CH_TOP + CH_H / 2);
	rpt_text(t, n, c->unit);
	slot = (double)(CH_W - 10 - CH_LEFT) / (double)c->ncat;
	bw = (slot - 8) / (double)c->nser;
	for (size_t i = 0; i < c->ncat; i++) {
		double x0 = CH_LEFT + slot * (double)i + 4;

		svg_text(t, svg, x0 + (slot - 8) / 2, CH_TOP + CH_H + 14, "middle", 10, c->cat[i]);
		for (size_t j = 0; j < c->nser; j++) {
			double v = c->v[i][j], bh, x = x0 + bw * (double)j;

			if (!isfinite(v))
				continue;
			bh = CH_H * scale(v, log_axis, top, lo, hi);
			n = svg_el(t, svg, "rect");
			rpt_attrf(t, n, "x", "%.1f", x + 1);
			rpt_attrf(t, n, "y", "%.1f", CH_TOP + CH_H - bh);
			rpt_attrf(t, n, "width", "%.1f", bw > 3 ? bw - 2 : 1);
			rpt_attrf(t, n, "height", "%.1f", bh);
			rpt_attr(t, n, "fill", palette[j]);
			snprintf(buf, sizeof(buf), "%s %s: %g", c->ser[j], c->cat[i], v);
			rpt_el_text(t, n, "title", NULL, buf);
			if (isfinite(c->hi[i][j])) {
				double yh = CH_TOP + CH_H - CH_H * scale(c->hi[i][j], log_axis, top, lo, hi);

				svg_line(t, svg, x + bw / 2, CH_TOP + CH_H - bh, x + bw / 2, yh, "#333");
				svg_line(t, svg, x + bw / 2 - 3, yh, x + bw / 2 + 3, yh, "#333");
			}
		}
	}
	/* the legend: the policies (variants) */
	for (size_t j = 0; j < c->nser; j++) {
		double x = CH_LEFT + (double)(j % 4) * 140, y = CH_TOP + CH_H + 26 + LEGEND_H * (double)(j / 4);

		n = svg_el(t, svg, "rect");
		rpt_attrf(t, n, "x", "%.1f", x);
		rpt_attrf(t, n, "y", "%.1f", y);
		rpt_attr(t, n, "width", "10");
		rpt_attr(t, n, "height", "10");
		rpt_attr(t, n, "fill", palette[j]);
		svg_text(t, svg, x + 14, y + 9, "start", 11, c->ser[j]);
	}
}

static double num_or_nan(json_object *o, const char *key)
{
	json_object *v = lab_jsonval_get(o, key);

	if (!v || !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return NAN;
	return json_object_get_double(v);
}

/* The size as people read it: 4K, 64K, 2M. */
static void size_label(double bytes, char *out, size_t len)
{
	if (!isfinite(bytes) || bytes <= 0)
		snprintf(out, len, "-");
	else if (bytes >= 1 << 20 && fmod(bytes, 1 << 20) == 0)
		snprintf(out, len, "%gM", bytes / (1 << 20));
	else if (bytes >= 1024 && fmod(bytes, 1024) == 0)
		snprintf(out, len, "%gK", bytes / 1024);
	else
		snprintf(out, len, "%g", bytes);
}

static void fmt(char *buf, size_t len, double v)
{
	if (isfinite(v))
		snprintf(buf, len, "%.3g", v);
	else
		snprintf(buf, len, "-");
}

static void td(struct rpt_tree *t, xmlNodePtr tr, double v)
{
	char buf[32];

	fmt(buf, sizeof(buf), v);
	rpt_el_text(t, tr, "td", "num", buf);
}

static int in_group(json_object *group, json_object *run)
{
	json_object *names = lab_jsonval_arr(group, "runs");

	for (size_t i = 0; i < lab_jsonval_len(names); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(names, i)),
			    lab_jsonval_str(run, "name")))
			return 1;
	return 0;
}

static const char *const metrics[] = { "map_us", "unmap_us", "rtt_us", "read_us", NULL };

static void html_group(struct rpt_tree *t, xmlNodePtr body, json_object *group, json_object *runs)
{
	static const char *const heads[] = {
		"run (policy)", "probe", "metric", "size", "n", "median", "p90", "p99", "stddev",
		"min", "max", "hit rate", "inval/unmap", "inval/MiB", NULL
	};
	struct chart *c = malloc(sizeof(*c));
	xmlNodePtr charts, table, tr;
	char cat[64], title[128];

	if (!c) {
		t->oom = 1;
		return;
	}
	rpt_el_text(t, body, "h3", NULL, lab_jsonval_str(group, "group"));
	charts = rpt_el(t, body, "div", "charts");
	/* latency by size and policy, one chart per metric */
	for (size_t m = 0; metrics[m]; m++) {
		snprintf(title, sizeof(title), "%s: median by probe, size and policy (whisker: p90)", metrics[m]);
		chart_init(c, title, "\u00b5s");
		c->log_ok = 1;
		for (size_t r = 0; r < lab_jsonval_len(runs); r++) {
			json_object *run = json_object_array_get_idx(runs, r), *ps = lab_jsonval_arr(run, "probes");

			if (!in_group(group, run))
				continue;
			for (size_t p = 0; p < lab_jsonval_len(ps); p++) {
				json_object *pr = json_object_array_get_idx(ps, p);
				json_object *st = lab_jsonval_arr(pr, "stats");

				for (size_t s = 0; s < lab_jsonval_len(st); s++) {
					json_object *e = json_object_array_get_idx(st, s);
					char size[32];

					if (strcmp(lab_jsonval_str(e, "metric"), metrics[m]))
						continue;
					/* by probe too: two disks, or map_us of vfio_map
					 * and of pgtable, are different bars */
					size_label(num_or_nan(e, "size"), size, sizeof(size));
					snprintf(cat, sizeof(cat), "%s %s", lab_jsonval_str(pr, "name"), size);
					chart_put(c, cat, lab_jsonval_str(run, "variant"),
						  num_or_nan(e, "median"), num_or_nan(e, "p90"));
				}
			}
		}
		chart_draw(t, charts, c);
	}
	/* invalidations per MiB and hit rates by policy, per probe */
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "hit_rate" : "invalidations_per_mib";

		chart_init(c, k ? "IOTLB hit rate by probe and policy"
				: "IOTLB invalidations per MiB by probe and policy (edu round trips left out)",
			   k ? "hit rate" : "per MiB");
		c->log_ok = !k;
		for (size_t r = 0; r < lab_jsonval_len(runs); r++) {
			json_object *run = json_object_array_get_idx(runs, r), *ps = lab_jsonval_arr(run, "probes");

			if (!in_group(group, run))
				continue;
			for (size_t p = 0; p < lab_jsonval_len(ps); p++) {
				json_object *pr = json_object_array_get_idx(ps, p);
				const char *measure = lab_jsonval_str(pr, "measure");

				/* 64 bytes a round trip: per MiB, thousands, which
				 * would flatten every other bar */
				if (!k && measure && !strcmp(measure, "edu_rtt"))
					continue;
				chart_put(c, lab_jsonval_str(pr, "name"), lab_jsonval_str(run, "variant"),
					  num_or_nan(lab_jsonval_obj(pr, "trace"), key), NAN);
			}
		}
		chart_draw(t, charts, c);
	}
	free(c);
	/* the table, with the spread */
	table = rpt_el(t, rpt_el(t, body, "div", "scroll"), "table", "grid perf");
	tr = rpt_el(t, rpt_el(t, table, "thead", NULL), "tr", NULL);
	for (size_t i = 0; heads[i]; i++)
		rpt_el_text(t, tr, "th", NULL, heads[i]);
	table = rpt_el(t, table, "tbody", NULL);
	for (size_t r = 0; r < lab_jsonval_len(runs); r++) {
		json_object *run = json_object_array_get_idx(runs, r), *ps = lab_jsonval_arr(run, "probes");

		if (!in_group(group, run))
			continue;
		for (size_t p = 0; p < lab_jsonval_len(ps); p++) {
			json_object *pr = json_object_array_get_idx(ps, p), *tr_ = lab_jsonval_obj(pr, "trace");
			json_object *st = lab_jsonval_arr(pr, "stats");
			size_t ns = lab_jsonval_len(st);

			for (size_t s = 0; s < (ns ? ns : 1); s++) {
				json_object *e = ns ? json_object_array_get_idx(st, s) : NULL;

				tr = rpt_el(t, table, "tr", NULL);
				snprintf(title, sizeof(title), "%s (%s)", lab_jsonval_str(run, "name"),
					 rpt_str_or(pr, "policy", "?"));
				rpt_el_text(t, tr, "td", NULL, title);
				rpt_el_text(t, tr, "td", NULL, lab_jsonval_str(pr, "name"));
				rpt_el_text(t, tr, "td", NULL, e ? rpt_str_or(e, "metric", "-") : "-");
				size_label(num_or_nan(e, "size"), cat, sizeof(cat));
				rpt_el_text(t, tr, "td", "num", cat);
				td(t, tr, num_or_nan(e, "n"));
				td(t, tr, num_or_nan(e, "median"));
				td(t, tr, num_or_nan(e, "p90"));
				td(t, tr, num_or_nan(e, "p99"));
				td(t, tr, num_or_nan(e, "stddev"));
				td(t, tr, num_or_nan(e, "min"));
				td(t, tr, num_or_nan(e, "max"));
				td(t, tr, num_or_nan(tr_, "hit_rate"));
				td(t, tr, num_or_nan(tr_, "invalidations_per_unmap"));
				td(t, tr, num_or_nan(tr_, "invalidations_per_mib"));
			}
		}
	}
}

static void html_relations(struct rpt_tree *t, xmlNodePtr body, json_object *results)
{
	json_object *checks = lab_jsonval_arr(lab_jsonval_obj(results, "relations"), "checks");
	xmlNodePtr table, tr, cell;

	if (!lab_jsonval_len(checks))
		return;
	rpt_el_text(t, body, "h3", NULL, "Relations between runs");
	table = rpt_el(t, rpt_el(t, body, "div", "scroll"), "table", "grid perf");
	tr = rpt_el(t, rpt_el(t, table, "thead", NULL), "tr", NULL);
	for (const char *const *h = (const char *const[]){ "verdict", "relation", "where", "why", NULL };
	     *h; h++)
		rpt_el_text(t, tr, "th", NULL, *h);
	table = rpt_el(t, table, "tbody", NULL);
	for (size_t i = 0; i < lab_jsonval_len(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i);
		enum rpt_verdict v = rpt_verdict_of(c, RPT_ERROR);

		tr = rpt_el(t, table, "tr", NULL);
		cell = rpt_el(t, tr, "td", NULL);
		rpt_el_text(t, cell, "span", NULL, rpt_verdict_name[v]);
		rpt_attrf(t, xmlGetLastChild(cell), "class", "badge v-%s", rpt_verdict_name[v]);
		rpt_el_text(t, tr, "td", NULL, rpt_str_or(c, "relation", ""));
		rpt_el_text(t, tr, "td", NULL, rpt_str_or(c, "group", ""));
		rpt_el_text(t, tr, "td", NULL, rpt_str_or(c, "reason", ""));
	}
}

void rpt_html_perf(struct rpt_tree *t, xmlNodePtr body, json_object *results)
{
	json_object *perf = lab_jsonval_obj(results, "perf"), *groups = lab_jsonval_arr(perf, "groups");
	xmlNodePtr h2;

	if (!perf && !lab_jsonval_obj(results, "relations"))
		return;
	h2 = rpt_el_text(t, body, "h2", NULL, "Performance: configurations compared");
	rpt_attr(t, h2, "id", "perf");
	rpt_el_text(t, body, "p", "none", rpt_str_or(perf, "note",
		"Emulated IOMMUs under TCG: these numbers compare configurations with each other "
		"on the same host; they are not hardware numbers."));
	html_relations(t, body, results);
	for (size_t g = 0; g < lab_jsonval_len(groups); g++)
		html_group(t, body, json_object_array_get_idx(groups, g), lab_jsonval_arr(perf, "runs"));
}
