/* SPDX-License-Identifier: MIT */
#include "block.h"
#include "clock.h"
#include "error.h"
#include "pci_addr.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DISK_WAIT_MS 5000    /* a hot-plugged disk's block device */
#define MOUNT_ROOT   "/run/iommulab"
#define JOURNAL_DIR  MOUNT_ROOT "/journal"
#define JOURNAL_FILE "/journal/agent.log"   /* harness/disk.h: LAB_DISK_JOURNAL_FILE */
#define BUSYBOX      "/bin/busybox"
#define HASH_TIMEOUT_MS     (120 * 1000)
#define JOURNAL_RETRY_MS    (30 * 1000)
#define JOURNAL_CLOSE_MS    3000
#define JOURNAL_SYNC_MS     1000

/* nvme<ctrl>n<ns> exactly: not a partition, not a hidden multipath path
 * (nvme0c0n1). */
static int is_nvme_ns(const char *name)
{
	unsigned a, b;
	int end = 0;

	return sscanf(name, "nvme%un%u%n", &a, &b, &end) == 2 && name[end] == '\0';
}

/* The block device (name in /sys/block) whose serial is serial: virtio-blk
 * has /sys/block/vdX/serial, an NVMe namespace its controller's (or
 * subsystem's) device/serial. Also lists what was seen, for the error. */
static int find_disk(const char *serial, char *name, size_t size, char *seen, size_t seen_size)
{
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	int found = -1;

	if (seen_size)
		seen[0] = '\0';
	while (d && (e = readdir(d))) {
		char path[PATH_MAX], s[128];
		size_t len;

		if (!strncmp(e->d_name, "vd", 2))
			snprintf(path, sizeof(path), "/sys/block/%s/serial", e->d_name);
		else if (is_nvme_ns(e->d_name))
			snprintf(path, sizeof(path), "/sys/block/%s/device/serial", e->d_name);
		else
			continue;
		if (sysfs_read(path, s, sizeof(s)) < 0)
			s[0] = '\0';
		len = strlen(seen);
		snprintf(seen + len, seen_size - len, "%s%s(%s)", len ? " " : "", e->d_name, s);
		if (found < 0 && !strcmp(s, serial)) {
			snprintf(name, size, "%s", e->d_name);
			found = 0;
		}
	}
	if (d)
		closedir(d);
	return found;
}

/* The last path component that is a PCI address (ssss:bb:dd.f). */
static int pci_in_path(const char *path, char out[16])
{
	const char *p = path;
	int found = -1;

	while ((p = strchr(p, '/'))) {
		p++;
		if (lab_pci_addr_scan(p, NULL) == 12 && (p[12] == '/' || p[12] == '\0')) {
			snprintf(out, 16, "%.12s", p);
			found = 0;
		}
	}
	return found;
}

/* The PCI function behind a block device: in its sysfs path (virtio-blk,
 * NVMe without a multipath head), or through the subsystem's controller
 * link (an NVMe multipath head lives under /sys/devices/virtual). */
static int pci_of(const char *name, char out[16])
{
	char path[PATH_MAX], real[PATH_MAX];
	DIR *d;
	struct dirent *e;
	int rc = -1;

	snprintf(path, sizeof(path), "/sys/block/%s", name);
	if (realpath(path, real) && pci_in_path(real, out) == 0)
		return 0;
	snprintf(path, sizeof(path), "/sys/block/%s/device", name);
	d = opendir(path);
	while (d && rc < 0 && (e = readdir(d))) {
		unsigned n;
		int end = 0;
		char link[PATH_MAX];

		if (sscanf(e->d_name, "nvme%u%n", &n, &end) != 1 || e->d_name[end])
			continue;
		snprintf(link, sizeof(link), "%s/%s", path, e->d_name);
		if (realpath(link, real))
			rc = pci_in_path(real, out);
	}
	if (d)
		closedir(d);
	return rc;
}

/* busybox sha256sum FILE, fixed arguments, bounded in time: a disk whose
 * DMA the IOMMU blocks may never complete the read. */
static int sha256_file(const char *file, char hex[65], struct lab_error *err)
{
	char *const argv[] = { "busybox", "sha256sum", (char *)file, NULL };
	char *const envp[] = { NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t def;
	char out[256];
	size_t len = 0;
	int p[2], status, rc;
	long long deadline = lab_clock_ms() + HASH_TIMEOUT_MS;
	pid_t pid;

	if (access(BUSYBOX, X_OK) < 0) {
		lab_error_set(err, "block: no %s for sha256sum", BUSYBOX);
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		lab_error_set_errno(err, errno, "block: pipe");
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawnattr_init(&attr);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);     /* the journal ignores it in the agent */
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, BUSYBOX, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(p[1]);
	if (rc) {
		close(p[0]);
		lab_error_set_errno(err, rc, "block: spawning sha256sum");
		return -1;
	}
	for (;;) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		long long left = deadline - lab_clock_ms();
		ssize_t n;
		int ready;

		if (left <= 0) {
			kill(pid, SIGKILL);
			close(p[0]);
			/* reaped if it ever leaves the disk wait; not waited for */
			lab_error_set(err, "block: sha256sum %s took over %d s (I/O stuck?)", file,
				      HASH_TIMEOUT_MS / 1000);
			return -1;
		}
		ready = poll(&pfd, 1, (int)left);
		if (ready < 0 && errno != EINTR)
			break;
		if (ready <= 0)
			continue;    /* interrupted, or the deadline: checked above */
		n = read(p[0], out + len, sizeof(out) - 1 - len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(out) - 1)
			break;
	}
	close(p[0]);
	out[len] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || len < 65 || out[64] != ' ' ||
	    strspn(out, "0123456789abcdef") != 64) {
		out[strcspn(out, "\n")] = '\0';
		lab_error_set(err, "block: sha256sum %s failed (status %d): %.100s", file,
			      WIFEXITED(status) ? WEXITSTATUS(status) : -1, out);
		return -1;
	}
	memcpy(hex, out, 64);
	hex[64] = '\0';
	return 0;
}

static void mkdirs(const char *dir)
{
	mkdir(MOUNT_ROOT, 0755);
	mkdir(dir, 0755);
}

/* ext4 on the whole device; what failed and the likely missing piece. */
static int mount_disk(const char *dev, const char *dir, unsigned long flags,
		      struct lab_error *err)
{
	mkdirs(dir);
	umount2(dir, 0);          /* a mount a failed probe left behind */
	if (mount(dev, dir, "ext4", flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0)
		return 0;
	lab_error_set(err, "block: mount %s (ext4) on %s: %s%s", dev, dir, strerror(errno),
		      errno == ENODEV ? " (no ext4 in this kernel: is the ext4 module in the image?)" : "");
	return -1;
}

static void add_str(json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, val ? json_object_new_string(val) : NULL);
}

static void add_iommu(json_object *out, const char *pci)
{
	char path[PATH_MAX], group[32] = "", type[32];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", pci);
	if (sysfs_link_name(path, group, sizeof(group)) < 0) {
		json_object_object_add(out, "iommu_group", NULL);
		json_object_object_add(out, "domain_type", NULL);
		return;
	}
	json_object_object_add(out, "iommu_group", json_object_new_int(atoi(group)));
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%s/type", group);
	add_str(out, "domain_type", sysfs_read(path, type, sizeof(type)) == 0 ? type : NULL);
}

int block_find(const char *disk, char *name, size_t len, char pci[16], struct lab_error *err)
{
	const char *serial;
	char seen[256];
	int found;

	pci[0] = '\0';
	if (!strcmp(disk, "virtio")) {
		serial = LAB_BLOCK_SERIAL_VIRTIO;
	} else if (!strcmp(disk, "nvme")) {
		serial = LAB_BLOCK_SERIAL_NVME;
	} else {
		lab_error_set(err, "block: unknown 'disk': use \"virtio\" or \"nvme\"");
		return -1;
	}
	/* a disk plugged in a moment ago (harness/hotplug.h) has its PCI
	 * driver before its block device: give it DISK_WAIT_MS to appear */
	for (int64_t t0 = lab_clock_ms();
	     (found = find_disk(serial, name, len, seen, sizeof(seen))) < 0 &&
	     lab_clock_ms() - t0 < DISK_WAIT_MS;)
		lab_clock_sleep_ms(100);
	if (found < 0) {
		lab_error_set(err, "block: no disk with serial %s (is %s loaded? disks seen: %s)",
			      serial, !strcmp(disk, "virtio") ? "virtio_blk" : "nvme",
			      seen[0] ? seen : "none");
		return -1;
	}
	pci_of(name, pci);
	return 0;
}

json_object *block_probe(json_object *args, struct lab_error *err)
{
	json_object *v, *out;
	const char *disk, *serial;
	char name[64], dev[80], dir[PATH_MAX], path[PATH_MAX + 16];
	char pci[16] = "", driver[64] = "", expected[128], got[65], features[128];
	long long t0 = lab_clock_ms();
	struct stat st;
	int rc;

	if (!json_object_is_type(args, json_type_object) ||
	    !json_object_object_get_ex(args, "disk", &v) || !json_object_is_type(v, json_type_string)) {
		lab_error_set(err, "block: 'disk' is required: \"virtio\" or \"nvme\"");
		return NULL;
	}
	json_object_object_foreach(args, key, val) {
		(void)val;
		if (strcmp(key, "disk")) {
			lab_error_set(err, "block: unknown argument (known: disk)");
			return NULL;
		}
	}
	disk = json_object_get_string(v);
	if (block_find(disk, name, sizeof(name), pci, err) < 0)
		return NULL;
	serial = !strcmp(disk, "virtio") ? LAB_BLOCK_SERIAL_VIRTIO : LAB_BLOCK_SERIAL_NVME;
	snprintf(dev, sizeof(dev), "/dev/%s", name);
	snprintf(dir, sizeof(dir), MOUNT_ROOT "/%s", disk);
	/* the block driver: virtio_blk on the virtio device; NVMe's namespace
	 * sits on a controller with no driver link, its PCI function has one */
	snprintf(path, sizeof(path), "/sys/block/%s/device/driver", name);
	if (sysfs_link_name(path, driver, sizeof(driver)) < 0 && pci[0]) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", pci);
		sysfs_link_name(path, driver, sizeof(driver));
	}
	if (mount_disk(dev, dir, MS_RDONLY, err) < 0)
		return NULL;
	snprintf(path, sizeof(path), "%s/data.sha256", dir);
	rc = sysfs_read(path, expected, sizeof(expected));
	if (rc < 0 || strlen(expected) != 64 || strspn(expected, "0123456789abcdef") != 64) {
		lab_error_set(err, "block: %s: %s", path,
			      rc < 0 ? strerror(errno) : "not a SHA-256 hex digest");
		umount2(dir, 0);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/data.bin", dir);
	if (stat(path, &st) < 0) {
		lab_error_set_errno(err, errno, "block: %s", path);
		umount2(dir, 0);
		return NULL;
	}
	rc = sha256_file(path, got, err);
	/* unmounting drops the file's pages: the next probe reads the disk
	 * again, through the device's DMA */
	if (umount2(dir, 0) < 0 && rc == 0)
		umount2(dir, MNT_DETACH);
	if (rc < 0)
		return NULL;
	out = json_object_new_object();
	add_str(out, "disk", disk);
	add_str(out, "serial", serial);
	add_str(out, "device", dev);
	add_str(out, "driver", driver[0] ? driver : NULL);
	add_str(out, "pci", pci[0] ? pci : NULL);
	if (pci[0]) {
		add_iommu(out, pci);
	} else {
		json_object_object_add(out, "iommu_group", NULL);
		json_object_object_add(out, "domain_type", NULL);
	}
	/* virtio: whether VIRTIO_F_ACCESS_PLATFORM (bit 33) was negotiated,
	 * i.e. the device DMAs through the IOMMU rather than past it */
	snprintf(path, sizeof(path), "/sys/block/%s/device/features", name);
	if (!strncmp(name, "vd", 2) && sysfs_read(path, features, sizeof(features)) == 0 &&
	    strlen(features) > 33)
		json_object_object_add(out, "access_platform",
				       json_object_new_boolean(features[33] == '1'));
	else
		json_object_object_add(out, "access_platform", NULL);
	json_object_object_add(out, "bytes", json_object_new_int64((int64_t)st.st_size));
	add_str(out, "sha256", got);
	add_str(out, "expected", expected);
	json_object_object_add(out, "match", json_object_new_boolean(!strcmp(got, expected)));
	json_object_object_add(out, "ms", json_object_new_int64(lab_clock_ms() - t0));
	return out;
}

/* ---- the journal ------------------------------------------------------- */

static struct {
	int fd;                /* the pipe to the writer, -1 when closed */
	int ack;               /* the writer's acknowledgements, -1 when closed */
	pid_t writer;
	long long give_up_ms;  /* stop looking for the disk after this */
	unsigned long dropped; /* lines the writer had no room for */
	unsigned long pending; /* lines sent, not yet on disk */
	int stalled;           /* a wait timed out: stop waiting until it catches up */
	int mounted;
} journal = { .fd = -1, .ack = -1 };

/* Append what comes in, fsync, then acknowledge: one byte per line now on
 * disk. */
static void writer_loop(int in, int log, int ack)
{
	char buf[4096], acks[4096];

	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		size_t done = 0, lines = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		while (done < (size_t)n) {
			ssize_t w = write(log, buf + done, (size_t)n - done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				_exit(1);   /* the disk failed: the agent goes on */
			done += (size_t)w;
		}
		fsync(log);
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
		memset(acks, 'k', lines);
		if (write(ack, acks, lines) < 0 && errno != EAGAIN)
			_exit(1);
	}
	fsync(log);
	_exit(0);
}

/* Wait (bounded) until every line sent is on disk, so that what the agent
 * answers next comes after its journal line: a probe that then panics the
 * guest cannot take the line with it. A disk slower than JOURNAL_SYNC_MS
 * stops the waiting (the agent must answer) until it catches up. */
static void journal_wait(void)
{
	long long deadline = lab_clock_ms() + (journal.stalled ? 0 : JOURNAL_SYNC_MS);

	while (journal.pending > 0) {
		struct pollfd pfd = { .fd = journal.ack, .events = POLLIN };
		long long left = deadline - lab_clock_ms();
		char buf[256];
		ssize_t n;

		if (poll(&pfd, 1, left > 0 ? (int)left : 0) <= 0) {
			journal.stalled = journal.pending > 0;
			return;
		}
		n = read(journal.ack, buf, sizeof(buf));
		if (n <= 0) {
			journal.pending = 0;       /* the writer is gone */
			return;
		}
		journal.pending -= (unsigned long)n > journal.pending ? journal.pending
								     : (unsigned long)n;
	}
	journal.stalled = 0;
}

static int journal_start(void)
{
	char name[64], seen[256], dev[80];
	int log, p[2], a[2];
	pid_t pid;

	if (find_disk(LAB_BLOCK_SERIAL_JOURNAL, name, sizeof(name), seen, sizeof(seen)) < 0)
		return -1;
	snprintf(dev, sizeof(dev), "/dev/%s", name);
	if (mount_disk(dev, JOURNAL_DIR, MS_NOATIME, NULL) < 0)
		return -1;
	journal.mounted = 1;
	mkdir(JOURNAL_DIR "/journal", 0755);
	log = open(JOURNAL_DIR JOURNAL_FILE, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (log < 0)
		return -1;
	if (pipe2(p, O_CLOEXEC) < 0) {
		close(log);
		return -1;
	}
	if (pipe2(a, O_CLOEXEC | O_NONBLOCK) < 0) {
		close(log);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		/* nothing of the agent's but the pipes and the file */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != p[0] && fd != a[1] && fd != log)
				close(fd);
		writer_loop(p[0], log, a[1]);
	}
	close(p[0]);
	close(a[1]);
	close(log);
	if (pid < 0) {
		close(p[1]);
		close(a[0]);
		return -1;
	}
	/* a writer that died must not kill the agent with SIGPIPE; a full
	 * pipe (the disk stalled) must not block it */
	signal(SIGPIPE, SIG_IGN);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	journal.fd = p[1];
	journal.ack = a[0];
	journal.writer = pid;
	return 0;
}

void block_journal_open(void)
{
	if (journal.fd >= 0)
		return;
	if (!journal.give_up_ms)
		journal.give_up_ms = lab_clock_ms() + JOURNAL_RETRY_MS;
	if (journal_start() == 0)
		block_journal_note("agent", "journal open");
}

void block_journal_note(const char *command, const char *result)
{
	char line[256];
	int len;

	if (journal.fd < 0) {
		if (!journal.give_up_ms || lab_clock_ms() > journal.give_up_ms || journal.mounted)
			return;
		block_journal_open();
		if (journal.fd < 0)
			return;
	}
	len = snprintf(line, sizeof(line), "%lld %.40s %.100s", (long long)lab_clock_ms(), command, result);
	if (len < 0)
		return;
	if ((size_t)len > sizeof(line) - 2)
		len = (int)sizeof(line) - 2;
	for (int i = 0; i < len; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[len++] = '\n';
	/* one write below PIPE_BUF is atomic: a line is whole or absent */
	if (write(journal.fd, line, (size_t)len) != len) {
		if (errno == EAGAIN) {
			journal.dropped++;
		} else {
			close(journal.fd);     /* the writer is gone: no journal */
			journal.fd = -1;
		}
		return;
	}
	journal.pending++;
	journal_wait();
}

const char *block_journal_result(json_object *ret, const char *err)
{
	static char buf[128];
	json_object *v;

	if (!ret) {
		snprintf(buf, sizeof(buf), "error: %s", err ? err : "failed");
		return buf;
	}
	if (json_object_object_get_ex(ret, "match", &v) && json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v) ? "match" : "MISMATCH";
	if (json_object_object_get_ex(ret, "error", &v) && json_object_is_type(v, json_type_string)) {
		snprintf(buf, sizeof(buf), "error: %s", json_object_get_string(v));
		return buf;
	}
	return "ok";
}

void block_journal_close(void)
{
	long long deadline = lab_clock_ms() + JOURNAL_CLOSE_MS;
	int status, done = 0;

	if (journal.fd < 0)
		return;
	if (journal.dropped) {
		char msg[64];

		snprintf(msg, sizeof(msg), "%lu lines dropped", journal.dropped);
		block_journal_note("agent", msg);
	}
	block_journal_note("agent", "journal close");
	close(journal.fd);
	journal.fd = -1;
	close(journal.ack);
	journal.ack = -1;
	while (lab_clock_ms() < deadline) {
		pid_t r = waitpid(journal.writer, &status, WNOHANG);

		if (r == journal.writer || (r < 0 && errno != EINTR)) {
			done = 1;
			break;
		}
		usleep(20 * 1000);
	}
	/* a clean filesystem for lab_disk_journal; a stuck writer keeps it */
	if (done)
		umount2(JOURNAL_DIR, 0);
}
