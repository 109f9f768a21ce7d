/* SPDX-License-Identifier: MIT */
#ifndef LAB_REPLAY_H
#define LAB_REPLAY_H

/*
 * Replaying a real machine's IOMMU faults in a guest (`iommu-lab
 * reproduce`): decoded fault records (fault.h) become fault signatures
 * (IOMMU kind, event, code, access, page-aligned address); each signature a
 * DMA probe can raise becomes one variant of a generated scenario file, and
 * what cannot be replayed says why.
 */
#include <json.h>

#include "error.h"

#define LAB_REPLAY_MAX 16   /* signatures replayed at most; the rest are listed */

/*
 * The plan: {"signatures": [{"iommu", "event", "code", "access", "address",
 * "device", "count", "platform", "replayable": bool, "why": text, "variant"}],
 * "append": the log's IOMMU-related kernel arguments or null}.
 * faults is the "faults" array of lab_fault_parse_*(); cmdline the log's
 * "Kernel command line:" text or NULL.
 */
json_object *lab_replay_plan(json_object *faults, const char *cmdline);

/* The IOMMU-related arguments of a kernel command line, or NULL (caller frees). */
char *lab_replay_iommu_args(const char *cmdline);

/* Write one scenario file per platform of the plan's replayable signatures
 * into dir (reproduce-<platform>.yaml), with libyaml's emitter. Returns the
 * number of files written (their paths appended to files), or -1. */
int lab_replay_write(json_object *plan, const char *dir, json_object *files,
		     struct lab_error *err);

#endif
