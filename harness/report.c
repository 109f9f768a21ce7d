/* SPDX-License-Identifier: MIT */
/*
 * The reports' common ground (report_internal.h): reading the results
 * object, verdicts and statuses, cleaning untrusted text and measuring it,
 * the test cases of a run (report.h says how runs and checks become them),
 * matrices and the counts and verdict of a whole invocation. Each format is
 * its own file: report_junit.c, report_tap.c, report_html.c, report_table.c.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonval.h"
#include "report_internal.h"

/* ---- reading the results object ------------------------------------------ */

const char *rpt_str_or(json_object *o, const char *key, const char *dflt)
{
	const char *s = lab_jsonval_str(o, key);

	return s ? s : dflt;
}

int rpt_has_text(json_object *o, const char *key)
{
	const char *s = lab_jsonval_str(o, key);

	return s && *s;
}

double rpt_num(json_object *o, const char *key)
{
	json_object *v = lab_jsonval_get(o, key);

	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
		return json_object_get_double(v);
	return 0;
}

int rpt_whole(json_object *o, const char *key)
{
	double v = rpt_num(o, key);

	return v >= 0 && v <= INT_MAX ? (int)v : 0;
}

/* ---- verdicts and statuses ----------------------------------------------- */

const char *const rpt_verdict_name[RPT_VERDICTS] = {
	[RPT_PASS] = "pass", [RPT_FAIL] = "fail", [RPT_XFAIL] = "xfail",
	[RPT_XPASS] = "xpass", [RPT_SKIP] = "skip", [RPT_ERROR] = "error",
};

enum rpt_verdict rpt_verdict_of(json_object *o, enum rpt_verdict dflt)
{
	const char *s = lab_jsonval_str(o, "verdict");
	int v;

	if (!s)
		return dflt;
	for (v = 0; v < RPT_VERDICTS; v++)
		if (!strcmp(s, rpt_verdict_name[v]))
			return v;
	return RPT_ERROR;
}

int rpt_is_problem(enum rpt_verdict v)
{
	return v == RPT_FAIL || v == RPT_XPASS || v == RPT_ERROR;
}

const char *rpt_status_of(json_object *run)
{
	return rpt_str_or(run, "status", "ok");
}

enum rpt_verdict rpt_run_verdict(json_object *run)
{
	const char *status = rpt_status_of(run);

	if (!strcmp(status, "ok"))
		return rpt_verdict_of(run, RPT_PASS);
	return rpt_verdict_of(run, strcmp(status, "skipped") ? RPT_ERROR : RPT_SKIP);
}

const char *rpt_status_class(const char *status)
{
	static const char *const known[] = {
		"ok", "timeout", "panic", "crashed", "error", "interrupted", "skipped",
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(status, known[i]))
			return known[i];
	return "other";
}

/* ---- sanitising untrusted text ------------------------------------------- */

/* One well-formed UTF-8 sequence at s (n bytes available): its length and
 * code point, or 0 for bytes that are not (overlong, surrogate, truncated). */
static int utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	int l, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		l = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		l = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		l = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < (size_t)l)
		return 0;
	for (i = 1; i < l; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((l == 3 && c < 0x800) || (l == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return l;
}

static char *put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		*o++ = c;
	} else if (c < 0x800) {
		*o++ = 0xc0 | c >> 6;
		*o++ = 0x80 | (c & 0x3f);
	} else if (c < 0x10000) {
		*o++ = 0xe0 | c >> 12;
		*o++ = 0x80 | (c >> 6 & 0x3f);
		*o++ = 0x80 | (c & 0x3f);
	} else {
		*o++ = 0xf0 | c >> 18;
		*o++ = 0x80 | (c >> 12 & 0x3f);
		*o++ = 0x80 | (c >> 6 & 0x3f);
		*o++ = 0x80 | (c & 0x3f);
	}
	return o;
}

char *rpt_clean_len(const char *s, size_t n, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(n * 3 + 1), *o = out;
	size_t i = 0;

	if (!out)
		return NULL;
	while (i < n) {
		uint32_t c;
		int l = utf8_next(p + i, n - i, &c);

		if (!l) {
			o = put_utf8(o, 0xfffd);
			i++;
			continue;
		}
		i += l;
		if (c == '\t' || c == '\n' || c == '\r')
			c = (flags & RPT_ONE_LINE) ? ' ' : c;
		else if (c < 0x20)
			c = 0x2400 + c;
		else if (c == 0x7f)
			c = 0x2421;
		else if ((c >= 0x80 && c <= 0x9f) || c == 0xfffe || c == 0xffff ||
			 (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
			c = 0xfffd;
		o = put_utf8(o, c);
	}
	*o = '\0';
	return out;
}

char *rpt_clean(const char *s, unsigned flags)
{
	return rpt_clean_len(s ? s : "", s ? strlen(s) : 0, flags);
}

char *rpt_clean_member(json_object *o, const char *key, unsigned flags)
{
	json_object *v = lab_jsonval_get(o, key);

	if (!json_object_is_type(v, json_type_string))
		return rpt_clean("", flags);
	return rpt_clean_len(json_object_get_string(v), json_object_get_string_len(v), flags);
}

char *rpt_clean_json(json_object *v, int pretty)
{
	int flags = JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE;
	size_t n = 0;
	const char *s;

	if (pretty)
		flags |= JSON_C_TO_STRING_PRETTY;
	s = json_object_to_json_string_length(v, flags, &n);
	return rpt_clean_len(s ? s : "null", s ? n : 4, 0);
}

size_t rpt_width_of(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

size_t rpt_fit(char *dst, const char *s, size_t width)
{
	size_t w = 0;
	const char *p = s;

	if (rpt_width_of(s) <= width) {
		strcpy(dst, s);
		return rpt_width_of(s);
	}
	if (!width) {
		*dst = '\0';
		return 0;
	}
	while (*p && w < width - 1) {
		p++;
		while (((unsigned char)*p & 0xc0) == 0x80)
			p++;
		w++;
	}
	memcpy(dst, s, p - s);
	strcpy(dst + (p - s), "\u2026");
	return width;
}

char *rpt_cut(char *s, size_t max)
{
	char *o;

	if (!s || rpt_width_of(s) <= max)
		return s;
	o = malloc(max * 4 + 4);
	if (o)
		rpt_fit(o, s, max);
	free(s);
	return o;
}

void rpt_fmt_secs(char *buf, size_t size, double s, int decimals)
{
	long long scale = decimals == 3 ? 1000 : 10;
	long long v;

	if (!(s >= 0) || s > 1e12)
		s = 0;
	v = (long long)(s * scale + 0.5);
	snprintf(buf, size, "%lld.%0*lld", v / scale, decimals == 3 ? 3 : 1, v % scale);
}

/* ---- runs and checks as test cases ---------------------------------------- */

int rpt_run_items(json_object *run, struct rpt_item **out)
{
	json_object *checks = lab_jsonval_arr(run, "checks");
	const char *status = rpt_status_of(run);
	enum rpt_verdict rv = rpt_run_verdict(run);
	size_t i, n = 0, nchecks = lab_jsonval_len(checks);
	struct rpt_item *it = calloc(nchecks + 2, sizeof(*it));
	int problem = 0;

	*out = it;
	if (!it)
		return -1;
	if (strcmp(status, "ok")) {
		it[n] = (struct rpt_item){ run, NULL, "boot", RPT_ERROR };
		if (!strcmp(status, "skipped"))
			it[n].v = RPT_SKIP;
		else if (rv == RPT_XFAIL)
			it[n].v = RPT_XFAIL;
		n++;
	} else if (!nchecks) {
		it[n++] = (struct rpt_item){ run, NULL, "boot", rv };
	}
	for (i = 0; i < nchecks; i++) {
		json_object *c = json_object_array_get_idx(checks, i);

		it[n++] = (struct rpt_item){ run, c, rpt_str_or(c, "name", "(unnamed)"),
					     rpt_verdict_of(c, RPT_ERROR) };
	}
	for (i = 0; i < n; i++)
		problem |= rpt_is_problem(it[i].v);
	if (rpt_is_problem(rv) && !problem)
		it[n++] = (struct rpt_item){ run, NULL, "verdict", rv };
	return n;
}

char *rpt_item_message(const struct rpt_item *it)
{
	json_object *run = it->run;
	char *reason, *msg = NULL;

	if (it->check) {
		reason = rpt_clean_member(it->check, "reason", RPT_ONE_LINE);
		if (!reason)
			return NULL;
		if (it->v == RPT_XPASS) {
			if (asprintf(&msg, "unexpected pass%s%s%s", *reason ? " (xfail: " : "",
				     reason, *reason ? ")" : "") < 0)
				msg = NULL;
		} else if (!*reason && (it->v == RPT_FAIL || it->v == RPT_ERROR)) {
			char *e = rpt_clean_json(lab_jsonval_get(it->check, "expected"), 0);
			char *o = rpt_clean_json(lab_jsonval_get(it->check, "observed"), 0);

			if (!e || !o || asprintf(&msg, "expected %s, observed %s", e, o) < 0)
				msg = NULL;
			free(e);
			free(o);
		} else {
			return reason;
		}
		free(reason);
		return msg;
	}
	reason = rpt_clean_member(run, "reason", RPT_ONE_LINE);
	if (!reason)
		return NULL;
	if (!strcmp(it->name, "boot") && strcmp(rpt_status_of(run), "ok") &&
	    strcmp(rpt_status_of(run), "skipped")) {
		char *status = rpt_clean(rpt_status_of(run), RPT_ONE_LINE);

		if (!status || asprintf(&msg, "%s%s%s", status, *reason ? ": " : "", reason) < 0)
			msg = NULL;
		free(status);
	} else if (!strcmp(it->name, "verdict") && !*reason) {
		if (asprintf(&msg, "run verdict %s with no failing check", rpt_verdict_name[it->v]) < 0)
			msg = NULL;
	} else {
		return reason;
	}
	free(reason);
	return msg;
}

const char *rpt_matrix_of(json_object *run)
{
	const char *m = lab_jsonval_str(run, "matrix");

	return m && *m ? m : "adhoc";
}

size_t rpt_matrices(json_object *runs, const char ***out)
{
	size_t i, j, n = 0, nruns = lab_jsonval_len(runs);
	const char **m = calloc(nruns + 1, sizeof(*m));

	*out = m;
	if (!m)
		return 0;
	for (i = 0; i < nruns; i++) {
		const char *name = rpt_matrix_of(json_object_array_get_idx(runs, i));

		for (j = 0; j < n && strcmp(m[j], name); j++)
			;
		if (j == n)
			m[n++] = name;
	}
	return n;
}

/* ---- counts over a whole invocation ---------------------------------------- */

void rpt_summary_counts(json_object *results, struct rpt_counts *c, unsigned *nruns)
{
	json_object *sum = lab_jsonval_get(results, "summary"), *runs = lab_jsonval_arr(results, "runs");
	size_t r, i;
	int v;

	memset(c, 0, sizeof(*c));
	*nruns = lab_jsonval_len(runs);
	if (json_object_is_type(sum, json_type_object)) {
		for (v = 0; v < RPT_VERDICTS; v++)
			c->v[v] = rpt_whole(sum, rpt_verdict_name[v]);
		c->tests = rpt_whole(sum, "checks");
		if (lab_jsonval_get(sum, "runs"))
			*nruns = rpt_whole(sum, "runs");
		return;
	}
	for (r = 0; r < lab_jsonval_len(runs); r++) {
		json_object *checks = lab_jsonval_arr(json_object_array_get_idx(runs, r), "checks");

		for (i = 0; i < lab_jsonval_len(checks); i++) {
			c->v[rpt_verdict_of(json_object_array_get_idx(checks, i), RPT_ERROR)]++;
			c->tests++;
		}
	}
}

enum rpt_verdict rpt_overall_verdict(json_object *results)
{
	json_object *runs = lab_jsonval_arr(results, "runs");
	enum rpt_verdict v = RPT_PASS;
	size_t r;

	if (lab_jsonval_str(lab_jsonval_get(results, "summary"), "verdict"))
		return rpt_verdict_of(lab_jsonval_get(results, "summary"), RPT_ERROR);
	for (r = 0; r < lab_jsonval_len(runs); r++) {
		enum rpt_verdict rv = rpt_run_verdict(json_object_array_get_idx(runs, r));

		if (rv == RPT_ERROR || (rpt_is_problem(rv) && v != RPT_ERROR))
			v = rv == RPT_XPASS ? RPT_FAIL : rv;
	}
	return v;
}
