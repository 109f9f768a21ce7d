/* SPDX-License-Identifier: MIT */
#ifndef AGENT_CLOCK_H
#define AGENT_CLOCK_H

/*
 * The agent's one clock: CLOCK_MONOTONIC in milliseconds, for the
 * deadlines and durations of its probes (dma, block, the journal). Wall
 * time would jump when the guest sets its clock.
 */
#include <stdint.h>

int64_t clock_ms(void);
/* Sleep ms milliseconds, resumed after signals (the agent's SIGALRM). */
void clock_sleep_ms(long ms);

#endif
