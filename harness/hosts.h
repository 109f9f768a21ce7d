/* SPDX-License-Identifier: MIT */
#ifndef LAB_HOSTS_H
#define LAB_HOSTS_H

/*
 * The libvirt hosts a matrix runs on: `--uri URI` (repeatable) or
 * `--hosts FILE`, a YAML list
 *
 *   - uri: qemu:///system
 *     jobs: 2                  # guests at once there
 *   - uri: qemu+tcp://10.0.0.7/system
 *     jobs: 4
 *     upload: auto             # auto | always | never
 *     pool_dir: /srv/iommulab  # where its `iommulab` storage pool lives
 *
 * A host with upload gets every artefact a guest needs through libvirt's
 * storage API (harness/store.h); `auto` uploads when the URI names a
 * server (a remote host), `always` forces it (the tests do, on loopback),
 * `never` takes the lab machine's paths as they are (a shared filesystem).
 */
#include <stddef.h>

#include "error.h"

enum lab_host_upload { LAB_HOST_UPLOAD_AUTO, LAB_HOST_UPLOAD_ALWAYS, LAB_HOST_UPLOAD_NEVER };

#define LAB_HOSTS_MAX 32
#define LAB_HOST_POOL_DIR "/var/lib/libvirt/images/iommulab"

struct lab_host {
	char *uri;
	unsigned jobs;               /* 0: the caller's --jobs */
	enum lab_host_upload upload;
	char *pool_dir;              /* NULL: LAB_HOST_POOL_DIR */
	int line;                    /* in the hosts file, 0 for --uri */
};

struct lab_hosts {
	struct lab_host v[LAB_HOSTS_MAX];
	size_t n;
};

/* Append the hosts of a YAML file; errors as file:line. */
int lab_hosts_load(struct lab_hosts *h, const char *file, struct lab_error *err);
/* Append one host (--uri). */
int lab_hosts_add(struct lab_hosts *h, const char *uri, unsigned jobs, struct lab_error *err);
void lab_hosts_clear(struct lab_hosts *h);

/* Does a libvirt URI name this machine (no server part: qemu:///system,
 * qemu+unix:///system)? -1 when it is not a URI. */
int lab_hosts_uri_local(const char *uri);
/* Whether runs on host go through the storage API. */
int lab_host_uploads(const struct lab_host *host);
const char *lab_host_pool_dir(const struct lab_host *host);
const char *lab_host_upload_name(enum lab_host_upload u);

#endif
