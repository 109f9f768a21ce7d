/* SPDX-License-Identifier: MIT */
/* The worker protocol: a spec written by the pool reads back as the same
 * run options, the resolved QEMU included; a spec the pool did not write
 * (a member missing or of the wrong type) is refused, naming the member. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "worker.h"

static char path[] = "/tmp/lab-test-spec-XXXXXX";

static void write_doc(json_object *doc)
{
	struct lab_error err = { 0 };

	assert_int_equal(lab_worker_write(path, doc, &err), 0);
	json_object_put(doc);
}

static void round_trip(void **state)
{
	struct lab_qemu_emulator e = { .binary = "/cache/qemu-backports/bin/qemu-system-x86_64",
				       .data_dirs = { "/cache/share/qemu", "/cache/share/seabios" },
				       .ndata = 2 };
	json_object *probes = json_tokener_parse("[{\"name\": \"p\", \"mode\": \"raw\"}]");
	struct lab_run_opts o = { .name = "m.v@bookworm", .platform = "intel", .suite = "bookworm",
				  .accel = "tcg", .dir = "/results/r", .append = "iommu=pt",
				  .timeout_s = 240, .stall_s = 30, .memory_mib = 512,
				  .probes = probes, .emulator = &e };
	struct lab_error err = { 0 };
	struct lab_worker_spec w;

	(void)state;
	write_doc(lab_worker_spec_new(&o, "qemu:///system"));
	if (lab_worker_spec_read(path, &w, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(w.run.name, "m.v@bookworm");
	assert_string_equal(w.run.append, "iommu=pt");
	assert_string_equal(w.uri, "qemu:///system");
	assert_int_equal(w.run.timeout_s, 240);
	assert_int_equal(json_object_array_length(w.run.probes), 1);
	assert_non_null(w.run.emulator);
	assert_string_equal(w.run.emulator->binary, e.binary);
	assert_int_equal(w.run.emulator->ndata, 2);
	assert_string_equal(w.run.emulator->data_dirs[1], "/cache/share/seabios");
	lab_worker_spec_clear(&w);
	/* the system's QEMU: no emulator at all */
	o.emulator = NULL;
	write_doc(lab_worker_spec_new(&o, "qemu:///system"));
	assert_int_equal(lab_worker_spec_read(path, &w, &err), 0);
	assert_null(w.run.emulator);
	lab_worker_spec_clear(&w);
	json_object_put(probes);
}

/* The lab's identity reaches the worker (its guests' <metadata>), and an
 * outcome the host failed says so ("infra": the pool retries it). */
static void owner_and_infra(void **state)
{
	struct lab_owner ow = { .host = "labhost", .pid = 4242, .start = 123456789012ULL };
	struct lab_run_opts o = { .name = "r", .platform = "intel", .accel = "tcg", .dir = "/r",
				  .timeout_s = 10, .memory_mib = 512, .owner = &ow };
	struct lab_run_result res = { .status = LAB_RUN_ERROR };
	struct lab_error err = { 0 };
	struct lab_worker_spec w;
	json_object *out;

	(void)state;
	write_doc(lab_worker_spec_new(&o, "qemu:///system"));
	if (lab_worker_spec_read(path, &w, &err) < 0)
		fail_msg("%s", err.msg);
	assert_non_null(w.run.owner);
	assert_string_equal(w.run.owner->host, "labhost");
	assert_int_equal(w.run.owner->pid, 4242);
	assert_true(w.run.owner->start == 123456789012ULL);
	lab_worker_spec_clear(&w);
	o.owner = NULL;
	write_doc(lab_worker_spec_new(&o, "qemu:///system"));
	assert_int_equal(lab_worker_spec_read(path, &w, &err), 0);
	assert_null(w.run.owner);
	lab_worker_spec_clear(&w);

	out = lab_worker_outcome(&res);
	assert_null(json_object_object_get(out, "infra"));
	json_object_put(out);
	snprintf(res.infra, sizeof(res.infra), "libvirt connection closed: keepalive timeout");
	out = lab_worker_outcome(&res);
	assert_string_equal(json_object_get_string(json_object_object_get(out, "infra")),
			    res.infra);
	json_object_put(out);
}

static void foreign_specs_are_refused(void **state)
{
	static const struct {
		const char *doc, *want;
	} cases[] = {
		{ "[]", "not a JSON object" },
		{ "{\"platform\": \"intel\"}", "'name' missing" },
		{ "{\"name\": \"n\", \"platform\": \"intel\", \"dir\": \"/d\", \"accel\": \"tcg\", "
		  "\"uri\": \"u\", \"timeout_s\": 0}", "'timeout_s' must be a whole number" },
		{ "{\"name\": \"n\", \"platform\": \"intel\", \"dir\": \"/d\", \"accel\": \"tcg\", "
		  "\"uri\": \"u\", \"timeout_s\": 9, \"stall_s\": 1, \"memory_mib\": 512, "
		  "\"emulator\": {\"binary\": \"relative/qemu\"}}", "absolute 'binary'" },
		{ "{\"name\": \"n\", \"platform\": \"intel\", \"dir\": \"/d\", \"accel\": \"tcg\", "
		  "\"uri\": \"u\", \"timeout_s\": 9, \"stall_s\": 1, \"memory_mib\": 512, "
		  "\"probes\": {}}", "'probes' has the wrong type" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lab_error err = { 0 };
		struct lab_worker_spec w;
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs(cases[i].doc, f);
		fclose(f);
		assert_int_equal(lab_worker_spec_read(path, &w, &err), -1);
		if (!strstr(err.msg, cases[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].want);
		lab_worker_spec_clear(&w);
	}
}

static int setup(void **state)
{
	int fd = mkstemp(path);

	(void)state;
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(foreign_specs_are_refused),
		cmocka_unit_test(owner_and_infra),
	};

	return cmocka_run_group_tests_name("worker", tests, setup, teardown);
}
