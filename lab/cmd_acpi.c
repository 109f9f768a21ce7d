/* SPDX-License-Identifier: MIT */
/* iommu-lab acpi: validate DMAR, IVRS and IORT tables dumped from a real machine. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "acpi.h"
#include "cmd.h"
#include "error.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: iommu-lab acpi [--json] [--pci FILE] TABLE...\n"
		"\n"
		"Parse and validate the firmware's IOMMU tables the way a firmware test\n"
		"suite does: Intel DMAR, AMD IVRS and Arm IORT. Prints each table as a tree\n"
		"of its structures, then its findings (errors and warnings, each at its\n"
		"offset in the table), then one verdict line per table.\n"
		"\n"
		"TABLE is a file holding\n"
		"  - a raw table: /sys/firmware/acpi/tables/DMAR, or what `acpidump -b`\n"
		"    writes (dmar.dat, ivrs.dat, iort.dat); or\n"
		"  - the text `acpidump` prints (\"DMAR @ 0x...\" then \"  0000: 44 4D ...\"\n"
		"    lines), with any number of tables: the DMAR, IVRS and IORT ones are\n"
		"    validated, the others listed as skipped.\n"
		"\n"
		"Checks: header length and checksum, revisions, every structure's length,\n"
		"bounds and reserved fields; DMAR host address width, DRHD alignment and\n"
		"INCLUDE_PCI_ALL rules, device scopes, RMRR ranges; IVRS IVHD and device\n"
		"entry sizes, ranges, IVMD alignment; IORT node layout, ID mapping targets\n"
		"and overlaps, SMMUv3 alignment. With --pci, also that every device scope\n"
		"or entry names a real device and every device is covered (DMAR scope,\n"
		"IVHD entry, IORT root complex mapping of its requester ID).\n"
		"\n"
		"options:\n"
		"  --pci FILE   the machine's PCI functions as JSON: an array of\n"
		"               {\"bdf\": \"0000:00:10.0\", \"class\": \"0x00ff00\",\n"
		"               \"secondary_bus\": N (bridges)}; an object with such a \"pci\"\n"
		"               array (the guest agent's collect reply) works too\n"
		"  --json       print {\"tables\": [...], \"skipped\": [...], \"failed\": [...]}\n"
		"  -h, --help   this text\n"
		"\n"
		"examples:\n"
		"  iommu-lab acpi /sys/firmware/acpi/tables/DMAR\n"
		"  sudo acpidump > tables.txt; iommu-lab acpi tables.txt\n"
		"  iommu-lab acpi --json --pci pci.json iort.dat\n"
		"\n"
		"exit status: 0 no errors, 1 a table has errors, 2 bad usage or an input\n"
		"that is unreadable or holds no DMAR, IVRS or IORT table\n");
}

/* ---- the human tree ----------------------------------------------------------- */

static const char *const hidden[] = {
	"type", "type_id", "offset", "length", "name", NULL,
};

static int is_hidden(const char *key)
{
	for (int i = 0; hidden[i]; i++)
		if (!strcmp(key, hidden[i]))
			return 1;
	return 0;
}

static int inline_value(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);

			if (json_object_is_type(e, json_type_object) ||
			    (json_object_is_type(e, json_type_array) && !inline_value(e)))
				return 0;
		}
		return 1;
	case json_type_object: {
		json_object_object_foreach(v, k, e) {
			(void)k;
			if (json_object_is_type(e, json_type_object) ||
			    json_object_is_type(e, json_type_array))
				return 0;
		}
		return 1;
	}
	default:
		return 1;
	}
}

static void print_value(json_object *v)
{
	const char *sep = "";

	switch (json_object_get_type(v)) {
	case json_type_array:
		printf("[");
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			printf("%s", i ? "," : "");
			print_value(json_object_array_get_idx(v, i));
		}
		printf("]");
		break;
	case json_type_object: {
		/* booleans by the names of those set, the rest as k=v */
		printf("{");
		json_object_object_foreach(v, k, e) {
			if (json_object_is_type(e, json_type_boolean)) {
				if (json_object_get_boolean(e)) {
					printf("%s%s", sep, k);
					sep = ",";
				}
				continue;
			}
			printf("%s%s=", sep, k);
			print_value(e);
			sep = ",";
		}
		printf("}");
		break;
	}
	case json_type_string:
		if (strchr(json_object_get_string(v), ' ') || !*json_object_get_string(v))
			printf("\"%s\"", json_object_get_string(v));
		else
			printf("%s", json_object_get_string(v));
		break;
	default:
		printf("%s", json_object_to_json_string(v));
		break;
	}
}

static void print_node(json_object *o, const char *what, int indent);

static void print_fields(json_object *o)
{
	json_object_object_foreach(o, k, v) {
		if (is_hidden(k) || !inline_value(v))
			continue;
		printf(" %s=", k);
		print_value(v);
	}
}

static void print_children(json_object *o, int indent)
{
	json_object_object_foreach(o, k, v) {
		if (!strcmp(k, "errors") || !strcmp(k, "warnings"))
			continue;
		if (!json_object_is_type(v, json_type_array) || inline_value(v))
			continue;
		for (size_t i = 0; i < json_object_array_length(v); i++)
			print_node(json_object_array_get_idx(v, i), k, indent);
	}
}

/* One structure, block, node or entry: "@0xOFF NAME field=value ...". */
static void print_node(json_object *o, const char *what, int indent)
{
	json_object *v, *name = NULL;
	size_t n = strlen(what);

	if (!json_object_is_type(o, json_type_object))
		return;
	printf("%*s", indent, "");
	if (json_object_object_get_ex(o, "offset", &v))
		printf("@0x%03llx ", (unsigned long long)json_object_get_int64(v));
	if (json_object_object_get_ex(o, "name", &name) &&
	    json_object_object_get_ex(o, "type", &v) && !json_object_is_type(v, json_type_string))
		printf("%s", json_object_get_string(name));       /* IVHD entries: by name */
	else if (json_object_object_get_ex(o, "type", &v))
		printf("%s%s%s", json_object_get_string(v), name ? " " : "",
		       name ? json_object_get_string(name) : "");
	else   /* id_mappings -> id_mapping */
		printf("%.*s", (int)(n && what[n - 1] == 's' ? n - 1 : n), what);
	print_fields(o);
	printf("\n");
	print_children(o, indent + 4);
}

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static long long int_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? (long long)json_object_get_int64(v) : 0;
}

static void print_findings(json_object *t, const char *key, const char *label)
{
	json_object *a;

	if (!json_object_object_get_ex(t, key, &a))
		return;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *f = json_object_array_get_idx(a, i);

		printf("  %-7s @0x%03llx: %s\n", label, int_of(f, "offset"), str_of(f, "message"));
	}
}

static void print_table(const char *file, const struct lab_acpi_table *tb, json_object *t)
{
	static const char *const top[] = {
		"signature", "length", "revision", "oem_id", "oem_table_id", "oem_revision",
		"creator_id", "creator_revision", "checksum_ok", "valid", "error_count",
		"warning_count", "errors", "warnings", "findings_truncated", NULL,
	};
	json_object *v;
	long long nerr = int_of(t, "error_count"), nwarn = int_of(t, "warning_count");
	int first = 1;

	printf("%s", file);
	if (tb->line)
		printf(":%u", tb->line);
	printf(": %s, %lld bytes, revision %lld, OEM \"%s\" \"%s\", checksum %s\n",
	       str_of(t, "signature"), int_of(t, "length"), int_of(t, "revision"),
	       str_of(t, "oem_id"), str_of(t, "oem_table_id"),
	       json_object_object_get_ex(t, "checksum_ok", &v) && json_object_get_boolean(v) ?
	       "ok" : "BAD");
	json_object_object_foreach(t, k, e) {
		int skip = 0;

		for (int i = 0; top[i]; i++)
			skip |= !strcmp(k, top[i]);
		if (skip || !inline_value(e))
			continue;
		printf("%s%s=", first ? "  " : " ", k);
		print_value(e);
		first = 0;
	}
	if (!first)
		printf("\n");
	print_children(t, 2);
	if (nerr || nwarn) {
		printf("findings:\n");
		print_findings(t, "errors", "error");
		print_findings(t, "warnings", "warning");
		if (json_object_object_get_ex(t, "findings_truncated", &v))
			printf("  (only the first findings of each kind are listed)\n");
	}
	printf("%s: %s (%lld error%s, %lld warning%s)\n\n", str_of(t, "signature"),
	       nerr ? "INVALID" : "valid", nerr, nerr == 1 ? "" : "s", nwarn,
	       nwarn == 1 ? "" : "s");
}

/* ---- the command ------------------------------------------------------------------ */

static json_object *load_pci(const char *path)
{
	json_object *o = json_object_from_file(path), *a;

	if (!o) {
		fprintf(stderr, "iommu-lab acpi: --pci %s: %s\n", path, json_util_get_last_err());
		return NULL;
	}
	if (json_object_is_type(o, json_type_array))
		return o;
	if (json_object_object_get_ex(o, "pci", &a) && json_object_is_type(a, json_type_array)) {
		json_object_get(a);
		json_object_put(o);
		return a;
	}
	fprintf(stderr, "iommu-lab acpi: --pci %s: not a JSON array of PCI functions\n", path);
	json_object_put(o);
	return NULL;
}

int cmd_acpi(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pci", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pci_path = NULL;
	json_object *pci = NULL, *report, *tables, *skipped, *failed;
	int json = 0, c, ret = LAB_EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'p':
			pci_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return LAB_EXIT_OK;
		default:
			usage(stderr);
			return LAB_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "iommu-lab acpi: need at least one TABLE file\n\n");
		usage(stderr);
		return LAB_EXIT_USAGE;
	}
	if (pci_path && !(pci = load_pci(pci_path)))
		return LAB_EXIT_USAGE;

	report = json_object_new_object();
	tables = json_object_new_array();
	skipped = json_object_new_array();
	failed = json_object_new_array();
	json_object_object_add(report, "tables", tables);
	json_object_object_add(report, "skipped", skipped);
	json_object_object_add(report, "failed", failed);

	for (int i = optind; i < argc; i++) {
		struct lab_error err = { 0 };
		struct lab_acpi_tables ts;
		size_t checked = 0;
		char names[256] = "";

		if (lab_acpi_read_file(argv[i], &ts, &err) < 0) {
			json_object *f = json_object_new_object();

			json_object_object_add(f, "file", json_object_new_string(argv[i]));
			json_object_object_add(f, "message", json_object_new_string(err.msg));
			json_object_array_add(failed, f);
			if (!json)
				fprintf(stderr, "iommu-lab acpi: %s\n", err.msg);
			ret = LAB_EXIT_USAGE;
			continue;
		}
		for (size_t k = 0; k < ts.n; k++) {
			const struct lab_acpi_table *tb = &ts.v[k];
			json_object *t;

			if (!lab_acpi_is_iommu_table(tb->signature)) {
				json_object *s = json_object_new_object();
				size_t l = strlen(names);

				json_object_object_add(s, "file", json_object_new_string(argv[i]));
				json_object_object_add(s, "signature",
						       json_object_new_string(tb->signature));
				if (tb->line)
					json_object_object_add(s, "line", json_object_new_int((int)tb->line));
				json_object_array_add(skipped, s);
				if (l + 8 < sizeof(names))
					snprintf(names + l, sizeof(names) - l, "%s%s", l ? " " : "",
						 tb->signature);
				continue;
			}
			t = lab_acpi_check(tb->data, tb->len, pci);
			if (!t) {
				fprintf(stderr, "iommu-lab acpi: out of memory\n");
				lab_acpi_tables_free(&ts);
				ret = LAB_EXIT_USAGE;
				goto out;
			}
			if (!json)
				print_table(argv[i], tb, t);
			json_object_object_add(t, "file", json_object_new_string(argv[i]));
			if (tb->line)
				json_object_object_add(t, "line", json_object_new_int((int)tb->line));
			if (int_of(t, "error_count") && ret == LAB_EXIT_OK)
				ret = LAB_EXIT_FAIL;
			json_object_array_add(tables, t);
			checked++;
		}
		if (!json && names[0])
			printf("%s: skipped %s (not DMAR, IVRS or IORT)\n", argv[i], names);
		if (!checked) {
			json_object *f = json_object_new_object();
			char msg[320];

			snprintf(msg, sizeof(msg), "%s: no DMAR, IVRS or IORT table", argv[i]);
			json_object_object_add(f, "file", json_object_new_string(argv[i]));
			json_object_object_add(f, "message", json_object_new_string(msg));
			json_object_array_add(failed, f);
			if (!json)
				fprintf(stderr, "iommu-lab acpi: %s\n", msg);
			ret = LAB_EXIT_USAGE;
		}
		lab_acpi_tables_free(&ts);
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(report,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	json_object_put(report);
	json_object_put(pci);
	return ret;
}
