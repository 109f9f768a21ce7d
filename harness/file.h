/* SPDX-License-Identifier: MIT */
#ifndef LAB_FILE_H
#define LAB_FILE_H

/*
 * Files the lab writes: whole or not at all. Each goes to PATH.tmp first,
 * is flushed to disk, and is renamed over PATH, so a reader (a merge, a
 * recheck, a lab killed halfway) never takes a half-written file for a
 * complete one; a full disk is an error naming the file, and leaves no
 * .tmp behind.
 */
#include <stddef.h>
#include <sys/types.h>
#include <json.h>

#include "error.h"

/* len bytes of data to path, mode as given (subject to the umask). */
int lab_file_write(const char *path, const void *data, size_t len, mode_t mode,
		   struct lab_error *err);
/* A JSON document (json-c's flags: JSON_C_TO_STRING_PLAIN, _PRETTY). */
int lab_file_write_json(const char *path, json_object *doc, int flags, struct lab_error *err);

/* The first line of a small file (a version, an id), without its newline. */
int lab_file_read_line(const char *path, char *buf, size_t len, struct lab_error *err);

#endif
