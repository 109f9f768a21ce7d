/* SPDX-License-Identifier: MIT */
/* iommu-lab report: what can be done with results folders as a whole.
 * `merge` joins the shards of one matrix. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "diff.h"
#include "jsonval.h"
#include "matrix.h"
#include "merge.h"
#include "paths.h"
#include "perf.h"
#include "recheck.h"
#include "report.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: iommu-lab report merge [OPTIONS] DIR...\n"
		"\n"
		"Join the results folders of the shards of one matrix ('run --shard K/N' on\n"
		"several machines or CI jobs) into one results folder: results.json, junit.xml,\n"
		"results.tap and report.html, as if one invocation had run the whole matrix.\n"
		"\n"
		"  DIR...              the shards' results folders (or their results.json)\n"
		"  --results DIR       where the merged folder goes (default results/<id>)\n"
		"  --junit FILE        also write the merged JUnit XML to FILE\n"
		"  --allow-incomplete  take what a shard the lab did not finish holds\n"
		"  --json              print the merged results JSON on stdout\n"
		"\n"
		"Refused, with the reason: folders of different matrices (each results.json\n"
		"records its matrix's run names), a run found in two folders, a folder whose\n"
		"results.json records no matrix. Runs of the matrix that no folder holds are\n"
		"listed as missing and make the merged verdict 'error'. Each run's 'dir' in\n"
		"the merged results.json points into its shard's folder (relative to the\n"
		"merged one), so keep the folders side by side. Relations between runs (perf\n"
		"scenarios) are judged again over all runs, from the runs' scenario files.\n"
		"Exit: 0 every check held, 1 a check failed or runs are missing, 2 usage or\n"
		"refused input.\n");
}

/*
 * Relations between runs (perf scenarios) may pair runs of different
 * shards: judged again over the merged runs, from the scenario files the
 * runs came from (as they are here). Without those files, the perf section
 * alone, and a note.
 */
static void judge_relations(json_object *results)
{
	struct lab_error err = { 0 };
	size_t n = 0;
	lab_autofree const char **files = lab_recheck_files(results, &n);
	struct lab_matrix *m = n ? lab_matrix_load((char *const *)files, n, lab_paths_platforms(),
						   &err) : NULL;

	if (n && !m)
		fprintf(stderr, "report merge: relations between runs not judged: %s\n", err.msg);
	lab_perf_apply(results, m);
	lab_matrix_free(m);
}

static int merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "results", required_argument, NULL, 'r' },
		{ "junit", required_argument, NULL, 'j' },
		{ "allow-incomplete", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct lab_error err = { 0 };
	const char *out_dir = NULL, *junit = NULL;
	char dir[PATH_MAX], id[64];
	lab_autofree struct lab_merge_input *in = NULL;
	lab_autojson json_object *results = NULL;
	json_object *missing;
	size_t n = 0;
	int opt, json = 0, allow_incomplete = 0, rc = LAB_EXIT_USAGE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r': out_dir = optarg; break;
		case 'j': junit = optarg; break;
		case 'a': allow_incomplete = 1; break;
		case 'J': json = 1; break;
		case 'h': usage(stdout); return LAB_EXIT_OK;
		default: usage(stderr); return LAB_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return LAB_EXIT_USAGE;
	}
	in = calloc((size_t)(argc - optind), sizeof(*in));
	if (!in)
		return LAB_EXIT_USAGE;
	for (int i = optind; i < argc; i++, n++) {
		in[n].dir = argv[i];
		in[n].results = lab_diff_load(argv[i], &err);
		if (!in[n].results)
			goto out;
	}
	if (lab_paths_new_results(out_dir, id, sizeof(id), dir, sizeof(dir), &err) < 0)
		goto out;
	results = lab_merge_results(in, n, dir, id, allow_incomplete, &err);
	if (!results) {
		rmdir(dir);     /* created empty just above: nothing to keep */
		goto out;
	}
	judge_relations(results);
	if (cmd_write_reports(results, dir, junit, &err) < 0)
		goto out;
	if (json)
		printf("%s\n", json_object_to_json_string_ext(results, JSON_C_TO_STRING_PRETTY));
	else
		lab_report_print_table(results, stdout, isatty(STDOUT_FILENO));
	fflush(stdout);
	missing = lab_jsonval_arr(lab_jsonval_obj(results, "merged"), "missing");
	if (lab_jsonval_len(missing)) {
		fprintf(stderr, "report merge: %zu run%s of the matrix in no folder given:\n",
			lab_jsonval_len(missing), lab_jsonval_len(missing) == 1 ? "" : "s");
		for (size_t i = 0; i < lab_jsonval_len(missing) && i < 20; i++)
			fprintf(stderr, "  %s\n",
				json_object_get_string(json_object_array_get_idx(missing, i)));
		if (lab_jsonval_len(missing) > 20)
			fprintf(stderr, "  ... (results.json: merged.missing)\n");
	}
	fprintf(stderr, "report merge: %zu folder%s, %zu runs; results in %s\n", n,
		n == 1 ? "" : "s", lab_jsonval_len(lab_jsonval_arr(results, "runs")), dir);
	rc = !strcmp(lab_jsonval_str(lab_jsonval_obj(results, "summary"), "verdict"), "pass")
		     ? LAB_EXIT_OK : LAB_EXIT_FAIL;
out:
	if (err.set)
		fprintf(stderr, "report merge: %s\n", err.msg);
	for (size_t i = 0; i < n; i++)
		json_object_put(in[i].results);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "merge"))
		return merge(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return LAB_EXIT_OK;
	}
	if (argc < 2)
		fprintf(stderr, "report: which? (there is 'merge')\n");
	else
		fprintf(stderr, "report: unknown verb '%s' (there is 'merge')\n", argv[1]);
	usage(stderr);
	return LAB_EXIT_USAGE;
}
