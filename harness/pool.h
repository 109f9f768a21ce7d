/* SPDX-License-Identifier: MIT */
#ifndef LAB_POOL_H
#define LAB_POOL_H

/*
 * Running many guests: each run in a worker process of its own
 * (`iommu-lab _guest`), at most `jobs` at once, with a progress line, a
 * watchdog past each run's timeout, and SIGINT/SIGTERM passed on so every
 * guest is destroyed. The parent decides skips before booting anything and
 * compares what each guest showed with its expectations.
 */
#include <json.h>

#include "compare.h"
#include "error.h"
#include "hosts.h"
#include "matrix.h"

/* What the pool tells its caller as it goes (it prints nothing itself). */
enum lab_pool_event_kind {
	LAB_POOL_NOTE,       /* note: a slow step starts (fetching a QEMU, building an image) */
	LAB_POOL_RUN_DONE,   /* a run finished or was skipped: name, verdict, duration_s */
	LAB_POOL_TICK,       /* every ~100 ms while runs go on: for a live line */
	LAB_POOL_END,        /* the last run is done */
};

struct lab_pool_event {
	enum lab_pool_event_kind kind;
	const char *note;
	const char *name, *verdict;
	double duration_s;
	size_t done, total, active, failures;
	double eta_s;             /* estimated time left (0 until a run finished) */
};

typedef void (*lab_pool_progress_fn)(const struct lab_pool_event *ev, void *opaque);

struct lab_pool_opts {
	const char *uri;            /* the one host when hosts is NULL or empty */
	const struct lab_hosts *hosts; /* --hosts / repeated --uri: each run goes
				       to one with a free slot (hosts.h) */
	const char *accel;          /* auto | tcg | kvm */
	unsigned jobs;              /* guests at once (a host's own jobs wins) */
	unsigned timeout_s;         /* for runs whose file sets none */
	unsigned stall_s;           /* silence that ends a run (runner.h), 0: none */
	unsigned memory_mib;
	const char *dir;            /* the invocation's results folder */
	int adhoc;                  /* no expectations: observations only */
	int graceful_poweroff;      /* guests power off instead of being destroyed */
	unsigned reconnect_s;       /* libvirt lost under a run: wait this long for
				       it to come back (0: LAB_POOL_RECONNECT_S) */
	lab_pool_progress_fn progress;  /* NULL: quiet */
	void *progress_opaque;
};

#define LAB_POOL_RECONNECT_S 120

/*
 * Run every spec of m. Returns the results object (see results/README.md):
 * {"run_id", "host", "summary", "runs": [...]}, or NULL with err set when the
 * host cannot run them at all (no libvirt, no image: exit 2 material).
 *
 * After every run that finishes, o->dir/results.json holds the runs done so
 * far with "complete": false (written whole: file.h), so a lab killed
 * halfway loses no finished run; the caller writes the complete one.
 * A run whose worker lost libvirt (run.json's "infra") stops new runs, the
 * pool waits up to reconnect_s for libvirt, destroys the guests of its own
 * that outlived the daemon, and runs it once more ("retried": 1, the first
 * attempt in "first_attempt"); libvirt still gone then, every run left
 * ends error with one reason.
 */
json_object *lab_pool_run(const struct lab_matrix *m, const struct lab_pool_opts *o,
			  const char *run_id, struct lab_error *err);

#endif
