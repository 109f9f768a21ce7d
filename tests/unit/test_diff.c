/* SPDX-License-Identifier: MIT */
/*
 * Results diff tests: golden cases tests/data/diff/<case>/ hold old.json and
 * new.json (small hand-made results documents in the shape pool.c writes),
 * an optional file `pair` (the --pair regex, one line) and expected.json: the
 * diff document, or {"error": "<message>"} for inputs that must be refused.
 * Every folder under tests/data/diff is a case: add one by adding a folder.
 *
 * LAB_REGEN=1 rewrites each expected.json from the current output instead of
 * comparing: only on purpose, and review the diff by hand before committing.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json.h>

#include "diff.h"
#include "error.h"

#define DATA "tests/data/diff"
#define MAX_CASES 64

static char *cases[MAX_CASES];
static size_t ncases;

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case folders, sorted. */
static void find_cases(void)
{
	DIR *d = opendir(DATA);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[512];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), DATA "/%s", e->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && ncases < MAX_CASES)
			cases[ncases++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(cases, ncases, sizeof(*cases), cmp_name);
}

static char *read_line(const char *path)
{
	char buf[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

/* A case's outcome: the diff document or {"error": msg}. */
static json_object *run_case(const char *name)
{
	struct lab_error err = { 0 };
	struct lab_diff_opts o = { 0 };
	char path[512];
	json_object *old, *new = NULL, *diff = NULL, *out;
	char *pair;

	snprintf(path, sizeof(path), DATA "/%s/pair", name);
	pair = read_line(path);
	o.pair = pair;
	snprintf(path, sizeof(path), DATA "/%s/old.json", name);
	old = lab_diff_load(path, &err);
	snprintf(path, sizeof(path), DATA "/%s/new.json", name);
	if (old)
		new = lab_diff_load(path, &err);
	if (new)
		diff = lab_diff_results(old, new, &o, &err);
	if (diff) {
		out = diff;
	} else {
		assert_true(err.set);
		out = json_object_new_object();
		json_object_object_add(out, "error", json_object_new_string(err.msg));
	}
	json_object_put(old);
	json_object_put(new);
	free(pair);
	return out;
}

static void golden_cases(void **state)
{
	int regen = getenv("LAB_REGEN") && *getenv("LAB_REGEN");
	size_t failed = 0;

	(void)state;
	assert_true(ncases >= 12);
	for (size_t i = 0; i < ncases; i++) {
		json_object *got = run_case(cases[i]), *want;
		char path[512];

		snprintf(path, sizeof(path), DATA "/%s/expected.json", cases[i]);
		if (regen) {
			assert_int_equal(json_object_to_file_ext(path, got, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE), 0);
			print_message("regenerated %s\n", path);
			json_object_put(got);
			continue;
		}
		want = json_object_from_file(path);
		if (!want)
			fail_msg("%s: missing or not JSON (LAB_REGEN=1 writes it)", path);
		if (!json_object_equal(got, want)) {
			print_error("%s differs; got:\n%s\n", path,
				    json_object_to_json_string_ext(got, JSON_C_TO_STRING_PRETTY));
			failed++;
		}
		json_object_put(got);
		json_object_put(want);
	}
	assert_int_equal(failed, 0);
}

/* ---- properties every golden case must also have --------------------------- */

static json_object *case_diff(const char *name)
{
	json_object *d = run_case(name);

	if (json_object_object_get_ex(d, "error", NULL))
		fail_msg("%s: %s", name, json_object_get_string(json_object_object_get(d, "error")));
	return d;
}

static int summary(json_object *d, const char *key)
{
	return json_object_get_int(json_object_object_get(json_object_object_get(d, "summary"), key));
}

static json_object *first_run(json_object *d)
{
	return json_object_array_get_idx(json_object_object_get(d, "runs"), 0);
}

static const char *member(json_object *o, const char *key)
{
	return json_object_get_string(json_object_object_get(o, key));
}

/* The paths of a run entry's observation changes, space-separated. */
static char *paths_of(json_object *run)
{
	json_object *obs = json_object_object_get(run, "observations");
	char *s = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&s, &size);

	for (size_t i = 0; i < json_object_array_length(obs); i++)
		fprintf(f, "%s%s", i ? " " : "",
			member(json_object_array_get_idx(obs, i), "path"));
	fclose(f);
	return s;
}

static void identical_is_nothing(void **state)
{
	json_object *d = case_diff("identical");

	(void)state;
	assert_int_equal(json_object_array_length(json_object_object_get(d, "runs")), 0);
	assert_int_equal(summary(d, "unchanged"), 3);
	assert_int_equal(lab_diff_newly_failing(d), 0);
	json_object_put(d);
}

static void group_ids_alone_are_no_change(void **state)
{
	json_object *d = case_diff("group-renumber");

	(void)state;
	assert_int_equal(summary(d, "unchanged"), 3);
	json_object_put(d);
}

static void newly_failing_first_and_counted(void **state)
{
	json_object *d = case_diff("newly-failing");
	char *paths;

	(void)state;
	assert_int_equal(lab_diff_newly_failing(d), 1);
	assert_string_equal(member(first_run(d), "change"), "newly_failing");
	assert_string_equal(member(first_run(d), "name"), "intel.lazy@bookworm");
	paths = paths_of(first_run(d));
	assert_string_equal(paths, "default_domain groups");
	free(paths);
	json_object_put(d);
}

static void added_failing_run_is_newly_failing(void **state)
{
	json_object *d = case_diff("added-gone");

	(void)state;
	assert_int_equal(summary(d, "newly_failing"), 1);
	assert_int_equal(summary(d, "added"), 1);
	assert_int_equal(summary(d, "gone"), 1);
	assert_string_equal(member(first_run(d), "name"), "virtio.default@backports");
	assert_true(json_object_get_boolean(json_object_object_get(first_run(d), "added")));
	json_object_put(d);
}

static void probe_timings_ignored(void **state)
{
	json_object *d = case_diff("probe-outcome");
	char *paths;

	(void)state;
	paths = paths_of(first_run(d));
	/* elapsed_ms, steps and the group number changed too: not outcomes */
	assert_string_equal(paths, "probes.write_after_unmap.blocked "
			    "probes.write_after_unmap.faults");
	free(paths);
	json_object_put(d);
}

static void pair_strips_the_axis(void **state)
{
	json_object *d = case_diff("pair");

	(void)state;
	assert_int_equal(summary(d, "changed_observations"), 1);
	assert_int_equal(summary(d, "added") + summary(d, "gone"), 0);
	assert_string_equal(member(first_run(d), "name"), "intel.lazy@bookworm");
	assert_string_equal(member(first_run(d), "new_name"), "intel.lazy@bookworm+qemu-backports");
	json_object_put(d);
}

static void bad_regex_is_an_error(void **state)
{
	struct lab_error err = { 0 };
	struct lab_diff_opts o = { .pair = "(" };
	json_object *r = json_tokener_parse("{\"runs\": []}");

	(void)state;
	assert_null(lab_diff_results(r, r, &o, &err));
	assert_true(err.set);
	assert_non_null(strstr(err.msg, "--pair"));
	json_object_put(r);
}

/* Wrong types where runs, checks and observations should be: no crash. */
static void malformed_runs_do_not_crash(void **state)
{
	struct lab_error err = { 0 };
	json_object *old = json_tokener_parse(
		"{\"runs\": [null, 3, {\"name\": 5, \"checks\": {}, \"observations\": []},"
		" {\"name\": \"x\", \"verdict\": 1, \"observations\": {\"groups\": [1, {\"devices\": [null]}],"
		" \"iommus\": [{\"decoded\": 3}, null], \"probes\": [{\"result\": 1}, {\"name\": \"p\", \"result\": []}]}}]}");
	json_object *new = json_tokener_parse(
		"{\"runs\": [{\"name\": \"x\", \"verdict\": \"fail\", \"observations\": {\"faults\": [{\"code\": []}],"
		" \"probes\": [{\"name\": \"p\", \"result\": {\"blocked\": true}}]}}]}");
	json_object *d;

	(void)state;
	assert_non_null(old);
	assert_non_null(new);
	d = lab_diff_results(old, new, NULL, &err);
	/* the unnamed runs of OLD pair with each other: refused, not crashed */
	assert_null(d);
	assert_non_null(strstr(err.msg, "(unnamed)"));
	json_object_array_del_idx(json_object_object_get(old, "runs"), 0, 3);
	lab_error_clear(&err);
	d = lab_diff_results(old, new, NULL, &err);
	assert_non_null(d);
	assert_int_equal(lab_diff_newly_failing(d), 1);
	json_object_put(d);
	/* and the other way round: a result that is no object on the new side */
	d = lab_diff_results(new, old, NULL, &err);
	assert_non_null(d);
	json_object_put(d);
	json_object_put(old);
	json_object_put(new);
}

static void load_folder_and_errors(void **state)
{
	char dir[] = "/tmp/test_diff.XXXXXX", path[256];
	struct lab_error err = { 0 };
	json_object *o;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	o = lab_diff_load(dir, &err);
	assert_null(o);
	assert_non_null(strstr(err.msg, dir));
	assert_non_null(strstr(err.msg, "no results.json"));
	snprintf(path, sizeof(path), "%s/results.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"run_id\": \"x\", \"runs\": []}\n", f);
	fclose(f);
	lab_error_clear(&err);
	o = lab_diff_load(dir, &err);
	assert_non_null(o);
	json_object_put(o);
	lab_error_clear(&err);
	assert_null(lab_diff_load("/nonexistent/results", &err));
	assert_non_null(strstr(err.msg, "/nonexistent/results"));
	unlink(path);
	rmdir(dir);
}

static char *text_of(json_object *d)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	lab_diff_print(d, f);
	fclose(f);
	return buf;
}

static void text_sections_and_summary(void **state)
{
	json_object *d = case_diff("added-gone");
	char *t = text_of(d), line[256];

	(void)state;
	assert_non_null(strstr(t, "old night-1 (QEMU 7.2.0, libvirt 9.0.0) vs new night-2"));
	assert_non_null(strstr(t, "\nnewly failing (1)\n  virtio.default@backports: absent -> fail\n"));
	assert_non_null(strstr(t, "\nadded (1)\n  smmuv3.default@bookworm: absent -> pass\n"));
	assert_non_null(strstr(t, "\ngone (1)\n  amd.default@bookworm: pass -> absent\n"));
	assert_null(strstr(t, "fixed ("));
	lab_diff_summary_line(d, line, sizeof(line));
	assert_string_equal(line, "diff: 1 newly failing, 0 fixed, 0 verdict changed, "
			    "0 observations changed, 1 added, 1 gone (2 unchanged)");
	assert_non_null(strstr(t, line));
	free(t);
	json_object_put(d);

	d = case_diff("decoded-field");
	t = text_of(d);
	assert_non_null(strstr(t, "\nobservations changed (1)\n  intel.lazy@bookworm: pass -> pass\n"
			       "    iommus.intel.decoded.cap.mgaw: 39 -> 48\n"));
	free(t);
	json_object_put(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden_cases),
		cmocka_unit_test(identical_is_nothing),
		cmocka_unit_test(group_ids_alone_are_no_change),
		cmocka_unit_test(newly_failing_first_and_counted),
		cmocka_unit_test(added_failing_run_is_newly_failing),
		cmocka_unit_test(probe_timings_ignored),
		cmocka_unit_test(pair_strips_the_axis),
		cmocka_unit_test(bad_regex_is_an_error),
		cmocka_unit_test(malformed_runs_do_not_crash),
		cmocka_unit_test(load_folder_and_errors),
		cmocka_unit_test(text_sections_and_summary),
	};
	int rc;

	find_cases();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	for (size_t i = 0; i < ncases; i++)
		free(cases[i]);
	return rc;
}
