/* SPDX-License-Identifier: MIT */
/*
 * iommu-lab _guest SPEC: one guest, for the worker pool (harness/pool.c).
 * Each guest runs in a fresh process of its own, with its own libvirt
 * connection (libvirt's client is not fork-safe, and a process per guest
 * keeps one guest's trouble away from the others). It reads the run's spec
 * document and writes its outcome, run.json, beside the runner's files
 * (harness/worker.h). Not for people: `iommu-lab run` is.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "runner.h"
#include "virt.h"
#include "worker.h"

static char outcome_path[4200];

/* libvirt hangs (virt.h): the run is the host's failure. What is known
 * goes to run.json; the guest stays for the pool to destroy by name once
 * libvirt answers again. From the watchdog thread: no return. */
static void on_hang(const char *why)
{
	json_object *out = json_object_new_object();

	json_object_object_add(out, "status",
			       json_object_new_string(lab_run_status_name(LAB_RUN_ERROR)));
	json_object_object_add(out, "detail", json_object_new_string(why));
	json_object_object_add(out, "infra", json_object_new_string(why));
	lab_worker_write(outcome_path, out, NULL);
	fprintf(stderr, "_guest: %s\n", why);
	_exit(LAB_EXIT_USAGE);
}

int cmd_guest(int argc, char **argv)
{
	struct lab_worker_spec w;
	struct lab_run_result res;
	struct lab_error err = { 0 };
	virConnectPtr conn;
	lab_autojson json_object *out = NULL;
	char path[4200];
	int rc;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "_guest: internal command (_guest SPEC.json); use 'iommu-lab run'\n");
		return LAB_EXIT_USAGE;
	}
	if (lab_worker_spec_read(argv[1], &w, &err) < 0) {
		fprintf(stderr, "_guest: %s\n", err.msg);
		lab_worker_spec_clear(&w);
		return LAB_EXIT_USAGE;
	}
	lab_runner_install_signals();
	/* the lab that spawned this worker went (SIGKILL): stop the guest */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	snprintf(outcome_path, sizeof(outcome_path), "%s/run.json", w.run.dir);
	conn = lab_virt_connect(w.uri, &err);
	if (!conn || lab_virt_watch(conn, &err) < 0 || lab_virt_watch_hang(on_hang, &err) < 0) {
		/* the host, not the run: the pool waits for it and retries */
		memset(&res, 0, sizeof(res));
		res.status = LAB_RUN_ERROR;
		snprintf(res.detail, sizeof(res.detail), "%s", err.msg);
		snprintf(res.infra, sizeof(res.infra), "%s", err.msg);
		if (conn)
			virConnectClose(conn);
		rc = -1;
	} else {
		rc = lab_runner_run(conn, &w.run, &res, &err);
		virConnectClose(conn);
	}
	if (rc < 0 && !res.infra[0]) {
		res.status = LAB_RUN_ERROR;
		snprintf(res.detail, sizeof(res.detail), "%s", err.msg);
	}
	out = lab_worker_outcome(&res);
	snprintf(path, sizeof(path), "%s/run.json", w.run.dir);
	if (lab_worker_write(path, out, &err) < 0) {
		fprintf(stderr, "_guest: %s\n", err.msg);
		rc = -1;
	}
	lab_run_result_clear(&res);
	lab_worker_spec_clear(&w);
	return rc < 0 ? LAB_EXIT_USAGE : LAB_EXIT_OK;
}

/*
 * iommu-lab _ping URI: exit 0 when libvirt at URI answers, 2 when it does
 * not. The pool asks this way, in a process it can kill, while it waits
 * for a lost libvirt: a daemon that hangs would hang virConnectOpen, which
 * has no timeout of its own.
 */
int cmd_ping(int argc, char **argv)
{
	struct lab_error err = { 0 };
	virConnectPtr conn;
	unsigned long v = 0;

	if (argc != 2) {
		fprintf(stderr, "_ping: internal command (_ping URI)\n");
		return LAB_EXIT_USAGE;
	}
	conn = lab_virt_connect(argv[1], &err);
	if (!conn || virConnectGetLibVersion(conn, &v) < 0) {
		if (conn)
			virConnectClose(conn);
		return LAB_EXIT_USAGE;
	}
	virConnectClose(conn);
	return LAB_EXIT_OK;
}
