/* SPDX-License-Identifier: MIT */
/* iommu-lab recheck: judge a results folder's stored outcomes again against
 * (edited) scenario files, booting nothing. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "diff.h"
#include "matrix.h"
#include "paths.h"
#include "recheck.h"
#include "report.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: iommu-lab recheck [OPTIONS] RESULTS [SCENARIO...]\n"
		"\n"
		"Judge the runs of a results folder again, without booting anything: each run's\n"
		"stored outcome (its folder's run.json: status, observations, kernel log, probes)\n"
		"against the run of the same name in the scenario files, as they are now. The\n"
		"loop for writing expectations: run once, edit the YAML, recheck.\n"
		"\n"
		"  RESULTS          a results folder (or its results.json)\n"
		"  SCENARIO...      scenario files (default: the files the runs came from)\n"
		"  --results DIR    where the new results go (default RESULTS/recheck-<id>)\n"
		"  --json           print the new results JSON on stdout\n"
		"  --tap            print TAP on stdout\n"
		"\n"
		"A run the files no longer have, or one that never booted, is a skip saying so.\n"
		"The new folder gets results.json, junit.xml, results.tap and report.html, with a\n"
		"'Compared with' section against RESULTS.\n"
		"Exit: 0 every check held, 1 a check failed, 2 usage or unreadable input.\n");
}

/* The runs' own scenario files, or the ones given. */
static struct lab_matrix *load_matrix(json_object *stored, char **files, size_t nfiles,
				      struct lab_error *err)
{
	const char **from = NULL, **qemus;
	struct lab_matrix *m;
	size_t n = nfiles, nq;

	if (!nfiles) {
		from = lab_recheck_files(stored, &n);
		if (!n) {
			free(from);
			lab_error_set(err, "the stored runs name no scenario file (ad-hoc runs "
				      "have no expectations): give SCENARIO files");
			return NULL;
		}
		files = (char **)from;
	}
	m = lab_matrix_load(files, n, lab_paths_platforms(), err);
	free(from);
	qemus = lab_recheck_qemus(stored, &nq);
	/* a matrix that ran on a QEMU axis: the same axis, so names pair */
	if (m && nq && lab_matrix_set_qemus(m, qemus, nq, err) < 0) {
		lab_matrix_free(m);
		m = NULL;
	}
	free(qemus);
	return m;
}

int cmd_recheck(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "results", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'J' },
		{ "tap", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct lab_error err = { 0 };
	const char *out_dir = NULL;
	char base[PATH_MAX], dir[PATH_MAX], id[64], line[256], override[PATH_MAX + 80];
	lab_autojson json_object *stored = NULL, *results = NULL;
	json_object *diff;
	struct lab_diff_opts dopts = { 0 };
	struct lab_matrix *m;
	int opt, json = 0, tap = 0, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r': out_dir = optarg; break;
		case 'J': json = 1; break;
		case 'T': tap = 1; break;
		case 'h': usage(stdout); return LAB_EXIT_OK;
		default: usage(stderr); return LAB_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return LAB_EXIT_USAGE;
	}
	stored = lab_recheck_load(argv[optind], base, sizeof(base), &err);
	m = stored ? load_matrix(stored, argv + optind + 1, (size_t)(argc - optind - 1), &err)
		   : NULL;
	if (m) {
		if (!out_dir) {
			/* beside what it rechecks: RESULTS/recheck-<id> */
			lab_paths_new_id(id, sizeof(id));
			snprintf(override, sizeof(override), "%s/recheck-%s", base, id);
			out_dir = override;
		}
		if (lab_paths_new_results(out_dir, id, sizeof(id), dir, sizeof(dir), &err) == 0)
			results = lab_recheck_run(stored, base, m, id, &err);
		lab_matrix_free(m);
	}
	if (!results) {
		fprintf(stderr, "recheck: %s\n", err.msg);
		return LAB_EXIT_USAGE;
	}
	diff = lab_diff_results(stored, results, &dopts, NULL);
	if (diff) {
		json_object_object_add(diff, "dir", json_object_new_string(base));
		lab_diff_summary_line(diff, line, sizeof(line));
		json_object_object_add(results, "baseline", diff);
	}
	rc = cmd_write_reports(results, dir, NULL, &err);
	if (json)
		printf("%s\n", json_object_to_json_string_ext(results, JSON_C_TO_STRING_PRETTY));
	else if (tap)
		lab_report_write_tap(results, stdout);
	else
		lab_report_print_table(results, stdout, isatty(STDOUT_FILENO));
	fflush(stdout);
	if (diff)
		fprintf(stderr, "recheck: against the stored verdicts: %s\n", line);
	fprintf(stderr, "recheck: results in %s (booted nothing)\n", dir);
	if (rc < 0)
		fprintf(stderr, "recheck: %s\n", err.msg);
	return rc < 0 ? LAB_EXIT_USAGE
	       : !strcmp(json_object_get_string(json_object_object_get(
			 json_object_object_get(results, "summary"), "verdict")), "pass")
		  ? LAB_EXIT_OK : LAB_EXIT_FAIL;
}
