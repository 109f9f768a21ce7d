/* SPDX-License-Identifier: MIT */
/*
 * QEMU's IOMMU trace events, counted per probe window (trace.h). The
 * event names and what each means are in docs/NOTES.md, "QEMU trace
 * events"; they were checked against both Debian QEMUs' `-trace help`.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "disk.h"          /* LAB_DISK_QEMU_USER */
#include "jsonval.h"
#include "scenario.h"      /* lab_scenario_probe_mode */
#include "trace.h"

double lab_trace_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int env_on(const char *name)
{
	const char *v = getenv(name);

	return v && (!strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "true"));
}

int lab_trace_wanted(json_object *probes)
{
	size_t n = probes && json_object_is_type(probes, json_type_array)
			   ? json_object_array_length(probes) : 0;

	if (env_on("LAB_TRACE"))
		return 1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(lab_scenario_probe_mode(json_object_array_get_idx(probes, i)), "perf"))
			return 1;
	return 0;
}

int lab_trace_keep(void)
{
	return env_on("LAB_TRACE_KEEP");
}

/* ---- the events ----------------------------------------------------------
 * One table: the IOMMU kind, the event, its classes. Events a QEMU lacks
 * are simply never seen (7.2 has smmuv3_s1_range_inval where 10.0 has
 * smmuv3_range_inval, and no smmuv3_cmdq_tlbi_nsnh or _s12_vmid). */
static const struct {
	const char *kind, *event;
	unsigned classes;
} events[] = {
	/* intel: a hit is vtd_iotlb_page_hit; a miss walks the second-level
	 * table and fills the IOTLB (vtd_iotlb_page_update); each IOTLB
	 * invalidation descriptor the guest queues is one vtd_inv_desc_iotlb_* */
	{ "intel", "vtd_iotlb_page_hit", LAB_TRACE_HIT },
	{ "intel", "vtd_iotlb_page_update", LAB_TRACE_MISS | LAB_TRACE_WALK },
	{ "intel", "vtd_inv_desc_iotlb_pages", LAB_TRACE_INVAL },
	{ "intel", "vtd_inv_desc_iotlb_domain", LAB_TRACE_INVAL },
	{ "intel", "vtd_inv_desc_iotlb_global", LAB_TRACE_INVAL },
	{ "intel", "vtd_inv_desc_iotlb_pasid", LAB_TRACE_INVAL },
	{ "intel", "vtd_inv_desc_iotlb_pasid_pages", LAB_TRACE_INVAL },
	/* amd: a hit is amdvi_iotlb_hit; a miss walks and caches the result
	 * (amdvi_cache_update); INVALIDATE_IOMMU_PAGES, _ALL and the device
	 * IOTLB's INVALIDATE_IOTLB_PAGES are invalidations */
	{ "amd", "amdvi_iotlb_hit", LAB_TRACE_HIT },
	{ "amd", "amdvi_cache_update", LAB_TRACE_MISS | LAB_TRACE_WALK },
	{ "amd", "amdvi_pages_inval", LAB_TRACE_INVAL },
	{ "amd", "amdvi_all_inval", LAB_TRACE_INVAL },
	{ "amd", "amdvi_iotlb_inval", LAB_TRACE_INVAL },
	/* smmuv3: lookups hit or miss explicitly; a walk ends on a page or
	 * block descriptor; one event per TLBI command */
	{ "smmuv3", "smmu_iotlb_lookup_hit", LAB_TRACE_HIT },
	{ "smmuv3", "smmu_iotlb_lookup_miss", LAB_TRACE_MISS },
	{ "smmuv3", "smmu_ptw_page_pte", LAB_TRACE_WALK },
	{ "smmuv3", "smmu_ptw_block_pte", LAB_TRACE_WALK },
	{ "smmuv3", "smmu_ptw_invalid_pte", LAB_TRACE_WALK },   /* a walk that found no page */
	{ "smmuv3", "smmuv3_s1_range_inval", LAB_TRACE_INVAL },     /* 7.2: NH_VA, NH_VAA */
	{ "smmuv3", "smmuv3_range_inval", LAB_TRACE_INVAL },        /* 10.0: NH_VA(A), S2_IPA */
	{ "smmuv3", "smmuv3_cmdq_tlbi_nh_asid", LAB_TRACE_INVAL },
	{ "smmuv3", "smmuv3_cmdq_tlbi_nh", LAB_TRACE_INVAL },       /* NH_ALL (7.2: NSNH_ALL too) */
	{ "smmuv3", "smmuv3_cmdq_tlbi_nsnh", LAB_TRACE_INVAL },     /* 10.0 */
	{ "smmuv3", "smmuv3_cmdq_tlbi_s12_vmid", LAB_TRACE_INVAL }, /* 10.0 */
	/* virtio-iommu has no IOTLB: each translation looks the mapping up
	 * (counted as a walk), and the guest's UNMAP request is the
	 * invalidation */
	{ "virtio", "virtio_iommu_translate", LAB_TRACE_WALK },
	{ "virtio", "virtio_iommu_unmap", LAB_TRACE_INVAL },
};

static const char *const intel_patterns[] = {
	"vtd_iotlb_page_*", "vtd_inv_desc_iotlb_*", "vtd_iotlb_reset", "vtd_dmar_fault", NULL
};
static const char *const amd_patterns[] = {
	"amdvi_iotlb_hit", "amdvi_cache_update", "amdvi_*_inval", "amdvi_page_fault", NULL
};
static const char *const smmuv3_patterns[] = {
	"smmu_iotlb_lookup_*", "smmu_iotlb_inv_*", "smmu_ptw_page_pte", "smmu_ptw_block_pte",
	"smmu_ptw_invalid_pte", "smmuv3_*range_inval", "smmuv3_cmdq_tlbi_*", "smmuv3_record_event",
	NULL
};
static const char *const virtio_patterns[] = {
	"virtio_iommu_map", "virtio_iommu_unmap", "virtio_iommu_translate",
	"virtio_iommu_report_fault", NULL
};

const char *const *lab_trace_patterns(const char *kind)
{
	if (!kind)
		return NULL;
	if (!strcmp(kind, "intel"))
		return intel_patterns;
	if (!strcmp(kind, "amd"))
		return amd_patterns;
	if (!strcmp(kind, "smmuv3"))
		return smmuv3_patterns;
	if (!strcmp(kind, "virtio"))
		return virtio_patterns;
	return NULL;
}

unsigned lab_trace_class(const char *kind, const char *event)
{
	for (size_t i = 0; kind && i < sizeof(events) / sizeof(events[0]); i++)
		if (!strcmp(events[i].kind, kind) && !strcmp(events[i].event, event))
			return events[i].classes;
	return 0;
}

int lab_trace_prepare(const char *dir, char *path, size_t len, struct lab_error *err)
{
	const struct passwd *pw;
	int fd;

	snprintf(path, len, "%s/%s", dir, LAB_TRACE_FILE);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		lab_error_set_errno(err, errno, "creating %s", path);
		return -1;
	}
	close(fd);
	/* QEMU runs as its own user and opens the file itself (fopen "w") */
	pw = getpwnam(LAB_DISK_QEMU_USER);
	if (pw && chown(path, pw->pw_uid, pw->pw_gid) < 0) {
		lab_error_set_errno(err, errno, "setting the owner of %s", path);
		unlink(path);
		return -1;
	}
	return 0;
}

/* ---- reading -------------------------------------------------------------- */

static int all_digits(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int lab_trace_parse_line(const char *line, double *ts, const char **name, size_t *name_len)
{
	const char *at = strchr(line, '@'), *dot, *colon, *p;

	*ts = -1;
	if (at && all_digits(line, (size_t)(at - line))) {
		dot = strchr(at, '.');
		colon = dot ? strchr(dot, ':') : NULL;
		if (!colon || !all_digits(at + 1, (size_t)(dot - at - 1)) ||
		    !all_digits(dot + 1, (size_t)(colon - dot - 1)) || colon - dot - 1 > 9)
			return -1;
		*ts = strtod(at + 1, NULL);
		p = colon + 1;
	} else {
		p = line;          /* a line without -msg timestamp=on */
	}
	*name = p;
	while (*p == '_' || isdigit((unsigned char)*p) || (*p >= 'a' && *p <= 'z'))
		p++;
	/* a name, then its arguments after a space, or the end of the line */
	if (p == *name || !(*p == ' ' || *p == '\n' || *p == '\0') || !isalpha((unsigned char)**name))
		return -1;
	*name_len = (size_t)(p - *name);
	return 0;
}

static json_object *num_or_null(double num, double den)
{
	return den > 0 ? json_object_new_double(num / den) : NULL;
}

json_object *lab_trace_summary(const char *kind, json_object *ev, long long unmaps,
			       long long bytes)
{
	json_object *o = json_object_new_object();
	int64_t cls[4] = { 0 };

	json_object_object_foreach(ev, name, v) {
		unsigned c = lab_trace_class(kind, name);
		int64_t n = json_object_get_int64(v);

		for (int b = 0; b < 4; b++)
			if (c & (1u << b))
				cls[b] += n;
	}
	json_object_object_add(o, "events", ev);
	json_object_object_add(o, "iotlb_hits", json_object_new_int64(cls[0]));
	json_object_object_add(o, "iotlb_misses", json_object_new_int64(cls[1]));
	json_object_object_add(o, "invalidations", json_object_new_int64(cls[2]));
	json_object_object_add(o, "page_walks", json_object_new_int64(cls[3]));
	json_object_object_add(o, "hit_rate", num_or_null((double)cls[0], (double)(cls[0] + cls[1])));
	json_object_object_add(o, "invalidations_per_unmap",
			       unmaps >= 0 ? num_or_null((double)cls[2], (double)unmaps) : NULL);
	json_object_object_add(o, "invalidations_per_mib",
			       bytes >= 0 ? num_or_null((double)cls[2], (double)bytes / (1 << 20)) : NULL);
	return o;
}

/* A JSON number of a guest's result, or -1. */
static long long count_of(json_object *o, const char *key)
{
	json_object *v = o ? json_object_object_get(o, key) : NULL;

	if (!v || !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return -1;
	return json_object_get_int64(v) < 0 ? -1 : json_object_get_int64(v);
}

/*
 * How many unmaps a probe's window held, and how many bytes it moved:
 * a perf probe says so (ops.unmap; ops.io for block_read, whose unmaps are
 * the DMA API's, one per I/O; bytes). The DMA probes before it do not: a
 * vfio probe that maps its buffer unmaps it exactly once (at the end, or
 * before its second DMA with unmap_first: guests/agent/vfio.c), and a
 * block probe says how many bytes it read.
 */
static void probe_ops(json_object *probe, long long *unmaps, long long *bytes)
{
	json_object *req = json_object_object_get(probe, "request");
	json_object *res = json_object_object_get(probe, "result");
	json_object *ops = res ? json_object_object_get(res, "ops") : NULL;
	const char *mode = lab_scenario_probe_mode(req);
	json_object *map = req ? json_object_object_get(req, "map") : NULL;

	*bytes = count_of(res, "bytes");
	*unmaps = -1;
	if (ops && json_object_is_type(ops, json_type_object)) {
		const char *measure = lab_jsonval_str(res, "measure");

		*unmaps = count_of(ops, measure && !strcmp(measure, "block_read") ? "io" : "unmap");
		if (*unmaps < 0)
			*unmaps = 0;     /* absent keys are 0 (the contract) */
	} else if (!strcmp(mode, "vfio") && res && json_object_is_type(res, json_type_object) &&
		   !(map && !json_object_get_boolean(map))) {
		*unmaps = 1;
	}
}

struct window {
	double start, end;
	json_object *events;    /* {"name": count} */
};

static void add_event(json_object *events, const char *name, size_t len)
{
	char key[LAB_TRACE_LINE_MAX];
	json_object *v;

	snprintf(key, sizeof(key), "%.*s", (int)len, name);
	if (json_object_object_get_ex(events, key, &v))
		json_object_int_inc(v, 1);
	else if (json_object_object_length(events) < 256)    /* bounded: a sane file has a few */
		json_object_object_add(events, key, json_object_new_int64(1));
}

json_object *lab_trace_count(const char *path, const char *kind, json_object *probes,
			     struct lab_error *err)
{
	size_t n = probes && json_object_is_type(probes, json_type_array)
			   ? json_object_array_length(probes) : 0;
	lab_autofree struct window *w = calloc(n ? n : 1, sizeof(*w));
	lab_autofile FILE *f = NULL;
	json_object *boot = json_object_new_object(), *doc;
	char line[LAB_TRACE_LINE_MAX];
	unsigned long long bytes = 0, lines = 0, unparsed = 0, untimed = 0, outside = 0;
	double first = -1;
	int truncated = 0;
	struct stat st;

	f = fopen(path, "re");
	if (!f || !w || fstat(fileno(f), &st) < 0) {
		lab_error_set_errno(err, errno, "reading the trace %s", path);
		json_object_put(boot);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *win = json_object_object_get(json_object_array_get_idx(probes, i), "window");

		w[i].start = json_object_get_double(json_object_object_get(win, "start"));
		w[i].end = json_object_get_double(json_object_object_get(win, "end"));
		if (!win)
			w[i].start = w[i].end = -1;
		else if (first < 0 || w[i].start < first)
			first = w[i].start;
		w[i].events = json_object_new_object();
	}
	for (;;) {
		size_t len = 0, nlen;
		int c, binary = 0;
		const char *name;
		double ts;

		/* one line, cut at the buffer's size (the rest is skipped); a
		 * NUL makes it binary, not a shorter line */
		while ((c = getc_unlocked(f)) != EOF) {
			bytes++;
			if (c == '\n')
				break;
			if (c == '\0')
				binary = 1;
			if (len < sizeof(line) - 1)
				line[len++] = (char)c;
		}
		if (c == EOF && len == 0)
			break;
		line[len] = '\0';
		lines++;
		if (bytes > LAB_TRACE_MAX_BYTES) {
			truncated = 1;
			break;
		}
		if (binary || c == EOF) {
			/* binary, or the last line cut short (QEMU killed mid-line) */
			unparsed++;
			continue;
		}
		if (lab_trace_parse_line(line, &ts, &name, &nlen) < 0) {
			unparsed++;
			continue;
		}
		if (ts < 0) {
			untimed++;
			continue;
		}
		if (first < 0 || ts < first) {
			add_event(boot, name, nlen);
			continue;
		}
		/* windows come in time order: the last one that started before */
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (w[mid].start <= ts)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo > 0 && w[lo - 1].start >= 0 && ts <= w[lo - 1].end)
			add_event(w[lo - 1].events, name, nlen);
		else
			outside++;
	}
	if (ferror(f)) {
		lab_error_set_errno(err, errno, "reading the trace %s", path);
		for (size_t i = 0; i < n; i++)
			json_object_put(w[i].events);
		json_object_put(boot);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *probe = json_object_array_get_idx(probes, i);
		long long unmaps, pbytes;

		if (w[i].start < 0) {
			json_object_put(w[i].events);
			continue;
		}
		probe_ops(probe, &unmaps, &pbytes);
		json_object_object_add(probe, "trace", lab_trace_summary(kind, w[i].events,
									  unmaps, pbytes));
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "file_bytes", json_object_new_int64((int64_t)st.st_size));
	json_object_object_add(doc, "lines", json_object_new_int64((int64_t)lines));
	json_object_object_add(doc, "unparsed", json_object_new_int64((int64_t)unparsed));
	json_object_object_add(doc, "untimed", json_object_new_int64((int64_t)untimed));
	json_object_object_add(doc, "outside", json_object_new_int64((int64_t)outside));
	json_object_object_add(doc, "truncated", json_object_new_boolean(truncated));
	json_object_object_add(doc, "boot", lab_trace_summary(kind, boot, -1, -1));
	return doc;
}
