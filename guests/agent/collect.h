/* SPDX-License-Identifier: MIT */
#ifndef AGENT_COLLECT_H
#define AGENT_COLLECT_H

#include <json.h>

/* What the guest kernel built: cmdline, IOMMUs, groups, PCI devices and the
 * IOMMU-related kernel log lines. Raw values only; the harness interprets. */
json_object *collect_all(void);
json_object *collect_hello(void);

#endif
