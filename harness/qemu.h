/* SPDX-License-Identifier: MIT */
#ifndef LAB_QEMU_H
#define LAB_QEMU_H

/*
 * What the host's QEMU can do, asked of QEMU itself: the properties a device
 * has (`qemu-system-ARCH -device DRIVER,help`), so that a run asking for a
 * property this QEMU lacks is skipped with that reason instead of failing.
 */
#include "error.h"

/* 1 if DRIVER in qemu-system-ARCH has property PROP, 0 if not, -1 when QEMU
 * could not be asked (err says why). Answers are cached per process. */
int lab_qemu_has_property(const char *arch, const char *driver, const char *prop,
			  struct lab_error *err);

/* Compare dotted versions "7.2.0" and "10.0": <0, 0, >0. Missing parts
 * count as 0; text after the numbers is ignored ("6.1.0-56-amd64"). */
int lab_qemu_version_cmp(const char *a, const char *b);

#endif
