/* SPDX-License-Identifier: MIT */
#ifndef LAB_IMAGE_H
#define LAB_IMAGE_H

#include <limits.h>

#include "error.h"

/* A built guest image (images/build.sh): kernel + initramfs for one arch. */
struct lab_image {
	char kernel[PATH_MAX];
	char initrd[PATH_MAX];
	char version[128];      /* the kernel release, e.g. 6.1.0-41-amd64 */
};

/* Find the image for a Debian architecture (amd64, arm64) under dir; a
 * missing or half-built one is an error that names the command to run. */
int lab_image_find(const char *dir, const char *arch, struct lab_image *img,
		   struct lab_error *err);

#endif
