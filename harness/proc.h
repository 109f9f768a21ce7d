/* SPDX-License-Identifier: MIT */
#ifndef LAB_PROC_H
#define LAB_PROC_H

/*
 * Child processes the lab runs on the host (QEMU asked what it can do, the
 * image scripts): fixed argument vectors, never a shell, stdin /dev/null.
 */
#include <stddef.h>

#include "error.h"

/* Run argv[0] (looked up in PATH when it has no '/'); return what it
 * printed on stdout and stderr (at most max bytes kept; caller frees) and
 * its wait status in *status. NULL with err set when it could not start. */
char *lab_proc_capture(char *const argv[], size_t max, int *status, struct lab_error *err);

/* Run argv[0] with stdout and stderr appended to log. 0 when it exited 0;
 * -1 with err naming what failed and the log otherwise. */
int lab_proc_run_logged(char *const argv[], const char *log, struct lab_error *err);

#endif
