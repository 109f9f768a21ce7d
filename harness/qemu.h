/* SPDX-License-Identifier: MIT */
#ifndef LAB_QEMU_H
#define LAB_QEMU_H

/*
 * Which QEMU a guest runs on, and what that QEMU can do.
 *
 * A run's QEMU is one of
 *   system     the host's: libvirt's default emulator (the default)
 *   bookworm   Debian bookworm's QEMU 7.2,  } fetched as Debian packages
 *   backports  bookworm-backports' QEMU 10.0 } into the image cache by
 *              images/qemu.sh, never installed on the host
 *   PATH       a qemu-system-ARCH a developer built (with its pc-bios/ or
 *              ../share/qemu beside it), named custom-<12 hex>
 * A QEMU other than the system's reaches libvirt as <emulator>, with -L for
 * its firmware. A suite's <emulator> is images/qemu.sh's wrapper, which
 * sets QEMU_MODULE_DIR: Debian builds TCG as a module on 7.2, a QEMU only
 * loads modules of its own build, and libvirt's capability probe (no
 * environment of ours) must find them too.
 *
 * What a QEMU can do is asked of the binary itself (`-device DRIVER,help`),
 * so a run that sets a property its QEMU lacks is skipped with that reason.
 */
#include <limits.h>
#include <stddef.h>

#include "error.h"

#define LAB_QEMU_SYSTEM "system"

struct lab_qemu {
	char name[64];           /* system | bookworm | backports | custom-<12 hex> */
	char root[PATH_MAX];     /* a suite's unpacked tree, or "" */
	char binary[PATH_MAX];   /* a developer's binary (real path), or "" */
	char arch[16];           /* that binary's guest architecture, or "" */
	char version[32];        /* what the binary says ("10.0.2"); "" for the
				    system's (libvirt reports it: lab_virt_versions) */
};

/* How libvirt starts a QEMU for one guest architecture. */
struct lab_qemu_emulator {
	char binary[PATH_MAX];       /* "" for libvirt's default emulator */
	char data_dirs[3][PATH_MAX]; /* -L, searched in order */
	size_t ndata;
};

/* Is SPEC one of the names (not a path)? */
int lab_qemu_is_suite(const char *spec);

/* Resolve SPEC (system, bookworm, backports or a path). A suite must have
 * been fetched (lab_qemu_fetch); a path must be an executable
 * qemu-system-ARCH that answers --version. */
int lab_qemu_lookup(const char *cache_dir, const char *spec, struct lab_qemu *q,
		    struct lab_error *err);

/* Fetch a suite's QEMU into cache_dir/qemu-SUITE with images/qemu.sh
 * (quick when it is there already); what the script prints goes to log. */
int lab_qemu_fetch(const char *cache_dir, const char *suite, const char *log,
		   struct lab_error *err);

/* The emulator for a guest architecture (x86_64, aarch64). -1 when this
 * QEMU has none for it (a developer's binary is one architecture). */
int lab_qemu_emulator(const struct lab_qemu *q, const char *arch, struct lab_qemu_emulator *e,
		      struct lab_error *err);

/* 1 if DRIVER in this QEMU for ARCH has property PROP, 0 if not, -1 when
 * QEMU could not be asked (err says why). Answers are cached per process. */
int lab_qemu_has_property(const struct lab_qemu *q, const char *arch, const char *driver,
			  const char *prop, struct lab_error *err);

/* Compare dotted versions "7.2.0" and "10.0": <0, 0, >0. Missing parts
 * count as 0; text after the numbers is ignored ("6.1.0-56-amd64"). */
int lab_qemu_version_cmp(const char *a, const char *b);

/* The version in `qemu-system-ARCH --version` output ("QEMU emulator
 * version 10.0.2 (Debian ...)" -> "10.0.2"); -1 if there is none. */
int lab_qemu_parse_version(const char *text, char *buf, size_t len);

#endif
