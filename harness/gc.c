/* SPDX-License-Identifier: MIT */
#include "gc.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json.h>
#include <libvirt/virterror.h>

#include "domain.h"
#include "jsonval.h"
#include "owner.h"
#include "store.h"
#include "virt.h"

static void say(struct lab_gc *g, enum lab_gc_action a, const char *kind, const char *where,
		const char *name, const char *why)
{
	if (a == LAB_GC_REMOVED)
		g->removed++;
	else if (a == LAB_GC_KEPT)
		g->kept++;
	else
		g->failed++;
	if (g->say)
		g->say(a, kind, where, name, why, g->opaque);
}

static const char *state_why(enum lab_owner_state st, const struct lab_owner *o, char *buf,
			     size_t len)
{
	switch (st) {
	case LAB_OWNER_ALIVE:
		snprintf(buf, len, "its lab (pid %ld on %s) is running", o->pid, o->host);
		break;
	case LAB_OWNER_ELSEWHERE:
		snprintf(buf, len, "its lab ran on %s: cannot tell from here", o->host);
		break;
	case LAB_OWNER_DEAD:
		snprintf(buf, len, "its lab (pid %ld on %s) is gone", o->pid, o->host);
		break;
	}
	return buf;
}

/* Does conn's libvirt run on this machine (a pid in a name means a
 * process here)? */
static int same_machine(virConnectPtr conn)
{
	char host[256] = "";
	char *theirs = virConnectGetHostname(conn);
	int same = theirs && gethostname(host, sizeof(host) - 1) == 0 && !strcmp(theirs, host);

	free(theirs);
	return same;
}

void lab_gc_domains(struct lab_gc *g, virConnectPtr conn, const char *uri)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms, 0), local = same_machine(conn);
	size_t plen = strlen(LAB_DOMAIN_PREFIX);

	if (n < 0) {
		say(g, LAB_GC_FAILED, "domain", uri, "*", virGetLastErrorMessage());
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *name = virDomainGetName(doms[i]);
		struct lab_owner o;
		enum lab_owner_state st;
		char why[512];
		int persistent = virDomainIsPersistent(doms[i]) == 1;

		if (!name || strncmp(name, LAB_DOMAIN_PREFIX, plen))
			goto next;       /* not the lab's: not looked at */
		if (persistent) {
			/* the lab starts transient guests only: someone defined this */
			say(g, LAB_GC_KEPT, "domain", uri, name,
			    "persistent (defined): the lab never defines its guests");
			goto next;
		}
		if (lab_virt_domain_owner(doms[i], &o) == 0) {
			st = lab_owner_check(&o);
			state_why(st, &o, why, sizeof(why));
		} else {
			long pid = lab_owner_domain_pid(name);

			if (!local || pid <= 0) {
				say(g, LAB_GC_KEPT, "domain", uri, name,
				    "no owner metadata, and its libvirt is on another machine");
				goto next;
			}
			st = lab_owner_check_worker(pid);
			snprintf(why, sizeof(why), "no owner metadata; its worker (pid %ld) %s", pid,
				 st == LAB_OWNER_ALIVE ? "is running" : "is gone");
		}
		if (st != LAB_OWNER_DEAD) {
			say(g, LAB_GC_KEPT, "domain", uri, name, why);
		} else if (g->o->dry_run || virDomainDestroy(doms[i]) == 0) {
			say(g, LAB_GC_REMOVED, "domain", uri, name, why);
		} else {
			char failed[1024];

			snprintf(failed, sizeof(failed), "%s; destroying it failed: %s", why,
				 virGetLastErrorMessage());
			say(g, LAB_GC_FAILED, "domain", uri, name, failed);
		}
next:
		virDomainFree(doms[i]);
	}
	free(doms);
}

void lab_gc_volumes(struct lab_gc *g, virConnectPtr conn, const char *uri)
{
	virStoragePoolPtr pool = virStoragePoolLookupByName(conn, LAB_STORE_POOL);
	virStorageVolPtr *vols = NULL;
	char name_here[256] = "", host[64];
	int n;

	if (!pool)
		return;      /* no lab pool on this host: nothing of the lab's */
	/* this machine's name as run volumes carry it */
	gethostname(name_here, sizeof(name_here) - 1);
	lab_store_run_host(host, sizeof(host), name_here);
	virStoragePoolRefresh(pool, 0);
	n = virStoragePoolListAllVolumes(pool, &vols, 0);
	if (n < 0)
		say(g, LAB_GC_FAILED, "volume", uri, LAB_STORE_POOL, virGetLastErrorMessage());
	for (int i = 0; i < n; i++) {
		const char *name = virStorageVolGetName(vols[i]);
		long pid = name ? lab_owner_volume_pid(name, host) : -1;
		char why[512];
		int go = 0;

		if (name && !strncmp(name, "cas-", 4)) {
			go = g->o->volumes;
			snprintf(why, sizeof(why), "an artefact cache volume%s",
				 go ? " (--volumes)" : ": kept unless --volumes");
		} else if (pid == 0) {
			snprintf(why, sizeof(why), "a run volume of a lab on another machine");
		} else if (pid > 0) {
			go = !lab_owner_is_lab(pid, 0);
			snprintf(why, sizeof(why), "its lab (pid %ld) %s", pid,
				 go ? "is gone" : "is running");
		} else {
			goto next;   /* not a name the lab gives */
		}
		if (!go)
			say(g, LAB_GC_KEPT, "volume", uri, name, why);
		else if (g->o->dry_run || virStorageVolDelete(vols[i], 0) == 0)
			say(g, LAB_GC_REMOVED, "volume", uri, name, why);
		else
			say(g, LAB_GC_FAILED, "volume", uri, name, virGetLastErrorMessage());
next:
		virStorageVolFree(vols[i]);
	}
	free(vols);
	virStoragePoolFree(pool);
}

static void remove_file(struct lab_gc *g, const char *dir, const char *name, const char *why)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (g->o->dry_run || unlink(path) == 0)
		say(g, LAB_GC_REMOVED, "file", dir, name, why);
	else
		say(g, LAB_GC_FAILED, "file", dir, name, strerror(errno));
}

/* The owner a run folder's spec.json names (pool.c writes it): 0, or -1
 * when there is none (no spec, or a spec of a lab before owners). */
static int run_owner(const char *dir, struct lab_owner *o)
{
	char path[PATH_MAX];
	json_object *spec, *ow;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/spec.json", dir);
	spec = json_object_from_file(path);
	ow = lab_jsonval_get(spec, "owner");
	memset(o, 0, sizeof(*o));
	if (ow && lab_jsonval_str(ow, "host")) {
		snprintf(o->host, sizeof(o->host), "%s", lab_jsonval_str(ow, "host"));
		o->pid = (long)json_object_get_int64(lab_jsonval_get(ow, "pid"));
		o->start = json_object_get_uint64(lab_jsonval_get(ow, "start"));
		rc = 0;
	}
	json_object_put(spec);
	return rc;
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* One run folder of a dead lab. */
static void gc_run_dir(struct lab_gc *g, const char *dir)
{
	char path[PATH_MAX];
	int finished;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s/run.json", dir);
	finished = access(path, F_OK) == 0;
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		if (!fnmatch("*.tmp", e->d_name, 0))
			remove_file(g, dir, e->d_name, "half-written by a lab that was killed");
		else if (!finished && !fnmatch("disk-*.qcow2", e->d_name, 0))
			remove_file(g, dir, e->d_name,
				    "disk overlay of a run that never finished (no run.json)");
	}
	if (d)
		closedir(d);
}

void lab_gc_files(struct lab_gc *g, const char *root)
{
	DIR *top = opendir(root);
	struct dirent *r;

	while (top && (r = readdir(top))) {
		char inv[PATH_MAX];
		DIR *d;
		struct dirent *e;
		struct lab_owner o;
		enum lab_owner_state st = LAB_OWNER_DEAD;
		int owned = 0;

		if (r->d_name[0] == '.')
			continue;
		snprintf(inv, sizeof(inv), "%s/%s", root, r->d_name);
		if (!is_dir(inv))
			continue;
		/* an invocation's folder: whose, from any run's spec */
		d = opendir(inv);
		while (d && (e = readdir(d))) {
			char run[PATH_MAX];

			snprintf(run, sizeof(run), "%s/%s", inv, e->d_name);
			if (e->d_name[0] != '.' && is_dir(run) && run_owner(run, &o) == 0) {
				owned = 1;
				st = lab_owner_check(&o);
				break;
			}
		}
		if (d)
			closedir(d);
		if (!owned)
			continue;    /* no owner recorded: an older lab's; left alone */
		if (st != LAB_OWNER_DEAD) {
			char why[512];

			if (st == LAB_OWNER_ALIVE) {
				say(g, LAB_GC_KEPT, "file", inv, "*", state_why(st, &o, why, sizeof(why)));
			}
			continue;
		}
		d = opendir(inv);
		while (d && (e = readdir(d))) {
			char run[PATH_MAX];

			if (e->d_name[0] == '.')
				continue;
			snprintf(run, sizeof(run), "%s/%s", inv, e->d_name);
			if (is_dir(run))
				gc_run_dir(g, run);
			else if (!fnmatch("*.tmp", e->d_name, 0))
				remove_file(g, inv, e->d_name, "half-written by a lab that was killed");
		}
		if (d)
			closedir(d);
	}
	if (top)
		closedir(top);
}

/* The parent pid of pid, or -1. */
static long parent_of(long pid)
{
	unsigned long long ppid;

	return lab_owner_proc_field(pid, 4, &ppid) < 0 ? -1 : (long)ppid;
}

void lab_gc_workers(struct lab_gc *g)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long stale[256];
	size_t n = 0;

	while (d && (e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10), ppid;
		char name[64], why[128];

		if (*end || pid <= 0 || pid == (long)getpid() || !lab_owner_is_lab(pid, 1))
			continue;
		ppid = parent_of(pid);
		if (ppid > 0 && lab_owner_is_lab(ppid, 0)) {
			snprintf(name, sizeof(name), "pid %ld", pid);
			snprintf(why, sizeof(why), "its lab (pid %ld) is running", ppid);
			say(g, LAB_GC_KEPT, "worker", "this machine", name, why);
			continue;
		}
		snprintf(name, sizeof(name), "pid %ld", pid);
		snprintf(why, sizeof(why), "an iommu-lab _guest whose lab is gone (parent %ld)", ppid);
		if (!g->o->dry_run && kill((pid_t)pid, SIGTERM) < 0) {
			say(g, LAB_GC_FAILED, "worker", "this machine", name, strerror(errno));
			continue;
		}
		say(g, LAB_GC_REMOVED, "worker", "this machine", name, why);
		if (n < sizeof(stale) / sizeof(stale[0]))
			stale[n++] = pid;
	}
	if (d)
		closedir(d);
	/* a worker on SIGTERM destroys its guest and writes its run.json */
	for (int t = 0; !g->o->dry_run && n && t < 100; t++) {
		size_t left = 0;

		for (size_t i = 0; i < n; i++)
			left += kill((pid_t)stale[i], 0) == 0;
		if (!left)
			break;
		usleep(100 * 1000);
	}
	for (size_t i = 0; !g->o->dry_run && i < n; i++)
		if (kill((pid_t)stale[i], 0) == 0)
			kill((pid_t)stale[i], SIGKILL);
}
