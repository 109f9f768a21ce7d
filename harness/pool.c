/* SPDX-License-Identifier: MIT */
#include "pool.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "accel.h"
#include "disk.h"
#include "evaluate.h"
#include "file.h"
#include "owner.h"
#include "perf.h"
#include "clock.h"
#include "image.h"
#include "paths.h"
#include "platform.h"
#include "qemu.h"
#include "runner.h"
#include "scenario.h"
#include "store.h"
#include "topology.h"
#include "virt.h"
#include "worker.h"

extern char **environ;

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
	 * there while the pool waits for it (wait_for_host); gone: for good */
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


/* ---- before anything boots --------------------------------------------------- */

/* Skips that can be decided on the host: the scenario says so, a condition
 * does not hold, the guest kernel lacks a module the platform needs, QEMU
 * lacks an IOMMU property the run sets. */
static void decide_skip(struct pool *p, struct slot *s, const struct lab_platform *pf,
			const struct lab_image *img)
{
	const struct lab_run_spec *r = s->spec;

	if (lab_matrix_run_skipped(r, s->qemu->version, p->libvirt, img->version, s->skip,
				   sizeof(s->skip)))
		return;
	if (pf->needs_module) {
		const char *state = lab_image_module(img, pf->needs_module);

		if (!state || !strcmp(state, "absent")) {
			snprintf(s->skip, sizeof(s->skip),
				 "guest kernel %s has no %s driver (not built, not a module)",
				 img->version, pf->needs_module);
			return;
		}
	}
	{
		struct lab_qemu_emulator e;
		struct lab_error err = { 0 };

		if (lab_qemu_emulator(s->qemu, pf->arch, &e, &err) < 0) {
			snprintf(s->skip, sizeof(s->skip), "%s", err.msg);
			return;
		}
	}
	if (r->qemu) {
		json_object_object_foreach(r->qemu, key, val) {
			struct lab_error err = { 0 };
			int has = lab_qemu_has_property(s->qemu, pf->arch, pf->iommu_driver, key,
							&err);

			(void)val;
			if (has == 0) {
				snprintf(s->skip, sizeof(s->skip), "QEMU %s: %s has no property '%s'",
					 s->qemu->version, pf->iommu_driver, key);
				return;
			}
			if (has < 0) {
				snprintf(s->skip, sizeof(s->skip), "%s", err.msg);
				return;
			}
		}
	}
}

/* ---- telling the caller ---------------------------------------------------------- */

static void note(struct pool *p, const char *text)
{
	struct lab_pool_event ev = { .kind = LAB_POOL_NOTE, .note = text };

	if (p->o->progress)
		p->o->progress(&ev, p->o->progress_opaque);
}

static void notef(struct pool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void notef(struct pool *p, const char *fmt, ...)
{
	char text[PATH_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	note(p, text);
}

static void progress_event(struct pool *p, enum lab_pool_event_kind kind, const struct slot *last)
{
	struct lab_pool_event ev = { .kind = kind, .done = p->done, .total = p->m->nruns,
				     .active = p->active, .failures = p->failures };

	if (!p->o->progress)
		return;
	if (p->booted)
		ev.eta_s = (double)(ev.total - p->done) * (p->busy_s / (double)p->booted) /
			   (p->jobs ? p->jobs : 1);
	if (last) {
		ev.name = last->spec->name;
		ev.verdict = json_object_get_string(json_object_object_get(last->result, "verdict"));
		ev.duration_s = json_object_get_double(json_object_object_get(last->result,
									      "duration_s"));
	}
	p->o->progress(&ev, p->o->progress_opaque);
}

/* Does a run that will boot have a block probe? */
static int needs_disks(const struct pool *p)
{
	for (size_t i = 0; i < p->m->nruns; i++)
		if (!p->slots[i].skip[0] && lab_scenario_probes_need_disks(p->m->runs[i].probes))
			return 1;
	return 0;
}

/* The disk image block probes read, built here once rather than by
 * several workers at the same time (libguestfs boots an appliance under
 * TCG: ~30 s the first time, then cached). */
static int make_disk_base(struct pool *p, struct lab_error *err)
{
	char *path = NULL;
	struct stat st;
	int fresh = stat(lab_paths_disks(), &st) < 0;

	if (fresh)
		note(p, "building the disk image for block probes with libguestfs (once, about 30 s)");
	if (lab_disk_base(lab_paths_disks(), &path, err) < 0)
		return -1;
	p->disk_base = path;
	return 0;
}

/* A kernel the user built gets its image on first use (images/build.sh). */
static int build_custom(struct pool *p, const struct slot *s, const struct lab_platform *pf,
			struct lab_error *err)
{
	char agent[PATH_MAX], log[PATH_MAX + 32];

	snprintf(agent, sizeof(agent), "%s/build/agent-%s", lab_paths_root(), pf->arch);
	snprintf(log, sizeof(log), "%s/image-%s-%s.log", p->o->dir, pf->image, s->spec->suite);
	notef(p, "building the %s image of %s (log: %s)", pf->image, s->spec->kernel_path, log);
	return lab_image_build_custom(lab_paths_images(), pf->image, agent, s->spec->suite,
				      s->spec->kernel_path, s->spec->modules_path, log, err);
}

/* The run's QEMU build, fetched (a Debian suite's, once) and asked its
 * version the first time the invocation meets it. */
static const struct lab_qemu *qemu_of(struct pool *p, const struct lab_run_spec *r,
				      struct lab_error *err)
{
	const char *spec = r->qemu_build ? r->qemu_build : LAB_QEMU_SYSTEM;
	const char *name = r->qemu_name ? r->qemu_name : LAB_QEMU_SYSTEM;
	struct lab_qemu *q;

	for (size_t i = 0; i < p->nqemus; i++)
		if (!strcmp(p->qemus[i].name, name))
			return &p->qemus[i];
	if (p->nqemus == MAX_QEMUS) {
		lab_error_set(err, "more than %d QEMUs in one invocation", MAX_QEMUS);
		return NULL;
	}
	q = &p->qemus[p->nqemus];
	if (lab_qemu_is_suite(spec) && strcmp(spec, LAB_QEMU_SYSTEM)) {
		char log[PATH_MAX + 32];

		snprintf(log, sizeof(log), "%s/qemu-%s.log", p->o->dir, spec);
		notef(p, "QEMU %s: fetching it as Debian packages if not cached (images/qemu.sh; "
		      "log: %s)", spec, log);
		if (lab_qemu_fetch(lab_paths_images(), spec, log, err) < 0)
			return NULL;
	}
	if (lab_qemu_lookup(lab_paths_images(), spec, q, err) < 0)
		return NULL;
	if (!q->version[0])
		snprintf(q->version, sizeof(q->version), "%s", p->qemu);
	p->nqemus++;
	return q;
}

/* ---- hosts: which host a run goes to, and what it needs there -------------------- */

/* The hosts of this invocation (--hosts, --uri), each asked its versions;
 * the first one's are p->qemu, p->libvirt (what skips are decided with
 * first). Returns the first host's connection (for the accelerator). */
static virConnectPtr hosts_init(struct pool *p, struct lab_error *err)
{
	const struct lab_hosts *hs = p->o->hosts;
	struct lab_host one = { .uri = (char *)(p->o->uri ? p->o->uri : LAB_VIRT_DEFAULT_URI) };
	size_t n = hs && hs->n ? hs->n : 1;
	virConnectPtr first = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct lab_host *h = hs && hs->n ? &hs->v[i] : &one;
		struct phost *ph = &p->hosts[i];
		virConnectPtr conn = lab_virt_connect(h->uri, err);

		if (!conn) {
			lab_error_prefix(err, "host %s", h->uri);
			if (first)
				virConnectClose(first);
			return NULL;
		}
		ph->uri = h->uri;
		ph->jobs = h->jobs ? h->jobs : (p->o->jobs ? p->o->jobs : 1);
		ph->upload = lab_host_uploads(h);
		ph->pool_dir = lab_host_pool_dir(h);
		ph->uploads = json_object_new_array();
		lab_virt_versions(conn, ph->libvirt, sizeof(ph->libvirt), ph->qemu, sizeof(ph->qemu));
		p->jobs += ph->jobs;
		p->nhosts++;
		if (i == 0)
			first = conn;
		else
			virConnectClose(conn);
	}
	snprintf(p->libvirt, sizeof(p->libvirt), "%s", p->hosts[0].libvirt);
	snprintf(p->qemu, sizeof(p->qemu), "%s", p->hosts[0].qemu);
	return first;
}

/* Runs on a QEMU other than the host's (bookworm, backports, a path) use
 * a private prefix on this machine: only a host that takes this machine's
 * paths as they are can run them. */
static int private_qemu(const struct slot *s)
{
	return strcmp(s->qemu->name, LAB_QEMU_SYSTEM) != 0;
}

/* Does the run get the block probes' disks (the runner's own test)? */
static int run_needs_disks(const struct lab_run_spec *r)
{
	struct lab_topology *t;
	int yes;

	if (lab_scenario_probes_need_disks(r->probes))
		return 1;
	if (!r->topology)
		return 0;
	t = lab_topology_from_json(r->topology, NULL);
	yes = t && (lab_topology_first(t, LAB_TOPO_VIRTIO_BLK) >= 0 ||
		    lab_topology_first(t, LAB_TOPO_NVME) >= 0);
	lab_topology_free(t);
	return yes;
}

static const char *volume_of(const struct phost *h, const char *file)
{
	for (size_t i = 0; file && i < h->nart; i++)
		if (!strcmp(h->art[i].local, file))
			return h->art[i].vol;
	return NULL;
}

static long long size_of(const char *file)
{
	struct stat sb;

	return stat(file, &sb) < 0 ? -1 : (long long)sb.st_size;
}

/* One file onto one host, once per content (store.h), timed. */
static int put(struct phost *h, struct lab_store *st, const char *file,
	       struct lab_error *err)
{
	double t0 = lab_clock_now();
	long long sent = 0;
	json_object *o;

	if (!file || volume_of(h, file))
		return 0;
	if (h->nart == MAX_ARTEFACTS) {
		lab_error_set(err, "host %s: more than %d files to upload", h->uri, MAX_ARTEFACTS);
		return -1;
	}
	if (lab_store_put(st, file, h->art[h->nart].vol, sizeof(h->art[h->nart].vol), &sent,
			  err) < 0) {
		lab_error_prefix(err, "host %s", h->uri);
		return -1;
	}
	h->art[h->nart++].local = strdup(file);
	o = json_object_new_object();
	json_object_object_add(o, "file", json_object_new_string(file));
	json_object_object_add(o, "volume", json_object_new_string(h->art[h->nart - 1].vol));
	json_object_object_add(o, "size", json_object_new_int64(size_of(file)));
	json_object_object_add(o, "bytes", json_object_new_int64(sent));
	json_object_object_add(o, "seconds", json_object_new_double(lab_clock_now() - t0));
	json_object_array_add(h->uploads, o);
	return 0;
}

/* Before any worker starts: every artefact a run that may land on an
 * upload host needs, into that host's pool (created when missing). */
static int upload_all(struct pool *p, struct lab_error *err)
{
	for (size_t i = 0; i < p->nhosts; i++) {
		struct phost *h = &p->hosts[i];
		struct lab_store st = { 0 };
		virConnectPtr conn;
		double t0 = lab_clock_now();
		long long bytes = 0;
		int rc = 0;

		if (!h->upload)
			continue;
		notef(p, "host %s: uploading what its guests need to storage pool %s (%s), "
		      "once per content", h->uri, LAB_STORE_POOL, h->pool_dir);
		conn = lab_virt_connect(h->uri, err);
		if (!conn)
			return -1;
		if (lab_store_open(conn, h->pool_dir, &st, err) < 0) {
			lab_error_prefix(err, "host %s", h->uri);
			virConnectClose(conn);
			return -1;
		}
		for (size_t j = 0; rc == 0 && j < p->m->nruns; j++) {
			struct slot *s = &p->slots[j];

			if (s->skip[0] || private_qemu(s))
				continue;
			rc = put(h, &st, s->img_kernel, err) < 0 ||
			     put(h, &st, s->img_initrd, err) < 0 ||
			     put(h, &st, s->firmware, err) < 0 ||
			     (s->disks && put(h, &st, p->disk_base, err) < 0) ? -1 : 0;
		}
		lab_store_close(&st);
		virConnectClose(conn);
		if (rc < 0)
			return -1;
		for (size_t k = 0; k < json_object_array_length(h->uploads); k++)
			bytes += json_object_get_int64(json_object_object_get(
				json_object_array_get_idx(h->uploads, k), "bytes"));
		notef(p, "host %s: %zu files in place, %.1f MiB uploaded in %.1f s", h->uri, h->nart,
		      (double)bytes / (1 << 20), lab_clock_now() - t0);
	}
	return 0;
}

/* A run on a private QEMU needs a host without upload; say so when none. */
static void skip_unplaceable(struct pool *p, struct slot *s)
{
	if (s->skip[0] || !private_qemu(s))
		return;
	for (size_t i = 0; i < p->nhosts; i++)
		if (!p->hosts[i].upload)
			return;
	snprintf(s->skip, sizeof(s->skip),
		 "QEMU %s is a build on the lab machine (not a host's own): it runs only on a "
		 "host that shares the lab machine's files, and every host listed uploads",
		 s->qemu->name);
}

/* The QEMU version a run has on its host. */
static const char *run_qemu_version(const struct pool *p, const struct slot *s)
{
	if (s->host && !private_qemu(s))
		return s->host->qemu;
	return s->qemu->version[0] ? s->qemu->version : p->qemu;
}

/*
 * The next run to start and its host: in matrix order, the first run not
 * started yet that a host with a free slot can take (the least loaded
 * one; a private QEMU's run only a host without upload). A skipped run
 * comes back with no host. On a host whose QEMU or libvirt differs from
 * the first host's, the run's `when:` is judged again with that host's
 * versions (a skip there names the host). NULL: nothing can start now.
 */
static struct slot *next_run(struct pool *p)
{
	for (size_t i = 0; i < p->m->nruns; i++) {
		struct slot *s = &p->slots[i];
		struct phost *best = NULL;

		if (s->done || s->pid > 0)
			continue;
		if (s->skip[0])
			return s;
		for (size_t j = 0; j < p->nhosts; j++) {
			struct phost *h = &p->hosts[j];

			if (h->down || h->gone || h->active >= h->jobs ||
			    (h->upload && private_qemu(s)))
				continue;
			if (!best || h->active * best->jobs < best->active * h->jobs)
				best = h;
		}
		if (!best)
			continue;
		s->host = best;
		if (strcmp(best->qemu, p->qemu) || strcmp(best->libvirt, p->libvirt)) {
			char why[400];

			if (lab_matrix_run_skipped(s->spec, run_qemu_version(p, s), best->libvirt,
						   s->kernel, why, sizeof(why)))
				snprintf(s->skip, sizeof(s->skip), "on %s: %s", best->uri, why);
		}
		return s;
	}
	return NULL;
}

/* The run's volumes on an upload host, for its worker. */
static void store_run(const struct pool *p, const struct slot *s, struct lab_store_run *st,
		      char *prefix, size_t len)
{
	char hostname[128] = "";

	gethostname(hostname, sizeof(hostname) - 1);
	lab_store_run_prefix(prefix, len, hostname, getpid(), s->spec->name);
	st->kernel = volume_of(s->host, s->img_kernel);
	st->initrd = volume_of(s->host, s->img_initrd);
	st->firmware = volume_of(s->host, s->firmware);
	st->disk_base = s->disks ? volume_of(s->host, p->disk_base) : NULL;
	st->local_base = st->disk_base ? p->disk_base : NULL;
	st->prefix = prefix;
}

static json_object *hosts_json(const struct pool *p)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < p->nhosts; i++) {
		const struct phost *h = &p->hosts[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "uri", json_object_new_string(h->uri));
		json_object_object_add(o, "jobs", json_object_new_int((int)h->jobs));
		json_object_object_add(o, "upload", json_object_new_boolean(h->upload));
		json_object_object_add(o, "qemu", json_object_new_string(h->qemu));
		json_object_object_add(o, "libvirt", json_object_new_string(h->libvirt));
		json_object_object_add(o, "uploads", json_object_get(h->uploads));
		json_object_array_add(a, o);
	}
	return a;
}

static void hosts_clear(struct pool *p)
{
	for (size_t i = 0; i < p->nhosts; i++) {
		for (size_t j = 0; j < p->hosts[i].nart; j++)
			free(p->hosts[i].art[j].local);
		json_object_put(p->hosts[i].uploads);
	}
	for (size_t i = 0; i < p->m->nruns; i++)
		free(p->slots[i].firmware);
	free(p->disk_base);
}

static int preflight(struct pool *p, struct lab_error *err)
{
	struct {
		char arch[16];
		const char *accel;
		char why[256];
	} accels[4] = { 0 };
	virConnectPtr conn = hosts_init(p, err);

	if (!conn)
		return -1;
	for (size_t i = 0; i < p->m->nruns; i++) {
		struct slot *s = &p->slots[i];
		struct lab_platform *pf;
		struct lab_image img;
		size_t a;

		s->spec = &p->m->runs[i];
		snprintf(s->dir, sizeof(s->dir), "%s/%s", p->o->dir, s->spec->name);
		s->qemu = qemu_of(p, s->spec, err);
		if (!s->qemu)
			goto fail;
		pf = lab_platform_load(lab_paths_platforms(), s->spec->platform, err);
		if (!pf)
			goto fail;
		snprintf(s->arch, sizeof(s->arch), "%s", pf->arch);
		if (s->spec->kernel_path &&
		    lab_image_find(lab_paths_images(), pf->image, s->spec->suite, &img, NULL) < 0 &&
		    build_custom(p, s, pf, err) < 0) {
			lab_platform_free(pf);
			goto fail;
		}
		if (lab_image_find(lab_paths_images(), pf->image, s->spec->suite, &img, err) < 0) {
			lab_platform_free(pf);
			goto fail;
		}
		snprintf(s->kernel, sizeof(s->kernel), "%s", img.version);
		snprintf(s->img_kernel, sizeof(s->img_kernel), "%s", img.kernel);
		snprintf(s->img_initrd, sizeof(s->img_initrd), "%s", img.initrd);
		s->firmware = pf->firmware ? strdup(pf->firmware) : NULL;
		s->disks = run_needs_disks(s->spec);
		decide_skip(p, s, pf, &img);
		skip_unplaceable(p, s);
		/* one accelerator decision per guest architecture */
		for (a = 0; a < 4 && accels[a].accel && strcmp(accels[a].arch, pf->arch); a++)
			;
		if (a < 4 && !accels[a].accel && !s->skip[0]) {
			char probe[PATH_MAX + 32];

			snprintf(accels[a].arch, sizeof(accels[a].arch), "%s", pf->arch);
			snprintf(probe, sizeof(probe), "%s/kvm-probe-%s", p->o->dir, pf->arch);
			accels[a].accel = lab_accel_resolve(conn, p->o->accel, pf->name, pf->arch,
							    probe, accels[a].why,
							    sizeof(accels[a].why), err);
			if (!accels[a].accel) {
				lab_platform_free(pf);
				goto fail;
			}
		}
		if (a < 4 && accels[a].accel) {
			s->accel = accels[a].accel;
			snprintf(s->accel_why, sizeof(s->accel_why), "%s", accels[a].why);
		}
		lab_platform_free(pf);
	}
	if (needs_disks(p) && make_disk_base(p, err) < 0)
		goto fail;
	if (upload_all(p, err) < 0)
		goto fail;
	virConnectClose(conn);
	return 0;
fail:
	virConnectClose(conn);
	return -1;
}

/* ---- workers -------------------------------------------------------------------- */

static int spawn(struct pool *p, struct slot *s)
{
	const struct lab_run_spec *r = s->spec;
	struct lab_qemu_emulator e;
	struct lab_run_opts o = {
		.name = r->name, .platform = r->platform, .suite = r->suite, .accel = s->accel,
		.append = r->append, .probes = r->probes, .topology = r->topology, .dir = s->dir,
		.qemu_opts = r->qemu && json_object_object_length(r->qemu) ? r->qemu : NULL,
		.machine_opts = r->machine && json_object_object_length(r->machine) ? r->machine : NULL,
		.timeout_s = r->timeout_s ? r->timeout_s : p->o->timeout_s,
		.stall_s = p->o->stall_s,
		.memory_mib = r->memory_mib ? r->memory_mib : p->o->memory_mib,
		.graceful_poweroff = p->o->graceful_poweroff,
		.owner = p->owner.pid ? &p->owner : NULL,
	};
	char specpath[PATH_MAX + 16], log[PATH_MAX + 16], prefix[256];
	struct lab_store_run st;
	/* the running binary itself, even if a rebuild replaced the file */
	char exe[] = "/proc/self/exe";
	char *argv[] = { "iommu-lab", "_guest", specpath, NULL };
	posix_spawn_file_actions_t fa;
	json_object *spec;
	int rc;

	if (mkdir(s->dir, 0755) < 0 && errno != EEXIST)
		return -1;
	/* resolved here once, for the worker to use as it is (decide_skip
	 * already saw that this QEMU has the guest's architecture) */
	if (lab_qemu_emulator(s->qemu, s->arch, &e, NULL) == 0 && e.binary[0])
		o.emulator = &e;
	if (s->host->upload) {
		store_run(p, s, &st, prefix, sizeof(prefix));
		o.store = &st;
	}
	snprintf(specpath, sizeof(specpath), "%s/spec.json", s->dir);
	snprintf(log, sizeof(log), "%s/worker.log", s->dir);
	spec = lab_worker_spec_new(&o, s->host->uri);
	rc = lab_worker_write(specpath, spec, NULL);
	json_object_put(spec);
	if (rc < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	rc = posix_spawn(&s->pid, exe, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		errno = rc;
		return -1;
	}
	s->started = lab_clock_now();
	s->deadline = s->started + o.timeout_s + WATCHDOG_GRACE_S;
	p->active++;
	s->host->active++;
	return 0;
}

/* ---- results ------------------------------------------------------------------- */

static json_object *base_result(struct pool *p, const struct slot *s)
{
	const struct lab_run_spec *r = s->spec;
	json_object *o = json_object_new_object();
	const char *rel = s->dir + strlen(p->o->dir) + 1;

	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "index", json_object_new_int64(
		(int64_t)lab_matrix_index(p->m, (size_t)(s - p->slots))));
	json_object_object_add(o, "matrix", json_object_new_string(r->matrix));
	json_object_object_add(o, "variant", json_object_new_string(r->variant));
	json_object_object_add(o, "platform", json_object_new_string(r->platform));
	json_object_object_add(o, "kernel", json_object_new_string(r->suite));
	json_object_object_add(o, "kernel_version", json_object_new_string(s->kernel));
	json_object_object_add(o, "qemu_build", json_object_new_string(s->qemu->name));
	json_object_object_add(o, "qemu_version", json_object_new_string(run_qemu_version(p, s)));
	json_object_object_add(o, "host", s->host ? json_object_new_string(s->host->uri) : NULL);
	json_object_object_add(o, "file", r->file ? json_object_new_string(r->file) : NULL);
	json_object_object_add(o, "line", json_object_new_int(r->line));
	json_object_object_add(o, "append", r->append ? json_object_new_string(r->append) : NULL);
	json_object_object_add(o, "qemu", json_object_get(r->qemu));
	json_object_object_add(o, "dir", json_object_new_string(rel));
	return o;
}

static void set_str(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v ? v : ""));
}

static void finish_slot(struct pool *p, struct slot *s, int wstatus)
{
	struct lab_env env = { run_qemu_version(p, s), s->host ? s->host->libvirt : p->libvirt,
			       s->kernel, s->spec->platform };
	json_object *o = base_result(p, s), *run;
	char path[PATH_MAX + 16];
	const char *verdict;

	snprintf(path, sizeof(path), "%s/run.json", s->dir);
	run = json_object_from_file(path);
	if (!run) {
		char why[256];

		snprintf(why, sizeof(why), "worker %s %d without a result; see %s/worker.log",
			 WIFSIGNALED(wstatus) ? "killed by signal" : "exited",
			 WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : WEXITSTATUS(wstatus),
			 s->spec->name);
		run = json_object_new_object();
		set_str(run, "status", lab_run_status_name(LAB_RUN_ERROR));
		set_str(run, "detail", why);
	}
	json_object_object_add(o, "duration_s", json_object_new_double(lab_clock_now() - s->started));
	json_object_object_add(o, "accel", json_object_new_string(s->accel ? s->accel : "?"));
	json_object_object_add(o, "accel_reason", json_object_new_string(s->accel_why));
	json_object_object_add(o, "timeline",
			       json_object_get(json_object_object_get(run, "timeline")));
	lab_evaluate_run(o, s->spec, &env, run, p->o->adhoc);
	json_object_put(run);
	if (s->first_attempt) {
		json_object_object_add(o, "retried", json_object_new_int(1));
		json_object_object_add(o, "first_attempt", json_object_get(s->first_attempt));
	}
	s->result = o;
	s->done = 1;
	p->done++;
	p->booted++;
	p->busy_s += lab_clock_now() - s->started;
	verdict = json_object_get_string(json_object_object_get(o, "verdict"));
	if (lab_verdict_parse(verdict) != LAB_VERDICT_PASS)
		p->failures++;
}

/* A run that never booted: skipped, or lost to an error or an interrupt. */
static void skip_slot(struct pool *p, struct slot *s, enum lab_run_status status,
		      enum lab_verdict verdict, const char *reason)
{
	json_object *o = base_result(p, s);

	json_object_object_add(o, "duration_s", json_object_new_double(0));
	lab_evaluate_not_run(o, status, verdict, reason);
	if (s->first_attempt) {
		json_object_object_add(o, "retried", json_object_new_int(0));
		json_object_object_add(o, "first_attempt", json_object_get(s->first_attempt));
	}
	s->result = o;
	s->done = 1;
	p->done++;
}

/* ---- a host lost and found (pool.h) ----------------------------------------------- */

/* The "infra" of a worker's run.json: the host failed the run. */
static int lost_to_host(const struct slot *s, char *why, size_t len)
{
	char path[PATH_MAX + 16];
	json_object *run, *infra;
	int lost = 0;

	snprintf(path, sizeof(path), "%s/run.json", s->dir);
	run = json_object_from_file(path);
	infra = run ? json_object_object_get(run, "infra") : NULL;
	if (infra && json_object_get_string_len(infra)) {
		snprintf(why, len, "%s", json_object_get_string(infra));
		lost = 1;
	}
	json_object_put(run);
	return lost;
}

/* No run goes to h until its libvirt answers again (wait_for_host). */
static void host_lost(struct pool *p, struct phost *h, const struct slot *s, const char *why)
{
	unsigned bound = p->o->reconnect_s ? p->o->reconnect_s : LAB_POOL_RECONNECT_S;

	if (!h->down) {
		h->down = 1;
		h->down_since = lab_clock_now();
		h->last_try = 0;
		h->down_shown = 0;
		snprintf(h->down_why, sizeof(h->down_why), "%s", why);
		notef(p, "libvirt at %s lost under run %s (%s): no new run goes there; waiting up "
		      "to %u s for it%s", h->uri, s->spec->name, why, bound,
		      s->requeued ? ", then that run goes again" : "");
	} else {
		notef(p, "run %s lost to %s too%s", s->spec->name, h->uri,
		      s->requeued ? "; it goes again with the others" : "");
	}
}

/* A run lost to its host the first time: its folder kept as DIR.attempt1,
 * the run queued again (next_run takes it first, on any host up). */
static void requeue(struct pool *p, struct slot *s, const char *why)
{
	char old[PATH_MAX + 16];
	json_object *f = json_object_new_object();

	snprintf(old, sizeof(old), "%s.attempt1", s->dir);
	if (rename(s->dir, old) < 0)
		old[0] = '\0';
	set_str(f, "status", lab_run_status_name(LAB_RUN_ERROR));
	set_str(f, "reason", why);
	json_object_object_add(f, "infra", json_object_new_boolean(1));
	json_object_object_add(f, "host", json_object_new_string(s->host->uri));
	json_object_object_add(f, "duration_s", json_object_new_double(lab_clock_now() - s->started));
	set_str(f, "dir", old[0] ? old + strlen(p->o->dir) + 1 : "");
	s->first_attempt = f;
	s->requeued = 1;
	s->pid = 0;
	host_lost(p, s->host, s, why);
}

/* Is a domain this lab's? Its <metadata> says so, or (a guest started
 * before the metadata) one of this pool's workers' pids is in its name. */
static int own_domain(struct pool *p, virDomainPtr dom)
{
	struct lab_owner o;
	const char *name = virDomainGetName(dom);
	long pid;

	if (!name || strncmp(name, LAB_DOMAIN_PREFIX, strlen(LAB_DOMAIN_PREFIX)))
		return 0;
	if (lab_virt_domain_owner(dom, &o) == 0)
		return !strcmp(o.host, p->owner.host) && o.pid == p->owner.pid &&
		       o.start == p->owner.start;
	pid = lab_owner_domain_pid(name);
	for (size_t i = 0; pid > 0 && i < p->m->nruns; i++)
		if (p->slots[i].pid == pid)
			return 1;
	return 0;
}

/* libvirt back on h: every guest of this lab still running there outlived
 * its worker (no worker runs on h while the pool waits), AUTODESTROY
 * having gone with the old daemon: destroyed by name. */
static int destroy_leftovers(struct pool *p, struct phost *h, virConnectPtr conn)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE), killed = 0;

	for (int i = 0; i < n; i++) {
		if (own_domain(p, doms[i])) {
			const char *name = virDomainGetName(doms[i]);

			if (virDomainDestroy(doms[i]) == 0) {
				notef(p, "destroyed %s on %s, left running by the lost daemon", name,
				      h->uri);
				killed++;
			} else {
				notef(p, "could not destroy %s on %s: %s", name, h->uri,
				      virGetLastErrorMessage());
			}
		}
		virDomainFree(doms[i]);
	}
	free(doms);
	return killed;
}

/* Ask h's libvirt in a process of its own (`iommu-lab _ping URI`): a hung
 * daemon hangs virConnectOpen, and the pool must keep its bound. */
static int ping_start(struct phost *h)
{
	char exe[] = "/proc/self/exe", *uri = (char *)h->uri;
	char *argv[] = { "iommu-lab", "_ping", uri, NULL };
	posix_spawn_file_actions_t fa;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&h->ping, exe, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		h->ping = 0;
		return -1;
	}
	h->ping_started = lab_clock_now();
	h->ping_done = 0;
	return 0;
}

static void ping_stop(struct phost *h)
{
	if (h->ping > 0 && !h->ping_done) {
		kill(h->ping, SIGKILL);
		waitpid(h->ping, NULL, 0);
	}
	h->ping = 0;
}

/* While h is lost and none of its workers runs: ask its libvirt every few
 * seconds. 1 when it is back (and cleaned up), 0 still waiting, -1 the
 * wait is over (h is gone for good). */
static int wait_for_host(struct pool *p, struct phost *h)
{
	double t = lab_clock_now();
	unsigned bound = p->o->reconnect_s ? p->o->reconnect_s : LAB_POOL_RECONNECT_S;
	static const int marks[] = { 10, 30, 60, 120, 300, 600 };
	struct lab_error err = { 0 };
	virConnectPtr conn;

	if (h->active)
		return 0;     /* its other workers notice on their own first */
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (t - h->down_since >= marks[i] && h->down_shown < marks[i] &&
		    (unsigned)marks[i] < bound) {
			h->down_shown = marks[i];
			notef(p, "still waiting for libvirt at %s (%d s of %u s)", h->uri, marks[i],
			      bound);
		}
	if (t - h->down_since > bound) {
		ping_stop(h);
		h->down = 0;
		h->gone = 1;
		return -1;
	}
	if (h->ping > 0 && !h->ping_done) {
		/* it hangs: the daemon accepts and does not answer */
		if (t - h->ping_started >= PING_TIMEOUT_S)
			kill(h->ping, SIGKILL);
		return 0;     /* reaped by the loop */
	}
	if (h->ping > 0 && h->ping_done) {
		int up = WIFEXITED(h->ping_status) && WEXITSTATUS(h->ping_status) == 0;

		h->ping = 0;
		h->last_try = t;
		if (up && (conn = lab_virt_connect(h->uri, &err))) {
			notef(p, "libvirt at %s is back after %.1f s", h->uri, t - h->down_since);
			destroy_leftovers(p, h, conn);
			virConnectClose(conn);
			h->down = 0;
			return 1;
		}
	}
	if (h->ping == 0 && t - h->last_try >= RECONNECT_EVERY_S && ping_start(h) < 0)
		h->last_try = t;
	return 0;
}

/* ---- results so far (pool.h) ------------------------------------------------------ */

static json_object *results_doc(struct pool *p, int complete)
{
	json_object *results = json_object_new_object(), *runs = json_object_new_array();
	json_object *host = json_object_new_object();
	size_t pending = 0;

	json_object_object_add(host, "qemu", json_object_new_string(p->qemu));
	json_object_object_add(host, "libvirt", json_object_new_string(p->libvirt));
	json_object_object_add(host, "hostname", json_object_new_string(p->owner.host));
	json_object_object_add(host, "jobs", json_object_new_int((int)p->jobs));
	json_object_object_add(host, "hosts", hosts_json(p));
	json_object_object_add(results, "run_id", json_object_new_string(p->run_id));
	json_object_object_add(results, "started", json_object_new_string(p->started_at));
	json_object_object_add(results, "duration_s",
			       json_object_new_double(lab_clock_now() - p->started));
	json_object_object_add(results, "host", host);
	json_object_object_add(results, "matrix", lab_matrix_identity(p->m));
	for (size_t i = 0; i < p->m->nruns; i++) {
		if (p->slots[i].result)
			json_object_array_add(runs, json_object_get(p->slots[i].result));
		else
			pending++;
	}
	json_object_object_add(results, "complete", json_object_new_boolean(complete));
	if (!complete)
		json_object_object_add(results, "pending", json_object_new_int64((int64_t)pending));
	json_object_object_add(results, "summary", lab_evaluate_summary(runs));
	json_object_object_add(results, "runs", runs);
	if (complete)
		lab_perf_apply(results, p->m);   /* relations between runs, the perf section */
	return results;
}

/* results.json with the runs done so far: a SIGKILL loses none of them. */
static void write_partial(struct pool *p)
{
	char path[PATH_MAX + 16];
	struct lab_error err = { 0 };
	json_object *doc = results_doc(p, 0);

	snprintf(path, sizeof(path), "%s/results.json", p->o->dir);
	if (lab_file_write_json(path, doc, JSON_C_TO_STRING_PRETTY, &err) < 0) {
		if (strcmp(err.msg, p->results_error))
			notef(p, "%s (the results so far are not saved; each run's folder keeps "
			      "its run.json)", err.msg);
		snprintf(p->results_error, sizeof(p->results_error), "%s", err.msg);
	} else {
		p->results_error[0] = '\0';
	}
	json_object_put(doc);
}

/* Every run not done and not running ends now, with one reason. */
static void end_pending(struct pool *p, enum lab_run_status status, const char *reason)
{
	for (size_t i = 0; i < p->m->nruns; i++) {
		struct slot *s = &p->slots[i];

		if (!s->done && (s->pid <= 0 || s->requeued)) {
			skip_slot(p, s, status, LAB_VERDICT_ERROR, reason);
			if (status != LAB_RUN_INTERRUPTED)
				p->failures++;
		}
	}
}

/* The hosts lost: each waited for; 1 when no host is left at all. */
static int tend_hosts(struct pool *p, char *why, size_t len)
{
	size_t left = 0;

	for (size_t i = 0; i < p->nhosts; i++) {
		struct phost *h = &p->hosts[i];

		if (h->down && wait_for_host(p, h) < 0) {
			unsigned bound = p->o->reconnect_s ? p->o->reconnect_s : LAB_POOL_RECONNECT_S;

			snprintf(why, len, "not run: libvirt at %s did not come back within %u s "
				 "(%s)", h->uri, bound, h->down_why);
			notef(p, "%s; no run goes there any more", why);
		}
		left += !h->gone;
	}
	return left == 0;
}

/* A `_ping` that ended: its host's answer. */
static int reap_ping(struct pool *p, pid_t pid, int wstatus)
{
	for (size_t j = 0; j < p->nhosts; j++)
		if (pid == p->hosts[j].ping) {
			p->hosts[j].ping_done = 1;
			p->hosts[j].ping_status = wstatus;
			return 1;
		}
	return 0;
}

/* ---- the loop ------------------------------------------------------------------- */

static void kill_workers(struct pool *p, int sig)
{
	for (size_t i = 0; i < p->m->nruns; i++)
		if (p->slots[i].pid > 0 && !p->slots[i].done)
			kill(p->slots[i].pid, sig);
}

json_object *lab_pool_run(const struct lab_matrix *m, const struct lab_pool_opts *o,
			  const char *run_id, struct lab_error *err)
{
	struct pool p = { .o = o, .m = m, .run_id = run_id };
	json_object *results;
	int forwarded = 0;
	time_t t0 = time(NULL);
	char why[700] = "";

	p.slots = calloc(m->nruns + 1, sizeof(*p.slots));
	p.started = lab_clock_now();
	strftime(p.started_at, sizeof(p.started_at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t0));
	if (lab_owner_self(&p.owner) < 0)
		gethostname(p.owner.host, sizeof(p.owner.host) - 1);
	if (preflight(&p, err) < 0) {
		hosts_clear(&p);
		free(p.slots);
		return NULL;
	}
	while (p.done < m->nruns) {
		struct slot *s;
		int wstatus, started = 0;
		pid_t pid;

		if (lab_runner_interrupted() && !forwarded) {
			/* a TTY's Ctrl-C reached the workers too; a kill(1) did not */
			kill_workers(&p, SIGTERM);
			forwarded = 1;
		}
		if (!lab_runner_interrupted() && tend_hosts(&p, why, sizeof(why))) {
			/* every host gone for good: what is left cannot run */
			notef(&p, "no libvirt host left: the %zu runs left end error",
			      m->nruns - p.done - p.active);
			end_pending(&p, LAB_RUN_ERROR, why);
			write_partial(&p);
			if (!p.active)
				break;
		}
		/* next_run (above): which run, on which host */
		while (!lab_runner_interrupted() && (s = next_run(&p))) {
			started++;
			if (s->skip[0]) {
				skip_slot(&p, s, LAB_RUN_SKIPPED, LAB_VERDICT_SKIP, s->skip);
				progress_event(&p, LAB_POOL_RUN_DONE, s);
				write_partial(&p);
			} else if (spawn(&p, s) < 0) {
				char what[300];

				snprintf(what, sizeof(what), "starting the worker: %s", strerror(errno));
				skip_slot(&p, s, LAB_RUN_ERROR, LAB_VERDICT_ERROR, what);
				p.failures++;
				progress_event(&p, LAB_POOL_RUN_DONE, s);
				write_partial(&p);
			} else {
				s->requeued = 0;
			}
		}
		if (lab_runner_interrupted() && p.active == 0) {
			end_pending(&p, LAB_RUN_INTERRUPTED, "not run: interrupted");
			break;
		}
		if (!started && p.active == 0 && p.done < m->nruns) {
			int waiting = 0;

			for (size_t i = 0; i < p.nhosts; i++)
				waiting |= p.hosts[i].down;
			if (!waiting) {
				/* the runs left need a host that is gone */
				notef(&p, "the %zu runs left have no host to run on", m->nruns - p.done);
				end_pending(&p, LAB_RUN_ERROR, why[0] ? why : "not run: no host left");
				write_partial(&p);
				break;
			}
		}
		pid = waitpid(-1, &wstatus, WNOHANG);
		if (pid > 0 && reap_ping(&p, pid, wstatus))
			continue;
		if (pid > 0) {
			for (size_t i = 0; i < m->nruns; i++) {
				char lost[256];

				s = &p.slots[i];
				if (s->pid != pid || s->done || s->requeued)
					continue;
				p.active--;
				s->host->active--;
				if (!lab_runner_interrupted() && lost_to_host(s, lost, sizeof(lost))) {
					if (!s->first_attempt) {
						requeue(&p, s, lost);
						continue;
					}
					/* lost on its retry too: it ends, and its host
					 * is waited for all the same */
					host_lost(&p, s->host, s, lost);
				}
				finish_slot(&p, s, wstatus);
				progress_event(&p, LAB_POOL_RUN_DONE, s);
				write_partial(&p);
			}
			continue;
		}
		for (size_t i = 0; i < m->nruns; i++) {
			s = &p.slots[i];
			/* the runner keeps its own timeout; this is for a stuck worker.
			 * Killing it closes its libvirt connection: AUTODESTROY. */
			if (s->pid > 0 && !s->done && !s->requeued && lab_clock_now() > s->deadline)
				kill(s->pid, SIGKILL);
		}
		progress_event(&p, LAB_POOL_TICK, NULL);
		usleep(POLL_MS * 1000);
	}
	for (size_t j = 0; j < p.nhosts; j++)
		ping_stop(&p.hosts[j]);
	progress_event(&p, LAB_POOL_END, NULL);

	results = results_doc(&p, 1);
	for (size_t i = 0; i < m->nruns; i++) {
		json_object_put(p.slots[i].result);
		json_object_put(p.slots[i].first_attempt);
	}
	hosts_clear(&p);
	free(p.slots);
	return results;
}
