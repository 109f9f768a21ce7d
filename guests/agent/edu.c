/* SPDX-License-Identifier: MIT */
/*
 * QEMU's edu device (docs/specs/edu.rst, hw/misc/edu.c) DMAs between its
 * 4 KiB buffer at 0x40000 and RAM, one transfer at a time, ~100 ms of
 * virtual time after the command. Registers (BAR0, 4 or 8 byte accesses):
 * 0x00 identification (0x010000ed), 0x24 interrupt status, 0x64 interrupt
 * acknowledge, 0x80 source, 0x88 destination, 0x90 count, 0x98 command
 * (bit0 run, bit1 edu->RAM, bit2 irq). Writes to 0x80..0x98 are ignored
 * while a transfer runs; the RAM side address is ANDed with edu's
 * dma_mask; a range outside the buffer aborts QEMU 7.2, and so does a
 * range ending exactly at the buffer's end (its check is off by one: a
 * 4096-byte transfer from 0x40000 aborts 7.2.22, seen here). So: never
 * program a size outside 1..4095 or an address beyond the mask, and never
 * program while the run bit is set.
 */
#include "edu.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "dma.h"
#include "sysfs.h"

#define VENDOR 0x1234
#define DEVICE 0x11e8
#define REG_ID 0x00
#define REG_IRQ_STATUS 0x24
#define REG_IRQ_ACK 0x64
#define REG_SRC 0x80
#define REG_DST 0x88
#define REG_CNT 0x90
#define REG_CMD 0x98
#define CMD_RUN 0x1
#define CMD_TO_RAM 0x2
#define CMD_IRQ 0x4             /* raise an interrupt on completion */
#define IRQ_TIMEOUT_MS 1000

int edu_check_device(const char *dev, struct lab_error *err)
{
	char path[PATH_MAX], buf[32];
	unsigned long vendor, device;
	int rc;

	sysfs_pci_path(path, sizeof(path), dev, "vendor");
	rc = sysfs_read(path, buf, sizeof(buf));
	if (rc == -ENOENT) {
		lab_error_set(err, "no PCI device %s", dev);
		return -1;
	}
	if (rc < 0) {
		lab_error_set(err, "%s: %s", path, strerror(-rc));
		return -1;
	}
	vendor = strtoul(buf, NULL, 16);
	sysfs_pci_path(path, sizeof(path), dev, "device");
	rc = sysfs_read(path, buf, sizeof(buf));
	if (rc < 0) {
		lab_error_set(err, "%s: %s", path, strerror(-rc));
		return -1;
	}
	device = strtoul(buf, NULL, 16);
	if (vendor != VENDOR || device != DEVICE) {
		lab_error_set(err, "%s is %04lx:%04lx, not QEMU's edu (1234:11e8)",
			      dev, vendor, device);
		return -1;
	}
	return 0;
}

static uint64_t rd64(volatile uint8_t *bar, unsigned off)
{
	return *(volatile uint64_t *)(bar + off);
}

static uint32_t rd32(volatile uint8_t *bar, unsigned off)
{
	return *(volatile uint32_t *)(bar + off);
}

static void wr64(volatile uint8_t *bar, unsigned off, uint64_t v)
{
	*(volatile uint64_t *)(bar + off) = v;
}

/* edu takes only 4-byte accesses below 0x80 (and arm64 faults on an
 * unaligned 8-byte device access there: SIGBUS, seen here) */
static void wr32(volatile uint8_t *bar, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(bar + off) = v;
}

int edu_check_id(struct edu *e, struct lab_error *err)
{
	uint32_t id = rd32(e->bar, REG_ID);

	if ((id & 0xff) != 0xed) {
		lab_error_set(err, "BAR0 identification register reads 0x%08x, not edu's 0x..ed", id);
		return -1;
	}
	return 0;
}

static int wait_idle(struct edu *e, int timeout_ms)
{
	int64_t t0 = lab_clock_ms();

	for (;;) {
		if (!(rd64(e->bar, REG_CMD) & CMD_RUN))
			return 0;
		if (lab_clock_ms() - t0 >= timeout_ms)
			return -1;
		lab_clock_sleep_ms(1);
	}
}

/* edu raised its completion interrupt (status bit 0x100) as an MSI, which
 * VFIO turns into an eventfd count: wait for it, then clear edu's status
 * the way its driver would (hw/misc/edu.c: edu_raise_irq, 0x64 acks). */
static void wait_irq(struct edu *e)
{
	struct pollfd pfd = { .fd = e->irq_fd, .events = POLLIN };
	int64_t t0 = lab_clock_ms();
	uint64_t n;
	int rc;

	e->irq_sent++;
	do
		rc = poll(&pfd, 1, IRQ_TIMEOUT_MS);
	while (rc < 0 && errno == EINTR);
	if (rc > 0 && read(e->irq_fd, &n, sizeof(n)) == sizeof(n)) {
		e->irq_got += (int)n;
		if (lab_clock_ms() - t0 > e->irq_worst_ms)
			e->irq_worst_ms = lab_clock_ms() - t0;
	}
	wr32(e->bar, REG_IRQ_ACK, rd32(e->bar, REG_IRQ_STATUS));
}

/* The edu side is always 0x40000 and cnt <= 4095 (checked again here), so
 * the range stays inside edu's buffer. */
int edu_transfer(struct edu *e, int to_ram, uint64_t ram, uint32_t cnt,
		 struct edu_step *step, struct lab_error *err)
{
	uint64_t src = to_ram ? DMA_EDU_BUF_ADDR : ram;
	uint64_t dst = to_ram ? ram : DMA_EDU_BUF_ADDR;

	if (cnt == 0 || cnt > DMA_MAX_SIZE || ram > e->dma_mask ||
	    cnt - 1 > e->dma_mask - ram) {
		lab_error_set(err, "internal: refusing to program 0x%" PRIx64 "+%u", ram, cnt);
		return -1;
	}
	if (wait_idle(e, EDU_TIMEOUT_MS) < 0) {
		lab_error_set(err, "edu is busy: a DMA started before this probe never completed");
		e->timed_out = 1;
		return -1;
	}
	__sync_synchronize();   /* the buffer's contents before the device looks */
	wr64(e->bar, REG_SRC, src);
	wr64(e->bar, REG_DST, dst);
	wr64(e->bar, REG_CNT, cnt);
	if (rd64(e->bar, REG_SRC) != src || rd64(e->bar, REG_DST) != dst ||
	    rd64(e->bar, REG_CNT) != cnt) {
		lab_error_set(err, "edu did not take the DMA registers");
		return -1;
	}
	__sync_synchronize();
	wr64(e->bar, REG_CMD, CMD_RUN | (to_ram ? CMD_TO_RAM : 0) |
	     (e->irq_fd >= 0 ? CMD_IRQ : 0));
	e->started++;
	step->src = src;
	step->dst = dst;
	step->count = cnt;
	step->completed = wait_idle(e, EDU_TIMEOUT_MS) == 0;
	__sync_synchronize();   /* the device's writes before we look */
	if (step->completed && e->irq_fd >= 0)
		wait_irq(e);
	if (!step->completed)
		e->timed_out = 1;
	return 0;
}
