/* SPDX-License-Identifier: MIT */
/*
 * The agent's DMA engine: QEMU's edu device (hw/misc/edu.c) DMAs between
 * its 4 KiB buffer at 0x40000 and RAM, one transfer at a time, ~100 ms of
 * virtual time after the command. Registers (BAR0, 4 or 8 byte accesses):
 * 0x00 identification (0x010000ed), 0x80 source, 0x88 destination,
 * 0x90 count, 0x98 command (bit0 run, bit1 edu->RAM, bit2 irq). Writes to
 * 0x80..0x98 are ignored while a transfer runs; the RAM side address is
 * ANDed with edu's dma_mask; a range outside the buffer aborts QEMU 7.2,
 * and so does a range ending exactly at the buffer's end (its check is off
 * by one: a 4096-byte transfer from 0x40000 aborts 7.2.22, seen here).
 * So: never program a size outside 1..4095 or an address beyond the mask,
 * and never program while the run bit is set.
 */
#include "dma.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "clock.h"
#include "hex.h"
#include "kmsg.h"
#include "sysfs.h"

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_REG_ID 0x00
#define EDU_REG_SRC 0x80
#define EDU_REG_DST 0x88
#define EDU_REG_CNT 0x90
#define EDU_REG_CMD 0x98
#define EDU_CMD_RUN 0x1
#define EDU_CMD_TO_RAM 0x2
#define EDU_CMD_IRQ 0x4         /* raise an interrupt on completion */
#define EDU_REG_IRQ_STATUS 0x24
#define EDU_REG_IRQ_ACK 0x64
#define IRQ_TIMEOUT_MS 1000

#define DMA_TIMEOUT_MS 2000
#define CANARY 0xa5             /* patterns are 1..127: never the canary */
#define RAW_CHUNK_PAGES 64
#define RAW_MAX_CHUNKS 64       /* search at most 16 MiB for a low page */
#define PAGEMAP_PFN_MASK ((1ull << 55) - 1)
#define PAGEMAP_PRESENT (1ull << 63)

/* ---- request validation ------------------------------------------------ */

static const char *const known_keys[] = {
	"device", "mode", "direction", "iova", "size", "map", "unmap_first", "dma_mask",
	"peer", "irq",
};


/* "0x" and 1..16 hex digits, nothing else (no sign, no blanks). */
static int parse_hex(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t n;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -1;
	s += 2;
	n = strlen(s);
	if (n == 0 || n > 16)
		return -1;
	for (; *s; s++) {
		int d = lab_hex_digit(*s);

		if (d < 0)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

/* ssss:bb:dd.f, hex, device <= 0x1f, function 0..7; folded to lower case
 * because that is how sysfs spells it. */
static int parse_device(const char *s, char out[16])
{
	static const char shape[] = "hhhh:hh:hh.f";

	if (strlen(s) != sizeof(shape) - 1)
		return -1;
	for (size_t i = 0; i < sizeof(shape) - 1; i++) {
		char c = s[i];

		switch (shape[i]) {
		case 'h':
			if (lab_hex_digit(c) < 0)
				return -1;
			out[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
			break;
		case 'f':
			if (c < '0' || c > '7')
				return -1;
			out[i] = c;
			break;
		default:
			if (c != shape[i])
				return -1;
			out[i] = c;
		}
	}
	out[sizeof(shape) - 1] = '\0';
	if (lab_hex_digit(out[8]) * 16 + lab_hex_digit(out[9]) > 0x1f)
		return -1;
	return 0;
}

/* The string of a JSON string, or NULL for any other type and for strings
 * with a NUL inside (C would see only the part before it). */
static const char *str_of(json_object *v)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return NULL;
	return s;
}

static int get_bool(json_object *args, const char *key, int dflt, int *out,
		    const char *type_err, const char **err)
{
	json_object *v;

	if (!json_object_object_get_ex(args, key, &v)) {
		*out = dflt;
		return 0;
	}
	if (!json_object_is_type(v, json_type_boolean)) {
		*err = type_err;
		return -1;
	}
	*out = json_object_get_boolean(v) ? 1 : 0;
	return 0;
}

int dma_request_parse(json_object *args, struct dma_request *req, const char **err)
{
	json_object *v;
	const char *s;
	int64_t size;

	memset(req, 0, sizeof(*req));
	if (!args || !json_object_is_type(args, json_type_object)) {
		*err = "dma: arguments must be an object";
		return -1;
	}
	json_object_object_foreach(args, key, val) {
		size_t i;

		(void)val;
		for (i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
			if (!strcmp(key, known_keys[i]))
				break;
		if (i == sizeof(known_keys) / sizeof(known_keys[0])) {
			*err = "dma: unknown argument (known: device, mode, direction, iova, size, map, unmap_first, dma_mask, peer, irq)";
			return -1;
		}
	}

	if (!json_object_object_get_ex(args, "device", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		*err = "dma: 'device' is required: a string ssss:bb:dd.f";
		return -1;
	}
	s = str_of(v);
	if (!s || parse_device(s, req->device) < 0) {
		*err = "dma: 'device' must be ssss:bb:dd.f (hex, device <= 1f, function 0-7)";
		return -1;
	}

	if (!json_object_object_get_ex(args, "mode", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		*err = "dma: 'mode' is required: \"vfio\" or \"raw\"";
		return -1;
	}
	s = str_of(v);
	if (s && !strcmp(s, "vfio")) {
		req->mode = DMA_VFIO;
	} else if (s && !strcmp(s, "raw")) {
		req->mode = DMA_RAW;
	} else {
		*err = "dma: unknown 'mode': use \"vfio\" or \"raw\"";
		return -1;
	}

	if (!json_object_object_get_ex(args, "direction", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		*err = "dma: 'direction' is required: \"read\" (device reads RAM) or \"write\" (device writes RAM)";
		return -1;
	}
	s = str_of(v);
	if (s && !strcmp(s, "read")) {
		req->direction = DMA_TO_DEVICE;
	} else if (s && !strcmp(s, "write")) {
		req->direction = DMA_FROM_DEVICE;
	} else {
		*err = "dma: unknown 'direction': use \"read\" (device reads RAM) or \"write\" (device writes RAM)";
		return -1;
	}

	if (!json_object_object_get_ex(args, "size", &v)) {
		*err = "dma: 'size' is required: bytes, 1..4095";
		return -1;
	}
	if (!json_object_is_type(v, json_type_int)) {
		*err = "dma: 'size' must be an integer (bytes, 1..4095)";
		return -1;
	}
	/* json-c saturates: anything beyond int64 reads as INT64_MAX/MIN */
	size = json_object_get_int64(v);
	if (size <= 0) {
		*err = "dma: 'size' must be at least 1 byte";
		return -1;
	}
	if (size > (int64_t)DMA_MAX_SIZE) {
		*err = "dma: 'size' over 4095: edu's buffer is 0x40000..0x40fff and QEMU 7.2 aborts on a transfer reaching its last byte";
		return -1;
	}
	req->size = (uint32_t)size;

	req->dma_mask = DMA_EDU_DEFAULT_MASK;
	if (json_object_object_get_ex(args, "dma_mask", &v)) {
		uint64_t m;

		if (!str_of(v) || parse_hex(str_of(v), &m) < 0) {
			*err = "dma: 'dma_mask' must be a hex string \"0x...\" (at most 16 digits)";
			return -1;
		}
		/* 2^n - 1: m + 1 is a power of two (or m is all ones) */
		if ((m & (m + 1)) != 0 || m < 0xfff) {
			*err = "dma: 'dma_mask' must be 2^n - 1 with n in 12..64";
			return -1;
		}
		req->dma_mask = m;
	}

	if (req->mode == DMA_RAW) {
		int map, unmap_first;

		if (json_object_object_get_ex(args, "iova", &v)) {
			*err = "dma: raw mode takes no 'iova': it DMAs to a buffer's physical address";
			return -1;
		}
		if (get_bool(args, "map", 0, &map, "dma: 'map' must be a boolean", err) < 0 ||
		    get_bool(args, "unmap_first", 0, &unmap_first,
			     "dma: 'unmap_first' must be a boolean", err) < 0)
			return -1;
		if (map || unmap_first) {
			*err = "dma: 'map' and 'unmap_first' apply to vfio mode only";
			return -1;
		}
		if (json_object_object_get_ex(args, "peer", NULL) ||
		    json_object_object_get_ex(args, "irq", NULL)) {
			*err = "dma: 'peer' and 'irq' apply to vfio mode only";
			return -1;
		}
		return 0;
	}

	if (get_bool(args, "map", 1, &req->map, "dma: 'map' must be a boolean", err) < 0 ||
	    get_bool(args, "unmap_first", 0, &req->unmap_first,
		     "dma: 'unmap_first' must be a boolean", err) < 0)
		return -1;
	if (req->unmap_first && !req->map) {
		*err = "dma: 'unmap_first' needs 'map': true (there is nothing to unmap)";
		return -1;
	}
	if (get_bool(args, "irq", 0, &req->irq, "dma: 'irq' must be a boolean", err) < 0)
		return -1;
	if (req->irq && !req->map) {
		*err = "dma: 'irq' needs 'map': true (the interrupts are those of the round trip)";
		return -1;
	}
	if (json_object_object_get_ex(args, "peer", &v)) {
		s = str_of(v);
		if (!json_object_is_type(v, json_type_string) || !s ||
		    parse_device(s, req->peer) < 0) {
			*err = "dma: 'peer' must be ssss:bb:dd.f (hex, device <= 1f, function 0-7)";
			return -1;
		}
		if (!strcmp(req->peer, req->device)) {
			*err = "dma: 'peer' must be another device than 'device'";
			return -1;
		}
		if (!req->map || req->unmap_first) {
			*err = "dma: 'peer' needs 'map': true and no 'unmap_first' (the peer DMAs to the IOVA mapped for 'device')";
			return -1;
		}
	}
	if (!json_object_object_get_ex(args, "iova", &v)) {
		*err = "dma: 'iova' is required in vfio mode: a hex string \"0x...\"";
		return -1;
	}
	if (!str_of(v) || parse_hex(str_of(v), &req->iova) < 0) {
		*err = "dma: 'iova' must be a hex string \"0x...\" (at most 16 digits)";
		return -1;
	}
	if (req->iova % DMA_IOVA_ALIGN) {
		*err = "dma: 'iova' must be 4 KiB aligned in vfio mode";
		return -1;
	}
	if (req->iova > req->dma_mask || req->size - 1 > req->dma_mask - req->iova) {
		*err = "dma: 'iova' + 'size' goes beyond edu's DMA mask (edu would truncate the address; pass 'dma_mask' when QEMU sets edu's dma_mask)";
		return -1;
	}
	return 0;
}

/* ---- the probe's state and result -------------------------------------- */

struct probe {
	const struct dma_request *req;
	long pagesz;
	volatile uint8_t *bar;          /* edu BAR0, first page */
	json_object *steps;
	char error[320];
	int dma_started;
	int timed_out;
	/* -1: null in the result */
	int mapped, round_trip, landed, canary_intact, blocked;
	int64_t kmsg_seq;
	uint64_t addr;                  /* vfio: iova; raw: physical address */
	int have_addr;
	char driver[64];                /* bound before the probe, "" if none */
	char group[SYSFS_GROUP_LEN];
	char group_type[SYSFS_GROUP_LEN];
	char iommu_type[16];
	int rebound;
	int unmapped;
	/* peer (isolation): the second device's group */
	char peer_group[SYSFS_GROUP_LEN];
	char peer_group_type[SYSFS_GROUP_LEN];
	/* irq: the eventfd VFIO signals edu's MSI on, -1 when not asked */
	int irq_fd;
	int irq_sent, irq_got;
	int64_t irq_worst_ms;
	char irq_chip[64];              /* read while the vector exists */
	long irq_count;
};

static void fail(struct probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct probe *p, const char *fmt, ...)
{
	va_list ap;

	if (p->error[0])        /* the first failure is the one to report */
		return;
	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
}

static json_object *hex_new(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

static json_object *tri_new(int v)
{
	return v < 0 ? NULL : json_object_new_boolean(v);
}

static json_object *str_or_null(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

/* ---- sysfs ------------------------------------------------------------- */

/* The device exists and is an edu: never program anything else. */
static int check_edu(struct probe *p, const char *dev)
{
	char path[PATH_MAX], buf[32];
	unsigned long vendor, device;
	int rc;

	sysfs_pci_path(path, sizeof(path), dev, "vendor");
	rc = sysfs_read(path, buf, sizeof(buf));
	if (rc == -ENOENT) {
		fail(p, "no PCI device %s", dev);
		return -1;
	}
	if (rc < 0) {
		fail(p, "%s: %s", path, strerror(-rc));
		return -1;
	}
	vendor = strtoul(buf, NULL, 16);
	sysfs_pci_path(path, sizeof(path), dev, "device");
	rc = sysfs_read(path, buf, sizeof(buf));
	if (rc < 0) {
		fail(p, "%s: %s", path, strerror(-rc));
		return -1;
	}
	device = strtoul(buf, NULL, 16);
	if (vendor != EDU_VENDOR || device != EDU_DEVICE) {
		fail(p, "%s is %04lx:%04lx, not QEMU's edu (1234:11e8)",
		     dev, vendor, device);
		return -1;
	}
	return 0;
}

/* ---- edu --------------------------------------------------------------- */

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

static int check_edu_id(struct probe *p)
{
	uint32_t id = rd32(p->bar, EDU_REG_ID);

	if ((id & 0xff) != 0xed) {
		fail(p, "BAR0 identification register reads 0x%08x, not edu's 0x..ed", id);
		return -1;
	}
	return 0;
}

static int edu_wait_idle(struct probe *p, int timeout_ms)
{
	int64_t t0 = clock_ms();

	for (;;) {
		if (!(rd64(p->bar, EDU_REG_CMD) & EDU_CMD_RUN))
			return 0;
		if (clock_ms() - t0 >= timeout_ms)
			return -1;
		clock_sleep_ms(1);
	}
}

/* edu raised its completion interrupt (status bit 0x100) as an MSI, which
 * VFIO turns into an eventfd count: wait for it, then clear edu's status
 * the way its driver would (hw/misc/edu.c: edu_raise_irq, 0x64 acks). */
static void wait_irq(struct probe *p)
{
	struct pollfd pfd = { .fd = p->irq_fd, .events = POLLIN };
	int64_t t0 = clock_ms();
	uint64_t n;
	int rc;

	p->irq_sent++;
	do
		rc = poll(&pfd, 1, IRQ_TIMEOUT_MS);
	while (rc < 0 && errno == EINTR);
	if (rc > 0 && read(p->irq_fd, &n, sizeof(n)) == sizeof(n)) {
		p->irq_got += (int)n;
		if (clock_ms() - t0 > p->irq_worst_ms)
			p->irq_worst_ms = clock_ms() - t0;
	}
	wr32(p->bar, EDU_REG_IRQ_ACK, rd32(p->bar, EDU_REG_IRQ_STATUS));
}

/* One transfer, bounded. to_ram: edu -> RAM (src is edu's buffer), else
 * RAM -> edu (dst is edu's buffer). The edu side is always 0x40000 and
 * cnt <= 4095 (validated), so the range stays inside edu's buffer. */
static int edu_dma(struct probe *p, const char *phase, int to_ram, uint64_t ram, uint32_t cnt)
{
	uint64_t src = to_ram ? DMA_EDU_BUF_ADDR : ram;
	uint64_t dst = to_ram ? ram : DMA_EDU_BUF_ADDR;
	json_object *step;
	int64_t t0 = clock_ms();
	int done;

	if (cnt == 0 || cnt > DMA_MAX_SIZE || ram > p->req->dma_mask ||
	    cnt - 1 > p->req->dma_mask - ram) {
		fail(p, "internal: refusing to program 0x%" PRIx64 "+%u", ram, cnt);
		return -1;
	}
	if (edu_wait_idle(p, DMA_TIMEOUT_MS) < 0) {
		fail(p, "edu is busy: a DMA started before this probe never completed");
		p->timed_out = 1;
		return -1;
	}
	__sync_synchronize();   /* the buffer's contents before the device looks */
	wr64(p->bar, EDU_REG_SRC, src);
	wr64(p->bar, EDU_REG_DST, dst);
	wr64(p->bar, EDU_REG_CNT, cnt);
	if (rd64(p->bar, EDU_REG_SRC) != src || rd64(p->bar, EDU_REG_DST) != dst ||
	    rd64(p->bar, EDU_REG_CNT) != cnt) {
		fail(p, "edu did not take the DMA registers");
		return -1;
	}
	__sync_synchronize();
	wr64(p->bar, EDU_REG_CMD, EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0) |
	     (p->irq_fd >= 0 ? EDU_CMD_IRQ : 0));
	p->dma_started++;
	done = edu_wait_idle(p, DMA_TIMEOUT_MS) == 0;
	__sync_synchronize();   /* the device's writes before we look */
	if (done && p->irq_fd >= 0)
		wait_irq(p);

	step = json_object_new_object();
	json_object_object_add(step, "phase", json_object_new_string(phase));
	json_object_object_add(step, "op", json_object_new_string(to_ram ? "edu->ram" : "ram->edu"));
	json_object_object_add(step, "src", hex_new(src));
	json_object_object_add(step, "dst", hex_new(dst));
	json_object_object_add(step, "count", json_object_new_int((int)cnt));
	json_object_object_add(step, "completed", json_object_new_boolean(done));
	json_object_object_add(step, "ms", json_object_new_int64(clock_ms() - t0));
	json_object_array_add(p->steps, step);
	if (!done) {
		p->timed_out = 1;
		fail(p, "%s: edu did not complete the DMA within %d ms", phase, DMA_TIMEOUT_MS);
		return -1;
	}
	return 0;
}

/* Bytes 1..127 from a seed: never 0, never 0xff, never the canary, and
 * different for every seed so stale data in edu's buffer cannot pass. */
static void fill_pattern(uint8_t *b, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(1 + ((uint32_t)i * 13u + (uint32_t)(i >> 7) + seed) % 127u);
}

static int is_pattern(const uint8_t *b, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != (uint8_t)(1 + ((uint32_t)i * 13u + (uint32_t)(i >> 7) + seed) % 127u))
			return 0;
	return 1;
}

static int is_canary(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != CANARY)
			return 0;
	return 1;
}

/* Consecutive seeds differ by one, so their patterns differ (mod 127) from
 * those of the last 126 calls: stale data left in edu's buffer by an
 * earlier transfer cannot pass for this one. */
static uint32_t new_seed(void)
{
	static uint32_t next;

	if (!next) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		next = (uint32_t)ts.tv_nsec | 1;
	}
	return next++;
}

/* ---- vfio -------------------------------------------------------------- */

struct vfio {
	const char *dev;
	char group_name[SYSFS_GROUP_LEN], group_type[SYSFS_GROUP_LEN];
	int irq_fd;                     /* MSI eventfd, -1 when none */
	int container, group, device;
	uint64_t cfg_off;
	int cmd_saved;                  /* -1: not changed */
	void *bar_map;
	size_t bar_len;
	uint8_t *buf_map;               /* what mmap returned */
	size_t buf_map_len;
	uint8_t *buf;                   /* aligned to map_len */
	uint64_t map_len;
	int mapped;
};

/* driver: what dev is bound to now ("" for none). rebound: set when this
 * call bound it. */
static int bind_vfio(struct probe *p, const char *dev, const char *driver, int *rebound)
{
	char path[PATH_MAX], now[64];
	int rc;

	if (!strcmp(driver, "vfio-pci"))
		return 0;
	sysfs_pci_path(path, sizeof(path), dev, "driver_override");
	rc = sysfs_write(path, "vfio-pci");
	if (rc < 0) {
		fail(p, "%s: %s", path, strerror(-rc));
		return -1;
	}
	if (driver[0]) {
		sysfs_pci_path(path, sizeof(path), dev, "driver/unbind");
		rc = sysfs_write(path, dev);
		if (rc < 0) {
			fail(p, "unbind %s from %s: %s", dev, driver, strerror(-rc));
			return -1;
		}
	}
	rc = sysfs_write("/sys/bus/pci/drivers_probe", dev);
	sysfs_pci_driver(dev, now, sizeof(now));
	if (strcmp(now, "vfio-pci")) {
		fail(p, "could not bind %s to vfio-pci (%s; is the vfio-pci module loaded?)",
		     dev, rc < 0 ? strerror(-rc) : now[0] ? now : "no driver");
		return -1;
	}
	*rebound = 1;
	return 0;
}

static int region_info(struct probe *p, struct vfio *v, unsigned index,
		       struct vfio_region_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->argsz = sizeof(*ri);
	ri->index = index;
	if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, ri) < 0) {
		fail(p, "VFIO_DEVICE_GET_REGION_INFO %u: %s", index, strerror(errno));
		return -1;
	}
	return 0;
}

static int vfio_open(struct probe *p, struct vfio *v, const char *dev)
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
		fail(p, "/dev/vfio/vfio: %s", strerror(errno));
		return -1;
	}
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		fail(p, "VFIO API version is not %d", VFIO_API_VERSION);
		return -1;
	}
	if (ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0) {
		type = VFIO_TYPE1v2_IOMMU;
		snprintf(p->iommu_type, sizeof(p->iommu_type), "type1v2");
	} else if (ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0) {
		type = VFIO_TYPE1_IOMMU;
		snprintf(p->iommu_type, sizeof(p->iommu_type), "type1");
	} else {
		fail(p, "VFIO container lacks the type1 IOMMU extension (vfio_iommu_type1 not loaded?)");
		return -1;
	}

	v->dev = dev;
	sysfs_pci_group(dev, v->group_name, v->group_type);
	if (!v->group_name[0]) {
		fail(p, "%s has no IOMMU group (no IOMMU translates it)", dev);
		return -1;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%s", v->group_name);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0) {
		fail(p, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &gs) < 0) {
		fail(p, "VFIO_GROUP_GET_STATUS: %s", strerror(errno));
		return -1;
	}
	if (!(gs.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		fail(p, "IOMMU group %s is not viable: another device in it is bound to a host driver",
		     v->group_name);
		return -1;
	}
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container) < 0) {
		fail(p, "VFIO_GROUP_SET_CONTAINER: %s", strerror(errno));
		return -1;
	}
	if (ioctl(v->container, VFIO_SET_IOMMU, type) < 0) {
		int e = errno;

		fail(p, "VFIO_SET_IOMMU %s: %s%s", p->iommu_type, strerror(e),
		     e == EPERM ? " (no interrupt remapping? vfio_iommu_type1.allow_unsafe_interrupts=1)" : "");
		return -1;
	}
	if (ioctl(v->container, VFIO_IOMMU_GET_INFO, &info) < 0) {
		fail(p, "VFIO_IOMMU_GET_INFO: %s", strerror(errno));
		return -1;
	}
	minpg = (info.flags & VFIO_IOMMU_INFO_PGSIZES) && info.iova_pgsizes ?
		info.iova_pgsizes & -info.iova_pgsizes : 4096;
	v->map_len = minpg > (uint64_t)p->pagesz ? minpg : (uint64_t)p->pagesz;
	if (p->req->iova % v->map_len) {
		fail(p, "iova 0x%" PRIx64 " is not aligned to the mapping granule 0x%" PRIx64,
		     p->req->iova, v->map_len);
		return -1;
	}

	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, dev);
	if (v->device < 0) {
		fail(p, "VFIO_GROUP_GET_DEVICE_FD %s: %s", dev, strerror(errno));
		return -1;
	}

	/* bus master (and memory decoding) on, through config space */
	if (region_info(p, v, VFIO_PCI_CONFIG_REGION_INDEX, &ri) < 0)
		return -1;
	v->cfg_off = ri.offset;
	if (pread(v->device, &cmd, sizeof(cmd), (off_t)(v->cfg_off + PCI_COMMAND)) != sizeof(cmd)) {
		fail(p, "read PCI command register: %s", strerror(errno));
		return -1;
	}
	v->cmd_saved = cmd;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(v->device, &cmd, sizeof(cmd), (off_t)(v->cfg_off + PCI_COMMAND)) != sizeof(cmd)) {
		fail(p, "enable bus master: %s", strerror(errno));
		return -1;
	}

	if (region_info(p, v, VFIO_PCI_BAR0_REGION_INDEX, &ri) < 0)
		return -1;
	if (!(ri.flags & VFIO_REGION_INFO_FLAG_MMAP) || ri.size < (uint64_t)p->pagesz) {
		fail(p, "BAR0 cannot be mmapped (flags 0x%x, size 0x%llx)", ri.flags,
		     (unsigned long long)ri.size);
		return -1;
	}
	v->bar_len = (size_t)p->pagesz;
	v->bar_map = mmap(NULL, v->bar_len, PROT_READ | PROT_WRITE, MAP_SHARED, v->device,
			  (off_t)ri.offset);
	if (v->bar_map == MAP_FAILED) {
		v->bar_map = NULL;
		fail(p, "mmap BAR0: %s", strerror(errno));
		return -1;
	}
	p->bar = v->bar_map;
	if (check_edu_id(p) < 0)
		return -1;

	/* the DMA buffer: anonymous, aligned to the mapping granule */
	v->buf_map_len = (size_t)v->map_len * 2;
	v->buf_map = mmap(NULL, v->buf_map_len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->buf_map == MAP_FAILED) {
		v->buf_map = NULL;
		fail(p, "mmap DMA buffer: %s", strerror(errno));
		return -1;
	}
	v->buf = (uint8_t *)(((uintptr_t)v->buf_map + v->map_len - 1) & ~(uintptr_t)(v->map_len - 1));
	memset(v->buf, CANARY, v->map_len);
	return 0;
}

static int vfio_map(struct probe *p, struct vfio *v)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)v->buf,
		.iova = p->req->iova,
		.size = v->map_len,
	};

	if (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &m) < 0) {
		fail(p, "VFIO_IOMMU_MAP_DMA iova 0x%" PRIx64 ": %s", p->req->iova, strerror(errno));
		return -1;
	}
	v->mapped = 1;
	return 0;
}

static int vfio_unmap(struct probe *p, struct vfio *v)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.iova = p->req->iova,
		.size = v->map_len,
	};

	if (!v->mapped)
		return 0;
	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &u) < 0) {
		fail(p, "VFIO_IOMMU_UNMAP_DMA: %s", strerror(errno));
		return -1;
	}
	if (u.size != v->map_len) {
		fail(p, "VFIO_IOMMU_UNMAP_DMA unmapped 0x%llx bytes, not 0x%" PRIx64,
		     (unsigned long long)u.size, v->map_len);
		return -1;
	}
	v->mapped = 0;
	return 0;
}

static void vfio_close(struct probe *p, struct vfio *v)
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
		p->irq_fd = -1;
	}
	vfio_unmap(p, v);
	if (v->device >= 0 && v->cmd_saved >= 0) {
		uint16_t cmd = (uint16_t)v->cmd_saved;

		/* bus master off again: a late transfer then goes nowhere */
		if (pwrite(v->device, &cmd, sizeof(cmd), (off_t)(v->cfg_off + PCI_COMMAND)) != sizeof(cmd))
			fail(p, "restore PCI command register: %s", strerror(errno));
	}
	if (v->bar_map)
		munmap(v->bar_map, v->bar_len);
	p->bar = NULL;
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

/* MSI through VFIO: one vector, signalled on an eventfd. edu has a
 * single-vector MSI capability (hw/misc/edu.c: msi_init(pdev, 0, 1, ...)). */
static int vfio_irq_setup(struct probe *p, struct vfio *v)
{
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = VFIO_PCI_MSI_IRQ_INDEX };
	struct {
		struct vfio_irq_set set;
		int32_t fd;
	} req;

	if (ioctl(v->device, VFIO_DEVICE_GET_IRQ_INFO, &ii) < 0) {
		fail(p, "VFIO_DEVICE_GET_IRQ_INFO MSI: %s", strerror(errno));
		return -1;
	}
	if (ii.count < 1 || !(ii.flags & VFIO_IRQ_INFO_EVENTFD)) {
		fail(p, "%s offers no MSI through VFIO (count %u, flags 0x%x)", v->dev, ii.count,
		     ii.flags);
		return -1;
	}
	v->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->irq_fd < 0) {
		fail(p, "eventfd: %s", strerror(errno));
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
		fail(p, "VFIO_DEVICE_SET_IRQS MSI: %s", strerror(errno));
		return -1;
	}
	p->irq_fd = v->irq_fd;
	return 0;
}

/*
 * The interrupt chip /proc/interrupts names for the device's VFIO MSI:
 * x86 prints "IR-PCI-MSI" when the vector goes through the IOMMU's
 * interrupt remapping table and "PCI-MSI" when not (6.12 appends the
 * device: "IR-PCI-MSI-0000:00:10.0"); arm64 prints the ITS's. Also the
 * interrupt's count summed over the CPUs.
 */
static void read_irq_chip(const char *dev, char *chip, size_t len, long *count)
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

/*
 * map=true:  round trip: pattern -> edu -> canary-filled buffer, compare
 *            (irq: each transfer raises edu's MSI; count what arrives).
 *   unmap_first: unmap, then the probe in `direction`:
 *     write: canary in the buffer, edu -> RAM: did the canary survive?
 *     read:  a new pattern in the buffer, RAM -> edu; then map again and
 *            copy edu's buffer back: did the new pattern reach edu?
 *   peer:    the second edu, in its own group and container with nothing
 *            mapped, DMAs at the IOVA mapped for the first one:
 *     write: onto the first device's canary: did it survive?
 *     read:  from the first device's pattern; then map a buffer of its own
 *            at that IOVA and let it copy edu's buffer back there.
 * map=false: one DMA in `direction` at an IOVA nothing is mapped at.
 */
static void probe_peer(struct probe *p, struct vfio *a, struct vfio *b);

static void probe_vfio(struct probe *p)
{
	const struct dma_request *r = p->req;
	struct vfio v = { .container = -1, .group = -1, .device = -1, .cmd_saved = -1,
			  .irq_fd = -1 };
	struct vfio peer = { .container = -1, .group = -1, .device = -1, .cmd_saved = -1,
			     .irq_fd = -1 };
	uint32_t n = r->size;
	int to_ram = r->direction == DMA_FROM_DEVICE;

	p->addr = r->iova;
	p->have_addr = 1;
	if (bind_vfio(p, r->device, p->driver, &p->rebound) < 0 || vfio_open(p, &v, r->device) < 0)
		goto out;
	memcpy(p->group, v.group_name, sizeof(p->group));
	memcpy(p->group_type, v.group_type, sizeof(p->group_type));

	if (!r->map) {
		p->mapped = 0;
		edu_dma(p, "probe", to_ram, r->iova, n);
		goto out;
	}

	if (vfio_map(p, &v) < 0) {
		p->mapped = 0;
		goto out;
	}
	p->mapped = 1;
	if (r->irq && vfio_irq_setup(p, &v) < 0)
		goto out;
	{
		uint32_t seed = new_seed();

		fill_pattern(v.buf, n, seed);
		if (edu_dma(p, "round-trip", 0, r->iova, n) < 0)
			goto out;
		memset(v.buf, CANARY, n);
		if (edu_dma(p, "round-trip", 1, r->iova, n) < 0)
			goto out;
		p->round_trip = is_pattern(v.buf, n, seed);
		p->landed = !is_canary(v.buf, n);
		p->canary_intact = !p->landed;
	}
	if (r->irq)
		read_irq_chip(r->device, p->irq_chip, sizeof(p->irq_chip), &p->irq_count);
	p->irq_fd = -1;         /* only the round trip's transfers raise it */
	if (r->peer[0]) {
		probe_peer(p, &v, &peer);
		goto out;
	}
	if (!r->unmap_first)
		goto out;

	if (vfio_unmap(p, &v) < 0)
		goto out;
	p->unmapped = 1;
	p->landed = p->canary_intact = -1;
	if (to_ram) {
		memset(v.buf, CANARY, n);
		if (edu_dma(p, "probe", 1, r->iova, n) < 0)
			goto out;
		p->canary_intact = is_canary(v.buf, n);
		p->landed = !p->canary_intact;
		p->blocked = p->canary_intact;
	} else {
		uint32_t seed = new_seed();

		fill_pattern(v.buf, n, seed);
		if (edu_dma(p, "probe", 0, r->iova, n) < 0)
			goto out;
		/* what did edu get? map again and let it write back */
		if (vfio_map(p, &v) < 0)
			goto out;
		memset(v.buf, CANARY, n);
		if (edu_dma(p, "verify", 1, r->iova, n) < 0)
			goto out;
		p->landed = is_pattern(v.buf, n, seed);
		p->blocked = !p->landed;
	}
out:
	vfio_close(p, &peer);
	vfio_close(p, &v);
}

/* Device B (the peer) against the IOVA mapped for device A only. B gets
 * its own container: a group in A's container would share A's mappings,
 * and two devices in one group cannot be isolated from each other at all. */
static void probe_peer(struct probe *p, struct vfio *a, struct vfio *b)
{
	const struct dma_request *r = p->req;
	volatile uint8_t *bar_a = p->bar;
	char driver[64];
	int rebound = 0;
	uint32_t n = r->size;

	p->landed = p->canary_intact = -1;
	sysfs_pci_driver(r->peer, driver, sizeof(driver));
	if (bind_vfio(p, r->peer, driver, &rebound) < 0)
		return;
	sysfs_pci_group(r->peer, p->peer_group, p->peer_group_type);
	if (p->peer_group[0] && !strcmp(p->peer_group, a->group_name)) {
		fail(p, "%s and %s share IOMMU group %s: the IOMMU cannot isolate them from each other",
		     r->device, r->peer, p->peer_group);
		return;
	}
	if (vfio_open(p, b, r->peer) < 0) {
		p->bar = bar_a;
		return;
	}
	/* p->bar is B's BAR from here on */
	if (r->direction == DMA_FROM_DEVICE) {
		memset(a->buf, CANARY, n);
		if (edu_dma(p, "peer", 1, r->iova, n) < 0)
			return;
		p->canary_intact = is_canary(a->buf, n);
		p->landed = !p->canary_intact;
		p->blocked = p->canary_intact;
	} else {
		uint32_t seed = new_seed();

		fill_pattern(a->buf, n, seed);
		if (edu_dma(p, "peer", 0, r->iova, n) < 0)
			return;
		/* what did B get? B maps a buffer of its own there, copies back */
		if (vfio_map(p, b) < 0)
			return;
		memset(b->buf, CANARY, n);
		if (edu_dma(p, "verify", 1, r->iova, n) < 0)
			return;
		p->landed = is_pattern(b->buf, n, seed);
		p->blocked = !p->landed;
	}
}

/* ---- raw --------------------------------------------------------------- */

/* A locked page whose physical address keeps [phys, phys + size) within
 * edu's DMA mask. Allocates chunks until one holds such a page (the chunks
 * already searched stay allocated meanwhile so the next ones are other
 * pages), then keeps only that page. */
static uint8_t *alloc_low_page(struct probe *p, uint64_t *phys)
{
	size_t chunk_len = (size_t)p->pagesz * RAW_CHUNK_PAGES;
	uint8_t *chunks[RAW_MAX_CHUNKS];
	uint8_t *found = NULL;
	uint64_t lowest = UINT64_MAX;
	int nchunks = 0, fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail(p, "/proc/self/pagemap: %s", strerror(errno));
		return NULL;
	}
	while (!found && nchunks < RAW_MAX_CHUNKS) {
		uint64_t ent[RAW_CHUNK_PAGES];
		uint8_t *c = mmap(NULL, chunk_len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		if (c == MAP_FAILED) {
			fail(p, "mmap: %s", strerror(errno));
			break;
		}
		chunks[nchunks++] = c;
		memset(c, CANARY, chunk_len);   /* present, and not the zero page */
		if (mlock(c, chunk_len) < 0) {
			fail(p, "mlock: %s", strerror(errno));
			break;
		}
		if (pread(fd, ent, sizeof(ent), (off_t)((uintptr_t)c / (uintptr_t)p->pagesz * 8)) !=
		    (ssize_t)sizeof(ent)) {
			fail(p, "read /proc/self/pagemap: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < RAW_CHUNK_PAGES; i++) {
			uint64_t pfn = ent[i] & PAGEMAP_PFN_MASK;
			uint64_t pa = pfn * (uint64_t)p->pagesz;

			if (!(ent[i] & PAGEMAP_PRESENT))
				continue;
			if (pfn == 0) {
				fail(p, "/proc/self/pagemap hides PFNs (needs CAP_SYS_ADMIN)");
				goto done;
			}
			if (pa < lowest)
				lowest = pa;
			if (pa <= p->req->dma_mask && p->req->size - 1 <= p->req->dma_mask - pa) {
				found = c + (size_t)i * (size_t)p->pagesz;
				*phys = pa;
				break;
			}
		}
	}
done:
	close(fd);
	if (!found && !p->error[0])
		fail(p, "no buffer page within edu's DMA mask 0x%" PRIx64 " in %d pages (lowest "
		     "physical address 0x%" PRIx64 "): not programmed; give QEMU's edu a wider "
		     "dma_mask and pass it as 'dma_mask'", p->req->dma_mask,
		     nchunks * RAW_CHUNK_PAGES, lowest);
	for (int k = 0; k < nchunks; k++) {
		uint8_t *c = chunks[k];

		if (found && found >= c && found < c + chunk_len) {
			/* keep the one page, give back the rest of its chunk */
			if (found > c)
				munmap(c, (size_t)(found - c));
			if (found + p->pagesz < c + chunk_len)
				munmap(found + p->pagesz, (size_t)(c + chunk_len - (found + p->pagesz)));
			continue;
		}
		munmap(c, chunk_len);
	}
	return found;
}

/* No driver: BAR0 through resource0, bus master through config, the DMA
 * to a buffer's physical address. Translated default domain: nothing is
 * mapped for the device, the DMA must fault. Identity: it lands. */
static void probe_raw(struct probe *p)
{
	const struct dma_request *r = p->req;
	char path[PATH_MAX];
	int cfg = -1, res = -1, cmd_saved = -1;
	void *bar = MAP_FAILED;
	uint8_t *buf = NULL;
	uint64_t phys = 0;
	uint16_t cmd;
	uint32_t n = r->size;
	int rc;

	if (p->driver[0]) {
		char now[64];

		sysfs_pci_path(path, sizeof(path), r->device, "driver/unbind");
		rc = sysfs_write(path, r->device);
		sysfs_pci_driver(r->device, now, sizeof(now));
		if (now[0]) {
			fail(p, "unbind %s from %s: %s", r->device, now,
			     rc < 0 ? strerror(-rc) : "still bound");
			goto out;
		}
	}
	sysfs_pci_group(r->device, p->group, p->group_type);

	sysfs_pci_path(path, sizeof(path), r->device, "config");
	cfg = open(path, O_RDWR | O_CLOEXEC);
	if (cfg < 0) {
		fail(p, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (pread(cfg, &cmd, sizeof(cmd), PCI_COMMAND) != sizeof(cmd)) {
		fail(p, "read PCI command register: %s", strerror(errno));
		goto out;
	}
	cmd_saved = cmd;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(cfg, &cmd, sizeof(cmd), PCI_COMMAND) != sizeof(cmd)) {
		fail(p, "enable bus master: %s", strerror(errno));
		goto out;
	}

	sysfs_pci_path(path, sizeof(path), r->device, "resource0");
	res = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (res < 0) {
		fail(p, "%s: %s", path, strerror(errno));
		goto out;
	}
	bar = mmap(NULL, (size_t)p->pagesz, PROT_READ | PROT_WRITE, MAP_SHARED, res, 0);
	if (bar == MAP_FAILED) {
		fail(p, "mmap %s: %s", path, strerror(errno));
		goto out;
	}
	p->bar = bar;
	if (check_edu_id(p) < 0)
		goto out;

	buf = alloc_low_page(p, &phys);
	if (!buf)
		goto out;
	p->addr = phys;
	p->have_addr = 1;

	if (r->direction == DMA_FROM_DEVICE) {
		memset(buf, CANARY, (size_t)p->pagesz);
		if (edu_dma(p, "probe", 1, phys, n) < 0)
			goto out;
		p->canary_intact = is_canary(buf, n);
		p->landed = !p->canary_intact;
		p->blocked = p->canary_intact;
	} else {
		/* the device reads RAM; nothing to see from here without a
		 * second (write) DMA that would fault on its own */
		fill_pattern(buf, n, new_seed());
		edu_dma(p, "probe", 0, phys, n);
	}
out:
	if (cfg >= 0 && cmd_saved >= 0) {
		cmd = (uint16_t)cmd_saved;
		if (pwrite(cfg, &cmd, sizeof(cmd), PCI_COMMAND) != sizeof(cmd))
			fail(p, "restore PCI command register: %s", strerror(errno));
	}
	if (bar != MAP_FAILED)
		munmap(bar, (size_t)p->pagesz);
	p->bar = NULL;
	if (res >= 0)
		close(res);
	if (cfg >= 0)
		close(cfg);
	/* A transfer that never completed could still land on this page in an
	 * identity domain (bus master is off again, but be sure): keep it. */
	if (buf && !p->timed_out) {
		munlock(buf, (size_t)p->pagesz);
		munmap(buf, (size_t)p->pagesz);
	}
}

/* ---- entry ------------------------------------------------------------- */

static void add_irq_result(json_object *out, struct probe *p)
{
	const char *chip = p->irq_chip;
	long count = p->irq_count;

	json_object_object_add(out, "irq_sent", json_object_new_int(p->irq_sent));
	json_object_object_add(out, "irq_received", json_object_new_int(p->irq_got));
	json_object_object_add(out, "irq_delivered",
			       p->irq_sent ? json_object_new_boolean(p->irq_got == p->irq_sent) : NULL);
	json_object_object_add(out, "irq_worst_ms", json_object_new_int64(p->irq_worst_ms));
	json_object_object_add(out, "irq_chip", str_or_null(chip));
	json_object_object_add(out, "irq_count", count >= 0 ? json_object_new_int64(count) : NULL);
	/* x86 only: the chip says whether the vector is remapped */
	json_object_object_add(out, "irq_remapped",
			       !strncmp(chip, "IR-", 3) ? json_object_new_boolean(1) :
			       !strncmp(chip, "PCI-MSI", 7) ? json_object_new_boolean(0) : NULL);
}

json_object *dma_probe(json_object *args, const char **err)
{
	struct dma_request req;
	struct probe p = {
		.req = &req,
		.mapped = -1, .round_trip = -1, .landed = -1, .canary_intact = -1, .blocked = -1,
		.irq_fd = -1, .irq_count = -1,
	};
	int64_t t0 = clock_ms();
	json_object *out;

	if (dma_request_parse(args, &req, err) < 0)
		return NULL;
	p.pagesz = sysconf(_SC_PAGESIZE);
	if (p.pagesz < 4096)
		p.pagesz = 4096;
	p.steps = json_object_new_array();
	p.kmsg_seq = kmsg_next_seq();

	if (check_edu(&p, req.device) == 0 && (!req.peer[0] || check_edu(&p, req.peer) == 0)) {
		sysfs_pci_driver(req.device, p.driver, sizeof(p.driver));
		if (req.mode == DMA_VFIO)
			probe_vfio(&p);
		else
			probe_raw(&p);
	}

	out = json_object_new_object();
	json_object_object_add(out, "mode", json_object_new_string(req.mode == DMA_VFIO ? "vfio" : "raw"));
	json_object_object_add(out, "direction",
			       json_object_new_string(req.direction == DMA_TO_DEVICE ? "read" : "write"));
	json_object_object_add(out, "device", json_object_new_string(req.device));
	json_object_object_add(out, "iova", p.have_addr ? hex_new(p.addr) : NULL);
	if (req.mode == DMA_RAW)
		json_object_object_add(out, "phys", p.have_addr ? hex_new(p.addr) : NULL);
	json_object_object_add(out, "size", json_object_new_int((int)req.size));
	json_object_object_add(out, "dma_mask", hex_new(req.dma_mask));
	json_object_object_add(out, "mapped", tri_new(p.mapped));
	if (req.mode == DMA_VFIO && req.unmap_first)
		json_object_object_add(out, "unmapped", json_object_new_boolean(p.unmapped));
	json_object_object_add(out, "completed",
			       p.dma_started ? json_object_new_boolean(!p.timed_out) : NULL);
	json_object_object_add(out, "round_trip",
			       p.round_trip < 0 ? NULL :
			       json_object_new_string(p.round_trip ? "exact" : "mismatch"));
	json_object_object_add(out, "landed", tri_new(p.landed));
	json_object_object_add(out, "canary_intact", tri_new(p.canary_intact));
	json_object_object_add(out, "blocked", tri_new(p.blocked));
	json_object_object_add(out, "kmsg_seq_before",
			       p.kmsg_seq >= 0 ? json_object_new_int64(p.kmsg_seq) : NULL);
	json_object_object_add(out, "driver", str_or_null(p.driver));
	if (req.mode == DMA_VFIO) {
		json_object_object_add(out, "bound_vfio", json_object_new_boolean(p.rebound));
		json_object_object_add(out, "iommu_type", str_or_null(p.iommu_type));
	}
	if (req.peer[0]) {
		json_object_object_add(out, "peer", json_object_new_string(req.peer));
		json_object_object_add(out, "peer_group", str_or_null(p.peer_group));
		json_object_object_add(out, "peer_group_type", str_or_null(p.peer_group_type));
	}
	if (req.irq)
		add_irq_result(out, &p);
	json_object_object_add(out, "group", str_or_null(p.group));
	json_object_object_add(out, "group_type", str_or_null(p.group_type));
	json_object_object_add(out, "steps", p.steps);
	json_object_object_add(out, "error", str_or_null(p.error));
	json_object_object_add(out, "elapsed_ms", json_object_new_int64(clock_ms() - t0));
	return out;
}
