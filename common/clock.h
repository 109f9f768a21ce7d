/* SPDX-License-Identifier: MIT */
#ifndef LAB_CLOCK_H
#define LAB_CLOCK_H

/*
 * The one clock of both ends: CLOCK_MONOTONIC, for deadlines and durations
 * (the harness's run timeouts and stall watch, the agent's probes). Wall
 * time would jump when a guest or the host sets its clock.
 */
#include <stdint.h>

/* Seconds. */
double lab_clock_now(void);
/* Milliseconds. */
int64_t lab_clock_ms(void);
/* Sleep ms milliseconds, resumed after signals (the agent's SIGALRM). */
void lab_clock_sleep_ms(long ms);

#endif
