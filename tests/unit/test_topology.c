/* SPDX-License-Identifier: MIT */
/* topology: files, the rules, paths, the run spec's JSON form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "topology.h"

#define DATA "tests/data/topology/"
#define MIX "scenarios/topologies/mix.yaml"

static const char *path_of(const struct lab_topology *t, const char *id, char *buf, size_t len)
{
	int i = lab_topology_find(t, id);

	assert_true(i >= 0);
	lab_topology_path(t, (size_t)i, buf, len);
	return buf;
}

static void mix_paths(void **state)
{
	struct lab_error err = { 0 };
	struct lab_topology *t = lab_topology_load(MIX, &err);
	char buf[LAB_TOPO_PATH_MAX];

	(void)state;
	if (!t)
		fail_msg("%s", err.msg);
	assert_string_equal(t->name, "mix");
	/* root-bus slots from 0x04 in order; behind a port, slot 0 */
	assert_string_equal(path_of(t, "rp-acs", buf, sizeof(buf)), "0000:00/04.0");
	assert_string_equal(path_of(t, "edu-acs", buf, sizeof(buf)), "0000:00/04.0/00.0");
	assert_string_equal(path_of(t, "sw-down2", buf, sizeof(buf)), "0000:00/06.0/00.0/01.0");
	assert_string_equal(path_of(t, "edu-pci", buf, sizeof(buf)), "0000:00/07.0/00.0/02.0/01.0");
	/* a multifunction slot: the second function takes function 0's slot */
	assert_string_equal(path_of(t, "mf-net", buf, sizeof(buf)), "0000:00/08.0/00.1");
	/* behind an expander, its bus is the root of the path */
	assert_string_equal(path_of(t, "pxb", buf, sizeof(buf)), "0000:00/09.0");
	assert_string_equal(path_of(t, "pxb-edu", buf, sizeof(buf)), "0000:80/00.0/00.0");
	assert_string_equal(path_of(t, "by-edu", buf, sizeof(buf)), "0000:a0/00.0/00.0");
	assert_int_equal(t->nodes[lab_topology_find(t, "rp-noacs")].acs, 0);
	assert_int_equal(t->nodes[lab_topology_find(t, "pxb-by")].bypass_iommu, 1);
	assert_int_equal(lab_topology_find(t, "nothing"), -1);
	lab_topology_free(t);
}

/* The run spec carries the topology as JSON: the round trip is the same
 * topology, paths and all. */
static void json_round_trip(void **state)
{
	struct lab_error err = { 0 };
	struct lab_topology *t = lab_topology_load(MIX, &err), *back;
	json_object *j, *j2;

	(void)state;
	assert_non_null(t);
	j = lab_topology_to_json(t);
	back = lab_topology_from_json(j, &err);
	if (!back)
		fail_msg("%s", err.msg);
	assert_int_equal(back->n, t->n);
	for (size_t i = 0; i < t->n; i++) {
		char a[LAB_TOPO_PATH_MAX], b[LAB_TOPO_PATH_MAX];

		assert_string_equal(back->nodes[i].id, t->nodes[i].id);
		assert_int_equal(back->nodes[i].kind, t->nodes[i].kind);
		lab_topology_path(t, i, a, sizeof(a));
		lab_topology_path(back, i, b, sizeof(b));
		assert_string_equal(a, b);
	}
	j2 = lab_topology_to_json(back);
	assert_true(json_object_equal(j, j2));
	json_object_put(j);
	json_object_put(j2);
	lab_topology_free(back);
	lab_topology_free(t);
}

/* A spec from a worker's file is checked as a file is: a node on a bus
 * that is no bridge is refused. */
static void hostile_json_refused(void **state)
{
	static const char *const bad[] = {
		"{\"nodes\": []}",
		"{\"nodes\": [{\"id\": \"e\", \"kind\": \"edu\", \"slot\": 4}, "
		"{\"id\": \"f\", \"kind\": \"edu\", \"bus\": \"e\"}]}",
		"{\"nodes\": [{\"id\": \"e\", \"kind\": \"gpu\", \"slot\": 4}]}",
		"{\"nodes\": [{\"id\": \"e\", \"kind\": \"edu\", \"slot\": 99}]}",
		"{\"nodes\": [{\"id\": \"../../x\", \"kind\": \"edu\", \"slot\": 4}]}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct lab_error err = { 0 };
		json_object *j = json_tokener_parse(bad[i]);
		struct lab_topology *t = lab_topology_from_json(j, &err);

		if (t)
			fail_msg("accepted %s", bad[i]);
		assert_true(err.msg[0] != '\0');
		json_object_put(j);
	}
}

static void errors_say_where(void **state)
{
	static const struct {
		const char *file, *want;
	} cases[] = {
		{ "unknown-bus.yaml", "unknown-bus.yaml:4: bus 'nope' is not a device listed above" },
		{ "unknown-kind.yaml", "unknown-kind.yaml:4: unknown kind 'gpu' (known: root-port," },
		{ "port-full.yaml", "port-full.yaml:5: e2: no free slot on its bus" },
		{ "twice.yaml", "twice.yaml:4: rp: id given twice" },
		{ "bridge-on-root.yaml", "bridge-on-root.yaml:4: br: it sits on a root-port or a switch-downstream port" },
		{ "acs-not-port.yaml", "acs-not-port.yaml:3: up: " },
		{ "function-without-zero.yaml", "function-without-zero.yaml:4: f1: function 0 of its slot must be listed" },
		{ "bad-id.yaml", "bad-id.yaml:3: id 'Bad'" },
		{ "bad-slot.yaml", "bad-slot.yaml:3: slot must be a whole number from 0 to 31" },
		{ "no-devices.yaml", "no-devices.yaml:1: missing 'devices'" },
		{ "broken.yaml", "broken.yaml:" },
		{ "missing.yaml", "missing.yaml: No such file" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lab_error err = { 0 };
		char path[256];
		struct lab_topology *t;

		snprintf(path, sizeof(path), DATA "%s", cases[i].file);
		t = lab_topology_load(path, &err);
		if (t) {
			lab_topology_free(t);
			fail_msg("%s loaded", cases[i].file);
		}
		if (!strstr(err.msg, cases[i].want))
			fail_msg("%s: '%s' lacks '%s'", cases[i].file, err.msg, cases[i].want);
	}
}

static void text_tree(void **state)
{
	struct lab_error err = { 0 };
	struct lab_topology *t = lab_topology_load(MIX, &err);
	char *s;

	(void)state;
	assert_non_null(t);
	s = lab_topology_text(t);
	assert_non_null(strstr(s, "|-- rp-noacs (root-port) 0000:00/05.0 acs=off\n"));
	assert_non_null(strstr(s, "`-- edu-pci (edu) 0000:00/07.0/00.0/02.0/01.0\n"));
	free(s);
	lab_topology_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mix_paths),
		cmocka_unit_test(json_round_trip),
		cmocka_unit_test(hostile_json_refused),
		cmocka_unit_test(errors_say_where),
		cmocka_unit_test(text_tree),
	};

	return cmocka_run_group_tests_name("topology", tests, NULL, NULL);
}
