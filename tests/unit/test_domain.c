/* SPDX-License-Identifier: MIT */
/* Domain XML per platform: generate, parse back with libxml2, check what
 * each platform must put in (iommu, test device, console, agent channel). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "domain.h"
#include "paths.h"
#include "platform.h"
#include "proto.h"

struct fixture {
	struct lab_platform *platform;
	xmlDocPtr doc;
	xmlXPathContextPtr xp;
	char *xml;
};

static struct fixture *build(const char *platform, const char *append, const char *accel)
{
	struct lab_error err = { 0 };
	struct fixture *f = calloc(1, sizeof(*f));
	struct lab_domain_spec spec = {
		.name = LAB_DOMAIN_PREFIX "test-1-x",
		.kernel = "/images/vmlinuz",
		.initrd = "/images/initrd",
		.append = append,
		.accel = accel,
		.memory_mib = 512,
		.vcpus = 1,
	};

	f->platform = lab_platform_load("guests/platforms", platform, &err);
	assert_non_null(f->platform);
	spec.platform = f->platform;
	f->xml = lab_domain_xml(&spec, &err);
	assert_non_null(f->xml);
	f->doc = xmlReadMemory(f->xml, (int)strlen(f->xml), "domain.xml", NULL, XML_PARSE_NONET);
	assert_non_null(f->doc);
	f->xp = xmlXPathNewContext(f->doc);
	xmlXPathRegisterNs(f->xp, BAD_CAST "qemu",
			   BAD_CAST "http://libvirt.org/schemas/domain/qemu/1.0");
	return f;
}

static void drop(struct fixture *f)
{
	xmlXPathFreeContext(f->xp);
	xmlFreeDoc(f->doc);
	free(f->xml);
	lab_platform_free(f->platform);
	free(f);
}

/* The string value of an XPath expression ("" when nothing matches). */
static char *xpath(struct fixture *f, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, f->xp);
	xmlChar *s;
	char *out;

	assert_non_null(o);
	s = xmlXPathCastToString(o);
	out = strdup((const char *)s);
	xmlFree(s);
	xmlXPathFreeObject(o);
	return out;
}

static void assert_xpath(struct fixture *f, const char *expr, const char *want)
{
	char *got = xpath(f, expr);

	if (strcmp(got, want))
		fail_msg("%s: got '%s', want '%s'\n%s", expr, got, want, f->xml);
	free(got);
}

/* Every -device argument of <qemu:commandline>, joined. */
static char *qemu_args(struct fixture *f)
{
	return xpath(f, "concat(string(//qemu:commandline/qemu:arg[2]/@value), '|', "
			"string(//qemu:commandline/qemu:arg[4]/@value))");
}

static void common(struct fixture *f)
{
	assert_xpath(f, "string(/domain/name)", LAB_DOMAIN_PREFIX "test-1-x");
	assert_xpath(f, "string(/domain/on_poweroff)", "destroy");
	assert_xpath(f, "string(/domain/on_crash)", "destroy");
	assert_xpath(f, "string(//channel[@type='unix']/target/@name)", LAB_PROTO_PORT);
	assert_xpath(f, "string(//channel/target/@type)", "virtio");
	assert_xpath(f, "string(//serial/@type)", "pty");
	assert_xpath(f, "string(/domain/os/kernel)", "/images/vmlinuz");
	assert_xpath(f, "string(/domain/os/initrd)", "/images/initrd");
}

static void intel_has_intel_iommu_and_edu(void **state)
{
	struct fixture *f = build("intel", NULL, "tcg");
	char *args;

	(void)state;
	common(f);
	assert_xpath(f, "string(/domain/@type)", "qemu");
	assert_xpath(f, "string(/domain/os/type/@machine)", "q35");
	assert_xpath(f, "string(/domain/os/type/@arch)", "x86_64");
	assert_xpath(f, "string(//devices/iommu/@model)", "intel");
	assert_xpath(f, "count(//devices/iommu)", "1");
	assert_xpath(f, "string(/domain/features/ioapic/@driver)", "qemu");
	args = qemu_args(f);
	assert_non_null(strstr(args, "\"driver\":\"edu\""));
	assert_non_null(strstr(args, "\"addr\":\"0x10\""));
	assert_null(strstr(args, "amd-iommu"));
	free(args);
	drop(f);
}

static void amd_passes_amd_iommu_as_json_device(void **state)
{
	struct fixture *f = build("amd", NULL, "tcg");
	char *args;

	(void)state;
	common(f);
	/* libvirt < 11.5 has no amd model: no <iommu>, a JSON -device instead */
	assert_xpath(f, "count(//devices/iommu)", "0");
	assert_xpath(f, "string(//qemu:commandline/qemu:arg[1]/@value)", "-device");
	args = qemu_args(f);
	assert_non_null(strstr(args, "{\"driver\":\"amd-iommu\"}|"));
	assert_non_null(strstr(args, "\"driver\":\"edu\""));
	free(args);
	drop(f);
}

static void smmuv3_is_aarch64_virt(void **state)
{
	struct fixture *f = build("smmuv3", NULL, "tcg");

	(void)state;
	common(f);
	assert_xpath(f, "string(/domain/os/type/@arch)", "aarch64");
	assert_xpath(f, "string(/domain/os/type/@machine)", "virt");
	assert_xpath(f, "string(//devices/iommu/@model)", "smmuv3");
	assert_xpath(f, "string(/domain/cpu/model)", "cortex-a57");
	assert_xpath(f, "count(/domain/features/acpi)", "0");
	/* VFIO needs an MSI controller the SMMU translates: GICv3 */
	assert_xpath(f, "string(/domain/features/gic/@version)", "3");
	{
		char *args = qemu_args(f);

		/* RAM starts at 1 GiB on virt: edu needs more than 28 bits */
		assert_non_null(strstr(args, "\"dma_mask\":1099511627775"));
		free(args);
	}
	drop(f);
}

static void cmdline_puts_user_arguments_last(void **state)
{
	struct fixture *f = build("smmuv3", "iommu.passthrough=1 iommu.strict=1", "tcg");

	(void)state;
	assert_xpath(f, "string(/domain/os/cmdline)",
		     "console=ttyAMA0 panic=-1 iommu.passthrough=1 iommu.strict=1");
	drop(f);
}

static void hostile_append_is_escaped(void **state)
{
	struct fixture *f = build("intel", "a</cmdline><devices/>&x='\"", "kvm");

	(void)state;
	/* it parsed back, and the text round-trips as text */
	assert_xpath(f, "string(/domain/os/cmdline)",
		     "console=ttyS0 panic=-1 no_timer_check a</cmdline><devices/>&x='\"");
	assert_xpath(f, "count(/domain/devices)", "1");
	assert_xpath(f, "string(/domain/@type)", "kvm");
	drop(f);
}

static void machine_and_iommu_options_go_to_qemu(void **state)
{
	struct lab_error err = { 0 };
	struct lab_platform *p = lab_platform_load("guests/platforms", "intel", &err);
	json_object *iommu = json_tokener_parse("{\"caching-mode\": \"on\", \"aw-bits\": \"48\"}");
	json_object *machine = json_tokener_parse("{\"kernel-irqchip\": \"split\", \"hpet\": \"off\"}");
	json_object *bad = json_tokener_parse("{\"x,y\": \"on\"}");
	struct lab_domain_spec spec = { .name = LAB_DOMAIN_PREFIX "t", .platform = p,
					.kernel = "k", .initrd = "i", .accel = "tcg",
					.iommu_opts = iommu, .machine_opts = machine };
	char *xml = lab_domain_xml(&spec, &err);

	(void)state;
	assert_non_null(xml);
	assert_non_null(strstr(xml, "<qemu:arg value=\"-global\"/>"));
	assert_non_null(strstr(xml, "<qemu:arg value=\"intel-iommu.caching-mode=on\"/>"));
	assert_non_null(strstr(xml, "<qemu:arg value=\"intel-iommu.aw-bits=48\"/>"));
	assert_non_null(strstr(xml, "<qemu:arg value=\"kernel-irqchip=split,hpet=off\"/>"));
	free(xml);
	/* a comma would let one value smuggle in another QEMU option */
	spec.iommu_opts = bad;
	assert_null(lab_domain_xml(&spec, &err));
	assert_non_null(strstr(err.msg, "bad QEMU option"));
	json_object_put(iommu);
	json_object_put(machine);
	json_object_put(bad);
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

/* virtio-blk through the IOMMU as a libvirt <disk>, NVMe as a JSON
 * -blockdev/-device (libvirt 9.0 has no NVMe bus), each at its own slot. */
static void disks_go_to_their_slots(void **state)
{
	static const struct lab_domain_disk disks[] = {
		{ .path = "/run/o1.qcow2", .bus = "virtio", .serial = "iommulab-virtio" },
		{ .path = "/run/o\"2.qcow2", .bus = "nvme", .serial = "iommulab-nvme" },
		{ .path = "/run/o3.qcow2", .bus = "virtio", .serial = "iommulab-journal",
		  .no_iommu = 1 },
	};
	struct lab_error err = { 0 };
	struct fixture *f = calloc(1, sizeof(*f));
	struct lab_domain_spec spec = { .name = LAB_DOMAIN_PREFIX "t", .kernel = "k",
					.initrd = "i", .accel = "tcg", .disks = disks,
					.n_disks = 3 };
	char *blockdev, *dev;

	(void)state;
	f->platform = lab_platform_load("guests/platforms", "smmuv3", &err);
	assert_non_null(f->platform);
	spec.platform = f->platform;
	f->xml = lab_domain_xml(&spec, &err);
	assert_non_null(f->xml);
	f->doc = xmlReadMemory(f->xml, (int)strlen(f->xml), "domain.xml", NULL, XML_PARSE_NONET);
	f->xp = xmlXPathNewContext(f->doc);
	xmlXPathRegisterNs(f->xp, BAD_CAST "qemu",
			   BAD_CAST "http://libvirt.org/schemas/domain/qemu/1.0");
	assert_xpath(f, "count(//devices/disk)", "2");
	assert_xpath(f, "string(//disk[1]/@model)", "virtio-non-transitional");
	assert_xpath(f, "string(//disk[1]/driver/@type)", "qcow2");
	assert_xpath(f, "string(//disk[1]/driver/@iommu)", "on");
	assert_xpath(f, "string(//disk[1]/source/@file)", "/run/o1.qcow2");
	/* the lab owns the files' owners: libvirt must not chown the base */
	assert_xpath(f, "string(//disk[1]/source/seclabel[@model='dac']/@relabel)", "no");
	assert_xpath(f, "string(//disk[1]/target/@bus)", "virtio");
	assert_xpath(f, "string(//disk[1]/serial)", "iommulab-virtio");
	assert_xpath(f, "string(//disk[1]/address/@bus)", "0x00");
	assert_xpath(f, "string(//disk[1]/address/@slot)", "0x12");
	assert_xpath(f, "string(//disk[2]/driver/@iommu)", "off");
	assert_xpath(f, "string(//disk[2]/serial)", "iommulab-journal");
	assert_xpath(f, "string(//disk[2]/address/@slot)", "0x14");
	/* NVMe: a -blockdev for the image, then the device that uses it */
	blockdev = xpath(f, "string(//qemu:arg[@value='-blockdev']/following-sibling::qemu:arg[1]/@value)");
	dev = xpath(f, "string(//qemu:arg[contains(@value, '\"nvme\"')]/@value)");
	assert_string_equal(blockdev, "{\"driver\":\"qcow2\",\"node-name\":\"lab-disk1\","
			    "\"file\":{\"driver\":\"file\",\"filename\":\"/run/o\\\"2.qcow2\"}}");
	assert_string_equal(dev, "{\"driver\":\"nvme\",\"id\":\"lab-nvme1\",\"drive\":\"lab-disk1\","
			    "\"serial\":\"iommulab-nvme\",\"bus\":\"pcie.0\",\"addr\":\"0x13\"}");
	free(blockdev);
	free(dev);
	drop(f);
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
		cmocka_unit_test(intel_has_intel_iommu_and_edu),
		cmocka_unit_test(amd_passes_amd_iommu_as_json_device),
		cmocka_unit_test(smmuv3_is_aarch64_virt),
		cmocka_unit_test(cmdline_puts_user_arguments_last),
		cmocka_unit_test(hostile_append_is_escaped),
		cmocka_unit_test(machine_and_iommu_options_go_to_qemu),
		cmocka_unit_test(name_without_prefix_is_refused),
		cmocka_unit_test(disks_go_to_their_slots),
		cmocka_unit_test(bad_disks_are_refused),
		cmocka_unit_test(unknown_platform_names_the_known_ones),
		cmocka_unit_test(malformed_profile_is_an_error_with_the_file),
	};

	return cmocka_run_group_tests_name("domain", tests, NULL, NULL);
}
