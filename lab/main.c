/* SPDX-License-Identifier: MIT */
/* iommu-lab: the table of subcommands. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "_guest", cmd_guest, NULL },   /* internal: one guest, for the worker pool */
	{ "_ping", cmd_ping, NULL },     /* internal: does libvirt answer (the pool, waiting) */
	{ "run", cmd_run, "boot guests under emulated IOMMUs and report what they saw" },
	{ "recheck", cmd_recheck, "judge a results folder again against edited scenarios, booting nothing" },
	{ "explain", cmd_explain, "decode the IOMMU faults in a kernel log from any machine" },
	{ "reproduce", cmd_reproduce, "replay the IOMMU faults of a kernel log in a guest" },
	{ "decode", cmd_decode, "decode IOMMU capability registers (VT-d CAP/ECAP, AMD EFR, SMMUv3)" },
	{ "acpi", cmd_acpi, "validate firmware IOMMU tables (DMAR, IVRS, IORT) from any machine" },
	{ "report", cmd_report, "join the results of a matrix's shards into one ('report merge')" },
	{ "diff", cmd_diff, "compare two results folders: newly failing, fixed, changed, added, gone" },
	{ "gc", cmd_gc, "remove what a lab that died left: its guests, volumes, overlays, workers" },
	{ "doctor", cmd_doctor, "say what this host has and lacks, and how to fix each gap" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: iommu-lab COMMAND [ARGS...]\n"
		"\n"
		"A QEMU/libvirt test lab for Intel VT-d, AMD-Vi and Arm SMMUv3.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].summary)
			fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'iommu-lab COMMAND --help' explains one command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return LAB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return LAB_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "iommu-lab: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return LAB_EXIT_USAGE;
}
