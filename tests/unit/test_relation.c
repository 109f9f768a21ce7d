/* SPDX-License-Identifier: MIT */
/* relation and perf: cross-run relations parsed (file:line errors) and
 * judged per platform/kernel/QEMU, a run's checks from its trace counts,
 * and results.json's perf section; over hand-made rows (tests/data/relation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "diff.h"
#include "jsonval.h"
#include "matrix.h"
#include "perf.h"
#include "relation.h"
#include "report.h"
#include "scenario.h"

#define DATA "tests/data/relation/"
#define PLATFORMS "guests/platforms"

static void parse(void **state)
{
	struct lab_relation r;
	struct lab_error err = { 0 };

	(void)state;
	assert_int_equal(lab_relation_parse("lazy.blk.invalidations_per_mib < strict.blk.invalidations_per_mib",
					    &r, &err), 0);
	assert_string_equal(r.lhs.variant, "lazy");
	assert_string_equal(r.lhs.probe, "blk");
	assert_string_equal(r.rhs.key, "invalidations_per_mib");
	assert_string_equal(r.op, "<");
	lab_relation_clear(&r);
	assert_int_equal(lab_relation_parse("strict.map.map_us@4096.p90 >= 0.5", &r, &err), 0);
	assert_null(r.rhs.variant);
	assert_true(r.rhs.number == 0.5);
	assert_string_equal(r.lhs.key, "map_us@4096.p90");
	lab_relation_clear(&r);
	/* malformed */
	assert_int_equal(lab_relation_parse("a.b.hit_rate <", &r, &err), -1);
	assert_int_equal(lab_relation_parse("a.b.hit_rate < 1 extra", &r, &err), -1);
	assert_int_equal(lab_relation_parse("1 < a.b.hit_rate", &r, &err), -1);
	assert_int_equal(lab_relation_parse("a.b.read_us.mode < 1", &r, &err), -1);
	assert_int_equal(lab_relation_parse("a.b.read_us@0.median < 1", &r, &err), -1);
	assert_int_equal(lab_relation_parse("a.b.bogus < 1", &r, &err), -1);
	assert_int_equal(lab_relation_parse("a;b.c.hit_rate < 1", &r, &err), -1);
	assert_int_equal(lab_relation_parse("a.b.hit_rate < nan", &r, &err), -1);
	assert_true(lab_relation_holds("<=", 1, 1));
	assert_false(lab_relation_holds("!=", 1, 1));
}

static void file_errors(void **state)
{
	static const struct {
		const char *file, *want;
	} cases[] = {
		{ "bad-variant.yaml", "bad-variant.yaml:5: relation names variant 'stritc'" },
		{ "bad-key.yaml", "bad-key.yaml:4: unknown key 'invalidations_per_gib'" },
		{ "bad-op.yaml", "bad-op.yaml:4: unknown operator '=>'" },
		{ "bad-form.yaml", "bad-form.yaml:4: a relation is a string" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lab_error err = { 0 };
		char path[256];
		struct lab_scenario *s;

		snprintf(path, sizeof(path), DATA "%s", cases[i].file);
		s = lab_scenario_load(path, PLATFORMS, &err);
		if (s) {
			lab_scenario_free(s);
			fail_msg("%s loaded", cases[i].file);
		}
		if (!strstr(err.msg, cases[i].want))
			fail_msg("%s: '%s' lacks '%s'", cases[i].file, err.msg, cases[i].want);
	}
}

static const char *verdict_of(json_object *checks, const char *name)
{
	for (size_t i = 0; i < lab_jsonval_len(checks); i++)
		if (!strcmp(lab_jsonval_str(json_object_array_get_idx(checks, i), "name"), name))
			return lab_jsonval_str(json_object_array_get_idx(checks, i), "verdict");
	fail_msg("no check %s", name);
	return NULL;
}

static void judged(void **state)
{
	struct lab_error err = { 0 };
	char *files[] = { (char *)DATA "good.yaml" };
	struct lab_matrix *m = lab_matrix_load(files, 1, PLATFORMS, &err);
	json_object *results = json_object_from_file(DATA "rows.json"), *rel, *checks;

	(void)state;
	assert_non_null(m);
	assert_non_null(results);
	lab_perf_apply(results, m);
	rel = lab_jsonval_obj(results, "relations");
	checks = lab_jsonval_arr(rel, "checks");
	assert_int_equal(lab_jsonval_len(checks), 8);
	assert_string_equal(verdict_of(checks, "relation lazy.blk.invalidations_per_mib < "
				       "strict.blk.invalidations_per_mib [intel@bookworm+system]"), "pass");
	/* no lazy run on backports: skipped, saying so */
	assert_string_equal(verdict_of(checks, "relation lazy.blk.invalidations_per_mib < "
				       "strict.blk.invalidations_per_mib [intel@backports+system]"), "skip");
	assert_string_equal(verdict_of(checks, "relation strict.map.invalidations_per_unmap >= 1 "
				       "[intel@backports+system]"), "fail");
	assert_string_equal(verdict_of(checks, "relation lazy.blk.read_us.median <= "
				       "strict.blk.read_us.median [intel@bookworm+system]"), "fail");
	assert_string_equal(verdict_of(checks, "relation strict.map.map_us@4096.p90 < "
				       "strict.map.map_us@2097152.p90 [intel@backports+system]"), "pass");
	assert_int_equal(json_object_get_int64(lab_jsonval_get(rel, "pass")), 4);
	assert_int_equal(json_object_get_int64(lab_jsonval_get(rel, "fail")), 2);
	assert_int_equal(json_object_get_int64(lab_jsonval_get(rel, "skip")), 2);
	/* a failed relation fails the invocation */
	assert_string_equal(lab_jsonval_str(lab_jsonval_obj(results, "summary"), "verdict"), "fail");
	/* and the perf section: every measured run, grouped */
	assert_int_equal(lab_jsonval_len(lab_jsonval_arr(lab_jsonval_obj(results, "perf"), "runs")), 3);
	assert_int_equal(lab_jsonval_len(lab_jsonval_arr(lab_jsonval_obj(results, "perf"), "groups")), 2);
	json_object_put(results);
	lab_matrix_free(m);
}

static void run_checks(void **state)
{
	json_object *results = json_object_from_file(DATA "rows.json");
	json_object *rows = lab_jsonval_arr(results, "runs"), *checks = json_object_new_array();
	json_object *probe;

	(void)state;
	/* strict@bookworm: one invalidation per unmap, both probes */
	assert_int_equal(lab_perf_run_checks(lab_jsonval_obj(json_object_array_get_idx(rows, 0),
							     "observations"), checks), LAB_VERDICT_PASS);
	assert_int_equal(lab_jsonval_len(checks), 2);
	/* strict@backports: half an invalidation per VFIO unmap */
	assert_int_equal(lab_perf_run_checks(lab_jsonval_obj(json_object_array_get_idx(rows, 2),
							     "observations"), checks), LAB_VERDICT_FAIL);
	assert_string_equal(verdict_of(checks, "trace.map.invalidations_per_unmap"), "pass");
	/* identity: lookups are a failure; none a pass */
	probe = json_object_array_get_idx(lab_jsonval_arr(lab_jsonval_obj(
		json_object_array_get_idx(rows, 1), "observations"), "probes"), 0);
	json_object_object_add(lab_jsonval_obj(probe, "result"), "domain_type",
			       json_object_new_string("identity"));
	assert_string_equal(lab_perf_policy(probe), "identity");
	json_object_put(checks);
	checks = json_object_new_array();
	assert_int_equal(lab_perf_run_checks(lab_jsonval_obj(json_object_array_get_idx(rows, 1),
							     "observations"), checks), LAB_VERDICT_FAIL);
	assert_string_equal(verdict_of(checks, "trace.blk.identity_no_lookups"), "fail");
	/* on AMD-Vi the same lookups are QEMU's way with passthrough: a skip */
	{
		json_object *obs = lab_jsonval_obj(json_object_array_get_idx(rows, 1), "observations");

		json_object_object_add(obs, "iommus", json_tokener_parse("[{\"kind\": \"amd\"}]"));
		json_object_put(checks);
		checks = json_object_new_array();
		assert_int_equal(lab_perf_run_checks(obs, checks), LAB_VERDICT_SKIP);
		assert_string_equal(verdict_of(checks, "trace.blk.identity_no_lookups"), "skip");
	}
	/* a lazy domain has no per-run check */
	json_object_object_add(lab_jsonval_obj(probe, "result"), "domain_type",
			       json_object_new_string("DMA-FQ"));
	assert_string_equal(lab_perf_policy(probe), "lazy");
	/* through a VFIO container the group's default type does not matter:
	 * VFIO's own domain translates, and unmaps strictly (iommu=pt too) */
	{
		json_object *p = json_tokener_parse(
			"{\"request\": {\"mode\": \"perf\", \"measure\": \"edu_rtt\", \"via\": \"vfio\"}, "
			"\"result\": {\"measure\": \"edu_rtt\", \"domain_type\": \"identity\"}}");

		assert_string_equal(lab_perf_policy(p), "strict");
		json_object_object_add(lab_jsonval_obj(p, "request"), "via",
				       json_object_new_string("raw"));
		assert_string_equal(lab_perf_policy(p), "identity");
		json_object_object_add(lab_jsonval_obj(p, "request"), "measure",
				       json_object_new_string("pgtable"));
		json_object_object_add(lab_jsonval_obj(p, "result"), "measure",
				       json_object_new_string("pgtable"));
		json_object_object_del(lab_jsonval_obj(p, "request"), "via");
		assert_string_equal(lab_perf_policy(p), "strict");
		json_object_put(p);
	}
	json_object_put(checks);
	json_object_put(results);
}

/* report.html's comparison: the charts and the relations, from the perf
 * section of the hand-made rows */
static void html_section(void **state)
{
	struct lab_error err = { 0 };
	char *files[] = { (char *)DATA "good.yaml" };
	struct lab_matrix *m = lab_matrix_load(files, 1, PLATFORMS, &err);
	json_object *results = json_object_from_file(DATA "rows.json");
	char path[] = "/tmp/test_relation-XXXXXX.html", *html = NULL;
	size_t len = 0;
	FILE *f;
	int fd = mkstemps(path, 5);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	lab_perf_apply(results, m);
	assert_int_equal(lab_report_write_html(results, path, &err), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(getdelim(&html, &len, '\0', f) > 0);
	fclose(f);
	unlink(path);
	assert_non_null(strstr(html, "Performance: configurations compared"));
	assert_non_null(strstr(html, "they are not hardware numbers"));
	assert_non_null(strstr(html, "map_us: median by probe, size and policy"));
	assert_non_null(strstr(html, "read_us: median by probe, size and policy"));
	assert_non_null(strstr(html, "IOTLB invalidations per MiB by probe and policy"));
	/* the sizes as people read them, a bar per policy */
	assert_non_null(strstr(html, ">2M<"));
	assert_non_null(strstr(html, "<title>lazy blk: 3.5</title>"));
	assert_non_null(strstr(html, "Relations between runs"));
	free(html);
	json_object_put(results);
	lab_matrix_free(m);
}

/* diff: a relation that held and now fails fails the diff; the measured
 * values side by side with their ratio */
static void diffed(void **state)
{
	struct lab_error err = { 0 };
	char *files[] = { (char *)DATA "good.yaml" };
	struct lab_matrix *m = lab_matrix_load(files, 1, PLATFORMS, &err);
	json_object *old = json_object_from_file(DATA "rows.json");
	json_object *new = json_object_from_file(DATA "rows.json"), *d, *values;
	json_object *lazy_blk;
	int found = 0;

	(void)state;
	/* lazy now invalidates as much as strict on bookworm */
	lazy_blk = json_object_array_get_idx(lab_jsonval_arr(lab_jsonval_obj(json_object_array_get_idx(
		lab_jsonval_arr(new, "runs"), 1), "observations"), "probes"), 0);
	json_object_object_add(lab_jsonval_obj(lazy_blk, "trace"), "invalidations_per_mib",
			       json_object_new_double(512));
	lab_perf_apply(old, m);
	lab_perf_apply(new, m);
	d = lab_diff_results(old, new, NULL, &err);
	assert_non_null(d);
	assert_int_equal(lab_diff_newly_failing(d), 1);
	values = lab_jsonval_arr(lab_jsonval_obj(d, "perf"), "values");
	for (size_t i = 0; i < lab_jsonval_len(values); i++) {
		json_object *e = json_object_array_get_idx(values, i);

		if (!strcmp(lab_jsonval_str(e, "run"), "m.lazy@bookworm") &&
		    !strcmp(lab_jsonval_str(e, "probe"), "blk") &&
		    !strcmp(lab_jsonval_str(e, "what"), "invalidations_per_mib")) {
			assert_true(json_object_get_double(lab_jsonval_get(e, "ratio")) > 146 &&
				    json_object_get_double(lab_jsonval_get(e, "ratio")) < 147);
			found = 1;
		}
	}
	assert_true(found);
	json_object_put(d);
	/* the same on both sides: nothing newly fails */
	d = lab_diff_results(old, old, NULL, &err);
	assert_int_equal(lab_diff_newly_failing(d), 0);
	json_object_put(d);
	json_object_put(old);
	json_object_put(new);
	lab_matrix_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse),
		cmocka_unit_test(file_errors),
		cmocka_unit_test(judged),
		cmocka_unit_test(run_checks),
		cmocka_unit_test(html_section),
		cmocka_unit_test(diffed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
