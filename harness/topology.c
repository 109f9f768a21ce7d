/* SPDX-License-Identifier: MIT */
#include "topology.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonval.h"
#include "yamldoc.h"

static const struct lab_topo_kind_info kinds[LAB_TOPO_KIND_N] = {
	[LAB_TOPO_ROOT_PORT] = { "root-port", "pcie-root-port", "pcie-root-port", 1, 0 },
	[LAB_TOPO_SWITCH_UP] = { "switch-upstream", "x3130-upstream",
				 "pcie-switch-upstream-port", 1, 0 },
	[LAB_TOPO_SWITCH_DOWN] = { "switch-downstream", "xio3130-downstream",
				   "pcie-switch-downstream-port", 1, 0 },
	[LAB_TOPO_PCIE_PCI_BRIDGE] = { "pcie-pci-bridge", "pcie-pci-bridge",
				       "pcie-to-pci-bridge", 1, 1 },
	[LAB_TOPO_PCI_BRIDGE] = { "pci-bridge", "pci-bridge", "pci-bridge", 1, 1 },
	[LAB_TOPO_EXPANDER] = { "expander", "pxb-pcie", "pcie-expander-bus", 1, 0 },
	[LAB_TOPO_EDU] = { "edu", "edu", NULL, 0, 0 },
	[LAB_TOPO_E1000E] = { "e1000e", "e1000e", NULL, 0, 0 },
	[LAB_TOPO_VIRTIO_NET] = { "virtio-net", "virtio-net-pci", NULL, 0, 0 },
	[LAB_TOPO_VIRTIO_BLK] = { "virtio-blk", "virtio-blk-pci", NULL, 0, 0 },
	[LAB_TOPO_NVME] = { "nvme", "nvme", NULL, 0, 0 },
};

const struct lab_topo_kind_info *lab_topo_kind_info(enum lab_topo_kind k)
{
	return k < LAB_TOPO_KIND_N ? &kinds[k] : NULL;
}

int lab_topo_kind_by_name(const char *name)
{
	for (int k = 0; name && k < LAB_TOPO_KIND_N; k++)
		if (!strcmp(kinds[k].name, name))
			return k;
	return -1;
}

const char *lab_topo_kind_names(void)
{
	static char buf[256];
	size_t len = 0;

	for (int k = 0; k < LAB_TOPO_KIND_N; k++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", k ? ", " : "",
					kinds[k].name);
	return buf;
}

int lab_topology_find(const struct lab_topology *t, const char *id)
{
	for (size_t i = 0; t && id && i < t->n; i++)
		if (!strcmp(t->nodes[i].id, id))
			return (int)i;
	return -1;
}

int lab_topology_first(const struct lab_topology *t, enum lab_topo_kind k)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (t->nodes[i].kind == k)
			return (int)i;
	return -1;
}

void lab_topology_path(const struct lab_topology *t, size_t i, char *buf, size_t len)
{
	int chain[LAB_TOPO_NODES_MAX + 1], n = 0;
	unsigned root = 0;
	size_t off;

	for (int j = (int)i; j >= 0 && n <= LAB_TOPO_NODES_MAX; j = t->nodes[j].parent) {
		chain[n++] = j;
		if (t->nodes[j].kind == LAB_TOPO_EXPANDER && j != (int)i) {
			/* under an expander: its bus is the root of the path */
			root = t->nodes[j].bus_nr;
			n--;
			break;
		}
	}
	off = (size_t)snprintf(buf, len, "0000:%02x", root);
	while (n-- > 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, "/%02x.%x", t->nodes[chain[n]].slot,
					t->nodes[chain[n]].function);
}

/* ---- the rules ------------------------------------------------------------ */

int lab_topology_valid_id(const char *s)
{
	if (!*s || strlen(s) > LAB_TOPO_ID_MAX)
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && !strchr("_-", *s))
			return 0;
	return 1;
}

/* What may sit on what, as libvirt's PCI address rules put it
 * (docs/formatdomain: PCIe controllers). */
static const char *placement_error(const struct lab_topology *t, const struct lab_topo_node *n)
{
	int on = n->parent < 0 ? -1 : (int)t->nodes[n->parent].kind;

	switch (n->kind) {
	case LAB_TOPO_ROOT_PORT:
		return on == -1 || on == LAB_TOPO_EXPANDER ? NULL
			: "a root-port sits on the root bus or an expander";
	case LAB_TOPO_SWITCH_UP:
	case LAB_TOPO_PCIE_PCI_BRIDGE:
		return on == LAB_TOPO_ROOT_PORT || on == LAB_TOPO_SWITCH_DOWN ? NULL
			: "it sits on a root-port or a switch-downstream port";
	case LAB_TOPO_SWITCH_DOWN:
		return on == LAB_TOPO_SWITCH_UP ? NULL : "a switch-downstream port sits on a "
			"switch-upstream port";
	case LAB_TOPO_PCI_BRIDGE:
		return on == LAB_TOPO_PCIE_PCI_BRIDGE || on == LAB_TOPO_PCI_BRIDGE ? NULL
			: "a pci-bridge sits on a pcie-pci-bridge or another pci-bridge";
	case LAB_TOPO_EXPANDER:
		return on == -1 ? NULL : "an expander sits on the root bus";
	default:
		return on == LAB_TOPO_SWITCH_UP || on == LAB_TOPO_EXPANDER
			? "an endpoint sits on the root bus, a port or a bridge" : NULL;
	}
}

/* Slots a node may take on its parent's bus. */
static void slot_range(const struct lab_topology *t, const struct lab_topo_node *n,
		       unsigned *lo, unsigned *hi)
{
	int on = n->parent < 0 ? -1 : (int)t->nodes[n->parent].kind;

	if (on == -1) {
		*lo = LAB_TOPO_ROOT_SLOT_FIRST;
		*hi = LAB_TOPO_ROOT_SLOT_LAST;
	} else if (on == LAB_TOPO_SWITCH_UP) {
		*lo = 0;
		*hi = 31;
	} else if (kinds[on].conventional_bus) {
		*lo = 1;         /* slot 0 of a PCI bridge's bus is reserved (SHPC) */
		*hi = 31;
	} else {
		*lo = *hi = 0;   /* a port's link has one device: slot 0 */
	}
}

static int node_error(struct lab_error *err, const struct lab_topology *t,
		      const struct lab_topo_node *n, const char *fmt, const char *arg)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg);
	if (t->file && n->line)
		lab_error_set(err, "%s:%d: %s: %s", t->file, n->line, n->id, msg);
	else
		lab_error_set(err, "topology %s: %s: %s", t->name ? t->name : "", n->id, msg);
	return -1;
}

static int taken(const struct lab_topology *t, size_t upto, int parent, unsigned slot,
		 unsigned function)
{
	for (size_t j = 0; j < upto; j++)
		if (t->nodes[j].parent == parent && t->nodes[j].slot == slot &&
		    t->nodes[j].function == function)
			return 1;
	return 0;
}

int lab_topology_check(struct lab_topology *t, struct lab_error *err)
{
	char buf[64];

	for (size_t i = 0; i < t->n; i++) {
		struct lab_topo_node *n = &t->nodes[i];
		const char *why;
		unsigned lo, hi;

		if (!lab_topology_valid_id(n->id))
			return node_error(err, t, n, "an id is 1 to %s of a-z, 0-9, _ and -", "24");
		if (lab_topology_find(t, n->id) != (int)i)
			return node_error(err, t, n, "%s", "id given twice");
		if (n->parent >= (int)i)
			return node_error(err, t, n, "%s", "its bus must be listed before it");
		if (n->parent >= 0 && !kinds[t->nodes[n->parent].kind].bridge)
			return node_error(err, t, n, "'%s' is an endpoint: it has no bus",
					  t->nodes[n->parent].id);
		why = placement_error(t, n);
		if (why)
			return node_error(err, t, n, "%s", why);
		if (n->kind != LAB_TOPO_ROOT_PORT && !n->acs)
			return node_error(err, t, n, "%s", "acs: false is a root-port's "
					  "(QEMU's disable-acs)");
		if (n->function > 7)
			return node_error(err, t, n, "%s", "function is 0 to 7");
		slot_range(t, n, &lo, &hi);
		if (n->slot == (unsigned)-1) {
			/* function 0: the first free slot; another function:
			 * the first slot whose function 0 is there and this
			 * function free */
			for (n->slot = lo; n->slot <= hi; n->slot++)
				if (n->function ? taken(t, i, n->parent, n->slot, 0) &&
						  !taken(t, i, n->parent, n->slot, n->function)
						: !taken(t, i, n->parent, n->slot, 0))
					break;
			if (n->function && n->slot > hi)
				return node_error(err, t, n, "%s", "function 0 of its slot must be "
						  "listed before it (a multifunction device starts at 0)");
		}
		if (n->slot < lo || n->slot > hi) {
			snprintf(buf, sizeof(buf), "%#x to %#x", lo, hi);
			return node_error(err, t, n, "no free slot on its bus (slots %s)", buf);
		}
		if (taken(t, i, n->parent, n->slot, n->function))
			return node_error(err, t, n, "%s", "that slot and function are taken");
		if (n->function && !taken(t, i, n->parent, n->slot, 0))
			return node_error(err, t, n, "%s", "function 0 of its slot must be listed "
					  "before it (a multifunction device starts at 0)");
	}
	for (int k = LAB_TOPO_VIRTIO_BLK; k <= LAB_TOPO_NVME; k++) {
		int first = lab_topology_first(t, (enum lab_topo_kind)k);

		for (size_t i = first < 0 ? t->n : (size_t)first + 1; i < t->n; i++)
			if (t->nodes[i].kind == (enum lab_topo_kind)k)
				return node_error(err, t, &t->nodes[i], "one %s per topology: it "
						  "is the run's disk", kinds[k].name);
	}
	return 0;
}

/* ---- files ---------------------------------------------------------------- */

struct node_ctx {
	struct lab_topology *t;
	struct lab_topo_node *n;
	char *parent;
	int parent_line;
};

static int node_pair(struct lab_yaml *y, const char *key, yaml_node_t *k, yaml_node_t *v,
		     void *opaque)
{
	struct node_ctx *c = opaque;
	struct lab_topo_node *n = c->n;
	lab_autofree char *s = NULL;
	int b;

	(void)k;
	if (!strcmp(key, "id")) {
		if (lab_yaml_str(y, v, key, &s) < 0)
			return -1;
		snprintf(n->id, sizeof(n->id), "%s", s);
		if (!lab_topology_valid_id(s))
			return lab_yaml_fail(y, v, "id '%s': 1 to %d of a-z, 0-9, _ and -", s,
					     LAB_TOPO_ID_MAX);
		return 0;
	}
	if (!strcmp(key, "kind")) {
		int kind;

		if (lab_yaml_str(y, v, key, &s) < 0)
			return -1;
		kind = lab_topo_kind_by_name(s);
		if (kind < 0)
			return lab_yaml_fail(y, v, "unknown kind '%s' (known: %s)", s,
					     lab_topo_kind_names());
		n->kind = (enum lab_topo_kind)kind;
		return 0;
	}
	if (!strcmp(key, "bus")) {
		c->parent_line = lab_yaml_line(v);
		return lab_yaml_str(y, v, key, &c->parent);
	}
	if (!strcmp(key, "slot"))
		return lab_yaml_uint(y, v, key, 0, 31, &n->slot);
	if (!strcmp(key, "function"))
		return lab_yaml_uint(y, v, key, 0, 7, &n->function);
	if (!strcmp(key, "bus_nr"))
		return lab_yaml_uint(y, v, key, 1, 254, &n->bus_nr);
	if (lab_yaml_bool(y, v, key, &b) < 0)
		return -1;
	if (!strcmp(key, "acs"))
		n->acs = b;
	else
		n->bypass_iommu = b;
	return 0;
}

static int get_nodes(struct lab_yaml *y, yaml_node_t *v, struct lab_topology *t)
{
	static const char *const node_keys[] = {
		"id", "kind", "bus", "slot", "function", "acs", "bypass_iommu", "bus_nr", NULL
	};

	if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.start == v->data.sequence.items.top)
		return lab_yaml_fail(y, v, "devices must be a non-empty list");
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
		yaml_node_t *item = lab_yaml_node(y, *i);
		struct node_ctx c = { .t = t };
		int rc;

		if (t->n == LAB_TOPO_NODES_MAX)
			return lab_yaml_fail(y, item, "at most %d devices", LAB_TOPO_NODES_MAX);
		c.n = &t->nodes[t->n];
		memset(c.n, 0, sizeof(*c.n));
		c.n->kind = LAB_TOPO_KIND_N;
		c.n->parent = -1;
		c.n->slot = (unsigned)-1;
		c.n->acs = 1;
		c.n->line = lab_yaml_line(item);
		rc = lab_yaml_each_pair(y, item, "a device", node_keys, node_pair, &c);
		if (rc == 0 && !c.n->id[0])
			rc = lab_yaml_fail(y, item, "a device needs an id");
		if (rc == 0 && c.n->kind == LAB_TOPO_KIND_N)
			rc = lab_yaml_fail(y, item, "a device needs a kind (%s)",
					   lab_topo_kind_names());
		if (rc == 0 && c.parent) {
			c.n->parent = lab_topology_find(t, c.parent);
			if (c.n->parent < 0)
				rc = lab_yaml_fail(y, item, "bus '%s' is not a device listed above",
						   c.parent);
		}
		if (rc == 0 && c.n->kind == LAB_TOPO_EXPANDER && !c.n->bus_nr)
			c.n->bus_nr = 0x80;
		free(c.parent);
		if (rc < 0)
			return -1;
		t->n++;
	}
	return 0;
}

static int top_pair(struct lab_yaml *y, const char *key, yaml_node_t *k, yaml_node_t *v,
		    void *opaque)
{
	struct lab_topology *t = opaque;

	(void)k;
	if (!strcmp(key, "topology"))
		return lab_yaml_str(y, v, key, &t->name);
	if (!strcmp(key, "description"))
		return lab_yaml_str(y, v, key, &t->description);
	return get_nodes(y, v, t);
}

struct lab_topology *lab_topology_load(const char *file, struct lab_error *err)
{
	static const char *const top_keys[] = { "topology", "description", "devices", NULL };
	struct lab_yaml y;
	struct lab_topology *t = calloc(1, sizeof(*t));
	yaml_node_t *root = lab_yaml_load(&y, file, err);
	int rc = -1;

	t->file = strdup(file);
	if (root && lab_yaml_each_pair(&y, root, "a topology", top_keys, top_pair, t) == 0) {
		if (!t->name)
			lab_yaml_fail(&y, root, "missing 'topology' (its name)");
		else if (!t->n)
			lab_yaml_fail(&y, root, "missing 'devices'");
		else
			rc = lab_topology_check(t, err);
	}
	lab_yaml_close(&y);
	if (rc < 0) {
		lab_topology_free(t);
		return NULL;
	}
	return t;
}

void lab_topology_free(struct lab_topology *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->description);
	free(t->file);
	free(t);
}

/* ---- the run spec's form -------------------------------------------------- */

json_object *lab_topology_to_json(const struct lab_topology *t)
{
	json_object *o = json_object_new_object();
	json_object *nodes = json_object_new_array();

	json_object_object_add(o, "name", json_object_new_string(t->name ? t->name : ""));
	for (size_t i = 0; i < t->n; i++) {
		const struct lab_topo_node *n = &t->nodes[i];
		json_object *j = json_object_new_object();

		json_object_object_add(j, "id", json_object_new_string(n->id));
		json_object_object_add(j, "kind", json_object_new_string(kinds[n->kind].name));
		if (n->parent >= 0)
			json_object_object_add(j, "bus",
					       json_object_new_string(t->nodes[n->parent].id));
		json_object_object_add(j, "slot", json_object_new_int((int)n->slot));
		json_object_object_add(j, "function", json_object_new_int((int)n->function));
		if (!n->acs)
			json_object_object_add(j, "acs", json_object_new_boolean(0));
		if (n->bypass_iommu)
			json_object_object_add(j, "bypass_iommu", json_object_new_boolean(1));
		if (n->kind == LAB_TOPO_EXPANDER)
			json_object_object_add(j, "bus_nr", json_object_new_int((int)n->bus_nr));
		json_object_array_add(nodes, j);
	}
	json_object_object_add(o, "nodes", nodes);
	return o;
}

static int json_uint(json_object *o, const char *key, unsigned max, unsigned *out)
{
	json_object *v = lab_jsonval_get(o, key);

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
	    json_object_get_int64(v) > max)
		return -1;
	*out = (unsigned)json_object_get_int64(v);
	return 0;
}

struct lab_topology *lab_topology_from_json(json_object *o, struct lab_error *err)
{
	json_object *nodes = lab_jsonval_arr(o, "nodes");
	struct lab_topology *t = calloc(1, sizeof(*t));
	size_t n = lab_jsonval_len(nodes);

	t->name = strdup(lab_jsonval_str(o, "name") ? lab_jsonval_str(o, "name") : "");
	if (!n || n > LAB_TOPO_NODES_MAX) {
		lab_error_set(err, "topology: 1 to %d nodes", LAB_TOPO_NODES_MAX);
		goto bad;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *j = json_object_array_get_idx(nodes, i);
		struct lab_topo_node *d = &t->nodes[i];
		const char *id = lab_jsonval_str(j, "id"), *bus = lab_jsonval_str(j, "bus");
		json_object *b;
		int kind = lab_topo_kind_by_name(lab_jsonval_str(j, "kind"));

		memset(d, 0, sizeof(*d));
		d->acs = 1;
		d->parent = -1;
		if (!id || strlen(id) > LAB_TOPO_ID_MAX || kind < 0) {
			lab_error_set(err, "topology node %zu: an id and a known kind", i);
			goto bad;
		}
		snprintf(d->id, sizeof(d->id), "%s", id);
		d->kind = (enum lab_topo_kind)kind;
		t->n = i;  /* find the bus among the nodes before this one */
		if (bus && (d->parent = lab_topology_find(t, bus)) < 0) {
			lab_error_set(err, "topology node %s: no bus '%s' before it", id, bus);
			goto bad;
		}
		if (json_uint(j, "slot", 31, &d->slot) < 0 ||
		    json_uint(j, "function", 7, &d->function) < 0 ||
		    json_uint(j, "bus_nr", 254, &d->bus_nr) < 0) {
			lab_error_set(err, "topology node %s: slot, function or bus_nr out of range", id);
			goto bad;
		}
		if ((b = lab_jsonval_get(j, "acs")))
			d->acs = json_object_get_boolean(b);
		if ((b = lab_jsonval_get(j, "bypass_iommu")))
			d->bypass_iommu = json_object_get_boolean(b);
	}
	t->n = n;
	if (lab_topology_check(t, err) == 0)
		return t;
bad:
	lab_topology_free(t);
	return NULL;
}

/* ---- text ----------------------------------------------------------------- */

static void text_under(const struct lab_topology *t, int parent, const char *indent, FILE *f)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct lab_topo_node *n = &t->nodes[i];
		char path[LAB_TOPO_PATH_MAX], deeper[128];
		int last = 1;

		if (n->parent != parent)
			continue;
		for (size_t j = i + 1; j < t->n; j++)
			if (t->nodes[j].parent == parent)
				last = 0;
		lab_topology_path(t, i, path, sizeof(path));
		fprintf(f, "%s%s %s (%s) %s%s%s\n", indent, last ? "`--" : "|--", n->id,
			kinds[n->kind].name, path, n->acs ? "" : " acs=off",
			n->bypass_iommu ? " bypass_iommu" : "");
		snprintf(deeper, sizeof(deeper), "%s%s", indent, last ? "    " : "|   ");
		text_under(t, (int)i, deeper, f);
	}
}

char *lab_topology_text(const struct lab_topology *t)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	fprintf(f, "%s\n", t->name && *t->name ? t->name : "topology");
	text_under(t, -1, "", f);
	fclose(f);
	return s;
}
