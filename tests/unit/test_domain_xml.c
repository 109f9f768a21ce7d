/* SPDX-License-Identifier: MIT */
/*
 * Domain XML as golden files, as libvirt's qemuxmlconftest does: each
 * tests/data/domain/CASE.json (a platform and what a run adds to it: kernel
 * arguments, IOMMU and machine options, a second test device, disks, another
 * QEMU, on_reboot=restart for a reset probe) must give exactly CASE.xml.
 * The cases are found in the folder.
 * Regenerate the .xml files on purpose only, and read the diff:
 *   LAB_REGEN=1 build/tests/test_domain_xml
 */
#include <dirent.h>
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
#include "jsonval.h"
#include "platform.h"

#define DATA "tests/data/domain/"
#define MAX_DISKS 4

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static unsigned uint_or(json_object *in, const char *key, unsigned dflt)
{
	json_object *v = lab_jsonval_get(in, key);

	return v ? (unsigned)json_object_get_int(v) : dflt;
}

/* CASE.json -> the XML lab_domain_xml makes of it. */
static char *render(const char *json_path)
{
	struct lab_error err = { 0 };
	json_object *in = json_object_from_file(json_path);
	json_object *disks = lab_jsonval_arr(in, "disks"), *emu = lab_jsonval_obj(in, "emulator");
	struct lab_domain_disk d[MAX_DISKS] = { 0 };
	struct lab_qemu_emulator e = { 0 };
	struct lab_domain_spec spec = {
		.name = LAB_DOMAIN_PREFIX "test-1-run",
		.kernel = "/images/vmlinuz",
		.initrd = "/images/initramfs.cpio.gz",
	};
	struct lab_platform *p;
	struct lab_topology *t = NULL;
	json_object *hp = lab_jsonval_obj(in, "hotplug");
	char *xml, *disk = NULL, *both = NULL;

	if (!in)
		fail_msg("%s: not JSON", json_path);
	p = lab_platform_load("guests/platforms", lab_jsonval_str(in, "platform"), &err);
	if (!p)
		fail_msg("%s: %s", json_path, err.msg);
	spec.platform = p;
	spec.append = lab_jsonval_str(in, "append");
	spec.accel = lab_jsonval_str(in, "accel") ? lab_jsonval_str(in, "accel") : "tcg";
	spec.memory_mib = uint_or(in, "memory_mib", 512);
	spec.vcpus = uint_or(in, "vcpus", 1);
	spec.test_devices = uint_or(in, "test_devices", 1);
	spec.iommu_opts = lab_jsonval_obj(in, "iommu_opts");
	spec.machine_opts = lab_jsonval_obj(in, "machine_opts");
	spec.restart_on_reboot = json_object_get_boolean(lab_jsonval_get(in, "restart_on_reboot"));
	for (size_t i = 0; i < lab_jsonval_len(disks) && i < MAX_DISKS; i++) {
		json_object *o = json_object_array_get_idx(disks, i);

		d[i].path = lab_jsonval_str(o, "path");
		d[i].bus = lab_jsonval_str(o, "bus");
		d[i].serial = lab_jsonval_str(o, "serial");
		d[i].no_iommu = json_object_get_boolean(lab_jsonval_get(o, "no_iommu"));
		spec.n_disks++;
	}
	spec.disks = spec.n_disks ? d : NULL;
	/* "topology": a topology file; "hotplug": {"disk": N, "port": ID},
	 * whose <disk> element (virDomainAttachDevice's) follows the domain */
	if (lab_jsonval_str(in, "topology")) {
		t = lab_topology_load(lab_jsonval_str(in, "topology"), &err);
		if (!t)
			fail_msg("%s: %s", json_path, err.msg);
		spec.topology = t;
	}
	if (hp) {
		size_t i = (size_t)json_object_get_int(lab_jsonval_get(hp, "disk"));

		d[i].hotplug = 1;
		d[i].hotplug_port = lab_topology_find(t, lab_jsonval_str(hp, "port"));
		disk = lab_domain_hotplug_xml(&spec, i, &err);
		if (!disk)
			fail_msg("%s: %s", json_path, err.msg);
	}
	if (emu) {
		json_object *dirs = lab_jsonval_arr(emu, "data_dirs");

		snprintf(e.binary, sizeof(e.binary), "%s", lab_jsonval_str(emu, "binary"));
		for (size_t i = 0; i < lab_jsonval_len(dirs) && i < 3; i++, e.ndata++)
			snprintf(e.data_dirs[i], sizeof(e.data_dirs[i]), "%s",
				 json_object_get_string(json_object_array_get_idx(dirs, i)));
		spec.emulator = &e;
	}
	xml = lab_domain_xml(&spec, &err);
	if (!xml)
		fail_msg("%s: %s", json_path, err.msg);
	if (disk && asprintf(&both, "%s<!-- hot-plugged -->\n%s\n", xml, disk) > 0) {
		free(xml);
		xml = both;
	}
	free(disk);
	lab_topology_free(t);
	lab_platform_free(p);
	json_object_put(in);
	return xml;
}

/* Every golden domain (the hot-plugged <disk> cut off) against libvirt's own
 * schema, with libvirt's virt-xml-validate (libvirt-clients). */
static void libvirt_schema(void **state)
{
	DIR *dir = opendir(DATA);
	struct dirent *de;
	int cases = 0;

	(void)state;
	if (system("command -v virt-xml-validate >/dev/null 2>&1") != 0)
		skip();   /* reason: no virt-xml-validate (Debian's libvirt-clients) */
	assert_non_null(dir);
	while ((de = readdir(dir))) {
		size_t n = strlen(de->d_name);
		char path[512], tmp[] = "/tmp/iommulab-domain-XXXXXX", cmd[1200];
		char *xml, *cut;
		int fd;

		if (n < 5 || strcmp(de->d_name + n - 4, ".xml"))
			continue;
		snprintf(path, sizeof(path), DATA "%s", de->d_name);
		xml = slurp(path);
		assert_non_null(xml);
		cut = strstr(xml, "<!-- hot-plugged -->");
		if (cut)
			*cut = '\0';
		fd = mkstemp(tmp);
		assert_true(fd >= 0);
		assert_true(write(fd, xml, strlen(xml)) == (ssize_t)strlen(xml));
		close(fd);
		snprintf(cmd, sizeof(cmd), "virt-xml-validate %s domain >/dev/null 2>&1", tmp);
		if (system(cmd) != 0)
			fail_msg("%s does not validate against libvirt's domain schema", path);
		unlink(tmp);
		free(xml);
		cases++;
	}
	closedir(dir);
	assert_true(cases >= 10);
}

static void golden_cases(void **state)
{
	DIR *dir = opendir(DATA);
	struct dirent *de;
	int regen = getenv("LAB_REGEN") != NULL, cases = 0;

	(void)state;
	assert_non_null(dir);
	while ((de = readdir(dir))) {
		size_t n = strlen(de->d_name);
		char in[512], want_path[512], *got, *want;

		if (n < 6 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		snprintf(in, sizeof(in), DATA "%s", de->d_name);
		snprintf(want_path, sizeof(want_path), DATA "%.*s.xml", (int)(n - 5), de->d_name);
		got = render(in);
		if (regen) {
			FILE *f = fopen(want_path, "we");

			assert_non_null(f);
			fputs(got, f);
			fclose(f);
		}
		want = slurp(want_path);
		if (!want)
			fail_msg("%s: no golden file (LAB_REGEN=1 makes it; read it first)", want_path);
		if (strcmp(got, want))
			fail_msg("%s: the XML differs from %s:\n%s", in, want_path, got);
		free(got);
		free(want);
		cases++;
	}
	closedir(dir);
	/* the folder holds the cases: an empty one would prove nothing */
	assert_true(cases >= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden_cases),
		cmocka_unit_test(libvirt_schema),
	};

	return cmocka_run_group_tests_name("domain_xml", tests, NULL, NULL);
}
