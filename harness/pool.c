/* SPDX-License-Identifier: MIT */
#include "pool.h"

#include <errno.h>
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
#include "fault.h"
#include "disk.h"
#include "image.h"
#include "paths.h"
#include "platform.h"
#include "qemu.h"
#include "runner.h"
#include "scenario.h"
#include "virt.h"

extern char **environ;

#define WATCHDOG_GRACE_S 60   /* past a run's own timeout, the worker is killed */
#define POLL_MS 100

#define MAX_QEMUS 8           /* distinct QEMU builds in one invocation */

/* What the parent knows of one run. */
struct slot {
	const struct lab_run_spec *spec;
	const struct lab_qemu *qemu;   /* the QEMU it runs on */
	const char *qemu_version;      /* what that QEMU says it is */
	char dir[PATH_MAX];
	char kernel[128];          /* guest kernel release */
	const char *accel;
	char accel_why[256];
	char skip[512];            /* non-empty: skipped, and why */
	pid_t pid;
	double started, deadline;
	int done;
	json_object *result;
};

struct pool {
	const struct lab_pool_opts *o;
	const struct lab_matrix *m;
	struct slot *slots;
	char qemu[32], libvirt[32];    /* the host's (libvirt's default QEMU) */
	struct lab_qemu qemus[MAX_QEMUS];
	size_t nqemus;
	size_t done, failures, active;
	double busy_s;             /* summed duration of the runs that booted */
	size_t booted;
	double started;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- before anything boots --------------------------------------------------- */

/* Skips that can be decided on the host: the scenario says so, a condition
 * does not hold, the guest kernel lacks a module the platform needs, QEMU
 * lacks an IOMMU property the run sets. */
static void decide_skip(struct pool *p, struct slot *s, const struct lab_platform *pf,
			const struct lab_image *img)
{
	const struct lab_run_spec *r = s->spec;

	if (lab_matrix_run_skipped(r, s->qemu_version, p->libvirt, img->version, s->skip,
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
					 s->qemu_version, pf->iommu_driver, key);
				return;
			}
			if (has < 0) {
				snprintf(s->skip, sizeof(s->skip), "%s", err.msg);
				return;
			}
		}
	}
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
static int make_disk_base(struct lab_error *err)
{
	char *path = NULL;
	struct stat st;
	int fresh = stat(lab_paths_disks(), &st) < 0;

	if (fresh)
		fprintf(stderr, "run: building the disk image for block probes with libguestfs "
			"(once, about 30 s)\n");
	if (lab_disk_base(lab_paths_disks(), &path, err) < 0)
		return -1;
	free(path);
	return 0;
}

/* A kernel the user built gets its image on first use (images/build.sh). */
static int build_custom(struct pool *p, const struct slot *s, const struct lab_platform *pf,
			struct lab_error *err)
{
	char agent[PATH_MAX], log[PATH_MAX + 32];

	snprintf(agent, sizeof(agent), "%s/build/agent-%s", lab_paths_root(), pf->arch);
	snprintf(log, sizeof(log), "%s/image-%s-%s.log", p->o->dir, pf->image, s->spec->suite);
	if (p->o->progress)
		fprintf(stderr, "run: building the %s image of %s (log: %s)\n", pf->image,
			s->spec->kernel_path, log);
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
		if (p->o->progress)
			fprintf(stderr, "run: QEMU %s: fetching it as Debian packages if not cached "
				"(images/qemu.sh; log: %s)\n", spec, log);
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
	virConnectPtr conn = lab_virt_connect(p->o->uri, err);

	if (!conn)
		return -1;
	lab_virt_versions(conn, p->libvirt, sizeof(p->libvirt), p->qemu, sizeof(p->qemu));
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
		s->qemu_version = s->qemu->version;
		pf = lab_platform_load(lab_paths_platforms(), s->spec->platform, err);
		if (!pf)
			goto fail;
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
		decide_skip(p, s, pf, &img);
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
	if (needs_disks(p) && make_disk_base(err) < 0)
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
	char timeout[16], stall[16], memory[16], log[PATH_MAX + 16];
	/* the running binary itself, even if a rebuild replaced the file */
	char exe[] = "/proc/self/exe";
	char *argv[64];
	size_t n = 0;
	posix_spawn_file_actions_t fa;
	unsigned t = r->timeout_s ? r->timeout_s : p->o->timeout_s;
	int rc;

	if (mkdir(s->dir, 0755) < 0 && errno != EEXIST)
		return -1;
	snprintf(timeout, sizeof(timeout), "%u", t);
	snprintf(stall, sizeof(stall), "%u", p->o->stall_s);
	snprintf(memory, sizeof(memory), "%u", r->memory_mib ? r->memory_mib : p->o->memory_mib);
	snprintf(log, sizeof(log), "%s/worker.log", s->dir);
	argv[n++] = "iommu-lab";
	argv[n++] = "_guest";
	argv[n++] = "--name";      argv[n++] = r->name;
	argv[n++] = "--platform";  argv[n++] = (char *)r->platform;
	argv[n++] = "--suite";     argv[n++] = (char *)r->suite;
	argv[n++] = "--accel";     argv[n++] = (char *)s->accel;
	argv[n++] = "--timeout";   argv[n++] = timeout;
	argv[n++] = "--stall";     argv[n++] = stall;
	argv[n++] = "--memory";    argv[n++] = memory;
	argv[n++] = "--uri";       argv[n++] = (char *)p->o->uri;
	argv[n++] = "--dir";       argv[n++] = s->dir;
	if (p->o->graceful_poweroff)
		argv[n++] = "--poweroff";
	if (r->qemu_build && strcmp(r->qemu_build, LAB_QEMU_SYSTEM)) {
		argv[n++] = "--qemu";
		argv[n++] = (char *)r->qemu_build;
	}
	if (r->append) {
		argv[n++] = "--append";
		argv[n++] = r->append;
	}
	if (r->probes) {
		argv[n++] = "--probes";
		argv[n++] = (char *)json_object_to_json_string_ext(r->probes, JSON_C_TO_STRING_PLAIN);
	}
	if (r->qemu && json_object_object_length(r->qemu)) {
		argv[n++] = "--qemu-opts";
		argv[n++] = (char *)json_object_to_json_string_ext(r->qemu, JSON_C_TO_STRING_PLAIN);
	}
	if (r->machine && json_object_object_length(r->machine)) {
		argv[n++] = "--machine-opts";
		argv[n++] = (char *)json_object_to_json_string_ext(r->machine, JSON_C_TO_STRING_PLAIN);
	}
	argv[n] = NULL;
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
	s->started = now();
	s->deadline = s->started + t + WATCHDOG_GRACE_S;
	p->active++;
	return 0;
}

/* ---- results ------------------------------------------------------------------- */

static json_object *base_result(struct pool *p, const struct slot *s)
{
	const struct lab_run_spec *r = s->spec;
	json_object *o = json_object_new_object();
	const char *rel = s->dir + strlen(p->o->dir) + 1;

	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "matrix", json_object_new_string(r->matrix));
	json_object_object_add(o, "variant", json_object_new_string(r->variant));
	json_object_object_add(o, "platform", json_object_new_string(r->platform));
	json_object_object_add(o, "kernel", json_object_new_string(r->suite));
	json_object_object_add(o, "kernel_version", json_object_new_string(s->kernel));
	json_object_object_add(o, "qemu_build", json_object_new_string(
				       s->qemu ? s->qemu->name : LAB_QEMU_SYSTEM));
	json_object_object_add(o, "qemu_version", json_object_new_string(
				       s->qemu_version ? s->qemu_version : p->qemu));
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

/* Fault records (the parser `explain` uses) in the guest's kernel log
 * records whose sequence number is in [from, to). */
static json_object *faults_of(json_object *kmsg, int64_t from, int64_t to)
{
	struct lab_error err = { 0 };
	struct lab_fault_parser *fp = lab_fault_parser_new(&err);
	json_object *res, *faults;

	if (!fp)
		return json_object_new_array();
	for (size_t i = 0; kmsg && i < json_object_array_length(kmsg); i++) {
		json_object *r = json_object_array_get_idx(kmsg, i);
		int64_t seq = json_object_get_int64(json_object_object_get(r, "seq"));
		const char *text = json_object_get_string(json_object_object_get(r, "msg"));
		struct lab_klog_record rec = { .text = text ? text : "", .line = i + 1, .nlines = 1 };

		if (seq < from || seq >= to)
			continue;
		rec.len = strlen(rec.text);
		lab_fault_parser_feed(fp, &rec, &err);
	}
	res = lab_fault_parser_finish(fp, &err);
	lab_fault_parser_free(fp);
	faults = json_object_get(json_object_object_get(res, "faults"));
	json_object_put(res);
	return faults ? faults : json_object_new_array();
}

static int64_t seq_before(json_object *probe)
{
	json_object *res = json_object_object_get(probe, "result");
	json_object *v = json_object_object_get(res, "kmsg_seq_before");

	return v ? json_object_get_int64(v) : -1;
}

/* Each probe with the fault records logged between its start and the next
 * probe's (or the end of the log): the faults it raised. */
static json_object *attribute(json_object *probes, json_object *kmsg)
{
	json_object *out = json_object_new_array();
	size_t n = probes && json_object_is_type(probes, json_type_array)
			   ? json_object_array_length(probes) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(probes, i);
		json_object *o = json_object_new_object();
		int64_t from = seq_before(p), to = INT64_MAX;

		for (size_t j = i + 1; j < n && to == INT64_MAX; j++)
			if (seq_before(json_object_array_get_idx(probes, j)) >= 0)
				to = seq_before(json_object_array_get_idx(probes, j));
		json_object_object_foreach(p, k, v)
			json_object_object_add(o, k, json_object_get(v));
		json_object_object_add(o, "faults", from >= 0 ? faults_of(kmsg, from, to)
							       : json_object_new_array());
		json_object_array_add(out, o);
	}
	return out;
}

static void finish_slot(struct pool *p, struct slot *s, int wstatus)
{
	struct lab_env env = { s->qemu_version, p->libvirt, s->kernel };
	json_object *o = base_result(p, s), *run, *obs = NULL, *kmsg = NULL, *cmp;
	char path[PATH_MAX + 16];
	const char *status;
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
		set_str(run, "status", "error");
		set_str(run, "detail", why);
	}
	status = json_object_get_string(json_object_object_get(run, "status"));
	obs = json_object_object_get(run, "observations");
	kmsg = json_object_object_get(run, "kmsg");
	if (obs && json_object_is_type(obs, json_type_object)) {
		json_object *probes = json_object_object_get(run, "probes");
		int64_t first = probes && json_object_array_length(probes)
					? seq_before(json_object_array_get_idx(probes, 0)) : -1;

		/* faults the probes raised on purpose are theirs, not the boot's */
		json_object_object_add(obs, "faults",
				       faults_of(kmsg, 0, first >= 0 ? first : INT64_MAX));
		json_object_object_add(obs, "probes", attribute(probes, kmsg));
	} else {
		obs = NULL;
	}
	set_str(o, "status", status);
	set_str(o, "reason", json_object_get_string(json_object_object_get(run, "detail")));
	json_object_object_add(o, "duration_s", json_object_new_double(now() - s->started));
	json_object_object_add(o, "accel", json_object_new_string(s->accel ? s->accel : "?"));
	json_object_object_add(o, "accel_reason", json_object_new_string(s->accel_why));
	json_object_object_add(o, "timeline",
			       json_object_get(json_object_object_get(run, "timeline")));
	if (strcmp(status ? status : "", "ok"))
		json_object_object_add(o, "console_tail", json_object_get(
					       json_object_object_get(run, "console_tail")));
	/* what the agent journaled to its disk before the guest died */
	if (json_object_object_get(run, "journal"))
		json_object_object_add(o, "journal", json_object_get(
					       json_object_object_get(run, "journal")));
	if (p->o->adhoc) {
		/* no expectations: the guest answering is all there is to judge */
		set_str(o, "verdict", status && !strcmp(status, "ok") ? "pass" : "error");
		json_object_object_add(o, "checks", json_object_new_array());
	} else {
		cmp = lab_compare_run(s->spec, &env, status ? status : "error", obs, kmsg,
				      obs ? json_object_object_get(obs, "faults") : NULL);
		json_object_object_add(o, "verdict",
				       json_object_get(json_object_object_get(cmp, "verdict")));
		json_object_object_add(o, "checks",
				       json_object_get(json_object_object_get(cmp, "checks")));
		json_object_put(cmp);
	}
	json_object_object_add(o, "observations", json_object_get(obs));
	json_object_put(run);
	s->result = o;
	s->done = 1;
	p->done++;
	p->booted++;
	p->busy_s += now() - s->started;
	verdict = json_object_get_string(json_object_object_get(o, "verdict"));
	if (strcmp(verdict, "pass"))
		p->failures++;
}

static void skip_slot(struct pool *p, struct slot *s, const char *status, const char *verdict,
		      const char *reason)
{
	json_object *o = base_result(p, s);

	set_str(o, "status", status);
	set_str(o, "verdict", verdict);
	set_str(o, "reason", reason);
	json_object_object_add(o, "duration_s", json_object_new_double(0));
	json_object_object_add(o, "checks", json_object_new_array());
	json_object_object_add(o, "observations", NULL);
	s->result = o;
	s->done = 1;
	p->done++;
}

/* ---- progress ------------------------------------------------------------------- */

static void progress(struct pool *p, const struct slot *last)
{
	size_t total = p->m->nruns;
	double eta = 0;
	const char *v;

	if (!p->o->progress)
		return;
	if (p->booted) {
		size_t left = total - p->done;
		unsigned jobs = p->o->jobs ? p->o->jobs : 1;

		eta = (double)left * (p->busy_s / (double)p->booted) / jobs;
	}
	v = last ? json_object_get_string(json_object_object_get(last->result, "verdict")) : NULL;
	if (p->o->progress == 2) {
		fprintf(stderr, "\r\033[K[%zu/%zu] running %zu, failures %zu, ETA %dm%02ds%s%s%s%s",
			p->done, total, p->active, p->failures, (int)eta / 60, (int)eta % 60,
			last ? "  last: " : "", last ? last->spec->name : "", last ? " " : "",
			v ? v : "");
	} else if (last) {
		fprintf(stderr, "[%zu/%zu] %s: %s (%.1f s; running %zu, failures %zu, ETA %dm%02ds)\n",
			p->done, total, last->spec->name, v,
			json_object_get_double(json_object_object_get(last->result, "duration_s")),
			p->active, p->failures, (int)eta / 60, (int)eta % 60);
	}
}

/* ---- the loop ------------------------------------------------------------------- */

static json_object *summary(struct pool *p)
{
	static const char *const verdicts[] = { "pass", "fail", "xfail", "xpass", "skip", "error" };
	json_object *s = json_object_new_object();
	int64_t counts[6] = { 0 }, runs[6] = { 0 };
	size_t checks = 0;
	const char *overall = "pass";

	for (size_t i = 0; i < p->m->nruns; i++) {
		json_object *r = p->slots[i].result;
		json_object *cs = json_object_object_get(r, "checks");
		const char *rv = json_object_get_string(json_object_object_get(r, "verdict"));

		for (size_t k = 0; k < 6; k++)
			runs[k] += !strcmp(rv, verdicts[k]);
		for (size_t j = 0; j < json_object_array_length(cs); j++, checks++) {
			const char *v = json_object_get_string(json_object_object_get(
				json_object_array_get_idx(cs, j), "verdict"));

			for (size_t k = 0; k < 6; k++)
				counts[k] += !strcmp(v, verdicts[k]);
		}
		if (!strcmp(rv, "fail") || !strcmp(rv, "error"))
			overall = !strcmp(overall, "error") || !strcmp(rv, "error") ? "error" : "fail";
	}
	json_object_object_add(s, "runs", json_object_new_int64((int64_t)p->m->nruns));
	json_object_object_add(s, "checks", json_object_new_int64((int64_t)checks));
	for (size_t k = 0; k < 6; k++)
		json_object_object_add(s, verdicts[k], json_object_new_int64(counts[k]));
	{
		json_object *rv = json_object_new_object();

		for (size_t k = 0; k < 6; k++)
			json_object_object_add(rv, verdicts[k], json_object_new_int64(runs[k]));
		json_object_object_add(s, "run_verdicts", rv);
	}
	json_object_object_add(s, "verdict", json_object_new_string(overall));
	return s;
}

static void kill_workers(struct pool *p, int sig)
{
	for (size_t i = 0; i < p->m->nruns; i++)
		if (p->slots[i].pid > 0 && !p->slots[i].done)
			kill(p->slots[i].pid, sig);
}

json_object *lab_pool_run(const struct lab_matrix *m, const struct lab_pool_opts *o,
			  const char *run_id, struct lab_error *err)
{
	struct pool p = { .o = o, .m = m };
	json_object *results, *runs, *host;
	size_t next = 0;
	int forwarded = 0;
	char hostname[256] = "";
	time_t t0 = time(NULL);
	char started[32];

	p.slots = calloc(m->nruns + 1, sizeof(*p.slots));
	p.started = now();
	if (preflight(&p, err) < 0) {
		free(p.slots);
		return NULL;
	}
	while (p.done < m->nruns) {
		struct slot *s;
		int wstatus;
		pid_t pid;

		if (lab_runner_interrupted() && !forwarded) {
			/* a TTY's Ctrl-C reached the workers too; a kill(1) did not */
			kill_workers(&p, SIGTERM);
			forwarded = 1;
		}
		while (!lab_runner_interrupted() && p.active < (o->jobs ? o->jobs : 1) &&
		       next < m->nruns) {
			s = &p.slots[next++];
			if (s->skip[0]) {
				skip_slot(&p, s, "skipped", "skip", s->skip);
				progress(&p, s);
			} else if (spawn(&p, s) < 0) {
				char why[300];

				snprintf(why, sizeof(why), "starting the worker: %s", strerror(errno));
				skip_slot(&p, s, "error", "error", why);
				p.failures++;
				progress(&p, s);
			}
		}
		if (lab_runner_interrupted() && p.active == 0) {
			for (; next < m->nruns; next++)
				skip_slot(&p, &p.slots[next], "interrupted", "error",
					  "not run: interrupted");
			break;
		}
		pid = waitpid(-1, &wstatus, WNOHANG);
		if (pid > 0) {
			for (size_t i = 0; i < next; i++) {
				s = &p.slots[i];
				if (s->pid == pid && !s->done) {
					p.active--;
					finish_slot(&p, s, wstatus);
					progress(&p, s);
				}
			}
			continue;
		}
		for (size_t i = 0; i < next; i++) {
			s = &p.slots[i];
			/* the runner keeps its own timeout; this is for a stuck worker.
			 * Killing it closes its libvirt connection: AUTODESTROY. */
			if (s->pid > 0 && !s->done && now() > s->deadline)
				kill(s->pid, SIGKILL);
		}
		if (o->progress == 2)
			progress(&p, NULL);
		usleep(POLL_MS * 1000);
	}
	if (o->progress == 2)
		fprintf(stderr, "\n");

	results = json_object_new_object();
	runs = json_object_new_array();
	host = json_object_new_object();
	gethostname(hostname, sizeof(hostname) - 1);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t0));
	json_object_object_add(host, "qemu", json_object_new_string(p.qemu));
	json_object_object_add(host, "libvirt", json_object_new_string(p.libvirt));
	json_object_object_add(host, "hostname", json_object_new_string(hostname));
	json_object_object_add(host, "jobs", json_object_new_int((int)o->jobs));
	json_object_object_add(results, "run_id", json_object_new_string(run_id));
	json_object_object_add(results, "started", json_object_new_string(started));
	json_object_object_add(results, "duration_s", json_object_new_double(now() - p.started));
	json_object_object_add(results, "host", host);
	for (size_t i = 0; i < m->nruns; i++)
		json_object_array_add(runs, json_object_get(p.slots[i].result));
	json_object_object_add(results, "summary", summary(&p));
	json_object_object_add(results, "runs", runs);
	for (size_t i = 0; i < m->nruns; i++)
		json_object_put(p.slots[i].result);
	free(p.slots);
	return results;
}
