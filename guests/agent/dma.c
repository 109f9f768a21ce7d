/* SPDX-License-Identifier: MIT */
/*
 * The "dma" command (dma.h): the request, checked before anything touches
 * a device, and the probe's flow: which transfers run, in which order,
 * around which map, unmap or peer, and what their data says (patterns,
 * canaries) in the result. The device is edu.h's; the two ways to reach
 * it are vfio.h's and raw.h's.
 */
#include "dma.h"

#include <inttypes.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "edu.h"
#include "error.h"
#include "hex.h"
#include "kmsg.h"
#include "raw.h"
#include "sysfs.h"
#include "vfio.h"

#define CANARY 0xa5             /* patterns are 1..127: never the canary */

/* ---- request validation ------------------------------------------------ */

static const char *const known_keys[] = {
	"device", "mode", "direction", "iova", "size", "map", "unmap_first", "dma_mask",
	"map_access", "address", "vfio_claim",
	"peer", "irq",
};


/* "0x" and 1..16 hex digits, nothing else (no sign, no blanks). */
static int parse_hex(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v;
	int n;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -1;
	n = lab_hex_scan(s, &v, &end);
	if (n < 1 || n > 16 || *end)
		return -1;
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
			*err = "dma: unknown argument (known: device, mode, direction, iova, size, map, unmap_first, dma_mask, peer, irq, map_access, address, vfio_claim)";
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
		    json_object_object_get_ex(args, "irq", NULL) ||
		    json_object_object_get_ex(args, "map_access", NULL)) {
			*err = "dma: 'peer', 'irq' and 'map_access' apply to vfio mode only";
			return -1;
		}
		if (get_bool(args, "vfio_claim", 0, &req->vfio_claim,
			     "dma: 'vfio_claim' must be a boolean", err) < 0)
			return -1;
		if (json_object_object_get_ex(args, "address", &v)) {
			if (!str_of(v) || parse_hex(str_of(v), &req->address) < 0 || !req->address) {
				*err = "dma: 'address' must be a non-zero hex string \"0x...\" (at most 16 digits)";
				return -1;
			}
			if (req->direction != DMA_FROM_DEVICE) {
				*err = "dma: 'address' takes direction \"write\" (the device writes there)";
				return -1;
			}
			if (req->address > req->dma_mask || req->size - 1 > req->dma_mask - req->address) {
				*err = "dma: 'address' + 'size' goes beyond edu's DMA mask";
				return -1;
			}
		}
		return 0;
	}
	if (json_object_object_get_ex(args, "address", NULL) ||
	    json_object_object_get_ex(args, "vfio_claim", NULL)) {
		*err = "dma: 'address' and 'vfio_claim' apply to raw mode only";
		return -1;
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
	if (json_object_object_get_ex(args, "map_access", &v)) {
		s = str_of(v);
		if (!s || (strcmp(s, "rw") && strcmp(s, "read") && strcmp(s, "write"))) {
			*err = "dma: 'map_access' must be \"rw\", \"read\" or \"write\"";
			return -1;
		}
		req->map_access = !strcmp(s, "read") ? DMA_ACCESS_READ
				  : !strcmp(s, "write") ? DMA_ACCESS_WRITE : DMA_ACCESS_RW;
		if (req->map_access != DMA_ACCESS_RW &&
		    (!req->map || req->unmap_first || req->irq ||
		     json_object_object_get_ex(args, "peer", NULL))) {
			*err = "dma: 'map_access' read or write needs 'map': true and no 'unmap_first', 'peer' or 'irq'";
			return -1;
		}
	}
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

#define KMSG_QUIET_MS 60
#define KMSG_SETTLE_MAX_MS 500

struct probe {
	const struct dma_request *req;
	long pagesz;
	struct edu edu;                 /* bar: the device DMAing now */
	json_object *steps;
	struct lab_error err;           /* the first failure */
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
	int viable;                     /* the group, as VFIO found it; -1 unknown */
	int unmapped;
	/* peer (isolation): the second device's group */
	char peer_group[SYSFS_GROUP_LEN];
	char peer_group_type[SYSFS_GROUP_LEN];
	/* irq */
	char irq_chip[64];              /* read while the vector exists */
	long irq_count;
};

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

/* One transfer through edu, recorded in steps[] when it started. */
static int transfer(struct probe *p, const char *phase, int to_ram, uint64_t ram, uint32_t cnt)
{
	struct edu_step s;
	json_object *step;
	int64_t t0 = lab_clock_ms();

	if (edu_transfer(&p->edu, to_ram, ram, cnt, &s, &p->err) < 0)
		return -1;
	step = json_object_new_object();
	json_object_object_add(step, "phase", json_object_new_string(phase));
	json_object_object_add(step, "op", json_object_new_string(to_ram ? "edu->ram" : "ram->edu"));
	json_object_object_add(step, "src", hex_new(s.src));
	json_object_object_add(step, "dst", hex_new(s.dst));
	json_object_object_add(step, "count", json_object_new_int((int)s.count));
	json_object_object_add(step, "completed", json_object_new_boolean(s.completed));
	json_object_object_add(step, "ms", json_object_new_int64(lab_clock_ms() - t0));
	json_object_array_add(p->steps, step);
	if (!s.completed) {
		lab_error_set(&p->err, "%s: edu did not complete the DMA within %d ms", phase,
			      EDU_TIMEOUT_MS);
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

/* dev through VFIO, its BAR0 the one edu transfers go to, an edu's, and a
 * buffer of canaries. */
static int open_vfio(struct probe *p, struct vfio *v, const char *dev)
{
	int rc = vfio_open(v, dev, p->req->iova, p->pagesz, &p->err);

	if (dev == p->req->device)
		p->viable = v->viable;
	if (rc < 0)
		return -1;
	p->edu.bar = v->bar_map;
	if (edu_check_id(&p->edu, &p->err) < 0 || vfio_alloc_buffer(v, &p->err) < 0)
		return -1;
	memset(v->buf, CANARY, v->map_len);
	return 0;
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

/* One DMA in the request's direction at its IOVA, mapped (map_access) or
 * not (unmap_first), and what came of it: a write onto the canary; a read
 * of a fresh pattern, checked by mapping read-write again and letting edu
 * copy its buffer back. */
/* edu -> RAM at addr onto buf (what addr leads to, if anything), filled
 * with the canary first: did the write land? */
static void write_onto_canary(struct probe *p, const char *phase, uint8_t *buf, uint64_t addr)
{
	uint32_t n = p->req->size;

	memset(buf, CANARY, n);
	if (transfer(p, phase, 1, addr, n) < 0)
		return;
	p->canary_intact = is_canary(buf, n);
	p->landed = !p->canary_intact;
	p->blocked = p->canary_intact;
}

static void probe_once(struct probe *p, struct vfio *v)
{
	const struct dma_request *r = p->req;
	uint32_t n = r->size;

	p->landed = p->canary_intact = -1;
	if (r->direction == DMA_FROM_DEVICE) {
		write_onto_canary(p, "probe", v->buf, r->iova);
	} else {
		uint32_t seed = new_seed();

		fill_pattern(v->buf, n, seed);
		if (transfer(p, "probe", 0, r->iova, n) < 0)
			return;
		/* what did edu get? map read-write and let it write back */
		if (v->mapped && vfio_unmap(v, &p->err) < 0)
			return;
		v->map_flags = 0;
		if (vfio_map(v, &p->err) < 0)
			return;
		memset(v->buf, CANARY, n);
		if (transfer(p, "verify", 1, r->iova, n) < 0)
			return;
		p->landed = is_pattern(v->buf, n, seed);
		p->blocked = !p->landed;
	}
}

static void probe_vfio(struct probe *p)
{
	const struct dma_request *r = p->req;
	struct vfio v = VFIO_INIT;
	struct vfio peer = VFIO_INIT;
	uint32_t n = r->size;
	int to_ram = r->direction == DMA_FROM_DEVICE;

	p->addr = r->iova;
	p->have_addr = 1;
	if (vfio_bind(r->device, p->driver, &p->rebound, &p->err) < 0 ||
	    open_vfio(p, &v, r->device) < 0)
		goto out;
	memcpy(p->group, v.group_name, sizeof(p->group));
	memcpy(p->group_type, v.group_type, sizeof(p->group_type));

	if (!r->map) {
		p->mapped = 0;
		transfer(p, "probe", to_ram, r->iova, n);
		goto out;
	}

	v.map_flags = r->map_access == DMA_ACCESS_READ ? VFIO_DMA_MAP_FLAG_READ
		      : r->map_access == DMA_ACCESS_WRITE ? VFIO_DMA_MAP_FLAG_WRITE : 0;
	if (vfio_map(&v, &p->err) < 0) {
		p->mapped = 0;
		goto out;
	}
	p->mapped = 1;
	if (r->map_access != DMA_ACCESS_RW) {
		/* a permission probe: no round trip, the one DMA */
		probe_once(p, &v);
		goto out;
	}
	if (r->irq) {
		if (vfio_irq_setup(&v, &p->err) < 0)
			goto out;
		p->edu.irq_fd = v.irq_fd;
	}
	{
		uint32_t seed = new_seed();

		fill_pattern(v.buf, n, seed);
		if (transfer(p, "round-trip", 0, r->iova, n) < 0)
			goto out;
		memset(v.buf, CANARY, n);
		if (transfer(p, "round-trip", 1, r->iova, n) < 0)
			goto out;
		p->round_trip = is_pattern(v.buf, n, seed);
		p->landed = !is_canary(v.buf, n);
		p->canary_intact = !p->landed;
	}
	if (r->irq)
		vfio_irq_chip(r->device, p->irq_chip, sizeof(p->irq_chip), &p->irq_count);
	p->edu.irq_fd = -1;     /* only the round trip's transfers raise it */
	if (r->peer[0]) {
		probe_peer(p, &v, &peer);
		goto out;
	}
	if (!r->unmap_first)
		goto out;

	if (vfio_unmap(&v, &p->err) < 0)
		goto out;
	p->unmapped = 1;
	probe_once(p, &v);
out:
	/* the peer's container is the same type1 backend as v's */
	memcpy(p->iommu_type, v.iommu_type, sizeof(p->iommu_type));
	vfio_close(&peer, &p->err);
	vfio_close(&v, &p->err);
	p->edu.irq_fd = -1;
	p->edu.bar = NULL;
}

/* Device B (the peer) against the IOVA mapped for device A only. B gets
 * its own container: a group in A's container would share A's mappings,
 * and two devices in one group cannot be isolated from each other at all. */
static void probe_peer(struct probe *p, struct vfio *a, struct vfio *b)
{
	const struct dma_request *r = p->req;
	volatile uint8_t *bar_a = p->edu.bar;
	char driver[64];
	int rebound = 0;
	uint32_t n = r->size;

	p->landed = p->canary_intact = -1;
	sysfs_pci_driver(r->peer, driver, sizeof(driver));
	if (vfio_bind(r->peer, driver, &rebound, &p->err) < 0)
		return;
	sysfs_pci_group(r->peer, p->peer_group, p->peer_group_type);
	if (p->peer_group[0] && !strcmp(p->peer_group, a->group_name)) {
		lab_error_set(&p->err, "%s and %s share IOMMU group %s: the IOMMU cannot isolate them from each other",
			      r->device, r->peer, p->peer_group);
		return;
	}
	if (open_vfio(p, b, r->peer) < 0) {
		p->edu.bar = bar_a;
		return;
	}
	/* p->edu.bar is B's BAR from here on */
	if (r->direction == DMA_FROM_DEVICE) {
		write_onto_canary(p, "peer", a->buf, r->iova);
	} else {
		uint32_t seed = new_seed();

		fill_pattern(a->buf, n, seed);
		if (transfer(p, "peer", 0, r->iova, n) < 0)
			return;
		/* what did B get? B maps a buffer of its own there, copies back */
		if (vfio_map(b, &p->err) < 0)
			return;
		memset(b->buf, CANARY, n);
		if (transfer(p, "verify", 1, r->iova, n) < 0)
			return;
		p->landed = is_pattern(b->buf, n, seed);
		p->blocked = !p->landed;
	}
}

/* ---- raw --------------------------------------------------------------- */

/* No driver: the DMA to a buffer's physical address. Translated default
 * domain: nothing is mapped for the device, the DMA must fault. Identity:
 * it lands. */
static void probe_raw(struct probe *p)
{
	const struct dma_request *r = p->req;
	struct raw raw = RAW_INIT;
	struct vfio claimed = VFIO_INIT;
	uint8_t *buf = NULL;
	uint64_t phys = 0;
	uint32_t n = r->size;

	if (r->vfio_claim) {
		/* VFIO takes the group and sets no IOMMU: the DMA meets the
		 * kernel's blocking domain */
		claimed.claim_only = 1;
		if (vfio_bind(r->device, p->driver, &p->rebound, &p->err) < 0 ||
		    vfio_open(&claimed, r->device, 0, p->pagesz, &p->err) < 0)
			goto out;
	} else if (raw_unbind(r->device, p->driver, &p->err) < 0) {
		goto out;
	}
	sysfs_pci_group(r->device, p->group, p->group_type);
	if (raw_open(&raw, r->device, p->pagesz, &p->err) < 0)
		goto out;
	p->edu.bar = raw.bar;
	if (edu_check_id(&p->edu, &p->err) < 0)
		goto out;
	if (r->address) {
		/* an address of the caller's: what the IOMMU makes of it is
		 * the point (a fault); nothing here to look at */
		p->addr = r->address;
		p->have_addr = 1;
		transfer(p, "probe", 1, r->address, n);
		goto out;
	}

	buf = raw_alloc_low_page(p->pagesz, r->dma_mask, r->size, CANARY, &phys, &p->err);
	if (!buf)
		goto out;
	p->addr = phys;
	p->have_addr = 1;

	if (r->direction == DMA_FROM_DEVICE) {
		memset(buf, CANARY, (size_t)p->pagesz);
		write_onto_canary(p, "probe", buf, phys);
	} else {
		/* the device reads RAM; nothing to see from here without a
		 * second (write) DMA that would fault on its own */
		fill_pattern(buf, n, new_seed());
		transfer(p, "probe", 0, phys, n);
	}
out:
	raw_close(&raw, &p->err);
	vfio_close(&claimed, &p->err);
	p->edu.bar = NULL;
	/* A transfer that never completed could still land on this page in an
	 * identity domain (bus master is off again, but be sure): keep it. */
	if (buf && !p->edu.timed_out)
		raw_free_page(buf, p->pagesz);
}

/* ---- entry ------------------------------------------------------------- */

static void add_irq_result(json_object *out, struct probe *p)
{
	const char *chip = p->irq_chip;
	long count = p->irq_count;

	json_object_object_add(out, "irq_sent", json_object_new_int(p->edu.irq_sent));
	json_object_object_add(out, "irq_received", json_object_new_int(p->edu.irq_got));
	json_object_object_add(out, "irq_delivered",
			       p->edu.irq_sent ?
			       json_object_new_boolean(p->edu.irq_got == p->edu.irq_sent) : NULL);
	json_object_object_add(out, "irq_worst_ms", json_object_new_int64(p->edu.irq_worst_ms));
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
		.edu = { .irq_fd = -1 }, .irq_count = -1, .viable = -1,
	};
	int64_t t0 = lab_clock_ms();
	json_object *out;

	if (dma_request_parse(args, &req, err) < 0)
		return NULL;
	p.edu.dma_mask = req.dma_mask;
	p.pagesz = sysconf(_SC_PAGESIZE);
	if (p.pagesz < 4096)
		p.pagesz = 4096;
	p.steps = json_object_new_array();
	p.kmsg_seq = kmsg_next_seq();

	if (edu_check_device(req.device, &p.err) == 0 &&
	    (!req.peer[0] || edu_check_device(req.peer, &p.err) == 0)) {
		sysfs_pci_driver(req.device, p.driver, sizeof(p.driver));
		if (req.mode == DMA_VFIO)
			probe_vfio(&p);
		else
			probe_raw(&p);
	}

	/* the fault lines of this probe's DMA, printed by an interrupt a
	 * moment later, belong to it: let them land before the reply */
	kmsg_settle(KMSG_QUIET_MS, KMSG_SETTLE_MAX_MS);
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
			       p.edu.started ? json_object_new_boolean(!p.edu.timed_out) : NULL);
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
		json_object_object_add(out, "vfio_viable", tri_new(p.viable));
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
	json_object_object_add(out, "error", str_or_null(p.err.msg));
	json_object_object_add(out, "elapsed_ms", json_object_new_int64(lab_clock_ms() - t0));
	return out;
}
