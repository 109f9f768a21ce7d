/* SPDX-License-Identifier: MIT */
#include "hotplug.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "sysfs.h"

#define POLL_MS 100
#define DRIVER_GRACE_MS 5000
#define TIMEOUT_MAX_MS 120000

static json_object *str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

json_object *hotplug_wait(json_object *args, struct lab_error *err)
{
	json_object *v, *out;
	const char *path, *group = NULL;
	int present = 1;
	int64_t timeout = 30000, t0 = lab_clock_ms(), seen_at = -1;
	char addr[16] = "", drv[64] = "", grp[SYSFS_GROUP_LEN] = "", type[SYSFS_GROUP_LEN] = "";
	int found = 0, timed_out = 0;

	if (!json_object_object_get_ex(args, "path", &v) || !json_object_is_type(v, json_type_string) ||
	    !strchr(json_object_get_string(v), '/') || strlen(json_object_get_string(v)) >= 128) {
		lab_error_set(err, "pci_wait: 'path' is required: a place in the PCI tree "
			      "(\"0000:00/09.0/00.0\")");
		return NULL;
	}
	path = json_object_get_string(v);
	if (json_object_object_get_ex(args, "present", &v)) {
		if (!json_object_is_type(v, json_type_boolean)) {
			lab_error_set(err, "pci_wait: 'present' must be a boolean");
			return NULL;
		}
		present = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(args, "group", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    strspn(json_object_get_string(v), "0123456789") != strlen(json_object_get_string(v)) ||
		    !*json_object_get_string(v) || strlen(json_object_get_string(v)) > 8) {
			lab_error_set(err, "pci_wait: 'group' must be a group number, as a string");
			return NULL;
		}
		group = json_object_get_string(v);
	}
	if (json_object_object_get_ex(args, "timeout_ms", &v)) {
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
		    json_object_get_int64(v) > TIMEOUT_MAX_MS) {
			lab_error_set(err, "pci_wait: 'timeout_ms' must be 0 to %d", TIMEOUT_MAX_MS);
			return NULL;
		}
		timeout = json_object_get_int64(v);
	}
	for (;;) {
		int64_t now = lab_clock_ms();

		found = sysfs_pci_resolve(path, addr) == 0;
		if (found) {
			if (seen_at < 0)
				seen_at = now;
			sysfs_pci_driver(addr, drv, sizeof(drv));
		}
		if (present ? found && (drv[0] || now - seen_at >= DRIVER_GRACE_MS) : !found)
			break;
		if (now - t0 >= timeout) {
			timed_out = 1;
			break;
		}
		lab_clock_sleep_ms(POLL_MS);
	}
	if (found)
		sysfs_pci_group(addr, grp, type);
	out = json_object_new_object();
	json_object_object_add(out, "path", json_object_new_string(path));
	json_object_object_add(out, "present", json_object_new_boolean(found));
	json_object_object_add(out, "address", found ? json_object_new_string(addr) : NULL);
	json_object_object_add(out, "driver", found ? str_or_null(drv) : NULL);
	json_object_object_add(out, "iommu_group", str_or_null(grp));
	json_object_object_add(out, "group_type", str_or_null(type));
	if (group) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "/sys/kernel/iommu_groups/%s", group);
		json_object_object_add(out, "group_present", json_object_new_boolean(access(dir, F_OK) == 0));
	}
	json_object_object_add(out, "waited_ms", json_object_new_int64(lab_clock_ms() - t0));
	json_object_object_add(out, "timed_out", json_object_new_boolean(timed_out));
	return out;
}
