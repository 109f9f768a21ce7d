/* SPDX-License-Identifier: MIT */
#include "sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int sysfs_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	size_t l;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	buf[n] = '\0';
	l = strcspn(buf, "\n");
	while (l > 0 && (buf[l - 1] == ' ' || buf[l - 1] == '\t'))
		l--;
	buf[l] = '\0';
	return 0;
}

int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int sysfs_link_name(const char *path, char *out, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *base;

	out[0] = '\0';
	if (n <= 0)
		return -1;
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(out, len, "%s", base ? base + 1 : target);
	return 0;
}

void sysfs_pci_path(char *out, size_t len, const char *dev, const char *leaf)
{
	snprintf(out, len, "/sys/bus/pci/devices/%s/%s", dev, leaf);
}

void sysfs_pci_driver(const char *dev, char *out, size_t len)
{
	char path[PATH_MAX];

	sysfs_pci_path(path, sizeof(path), dev, "driver");
	sysfs_link_name(path, out, len);
}

void sysfs_pci_group(const char *dev, char *group, char *type)
{
	char path[PATH_MAX];

	sysfs_pci_path(path, sizeof(path), dev, "iommu_group");
	sysfs_link_name(path, group, SYSFS_GROUP_LEN);
	type[0] = '\0';
	if (group[0]) {
		snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%s/type", group);
		if (sysfs_read(path, type, SYSFS_GROUP_LEN) < 0)
			type[0] = '\0';
	}
}
