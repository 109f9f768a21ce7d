/* SPDX-License-Identifier: MIT */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static pid_t wait_child(pid_t pid, int *status)
{
	pid_t r;

	while ((r = waitpid(pid, status, 0)) < 0 && errno == EINTR)
		;
	return r;
}

char *lab_proc_capture(char *const argv[], size_t max, int *status, struct lab_error *err)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], rc;
	char *out = NULL;
	size_t len = 0;
	char buf[4096];
	FILE *mem;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		lab_error_set_errno(err, errno, "running %s", argv[0]);
		return NULL;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc) {
		lab_error_set_errno(err, rc, "running %s", argv[0]);
		close(pipefd[0]);
		return NULL;
	}
	mem = open_memstream(&out, &len);
	while ((n = read(pipefd[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && len < max)
			fwrite(buf, 1, (size_t)n, mem);
	close(pipefd[0]);
	fclose(mem);
	wait_child(pid, status);
	return out;
}

int lab_proc_run_logged(char *const argv[], const char *log, struct lab_error *err)
{
	posix_spawn_file_actions_t fa;
	int rc, status = 0;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_APPEND,
					 0644);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		lab_error_set_errno(err, rc, "running %s", argv[0]);
		return -1;
	}
	wait_child(pid, &status);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		lab_error_set(err, "%s failed: see %s", argv[0], log);
		return -1;
	}
	return 0;
}
