/* SPDX-License-Identifier: MIT */
#ifndef LAB_TESTDATA_H
#define LAB_TESTDATA_H

/*
 * The unit tests' data files (tests/data/<module>/), read from the repo root
 * where tests/run-unit.sh runs them. Include after <cmocka.h>.
 */
#include <stdarg.h>
#include <stdio.h>
#include <json.h>

/* The JSON file at the path fmt makes; a test fails on a file that is
 * missing or not JSON. */
static json_object *lab_test_json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_object *lab_test_json(const char *fmt, ...)
{
	char path[512];
	json_object *o;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	o = json_object_from_file(path);
	if (!o)
		fail_msg("%s: missing or not JSON", path);
	return o;
}

#endif
