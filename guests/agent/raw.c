/* SPDX-License-Identifier: MIT */
/*
 * Raw mode for the DMA probe (raw.h): sysfs config and resource0 of an
 * unbound device, a physical address from /proc/self/pagemap
 * (Documentation/admin-guide/mm/pagemap.rst; PFNs need CAP_SYS_ADMIN).
 * Knows nothing of edu's registers: the caller checks what it mapped.
 */
#include "raw.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "sysfs.h"

#define CHUNK_PAGES 64
#define MAX_CHUNKS 64           /* search at most 16 MiB for a low page */
#define PAGEMAP_PFN_MASK ((1ull << 55) - 1)
#define PAGEMAP_PRESENT (1ull << 63)

int raw_unbind(const char *dev, const char *driver, struct lab_error *err)
{
	char path[PATH_MAX], now[64];
	int rc;

	if (!driver[0])
		return 0;
	sysfs_pci_path(path, sizeof(path), dev, "driver/unbind");
	rc = sysfs_write(path, dev);
	sysfs_pci_driver(dev, now, sizeof(now));
	if (now[0]) {
		lab_error_set(err, "unbind %s from %s: %s", dev, now,
			      rc < 0 ? strerror(-rc) : "still bound");
		return -1;
	}
	return 0;
}

int raw_open(struct raw *r, const char *dev, long pagesz, struct lab_error *err)
{
	char path[PATH_MAX];
	uint16_t cmd;
	void *bar;

	r->pagesz = pagesz;
	sysfs_pci_path(path, sizeof(path), dev, "config");
	r->cfg = open(path, O_RDWR | O_CLOEXEC);
	if (r->cfg < 0) {
		lab_error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (pread(r->cfg, &cmd, sizeof(cmd), PCI_COMMAND) != sizeof(cmd)) {
		lab_error_set(err, "read PCI command register: %s", strerror(errno));
		return -1;
	}
	r->cmd_saved = cmd;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(r->cfg, &cmd, sizeof(cmd), PCI_COMMAND) != sizeof(cmd)) {
		lab_error_set(err, "enable bus master: %s", strerror(errno));
		return -1;
	}

	sysfs_pci_path(path, sizeof(path), dev, "resource0");
	r->res = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (r->res < 0) {
		lab_error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	bar = mmap(NULL, (size_t)pagesz, PROT_READ | PROT_WRITE, MAP_SHARED, r->res, 0);
	if (bar == MAP_FAILED) {
		lab_error_set(err, "mmap %s: %s", path, strerror(errno));
		return -1;
	}
	r->bar = bar;
	return 0;
}

void raw_close(struct raw *r, struct lab_error *err)
{
	if (r->cfg >= 0 && r->cmd_saved >= 0) {
		uint16_t cmd = (uint16_t)r->cmd_saved;

		if (pwrite(r->cfg, &cmd, sizeof(cmd), PCI_COMMAND) != sizeof(cmd))
			lab_error_set(err, "restore PCI command register: %s", strerror(errno));
	}
	if (r->bar)
		munmap(r->bar, (size_t)r->pagesz);
	if (r->res >= 0)
		close(r->res);
	if (r->cfg >= 0)
		close(r->cfg);
}

/* Allocates chunks until one holds such a page (the chunks already
 * searched stay allocated meanwhile so the next ones are other pages),
 * then keeps only that page. */
uint8_t *raw_alloc_low_page(long pagesz, uint64_t dma_mask, uint32_t size, uint8_t fill,
			    uint64_t *phys, struct lab_error *err)
{
	size_t chunk_len = (size_t)pagesz * CHUNK_PAGES;
	uint8_t *chunks[MAX_CHUNKS];
	uint8_t *found = NULL;
	uint64_t lowest = UINT64_MAX;
	int nchunks = 0, fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		lab_error_set(err, "/proc/self/pagemap: %s", strerror(errno));
		return NULL;
	}
	while (!found && nchunks < MAX_CHUNKS) {
		uint64_t ent[CHUNK_PAGES];
		uint8_t *c = mmap(NULL, chunk_len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		if (c == MAP_FAILED) {
			lab_error_set(err, "mmap: %s", strerror(errno));
			break;
		}
		chunks[nchunks++] = c;
		memset(c, fill, chunk_len);     /* present, and not the zero page */
		if (mlock(c, chunk_len) < 0) {
			lab_error_set(err, "mlock: %s", strerror(errno));
			break;
		}
		if (pread(fd, ent, sizeof(ent), (off_t)((uintptr_t)c / (uintptr_t)pagesz * 8)) !=
		    (ssize_t)sizeof(ent)) {
			lab_error_set(err, "read /proc/self/pagemap: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < CHUNK_PAGES; i++) {
			uint64_t pfn = ent[i] & PAGEMAP_PFN_MASK;
			uint64_t pa = pfn * (uint64_t)pagesz;

			if (!(ent[i] & PAGEMAP_PRESENT))
				continue;
			if (pfn == 0) {
				lab_error_set(err, "/proc/self/pagemap hides PFNs (needs CAP_SYS_ADMIN)");
				goto done;
			}
			if (pa < lowest)
				lowest = pa;
			if (pa <= dma_mask && size - 1 <= dma_mask - pa) {
				found = c + (size_t)i * (size_t)pagesz;
				*phys = pa;
				break;
			}
		}
	}
done:
	close(fd);
	if (!found && !err->set)
		lab_error_set(err, "no buffer page within edu's DMA mask 0x%" PRIx64 " in %d pages (lowest "
			      "physical address 0x%" PRIx64 "): not programmed; give QEMU's edu a wider "
			      "dma_mask and pass it as 'dma_mask'", dma_mask,
			      nchunks * CHUNK_PAGES, lowest);
	for (int k = 0; k < nchunks; k++) {
		uint8_t *c = chunks[k];

		if (found && found >= c && found < c + chunk_len) {
			/* keep the one page, give back the rest of its chunk */
			if (found > c)
				munmap(c, (size_t)(found - c));
			if (found + pagesz < c + chunk_len)
				munmap(found + pagesz, (size_t)(c + chunk_len - (found + pagesz)));
			continue;
		}
		munmap(c, chunk_len);
	}
	return found;
}

void raw_free_page(uint8_t *page, long pagesz)
{
	munlock(page, (size_t)pagesz);
	munmap(page, (size_t)pagesz);
}
