/* SPDX-License-Identifier: MIT */
#include "merge.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "evaluate.h"
#include "jsonval.h"
#include "verdict.h"

/* What a shard says of its matrix: every run name, in matrix order. */
static json_object *run_names(const struct lab_merge_input *s, struct lab_error *err)
{
	json_object *names = lab_jsonval_arr(lab_jsonval_obj(s->results, "matrix"), "run_names");

	if (!names)
		lab_error_set(err, "%s: results.json records no matrix (written by a lab older than "
			      "'report merge', or not by 'run'): cannot tell which matrix it is a "
			      "shard of", s->dir);
	return names;
}

/* The same matrix: the same run names in the same order. */
static int same_matrix(const struct lab_merge_input *a, json_object *an,
		       const struct lab_merge_input *b, json_object *bn, struct lab_error *err)
{
	size_t na = lab_jsonval_len(an), nb = lab_jsonval_len(bn);

	for (size_t i = 0; i < na && i < nb; i++) {
		const char *x = json_object_get_string(json_object_array_get_idx(an, i));
		const char *y = json_object_get_string(json_object_array_get_idx(bn, i));

		if (strcmp(x ? x : "", y ? y : "")) {
			lab_error_set(err, "%s and %s are shards of different matrices: run #%zu is "
				      "'%s' in one and '%s' in the other", a->dir, b->dir, i + 1,
				      x ? x : "", y ? y : "");
			return -1;
		}
	}
	if (na != nb) {
		lab_error_set(err, "%s and %s are shards of different matrices: %zu runs against %zu",
			      a->dir, b->dir, na, nb);
		return -1;
	}
	return 0;
}

/* A shard's run: its index in the matrix, checked against the names. */
static int run_index(const struct lab_merge_input *s, json_object *names, json_object *run,
		     size_t *index, struct lab_error *err)
{
	json_object *idx = lab_jsonval_get(run, "index");
	const char *name = lab_jsonval_str(run, "name");
	int64_t i = idx ? json_object_get_int64(idx) : -1;
	const char *expected;

	if (!name || !json_object_is_type(idx, json_type_int) || i < 0 ||
	    (size_t)i >= lab_jsonval_len(names)) {
		lab_error_set(err, "%s: run '%s' has no valid index into its matrix", s->dir,
			      name ? name : "?");
		return -1;
	}
	expected = json_object_get_string(json_object_array_get_idx(names, (size_t)i));
	if (strcmp(expected ? expected : "", name)) {
		lab_error_set(err, "%s: run '%s' claims place %lld of the matrix, which is '%s'",
			      s->dir, name, (long long)i + 1, expected ? expected : "");
		return -1;
	}
	*index = (size_t)i;
	return 0;
}

/* The path from folder `from` to `to` (both must exist), or a copy of to
 * as given when either does not. */
static char *relative_path(const char *from, const char *to)
{
	char a[PATH_MAX + 1], b[PATH_MAX];
	size_t common = 0, ups = 0;
	char *out;

	if (!realpath(from, a) || !realpath(to, b))
		return strdup(to);
	if (strcmp(a, "/"))
		strcat(a, "/");
	/* the longest leading run of whole folders both share */
	for (size_t i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			common = i + 1;
	for (const char *p = a + common; *p; p++)
		ups += *p == '/';
	out = calloc(1, ups * 3 + strlen(b + common) + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < ups; i++)
		strcat(out, "../");
	strcat(out, b + common);
	return out;
}

/* A run row, its folder named from where the merged reports live. */
static json_object *relocated(json_object *run, const char *shard_dir, const char *out_dir)
{
	json_object *copy = NULL;
	const char *dir = lab_jsonval_str(run, "dir");
	char path[PATH_MAX * 2];
	lab_autofree char *rel = NULL;

	if (json_object_deep_copy(run, &copy, NULL) < 0)
		return NULL;
	if (dir && *dir) {
		snprintf(path, sizeof(path), "%s/%s", shard_dir, dir);
		rel = relative_path(out_dir, path);
		if (rel)
			json_object_object_add(copy, "dir", json_object_new_string(rel));
	}
	return copy;
}

static int64_t parse_started(const char *iso)
{
	struct tm tm = { 0 };

	if (!iso || !strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return -1;
	return (int64_t)timegm(&tm);
}

/* Add v to a ", "-joined list in o[key] unless it is there already. */
static void join_distinct(json_object *o, const char *key, const char *v)
{
	const char *have = lab_jsonval_str(o, key);
	lab_autofree char *joined = NULL;

	if (!v || !*v)
		return;
	if (!have || !*have) {
		json_object_object_add(o, key, json_object_new_string(v));
		return;
	}
	for (const char *p = have; (p = strstr(p, v)); p += strlen(v))
		if ((p == have || p[-1] == ' ') && (!p[strlen(v)] || p[strlen(v)] == ','))
			return;
	if (asprintf(&joined, "%s, %s", have, v) >= 0)
		json_object_object_add(o, key, json_object_new_string(joined));
}

/* The hosts that ran the shards, as one `host` object: each field lists
 * the distinct values, jobs add up. */
static json_object *merged_host(const struct lab_merge_input *in, size_t n)
{
	json_object *h = json_object_new_object();
	int64_t jobs = 0;

	for (size_t i = 0; i < n; i++) {
		json_object *sh = lab_jsonval_obj(in[i].results, "host");

		join_distinct(h, "hostname", lab_jsonval_str(sh, "hostname"));
		join_distinct(h, "qemu", lab_jsonval_str(sh, "qemu"));
		join_distinct(h, "libvirt", lab_jsonval_str(sh, "libvirt"));
		jobs += json_object_get_int64(lab_jsonval_get(sh, "jobs"));
	}
	json_object_object_add(h, "jobs", json_object_new_int64(jobs));
	return h;
}

static json_object *shard_entry(const struct lab_merge_input *s)
{
	json_object *e = json_object_new_object();
	json_object *m = lab_jsonval_obj(s->results, "matrix");
	json_object *sum = lab_jsonval_obj(s->results, "summary");

	json_object_object_add(e, "dir", json_object_new_string(s->dir));
	json_object_object_add(e, "run_id", json_object_get(lab_jsonval_get(s->results, "run_id")));
	json_object_object_add(e, "shard", json_object_get(lab_jsonval_get(m, "shard")));
	json_object_object_add(e, "hostname", json_object_get(lab_jsonval_get(
		lab_jsonval_obj(s->results, "host"), "hostname")));
	json_object_object_add(e, "runs", json_object_new_int64(
		(int64_t)lab_jsonval_len(lab_jsonval_arr(s->results, "runs"))));
	json_object_object_add(e, "duration_s",
			       json_object_get(lab_jsonval_get(s->results, "duration_s")));
	json_object_object_add(e, "verdict", json_object_get(lab_jsonval_get(sum, "verdict")));
	return e;
}

/* Place every shard's runs by index; refuse a run two shards hold. */
static int place_runs(const struct lab_merge_input *in, size_t n, json_object *names,
		      json_object **slots, size_t *owner, const char *out_dir,
		      struct lab_error *err)
{
	for (size_t s = 0; s < n; s++) {
		json_object *runs = lab_jsonval_arr(in[s].results, "runs");

		for (size_t r = 0; r < lab_jsonval_len(runs); r++) {
			json_object *run = json_object_array_get_idx(runs, r);
			size_t i;

			if (run_index(&in[s], names, run, &i, err) < 0)
				return -1;
			if (slots[i]) {
				lab_error_set(err, "overlapping shards: run '%s' is in both %s and %s",
					      lab_jsonval_str(run, "name"), in[owner[i]].dir, in[s].dir);
				return -1;
			}
			slots[i] = relocated(run, in[s].dir, out_dir);
			owner[i] = s;
			if (!slots[i]) {
				lab_error_set(err, "out of memory copying run '%s'",
					      lab_jsonval_str(run, "name"));
				return -1;
			}
		}
	}
	return 0;
}

json_object *lab_merge_results(const struct lab_merge_input *in, size_t n, const char *out_dir,
			       const char *run_id, int allow_incomplete, struct lab_error *err)
{
	json_object *names = NULL, *doc, *runs, *missing, *merged, *shards, *summary;
	json_object *matrix = NULL;
	lab_autofree json_object **slots = NULL;
	lab_autofree size_t *owner = NULL;
	int64_t first = INT64_MAX, last = INT64_MIN;
	size_t total;
	char started[32] = "";

	if (n == 0) {
		lab_error_set(err, "no results folders to merge");
		return NULL;
	}
	for (size_t s = 0; s < n; s++) {
		json_object *these = run_names(&in[s], err);
		json_object *complete = lab_jsonval_get(in[s].results, "complete");

		if (!these || (names && same_matrix(&in[0], names, &in[s], these, err) < 0))
			return NULL;
		if (complete && !json_object_get_boolean(complete) && !allow_incomplete) {
			lab_error_set(err, "%s: the lab did not finish this shard (results.json says "
				      "complete: false; %zu runs in it): pass --allow-incomplete to "
				      "merge what finished", in[s].dir,
				      lab_jsonval_len(lab_jsonval_arr(in[s].results, "runs")));
			return NULL;
		}
		names = names ? names : these;
	}
	total = lab_jsonval_len(names);
	slots = calloc(total + 1, sizeof(*slots));
	owner = calloc(total + 1, sizeof(*owner));
	if (!slots || !owner) {
		lab_error_set(err, "out of memory");
		return NULL;
	}
	if (place_runs(in, n, names, slots, owner, out_dir, err) < 0) {
		for (size_t i = 0; i < total; i++)
			json_object_put(slots[i]);
		return NULL;
	}

	runs = json_object_new_array();
	missing = json_object_new_array();
	for (size_t i = 0; i < total; i++) {
		if (slots[i])
			json_object_array_add(runs, slots[i]);
		else
			json_object_array_add(missing,
					      json_object_get(json_object_array_get_idx(names, i)));
	}
	shards = json_object_new_array();
	for (size_t s = 0; s < n; s++) {
		int64_t t0 = parse_started(lab_jsonval_str(in[s].results, "started"));
		double d = json_object_get_double(lab_jsonval_get(in[s].results, "duration_s"));

		json_object_array_add(shards, shard_entry(&in[s]));
		if (t0 >= 0) {
			first = t0 < first ? t0 : first;
			last = t0 + (int64_t)d > last ? t0 + (int64_t)d : last;
		}
	}
	summary = lab_evaluate_summary(runs);
	json_object_object_add(summary, "missing",
			       json_object_new_int64((int64_t)lab_jsonval_len(missing)));
	if (lab_jsonval_len(missing)) {
		enum lab_verdict v = lab_verdict_parse(lab_jsonval_str(summary, "verdict"));

		json_object_object_add(summary, "verdict", json_object_new_string(
			lab_verdict_name(lab_verdict_worse(v, LAB_VERDICT_ERROR))));
	}
	merged = json_object_new_object();
	json_object_object_add(merged, "shards", shards);
	json_object_object_add(merged, "missing", missing);

	doc = json_object_new_object();
	json_object_object_add(doc, "run_id", json_object_new_string(run_id));
	if (first != INT64_MAX) {
		time_t t = (time_t)first;

		strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		json_object_object_add(doc, "started", json_object_new_string(started));
		/* wall time from the first shard's start to the last one's end */
		json_object_object_add(doc, "duration_s", json_object_new_double((double)(last - first)));
	}
	json_object_object_add(doc, "host", merged_host(in, n));
	if (json_object_deep_copy(lab_jsonval_obj(in[0].results, "matrix"), &matrix, NULL) == 0) {
		json_object_object_add(matrix, "shard", NULL);   /* the whole of it now */
		json_object_object_add(doc, "matrix", matrix);
	}
	json_object_object_add(doc, "merged", merged);
	json_object_object_add(doc, "summary", summary);
	json_object_object_add(doc, "runs", runs);
	return doc;
}
