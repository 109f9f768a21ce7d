/* SPDX-License-Identifier: MIT */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int lab_file_write(const char *path, const void *data, size_t len, mode_t mode,
		   struct lab_error *err)
{
	char *tmp = NULL;
	int fd;

	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		lab_error_set_errno(err, ENOMEM, "writing %s", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		lab_error_set_errno(err, errno, "creating %s", tmp);
		free(tmp);
		return -1;
	}
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		lab_error_set_errno(err, errno, "writing %s", path);
		close(fd);
		goto fail;
	}
	if (close(fd) < 0) {
		lab_error_set_errno(err, errno, "writing %s", path);
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		lab_error_set_errno(err, errno, "renaming %s to %s", tmp, path);
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	return -1;
}

int lab_file_write_json(const char *path, json_object *doc, int flags, struct lab_error *err)
{
	size_t len = 0;
	const char *s = json_object_to_json_string_length(doc, flags, &len);

	if (!s) {
		lab_error_set_errno(err, ENOMEM, "writing %s", path);
		return -1;
	}
	return lab_file_write(path, s, len, 0644, err);
}

int lab_file_read_line(const char *path, char *buf, size_t len, struct lab_error *err)
{
	FILE *f = fopen(path, "re");

	if (!f || !fgets(buf, (int)len, f)) {
		lab_error_set_errno(err, f ? EIO : errno, "reading %s", path);
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}
