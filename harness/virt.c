/* SPDX-License-Identifier: MIT */
#include "virt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "domain.h"

static void quiet(void *opaque, virErrorPtr e)
{
	(void)opaque, (void)e;
}

int lab_virt_init(struct lab_error *err)
{
	static int done;

	if (done)
		return 0;
	virSetErrorFunc(NULL, quiet);
	if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0) {
		lab_error_set(err, "libvirt initialisation failed: %s", virGetLastErrorMessage());
		return -1;
	}
	done = 1;
	return 0;
}

virConnectPtr lab_virt_connect(const char *uri, struct lab_error *err)
{
	virConnectPtr conn;

	if (lab_virt_init(err) < 0)
		return NULL;
	conn = virConnectOpen(uri);
	if (!conn) {
		lab_error_set(err,
			      "cannot reach libvirt at %s: %s\n"
			      "  start the daemons with 'lab/start-daemons.sh' (or 'make daemons'),\n"
			      "  or name another libvirt with --uri",
			      uri, virGetLastErrorMessage());
		return NULL;
	}
	return conn;
}

static void version_string(unsigned long v, char *buf, size_t len)
{
	if (v)
		snprintf(buf, len, "%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
	else
		snprintf(buf, len, "unknown");
}

void lab_virt_versions(virConnectPtr conn, char *libvirt, size_t llen, char *qemu, size_t qlen)
{
	unsigned long lv = 0, qv = 0;

	virConnectGetLibVersion(conn, &lv);
	virConnectGetVersion(conn, &qv);
	version_string(lv, libvirt, llen);
	version_string(qv, qemu, qlen);
}

int lab_virt_destroy_own(virConnectPtr conn)
{
	virDomainPtr *doms = NULL;
	char mark[64];
	int n, killed = 0;

	snprintf(mark, sizeof(mark), "-%ld-", (long)getpid());
	n = virConnectListAllDomains(conn, &doms, 0);
	for (int i = 0; i < n; i++) {
		const char *name = virDomainGetName(doms[i]);

		if (name && !strncmp(name, LAB_DOMAIN_PREFIX, strlen(LAB_DOMAIN_PREFIX)) &&
		    strstr(name, mark) && virDomainDestroy(doms[i]) == 0)
			killed++;
		virDomainFree(doms[i]);
	}
	free(doms);
	return killed;
}
