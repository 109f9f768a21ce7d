/* SPDX-License-Identifier: MIT */
#include "disk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <guestfs.h>

#include "block.h"   /* the serials the agent looks for */
#include "file.h"

#define DATA_SEED 0x696f6d6d756c6162ULL   /* "iommulab" */
#define STALE_SECONDS 3600                 /* a temporary file no build still uses */

/*
 * A libguestfs handle that works here without any environment: libguestfs
 * picks KVM when /dev/kvm exists, and KVM hangs on these machines; the
 * direct backend with force_tcg works (docs/NOTES.md, "Host and
 * virtualisation"). A user who sets
 * LIBGUESTFS_BACKEND (or _SETTINGS) keeps what they chose. Errors go to
 * guestfs_last_error, not to stderr.
 */
static guestfs_h *open_handle(struct lab_error *err)
{
	static char *const tcg[] = { "force_tcg", NULL };
	guestfs_h *g = guestfs_create();

	if (!g) {
		lab_error_set_errno(err, errno, "libguestfs: cannot create a handle");
		return NULL;
	}
	guestfs_set_error_handler(g, NULL, NULL);
	if (!getenv("LIBGUESTFS_BACKEND") &&
	    (guestfs_set_backend(g, "direct") < 0 ||
	     (!getenv("LIBGUESTFS_BACKEND_SETTINGS") &&
	      guestfs_set_backend_settings(g, tcg) < 0))) {
		lab_error_set(err, "libguestfs: %s", guestfs_last_error(g));
		guestfs_close(g);
		return NULL;
	}
	return g;
}

/* Fill err from the handle's last error, with what was being done. */
static int gfail(guestfs_h *g, struct lab_error *err, const char *what, const char *path)
{
	const char *e = guestfs_last_error(g);

	lab_error_set(err, "libguestfs: %s %s: %s", what, path, e ? e : "failed");
	return -1;
}

/* xorshift64*: the same bytes on every host, so a base built anywhere has
 * the same digest, and a flipped or shifted page shows in the checksum. */
static void fill_data(unsigned char *buf, size_t len)
{
	uint64_t x = DATA_SEED;

	for (size_t i = 0; i < len; i += 8) {
		uint64_t v;

		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		v = x * 0x2545f4914f6cdd1dULL;
		memcpy(buf + i, &v, len - i < 8 ? len - i : 8);
	}
}

/* FNV-1a over everything that decides the image's content: a change to any
 * of it gives a new file name, so a stale base is never used. */
static uint64_t digest(const unsigned char *data, size_t len)
{
	char params[128];
	uint64_t h = 0xcbf29ce484222325ULL;
	int n = snprintf(params, sizeof(params), "v%d %lld %d %s %s", LAB_DISK_VERSION,
			 (long long)LAB_DISK_SIZE, LAB_DISK_DATA_SIZE, LAB_DISK_LABEL,
			 LAB_DISK_JOURNAL_FILE);

	for (int i = 0; i < n; i++)
		h = (h ^ (unsigned char)params[i]) * 0x100000001b3ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ data[i]) * 0x100000001b3ULL;
	return h;
}

/* Make the filesystem in a fresh image at tmp. */
static int build(const char *tmp, const char *datafile, struct lab_error *err)
{
	guestfs_h *g = open_handle(err);
	char *sum = NULL, line[80];
	int rc = -1;

	if (!g)
		return -1;
	if (guestfs_disk_create(g, tmp, "qcow2", LAB_DISK_SIZE, -1) < 0) {
		gfail(g, err, "creating", tmp);
		goto cleanup;
	}
	if (guestfs_add_drive_opts(g, tmp, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "qcow2", -1) < 0 ||
	    guestfs_launch(g) < 0) {
		gfail(g, err, "starting the appliance for", tmp);
		goto cleanup;
	}
	/* The whole device, no partition table: the guest mounts /dev/vda. */
	if (guestfs_mkfs_opts(g, "ext4", "/dev/sda", GUESTFS_MKFS_OPTS_LABEL, LAB_DISK_LABEL,
			      -1) < 0 ||
	    guestfs_mount(g, "/dev/sda", "/") < 0 ||
	    guestfs_upload(g, datafile, "/data.bin") < 0 ||
	    !(sum = guestfs_checksum(g, "sha256", "/data.bin")) ||
	    guestfs_mkdir(g, "/journal") < 0) {
		gfail(g, err, "filling", tmp);
		goto cleanup;
	}
	snprintf(line, sizeof(line), "%s\n", sum);
	/* shutdown reports whether QEMU flushed the image: check it */
	if (guestfs_write(g, "/data.sha256", line, strlen(line)) < 0 ||
	    guestfs_umount_all(g) < 0 || guestfs_shutdown(g) < 0) {
		gfail(g, err, "finishing", tmp);
		goto cleanup;
	}
	rc = 0;
cleanup:
	free(sum);
	guestfs_close(g);
	return rc;
}

/* What killed builds left behind: temporary files older than any build. */
static void remove_stale(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	time_t now = time(NULL);

	while (d && (e = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		if (strncmp(e->d_name, ".base-", 6) && strncmp(e->d_name, ".data-", 6))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    now - st.st_mtime > STALE_SECONDS)
			unlink(path);
	}
	if (d)
		closedir(d);
}

int lab_disk_base(const char *cache_dir, char **path_out, struct lab_error *err)
{
	unsigned char *data = NULL;
	char dir[PATH_MAX], *path = NULL, *tmp = NULL, *datafile = NULL;
	int fd, rc = -1;

	*path_out = NULL;
	if (mkdir(cache_dir, 0755) < 0 && errno != EEXIST) {
		lab_error_set_errno(err, errno, "creating %s", cache_dir);
		return -1;
	}
	/* The path goes into each overlay's header: absolute. */
	if (!realpath(cache_dir, dir)) {
		lab_error_set_errno(err, errno, "resolving %s", cache_dir);
		return -1;
	}
	data = malloc(LAB_DISK_DATA_SIZE);
	if (!data) {
		lab_error_set_errno(err, ENOMEM, "disk data");
		return -1;
	}
	fill_data(data, LAB_DISK_DATA_SIZE);
	if (asprintf(&path, "%s/iommulab-base-v%d-%016" PRIx64 ".qcow2", dir, LAB_DISK_VERSION,
		     digest(data, LAB_DISK_DATA_SIZE)) < 0) {
		path = NULL;
		lab_error_set_errno(err, ENOMEM, "disk path");
		goto cleanup;
	}
	if (access(path, R_OK) == 0) {
		rc = 0;
		goto cleanup;
	}
	/* Temporary names in the same directory (rename stays atomic), unique
	 * per build so two builders never write one file. */
	remove_stale(dir);
	if (asprintf(&tmp, "%s/.base-XXXXXX", dir) < 0 ||
	    asprintf(&datafile, "%s/.data-XXXXXX", dir) < 0) {
		lab_error_set_errno(err, ENOMEM, "disk path");
		goto cleanup;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		lab_error_set_errno(err, errno, "creating a temporary file in %s", dir);
		goto cleanup;
	}
	close(fd);
	fd = mkstemp(datafile);
	if (fd < 0) {
		lab_error_set_errno(err, errno, "creating a temporary file in %s", dir);
		unlink(tmp);
		goto cleanup;
	}
	close(fd);
	if (lab_file_write(datafile, data, LAB_DISK_DATA_SIZE, 0600, err) < 0 ||
	    build(tmp, datafile, err) < 0) {
		unlink(tmp);
		goto unlink_data;
	}
	/* Readable by everyone: QEMU (as LAB_DISK_QEMU_USER) reads it as the
	 * backing file of overlays libvirt does not label (NVMe on QEMU's
	 * command line). It holds nothing secret, and nobody but root writes it. */
	if (chmod(tmp, 0644) < 0 || rename(tmp, path) < 0) {
		lab_error_set_errno(err, errno, "moving %s into place", path);
		unlink(tmp);
		goto unlink_data;
	}
	rc = 0;
unlink_data:
	unlink(datafile);
cleanup:
	free(data);
	free(tmp);
	free(datafile);
	if (rc == 0)
		*path_out = path;
	else
		free(path);
	return rc;
}

/* Every directory above path must be searchable by QEMU's user, or QEMU
 * cannot open the file whoever owns it (libvirt relabels files, never the
 * directories above them). */
static int reachable(const char *path, const struct passwd *pw, struct lab_error *err)
{
	char dir[PATH_MAX];
	char *slash;

	if (!realpath(path, dir)) {
		lab_error_set_errno(err, errno, "resolving %s", path);
		return -1;
	}
	while ((slash = strrchr(dir, '/')) && slash != dir) {
		struct stat st;

		*slash = '\0';
		if (stat(dir, &st) < 0) {
			lab_error_set_errno(err, errno, "%s", dir);
			return -1;
		}
		if (!(st.st_mode & S_IXOTH) &&
		    !(st.st_uid == pw->pw_uid && (st.st_mode & S_IXUSR)) &&
		    !(st.st_gid == pw->pw_gid && (st.st_mode & S_IXGRP))) {
			lab_error_set(err, "%s: QEMU's user %s cannot enter %s (chmod o+x it, "
				      "or put the disk elsewhere)", path, pw->pw_name, dir);
			return -1;
		}
	}
	return 0;
}

/*
 * Who may touch an overlay. QEMU runs as LAB_DISK_QEMU_USER. For a libvirt
 * <disk> (virtio-blk), libvirt's DAC driver (dynamic_ownership) chowns the
 * overlay and its backing chain to that user for the run and gives them
 * back afterwards; for a disk on QEMU's command line (NVMe) it does nothing.
 * So the lab does the least that makes both work: the overlay belongs to
 * QEMU's user, mode 0600, so only QEMU and root can read or write this run's
 * state (nothing is opened to other users), and the base stays root's, mode
 * 0644. The directories above must be searchable (checked, not changed: the
 * lab does not loosen a directory the user chose). Without that user
 * (QEMU running as root) the overlay stays root's.
 */
int lab_disk_overlay(const char *base, const char *path, struct lab_error *err)
{
	const struct passwd *pw;
	guestfs_h *g;

	if (base[0] != '/') {
		lab_error_set(err, "base image '%s': the overlay needs an absolute path", base);
		return -1;
	}
	g = open_handle(err);
	if (!g)
		return -1;
	/* qemu-img underneath: no appliance needed */
	if (guestfs_disk_create(g, path, "qcow2", -1, GUESTFS_DISK_CREATE_BACKINGFILE, base,
				GUESTFS_DISK_CREATE_BACKINGFORMAT, "qcow2", -1) < 0) {
		gfail(g, err, "creating the overlay", path);
		guestfs_close(g);
		return -1;
	}
	guestfs_close(g);
	pw = getpwnam(LAB_DISK_QEMU_USER);
	if (chmod(path, 0600) < 0 ||
	    (pw && chown(path, pw->pw_uid, pw->pw_gid) < 0)) {
		lab_error_set_errno(err, errno, "setting the owner of %s", path);
		unlink(path);
		return -1;
	}
	if (pw && (reachable(path, pw, err) < 0 || reachable(base, pw, err) < 0)) {
		unlink(path);
		return -1;
	}
	return 0;
}

int lab_disk_journal(const char *image, char **text_out, struct lab_error *err)
{
	guestfs_h *g;
	char *text = NULL;
	size_t len = 0;
	int64_t size;
	int rc = -1;

	*text_out = NULL;
	g = open_handle(err);
	if (!g)
		return -1;
	/* Read-only: writes (ext4 replaying the journal of a guest that
	 * panicked with the filesystem mounted) go to a throwaway snapshot. */
	if (guestfs_add_drive_opts(g, image, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "qcow2",
				   GUESTFS_ADD_DRIVE_OPTS_READONLY, 1, -1) < 0 ||
	    guestfs_launch(g) < 0) {
		gfail(g, err, "opening", image);
		goto cleanup;
	}
	if (guestfs_mount_ro(g, "/dev/sda", "/") < 0) {
		gfail(g, err, "mounting", image);
		goto cleanup;
	}
	switch (guestfs_is_file(g, LAB_DISK_JOURNAL_FILE)) {
	case -1:
		gfail(g, err, "looking at the journal of", image);
		goto cleanup;
	case 0:
		text = strdup("");
		break;
	default:
		size = guestfs_filesize(g, LAB_DISK_JOURNAL_FILE);
		if (size < 0) {
			gfail(g, err, "reading the journal of", image);
			goto cleanup;
		}
		/* the tail: the last lines are what the guest did before it died */
		text = size == 0 ? NULL :
		       guestfs_pread(g, LAB_DISK_JOURNAL_FILE,
				     size > LAB_DISK_JOURNAL_MAX ? LAB_DISK_JOURNAL_MAX : (int)size,
				     size > LAB_DISK_JOURNAL_MAX ? size - LAB_DISK_JOURNAL_MAX : 0,
				     &len);
		if (size && !text) {
			gfail(g, err, "reading the journal of", image);
			goto cleanup;
		}
		if (text) {
			/* pread's buffer is not a C string: make it one. A guest
			 * that died mid-append can leave zeros past its last
			 * line; drop them. */
			char *s = realloc(text, len + 1);
			size_t out = 0;

			if (!s) {
				lab_error_set_errno(err, ENOMEM, "journal text");
				goto cleanup;
			}
			for (size_t i = 0; i < len; i++)
				if (s[i])
					s[out++] = s[i];
			s[out] = '\0';
			text = s;
		} else {
			text = strdup("");
		}
	}
	if (!text) {
		lab_error_set_errno(err, ENOMEM, "journal text");
		goto cleanup;
	}
	*text_out = text;
	text = NULL;
	rc = 0;
cleanup:
	free(text);
	guestfs_close(g);
	return rc;
}

/* Each disk of a set: its file (or volume) name, bus and serial. */
static const struct {
	const char *name, *bus, *serial;
	int no_iommu;
} layout[LAB_DISK_SET_N] = {
	[LAB_DISK_VIRTIO] = { "virtio", "virtio", LAB_BLOCK_SERIAL_VIRTIO, 0 },
	[LAB_DISK_NVME] = { "nvme", "nvme", LAB_BLOCK_SERIAL_NVME, 0 },
	[LAB_DISK_JOURNAL] = { "journal", "virtio", LAB_BLOCK_SERIAL_JOURNAL, 1 },
};

const char *lab_disk_set_name(size_t i)
{
	return layout[i].name;
}

void lab_disk_set_add(struct lab_disk_set *s, size_t i, char *path)
{
	s->paths[i] = path;
	s->disks[i].path = path;
	s->disks[i].bus = layout[i].bus;
	s->disks[i].serial = layout[i].serial;
	s->disks[i].no_iommu = layout[i].no_iommu;
	s->n = i + 1;
}

int lab_disk_set_make(const char *cache_dir, const char *dir, struct lab_disk_set *s,
		      struct lab_error *err)
{
	char *base = NULL;
	char real[PATH_MAX];

	memset(s, 0, sizeof(*s));
	if (!realpath(dir, real)) {
		lab_error_set_errno(err, errno, "%s", dir);
		return -1;
	}
	if (lab_disk_base(cache_dir, &base, err) < 0)
		return -1;
	for (size_t i = 0; i < LAB_DISK_SET_N; i++) {
		char *path;

		if (asprintf(&path, "%s/disk-%s.qcow2", real, layout[i].name) < 0) {
			lab_error_set(err, "out of memory");
			break;
		}
		if (lab_disk_overlay(base, path, err) < 0) {
			free(path);
			break;
		}
		lab_disk_set_add(s, i, path);
	}
	free(base);
	if (s->n < LAB_DISK_SET_N) {
		lab_disk_set_clear(s, 0);
		return -1;
	}
	return 0;
}

const char *lab_disk_set_journal(const struct lab_disk_set *s)
{
	return s->n > LAB_DISK_JOURNAL ? s->paths[LAB_DISK_JOURNAL] : NULL;
}

void lab_disk_set_clear(struct lab_disk_set *s, int keep_files)
{
	for (size_t i = 0; i < LAB_DISK_SET_N; i++) {
		if (s->paths[i] && !keep_files)
			unlink(s->paths[i]);
		free(s->paths[i]);
	}
	memset(s, 0, sizeof(*s));
}
