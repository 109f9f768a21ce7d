/* SPDX-License-Identifier: MIT */
/* Observations from the agent's raw collect replies. The fixtures under
 * tests/data/observation/ are real replies from the lab's own guests
 * (Debian 6.1, QEMU 7.2, TCG), saved from results/<id>/<run>/collect.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "observation.h"

static json_object *observe(const char *platform)
{
	char path[256];
	json_object *collect, *obs;

	snprintf(path, sizeof(path), "tests/data/observation/%s-collect.json", platform);
	collect = json_object_from_file(path);
	assert_non_null(collect);
	obs = lab_observation_from_collect(collect, platform);
	json_object_put(collect);
	return obs;
}

static const char *get(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	return json_object_get_string(v);
}

static json_object *only_iommu(json_object *obs)
{
	json_object *iommus = json_object_object_get(obs, "iommus");

	assert_int_equal(json_object_array_length(iommus), 1);
	return json_object_array_get_idx(iommus, 0);
}

/* The group holding dev, or NULL. */
static json_object *group_of(json_object *obs, const char *dev)
{
	json_object *groups = json_object_object_get(obs, "groups");

	for (size_t i = 0; i < json_object_array_length(groups); i++) {
		json_object *g = json_object_array_get_idx(groups, i);
		json_object *devs = json_object_object_get(g, "devices");

		for (size_t j = 0; j < json_object_array_length(devs); j++)
			if (!strcmp(json_object_get_string(json_object_array_get_idx(devs, j)), dev))
				return g;
	}
	return NULL;
}

static void intel_guest(void **state)
{
	json_object *obs = observe("intel");
	json_object *iommu = only_iommu(obs);
	json_object *regs = json_object_object_get(iommu, "registers");

	(void)state;
	assert_string_equal(get(iommu, "name"), "dmar0");
	assert_string_equal(get(iommu, "kind"), "intel");
	assert_string_equal(get(regs, "cap"), "0xd2008c22260206");
	assert_string_equal(get(regs, "ecap"), "0xf00f4a");
	/* QEMU 7.2's default aw-bits=39: 3-level tables, MGAW 39; IR and QI on */
	{
		json_object *d = json_object_object_get(iommu, "decoded");
		json_object *cap = json_object_object_get(d, "cap");
		json_object *ecap = json_object_object_get(d, "ecap");

		assert_int_equal(json_object_get_int(json_object_object_get(cap, "mgaw")), 39);
		assert_int_equal(json_object_get_int(json_object_object_get(cap, "cm")), 0);
		assert_int_equal(json_object_get_int(json_object_object_get(ecap, "ir")), 1);
		assert_int_equal(json_object_get_int(json_object_object_get(ecap, "qi")), 1);
	}
	assert_string_equal(get(obs, "default_domain"), "DMA-FQ");
	assert_string_equal(get(obs, "interrupt_remapping"), "xapic");
	assert_string_equal(get(group_of(obs, "0000:00:10.0"), "type"), "DMA-FQ");
	json_object_put(obs);
}

static void amd_guest_is_strict_whatever_the_log_says(void **state)
{
	json_object *obs = observe("amd");
	json_object *iommu = only_iommu(obs);

	(void)state;
	assert_string_equal(get(iommu, "name"), "ivhd0");
	assert_string_equal(get(iommu, "kind"), "amd");
	assert_non_null(get(json_object_object_get(iommu, "registers"), "cap"));
	/* the log says lazy, but amd_iommu forces strict under a hypervisor
	 * ("Using strict mode due to virtualization"): the groups tell the truth */
	assert_int_equal(json_object_get_int(json_object_object_get(json_object_object_get(
		json_object_object_get(iommu, "decoded"), "efr"), "gtsup")), 1);
	assert_string_equal(get(obs, "default_domain_log"), "DMA-FQ");
	assert_string_equal(get(obs, "default_domain"), "DMA");
	assert_string_equal(get(obs, "interrupt_remapping"), "xapic");
	assert_non_null(group_of(obs, "0000:00:10.0"));
	json_object_put(obs);
}

static void smmuv3_guest(void **state)
{
	json_object *obs = observe("smmuv3");
	json_object *iommu = only_iommu(obs);

	(void)state;
	assert_string_equal(get(iommu, "kind"), "smmuv3");
	assert_int_equal(strncmp(get(iommu, "name"), "smmu3.", 6), 0);
	/* from the driver's boot line, with 6.1's bit names */
	assert_int_equal(json_object_get_int(json_object_object_get(json_object_object_get(
		json_object_object_get(iommu, "decoded"), "features"), "trans_s1")), 1);
	assert_string_equal(get(obs, "default_domain"), "DMA");
	assert_string_equal(get(obs, "interrupt_remapping"), "off");
	assert_string_equal(get(group_of(obs, "0000:00:10.0"), "type"), "DMA");
	json_object_put(obs);
}

static json_object *records(const char *const *lines)
{
	json_object *arr = json_object_new_array();

	for (; *lines; lines++) {
		json_object *r = json_object_new_object();

		json_object_object_add(r, "msg", json_object_new_string(*lines));
		json_object_array_add(arr, r);
	}
	return arr;
}

static void domain_type_from_boot_lines(void **state)
{
	static const char *const pt[] = { "iommu: Default domain type: Passthrough (set via kernel command line)", NULL };
	static const char *const strict[] = { "iommu: Default domain type: Translated ",
					      "iommu: DMA domain TLB invalidation policy: strict mode (set via kernel command line)", NULL };
	static const char *const lazy[] = { "iommu: Default domain type: Translated ",
					    "iommu: DMA domain TLB invalidation policy: lazy mode ", NULL };
	static const char *const none[] = { "DMAR: IOMMU disabled", NULL };
	json_object *r;

	(void)state;
	r = records(pt);
	assert_string_equal(lab_observation_domain_from_log(r), "identity");
	json_object_put(r);
	r = records(strict);
	assert_string_equal(lab_observation_domain_from_log(r), "DMA");
	json_object_put(r);
	r = records(lazy);
	assert_string_equal(lab_observation_domain_from_log(r), "DMA-FQ");
	json_object_put(r);
	r = records(none);
	assert_null(lab_observation_domain_from_log(r));
	json_object_put(r);
}

static void interrupt_remapping_modes(void **state)
{
	static const char *const x2[] = { "DMAR-IR: Enabled IRQ remapping in x2apic mode", NULL };
	static const char *const amd_x2[] = { "AMD-Vi: Interrupt remapping enabled",
					      "AMD-Vi: X2APIC enabled", NULL };
	static const char *const off[] = { "DMAR-IR: IRQ remapping was enabled on dmar0 but we are not in kdump mode", NULL };
	json_object *r;

	(void)state;
	r = records(x2);
	assert_string_equal(lab_observation_ir_from_log(r), "x2apic");
	json_object_put(r);
	r = records(amd_x2);
	assert_string_equal(lab_observation_ir_from_log(r), "x2apic");
	json_object_put(r);
	r = records(off);
	assert_string_equal(lab_observation_ir_from_log(r), "off");
	json_object_put(r);
}

static void iommu_kinds_by_name(void **state)
{
	(void)state;
	assert_string_equal(lab_observation_iommu_kind("dmar3", NULL), "intel");
	assert_string_equal(lab_observation_iommu_kind("ivhd1", NULL), "amd");
	assert_string_equal(lab_observation_iommu_kind("smmu3.0x0000000009050000", NULL), "smmuv3");
	assert_string_equal(lab_observation_iommu_kind("smmu.0x0000000009050000", NULL), "smmu");
	assert_string_equal(lab_observation_iommu_kind("something", NULL), "unknown");
}

static void garbage_collect_reply_gives_empty_observations(void **state)
{
	json_object *junk = json_tokener_parse(
		"{\"iommus\": 5, \"groups\": [1, \"x\", {\"id\": \"y\"}], \"klog\": [],"
		" \"kernel\": 7, \"pci\": {}}");
	json_object *obs;

	(void)state;
	assert_non_null(junk);
	obs = lab_observation_from_collect(junk, "intel");
	assert_non_null(obs);
	assert_int_equal(json_object_array_length(json_object_object_get(obs, "iommus")), 0);
	assert_null(get(obs, "kernel"));
	assert_string_equal(get(obs, "interrupt_remapping"), "off");
	json_object_put(obs);
	json_object_put(junk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(intel_guest),
		cmocka_unit_test(amd_guest_is_strict_whatever_the_log_says),
		cmocka_unit_test(smmuv3_guest),
		cmocka_unit_test(domain_type_from_boot_lines),
		cmocka_unit_test(interrupt_remapping_modes),
		cmocka_unit_test(iommu_kinds_by_name),
		cmocka_unit_test(garbage_collect_reply_gives_empty_observations),
	};

	return cmocka_run_group_tests_name("observation", tests, NULL, NULL);
}
