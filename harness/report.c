/* SPDX-License-Identifier: MIT */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include "diff.h"
#include "jsonval.h"

/* ---- reading the results object ------------------------------------------ */

static const char *rpt_str_or(json_object *o, const char *key, const char *dflt)
{
	const char *s = lab_jsonval_str(o, key);

	return s ? s : dflt;
}

static int rpt_has_text(json_object *o, const char *key)
{
	const char *s = lab_jsonval_str(o, key);

	return s && *s;
}

static double rpt_num(json_object *o, const char *key)
{
	json_object *v = lab_jsonval_get(o, key);

	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
		return json_object_get_double(v);
	return 0;
}

/* A count or line number: whole, within 0..INT_MAX whatever the data says. */
static int rpt_whole(json_object *o, const char *key)
{
	double v = rpt_num(o, key);

	return v >= 0 && v <= INT_MAX ? (int)v : 0;
}

/* ---- verdicts and statuses ----------------------------------------------- */

enum rpt_verdict { RPT_PASS, RPT_FAIL, RPT_XFAIL, RPT_XPASS, RPT_SKIP, RPT_ERROR, RPT_VERDICTS };

static const char *const rpt_verdict_name[RPT_VERDICTS] = {
	[RPT_PASS] = "pass", [RPT_FAIL] = "fail", [RPT_XFAIL] = "xfail",
	[RPT_XPASS] = "xpass", [RPT_SKIP] = "skip", [RPT_ERROR] = "error",
};

/* A verdict string; an unknown one is an error (never silently a pass). */
static enum rpt_verdict rpt_verdict_of(json_object *o, enum rpt_verdict dflt)
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

static int rpt_is_problem(enum rpt_verdict v)
{
	return v == RPT_FAIL || v == RPT_XPASS || v == RPT_ERROR;
}

static const char *rpt_status_of(json_object *run)
{
	return rpt_str_or(run, "status", "ok");
}

/* A run's verdict; without one, what its status implies. */
static enum rpt_verdict rpt_run_verdict(json_object *run)
{
	const char *status = rpt_status_of(run);

	if (!strcmp(status, "ok"))
		return rpt_verdict_of(run, RPT_PASS);
	return rpt_verdict_of(run, strcmp(status, "skipped") ? RPT_ERROR : RPT_SKIP);
}

/* The status as a CSS class: only known names, never text from the data. */
static const char *rpt_status_class(const char *status)
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

enum { RPT_ONE_LINE = 1 };

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

/*
 * Guest text made safe for XML 1.0, HTML, YAML and a terminal: valid UTF-8
 * only (each bad byte becomes U+FFFD), C0 controls shown as their Control
 * Pictures (ESC as U+241B, so an escape sequence is visible but inert), DEL
 * as U+2421, C1 controls, U+FFFE/U+FFFF and bidi overrides as U+FFFD. Tab, CR
 * and LF stay unless RPT_ONE_LINE (then a space). NULL on allocation failure.
 */
static char *rpt_clean_len(const char *s, size_t n, unsigned flags)
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

static char *rpt_clean(const char *s, unsigned flags)
{
	return rpt_clean_len(s ? s : "", s ? strlen(s) : 0, flags);
}

/* A string member cleaned, embedded NULs included; "" when absent. */
static char *rpt_clean_member(json_object *o, const char *key, unsigned flags)
{
	json_object *v = lab_jsonval_get(o, key);

	if (!json_object_is_type(v, json_type_string))
		return rpt_clean("", flags);
	return rpt_clean_len(json_object_get_string(v), json_object_get_string_len(v), flags);
}

/* Any JSON value as JSON text, cleaned. */
static char *rpt_clean_json(json_object *v, int pretty)
{
	int flags = JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE;
	size_t n = 0;
	const char *s;

	if (pretty)
		flags |= JSON_C_TO_STRING_PRETTY;
	s = json_object_to_json_string_length(v, flags, &n);
	return rpt_clean_len(s ? s : "null", s ? n : 4, 0);
}

/* Code points in a valid UTF-8 string (one column each, near enough). */
static size_t rpt_width_of(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* Copy valid UTF-8 s into dst (room for width * 4 + 1 bytes), cut to width
 * code points with an ellipsis when longer. Returns the width written. */
static size_t rpt_fit(char *dst, const char *s, size_t width)
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

/* A malloc'd copy of clean text cut to max code points ("…" when cut). */
static char *rpt_cut(char *s, size_t max)
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

/* Seconds as "12.345" whatever the locale; negative or absurd values are 0. */
static void rpt_fmt_secs(char *buf, size_t size, double s, int decimals)
{
	long long scale = decimals == 3 ? 1000 : 10;
	long long v;

	if (!(s >= 0) || s > 1e12)
		s = 0;
	v = (long long)(s * scale + 0.5);
	snprintf(buf, size, "%lld.%0*lld", v / scale, decimals == 3 ? 3 : 1, v % scale);
}

/* ---- runs and checks as test cases ---------------------------------------- */

struct rpt_item {
	json_object *run;
	json_object *check;	/* NULL for the run-level "boot" and "verdict" cases */
	const char *name;	/* raw: clean before use */
	enum rpt_verdict v;
};

/* The test cases of one run (see report.h). Returns how many, or -1 when
 * out of memory; *out is malloc'd. */
static int rpt_run_items(json_object *run, struct rpt_item **out)
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

/* The one-line message of a case: the check's reason, or what went wrong. */
static char *rpt_item_message(const struct rpt_item *it)
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

struct rpt_counts {
	unsigned v[RPT_VERDICTS];
	unsigned tests;
};

/* The matrices in the order of their first run; a run without one is "adhoc". */
static const char *rpt_matrix_of(json_object *run)
{
	const char *m = lab_jsonval_str(run, "matrix");

	return m && *m ? m : "adhoc";
}

/* Distinct matrix names, in order. Returns how many (0 when out of memory). */
static size_t rpt_matrices(json_object *runs, const char ***out)
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

/* ---- writing files --------------------------------------------------------- */

/* buf to path, through path.tmp and a rename. */
static int write_file(const char *path, const void *buf, size_t size, struct lab_error *err)
{
	const char *p = buf;
	char *tmp = NULL;
	int fd, e;

	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		lab_error_set_errno(err, ENOMEM, "writing %s", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		lab_error_set_errno(err, errno, "creating %s", tmp);
		free(tmp);
		return -1;
	}
	while (size) {
		ssize_t w = write(fd, p, size);

		if (w < 0 && errno == EINTR)
			continue;
		if (w == 0)
			errno = EIO;
		if (w <= 0)
			goto fail;
		p += w;
		size -= w;
	}
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		lab_error_set_errno(err, errno, "renaming %s to %s", tmp, path);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
fail:
	e = errno ? errno : EIO;
	lab_error_set_errno(err, e, "writing %s", tmp);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

/* ---- building trees with libxml2 ------------------------------------------ */

/* Every text and attribute value goes through rpt_clean() and libxml2's own
 * escaping at serialisation; a failed allocation sets oom and the writer
 * reports it once at the end. */
struct rpt_tree {
	xmlDocPtr doc;
	int oom;
};

/* Serialise the tree (as XML, or as HTML) to path and free it. */
static int rpt_save_tree(struct rpt_tree *t, const char *path, int html, struct lab_error *err)
{
	xmlChar *mem = NULL;
	int size = 0, rc;

	if (!t->oom && html)
		htmlDocDumpMemoryFormat(t->doc, &mem, &size, 1);
	else if (!t->oom)
		xmlDocDumpFormatMemoryEnc(t->doc, &mem, &size, "UTF-8", 1);
	xmlFreeDoc(t->doc);
	t->doc = NULL;
	if (!mem) {
		lab_error_set_errno(err, ENOMEM, "building %s", path);
		return -1;
	}
	rc = write_file(path, mem, size, err);
	xmlFree(mem);
	return rc;
}

static xmlNodePtr rpt_el(struct rpt_tree *t, xmlNodePtr parent, const char *tag, const char *cls)
{
	xmlNodePtr n;

	if (!parent) {
		t->oom = 1;
		return NULL;
	}
	n = xmlNewDocNode(t->doc, NULL, BAD_CAST tag, NULL);
	if (!n || !xmlAddChild(parent, n)) {
		xmlFreeNode(n);
		t->oom = 1;
		return NULL;
	}
	if (cls && !xmlNewProp(n, BAD_CAST "class", BAD_CAST cls))
		t->oom = 1;
	return n;
}

/* Append already clean text (takes ownership of s; NULL means no memory). */
static void rpt_text_own(struct rpt_tree *t, xmlNodePtr parent, char *s)
{
	xmlNodePtr n;

	if (!parent || !s) {
		t->oom = 1;
		free(s);
		return;
	}
	n = xmlNewDocText(t->doc, BAD_CAST s);
	free(s);
	if (!n || !xmlAddChild(parent, n)) {
		xmlFreeNode(n);
		t->oom = 1;
	}
}

static void rpt_text(struct rpt_tree *t, xmlNodePtr parent, const char *s)
{
	rpt_text_own(t, parent, rpt_clean(s, 0));
}

/* vasprintf, noting a failure in the tree; NULL then. */
static char *vformat(struct rpt_tree *t, const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0) {
		t->oom = 1;
		return NULL;
	}
	return s;
}

static void __attribute__((format(printf, 3, 4)))
rpt_textf(struct rpt_tree *t, xmlNodePtr parent, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vformat(t, fmt, ap);
	va_end(ap);
	if (s)
		rpt_text(t, parent, s);
	free(s);
}

/* An element holding text: rpt_el() then rpt_text(). */
static xmlNodePtr rpt_el_text(struct rpt_tree *t, xmlNodePtr parent, const char *tag, const char *cls,
			  const char *s)
{
	xmlNodePtr n = rpt_el(t, parent, tag, cls);

	rpt_text(t, n, s);
	return n;
}

/* Set an attribute from already clean text (takes ownership). */
static void rpt_attr_own(struct rpt_tree *t, xmlNodePtr n, const char *name, char *value)
{
	if (!n || !value || !xmlSetProp(n, BAD_CAST name, BAD_CAST value))
		t->oom = 1;
	free(value);
}

static void rpt_attr(struct rpt_tree *t, xmlNodePtr n, const char *name, const char *value)
{
	rpt_attr_own(t, n, name, rpt_clean(value, 0));
}

static void __attribute__((format(printf, 4, 5)))
rpt_attrf(struct rpt_tree *t, xmlNodePtr n, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vformat(t, fmt, ap);
	va_end(ap);
	if (s)
		rpt_attr(t, n, name, s);
	free(s);
}

/* ---- JUnit ---------------------------------------------------------------- */

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
		     strcmp(rpt_status_of(it->run), "ok") ? rpt_status_of(it->run) : rpt_verdict_name[it->v]);
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
	struct rpt_tree t = { .doc = xmlNewDoc(BAD_CAST "1.0") };
	json_object *runs = lab_jsonval_arr(results, "runs");
	struct rpt_counts total = { 0 };
	xmlNodePtr root = NULL;
	const char **m = NULL;
	size_t i, nm;

	if (t.doc)
		root = xmlNewDocNode(t.doc, NULL, BAD_CAST "testsuites", NULL);
	if (!root) {
		xmlFreeDoc(t.doc);
		lab_error_set_errno(err, ENOMEM, "building %s", path);
		return -1;
	}
	xmlDocSetRootElement(t.doc, root);
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

/* ---- TAP ------------------------------------------------------------------ */

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

int lab_report_write_tap(json_object *results, FILE *out)
{
	json_object *runs = lab_jsonval_arr(results, "runs"), *host = lab_jsonval_get(results, "host");
	struct rpt_counts c = { 0 };
	unsigned num_case = 0;
	size_t r;
	int i, n, total = 0;

	for (r = 0; r < lab_jsonval_len(runs); r++) {
		struct rpt_item *items;

		n = rpt_run_items(json_object_array_get_idx(runs, r), &items);
		free(items);
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
		struct rpt_item *items;
		char secs[32];

		n = rpt_run_items(run, &items);
		if (n < 0) {
			free(items);
			errno = ENOMEM;
			return -1;
		}
		rpt_fmt_secs(secs, sizeof(secs), rpt_num(run, "duration_s"), 1);
		fputs("# ", out);
		tap_desc(out, name);
		fprintf(out, ": status %s, verdict %s, %s s\n", rpt_status_class(rpt_status_of(run)),
			rpt_verdict_name[rpt_run_verdict(run)], secs);
		for (i = 0; i < n; i++) {
			struct rpt_item *it = &items[i];
			char *msg = NULL;

			if (!it->check && strcmp(rpt_status_of(run), "ok") && rpt_has_text(run, "console_tail"))
				tap_console(out, run);
			c.v[it->v]++;
			fprintf(out, "%s %u ", it->v == RPT_PASS || it->v == RPT_SKIP ? "ok" : "not ok",
				++num_case);
			tap_desc(out, name);
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
		free(items);
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

/* ---- counts over a whole invocation ---------------------------------------- */

/* The counts per check verdict: the summary object's when it has one (the
 * comparator's word), else counted over the runs' checks. */
static void rpt_summary_counts(json_object *results, struct rpt_counts *c, unsigned *nruns)
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

/* The invocation's verdict: the summary's, else the worst run's. */
static enum rpt_verdict rpt_overall_verdict(json_object *results)
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

/* ---- HTML ----------------------------------------------------------------- */

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
	".hidden{display:none}\n"
	"table.diff td{vertical-align:top}table.diff tr.newly_failing{background:#fdecea}\n"
	"table.diff ul{margin:0;padding-left:1.2em}\n";

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

/* A key/value row of a small table; nothing when the value is empty. */
static void kv(struct rpt_tree *t, xmlNodePtr table, const char *key, const char *value)
{
	xmlNodePtr tr;

	if (!value || !*value)
		return;
	tr = rpt_el(t, table, "tr", NULL);
	rpt_el_text(t, tr, "th", NULL, key);
	rpt_el_text(t, tr, "td", NULL, value);
}

/* Clean text inside <pre class=cls> (takes ownership). */
static void pre_own(struct rpt_tree *t, xmlNodePtr parent, const char *cls, char *s)
{
	rpt_text_own(t, rpt_el(t, parent, "pre", cls), s);
}

static void html_header(struct rpt_tree *t, xmlNodePtr body, json_object *results)
{
	json_object *host = lab_jsonval_get(results, "host");
	xmlNodePtr top = rpt_el(t, body, "div", "top"), h1, table, tr, p, label, input;
	enum rpt_verdict v = rpt_overall_verdict(results);
	struct rpt_counts c;
	unsigned nruns;
	char secs[32];
	int i;

	h1 = rpt_el_text(t, top, "h1", NULL, "iommu-lab ");
	badge(t, h1, v);
	rpt_fmt_secs(secs, sizeof(secs), rpt_num(results, "duration_s"), 1);
	table = rpt_el(t, top, "table", "meta");
	tr = rpt_el(t, table, "tr", NULL);
	rpt_el_text(t, tr, "th", NULL, "run");
	rpt_el_text(t, tr, "td", "run-id", rpt_str_or(results, "run_id", ""));
	rpt_el_text(t, tr, "th", NULL, "started");
	rpt_el_text(t, tr, "td", NULL, rpt_str_or(results, "started", ""));
	rpt_el_text(t, tr, "th", NULL, "duration");
	rpt_textf(t, rpt_el(t, tr, "td", NULL), "%s s", secs);
	tr = rpt_el(t, table, "tr", NULL);
	rpt_el_text(t, tr, "th", NULL, "host QEMU");
	rpt_el_text(t, tr, "td", NULL, rpt_str_or(host, "qemu", "?"));
	rpt_el_text(t, tr, "th", NULL, "libvirt");
	rpt_el_text(t, tr, "td", NULL, rpt_str_or(host, "libvirt", "?"));
	rpt_el_text(t, tr, "th", NULL, "host");
	rpt_el_text(t, tr, "td", NULL, rpt_str_or(host, "hostname", "?"));

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

/* "Compared with DIR": the diff document results["baseline"] holds (see
 * diff.h), when run --baseline put one there. */
static void html_baseline(struct rpt_tree *t, xmlNodePtr body, json_object *results)
{
	json_object *b = lab_jsonval_get(results, "baseline"), *runs = lab_jsonval_arr(b, "runs");
	xmlNodePtr h2, table, tr, tbody, td, ul;
	char line[256];
	size_t r, i;

	if (!json_object_is_type(b, json_type_object))
		return;
	h2 = rpt_el_text(t, body, "h2", NULL, "Compared with ");
	rpt_attr(t, h2, "id", "baseline");
	rpt_text(t, h2, rpt_str_or(b, "dir", rpt_str_or(lab_jsonval_get(b, "old"), "run_id", "?")));
	rpt_textf(t, rpt_el(t, body, "p", "none"), "baseline run %s (QEMU %s, libvirt %s)",
	      rpt_str_or(lab_jsonval_get(b, "old"), "run_id", "?"), rpt_str_or(lab_jsonval_get(lab_jsonval_get(b, "old"), "host"), "qemu", "?"),
	      rpt_str_or(lab_jsonval_get(lab_jsonval_get(b, "old"), "host"), "libvirt", "?"));
	lab_diff_summary_line(b, line, sizeof(line));
	rpt_el_text(t, body, "p", "diff-summary", line);
	if (!lab_jsonval_len(runs))
		return;
	table = rpt_el(t, rpt_el(t, body, "div", "scroll"), "table", "grid diff");
	tr = rpt_el(t, rpt_el(t, table, "thead", NULL), "tr", NULL);
	rpt_el_text(t, tr, "th", "rn", "run");
	rpt_el_text(t, tr, "th", NULL, "change");
	rpt_el_text(t, tr, "th", NULL, "baseline");
	rpt_el_text(t, tr, "th", NULL, "now");
	rpt_el_text(t, tr, "th", NULL, "what changed");
	tbody = rpt_el(t, table, "tbody", NULL);
	for (r = 0; r < lab_jsonval_len(runs); r++) {
		json_object *e = json_object_array_get_idx(runs, r);
		json_object *checks = lab_jsonval_arr(e, "checks"), *obs = lab_jsonval_arr(e, "observations");
		const char *change = rpt_str_or(e, "change", "?");
		xmlNodePtr row;

		row = rpt_el(t, tbody, "tr", !strcmp(change, "newly_failing") ? "newly_failing problem"
				      : "changed");
		rpt_attr(t, row, "data-run", rpt_str_or(e, "name", "(unnamed)"));
		rpt_el_text(t, row, "th", "rn", rpt_str_or(e, "name", "(unnamed)"));
		rpt_el_text(t, row, "td", "change", change);
		rpt_el_text(t, row, "td", NULL, rpt_str_or(e, "old_verdict", "absent"));
		rpt_el_text(t, row, "td", NULL, rpt_str_or(e, "new_verdict", "absent"));
		td = rpt_el(t, row, "td", NULL);
		if (!lab_jsonval_len(checks) && !lab_jsonval_len(obs))
			continue;
		ul = rpt_el(t, td, "ul", NULL);
		for (i = 0; i < lab_jsonval_len(checks); i++) {
			json_object *c = json_object_array_get_idx(checks, i);
			char *what = NULL;

			if (asprintf(&what, "check %s", rpt_str_or(c, "name", "(unnamed)")) < 0) {
				t->oom = 1;
				continue;
			}
			html_diff_item(t, ul, what, lab_jsonval_get(c, "old_verdict"), lab_jsonval_get(c, "new_verdict"));
			free(what);
		}
		for (i = 0; i < lab_jsonval_len(obs); i++) {
			json_object *o = json_object_array_get_idx(obs, i);

			html_diff_item(t, ul, rpt_str_or(o, "path", "?"), lab_jsonval_get(o, "old"), lab_jsonval_get(o, "new"));
		}
	}
}

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
			const char *name = rpt_str_or(json_object_array_get_idx(checks, i), "name",
						  "(unnamed)");

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

static void html_grid(struct rpt_tree *t, xmlNodePtr body, json_object *results,
		      const char *matrix, size_t mi)
{
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
	rpt_textf(t, rpt_el(t, h2, "span", "none"), " (%zu run%s, %d check%s)", nruns, nruns == 1 ? "" : "s",
	      ncols, ncols == 1 ? "" : "s");
	table = rpt_el(t, rpt_el(t, body, "div", "scroll"), "table", "grid");
	rpt_attr(t, table, "data-matrix", matrix);
	tr = rpt_el(t, rpt_el(t, table, "thead", NULL), "tr", NULL);
	rpt_el_text(t, tr, "th", "rn", "run");
	rpt_el_text(t, tr, "th", NULL, "status");
	rpt_el_text(t, tr, "th", NULL, "verdict");
	for (i = 0; i < ncols; i++) {
		th = rpt_el(t, tr, "th", "ck");
		rpt_attr(t, th, "title", cols[i]);
		rpt_el_text(t, th, "div", NULL, cols[i]);
	}
	tbody = rpt_el(t, table, "tbody", NULL);
	for (r = 0; r < lab_jsonval_len(runs); r++) {
		json_object *run = json_object_array_get_idx(runs, r);
		json_object *checks = lab_jsonval_arr(run, "checks");
		enum rpt_verdict rv = rpt_run_verdict(run);
		const char *status = rpt_status_of(run);
		char cls[32];

		if (strcmp(rpt_matrix_of(run), matrix))
			continue;
		tr = rpt_el(t, tbody, "tr", rpt_is_problem(rv) ? "run problem" : "run good");
		rpt_attr(t, tr, "data-run", rpt_str_or(run, "name", "(unnamed)"));
		th = rpt_el(t, tr, "th", "rn");
		rpt_attr(t, th, "title", rpt_str_or(run, "name", "(unnamed)"));
		rpt_attrf(t, rpt_el_text(t, th, "a", NULL, rpt_str_or(run, "name", "(unnamed)")), "href", "#r-%zu", r);
		snprintf(cls, sizeof(cls), "status s-%s", rpt_status_class(status));
		rpt_el_text(t, tr, "td", cls, status);
		snprintf(cls, sizeof(cls), "verdict v-%s", rpt_verdict_name[rv]);
		rpt_el_text(t, tr, "td", cls, rpt_verdict_name[rv]);
		for (i = 0; i < ncols; i++) {
			int ci = check_index(run, cols[i]);
			enum rpt_verdict v;
			xmlNodePtr td, a;

			if (ci < 0) {
				td = rpt_el(t, tr, "td", "cell absent");
				rpt_attr(t, td, "data-check", cols[i]);
				continue;
			}
			v = rpt_verdict_of(json_object_array_get_idx(checks, ci), RPT_ERROR);
			snprintf(cls, sizeof(cls), "cell v-%s", rpt_verdict_name[v]);
			td = rpt_el(t, tr, "td", cls);
			rpt_attr(t, td, "data-check", cols[i]);
			rpt_attrf(t, td, "title", "%s: %s", cols[i], rpt_verdict_name[v]);
			a = rpt_el_text(t, td, "a", NULL, verdict_mark[v]);
			rpt_attrf(t, a, "href", "#c-%zu-%d", r, ci);
		}
	}
	free(cols);
}

static void html_check(struct rpt_tree *t, xmlNodePtr parent, json_object *check, size_t ri, size_t ci)
{
	enum rpt_verdict v = rpt_verdict_of(check, RPT_ERROR);
	json_object *ev = lab_jsonval_arr(check, "evidence");
	xmlNodePtr div, h4, tr, eo;
	char cls[32];
	size_t i, size = 0;
	char *lines = NULL;
	FILE *f;

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
	pre_own(t, rpt_el(t, tr, "td", NULL), "json expected",
		json_object_object_get_ex(check, "expected", NULL) ?
		rpt_clean_json(lab_jsonval_get(check, "expected"), 1) : rpt_clean("(absent)", 0));
	pre_own(t, rpt_el(t, tr, "td", NULL), "json observed",
		json_object_object_get_ex(check, "observed", NULL) ?
		rpt_clean_json(lab_jsonval_get(check, "observed"), 1) : rpt_clean("(absent)", 0));
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

static void html_run(struct rpt_tree *t, xmlNodePtr body, json_object *run, size_t ri, size_t mi)
{
	json_object *checks = lab_jsonval_arr(run, "checks"), *obs = lab_jsonval_get(run, "observations");
	xmlNodePtr div, h3, a, kvt, p, btn;
	char secs[32], *at = NULL;
	size_t i;

	div = rpt_el(t, body, "div", "run");
	rpt_attrf(t, div, "id", "r-%zu", ri);
	h3 = rpt_el(t, div, "h3", NULL);
	a = rpt_el_text(t, h3, "a", NULL, rpt_matrix_of(run));
	rpt_attrf(t, a, "href", "#m-%zu", mi);
	rpt_text(t, h3, " / ");
	rpt_text(t, h3, rpt_str_or(run, "name", "(unnamed)"));
	rpt_text(t, h3, " ");
	badge(t, h3, rpt_run_verdict(run));
	rpt_text(t, h3, " ");
	status_badge(t, h3, rpt_status_of(run));

	kvt = rpt_el(t, div, "table", "kv");
	kv(t, kvt, "variant", lab_jsonval_str(run, "variant"));
	kv(t, kvt, "platform", lab_jsonval_str(run, "platform"));
	kv(t, kvt, "kernel", lab_jsonval_str(run, "kernel"));
	if (lab_jsonval_str(run, "qemu_version")) {
		char *q = NULL;

		/* the QEMU this run really ran on: the host's, or the axis's */
		if (asprintf(&q, "%s (%s)", lab_jsonval_str(run, "qemu_version"),
			     lab_jsonval_str(run, "qemu_build") ? lab_jsonval_str(run, "qemu_build") : "system") >= 0)
			kv(t, kvt, "QEMU", q);
		free(q);
	}
	if (lab_jsonval_str(run, "file") && asprintf(&at, "%s:%d", lab_jsonval_str(run, "file"), rpt_whole(run, "line")) >= 0) {
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
	if (lab_jsonval_str(run, "dir")) {
		p = rpt_el_text(t, div, "p", "logs", "logs: ");
		/* "./" keeps a folder name such as "javascript:..." a relative path */
		a = rpt_el_text(t, p, "a", NULL, "console.log");
		rpt_attrf(t, a, "href", "./%s/console.log", lab_jsonval_str(run, "dir"));
		rpt_text(t, p, " ");
		a = rpt_el_text(t, p, "a", NULL, "kmsg.log");
		rpt_attrf(t, a, "href", "./%s/kmsg.log", lab_jsonval_str(run, "dir"));
	}
	if (lab_jsonval_get(run, "console_tail")) {
		rpt_el_text(t, div, "div", "label", "console tail");
		pre_own(t, div, "console", rpt_clean_member(run, "console_tail", 0));
	}
	if (lab_jsonval_get(run, "journal")) {
		rpt_el_text(t, div, "div", "label", "agent journal (read back from its disk)");
		pre_own(t, div, "console", rpt_clean_member(run, "journal", 0));
	}
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

int lab_report_write_html(json_object *results, const char *path, struct lab_error *err)
{
	struct rpt_tree t = { .doc = htmlNewDocNoDtD(NULL, NULL) };
	json_object *runs = lab_jsonval_arr(results, "runs");
	xmlNodePtr html = NULL, head, body, meta;
	const char **m = NULL;
	size_t i, r, nm;

	if (t.doc) {
		xmlCreateIntSubset(t.doc, BAD_CAST "html", NULL, NULL);
		html = xmlNewDocNode(t.doc, NULL, BAD_CAST "html", NULL);
	}
	if (!html) {
		xmlFreeDoc(t.doc);
		lab_error_set_errno(err, ENOMEM, "building %s", path);
		return -1;
	}
	xmlDocSetRootElement(t.doc, html);
	rpt_attr(&t, html, "lang", "en");
	head = rpt_el(&t, html, "head", NULL);
	meta = rpt_el(&t, head, "meta", NULL);
	rpt_attr(&t, meta, "http-equiv", "Content-Type");
	rpt_attr(&t, meta, "content", "text/html; charset=UTF-8");
	/* nothing external, ever: the page must work from a CI artefact */
	meta = rpt_el(&t, head, "meta", NULL);
	rpt_attr(&t, meta, "http-equiv", "Content-Security-Policy");
	rpt_attr(&t, meta, "content", "default-src 'none'; style-src 'unsafe-inline'; "
	     "script-src 'unsafe-inline'; img-src data:");
	meta = rpt_el(&t, head, "meta", NULL);
	rpt_attr(&t, meta, "name", "viewport");
	rpt_attr(&t, meta, "content", "width=device-width, initial-scale=1");
	rpt_textf(&t, rpt_el(&t, head, "title", NULL), "iommu-lab %s: %s",
	      rpt_str_or(results, "run_id", ""), rpt_verdict_name[rpt_overall_verdict(results)]);
	rpt_text(&t, rpt_el(&t, head, "style", NULL), html_css);

	body = rpt_el(&t, html, "body", NULL);
	html_header(&t, body, results);
	html_baseline(&t, body, results);
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

/* ---- the terminal table ---------------------------------------------------- */

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

void lab_report_print_table(json_object *results, FILE *out, int color)
{
	json_object *runs = lab_jsonval_arr(results, "runs");
	enum rpt_verdict v = rpt_overall_verdict(results);
	char line[LAB_REPORT_TABLE_WIDTH * 4 + 8], secs[32], *problem, *plain = NULL;
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
	for (r = 0; r < lab_jsonval_len(runs); r++) {
		json_object *run = json_object_array_get_idx(runs, r);
		json_object *checks = lab_jsonval_arr(run, "checks");
		const char *status = rpt_status_of(run);
		enum rpt_verdict rv = rpt_run_verdict(run);
		unsigned k[RPT_VERDICTS] = { 0 };
		char n[16];

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
