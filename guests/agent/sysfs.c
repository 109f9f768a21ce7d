/* SPDX-License-Identifier: MIT */
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
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

int sysfs_pci_topo_path(const char *dev, char *out, size_t len)
{
	char link[PATH_MAX], real[PATH_MAX];
	const char *p;
	size_t off;

	out[0] = '\0';
	sysfs_pci_path(link, sizeof(link), dev, "");
	if (!realpath(link, real))
		return -1;
	/* .../pci0000:00/0000:00:04.0/0000:01:00.0 -> 0000:00/04.0/00.0 */
	p = strstr(real, "/pci");
	if (!p || strlen(p + 4) < 7)
		return -1;
	off = (size_t)snprintf(out, len, "%.7s", p + 4);
	for (p = strchr(p + 1, '/'); p && off < len; p = strchr(p + 1, '/')) {
		const char *seg = p + 1, *dot = strchr(seg, '.');
		size_t seglen = strcspn(seg, "/");

		/* ssss:bb:dd.f: keep dd.f */
		if (seglen != 12 || !dot || dot - seg != 10)
			return -1;
		off += (size_t)snprintf(out + off, len - off, "/%.4s", seg + 8);
	}
	return off < len ? 0 : -1;
}

int sysfs_pci_resolve(const char *spec, char out[16])
{
	DIR *d;
	struct dirent *e;
	int rc = -1;

	if (!strchr(spec, '/')) {
		if (strlen(spec) != 12)
			return -1;
		memcpy(out, spec, 13);
		return 0;
	}
	d = opendir("/sys/bus/pci/devices");
	while (d && rc < 0 && (e = readdir(d))) {
		char path[SYSFS_TOPO_PATH_LEN];

		if (strlen(e->d_name) == 12 &&
		    sysfs_pci_topo_path(e->d_name, path, sizeof(path)) == 0 && !strcmp(path, spec)) {
			memcpy(out, e->d_name, 13);
			rc = 0;
		}
	}
	if (d)
		closedir(d);
	return rc;
}

ssize_t sysfs_pci_config(const char *dev, uint8_t *buf, size_t len)
{
	char path[PATH_MAX];
	int fd;
	ssize_t n;

	sysfs_pci_path(path, sizeof(path), dev, "config");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, 0);
	close(fd);
	return n;
}
