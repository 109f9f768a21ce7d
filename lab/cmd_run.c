/* SPDX-License-Identifier: MIT */
/* iommu-lab run: boot guests and report what they showed. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accel.h"
#include "observation.h"
#include "cmd.h"
#include "paths.h"
#include "platform.h"
#include "runner.h"
#include "virt.h"

#define MAX_PLATFORMS 16

static void usage(FILE *out)
{
	char *names = lab_platform_names(lab_paths_platforms());

	fprintf(out,
		"usage: iommu-lab run --platform P [--platform P ...] [OPTIONS]\n"
		"\n"
		"Boot one guest per platform through libvirt, ask the agent inside what the\n"
		"kernel built (IOMMUs, groups, default domain, interrupt remapping) and print it.\n"
		"\n"
		"  --platform P     platform profile: %s\n"
		"  --append ARGS    extra kernel command line (e.g. \"iommu=pt\")\n"
		"  --json           print JSON (DESIGN.md observations) instead of a table\n"
		"  --accel A        auto (default: KVM only where a boot proves it), tcg, kvm\n"
		"  --timeout S      seconds for the agent to finish (default 180)\n"
		"  --memory MIB     guest memory (default 512)\n"
		"  --uri URI        libvirt connection (default %s)\n"
		"  --results DIR    results folder (default results/<run-id>)\n"
		"\n"
		"Each run leaves domain.xml, console.log, kmsg.log and observations.json in\n"
		"its folder. Exit: 0 every guest answered, 1 a guest timed out, panicked or\n"
		"crashed, 2 usage or set-up error.\n",
		names && *names ? names : "(none found)", LAB_VIRT_DEFAULT_URI);
	free(names);
}

struct cli {
	const char *platforms[MAX_PLATFORMS];
	int nplatforms;
	const char *append, *accel, *uri, *results;
	unsigned timeout_s, memory_mib;
	int json;
};

static int parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse(int argc, char **argv, struct cli *c)
{
	static const struct option longopts[] = {
		{ "platform", required_argument, NULL, 'p' },
		{ "append", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "accel", required_argument, NULL, 'A' },
		{ "timeout", required_argument, NULL, 't' },
		{ "memory", required_argument, NULL, 'm' },
		{ "uri", required_argument, NULL, 'u' },
		{ "results", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int opt;

	*c = (struct cli){ .accel = "auto", .uri = LAB_VIRT_DEFAULT_URI, .timeout_s = 180,
			   .memory_mib = 512 };
	optind = 1;
	while ((opt = getopt_long(argc, argv, "p:a:jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (c->nplatforms == MAX_PLATFORMS) {
				fprintf(stderr, "run: at most %d platforms\n", MAX_PLATFORMS);
				return -1;
			}
			c->platforms[c->nplatforms++] = optarg;
			break;
		case 'a': c->append = optarg; break;
		case 'j': c->json = 1; break;
		case 'A': c->accel = optarg; break;
		case 'u': c->uri = optarg; break;
		case 'r': c->results = optarg; break;
		case 't':
			if (parse_uint(optarg, 1, 86400, &c->timeout_s) < 0) {
				fprintf(stderr, "run: --timeout takes seconds (1..86400)\n");
				return -1;
			}
			break;
		case 'm':
			if (parse_uint(optarg, 128, 65536, &c->memory_mib) < 0) {
				fprintf(stderr, "run: --memory takes MiB (128..65536)\n");
				return -1;
			}
			break;
		case 'h': usage(stdout); exit(LAB_EXIT_OK);
		default: return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "run: scenario files are not supported yet: %s\n", argv[optind]);
		return -1;
	}
	if (!c->nplatforms) {
		fprintf(stderr, "run: name at least one --platform\n");
		return -1;
	}
	return 0;
}

static json_object *run_json(const char *name, const char *accel, const char *why,
			     const struct lab_run_result *res, const char *dir)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "status", json_object_new_string(lab_run_status_name(res->status)));
	json_object_object_add(o, "detail", json_object_new_string(res->detail));
	json_object_object_add(o, "accel", json_object_new_string(accel));
	json_object_object_add(o, "accel_reason", json_object_new_string(why));
	json_object_object_add(o, "boot_s", json_object_new_double(res->boot_s));
	json_object_object_add(o, "total_s", json_object_new_double(res->total_s));
	json_object_object_add(o, "dir", json_object_new_string(dir));
	json_object_object_add(o, "timeline", json_object_get(res->timeline));
	if (res->garbage)
		json_object_object_add(o, "agent_garbage_lines",
				       json_object_new_int64((int64_t)res->garbage));
	if (res->status != LAB_RUN_OK)
		json_object_object_add(o, "console_tail", json_object_new_string(res->console_tail));
	json_object_object_add(o, "observations", json_object_get(res->observations));
	return o;
}

static void print_human(const char *name, const struct lab_run_result *res)
{
	printf("== %s: %s (%.1f s%s%s)\n", name, lab_run_status_name(res->status), res->total_s,
	       res->detail[0] ? ", " : "", res->detail);
	if (res->observations)
		lab_observation_print(stdout, res->observations);
	if (res->status != LAB_RUN_OK && res->console_tail[0])
		printf("-- console tail --\n%s\n------------------\n", res->console_tail);
}

int cmd_run(int argc, char **argv)
{
	struct lab_error err = { 0 };
	struct cli c;
	char dir[PATH_MAX], rundir[PATH_MAX + 64], id[64];
	json_object *all, *runs;
	virConnectPtr conn;
	int failed = 0;
	time_t t = time(NULL);

	if (parse(argc, argv, &c) < 0) {
		fprintf(stderr, "run: see 'iommu-lab run --help'\n");
		return LAB_EXIT_USAGE;
	}
	lab_runner_install_signals();
	strftime(id, sizeof(id), "%Y%m%d-%H%M%S", localtime(&t));
	snprintf(id + strlen(id), sizeof(id) - strlen(id), "-%ld", (long)getpid());
	if (c.results)
		snprintf(dir, sizeof(dir), "%s", c.results);
	else
		snprintf(dir, sizeof(dir), "%s/%s", lab_paths_results(), id);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "run: creating %s: %s\n", dir, strerror(errno));
		return LAB_EXIT_USAGE;
	}
	conn = lab_virt_connect(c.uri, &err);
	if (!conn) {
		fprintf(stderr, "run: %s\n", err.msg);
		return LAB_EXIT_USAGE;
	}
	all = json_object_new_object();
	runs = json_object_new_array();
	json_object_object_add(all, "run_id", json_object_new_string(id));
	json_object_object_add(all, "runs", runs);
	for (int i = 0; i < c.nplatforms && !lab_runner_interrupted(); i++) {
		struct lab_run_opts opts = { 0 };
		struct lab_run_result res;
		struct lab_platform *p;
		const char *accel;
		char why[1200];

		p = lab_platform_load(lab_paths_platforms(), c.platforms[i], &err);
		if (!p)
			break;
		snprintf(rundir, sizeof(rundir), "%s/%s", dir, c.platforms[i]);
		accel = lab_accel_resolve(conn, c.accel, p->name, p->arch, rundir, why,
					  sizeof(why), &err);
		if (!accel) {
			lab_platform_free(p);
			break;
		}
		opts.name = c.platforms[i];
		opts.platform = c.platforms[i];
		opts.append = c.append;
		opts.accel = accel;
		opts.dir = rundir;
		opts.timeout_s = c.timeout_s;
		opts.memory_mib = c.memory_mib;
		opts.vcpus = 1;
		lab_platform_free(p);
		if (!c.json)
			fprintf(stderr, "run: booting %s (%s: %s)...\n", opts.name, accel, why);
		if (lab_runner_run(conn, &opts, &res, &err) < 0)
			break;
		if (res.status == LAB_RUN_ERROR) {
			/* the lab could not drive the guest: a set-up error */
			err.set = 1;
			snprintf(err.msg, sizeof(err.msg), "%s: %s", opts.name, res.detail);
		}
		failed |= res.status != LAB_RUN_OK;
		json_object_array_add(runs, run_json(opts.name, accel, why, &res, rundir));
		if (!c.json)
			print_human(opts.name, &res);
		lab_run_result_clear(&res);
		if (err.set)
			break;
	}
	snprintf(rundir, sizeof(rundir), "%s/results.json", dir);
	if (json_object_to_file_ext(rundir, all, JSON_C_TO_STRING_PRETTY) < 0 && !err.set)
		lab_error_set(&err, "writing %s: %s", rundir, json_util_get_last_err());
	if (c.json)
		printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY));
	json_object_put(all);
	lab_virt_destroy_own(conn);
	virConnectClose(conn);
	fprintf(stderr, "run: results in %s\n", dir);
	if (lab_runner_interrupted()) {
		fprintf(stderr, "run: interrupted; every guest this run started is gone\n");
		return 130;
	}
	if (err.set) {
		fprintf(stderr, "run: %s\n", err.msg);
		return LAB_EXIT_USAGE;
	}
	return failed ? LAB_EXIT_FAIL : LAB_EXIT_OK;
}
