/* SPDX-License-Identifier: MIT */
/* iommu-lab run: boot guests, compare what they show with expectations. */
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
#include "diff.h"
#include "domain.h"
#include "matrix.h"
#include "observation.h"
#include "paths.h"
#include "platform.h"
#include "pool.h"
#include "qemu.h"
#include "report.h"
#include "pcidiagram.h"
#include "runner.h"
#include "topology.h"
#include "virt.h"

#define MAX_LIST 32

static void usage(FILE *out)
{
	char *names = lab_platform_names(lab_paths_platforms());

	fprintf(out,
		"usage: iommu-lab run [FILE...] [OPTIONS]\n"
		"       iommu-lab run --platform P [--platform P ...] [OPTIONS]\n"
		"\n"
		"Boot guests through libvirt under emulated IOMMUs, ask the agent in each what the\n"
		"kernel built (IOMMUs, groups, default domain, interrupt remapping, registers, faults)\n"
		"and, for scenario files, compare it with their expectations, one verdict per check.\n"
		"Without files, the flags describe one ad-hoc run per platform: observations only.\n"
		"\n"
		"  FILE             scenario/matrix YAML (see scenarios/); runs matrix.variant@kernel\n"
		"  --platform P     ad-hoc platform: %s\n"
		"  --kernel K       guest kernel: bookworm (6.1, default), backports (6.12), or the\n"
		"                   path of a kernel you built (bzImage/Image); with files, every\n"
		"                   run uses it instead of the files' kernels\n"
		"  --modules DIR    the INSTALL_MOD_PATH tree of that kernel (DIR/lib/modules/KVER)\n"
		"  --qemu Q         the QEMU the guests run on, repeatable (a QEMU axis): system (the\n"
		"                   host's, default), bookworm (7.2), backports (10.0), fetched as\n"
		"                   Debian packages into images/cache once, or the path of a\n"
		"                   qemu-system-ARCH you built (beside its pc-bios/); with files,\n"
		"                   replaces their qemus: axis. Runs then end in +qemu-NAME\n"
		"  --append ARGS    ad-hoc kernel command line (e.g. \"iommu=pt\")\n"
		"  --topology FILE  ad-hoc PCI topology (e.g. scenarios/topologies/mix.yaml; see\n"
		"                   docs/scenarios.md, \"Topologies\"): the bridges and devices\n"
		"                   each guest gets; its PCI tree, as the guest saw it, is printed\n"
		"                   with its IOMMU groups after its observations\n"
		"  --qemu-opt K=V   ad-hoc IOMMU device property (e.g. caching-mode=on)\n"
		"  --machine-opt K=V  ad-hoc QEMU machine option (e.g. smm=off; not kernel-irqchip on\n"
		"                   q35: libvirt 9.0 sets kernel_irqchip itself, QEMU refuses both)\n"
		"  --jobs N         guests at once (default: the number of CPUs)\n"
		"  --only REGEX     run only the runs whose name matches (e.g. '@bookworm$')\n"
		"  --shard K/N      run only the K-th of N slices of the runs (CI fan-out)\n"
		"  --json           print the results JSON on stdout\n"
		"  --junit FILE     also write JUnit XML to FILE\n"
		"  --tap            print TAP on stdout (kselftest style)\n"
		"  --results DIR    results folder (default results/<run-id>)\n"
		"  --accel A        auto (default: KVM only where a boot proved it), tcg, kvm\n"
		"  --timeout S      seconds per guest when a file sets none (default 240)\n"
		"  --stall S        a guest whose console and agent are both silent for S seconds\n"
		"                   is a timeout at once (default %u; 0: only --timeout)\n"
		"  --memory MIB     guest memory (default 512)\n"
		"  --poweroff       let each guest power itself off through the agent (about 2 s\n"
		"                   more under TCG) instead of destroying it once collected\n"
		"  --uri URI        libvirt connection (default %s); repeated: the runs are\n"
		"                   spread over the hosts, --jobs guests at once on each\n"
		"  --hosts FILE     libvirt hosts (YAML: a list of {uri, jobs, upload:\n"
		"                   auto|always|never, pool_dir}); a remote host gets the guests'\n"
		"                   kernels, initramfs, firmware and disks uploaded to its storage\n"
		"                   pool 'iommulab' once per content (README.md, \"Remote hosts\")\n"
		"  --reconnect-wait S  a host's libvirt lost under a run (daemon restarted, host\n"
		"                   gone): no run goes there while the lab waits up to S seconds\n"
		"                   for it (default 120); then its guests that outlived the\n"
		"                   daemon are destroyed and the runs it hit run once more\n"
		"  --baseline DIR   compare with an earlier results folder (see 'iommu-lab diff'):\n"
		"                   a section in report.html, results.json's \"baseline\", a line here\n"
		"\n"
		"The results folder gets results.json, junit.xml, results.tap, report.html and,\n"
		"per run, domain.xml, console.log, kmsg.log and observations.json; results.json\n"
		"is rewritten after every run (\"complete\": false until the end).\n"
		"Exit: 0 every check held, 1 a check failed or a guest misbehaved, 2 usage or\n"
		"set-up error (no image, libvirt unreachable), 130 interrupted.\n",
		names && *names ? names : "(none found)", LAB_RUN_STALL_S, LAB_VIRT_DEFAULT_URI);
	free(names);
}

struct cli {
	char *files[MAX_LIST];
	size_t nfiles;
	const char *platforms[MAX_LIST];
	size_t nplatforms;
	const char *kernels[MAX_LIST];
	size_t nkernels;
	const char *qemus[MAX_LIST];
	size_t nqemus;
	const char *qemu_opts[MAX_LIST];
	size_t nqemu_opts;
	const char *machine_opts[MAX_LIST];
	size_t nmachine_opts;
	const char *uris[MAX_LIST];
	size_t nuris;
	const char *hosts_file;  /* --hosts */
	const char *append, *accel, *uri, *results, *junit, *only, *modules, *topology;
	unsigned timeout_s, stall_s, memory_mib, jobs, shard_k, shard_n, reconnect_s;
	int json, tap, poweroff;
	const char *custom;     /* --kernel PATH */
	const char *baseline;   /* --baseline DIR */
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

static int push(const char **list, size_t *n, const char *v, const char *what)
{
	if (*n == MAX_LIST) {
		fprintf(stderr, "run: at most %d %s\n", MAX_LIST, what);
		return -1;
	}
	list[(*n)++] = v;
	return 0;
}

static int parse(int argc, char **argv, struct cli *c)
{
	static const struct option longopts[] = {
		{ "platform", required_argument, NULL, 'p' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "qemu", required_argument, NULL, 'Q' },
		{ "append", required_argument, NULL, 'a' },
		{ "topology", required_argument, NULL, 'Y' },
		{ "qemu-opt", required_argument, NULL, 'q' },
		{ "machine-opt", required_argument, NULL, 'X' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "shard", required_argument, NULL, 'S' },
		{ "only", required_argument, NULL, 'O' },
		{ "poweroff", no_argument, NULL, 'P' },
		{ "modules", required_argument, NULL, 'M' },
		{ "json", no_argument, NULL, 'J' },
		{ "junit", required_argument, NULL, 'U' },
		{ "tap", no_argument, NULL, 'T' },
		{ "results", required_argument, NULL, 'r' },
		{ "accel", required_argument, NULL, 'A' },
		{ "timeout", required_argument, NULL, 't' },
		{ "stall", required_argument, NULL, 'W' },
		{ "memory", required_argument, NULL, 'm' },
		{ "uri", required_argument, NULL, 'u' },
		{ "hosts", required_argument, NULL, 'H' },
		{ "reconnect-wait", required_argument, NULL, 'R' },
		{ "baseline", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int opt;

	*c = (struct cli){ .accel = "auto", .uri = LAB_VIRT_DEFAULT_URI, .timeout_s = 240,
			   .stall_s = LAB_RUN_STALL_S,
			   .memory_mib = 512, .jobs = cpus > 0 ? (unsigned)cpus : 1 };
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (push(c->platforms, &c->nplatforms, optarg, "platforms") < 0)
				return -1;
			break;
		case 'k':
			if (push(c->kernels, &c->nkernels, optarg, "kernels") < 0)
				return -1;
			break;
		case 'Q':
			if (!lab_qemu_is_suite(optarg) &&
			    (!strchr(optarg, '/') || access(optarg, X_OK) < 0)) {
				fprintf(stderr, "run: --qemu takes system, bookworm, backports or the "
					"path of an executable qemu-system-ARCH, not '%s'\n", optarg);
				return -1;
			}
			if (push(c->qemus, &c->nqemus, optarg, "--qemu") < 0)
				return -1;
			break;
		case 'q':
		case 'X': {
			const char *eq = strchr(optarg, '=');
			char key[128];

			if (!eq || eq == optarg || (size_t)(eq - optarg) >= sizeof(key)) {
				fprintf(stderr, "run: --%s takes NAME=VALUE\n",
					opt == 'q' ? "qemu-opt" : "machine-opt");
				return -1;
			}
			memcpy(key, optarg, (size_t)(eq - optarg));
			key[eq - optarg] = '\0';
			if (!lab_domain_valid_opt(key) || !lab_domain_valid_opt(eq + 1)) {
				fprintf(stderr, "run: '%s': letters, digits, . _ : + - only\n", optarg);
				return -1;
			}
			if (opt == 'q' ? push(c->qemu_opts, &c->nqemu_opts, optarg, "--qemu-opt") < 0
				       : push(c->machine_opts, &c->nmachine_opts, optarg, "--machine-opt") < 0)
				return -1;
			break;
		}
		case 'a': c->append = optarg; break;
		case 'Y': c->topology = optarg; break;
		case 'J': c->json = 1; break;
		case 'O': c->only = optarg; break;
		case 'P': c->poweroff = 1; break;
		case 'M': c->modules = optarg; break;
		case 'T': c->tap = 1; break;
		case 'U': c->junit = optarg; break;
		case 'A': c->accel = optarg; break;
		case 'u':
			c->uri = optarg;
			if (push(c->uris, &c->nuris, optarg, "--uri") < 0)
				return -1;
			break;
		case 'H': c->hosts_file = optarg; break;
		case 'R':
			if (parse_uint(optarg, 1, 86400, &c->reconnect_s) < 0) {
				fprintf(stderr, "run: --reconnect-wait wants seconds (1-86400)\n");
				return -1;
			}
			break;
		case 'r': c->results = optarg; break;
		case 'B': c->baseline = optarg; break;
		case 'j':
			if (parse_uint(optarg, 1, 256, &c->jobs) < 0) {
				fprintf(stderr, "run: --jobs takes a number from 1 to 256\n");
				return -1;
			}
			break;
		case 'S':
			if (sscanf(optarg, "%u/%u", &c->shard_k, &c->shard_n) != 2 || !c->shard_n ||
			    !c->shard_k || c->shard_k > c->shard_n) {
				fprintf(stderr, "run: --shard takes K/N with 1 <= K <= N\n");
				return -1;
			}
			break;
		case 't':
			if (parse_uint(optarg, 1, 86400, &c->timeout_s) < 0) {
				fprintf(stderr, "run: --timeout takes seconds (1..86400)\n");
				return -1;
			}
			break;
		case 'W':
			if (parse_uint(optarg, 0, 86400, &c->stall_s) < 0) {
				fprintf(stderr, "run: --stall takes seconds (0..86400)\n");
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
	for (; optind < argc; optind++)
		if (push((const char **)c->files, &c->nfiles, argv[optind], "files") < 0)
			return -1;
	if (c->nfiles && (c->nplatforms || c->append || c->nqemu_opts || c->nmachine_opts ||
			  c->topology)) {
		fprintf(stderr, "run: give scenario files or ad-hoc flags (--platform, "
			"--append, --qemu-opt, --topology), not both\n");
		return -1;
	}
	if (c->nfiles && c->nkernels > 1) {
		fprintf(stderr, "run: with files, --kernel names the one kernel every run uses\n");
		return -1;
	}
	if (!c->nfiles && !c->nplatforms) {
		fprintf(stderr, "run: name scenario files or at least one --platform\n");
		return -1;
	}
	for (size_t i = 0; i < c->nkernels; i++) {
		if (!strcmp(c->kernels[i], "bookworm") || !strcmp(c->kernels[i], "backports"))
			continue;
		if (!strchr(c->kernels[i], '/') || access(c->kernels[i], R_OK) < 0) {
			fprintf(stderr, "run: --kernel takes bookworm, backports or the path of a "
				"readable kernel image, not '%s'\n", c->kernels[i]);
			return -1;
		}
		if (c->nkernels > 1) {
			fprintf(stderr, "run: a kernel you built is the only --kernel of a run\n");
			return -1;
		}
		c->custom = c->kernels[i];
	}
	if (c->modules && !c->custom) {
		fprintf(stderr, "run: --modules goes with --kernel PATH\n");
		return -1;
	}
	return 0;
}

/* The flags' runs: one per platform and kernel, no expectations. */
/* NAME=VALUE flags as an object, or NULL when there are none. */
static json_object *opts_object(const char *const *opts, size_t n)
{
	json_object *o;

	if (!n)
		return NULL;
	o = json_object_new_object();
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(opts[i], '=');
		char *key = strndup(opts[i], (size_t)(eq - opts[i]));

		json_object_object_add(o, key, json_object_new_string(eq + 1));
		free(key);
	}
	return o;
}

static struct lab_matrix *adhoc_matrix(const struct cli *c, struct lab_error *err)
{
	struct lab_matrix *m = calloc(1, sizeof(*m));
	json_object *qemu = opts_object(c->qemu_opts, c->nqemu_opts);
	json_object *machine = opts_object(c->machine_opts, c->nmachine_opts);
	size_t nk = c->nkernels ? c->nkernels : 1;

	m->runs = calloc(c->nplatforms * nk, sizeof(*m->runs));
	if (c->topology) {
		struct lab_topology *t = lab_topology_load(c->topology, err);

		if (!t) {
			json_object_put(qemu);
			json_object_put(machine);
			lab_matrix_free(m);
			return NULL;
		}
		/* the matrix owns the run spec's form; each run borrows it */
		m->topology = lab_topology_to_json(t);
		lab_topology_free(t);
	}
	for (size_t i = 0; i < c->nplatforms; i++) {
		struct lab_platform *p = lab_platform_load(lab_paths_platforms(), c->platforms[i], err);

		if (!p) {
			json_object_put(qemu);
			json_object_put(machine);
			lab_matrix_free(m);
			return NULL;
		}
		lab_platform_free(p);
		for (size_t k = 0; k < nk; k++) {
			struct lab_run_spec *r = &m->runs[m->nruns++];

			r->suite = c->nkernels && !c->custom ? c->kernels[k] : "bookworm";
			if (asprintf(&r->name, "%s@%s", c->platforms[i], r->suite) < 0)
				r->name = NULL;
			r->matrix = "adhoc";
			r->variant = c->platforms[i];
			r->platform = c->platforms[i];
			r->append = c->append ? strdup(c->append) : NULL;
			r->qemu = json_object_get(qemu);
			r->machine = json_object_get(machine);
			r->topology = m->topology;
			for (size_t j = 0; j + 1 < m->nruns; j++)
				if (!strcmp(m->runs[j].name, r->name)) {
					lab_error_set(err, "%s given twice", r->name);
					json_object_put(qemu);
					json_object_put(machine);
					lab_matrix_free(m);
					return NULL;
				}
		}
	}
	json_object_put(qemu);
	json_object_put(machine);
	return m;
}

/* --baseline: the diff against DIR's results as results["baseline"], and its
 * summary line on stderr. */
static void attach_baseline(json_object *results, json_object *baseline, const char *dir)
{
	struct lab_error err = { 0 };
	json_object *diff = lab_diff_results(baseline, results, NULL, &err);
	char line[256];

	if (!diff) {
		fprintf(stderr, "run: --baseline %s: %s\n", dir, err.msg);
		return;
	}
	json_object_object_add(diff, "dir", json_object_new_string(dir));
	lab_diff_summary_line(diff, line, sizeof(line));
	fprintf(stderr, "run: baseline %s: %s\n", dir, line);
	json_object_object_add(results, "baseline", diff);
}

/* A run with a topology: its PCI tree as the guest showed it. */
static void print_tree(json_object *run, json_object *obs)
{
	struct lab_pcidiagram *d = lab_pcidiagram_new(obs, json_object_object_get(run, "checks"));
	char *text = d ? lab_pcidiagram_text(d) : NULL;

	if (text)
		printf("%s", text);
	free(text);
	lab_pcidiagram_free(d);
}

static void print_adhoc(json_object *results)
{
	json_object *runs = json_object_object_get(results, "runs");

	for (size_t i = 0; i < json_object_array_length(runs); i++) {
		json_object *r = json_object_array_get_idx(runs, i);
		json_object *obs = json_object_object_get(r, "observations");
		const char *tail = json_object_get_string(json_object_object_get(r, "console_tail"));

		printf("== %s: %s%s%s\n", json_object_get_string(json_object_object_get(r, "name")),
		       json_object_get_string(json_object_object_get(r, "status")),
		       *json_object_get_string(json_object_object_get(r, "reason")) ? ", " : "",
		       json_object_get_string(json_object_object_get(r, "reason")));
		if (obs)
			lab_observation_print(stdout, obs);
		print_tree(r, obs);
		if (tail && *tail)
			printf("-- console tail --\n%s\n------------------\n", tail);
	}
}

int cmd_run(int argc, char **argv)
{
	struct lab_error err = { 0 };
	struct lab_pool_opts po = { 0 };
	static struct lab_hosts hosts;
	struct lab_matrix *m;
	struct cli c;
	char dir[PATH_MAX], id[64];
	json_object *results, *baseline = NULL;
	const char *verdict;
	int rc;

	if (parse(argc, argv, &c) < 0) {
		fprintf(stderr, "run: see 'iommu-lab run --help'\n");
		return LAB_EXIT_USAGE;
	}
	m = c.nfiles ? lab_matrix_load(c.files, c.nfiles, lab_paths_platforms(), &err)
		     : adhoc_matrix(&c, &err);
	if (!m) {
		fprintf(stderr, "run: %s\n", err.msg);
		return LAB_EXIT_USAGE;
	}
	if ((c.custom || (c.nfiles && c.nkernels)) &&
	    lab_matrix_set_kernel(m, c.custom ? NULL : c.kernels[0], c.custom, c.modules, &err) < 0) {
		fprintf(stderr, "run: %s\n", err.msg);
		lab_matrix_free(m);
		return LAB_EXIT_USAGE;
	}
	if (c.nqemus && lab_matrix_set_qemus(m, c.qemus, c.nqemus, &err) < 0) {
		fprintf(stderr, "run: %s\n", err.msg);
		lab_matrix_free(m);
		return LAB_EXIT_USAGE;
	}
	if (c.only && lab_matrix_filter(m, c.only, &err) < 0) {
		fprintf(stderr, "run: %s\n", err.msg);
		lab_matrix_free(m);
		return LAB_EXIT_USAGE;
	}
	if (c.shard_n)
		lab_matrix_shard(m, c.shard_k, c.shard_n);
	/* read before anything boots: a wrong folder is a usage error */
	if (c.baseline && !(baseline = lab_diff_load(c.baseline, &err))) {
		fprintf(stderr, "run: --baseline: %s\n", err.msg);
		lab_matrix_free(m);
		return LAB_EXIT_USAGE;
	}
	lab_runner_install_signals();
	if (lab_paths_new_results(c.results, id, sizeof(id), dir, sizeof(dir), &err) < 0) {
		fprintf(stderr, "run: %s\n", err.msg);
		lab_matrix_free(m);
		json_object_put(baseline);
		return LAB_EXIT_USAGE;
	}
	po.uri = c.uri;
	po.reconnect_s = c.reconnect_s;
	po.jobs = c.jobs;
	if (c.hosts_file || c.nuris > 1) {
		/* several hosts: each run goes to one with a free slot */
		for (size_t i = 0; i < c.nuris; i++)
			if (lab_hosts_add(&hosts, c.uris[i], c.jobs, &err) < 0)
				break;
		if (!err.set && c.hosts_file)
			lab_hosts_load(&hosts, c.hosts_file, &err);
		if (err.set) {
			fprintf(stderr, "run: %s\n", err.msg);
			lab_hosts_clear(&hosts);
			lab_matrix_free(m);
			json_object_put(baseline);
			return LAB_EXIT_USAGE;
		}
		po.hosts = &hosts;
		c.jobs = 0;
		for (size_t i = 0; i < hosts.n; i++)
			c.jobs += hosts.v[i].jobs ? hosts.v[i].jobs : po.jobs;
	}
	po.accel = c.accel;
	po.timeout_s = c.timeout_s;
	po.stall_s = c.stall_s;
	po.memory_mib = c.memory_mib;
	po.dir = dir;
	po.adhoc = !c.nfiles;
	po.graceful_poweroff = c.poweroff;
	po.progress = cmd_progress;
	/* a live line only on a terminal, and not under machine output */
	po.progress_opaque = !(c.json || c.tap) && isatty(STDERR_FILENO) ? (void *)&po : NULL;
	if (!c.json && !c.tap)
		fprintf(stderr, "run: %zu run%s, %u at a time; results in %s\n", m->nruns,
			m->nruns == 1 ? "" : "s", c.jobs, dir);
	results = lab_pool_run(m, &po, id, &err);
	lab_hosts_clear(&hosts);
	lab_matrix_free(m);
	if (!results) {
		fprintf(stderr, "run: %s\n", err.msg);
		json_object_put(baseline);
		return LAB_EXIT_USAGE;
	}
	if (baseline)
		attach_baseline(results, baseline, c.baseline);
	json_object_put(baseline);
	rc = cmd_write_reports(results, dir, c.junit, &err);
	if (c.json)
		printf("%s\n", json_object_to_json_string_ext(results, JSON_C_TO_STRING_PRETTY));
	else if (c.tap)
		lab_report_write_tap(results, stdout);
	else {
		if (po.adhoc)
			print_adhoc(results);
		lab_report_print_table(results, stdout, isatty(STDOUT_FILENO));
	}
	fflush(stdout);
	verdict = json_object_get_string(json_object_object_get(
		json_object_object_get(results, "summary"), "verdict"));
	rc = rc < 0 ? (fprintf(stderr, "run: %s\n", err.msg), LAB_EXIT_USAGE)
	     : lab_runner_interrupted() ? 130
	     : !strcmp(verdict, "pass") ? LAB_EXIT_OK : LAB_EXIT_FAIL;
	fprintf(stderr, "run: results in %s (report.html, junit.xml, results.json)\n", dir);
	if (lab_runner_interrupted())
		fprintf(stderr, "run: interrupted; every guest this run started is gone\n");
	json_object_put(results);
	return rc;
}
