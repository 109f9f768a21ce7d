/* SPDX-License-Identifier: MIT */
#ifndef LAB_PCIDIAGRAM_INTERNAL_H
#define LAB_PCIDIAGRAM_INTERNAL_H

/*
 * What the picture's two files share, and nothing else includes (the public
 * API is pcidiagram.h): pcidiagram.c makes the layout, rows in tree order
 * with what is drawn on each, every string already cut to printable ASCII,
 * and renders it as text; pcidiagram_svg.c renders the same rows as SVG.
 */
#include <stddef.h>

#include "pcidiagram.h"
#include "topology.h"

#define DEPTH_MAX 16         /* bridges deep */
#define LABEL_MAX 24         /* characters of one guest string */

enum acs { ACS_NONE = -1, ACS_OFF, ACS_ON };

struct row {
	int bus;                        /* a root bus's heading, not a device */
	char address[LABEL_MAX + 1];    /* the bus ("0000:00") for a heading */
	char id[LABEL_MAX + 1];         /* the topology's, or "" */
	char kind[LABEL_MAX + 1];       /* the topology's kind, the class, the PCIe type */
	char driver[LABEL_MAX + 1];
	char requester[LABEL_MAX + 1];  /* "" when it is the device's own address */
	char gtype[LABEL_MAX + 1];      /* its group's type */
	char fault[LABEL_MAX + 1];      /* the requester of a probe's fault on it, or "" */
	char probe[LABEL_MAX + 1];      /* that probe's name */
	unsigned nfaults;
	char failed[64];                /* the failed group checks naming it */
	char title[192];                /* the SVG tooltip: ids, class, PCIe type, path */
	char tree[DEPTH_MAX * 4 + 8];   /* the text's tree prefix, "|   `-- " */
	int group;                      /* -1: in no group */
	int viable;                     /* the group's vfio_viable: 1, 0, -1 not said */
	int shade;                      /* the group's colour, in order of appearance */
	int letter;                     /* groups of several devices: A, B...; -1 */
	enum acs acs;
	int bridge;
	int depth;                      /* 0 on a root bus; -1 a heading */
	int up;                         /* the row of its bridge or bus heading; -1 */
};

struct lab_pcidiagram {
	char name[LABEL_MAX + 1];
	struct row *rows;
	size_t nrows, ndevices, ngroups, nletters, not_drawn;
	char missing[LAB_TOPO_NODES_MAX][2 * LABEL_MAX + 4];   /* "id (kind)" */
	size_t nmissing;
	int maxdepth;
};

/* "24 devices (20 drawn), 15 IOMMU groups" into buf. */
void pcidiagram_counts(const struct lab_pcidiagram *d, char *buf, size_t len);

#endif
