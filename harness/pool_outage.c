/* SPDX-License-Identifier: MIT */
/*
 * A host whose libvirt the pool lost (pool_internal.h): no run goes there
 * while it is waited for, the run it took goes again once, its guests that
 * outlived the daemon are destroyed when it answers again.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "clock.h"
#include "domain.h"
#include "owner.h"
#include "pool_internal.h"
#include "verdict.h"
#include "virt.h"

extern char **environ;

/* ---- a host lost and found (pool.h) ----------------------------------------------- */

/* The "infra" of a worker's run.json: the host failed the run. */
int pool_lost_to_host(const struct slot *s, char *why, size_t len)
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
void pool_host_lost(struct pool *p, struct phost *h, const struct slot *s, const char *why)
{
	unsigned bound = p->o->reconnect_s ? p->o->reconnect_s : LAB_POOL_RECONNECT_S;

	if (!h->down) {
		h->down = 1;
		h->down_since = lab_clock_now();
		h->last_try = 0;
		h->down_shown = 0;
		snprintf(h->down_why, sizeof(h->down_why), "%s", why);
		pool_notef(p, "libvirt at %s lost under run %s (%s): no new run goes there; waiting up "
			   "to %u s for it%s", h->uri, s->spec->name, why, bound,
			   s->requeued ? ", then that run goes again" : "");
	} else {
		pool_notef(p, "run %s lost to %s too%s", s->spec->name, h->uri,
			   s->requeued ? "; it goes again with the others" : "");
	}
}

/* A run lost to its host the first time: its folder kept as DIR.attempt1,
 * the run queued again (pool_next_run takes it first, on any host up). */
void pool_requeue(struct pool *p, struct slot *s, const char *why)
{
	char old[PATH_MAX + 16];
	json_object *f = json_object_new_object();

	snprintf(old, sizeof(old), "%s.attempt1", s->dir);
	if (rename(s->dir, old) < 0)
		old[0] = '\0';
	pool_set_str(f, "status", lab_run_status_name(LAB_RUN_ERROR));
	pool_set_str(f, "reason", why);
	json_object_object_add(f, "infra", json_object_new_boolean(1));
	json_object_object_add(f, "host", json_object_new_string(s->host->uri));
	json_object_object_add(f, "duration_s", json_object_new_double(lab_clock_now() - s->started));
	pool_set_str(f, "dir", old[0] ? old + strlen(p->o->dir) + 1 : "");
	s->first_attempt = f;
	s->requeued = 1;
	s->pid = 0;
	pool_host_lost(p, s->host, s, why);
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
				pool_notef(p, "destroyed %s on %s, left running by the lost daemon",
					   name, h->uri);
				killed++;
			} else {
				pool_notef(p, "could not destroy %s on %s: %s", name, h->uri,
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

void pool_ping_stop(struct phost *h)
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
			pool_notef(p, "still waiting for libvirt at %s (%d s of %u s)", h->uri, marks[i],
				   bound);
		}
	if (t - h->down_since > bound) {
		pool_ping_stop(h);
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
			pool_notef(p, "libvirt at %s is back after %.1f s", h->uri, t - h->down_since);
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

/* The hosts lost: each waited for; 1 when no host is left at all. */
int pool_tend_hosts(struct pool *p, char *why, size_t len)
{
	size_t left = 0;

	for (size_t i = 0; i < p->nhosts; i++) {
		struct phost *h = &p->hosts[i];

		if (h->down && wait_for_host(p, h) < 0) {
			unsigned bound = p->o->reconnect_s ? p->o->reconnect_s : LAB_POOL_RECONNECT_S;

			snprintf(why, len, "not run: libvirt at %s did not come back within %u s "
				 "(%s)", h->uri, bound, h->down_why);
			pool_notef(p, "%s; no run goes there any more", why);
		}
		left += !h->gone;
	}
	return left == 0;
}

/* A `_ping` that ended: its host's answer. */
int pool_reap_ping(struct pool *p, pid_t pid, int wstatus)
{
	for (size_t j = 0; j < p->nhosts; j++)
		if (pid == p->hosts[j].ping) {
			p->hosts[j].ping_done = 1;
			p->hosts[j].ping_status = wstatus;
			return 1;
		}
	return 0;
}
