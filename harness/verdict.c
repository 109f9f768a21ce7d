/* SPDX-License-Identifier: MIT */
#include "verdict.h"

#include <string.h>

static const char *const verdict_names[LAB_VERDICT_COUNT] = {
	[LAB_VERDICT_PASS] = "pass",   [LAB_VERDICT_SKIP] = "skip",
	[LAB_VERDICT_XFAIL] = "xfail", [LAB_VERDICT_XPASS] = "xpass",
	[LAB_VERDICT_FAIL] = "fail",   [LAB_VERDICT_ERROR] = "error",
};

static const char *const status_names[LAB_RUN_STATUS_COUNT] = {
	[LAB_RUN_OK] = "ok",           [LAB_RUN_PANIC] = "panic",
	[LAB_RUN_TIMEOUT] = "timeout", [LAB_RUN_CRASHED] = "crashed",
	[LAB_RUN_ERROR] = "error",     [LAB_RUN_INTERRUPTED] = "interrupted",
	[LAB_RUN_SKIPPED] = "skipped",
};

const char *lab_verdict_name(enum lab_verdict v)
{
	return v < LAB_VERDICT_COUNT ? verdict_names[v] : "error";
}

enum lab_verdict lab_verdict_parse(const char *name)
{
	for (int v = 0; name && v < LAB_VERDICT_COUNT; v++)
		if (!strcmp(name, verdict_names[v]))
			return (enum lab_verdict)v;
	return LAB_VERDICT_ERROR;
}

enum lab_verdict lab_verdict_worse(enum lab_verdict a, enum lab_verdict b)
{
	return a >= b ? a : b;      /* the enum runs from best to worst */
}

enum lab_verdict lab_verdict_of_run(enum lab_verdict worst)
{
	if (worst == LAB_VERDICT_XPASS)
		return LAB_VERDICT_FAIL;
	if (worst == LAB_VERDICT_SKIP || worst == LAB_VERDICT_XFAIL)
		return LAB_VERDICT_PASS;
	return worst;
}

const char *lab_run_status_name(enum lab_run_status s)
{
	return s < LAB_RUN_STATUS_COUNT ? status_names[s] : "error";
}

int lab_run_status_parse(const char *name)
{
	for (int s = 0; name && s < LAB_RUN_STATUS_COUNT; s++)
		if (!strcmp(name, status_names[s]))
			return s;
	return -1;
}

int lab_run_status_expectable(enum lab_run_status s)
{
	return s <= LAB_RUN_CRASHED;
}
