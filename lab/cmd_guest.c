/* SPDX-License-Identifier: MIT */
/*
 * iommu-lab _guest: one guest, for the worker pool (harness/pool.c). Each
 * guest runs in a fresh process of its own, with its own libvirt connection
 * (libvirt's client is not fork-safe, and a process per guest keeps one
 * guest's trouble away from the others). Writes run.json beside the
 * runner's files in --dir. Not for people: `iommu-lab run` is.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "runner.h"
#include "virt.h"

/* The pool hands its JSON over as it is (probes, IOMMU and machine
 * options): parsed here, with the type the runner expects. */
static int json_arg(json_object **slot, const char *text, json_type type, const char *flag)
{
	json_object_put(*slot);
	*slot = json_tokener_parse(text);
	if (!json_object_is_type(*slot, type)) {
		fprintf(stderr, "_guest: --%s takes a JSON %s\n", flag,
			type == json_type_array ? "array" : "object");
		return -1;
	}
	return 0;
}

int cmd_guest(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "platform", required_argument, NULL, 'p' },
		{ "suite", required_argument, NULL, 's' },
		{ "append", required_argument, NULL, 'a' },
		{ "accel", required_argument, NULL, 'A' },
		{ "timeout", required_argument, NULL, 't' },
		{ "stall", required_argument, NULL, 'W' },
		{ "memory", required_argument, NULL, 'm' },
		{ "uri", required_argument, NULL, 'u' },
		{ "dir", required_argument, NULL, 'd' },
		{ "qemu-opts", required_argument, NULL, 'q' },
		{ "machine-opts", required_argument, NULL, 'X' },
		{ "probes", required_argument, NULL, 'P' },
		{ "poweroff", no_argument, NULL, 'o' },
		{ "qemu", required_argument, NULL, 'Q' },
		{ 0 }
	};
	struct lab_run_opts o = { .accel = "tcg", .timeout_s = 180, .stall_s = LAB_RUN_STALL_S,
				  .memory_mib = 512, .vcpus = 1 };
	struct lab_run_result res;
	struct lab_error err = { 0 };
	const char *uri = LAB_VIRT_DEFAULT_URI;
	json_object *qemu = NULL, *machine = NULL, *out;
	virConnectPtr conn;
	char path[4200];
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n': o.name = optarg; break;
		case 'p': o.platform = optarg; break;
		case 's': o.suite = optarg; break;
		case 'a': o.append = optarg; break;
		case 'A': o.accel = optarg; break;
		case 't': o.timeout_s = (unsigned)atoi(optarg); break;
		case 'W': o.stall_s = (unsigned)atoi(optarg); break;
		case 'm': o.memory_mib = (unsigned)atoi(optarg); break;
		case 'u': uri = optarg; break;
		case 'd': o.dir = optarg; break;
		case 'X':
			if (json_arg(&machine, optarg, json_type_object, "machine-opts") < 0)
				return LAB_EXIT_USAGE;
			break;
		case 'q':
			if (json_arg(&qemu, optarg, json_type_object, "qemu-opts") < 0)
				return LAB_EXIT_USAGE;
			break;
		case 'o': o.graceful_poweroff = 1; break;
		case 'Q': o.qemu = optarg; break;
		case 'P':
			if (json_arg(&o.probes, optarg, json_type_array, "probes") < 0)
				return LAB_EXIT_USAGE;
			break;
		default: return LAB_EXIT_USAGE;
		}
	}
	if (!o.name || !o.platform || !o.dir || !o.timeout_s) {
		fprintf(stderr, "_guest: internal command; use 'iommu-lab run'\n");
		return LAB_EXIT_USAGE;
	}
	o.qemu_opts = qemu;
	o.machine_opts = machine;
	lab_runner_install_signals();
	conn = lab_virt_connect(uri, &err);
	if (!conn) {
		fprintf(stderr, "%s\n", err.msg);
		return LAB_EXIT_USAGE;
	}
	rc = lab_runner_run(conn, &o, &res, &err);
	virConnectClose(conn);
	json_object_put(qemu);
	json_object_put(machine);
	json_object_put(o.probes);
	if (rc < 0) {
		res.status = LAB_RUN_ERROR;
		snprintf(res.detail, sizeof(res.detail), "%s", err.msg);
	}
	out = json_object_new_object();
	json_object_object_add(out, "status", json_object_new_string(lab_run_status_name(res.status)));
	json_object_object_add(out, "detail", json_object_new_string(res.detail));
	json_object_object_add(out, "console_tail", json_object_new_string(res.console_tail));
	json_object_object_add(out, "boot_s", json_object_new_double(res.boot_s));
	json_object_object_add(out, "total_s", json_object_new_double(res.total_s));
	json_object_object_add(out, "agent_garbage_lines", json_object_new_int64((int64_t)res.garbage));
	json_object_object_add(out, "timeline", json_object_get(res.timeline));
	json_object_object_add(out, "kmsg", json_object_get(res.kmsg));
	json_object_object_add(out, "observations", json_object_get(res.observations));
	json_object_object_add(out, "probes", json_object_get(res.probes));
	if (res.journal)
		json_object_object_add(out, "journal", json_object_get(res.journal));
	snprintf(path, sizeof(path), "%s/run.json", o.dir);
	if (json_object_to_file_ext(path, out, JSON_C_TO_STRING_PLAIN) < 0) {
		fprintf(stderr, "_guest: writing %s: %s\n", path, json_util_get_last_err());
		rc = -1;
	}
	json_object_put(out);
	lab_run_result_clear(&res);
	return rc < 0 ? LAB_EXIT_USAGE : LAB_EXIT_OK;
}
