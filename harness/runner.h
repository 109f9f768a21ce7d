/* SPDX-License-Identifier: MIT */
#ifndef LAB_RUNNER_H
#define LAB_RUNNER_H

/*
 * One run: boot one guest through libvirt, talk to its agent, collect, power
 * off, and make sure the domain is gone on every path out (success, error,
 * timeout, guest panic, SIGINT/SIGTERM). Driven by libvirt's event loop.
 */
#include <libvirt/libvirt.h>
#include <json.h>

#include "error.h"
#include "owner.h"
#include "qemu.h"
#include "store.h"
#include "verdict.h"      /* enum lab_run_status */

/* The default of --stall: console and agent both silent this long is a
 * stalled guest. The agent says it is busy every LAB_PROTO_BUSY_S while a
 * command runs, so a slow command is not silence. */
#define LAB_RUN_STALL_S 30
/* A guest using this share of a CPU is working, even when silent: an idle
 * TCG guest takes a few per cent. */
#define LAB_RUN_BUSY_SHARE 0.2

struct lab_run_opts {
	const char *name;        /* run name, used in the domain name */
	const struct lab_owner *owner; /* the top-level lab, in the domain's
				    <metadata> (owner.h); NULL: this process */
	const char *platform;
	const char *append;      /* extra kernel arguments */
	const char *suite;       /* guest kernel: bookworm (default), backports */
	const struct lab_qemu_emulator *emulator; /* a QEMU other than libvirt's
				    default (harness/qemu.h), or NULL */
	json_object *qemu_opts;  /* IOMMU device properties, or NULL */
	json_object *machine_opts; /* -machine options, or NULL */
	json_object *probes;     /* DMA probes for the agent (scenario.h), or NULL */
	json_object *topology;   /* PCI topology to add (topology.h's JSON form), or NULL */
	const char *accel;       /* tcg | kvm (already resolved) */
	const char *dir;         /* where this run's files go (created) */
	unsigned timeout_s;
	unsigned stall_s;        /* console and agent both silent this long:
				    timeout now (0: only the full timeout) */
	unsigned memory_mib;
	unsigned vcpus;
	int graceful_poweroff;   /* ask the guest to power off and wait for it,
				    instead of destroying it once collected */
	const struct lab_store_run *store; /* a host without the lab machine's
				    files: the run's artefacts as volumes there
				    (store.h), or NULL for local paths */
};

struct lab_run_result {
	enum lab_run_status status;
	char detail[1024];        /* panic line, error, or why it timed out */
	char infra[256];          /* the host failed the run, not the guest
				     (libvirt connection lost): why; the pool
				     retries such a run once */
	char console_tail[2048];  /* the last lines of the serial console */
	json_object *observations;
	double boot_s;            /* domain start to the agent's first answer */
	double total_s;
	unsigned long garbage;    /* malformed lines from the agent channel */
	json_object *timeline;    /* {"created": s, "hello": s, ...} since the start */
	json_object *kmsg;        /* the guest's kernel log records, or NULL */
	json_object *probes;      /* [{name, request, result, error}] */
	json_object *journal;     /* string: the agent's journal read back from
				     its disk after a guest died, or the reason
				     it could not be; NULL otherwise */
	json_object *trace;       /* a measured run's QEMU trace counts
				     (trace.h: lab_trace_count), or NULL */
};


/* SIGINT/SIGTERM set a flag that every running guest's loop acts on. */
void lab_runner_install_signals(void);
int lab_runner_interrupted(void);

/* Run one guest. Returns 0 when a result was produced (whatever its status:
 * look at res->status), -1 when it could not even be attempted. */
int lab_runner_run(virConnectPtr conn, const struct lab_run_opts *opts,
		   struct lab_run_result *res, struct lab_error *err);
void lab_run_result_clear(struct lab_run_result *res);

/* Whether a run is stalled at time t (monotonic seconds): window_s > 0 and
 * neither the console (last byte at last_console) nor the agent (last
 * message at last_agent) has said anything, nor have the guest's vCPUs
 * been found working (last_busy), for window_s. */
int lab_runner_stalled(double t, double last_console, double last_agent, double last_busy,
		       unsigned window_s);
/* Did a guest whose vCPUs used cpu_ns in wall_s seconds work (at least
 * LAB_RUN_BUSY_SHARE of one CPU), rather than sit idle? */
int lab_runner_cpu_busy(unsigned long long cpu_ns, double wall_s);

#endif
