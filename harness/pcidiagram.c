/* SPDX-License-Identifier: MIT */
/*
 * The PCI tree of a run as a picture: the layout, made once from the
 * observations and the checks, and its text rendering (the SVG one is
 * pcidiagram_svg.c).
 */
#include "pcidiagram_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonval.h"
#include "pcitree.h"

#define str(o, key) lab_jsonval_str(o, key)
#define arr(o, key) lab_jsonval_arr(o, key)
#define len(a) lab_jsonval_len(a)

#define INPUT_MAX 4096       /* "pci" entries, group members, checks read */
#define NODES_MAX 256        /* topology nodes read */
#define BUSES_MAX 64         /* root buses */
#define NAMED_MAX 64         /* devices one check names */

/* The capabilities and controls the kernel wants of a port (pci_acs_enabled:
 * source validation, request and completion redirect, upstream forwarding). */
#define ACS_WANTED 0x1d

/* s as printable ASCII (anything else is '?'), cut to the buffer with
 * "..." so a cut shows. */
static void label(char *dst, size_t size, const char *s)
{
	size_t n = 0;

	for (; s && *s && n + 1 < size; s++)
		dst[n++] = *s >= 0x20 && *s < 0x7f ? *s : '?';
	if (s && *s && n >= 3)
		memcpy(dst + n - 3, "...", 3);
	dst[n] = '\0';
}

static unsigned long hexval(const char *s)
{
	return s ? strtoul(s, NULL, 16) : 0;
}

/* ---- the layout -------------------------------------------------------------- */

/* One "pci" entry as the layout reads it. */
struct src {
	json_object *d;
	const char *address;
	int up;                         /* its bridge's entry, -1 on a root bus */
	int placed;
	char bus[LABEL_MAX + 1];        /* the root bus it sits on (roots only) */
};

struct build {
	struct lab_pcidiagram *d;
	json_object *obs;
	struct src *src;
	size_t n;
	size_t *order;                  /* the entries by address */
};

static int by_address(const void *a, const void *b, void *ctx)
{
	const struct src *s = ctx;
	const char *x = s[*(const size_t *)a].address, *y = s[*(const size_t *)b].address;

	return strcmp(x ? x : "~", y ? y : "~");
}

/* The entry at address (other than i), through the order; -1 when none. */
static int entry_at(const struct build *b, const char *address, size_t i)
{
	size_t lo = 0, hi = b->n;

	while (address && lo < hi) {
		size_t mid = lo + (hi - lo) / 2, j = b->order[mid];
		int c = strcmp(b->src[j].address ? b->src[j].address : "~", address);

		if (!c)
			return j == i ? -1 : (int)j;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

struct name {
	unsigned long key;
	const char *name;
};

static const char *name_of(const struct name *t, size_t n, unsigned long key)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].key == key)
			return t[i].name;
	return NULL;
}

/* A device's kind from its vendor and device ID (QEMU's devices the lab
 * uses), else from its class code: for devices no topology names. */
static const char *kind_of(json_object *d)
{
	static const struct name devices[] = {
		{ 0x123411e8, "edu" }, { 0x808610d3, "e1000e" }, { 0x1b360010, "nvme" },
		{ 0x1af41000, "virtio-net" }, { 0x1af41001, "virtio-blk" },
		{ 0x1af41003, "virtio-console" }, { 0x1af41041, "virtio-net" },
		{ 0x1af41042, "virtio-blk" }, { 0x1af41043, "virtio-console" },
		{ 0x1af41048, "virtio-scsi" }, { 0x1af41057, "virtio-iommu" },
	};
	static const struct name classes[] = {
		{ 0x0000, "unclassified" }, { 0x00ff, "unclassified" },
		{ 0x0100, "SCSI controller" }, { 0x0101, "IDE controller" },
		{ 0x0106, "SATA controller" }, { 0x0108, "NVMe controller" },
		{ 0x0200, "Ethernet" }, { 0x0300, "VGA" }, { 0x0403, "audio" },
		{ 0x0600, "host bridge" }, { 0x0601, "ISA bridge" }, { 0x0604, "PCI bridge" },
		{ 0x0780, "communication" }, { 0x0880, "system peripheral" },
		{ 0x0c03, "USB controller" }, { 0x0c05, "SMBus" },
	};
	const char *vendor = str(d, "vendor"), *device = str(d, "device"), *class = str(d, "class");
	const char *name = NULL;

	if (vendor && device)
		name = name_of(devices, sizeof(devices) / sizeof(devices[0]),
			       (hexval(vendor) & 0xffff) << 16 | (hexval(device) & 0xffff));
	if (!name && class)
		name = name_of(classes, sizeof(classes) / sizeof(classes[0]),
			       hexval(class) >> 8 & 0xffff);
	return name;
}

/* The topology node at address, or NULL. */
static json_object *node_at(json_object *obs, const char *address)
{
	json_object *nodes = arr(lab_jsonval_obj(obs, "topology"), "nodes");

	for (size_t i = 0; address && i < len(nodes) && i < NODES_MAX; i++) {
		json_object *n = json_object_array_get_idx(nodes, i);
		const char *a = str(n, "address");

		if (a && !strcmp(a, address))
			return n;
	}
	return NULL;
}

/* ACS as the kernel judges a port; ACS_NONE for what is no port and has none. */
static enum acs acs_of(json_object *d)
{
	json_object *acs = lab_jsonval_obj(d, "acs");
	const char *type = str(d, "pcie_type");
	unsigned long cap = hexval(str(acs, "cap")), want = cap & ACS_WANTED;

	if (!acs && !(type && (!strcmp(type, "root-port") || !strcmp(type, "switch-downstream"))))
		return ACS_NONE;
	return cap && (hexval(str(acs, "ctrl")) & want) == want ? ACS_ON : ACS_OFF;
}

static void fill_row(struct build *b, struct row *r, json_object *d)
{
	json_object *node = node_at(b->obs, str(d, "address"));
	const char *req = str(d, "requester"), *type = str(d, "pcie_type");
	const char *kind = str(node, "kind");

	label(r->address, sizeof(r->address), str(d, "address"));
	label(r->id, sizeof(r->id), str(node, "id"));
	if (!kind)
		kind = kind_of(d);
	label(r->kind, sizeof(r->kind), kind ? kind : type ? type : "?");
	label(r->driver, sizeof(r->driver), str(d, "driver") ? str(d, "driver") : "-");
	if (req && strcmp(req, str(d, "address")))
		label(r->requester, sizeof(r->requester), req);
	r->acs = acs_of(d);
	r->bridge = lab_jsonval_get(d, "secondary_bus") ||
		    (hexval(str(d, "class")) >> 8) == 0x0604;
	r->group = -1;
	r->viable = -1;
	r->shade = -1;
	r->letter = -1;
	snprintf(r->title, sizeof(r->title), "%.24s %.12s:%.12s class %.12s, PCIe %.24s, path %.60s",
		 r->address, str(d, "vendor") ? str(d, "vendor") : "?",
		 str(d, "device") ? str(d, "device") : "?", str(d, "class") ? str(d, "class") : "?",
		 type ? type : "?", str(d, "path") ? str(d, "path") : "?");
	label(r->title, sizeof(r->title), r->title);
}

/* Is there an entry after position k of the order that sits where i does? */
static int later_sibling(const struct build *b, size_t k, size_t i)
{
	for (k++; k < b->n; k++) {
		const struct src *s = &b->src[b->order[k]];

		if (s->address && !s->placed && s->up == b->src[i].up &&
		    (s->up >= 0 || !strcmp(s->bus, b->src[i].bus)))
			return 1;
	}
	return 0;
}

/* Entry i (at position k of the order) and what sits behind it, as rows. */
static void place(struct build *b, size_t k, int up, int depth, const char *indent)
{
	struct lab_pcidiagram *d = b->d;
	size_t i = b->order[k], me = d->nrows;
	int last = !later_sibling(b, k, i);
	char deeper[sizeof(d->rows->tree)];
	struct row *r;

	if (d->ndevices >= LAB_PCIDIAGRAM_MAX || depth >= DEPTH_MAX || b->src[i].placed ||
	    !b->src[i].address)
		return;
	b->src[i].placed = 1;
	r = &d->rows[d->nrows++];
	d->ndevices++;
	fill_row(b, r, b->src[i].d);
	r->depth = depth;
	r->up = up;
	if (depth > d->maxdepth)
		d->maxdepth = depth;
	snprintf(r->tree, sizeof(r->tree), "%s%s", indent, last ? "`-- " : "|-- ");
	snprintf(deeper, sizeof(deeper), "%s%s", indent, last ? "    " : "|   ");
	for (size_t c = 0; c < b->n; c++)
		if (b->src[b->order[c]].up == (int)i)
			place(b, c, (int)me, depth + 1, deeper);
}

/* Each root bus in order, the devices on it under its heading. */
static void place_buses(struct build *b)
{
	const char *buses[BUSES_MAX];
	size_t nbuses = 0;

	for (size_t k = 0; k < b->n; k++) {
		struct src *s = &b->src[b->order[k]];
		size_t j;

		if (s->up >= 0 || !s->address)
			continue;
		for (j = 0; j < nbuses && strcmp(buses[j], s->bus); j++)
			;
		if (j == nbuses && nbuses < BUSES_MAX)
			buses[nbuses++] = s->bus;
	}
	for (size_t i = 1; i < nbuses; i++)
		for (size_t j = i; j > 0 && strcmp(buses[j - 1], buses[j]) > 0; j--) {
			const char *t = buses[j];

			buses[j] = buses[j - 1];
			buses[j - 1] = t;
		}
	for (size_t i = 0; i < nbuses && b->d->ndevices < LAB_PCIDIAGRAM_MAX; i++) {
		struct row *h = &b->d->rows[b->d->nrows];

		*h = (struct row){ .bus = 1, .depth = -1, .up = -1, .group = -1, .shade = -1,
				   .letter = -1, .acs = ACS_NONE };
		snprintf(h->address, sizeof(h->address), "%s", buses[i]);
		b->d->nrows++;
		for (size_t k = 0; k < b->n; k++) {
			struct src *s = &b->src[b->order[k]];

			if (s->up < 0 && s->address && !strcmp(s->bus, buses[i]))
				place(b, k, (int)(h - b->d->rows), 0, "");
		}
	}
}

/* Each device's group, from "groups" as the checks read them (compare.c);
 * its colour in order of appearance, a letter when it holds several. */
static void assign_groups(struct lab_pcidiagram *d, json_object *obs)
{
	json_object *groups = arr(obs, "groups");
	int ids[LAB_PCIDIAGRAM_MAX], letter[LAB_PCIDIAGRAM_MAX];
	size_t count[LAB_PCIDIAGRAM_MAX] = { 0 }, read = 0;

	for (size_t g = 0; g < len(groups) && read < INPUT_MAX; g++) {
		json_object *grp = json_object_array_get_idx(groups, g), *devs = arr(grp, "devices");
		json_object *id = lab_jsonval_get(grp, "id"), *viable = lab_jsonval_get(grp, "vfio_viable");

		for (size_t m = 0; id && m < len(devs) && read < INPUT_MAX; m++, read++) {
			char clean[LABEL_MAX + 1];

			label(clean, sizeof(clean), json_object_get_string(
				json_object_array_get_idx(devs, m)));
			for (size_t r = 0; r < d->nrows; r++) {
				struct row *row = &d->rows[r];

				if (row->bus || row->group >= 0 || strcmp(row->address, clean))
					continue;
				row->group = json_object_get_int(id) < 0 ? 0 : json_object_get_int(id);
				label(row->gtype, sizeof(row->gtype),
				      str(grp, "type") ? str(grp, "type") : "?");
				if (json_object_is_type(viable, json_type_boolean))
					row->viable = json_object_get_boolean(viable);
			}
		}
	}
	for (size_t r = 0; r < d->nrows; r++) {
		struct row *row = &d->rows[r];
		size_t s;

		if (row->bus || row->group < 0)
			continue;
		for (s = 0; s < d->ngroups && ids[s] != row->group; s++)
			;
		if (s == d->ngroups) {
			ids[d->ngroups++] = row->group;
			letter[s] = -1;
		}
		row->shade = (int)s;
		count[s]++;
	}
	for (size_t r = 0; r < d->nrows; r++) {
		struct row *row = &d->rows[r];

		if (row->shade < 0 || count[row->shade] < 2)
			continue;
		if (letter[row->shade] < 0)
			letter[row->shade] = (int)d->nletters++;
		row->letter = letter[row->shade];
	}
}

/* Mark the rows at address (a PCI address or a topology id) with what. */
static void mark_failed(struct lab_pcidiagram *d, json_object *obs, const char *dev,
			const char *what)
{
	const char *address = lab_pcitree_address(obs, dev);
	char clean[LABEL_MAX + 1];

	if (!address)
		return;
	label(clean, sizeof(clean), address);
	for (size_t r = 0; r < d->nrows; r++) {
		struct row *row = &d->rows[r];
		size_t n = strlen(row->failed);

		if (row->bus || strcmp(row->address, clean) || strstr(row->failed, what))
			continue;
		snprintf(row->failed + n, sizeof(row->failed) - n, "%s%s", n ? ", " : "", what);
	}
}

/* The devices a failed same_group, separate_groups, no_group or group_type
 * check names: in its expected list, or (group_type.DEVICE) in its name. */
static void failed_checks(struct lab_pcidiagram *d, json_object *obs, json_object *checks)
{
	static const struct {
		const char *key;
		char after;             /* what follows the key in the check's name */
	} keys[] = {
		{ "same_group", ' ' }, { "separate_groups", ' ' }, { "no_group", '\0' },
		{ "group_type", '.' },
	};

	for (size_t c = 0; c < len(checks) && c < INPUT_MAX; c++) {
		json_object *check = json_object_array_get_idx(checks, c);
		json_object *named = arr(check, "expected");
		const char *name = str(check, "name"), *verdict = str(check, "verdict");

		if (!name || !verdict || strcmp(verdict, "fail"))
			continue;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t kl = strlen(keys[k].key);

			if (strncmp(name, keys[k].key, kl) || name[kl] != keys[k].after)
				continue;
			if (keys[k].after == '.')
				mark_failed(d, obs, name + kl + 1, keys[k].key);
			for (size_t i = 0; keys[k].after != '.' && i < len(named) && i < NAMED_MAX; i++)
				mark_failed(d, obs, json_object_get_string(
					json_object_array_get_idx(named, i)), keys[k].key);
		}
	}
}

/* Each probe's faults, on the device the probe ran on. */
static void probe_faults(struct lab_pcidiagram *d, json_object *obs)
{
	json_object *probes = arr(obs, "probes");

	for (size_t p = 0; p < len(probes) && p < INPUT_MAX; p++) {
		json_object *probe = json_object_array_get_idx(probes, p);
		json_object *faults = arr(probe, "faults");
		char dev[LABEL_MAX + 1];

		if (!len(faults))
			continue;
		label(dev, sizeof(dev), str(lab_jsonval_obj(probe, "result"), "device"));
		for (size_t r = 0; r < d->nrows; r++) {
			struct row *row = &d->rows[r];

			if (row->bus || strcmp(row->address, dev))
				continue;
			if (!row->nfaults) {
				const char *req = str(json_object_array_get_idx(faults, 0), "device");

				label(row->fault, sizeof(row->fault), req ? req : "?");
				label(row->probe, sizeof(row->probe), str(probe, "name"));
			}
			row->nfaults += len(faults) > INPUT_MAX ? INPUT_MAX : (unsigned)len(faults);
		}
	}
}

/* The topology's nodes the guest has no device for. */
static void missing_nodes(struct lab_pcidiagram *d, json_object *obs)
{
	json_object *nodes = arr(lab_jsonval_obj(obs, "topology"), "nodes");

	for (size_t i = 0; i < len(nodes) && i < NODES_MAX && d->nmissing < LAB_TOPO_NODES_MAX; i++) {
		json_object *n = json_object_array_get_idx(nodes, i);
		char id[LABEL_MAX + 1], kind[LABEL_MAX + 1];

		if (!str(n, "id") || str(n, "address"))
			continue;
		label(id, sizeof(id), str(n, "id"));
		label(kind, sizeof(kind), str(n, "kind"));
		snprintf(d->missing[d->nmissing++], sizeof(d->missing[0]), "%s (%s)", id, kind);
	}
}

struct lab_pcidiagram *lab_pcidiagram_new(json_object *obs, json_object *checks)
{
	json_object *topo = lab_jsonval_obj(obs, "topology"), *pci = arr(obs, "pci");
	struct build b = { .obs = obs };
	const char *name;
	struct lab_pcidiagram *d;

	if (!topo)
		return NULL;
	b.n = len(pci) < INPUT_MAX ? len(pci) : INPUT_MAX;
	d = calloc(1, sizeof(*d));
	b.src = calloc(b.n + 1, sizeof(*b.src));
	b.order = calloc(b.n + 1, sizeof(*b.order));
	if (d)
		d->rows = calloc(LAB_PCIDIAGRAM_MAX + BUSES_MAX, sizeof(*d->rows));
	if (!d || !d->rows || !b.src || !b.order) {
		lab_pcidiagram_free(d);
		free(b.src);
		free(b.order);
		return NULL;
	}
	b.d = d;
	name = str(topo, "name");
	label(d->name, sizeof(d->name), name && *name ? name : "(unnamed)");
	for (size_t i = 0; i < b.n; i++) {
		struct src *s = &b.src[i];

		s->d = json_object_array_get_idx(pci, i);
		s->address = str(s->d, "address");
		b.order[i] = i;
	}
	qsort_r(b.order, b.n, sizeof(*b.order), by_address, b.src);
	for (size_t i = 0; i < b.n; i++) {
		struct src *s = &b.src[i];
		const char *path = str(s->d, "path");

		s->up = entry_at(&b, str(s->d, "parent"), i);
		/* the root bus: the path's first hop, or the address's bus */
		snprintf(s->bus, sizeof(s->bus), "%.*s",
			 path && strchr(path, '/') ? (int)(strchr(path, '/') - path) : 7,
			 path && strchr(path, '/') ? path : s->address ? s->address : "?");
		label(s->bus, sizeof(s->bus), *s->bus ? s->bus : "?");
	}
	place_buses(&b);
	d->not_drawn = len(pci) - d->ndevices;
	assign_groups(d, obs);
	failed_checks(d, obs, checks);
	probe_faults(d, obs);
	missing_nodes(d, obs);
	free(b.src);
	free(b.order);
	return d;
}

void lab_pcidiagram_free(struct lab_pcidiagram *d)
{
	if (!d)
		return;
	free(d->rows);
	free(d);
}

/* ---- text ---------------------------------------------------------------------- */

/* A group's letter: A..Z, then AA... */
static void letter_name(int n, char out[4])
{
	if (n < 26)
		snprintf(out, 4, "%c", 'A' + n);
	else
		snprintf(out, 4, "%c%c", 'A' + n / 26 - 1, 'A' + n % 26);
}

/* A device row's columns: tree, id and address; kind and ACS; driver;
 * letter; group. */
struct cols {
	char where[sizeof(((struct row *)0)->tree) + 2 * LABEL_MAX + 2];
	char kind[LABEL_MAX + 16];
	char letter[8];
	char group[LABEL_MAX + 32];
};

static void columns(const struct row *r, struct cols *c)
{
	char l[4];

	snprintf(c->where, sizeof(c->where), "%s%s%s%s", r->tree, r->id, *r->id ? " " : "",
		 r->address);
	snprintf(c->kind, sizeof(c->kind), "%s%s", r->kind,
		 r->acs == ACS_ON ? ", ACS on" : r->acs == ACS_OFF ? ", ACS off" : "");
	letter_name(r->letter, l);
	snprintf(c->letter, sizeof(c->letter), r->letter >= 0 ? "[%s]" : "", l);
	if (r->group >= 0)
		snprintf(c->group, sizeof(c->group), "group %d (%s)", r->group, r->gtype);
	else
		snprintf(c->group, sizeof(c->group), "no group");
}

/* One device's line, its columns padded to w, nothing trailing. */
static void text_row(FILE *f, const struct row *r, const int w[4])
{
	struct cols c;
	char *line = NULL;
	size_t size = 0, n;
	FILE *m = open_memstream(&line, &size);

	if (!m)
		return;
	columns(r, &c);
	fprintf(m, "%-*s  %-*s  %-*s  ", w[0], c.where, w[1], c.kind, w[2], r->driver);
	if (w[3])
		fprintf(m, "%-*s ", w[3], c.letter);
	fprintf(m, "%s", c.group);
	if (*r->requester)
		fprintf(m, "  DMA as %s", r->requester);
	if (r->nfaults == 1)
		fprintf(m, "  fault: requester %s", r->fault);
	else if (r->nfaults)
		fprintf(m, "  %u faults: requester %s, ...", r->nfaults, r->fault);
	if (*r->failed)
		fprintf(m, "  FAILED %s", r->failed);
	if (fclose(m))
		return;
	for (n = strlen(line); n && line[n - 1] == ' '; n--)
		;
	fprintf(f, "%.*s\n", (int)n, line);
	free(line);
}

void pcidiagram_counts(const struct lab_pcidiagram *d, char *buf, size_t len)
{
	size_t n = d->ndevices + d->not_drawn;
	int at = snprintf(buf, len, "%zu device%s", n, n == 1 ? "" : "s");

	if (d->not_drawn && at >= 0 && (size_t)at < len)
		at += snprintf(buf + at, len - at, " (%zu drawn)", d->ndevices);
	if (at >= 0 && (size_t)at < len)
		snprintf(buf + at, len - at, ", %zu IOMMU group%s", d->ngroups,
			 d->ngroups == 1 ? "" : "s");
}

char *lab_pcidiagram_text(const struct lab_pcidiagram *d)
{
	char *s = NULL, l[4], counts[96];
	size_t size = 0;
	int w[4] = { 0 };
	FILE *f = open_memstream(&s, &size);

	if (!f)
		return NULL;
	for (size_t i = 0; i < d->nrows; i++) {
		struct cols c;

		if (d->rows[i].bus)
			continue;
		columns(&d->rows[i], &c);
		w[0] = (int)strlen(c.where) > w[0] ? (int)strlen(c.where) : w[0];
		w[1] = (int)strlen(c.kind) > w[1] ? (int)strlen(c.kind) : w[1];
		w[2] = (int)strlen(d->rows[i].driver) > w[2] ? (int)strlen(d->rows[i].driver) : w[2];
		w[3] = (int)strlen(c.letter) > w[3] ? (int)strlen(c.letter) : w[3];
	}
	pcidiagram_counts(d, counts, sizeof(counts));
	fprintf(f, "PCI tree of topology %s: %s", d->name, counts);
	letter_name((int)d->nletters - 1, l);
	if (d->nletters == 1)
		fprintf(f, " ([A]: a group of several devices)");
	else if (d->nletters)
		fprintf(f, " ([A] to [%s]: groups of several devices)", l);
	fputc('\n', f);
	for (size_t i = 0; i < d->nrows; i++)
		if (d->rows[i].bus)
			fprintf(f, "root bus %s\n", d->rows[i].address);
		else
			text_row(f, &d->rows[i], w);
	if (d->not_drawn)
		fprintf(f, "%zu more not drawn (at most %d are)\n", d->not_drawn, LAB_PCIDIAGRAM_MAX);
	for (size_t i = 0; i < d->nmissing; i++)
		fprintf(f, "%s%s", i ? ", " : "not in the guest: ", d->missing[i]);
	if (d->nmissing)
		fputc('\n', f);
	if (fclose(f)) {
		free(s);
		return NULL;
	}
	return s;
}
