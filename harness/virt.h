/* SPDX-License-Identifier: MIT */
#ifndef LAB_VIRT_H
#define LAB_VIRT_H

/* The lab's libvirt connection and event loop (C API only, no virsh). */
#include <libvirt/libvirt.h>

#include "error.h"

#define LAB_VIRT_DEFAULT_URI "qemu:///system"

/* Register libvirt's default event loop (once) and silence libvirt's own
 * printing of errors: the lab reports them itself, once. */
int lab_virt_init(struct lab_error *err);

/* Connect; a daemon that is not there is an error that says how to start it. */
virConnectPtr lab_virt_connect(const char *uri, struct lab_error *err);

/*
 * Notice a connection that goes away under a run (libvirtd restarted or
 * killed, the host unreachable): libvirt's close callback, and keepalive
 * probes (every LAB_VIRT_KEEPALIVE_S, LAB_VIRT_KEEPALIVE_COUNT unanswered
 * ones close it) for a daemon that hangs rather than closes. Both act
 * from the event loop. One watched connection per process (a worker's).
 */
#define LAB_VIRT_KEEPALIVE_S 5
#define LAB_VIRT_KEEPALIVE_COUNT 3
int lab_virt_watch(virConnectPtr conn, struct lab_error *err);
/* Why the watched connection closed ("libvirt connection closed: ..."),
 * or NULL while it is open. */
const char *lab_virt_lost(void);

/*
 * A daemon that hangs (stopped, deadlocked) blocks every synchronous call
 * on the connection, and keepalive does not end a call already waiting
 * (libvirt 9.0, docs/NOTES.md): the event loop stops. While the runner's
 * loop runs (lab_virt_loop_running), a thread watches it; stuck for
 * LAB_VIRT_HANG_S, it calls on_hang with why, from that thread (which must
 * not return: it writes what it can and _exits).
 */
#define LAB_VIRT_HANG_S 30
typedef void (*lab_virt_hang_fn)(const char *why);
int lab_virt_watch_hang(lab_virt_hang_fn on_hang, struct lab_error *err);
void lab_virt_loop_running(int on);

/* "9.0.0" style version strings of libvirt and the hypervisor (QEMU). */
void lab_virt_versions(virConnectPtr conn, char *libvirt, size_t llen, char *qemu, size_t qlen);

/* Destroy every domain whose name starts with the lab's prefix and was
 * started by this process (pid in the name); returns how many. */
int lab_virt_destroy_own(virConnectPtr conn);

/* The lab-owner record of a domain's <metadata> (owner.h): 0, or -1 when
 * it has none (a domain of an older lab, or not the lab's). */
struct lab_owner;
int lab_virt_domain_owner(virDomainPtr dom, struct lab_owner *o);

#endif
