/* SPDX-License-Identifier: MIT */
/* iommu-lab diff: what changed between two results folders. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <json.h>

#include "cmd.h"
#include "diff.h"
#include "error.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: iommu-lab diff [--json] [--pair REGEX] OLD NEW\n"
		"\n"
		"Compare two results folders (or their results.json files): last night with\n"
		"tonight, QEMU 7.2 with 10.0. Runs are paired by name; the output lists the runs\n"
		"newly failing (verdict fail or error now, not before; a new run that fails\n"
		"counts), fixed, with another verdict, with other observations (default domain,\n"
		"interrupt remapping, groups ignoring their ids, decoded register fields, fault\n"
		"signatures, probe outcomes; never timings), added and gone.\n"
		"\n"
		"  --json        print the diff document instead of text\n"
		"  --pair REGEX  remove the first match of REGEX (extended) from every run name of\n"
		"                both sides before pairing, e.g. the same matrix on two QEMUs:\n"
		"                --pair '\\+qemu-[a-z0-9-]+$'\n"
		"  -h, --help    this text\n"
		"\n"
		"Exit: 0 nothing newly fails, 1 something newly fails, 2 usage or a folder that\n"
		"is missing or holds no results.json.\n");
}

static json_object *load(const char *path)
{
	struct lab_error err = { 0 };
	json_object *o = lab_diff_load(path, &err);

	if (!o)
		fprintf(stderr, "iommu-lab diff: %s\n", err.msg);
	return o;
}

int cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pair", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lab_diff_opts o = { 0 };
	struct lab_error err = { 0 };
	json_object *old = NULL, *new = NULL, *diff = NULL;
	int json = 0, c, rc = LAB_EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'p':
			o.pair = optarg;
			break;
		case 'h':
			usage(stdout);
			return LAB_EXIT_OK;
		default:
			usage(stderr);
			return LAB_EXIT_USAGE;
		}
	}
	if (optind != argc - 2) {
		usage(stderr);
		return LAB_EXIT_USAGE;
	}
	old = load(argv[optind]);
	new = old ? load(argv[optind + 1]) : NULL;
	if (new)
		diff = lab_diff_results(old, new, &o, &err);
	if (old && new && !diff)
		fprintf(stderr, "iommu-lab diff: %s\n", err.msg);
	if (diff) {
		json_object_object_add(json_object_object_get(diff, "old"), "path",
				       json_object_new_string(argv[optind]));
		json_object_object_add(json_object_object_get(diff, "new"), "path",
				       json_object_new_string(argv[optind + 1]));
		if (json)
			printf("%s\n", json_object_to_json_string_ext(diff, JSON_C_TO_STRING_PRETTY |
								      JSON_C_TO_STRING_NOSLASHESCAPE));
		else
			lab_diff_print(diff, stdout);
		rc = lab_diff_newly_failing(diff) ? LAB_EXIT_FAIL : LAB_EXIT_OK;
		if (fflush(stdout) != 0) {
			fprintf(stderr, "iommu-lab diff: writing: %s\n", strerror(errno));
			rc = LAB_EXIT_USAGE;
		}
	}
	json_object_put(diff);
	json_object_put(old);
	json_object_put(new);
	return rc;
}
