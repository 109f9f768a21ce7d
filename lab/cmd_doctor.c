/* SPDX-License-Identifier: MIT */
/* iommu-lab doctor: what this host has and lacks, and how to fix each gap. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "cmd.h"
#include "platform.h"
#include "image.h"
#include "paths.h"
#include "virt.h"

struct report {
	int gaps;
};

static void line(struct report *r, int ok, const char *what, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void line(struct report *r, int ok, const char *what, const char *fix, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("%-4s %-22s %s\n", ok ? "ok" : "MISS", what, buf);
	if (!ok) {
		printf("     fix: %s\n", fix);
		r->gaps++;
	}
}

static int on_path(const char *prog)
{
	char cmd[256];

	/* fixed program names only, never user text */
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

static void check_kvm(struct report *r)
{
	char file[4096], line_buf[256];
	FILE *f;
	const char *verdict = NULL;

	if (access("/dev/kvm", R_OK | W_OK) < 0) {
		line(r, 1, "kvm", "", "no /dev/kvm: guests run under TCG (slower, fully working)");
		return;
	}
	snprintf(file, sizeof(file), "%s/kvm-probe", lab_paths_images());
	f = fopen(file, "re");
	while (f && fgets(line_buf, sizeof(line_buf), f))
		verdict = strstr(line_buf, " kvm\n") ? "proven by a boot" : "failed its probe boot";
	if (f)
		fclose(f);
	line(r, 1, "kvm", "", "/dev/kvm present; %s", verdict ? verdict :
	     "not probed yet (the first 'run --accel auto' boots once with KVM to find out)");
}

int cmd_doctor(int argc, char **argv)
{
	static const struct { const char *arch, *qemu; } arches[] = {
		{ "amd64", "qemu-system-x86_64" },
		{ "arm64", "qemu-system-aarch64" },
	};
	struct report r = { 0 };
	struct lab_error err = { 0 };
	const char *uri = argc > 2 && !strcmp(argv[1], "--uri") ? argv[2] : LAB_VIRT_DEFAULT_URI;
	virConnectPtr conn;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: iommu-lab doctor [--uri URI]\n\n"
		       "Check what the lab needs on this host: QEMU for x86 and arm, libvirt\n"
		       "and its daemons, the guest images, KVM. Each gap comes with its fix.\n"
		       "Exit 0 when nothing is missing, 1 otherwise.\n");
		return LAB_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		line(&r, on_path(arches[i].qemu), arches[i].qemu, "make deps", "%s",
		     on_path(arches[i].qemu) ? "installed" : "not installed");
	line(&r, on_path("libvirtd"), "libvirtd", "make deps", "%s",
	     on_path("libvirtd") ? "installed" : "not installed");
	line(&r, on_path("aarch64-linux-gnu-gcc"), "aarch64 cross compiler", "make deps", "%s",
	     on_path("aarch64-linux-gnu-gcc") ? "installed" : "not installed");
	{
		/* the smmuv3-uefi platform's firmware (guests/platforms/) */
		struct lab_platform *pf = lab_platform_load(lab_paths_platforms(), "smmuv3-uefi", &err);
		int ok = pf && pf->firmware && access(pf->firmware, R_OK) == 0;

		line(&r, ok, "aarch64 UEFI firmware", "make deps (qemu-efi-aarch64)", "%s",
		     !pf ? err.msg : ok ? pf->firmware : "not installed");
		lab_platform_free(pf);
		memset(&err, 0, sizeof(err));
	}

	conn = lab_virt_connect(uri, &err);
	if (conn) {
		char lv[32], qv[32];

		lab_virt_versions(conn, lv, sizeof(lv), qv, sizeof(qv));
		line(&r, 1, "libvirt daemons", "", "%s answers: libvirt %s, QEMU %s", uri, lv, qv);
		virConnectClose(conn);
	} else {
		line(&r, 0, "libvirt daemons", "lab/start-daemons.sh (or make daemons)",
		     "%s does not answer", uri);
	}
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		static const char *const suites[] = { "bookworm", "backports" };

		for (size_t s = 0; s < 2; s++) {
			struct lab_image img;
			struct lab_error ierr = { 0 };
			char what[64];
			int ok = lab_image_find(lab_paths_images(), arches[i].arch, suites[s],
						&img, &ierr) == 0;

			snprintf(what, sizeof(what), "image %s-%s", arches[i].arch, suites[s]);
			line(&r, ok, what, "make images", "%s",
			     ok ? img.version : "no guest image built");
		}
	}
	check_kvm(&r);
	printf("%s\n", r.gaps ? "some things are missing: see the fixes above"
			      : "this host has everything the lab needs");
	return r.gaps ? LAB_EXIT_FAIL : LAB_EXIT_OK;
}
