/* SPDX-License-Identifier: MIT */
/* iommu-lab decode: capability registers from a real machine's log, explained. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "cmd.h"
#include "decode.h"
#include "error.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: iommu-lab decode REGISTER VALUE... [--kernel VERSION] [--set] [--json [--fields]]\n"
		"\n"
		"Decode an IOMMU capability register the way the specification names its\n"
		"fields: one line per field with its bits, value and meaning; '*' marks\n"
		"fields that are set. VALUE is hex as the kernel prints it (0x optional);\n"
		"words after REGISTER are joined, so a pasted log line needs no quotes.\n"
		"\n"
		"registers:\n");
	for (const struct lab_decode_register *r = lab_decode_registers; r->name; r++)
		fprintf(out, "  %-14s %s\n", r->name, r->summary);
	fprintf(out,
		"\n"
		"options:\n"
		"  --kernel VERSION  guest kernel (e.g. 6.1, 6.12.0-1-amd64): picks the\n"
		"                    ARM_SMMU_FEAT_* bit names and the order of the AMD sysfs\n"
		"                    'features' pair (EFR2:EFR before 6.7, EFR:EFR2 after);\n"
		"                    default: the newest known\n"
		"  --set             list only fields that are not zero\n"
		"  --json            print the decoded object (keys: lower-case field names)\n"
		"  --fields          with --json, add a per-field \"fields\" array\n"
		"  -h, --help        this text\n"
		"\n"
		"examples:\n"
		"  iommu-lab decode intel-cap d2008c40660462\n"
		"  iommu-lab decode dmar-line DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap d2008c40660462 ecap f050da\n"
		"  iommu-lab decode amd-efr 0:29d3 --kernel 6.1\n"
		"  iommu-lab decode smmu-features 0x00008305 --kernel 6.1 --json\n"
		"\n"
		"exit status: 0 decoded, 2 unknown register, bad value or bad option\n");
}

static const char *str_of(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static void print_fields(json_object *obj, int only_set)
{
	json_object *fields, *features;
	const char *reg = NULL;
	const char *s;

	if (!json_object_object_get_ex(obj, "fields", &fields))
		return;
	for (size_t i = 0; i < json_object_array_length(fields); i++) {
		json_object *e = json_object_array_get_idx(fields, i);
		json_object *v;
		int set = 0;
		long long raw = 0, value = 0;
		char val[48];

		if (json_object_object_get_ex(e, "set", &v))
			set = json_object_get_boolean(v);
		if (only_set && !set)
			continue;
		if (json_object_object_get_ex(e, "raw", &v))
			raw = (long long)json_object_get_int64(v);
		if (json_object_object_get_ex(e, "value", &v))
			value = (long long)json_object_get_int64(v);
		/* A sub-heading when the fields move on to another register (EFR2). */
		s = str_of(e, "register");
		if (reg && s && strcmp(reg, s))
			printf("  -- %s\n", s);
		reg = s;
		if (value != raw)
			snprintf(val, sizeof(val), "%lld (0x%llx)", value, raw);
		else if (raw > 9)
			snprintf(val, sizeof(val), "0x%llx", raw);
		else
			snprintf(val, sizeof(val), "%lld", raw);
		printf("%c %-17s %-6s %-13s %s\n", set ? '*' : ' ', str_of(e, "name"),
		       str_of(e, "bits"), val, str_of(e, "meaning"));
	}
	s = str_of(obj, "reserved_bits");
	if (!s)
		s = str_of(obj, "efr_reserved_bits");
	if (s)
		printf("! reserved bits set: %s\n", s);
	s = str_of(obj, "efr2_reserved_bits");
	if (s)
		printf("! EFR2 reserved bits set: %s\n", s);
	s = str_of(obj, "unknown_bits");
	if (s)
		printf("! bits this kernel's table does not name: %s\n", s);
	if (json_object_object_get_ex(obj, "features", &features) &&
	    json_object_array_length(features)) {
		printf("set:");
		for (size_t i = 0; i < json_object_array_length(features); i++)
			printf(" %s", json_object_get_string(
					json_object_array_get_idx(features, i)));
		printf("\n");
	}
}

static void print_human(const char *reg, json_object *obj, int only_set)
{
	json_object *part, *ver, *v;
	const char *s;

	if (!strcmp(reg, "dmar-line")) {
		int major = 0, minor = 0;

		if (json_object_object_get_ex(obj, "version", &ver)) {
			if (json_object_object_get_ex(ver, "major", &v))
				major = json_object_get_int(v);
			if (json_object_object_get_ex(ver, "minor", &v))
				minor = json_object_get_int(v);
		}
		s = str_of(obj, "iommu");
		printf("%s%sreg_base_addr %s, VT-d version %d.%d\n", s ? s : "",
		       s ? ": " : "", str_of(obj, "reg_base_addr"), major, minor);
		if (json_object_object_get_ex(obj, "cap", &part)) {
			printf("\ncap %s (Intel VT-d Capability Register)\n",
			       str_of(part, "raw"));
			print_fields(part, only_set);
		}
		if (json_object_object_get_ex(obj, "ecap", &part)) {
			printf("\necap %s (Intel VT-d Extended Capability Register)\n",
			       str_of(part, "raw"));
			print_fields(part, only_set);
		}
		return;
	}
	if (!strcmp(reg, "amd-efr")) {
		printf("%s efr %s", reg, str_of(obj, "efr"));
		if ((s = str_of(obj, "efr2")))
			printf(" efr2 %s", s);
		printf(" (read as %s)\n", str_of(obj, "input_order"));
	} else {
		printf("%s %s", reg, str_of(obj, "raw"));
		if ((s = str_of(obj, "kernel_table")))
			printf(" (ARM_SMMU_FEAT_* names of Linux %s)", s);
		printf("\n");
		if (!strcmp(reg, "smmu-features") &&
		    json_object_object_get_ex(obj, "ias_bits", &v)) {
			printf("ias %d-bit", json_object_get_int(v));
			if (json_object_object_get_ex(obj, "oas_bits", &v))
				printf(", oas %d-bit", json_object_get_int(v));
			printf("\n");
		}
	}
	if ((s = str_of(obj, "note")))
		printf("note: %s\n", s);
	print_fields(obj, only_set);
}

int cmd_decode(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "fields", no_argument, NULL, 'f' },
		{ "set", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kernel = NULL;
	int json = 0, fields = 0, only_set = 0, c, ret = LAB_EXIT_USAGE;
	struct lab_error err = { 0 };
	json_object *obj = NULL;
	char *value = NULL;
	size_t len = 0;

	optind = 1;
	/* '+' would stop at the first word; values like "0:29d3" are not options. */
	while ((c = getopt_long(argc, argv, "hk:", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kernel = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'f':
			fields = 1;
			break;
		case 's':
			only_set = 1;
			break;
		case 'h':
			usage(stdout);
			return LAB_EXIT_OK;
		default:
			usage(stderr);
			return LAB_EXIT_USAGE;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "iommu-lab decode: need REGISTER and VALUE\n\n");
		usage(stderr);
		return LAB_EXIT_USAGE;
	}
	for (int i = optind + 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	value = calloc(1, len + 1);
	if (!value) {
		perror("iommu-lab decode");
		return LAB_EXIT_FAIL;
	}
	for (int i = optind + 1; i < argc; i++) {
		if (i > optind + 1)
			strcat(value, " ");
		strcat(value, argv[i]);
	}
	if (lab_decode_by_name(argv[optind], value, kernel,
			       (json && !fields) ? 0 : LAB_DECODE_FIELDS,
			       &obj, &err) < 0) {
		fprintf(stderr, "iommu-lab decode: %s\n", err.msg);
		if (!strncmp(err.msg, "unknown register", 16))
			fprintf(stderr, "('iommu-lab decode --help' lists the registers)\n");
		goto out;
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(obj,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		print_human(argv[optind], obj, only_set);
	ret = LAB_EXIT_OK;
out:
	json_object_put(obj);
	free(value);
	return ret;
}
