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

/* "9.0.0" style version strings of libvirt and the hypervisor (QEMU). */
void lab_virt_versions(virConnectPtr conn, char *libvirt, size_t llen, char *qemu, size_t qlen);

/* Destroy every domain whose name starts with the lab's prefix and was
 * started by this process (pid in the name); returns how many. */
int lab_virt_destroy_own(virConnectPtr conn);

#endif
