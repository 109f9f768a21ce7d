/* SPDX-License-Identifier: MIT */
/* trace: QEMU's IOMMU trace lines parsed, classified and counted per probe
 * window, on real trace output of QEMU 7.2 and 10.0.2 (tests/data/trace). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain.h"
#include "jsonval.h"
#include "platform.h"
#include "trace.h"

#define DATA "tests/data/trace/"

/* The probes of a case (its .json: the windows the run recorded), counted
 * over its .log; the run document back, the probes in *probes. */
static json_object *count_case(const char *kind, const char *name, json_object **probes)
{
	char path[256];
	struct lab_error err = { 0 };
	json_object *doc, *run;

	snprintf(path, sizeof(path), DATA "%s.json", name);
	doc = json_object_from_file(path);
	assert_non_null(doc);
	*probes = json_object_get(json_object_object_get(doc, "probes"));
	json_object_put(doc);
	snprintf(path, sizeof(path), DATA "%s.log", name);
	run = lab_trace_count(path, kind, *probes, &err);
	if (!run)
		fail_msg("%s", err.msg);
	return run;
}

static json_object *probe_named(json_object *probes, const char *name)
{
	for (size_t i = 0; i < lab_jsonval_len(probes); i++) {
		json_object *p = json_object_array_get_idx(probes, i);

		if (!strcmp(lab_jsonval_str(p, "name"), name))
			return p;
	}
	fail_msg("no probe %s", name);
	return NULL;
}

static int64_t num(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no %s in %s", key, json_object_to_json_string(o));
	return json_object_get_int64(v);
}

/* Counted independently of the lab's code (a script over each excerpt and
 * its windows, tests/data/trace/README). */
static const struct {
	const char *file, *kind, *probe;
	int64_t hits, misses, invals, walks;
} expected[] = {
	{ "amd-7.2", "amd", "write_after_unmap", 1, 1, 12, 1 },
	{ "amd-7.2", "amd", "peer_write", 1, 1, 22, 1 },
	{ "amd-7.2", "amd", "msi", 1, 1, 12, 1 },
	{ "amd-7.2", "amd", "blk_virtio", 20, 12, 18, 12 },
	{ "amd-7.2", "amd", "blk_nvme", 16, 18, 16, 18 },
	{ "amd-7.2", "amd", "perm_write", 0, 1, 12, 1 },
	{ "intel-10.0", "intel", "write_after_unmap", 1, 1, 7, 1 },
	{ "intel-10.0", "intel", "read_unmapped", 0, 0, 6, 0 },
	{ "intel-10.0", "intel", "blk_virtio", 41, 19, 0, 19 },
	{ "intel-10.0", "intel", "blk_nvme", 44, 16, 0, 16 },
	{ "intel-7.2", "intel", "write_after_unmap", 1, 1, 7, 1 },
	{ "intel-7.2", "intel", "read_unmapped", 0, 0, 6, 0 },
	{ "intel-7.2", "intel", "blk_virtio", 41, 19, 0, 19 },
	{ "intel-7.2", "intel", "blk_nvme", 44, 16, 0, 16 },
	{ "smmuv3-10.0", "smmuv3", "write_after_unmap", 16, 2, 4, 2 },
	{ "smmuv3-10.0", "smmuv3", "read_unmapped", 14, 1, 3, 1 },
	{ "smmuv3-10.0", "smmuv3", "blk_virtio", 30, 8, 4, 8 },
	{ "smmuv3-10.0", "smmuv3", "blk_nvme", 33, 6, 5, 6 },
	{ "smmuv3-10.0", "smmuv3", "perm_write", 12, 1, 4, 1 },
	{ "smmuv3-7.2", "smmuv3", "write_after_unmap", 15, 2, 4, 2 },
	{ "smmuv3-7.2", "smmuv3", "read_unmapped", 13, 1, 3, 1 },
	{ "smmuv3-7.2", "smmuv3", "blk_virtio", 30, 8, 4, 8 },
	{ "smmuv3-7.2", "smmuv3", "blk_nvme", 33, 6, 5, 6 },
	{ "smmuv3-7.2", "smmuv3", "perm_write", 12, 1, 4, 1 },
	{ "virtio-10.0", "virtio", "write_after_unmap", 0, 0, 2, 20 },
};

static void real_windows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		json_object *probes, *run = count_case(expected[i].kind, expected[i].file, &probes);
		json_object *t = json_object_object_get(probe_named(probes, expected[i].probe), "trace");

		assert_non_null(t);
		if (num(t, "iotlb_hits") != expected[i].hits || num(t, "iotlb_misses") != expected[i].misses ||
		    num(t, "invalidations") != expected[i].invals || num(t, "page_walks") != expected[i].walks)
			fail_msg("%s %s: %s", expected[i].file, expected[i].probe,
				 json_object_to_json_string(t));
		assert_int_equal(num(run, "unparsed"), 0);
		assert_int_equal(num(run, "untimed"), 0);
		assert_false(json_object_get_boolean(json_object_object_get(run, "truncated")));
		json_object_put(run);
		json_object_put(probes);
	}
}

/* the rates: a vfio probe unmaps once; a block probe says its bytes */
static void rates(void **state)
{
	json_object *probes, *run = count_case("intel", "intel-7.2", &probes), *t;

	(void)state;
	t = json_object_object_get(probe_named(probes, "write_after_unmap"), "trace");
	assert_true(json_object_get_double(json_object_object_get(t, "hit_rate")) == 0.5);
	assert_true(json_object_get_double(json_object_object_get(t, "invalidations_per_unmap")) == 7.0);
	assert_null(json_object_object_get(t, "invalidations_per_mib"));
	/* no mapping (map: false): no unmap to divide by, no lookups */
	t = json_object_object_get(probe_named(probes, "read_unmapped"), "trace");
	assert_null(json_object_object_get(t, "invalidations_per_unmap"));
	assert_null(json_object_object_get(t, "hit_rate"));
	/* the events by name, unclassified ones too */
	assert_int_equal(num(json_object_object_get(t, "events"), "vtd_dmar_fault"), 16);
	/* the boot: what came before the first window */
	assert_true(num(json_object_object_get(run, "boot"), "iotlb_hits") > 0);
	json_object_put(run);
	json_object_put(probes);

	/* per MiB from the probe's bytes: 2 MiB read, 16 invalidations */
	run = count_case("amd", "amd-7.2", &probes);
	t = json_object_object_get(probe_named(probes, "blk_nvme"), "trace");
	assert_true(json_object_get_double(json_object_object_get(t, "invalidations_per_mib")) == 8.0);
	assert_null(json_object_object_get(t, "invalidations_per_unmap"));
	json_object_put(run);
	json_object_put(probes);
}

/* a perf probe's ops: unmaps, or I/Os for block_read; absent keys are 0 */
static void perf_ops(void **state)
{
	json_object *ev = json_object_new_object(), *t;

	(void)state;
	json_object_object_add(ev, "vtd_inv_desc_iotlb_pages", json_object_new_int64(30));
	json_object_object_add(ev, "vtd_iotlb_page_hit", json_object_new_int64(3));
	json_object_object_add(ev, "vtd_iotlb_page_update", json_object_new_int64(1));
	t = lab_trace_summary("intel", ev, 10, 4 << 20);
	assert_true(json_object_get_double(json_object_object_get(t, "invalidations_per_unmap")) == 3.0);
	assert_true(json_object_get_double(json_object_object_get(t, "invalidations_per_mib")) == 7.5);
	assert_true(json_object_get_double(json_object_object_get(t, "hit_rate")) == 0.75);
	json_object_put(t);
	/* zero unmaps: no rate rather than a division by zero */
	t = lab_trace_summary("intel", json_object_new_object(), 0, 0);
	assert_null(json_object_object_get(t, "invalidations_per_unmap"));
	assert_null(json_object_object_get(t, "invalidations_per_mib"));
	assert_int_equal(num(t, "invalidations"), 0);
	json_object_put(t);
}

/* real lines with damaged ones between them: binary, a bad timestamp, a
 * line without -msg timestamp=on, an empty one, a line longer than the
 * buffer, a name that is none, QEMU's own stderr, a CR, and the last line
 * cut short without its newline */
static void garbage(void **state)
{
	json_object *probes, *run = count_case("intel", "garbage", &probes), *t;

	(void)state;
	t = json_object_object_get(probe_named(probes, "write_after_unmap"), "trace");
	assert_int_equal(num(t, "iotlb_hits"), 2);       /* 1 real + the long line */
	assert_int_equal(num(t, "iotlb_misses"), 1);
	assert_int_equal(num(t, "invalidations"), 7);
	assert_int_equal(num(run, "lines"), 34);     /* 25 real, 8 damaged, the cut one */
	assert_int_equal(num(run, "unparsed"), 7);
	assert_int_equal(num(run, "untimed"), 1);
	json_object_put(run);
	json_object_put(probes);
}

static void parse_lines(void **state)
{
	const char *name;
	size_t len;
	double ts;

	(void)state;
	assert_int_equal(lab_trace_parse_line("123@1796463242.204089:smmu_iotlb_lookup_hit asid=1\n",
					      &ts, &name, &len), 0);
	assert_true(ts > 1796463242.2 && ts < 1796463242.3);
	assert_int_equal(len, strlen("smmu_iotlb_lookup_hit"));
	assert_memory_equal(name, "smmu_iotlb_lookup_hit", len);
	/* an event without arguments */
	assert_int_equal(lab_trace_parse_line("1@2.000003:vtd_context_cache_reset", &ts, &name, &len), 0);
	assert_int_equal(len, strlen("vtd_context_cache_reset"));
	/* untimed */
	assert_int_equal(lab_trace_parse_line("vtd_iotlb_reset x\n", &ts, &name, &len), 0);
	assert_true(ts < 0);
	/* not events */
	assert_int_equal(lab_trace_parse_line("", &ts, &name, &len), -1);
	assert_int_equal(lab_trace_parse_line("1@2:vtd_x", &ts, &name, &len), -1);
	assert_int_equal(lab_trace_parse_line("x1@2.3:vtd_x", &ts, &name, &len), -1);
	assert_int_equal(lab_trace_parse_line("1@2.3:_vtd", &ts, &name, &len), -1);
	assert_int_equal(lab_trace_parse_line("1@2.3:vtd-x", &ts, &name, &len), -1);
	assert_int_equal(lab_trace_parse_line("1@2.1234567890:vtd_x", &ts, &name, &len), -1);
}

static void classes(void **state)
{
	(void)state;
	assert_int_equal(lab_trace_class("intel", "vtd_iotlb_page_hit"), LAB_TRACE_HIT);
	assert_int_equal(lab_trace_class("intel", "vtd_iotlb_page_update"),
			 LAB_TRACE_MISS | LAB_TRACE_WALK);
	assert_int_equal(lab_trace_class("smmuv3", "smmuv3_s1_range_inval"), LAB_TRACE_INVAL);
	assert_int_equal(lab_trace_class("smmuv3", "smmuv3_range_inval"), LAB_TRACE_INVAL);
	/* the event of another IOMMU, or none: counted only by name */
	assert_int_equal(lab_trace_class("smmuv3", "vtd_iotlb_page_hit"), 0);
	assert_int_equal(lab_trace_class("intel", "vtd_dmar_fault"), 0);
	assert_non_null(lab_trace_patterns("virtio"));
	assert_null(lab_trace_patterns("smmu"));
}

static void wanted(void **state)
{
	json_object *probes = json_tokener_parse(
		"[{\"name\": \"a\", \"mode\": \"vfio\"}, {\"name\": \"b\", \"mode\": \"block\"}]");

	(void)state;
	unsetenv("LAB_TRACE");
	assert_false(lab_trace_wanted(probes));
	assert_false(lab_trace_wanted(NULL));
	setenv("LAB_TRACE", "1", 1);
	assert_true(lab_trace_wanted(probes));
	unsetenv("LAB_TRACE");
	json_object_array_add(probes, json_tokener_parse("{\"name\": \"c\", \"mode\": \"perf\"}"));
	assert_true(lab_trace_wanted(probes));
	json_object_put(probes);
}

static void missing_file(void **state)
{
	struct lab_error err = { 0 };

	(void)state;
	assert_null(lab_trace_count(DATA "no-such.log", "intel", NULL, &err));
	assert_true(err.set);
}

/* the domain XML: one -trace per pattern, each naming the file; a comma in
 * the path doubled (QEMU's option syntax), nothing without a file */
static void domain_args(void **state)
{
	struct lab_error err = { 0 };
	struct lab_platform *p = lab_platform_load("guests/platforms", "smmuv3", &err);
	struct lab_domain_spec spec = { .name = LAB_DOMAIN_PREFIX "t", .platform = p,
					.kernel = "k", .initrd = "i", .accel = "tcg" };
	char *xml;

	(void)state;
	assert_non_null(p);
	xml = lab_domain_xml(&spec, &err);
	assert_non_null(xml);
	assert_null(strstr(xml, "-trace"));
	free(xml);
	spec.trace_file = "/r/a,b/qemu-trace.log";
	spec.trace_events = lab_trace_patterns("smmuv3");
	xml = lab_domain_xml(&spec, &err);
	assert_non_null(xml);
	assert_non_null(strstr(xml, "<qemu:arg value=\"-trace\"/>\n    <qemu:arg value=\"enable="
				    "smmu_iotlb_lookup_*,file=/r/a,,b/qemu-trace.log\"/>"));
	assert_non_null(strstr(xml, "enable=smmuv3_*range_inval,file=/r/a,,b/qemu-trace.log"));
	free(xml);
	lab_platform_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_windows),
		cmocka_unit_test(rates),
		cmocka_unit_test(perf_ops),
		cmocka_unit_test(garbage),
		cmocka_unit_test(parse_lines),
		cmocka_unit_test(classes),
		cmocka_unit_test(wanted),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(domain_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
