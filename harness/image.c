/* SPDX-License-Identifier: MIT */
#include "image.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int lab_image_find(const char *dir, const char *arch, struct lab_image *img,
		   struct lab_error *err)
{
	char manifest[PATH_MAX], version[PATH_MAX];
	FILE *f;

	memset(img, 0, sizeof(*img));
	snprintf(manifest, sizeof(manifest), "%s/%s/manifest", dir, arch);
	snprintf(img->kernel, sizeof(img->kernel), "%s/%s/vmlinuz", dir, arch);
	snprintf(img->initrd, sizeof(img->initrd), "%s/%s/initramfs.cpio.gz", dir, arch);
	snprintf(version, sizeof(version), "%s/%s/kernel.version", dir, arch);
	/* build.sh writes the manifest last: without it the image is not whole. */
	if (access(manifest, R_OK) < 0 || access(img->kernel, R_OK) < 0 ||
	    access(img->initrd, R_OK) < 0) {
		lab_error_set(err, "no guest image for %s in %s/%s: run 'make images'", arch, dir,
			      arch);
		return -1;
	}
	f = fopen(version, "re");
	if (!f || !fgets(img->version, sizeof(img->version), f)) {
		lab_error_set_errno(err, f ? EIO : errno, "reading %s", version);
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	img->version[strcspn(img->version, "\n")] = '\0';
	return 0;
}
