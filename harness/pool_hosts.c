/* SPDX-License-Identifier: MIT */
/*
 * The pool's hosts (pool_internal.h): each connected and asked its
 * versions, what its runs need uploaded, which run goes to which.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "hosts.h"
#include "matrix.h"
#include "pool_internal.h"
#include "qemu.h"
#include "scenario.h"
#include "store.h"
#include "topology.h"
#include "virt.h"

/* ---- hosts: which host a run goes to, and what it needs there -------------------- */

/* The hosts of this invocation (--hosts, --uri), each asked its versions;
 * the first one's are p->qemu, p->libvirt (what skips are decided with
 * first). Returns the first host's connection (for the accelerator). */
virConnectPtr pool_hosts_init(struct pool *p, struct lab_error *err)
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
int pool_run_needs_disks(const struct lab_run_spec *r)
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
int pool_upload_all(struct pool *p, struct lab_error *err)
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
		pool_notef(p, "host %s: uploading what its guests need to storage pool %s (%s), "
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
		pool_notef(p, "host %s: %zu files in place, %.1f MiB uploaded in %.1f s", h->uri,
			   h->nart, (double)bytes / (1 << 20), lab_clock_now() - t0);
	}
	return 0;
}

/* A run on a private QEMU needs a host without upload; say so when none. */
void pool_skip_unplaceable(struct pool *p, struct slot *s)
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
const char *pool_run_qemu_version(const struct pool *p, const struct slot *s)
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
struct slot *pool_next_run(struct pool *p)
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

			if (lab_matrix_run_skipped(s->spec, pool_run_qemu_version(p, s), best->libvirt,
						   s->kernel, why, sizeof(why)))
				snprintf(s->skip, sizeof(s->skip), "on %s: %s", best->uri, why);
		}
		return s;
	}
	return NULL;
}

/* The run's volumes on an upload host, for its worker. */
void pool_store_run(const struct pool *p, const struct slot *s, struct lab_store_run *st,
		    char *prefix, size_t len)
{
	/* the lab's host name as its guests' <metadata> carries it (gc) */
	lab_store_run_prefix(prefix, len, p->owner.host, getpid(), s->spec->name);
	st->kernel = volume_of(s->host, s->img_kernel);
	st->initrd = volume_of(s->host, s->img_initrd);
	st->firmware = volume_of(s->host, s->firmware);
	st->disk_base = s->disks ? volume_of(s->host, p->disk_base) : NULL;
	st->local_base = st->disk_base ? p->disk_base : NULL;
	st->prefix = prefix;
}

json_object *pool_hosts_json(const struct pool *p)
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

void pool_hosts_clear(struct pool *p)
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
