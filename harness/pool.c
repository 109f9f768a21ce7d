/* SPDX-License-Identifier: MIT */
/*
 * The pool's run loop: preflight and skips, workers, each run's row,
 * results.json as runs finish, progress and notes. Which host a run goes
 * to is pool_hosts.c; a host lost and found, pool_outage.c.
 */
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
#include "pool_internal.h"
#include "qemu.h"
#include "runner.h"
#include "scenario.h"
#include "store.h"
#include "worker.h"

extern char **environ;

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

void pool_notef(struct pool *p, const char *fmt, ...)
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
	pool_notef(p, "building the %s image of %s (log: %s)", pf->image, s->spec->kernel_path, log);
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
		pool_notef(p, "QEMU %s: fetching it as Debian packages if not cached (images/qemu.sh; "
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

static int preflight(struct pool *p, struct lab_error *err)
{
	struct {
		char arch[16];
		const char *accel;
		char why[256];
	} accels[4] = { 0 };
	virConnectPtr conn = pool_hosts_init(p, err);

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
		s->disks = pool_run_needs_disks(s->spec);
		decide_skip(p, s, pf, &img);
		pool_skip_unplaceable(p, s);
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
	if (pool_upload_all(p, err) < 0)
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
		pool_store_run(p, s, &st, prefix, sizeof(prefix));
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
	json_object_object_add(o, "qemu_version", json_object_new_string(pool_run_qemu_version(p, s)));
	json_object_object_add(o, "host", s->host ? json_object_new_string(s->host->uri) : NULL);
	json_object_object_add(o, "file", r->file ? json_object_new_string(r->file) : NULL);
	json_object_object_add(o, "line", json_object_new_int(r->line));
	json_object_object_add(o, "append", r->append ? json_object_new_string(r->append) : NULL);
	json_object_object_add(o, "qemu", json_object_get(r->qemu));
	json_object_object_add(o, "dir", json_object_new_string(rel));
	return o;
}

void pool_set_str(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v ? v : ""));
}

static void finish_slot(struct pool *p, struct slot *s, int wstatus)
{
	struct lab_env env = { pool_run_qemu_version(p, s), s->host ? s->host->libvirt : p->libvirt,
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
		pool_set_str(run, "status", lab_run_status_name(LAB_RUN_ERROR));
		pool_set_str(run, "detail", why);
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
	json_object_object_add(host, "hosts", pool_hosts_json(p));
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
			pool_notef(p, "%s (the results so far are not saved; each run's folder keeps "
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
		pool_hosts_clear(&p);
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
		if (!lab_runner_interrupted() && pool_tend_hosts(&p, why, sizeof(why))) {
			/* every host gone for good: what is left cannot run */
			pool_notef(&p, "no libvirt host left: the %zu runs left end error",
				   m->nruns - p.done - p.active);
			end_pending(&p, LAB_RUN_ERROR, why);
			write_partial(&p);
			if (!p.active)
				break;
		}
		/* pool_next_run (pool_hosts.c): which run, on which host */
		while (!lab_runner_interrupted() && (s = pool_next_run(&p))) {
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
				pool_notef(&p, "the %zu runs left have no host to run on",
					   m->nruns - p.done);
				end_pending(&p, LAB_RUN_ERROR, why[0] ? why : "not run: no host left");
				write_partial(&p);
				break;
			}
		}
		pid = waitpid(-1, &wstatus, WNOHANG);
		if (pid > 0 && pool_reap_ping(&p, pid, wstatus))
			continue;
		if (pid > 0) {
			for (size_t i = 0; i < m->nruns; i++) {
				char lost[256];

				s = &p.slots[i];
				if (s->pid != pid || s->done || s->requeued)
					continue;
				p.active--;
				s->host->active--;
				if (!lab_runner_interrupted() &&
				    pool_lost_to_host(s, lost, sizeof(lost))) {
					if (!s->first_attempt) {
						pool_requeue(&p, s, lost);
						continue;
					}
					/* lost on its retry too: it ends, and its host
					 * is waited for all the same */
					pool_host_lost(&p, s->host, s, lost);
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
		pool_ping_stop(&p.hosts[j]);
	progress_event(&p, LAB_POOL_END, NULL);

	results = results_doc(&p, 1);
	for (size_t i = 0; i < m->nruns; i++) {
		json_object_put(p.slots[i].result);
		json_object_put(p.slots[i].first_attempt);
	}
	pool_hosts_clear(&p);
	free(p.slots);
	return results;
}
