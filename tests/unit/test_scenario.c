/* SPDX-License-Identifier: MIT */
/* Scenario files: the loader (valid files; every kind of invalid file with
 * its file:line message), conditions, and expansion into runs. */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "matrix.h"
#include "scenario.h"

#define DATA "tests/data/scenario/"
#define PLATFORMS "guests/platforms"

static const struct lab_expect *find(const struct lab_run_spec *r, const char *key)
{
	for (size_t i = 0; i < r->nexpects; i++)
		if (!strcmp(r->expects[i]->key, key))
			return r->expects[i];
	return NULL;
}

static const struct lab_run_spec *run(const struct lab_matrix *m, const char *name)
{
	for (size_t i = 0; i < m->nruns; i++)
		if (!strcmp(m->runs[i].name, name))
			return &m->runs[i];
	fail_msg("no run %s", name);
	return NULL;
}

static void valid_file_loads(void **state)
{
	struct lab_error err = { 0 };
	struct lab_scenario *s = lab_scenario_load(DATA "valid.yaml", PLATFORMS, &err);

	(void)state;
	if (!s)
		fail_msg("%s", err.msg);
	assert_string_equal(s->matrix, "m");
	assert_int_equal(s->nplatforms, 2);
	assert_int_equal(s->nkernels, 2);
	assert_int_equal(s->timeout_s, 100);
	assert_int_equal(s->nvariants, 2);
	assert_string_equal(s->variants[1].when, "qemu >= 7.0 and kernel >= 6.1");
	lab_scenario_free(s);
}

static void expansion_names_and_merges(void **state)
{
	struct lab_error err = { 0 };
	char *files[] = { DATA "valid.yaml" };
	struct lab_matrix *m = lab_matrix_load(files, 1, PLATFORMS, &err);
	const struct lab_run_spec *a, *b;
	const struct lab_expect *e;

	(void)state;
	if (!m)
		fail_msg("%s", err.msg);
	/* 2 platforms x 2 kernels x 2 variants */
	assert_int_equal(m->nruns, 8);
	a = run(m, "m.intel.a@bookworm");
	b = run(m, "m.smmuv3.b@backports");
	assert_string_equal(a->append, "quiet");
	assert_string_equal(b->append, "quiet iommu=pt");
	assert_string_equal(json_object_get_string(json_object_object_get(a->qemu, "caching-mode")), "on");
	assert_string_equal(json_object_get_string(json_object_object_get(b->qemu, "caching-mode")), "off");
	assert_string_equal(json_object_get_string(json_object_object_get(b->qemu, "aw-bits")), "48");
	assert_string_equal(json_object_get_string(json_object_object_get(b->machine, "kernel-irqchip")),
			    "split");
	/* the matrix's expectations, the variant's win by key */
	assert_string_equal(json_object_get_string(find(a, "default_domain")->alts[0].value), "DMA");
	assert_string_equal(json_object_get_string(find(b, "default_domain")->alts[0].value), "identity");
	/* alternatives with conditions */
	e = find(a, "fields.intel.cap.mgaw");
	assert_non_null(e);
	assert_int_equal(e->nalts, 2);
	assert_string_equal(e->alts[0].when, "qemu >= 9.2");
	assert_int_equal(json_object_get_int(e->alts[1].value), 39);
	/* `fields: {}` and `log_present: []` drop the matrix's */
	assert_null(find(b, "fields.intel.cap.cm"));
	assert_null(find(b, "fields.intel.cap.mgaw"));
	assert_null(find(b, "log_present"));
	assert_non_null(find(a, "log_present"));
	assert_string_equal(find(b, "interrupt_remapping")->alts[0].xfail, "no x2apic under TCG");
	{
		json_object *before = lab_matrix_identity(m), *after;

		lab_matrix_shard(m, 2, 3);
		assert_int_equal(m->nruns, 3);   /* runs 1, 4, 7 */
		assert_int_equal(lab_matrix_index(m, 0), 1);
		assert_int_equal(lab_matrix_index(m, 2), 7);
		/* the shard still knows the whole matrix, and which part it is */
		after = lab_matrix_identity(m);
		assert_true(json_object_equal(json_object_object_get(before, "run_names"),
					      json_object_object_get(after, "run_names")));
		assert_null(json_object_object_get(before, "shard"));
		assert_string_equal(json_object_get_string(json_object_object_get(after, "shard")),
				    "2/3");
		assert_string_equal(json_object_get_string(json_object_array_get_idx(
					    json_object_object_get(after, "run_names"), 7)),
				    m->runs[2].name);
		json_object_put(before);
		json_object_put(after);
	}
	lab_matrix_free(m);
}

/* --only: a regex over run names; one that matches nothing is an error
 * (a typo would otherwise pass with no run at all). */
static void only_filters_and_refuses_nothing(void **state)
{
	struct lab_error err = { 0 };
	char *files[] = { DATA "valid.yaml" };
	struct lab_matrix *m = lab_matrix_load(files, 1, PLATFORMS, &err);
	size_t before;

	(void)state;
	assert_non_null(m);
	before = m->nruns;
	assert_int_equal(lab_matrix_filter(m, "^no-such-run$", &err), -1);
	assert_non_null(strstr(err.msg, "matches none of the"));
	assert_int_equal(m->nruns, before);
	assert_int_equal(lab_matrix_filter(m, "@backports$", &err), 0);
	assert_true(m->nruns > 0 && m->nruns < before);
	for (size_t i = 0; i < m->nruns; i++)
		assert_non_null(strstr(m->runs[i].name, "@backports"));
	lab_matrix_free(m);
}

static void one_kernel_for_every_run(void **state)
{
	struct lab_error err = { 0 };
	char *files[] = { DATA "valid.yaml" };
	struct lab_matrix *m = lab_matrix_load(files, 1, PLATFORMS, &err);
	char kernel[] = "/tmp/lab-test-kernel-XXXXXX";
	int fd = mkstemp(kernel);
	const struct lab_run_spec *r;

	(void)state;
	assert_non_null(m);
	assert_true(fd >= 0);
	close(fd);
	/* a suite: the kernel axis collapses, runs are renamed */
	assert_int_equal(lab_matrix_set_kernel(m, "backports", NULL, NULL, &err), 0);
	assert_int_equal(m->nruns, 4);
	r = run(m, "m.intel.a@backports");
	assert_string_equal(r->suite, "backports");
	assert_null(r->kernel_path);
	/* a kernel you built: suite custom-<id>, the path carried along */
	assert_int_equal(lab_matrix_set_kernel(m, NULL, kernel, NULL, &err), 0);
	assert_int_equal(m->nruns, 4);
	assert_int_equal(strncmp(m->runs[0].suite, "custom-", 7), 0);
	assert_int_equal(strlen(m->runs[0].suite), strlen("custom-") + 12);
	assert_string_equal(m->runs[0].kernel_path, kernel);
	assert_non_null(strstr(m->runs[0].name, "@custom-"));
	/* a missing kernel is an error naming it */
	assert_int_equal(lab_matrix_set_kernel(m, NULL, "/nonexistent/bzImage", NULL, &err), -1);
	assert_non_null(strstr(err.msg, "/nonexistent/bzImage"));
	unlink(kernel);
	lab_matrix_free(m);
}

/* qemus: [system, backports] is an axis: runs say +qemu-NAME, and a `when`
 * is judged against each run's own QEMU, not the host's. */
static void qemu_axis(void **state)
{
	struct lab_error err = { 0 };
	char *files[] = { DATA "qemus.yaml" };
	struct lab_matrix *m = lab_matrix_load(files, 1, PLATFORMS, &err);
	const struct lab_run_spec *sys, *bpo;
	char why[128] = "";

	(void)state;
	if (!m)
		fail_msg("%s", err.msg);
	assert_int_equal(m->nruns, 4);
	sys = run(m, "q.flts@bookworm+qemu-system");
	bpo = run(m, "q.flts@bookworm+qemu-backports");
	assert_string_equal(sys->qemu_build, "system");
	assert_string_equal(bpo->qemu_build, "backports");
	/* the host's QEMU is 7.2, the backports run's 10.0 */
	assert_true(lab_matrix_run_skipped(sys, "7.2.22", "9.0.0", "6.1.0-57-amd64", why, sizeof(why)));
	assert_string_equal(why, "needs qemu >= 10.0 (have 7.2.22)");
	assert_false(lab_matrix_run_skipped(bpo, "10.0.2", "9.0.0", "6.1.0-57-amd64", why, sizeof(why)));
	assert_false(lab_matrix_run_skipped(run(m, "q.a@bookworm+qemu-system"), "7.2.22", "9.0.0",
					    "6.1", why, sizeof(why)));
	lab_matrix_free(m);
}

/* --qemu replaces the files' axis; --kernel keeps it. */
static void qemus_for_every_run(void **state)
{
	struct lab_error err = { 0 };
	char *files[] = { DATA "valid.yaml" };
	struct lab_matrix *m = lab_matrix_load(files, 1, PLATFORMS, &err);
	const char *one[] = { "backports" }, *two[] = { "system", "bookworm" };
	const char *bad[] = { "/nonexistent/qemu-system-x86_64" };

	(void)state;
	assert_non_null(m);
	/* a file without qemus: runs on the system's QEMU, names unchanged */
	assert_string_equal(run(m, "m.intel.a@bookworm")->qemu_build, "system");
	assert_int_equal(lab_matrix_set_qemus(m, one, 1, &err), 0);
	assert_int_equal(m->nruns, 8);
	assert_string_equal(run(m, "m.smmuv3.b@backports+qemu-backports")->qemu_build, "backports");
	assert_int_equal(lab_matrix_set_kernel(m, "bookworm", NULL, NULL, &err), 0);
	assert_int_equal(m->nruns, 4);
	assert_non_null(run(m, "m.intel.a@bookworm+qemu-backports"));
	assert_int_equal(lab_matrix_set_qemus(m, two, 2, &err), 0);
	assert_int_equal(m->nruns, 8);
	assert_string_equal(run(m, "m.intel.b@bookworm+qemu-bookworm")->qemu_name, "bookworm");
	assert_non_null(run(m, "m.smmuv3.a@bookworm+qemu-system"));
	/* only the system's again: no axis, the plain names come back */
	assert_int_equal(lab_matrix_set_qemus(m, (const char *[]){ "system" }, 1, &err), 0);
	assert_int_equal(m->nruns, 4);
	assert_non_null(run(m, "m.intel.a@bookworm"));
	/* a QEMU you built that is not there */
	assert_int_equal(lab_matrix_set_qemus(m, bad, 1, &err), -1);
	assert_non_null(strstr(err.msg, "/nonexistent/qemu-system-x86_64"));
	lab_matrix_free(m);
}

static void duplicate_runs_across_files_are_refused(void **state)
{
	struct lab_error err = { 0 };
	char *files[] = { DATA "valid.yaml", DATA "valid.yaml" };

	(void)state;
	assert_null(lab_matrix_load(files, 2, PLATFORMS, &err));
	assert_non_null(strstr(err.msg, "run m.intel.a@bookworm is also defined at"));
}

static void invalid_files_say_where_and_why(void **state)
{
	static const struct {
		const char *file, *want;
	} cases[] = {
		{ "unknown-key.yaml", "unknown-key.yaml:6: unknown key 'defualt_domain' in expect" },
		{ "unknown-platform.yaml", "unknown-platform.yaml:2: unknown platform 'sparc' (known: " },
		{ "bad-domain.yaml", "bad-domain.yaml:6: default_domain must be one of: identity, DMA, DMA-FQ" },
		{ "bad-timeout.yaml", "bad-timeout.yaml:3: timeout must be a whole number from 5 to 3600" },
		{ "bad-when.yaml", "bad-when.yaml:5: bad condition 'qemu >> 10'" },
		{ "bad-regex.yaml", "bad-regex.yaml:6: log_present: bad regular expression '(unclosed'" },
		{ "duplicate-variant.yaml", "duplicate-variant.yaml:5: variant 'a' given twice (first at line 4)" },
		{ "bad-qemu-opt.yaml", "bad-qemu-opt.yaml:5: qemu: bad property name 'x; rm -rf'" },
		{ "broken-yaml.yaml", "broken-yaml.yaml:" },
		{ "bad-kernel.yaml", "bad-kernel.yaml:3: unknown kernel 'sid' (known: bookworm, backports)" },
		{ "no-matrix.yaml", "no-matrix.yaml:1: missing 'matrix'" },
		{ "bad-field.yaml", "bad-field.yaml:7: fields: 'cap.mgaw' must be KIND.REGISTER.FIELD" },
		{ "bad-acpi.yaml", "bad-acpi.yaml:7: acpi: 'mgaw' must be TABLE.FIELD with TABLE dmar, ivrs or iort" },
		{ "bad-block-probe.yaml", "bad-block-probe.yaml:6: probe blk: a block probe takes no 'direction'" },
		{ "bad-crash-probe.yaml", "bad-crash-probe.yaml:6: probe boom: a crash probe has no expect" },
		{ "bad-reset-probe.yaml", "bad-reset-probe.yaml:11: probe after comes after the reset probe again: a reset probe comes last" },
		{ "bad-reset-how.yaml", "bad-reset-how.yaml:8: how must be one of: reset, reboot" },
		{ "bad-reset-keys.yaml", "bad-reset-keys.yaml:6: probe again: a reset probe takes only how (reset, reboot), not 'direction'" },
		{ "bad-disk.yaml", "bad-disk.yaml:8: disk must be one of: virtio, nvme" },
		{ "bad-count.yaml", "bad-count.yaml:6: iommus must be a whole number >= 0" },
		{ "binary.yaml", "binary.yaml:" },
		{ "alt-without-equals.yaml", "alt-without-equals.yaml:6: status: an alternative needs 'equals'" },
		{ "does-not-exist.yaml", "does-not-exist.yaml: No such file or directory" },
		{ "bad-group.yaml", "bad-group.yaml:6: same_group: 'edu' is no PCI device, and the variant has no topology" },
		{ "bad-topology-id.yaml", "bad-topology-id.yaml:8: separate_groups: 'edu9' is not a node of the variant's topology" },
		{ "bad-topology-probe.yaml", "bad-topology-probe.yaml:4: probe p: device 'rp' is not an edu of the variant's topology" },
		{ "bad-topology-name.yaml", "bad-topology-name.yaml:5: topology nope: " },
		{ "bad-topology-file.yaml", "topologies/broken.yaml:6: e1: a switch-downstream port sits on a switch-upstream port" },
		{ "bad-qemus.yaml", "bad-qemus.yaml:3: unknown QEMU 'sid' (known: system, bookworm, backports" },
		{ "bad-perf-measure.yaml", "bad-perf-measure.yaml:8: measure must be one of: vfio_map, edu_rtt, block_read, pgtable" },
		{ "bad-perf-key.yaml", "bad-perf-key.yaml:6: probe p: sizes is not for measure pgtable (it is for vfio_map)" },
		{ "bad-perf-size.yaml", "bad-perf-size.yaml:11: each of sizes must be a multiple of 4096 (bytes)" },
		{ "bad-perf-disk.yaml", "bad-perf-disk.yaml:6: probe r: measure block_read needs disk (virtio, nvme)" },
		{ "bad-perf-dma-key.yaml", "bad-perf-dma-key.yaml:6: probe p: a perf probe takes no 'direction'" },
		{ "bad-perf-kib.yaml", "bad-perf-kib.yaml:10: block_kib must be a multiple of 4" },
		{ "bad-perf-on-dma.yaml", "bad-perf-on-dma.yaml:6: probe d: measure is for perf probes" },
		{ "bad-perf-rtt.yaml", "bad-perf-rtt.yaml:6: probe t: edu_rtt takes at most 100 iterations" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lab_error err = { 0 };
		char path[256];
		struct lab_scenario *s;

		snprintf(path, sizeof(path), DATA "%s", cases[i].file);
		s = lab_scenario_load(path, PLATFORMS, &err);
		if (s) {
			lab_scenario_free(s);
			fail_msg("%s loaded", cases[i].file);
		}
		if (!strstr(err.msg, cases[i].want))
			fail_msg("%s: '%s' lacks '%s'", cases[i].file, err.msg, cases[i].want);
	}
}

/* A reset probe: its expectations, and the restart its run's domain needs
 * (only that variant's). */
static void reset_probe(void **state)
{
	struct lab_error err = { 0 };
	struct lab_scenario *s = lab_scenario_load(DATA "reset.yaml", PLATFORMS, &err);
	json_object *p;

	(void)state;
	if (!s)
		fail_msg("%s", err.msg);
	p = json_object_array_get_idx(s->variants[0].probes, 1);
	assert_string_equal(lab_scenario_probe_mode(p), "reset");
	assert_string_equal(json_object_get_string(json_object_object_get(p, "how")), "reset");
	assert_true(lab_scenario_probes_need_restart(s->variants[0].probes));
	assert_false(lab_scenario_probes_need_restart(s->variants[1].probes));
	assert_int_equal(s->variants[0].nexpects, 4);
	assert_string_equal(s->variants[0].expects[1].key, "probe.again.groups_same");
	lab_scenario_free(s);
}

/* Perf probes: their keys as the agent takes them (common/perf_request.h);
 * only a block_read one needs the run's disks. */
static void perf_probes(void **state)
{
	struct lab_error err = { 0 };
	struct lab_scenario *s = lab_scenario_load(DATA "perf.yaml", PLATFORMS, &err);
	json_object *p;

	(void)state;
	if (!s)
		fail_msg("%s", err.msg);
	p = json_object_array_get_idx(s->variants[0].probes, 0);
	assert_string_equal(lab_scenario_probe_mode(p), "perf");
	assert_string_equal(json_object_to_json_string_ext(json_object_object_get(p, "sizes"),
							   JSON_C_TO_STRING_PLAIN), "[4096,65536]");
	assert_int_equal(json_object_get_int(json_object_object_get(p, "iterations")), 50);
	p = json_object_array_get_idx(s->variants[0].probes, 1);
	assert_int_equal(json_object_get_int(json_object_object_get(p, "block_kib")), 64);
	assert_true(lab_scenario_probes_need_disks(s->variants[0].probes));
	assert_false(lab_scenario_probes_need_disks(s->variants[1].probes));
	assert_int_equal(s->variants[1].nexpects, 1);
	assert_string_equal(s->variants[1].expects[0].key, "probe.pgt.counted");
	lab_scenario_free(s);
}

static void conditions(void **state)
{
	char why[128];

	(void)state;
	assert_int_equal(lab_scenario_check_condition("qemu >= 10.0", NULL), 0);
	assert_int_equal(lab_scenario_check_condition("kernel < 6.12 and libvirt != 9", NULL), 0);
	assert_int_equal(lab_scenario_check_condition("qemu >= ten", NULL), -1);
	assert_int_equal(lab_scenario_check_condition("gcc >= 12", NULL), -1);
	assert_int_equal(lab_scenario_check_condition("qemu => 1", NULL), -1);
	/* or: alternatives of and-terms ("and" binds tighter) */
	assert_int_equal(lab_scenario_check_condition("qemu >= 1 or kernel < 2", NULL), 0);
	assert_int_equal(lab_scenario_check_condition("qemu >= 1 or kernel << 2", NULL), -1);
	assert_true(lab_scenario_condition_holds("platform == intel or qemu < 9.2", "10.0.2", NULL,
						 NULL, "intel", NULL, 0));
	why[0] = 'x';
	assert_true(lab_scenario_condition_holds("platform == intel or qemu < 9.2", "7.2.0", NULL,
						 NULL, "amd", why, sizeof(why)));
	assert_string_equal(why, "");   /* callers read a non-empty why as skipped */
	assert_false(lab_scenario_condition_holds("platform == intel or qemu < 9.2", "10.0.2", NULL,
						  NULL, "amd", NULL, 0));
	assert_true(lab_scenario_condition_holds("platform == amd and qemu >= 9.2 or kernel < 6.2",
						 "7.2.0", NULL, "6.1.0", "intel", NULL, 0));
	/* the platform is a name: == and != only */
	assert_int_equal(lab_scenario_check_condition("platform == smmuv3-uefi", NULL), 0);
	assert_int_equal(lab_scenario_check_condition("platform >= amd", NULL), -1);
	assert_int_equal(lab_scenario_check_condition("kernel >= amd", NULL), -1);
	assert_true(lab_scenario_condition_holds("platform == amd and qemu >= 7", "7.2.0", NULL, NULL,
						 "amd", NULL, 0));
	assert_false(lab_scenario_condition_holds("platform == amd", NULL, NULL, NULL, "intel", why,
						  sizeof(why)));
	assert_string_equal(why, "needs platform == amd (have intel)");
	assert_true(lab_scenario_condition_holds("platform != amd", NULL, NULL, NULL, "intel", NULL, 0));
	assert_false(lab_scenario_condition_holds("platform != amd", NULL, NULL, NULL, NULL, NULL, 0));
	assert_true(lab_scenario_condition_holds("qemu >= 7.2", "7.2.0", "9.0.0", "6.1.0-56-amd64", NULL, NULL, 0));
	assert_false(lab_scenario_condition_holds("qemu >= 10.0", "7.2.0", "9.0.0", "6.1.0", NULL, why, sizeof(why)));
	assert_string_equal(why, "needs qemu >= 10.0 (have 7.2.0)");
	assert_true(lab_scenario_condition_holds("kernel >= 6.12", NULL, NULL, "6.12.95+deb12-amd64", NULL, NULL, 0));
	assert_false(lab_scenario_condition_holds("kernel >= 6.12", NULL, NULL, "6.1.0-56-amd64", NULL, NULL, 0));
	assert_false(lab_scenario_condition_holds("kernel >= 6.1 and qemu < 7", "7.2.0", NULL, "6.1", NULL, NULL, 0));
	/* unknown version: the condition does not hold, and says why */
	assert_false(lab_scenario_condition_holds("libvirt >= 1", "7.2.0", NULL, "6.1", NULL, why, sizeof(why)));
	assert_string_equal(why, "libvirt version unknown");
}

static void every_shipped_scenario_loads(void **state)
{
	struct lab_error err = { 0 };
	struct lab_matrix *m;
	glob_t g;

	(void)state;
	assert_int_equal(glob("scenarios/default-*.yaml", 0, NULL, &g), 0);
	m = lab_matrix_load(g.gl_pathv, g.gl_pathc, PLATFORMS, &err);
	if (!m)
		fail_msg("%s", err.msg);
	/* the default matrix: at least 40 runs (issue 4) */
	assert_true(m->nruns >= 40);
	lab_matrix_free(m);
	globfree(&g);
	/* the perf matrices (not run by make run): they load too */
	assert_int_equal(glob("scenarios/perf-*.yaml", 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 4);
	m = lab_matrix_load(g.gl_pathv, g.gl_pathc, PLATFORMS, &err);
	if (!m)
		fail_msg("%s", err.msg);
	lab_matrix_free(m);
	globfree(&g);
	m = lab_matrix_load((char *[]){ "scenarios/smoke.yaml" }, 1, PLATFORMS, &err);
	if (!m)
		fail_msg("%s", err.msg);
	assert_int_equal(m->nruns, 3);
	lab_matrix_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_file_loads),
		cmocka_unit_test(expansion_names_and_merges),
		cmocka_unit_test(only_filters_and_refuses_nothing),
		cmocka_unit_test(one_kernel_for_every_run),
		cmocka_unit_test(qemu_axis),
		cmocka_unit_test(qemus_for_every_run),
		cmocka_unit_test(duplicate_runs_across_files_are_refused),
		cmocka_unit_test(invalid_files_say_where_and_why),
		cmocka_unit_test(reset_probe),
		cmocka_unit_test(perf_probes),
		cmocka_unit_test(conditions),
		cmocka_unit_test(every_shipped_scenario_loads),
	};

	return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
