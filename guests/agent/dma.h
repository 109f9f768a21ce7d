/* SPDX-License-Identifier: MIT */
#ifndef AGENT_DMA_H
#define AGENT_DMA_H

/*
 * The DMA engine of the agent: the "dma" command, whose request and result
 * common/dma_request.h describes.
 */
#include <json.h>

#include "dma_request.h"

/* Pure validation, unit-testable on the host: 0 ok, -1 with *err set to a
 * static message. */
int dma_request_parse(json_object *args, struct dma_request *req, const char **err);

/* Runs the probe. Returns a new object, or NULL with *err set (static
 * message) when the arguments are invalid. Run-time failures are reported in
 * the result's "error" field. */
json_object *dma_probe(json_object *args, const char **err);

#endif
