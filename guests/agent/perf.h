/* SPDX-License-Identifier: MIT */
#ifndef AGENT_PERF_H
#define AGENT_PERF_H

/*
 * The "perf" command: what the IOMMU costs, measured in the guest (VFIO
 * map and unmap latency by size, edu DMA round trips, O_DIRECT block
 * reads through the kernel's DMA API, IOMMU page-table memory). Request
 * and result: common/perf_request.h. Reuses the DMA probe's ways to the
 * device (vfio.h, raw.h, edu.h, and dma.h for the stale-IOVA check) and
 * block.h's disks.
 */
#include <json.h>

#include "error.h"

/* The result (with "error" inside when a measurement failed), or NULL
 * with err set when the arguments are invalid. */
json_object *perf_probe(json_object *args, struct lab_error *err);

#endif
