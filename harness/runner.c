/* SPDX-License-Identifier: MIT */
#include "runner.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "agent.h"
#include "cleanup.h"
#include "disk.h"
#include "hotplug.h"
#include "reset.h"
#include "pcitree.h"
#include "topology.h"
#include "jsonval.h"
#include "domain.h"
#include "clock.h"
#include "file.h"
#include "image.h"
#include "observation.h"
#include "paths.h"
#include "platform.h"
#include "qemu.h"
#include "proto.h"
#include "virt.h"
#include "scenario.h"
#include "trace.h"

#define TICK_MS 100
#define HELLO_RETRY_S 1.0
#define POWEROFF_WAIT_S 15.0
#define CONSOLE_LINE_MAX 1024
#define CHANNEL_GRACE_S 5.0   /* a broken channel with the guest still up */
#define GONE_GRACE_S 1.0      /* a stopped guest's last console output */
#define CPU_SAMPLE_S 2.0      /* how often the stall watch asks for CPU time */
#define HOTPLUG_WAIT_MS 30000 /* for a hot-plugged device to come, or to go */

/* What kernel panics look like on the console (kernel/panic.c). */
static const char *const panic_marks[] = {
	"Kernel panic - not syncing",
	"---[ end Kernel panic",
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

void lab_runner_install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int lab_runner_interrupted(void)
{
	return interrupted;
}

/* The agent conversation, in order. */
enum step {
	STEP_HELLO,
	STEP_BIND,
	STEP_COLLECT,
	STEP_PROBE,      /* one "dma" request per probe, in order */
	STEP_KMSG,
	STEP_POWEROFF,
	STEP_STOPPING,   /* poweroff acknowledged: wait for the domain to go */
};

struct run {
	const struct lab_run_opts *opts;
	const struct lab_platform *platform;
	struct lab_run_result *res;
	virConnectPtr conn;
	virDomainPtr dom;
	virStreamPtr console;
	virStreamPtr channel;
	struct lab_agent *agent;
	FILE *console_log;
	char line[CONSOLE_LINE_MAX];
	size_t line_len;
	int lifecycle_cb;
	int reboot_cb;           /* libvirt's reboot (reset) events */
	int timer;
	enum step step;
	long pending;            /* id of the request we wait for */
	const char *execute;     /* and its command */
	double started, deadline, last_send, stop_deadline;
	double last_console;     /* the last console byte (stall detection) */
	double last_agent;       /* the last bytes from the agent */
	double last_busy;        /* the last sample that found the vCPUs working */
	double cpu_at;           /* when cpu_ns was sampled */
	unsigned long long cpu_ns; /* the guest's CPU time then */
	char last_line[CONSOLE_LINE_MAX]; /* the last non-blank console line */
	int gone;                /* libvirt says the domain stopped */
	int gone_event, gone_detail; /* how, as its lifecycle event said */
	double gone_at;          /* when the tick first saw it */
	int finished;
	json_object *collect;
	json_object *kmsg;
	json_object *probes;     /* [{name, request, result}] */
	size_t probe_index;
	double probe_sent;       /* when the current probe was first sent
				    (lab_trace_now: QEMU's trace clock), or 0 */
	char trace_path[PATH_MAX]; /* a measured run's QEMU trace (trace.h), or "" */
	json_object *timeline;   /* {"event": seconds since the run started} */
	char channel_error[512]; /* the agent channel broke: why */
	double channel_error_at;
	struct lab_disk_set disks; /* block probes: the run's disk overlays */
	struct lab_store store;  /* opts->store: the lab's pool on the host */
	struct lab_topology *topology; /* the run's PCI topology, or NULL */
	char *hotplug_xml;       /* the disk a hot-plug probe plugs in, or NULL */
	struct lab_hotplug hotplug; /* that probe, while it runs */
	size_t bind_index;       /* STEP_BIND: the test device, then the topology's edus */
	struct lab_reset reset;  /* a reset probe, while it runs */
	json_object *kmsg_first; /* the first boot's log, when a reset probe took it */
	json_object *collect_reset; /* the collect after the reset */
	double unasked_reset_at; /* a reset no probe asked for: when */
};


/* Where the time goes: bench/ and the report read these. */
static void mark(struct run *r, const char *event)
{
	if (!json_object_object_get_ex(r->timeline, event, NULL))
		json_object_object_add(r->timeline, event,
				       json_object_new_double(lab_clock_now() - r->started));
}

static void finish(struct run *r, enum lab_run_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void finish(struct run *r, enum lab_run_status status, const char *fmt, ...)
{
	va_list ap;

	if (r->finished)
		return;
	r->finished = 1;
	r->res->status = status;
	va_start(ap, fmt);
	vsnprintf(r->res->detail, sizeof(r->res->detail), fmt, ap);
	va_end(ap);
}

/* ---- serial console ------------------------------------------------------ */

static void tail_append(char *tail, size_t size, const char *data, size_t n)
{
	size_t have = strlen(tail);

	if (n >= size - 1) {
		data += n - (size - 1);
		n = size - 1;
	}
	if (have + n >= size) {
		size_t drop = have + n - (size - 1);

		memmove(tail, tail + drop, have - drop + 1);
		have -= drop;
	}
	memcpy(tail + have, data, n);
	tail[have + n] = '\0';
}

static int blank(const char *s)
{
	return s[strspn(s, " \t\r")] == '\0';
}

static void console_line(struct run *r)
{
	r->line[r->line_len] = '\0';
	if (!blank(r->line))
		memcpy(r->last_line, r->line, r->line_len + 1);
	for (size_t i = 0; i < sizeof(panic_marks) / sizeof(panic_marks[0]); i++) {
		const char *p = strstr(r->line, panic_marks[i]);

		if (p) {
			r->line[strcspn(r->line, "\r")] = '\0';
			finish(r, LAB_RUN_PANIC, "%s", p);
			return;
		}
	}
}

static void console_data(struct run *r, const char *buf, size_t n)
{
	if (r->console_log)
		fwrite(buf, 1, n, r->console_log);
	/* NUL bytes from a hostile guest would cut the tail short: replace. */
	for (size_t i = 0; i < n; i++) {
		char c = buf[i] ? buf[i] : '?';

		tail_append(r->res->console_tail, sizeof(r->res->console_tail), &c, 1);
		if (c == '\n') {
			console_line(r);
			r->line_len = 0;
		} else if (r->line_len < sizeof(r->line) - 1) {
			r->line[r->line_len++] = c;
		}
	}
}

static void on_console(virStreamPtr st, int events, void *opaque)
{
	struct run *r = opaque;
	char buf[16384];
	int n;

	(void)events;
	while ((n = virStreamRecv(st, buf, sizeof(buf))) > 0) {
		r->last_console = lab_clock_now();
		console_data(r, buf, (size_t)n);
	}
	if (n == 0 || n == -1) {
		/* console closed: the guest is going away; the lifecycle event
		 * tells how. */
		virStreamEventRemoveCallback(st);
	}
}

/* ---- agent conversation -------------------------------------------------- */

/* Usually the guest going away; the lifecycle event says so a moment later,
 * and on_tick decides what it was. */
static void channel_broke(struct run *r, const char *why)
{
	if (r->channel_error[0])
		return;
	snprintf(r->channel_error, sizeof(r->channel_error), "%s", why);
	r->channel_error_at = lab_clock_now();
}

/* The n-th test device's address: slot test_slot + n on the root bus of
 * segment 0 (harness/domain.c puts them there). */
static void test_addr(const struct run *r, unsigned n, char out[16])
{
	snprintf(out, 16, "0000:00:%02x.0", (unsigned)r->platform->test_slot + n);
}

/* The i-th (below bind_count) device STEP_BIND gives vfio-pci: the test
 * device, then each edu of the topology, by its path. */
static void bind_target(const struct run *r, size_t i, char *out, size_t len)
{
	const struct lab_topology *t = r->topology;

	test_addr(r, 0, out);
	for (size_t j = 0, n = 0; i && t && j < t->n; j++)
		if (t->nodes[j].kind == LAB_TOPO_EDU && ++n == i) {
			lab_topology_path(t, j, out, len);
			return;
		}
}

/* How many devices STEP_BIND binds: the test device and the topology's edus. */
static size_t bind_count(const struct run *r)
{
	size_t n = 1;

	for (size_t j = 0; r->topology && j < r->topology->n; j++)
		n += r->topology->nodes[j].kind == LAB_TOPO_EDU;
	return n;
}

/* A probe's device: a topology edu by its path, or the test device. */
static void probe_device(const struct run *r, json_object *probe, char *out, size_t len)
{
	int i = lab_topology_find(r->topology, lab_jsonval_str(probe, "device"));

	if (i >= 0)
		lab_topology_path(r->topology, (size_t)i, out, len);
	else
		test_addr(r, 0, out);
}

static void send_step(struct run *r);

/* The host's clock around a probe: from sending it to its answer, on the
 * clock QEMU stamps trace lines with (trace.h). */
static void add_window(json_object *p, double start, double end)
{
	json_object *w = json_object_new_object();

	json_object_object_add(w, "start", json_object_new_double(start));
	json_object_object_add(w, "end", json_object_new_double(end));
	json_object_object_add(p, "window", w);
}

/* The current probe's result (taken) and error (taken), recorded. */
static void probe_record(struct run *r, json_object *result, json_object *error)
{
	json_object *p = json_object_new_object();
	json_object *probe = json_object_array_get_idx(r->opts->probes, r->probe_index);

	json_object_object_add(p, "name", json_object_get(json_object_object_get(probe, "name")));
	json_object_object_add(p, "request", json_object_get(probe));
	json_object_object_add(p, "result", result);
	json_object_object_add(p, "error", error);
	add_window(p, r->probe_sent ? r->probe_sent : lab_trace_now(), lab_trace_now());
	r->probe_sent = 0;
	json_object_array_add(r->probes, p);
}

/* The current probe recorded, then the next probe, or the step after the
 * probes. */
static void probe_done(struct run *r, json_object *result, json_object *error)
{
	probe_record(r, result, error);
	if (++r->probe_index >= json_object_array_length(r->opts->probes)) {
		mark(r, "probes");
		r->step++;
	}
	send_step(r);
}

/* A hot-plug probe's next phase (harness/hotplug.h): its request for the
 * agent, or NULL when it is over (its result then recorded). */
static const char *hotplug_step(struct run *r, json_object *probe, json_object **args)
{
	const char *execute;

	if (!r->hotplug.result && !r->hotplug.done) {
		int port = lab_topology_find(r->topology, lab_jsonval_str(probe, "port"));
		char path[LAB_TOPO_PATH_MAX];

		lab_topology_path(r->topology, (size_t)port, path, sizeof(path));
		lab_hotplug_init(&r->hotplug, strdup(r->hotplug_xml ? r->hotplug_xml : ""),
				 lab_jsonval_str(probe, "port"), path, HOTPLUG_WAIT_MS);
	}
	lab_hotplug_next(&r->hotplug, r->dom, &execute, args);
	if (!execute) {
		json_object *res = lab_hotplug_take(&r->hotplug);

		lab_hotplug_clear(&r->hotplug);
		probe_done(r, res, NULL);
	}
	return execute;
}

/* A reset probe's next phase (harness/reset.h): its request for the agent,
 * or NULL when it is over (its result then recorded, and what it kept of
 * the two boots taken: the first boot's log, the second boot's collect). */
static const char *reset_step(struct run *r, json_object *probe, json_object **args)
{
	const char *execute;

	if (!r->reset.result && !r->reset.done) {
		json_object *targets = json_object_new_array();
		char dev[LAB_TOPO_PATH_MAX];

		/* what STEP_BIND bound at first boot */
		for (size_t i = 0; i < bind_count(r); i++) {
			bind_target(r, i, dev, sizeof(dev));
			json_object_array_add(targets, json_object_new_string(dev));
		}
		test_addr(r, 0, dev);
		lab_reset_init(&r->reset, lab_jsonval_str(probe, "how"), targets, dev,
			       r->platform->test_dma_mask, r->collect);
	}
	lab_reset_next(&r->reset, r->dom, &execute, args);
	if (!execute) {
		json_object *res = lab_reset_take(&r->reset);

		r->kmsg_first = lab_reset_take_kmsg(&r->reset);
		r->collect_reset = lab_reset_take_collect(&r->reset);
		lab_reset_clear(&r->reset);
		probe_done(r, res, NULL);
	}
	return execute;
}

static void send_step(struct run *r)
{
	struct lab_error err = { 0 };
	json_object *args = NULL;
	const char *execute = NULL;
	char addr[LAB_TOPO_PATH_MAX], peer[16];

	test_addr(r, 0, addr);
	switch (r->step) {
	case STEP_HELLO:
		execute = "hello";
		break;
	case STEP_BIND:
		/* Bind the test device to vfio-pci: on arm64 6.1 a device gets
		 * an IOMMU group only once a driver binds (docs/NOTES.md, "Guest kernels"). */
		args = json_object_new_object();
		bind_target(r, r->bind_index, addr, sizeof(addr));
		json_object_object_add(args, "device", json_object_new_string(addr));
		json_object_object_add(args, "driver", json_object_new_string("vfio-pci"));
		execute = "bind";
		break;
	case STEP_COLLECT:
		execute = "collect";
		break;
	case STEP_PROBE: {
		json_object *probe = json_object_array_get_idx(r->opts->probes, r->probe_index);
		const char *(*step)(struct run *, json_object *, json_object **);

		if (!r->probe_sent)
			r->probe_sent = lab_trace_now();
		args = json_object_new_object();
		if (!strcmp(lab_scenario_probe_mode(probe), "crash")) {
			execute = "crash";     /* the guest panics on purpose */
			break;
		}
		/* the probes the host takes part in, one phase at a time */
		step = !strcmp(lab_scenario_probe_mode(probe), "hotplug") ? hotplug_step
		       : !strcmp(lab_scenario_probe_mode(probe), "reset") ? reset_step : NULL;
		if (step) {
			json_object_put(args);
			execute = step(r, probe, &args);
			if (!execute)
				return;    /* recorded; probe_done went on */
			break;
		}
		if (!strcmp(lab_scenario_probe_mode(probe), "block")) {
			/* read the data file back through that disk's DMA */
			json_object_object_add(args, "disk", json_object_get(
				json_object_object_get(probe, "disk")));
			execute = "block";
			break;
		}
		if (!strcmp(lab_scenario_probe_mode(probe), "perf")) {
			/* what the IOMMU costs (common/perf_request.h): the
			 * probe's keys, on the test device */
			json_object_object_foreach(probe, k, v)
				if (strcmp(k, "name") && strcmp(k, "mode"))
					json_object_object_add(args, k, json_object_get(v));
			json_object_object_add(args, "device", json_object_new_string(addr));
			if (r->platform->test_dma_mask)
				json_object_object_add(args, "dma_mask", json_object_new_string(
					r->platform->test_dma_mask));
			execute = "perf";
			break;
		}
		json_object_object_foreach(probe, k, v)
			if (strcmp(k, "name") && strcmp(k, "peer"))
				json_object_object_add(args, k, json_object_get(v));
		probe_device(r, probe, addr, sizeof(addr));
		json_object_object_add(args, "device", json_object_new_string(addr));
		if (json_object_get_boolean(json_object_object_get(probe, "peer"))) {
			test_addr(r, 1, peer);
			json_object_object_add(args, "peer", json_object_new_string(peer));
		}
		if (r->platform->test_dma_mask)
			json_object_object_add(args, "dma_mask",
					       json_object_new_string(r->platform->test_dma_mask));
		execute = "dma";
		break;
	}
	case STEP_KMSG:
		args = json_object_new_object();
		json_object_object_add(args, "since", json_object_new_int(0));
		json_object_object_add(args, "max", json_object_new_int(20000));
		execute = "kmsg";
		break;
	case STEP_POWEROFF:
		execute = "poweroff";
		break;
	case STEP_STOPPING:
		return;
	}
	r->execute = execute;
	r->pending = lab_agent_request(r->agent, execute, args, &err);
	r->last_send = lab_clock_now();
	if (r->pending < 0)
		channel_broke(r, err.msg);
}

static void on_message(json_object *msg, void *opaque)
{
	struct run *r = opaque;
	json_object *ret;
	long id = lab_agent_reply_id(msg);
	const char *event = lab_jsonval_str(msg, "event");

	/* a reset guest's new agent is up: ask it at once rather than at the
	 * next retry */
	if (id < 0 && event && !strcmp(event, "ready") && !r->finished &&
	    r->step == STEP_PROBE && lab_reset_waiting(&r->reset)) {
		send_step(r);
		return;
	}
	if (id < 0 || id != r->pending || r->finished)
		return;    /* an event, or the answer to a hello we retried */
	if (r->step == STEP_PROBE) {
		json_object *probe = json_object_array_get_idx(r->opts->probes, r->probe_index);

		if (!strcmp(lab_scenario_probe_mode(probe), "reset")) {
			lab_reset_reply(&r->reset, json_object_object_get(msg, "return"),
					json_object_object_get(msg, "error"));
			/* while the guest is away the tick asks again, each second */
			if (!lab_reset_waiting(&r->reset))
				send_step(r);
			return;
		}

		if (!strcmp(lab_scenario_probe_mode(probe), "hotplug")) {
			/* one phase of it answered: the next, or its end */
			lab_hotplug_reply(&r->hotplug, json_object_object_get(msg, "return"),
					  json_object_object_get(msg, "error"));
			send_step(r);
			return;
		}
		/* a refused probe is that probe's result, not the run's end */
		probe_done(r, json_object_get(json_object_object_get(msg, "return")),
			   json_object_get(json_object_object_get(msg, "error")));
		return;
	}
	if (!json_object_object_get_ex(msg, "return", &ret) && r->step == STEP_BIND &&
	    r->bind_index > 0) {
		/* a topology edu the guest does not have (an expander's bus a
		 * device-tree boot never scans): the groups collected show it */
		if (++r->bind_index >= bind_count(r))
			r->step++;
		send_step(r);
		return;
	}
	if (!json_object_object_get_ex(msg, "return", &ret)) {
		json_object *e = json_object_object_get(msg, "error");

		finish(r, LAB_RUN_ERROR, "agent refused step %d: %s", r->step,
		       e ? json_object_to_json_string(e) : "malformed reply");
		return;
	}
	mark(r, (const char *[]){ "hello", "bind", "collect", "probes", "kmsg", "poweroff" }[r->step]);
	switch (r->step) {
	case STEP_HELLO:
		r->res->boot_s = lab_clock_now() - r->started;
		break;
	case STEP_BIND:
		/* a failed bind is visible in the groups collected next */
		if (++r->bind_index < bind_count(r)) {
			send_step(r);
			return;
		}
		break;
	case STEP_COLLECT:
		r->collect = json_object_get(ret);
		if (!r->opts->probes || !json_object_array_length(r->opts->probes))
			r->step++;     /* no probes: straight on to the log */
		break;
	case STEP_PROBE:
		return;        /* handled above */
	case STEP_KMSG:
		r->kmsg = json_object_get(ret);
		if (!r->opts->graceful_poweroff) {
			/* Nothing in the guest to save: teardown destroys it at
			 * once, 2 s sooner than a guest poweroff under TCG. */
			finish(r, LAB_RUN_OK, "collected; guest destroyed");
			return;
		}
		break;
	case STEP_POWEROFF:
		r->stop_deadline = lab_clock_now() + POWEROFF_WAIT_S;
		break;
	case STEP_STOPPING:
		return;
	}
	r->step++;
	send_step(r);
}

static void on_channel(virStreamPtr st, int events, void *opaque)
{
	struct run *r = opaque;
	struct lab_error err = { 0 };
	unsigned long long received = r->agent->received;

	(void)st;
	if (events & (VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_HANGUP))
		lab_agent_receive(r->agent, on_message, r, &err);
	/* any bytes, not only whole messages: a long reply on its way, or
	 * the agent's "busy" events while a command runs, is not silence */
	if (r->agent->received != received)
		r->last_agent = lab_clock_now();
	if (err.set || r->agent->eof) {
		virStreamEventRemoveCallback(st);
		channel_broke(r, err.set ? err.msg : "agent channel closed");
	}
}

/* ---- stalls -------------------------------------------------------------- */

int lab_runner_stalled(double t, double last_console, double last_agent, double last_busy,
		       unsigned window_s)
{
	double last = last_console > last_agent ? last_console : last_agent;

	if (last_busy > last)
		last = last_busy;
	return window_s > 0 && t - last >= (double)window_s;
}

int lab_runner_cpu_busy(unsigned long long cpu_ns, double wall_s)
{
	return wall_s > 0 && (double)cpu_ns / 1e9 >= LAB_RUN_BUSY_SHARE * wall_s;
}

/* Every CPU_SAMPLE_S: is the guest working while it says nothing? A guest
 * starved of host CPU (a loaded 2-core machine) can go quiet for half a
 * minute in the middle of a boot, yet its vCPUs keep running; a hung one
 * (waiting on a device that never answers, paused) sits idle. */
static void sample_cpu(struct run *r, double t)
{
	virDomainInfo info;

	if (t - r->cpu_at < CPU_SAMPLE_S || !r->dom || virDomainGetInfo(r->dom, &info) < 0)
		return;
	if (r->cpu_at > 0 && info.cpuTime >= r->cpu_ns &&
	    lab_runner_cpu_busy(info.cpuTime - r->cpu_ns, t - r->cpu_at))
		r->last_busy = t;
	r->cpu_ns = info.cpuTime;
	r->cpu_at = t;
}

/* Console and agent both silent: a hung guest (a stuck device, a paused
 * domain) is a timeout now rather than at the run's full timeout. */
static void stalled(struct run *r)
{
	const char *src;
	char line[210] = "none";
	size_t n;

	r->line[r->line_len] = '\0';   /* a prompt without its newline, say */
	src = blank(r->line) ? r->last_line : r->line;
	n = strcspn(src, "\r");
	if (!blank(src))
		snprintf(line, sizeof(line), "\"%.*s\"", (int)(n > 200 ? 200 : n), src);
	if (r->step == STEP_PROBE && lab_reset_waiting(&r->reset)) {
		finish(r, LAB_RUN_TIMEOUT, "stalled: no console output, no agent message and idle "
		       "vCPUs for %u s (last console line: %s; agent: not back from the %s of "
		       "probe %s)", r->opts->stall_s, line, r->reset.how,
		       lab_jsonval_str(json_object_array_get_idx(r->opts->probes, r->probe_index),
				       "name"));
		return;
	}
	finish(r, LAB_RUN_TIMEOUT, "stalled: no console output, no agent message and idle "
	       "vCPUs for %u s (last console line: %s; agent: %s%s)", r->opts->stall_s, line,
	       r->step == STEP_HELLO ? "not ready yet" : "waiting for ",
	       r->step == STEP_HELLO ? "" : r->execute);
}

/* ---- lifecycle and time -------------------------------------------------- */

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
			void *opaque)
{
	struct run *r = opaque;

	(void)conn, (void)dom;
	if ((event == VIR_DOMAIN_EVENT_STOPPED || event == VIR_DOMAIN_EVENT_CRASHED) &&
	    !r->gone) {
		r->gone = 1;
		r->gone_event = event;
		r->gone_detail = detail;
	}
	return 0;
}

/* What libvirt's stop event said, for a guest that went away unasked. */
static const char *gone_why(const struct run *r)
{
	if (r->gone_event == VIR_DOMAIN_EVENT_CRASHED)
		return "libvirt: crashed (a guest panic QEMU reported)";
	switch (r->gone_detail) {
	case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN:
		return "libvirt: stopped, shutdown (the guest powered off or QEMU quit)";
	case VIR_DOMAIN_EVENT_STOPPED_DESTROYED:
		return "libvirt: stopped, destroyed (someone destroyed the domain)";
	case VIR_DOMAIN_EVENT_STOPPED_CRASHED:
		return "libvirt: stopped, crashed";
	case VIR_DOMAIN_EVENT_STOPPED_FAILED:
		return "libvirt: stopped, failed (the QEMU process ended unasked: "
		       "killed from outside, or it crashed)";
	default:
		return "libvirt: stopped";
	}
}

/* QEMU reset the guest (libvirt's reboot event: a guest reboot or
 * virDomainReset). Only a domain with on_reboot=restart lives on through
 * one, and only a reset probe asks for one: any other is a guest that
 * panicked (panic=-1 reboots it) or reset on its own. The console may yet
 * bring the panic line: on_tick decides after GONE_GRACE_S. */
static void on_reboot(virConnectPtr conn, virDomainPtr dom, void *opaque)
{
	struct run *r = opaque;

	(void)conn, (void)dom;
	if (r->finished || (r->step == STEP_PROBE && lab_reset_event(&r->reset)))
		return;
	if (!r->unasked_reset_at)
		r->unasked_reset_at = lab_clock_now();
}

static void on_tick(int timer, void *opaque)
{
	struct run *r = opaque;
	double t = lab_clock_now();

	(void)timer;
	if (r->finished)
		return;
	if (interrupted) {
		finish(r, LAB_RUN_INTERRUPTED, "interrupted by a signal");
		return;
	}
	if (lab_virt_lost()) {
		/* the host failed, not the guest: the pool retries (infra) */
		finish(r, LAB_RUN_ERROR, "%s", lab_virt_lost());
		return;
	}
	if (r->gone) {
		mark(r, "gone");
		/* The console stream may deliver the panic line after libvirt's
		 * stop event: read what is there, and give it GONE_GRACE_S. */
		on_console(r->console, VIR_STREAM_EVENT_READABLE, r);
		if (r->step >= STEP_POWEROFF)     /* we asked it to power off */
			finish(r, LAB_RUN_OK, "guest powered off");
		else if (!r->gone_at)
			r->gone_at = t;
		else if (t - r->gone_at >= GONE_GRACE_S)
			finish(r, LAB_RUN_CRASHED, "the guest stopped before the agent %s "
				   "(step %d; %s)", r->collect ? "was done" : "answered", r->step,
			       gone_why(r));
		return;
	}
	if (r->unasked_reset_at) {
		on_console(r->console, VIR_STREAM_EVENT_READABLE, r);
		if (t - r->unasked_reset_at >= GONE_GRACE_S)
			finish(r, LAB_RUN_CRASHED, "the guest reset without being asked (step %d; "
			       "a panic reboots it: see console.log)", r->step);
		return;
	}
	if (r->channel_error[0] && t - r->channel_error_at > CHANNEL_GRACE_S) {
		finish(r, LAB_RUN_ERROR, "%s", r->channel_error);
		return;
	}
	if (r->step == STEP_STOPPING && t > r->stop_deadline) {
		finish(r, LAB_RUN_OK, "guest did not power off within %.0f s; destroyed",
		       POWEROFF_WAIT_S);
		return;
	}
	if (t > r->deadline && r->step == STEP_PROBE && r->reset.result) {
		finish(r, LAB_RUN_TIMEOUT, "%s: the guest did not come back from its %s within the "
		       "run's %u s (%s)", lab_jsonval_str(json_object_array_get_idx(
				r->opts->probes, r->probe_index), "name"), r->reset.how,
		       r->opts->timeout_s, lab_reset_waiting(&r->reset)
		       ? "no new boot's agent answered" : "the probe was not done");
		return;
	}
	if (t > r->deadline) {
		finish(r, LAB_RUN_TIMEOUT, "the agent %s within %u s",
		       r->step == STEP_HELLO ? "never answered" : "did not finish",
		       r->opts->timeout_s);
		return;
	}
	/* once the guest acknowledged the poweroff, stop_deadline decides */
	sample_cpu(r, t);
	if (r->step < STEP_STOPPING &&
	    lab_runner_stalled(t, r->last_console, r->last_agent, r->last_busy, r->opts->stall_s)) {
		stalled(r);
		return;
	}
	if (r->agent->out_len > 0 && !r->channel_error[0]) {
		struct lab_error err = { 0 };

		if (lab_agent_flush(r->agent, &err) < 0)
			channel_broke(r, err.msg);
	}
	if ((r->step == STEP_HELLO || (r->step == STEP_PROBE && lab_reset_waiting(&r->reset))) &&
	    t - r->last_send > HELLO_RETRY_S)
		send_step(r);
}

/* ---- set-up and tear-down ------------------------------------------------ */

/* A file of the run's folder, whole or not at all (file.h). */
static int write_file(const char *dir, const char *name, const char *data,
		      struct lab_error *err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lab_file_write(path, data, strlen(data), 0644, err);
}

static int open_streams(struct run *r, struct lab_error *err)
{
	r->console = virStreamNew(r->conn, VIR_STREAM_NONBLOCK);
	r->channel = virStreamNew(r->conn, VIR_STREAM_NONBLOCK);
	if (!r->console || !r->channel ||
	    virDomainOpenConsole(r->dom, NULL, r->console, VIR_DOMAIN_CONSOLE_FORCE) < 0 ||
	    virStreamEventAddCallback(r->console, VIR_STREAM_EVENT_READABLE |
				      VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP,
				      on_console, r, NULL) < 0) {
		lab_error_set(err, "opening the serial console: %s", virGetLastErrorMessage());
		return -1;
	}
	if (virDomainOpenChannel(r->dom, LAB_PROTO_PORT, r->channel,
				 VIR_DOMAIN_CHANNEL_FORCE) < 0 ||
	    /* not WRITABLE: a stream is nearly always writable, and asking would
	     * spin the loop and steal the CPU the guest's TCG needs; requests
	     * are small, and what the stream did not take goes on the tick */
	    virStreamEventAddCallback(r->channel, VIR_STREAM_EVENT_READABLE |
				      VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP,
				      on_channel, r, NULL) < 0) {
		lab_error_set(err, "opening the agent channel %s: %s", LAB_PROTO_PORT,
			      virGetLastErrorMessage());
		return -1;
	}
	r->agent = lab_agent_new(r->channel);
	if (!r->agent) {
		lab_error_set_errno(err, ENOMEM, "agent client");
		return -1;
	}
	return 0;
}

static void close_stream(virStreamPtr *st)
{
	if (!*st)
		return;
	virStreamEventRemoveCallback(*st);
	virStreamAbort(*st);
	virStreamFree(*st);
	*st = NULL;
}

/* Everything the run started, stopped, whatever happened. */
static void teardown(struct run *r)
{
	if (r->timer >= 0)
		virEventRemoveTimeout(r->timer);
	if (r->lifecycle_cb >= 0)
		virConnectDomainEventDeregisterAny(r->conn, r->lifecycle_cb);
	if (r->reboot_cb >= 0)
		virConnectDomainEventDeregisterAny(r->conn, r->reboot_cb);
	if (r->dom) {
		if (virDomainIsActive(r->dom) == 1)
			virDomainDestroy(r->dom);
		virDomainFree(r->dom);
		r->dom = NULL;
	}
	close_stream(&r->console);
	close_stream(&r->channel);
	if (r->console_log) {
		fclose(r->console_log);
		r->console_log = NULL;
	}
}

/* A kmsg reply's records as dmesg prints them, into the run's folder. */
static void write_kmsg(struct run *r, const char *name, json_object *kmsg, struct lab_error *err)
{
	json_object *recs = kmsg ? json_object_object_get(kmsg, "records") : NULL;
	char path[PATH_MAX];
	size_t n = recs && json_object_is_type(recs, json_type_array)
			   ? json_object_array_length(recs) : 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", r->opts->dir, name);
	f = fopen(path, "we");
	if (!f) {
		lab_error_set_errno(err, errno, "writing %s", path);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *rec = json_object_array_get_idx(recs, i);
		int64_t us = json_object_get_int64(json_object_object_get(rec, "ts_us"));

		fprintf(f, "[%5lld.%06lld] %s\n", (long long)(us / 1000000),
			(long long)(us % 1000000),
			json_object_get_string(json_object_object_get(rec, "msg")));
	}
	fclose(f);
}

/* The topology root port a hot-plug probe plugs into, or -1. */
static int hotplug_port(const struct run *r)
{
	for (size_t i = 0; r->opts->probes && i < json_object_array_length(r->opts->probes); i++) {
		json_object *p = json_object_array_get_idx(r->opts->probes, i);

		if (!strcmp(lab_scenario_probe_mode(p), "hotplug"))
			return lab_topology_find(r->topology, lab_jsonval_str(p, "port"));
	}
	return -1;
}

static int start(struct run *r, struct lab_error *err)
{
	struct lab_image img;
	struct lab_domain_spec spec = { 0 };
	struct lab_owner self;
	char name[128], path[PATH_MAX];
	lab_autofree char *xml = NULL;

	if (lab_image_find(lab_paths_images(), r->platform->image,
			   r->opts->suite ? r->opts->suite : LAB_IMAGE_DEFAULT_SUITE, &img, err) < 0)
		return -1;
	snprintf(name, sizeof(name), LAB_DOMAIN_PREFIX "%s-%ld-%s", r->opts->platform,
		 (long)getpid(), r->opts->name);
	spec.name = name;
	if (r->opts->owner)
		spec.owner = r->opts->owner;
	else if (lab_owner_self(&self) == 0)
		spec.owner = &self;
	spec.platform = r->platform;
	spec.kernel = r->opts->store ? r->opts->store->kernel : img.kernel;
	spec.initrd = r->opts->store ? r->opts->store->initrd : img.initrd;
	spec.append = r->opts->append;
	spec.accel = r->opts->accel;
	spec.memory_mib = r->opts->memory_mib;
	spec.vcpus = r->opts->vcpus;
	spec.iommu_opts = r->opts->qemu_opts;
	spec.machine_opts = r->opts->machine_opts;
	spec.test_devices = lab_scenario_probes_need_peer(r->opts->probes) ? 2 : 1;
	spec.restart_on_reboot = lab_scenario_probes_need_restart(r->opts->probes);
	spec.emulator = r->opts->emulator;
	/* a measured run: QEMU logs its IOMMU's events (trace.h). Not on an
	 * upload host: QEMU there writes its log on that host, which the lab
	 * cannot read back (a known limitation: docs/NOTES.md) */
	if (lab_trace_wanted(r->opts->probes) && lab_trace_patterns(r->platform->iommu_kind) &&
	    !r->opts->store) {
		if (lab_trace_prepare(r->opts->dir, r->trace_path, sizeof(r->trace_path), err) < 0)
			return -1;
		spec.trace_file = r->trace_path;
		spec.trace_events = lab_trace_patterns(r->platform->iommu_kind);
	}
	if (r->platform->firmware && !r->opts->store && access(r->platform->firmware, R_OK) < 0) {
		lab_error_set_errno(err, errno, "platform %s boots firmware %s (Debian's "
				    "qemu-efi-aarch64; 'make deps' installs it)", r->platform->name,
				    r->platform->firmware);
		return -1;
	}
	if (r->opts->topology) {
		r->topology = lab_topology_from_json(r->opts->topology, err);
		if (!r->topology)
			return -1;
		spec.topology = r->topology;
	}
	if (lab_scenario_probes_need_disks(r->opts->probes) ||
	    lab_topology_first(r->topology, LAB_TOPO_VIRTIO_BLK) >= 0 ||
	    lab_topology_first(r->topology, LAB_TOPO_NVME) >= 0) {
		if (r->opts->store && !r->opts->store->disk_base) {
			lab_error_set(err, "the run needs disks and no base disk was uploaded");
			return -1;
		}
		if (r->opts->store ? lab_store_disk_set_make(&r->store, r->opts->store, &r->disks,
							      err) < 0 :
		    lab_disk_set_make(lab_paths_disks(), r->opts->dir, &r->disks, err) < 0)
			return -1;
		spec.disks = r->disks.disks;
		spec.n_disks = r->disks.n;
	}
	if (hotplug_port(r) >= 0 && r->disks.n > LAB_DISK_VIRTIO) {
		/* the virtio disk is the hot-plug probe's: not there at boot */
		r->disks.disks[LAB_DISK_VIRTIO].hotplug = 1;
		r->disks.disks[LAB_DISK_VIRTIO].hotplug_port = hotplug_port(r);
		r->hotplug_xml = lab_domain_hotplug_xml(&spec, LAB_DISK_VIRTIO, err);
		if (!r->hotplug_xml)
			return -1;
	}
	xml = lab_domain_xml(&spec, err);
	if (!xml || write_file(r->opts->dir, "domain.xml", xml, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/console.log", r->opts->dir);
	r->console_log = fopen(path, "we");
	if (!r->console_log) {
		lab_error_set_errno(err, errno, "creating %s", path);
		return -1;
	}
	setvbuf(r->console_log, NULL, _IOLBF, 0);
	r->started = lab_clock_now();
	r->timeline = json_object_new_object();
	r->probes = json_object_new_array();
	r->deadline = r->started + r->opts->timeout_s;
	r->last_console = r->last_agent = r->started;
	/* AUTODESTROY: should this process die without cleaning up (SIGKILL),
	 * libvirtd destroys the guest when the connection drops. */
	r->dom = virDomainCreateXML(r->conn, xml, VIR_DOMAIN_START_AUTODESTROY);
	if (!r->dom) {
		lab_error_set(err, "starting the guest: %s", virGetLastErrorMessage());
		return -1;
	}
	mark(r, "created");
	r->lifecycle_cb = virConnectDomainEventRegisterAny(
		r->conn, r->dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
		VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), r, NULL);
	r->reboot_cb = virConnectDomainEventRegisterAny(
		r->conn, r->dom, VIR_DOMAIN_EVENT_ID_REBOOT,
		VIR_DOMAIN_EVENT_CALLBACK(on_reboot), r, NULL);
	if (open_streams(r, err) < 0)
		return -1;
	mark(r, "streams");
	r->timer = virEventAddTimeout(TICK_MS, on_tick, r, NULL);
	if (r->timer < 0) {
		lab_error_set(err, "libvirt event timer: %s", virGetLastErrorMessage());
		return -1;
	}
	send_step(r);
	return 0;
}

/*
 * After a guest died (panic, crash, timeout), what its agent wrote to the
 * journal disk as it went is all there is of what it saw: read it back
 * with libguestfs (~15 s under TCG, so only then) into journal.log.
 */
static void recover_journal(struct run *r)
{
	struct lab_run_result *res = r->res;
	struct lab_error err = { 0 };
	const char *image = lab_disk_set_journal(&r->disks);
	char *text = NULL, local[PATH_MAX];

	if (!image || (res->status != LAB_RUN_PANIC && res->status != LAB_RUN_CRASHED &&
		       res->status != LAB_RUN_TIMEOUT))
		return;
	if (r->opts->store) {
		/* the host's volume, brought here over the connection */
		snprintf(local, sizeof(local), "%s/disk-journal.qcow2", r->opts->dir);
		if (lab_store_fetch_overlay(&r->store, image, r->opts->store->local_base, local,
					    &err) < 0) {
			res->journal = json_object_new_string(err.msg);
			return;
		}
		image = local;
	}
	if (lab_disk_journal(image, &text, &err) < 0) {
		res->journal = json_object_new_string(err.msg);
		return;
	}
	write_file(r->opts->dir, "journal.log", text, &err);
	res->journal = json_object_new_string(text);
	free(text);
}

/* A measured run's trace, the guest gone: counted into each probe record
 * and res->trace, then deleted (unless LAB_TRACE_KEEP=1). */
static void count_trace(struct run *r)
{
	struct lab_error err = { 0 };

	r->res->trace = lab_trace_count(r->trace_path, r->platform->iommu_kind, r->probes, &err);
	if (!r->res->trace) {
		r->res->trace = json_object_new_object();
		json_object_object_add(r->res->trace, "error", json_object_new_string(err.msg));
	}
	if (!lab_trace_keep())
		unlink(r->trace_path);
}

/*
 * A run on an upload host: its overlays are volumes there. Deleted after a
 * run that went well; otherwise kept, as local runs keep theirs, and listed
 * in the run's folder (remote-disks.txt: the host, then each volume's path)
 * for `virsh vol-download` or `iommu-lab gc`.
 */
static void keep_volumes(struct run *r, int keep)
{
	struct lab_error err = { 0 };
	char *uri = NULL, text[4096];
	size_t off = 0;

	if (keep && r->disks.n) {
		uri = virConnectGetURI(r->conn);
		off += (size_t)snprintf(text, sizeof(text), "host %s pool " LAB_STORE_POOL "\n",
					uri ? uri : "?");
		for (size_t i = 0; i < r->disks.n && off < sizeof(text); i++)
			off += (size_t)snprintf(text + off, sizeof(text) - off, "%s\n",
						r->disks.paths[i]);
		write_file(r->opts->dir, "remote-disks.txt", text, &err);
		free(uri);
	}
	lab_store_disk_set_clear(&r->store, &r->disks, keep);
}

int lab_runner_run(virConnectPtr conn, const struct lab_run_opts *opts,
		   struct lab_run_result *res, struct lab_error *err)
{
	struct lab_error local = { 0 };
	struct lab_platform *platform;
	struct run r = { .opts = opts, .res = res, .conn = conn, .lifecycle_cb = -1,
			 .reboot_cb = -1, .timer = -1 };
	char *json;

	memset(res, 0, sizeof(*res));
	platform = lab_platform_load(lab_paths_platforms(), opts->platform, err);
	if (!platform)
		return -1;
	if (mkdir(opts->dir, 0755) < 0 && errno != EEXIST) {
		lab_error_set_errno(err, errno, "creating %s", opts->dir);
		lab_platform_free(platform);
		return -1;
	}
	r.platform = platform;
	if (opts->store) {
		/* the host's copy of the firmware (domain.c names the platform's) */
		if (platform->firmware)
			platform->firmware = opts->store->firmware;
		r.store.pool = NULL;
		if (lab_store_open(conn, "", &r.store, &local) < 0)
			r.store.pool = NULL;
	}
	if (opts->store && !r.store.pool) {
		finish(&r, LAB_RUN_ERROR, "%s", local.msg);
	} else if (start(&r, &local) < 0) {
		finish(&r, LAB_RUN_ERROR, "%s", local.msg);
	} else {
		lab_virt_loop_running(1);     /* the hang watchdog looks (virt.h) */
		while (!r.finished) {
			if (virEventRunDefaultImpl() < 0) {
				finish(&r, LAB_RUN_ERROR, "libvirt event loop: %s",
				       virGetLastErrorMessage());
			}
		}
		lab_virt_loop_running(0);
	}
	teardown(&r);
	mark(&r, "destroyed");
	if (r.reset.result) {
		/* the run ended with a reset probe under way: what it got */
		lab_reset_abandon(&r.reset, res->detail);
		probe_record(&r, lab_reset_take(&r.reset), NULL);
		r.kmsg_first = lab_reset_take_kmsg(&r.reset);
		r.collect_reset = lab_reset_take_collect(&r.reset);
	}
	if (r.trace_path[0])
		count_trace(&r);
	res->total_s = r.started ? lab_clock_now() - r.started : 0;
	res->timeline = r.timeline;
	res->garbage = r.agent ? r.agent->garbage : 0;
	res->probes = r.probes;
	r.probes = NULL;
	if (r.kmsg_first) {
		/* a reset probe came last: the first boot's log is the one the
		 * observations and the probes are judged by (reset.h) */
		write_kmsg(&r, "kmsg.log", r.kmsg_first, &local);
		res->kmsg = json_object_get(json_object_object_get(r.kmsg_first, "records"));
		if (r.kmsg)
			write_kmsg(&r, "kmsg-after-reset.log", r.kmsg, &local);
	} else if (r.kmsg) {
		write_kmsg(&r, "kmsg.log", r.kmsg, &local);
		res->kmsg = json_object_get(json_object_object_get(r.kmsg, "records"));
	}
	if (r.collect_reset)
		write_file(opts->dir, "collect-after-reset.json",
			   json_object_to_json_string_ext(r.collect_reset, JSON_C_TO_STRING_PRETTY),
			   &local);
	if (r.collect) {
		/* the agent's raw answer too: what the observations were made from */
		write_file(opts->dir, "collect.json",
			   json_object_to_json_string_ext(r.collect, JSON_C_TO_STRING_PRETTY),
			   &local);
		/* complete here, faults included, and never edited afterwards:
		 * the file and results.json say the same */
		res->observations = lab_observation_from_collect(r.collect, opts->platform);
		lab_observation_attribute(res->observations, res->probes, res->kmsg);
		lab_pcitree_annotate(res->observations, r.topology);
		json = (char *)json_object_to_json_string_ext(res->observations,
							       JSON_C_TO_STRING_PRETTY);
		write_file(opts->dir, "observations.json", json, &local);
	}
	if (res->status == LAB_RUN_OK && local.set) {
		res->status = LAB_RUN_ERROR;   /* results that cannot be written are lost */
		snprintf(res->detail, sizeof(res->detail), "%s", local.msg);
	}
	if (res->status == LAB_RUN_ERROR && (lab_virt_lost() || virConnectIsAlive(conn) != 1))
		/* the connection went, whatever the step noticed first */
		snprintf(res->infra, sizeof(res->infra), "%s",
			 lab_virt_lost() ? lab_virt_lost() : res->detail);
	recover_journal(&r);
	/* a run that went wrong keeps its disks, for a second look */
	if (opts->store)
		keep_volumes(&r, res->status != LAB_RUN_OK);
	else
		lab_disk_set_clear(&r.disks, res->status != LAB_RUN_OK);
	lab_store_close(&r.store);
	lab_topology_free(r.topology);
	lab_hotplug_clear(&r.hotplug);
	lab_reset_clear(&r.reset);
	json_object_put(r.kmsg_first);
	json_object_put(r.collect_reset);
	free(r.hotplug_xml);
	json_object_put(r.collect);
	json_object_put(r.kmsg);
	json_object_put(r.probes);
	lab_agent_free(r.agent);
	lab_platform_free(platform);
	return 0;
}

void lab_run_result_clear(struct lab_run_result *res)
{
	json_object_put(res->observations);
	json_object_put(res->timeline);
	json_object_put(res->kmsg);
	json_object_put(res->probes);
	json_object_put(res->journal);
	json_object_put(res->trace);
	memset(res, 0, sizeof(*res));
}
