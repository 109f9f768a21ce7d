/* SPDX-License-Identifier: MIT */
/* Whose a lab domain or volume is (owner.h): the decision gc and the pool
 * take, the names the lab gives, the owner metadata the domain XML carries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "domain.h"
#include "owner.h"

static void judge(void **state)
{
	struct lab_owner o = { .host = "labhost", .pid = 4242, .start = 1000 };

	(void)state;
	/* alive: same machine, pid there, started when the record says */
	assert_int_equal(lab_owner_judge(&o, "labhost", 1, 1000), LAB_OWNER_ALIVE);
	/* dead: no such process */
	assert_int_equal(lab_owner_judge(&o, "labhost", 0, 0), LAB_OWNER_DEAD);
	/* dead: the pid was reused by a later process */
	assert_int_equal(lab_owner_judge(&o, "labhost", 1, 2000), LAB_OWNER_DEAD);
	/* another machine's lab: never judged from here, whatever pid exists */
	assert_int_equal(lab_owner_judge(&o, "otherhost", 0, 0), LAB_OWNER_ELSEWHERE);
	assert_int_equal(lab_owner_judge(&o, "otherhost", 1, 1000), LAB_OWNER_ELSEWHERE);
	/* a record without a start time: the pid alone */
	o.start = 0;
	assert_int_equal(lab_owner_judge(&o, "labhost", 1, 5), LAB_OWNER_ALIVE);
}

static void self_is_alive(void **state)
{
	struct lab_owner o;

	(void)state;
	assert_int_equal(lab_owner_self(&o), 0);
	assert_int_equal(o.pid, (long)getpid());
	assert_true(o.start > 0);
	assert_int_equal(lab_owner_check(&o), LAB_OWNER_ALIVE);
	o.start++;   /* as if our pid had been reused */
	assert_int_equal(lab_owner_check(&o), LAB_OWNER_DEAD);
	/* this test is no iommu-lab process */
	assert_int_equal(lab_owner_is_lab(o.pid, -1), 0);
	assert_int_equal(lab_owner_check_worker(o.pid), LAB_OWNER_DEAD);
	assert_int_equal(lab_owner_start_time(-5, &o.start), -1);
}

static void domain_names(void **state)
{
	(void)state;
	assert_int_equal(lab_owner_domain_pid("iommulab-intel-123-intel@bookworm"), 123);
	/* dashes in the platform, digits and dashes in the run */
	assert_int_equal(lab_owner_domain_pid("iommulab-smmuv3-uefi-77-smmuv3-uefi.lazy-2@backports"),
			 77);
	assert_int_equal(lab_owner_domain_pid("iommulab-amd-9-1-2"), 9);
	assert_int_equal(lab_owner_domain_pid("iommulab-intel-x-run"), -1);
	assert_int_equal(lab_owner_domain_pid("iommulab-intel-12"), -1);
	assert_int_equal(lab_owner_domain_pid("debian12-123-x"), -1);
	assert_int_equal(lab_owner_domain_pid("iommulab-intel-0-x"), -1);
}

static void volume_names(void **state)
{
	(void)state;
	assert_int_equal(lab_owner_volume_pid("run-labhost-4242-intel@bookworm-virtio", "labhost"),
			 4242);
	/* a host whose name holds dashes, and a prefix of it */
	assert_int_equal(lab_owner_volume_pid("run-lab-host-7-x-nvme", "lab-host"), 7);
	assert_int_equal(lab_owner_volume_pid("run-lab-host-7-x-nvme", "lab"), 0);
	assert_int_equal(lab_owner_volume_pid("run-otherhost-4242-x-virtio", "labhost"), 0);
	/* not a run volume: the cache, or anything else */
	assert_int_equal(lab_owner_volume_pid("cas-0123456789abcdef01234567-vmlinuz", "labhost"),
			 -1);
	assert_int_equal(lab_owner_volume_pid("debian.qcow2", "labhost"), -1);
}

/* The metadata lab_domain_xml writes is what lab_owner_from_xml reads
 * (virDomainGetMetadata hands back the element alone). */
static void metadata_round_trip(void **state)
{
	struct lab_owner o = { .host = "lab<&>host", .pid = 31337, .start = 987654321ULL }, back;
	const char *xml = "<iommulab:owner xmlns:iommulab=\"" LAB_OWNER_NS "\" host=\"h\" "
			  "pid=\"12\" start=\"34\"/>";

	(void)state;
	assert_int_equal(lab_owner_from_xml(xml, &back), 0);
	assert_string_equal(back.host, "h");
	assert_int_equal(back.pid, 12);
	assert_int_equal(back.start, 34);
	assert_int_equal(lab_owner_from_xml("<owner host=\"h\"/>", &back), -1);
	assert_int_equal(lab_owner_from_xml("<other host=\"h\" pid=\"1\" start=\"1\"/>", &back), -1);
	assert_int_equal(lab_owner_from_xml("not xml", &back), -1);

	/* the domain XML carries it under <metadata>, escaped */
	{
		struct lab_error err = { 0 };
		struct lab_platform *p = lab_platform_load("guests/platforms", "intel", &err);
		struct lab_domain_spec spec = {
			.name = LAB_DOMAIN_PREFIX "intel-1-run", .owner = &o, .platform = p,
			.kernel = "/k", .initrd = "/i", .accel = "tcg", .memory_mib = 512, .vcpus = 1,
		};
		char *dom, *start, *end;

		assert_non_null(p);
		dom = lab_domain_xml(&spec, &err);
		assert_non_null(dom);
		start = strstr(dom, "<iommulab:owner");
		assert_non_null(start);
		end = strstr(start, "/>");
		assert_non_null(end);
		end[2] = '\0';
		assert_int_equal(lab_owner_from_xml(start, &back), 0);
		assert_string_equal(back.host, o.host);
		assert_int_equal(back.pid, o.pid);
		assert_true(back.start == o.start);
		free(dom);
		lab_platform_free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(judge),
		cmocka_unit_test(self_is_alive),
		cmocka_unit_test(domain_names),
		cmocka_unit_test(volume_names),
		cmocka_unit_test(metadata_round_trip),
	};

	return cmocka_run_group_tests_name("owner", tests, NULL, NULL);
}
