/* SPDX-License-Identifier: MIT */
#include "qemu.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "file.h"
#include "image.h"
#include "paths.h"
#include "proc.h"

#define HELP_MAX (1 << 20)

int lab_qemu_is_suite(const char *spec)
{
	return !strcmp(spec, LAB_QEMU_SYSTEM) || !strcmp(spec, "bookworm") ||
	       !strcmp(spec, "backports");
}

int lab_qemu_parse_version(const char *text, char *buf, size_t len)
{
	const char *p = text ? strstr(text, "version ") : NULL;
	size_t n;

	if (!p)
		return -1;
	p += strlen("version ");
	n = strspn(p, "0123456789.");
	if (!n || n >= len)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

/* A developer's qemu-system-ARCH: its architecture from its name, its
 * version from itself. */
static int lookup_binary(const char *spec, struct lab_qemu *q, struct lab_error *err)
{
	const char *files[] = { q->binary };
	char *argv[] = { q->binary, "--version", NULL };
	lab_autofree char *out = NULL;
	char *base, copy[PATH_MAX], id[16];
	int status = 0;

	if (!realpath(spec, q->binary) || access(q->binary, X_OK) < 0) {
		lab_error_set_errno(err, errno, "--qemu %s: not an executable QEMU", spec);
		return -1;
	}
	snprintf(copy, sizeof(copy), "%s", q->binary);
	base = basename(copy);
	if (strncmp(base, "qemu-system-", 12) || !base[12] ||
	    strlen(base + 12) >= sizeof(q->arch)) {
		lab_error_set(err, "--qemu %s: want a qemu-system-ARCH binary (x86_64 or aarch64)",
			      spec);
		return -1;
	}
	snprintf(q->arch, sizeof(q->arch), "%s", base + 12);
	out = lab_proc_capture(argv, 4096, &status, err);
	if (!out)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) ||
	    lab_qemu_parse_version(out, q->version, sizeof(q->version)) < 0) {
		lab_error_set(err, "--qemu %s: '%s --version' did not say its version: %.200s",
			      spec, q->binary, out);
		return -1;
	}
	if (lab_paths_file_id(files, 1, id, sizeof(id), err) < 0)
		return -1;
	snprintf(q->name, sizeof(q->name), "custom-%s", id);
	return 0;
}

int lab_qemu_lookup(const char *cache_dir, const char *spec, struct lab_qemu *q,
		    struct lab_error *err)
{
	char path[PATH_MAX + 32];

	memset(q, 0, sizeof(*q));
	if (!spec || !strcmp(spec, LAB_QEMU_SYSTEM)) {
		snprintf(q->name, sizeof(q->name), "%s", LAB_QEMU_SYSTEM);
		return 0;
	}
	if (!lab_qemu_is_suite(spec)) {
		if (!strchr(spec, '/')) {
			lab_error_set(err, "--qemu '%s': want system, bookworm, backports or the "
				      "path of a qemu-system-ARCH", spec);
			return -1;
		}
		return lookup_binary(spec, q, err);
	}
	snprintf(q->name, sizeof(q->name), "%s", spec);
	snprintf(q->root, sizeof(q->root), "%s/qemu-%s/root", cache_dir, spec);
	snprintf(path, sizeof(path), "%s/qemu-%s/manifest", cache_dir, spec);
	if (access(path, R_OK) < 0) {
		lab_error_set(err, "QEMU '%s' is not fetched into %s/qemu-%s: run "
			      "'images/qemu.sh %s'", spec, cache_dir, spec, spec);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/qemu-%s/version", cache_dir, spec);
	return lab_file_read_line(path, q->version, sizeof(q->version), err);
}

int lab_qemu_fetch(const char *cache_dir, const char *suite, const char *log,
		   struct lab_error *err)
{
	const char *args[] = { suite, NULL };

	if (lab_image_run_script(cache_dir, "qemu.sh", args, log, NULL) < 0) {
		lab_error_set(err, "fetching the %s QEMU failed: see %s", suite, log);
		return -1;
	}
	return 0;
}

static void add_dir(struct lab_qemu_emulator *e, const char *dir)
{
	struct stat st;

	if (e->ndata < sizeof(e->data_dirs) / sizeof(e->data_dirs[0]) && stat(dir, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		snprintf(e->data_dirs[e->ndata++], sizeof(e->data_dirs[0]), "%s", dir);
}

int lab_qemu_emulator(const struct lab_qemu *q, const char *arch, struct lab_qemu_emulator *e,
		      struct lab_error *err)
{
	char dir[PATH_MAX + 32];

	memset(e, 0, sizeof(*e));
	if (q->binary[0]) {
		char copy[PATH_MAX];

		if (strcmp(q->arch, arch)) {
			lab_error_set(err, "QEMU %s is qemu-system-%s; this guest needs "
				      "qemu-system-%s", q->binary, q->arch, arch);
			return -1;
		}
		snprintf(e->binary, sizeof(e->binary), "%s", q->binary);
		snprintf(copy, sizeof(copy), "%s", q->binary);
		/* a build tree has pc-bios/ beside the binary; an installed
		 * prefix has share/qemu beside bin/ */
		snprintf(dir, sizeof(dir), "%s/pc-bios", dirname(copy));
		add_dir(e, dir);
		snprintf(dir + strlen(dir) - strlen("pc-bios"), sizeof(dir) - strlen(dir),
			 "../share/qemu");
		add_dir(e, dir);
		return 0;
	}
	if (!q->root[0])
		return 0;        /* the system's: libvirt picks it */
	/* images/qemu.sh's wrapper: the binary with its own QEMU_MODULE_DIR,
	 * which libvirt's capability probe needs as much as the guest */
	snprintf(e->binary, sizeof(e->binary), "%.*s/bin/qemu-system-%s",
		 (int)(strlen(q->root) - strlen("/root")), q->root, arch);
	if (access(e->binary, X_OK) < 0) {
		lab_error_set_errno(err, errno, "QEMU %s has no %s", q->name, e->binary);
		return -1;
	}
	/* Debian's qemu-system-data holds the option ROMs, seabios the BIOS;
	 * the suite's own of both, unpacked beside the binary. */
	snprintf(dir, sizeof(dir), "%s/usr/share/qemu", q->root);
	add_dir(e, dir);
	snprintf(dir, sizeof(dir), "%s/usr/share/seabios", q->root);
	add_dir(e, dir);
	return 0;
}

/* ---- what a QEMU can do ------------------------------------------------------ */

struct cached {
	char key[PATH_MAX + 160];  /* binary/driver */
	char *help;                /* QEMU's answer */
};

static struct cached cache[32];

static char *device_help(const struct lab_qemu *q, const char *arch, const char *driver,
			 struct lab_error *err)
{
	struct lab_qemu_emulator e;
	char binary[PATH_MAX], dev[128];
	char *argv[] = { binary, "-nodefaults", "-machine", "none", "-device", dev, NULL };
	int status;

	if (lab_qemu_emulator(q, arch, &e, err) < 0)
		return NULL;
	if (e.binary[0])
		snprintf(binary, sizeof(binary), "%s", e.binary);
	else
		snprintf(binary, sizeof(binary), "qemu-system-%s", arch);   /* in PATH */
	snprintf(dev, sizeof(dev), "%s,help", driver);
	return lab_proc_capture(argv, HELP_MAX, &status, err);
}

int lab_qemu_has_property(const struct lab_qemu *q, const char *arch, const char *driver,
			  const char *prop, struct lab_error *err)
{
	char key[sizeof(cache[0].key)], want[160];
	const char *help = NULL;
	char *fresh = NULL;
	size_t i;
	int has;

	snprintf(key, sizeof(key), "%s/%s/%s", q->binary[0] ? q->binary : q->name, arch, driver);
	for (i = 0; i < sizeof(cache) / sizeof(cache[0]) && cache[i].help; i++)
		if (!strcmp(cache[i].key, key))
			help = cache[i].help;
	if (!help) {
		fresh = device_help(q, arch, driver, err);
		if (!fresh)
			return -1;
		if (!strstr(fresh, " options:")) {
			lab_error_set(err, "QEMU %s (qemu-system-%s) has no device '%s'", q->name,
				      arch, driver);
			free(fresh);
			return -1;
		}
		help = fresh;
		if (i < sizeof(cache) / sizeof(cache[0])) {
			snprintf(cache[i].key, sizeof(cache[i].key), "%s", key);
			cache[i].help = fresh;
			fresh = NULL;      /* kept */
		}
	}
	/* QEMU prints one property a line: "  aw-bits=<uint8>  - ..." */
	snprintf(want, sizeof(want), "\n  %s=", prop);
	has = strstr(help, want) != NULL;
	free(fresh);
	return has;
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
