/* SPDX-License-Identifier: MIT */
#ifndef LAB_ERROR_H
#define LAB_ERROR_H

/*
 * Error reporting, after QEMU's Error **errp and libvirt's virReportError:
 * a fallible function returns -1 (or NULL) and fills the caller's error
 * object once, at the point of failure, with errno and context. Callers pass
 * the -1 up without reporting again; only the outermost level prints.
 */

#define LAB_ERROR_MSG_MAX 1024

struct lab_error {
	int set;                      /* 0 until the first lab_error_set() */
	int errnum;                   /* errno at the failure, or 0 */
	char msg[LAB_ERROR_MSG_MAX];  /* context, then strerror(errnum) if any */
};

/* Fill err (if non-NULL and not already set). The first failure wins. */
void lab_error_set(struct lab_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same, appending ": strerror(errnum)". */
void lab_error_set_errno(struct lab_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix an already set message with more context ("loading x: <msg>"). */
void lab_error_prefix(struct lab_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void lab_error_clear(struct lab_error *err);

#endif
