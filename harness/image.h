/* SPDX-License-Identifier: MIT */
#ifndef LAB_IMAGE_H
#define LAB_IMAGE_H

#include <limits.h>

#include "error.h"

#define LAB_IMAGE_DEFAULT_SUITE "bookworm"

/* A built guest image (images/build.sh): kernel + initramfs for one
 * architecture and one Debian suite's kernel. */
struct lab_image {
	char kernel[PATH_MAX];
	char initrd[PATH_MAX];
	char manifest[PATH_MAX];
	char version[128];      /* the kernel release, e.g. 6.1.0-41-amd64 */
};

/* Find the image for a Debian architecture (amd64, arm64) and suite
 * (bookworm, backports) under dir; a missing or half-built one is an error
 * that names the command to run. */
int lab_image_find(const char *dir, const char *arch, const char *suite,
		   struct lab_image *img, struct lab_error *err);

/*
 * Build the image of a kernel the user built (images/build.sh's custom
 * form) into dir, for a Debian architecture (amd64, arm64) with the agent
 * for that guest (agent: the static binary). What build.sh prints goes to
 * log. A failure names the log.
 */
int lab_image_build_custom(const char *dir, const char *arch, const char *agent,
			   const char *suite, const char *kernel, const char *modules,
			   const char *log, struct lab_error *err);

/* Run images/SCRIPT with args (NULL-terminated, at most 6) and
 * LAB_IMAGES=dir, what it prints appended to log. 0 when it exited 0. */
int lab_image_run_script(const char *dir, const char *script, const char *const *args,
			 const char *log, struct lab_error *err);

/* How the image's kernel has a module: "module", "builtin" or "absent"
 * (images/modules.list names the ones recorded), NULL if not recorded. */
const char *lab_image_module(const struct lab_image *img, const char *module);

#endif
