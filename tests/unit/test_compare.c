/* SPDX-License-Identifier: MIT */
/* The comparator: each verdict, from expectations in a scenario file and
 * observations from a real guest (tests/data/observation/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "acpi.h"
#include "compare.h"
#include "matrix.h"
#include "observation.h"

static struct lab_matrix *m;
static json_object *intel_obs, *intel_kmsg;
static const struct lab_env env72 = { "7.2.0", "9.0.0", "6.1.0-56-amd64" };

static int setup(void **state)
{
	struct lab_error err = { 0 };
	char *files[] = { "tests/data/compare/expectations.yaml" };
	json_object *collect = json_object_from_file("tests/data/observation/intel-collect.json");

	(void)state;
	m = lab_matrix_load(files, 1, "guests/platforms", &err);
	if (!m || !collect) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	intel_obs = lab_observation_from_collect(collect, "intel");
	intel_kmsg = json_object_get(json_object_object_get(json_object_object_get(collect, "klog"),
							    "records"));
	json_object_put(collect);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	lab_matrix_free(m);
	json_object_put(intel_obs);
	json_object_put(intel_kmsg);
	return 0;
}

static const struct lab_run_spec *spec(const char *variant)
{
	for (size_t i = 0; i < m->nruns; i++)
		if (!strcmp(m->runs[i].variant, variant))
			return &m->runs[i];
	fail_msg("no variant %s", variant);
	return NULL;
}

/* Compare, then return the verdict of check `name` (and the run's). */
static json_object *judge(const char *variant, const struct lab_env *env, const char *status,
			  json_object *obs, json_object *faults)
{
	return lab_compare_run(spec(variant), env, status, obs, intel_kmsg, faults);
}

/* The check named so: a test that asks for one that is not there fails,
 * so no assertion on it can be skipped. */
static json_object *check_named(json_object *res, const char *check)
{
	json_object *checks = json_object_object_get(res, "checks");

	for (size_t i = 0; i < json_object_array_length(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i);

		if (!strcmp(json_object_get_string(json_object_object_get(c, "name")), check))
			return c;
	}
	fail_msg("no check %s", check);
	return NULL;
}

static const char *field(json_object *check, const char *key)
{
	return json_object_get_string(json_object_object_get(check, key));
}

static const char *verdict_of(json_object *res, const char *check)
{
	return field(check_named(res, check), "verdict");
}

static const char *run_verdict(json_object *res)
{
	return json_object_get_string(json_object_object_get(res, "verdict"));
}

static void holding_expectations_pass(void **state)
{
	json_object *res = judge("good", &env72, "ok", intel_obs, NULL);

	(void)state;
	assert_string_equal(verdict_of(res, "status"), "pass");
	assert_string_equal(verdict_of(res, "iommu"), "pass");
	assert_string_equal(verdict_of(res, "default_domain"), "pass");
	assert_string_equal(verdict_of(res, "edu_group_type"), "pass");
	assert_string_equal(verdict_of(res, "fields.intel.cap.mgaw"), "pass");
	assert_string_equal(verdict_of(res, "log_present /Using Queued invalidation/"), "pass");
	assert_string_equal(verdict_of(res, "log_absent /handling fault/"), "pass");
	assert_string_equal(verdict_of(res, "no_faults"), "pass");
	assert_string_equal(verdict_of(res,
		"same_group [\"0000:00:1f.0\",\"0000:00:1f.2\",\"0000:00:1f.3\"]"), "pass");
	assert_string_equal(verdict_of(res,
		"separate_groups [\"0000:00:10.0\",\"0000:00:1f.0\"]"), "pass");
	assert_string_equal(run_verdict(res), "pass");
	json_object_put(res);
}

static void wrong_expectation_fails_with_both_values(void **state)
{
	json_object *res = judge("wrong", &env72, "ok", intel_obs, NULL);
	json_object *dd;

	(void)state;
	assert_string_equal(verdict_of(res, "default_domain"), "fail");
	assert_string_equal(verdict_of(res, "groups_max"), "fail");
	assert_string_equal(verdict_of(res, "log_present /no such line anywhere/"), "fail");
	assert_string_equal(verdict_of(res, "same_group [\"0000:00:10.0\",\"0000:00:01.0\"]"), "fail");
	assert_string_equal(run_verdict(res), "fail");
	dd = check_named(res, "default_domain");
	assert_string_equal(field(dd, "expected"), "identity");
	assert_string_equal(field(dd, "observed"), "DMA-FQ");
	assert_true(json_object_array_length(json_object_object_get(dd, "evidence")) > 0);
	json_object_put(res);
}

static void known_bugs_are_xfail_and_xpass(void **state)
{
	json_object *res = judge("known_bugs", &env72, "ok", intel_obs, NULL);

	(void)state;
	assert_string_equal(verdict_of(res, "interrupt_remapping"), "xfail");
	assert_string_equal(verdict_of(res, "iommus"), "xpass");
	/* an unexpected pass fails the run: the known bug is gone, say so */
	assert_string_equal(run_verdict(res), "fail");
	json_object_put(res);
}

static void conditions_pick_the_alternative(void **state)
{
	static const struct lab_env env10 = { "10.0.2", "11.3.0", "6.12.95+deb12-amd64" };
	json_object *res = judge("conditional", &env72, "ok", intel_obs, NULL);

	(void)state;
	/* 7.2: the second alternative (39) holds */
	assert_string_equal(verdict_of(res, "fields.intel.cap.mgaw"), "pass");
	/* no alternative for 7.2 at all: skip */
	assert_string_equal(verdict_of(res, "default_domain"), "skip");
	assert_string_equal(run_verdict(res), "pass");
	json_object_put(res);
	res = judge("conditional", &env10, "ok", intel_obs, NULL);
	/* 10.0 wants 48, the fixture (a 7.2 guest) has 39 */
	assert_string_equal(verdict_of(res, "fields.intel.cap.mgaw"), "fail");
	assert_string_equal(verdict_of(res, "default_domain"), "pass");
	json_object_put(res);
}

static void a_guest_that_died_errs_its_checks(void **state)
{
	json_object *res = judge("good", &env72, "timeout", NULL, NULL);

	(void)state;
	assert_string_equal(verdict_of(res, "status"), "fail");
	assert_string_equal(verdict_of(res, "default_domain"), "error");
	assert_string_equal(run_verdict(res), "error");
	json_object_put(res);
}

static void an_expected_panic_passes_and_skips_the_rest(void **state)
{
	json_object *res = judge("panics", &env72, "panic", NULL, NULL);

	(void)state;
	assert_string_equal(verdict_of(res, "status"), "pass");
	assert_string_equal(verdict_of(res, "iommu"), "skip");
	assert_string_equal(run_verdict(res), "pass");
	json_object_put(res);
	res = judge("panics", &env72, "ok", intel_obs, NULL);
	assert_string_equal(verdict_of(res, "status"), "fail");
	json_object_put(res);
}

static void faults_fail_no_faults(void **state)
{
	json_object *faults = json_tokener_parse(
		"[{\"iommu\":\"intel\",\"event\":\"DMA_FAULT\",\"device\":\"0000:00:10.0\","
		"\"address\":\"0x100000\"}]");
	json_object *res = judge("good", &env72, "ok", intel_obs, faults);

	(void)state;
	assert_string_equal(verdict_of(res, "no_faults"), "fail");
	assert_string_equal(run_verdict(res), "fail");
	json_object_put(res);
	json_object_put(faults);
}

/* acpi.TABLE.PATH reads the parsed table; a table the guest lacks fails
 * and says so. */
static void acpi_fields_are_judged(void **state)
{
	uint8_t buf[4096];
	FILE *f = fopen("tests/data/acpi/intel-default.DMAR.bin", "rb");
	size_t n;
	json_object *obs, *acpi, *res;
	/* the PCI devices of the guest the table came from (with each bridge's
	 * secondary bus: bus 1's devices sit under a bridge scope) */
	json_object *pci = json_object_from_file("tests/data/acpi/intel-default.pci.json");

	(void)state;
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	obs = json_tokener_parse(json_object_to_json_string(intel_obs));
	acpi = json_object_new_object();
	assert_non_null(pci);
	json_object_object_add(acpi, "DMAR", lab_acpi_check(buf, n, pci));
	json_object_put(pci);
	json_object_object_add(obs, "acpi", acpi);
	res = judge("acpi", &env72, "ok", obs, NULL);
	assert_string_equal(verdict_of(res, "acpi.dmar.valid"), "pass");
	assert_string_equal(verdict_of(res, "acpi.dmar.host_address_width"), "pass");
	assert_string_equal(verdict_of(res, "acpi.dmar.flags.intr_remap"), "fail");
	assert_string_equal(verdict_of(res, "acpi.ivrs.valid"), "fail");
	assert_string_equal(field(check_named(res, "acpi.ivrs.valid"), "reason"),
			    "the guest has no IVRS table");
	json_object_put(res);
	json_object_put(obs);
}

/* a reset probe whose groups changed says how, in the check's reason */
static void reset_differences_are_the_reason(void **state)
{
	json_object *obs = json_tokener_parse(json_object_to_json_string(intel_obs));
	json_object *probes = json_tokener_parse(
		"[{\"name\": \"again\", \"faults\": [], \"result\": {\"how\": \"reboot\", "
		"\"rebooted\": true, \"groups_same\": false, \"types_same\": true, "
		"\"differences\": [\"group [0000:00:04.0] (DMA) at first boot is not a group after "
		"the reset\", \"group [0000:00:04.0, 0000:01:00.0] (DMA) after the reset was not a "
		"group at first boot\"], \"round_trip\": \"exact\", \"error\": null}}]");
	json_object *res;

	(void)state;
	json_object_object_add(obs, "probes", probes);
	res = judge("reset", &env72, "ok", obs, NULL);
	assert_string_equal(verdict_of(res, "probe.again.rebooted"), "pass");
	assert_string_equal(verdict_of(res, "probe.again.types_same"), "pass");
	assert_string_equal(verdict_of(res, "probe.again.groups_same"), "fail");
	assert_string_equal(field(check_named(res, "probe.again.groups_same"), "reason"),
			    "group [0000:00:04.0] (DMA) at first boot is not a group after the reset; "
			    "group [0000:00:04.0, 0000:01:00.0] (DMA) after the reset was not a group at "
			    "first boot");
	json_object_put(res);
	json_object_put(obs);
}

/* A perf run: the probes' sanity and the stale-IOVA check are checks of
 * their own even though the file names neither; a reachable IOVA after an
 * unmap is a failed check, named, not a number. */
static json_object *perf_obs(const char *map_result, const char *pgt_result)
{
	json_object *obs = json_tokener_parse(json_object_to_json_string(intel_obs));
	char probes[4096];

	snprintf(probes, sizeof(probes),
		 "[{\"name\": \"map\", \"request\": {\"mode\": \"perf\", \"measure\": \"vfio_map\"}, "
		 "\"faults\": [], \"result\": %s}, "
		 "{\"name\": \"pgt\", \"request\": {\"mode\": \"perf\", \"measure\": \"pgtable\"}, "
		 "\"faults\": [], \"result\": %s}]", map_result, pgt_result);
	json_object_object_add(obs, "probes", json_tokener_parse(probes));
	return obs;
}

#define STATS(median, p90) \
	"[{\"metric\": \"map_us\", \"size\": 4096, \"n\": 10, \"median\": " #median ", \"p90\": " \
	#p90 ", \"p99\": 9.5, \"min\": 2, \"max\": 10, \"mean\": 5, \"stddev\": 1.5}]"
#define PGT_OK "{\"mode\": \"perf\", \"measure\": \"pgtable\", \"stats\": " STATS(5, 8) \
	", \"sec_pagetables_kib\": {\"before\": 0, \"after\": 0, \"after_unmap\": 0, \"counted\": false}}"

static void perf_probes_are_judged(void **state)
{
	json_object *obs, *res;

	(void)state;
	/* sane, nothing reachable: every check holds */
	obs = perf_obs("{\"mode\": \"perf\", \"stats\": " STATS(5, 8) ", \"stale_reachable\": false}",
		       PGT_OK);
	res = judge("perf", &env72, "ok", obs, NULL);
	assert_string_equal(verdict_of(res, "perf_sane"), "pass");
	assert_string_equal(verdict_of(res, "stale_iova_unreachable"), "pass");
	assert_string_equal(verdict_of(res, "probe.pgt.counted"), "pass");
	assert_string_equal(run_verdict(res), "pass");
	json_object_put(res);
	json_object_put(obs);

	/* a missing invalidation: the named check fails, and says which probe */
	obs = perf_obs("{\"mode\": \"perf\", \"stats\": " STATS(5, 8) ", \"stale_reachable\": true}",
		       PGT_OK);
	res = judge("perf", &env72, "ok", obs, NULL);
	assert_string_equal(verdict_of(res, "stale_iova_unreachable"), "fail");
	assert_non_null(strstr(field(check_named(res, "stale_iova_unreachable"), "reason"),
			       "probe map: a DMA to the IOVA it had just unmapped still reached memory"));
	assert_string_equal(verdict_of(res, "perf_sane"), "pass");
	assert_string_equal(run_verdict(res), "fail");
	json_object_put(res);
	json_object_put(obs);

	/* a median above its p90 is not sane; a check that could not run is
	 * no evidence: stale_iova_unreachable fails too */
	obs = perf_obs("{\"mode\": \"perf\", \"stats\": " STATS(9, 8) ", \"stale_reachable\": null}",
		       PGT_OK);
	res = judge("perf", &env72, "ok", obs, NULL);
	assert_string_equal(verdict_of(res, "perf_sane"), "fail");
	assert_non_null(strstr(field(check_named(res, "perf_sane"), "reason"),
			       "probe map: map_us (size 4096): n 10, min 2, median 9, p90 8"));
	assert_string_equal(verdict_of(res, "stale_iova_unreachable"), "fail");
	json_object_put(res);
	json_object_put(obs);

	/* a probe that failed: its error is the reason */
	obs = perf_obs("{\"mode\": \"perf\", \"stats\": [], \"stale_reachable\": false}",
		       "{\"mode\": \"perf\", \"stats\": [], \"error\": \"VFIO_IOMMU_MAP_DMA: ENOSPC\"}");
	res = judge("perf", &env72, "ok", obs, NULL);
	assert_string_equal(verdict_of(res, "perf_sane"), "fail");
	assert_string_equal(field(check_named(res, "perf_sane"), "reason"),
			    "probe map: no statistics");
	assert_string_equal(verdict_of(res, "probe.pgt.counted"), "fail");
	json_object_put(res);
	json_object_put(obs);

	/* a run without perf probes has neither check */
	res = judge("good", &env72, "ok", intel_obs, NULL);
	for (size_t i = 0; i < json_object_array_length(json_object_object_get(res, "checks")); i++) {
		json_object *c = json_object_array_get_idx(json_object_object_get(res, "checks"), i);

		assert_string_not_equal(field(c, "name"), "perf_sane");
		assert_string_not_equal(field(c, "name"), "stale_iova_unreachable");
	}
	json_object_put(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(holding_expectations_pass),
		cmocka_unit_test(wrong_expectation_fails_with_both_values),
		cmocka_unit_test(known_bugs_are_xfail_and_xpass),
		cmocka_unit_test(conditions_pick_the_alternative),
		cmocka_unit_test(a_guest_that_died_errs_its_checks),
		cmocka_unit_test(an_expected_panic_passes_and_skips_the_rest),
		cmocka_unit_test(faults_fail_no_faults),
		cmocka_unit_test(acpi_fields_are_judged),
		cmocka_unit_test(reset_differences_are_the_reason),
		cmocka_unit_test(perf_probes_are_judged),
	};

	return cmocka_run_group_tests_name("compare", tests, setup, teardown);
}
