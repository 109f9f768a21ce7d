/* SPDX-License-Identifier: MIT */
/* pcitree: parents and requester IDs from the observed tree, topology ids
 * to guest addresses; and the group checks that name devices by id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "compare.h"
#include "jsonval.h"
#include "pcitree.h"
#include "scenario.h"
#include "topology.h"

/* observations of a real intel guest with the mix topology */
#define OBS "tests/data/pcidiagram/mix.json"

/* The sample without what annotate adds: it must compute it all again. */
static json_object *bare_observations(void)
{
	json_object *doc = json_object_from_file(OBS), *obs;
	json_object *pci;

	assert_non_null(doc);
	obs = json_object_get(lab_jsonval_obj(doc, "observations"));
	json_object_put(doc);
	pci = lab_jsonval_arr(obs, "pci");
	for (size_t i = 0; i < lab_jsonval_len(pci); i++) {
		json_object_object_del(json_object_array_get_idx(pci, i), "parent");
		json_object_object_del(json_object_array_get_idx(pci, i), "requester");
	}
	json_object_object_del(obs, "topology");
	return obs;
}

static const char *field(json_object *obs, const char *addr, const char *key)
{
	return lab_jsonval_str(lab_pcitree_device(obs, addr), key);
}

static void requester_ids(void **state)
{
	struct lab_error err = { 0 };
	struct lab_topology *t = lab_topology_load("scenarios/topologies/mix.yaml", &err);
	json_object *obs = bare_observations();

	(void)state;
	assert_non_null(t);
	lab_pcitree_annotate(obs, t);
	/* behind a port: itself */
	assert_string_equal(field(obs, "0000:05:00.0", "requester"), "0000:05:00.0");
	assert_string_equal(field(obs, "0000:05:00.0", "parent"), "0000:04:00.0");
	/* on the PCIe-to-PCI bridge's bus: its secondary bus, devfn 00.0 */
	assert_string_equal(field(obs, "0000:08:01.0", "requester"), "0000:08:00.0");
	/* behind a PCI bridge behind it: still the topmost alias */
	assert_string_equal(field(obs, "0000:09:01.0", "requester"), "0000:08:00.0");
	assert_string_equal(field(obs, "0000:09:01.0", "parent"), "0000:08:02.0");
	/* on the root bus: no parent */
	assert_null(lab_jsonval_get(lab_pcitree_device(obs, "0000:00:04.0"), "parent"));
	/* ids to addresses */
	assert_string_equal(lab_pcitree_address(obs, "edu-br"), "0000:08:01.0");
	assert_string_equal(lab_pcitree_address(obs, "0000:00:10.0"), "0000:00:10.0");
	assert_null(lab_pcitree_address(obs, "no-such-node"));
	lab_topology_free(t);
	json_object_put(obs);
}

/* A hostile tree: loops, a parent that is its own child, junk types. */
static void hostile_tree(void **state)
{
	json_object *obs = json_tokener_parse(
		"{\"pci\": [{\"address\": \"0000:01:00.0\", \"path\": \"0000:00/01.0/00.0\","
		"            \"pcie_type\": \"conventional\"},"
		"           {\"address\": \"0000:00:01.0\", \"path\": \"0000:00/01.0/00.0/01.0\","
		"            \"pcie_type\": \"pcie-pci-bridge\", \"secondary_bus\": 1},"
		"           {\"address\": 7, \"path\": [], \"pcie_type\": null}, 42, null]}");

	(void)state;
	assert_non_null(obs);
	lab_pcitree_annotate(obs, NULL);    /* must not loop or crash */
	assert_string_equal(field(obs, "0000:00:01.0", "parent"), "0000:01:00.0");
	json_object_put(obs);
}

/* The one same_group check of a comparison: its verdict and reason. */
static json_object *same_group_check(json_object *out)
{
	json_object *checks = lab_jsonval_arr(out, "checks"), *found = NULL;

	for (size_t i = 0; i < lab_jsonval_len(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i);

		if (!strncmp(lab_jsonval_str(c, "name"), "same_group ", 11)) {
			assert_null(found);
			found = c;
		}
	}
	assert_non_null(found);
	return found;
}

/* same_group of two topology ids, judged on obs. */
static json_object *judge_same_group(json_object *obs, const char *a, const char *b)
{
	json_object *set = json_object_new_array(), *out;
	struct lab_expect_alt alt = { .value = set };
	struct lab_expect e = { "same_group", 1, &alt, 1 };
	const struct lab_expect *list[] = { &e };
	struct lab_run_spec spec = { .name = "x", .expects = list, .nexpects = 1 };
	struct lab_env env = { "7.2.0", "9.0.0", "6.1.0", "intel" };

	json_object_array_add(set, json_object_new_string(a));
	json_object_array_add(set, json_object_new_string(b));
	out = lab_compare_run(&spec, &env, "ok", obs, NULL, NULL);
	json_object_put(set);
	return out;
}

/* Group checks by topology id, judged on the sample's groups. */
static void group_checks_by_id(void **state)
{
	struct lab_error err = { 0 };
	struct lab_topology *t = lab_topology_load("scenarios/topologies/mix.yaml", &err);
	json_object *obs = bare_observations(), *out, *c;

	(void)state;
	lab_pcitree_annotate(obs, t);
	out = judge_same_group(obs, "pcie-br", "edu-pci");
	assert_string_equal(lab_jsonval_str(same_group_check(out), "verdict"), "pass");
	json_object_put(out);
	/* edu-acs and rp-acs are apart: "same" must fail, naming them */
	out = judge_same_group(obs, "rp-acs", "edu-acs");
	c = same_group_check(out);
	assert_string_equal(lab_jsonval_str(c, "verdict"), "fail");
	assert_non_null(strstr(lab_jsonval_str(c, "reason"), "edu-acs"));
	json_object_put(out);
	json_object_put(obs);
	lab_topology_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(requester_ids),
		cmocka_unit_test(hostile_tree),
		cmocka_unit_test(group_checks_by_id),
	};

	return cmocka_run_group_tests_name("pcitree", tests, NULL, NULL);
}
