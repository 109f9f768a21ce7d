#!/bin/sh
# Disks through the emulated IOMMU: the base image libguestfs builds, a
# per-run overlay for each disk, one guest per platform (intel: q35,
# smmuv3: aarch64 virt) with a virtio-blk disk (iommu='on'), an NVMe disk
# and a journal disk, the agent's `block` command on each data disk, and the
# agent's journal read back from its overlay with libguestfs.
#
# Needs `make all images daemons` first. The runner cannot carry disks yet,
# so the guest is driven by a small C program built here against the
# harness library (the domain XML is lab_domain_xml's, the agent is reached
# with virDomainOpenChannel as the runner does).
#
#   tests/integration/disk.sh [PLATFORM[@SUITE]...]   (default: intel smmuv3,
#                                                      on bookworm's kernel)
#
# Prints TAP-style lines and ends with "disk: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
URI=qemu:///system
OUT=$(mktemp -d /tmp/iommu-lab-disk.XXXXXX)
# QEMU runs as libvirt-qemu: the overlays' directory must be enterable
chmod 0755 "$OUT"
trap 'rm -rf "$OUT"' EXIT
PLATFORMS=${*:-intel smmuv3}
TIMEOUT=${LAB_IT_TIMEOUT:-300}
n=0
passed=0
failed=0

ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	[ $# -gt 1 ] && printf '#   %s\n' "$2"
}
check() { # name, then a command that must succeed
	name=$1; shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}
finish() {
	echo "disk: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}
ms() { date +%s%3N; }

[ -f build/libharness.a ] || { echo "disk: build/libharness.a missing: run 'make'" >&2; exit 2; }

# ---- the driver -------------------------------------------------------------
cat >"$OUT/driver.c" <<'EOF'
/* driver base DIR | journal IMAGE | guest PLATFORM SUITE DIR BASE TIMEOUT_S END
 * END: poweroff (the agent's command) or panic (an NMI the guest kernel,
 * booted with unknown_nmi_panic=1, panics on: x86 only) */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#include "disk.h"
#include "block.h"
#include "domain.h"
#include "image.h"
#include "paths.h"
#include "platform.h"
#include "proto.h"
#include "virt.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void on_alarm(int sig)
{
	static const char msg[] = "driver: timed out\n";

	(void)sig;
	/* the domain is AUTODESTROY: it goes with our connection */
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

static void die(const char *what, const struct lab_error *err)
{
	fprintf(stderr, "driver: %s: %s\n", what, err ? err->msg : virGetLastErrorMessage());
	exit(1);
}

static struct lab_proto_reader reader;

/* The next message from the agent (blocking). */
static json_object *next_msg(virStreamPtr st)
{
	struct lab_error err = { 0 };

	for (;;) {
		char buf[4096], *line;
		size_t len;
		enum lab_proto_next nx;
		int n;

		while ((nx = lab_proto_reader_next(&reader, &line, &len)) != LAB_PROTO_NEED_MORE) {
			json_object *m;

			if (nx == LAB_PROTO_LINE && (m = lab_proto_parse(line, len, &err)))
				return m;
		}
		n = virStreamRecv(st, buf, sizeof(buf));
		if (n <= 0)
			die("agent channel closed", NULL);
		if (lab_proto_reader_feed(&reader, buf, (size_t)n, &err) < 0)
			die("agent channel", &err);
	}
}

/* Send a request, wait for its reply; the reply's "return" or "error". */
static json_object *call(virStreamPtr st, const char *execute, json_object *args, long id)
{
	size_t len, off = 0;
	char *line = lab_proto_encode(lab_proto_request_new(execute, args, id), &len);

	while (off < len) {
		int n = virStreamSend(st, line + off, len - off);

		if (n < 0)
			die("sending to the agent", NULL);
		off += (size_t)n;
	}
	free(line);
	for (;;) {
		json_object *m = next_msg(st), *v;

		if (json_object_object_get_ex(m, "id", &v) && json_object_get_int64(v) == id) {
			json_object *out = NULL;

			if (!json_object_object_get_ex(m, "return", &out))
				json_object_object_get_ex(m, "error", &out);
			json_object_get(out);
			json_object_put(m);
			return out;
		}
		json_object_put(m);
	}
}

static json_object *block_args(const char *disk)
{
	json_object *a = json_object_new_object();

	json_object_object_add(a, "disk", json_object_new_string(disk));
	return a;
}

static int guest(const char *platform, const char *suite, const char *dir, const char *base,
		 unsigned timeout, const char *end)
{
	struct lab_error err = { 0 };
	struct lab_platform *p = lab_platform_load(lab_paths_platforms(), platform, &err);
	struct lab_image img;
	char path[3][4200], name[128], *xml, *journal;
	static const char *const what[3] = { "virtio", "nvme", "journal" };
	struct lab_domain_disk disks[3] = {
		{ .bus = "virtio", .serial = LAB_BLOCK_SERIAL_VIRTIO },
		{ .bus = "nvme", .serial = LAB_BLOCK_SERIAL_NVME },
		/* past the IOMMU: the journal must outlive a broken translation */
		{ .bus = "virtio", .serial = LAB_BLOCK_SERIAL_JOURNAL, .no_iommu = 1 },
	};
	struct lab_domain_spec spec = { .accel = "tcg", .memory_mib = 512, .vcpus = 2,
					.disks = disks, .n_disks = 3 };
	json_object *out = json_object_new_object(), *m;
	virConnectPtr conn;
	virDomainPtr dom;
	virStreamPtr st;
	double t0, t;

	if (!p || lab_image_find(lab_paths_images(), p->image, suite, &img, &err) < 0)
		die(platform, &err);
	for (int i = 0; i < 3; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/%s.qcow2", dir, what[i]);
		if (lab_disk_overlay(base, path[i], &err) < 0)
			die("overlay", &err);
		disks[i].path = path[i];
	}
	snprintf(name, sizeof(name), LAB_DOMAIN_PREFIX "disk-%s-%ld", platform, (long)getpid());
	spec.name = name;
	spec.platform = p;
	spec.kernel = img.kernel;
	spec.initrd = img.initrd;
	if (!strcmp(end, "panic"))
		spec.append = "unknown_nmi_panic=1";
	xml = lab_domain_xml(&spec, &err);
	if (!xml)
		die("domain XML", &err);
	conn = lab_virt_connect(LAB_VIRT_DEFAULT_URI, &err);
	if (!conn)
		die("libvirt", &err);
	signal(SIGALRM, on_alarm);
	alarm(timeout);
	t0 = now();
	dom = virDomainCreateXML(conn, xml, VIR_DOMAIN_START_AUTODESTROY);
	if (!dom)
		die("starting the guest", NULL);
	st = virStreamNew(conn, 0);
	if (!st || virDomainOpenChannel(dom, LAB_PROTO_PORT, st, 0) < 0)
		die("opening the agent channel", NULL);
	lab_proto_reader_init(&reader, 8 << 20);
	for (;;) {                           /* the agent announces itself */
		json_object *v;

		m = next_msg(st);
		if (json_object_object_get_ex(m, "event", &v)) {
			json_object_put(m);
			break;
		}
		json_object_put(m);
	}
	json_object_object_add(out, "boot_s", json_object_new_double(now() - t0));
	for (int i = 0; i < 2; i++) {
		t = now();
		m = call(st, "block", block_args(what[i]), i + 1);
		json_object_object_add(m, "call_s", json_object_new_double(now() - t));
		json_object_object_add(out, what[i], m);
	}
	if (!strcmp(end, "panic")) {
		if (virDomainInjectNMI(dom, 0) < 0)
			die("injecting an NMI", NULL);
	} else {
		json_object_put(call(st, "poweroff", NULL, 9));
	}
	/* wait for the guest to power off: its journal is then complete */
	while (virDomainIsActive(dom) == 1)
		usleep(100 * 1000);
	alarm(0);
	virStreamFree(st);
	virDomainFree(dom);
	virConnectClose(conn);
	t = now();
	if (lab_disk_journal(path[2], &journal, &err) < 0)
		die("journal", &err);
	json_object_object_add(out, "journal_s", json_object_new_double(now() - t));
	json_object_object_add(out, "journal", json_object_new_string(journal));
	free(journal);
	puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
	json_object_put(out);
	free(xml);
	lab_platform_free(p);
	return 0;
}

int main(int argc, char **argv)
{
	struct lab_error err = { 0 };
	char *s = NULL;

	if (argc == 3 && !strcmp(argv[1], "base")) {
		if (lab_disk_base(argv[2], &s, &err) < 0)
			die("base image", &err);
		puts(s);
	} else if (argc == 3 && !strcmp(argv[1], "journal")) {
		if (lab_disk_journal(argv[2], &s, &err) < 0)
			die("journal", &err);
		fputs(s, stdout);
	} else if (argc == 8 && !strcmp(argv[1], "guest")) {
		return guest(argv[2], argv[3], argv[4], argv[5], (unsigned)atoi(argv[6]), argv[7]);
	} else {
		fprintf(stderr, "usage: driver base DIR | journal IMAGE | guest PLATFORM SUITE DIR BASE TIMEOUT END\n");
		return 2;
	}
	free(s);
	return 0;
}
EOF
# shellcheck disable=SC2046 # pkg-config prints one word per flag
if ! ${CC:-cc} -std=gnu11 -D_GNU_SOURCE -Iharness -Iguests/agent \
	$(pkg-config --cflags libvirt libxml-2.0 json-c libguestfs) -o "$OUT/driver" "$OUT/driver.c" \
	build/libharness.a $(pkg-config --libs libvirt libvirt-qemu libxml-2.0 json-c yaml-0.1 libguestfs) \
	-lm 2>"$OUT/cc.err"; then
	not_ok "the disk driver builds" "$(head -n 3 "$OUT/cc.err")"
	finish
fi
D=$OUT/driver

# ---- the base image ---------------------------------------------------------
t=$(ms)
base=$("$D" base images/cache/disk 2>"$OUT/base.err")
rc=$?
echo "# base image: $(($(ms) - t)) ms (a cached one takes ~0)"
check "base image built (libguestfs)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || { sed 's/^/#   /' "$OUT/base.err"; finish; }
check "base image is readable by others, owned by root" \
	sh -c "[ \"\$(stat -c %a:%U '$base')\" = 644:root ]"
t=$(ms)
"$D" journal "$base" >"$OUT/base.journal" 2>"$OUT/base.journal.err"
rc=$?
echo "# libguestfs appliance, start to a file read: $(($(ms) - t)) ms"
check "the base has no journal yet" sh -c "[ $rc -eq 0 ] && [ ! -s '$OUT/base.journal' ]"

# ---- one guest per platform -------------------------------------------------
for run in $PLATFORMS; do
	platform=${run%@*}
	suite=bookworm
	case "$run" in *@*) suite=${run#*@} ;; esac
	p=$platform-$suite
	mkdir -p "$OUT/$p" && chmod 0755 "$OUT/$p"
	"$D" guest "$platform" "$suite" "$OUT/$p" "$base" "$TIMEOUT" poweroff >"$OUT/$p.json" 2>"$OUT/$p.err"
	rc=$?
	check "$p: guest with virtio-blk, NVMe and journal disks ran" [ "$rc" -eq 0 ]
	[ "$rc" -eq 0 ] || { tail -n 5 "$OUT/$p.err" | sed 's/^/#   /'; continue; }
	jq -r '"# \(.boot_s | . * 10 | round / 10) s boot; block virtio \(.virtio.ms) ms, nvme \(.nvme.ms) ms (guest time); journal read \(.journal_s | . * 10 | round / 10) s"' "$OUT/$p.json"
	for d in virtio nvme; do
		r=".$d"
		check "$p: $d: /data.bin read back, SHA-256 matches" \
			jq -e "$r.match == true and $r.bytes == 2097152 and $r.sha256 == $r.expected" "$OUT/$p.json"
		check "$p: $d: the disk sits at its slot behind the IOMMU (a group, a DMA domain)" \
			jq -e "($r.pci | test(\"^0000:00:1[23][.]0$\")) and ($r.iommu_group | type == \"number\") and ($r.domain_type | test(\"^DMA\"))" "$OUT/$p.json"
	done
	check "$p: virtio: driver virtio_blk, VIRTIO_F_ACCESS_PLATFORM negotiated" \
		jq -e '.virtio.driver == "virtio_blk" and .virtio.access_platform == true and .virtio.pci == "0000:00:12.0"' "$OUT/$p.json"
	check "$p: nvme: driver nvme at 00:13.0" \
		jq -e '.nvme.driver == "nvme" and .nvme.pci == "0000:00:13.0"' "$OUT/$p.json"
	# shellcheck disable=SC2016 # $l is jq's
	check "$p: the journal holds both block commands and the power-off" \
		jq -e '.journal | split("\n") as $l | ($l | any(test("^[0-9]+ agent journal open$"))) and ([$l[] | select(test("^[0-9]+ block match$"))] | length == 2) and ($l | any(test("^[0-9]+ poweroff ok$"))) and ($l[-2] | test("^[0-9]+ agent journal close$"))' "$OUT/$p.json"
	jq -r '.journal' "$OUT/$p.json" | sed -e '/^$/d' -e 's/^/#   journal: /'
	check "$p: overlays belong to QEMU's user, mode 0600" \
		sh -c "[ \"\$(stat -c %a:%U '$OUT/$p/virtio.qcow2' '$OUT/$p/nvme.qcow2' | sort -u)\" = 600:libvirt-qemu ]"
	check "$p: the base is still root's after the run" \
		sh -c "[ \"\$(stat -c %a:%U '$base')\" = 644:root ]"
done

# ---- a guest that panics: the journal is what it wrote before ----------------
p=intel-panic
mkdir -p "$OUT/$p" && chmod 0755 "$OUT/$p"
"$D" guest intel bookworm "$OUT/$p" "$base" "$TIMEOUT" panic >"$OUT/$p.json" 2>"$OUT/$p.err"
rc=$?
check "intel: a guest panicked (NMI) after two block commands" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || tail -n 5 "$OUT/$p.err" | sed 's/^/#   /'
# shellcheck disable=SC2016 # $l is jq's
check "intel: after the panic, the journal still holds both block commands, and no close" \
	jq -e '.journal | split("\n") as $l | ([$l[] | select(test("^[0-9]+ block match$"))] | length == 2) and ($l | any(test("journal close")) | not)' "$OUT/$p.json"
jq -r '.journal' "$OUT/$p.json" 2>/dev/null | sed -e '/^$/d' -e 's/^/#   journal: /'

check "no lab domain left" \
	sh -c "! virsh -q -c '$URI' list --all --name | grep -q '^iommulab-disk-'"
finish
