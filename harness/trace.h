/* SPDX-License-Identifier: MIT */
#ifndef LAB_TRACE_H
#define LAB_TRACE_H
/*
 * What the emulated IOMMU itself saw: QEMU's trace events for the run's
 * IOMMU, logged to a file during a measured run and counted per probe
 * window afterwards (docs/NOTES.md, "QEMU trace events").
 *
 * A run is traced when it has a probe of mode `perf`, or when the
 * environment says LAB_TRACE=1 (every run: to test the counting with any
 * probe). QEMU writes one line per event, `PID@SEC.USEC:NAME ARGS`
 * (the log backend, with libvirt's `-msg timestamp=on`), SEC.USEC being
 * CLOCK_REALTIME; each probe record carries the window it ran in on the
 * same clock ("window": {"start", "end"}, lab_trace_now), so an event
 * belongs to the probe whose window holds its timestamp. The file is read
 * once, a line at a time, after the guest is gone, and deleted unless
 * LAB_TRACE_KEEP=1; only counts reach the results.
 */
#include <stddef.h>
#include <json.h>
#include "error.h"

/* Read at most this much of a trace file; the rest is reported, not read. */
#define LAB_TRACE_MAX_BYTES (2ULL << 30)
/* A line longer than this is cut there (its event is still counted). */
#define LAB_TRACE_LINE_MAX 512
/* The file in the run's folder QEMU logs to. */
#define LAB_TRACE_FILE "qemu-trace.log"

/* CLOCK_REALTIME in seconds: the clock QEMU stamps trace lines with. */
double lab_trace_now(void);

/* Whether a run with these probes (scenario.h's JSON) is traced: one of
 * mode perf, or LAB_TRACE=1 in the environment. */
int lab_trace_wanted(json_object *probes);
/* Whether to keep the raw trace file (LAB_TRACE_KEEP=1). */
int lab_trace_keep(void);

/* The trace event patterns (globs, as -trace enable= takes them) for an
 * IOMMU kind (intel, amd, smmuv3, virtio), NULL-terminated; NULL for an
 * unknown kind. Only the events counted: no MMIO or notifier events. */
const char *const *lab_trace_patterns(const char *iommu_kind);

/* Create dir/LAB_TRACE_FILE empty for QEMU to write (owned by QEMU's user,
 * mode 0600) and put its path in path. */
int lab_trace_prepare(const char *dir, char *path, size_t len, struct lab_error *err);

/* The classes events are counted into. */
enum {
	LAB_TRACE_HIT = 1,      /* an IOTLB lookup that hit */
	LAB_TRACE_MISS = 2,     /* one that missed (the walk that filled it) */
	LAB_TRACE_INVAL = 4,    /* an IOTLB invalidation command */
	LAB_TRACE_WALK = 8,     /* a page-table walk (or virtio-iommu's lookup) */
};
/* The classes of an event for an IOMMU kind (0: counted only by name). */
unsigned lab_trace_class(const char *iommu_kind, const char *event);

/* One parsed line: its timestamp and event name (name points into line,
 * name_len long). Returns 0, or -1 for a line that is not a timestamped
 * event (garbage, a truncated line, a line without -msg timestamp=on). */
int lab_trace_parse_line(const char *line, double *ts, const char **name, size_t *name_len);

/* The totals a set of per-event counts makes for an IOMMU kind, and the
 * rates: {"events": {...}, "iotlb_hits", "iotlb_misses", "invalidations",
 * "page_walks", "hit_rate", "invalidations_per_unmap",
 * "invalidations_per_mib"}. events is taken. unmaps < 0 or bytes < 0:
 * unknown (the rate is null). */
json_object *lab_trace_summary(const char *iommu_kind, json_object *events,
			       long long unmaps, long long bytes);

/*
 * Count the events of the trace file at path per probe window: each probe
 * record of probes (runner.h's [{name, request, result, window}]) gets
 * "trace" (lab_trace_summary; null rates where the probe's result does
 * not say how many unmaps or bytes). Returns a document for the run:
 * {"file_bytes", "lines", "unparsed", "untimed", "truncated": bool,
 * "boot": {counts before the first window}, "outside": N events in no
 * window}, or NULL with err set when the file cannot be read.
 */
json_object *lab_trace_count(const char *path, const char *iommu_kind, json_object *probes,
			     struct lab_error *err);

#endif
