/* SPDX-License-Identifier: MIT */
/*
 * The "perf" command (perf.h, common/perf_request.h): each measurement
 * times the calls it makes with CLOCK_MONOTONIC (common/clock.h) and
 * summarises them (common/stats.h). The device paths are the DMA probe's:
 * vfio.h for VFIO (bind, container, map and unmap), raw.h for a device
 * with no driver, edu.h for the transfers, dma.h's probe for the
 * stale-IOVA check, block.h for the disks.
 */
#include "perf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/fs.h>

#include "block.h"
#include "clock.h"
#include "dma.h"
#include "dma_request.h"
#include "edu.h"
#include "hex.h"
#include "kmsg.h"
#include "pci_addr.h"
#include "perf_request.h"
#include "raw.h"
#include "stats.h"
#include "sysfs.h"
#include "vfio.h"

/* IOVAs above 4 GiB: clear of x86's interrupt window (0xfee00000) and
 * arm64's MSI IOVA (0x8000000), within every IOMMU's width here (39 bits
 * at least) */
#define MAP_IOVA        0x100000000ull
#define PGTABLE_IOVA    0x100000000ull
#define PGTABLE_STRIDE  (2ull << 20)   /* one leaf table per mapping */
/* the stale-IOVA check and edu's round trips: within edu's default mask */
#define STALE_IOVA      0x100000ull
#define RTT_IOVA        0x100000ull
#define RTT_SIZE        64u
#define STALE_SIZE      4     /* one SMMUv3 event, one virtio-iommu fault */

enum { M_VFIO_MAP, M_EDU_RTT, M_BLOCK_READ, M_PGTABLE };
static const char *const measures[] = { "vfio_map", "edu_rtt", "block_read", "pgtable" };

struct perf_request {
	int measure;
	char device[16];
	const char *dma_mask_str;       /* as given, for the dma command; NULL */
	uint64_t dma_mask;
	uint64_t sizes[PERF_SIZES_MAX];
	size_t nsizes;
	int sizes_given;
	int iterations;
	int via_raw;
	char disk[8];
	int mib;
	int block_kib;
};

struct perf {
	const struct perf_request *req;
	long pagesz;
	struct lab_error err;           /* the first failure */
	json_object *stats;             /* [] */
	json_object *out;               /* the result: measure-specific keys */
	int64_t map, unmap, dma, io, bytes;
	char device[16];
	char domain_type[SYSFS_GROUP_LEN];
	int have_group;
};

/* ---- request ----------------------------------------------------------- */

static int get_int(json_object *args, const char *key, int dflt, int min, int max, int *out,
		   struct lab_error *err)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(args, key, &v)) {
		*out = dflt;
		return 0;
	}
	n = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : INT64_MIN;
	if (n < min || n > max) {
		lab_error_set(err, "perf: '%s' must be an integer within %d..%d", key, min, max);
		return -1;
	}
	*out = (int)n;
	return 0;
}

static const char *get_str(json_object *args, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(args, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* keys only some measures take: which */
static int only_for(json_object *args, const char *key, int measure, int a, int b,
		    struct lab_error *err)
{
	if (json_object_object_get_ex(args, key, NULL) && measure != a && measure != b) {
		lab_error_set(err, "perf: '%s' is for %s%s%s, not %s", key, measures[a],
			      a != b ? " and " : "", a != b ? measures[b] : "", measures[measure]);
		return -1;
	}
	return 0;
}

static int parse_sizes(json_object *v, struct perf_request *r, struct lab_error *err)
{
	size_t n;

	if (!json_object_is_type(v, json_type_array) || !(n = json_object_array_length(v)) ||
	    n > PERF_SIZES_MAX) {
		lab_error_set(err, "perf: 'sizes' must be a list of 1..%d byte counts", PERF_SIZES_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(v, i);
		int64_t b = json_object_is_type(s, json_type_int) ? json_object_get_int64(s) : -1;

		if (b < (int64_t)PERF_SIZE_MIN || b > (int64_t)PERF_SIZE_MAX || b % 4096) {
			lab_error_set(err, "perf: each of 'sizes' must be a multiple of 4096 within "
				      "%llu..%llu", PERF_SIZE_MIN, PERF_SIZE_MAX);
			return -1;
		}
		r->sizes[i] = (uint64_t)b;
	}
	r->nsizes = n;
	r->sizes_given = 1;
	return 0;
}

static int parse_request(json_object *args, struct perf_request *r, struct lab_error *err)
{
	static const char *const known[] = { "measure", "device", "dma_mask", "sizes", "iterations",
					     "via", "disk", "mib", "block_kib", NULL };
	static const uint64_t default_sizes[] = { 4096, 64 << 10, 2 << 20, 16 << 20 };
	const char *s;
	json_object *v;

	memset(r, 0, sizeof(*r));
	if (!args || !json_object_is_type(args, json_type_object)) {
		lab_error_set(err, "perf: arguments must be an object");
		return -1;
	}
	json_object_object_foreach(args, key, val) {
		size_t i;

		(void)val;
		for (i = 0; known[i] && strcmp(known[i], key); i++)
			;
		if (!known[i]) {
			lab_error_set(err, "perf: unknown argument '%.40s' (known: measure, device, "
				      "dma_mask, sizes, iterations, via, disk, mib, block_kib)", key);
			return -1;
		}
	}
	s = get_str(args, "measure");
	for (r->measure = 0; s && r->measure < 4 && strcmp(s, measures[r->measure]); r->measure++)
		;
	if (!s || r->measure == 4) {
		lab_error_set(err, "perf: 'measure' must be vfio_map, edu_rtt, block_read or pgtable");
		return -1;
	}
	if (only_for(args, "sizes", r->measure, M_VFIO_MAP, M_VFIO_MAP, err) < 0 ||
	    only_for(args, "iterations", r->measure, M_VFIO_MAP, M_EDU_RTT, err) < 0 ||
	    only_for(args, "via", r->measure, M_EDU_RTT, M_EDU_RTT, err) < 0 ||
	    only_for(args, "disk", r->measure, M_BLOCK_READ, M_BLOCK_READ, err) < 0 ||
	    only_for(args, "mib", r->measure, M_BLOCK_READ, M_PGTABLE, err) < 0 ||
	    only_for(args, "block_kib", r->measure, M_BLOCK_READ, M_BLOCK_READ, err) < 0)
		return -1;

	/* the device: the harness names the test device for every measure;
	 * block_read reads a disk instead */
	s = get_str(args, "device");
	if (s && (strlen(s) != 12 || !lab_pci_addr_valid(s))) {
		lab_error_set(err, "perf: 'device' must be ssss:bb:dd.f");
		return -1;
	}
	if (!s && r->measure != M_BLOCK_READ) {
		lab_error_set(err, "perf: 'device' (ssss:bb:dd.f of an edu) is required for %s",
			      measures[r->measure]);
		return -1;
	}
	snprintf(r->device, sizeof(r->device), "%s", s ? s : "");
	r->dma_mask = DMA_EDU_DEFAULT_MASK;
	if ((r->dma_mask_str = get_str(args, "dma_mask"))) {
		const char *end;
		uint64_t m;
		int n = strncmp(r->dma_mask_str, "0x", 2) ? -1
			: lab_hex_scan(r->dma_mask_str, &m, &end);

		if (n < 3 || n > 16 || *end || (m & (m + 1))) {
			lab_error_set(err, "perf: 'dma_mask' must be a hex string 2^n - 1, n in 12..64");
			return -1;
		}
		r->dma_mask = m;
	}

	if (json_object_object_get_ex(args, "sizes", &v) && parse_sizes(v, r, err) < 0)
		return -1;
	if (!r->sizes_given) {
		memcpy(r->sizes, default_sizes, sizeof(default_sizes));
		r->nsizes = sizeof(default_sizes) / sizeof(default_sizes[0]);
	}
	if (get_int(args, "iterations", r->measure == M_EDU_RTT ? 10 : 200, 1,
		    r->measure == M_EDU_RTT ? PERF_RTT_ITER_MAX : PERF_ITER_MAX,
		    &r->iterations, err) < 0 ||
	    get_int(args, "mib", r->measure == M_PGTABLE ? 8 : 16, 1, PERF_MIB_MAX, &r->mib, err) < 0 ||
	    get_int(args, "block_kib", 4, 4, PERF_BLOCK_KIB_MAX, &r->block_kib, err) < 0)
		return -1;
	if (r->block_kib % 4) {
		lab_error_set(err, "perf: 'block_kib' must be a multiple of 4");
		return -1;
	}
	s = get_str(args, "via");
	if (json_object_object_get_ex(args, "via", NULL) &&
	    (!s || (strcmp(s, "vfio") && strcmp(s, "raw")))) {
		lab_error_set(err, "perf: 'via' must be \"vfio\" or \"raw\"");
		return -1;
	}
	r->via_raw = s && !strcmp(s, "raw");
	s = get_str(args, "disk");
	if (r->measure == M_BLOCK_READ && (!s || (strcmp(s, "virtio") && strcmp(s, "nvme")))) {
		lab_error_set(err, "perf: block_read needs 'disk': \"virtio\" or \"nvme\"");
		return -1;
	}
	snprintf(r->disk, sizeof(r->disk), "%s", s ? s : "");
	return 0;
}

/* ---- helpers ----------------------------------------------------------- */

/* microseconds since t0 (seconds, lab_clock_now) */
static double us_since(double t0)
{
	return (lab_clock_now() - t0) * 1e6;
}

/* One stats entry, when there are samples (sorted in place). */
static void add_stats(struct perf *p, const char *metric, uint64_t size, double *samples, size_t n)
{
	struct lab_stats st;
	json_object *o;

	if (lab_stats_compute(samples, n, &st) < 0)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "metric", json_object_new_string(metric));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)size));
	json_object_object_add(o, "n", json_object_new_int64((int64_t)st.n));
	json_object_object_add(o, "median", json_object_new_double(st.median));
	json_object_object_add(o, "p90", json_object_new_double(st.p90));
	json_object_object_add(o, "p99", json_object_new_double(st.p99));
	json_object_object_add(o, "min", json_object_new_double(st.min));
	json_object_object_add(o, "max", json_object_new_double(st.max));
	json_object_object_add(o, "mean", json_object_new_double(st.mean));
	json_object_object_add(o, "stddev", json_object_new_double(st.stddev));
	json_object_array_add(p->stats, o);
}

/* A /proc/meminfo or /proc/vmstat line's number ("SecPageTables:  12 kB"),
 * or -1 when the kernel has no such line. */
static int64_t proc_value(const char *file, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	int64_t v = -1;
	FILE *f = fopen(file, "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && (line[klen] == ':' || line[klen] == ' ')) {
			v = strtoll(line + klen + 1, NULL, 10);
			break;
		}
	if (f)
		fclose(f);
	return v;
}

static void set_device_group(struct perf *p, const char *dev)
{
	char group[SYSFS_GROUP_LEN];

	snprintf(p->device, sizeof(p->device), "%s", dev);
	sysfs_pci_group(dev, group, p->domain_type);
	p->have_group = group[0] != '\0';
}

/* dev bound to vfio-pci and open in a container of its own (vfio.h) */
static int vfio_ready(struct perf *p, struct vfio *v, uint64_t iova)
{
	const char *dev = p->req->device;
	char driver[64];
	int rebound = 0;

	set_device_group(p, dev);
	if (edu_check_device(dev, &p->err) < 0)
		return -1;
	sysfs_pci_driver(dev, driver, sizeof(driver));
	if (vfio_bind(dev, driver, &rebound, &p->err) < 0 ||
	    vfio_open(v, dev, iova, p->pagesz, &p->err) < 0)
		return -1;
	/* the group's default type, as the sysfs file names it */
	snprintf(p->domain_type, sizeof(p->domain_type), "%s", v->group_type);
	p->have_group = 1;
	return 0;
}

/* ---- vfio_map ---------------------------------------------------------- */

/* Map and unmap one size, iterations times or until its budget is spent. */
static int time_size(struct perf *p, struct vfio *v, uint64_t size)
{
	int iters = p->req->iterations, n = 0;
	double *map_us = calloc((size_t)iters, sizeof(double));
	double *unmap_us = calloc((size_t)iters, sizeof(double));
	int64_t t_start = lab_clock_ms();
	int rc = 0;

	v->map_len = size;
	v->iova = MAP_IOVA;
	if (!map_us || !unmap_us) {
		lab_error_set(&p->err, "perf: out of memory for %d samples", iters);
		rc = -1;
	} else if (vfio_alloc_buffer(v, &p->err) < 0) {
		rc = -1;
	} else {
		/* resident before the first map: no page faults in the timing */
		memset(v->buf, 0x5a, size);
	}
	while (rc == 0 && n < iters &&
	       (n < PERF_ITER_MIN || lab_clock_ms() - t_start < PERF_SIZE_BUDGET_MS)) {
		double t0 = lab_clock_now();

		if (vfio_map(v, &p->err) < 0) {
			rc = -1;
			break;
		}
		map_us[n] = us_since(t0);
		p->map++;
		t0 = lab_clock_now();
		if (vfio_unmap(v, &p->err) < 0) {
			rc = -1;
			break;
		}
		unmap_us[n++] = us_since(t0);
		p->unmap++;
		p->bytes += (int64_t)size;
	}
	add_stats(p, "map_us", size, map_us, (size_t)n);
	add_stats(p, "unmap_us", size, unmap_us, (size_t)n);
	free(map_us);
	free(unmap_us);
	if (v->buf_map && !v->mapped) {
		munmap(v->buf_map, v->buf_map_len);
		v->buf_map = NULL;
		v->buf = NULL;
	}
	return rc;
}

/*
 * The missing-invalidation check: the dma command's isolation probe
 * (dma.h: a round trip through a mapping at STALE_IOVA, the unmap, then an
 * edu -> RAM write to the same IOVA onto a canary). The write landing
 * means the IOMMU still translated an IOVA the kernel had unmapped.
 */
static void stale_check(struct perf *p)
{
	json_object *args = json_object_new_object(), *res, *v;
	const char *bad = NULL, *e;

	json_object_object_add(args, "device", json_object_new_string(p->req->device));
	json_object_object_add(args, "mode", json_object_new_string("vfio"));
	json_object_object_add(args, "direction", json_object_new_string("write"));
	json_object_object_add(args, "size", json_object_new_int(STALE_SIZE));
	json_object_object_add(args, "iova", json_object_new_string("0x100000"));
	json_object_object_add(args, "unmap_first", json_object_new_boolean(1));
	if (p->req->dma_mask_str)
		json_object_object_add(args, "dma_mask", json_object_new_string(p->req->dma_mask_str));
	res = dma_probe(args, &bad);
	json_object_put(args);
	json_object_object_add(p->out, "stale_reachable", NULL);
	if (!res) {
		lab_error_set(&p->err, "stale check: %s", bad ? bad : "refused");
		return;
	}
	if (json_object_object_get_ex(res, "steps", &v))
		p->dma += (int64_t)json_object_array_length(v);
	if (json_object_get_boolean(json_object_object_get(res, "mapped")))
		p->map++;
	if (json_object_get_boolean(json_object_object_get(res, "unmapped")))
		p->unmap++;
	e = json_object_get_string(json_object_object_get(res, "error"));
	v = json_object_object_get(res, "round_trip");
	if (e) {
		lab_error_set(&p->err, "stale check: %s", e);
	} else if (!v || strcmp(json_object_get_string(v), "exact")) {
		/* the DMA through the mapping must land, or the unmapped
		 * write's outcome says nothing */
		lab_error_set(&p->err, "stale check: the round trip through the mapping at 0x%llx "
			      "did not arrive (%s)", STALE_IOVA, v ? json_object_get_string(v) : "none");
	} else if (json_object_object_get_ex(res, "landed", &v) && v) {
		json_object_object_add(p->out, "stale_reachable",
				       json_object_new_boolean(json_object_get_boolean(v)));
	}
	json_object_put(res);
}

static void measure_vfio_map(struct perf *p)
{
	struct vfio v = VFIO_INIT;
	json_object *skipped = json_object_new_array();
	int64_t avail_kib = proc_value("/proc/meminfo", "MemAvailable");
	int rc = vfio_ready(p, &v, MAP_IOVA);

	for (size_t i = 0; rc == 0 && i < p->req->nsizes; i++) {
		uint64_t size = p->req->sizes[i];
		char why[160];

		if (size % v.map_len) {
			lab_error_set(&p->err, "size %" PRIu64 " is not a multiple of the IOMMU's "
				      "smallest page 0x%" PRIx64, size, v.map_len);
			break;
		}
		/* the buffer is pinned: never let a size push the guest into
		 * the OOM killer, which might take the agent */
		if (avail_kib >= 0 && size * PERF_MEM_FACTOR / 1024 > (uint64_t)avail_kib) {
			snprintf(why, sizeof(why), "MemAvailable %" PRId64 " KiB is less than %d "
				 "times the size", avail_kib, PERF_MEM_FACTOR);
			if (p->req->sizes_given) {
				lab_error_set(&p->err, "size %" PRIu64 ": %s", size, why);
				break;
			}
			json_object *s = json_object_new_object();

			json_object_object_add(s, "size", json_object_new_int64((int64_t)size));
			json_object_object_add(s, "why", json_object_new_string(why));
			json_object_array_add(skipped, s);
			continue;
		}
		rc = time_size(p, &v, size);
	}
	vfio_close(&v, &p->err);
	json_object_object_add(p->out, "iova", json_object_new_string("0x100000000"));
	if (json_object_array_length(skipped))
		json_object_object_add(p->out, "skipped", skipped);
	else
		json_object_put(skipped);
	if (p->err.set) {
		json_object_object_add(p->out, "stale_reachable", NULL);
		return;
	}
	stale_check(p);
}

/* ---- edu_rtt ----------------------------------------------------------- */

/* iterations round trips RAM -> edu -> RAM at addr (buf in the guest),
 * each checked: what came back is what went out. */
static void rtt_loop(struct perf *p, struct edu *e, uint8_t *buf, uint64_t addr)
{
	int iters = p->req->iterations, n = 0;
	double *rtt = calloc((size_t)iters, sizeof(double));
	uint8_t want[RTT_SIZE];

	for (int i = 0; rtt && i < iters; i++) {
		struct edu_step a, b;
		double t0;

		for (unsigned j = 0; j < RTT_SIZE; j++)
			want[j] = (uint8_t)(1 + (j * 13u + (unsigned)i * 7u) % 127u);
		memcpy(buf, want, RTT_SIZE);
		t0 = lab_clock_now();
		if (edu_transfer(e, 0, addr, RTT_SIZE, &a, &p->err) < 0)
			break;
		p->dma++;
		if (!a.completed) {
			lab_error_set(&p->err, "edu did not complete a RAM -> edu DMA within %d ms",
				      EDU_TIMEOUT_MS);
			break;
		}
		memset(buf, 0, RTT_SIZE);
		if (edu_transfer(e, 1, addr, RTT_SIZE, &b, &p->err) < 0)
			break;
		p->dma++;
		if (!b.completed) {
			lab_error_set(&p->err, "edu did not complete an edu -> RAM DMA within %d ms",
				      EDU_TIMEOUT_MS);
			break;
		}
		rtt[n++] = us_since(t0);
		p->bytes += 2 * RTT_SIZE;
		if (memcmp(buf, want, RTT_SIZE)) {
			lab_error_set(&p->err, "round trip %d at 0x%" PRIx64 " came back different", i,
				      addr);
			break;
		}
	}
	if (!rtt)
		lab_error_set(&p->err, "perf: out of memory");
	add_stats(p, "rtt_us", RTT_SIZE, rtt, (size_t)n);
	free(rtt);
}

static void measure_edu_rtt_vfio(struct perf *p)
{
	struct vfio v = VFIO_INIT;
	struct edu e = { .dma_mask = p->req->dma_mask, .irq_fd = -1 };

	if (vfio_ready(p, &v, RTT_IOVA) == 0 && vfio_alloc_buffer(&v, &p->err) == 0 &&
	    vfio_map(&v, &p->err) == 0) {
		p->map++;
		e.bar = v.bar_map;
		if (edu_check_id(&e, &p->err) == 0)
			rtt_loop(p, &e, v.buf, RTT_IOVA);
		if (vfio_unmap(&v, &p->err) == 0)
			p->unmap++;
	}
	vfio_close(&v, &p->err);
}

/* No driver, the buffer's physical address: only where the device's DMA
 * is not translated (an identity domain, or no IOMMU for it). */
static void measure_edu_rtt_raw(struct perf *p)
{
	const char *dev = p->req->device;
	struct raw r = RAW_INIT;
	struct edu e = { .dma_mask = p->req->dma_mask, .irq_fd = -1 };
	char driver[64];
	uint8_t *buf = NULL;
	uint64_t phys = 0;

	set_device_group(p, dev);
	if (edu_check_device(dev, &p->err) < 0)
		return;
	if (p->have_group && strcmp(p->domain_type, "identity")) {
		lab_error_set(&p->err, "edu_rtt via raw needs an identity domain (boot with iommu=pt, "
			      "or iommu.passthrough=1 on arm64): %s's group is %s, which would "
			      "translate (and fault) the physical addresses raw mode programs",
			      dev, p->domain_type);
		return;
	}
	sysfs_pci_driver(dev, driver, sizeof(driver));
	if (raw_unbind(dev, driver, &p->err) == 0 && raw_open(&r, dev, p->pagesz, &p->err) == 0) {
		e.bar = r.bar;
		if (edu_check_id(&e, &p->err) == 0 &&
		    (buf = raw_alloc_low_page(p->pagesz, p->req->dma_mask, RTT_SIZE, 0, &phys,
					      &p->err)))
			rtt_loop(p, &e, buf, phys);
	}
	raw_close(&r, &p->err);
	/* a transfer that never completed could still land: keep the page */
	if (buf && !e.timed_out)
		raw_free_page(buf, p->pagesz);
}

/* ---- block_read -------------------------------------------------------- */

static void measure_block_read(struct perf *p)
{
	const struct perf_request *r = p->req;
	char name[64], pci[16], path[80];
	size_t block = (size_t)r->block_kib << 10;
	uint64_t want = (uint64_t)r->mib << 20, disk_size = 0;
	size_t count = (size_t)(want / block), n = 0;
	double *lat = NULL, t_start;
	void *buf = NULL;
	int fd;

	if (block_find(r->disk, name, sizeof(name), pci, &p->err) < 0)
		return;
	if (pci[0])
		set_device_group(p, pci);
	json_object_object_add(p->out, "block_device", json_object_new_string(name));
	snprintf(path, sizeof(path), "/dev/%s", name);
	/* O_DIRECT: every read is the device's DMA into this buffer, mapped
	 * and unmapped by the kernel's DMA API for each request */
	fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		lab_error_set_errno(&p->err, errno, "open %s (O_DIRECT)", path);
		return;
	}
	if (ioctl(fd, BLKGETSIZE64, &disk_size) < 0 || disk_size < want) {
		lab_error_set(&p->err, "%s holds %" PRIu64 " bytes, fewer than the %d MiB asked for",
			      path, disk_size, r->mib);
		goto out;
	}
	lat = calloc(count, sizeof(double));
	if (!lat || posix_memalign(&buf, 4096, block)) {
		buf = NULL;
		lab_error_set(&p->err, "perf: out of memory");
		goto out;
	}
	t_start = lab_clock_now();
	for (; n < count; n++) {
		double t0 = lab_clock_now();
		ssize_t got = pread(fd, buf, block, (off_t)(n * block));

		if (got != (ssize_t)block) {
			lab_error_set(&p->err, "read %s at %zu: %s", path, n * block,
				      got < 0 ? strerror(errno) : "short read");
			break;
		}
		lat[n] = us_since(t0);
		p->io++;
		p->bytes += (int64_t)block;
	}
	if (n)
		json_object_object_add(p->out, "throughput_mib_s",
				       json_object_new_double((double)p->bytes / (1 << 20) /
							      (lab_clock_now() - t_start)));
	add_stats(p, "read_us", block, lat, n);
out:
	free(buf);
	free(lat);
	close(fd);
}

/* ---- pgtable ----------------------------------------------------------- */

static json_object *kib_or_null(int64_t v)
{
	return v >= 0 ? json_object_new_int64(v) : NULL;
}

/* mib MiB as 4 KiB mappings (the IOMMU's smallest page), one per 2 MiB of
 * IOVA so that each needs a leaf table of its own, and SecPageTables
 * before, with all of them mapped, and after unmapping them. */
static void measure_pgtable(struct perf *p)
{
	struct vfio v = VFIO_INIT;
	uint8_t *buf = MAP_FAILED;
	size_t len = (size_t)p->req->mib << 20, nmap = 0, n = 0;
	double *map_us = NULL, *unmap_us = NULL;
	int64_t before = -1, after = -1, after_unmap = -1;
	json_object *sec;
	uint64_t gran = 0;

	if (vfio_ready(p, &v, PGTABLE_IOVA) < 0)
		goto out;
	gran = v.map_len;
	n = len / gran;
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	map_us = calloc(n, sizeof(double));
	unmap_us = calloc(n, sizeof(double));
	if (buf == MAP_FAILED || !map_us || !unmap_us) {
		lab_error_set(&p->err, "perf: out of memory for %zu mappings", n);
		goto out;
	}
	memset(buf, 0x5a, len);
	v.map_len = gran;
	before = proc_value("/proc/meminfo", "SecPageTables");
	for (; nmap < n; nmap++) {
		double t0;

		v.buf = buf + nmap * gran;
		v.iova = PGTABLE_IOVA + nmap * PGTABLE_STRIDE;
		t0 = lab_clock_now();
		if (vfio_map(&v, &p->err) < 0)
			break;
		map_us[nmap] = us_since(t0);
		p->map++;
		p->bytes += (int64_t)gran;
	}
	after = proc_value("/proc/meminfo", "SecPageTables");
	for (size_t i = 0; i < nmap; i++) {
		double t0;

		v.buf = buf + i * gran;
		v.iova = PGTABLE_IOVA + i * PGTABLE_STRIDE;
		v.mapped = 1;
		t0 = lab_clock_now();
		if (vfio_unmap(&v, &p->err) < 0)
			break;      /* closing the container unmaps the rest */
		unmap_us[i] = us_since(t0);
		p->unmap++;
	}
	after_unmap = proc_value("/proc/meminfo", "SecPageTables");
	add_stats(p, "map_us", gran, map_us, nmap);
	add_stats(p, "unmap_us", gran, unmap_us, (size_t)p->unmap);
out:
	v.buf = NULL;
	v.mapped = 0;
	vfio_close(&v, &p->err);          /* the container's end unpins every page */
	if (buf != MAP_FAILED)
		munmap(buf, len);
	free(map_us);
	free(unmap_us);
	sec = json_object_new_object();
	json_object_object_add(sec, "before", kib_or_null(before));
	json_object_object_add(sec, "after", kib_or_null(after));
	json_object_object_add(sec, "after_unmap", kib_or_null(after_unmap));
	json_object_object_add(sec, "counted", before >= 0 && after >= 0 && nmap ?
			       json_object_new_boolean(after > before) : NULL);
	json_object_object_add(p->out, "sec_pagetables_kib", sec);
	json_object_object_add(p->out, "mappings", json_object_new_int64((int64_t)nmap));
	json_object_object_add(p->out, "iova_stride", json_object_new_int64((int64_t)PGTABLE_STRIDE));
}

/* ---- entry ------------------------------------------------------------- */

json_object *perf_probe(json_object *args, struct lab_error *err)
{
	struct perf_request req;
	struct perf p = { .req = &req };
	int64_t t0 = lab_clock_ms(), seq;
	json_object *out, *ops;

	if (parse_request(args, &req, err) < 0)
		return NULL;
	p.pagesz = sysconf(_SC_PAGESIZE);
	if (p.pagesz < 4096)
		p.pagesz = 4096;
	p.stats = json_object_new_array();
	p.out = json_object_new_object();
	seq = kmsg_next_seq();

	switch (req.measure) {
	case M_VFIO_MAP:
		measure_vfio_map(&p);
		break;
	case M_EDU_RTT:
		json_object_object_add(p.out, "via", json_object_new_string(req.via_raw ? "raw" : "vfio"));
		json_object_object_add(p.out, "note", json_object_new_string(
			"edu completes each transfer on a timer about 100 ms of virtual time after "
			"its command: the round trip measures that timer far more than the IOMMU"));
		if (req.via_raw)
			measure_edu_rtt_raw(&p);
		else
			measure_edu_rtt_vfio(&p);
		break;
	case M_BLOCK_READ:
		json_object_object_add(p.out, "disk", json_object_new_string(req.disk));
		measure_block_read(&p);
		break;
	case M_PGTABLE:
		measure_pgtable(&p);
		break;
	}

	out = json_object_new_object();
	json_object_object_add(out, "mode", json_object_new_string("perf"));
	json_object_object_add(out, "measure", json_object_new_string(measures[req.measure]));
	json_object_object_add(out, "device", p.device[0] ? json_object_new_string(p.device) : NULL);
	json_object_object_add(out, "stats", p.stats);
	ops = json_object_new_object();
	if (p.map)
		json_object_object_add(ops, "map", json_object_new_int64(p.map));
	if (p.unmap)
		json_object_object_add(ops, "unmap", json_object_new_int64(p.unmap));
	if (p.dma)
		json_object_object_add(ops, "dma", json_object_new_int64(p.dma));
	if (p.io)
		json_object_object_add(ops, "io", json_object_new_int64(p.io));
	json_object_object_add(out, "ops", ops);
	json_object_object_add(out, "bytes", json_object_new_int64(p.bytes));
	json_object_object_add(out, "domain_type", p.have_group && p.domain_type[0] ?
			       json_object_new_string(p.domain_type) : NULL);
	json_object_object_foreach(p.out, k, v)
		json_object_object_add(out, k, json_object_get(v));
	json_object_put(p.out);
	json_object_object_add(out, "kmsg_seq_before", seq >= 0 ? json_object_new_int64(seq) : NULL);
	if (p.err.set)
		json_object_object_add(out, "error", json_object_new_string(p.err.msg));
	json_object_object_add(out, "elapsed_ms", json_object_new_int64(lab_clock_ms() - t0));
	return out;
}
