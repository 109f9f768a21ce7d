/* SPDX-License-Identifier: MIT */
#ifndef AGENT_EDU_H
#define AGENT_EDU_H

/*
 * QEMU's edu test device (1234:11e8), as the DMA probe drives it: its
 * identity, and one transfer between its buffer and RAM through BAR0. How
 * BAR0 is reached (VFIO or resource0) and what the transfers prove is the
 * caller's (dma.c).
 */
#include <stdint.h>

#include "error.h"

#define EDU_TIMEOUT_MS 2000     /* a transfer's run bit must clear within */

struct edu {
	volatile uint8_t *bar;  /* BAR0's first page, mapped by the caller */
	uint64_t dma_mask;      /* the device's dma_mask: nothing beyond is programmed */
	int irq_fd;             /* eventfd edu's MSI is signalled on: each transfer
				 * asks for the interrupt and waits; -1: none */
	/* over every transfer */
	int started;            /* transfers started */
	int timed_out;          /* edu stayed busy: a transfer may still run */
	int irq_sent, irq_got;  /* interrupts asked for, eventfd counts read */
	int64_t irq_worst_ms;
};

/* One transfer as programmed, and whether edu finished it in time. */
struct edu_step {
	uint64_t src, dst;
	uint32_t count;
	int completed;
};

/* dev ("ssss:bb:dd.f") exists and is an edu (sysfs vendor and device):
 * never program anything else. 0, or -1 with err set. */
int edu_check_device(const char *dev, struct lab_error *err);
/* BAR0's identification register reads like edu's: 0, or -1 with err set. */
int edu_check_id(struct edu *e, struct lab_error *err);
/* One transfer, bounded. to_ram: edu -> RAM (edu's buffer is the source),
 * else RAM -> edu; ram: the RAM side's bus address, cnt bytes (1..4095,
 * ram + cnt within the mask). 0 when it was started (step filled,
 * step->completed false when edu did not finish within EDU_TIMEOUT_MS);
 * -1 with err set when nothing was started. */
int edu_transfer(struct edu *e, int to_ram, uint64_t ram, uint32_t cnt,
		 struct edu_step *step, struct lab_error *err);

#endif
