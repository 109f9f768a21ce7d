/* SPDX-License-Identifier: MIT */
#ifndef LAB_PROBE_RESULT_H
#define LAB_PROBE_RESULT_H

/*
 * The result of a probe the host takes part in (hotplug.h, reset.h), built
 * as it goes: its first failure is its "error", and what fails after it
 * (a step that could not run for the first one) says nothing new.
 */
#include <stdio.h>
#include <json.h>

#include "jsonval.h"

/* "WHAT: WHY" (WHY alone without WHAT) as result's "error", unless it has one. */
static inline void lab_probe_result_fail(json_object *result, const char *what, const char *why)
{
	char msg[512];

	if (lab_jsonval_str(result, "error"))
		return;
	snprintf(msg, sizeof(msg), "%s%s%s", what ? what : "", what ? ": " : "",
		 why ? why : "failed");
	json_object_object_add(result, "error", json_object_new_string(msg));
}

#endif
