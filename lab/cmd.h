/* SPDX-License-Identifier: MIT */
#ifndef LAB_CMD_H
#define LAB_CMD_H

/*
 * One subcommand per lab/cmd_<verb>.c. Each returns the process exit code:
 * 0 all checks held, 1 a check failed, 2 usage or set-up error.
 */
enum {
	LAB_EXIT_OK = 0,
	LAB_EXIT_FAIL = 1,
	LAB_EXIT_USAGE = 2,
};

#include "pool.h"

/* The pool's progress on stderr (lab/progress.c): opaque non-NULL for one
 * live line (a terminal), NULL for a line per run. */
void cmd_progress(const struct lab_pool_event *ev, void *opaque);

/* results.json, junit.xml (and a copy at junit, if given), report.html and
 * results.tap into dir (lab/reports.c). */
int cmd_write_reports(json_object *results, const char *dir, const char *junit,
		      struct lab_error *err);

int cmd_run(int argc, char **argv);
int cmd_recheck(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_reproduce(int argc, char **argv);
int cmd_guest(int argc, char **argv);
int cmd_ping(int argc, char **argv);
int cmd_acpi(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_gc(int argc, char **argv);

#endif
