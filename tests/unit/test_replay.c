/* SPDX-License-Identifier: MIT */
/* reproduce's plan: which fault signatures a probe can raise, which cannot
 * and why, the kernel arguments kept, and the scenario file it writes (read
 * back with the scenario loader). Logs are the explain corpus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fault.h"
#include "jsonval.h"
#include "matrix.h"
#include "replay.h"

static json_object *plan_of(const char *log)
{
	struct lab_error err = { 0 };
	char path[256];
	FILE *f;
	json_object *res, *plan;

	snprintf(path, sizeof(path), "tests/data/fault/%s", log);
	f = fopen(path, "re");
	assert_non_null(f);
	res = lab_fault_parse_file(f, &err);
	fclose(f);
	assert_non_null(res);
	plan = lab_replay_plan(json_object_object_get(res, "faults"), NULL);
	json_object_put(res);
	return plan;
}

static size_t count(json_object *plan, int replayable)
{
	json_object *sigs = json_object_object_get(plan, "signatures");
	size_t n = 0;

	for (size_t i = 0; i < lab_jsonval_len(sigs); i++)
		n += json_object_get_boolean(json_object_object_get(
			     json_object_array_get_idx(sigs, i), "replayable")) == replayable;
	return n;
}

static const char *first_why(json_object *plan)
{
	json_object *sigs = json_object_object_get(plan, "signatures");

	for (size_t i = 0; i < lab_jsonval_len(sigs); i++) {
		json_object *s = json_object_array_get_idx(sigs, i);

		if (!json_object_get_boolean(json_object_object_get(s, "replayable")))
			return lab_jsonval_str(s, "why");
	}
	return NULL;
}

static void a_storm_at_address_zero_is_one_signature(void **state)
{
	json_object *plan = plan_of("intel_4x_addr_zero.log");
	json_object *s = json_object_array_get_idx(json_object_object_get(plan, "signatures"), 0);

	(void)state;
	assert_int_equal(count(plan, 1), 1);
	assert_string_equal(lab_jsonval_str(s, "platform"), "intel");
	assert_string_equal(lab_jsonval_str(s, "address"), "0x0");
	assert_string_equal(lab_jsonval_str(s, "access"), "write");
	json_object_put(plan);
}

static void what_cannot_be_replayed_says_why(void **state)
{
	json_object *plan;

	(void)state;
	plan = plan_of("smmu_v2_fsr_lines.log");
	assert_int_equal(count(plan, 1), 0);
	assert_non_null(strstr(first_why(plan), "SMMUv2"));
	json_object_put(plan);
	/* compatibility format (0x25) and source-id (0x26) faults cannot be
	 * made; IRTE-not-present (0x22) ones can, as class interrupt_remap */
	plan = plan_of("intel_intr_remap.log");
	assert_true(count(plan, 1) >= 1);
	assert_non_null(strstr(first_why(plan), "0x25 QEMU never raises"));
	for (size_t i = 0; i < lab_jsonval_len(lab_jsonval_arr(plan, "signatures")); i++) {
		json_object *s = json_object_array_get_idx(lab_jsonval_arr(plan, "signatures"), i);

		if (json_object_get_boolean(lab_jsonval_get(s, "replayable")))
			assert_string_equal(lab_jsonval_str(s, "class"), "interrupt_remap");
	}
	json_object_put(plan);
	plan = plan_of("intel_context_clear_vfio.log");
	assert_non_null(first_why(plan));
	json_object_put(plan);
}

static void iommu_arguments_are_kept_and_nothing_else(void **state)
{
	char *a = lab_replay_iommu_args("BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet "
					"intel_iommu=on,sm_on iommu=pt iommu.strict=1 splash");

	(void)state;
	assert_string_equal(a, "intel_iommu=on,sm_on iommu=pt iommu.strict=1");
	free(a);
	assert_null(lab_replay_iommu_args("root=/dev/vda quiet"));
	assert_null(lab_replay_iommu_args(NULL));
}

static void the_scenario_file_loads_back(void **state)
{
	struct lab_error err = { 0 };
	json_object *plan = plan_of("smmuv3_raw_interleaved.log");
	json_object *files = json_object_new_array();
	char dir[] = "/tmp/lab-replay-XXXXXX";
	struct lab_matrix *m;
	char *paths[1];

	(void)state;
	assert_non_null(mkdtemp(dir));
	json_object_object_add(plan, "append", json_object_new_string("iommu.strict=1"));
	assert_int_equal(lab_replay_write(plan, dir, files, &err), 1);
	paths[0] = (char *)json_object_get_string(json_object_array_get_idx(files, 0));
	m = lab_matrix_load(paths, 1, "guests/platforms", &err);
	if (!m)
		fail_msg("%s", err.msg);
	assert_int_equal(m->nruns, count(plan, 1));
	assert_string_equal(m->runs[0].platform, "smmuv3");
	assert_string_equal(m->runs[0].append, "iommu.strict=1");
	assert_non_null(m->runs[0].probes);
	lab_matrix_free(m);
	unlink(paths[0]);
	rmdir(dir);
	json_object_put(files);
	json_object_put(plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_storm_at_address_zero_is_one_signature),
		cmocka_unit_test(what_cannot_be_replayed_says_why),
		cmocka_unit_test(iommu_arguments_are_kept_and_nothing_else),
		cmocka_unit_test(the_scenario_file_loads_back),
	};

	return cmocka_run_group_tests_name("replay", tests, NULL, NULL);
}
