/* SPDX-License-Identifier: MIT */
#include "accel.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "paths.h"
#include "runner.h"
#include "virt.h"

#define PROBE_TIMEOUT_S 60

static void cache_key(virConnectPtr conn, char *key, size_t len)
{
	struct utsname u;
	char lv[32], qv[32];

	uname(&u);
	lab_virt_versions(conn, lv, sizeof(lv), qv, sizeof(qv));
	snprintf(key, len, "%s qemu-%s", u.release, qv);
}

static int cached(const char *file, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	FILE *f = fopen(file, "re");
	int verdict = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			verdict = !strncmp(line + klen + 1, "kvm", 3);
	if (f)
		fclose(f);
	return verdict;
}

const char *lab_accel_resolve(virConnectPtr conn, const char *want, const char *platform,
			      const char *guest_arch, const char *probe_dir, char *why,
			      size_t why_len, struct lab_error *err)
{
	struct lab_run_opts opts = { 0 };
	struct lab_run_result res;
	struct utsname u;
	char file[PATH_MAX], key[200];
	int verdict;
	FILE *f;

	if (!strcmp(want, "tcg") || !strcmp(want, "kvm")) {
		snprintf(why, why_len, "asked for");
		return !strcmp(want, "kvm") ? "kvm" : "tcg";
	}
	if (strcmp(want, "auto")) {
		lab_error_set(err, "--accel takes auto, tcg or kvm, not '%s'", want);
		return NULL;
	}
	uname(&u);
	if (strcmp(u.machine, guest_arch)) {
		snprintf(why, why_len, "%s guest on a %s host", guest_arch, u.machine);
		return "tcg";
	}
	if (access("/dev/kvm", R_OK | W_OK) < 0) {
		snprintf(why, why_len, "no usable /dev/kvm");
		return "tcg";
	}
	cache_key(conn, key, sizeof(key));
	snprintf(file, sizeof(file), "%s/kvm-probe", lab_paths_images());
	verdict = cached(file, key);
	if (verdict >= 0) {
		snprintf(why, why_len, "KVM %s by an earlier boot (%s)",
			 verdict ? "proven" : "failed", file);
		return verdict ? "kvm" : "tcg";
	}
	/* Prove it: boot the guest we are about to run, with KVM, briefly. */
	opts.name = "kvm-probe";
	opts.platform = platform;
	opts.accel = "kvm";
	opts.dir = probe_dir;
	opts.timeout_s = PROBE_TIMEOUT_S;
	opts.memory_mib = 512;
	opts.vcpus = 1;
	if (lab_runner_run(conn, &opts, &res, err) < 0)
		return NULL;
	verdict = res.status == LAB_RUN_OK;
	snprintf(why, why_len, "KVM probe boot: %s (%s)", lab_run_status_name(res.status),
		 res.detail);
	lab_run_result_clear(&res);
	if (lab_runner_interrupted()) {
		lab_error_set(err, "interrupted during the KVM probe");
		return NULL;
	}
	f = fopen(file, "ae");
	if (f) {
		fprintf(f, "%s %s\n", key, verdict ? "kvm" : "tcg");
		fclose(f);
	}
	return verdict ? "kvm" : "tcg";
}
