/* SPDX-License-Identifier: MIT */
#ifndef AGENT_HOTPLUG_H
#define AGENT_HOTPLUG_H

/*
 * Command "pci_wait" {"path": "0000:00/09.0/00.0", "present": true|false,
 *                     "group": "12" (optional), "timeout_ms": N (<= 120000)}:
 * wait for a device to appear at that place in the PCI tree (and a driver
 * to bind, or 5 s to pass without one) or to be gone, as a hot-plug or an
 * unplug the harness asked libvirt for makes it. Reply:
 *   {"path", "present": bool, "address": "0000:0b:00.0" | null, "driver",
 *    "iommu_group", "group_type" (null when none), "group_present": bool
 *    (the group named in the request still exists), "waited_ms",
 *    "timed_out": bool}
 */
#include <json.h>

#include "error.h"

json_object *hotplug_wait(json_object *args, struct lab_error *err);

#endif
