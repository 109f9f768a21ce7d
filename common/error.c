/* SPDX-License-Identifier: MIT */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void set_va(struct lab_error *err, int errnum, const char *fmt, va_list ap)
{
	if (!err || err->set)
		return;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (errnum) {
		size_t len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(errnum));
	}
	err->errnum = errnum;
	err->set = 1;
}

void lab_error_set(struct lab_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_va(err, 0, fmt, ap);
	va_end(ap);
}

void lab_error_set_errno(struct lab_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_va(err, errnum, fmt, ap);
	va_end(ap);
}

void lab_error_prefix(struct lab_error *err, const char *fmt, ...)
{
	char prefix[LAB_ERROR_MSG_MAX];
	char old[LAB_ERROR_MSG_MAX];
	va_list ap;

	if (!err || !err->set)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
}

void lab_error_clear(struct lab_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}
