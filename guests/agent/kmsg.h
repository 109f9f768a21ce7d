/* SPDX-License-Identifier: MIT */
#ifndef AGENT_KMSG_H
#define AGENT_KMSG_H

#include <stdint.h>
#include <json.h>

/*
 * Kernel log records from /dev/kmsg with sequence number >= since, at most
 * max of them, as {"records": [{"seq", "prio", "ts_us", "msg"}...],
 * "next": seq to ask for next time, "lost": records overwritten before we
 * read them}. match, when non-NULL, keeps only records it accepts.
 */
json_object *kmsg_collect(uint64_t since, size_t max, int (*match)(const char *msg));

/* Sequence number the next /dev/kmsg record will carry, -1 if unknown: a
 * probe's "since" for the records it may cause. */
int64_t kmsg_next_seq(void);
/* Wait until the kernel log has been quiet for quiet_ms (at most max_ms):
 * a fault interrupt raised by the last DMA prints its lines a moment after
 * the DMA completes, and the next reader must see them. */
void kmsg_settle(int quiet_ms, int max_ms);

#endif
