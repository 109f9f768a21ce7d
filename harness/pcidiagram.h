/* SPDX-License-Identifier: MIT */
#ifndef LAB_PCIDIAGRAM_H
#define LAB_PCIDIAGRAM_H

/*
 * A picture of a run's PCI tree as the guest showed it: the observations'
 * "pci" list (with the "parent" and "requester" harness/pcitree.h added)
 * laid out as a tree, one root bus after another, each bridge's devices
 * under it; each device with its topology id, its IOMMU group and what the
 * run said about it (a failed group check naming it, a probe's fault).
 * Rendered as text for the terminal and as inline SVG for report.html.
 *
 * Everything in it comes from the guest: each string is cut to printable
 * ASCII of a bounded length when the layout is made, and at most
 * LAB_PCIDIAGRAM_MAX devices are drawn (the rest are counted, "N more not
 * drawn").
 */
#include <json.h>
#include <libxml/tree.h>

#define LAB_PCIDIAGRAM_MAX 128      /* devices drawn */

struct lab_pcidiagram;

/*
 * Lay out the tree of obs (a run's observations) with the run's checks
 * (results.json's runs[i].checks, or NULL). NULL when obs carries no
 * "topology" (runs without one are not drawn) or out of memory.
 */
struct lab_pcidiagram *lab_pcidiagram_new(json_object *obs, json_object *checks);
void lab_pcidiagram_free(struct lab_pcidiagram *d);

/* The tree as text, one device a line (malloc'd; NULL when out of memory). */
char *lab_pcidiagram_text(const struct lab_pcidiagram *d);

/*
 * The tree as an <svg> element (SVG namespace, sizes in pixels, generic
 * fonts, nothing external) created in doc, not yet linked anywhere: the
 * caller adds it to a tree, or makes it a document's root. NULL when out of
 * memory.
 */
xmlNodePtr lab_pcidiagram_svg(const struct lab_pcidiagram *d, xmlDocPtr doc);

#endif
