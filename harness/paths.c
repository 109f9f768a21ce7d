/* SPDX-License-Identifier: MIT */
#include "paths.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char root[PATH_MAX];

const char *lab_paths_root(void)
{
	const char *env = getenv("LAB_ROOT");
	char exe[PATH_MAX];
	ssize_t n;

	if (root[0])
		return root;
	if (env && *env) {
		snprintf(root, sizeof(root), "%s", env);
		return root;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		/* <root>/build/iommu-lab, or <root>/build/tests/test_x */
		char *dir = dirname(exe);

		while (strcmp(dir, "/") && strcmp(basename(dir), "build"))
			dir = dirname(dir);
		if (strcmp(dir, "/")) {
			snprintf(root, sizeof(root), "%s", dirname(dir));
			return root;
		}
	}
	if (!getcwd(root, sizeof(root)))
		snprintf(root, sizeof(root), ".");
	return root;
}

static const char *sub(char *buf, size_t size, const char *env, const char *rel)
{
	const char *v = getenv(env);

	if (buf[0])
		return buf;
	if (v && *v)
		snprintf(buf, size, "%s", v);
	else
		snprintf(buf, size, "%s/%s", lab_paths_root(), rel);
	return buf;
}

const char *lab_paths_images(void)
{
	static char buf[PATH_MAX];

	return sub(buf, sizeof(buf), "LAB_IMAGES", "images/cache");
}

const char *lab_paths_disks(void)
{
	static char buf[PATH_MAX];

	if (!buf[0])
		snprintf(buf, sizeof(buf), "%s/disk", lab_paths_images());
	return buf;
}

const char *lab_paths_platforms(void)
{
	static char buf[PATH_MAX];

	return sub(buf, sizeof(buf), "LAB_PLATFORMS", "guests/platforms");
}

const char *lab_paths_results(void)
{
	static char buf[PATH_MAX];

	return sub(buf, sizeof(buf), "LAB_RESULTS", "results");
}

void lab_paths_new_id(char *id, size_t id_len)
{
	time_t t = time(NULL);

	strftime(id, id_len, "%Y%m%d-%H%M%S", localtime(&t));
	snprintf(id + strlen(id), id_len - strlen(id), "-%ld", (long)getpid());
}

int lab_paths_new_results(const char *override, char *id, size_t id_len, char *dir,
			  size_t dir_len, struct lab_error *err)
{
	lab_paths_new_id(id, id_len);
	if (override)
		snprintf(dir, dir_len, "%s", override);
	else
		snprintf(dir, dir_len, "%s/%s", lab_paths_results(), id);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		lab_error_set_errno(err, errno, "creating %s", dir);
		return -1;
	}
	return 0;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

int lab_paths_file_id(const char *const *files, size_t n, char *buf, size_t len,
		      struct lab_error *err)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		char real[PATH_MAX];
		struct stat st;

		if (!realpath(files[i], real) || stat(real, &st) < 0) {
			lab_error_set_errno(err, errno, "%s", files[i]);
			return -1;
		}
		h = fnv1a(h, real, strlen(real) + 1);
		h = fnv1a(h, &st.st_size, sizeof(st.st_size));
		h = fnv1a(h, &st.st_mtim, sizeof(st.st_mtim));
	}
	snprintf(buf, len, "%012llx", (unsigned long long)(h & 0xffffffffffffULL));
	return 0;
}
