/* SPDX-License-Identifier: MIT */
/* hosts: the hosts file, which URIs are local, what uploads; store's names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hosts.h"
#include "store.h"

#define DATA "tests/data/hosts/"

static void two_hosts(void **state)
{
	struct lab_hosts h = { 0 };
	struct lab_error err = { 0 };

	(void)state;
	if (lab_hosts_load(&h, DATA "two.yaml", &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.v[0].uri, "qemu:///system");
	assert_int_equal(h.v[0].jobs, 2);
	assert_int_equal(h.v[0].upload, LAB_HOST_UPLOAD_AUTO);
	assert_false(lab_host_uploads(&h.v[0]));
	assert_string_equal(lab_host_pool_dir(&h.v[0]), LAB_HOST_POOL_DIR);
	assert_int_equal(h.v[1].jobs, 1);
	assert_true(lab_host_uploads(&h.v[1]));
	assert_string_equal(lab_host_pool_dir(&h.v[1]), "/srv/iommulab");
	assert_int_equal(h.v[1].line, 4);
	/* --uri adds to what the file listed */
	assert_int_equal(lab_hosts_add(&h, "qemu+ssh://lab2/system", 3, &err), 0);
	assert_int_equal(h.n, 3);
	assert_true(lab_host_uploads(&h.v[2]));
	h.v[2].upload = LAB_HOST_UPLOAD_NEVER;
	assert_false(lab_host_uploads(&h.v[2]));
	lab_hosts_clear(&h);
}

static void local_uris(void **state)
{
	(void)state;
	assert_int_equal(lab_hosts_uri_local("qemu:///system"), 1);
	assert_int_equal(lab_hosts_uri_local("qemu+unix:///system"), 1);
	assert_int_equal(lab_hosts_uri_local("qemu+tcp://127.0.0.1:16519/system"), 0);
	assert_int_equal(lab_hosts_uri_local("qemu+ssh://root@lab2/system"), 0);
	assert_int_equal(lab_hosts_uri_local("not a uri"), -1);
}

/* Every error names file:line and what is wrong. */
static void errors_say_where(void **state)
{
	static const struct {
		const char *file, *want;
	} cases[] = {
		{ "bad-upload.yaml", "bad-upload.yaml:3: upload must be one of auto, always, never" },
		{ "no-jobs.yaml", "no-jobs.yaml:1: a host needs jobs" },
		{ "no-uri.yaml", "no-uri.yaml:1: a host needs a uri" },
		{ "unknown-key.yaml", "unknown-key.yaml:3:" },
		{ "not-a-list.yaml", "not-a-list.yaml:1: a hosts file is a non-empty list" },
		{ "twice.yaml", "twice.yaml:3: host qemu:///system is listed twice" },
		{ "relative-pool.yaml", "relative-pool.yaml:3: pool_dir must be an absolute path" },
		{ "bad-uri.yaml", "bad-uri.yaml:1: uri: 'not a uri' is not a libvirt URI" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lab_hosts h = { 0 };
		struct lab_error err = { 0 };
		char path[256];

		snprintf(path, sizeof(path), DATA "%s", cases[i].file);
		assert_int_equal(lab_hosts_load(&h, path, &err), -1);
		if (!strstr(err.msg, cases[i].want))
			fail_msg("%s: got '%s', want '%s'", cases[i].file, err.msg, cases[i].want);
		lab_hosts_clear(&h);
	}
}

/* The names gc relies on (store.h). */
static void volume_names(void **state)
{
	struct lab_error err = { 0 };
	char name[192], prefix[256];

	(void)state;
	/* the file is "- jobs: 1\n": `sha256sum` says c71ea404576cfd0c8ea94d7f... */
	assert_int_equal(lab_store_cas_name(DATA "no-uri.yaml", name, sizeof(name), &err), 0);
	assert_string_equal(name, "cas-c71ea404576cfd0c8ea94d7f-no-uri.yaml");
	assert_int_equal(lab_store_cas_name(DATA "missing", name, sizeof(name), &err), -1);
	lab_store_run_prefix(prefix, sizeof(prefix), "ci-7", 4242, "intel.strict@bookworm+qemu-x");
	assert_string_equal(prefix, "run-ci_7-4242-intel.strict_bookworm_qemu_x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_hosts),
		cmocka_unit_test(local_uris),
		cmocka_unit_test(errors_say_where),
		cmocka_unit_test(volume_names),
	};

	return cmocka_run_group_tests_name("hosts", tests, NULL, NULL);
}
