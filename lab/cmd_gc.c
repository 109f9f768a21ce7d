/* SPDX-License-Identifier: MIT */
/* iommu-lab gc: remove what a lab that died left behind (harness/gc.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "gc.h"
#include "paths.h"
#include "store.h"
#include "virt.h"

#define MAX_URIS 16

static void usage(FILE *out)
{
	fprintf(out,
		"usage: iommu-lab gc [--dry-run] [--uri URI ...] [--volumes] [--results DIR]\n"
		"\n"
		"Remove what an iommu-lab that died (SIGKILL, a crash, a host that restarted\n"
		"libvirtd) left behind, and nothing else:\n"
		"  - its guests (domains named iommulab-...) still running: their owner (the lab's\n"
		"    host, pid and start time in the domain's metadata; for older guests the\n"
		"    worker pid in the name) is no longer running on this machine\n"
		"  - run-* volumes of such a lab in the storage pool '%s', if there is one\n"
		"  - in results folders: disk overlays of runs that never finished and .tmp\n"
		"    files a killed writer left (results and the disks of failed runs stay)\n"
		"  - 'iommu-lab _guest' workers whose lab is gone\n"
		"Guests of a lab still running, of a lab on another machine, and domains that\n"
		"are not the lab's are never touched.\n"
		"\n"
		"  --dry-run        say what would be removed, remove nothing\n"
		"  --uri URI        a libvirt to clean, repeatable (default %s)\n"
		"  --volumes        also the content-addressed artefact volumes (cas-*: a cache)\n"
		"  --results DIR    the results root to clean (default %s)\n"
		"\n"
		"Exit: 0 nothing left to remove, 1 something could not be removed,\n"
		"2 usage or a libvirt that cannot be reached.\n",
		LAB_STORE_POOL, LAB_VIRT_DEFAULT_URI, lab_paths_results());
}

static void say(enum lab_gc_action a, const char *kind, const char *where, const char *name,
		const char *why, void *opaque)
{
	const struct lab_gc_opts *o = opaque;
	const char *verb;

	if (a == LAB_GC_KEPT)
		verb = "kept";
	else if (a == LAB_GC_FAILED)
		verb = "FAILED to remove";
	else if (!strcmp(kind, "domain"))
		verb = o->dry_run ? "would destroy" : "destroyed";
	else if (!strcmp(kind, "worker"))
		verb = o->dry_run ? "would stop" : "stopped";
	else
		verb = o->dry_run ? "would remove" : "removed";
	printf("%-16s %-6s %s (%s): %s\n", verb, kind, name, where, why);
}

int cmd_gc(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "uri", required_argument, NULL, 'u' },
		{ "volumes", no_argument, NULL, 'V' },
		{ "results", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct lab_gc_opts o = { 0 };
	struct lab_gc g = { .o = &o, .say = say, .opaque = &o };
	const char *uris[MAX_URIS], *results = lab_paths_results();
	size_t nuris = 0;
	int opt, unreachable = 0;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n': o.dry_run = 1; break;
		case 'V': o.volumes = 1; break;
		case 'r': results = optarg; break;
		case 'u':
			if (nuris == MAX_URIS) {
				fprintf(stderr, "gc: at most %d --uri\n", MAX_URIS);
				return LAB_EXIT_USAGE;
			}
			uris[nuris++] = optarg;
			break;
		case 'h': usage(stdout); return LAB_EXIT_OK;
		default:
			fprintf(stderr, "gc: see 'iommu-lab gc --help'\n");
			return LAB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gc: unexpected argument '%s'; see 'iommu-lab gc --help'\n",
			argv[optind]);
		return LAB_EXIT_USAGE;
	}
	if (!nuris)
		uris[nuris++] = LAB_VIRT_DEFAULT_URI;
	/* workers first: on SIGTERM each destroys its own guest */
	lab_gc_workers(&g);
	for (size_t i = 0; i < nuris; i++) {
		struct lab_error err = { 0 };
		virConnectPtr conn = lab_virt_connect(uris[i], &err);

		if (!conn) {
			fprintf(stderr, "gc: %s\n", err.msg);
			unreachable = 1;
			continue;
		}
		lab_gc_domains(&g, conn, uris[i]);
		lab_gc_volumes(&g, conn, uris[i]);
		virConnectClose(conn);
	}
	lab_gc_files(&g, results);
	printf("gc: %u %s, %u kept (a live lab's, another machine's, or a cache), %u failed%s\n",
	       g.removed, o.dry_run ? "would be removed" : "removed", g.kept, g.failed,
	       o.dry_run ? " (dry run: nothing touched)" : "");
	return unreachable ? LAB_EXIT_USAGE : g.failed ? LAB_EXIT_FAIL : LAB_EXIT_OK;
}
