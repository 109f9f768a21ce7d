/* SPDX-License-Identifier: MIT */
#ifndef LAB_POOL_INTERNAL_H
#define LAB_POOL_INTERNAL_H

/*
 * What the pool's files share, and nothing else includes (the public API
 * is pool.h): pool.c runs the loop (preflight and skips, the workers, each
 * run's row, results.json, progress and notes); pool_hosts.c decides which
 * host a run goes to and what it needs there (the hosts and their versions,
 * uploads, placement); pool_outage.c handles a host whose libvirt is lost
 * and found (the run it took queued again, the wait for it, the guests
 * that outlived its daemon destroyed).
 *
 * Names shared between these files start with pool_; each file's own
 * helpers are static and unprefixed.
 */
#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include <json.h>
#include <libvirt/libvirt.h>

#include "error.h"
#include "hosts.h"
#include "matrix.h"
#include "owner.h"
#include "pool.h"
#include "qemu.h"
#include "store.h"

#define WATCHDOG_GRACE_S 60   /* past a run's own timeout, the worker is killed */
#define POLL_MS 100

#define MAX_QEMUS 8           /* distinct QEMU builds in one invocation */
#define MAX_ARTEFACTS 32      /* distinct files uploaded to one host */
#define RECONNECT_EVERY_S 2   /* libvirt lost: how often to try it again */
#define PING_TIMEOUT_S 10     /* a try that takes longer: the daemon hangs */

/* One libvirt host the runs go to (hosts.h), as the pool sees it. */
struct phost {
	const char *uri;
	unsigned jobs, active;
	int upload;                    /* artefacts through the storage API */
	const char *pool_dir;
	char qemu[32], libvirt[32];    /* its versions */
	struct {
		char *local;           /* a file on the lab machine */
		char vol[PATH_MAX];    /* its volume's path on the host */
	} art[MAX_ARTEFACTS];
	size_t nart;
	json_object *uploads;          /* [{file, volume, bytes, seconds}] */
	/* its libvirt lost (a worker's run.json said "infra"): no run goes
	 * there while the pool waits for it (wait_for_host, pool_outage.c); gone: for good */
	int down, gone;
	double down_since, last_try;
	int down_shown;                /* the last "still waiting" mark said */
	char down_why[256];
	pid_t ping;                    /* the `_ping` asking it, or 0 */
	double ping_started;
	int ping_done, ping_status;
};

/* What the parent knows of one run. */
struct slot {
	const struct lab_run_spec *spec;
	const struct lab_qemu *qemu;   /* the QEMU it runs on */
	char arch[16];                 /* the guest's architecture */
	char dir[PATH_MAX];
	char kernel[128];          /* guest kernel release */
	const char *accel;
	char accel_why[256];
	char skip[512];            /* non-empty: skipped, and why */
	struct phost *host;        /* where it runs (NULL until dispatched) */
	char img_kernel[PATH_MAX], img_initrd[PATH_MAX]; /* the guest's files here */
	char *firmware;            /* the platform's, or NULL */
	int disks;                 /* it gets the block probes' disks */
	pid_t pid;
	double started, deadline;
	int done;
	json_object *result;
	int requeued;              /* lost to its host: to run once more */
	json_object *first_attempt; /* {status, reason, infra, host, dir} of that loss */
};

struct pool {
	const struct lab_pool_opts *o;
	const struct lab_matrix *m;
	struct slot *slots;
	char qemu[32], libvirt[32];    /* the host's (libvirt's default QEMU) */
	struct lab_qemu qemus[MAX_QEMUS];
	size_t nqemus;
	struct phost hosts[LAB_HOSTS_MAX];
	size_t nhosts;
	unsigned jobs;             /* summed over the hosts */
	char *disk_base;           /* the block probes' base image here, or NULL */
	size_t done, failures, active;
	double busy_s;             /* summed duration of the runs that booted */
	size_t booted;
	double started;
	struct lab_owner owner;    /* this lab, in its guests' <metadata> */
	const char *run_id;
	char started_at[32];
	char results_error[512];   /* the last partial results.json that failed */
};

/* ---- telling the caller, a run's row (pool.c) ---------------------------------- */

/* A note for the caller (LAB_POOL_NOTE), printf-formatted. */
void pool_notef(struct pool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* o[key] = v as a JSON string ("" for NULL). */
void pool_set_str(json_object *o, const char *key, const char *v);

/* ---- hosts: which host a run goes to, and what it needs there (pool_hosts.c) ---- */

/* Every host connected and asked its versions; the first host's connection. */
virConnectPtr pool_hosts_init(struct pool *p, struct lab_error *err);
/* Does the run get the block probes' disks? */
int pool_run_needs_disks(const struct lab_run_spec *r);
/* Every artefact the runs need, onto each upload host, once per content. */
int pool_upload_all(struct pool *p, struct lab_error *err);
/* s->skip set when s needs a host without upload and there is none. */
void pool_skip_unplaceable(struct pool *p, struct slot *s);
/* The QEMU version a run has on its host. */
const char *pool_run_qemu_version(const struct pool *p, const struct slot *s);
/* The next run to start, its host chosen; NULL: nothing can start now. */
struct slot *pool_next_run(struct pool *p);
/* The run's volumes on its upload host, for its worker's spec. */
void pool_store_run(const struct pool *p, const struct slot *s, struct lab_store_run *st,
		    char *prefix, size_t len);
/* The hosts for results.json: uri, jobs, versions, uploads. */
json_object *pool_hosts_json(const struct pool *p);
/* What preflight and the uploads allocated, freed. */
void pool_hosts_clear(struct pool *p);

/* ---- a host lost and found (pool_outage.c) -------------------------------------- */

/* 1 with why filled when the worker's run.json says its host failed the run. */
int pool_lost_to_host(const struct slot *s, char *why, size_t len);
/* h marked lost under s's run: no run goes there until its libvirt answers. */
void pool_host_lost(struct pool *p, struct phost *h, const struct slot *s, const char *why);
/* s lost to its host the first time: its folder kept, the run queued again. */
void pool_requeue(struct pool *p, struct slot *s, const char *why);
/* The lost hosts each waited for; 1 when no host is left at all. */
int pool_tend_hosts(struct pool *p, char *why, size_t len);
/* 1 when pid was a host's `_ping` (its answer recorded), else 0. */
int pool_reap_ping(struct pool *p, pid_t pid, int wstatus);
/* h's `_ping`, if one runs, killed and reaped. */
void pool_ping_stop(struct phost *h);

#endif
