/* SPDX-License-Identifier: MIT */
/* The files every invocation that judges runs leaves in its results folder
 * (`run`, `recheck`): results.json, junit.xml, report.html, results.tap. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "file.h"
#include "report.h"

int cmd_write_reports(json_object *results, const char *dir, const char *junit,
		      struct lab_error *err)
{
	char path[PATH_MAX + 32];
	char *tap = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/results.json", dir);
	if (lab_file_write_json(path, results, JSON_C_TO_STRING_PRETTY, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/junit.xml", dir);
	if (lab_report_write_junit(results, path, err) < 0)
		return -1;
	if (junit && lab_report_write_junit(results, junit, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/report.html", dir);
	if (lab_report_write_html(results, path, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/results.tap", dir);
	/* whole or not at all, as the others (file.h) */
	f = open_memstream(&tap, &len);
	if (!f) {
		lab_error_set_errno(err, errno, "writing %s", path);
		return -1;
	}
	lab_report_write_tap(results, f);
	fclose(f);
	rc = lab_file_write(path, tap, len, 0644, err);
	free(tap);
	return rc;
}
