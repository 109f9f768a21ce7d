/* SPDX-License-Identifier: MIT */
#ifndef LAB_HOTPLUG_H
#define LAB_HOTPLUG_H

/*
 * A hot-plug probe (mode: hotplug): the run's virtio disk, absent at boot,
 * is plugged into an empty root port of the topology while the guest runs
 * (virDomainAttachDeviceFlags), found by the agent at the port's place in
 * the PCI tree with its IOMMU group, read through its DMA (the block probe),
 * unplugged (virDomainDetachDeviceFlags) and seen gone, group and all.
 * The runner drives it one agent request at a time:
 *
 *   lab_hotplug_next()   the host's part of the next phase, then the
 *                        request for the agent (execute NULL: done)
 *   lab_hotplug_reply()  the agent's answer to it
 *
 * The result, when done: {"port", "path", "attached", "address", "driver",
 * "group", "domain_type", "block" (the block probe's reply), "match",
 * "detached", "removed", "group_gone", "waited_ms": {...}, "error"}.
 */
#include <libvirt/libvirt.h>
#include <json.h>

#include "error.h"

struct lab_hotplug {
	int phase;
	char *xml;               /* the disk's <disk> element (owned) */
	char port[32];           /* the root port's topology id */
	char path[128];          /* where the disk appears: the port's path/00.0 */
	unsigned timeout_ms;     /* for each wait in the guest */
	json_object *result;     /* owned until taken */
	int done;
};

/* Set h up for the disk xml (taken) at port (id) whose path in the tree is
 * port_path. */
void lab_hotplug_init(struct lab_hotplug *h, char *xml, const char *port, const char *port_path,
		      unsigned timeout_ms);
/* The next request: *execute and *args (owned by the caller) for the agent,
 * after the host's part (attach, detach); *execute NULL when the probe is
 * done (h->result then holds it, an error included). */
void lab_hotplug_next(struct lab_hotplug *h, virDomainPtr dom, const char **execute,
		      json_object **args);
/* The agent's reply to the last request: its "return", or its "error". */
void lab_hotplug_reply(struct lab_hotplug *h, json_object *ret, json_object *error);
/* The result (the caller owns it) and h emptied. */
json_object *lab_hotplug_take(struct lab_hotplug *h);
void lab_hotplug_clear(struct lab_hotplug *h);

#endif
