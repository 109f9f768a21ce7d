/* SPDX-License-Identifier: MIT */
/* Per-run overlays (no libguestfs appliance: qemu-img underneath): backed
 * by the base, owned by QEMU's user, refused where QEMU could not reach
 * them. The base image itself and the journal boot the appliance (~15 s):
 * tests/integration/disk.sh covers them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <guestfs.h>

#include "disk.h"

struct dirs {
	char root[64];
	char base[128];
};

static int setup(void **state)
{
	struct dirs *d = calloc(1, sizeof(*d));
	guestfs_h *g = guestfs_create();

	snprintf(d->root, sizeof(d->root), "/tmp/lab-disk-test.XXXXXX");
	if (!mkdtemp(d->root) || !g)
		return -1;
	chmod(d->root, 0755);
	snprintf(d->base, sizeof(d->base), "%s/base.qcow2", d->root);
	guestfs_set_error_handler(g, NULL, NULL);
	if (guestfs_disk_create(g, d->base, "qcow2", 1 << 20, -1) < 0)
		return -1;
	guestfs_close(g);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dirs *d = *state;

	unlink(d->base);
	rmdir(d->root);
	free(d);
	return 0;
}

/* The backing file name from the qcow2 header (offset 8: u64 BE offset,
 * offset 16: u32 BE size). */
static char *backing_of(const char *path)
{
	unsigned char h[20];
	uint64_t off = 0;
	uint32_t len = 0;
	char *name;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_int_equal(fread(h, 1, sizeof(h), f), sizeof(h));
	assert_memory_equal(h, "QFI\xfb", 4);
	for (int i = 0; i < 8; i++)
		off = off << 8 | h[8 + i];
	for (int i = 0; i < 4; i++)
		len = len << 8 | h[16 + i];
	assert_true(len > 0 && len < 4096);
	name = calloc(1, len + 1);
	assert_int_equal(fseek(f, (long)off, SEEK_SET), 0);
	assert_int_equal(fread(name, 1, len, f), len);
	fclose(f);
	return name;
}

static void overlay_is_backed_by_the_base_and_owned_by_qemu(void **state)
{
	struct dirs *d = *state;
	struct lab_error err = { 0 };
	struct passwd *pw = getpwnam(LAB_DISK_QEMU_USER);
	char path[160], *backing;
	struct stat st;

	snprintf(path, sizeof(path), "%s/run.qcow2", d->root);
	if (lab_disk_overlay(d->base, path, &err) < 0)
		fail_msg("%s", err.msg);
	backing = backing_of(path);
	assert_string_equal(backing, d->base);
	free(backing);
	assert_int_equal(stat(path, &st), 0);
	/* this run's state: QEMU and root only */
	assert_int_equal(st.st_mode & 07777, 0600);
	if (pw)
		assert_int_equal(st.st_uid, pw->pw_uid);
	unlink(path);
}

static void relative_base_is_refused(void **state)
{
	struct dirs *d = *state;
	struct lab_error err = { 0 };
	char path[160];

	snprintf(path, sizeof(path), "%s/rel.qcow2", d->root);
	assert_int_equal(lab_disk_overlay("images/base.qcow2", path, &err), -1);
	assert_non_null(strstr(err.msg, "absolute"));
	assert_int_equal(access(path, F_OK), -1);
}

static void overlay_qemu_cannot_reach_is_refused(void **state)
{
	struct dirs *d = *state;
	struct lab_error err = { 0 };
	char dir[96], path[160];

	if (!getpwnam(LAB_DISK_QEMU_USER)) {
		skip();     /* no QEMU user: QEMU runs as root, reaches anything */
		return;
	}
	snprintf(dir, sizeof(dir), "%s/private", d->root);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/run.qcow2", dir);
	assert_int_equal(lab_disk_overlay(d->base, path, &err), -1);
	assert_non_null(strstr(err.msg, "cannot enter"));
	assert_non_null(strstr(err.msg, dir));
	/* nothing half-made left behind */
	assert_int_equal(access(path, F_OK), -1);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(overlay_is_backed_by_the_base_and_owned_by_qemu),
		cmocka_unit_test(relative_base_is_refused),
		cmocka_unit_test(overlay_qemu_cannot_reach_is_refused),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);

	return rc;
}
