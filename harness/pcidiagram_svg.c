/* SPDX-License-Identifier: MIT */
/*
 * The PCI tree's layout (pcidiagram.c) as SVG: a box per device under its
 * bridge, lines from each bridge to what sits on it, a coloured box per run
 * of devices in one IOMMU group with the group's label on the right, tags
 * for requester aliases, probe faults and failed checks. Sizes are pixels;
 * fonts are generic families; every string is text libxml2 escapes.
 */
#include "pcidiagram_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SVG_NS "http://www.w3.org/2000/svg"
#define PAD 16
#define TITLE_H 34      /* the heading line */
#define BUS_H 26        /* a root bus's heading */
#define DEV_H 40        /* a device's box */
#define GAP 10          /* between rows */
#define BUS_GAP 12      /* more before the next root bus */
#define INDENT 30       /* per bridge */
#define BOX_W 290
#define TAG_H 16
#define TAG_CHAR 6      /* px of a 10px monospace character */
#define TAGS_MAX_W 330  /* one line of tags */
#define LABEL_W 170     /* the groups' labels */
#define BAND_PAD 4      /* a group's box around its devices */
#define LINE_H 16       /* a line of the notes under the tree */

struct svg {
	xmlDocPtr doc;
	xmlNsPtr ns;
	int oom;
};

static xmlNodePtr el(struct svg *s, xmlNodePtr parent, const char *name)
{
	xmlNodePtr n = parent ? xmlNewChild(parent, s->ns, BAD_CAST name, NULL) : NULL;

	if (!n)
		s->oom = 1;
	return n;
}

static void attr(struct svg *s, xmlNodePtr n, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void attr(struct svg *s, xmlNodePtr n, const char *name, const char *fmt, ...)
{
	char value[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	if (!n || !xmlSetProp(n, BAD_CAST name, BAD_CAST value))
		s->oom = 1;
}

/* Text content: libxml2 escapes it when the tree is written. */
static void add_text(struct svg *s, xmlNodePtr n, const char *t)
{
	xmlNodePtr txt = n ? xmlNewDocText(s->doc, BAD_CAST t) : NULL;

	if (!txt || !xmlAddChild(n, txt)) {
		xmlFreeNode(txt);
		s->oom = 1;
	}
}

/* <text> at x, y of size px in fill. */
static xmlNodePtr text(struct svg *s, xmlNodePtr parent, int x, int y, int size, const char *fill,
		       const char *t)
{
	xmlNodePtr n = el(s, parent, "text");

	attr(s, n, "x", "%d", x);
	attr(s, n, "y", "%d", y);
	attr(s, n, "font-size", "%d", size);
	attr(s, n, "fill", "%s", fill);
	if (t)
		add_text(s, n, t);
	return n;
}

static xmlNodePtr tspan(struct svg *s, xmlNodePtr parent, const char *fill, const char *t)
{
	xmlNodePtr n = el(s, parent, "tspan");

	attr(s, n, "fill", "%s", fill);
	add_text(s, n, t);
	return n;
}

static xmlNodePtr rect(struct svg *s, xmlNodePtr parent, int x, int y, int w, int h, int rx,
		       const char *fill, const char *stroke, double width)
{
	xmlNodePtr n = el(s, parent, "rect");

	attr(s, n, "x", "%d", x);
	attr(s, n, "y", "%d", y);
	attr(s, n, "width", "%d", w);
	attr(s, n, "height", "%d", h);
	attr(s, n, "rx", "%d", rx);
	attr(s, n, "fill", "%s", fill);
	if (stroke) {
		attr(s, n, "stroke", "%s", stroke);
		attr(s, n, "stroke-width", "%.1f", width);
	}
	return n;
}

/* Group shade's colour at saturation and lightness (percent) as #rrggbb:
 * hues a golden angle apart, so neighbours differ. */
static void shade_colour(int shade, int sat, int light, char out[8])
{
	int hue = (int)((200000L + shade * 137508L) % 360000L / 1000);
	double sl = sat / 100.0, l = light / 100.0;
	double c = (1 - (2 * l - 1 < 0 ? 1 - 2 * l : 2 * l - 1)) * sl;
	double hp = (hue % 120) / 60.0, x = c * (1 - (hp - 1 < 0 ? 1 - hp : hp - 1));
	double rgb[3] = { 0 }, m = l - c / 2;
	int sector = hue / 60;

	rgb[(7 - sector) % 3] = x;     /* 0: g, 1: r, 2: b, 3: g, 4: r, 5: b */
	rgb[(sector + 1) / 2 % 3] = c; /* 0, 1: r; 2, 3: g; 4, 5: b */
	snprintf(out, 8, "#%02x%02x%02x", (unsigned)((rgb[0] + m) * 255 + .5),
		 (unsigned)((rgb[1] + m) * 255 + .5), (unsigned)((rgb[2] + m) * 255 + .5));
}

/* What is said beside a device: its requester alias, a fault, a failed check. */
struct tag {
	char text[LABEL_MAX + 48];
	const char *fill, *stroke, *ink;
	int x, line;                    /* placed: offset in the tags column, line 0 or 1 */
};

/* The row's tags placed in at most two lines of TAGS_MAX_W; how many. */
static size_t tags_of(const struct row *r, struct tag t[3])
{
	size_t n = 0, placed = 0;
	int x = 0, line = 0;

	if (*r->requester) {
		t[n] = (struct tag){ .fill = "#fff3e0", .stroke = "#ef6c00", .ink = "#bf360c" };
		snprintf(t[n++].text, sizeof(t->text), "DMA as %s", r->requester);
	}
	if (r->nfaults) {
		t[n] = (struct tag){ .fill = "#ffebee", .stroke = "#c62828", .ink = "#b71c1c" };
		snprintf(t[n++].text, sizeof(t->text), r->nfaults == 1 ? "fault: requester %s"
			 : "faults: requester %s, ...", r->fault);
	}
	if (*r->failed) {
		t[n] = (struct tag){ .fill = "#d32f2f", .stroke = "#b71c1c", .ink = "#ffffff" };
		snprintf(t[n++].text, sizeof(t->text), "failed: %.*s", LABEL_MAX + 30, r->failed);
	}
	for (size_t i = 0; i < n; i++) {
		int w = (int)strlen(t[i].text) * TAG_CHAR + 12;

		if (x && x + w > TAGS_MAX_W) {
			x = 0;
			line++;
		}
		if (line > 1)
			break;
		t[i].x = x;
		t[i].line = line;
		x += w + 6;
		placed++;
	}
	return placed;
}

/* The width the tags column needs. */
static int tags_width(const struct lab_pcidiagram *d)
{
	int w = 0;

	for (size_t i = 0; i < d->nrows; i++) {
		struct tag t[3];
		size_t n = tags_of(&d->rows[i], t);

		for (size_t j = 0; j < n; j++) {
			int right = t[j].x + (int)strlen(t[j].text) * TAG_CHAR + 12;

			w = right > w ? right : w;
		}
	}
	return w ? w + 12 : 0;
}

struct frame {
	int *y;                         /* each row's top */
	int tags_x, label_x, width, height;
};

static int row_x(const struct row *r)
{
	return PAD + (r->depth + 1) * INDENT;
}

static int row_h(const struct row *r)
{
	return r->bus ? BUS_H : DEV_H;
}

/* The coloured box of each run of consecutive rows in one group. */
static void svg_groups(struct svg *s, xmlNodePtr svg, const struct lab_pcidiagram *d,
		       const struct frame *f)
{
	for (size_t a = 0, b; a < d->nrows; a = b) {
		const struct row *r = &d->rows[a];
		int left = row_x(r), top = f->y[a] - BAND_PAD, bottom;
		char fill[8], stroke[8], ink[8], line[LABEL_MAX + 32];
		xmlNodePtr g;

		for (b = a + 1; b < d->nrows && d->rows[b].shade == r->shade && !d->rows[b].bus; b++)
			left = row_x(&d->rows[b]) < left ? row_x(&d->rows[b]) : left;
		if (r->bus || r->shade < 0)
			continue;
		bottom = f->y[b - 1] + DEV_H + BAND_PAD;
		shade_colour(r->shade, 70, 93, fill);
		shade_colour(r->shade, 45, 60, stroke);
		shade_colour(r->shade, 60, 25, ink);
		g = el(s, svg, "g");
		attr(s, g, "class", "group");
		snprintf(line, sizeof(line), "IOMMU group %d (%s)", r->group, r->gtype);
		add_text(s, el(s, g, "title"), line);
		rect(s, g, left - 8, top, f->label_x + LABEL_W - (left - 8), bottom - top, 9, fill,
		     stroke, 1.2);
		snprintf(line, sizeof(line), "group %d", r->group);
		attr(s, text(s, g, f->label_x + 10, top + 17, 12, ink, line), "font-weight", "bold");
		snprintf(line, sizeof(line), "%s%s", r->gtype, r->viable == 1 ? ", VFIO viable"
			 : r->viable == 0 ? ", not VFIO viable" : "");
		text(s, g, f->label_x + 10, top + 32, 11, ink, line);
	}
}

/* The lines from each bridge (or root bus) down to what sits on it. */
static void svg_lines(struct svg *s, xmlNodePtr svg, const struct lab_pcidiagram *d,
		      const struct frame *f)
{
	for (size_t i = 0; i < d->nrows; i++) {
		const struct row *r = &d->rows[i], *up;
		xmlNodePtr p;

		if (r->up < 0)
			continue;
		up = &d->rows[r->up];
		p = el(s, svg, "path");
		attr(s, p, "d", "M%d %dV%dH%d", row_x(up) + 14, f->y[r->up] + row_h(up),
		     f->y[i] + DEV_H / 2, row_x(r));
		attr(s, p, "fill", "none");
		attr(s, p, "stroke", "#78909c");
		attr(s, p, "stroke-width", "1.5");
	}
}

static void svg_tags(struct svg *s, xmlNodePtr parent, const struct row *r, int x, int y)
{
	struct tag t[3];
	size_t n = tags_of(r, t);
	int top = y + (n && t[n - 1].line ? 3 : (DEV_H - TAG_H) / 2);

	for (size_t i = 0; i < n; i++) {
		int w = (int)strlen(t[i].text) * TAG_CHAR + 12, ty = top + t[i].line * (TAG_H + 3);
		xmlNodePtr g, tx;

		attr(s, g = el(s, parent, "g"), "class", "tag");
		rect(s, g, x + t[i].x, ty, w, TAG_H, 8, t[i].fill, t[i].stroke, 1);
		tx = text(s, g, x + t[i].x + 6, ty + 12, 10, t[i].ink, t[i].text);
		attr(s, tx, "font-family", "monospace");
	}
}

static void svg_device(struct svg *s, xmlNodePtr svg, const struct row *r, int y,
		       const struct frame *f)
{
	int x = row_x(r);
	xmlNodePtr g = el(s, svg, "g"), t;
	char fault[3 * LABEL_MAX + 48] = "", tip[sizeof(r->title) + sizeof(fault) + 160];

	attr(s, g, "class", "device");
	if (r->nfaults)
		snprintf(fault, sizeof(fault), "; probe %s: %u fault%s, requester %s", r->probe,
			 r->nfaults, r->nfaults == 1 ? "" : "s", r->fault);
	snprintf(tip, sizeof(tip), "%s%s%s, driver %s%s%s%s", r->id, *r->id ? ": " : "", r->title,
		 r->driver, fault, *r->failed ? "; failed: " : "", r->failed);
	add_text(s, el(s, g, "title"), tip);
	rect(s, g, x, y, BOX_W, DEV_H, 6, r->bridge ? "#eceff1" : "#ffffff",
	     *r->failed ? "#d32f2f" : "#78909c", *r->failed ? 3 : 1);
	if (*r->id) {
		attr(s, text(s, g, x + 10, y + 16, 13, "#212121", r->id), "font-weight", "bold");
		t = text(s, g, x + BOX_W - 10, y + 16, 12, "#455a64", r->address);
		attr(s, t, "text-anchor", "end");
	} else {
		t = text(s, g, x + 10, y + 16, 12, "#263238", r->address);
	}
	attr(s, t, "font-family", "monospace");
	t = text(s, g, x + 10, y + 32, 11, "#546e7a", r->kind);
	tspan(s, t, "#546e7a", " \u00b7 ");
	tspan(s, t, "#546e7a", strcmp(r->driver, "-") ? r->driver : "no driver");
	if (r->acs != ACS_NONE) {
		tspan(s, t, "#546e7a", " \u00b7 ");
		attr(s, tspan(s, t, r->acs == ACS_ON ? "#2e7d32" : "#c62828",
			      r->acs == ACS_ON ? "ACS on" : "ACS off"), "font-weight", "bold");
	}
	svg_tags(s, g, r, f->tags_x, y);
}

static void svg_bus(struct svg *s, xmlNodePtr svg, const struct row *r, int y)
{
	char line[LABEL_MAX + 16];
	xmlNodePtr g = el(s, svg, "g");

	snprintf(line, sizeof(line), "root bus %s", r->address);
	attr(s, g, "class", "bus");
	rect(s, g, PAD, y, (int)strlen(line) * 7 + 20, BUS_H, 5, "#37474f", NULL, 0);
	attr(s, text(s, g, PAD + 10, y + 17, 12, "#ffffff", line), "font-family", "monospace");
}

/* The notes under the tree; the y after them. */
static int svg_notes(struct svg *s, xmlNodePtr svg, const struct lab_pcidiagram *d, int y)
{
	char line[160];
	size_t n = 0;

	if (d->not_drawn) {
		snprintf(line, sizeof(line), "%zu more not drawn (at most %d are)", d->not_drawn,
			 LAB_PCIDIAGRAM_MAX);
		attr(s, text(s, svg, PAD, y += LINE_H, 12, "#b71c1c", line), "font-weight", "bold");
	}
	for (size_t i = 0; i < d->nmissing; i++) {
		n += snprintf(line + n, sizeof(line) - n, "%s%s",
			      n ? ", " : "not in the guest: ", d->missing[i]);
		if (i + 1 == d->nmissing || n + strlen(d->missing[i + 1]) + 2 >= 100) {
			text(s, svg, PAD, y += LINE_H, 12, "#b71c1c", line);
			n = 0;
		}
	}
	y += 6;
	text(s, svg, PAD, y += LINE_H, 11, "#616161", "Coloured boxes: IOMMU groups. "
	     "Red outline: named by a failed group check.");
	text(s, svg, PAD, y += LINE_H, 11, "#616161", "DMA as: the requester ID the IOMMU sees "
	     "(an alias for what sits behind a PCIe-to-PCI bridge).");
	return y;
}

xmlNodePtr lab_pcidiagram_svg(const struct lab_pcidiagram *d, xmlDocPtr doc)
{
	struct svg s = { .doc = doc };
	struct frame f = { .y = calloc(d->nrows + 1, sizeof(int)) };
	xmlNodePtr svg = xmlNewDocNode(doc, NULL, BAD_CAST "svg", NULL), t, bg;
	int y = PAD + TITLE_H, tags_w = tags_width(d);
	char line[160], counts[96];

	s.ns = svg ? xmlNewNs(svg, BAD_CAST SVG_NS, NULL) : NULL;
	if (!svg || !s.ns || !f.y) {
		xmlFreeNode(svg);
		free(f.y);
		return NULL;
	}
	xmlSetNs(svg, s.ns);
	for (size_t i = 0; i < d->nrows; i++) {
		if (d->rows[i].bus && i)
			y += BUS_GAP;
		f.y[i] = y;
		y += row_h(&d->rows[i]) + GAP;
	}
	f.tags_x = PAD + (d->maxdepth + 1) * INDENT + BOX_W + 18;
	f.label_x = f.tags_x + tags_w;
	f.width = f.label_x + LABEL_W + PAD;
	snprintf(line, sizeof(line), "PCI tree of topology %s", d->name);
	attr(&s, svg, "role", "img");
	attr(&s, svg, "aria-label", "%s", line);
	attr(&s, svg, "font-family", "sans-serif");
	add_text(&s, el(&s, svg, "title"), line);
	/* sized once everything is placed */
	bg = rect(&s, svg, 0, 0, 0, 0, 0, "#ffffff", NULL, 0);
	t = text(&s, svg, PAD, PAD + 14, 15, "#212121", "PCI tree ");
	attr(&s, t, "font-weight", "bold");
	pcidiagram_counts(d, counts, sizeof(counts));
	snprintf(line, sizeof(line), "topology %s \u00b7 %s", d->name, counts);
	attr(&s, tspan(&s, t, "#546e7a", line), "font-weight", "normal");
	svg_groups(&s, svg, d, &f);
	svg_lines(&s, svg, d, &f);
	for (size_t i = 0; i < d->nrows; i++)
		if (d->rows[i].bus)
			svg_bus(&s, svg, &d->rows[i], f.y[i]);
		else
			svg_device(&s, svg, &d->rows[i], f.y[i], &f);
	f.height = svg_notes(&s, svg, d, y) + PAD;
	attr(&s, svg, "width", "%d", f.width);
	attr(&s, svg, "height", "%d", f.height);
	attr(&s, svg, "viewBox", "0 0 %d %d", f.width, f.height);
	attr(&s, bg, "width", "%d", f.width);
	attr(&s, bg, "height", "%d", f.height);
	free(f.y);
	if (s.oom) {
		xmlFreeNode(svg);
		return NULL;
	}
	return svg;
}
