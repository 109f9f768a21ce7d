/* SPDX-License-Identifier: MIT */
#include "image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "paths.h"
#include "proc.h"

int lab_image_find(const char *dir, const char *arch, const char *suite,
		   struct lab_image *img, struct lab_error *err)
{
	char base[PATH_MAX], version[PATH_MAX + 16];

	memset(img, 0, sizeof(*img));
	snprintf(base, sizeof(base), "%s/%s-%s", dir, arch, suite);
	snprintf(img->manifest, sizeof(img->manifest), "%s/manifest", base);
	snprintf(img->kernel, sizeof(img->kernel), "%s/vmlinuz", base);
	snprintf(img->initrd, sizeof(img->initrd), "%s/initramfs.cpio.gz", base);
	snprintf(version, sizeof(version), "%s/kernel.version", base);
	/* build.sh writes the manifest last: without it the image is not whole. */
	if (access(img->manifest, R_OK) < 0 || access(img->kernel, R_OK) < 0 ||
	    access(img->initrd, R_OK) < 0) {
		lab_error_set(err, "no guest image for %s with the %s kernel in %s: run 'make images'",
			      arch, suite, base);
		return -1;
	}
	return lab_file_read_line(version, img->version, sizeof(img->version), err);
}

const char *lab_image_module(const struct lab_image *img, const char *module)
{
	static const char *const states[] = { "module", "builtin", "absent" };
	char line[4096], want[160];
	const char *found = NULL;
	FILE *f = fopen(img->manifest, "re");

	snprintf(want, sizeof(want), " %s=", module);
	while (f && fgets(line, sizeof(line), f)) {
		char *p;

		if (strncmp(line, "modules ", 8) || !(p = strstr(line, want)))
			continue;
		p += strlen(want);
		for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
			if (!strncmp(p, states[i], strlen(states[i])))
				found = states[i];
	}
	if (f)
		fclose(f);
	return found;
}

int lab_image_run_script(const char *dir, const char *script, const char *const *args,
			 const char *log, struct lab_error *err)
{
	char path[PATH_MAX];
	char *argv[8] = { path };
	size_t n = 1;

	snprintf(path, sizeof(path), "%s/images/%s", lab_paths_root(), script);
	for (; args[n - 1] && n < sizeof(argv) / sizeof(argv[0]) - 1; n++)
		argv[n] = (char *)args[n - 1];
	argv[n] = NULL;
	if (setenv("LAB_IMAGES", dir, 1) < 0) {
		lab_error_set_errno(err, errno, "setenv");
		return -1;
	}
	return lab_proc_run_logged(argv, log, err);
}

int lab_image_build_custom(const char *dir, const char *arch, const char *agent,
			   const char *suite, const char *kernel, const char *modules,
			   const char *log, struct lab_error *err)
{
	const char *args[] = { arch, agent, suite, kernel, modules, NULL };

	if (lab_image_run_script(dir, "build.sh", args, log, NULL) < 0) {
		lab_error_set(err, "building the image of %s failed: see %s", kernel, log);
		return -1;
	}
	return 0;
}
