/* SPDX-License-Identifier: MIT */
#include "qemu.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct cached {
	char key[128];     /* arch/driver */
	char *help;        /* QEMU's answer */
};

static struct cached cache[16];

/* Run QEMU with fixed arguments (no shell) and return what it printed. */
static char *device_help(const char *arch, const char *driver, struct lab_error *err)
{
	char binary[64], dev[128];
	char *argv[] = { binary, "-nodefaults", "-machine", "none", "-device", dev, NULL };
	posix_spawn_file_actions_t fa;
	int pipefd[2], status;
	char *out = NULL;
	size_t len = 0;
	FILE *mem;
	pid_t pid;
	char buf[4096];
	ssize_t n;

	snprintf(binary, sizeof(binary), "qemu-system-%s", arch);
	snprintf(dev, sizeof(dev), "%s,help", driver);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		lab_error_set_errno(err, errno, "pipe");
		return NULL;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	errno = posix_spawnp(&pid, binary, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (errno) {
		lab_error_set_errno(err, errno, "running %s", binary);
		close(pipefd[0]);
		return NULL;
	}
	mem = open_memstream(&out, &len);
	while ((n = read(pipefd[0], buf, sizeof(buf))) > 0 && len < (1 << 20))
		fwrite(buf, 1, (size_t)n, mem);
	close(pipefd[0]);
	fclose(mem);
	waitpid(pid, &status, 0);
	return out;
}

int lab_qemu_has_property(const char *arch, const char *driver, const char *prop,
			  struct lab_error *err)
{
	char key[128], want[160];
	const char *help = NULL;
	size_t i;

	snprintf(key, sizeof(key), "%s/%s", arch, driver);
	for (i = 0; i < sizeof(cache) / sizeof(cache[0]) && cache[i].help; i++)
		if (!strcmp(cache[i].key, key))
			help = cache[i].help;
	if (!help) {
		char *h = device_help(arch, driver, err);

		if (!h)
			return -1;
		if (i < sizeof(cache) / sizeof(cache[0])) {
			snprintf(cache[i].key, sizeof(cache[i].key), "%s", key);
			cache[i].help = h;
		}
		help = h;
		if (!strstr(help, " options:")) {
			lab_error_set(err, "qemu-system-%s has no device '%s'", arch, driver);
			if (i >= sizeof(cache) / sizeof(cache[0]))
				free(h);
			return -1;
		}
		if (i >= sizeof(cache) / sizeof(cache[0])) {
			/* cache full: answer, then forget */
			int has;

			snprintf(want, sizeof(want), "  %s=", prop);
			has = strstr(h, want) != NULL;
			free(h);
			return has;
		}
	}
	/* QEMU prints one property a line: "  aw-bits=<uint8>  - ..." */
	snprintf(want, sizeof(want), "\n  %s=", prop);
	return strstr(help, want) != NULL;
}

int lab_qemu_version_cmp(const char *a, const char *b)
{
	for (int part = 0; part < 4; part++) {
		long x = 0, y = 0;
		char *end;

		if (a && *a >= '0' && *a <= '9') {
			x = strtol(a, &end, 10);
			a = *end == '.' ? end + 1 : NULL;
		} else {
			a = NULL;
		}
		if (b && *b >= '0' && *b <= '9') {
			y = strtol(b, &end, 10);
			b = *end == '.' ? end + 1 : NULL;
		} else {
			b = NULL;
		}
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}
