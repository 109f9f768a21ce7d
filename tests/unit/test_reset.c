/* SPDX-License-Identifier: MIT */
/* The reset probe: two boots' collects compared (tests/data/reset/: the
 * first boot, the same groups renumbered, a regrouping, strict types, a
 * hostile guest's), and the probe's requests in order with the answers a
 * guest gives (the reset itself needs a guest: how: reboot goes through the
 * agent, so no libvirt here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "jsonval.h"
#include "reset.h"
#include "testdata.h"

#define DATA "tests/data/reset/"

static json_object *load(const char *name)
{
	return lab_test_json(DATA "%s", name);
}

static int flag(json_object *o, const char *key)
{
	json_object *v = lab_jsonval_get(o, key);

	if (!json_object_is_type(v, json_type_boolean))
		fail_msg("%s is not a boolean", key);
	return json_object_get_boolean(v);
}

/* Two collects compared: the flags, and every difference in words, in order. */
static void comparisons(void **state)
{
	static const struct {
		const char *before, *after;
		int groups_same, types_same;
		const char *differences[8];
	} cases[] = {
		/* the same boot */
		{ "first.json", "first.json", 1, 1, { NULL } },
		/* group numbers, their order, their devices' order do not matter */
		{ "first.json", "renumbered.json", 1, 1, { NULL } },
		/* a port and its device apart, the test device without a group;
		 * the groups both boots have are of the same type */
		{ "first.json", "regrouped.json", 0, 1, {
			"group [0000:00:05.0, 0000:02:00.0] (DMA-FQ) at first boot is not a group "
			"after the reset",
			"group [0000:00:10.0] (DMA-FQ) at first boot is not a group after the reset",
			"group [0000:00:05.0] (DMA-FQ) after the reset was not a group at first boot",
			"group [0000:02:00.0] (DMA-FQ) after the reset was not a group at first boot",
			NULL } },
		/* strict: most groups are DMA now, so is the default domain */
		{ "first.json", "strict.json", 1, 0, {
			"group [0000:00:00.0]: DMA-FQ at first boot, DMA after the reset",
			"group [0000:00:04.0]: DMA-FQ at first boot, DMA after the reset",
			"group [0000:01:00.0]: DMA-FQ at first boot, DMA after the reset",
			"group [0000:00:05.0, 0000:02:00.0]: DMA-FQ at first boot, DMA after the reset",
			"default domain: DMA-FQ at first boot, DMA after the reset",
			NULL } },
		/* what is not a string list of devices, or a type, is no member
		 * or type; two groups with the same devices match one each */
		{ "hostile.json", "hostile.json", 1, 1, { NULL } },
		{ "hostile.json", "first.json", 0, 0, {
			"group [0000:00:00.0]: no type at first boot, DMA-FQ after the reset",
			"group [] (no type) at first boot is not a group after the reset",
			"group [0000:00:00.0] (DMA-FQ) at first boot is not a group after the reset",
			"group [0000:00:04.0] (DMA-FQ) after the reset was not a group at first boot",
			"group [0000:01:00.0] (DMA-FQ) after the reset was not a group at first boot",
			"group [0000:00:05.0, 0000:02:00.0] (DMA-FQ) after the reset was not a group "
			"at first boot",
			"group [0000:00:10.0] (DMA-FQ) after the reset was not a group at first boot",
			"default domain: none at first boot, DMA-FQ after the reset" } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *b = load(cases[i].before), *a = load(cases[i].after);
		json_object *cmp = lab_reset_compare(b, a);
		json_object *list = lab_jsonval_arr(cmp, "differences");
		size_t n = 0;

		if (flag(cmp, "groups_same") != cases[i].groups_same ||
		    flag(cmp, "types_same") != cases[i].types_same)
			fail_msg("%s -> %s: %s", cases[i].before, cases[i].after,
				 json_object_to_json_string(cmp));
		for (; n < 8 && cases[i].differences[n]; n++)
			assert_string_equal(n < lab_jsonval_len(list) ? json_object_get_string(
						    json_object_array_get_idx(list, n)) : "(none)",
					    cases[i].differences[n]);
		assert_int_equal(lab_jsonval_len(list), n);
		json_object_put(cmp);
		json_object_put(b);
		json_object_put(a);
	}
}

/* The requests of a reboot, and the result the answers make. */
static void a_reboot_in_order(void **state)
{
	json_object *first = load("first.json"), *after = load("renumbered.json");
	json_object *targets = json_object_new_array(), *args, *res;
	json_object *old_hello = json_object_new_object(), *new_hello = json_object_new_object();
	json_object *dma = json_object_new_object(), *ok = json_object_new_object();
	struct lab_reset rs;
	const char *execute;

	(void)state;
	json_object_array_add(targets, json_object_new_string("0000:00:10.0"));
	json_object_array_add(targets, json_object_new_string("rp-acs/00.0"));
	json_object_object_add(old_hello, "boot_id", json_object_new_string("one"));
	json_object_object_add(new_hello, "boot_id", json_object_new_string("two"));
	json_object_object_add(dma, "round_trip", json_object_new_string("exact"));
	lab_reset_init(&rs, "reboot", targets, "0000:00:10.0", NULL, first);
	/* nobody asked for a reset yet */
	assert_int_equal(lab_reset_event(&rs), 0);

	lab_reset_next(&rs, NULL, &execute, &args);
	assert_string_equal(execute, "hello");
	lab_reset_reply(&rs, old_hello, NULL);
	lab_reset_next(&rs, NULL, &execute, &args);
	assert_string_equal(execute, "kmsg");
	json_object_put(args);
	lab_reset_reply(&rs, ok, NULL);
	lab_reset_next(&rs, NULL, &execute, &args);
	assert_string_equal(execute, "reboot");
	assert_false(lab_reset_waiting(&rs));
	lab_reset_reply(&rs, ok, NULL);
	assert_true(lab_reset_waiting(&rs));
	assert_int_equal(lab_reset_event(&rs), 1);
	/* and the firmware's own, on its way up */
	assert_int_equal(lab_reset_event(&rs), 1);
	/* the old boot answering is not the new one */
	lab_reset_next(&rs, NULL, &execute, &args);
	assert_string_equal(execute, "hello");
	lab_reset_reply(&rs, old_hello, NULL);
	assert_true(lab_reset_waiting(&rs));
	lab_reset_reply(&rs, new_hello, NULL);
	assert_false(lab_reset_waiting(&rs));
	/* a second reset is nobody's */
	assert_int_equal(lab_reset_event(&rs), 0);
	for (int i = 0; i < 2; i++) {
		lab_reset_next(&rs, NULL, &execute, &args);
		assert_string_equal(execute, "bind");
		assert_string_equal(lab_jsonval_str(args, "driver"), "vfio-pci");
		json_object_put(args);
		lab_reset_reply(&rs, NULL, NULL);     /* refused: goes on */
	}
	lab_reset_next(&rs, NULL, &execute, &args);
	assert_string_equal(execute, "collect");
	lab_reset_reply(&rs, after, NULL);
	lab_reset_next(&rs, NULL, &execute, &args);
	assert_string_equal(execute, "dma");
	assert_string_equal(lab_jsonval_str(args, "device"), "0000:00:10.0");
	assert_string_equal(lab_jsonval_str(args, "iova"), "0x100000");
	json_object_put(args);
	lab_reset_reply(&rs, dma, NULL);
	lab_reset_next(&rs, NULL, &execute, &args);
	assert_null(execute);
	assert_true(rs.done);

	res = lab_reset_take(&rs);
	assert_string_equal(lab_jsonval_str(res, "how"), "reboot");
	assert_true(flag(res, "rebooted"));
	assert_true(flag(res, "groups_same"));
	assert_true(flag(res, "types_same"));
	assert_string_equal(lab_jsonval_str(res, "round_trip"), "exact");
	assert_null(lab_jsonval_get(res, "error"));
	assert_int_equal(json_object_get_int(lab_jsonval_get(res, "reset_events")), 3);
	/* the first boot's log, and the second boot's collect */
	args = lab_reset_take_kmsg(&rs);
	assert_ptr_equal(args, ok);
	json_object_put(args);
	args = lab_reset_take_collect(&rs);
	assert_ptr_equal(args, after);
	json_object_put(args);
	json_object_put(res);
	lab_reset_clear(&rs);
	json_object_put(first);
	json_object_put(after);
	json_object_put(old_hello);
	json_object_put(new_hello);
	json_object_put(dma);
	json_object_put(ok);
}

/* an agent without boot_id cannot tell its boots apart: the probe says so
 * and stops before it resets anything */
static void an_old_agent_is_refused(void **state)
{
	json_object *first = load("first.json"), *hello = json_object_new_object(), *res, *args;
	struct lab_reset rs;
	const char *execute;

	(void)state;
	lab_reset_init(&rs, "reset", json_object_new_array(), "0000:00:10.0", "0xffffffffff",
		       first);
	lab_reset_next(&rs, NULL, &execute, &args);
	lab_reset_reply(&rs, hello, NULL);
	lab_reset_next(&rs, NULL, &execute, &args);
	assert_null(execute);
	res = lab_reset_take(&rs);
	assert_false(flag(res, "rebooted"));
	assert_non_null(strstr(lab_jsonval_str(res, "error"), "boot_id"));
	/* nothing was reset: no first boot's log to keep */
	assert_null(lab_reset_take_kmsg(&rs));
	json_object_put(res);
	lab_reset_clear(&rs);
	json_object_put(first);
	json_object_put(hello);
}

/* the run ends while the guest is away */
static void a_guest_that_never_comes_back(void **state)
{
	json_object *first = load("first.json"), *hello = json_object_new_object(), *res, *args;
	struct lab_reset rs;
	const char *execute;

	(void)state;
	json_object_object_add(hello, "boot_id", json_object_new_string("one"));
	lab_reset_init(&rs, "reboot", json_object_new_array(), "0000:00:10.0", NULL, first);
	for (int i = 0; i < 3; i++) {      /* hello, kmsg, reboot */
		lab_reset_next(&rs, NULL, &execute, &args);
		json_object_put(args);
		lab_reset_reply(&rs, hello, NULL);
	}
	assert_true(lab_reset_waiting(&rs));
	lab_reset_abandon(&rs, "the guest did not come back");
	/* the first boot is over: its log is the one to keep */
	args = lab_reset_take_kmsg(&rs);
	assert_ptr_equal(args, hello);
	json_object_put(args);
	res = lab_reset_take(&rs);
	assert_false(flag(res, "rebooted"));
	assert_string_equal(lab_jsonval_str(res, "error"), "the guest did not come back");
	json_object_put(res);
	lab_reset_clear(&rs);
	json_object_put(first);
	json_object_put(hello);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(comparisons),
		cmocka_unit_test(a_reboot_in_order),
		cmocka_unit_test(an_old_agent_is_refused),
		cmocka_unit_test(a_guest_that_never_comes_back),
	};

	return cmocka_run_group_tests_name("reset", tests, NULL, NULL);
}
