/* SPDX-License-Identifier: MIT */
#ifndef AGENT_RAW_H
#define AGENT_RAW_H

/*
 * A PCI device with no driver at all, as the DMA probe's raw mode drives
 * it: unbound, bus master on through its sysfs config file, BAR0 through
 * resource0, and a locked buffer page whose physical address
 * (/proc/self/pagemap) the device is given. Nothing maps that page for
 * the device: a translated default domain must stop the DMA, an identity
 * one lets it land.
 */
#include <stdint.h>

#include "error.h"

struct raw {
	long pagesz;
	int cfg, res;           /* the config and resource0 files, -1 when closed */
	int cmd_saved;          /* -1: command register not changed */
	void *bar;              /* BAR0's first page, NULL when not mapped */
};

#define RAW_INIT { .cfg = -1, .res = -1, .cmd_saved = -1 }

/* Unbind dev from driver ("" for none: nothing to do). 0, or -1 with err. */
int raw_unbind(const char *dev, const char *driver, struct lab_error *err);
/* Bus master and memory decoding on, BAR0's first page mapped. 0, or -1
 * with err set (and what was opened left for raw_close). */
int raw_open(struct raw *r, const char *dev, long pagesz, struct lab_error *err);
/* Restore the command register (bus master off again), unmap, close. */
void raw_close(struct raw *r, struct lab_error *err);
/* A locked page, every byte fill (present, not the zero page), whose
 * physical address *phys keeps [phys, phys + size) within dma_mask; NULL
 * with err set when none turns up in the first 16 MiB searched. */
uint8_t *raw_alloc_low_page(long pagesz, uint64_t dma_mask, uint32_t size, uint8_t fill,
			    uint64_t *phys, struct lab_error *err);
void raw_free_page(uint8_t *page, long pagesz);

#endif
