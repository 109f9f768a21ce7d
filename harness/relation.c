/* SPDX-License-Identifier: MIT */
/* Cross-run relations (relation.h). */
#include "relation.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonval.h"

static const char *const trace_keys[] = {
	"iotlb_hits", "iotlb_misses", "invalidations", "page_walks", "hit_rate",
	"invalidations_per_unmap", "invalidations_per_mib", NULL
};
static const char *const stat_metrics[] = { "map_us", "unmap_us", "rtt_us", "read_us", NULL };
static const char *const stat_keys[] = {
	"n", "median", "p90", "p99", "min", "max", "mean", "stddev", NULL
};
static const char *const ops[] = { "<=", ">=", "==", "!=", "<", ">", NULL };

static int in(const char *s, const char *const *set)
{
	for (size_t i = 0; set[i]; i++)
		if (!strcmp(s, set[i]))
			return 1;
	return 0;
}

static int plain_name(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

/* METRIC[@SIZE].STAT into its parts; 0 when well-formed. */
static int stat_key(const char *key, char *metric, size_t mlen, long long *size, char *stat,
		    size_t slen)
{
	const char *dot = strchr(key, '.'), *at = strchr(key, '@');
	char *end;

	if (!dot || strchr(dot + 1, '.') || (at && at > dot))
		return -1;
	snprintf(metric, mlen, "%.*s", (int)((at ? at : dot) - key), key);
	snprintf(stat, slen, "%s", dot + 1);
	*size = -1;
	if (at) {
		errno = 0;
		*size = strtoll(at + 1, &end, 10);
		if (errno || end != dot || *size <= 0)
			return -1;
	}
	return in(metric, stat_metrics) && in(stat, stat_keys) ? 0 : -1;
}

static int valid_key(const char *key)
{
	char metric[32], stat[16];
	long long size;

	return in(key, trace_keys) || !strcmp(key, "throughput_mib_s") ||
	       stat_key(key, metric, sizeof(metric), &size, stat, sizeof(stat)) == 0;
}

static int parse_side(const char *tok, struct lab_relation_side *s, struct lab_error *err)
{
	const char *d1 = strchr(tok, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	char *end;

	memset(s, 0, sizeof(*s));
	errno = 0;
	s->number = strtod(tok, &end);
	if (!errno && end != tok && !*end && isfinite(s->number))
		return 0;
	if (!d1 || !d2 || !plain_name(tok, (size_t)(d1 - tok)) ||
	    !plain_name(d1 + 1, (size_t)(d2 - d1 - 1))) {
		lab_error_set(err, "'%s' is not VARIANT.PROBE.KEY or a number", tok);
		return -1;
	}
	if (!valid_key(d2 + 1)) {
		lab_error_set(err, "unknown key '%s' (known: iotlb_hits, iotlb_misses, "
			      "invalidations, page_walks, hit_rate, invalidations_per_unmap, "
			      "invalidations_per_mib, throughput_mib_s, or METRIC[@SIZE].STAT with "
			      "METRIC map_us|unmap_us|rtt_us|read_us and STAT "
			      "n|median|p90|p99|min|max|mean|stddev)", d2 + 1);
		return -1;
	}
	s->variant = strndup(tok, (size_t)(d1 - tok));
	s->probe = strndup(d1 + 1, (size_t)(d2 - d1 - 1));
	s->key = strdup(d2 + 1);
	return 0;
}

int lab_relation_parse(const char *text, struct lab_relation *r, struct lab_error *err)
{
	char a[256], op[8], b[256], extra[2];

	memset(r, 0, sizeof(*r));
	if (sscanf(text, "%255s %7s %255s %1s", a, op, b, extra) != 3) {
		lab_error_set(err, "a relation is 'VARIANT.PROBE.KEY OP VARIANT.PROBE.KEY' (or OP "
			      "NUMBER), OP one of < <= > >= == !=, separated by spaces: '%s'", text);
		return -1;
	}
	if (!in(op, ops)) {
		lab_error_set(err, "unknown operator '%s' (known: < <= > >= == !=)", op);
		return -1;
	}
	if (parse_side(a, &r->lhs, err) < 0 || parse_side(b, &r->rhs, err) < 0) {
		lab_relation_clear(r);
		return -1;
	}
	if (!r->lhs.variant) {
		lab_error_set(err, "the left side of '%s' must name a run's value, not a number", text);
		lab_relation_clear(r);
		return -1;
	}
	snprintf(r->op, sizeof(r->op), "%s", op);
	r->text = strdup(text);
	return 0;
}

void lab_relation_clear(struct lab_relation *r)
{
	free(r->text);
	free(r->lhs.variant);
	free(r->lhs.probe);
	free(r->lhs.key);
	free(r->rhs.variant);
	free(r->rhs.probe);
	free(r->rhs.key);
	memset(r, 0, sizeof(*r));
}

int lab_relation_holds(const char *op, double a, double b)
{
	if (!strcmp(op, "<"))
		return a < b;
	if (!strcmp(op, "<="))
		return a <= b;
	if (!strcmp(op, ">"))
		return a > b;
	if (!strcmp(op, ">="))
		return a >= b;
	if (!strcmp(op, "=="))
		return a == b;
	return a != b;
}

static int number(json_object *v, double *out)
{
	if (!v || !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return -1;
	*out = json_object_get_double(v);
	return isfinite(*out) ? 0 : -1;
}

int lab_relation_value(json_object *row, const char *probe, const char *key, double *out,
		       char *why, size_t why_len)
{
	json_object *probes = lab_jsonval_arr(lab_jsonval_obj(row, "observations"), "probes");
	json_object *p = NULL, *res;
	char metric[32], stat[16];
	long long size;

	for (size_t i = 0; i < lab_jsonval_len(probes) && !p; i++)
		if (!strcmp(lab_jsonval_str(json_object_array_get_idx(probes, i), "name"), probe))
			p = json_object_array_get_idx(probes, i);
	if (!p) {
		snprintf(why, why_len, "%s has no probe %s", lab_jsonval_str(row, "name"), probe);
		return -1;
	}
	if (in(key, trace_keys)) {
		json_object *t = lab_jsonval_obj(p, "trace");

		if (!t) {
			snprintf(why, why_len, "%s: probe %s has no trace counts (not a measured run)",
				 lab_jsonval_str(row, "name"), probe);
			return -1;
		}
		if (number(lab_jsonval_get(t, key), out) < 0) {
			snprintf(why, why_len, "%s: probe %s has no %s (nothing to divide by)",
				 lab_jsonval_str(row, "name"), probe, key);
			return -1;
		}
		return 0;
	}
	res = lab_jsonval_obj(p, "result");
	if (!strcmp(key, "throughput_mib_s")) {
		if (number(lab_jsonval_get(res, key), out) < 0) {
			snprintf(why, why_len, "%s: probe %s has no %s", lab_jsonval_str(row, "name"),
				 probe, key);
			return -1;
		}
		return 0;
	}
	stat_key(key, metric, sizeof(metric), &size, stat, sizeof(stat));
	for (size_t i = 0; i < lab_jsonval_len(lab_jsonval_arr(res, "stats")); i++) {
		json_object *s = json_object_array_get_idx(lab_jsonval_arr(res, "stats"), i);
		double sz;

		if (strcmp(lab_jsonval_str(s, "metric"), metric) ||
		    (size > 0 && (number(lab_jsonval_get(s, "size"), &sz) < 0 || sz != (double)size)))
			continue;
		if (number(lab_jsonval_get(s, stat), out) == 0)
			return 0;
	}
	snprintf(why, why_len, "%s: probe %s has no %s", lab_jsonval_str(row, "name"), probe, key);
	return -1;
}

static const char *group_of(json_object *row, char *buf, size_t len)
{
	snprintf(buf, len, "%s@%s+%s", lab_jsonval_str(row, "platform"),
		 lab_jsonval_str(row, "kernel"), lab_jsonval_str(row, "qemu_build"));
	return buf;
}

/* The run of variant in the group, or NULL. */
static json_object *run_of(json_object *rows, const char *matrix, const char *group,
			   const char *variant)
{
	char g[256];

	for (size_t i = 0; i < lab_jsonval_len(rows); i++) {
		json_object *r = json_object_array_get_idx(rows, i);

		if (!strcmp(lab_jsonval_str(r, "matrix"), matrix) &&
		    !strcmp(lab_jsonval_str(r, "variant"), variant) &&
		    !strcmp(group_of(r, g, sizeof(g)), group))
			return r;
	}
	return NULL;
}

/* One side's value in the group: 0, or -1 with why. */
static int side_value(const struct lab_relation_side *s, json_object *rows, const char *matrix,
		      const char *group, json_object *out, double *v, char *why, size_t len)
{
	json_object *r;

	if (!s->variant) {
		*v = s->number;
		json_object_object_add(out, "value", json_object_new_double(*v));
		return 0;
	}
	r = run_of(rows, matrix, group, s->variant);
	if (!r) {
		snprintf(why, len, "variant %s did not run on %s", s->variant, group);
		return -1;
	}
	json_object_object_add(out, "run", json_object_new_string(lab_jsonval_str(r, "name")));
	if (strcmp(lab_jsonval_str(r, "status"), "ok")) {
		snprintf(why, len, "%s ended '%s'", lab_jsonval_str(r, "name"),
			 lab_jsonval_str(r, "status"));
		return -1;
	}
	if (lab_relation_value(r, s->probe, s->key, v, why, len) < 0)
		return -1;
	json_object_object_add(out, "value", json_object_new_double(*v));
	return 0;
}

void lab_relation_judge(const struct lab_relation *rels, size_t n, const char *matrix,
			const char *file, json_object *rows, json_object *checks)
{
	size_t nrows = lab_jsonval_len(rows);
	char **groups = calloc(nrows + 1, sizeof(*groups));
	size_t ngroups = 0;

	if (!groups)
		return;
	/* the (platform, kernel, QEMU) groups this matrix ran, in row order */
	for (size_t i = 0; i < nrows; i++) {
		json_object *r = json_object_array_get_idx(rows, i);
		char g[256];
		size_t j;

		if (strcmp(lab_jsonval_str(r, "matrix"), matrix))
			continue;
		group_of(r, g, sizeof(g));
		for (j = 0; j < ngroups && strcmp(groups[j], g); j++)
			;
		if (j == ngroups)
			groups[ngroups++] = strdup(g);
	}
	for (size_t k = 0; k < n; k++) {
		for (size_t g = 0; g < ngroups; g++) {
			json_object *c = json_object_new_object(), *l = json_object_new_object();
			json_object *rr = json_object_new_object();
			char name[512], why[512] = "";
			double a, b;
			const char *verdict;

			snprintf(name, sizeof(name), "relation %s [%s]", rels[k].text, groups[g]);
			if (side_value(&rels[k].lhs, rows, matrix, groups[g], l, &a, why, sizeof(why)) < 0 ||
			    side_value(&rels[k].rhs, rows, matrix, groups[g], rr, &b, why, sizeof(why)) < 0) {
				verdict = "skip";
			} else if (lab_relation_holds(rels[k].op, a, b)) {
				verdict = "pass";
				snprintf(why, sizeof(why), "%g %s %g", a, rels[k].op, b);
			} else {
				verdict = "fail";
				snprintf(why, sizeof(why), "%g is not %s %g", a, rels[k].op, b);
			}
			json_object_object_add(c, "name", json_object_new_string(name));
			json_object_object_add(c, "relation", json_object_new_string(rels[k].text));
			json_object_object_add(c, "file", json_object_new_string(file ? file : ""));
			json_object_object_add(c, "line", json_object_new_int(rels[k].line));
			json_object_object_add(c, "matrix", json_object_new_string(matrix));
			json_object_object_add(c, "group", json_object_new_string(groups[g]));
			json_object_object_add(c, "verdict", json_object_new_string(verdict));
			json_object_object_add(c, "lhs", l);
			json_object_object_add(c, "rhs", rr);
			json_object_object_add(c, "reason", json_object_new_string(why));
			json_object_array_add(checks, c);
		}
	}
	for (size_t g = 0; g < ngroups; g++)
		free(groups[g]);
	free(groups);
}
