/* SPDX-License-Identifier: MIT */
#ifndef AGENT_SYSFS_H
#define AGENT_SYSFS_H

/* Small sysfs/procfs files and links, as the agent's probes read them. */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The file's first line (at most len - 1 bytes), trailing blanks trimmed:
 * 0, or -errno. */
int sysfs_read(const char *path, char *buf, size_t len);
/* Write val: 0, or -errno. */
int sysfs_write(const char *path, const char *val);
/* The last component of a symlink's target ("../../../kernel/iommu_groups/3"
 * -> "3"): 0, or -1 with out "" when there is no link. */
int sysfs_link_name(const char *path, char *out, size_t len);

/* A PCI device's files, dev "ssss:bb:dd.f": /sys/bus/pci/devices/dev/leaf */
void sysfs_pci_path(char *out, size_t len, const char *dev, const char *leaf);
/* The driver dev is bound to, "" for none. */
void sysfs_pci_driver(const char *dev, char *out, size_t len);
/* dev's IOMMU group and its default domain type ("DMA", "identity", ...),
 * each "" when unknown; both buffers of SYSFS_GROUP_LEN bytes. */
#define SYSFS_GROUP_LEN 32
void sysfs_pci_group(const char *dev, char *group, char *type);

/* dev's place in the PCI tree, bus numbers left out: the root bus, then
 * each hop's device.function ("0000:00/04.0/00.0"; harness/topology.h).
 * 0, or -1. */
#define SYSFS_TOPO_PATH_LEN 128
int sysfs_pci_topo_path(const char *dev, char *out, size_t len);
/* A device named by its address ("0000:01:00.0") or its path: its address
 * into out. 0, or -1 when no device has that path. */
int sysfs_pci_resolve(const char *spec, char out[16]);
/* dev's configuration space (the first len bytes; 4096 for root): bytes
 * read, or -errno. */
ssize_t sysfs_pci_config(const char *dev, uint8_t *buf, size_t len);

#endif
