/* SPDX-License-Identifier: MIT */
/* How `run` and `reproduce` show a matrix going on: the pool's events
 * (harness/pool.h) as a line per run, or one live line on a terminal. */
#include <stdio.h>

#include "cmd.h"

void cmd_progress(const struct lab_pool_event *ev, void *opaque)
{
	int live = opaque != NULL;
	int eta = (int)ev->eta_s;

	switch (ev->kind) {
	case LAB_POOL_NOTE:
		fprintf(stderr, "%srun: %s\n", live ? "\r\033[K" : "", ev->note);
		break;
	case LAB_POOL_RUN_DONE:
	case LAB_POOL_TICK:
		if (!live && ev->kind == LAB_POOL_RUN_DONE)
			fprintf(stderr, "[%zu/%zu] %s: %s (%.1f s; running %zu, failures %zu, "
				"ETA %dm%02ds)\n", ev->done, ev->total, ev->name, ev->verdict,
				ev->duration_s, ev->active, ev->failures, eta / 60, eta % 60);
		else if (live)   /* the live line names the last run that finished */
			fprintf(stderr, "\r\033[K[%zu/%zu] running %zu, failures %zu, ETA %dm%02ds%s%s%s%s",
				ev->done, ev->total, ev->active, ev->failures, eta / 60, eta % 60,
				ev->name ? "  last: " : "", ev->name ? ev->name : "",
				ev->name ? " " : "", ev->verdict ? ev->verdict : "");
		break;
	case LAB_POOL_END:
		if (live)
			fprintf(stderr, "\n");
		break;
	}
}
