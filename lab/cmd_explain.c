/* SPDX-License-Identifier: MIT */
/* iommu-lab explain: decode the IOMMU faults in a kernel log. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "cmd.h"
#include "error.h"
#include "fault.h"

int cmd_explain(int argc, char **argv);

static void usage(FILE *out)
{
	fprintf(out,
		"usage: iommu-lab explain [--json] LOG|-\n"
		"\n"
		"Decode the IOMMU faults in a kernel log from any machine: Intel VT-d,\n"
		"AMD-Vi, Arm SMMUv3 and SMMUv2, and virtio-iommu records in the formats\n"
		"kernels from 3.x to today print, pasted as dmesg, dmesg -T, journalctl or\n"
		"syslog output, with CRLF, mail quoting or wrapping, or exported as\n"
		"journalctl -o json, json-pretty, json-seq or export, or dmesg --json.\n"
		"Identical records are folded per device; each comes with its meaning and\n"
		"a likely cause with the evidence for it.\n"
		"\n"
		"  --json     print {\"faults\": [...], \"summary\": {...}} instead of text\n"
		"  -h, --help this text\n"
		"\n"
		"LOG is a file, or - for standard input. Exit status: 0 when the log was\n"
		"read (whether or not it holds faults), 2 on usage or read errors.\n");
}

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	return json_object_get_string(v);
}

static int64_t num(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return -1;
	return json_object_get_int64(v);
}

static void print_fault(FILE *out, json_object *f)
{
	json_object *v, *lines;
	const char *addr = str(f, "address"), *acc = str(f, "access");
	int64_t code = num(f, "code"), sup = num(f, "suppressed"), sid = num(f, "stream_id");
	size_t n;

	fprintf(out, "  %s %s", str(f, "iommu"), str(f, "event"));
	if (code >= 0)
		fprintf(out, " code 0x%llx", (long long)code);
	fprintf(out, "  x%lld", (long long)num(f, "count"));
	if (sup > 0)
		fprintf(out, " (%lld from \"callbacks suppressed\")", (long long)sup);
	if (acc)
		fprintf(out, "  %s", acc);
	if (addr)
		fprintf(out, " %s", addr);
	if (sid >= 0)
		fprintf(out, "  stream %lld", (long long)sid);
	fputc('\n', out);
	fprintf(out, "    meaning:      %s\n", str(f, "meaning"));
	fprintf(out, "    likely cause: %s\n", str(f, "likely_cause"));
	if (json_object_object_get_ex(f, "evidence", &v)) {
		n = json_object_array_length(v);
		for (size_t i = 0; i < n; i++)
			fprintf(out, "      - %s\n",
				json_object_get_string(json_object_array_get_idx(v, i)));
	}
	if (json_object_object_get_ex(f, "lines", &lines)) {
		n = json_object_array_length(lines);
		fprintf(out, "    lines:       ");
		for (size_t i = 0; i < n && i < 12; i++)
			fprintf(out, " %lld", (long long)json_object_get_int64(
				json_object_array_get_idx(lines, i)));
		if (n > 12 || num(f, "lines_omitted") > 0)
			fprintf(out, " ...");
		fputc('\n', out);
	}
}

/* human output: faults grouped by device, devices in order of first appearance */
static void print_text(FILE *out, json_object *root, const char *name)
{
	json_object *faults, *summary;
	size_t n, groups = 0;
	const char **seen;

	json_object_object_get_ex(root, "faults", &faults);
	json_object_object_get_ex(root, "summary", &summary);
	n = json_object_array_length(faults);
	fprintf(out, "%s: %lld IOMMU fault record(s), %zu distinct, in %lld line(s)\n",
		name, (long long)num(summary, "records"), n, (long long)num(summary, "lines"));
	if (num(summary, "lines_truncated") > 0)
		fprintf(out, "  (%lld line(s) longer than 64 KiB were cut)\n",
			(long long)num(summary, "lines_truncated"));
	if (!n) {
		fprintf(out, "no IOMMU faults found\n");
		return;
	}
	seen = calloc(n + 1, sizeof(*seen));
	if (!seen)
		return;
	for (size_t i = 0; i < n; i++) {
		json_object *fi = json_object_array_get_idx(faults, i);
		const char *dev = str(fi, "device");
		const char *key = dev ? dev : "";
		int done = 0;

		for (size_t g = 0; g < groups; g++)
			if (!strcmp(seen[g], key))
				done = 1;
		if (done)
			continue;
		seen[groups++] = key;
		fprintf(out, "\n%s\n",
			dev ? dev : "no device in the log (IOMMU-wide or stream-ID only)");
		for (size_t j = i; j < n; j++) {
			json_object *fj = json_object_array_get_idx(faults, j);
			const char *dj = str(fj, "device");

			if (!strcmp(dj ? dj : "", key))
				print_fault(out, fj);
		}
	}
	free(seen);
}

int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lab_error err = { 0 };
	json_object *root;
	const char *path;
	FILE *f;
	int json = 0, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return LAB_EXIT_OK;
		default:
			usage(stderr);
			return LAB_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return LAB_EXIT_USAGE;
	}
	path = argv[optind];
	if (!strcmp(path, "-")) {
		f = stdin;
	} else {
		f = fopen(path, "r");
		if (!f) {
			fprintf(stderr, "iommu-lab explain: opening %s: %s\n", path,
				strerror(errno));
			return LAB_EXIT_USAGE;
		}
	}
	root = lab_fault_parse_file(f, &err);
	if (f != stdin)
		fclose(f);
	if (!root) {
		lab_error_prefix(&err, "%s", path);
		fprintf(stderr, "iommu-lab explain: %s\n", err.msg);
		return LAB_EXIT_USAGE;
	}
	if (json) {
		fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						     JSON_C_TO_STRING_NOSLASHESCAPE), stdout);
		fputc('\n', stdout);
	} else {
		print_text(stdout, root, strcmp(path, "-") ? path : "stdin");
	}
	json_object_put(root);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "iommu-lab explain: writing the report: %s\n", strerror(errno));
		return LAB_EXIT_USAGE;
	}
	return LAB_EXIT_OK;
}
