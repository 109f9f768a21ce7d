/* SPDX-License-Identifier: MIT */
#include "hosts.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/uri.h>

#include "yamldoc.h"

static const char *const upload_names[] = { "auto", "always", "never", NULL };

const char *lab_host_upload_name(enum lab_host_upload u)
{
	return upload_names[u];
}

int lab_hosts_uri_local(const char *uri)
{
	xmlURIPtr u = xmlParseURI(uri);
	int local;

	if (!u || !u->scheme) {
		xmlFreeURI(u);
		return -1;
	}
	local = !u->server || !u->server[0];
	xmlFreeURI(u);
	return local;
}

int lab_host_uploads(const struct lab_host *host)
{
	switch (host->upload) {
	case LAB_HOST_UPLOAD_ALWAYS:
		return 1;
	case LAB_HOST_UPLOAD_NEVER:
		return 0;
	default:
		return lab_hosts_uri_local(host->uri) != 1;
	}
}

const char *lab_host_pool_dir(const struct lab_host *host)
{
	return host->pool_dir ? host->pool_dir : LAB_HOST_POOL_DIR;
}

static struct lab_host *append(struct lab_hosts *h, const char *uri, struct lab_error *err)
{
	struct lab_host *host;

	if (h->n == LAB_HOSTS_MAX) {
		lab_error_set(err, "more than %d hosts", LAB_HOSTS_MAX);
		return NULL;
	}
	host = &h->v[h->n++];
	memset(host, 0, sizeof(*host));
	host->uri = strdup(uri);
	return host;
}

int lab_hosts_add(struct lab_hosts *h, const char *uri, unsigned jobs, struct lab_error *err)
{
	struct lab_host *host;

	if (lab_hosts_uri_local(uri) < 0) {
		lab_error_set(err, "'%s' is not a libvirt URI (e.g. qemu+ssh://host/system)", uri);
		return -1;
	}
	host = append(h, uri, err);
	if (!host)
		return -1;
	host->jobs = jobs;
	return 0;
}

static int host_pair(struct lab_yaml *y, const char *key, yaml_node_t *k, yaml_node_t *v,
		     void *opaque)
{
	struct lab_host *host = opaque;
	char *s = NULL;
	int i;

	(void)k;
	if (!strcmp(key, "uri")) {
		if (lab_yaml_str(y, v, "uri", &s) < 0)
			return -1;
		if (lab_hosts_uri_local(s) < 0) {
			free(s);
			return lab_yaml_fail(y, v, "uri: '%s' is not a libvirt URI", lab_yaml_scalar(v));
		}
		free(host->uri);
		host->uri = s;
		return 0;
	}
	if (!strcmp(key, "jobs"))
		return lab_yaml_uint(y, v, "jobs", 1, 256, &host->jobs);
	if (!strcmp(key, "upload")) {
		if (lab_yaml_str(y, v, "upload", &s) < 0)
			return -1;
		for (i = 0; upload_names[i] && strcmp(upload_names[i], s); i++)
			;
		free(s);
		if (!upload_names[i])
			return lab_yaml_fail(y, v, "upload must be one of %s",
					     lab_yaml_joined(upload_names));
		host->upload = (enum lab_host_upload)i;
		return 0;
	}
	/* pool_dir */
	if (lab_yaml_str(y, v, "pool_dir", &s) < 0)
		return -1;
	if (s[0] != '/') {
		free(s);
		return lab_yaml_fail(y, v, "pool_dir must be an absolute path");
	}
	free(host->pool_dir);
	host->pool_dir = s;
	return 0;
}

int lab_hosts_load(struct lab_hosts *h, const char *file, struct lab_error *err)
{
	static const char *const keys[] = { "uri", "jobs", "upload", "pool_dir", NULL };
	struct lab_yaml y = { 0 };
	yaml_node_t *root = lab_yaml_load(&y, file, err);
	int rc = -1;

	if (!root)
		goto out;
	if (root->type != YAML_SEQUENCE_NODE ||
	    root->data.sequence.items.start == root->data.sequence.items.top) {
		lab_yaml_fail(&y, root, "a hosts file is a non-empty list of hosts "
			      "({uri, jobs, upload, pool_dir})");
		goto out;
	}
	for (yaml_node_item_t *i = root->data.sequence.items.start;
	     i < root->data.sequence.items.top; i++) {
		yaml_node_t *item = lab_yaml_node(&y, *i);
		struct lab_host *host = append(h, "", err);

		if (!host)
			goto out;
		host->line = lab_yaml_line(item);
		if (lab_yaml_each_pair(&y, item, "a host", keys, host_pair, host) < 0)
			goto out;
		if (!host->uri[0]) {
			lab_yaml_fail(&y, item, "a host needs a uri");
			goto out;
		}
		if (!host->jobs) {
			lab_yaml_fail(&y, item, "a host needs jobs (guests at once there)");
			goto out;
		}
		for (size_t j = 0; j + 1 < h->n; j++)
			if (!strcmp(h->v[j].uri, host->uri)) {
				lab_yaml_fail(&y, item, "host %s is listed twice", host->uri);
				goto out;
			}
	}
	rc = 0;
out:
	lab_yaml_close(&y);
	return rc;
}

void lab_hosts_clear(struct lab_hosts *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].uri);
		free(h->v[i].pool_dir);
	}
	h->n = 0;
}
