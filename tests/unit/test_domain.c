/* SPDX-License-Identifier: MIT */
/* Domain XML: what the lab refuses to build (the XML it does build is
 * checked as golden files by test_domain_xml.c) and platform profiles that
 * cannot be loaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain.h"
#include "platform.h"

/* A comma or '=' in an option would let one value smuggle in another QEMU
 * option. */
static void bad_options_are_refused(void **state)
{
	struct lab_error err = { 0 };
	struct lab_platform *p = lab_platform_load("guests/platforms", "intel", &err);
	json_object *bad = json_tokener_parse("{\"x,y\": \"on\"}");
	json_object *bad_value = json_tokener_parse("{\"aw-bits\": \"48,x-flts=on\"}");
	struct lab_domain_spec spec = { .name = LAB_DOMAIN_PREFIX "t", .platform = p,
					.kernel = "k", .initrd = "i", .accel = "tcg",
					.iommu_opts = bad };

	(void)state;
	assert_null(lab_domain_xml(&spec, &err));
	assert_non_null(strstr(err.msg, "bad QEMU option"));
	lab_error_clear(&err);
	spec.iommu_opts = NULL;
	spec.machine_opts = bad_value;
	assert_null(lab_domain_xml(&spec, &err));
	assert_non_null(strstr(err.msg, "bad machine option"));
	json_object_put(bad);
	json_object_put(bad_value);
	lab_platform_free(p);
}

static void name_without_prefix_is_refused(void **state)
{
	struct lab_error err = { 0 };
	struct lab_platform *p = lab_platform_load("guests/platforms", "intel", &err);
	struct lab_domain_spec spec = { .name = "someone-elses", .platform = p,
					.kernel = "k", .initrd = "i", .accel = "tcg" };

	(void)state;
	assert_null(lab_domain_xml(&spec, &err));
	assert_non_null(strstr(err.msg, "lab prefix"));
	lab_platform_free(p);
}

static void unknown_platform_names_the_known_ones(void **state)
{
	struct lab_error err = { 0 };

	(void)state;
	assert_null(lab_platform_load("guests/platforms", "sparc", &err));
	assert_non_null(strstr(err.msg, "unknown platform 'sparc'"));
	assert_non_null(strstr(err.msg, "intel"));
	assert_non_null(strstr(err.msg, "smmuv3"));
	lab_error_clear(&err);
	assert_null(lab_platform_load("guests/platforms", "../etc/passwd", &err));
	assert_non_null(strstr(err.msg, "bad platform name"));
}

static void malformed_profile_is_an_error_with_the_file(void **state)
{
	struct lab_error err = { 0 };

	(void)state;
	assert_null(lab_platform_load("tests/data/platform", "missing-arch", &err));
	assert_non_null(strstr(err.msg, "missing-arch.json: missing \"arch\""));
	lab_error_clear(&err);
	assert_null(lab_platform_load("tests/data/platform", "broken", &err));
	assert_non_null(strstr(err.msg, "broken.json"));
	lab_error_clear(&err);
	assert_null(lab_platform_load("tests/data/platform", "bad-slot", &err));
	assert_non_null(strstr(err.msg, "slot must be within 1..31"));
}

static void bad_disks_are_refused(void **state)
{
	struct lab_domain_disk disk = { .path = "/a.qcow2", .bus = "nvme", .serial = "x,drive=y" };
	struct lab_error err = { 0 };
	struct lab_platform *p = lab_platform_load("guests/platforms", "intel", &err);
	struct lab_domain_spec spec = { .name = LAB_DOMAIN_PREFIX "t", .platform = p,
					.kernel = "k", .initrd = "i", .accel = "tcg",
					.disks = &disk, .n_disks = 1 };

	(void)state;
	/* a comma in a serial would smuggle options onto QEMU's command line */
	assert_null(lab_domain_xml(&spec, &err));
	assert_non_null(strstr(err.msg, "disk 0"));
	lab_error_clear(&err);
	disk.serial = "123456789012345678901";     /* 21: more than a device keeps */
	assert_null(lab_domain_xml(&spec, &err));
	lab_error_clear(&err);
	disk.serial = "ok";
	disk.path = "relative.qcow2";
	assert_null(lab_domain_xml(&spec, &err));
	lab_error_clear(&err);
	disk.path = "/a.qcow2";
	disk.bus = "scsi";
	assert_null(lab_domain_xml(&spec, &err));
	assert_non_null(strstr(err.msg, "bus 'scsi'"));
	lab_error_clear(&err);
	disk.bus = "nvme";
	disk.no_iommu = 1;                  /* QEMU's nvme always DMAs through it */
	assert_null(lab_domain_xml(&spec, &err));
	lab_platform_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_options_are_refused),
		cmocka_unit_test(name_without_prefix_is_refused),
		cmocka_unit_test(bad_disks_are_refused),
		cmocka_unit_test(unknown_platform_names_the_known_ones),
		cmocka_unit_test(malformed_profile_is_an_error_with_the_file),
	};

	return cmocka_run_group_tests_name("domain", tests, NULL, NULL);
}
