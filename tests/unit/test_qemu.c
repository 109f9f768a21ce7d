/* SPDX-License-Identifier: MIT */
/* Which QEMU a run uses: versions, the names a run can give (system, a
 * fetched Debian suite, a developer's binary), the emulator libvirt gets, and
 * property checks asked of that very binary. A fake cache and a fake
 * qemu-system-x86_64 (a shell script answering --version and -device help)
 * stand in for the real ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "qemu.h"

static char dir[] = "/tmp/lab-test-qemu-XXXXXX";

static void put(const char *rel, const char *text, mode_t mode)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void sub(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

/* A fake QEMU: 9.1.50 with an intel-iommu that has x-flts but no stale-tm. */
static const char fake[] =
	"#!/bin/sh\n"
	"case \"$*\" in\n"
	"--version) echo 'QEMU emulator version 9.1.50 (v9.1.0-1234-gdeadbeef)'; echo 'Copyright'; ;;\n"
	"*intel-iommu,help*) printf 'intel-iommu options:\\n  aw-bits=<uint8>  - (default: 48)\\n"
	"  x-flts=<bool>    - on/off (default: false)\\n' ;;\n"
	"*) echo \"qemu-system-x86_64: -device $6: 'nosuch' is not a valid device model name\"; exit 1 ;;\n"
	"esac\n";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	sub("build");
	sub("build/pc-bios");
	put("build/qemu-system-x86_64", fake, 0755);
	put("build/not-qemu", fake, 0755);
	/* a fetched suite, as images/qemu.sh leaves it */
	sub("qemu-backports");
	sub("qemu-backports/bin");
	sub("qemu-backports/root");
	sub("qemu-backports/root/usr");
	sub("qemu-backports/root/usr/share");
	sub("qemu-backports/root/usr/share/qemu");
	sub("qemu-backports/root/usr/share/seabios");
	put("qemu-backports/bin/qemu-system-x86_64", fake, 0755);
	put("qemu-backports/version", "10.0.2\n", 0644);
	put("qemu-backports/manifest", "package qemu-system-x86=1:10.0.2+ds-2+deb13u1~bpo12+1\n", 0644);
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void versions(void **state)
{
	char v[32];

	(void)state;
	assert_int_equal(lab_qemu_parse_version("QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2)",
						v, sizeof(v)), 0);
	assert_string_equal(v, "10.0.2");
	assert_int_equal(lab_qemu_parse_version("QEMU emulator version 7.2.22\n", v, sizeof(v)), 0);
	assert_string_equal(v, "7.2.22");
	assert_int_equal(lab_qemu_parse_version("qemu: command not found", v, sizeof(v)), -1);
	assert_int_equal(lab_qemu_parse_version("version ", v, sizeof(v)), -1);
	assert_true(lab_qemu_version_cmp("10.0.2", "9.2") > 0);
	assert_true(lab_qemu_version_cmp("10.0.2", "10.0.3") < 0);
	assert_int_equal(lab_qemu_version_cmp("7.2", "7.2.0"), 0);
}

static void system_suite_and_path(void **state)
{
	struct lab_error err = { 0 };
	struct lab_qemu q;
	struct lab_qemu_emulator e;
	char path[512];

	(void)state;
	/* the system's: libvirt's default emulator, no <emulator> */
	assert_int_equal(lab_qemu_lookup(dir, "system", &q, &err), 0);
	assert_string_equal(q.name, "system");
	assert_int_equal(lab_qemu_emulator(&q, "x86_64", &e, &err), 0);
	assert_string_equal(e.binary, "");
	/* a fetched suite: its version file, images/qemu.sh's wrapper, its data */
	assert_int_equal(lab_qemu_lookup(dir, "backports", &q, &err), 0);
	assert_string_equal(q.version, "10.0.2");
	assert_int_equal(lab_qemu_emulator(&q, "x86_64", &e, &err), 0);
	assert_non_null(strstr(e.binary, "qemu-backports/bin/qemu-system-x86_64"));
	assert_int_equal(e.ndata, 2);
	assert_non_null(strstr(e.data_dirs[0], "usr/share/qemu"));
	assert_non_null(strstr(e.data_dirs[1], "usr/share/seabios"));
	/* no aarch64 in this fake fetch */
	assert_int_equal(lab_qemu_emulator(&q, "aarch64", &e, &err), -1);
	/* a suite not fetched says how to fetch it */
	lab_error_clear(&err);
	assert_int_equal(lab_qemu_lookup(dir, "bookworm", &q, &err), -1);
	assert_non_null(strstr(err.msg, "images/qemu.sh bookworm"));
	/* a developer's binary: its own version, arch, a custom-ID name, pc-bios */
	lab_error_clear(&err);
	snprintf(path, sizeof(path), "%s/build/qemu-system-x86_64", dir);
	assert_int_equal(lab_qemu_lookup(dir, path, &q, &err), 0);
	assert_string_equal(q.version, "9.1.50");
	assert_string_equal(q.arch, "x86_64");
	assert_int_equal(strncmp(q.name, "custom-", 7), 0);
	assert_int_equal(lab_qemu_emulator(&q, "x86_64", &e, &err), 0);
	assert_non_null(strstr(e.data_dirs[0], "build/pc-bios"));
	/* ... for its one architecture only */
	assert_int_equal(lab_qemu_emulator(&q, "aarch64", &e, &err), -1);
	assert_non_null(strstr(err.msg, "needs qemu-system-aarch64"));
	/* what is not a qemu-system-ARCH, or not there */
	lab_error_clear(&err);
	snprintf(path, sizeof(path), "%s/build/not-qemu", dir);
	assert_int_equal(lab_qemu_lookup(dir, path, &q, &err), -1);
	assert_non_null(strstr(err.msg, "want a qemu-system-ARCH"));
	lab_error_clear(&err);
	assert_int_equal(lab_qemu_lookup(dir, "/nonexistent/qemu-system-x86_64", &q, &err), -1);
	lab_error_clear(&err);
	assert_int_equal(lab_qemu_lookup(dir, "sid", &q, &err), -1);
	assert_non_null(strstr(err.msg, "want system, bookworm, backports"));
}

/* Property checks ask the run's own binary, not the host's. */
static void properties_of_that_binary(void **state)
{
	struct lab_error err = { 0 };
	struct lab_qemu q;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/build/qemu-system-x86_64", dir);
	assert_int_equal(lab_qemu_lookup(dir, path, &q, &err), 0);
	assert_int_equal(lab_qemu_has_property(&q, "x86_64", "intel-iommu", "x-flts", &err), 1);
	assert_int_equal(lab_qemu_has_property(&q, "x86_64", "intel-iommu", "stale-tm", &err), 0);
	/* "aw-bits" but not a prefix of it */
	assert_int_equal(lab_qemu_has_property(&q, "x86_64", "intel-iommu", "aw", &err), 0);
	assert_int_equal(lab_qemu_has_property(&q, "x86_64", "nosuch", "x", &err), -1);
	assert_non_null(strstr(err.msg, "has no device 'nosuch'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(versions),
		cmocka_unit_test(system_suite_and_path),
		cmocka_unit_test(properties_of_that_binary),
	};

	return cmocka_run_group_tests_name("qemu", tests, setup, teardown);
}
