/* SPDX-License-Identifier: MIT */
/*
 * VFIO for the DMA probe (vfio.h): the type1 IOMMU backend, one container
 * per device, the device's config space and BAR0 through the device fd,
 * MSI through VFIO_DEVICE_SET_IRQS. Knows nothing of edu's registers: the
 * caller checks what it mapped (edu.h).
 */
#include "vfio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

int vfio_bind(const char *dev, const char *driver, int *rebound, struct lab_error *err)
{
	char path[PATH_MAX], now[64];
	int rc;

	if (!strcmp(driver, "vfio-pci"))
		return 0;
	sysfs_pci_path(path, sizeof(path), dev, "driver_override");
	rc = sysfs_write(path, "vfio-pci");
	if (rc < 0) {
		lab_error_set(err, "%s: %s", path, strerror(-rc));
		return -1;
	}
	if (driver[0]) {
		sysfs_pci_path(path, sizeof(path), dev, "driver/unbind");
		rc = sysfs_write(path, dev);
		if (rc < 0) {
			lab_error_set(err, "unbind %s from %s: %s", dev, driver, strerror(-rc));
			return -1;
		}
	}
	rc = sysfs_write("/sys/bus/pci/drivers_probe", dev);
	sysfs_pci_driver(dev, now, sizeof(now));
	if (strcmp(now, "vfio-pci")) {
		lab_error_set(err, "could not bind %s to vfio-pci (%s; is the vfio-pci module loaded?)",
			      dev, rc < 0 ? strerror(-rc) : now[0] ? now : "no driver");
		return -1;
	}
	*rebound = 1;
	return 0;
}

static int region_info(struct vfio *v, unsigned index, struct vfio_region_info *ri,
		       struct lab_error *err)
{
	memset(ri, 0, sizeof(*ri));
	ri->argsz = sizeof(*ri);
	ri->index = index;
	if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, ri) < 0) {
		lab_error_set(err, "VFIO_DEVICE_GET_REGION_INFO %u: %s", index, strerror(errno));
		return -1;
	}
	return 0;
}

int vfio_leaves_dma(const char *dev)
{
	static const char *const leaves_dma[] = { "", "vfio-pci", "pcieport", "pci-stub" };
	char drv[64];

	sysfs_pci_driver(dev, drv, sizeof(drv));
	for (size_t i = 0; i < sizeof(leaves_dma) / sizeof(leaves_dma[0]); i++)
		if (!strcmp(drv, leaves_dma[i]))
			return 1;
	return 0;
}

int vfio_bind_group(const char *dev, json_object *bound, struct lab_error *err)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int rc = 0;

	sysfs_pci_path(path, sizeof(path), dev, "iommu_group/devices");
	d = opendir(path);
	if (!d) {
		lab_error_set(err, "%s has no IOMMU group", dev);
		return -1;
	}
	while (rc == 0 && (e = readdir(d))) {
		char drv[64];
		int rebound = 0;

		if (e->d_name[0] == '.' || !strcmp(e->d_name, dev) || vfio_leaves_dma(e->d_name))
			continue;
		sysfs_pci_driver(e->d_name, drv, sizeof(drv));
		rc = vfio_bind(e->d_name, drv, &rebound, err);
		if (rebound)
			json_object_array_add(bound, json_object_new_string(e->d_name));
	}
	closedir(d);
	return rc;
}

int vfio_open(struct vfio *v, const char *dev, uint64_t iova, long pagesz,
	      struct lab_error *err)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	struct vfio_region_info ri;
	char path[PATH_MAX];
	uint16_t cmd;
	uint64_t minpg;
	int type;

	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v->container < 0) {
		lab_error_set(err, "/dev/vfio/vfio: %s", strerror(errno));
		return -1;
	}
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		lab_error_set(err, "VFIO API version is not %d", VFIO_API_VERSION);
		return -1;
	}
	if (ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0) {
		type = VFIO_TYPE1v2_IOMMU;
		snprintf(v->iommu_type, sizeof(v->iommu_type), "type1v2");
	} else if (ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0) {
		type = VFIO_TYPE1_IOMMU;
		snprintf(v->iommu_type, sizeof(v->iommu_type), "type1");
	} else {
		lab_error_set(err, "VFIO container lacks the type1 IOMMU extension (vfio_iommu_type1 not loaded?)");
		return -1;
	}

	v->dev = dev;
	v->iova = iova;
	sysfs_pci_group(dev, v->group_name, v->group_type);
	if (!v->group_name[0]) {
		lab_error_set(err, "%s has no IOMMU group (no IOMMU translates it)", dev);
		return -1;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%s", v->group_name);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0) {
		lab_error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &gs) < 0) {
		lab_error_set(err, "VFIO_GROUP_GET_STATUS: %s", strerror(errno));
		return -1;
	}
	v->viable = !!(gs.flags & VFIO_GROUP_FLAGS_VIABLE);
	if (!v->viable) {
		lab_error_set(err, "IOMMU group %s is not viable: another device in it is bound to a host driver",
			      v->group_name);
		return -1;
	}
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container) < 0) {
		lab_error_set(err, "VFIO_GROUP_SET_CONTAINER: %s", strerror(errno));
		return -1;
	}
	if (v->claim_only)
		return 0;
	if (ioctl(v->container, VFIO_SET_IOMMU, type) < 0) {
		int e = errno;

		lab_error_set(err, "VFIO_SET_IOMMU %s: %s%s", v->iommu_type, strerror(e),
			      e == EPERM ? " (no interrupt remapping? vfio_iommu_type1.allow_unsafe_interrupts=1)" : "");
		return -1;
	}
	if (ioctl(v->container, VFIO_IOMMU_GET_INFO, &info) < 0) {
		lab_error_set(err, "VFIO_IOMMU_GET_INFO: %s", strerror(errno));
		return -1;
	}
	minpg = (info.flags & VFIO_IOMMU_INFO_PGSIZES) && info.iova_pgsizes ?
		info.iova_pgsizes & -info.iova_pgsizes : 4096;
	v->map_len = minpg > (uint64_t)pagesz ? minpg : (uint64_t)pagesz;
	if (iova % v->map_len) {
		lab_error_set(err, "iova 0x%" PRIx64 " is not aligned to the mapping granule 0x%" PRIx64,
			      iova, v->map_len);
		return -1;
	}

	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, dev);
	if (v->device < 0) {
		lab_error_set(err, "VFIO_GROUP_GET_DEVICE_FD %s: %s", dev, strerror(errno));
		return -1;
	}

	/* bus master (and memory decoding) on, through config space */
	if (region_info(v, VFIO_PCI_CONFIG_REGION_INDEX, &ri, err) < 0)
		return -1;
	v->cfg_off = ri.offset;
	if (pread(v->device, &cmd, sizeof(cmd), (off_t)(v->cfg_off + PCI_COMMAND)) != sizeof(cmd)) {
		lab_error_set(err, "read PCI command register: %s", strerror(errno));
		return -1;
	}
	v->cmd_saved = cmd;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(v->device, &cmd, sizeof(cmd), (off_t)(v->cfg_off + PCI_COMMAND)) != sizeof(cmd)) {
		lab_error_set(err, "enable bus master: %s", strerror(errno));
		return -1;
	}

	if (region_info(v, VFIO_PCI_BAR0_REGION_INDEX, &ri, err) < 0)
		return -1;
	if (!(ri.flags & VFIO_REGION_INFO_FLAG_MMAP) || ri.size < (uint64_t)pagesz) {
		lab_error_set(err, "BAR0 cannot be mmapped (flags 0x%x, size 0x%llx)", ri.flags,
			      (unsigned long long)ri.size);
		return -1;
	}
	v->bar_len = (size_t)pagesz;
	v->bar_map = mmap(NULL, v->bar_len, PROT_READ | PROT_WRITE, MAP_SHARED, v->device,
			  (off_t)ri.offset);
	if (v->bar_map == MAP_FAILED) {
		v->bar_map = NULL;
		lab_error_set(err, "mmap BAR0: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int vfio_alloc_buffer(struct vfio *v, struct lab_error *err)
{
	v->buf_map_len = (size_t)v->map_len * 2;
	v->buf_map = mmap(NULL, v->buf_map_len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->buf_map == MAP_FAILED) {
		v->buf_map = NULL;
		lab_error_set(err, "mmap DMA buffer: %s", strerror(errno));
		return -1;
	}
	v->buf = (uint8_t *)(((uintptr_t)v->buf_map + v->map_len - 1) & ~(uintptr_t)(v->map_len - 1));
	return 0;
}

int vfio_map(struct vfio *v, struct lab_error *err)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = v->map_flags ? v->map_flags : VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)v->buf,
		.iova = v->iova,
		.size = v->map_len,
	};

	if (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &m) < 0) {
		lab_error_set(err, "VFIO_IOMMU_MAP_DMA iova 0x%" PRIx64 ": %s", v->iova, strerror(errno));
		return -1;
	}
	v->mapped = 1;
	return 0;
}

int vfio_unmap(struct vfio *v, struct lab_error *err)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.iova = v->iova,
		.size = v->map_len,
	};

	if (!v->mapped)
		return 0;
	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &u) < 0) {
		lab_error_set(err, "VFIO_IOMMU_UNMAP_DMA: %s", strerror(errno));
		return -1;
	}
	if (u.size != v->map_len) {
		lab_error_set(err, "VFIO_IOMMU_UNMAP_DMA unmapped 0x%llx bytes, not 0x%" PRIx64,
			      (unsigned long long)u.size, v->map_len);
		return -1;
	}
	v->mapped = 0;
	return 0;
}

void vfio_close(struct vfio *v, struct lab_error *err)
{
	if (v->irq_fd >= 0) {
		struct vfio_irq_set off = {
			.argsz = sizeof(off),
			.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			.index = VFIO_PCI_MSI_IRQ_INDEX,
		};

		if (v->device >= 0)
			ioctl(v->device, VFIO_DEVICE_SET_IRQS, &off);
		close(v->irq_fd);
		v->irq_fd = -1;
	}
	vfio_unmap(v, err);
	if (v->device >= 0 && v->cmd_saved >= 0) {
		uint16_t cmd = (uint16_t)v->cmd_saved;

		/* bus master off again: a late transfer then goes nowhere */
		if (pwrite(v->device, &cmd, sizeof(cmd), (off_t)(v->cfg_off + PCI_COMMAND)) != sizeof(cmd))
			lab_error_set(err, "restore PCI command register: %s", strerror(errno));
	}
	if (v->bar_map)
		munmap(v->bar_map, v->bar_len);
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0) {
		ioctl(v->group, VFIO_GROUP_UNSET_CONTAINER);
		close(v->group);
	}
	if (v->container >= 0)
		close(v->container);
	/* after the unmap the pages are the process's alone again */
	if (v->buf_map)
		munmap(v->buf_map, v->buf_map_len);
}

/* One vector: edu has a single-vector MSI capability (hw/misc/edu.c:
 * msi_init(pdev, 0, 1, ...)). */
int vfio_irq_setup(struct vfio *v, struct lab_error *err)
{
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = VFIO_PCI_MSI_IRQ_INDEX };
	struct {
		struct vfio_irq_set set;
		int32_t fd;
	} req;

	if (ioctl(v->device, VFIO_DEVICE_GET_IRQ_INFO, &ii) < 0) {
		lab_error_set(err, "VFIO_DEVICE_GET_IRQ_INFO MSI: %s", strerror(errno));
		return -1;
	}
	if (ii.count < 1 || !(ii.flags & VFIO_IRQ_INFO_EVENTFD)) {
		lab_error_set(err, "%s offers no MSI through VFIO (count %u, flags 0x%x)", v->dev,
			      ii.count, ii.flags);
		return -1;
	}
	v->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->irq_fd < 0) {
		lab_error_set(err, "eventfd: %s", strerror(errno));
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.set.argsz = sizeof(req);
	req.set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	req.set.index = VFIO_PCI_MSI_IRQ_INDEX;
	req.set.start = 0;
	req.set.count = 1;
	req.fd = v->irq_fd;
	if (ioctl(v->device, VFIO_DEVICE_SET_IRQS, &req) < 0) {
		lab_error_set(err, "VFIO_DEVICE_SET_IRQS MSI: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * x86 prints "IR-PCI-MSI" when the vector goes through the IOMMU's
 * interrupt remapping table and "PCI-MSI" when not (6.12 appends the
 * device: "IR-PCI-MSI-0000:00:10.0"); arm64 prints the ITS's. VFIO names
 * the vector "vfio-msi[0](dev)".
 */
void vfio_irq_chip(const char *dev, char *chip, size_t len, long *count)
{
	char line[1024], tag[64];
	FILE *f = fopen("/proc/interrupts", "re");

	chip[0] = '\0';
	*count = -1;
	if (!f)
		return;
	snprintf(tag, sizeof(tag), "vfio-msi[0](%s)", dev);
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *tok;
		long sum = 0;

		if (!strstr(line, tag))
			continue;
		tok = strtok_r(line, " \t\n", &save);     /* "24:" */
		while ((tok = strtok_r(NULL, " \t\n", &save))) {
			char *end;
			long n = strtol(tok, &end, 10);

			if (*end) {             /* the first word that is no count */
				snprintf(chip, len, "%s", tok);
				break;
			}
			sum += n;
		}
		*count = sum;
		break;
	}
	fclose(f);
}
