/* SPDX-License-Identifier: MIT */
#ifndef LAB_WORKER_H
#define LAB_WORKER_H

/*
 * The worker protocol: how the pool hands one run to a worker process
 * (`iommu-lab _guest SPEC`) and what comes back. One JSON document each
 * way, both kept in the run's folder:
 *
 *   spec.json  in   {"name", "platform", "suite", "emulator", "accel",
 *                    "timeout_s", "stall_s", "memory_mib", "uri", "dir",
 *                    "poweroff", "append", "probes", "qemu_opts",
 *                    "machine_opts", "store", "owner"}
 *   run.json   out  {"status", "detail", "console_tail", "boot_s",
 *                    "total_s", "agent_garbage_lines", "timeline", "kmsg",
 *                    "infra" (only when the host failed the run),
 *                    "observations", "probes", "journal"}
 *
 * The worker writes observations.json and run.json once; nothing edits
 * them afterwards: what results.json says of a run's observations is what
 * its folder holds.
 */
#include <json.h>

#include "error.h"
#include "runner.h"

/* A spec read back: the run's options (borrowing from doc and emulator)
 * and the URI. "emulator" ({"binary", "data_dirs"}) is the QEMU the pool
 * resolved for the run, when it is not libvirt's default. */
struct lab_worker_spec {
	struct lab_run_opts run;
	const char *uri;
	struct lab_qemu_emulator emulator;
	struct lab_store_run store;   /* "store": {"kernel", "initrd", "firmware",
					 "disk_base", "local_base", "prefix"} */
	struct lab_owner owner;     /* "owner": {"host", "pid", "start"} */
	json_object *doc;
};

/* The spec document for one run on uri. */
json_object *lab_worker_spec_new(const struct lab_run_opts *o, const char *uri);
/* Read and check a spec document (a missing or mistyped member is an error
 * naming it). Clear with lab_worker_spec_clear. */
int lab_worker_spec_read(const char *path, struct lab_worker_spec *w, struct lab_error *err);
void lab_worker_spec_clear(struct lab_worker_spec *w);

/* The outcome document of a run (run.json). */
json_object *lab_worker_outcome(const struct lab_run_result *res);

/* Write a document to path (plain JSON). */
int lab_worker_write(const char *path, json_object *doc, struct lab_error *err);

#endif
