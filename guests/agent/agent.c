/* SPDX-License-Identifier: MIT */
/*
 * iommu-lab-agent: runs inside the guest (static, no libvirt), answers the
 * harness on the virtio-serial port named LAB_PROTO_PORT. See proto.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "block.h"
#include "collect.h"
#include "dma.h"
#include "hotplug.h"
#include "kmsg.h"
#include "pci_addr.h"
#include "perf.h"
#include "sysfs.h"
#include "vfio.h"
#include "proto.h"

#define PORT_WAIT_SECONDS 60

static void logk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int len = snprintf(buf, sizeof(buf), "iommu-lab-agent: ");
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

	va_start(ap, fmt);
	vsnprintf(buf + len, sizeof(buf) - (size_t)len - 1, fmt, ap);
	va_end(ap);
	len = (int)strlen(buf);
	buf[len++] = '\n';
	/* One write() per record; not dprintf(): glibc's dprintf seeks
	 * (SEEK_CUR), which /dev/kmsg refuses with EINVAL. */
	if (fd < 0 || write(fd, buf, (size_t)len) < 0)
		fprintf(stderr, "%.*s", len, buf);
	if (fd >= 0)
		close(fd);
}

/* /sys/class/virtio-ports/vportNpM/name holds the port's name; the device
 * node is /dev/vportNpM (devtmpfs; there is no udev to make the by-name link). */
static int open_port(const char *want)
{
	for (int tries = 0; tries < PORT_WAIT_SECONDS * 10; tries++) {
		DIR *d = opendir("/sys/class/virtio-ports");
		struct dirent *e;

		while (d && (e = readdir(d))) {
			char path[PATH_MAX], name[256] = "";
			FILE *f;

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", e->d_name);
			f = fopen(path, "re");
			if (!f)
				continue;
			if (fgets(name, sizeof(name), f))
				name[strcspn(name, "\n")] = '\0';
			fclose(f);
			if (!strcmp(name, want)) {
				int fd;

				snprintf(path, sizeof(path), "/dev/%s", e->d_name);
				fd = open(path, O_RDWR | O_CLOEXEC);
				closedir(d);
				if (fd < 0)
					logk("open %s: %s", path, strerror(errno));
				return fd;
			}
		}
		if (d)
			closedir(d);
		usleep(100 * 1000);
	}
	logk("no virtio-serial port named %s", want);
	return -1;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- heartbeat ---------------------------------------------------------
 *
 * While a command runs, {"event": "busy", ...} every LAB_PROTO_BUSY_S, so
 * that the harness does not take a long command (a DMA or block probe on a
 * loaded TCG host) for a stalled guest. The commands are plain blocking
 * calls, with no loop to beat from, hence a timer. SIGALRM rather than a
 * thread: the handler runs only when the agent itself gets back to user
 * space, so a command stuck for good in the kernel (I/O a broken IOMMU never
 * completes) stops the beat and the harness sees the stall, where a thread
 * would beat on regardless. The commands retry on EINTR (poll, nanosleep,
 * read, waitpid) and SA_RESTART restarts the other calls. A child neither
 * inherits the timer (fork) nor the handler (posix_spawn resets it).
 */
static char busy_line[160];
static size_t busy_len;
static volatile sig_atomic_t busy_fd = -1;

static void on_alarm(int sig)
{
	int saved = errno;

	(void)sig;
	if (busy_fd >= 0)
		write_all(busy_fd, busy_line, busy_len);   /* write(): async-signal-safe */
	errno = saved;
}

static void heartbeat_start(int fd, const char *command)
{
	static const struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval every = { { LAB_PROTO_BUSY_S, 0 }, { LAB_PROTO_BUSY_S, 0 } };
	json_object *data = json_object_new_object(), *msg;
	size_t len;
	char *line;

	json_object_object_add(data, "command", json_object_new_string(command));
	msg = lab_proto_event_new("busy", data);
	line = lab_proto_encode(msg, &len);
	json_object_put(msg);
	if (!line || len > sizeof(busy_line)) {
		free(line);
		return;
	}
	memcpy(busy_line, line, len);
	busy_len = len;
	free(line);
	sigaction(SIGALRM, &sa, NULL);
	busy_fd = fd;
	setitimer(ITIMER_REAL, &every, NULL);
}

static void heartbeat_stop(void)
{
	static const struct itimerval off;

	setitimer(ITIMER_REAL, &off, NULL);
	busy_fd = -1;
}

/* SIGALRM blocked: a reply never has a "busy" line written into it. */
static void send_msg(int fd, json_object *msg)
{
	sigset_t alrm, old;
	size_t len;
	char *line = lab_proto_encode(msg, &len);

	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_BLOCK, &alrm, &old);
	if (line && write_all(fd, line, len) < 0)
		logk("write to host: %s", strerror(errno));
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(line);
	json_object_put(msg);
}

/* ---- commands ---------------------------------------------------------- */

struct ctx {
	int fd;
	int poweroff;
	int reboot;      /* after the answer: restart the guest (RB_AUTOBOOT) */
};

static json_object *arg_get(json_object *args, const char *key, json_type type)
{
	json_object *v;

	if (args && json_object_object_get_ex(args, key, &v) && json_object_is_type(v, type))
		return v;
	return NULL;
}

static json_object *do_hello(struct ctx *c, json_object *args, struct lab_error *err)
{
	(void)c, (void)args, (void)err;
	return collect_hello();
}

static json_object *do_collect(struct ctx *c, json_object *args, struct lab_error *err)
{
	(void)c, (void)args, (void)err;
	return collect_all();
}

static json_object *do_kmsg(struct ctx *c, json_object *args, struct lab_error *err)
{
	json_object *since = arg_get(args, "since", json_type_int);
	json_object *max = arg_get(args, "max", json_type_int);
	int64_t s = since ? json_object_get_int64(since) : 0;
	int64_t m = max ? json_object_get_int64(max) : 2000;

	(void)c;
	if (s < 0 || m <= 0 || m > 20000) {
		lab_error_set(err, "'since' must be >= 0 and 'max' within 1..20000");
		return NULL;
	}
	return kmsg_collect((uint64_t)s, (size_t)m, NULL);
}

static int write_sysfs(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -errno;
	rc = write(fd, val, strlen(val)) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

/* bind {"device": "0000:00:10.0", "driver": "vfio-pci"}: driver_override,
 * unbind from the current driver, reprobe. Returns the driver now bound. */
static json_object *do_bind(struct ctx *c, json_object *args, struct lab_error *err)
{
	json_object *dv = arg_get(args, "device", json_type_string);
	json_object *drv = arg_get(args, "driver", json_type_string);
	const char *dev, *driver;
	char path[PATH_MAX], target[PATH_MAX], addr[16];
	json_object *out;
	ssize_t n;
	int rc;

	(void)c;
	if (!dv || !drv) {
		lab_error_set(err, "bind needs string 'device' and 'driver'");
		return NULL;
	}
	driver = json_object_get_string(drv);
	if (sysfs_pci_resolve(json_object_get_string(dv), addr) < 0 || !lab_pci_addr_valid(addr) ||
	    strchr(driver, '/') || strlen(driver) > 64) {
		lab_error_set(err, "bad 'device' (ssss:bb:dd.f, or the path of a device there is) "
			      "or 'driver'");
		return NULL;
	}
	dev = addr;
	out = json_object_new_object();
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", dev);
	rc = write_sysfs(path, driver);
	if (rc == 0) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", dev);
		write_sysfs(path, dev);    /* fails harmlessly when nothing is bound */
		rc = write_sysfs("/sys/bus/pci/drivers_probe", dev);
	}
	if (rc < 0)
		json_object_object_add(out, "error", json_object_new_string(strerror(-rc)));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", dev);
	n = readlink(path, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		json_object_object_add(out, "driver",
				       json_object_new_string(strrchr(target, '/') + 1));
	} else {
		json_object_object_add(out, "driver", NULL);
	}
	return out;
}

/* dma {"mode": "vfio"|"raw", "direction": ..., "iova": ..., ...}: see dma.h */
static json_object *do_dma(struct ctx *c, json_object *args, struct lab_error *err)
{
	static const char *const keys[] = { "device", "peer" };
	const char *bad = NULL;    /* dma.h: bad arguments, a static message */
	struct lab_error gerr = { 0 };
	json_object *out, *bg, *bound = NULL;
	int want;

	(void)c;
	/* a device named by its path in the PCI tree (harness/topology.h) */
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_object *v = arg_get(args, keys[i], json_type_string);
		char addr[16];

		if (!v || !strchr(json_object_get_string(v), '/'))
			continue;
		if (sysfs_pci_resolve(json_object_get_string(v), addr) < 0) {
			lab_error_set(err, "dma: no PCI device has the path %.64s",
				      json_object_get_string(v));
			return NULL;
		}
		json_object_object_add(args, keys[i], json_object_new_string(addr));
	}
	/* bind_group: make the group viable first (vfio.h), then the probe */
	if (json_object_object_get_ex(args, "bind_group", &bg)) {
		char addr[16];

		if (!json_object_is_type(bg, json_type_boolean)) {
			lab_error_set(err, "dma: 'bind_group' must be a boolean");
			return NULL;
		}
		want = json_object_get_boolean(bg);
		json_object_object_del(args, "bind_group");    /* frees bg */
		if (want) {
			json_object *dv = arg_get(args, "device", json_type_string);

			bound = json_object_new_array();
			if (!dv || sysfs_pci_resolve(json_object_get_string(dv), addr) < 0 ||
			    vfio_bind_group(addr, bound, &gerr) < 0) {
				json_object_put(bound);
				lab_error_set(err, "dma: bind_group: %s", gerr.msg[0] ? gerr.msg
					      : "no such device");
				return NULL;
			}
		}
	}
	out = dma_probe(args, &bad);
	if (!out && bad)
		lab_error_set(err, "%s", bad);
	if (out && bound)
		json_object_object_add(out, "group_bound", bound);
	else
		json_object_put(bound);
	return out;
}

/* block {"disk": "virtio"|"nvme"}: read a file through the disk's DMA; see block.h */
static json_object *do_block(struct ctx *c, json_object *args, struct lab_error *err)
{
	(void)c;
	return block_probe(args, err);
}

/* perf {"measure": "vfio_map"|"edu_rtt"|"block_read"|"pgtable", ...}: what
 * the IOMMU costs; see common/perf_request.h */
static json_object *do_perf(struct ctx *c, json_object *args, struct lab_error *err)
{
	(void)c;
	return perf_probe(args, err);
}

/* pci_wait {"path", "present", ...}: a device hot-plugged or unplugged; see hotplug.h */
static json_object *do_pci_wait(struct ctx *c, json_object *args, struct lab_error *err)
{
	(void)c;
	return hotplug_wait(args, err);
}

static json_object *do_poweroff(struct ctx *c, json_object *args, struct lab_error *err)
{
	(void)args, (void)err;
	c->poweroff = 1;
	return json_object_new_object();
}

/* reboot: answer, then restart the guest as poweroff stops it (main):
 * the harness's reset probe (harness/reset.h) waits for the new boot's
 * agent. The domain restarts only when the harness asked libvirt for
 * on_reboot=restart; otherwise the reboot ends it. */
static json_object *do_reboot(struct ctx *c, json_object *args, struct lab_error *err)
{
	(void)args, (void)err;
	c->reboot = 1;
	return json_object_new_object();
}

/* crash: panic the guest kernel on purpose (sysrq 'c'), to test what the
 * lab makes of a guest that dies mid-run: the panic verdict, the journal
 * read back from its disk. There is no answer when it works. */
static json_object *do_crash(struct ctx *c, json_object *args, struct lab_error *err)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);

	(void)c, (void)args;
	if (fd < 0) {
		lab_error_set(err, "crash: cannot open /proc/sysrq-trigger");
		return NULL;
	}
	sync();
	if (write(fd, "c", 1) != 1)
		lab_error_set(err, "crash: /proc/sysrq-trigger refused 'c'");
	else
		lab_error_set(err, "crash: the kernel did not panic");
	close(fd);
	return NULL;
}

static const struct command {
	const char *name;
	json_object *(*fn)(struct ctx *c, json_object *args, struct lab_error *err);
} commands[] = {
	{ "hello", do_hello },
	{ "collect", do_collect },
	{ "kmsg", do_kmsg },
	{ "bind", do_bind },
	{ "pci_wait", do_pci_wait },
	{ "dma", do_dma },
	{ "block", do_block },
	{ "perf", do_perf },
	{ "poweroff", do_poweroff },
	{ "reboot", do_reboot },
	{ "crash", do_crash },
};

static void handle_line(struct ctx *c, const char *line, size_t len)
{
	struct lab_error err = { 0 };
	struct lab_proto_request req;
	json_object *msg = lab_proto_parse(line, len, &err);

	if (!msg) {
		send_msg(c->fd, lab_proto_error_new("InvalidJSON", err.msg, NULL));
		return;
	}
	if (lab_proto_request_check(msg, &req, &err) < 0) {
		send_msg(c->fd, lab_proto_error_new("InvalidRequest", err.msg, req.id));
		json_object_put(msg);
		return;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(req.execute, commands[i].name)) {
			struct lab_error cerr = { 0 };
			json_object *ret;

			block_journal_note(req.execute, "started");
			heartbeat_start(c->fd, commands[i].name);
			ret = commands[i].fn(c, req.arguments, &cerr);
			heartbeat_stop();
			block_journal_note(req.execute,
					   block_journal_result(ret, cerr.set ? cerr.msg : NULL));
			send_msg(c->fd, ret ? lab_proto_return_new(ret, req.id)
					    : lab_proto_error_new("InvalidArgument",
								  cerr.set ? cerr.msg : "failed",
								  req.id));
			json_object_put(msg);
			return;
		}
	}
	send_msg(c->fd, lab_proto_error_new("CommandNotFound", req.execute, req.id));
	json_object_put(msg);
}

/* "iommulab.selftest" on the kernel command line: do the work a harness
 * would ask for (collect, kmsg) with nobody to send it to, then power off.
 * bench/boot-overhead boots the same guest this way under plain QEMU, as the
 * baseline the lab's own path is measured against. */
static int selftest_requested(void)
{
	char cmdline[4096] = "";
	FILE *f = fopen("/proc/cmdline", "re");

	if (f) {
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = '\0';
		fclose(f);
	}
	return strstr(cmdline, "iommulab.selftest") != NULL;
}

/* The number after "iommulab.NAME=" on the kernel command line, or 0. */
static unsigned long cmdline_number(const char *name)
{
	char cmdline[4096] = "", key[64];
	FILE *f = fopen("/proc/cmdline", "re");
	const char *p;

	if (f) {
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = '\0';
		fclose(f);
	}
	snprintf(key, sizeof(key), "iommulab.%s=", name);
	p = strstr(cmdline, key);
	return p ? strtoul(p + strlen(key), NULL, 10) : 0;
}

/*
 * TEST ONLY (tests/integration/faults.sh): a hostile guest, asked for on
 * the kernel command line. "iommulab.garbage=N" sends N malformed lines
 * (text, invalid JSON, binary with NULs, a reply to no request) after the
 * ready event; "iommulab.flood=M" then one line of M MiB with no newline
 * until its end (over the harness's LAB_PROTO_REPLY_MAX when M > 8). The
 * agent then serves as usual: the run must end ok, the lines counted as
 * agent_garbage_lines.
 */
static void hostile(int fd)
{
	static const char *const kinds[] = {
		"this is not JSON\n",
		"{\"return\": {\"x\": 1}, \"id\": 999999}\n",
		"{\"unterminated\": [1, 2, \n",
		"\x01\x02\x00\xff\xfe binary\x00\n",
		"[]\n",
	};
	unsigned long n = cmdline_number("garbage"), mib = cmdline_number("flood");
	char chunk[4096];

	for (unsigned long i = 0; i < n; i++) {
		const char *k = kinds[i % (sizeof(kinds) / sizeof(kinds[0]))];
		size_t len = i % 5 == 3 ? 14 : strlen(k);  /* the binary one has NULs */

		if (write_all(fd, k, len) < 0)
			return;
	}
	memset(chunk, 'A', sizeof(chunk));
	for (unsigned long i = 0; i < mib * 256; i++)
		if (write_all(fd, chunk, sizeof(chunk)) < 0)
			return;
	if (mib && write_all(fd, "\n", 1) < 0)
		return;
	if (n || mib)
		logk("test: sent %lu garbage lines and a %lu MiB line", n, mib);
}

static void selftest(void)
{
	json_object *c = collect_all();
	json_object *k = kmsg_collect(0, 20000, NULL);
	size_t len = 0;
	char *line = lab_proto_encode(c, &len);

	logk("selftest: collect %zu bytes, %zu kmsg records", len,
	     json_object_array_length(json_object_object_get(k, "records")));
	free(line);
	json_object_put(c);
	json_object_put(k);
}

int main(void)
{
	struct lab_proto_reader reader;
	struct ctx c = { 0 };
	char buf[16384];

	/* json-c seeds its default string hash from the kernel's RNG, and at
	 * this point of boot that read waits ~1 s for the crng under TCG. The
	 * agent only parses the harness's requests: no hash flooding to fear. */
	json_global_set_string_hash(JSON_C_STR_HASH_PERLLIKE);
	if (selftest_requested()) {
		selftest();
		sync();
		reboot(RB_POWER_OFF);
		return 0;
	}
	/* the journal disk, if the harness attached one (block.h) */
	block_journal_open();
	c.fd = open_port(LAB_PROTO_PORT);
	if (c.fd < 0)
		return 1;
	logk("ready on %s", LAB_PROTO_PORT);
	send_msg(c.fd, lab_proto_event_new("ready", collect_hello()));
	hostile(c.fd);
	lab_proto_reader_init(&reader, LAB_PROTO_REQUEST_MAX);

	while (!c.poweroff && !c.reboot) {
		struct lab_error err = { 0 };
		ssize_t n = read(c.fd, buf, sizeof(buf));
		enum lab_proto_next next;
		char *line;
		size_t len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* host side not connected: wait for it to come back */
			struct pollfd p = { .fd = c.fd, .events = POLLIN };

			poll(&p, 1, 200);
			continue;
		}
		if (lab_proto_reader_feed(&reader, buf, (size_t)n, &err) < 0) {
			logk("%s", err.msg);
			lab_proto_reader_clear(&reader);
			continue;
		}
		while ((next = lab_proto_reader_next(&reader, &line, &len)) != LAB_PROTO_NEED_MORE) {
			if (next == LAB_PROTO_OVERSIZE)
				send_msg(c.fd, lab_proto_error_new("InvalidRequest",
								   "request line too long", NULL));
			else
				handle_line(&c, line, len);
		}
	}
	logk("%s on request", c.reboot ? "rebooting" : "powering off");
	block_journal_close();
	sync();
	reboot(c.reboot ? RB_AUTOBOOT : RB_POWER_OFF);
	return 0;
}
