/* SPDX-License-Identifier: MIT */
/*
 * Shard merge tests: small hand-made results documents in the shape pool.c
 * writes (the JSON files in tests/data/merge, made to order: two shards of a three-run
 * matrix, a shard of another matrix, one that overlaps, one with no
 * matrix, one the lab did not finish, one whose run claims a wrong place).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json.h>

#include "error.h"
#include "jsonval.h"
#include "merge.h"

#define DATA "tests/data/merge/"

struct shards {
	struct lab_merge_input in[4];
	size_t n;
};

static void load(struct shards *s, ...)
{
	va_list ap;
	const char *name;

	memset(s, 0, sizeof(*s));
	va_start(ap, s);
	while ((name = va_arg(ap, const char *))) {
		char path[256];

		snprintf(path, sizeof(path), DATA "%s.json", name);
		s->in[s->n].dir = name;
		s->in[s->n].results = json_object_from_file(path);
		assert_non_null(s->in[s->n].results);
		s->n++;
	}
	va_end(ap);
}

static void unload(struct shards *s)
{
	for (size_t i = 0; i < s->n; i++)
		json_object_put(s->in[i].results);
}

static json_object *merge(struct shards *s, int allow_incomplete, struct lab_error *err)
{
	return lab_merge_results(s->in, s->n, "/nonexistent-out", "merged-id", allow_incomplete, err);
}

static const char *run_name(json_object *doc, size_t i)
{
	return lab_jsonval_str(json_object_array_get_idx(lab_jsonval_arr(doc, "runs"), i), "name");
}

/* Both shards: the three runs in matrix order, whichever shard came first. */
static void joins_in_matrix_order(void **state)
{
	struct lab_error err = { 0 };
	struct shards s;
	json_object *doc, *sum;

	(void)state;
	load(&s, "shard-2", "shard-1", NULL);
	doc = merge(&s, 0, &err);
	assert_non_null(doc);
	assert_int_equal(lab_jsonval_len(lab_jsonval_arr(doc, "runs")), 3);
	assert_string_equal(run_name(doc, 0), "m.a@bookworm");
	assert_string_equal(run_name(doc, 1), "m.b@bookworm");
	assert_string_equal(run_name(doc, 2), "m.c@bookworm");
	sum = lab_jsonval_obj(doc, "summary");
	assert_string_equal(lab_jsonval_str(sum, "verdict"), "pass");
	assert_int_equal(json_object_get_int(lab_jsonval_get(sum, "runs")), 3);
	assert_int_equal(json_object_get_int(lab_jsonval_get(sum, "missing")), 0);
	/* the merged matrix is the whole one; the shards are listed */
	assert_null(lab_jsonval_get(lab_jsonval_obj(doc, "matrix"), "shard"));
	assert_int_equal(lab_jsonval_len(lab_jsonval_arr(lab_jsonval_obj(doc, "merged"), "shards")), 2);
	/* the shard's own document is untouched */
	assert_string_equal(lab_jsonval_str(lab_jsonval_obj(s.in[0].results, "matrix"), "shard"), "2/2");
	/* hosts listed, jobs added; wall time from the first start to the last end */
	assert_string_equal(lab_jsonval_str(lab_jsonval_obj(doc, "host"), "hostname"), "hostB, hostA");
	assert_int_equal(json_object_get_int(lab_jsonval_get(lab_jsonval_obj(doc, "host"), "jobs")), 2);
	assert_string_equal(lab_jsonval_str(doc, "started"), "2026-12-05T10:00:00Z");
	assert_true(json_object_get_double(lab_jsonval_get(doc, "duration_s")) == 130.0);
	json_object_put(doc);
	unload(&s);
}

/* A failing run in one shard fails the whole. */
static void a_failing_shard_fails_the_whole(void **state)
{
	struct lab_error err = { 0 };
	struct shards s;
	json_object *doc;

	(void)state;
	load(&s, "shard-1", "shard-2-failed", NULL);
	doc = merge(&s, 0, &err);
	assert_non_null(doc);
	assert_string_equal(lab_jsonval_str(lab_jsonval_obj(doc, "summary"), "verdict"), "fail");
	json_object_put(doc);
	unload(&s);
}

/* One shard alone: the other's run is missing, and the verdict an error. */
static void missing_runs_are_an_error(void **state)
{
	struct lab_error err = { 0 };
	struct shards s;
	json_object *doc, *missing;

	(void)state;
	load(&s, "shard-1", NULL);
	doc = merge(&s, 0, &err);
	assert_non_null(doc);
	missing = lab_jsonval_arr(lab_jsonval_obj(doc, "merged"), "missing");
	assert_int_equal(lab_jsonval_len(missing), 1);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(missing, 0)),
			    "m.b@bookworm");
	assert_string_equal(lab_jsonval_str(lab_jsonval_obj(doc, "summary"), "verdict"), "error");
	json_object_put(doc);
	unload(&s);
}

static void refused(const char *a, const char *b, int allow_incomplete, const char *needle)
{
	struct lab_error err = { 0 };
	struct shards s;

	load(&s, a, b, NULL);
	assert_null(merge(&s, allow_incomplete, &err));
	assert_true(err.set);
	if (!strstr(err.msg, needle))
		fail_msg("message '%s' lacks '%s'", err.msg, needle);
	unload(&s);
}

static void refuses_another_matrix(void **state)
{
	(void)state;
	refused("shard-1", "other-matrix", 0, "different matrices: run #2 is 'm.b@bookworm'");
}

static void refuses_overlapping_runs(void **state)
{
	(void)state;
	refused("shard-1", "overlap", 0, "run 'm.c@bookworm' is in both shard-1 and overlap");
	refused("shard-1", "shard-1", 0, "overlapping");
}

static void refuses_a_document_without_matrix(void **state)
{
	(void)state;
	refused("shard-2", "no-matrix", 0, "no-matrix: results.json records no matrix");
}

static void refuses_a_run_in_the_wrong_place(void **state)
{
	(void)state;
	refused("shard-1", "wrong-index", 0, "claims place 1 of the matrix, which is 'm.a@bookworm'");
}

static void incomplete_only_when_allowed(void **state)
{
	struct lab_error err = { 0 };
	struct shards s;
	json_object *doc;

	(void)state;
	refused("shard-1", "incomplete", 0, "--allow-incomplete");
	load(&s, "shard-1", "incomplete", NULL);
	doc = merge(&s, 1, &err);
	assert_non_null(doc);
	assert_int_equal(lab_jsonval_len(lab_jsonval_arr(doc, "runs")), 3);
	json_object_put(doc);
	unload(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(joins_in_matrix_order),
		cmocka_unit_test(a_failing_shard_fails_the_whole),
		cmocka_unit_test(missing_runs_are_an_error),
		cmocka_unit_test(refuses_another_matrix),
		cmocka_unit_test(refuses_overlapping_runs),
		cmocka_unit_test(refuses_a_document_without_matrix),
		cmocka_unit_test(refuses_a_run_in_the_wrong_place),
		cmocka_unit_test(incomplete_only_when_allowed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
