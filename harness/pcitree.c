/* SPDX-License-Identifier: MIT */
#include "pcitree.h"

#include <stdio.h>
#include <string.h>

#include "jsonval.h"

/* The entry of pci whose key is value's first len characters, or NULL. */
static json_object *entry_where(json_object *pci, const char *key, const char *value, size_t len)
{
	for (size_t i = 0; value && i < lab_jsonval_len(pci); i++) {
		json_object *d = json_object_array_get_idx(pci, i);
		const char *v = lab_jsonval_str(d, key);

		if (v && strlen(v) == len && !strncmp(v, value, len))
			return d;
	}
	return NULL;
}

json_object *lab_pcitree_device(json_object *obs, const char *address)
{
	return entry_where(lab_jsonval_arr(obs, "pci"), "address", address,
			   address ? strlen(address) : 0);
}

static json_object *by_path(json_object *pci, const char *path, size_t len)
{
	return entry_where(pci, "path", path, len);
}

/* The bridge d sits behind, or NULL on a root bus. */
static json_object *parent_of(json_object *pci, json_object *d)
{
	const char *p = lab_jsonval_str(d, "path");
	const char *slash = p ? strrchr(p, '/') : NULL;

	return slash ? by_path(pci, p, (size_t)(slash - p)) : NULL;
}

static void requester_of(json_object *pci, json_object *d, char out[16])
{
	const char *a = lab_jsonval_str(d, "address");
	int hops = 0;

	snprintf(out, 16, "%s", a ? a : "");
	for (json_object *b = parent_of(pci, d); b && hops++ < 64; b = parent_of(pci, b)) {
		const char *type = lab_jsonval_str(b, "pcie_type");
		const char *ba = lab_jsonval_str(b, "address");
		json_object *sec = lab_jsonval_get(b, "secondary_bus");

		if (!type || !ba)
			continue;
		if (!strcmp(type, "pcie-pci-bridge") && sec)
			snprintf(out, 16, "%.4s:%02x:00.0", ba, (unsigned)json_object_get_int(sec) & 0xff);
		else if (!strcmp(type, "conventional"))
			snprintf(out, 16, "%s", ba);
	}
}

static json_object *node_json(json_object *pci, const struct lab_topology *t, size_t i)
{
	json_object *n = json_object_new_object(), *d;
	char path[LAB_TOPO_PATH_MAX];

	lab_topology_path(t, i, path, sizeof(path));
	d = by_path(pci, path, strlen(path));
	json_object_object_add(n, "id", json_object_new_string(t->nodes[i].id));
	json_object_object_add(n, "kind",
			       json_object_new_string(lab_topo_kind_info(t->nodes[i].kind)->name));
	json_object_object_add(n, "path", json_object_new_string(path));
	json_object_object_add(n, "bus", t->nodes[i].parent < 0 ? NULL :
			       json_object_new_string(t->nodes[t->nodes[i].parent].id));
	json_object_object_add(n, "address",
			       json_object_get(d ? lab_jsonval_get(d, "address") : NULL));
	return n;
}

void lab_pcitree_annotate(json_object *obs, const struct lab_topology *t)
{
	json_object *pci = lab_jsonval_arr(obs, "pci");

	for (size_t i = 0; i < lab_jsonval_len(pci); i++) {
		json_object *d = json_object_array_get_idx(pci, i), *b;
		char req[16];

		if (!json_object_is_type(d, json_type_object))
			continue;
		b = parent_of(pci, d);
		json_object_object_add(d, "parent", json_object_get(lab_jsonval_get(b, "address")));
		requester_of(pci, d, req);
		json_object_object_add(d, "requester", req[0] ? json_object_new_string(req) : NULL);
	}
	if (t) {
		json_object *topo = json_object_new_object(), *nodes = json_object_new_array();

		json_object_object_add(topo, "name", json_object_new_string(t->name ? t->name : ""));
		for (size_t i = 0; i < t->n; i++)
			json_object_array_add(nodes, node_json(pci, t, i));
		json_object_object_add(topo, "nodes", nodes);
		json_object_object_add(obs, "topology", topo);
	}
}

const char *lab_pcitree_address(json_object *obs, const char *dev)
{
	json_object *nodes = lab_jsonval_arr(lab_jsonval_obj(obs, "topology"), "nodes");

	if (!dev || strchr(dev, ':'))
		return dev;
	for (size_t i = 0; i < lab_jsonval_len(nodes); i++) {
		json_object *n = json_object_array_get_idx(nodes, i);
		const char *id = lab_jsonval_str(n, "id");

		if (id && !strcmp(id, dev))
			return lab_jsonval_str(n, "address");
	}
	return NULL;
}
