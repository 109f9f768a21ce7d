/* SPDX-License-Identifier: MIT */
#include "virt.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "clock.h"
#include "domain.h"
#include "owner.h"

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

static char lost[256];

static void on_close(virConnectPtr conn, int reason, void *opaque)
{
	static const char *const why[] = {
		[VIR_CONNECT_CLOSE_REASON_ERROR] = "I/O error (the daemon died, or the network)",
		[VIR_CONNECT_CLOSE_REASON_EOF] = "end of file: the daemon went away",
		[VIR_CONNECT_CLOSE_REASON_KEEPALIVE] = "keepalive timeout: the daemon does not answer",
		[VIR_CONNECT_CLOSE_REASON_CLIENT] = "closed by the client",
	};

	(void)conn, (void)opaque;
	snprintf(lost, sizeof(lost), "libvirt connection closed: %s",
		 reason >= 0 && reason < (int)(sizeof(why) / sizeof(why[0])) && why[reason]
			 ? why[reason] : "unknown reason");
}

int lab_virt_watch(virConnectPtr conn, struct lab_error *err)
{
	/* keepalive needs the daemon's support: the local and remote drivers
	 * have it; -1 means it could not be enabled, 1 not supported */
	if (virConnectSetKeepAlive(conn, LAB_VIRT_KEEPALIVE_S, LAB_VIRT_KEEPALIVE_COUNT) < 0 ||
	    virConnectRegisterCloseCallback(conn, on_close, NULL, NULL) < 0) {
		lab_error_set(err, "watching the libvirt connection: %s", virGetLastErrorMessage());
		return -1;
	}
	return 0;
}

const char *lab_virt_lost(void)
{
	return lost[0] ? lost : NULL;
}

/* The hang watchdog: the loop's timer beats, the thread looks. */
static volatile double beat;
static volatile int loop_on;
static lab_virt_hang_fn hang_fn;

static void on_beat(int timer, void *opaque)
{
	(void)timer, (void)opaque;
	beat = lab_clock_now();
}

static void *hang_watch(void *arg)
{
	(void)arg;
	for (;;) {
		sleep(1);
		if (loop_on && beat && lab_clock_now() - beat > LAB_VIRT_HANG_S) {
			char why[160];

			snprintf(why, sizeof(why), "libvirt did not answer for %d s (a hung daemon?)",
				 LAB_VIRT_HANG_S);
			hang_fn(why);
		}
	}
	return NULL;
}

int lab_virt_watch_hang(lab_virt_hang_fn on_hang, struct lab_error *err)
{
	pthread_t t;

	hang_fn = on_hang;
	if (virEventAddTimeout(1000, on_beat, NULL, NULL) < 0 ||
	    pthread_create(&t, NULL, hang_watch, NULL) != 0) {
		lab_error_set(err, "starting the libvirt hang watchdog failed");
		return -1;
	}
	pthread_detach(t);
	return 0;
}

void lab_virt_loop_running(int on)
{
	beat = lab_clock_now();
	loop_on = on;
}

int lab_virt_domain_owner(virDomainPtr dom, struct lab_owner *o)
{
	char *xml = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, LAB_OWNER_NS, 0);
	int rc = xml ? lab_owner_from_xml(xml, o) : -1;

	free(xml);
	return rc;
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
