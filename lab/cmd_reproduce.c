/* SPDX-License-Identifier: MIT */
/* iommu-lab reproduce: replay a real machine's IOMMU faults in a guest. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "fault.h"
#include "jsonval.h"
#include "klog.h"
#include "matrix.h"
#include "paths.h"
#include "pool.h"
#include "replay.h"
#include "runner.h"
#include "virt.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: iommu-lab reproduce LOG [OPTIONS]\n"
		"\n"
		"Decode the IOMMU faults in a kernel log (as `explain` does), turn each distinct\n"
		"signature (IOMMU, event, code, direction, page) into a DMA probe from the edu\n"
		"test device at that IOVA, boot guests of the matching platform, and compare what\n"
		"they log with what the log reported: \"reproduced N of M fault signatures\".\n"
		"The generated scenario files are kept in the results folder: edit and rerun them\n"
		"with `iommu-lab run FILE`. The log's IOMMU kernel arguments are kept.\n"
		"\n"
		"  --kernel K       guest kernel: bookworm (default), backports, or a kernel image\n"
		"  --modules DIR    that kernel's INSTALL_MOD_PATH tree\n"
		"  --qemu Q         the QEMU: system (default), bookworm, backports, or a\n"
		"                   qemu-system-ARCH you built (interrupt-remapping faults need\n"
		"                   QEMU 8.2, first-stage ones its x-flts: backports)\n"
		"  --jobs N         guests at once (default: the number of CPUs)\n"
		"  --results DIR    results folder (default results/<run-id>)\n"
		"  --uri URI        libvirt connection (default %s)\n"
		"  --json           print the signatures and verdicts as JSON\n"
		"\n"
		"Exit: 0 every replayable signature reproduced, 1 some did not (or none could be\n"
		"replayed), 2 usage or set-up error.\n", LAB_VIRT_DEFAULT_URI);
}

/* The log's "Kernel command line: ..." text, or NULL (caller frees). */
static char *log_cmdline(const char *path)
{
	struct lab_error err = { 0 };
	struct lab_klog_record rec;
	struct lab_klog *k;
	char *found = NULL;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	k = lab_klog_new_file(f, &err);
	while (k && !found && lab_klog_next(k, &rec, &err) == 1) {
		const char *p = strstr(rec.text, "Kernel command line: ");

		if (p)
			found = strdup(p + strlen("Kernel command line: "));
	}
	lab_klog_free(k);
	fclose(f);
	return found;
}

static json_object *decode(const char *path, struct lab_error *err)
{
	json_object *res, *faults;
	FILE *f = fopen(path, "re");

	if (!f) {
		lab_error_set_errno(err, errno, "%s", path);
		return NULL;
	}
	res = lab_fault_parse_file(f, err);
	fclose(f);
	if (!res)
		return NULL;
	faults = json_object_get(json_object_object_get(res, "faults"));
	json_object_put(res);
	return faults;
}

/* The verdict of the replay probe's fault check for a signature (a run
 * that never judged it: its status, and *reason why). */
static const char *verdict_of(json_object *results, const char *platform, const char *variant,
			      const char **reason)
{
	json_object *runs = json_object_object_get(results, "runs");
	char prefix[96];

	snprintf(prefix, sizeof(prefix), "reproduce-%s.%s@", platform, variant);
	for (size_t i = 0; i < lab_jsonval_len(runs); i++) {
		json_object *r = json_object_array_get_idx(runs, i);
		json_object *checks = json_object_object_get(r, "checks");
		const char *name = lab_jsonval_str(r, "name");

		if (!name || strncmp(name, prefix, strlen(prefix)))
			continue;
		*reason = lab_jsonval_str(r, "reason");
		for (size_t j = 0; j < lab_jsonval_len(checks); j++) {
			json_object *c = json_object_array_get_idx(checks, j);

			if (!strcmp(lab_jsonval_str(c, "name"), "probe.replay.fault")) {
				*reason = lab_jsonval_str(c, "reason");
				return lab_jsonval_str(c, "verdict");
			}
		}
		return lab_jsonval_str(r, "status");
	}
	*reason = NULL;
	return "not run";
}

int cmd_reproduce(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "modules", required_argument, NULL, 'M' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "results", required_argument, NULL, 'r' },
		{ "uri", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'J' },
		{ "qemu", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct lab_pool_opts po = { .uri = LAB_VIRT_DEFAULT_URI, .accel = "auto",
				    .timeout_s = 300, .stall_s = LAB_RUN_STALL_S, .memory_mib = 512 };
	struct lab_error err = { 0 };
	const char *kernel = NULL, *modules = NULL, *results_dir = NULL, *qemu = NULL;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	json_object *faults, *plan, *files, *results = NULL, *sigs;
	struct lab_matrix *m = NULL;
	char dir[PATH_MAX], path[PATH_MAX + 32], id[64], *cmdline;
	int opt, json = 0, replayable = 0, reproduced = 0, rc = LAB_EXIT_USAGE;

	po.jobs = cpus > 0 ? (unsigned)cpus : 1;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'k': kernel = optarg; break;
		case 'M': modules = optarg; break;
		case 'j': po.jobs = (unsigned)atoi(optarg); break;
		case 'r': results_dir = optarg; break;
		case 'u': po.uri = optarg; break;
		case 'J': json = 1; break;
		case 'q': qemu = optarg; break;
		case 'h': usage(stdout); return LAB_EXIT_OK;
		default: usage(stderr); return LAB_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !po.jobs || po.jobs > 256) {
		usage(stderr);
		return LAB_EXIT_USAGE;
	}
	faults = decode(argv[optind], &err);
	if (!faults) {
		fprintf(stderr, "reproduce: %s\n", err.msg);
		return LAB_EXIT_USAGE;
	}
	cmdline = log_cmdline(argv[optind]);
	plan = lab_replay_plan(faults, cmdline);
	free(cmdline);
	json_object_put(faults);
	sigs = json_object_object_get(plan, "signatures");

	if (lab_paths_new_results(results_dir, id, sizeof(id), dir, sizeof(dir), &err) < 0) {
		fprintf(stderr, "reproduce: %s\n", err.msg);
		goto out;
	}
	files = json_object_new_array();
	json_object_object_add(plan, "scenario_files", files);
	if (lab_replay_write(plan, dir, files, &err) < 0) {
		fprintf(stderr, "reproduce: %s\n", err.msg);
		goto out;
	}
	if (lab_jsonval_len(files)) {
		char *paths[4];
		size_t n = lab_jsonval_len(files);

		for (size_t i = 0; i < n && i < 4; i++)
			paths[i] = (char *)json_object_get_string(json_object_array_get_idx(files, i));
		m = lab_matrix_load(paths, n, lab_paths_platforms(), &err);
		if (!m || ((kernel || modules) &&
			   lab_matrix_set_kernel(m, kernel && !strchr(kernel, '/') ? kernel : NULL,
						 kernel && strchr(kernel, '/') ? kernel : NULL,
						 modules, &err) < 0) ||
		    (qemu && lab_matrix_set_qemus(m, &qemu, 1, &err) < 0)) {
			fprintf(stderr, "reproduce: %s\n", err.msg);
			goto out;
		}
		lab_runner_install_signals();
		po.dir = dir;
		po.progress = cmd_progress;
		/* a live line only on a terminal, and not under machine output */
		po.progress_opaque = !(json) && isatty(STDERR_FILENO) ? (void *)&po : NULL;
		results = lab_pool_run(m, &po, id, &err);
		if (!results) {
			fprintf(stderr, "reproduce: %s\n", err.msg);
			goto out;
		}
		snprintf(path, sizeof(path), "%s/results.json", dir);
		json_object_to_file_ext(path, results, JSON_C_TO_STRING_PRETTY);
	}
	for (size_t i = 0; i < lab_jsonval_len(sigs); i++) {
		json_object *s = json_object_array_get_idx(sigs, i);
		const char *v = NULL, *reason = NULL, *why = lab_jsonval_str(s, "why");
		char detail[1024];

		if (json_object_get_boolean(json_object_object_get(s, "replayable")) && results) {
			v = verdict_of(results, lab_jsonval_str(s, "platform"),
				       lab_jsonval_str(s, "variant"), &reason);
			replayable++;
			reproduced += !strcmp(v, "pass");
			json_object_object_add(s, "verdict", json_object_new_string(v));
		}
		if (json)
			continue;
		/* why it was replayed as it was, and what came of it when not */
		snprintf(detail, sizeof(detail), "%s%s%s%s%s", why ? why : "",
			 why && *why && v && strcmp(v, "pass") ? "; " : "",
			 v && !strcmp(v, "xfail") ? "QEMU's amd-iommu logs no IO_PAGE_FAULT"
			 : v && strcmp(v, "pass") ? v : "",
			 v && strcmp(v, "pass") && strcmp(v, "xfail") && reason && *reason ? ": " : "",
			 v && strcmp(v, "pass") && strcmp(v, "xfail") && reason ? reason : "");
		printf("%-12s %-6s %-16s code %-4d %-5s %-12s x%-5d %s\n",
		       v ? (!strcmp(v, "pass") ? "reproduced" : !strcmp(v, "xfail") ? "QEMU gap"
							      : "NOT REPRODUCED") : "not replayed",
		       lab_jsonval_str(s, "iommu") ? lab_jsonval_str(s, "iommu") : "?",
		       lab_jsonval_str(s, "event") ? lab_jsonval_str(s, "event") : "?",
		       json_object_get_int(json_object_object_get(s, "code")),
		       lab_jsonval_str(s, "access") ? lab_jsonval_str(s, "access") : "-",
		       lab_jsonval_str(s, "address") ? lab_jsonval_str(s, "address") : "-",
		       json_object_get_int(json_object_object_get(s, "count")), detail);
	}
	json_object_object_add(plan, "reproduced", json_object_new_int(reproduced));
	json_object_object_add(plan, "replayable", json_object_new_int(replayable));
	json_object_object_add(plan, "results", json_object_new_string(dir));
	snprintf(path, sizeof(path), "%s/reproduce.json", dir);
	json_object_to_file_ext(path, plan, JSON_C_TO_STRING_PRETTY);
	if (json)
		printf("%s\n", json_object_to_json_string_ext(plan, JSON_C_TO_STRING_PRETTY));
	else
		printf("reproduced %d of %d fault signature%s (%zu in the log; scenario files and "
		       "results in %s)\n", reproduced, replayable, replayable == 1 ? "" : "s",
		       lab_jsonval_len(sigs), dir);
	rc = lab_runner_interrupted() ? 130 : replayable && reproduced == replayable
					       ? LAB_EXIT_OK : LAB_EXIT_FAIL;
out:
	json_object_put(results);
	json_object_put(plan);
	lab_matrix_free(m);
	return rc;
}
