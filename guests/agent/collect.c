/* SPDX-License-Identifier: MIT */
#include "collect.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kmsg.h"
#include "sysfs.h"
#include "vfio.h"

#define ATTR_MAX 4096
#define AGENT_VERSION "0.1"
#define ACPI_TABLE_MAX (256 * 1024)   /* real DMARs are a few KiB */

/* Read a small sysfs/procfs file, trailing whitespace trimmed; NULL if absent. */
static json_object *read_attr(const char *path)
{
	char buf[ATTR_MAX];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	return json_object_new_string_len(buf, (int)n);
}

static json_object *read_attr_at(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return read_attr(path);
}

/* basename of a symlink's target ("../../bus/pci/drivers/vfio-pci" -> "vfio-pci") */
static json_object *link_name(const char *dir, const char *name)
{
	char path[PATH_MAX], base[NAME_MAX + 1];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return sysfs_link_name(path, base, sizeof(base)) < 0 ? NULL : json_object_new_string(base);
}

static void add_or_null(json_object *obj, const char *key, json_object *val)
{
	json_object_object_add(obj, key, val);
}

/* scandir() filter: keep what is not hidden (".", "..", dotfiles) */
static int visible(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Every regular file in dir (one level of subdirectories too, as
 * /sys/class/iommu/dmar0/intel-iommu/cap), keyed "sub/name". */
static void add_attrs(json_object *attrs, const char *dir, const char *prefix, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[PATH_MAX], key[NAME_MAX * 2 + 2];
		struct stat st;

		if (!visible(e) || !strcmp(e->d_name, "uevent") || !strcmp(e->d_name, "devices"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(key, sizeof(key), "%s%s", prefix, e->d_name);
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth > 0 && strcmp(e->d_name, "power")) {
			char sub[NAME_MAX * 2 + 2];

			snprintf(sub, sizeof(sub), "%s/", key);
			add_attrs(attrs, path, sub, depth - 1);
		} else if (S_ISREG(st.st_mode) && (st.st_mode & S_IRUSR)) {
			json_object *v = read_attr(path);

			if (v)
				json_object_object_add(attrs, key, v);
		}
	}
	closedir(d);
}

static json_object *list_dir_names(const char *dir)
{
	json_object *arr = json_object_new_array();
	struct dirent **names;
	int n = scandir(dir, &names, visible, alphasort);

	for (int i = 0; i < n; i++) {
		json_object_array_add(arr, json_object_new_string(names[i]->d_name));
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return arr;
}

static json_object *collect_iommus(void)
{
	const char *base = "/sys/class/iommu";
	json_object *arr = json_object_new_array();
	struct dirent **names;
	int n = scandir(base, &names, visible, alphasort);

	for (int i = 0; i < n; i++) {
		char dir[PATH_MAX], devs[PATH_MAX + 16];
		json_object *o = json_object_new_object();
		json_object *attrs = json_object_new_object();

		snprintf(dir, sizeof(dir), "%s/%s", base, names[i]->d_name);
		snprintf(devs, sizeof(devs), "%s/devices", dir);
		add_attrs(attrs, dir, "", 1);
		json_object_object_add(o, "name", json_object_new_string(names[i]->d_name));
		json_object_object_add(o, "attrs", attrs);
		json_object_object_add(o, "devices", list_dir_names(devs));
		json_object_array_add(arr, o);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return arr;
}

static int numeric_dirent(const struct dirent *d)
{
	return d->d_name[0] >= '0' && d->d_name[0] <= '9';
}

static int numeric_sort(const struct dirent **a, const struct dirent **b)
{
	return atoi((*a)->d_name) - atoi((*b)->d_name);
}

/* Can VFIO take the group: does every device in it leave DMA to VFIO? */
static int vfio_viable(json_object *devices)
{
	for (size_t i = 0; i < json_object_array_length(devices); i++)
		if (!vfio_leaves_dma(json_object_get_string(json_object_array_get_idx(devices, i))))
			return 0;
	return 1;
}

static json_object *collect_groups(void)
{
	const char *base = "/sys/kernel/iommu_groups";
	json_object *arr = json_object_new_array();
	struct dirent **names;
	int n = scandir(base, &names, numeric_dirent, numeric_sort);

	for (int i = 0; i < n; i++) {
		char dir[PATH_MAX], devs[PATH_MAX + 16];
		json_object *g = json_object_new_object();

		snprintf(dir, sizeof(dir), "%s/%s", base, names[i]->d_name);
		snprintf(devs, sizeof(devs), "%s/devices", dir);
		json_object_object_add(g, "id", json_object_new_int(atoi(names[i]->d_name)));
		add_or_null(g, "type", read_attr_at(dir, "type"));
		add_or_null(g, "reserved_regions", read_attr_at(dir, "reserved_regions"));
		json_object_object_add(g, "devices", list_dir_names(devs));
		json_object_object_add(g, "vfio_viable", json_object_new_boolean(
			vfio_viable(json_object_object_get(g, "devices"))));
		json_object_array_add(arr, g);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return arr;
}

/* A bridge's subordinate bus: sysfs names it as the one entry of
 * pci_bus/ ("0000:01"); DMAR device scopes walk paths through it. */
static void add_secondary_bus(json_object *d, const char *dir)
{
	char sub[PATH_MAX];
	struct dirent **names;
	int n;
	unsigned dom, bus;

	snprintf(sub, sizeof(sub), "%s/pci_bus", dir);
	n = scandir(sub, &names, visible, alphasort);
	if (n < 0)
		return;
	if (n > 0 && sscanf(names[0]->d_name, "%x:%x", &dom, &bus) == 2)
		json_object_object_add(d, "secondary_bus", json_object_new_int((int)bus));
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The PCI Express capability's device/port type, by name; "conventional"
 * for a device without one (behind a PCIe-to-PCI bridge, or QEMU's pci-bridge). */
static const char *pcie_type(const uint8_t *cfg, ssize_t n)
{
	static const char *const names[16] = {
		[0] = "endpoint", [1] = "legacy-endpoint", [4] = "root-port",
		[5] = "switch-upstream", [6] = "switch-downstream", [7] = "pcie-pci-bridge",
		[8] = "pci-pcie-bridge", [9] = "rc-endpoint", [10] = "rc-event-collector",
	};
	unsigned ptr, hops = 0;

	if (n < 0x40 || !(cfg[0x06] & 0x10))            /* no capability list */
		return "conventional";
	for (ptr = cfg[0x34] & 0xfc; ptr >= 0x40 && ptr + 4 <= (unsigned)n && hops++ < 48;
	     ptr = cfg[ptr + 1] & 0xfc)
		if (cfg[ptr] == 0x10) {
			const char *t = names[(cfg[ptr + 2] >> 4) & 0xf];

			return t ? t : "other";
		}
	return "conventional";
}

/* The ACS extended capability: {"cap": "0x..", "ctrl": "0x.."} (the
 * controls the kernel checks are SV, RR, CR, UF), or NULL without one. */
static json_object *acs_of(const uint8_t *cfg, ssize_t n)
{
	unsigned ptr = 0x100, hops = 0;

	while (ptr >= 0x100 && ptr + 8 <= (unsigned)n && hops++ < 64) {
		uint32_t h = (uint32_t)cfg[ptr] | (uint32_t)cfg[ptr + 1] << 8 |
			     (uint32_t)cfg[ptr + 2] << 16 | (uint32_t)cfg[ptr + 3] << 24;
		char v[8];
		json_object *o;

		if (!h || h == 0xffffffff)
			return NULL;
		if ((h & 0xffff) == 0x000d) {
			o = json_object_new_object();
			snprintf(v, sizeof(v), "0x%04x", cfg[ptr + 4] | cfg[ptr + 5] << 8);
			json_object_object_add(o, "cap", json_object_new_string(v));
			snprintf(v, sizeof(v), "0x%04x", cfg[ptr + 6] | cfg[ptr + 7] << 8);
			json_object_object_add(o, "ctrl", json_object_new_string(v));
			return o;
		}
		ptr = h >> 20;
	}
	return NULL;
}

static void add_topology_facts(json_object *d, const char *dev)
{
	uint8_t cfg[4096];
	char path[SYSFS_TOPO_PATH_LEN];
	ssize_t n = sysfs_pci_config(dev, cfg, sizeof(cfg));
	json_object *acs;

	add_or_null(d, "path", sysfs_pci_topo_path(dev, path, sizeof(path)) == 0
				       ? json_object_new_string(path) : NULL);
	if (n < 0x40)
		return;
	json_object_object_add(d, "pcie_type", json_object_new_string(pcie_type(cfg, n)));
	acs = acs_of(cfg, n);
	if (acs)
		json_object_object_add(d, "acs", acs);
}

static json_object *collect_pci(void)
{
	const char *base = "/sys/bus/pci/devices";
	json_object *arr = json_object_new_array();
	struct dirent **names;
	int n = scandir(base, &names, visible, alphasort);

	for (int i = 0; i < n; i++) {
		char dir[PATH_MAX];
		json_object *d = json_object_new_object();

		snprintf(dir, sizeof(dir), "%s/%s", base, names[i]->d_name);
		json_object_object_add(d, "address", json_object_new_string(names[i]->d_name));
		add_or_null(d, "vendor", read_attr_at(dir, "vendor"));
		add_or_null(d, "device", read_attr_at(dir, "device"));
		add_or_null(d, "class", read_attr_at(dir, "class"));
		add_or_null(d, "driver", link_name(dir, "driver"));
		add_or_null(d, "iommu_group", link_name(dir, "iommu_group"));
		add_secondary_bus(d, dir);
		add_topology_facts(d, names[i]->d_name);
		json_object_array_add(arr, d);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return arr;
}

/*
 * The firmware's IOMMU tables, raw, as hex: the harness parses and
 * validates them (harness/acpi.c). Absent tables (device-tree boots, the
 * other vendor's table) are simply left out.
 */
static json_object *read_table_hex(const char *path)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t *buf = malloc(ACPI_TABLE_MAX);
	char *hex = NULL;
	size_t len = 0;
	json_object *v = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf)
		goto out;
	while (len < ACPI_TABLE_MAX) {
		ssize_t n = read(fd, buf + len, ACPI_TABLE_MAX - len);

		if (n <= 0)
			break;
		len += (size_t)n;
	}
	hex = malloc(len * 2 + 1);
	if (!hex)
		goto out;
	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = digits[buf[i] >> 4];
		hex[2 * i + 1] = digits[buf[i] & 0xf];
	}
	v = json_object_new_string_len(hex, (int)(len * 2));
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(hex);
	return v;
}

static json_object *collect_acpi(void)
{
	static const char *const names[] = { "DMAR", "IVRS", "IORT" };
	json_object *o = json_object_new_object();

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[64];
		json_object *v;

		snprintf(path, sizeof(path), "/sys/firmware/acpi/tables/%s", names[i]);
		v = read_table_hex(path);
		if (v)
			json_object_object_add(o, names[i], v);
	}
	return o;
}

/* Kernel log lines the harness reads IOMMU state from. */
static int iommu_related(const char *msg)
{
	static const char *const keys[] = {
		"iommu", "IOMMU", "DMAR", "AMD-Vi", "smmu", "SMMU", "remapping",
		"x2apic", "x2APIC", "PCI-DMA", "vfio", "Kernel command line",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strstr(msg, keys[i]))
			return 1;
	return 0;
}

json_object *collect_hello(void)
{
	json_object *o = json_object_new_object();
	struct utsname u;

	json_object_object_add(o, "agent", json_object_new_string("iommu-lab-agent"));
	json_object_object_add(o, "version", json_object_new_string(AGENT_VERSION));
	json_object_object_add(o, "protocol", json_object_new_int(1));
	/* which boot answers: the harness tells a reset guest's new boot
	 * from the old one by it (harness/reset.h) */
	add_or_null(o, "boot_id", read_attr("/proc/sys/kernel/random/boot_id"));
	if (uname(&u) == 0) {
		json_object_object_add(o, "kernel", json_object_new_string(u.release));
		json_object_object_add(o, "machine", json_object_new_string(u.machine));
	}
	return o;
}

json_object *collect_all(void)
{
	json_object *o = collect_hello();
	json_object *klog = kmsg_collect(0, 4096, iommu_related);

	add_or_null(o, "cmdline", read_attr("/proc/cmdline"));
	json_object_object_add(o, "iommus", collect_iommus());
	json_object_object_add(o, "groups", collect_groups());
	json_object_object_add(o, "pci", collect_pci());
	json_object_object_add(o, "acpi", collect_acpi());
	json_object_object_add(o, "klog", klog);
	return o;
}
