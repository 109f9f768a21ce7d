/* SPDX-License-Identifier: MIT */
/*
 * A scenario's expectations (docs/scenarios.md, "Expectations"): the keys
 * of harness/expect.h's table, each value checked for what the key takes,
 * as alternatives ({equals, when, xfail}); device sets, group types, and
 * the nested fields.* and acpi.* keys.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "pci_addr.h"
#include "scenario_internal.h"
#include "topology.h"
#include "verdict.h"

json_object *scenario_scalar_json(const yaml_node_t *n)
{
	const char *s = lab_yaml_scalar(n);
	char *end;
	long long v;

	if (!lab_yaml_plain(n))
		return json_object_new_string(s);
	if (!strcmp(s, "null") || !strcmp(s, "~"))
		return NULL;
	if (!strcmp(s, "true") || !strcmp(s, "false"))
		return json_object_new_boolean(s[0] == 't');
	errno = 0;
	v = strtoll(s, &end, 0);
	if (*s && !*end && !errno)
		return json_object_new_int64(v);
	return json_object_new_string(s);
}

static int check_value(struct lab_yaml *c, const struct lab_expect_key *ek, const char *key,
		       yaml_node_t *n, json_object *v)
{
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	int status = lab_run_status_parse(s);
	regex_t re;
	int rc;

	switch (ek->value) {
	case LAB_EXPECT_ONE_OF:
		if (!v && ek->id == LAB_EXPECT_DEFAULT_DOMAIN)
			return 0;     /* default_domain: null = no IOMMU at all */
		if (!s || !lab_yaml_one_of(s, ek->values))
			return lab_yaml_fail(c, n, "%s must be one of: %s", key, lab_yaml_joined(ek->values));
		return 0;
	case LAB_EXPECT_STATUS_NAME:
		if (status < 0 || !lab_run_status_expectable(status)) {
			const char *names[LAB_RUN_STATUS_COUNT + 1] = { 0 };

			for (int i = 0, k = 0; i < LAB_RUN_STATUS_COUNT; i++)
				if (lab_run_status_expectable(i))
					names[k++] = lab_run_status_name(i);
			return lab_yaml_fail(c, n, "%s must be one of: %s", key, lab_yaml_joined(names));
		}
		return 0;
	case LAB_EXPECT_UINT:
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
			return lab_yaml_fail(c, n, "%s must be a whole number >= 0", key);
		return 0;
	case LAB_EXPECT_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return lab_yaml_fail(c, n, "%s must be true or false", key);
		return 0;
	case LAB_EXPECT_REGEX:
		if (!s)
			return lab_yaml_fail(c, n, "%s: each item must be a regular expression (a string)", key);
		rc = regcomp(&re, s, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char msg[128];

			regerror(rc, &re, msg, sizeof(msg));
			return lab_yaml_fail(c, n, "%s: bad regular expression '%s': %s", key, s, msg);
		}
		regfree(&re);
		return 0;
	case LAB_EXPECT_DEVICES:
	case LAB_EXPECT_DEVICE_LIST:
	case LAB_EXPECT_NESTED:
	case LAB_EXPECT_PROBE_KEYS:
		return 0;
	}
	return 0;
}

static void expect_free(struct lab_expect *e)
{
	for (size_t i = 0; i < e->nalts; i++) {
		json_object_put(e->alts[i].value);
		free(e->alts[i].when);
		free(e->alts[i].xfail);
	}
	free(e->alts);
	free(e->key);
}

struct lab_expect *scenario_add_expect(struct expects *x, const char *key, int line)
{
	struct lab_expect *e;

	x->v = realloc(x->v, (x->n + 1) * sizeof(*x->v));
	e = &x->v[x->n++];
	memset(e, 0, sizeof(*e));
	e->key = strdup(key);
	e->line = line;
	return e;
}

int scenario_alt_pair(struct lab_yaml *c, const char *key, yaml_node_t *k, yaml_node_t *v,
		      void *opaque)
{
	struct alt_ctx *a = opaque;

	(void)k;
	if (!strcmp(key, "equals")) {
		if (!lab_yaml_scalar(v))
			return lab_yaml_fail(c, v, "%s: 'equals' must be a value", a->key);
		a->alt->value = scenario_scalar_json(v);
		a->value_node = v;
		return 0;
	}
	if (!strcmp(key, "when")) {
		if (lab_yaml_str(c, v, "when", &a->alt->when) < 0)
			return -1;
		if (lab_scenario_check_condition(a->alt->when, NULL) < 0)
			return lab_yaml_fail(c, v, "bad condition '%s' (e.g. \"qemu >= 10.0\", "
				    "\"kernel < 6.12 and libvirt >= 9.0\")", a->alt->when);
		return 0;
	}
	return lab_yaml_str(c, v, "xfail", &a->alt->xfail);
}

/* value | {equals, when, xfail} | [ {equals, when, xfail}, ... ] */
static int parse_alts(struct lab_yaml *c, const struct lab_expect_key *ek, const char *key,
		      yaml_node_t *n, struct lab_expect *e)
{
	static const char *const alt_keys[] = { "equals", "when", "xfail", NULL };
	yaml_node_item_t *items = NULL, *end = NULL;
	int single = n->type != YAML_SEQUENCE_NODE;

	if (!single) {
		items = n->data.sequence.items.start;
		end = n->data.sequence.items.top;
		if (items == end)
			return lab_yaml_fail(c, n, "%s: empty list of alternatives", key);
	}
	for (size_t i = 0; single ? i < 1 : items + i < end; i++) {
		yaml_node_t *item = single ? n : lab_yaml_node(c, items[i]);
		struct alt_ctx a = { ek, key, NULL, item };

		e->alts = realloc(e->alts, (e->nalts + 1) * sizeof(*e->alts));
		a.alt = &e->alts[e->nalts++];
		memset(a.alt, 0, sizeof(*a.alt));
		a.alt->line = lab_yaml_line(item);
		if (lab_yaml_scalar(item)) {
			a.alt->value = scenario_scalar_json(item);
		} else if (item->type == YAML_MAPPING_NODE) {
			int has_equals = 0;

			for (yaml_node_pair_t *p = item->data.mapping.pairs.start;
			     p < item->data.mapping.pairs.top; p++)
				has_equals |= lab_yaml_scalar(lab_yaml_node(c, p->key)) &&
					      !strcmp(lab_yaml_scalar(lab_yaml_node(c, p->key)), "equals");
			if (!has_equals)
				return lab_yaml_fail(c, item, "%s: an alternative needs 'equals'", key);
			if (lab_yaml_each_pair(c, item, key, alt_keys, scenario_alt_pair, &a) < 0)
				return -1;
		} else {
			return lab_yaml_fail(c, item, "%s: want a value, {equals: ..., when: ..., xfail: ...} "
				    "or a list of those", key);
		}
		if (check_value(c, ek, key, a.value_node, a.alt->value) < 0)
			return -1;
	}
	return 0;
}

/* fields.<kind>.<register>.<field> */
static int field_pair(struct lab_yaml *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *opaque)
{
	struct expects *x = opaque;
	char full[256];
	int dots = 0;

	for (const char *p = key; *p; p++)
		dots += *p == '.';
	if (dots < 2 || (strncmp(key, "intel.", 6) && strncmp(key, "amd.", 4) &&
			  strncmp(key, "smmuv3.", 7)))
		return lab_yaml_fail(c, k, "fields: '%s' must be KIND.REGISTER.FIELD with KIND intel, amd "
			    "or smmuv3 (e.g. intel.cap.mgaw)", key);
	snprintf(full, sizeof(full), "fields.%s", key);
	return parse_alts(c, lab_expect_key("fields"), full, v,
			  scenario_add_expect(x, full, lab_yaml_line(k)));
}

/* acpi.<table>.<path>: a field of the parsed DMAR, IVRS or IORT */
static int acpi_pair(struct lab_yaml *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *opaque)
{
	struct expects *x = opaque;
	char full[256];

	if ((strncmp(key, "dmar.", 5) && strncmp(key, "ivrs.", 5) && strncmp(key, "iort.", 5)) ||
	    !key[5] || key[strlen(key) - 1] == '.' || strstr(key, ".."))
		return lab_yaml_fail(c, k, "acpi: '%s' must be TABLE.FIELD with TABLE dmar, ivrs or iort "
			    "(e.g. dmar.flags.intr_remap)", key);
	snprintf(full, sizeof(full), "acpi.%s", key);
	return parse_alts(c, lab_expect_key("acpi"), full, v,
			  scenario_add_expect(x, full, lab_yaml_line(k)));
}

/* group_type.DEVICE: the type of the group holding a device */
static int group_type_pair(struct lab_yaml *c, const char *key, yaml_node_t *k, yaml_node_t *v,
			   void *opaque)
{
	const struct lab_expect_key *ek = lab_expect_key("group_type");
	struct expects *x = opaque;
	char full[96];

	if (!lab_pci_addr_valid(key) && !lab_topology_valid_id(key))
		return lab_yaml_fail(c, k, "group_type: '%s' is neither a PCI device (ssss:bb:dd.f) "
				     "nor a topology id", key);
	if (lab_yaml_scalar(v) && !lab_yaml_one_of(lab_yaml_scalar(v), ek->values))
		return lab_yaml_fail(c, v, "group_type.%s must be one of: %s", key,
				     lab_yaml_joined(ek->values));
	snprintf(full, sizeof(full), "group_type.%s", key);
	return parse_alts(c, ek, full, v, scenario_add_expect(x, full, lab_yaml_line(k)));
}

/* One list of devices ("ssss:bb:dd.f" or a topology node's id), at least
 * min of them. */
static int device_set(struct lab_yaml *c, const char *key, yaml_node_t *n, struct expects *x,
		      long min)
{
	struct lab_expect *e;
	lab_autojson json_object *set = NULL;

	if (n->type != YAML_SEQUENCE_NODE ||
	    n->data.sequence.items.top - n->data.sequence.items.start < min)
		return lab_yaml_fail(c, n, "%s: want a list of at least %ld PCI device%s", key, min,
				     min > 1 ? "s" : "");
	set = json_object_new_array();
	for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
		const char *d = lab_yaml_scalar(lab_yaml_node(c, *i));

		if (!d || (!lab_pci_addr_valid(d) && !lab_topology_valid_id(d)))
			return lab_yaml_fail(c, lab_yaml_node(c, *i), "%s: '%s' is neither a PCI device "
					     "(ssss:bb:dd.f) nor a topology id", key, d ? d : "");
		json_object_array_add(set, json_object_new_string(d));
	}
	e = scenario_add_expect(x, key, lab_yaml_line(n));
	e->alts = calloc(1, sizeof(*e->alts));
	e->nalts = 1;
	e->alts[0].value = lab_steal(&set);
	e->alts[0].line = lab_yaml_line(n);
	return 0;
}

struct set_alt {
	yaml_node_t *equals;
	char *when, *xfail;
};

static int set_alt_pair(struct lab_yaml *c, const char *key, yaml_node_t *k, yaml_node_t *v,
			void *opaque)
{
	struct set_alt *a = opaque;

	(void)k;
	if (!strcmp(key, "equals")) {
		a->equals = v;
		return 0;
	}
	if (!strcmp(key, "when"))
		return scenario_when_pair(c, v, &a->when);
	return lab_yaml_str(c, v, "xfail", &a->xfail);
}

static int device_set_alt(struct lab_yaml *c, const char *key, yaml_node_t *n, struct expects *x,
			  long min)
{
	static const char *const keys[] = { "equals", "when", "xfail", NULL };
	struct set_alt a = { 0 };
	struct lab_expect *e;

	if (n->type != YAML_MAPPING_NODE)
		return device_set(c, key, n, x, min);
	if (lab_yaml_each_pair(c, n, key, keys, set_alt_pair, &a) < 0 || !a.equals ||
	    device_set(c, key, a.equals, x, min) < 0) {
		free(a.when);
		free(a.xfail);
		return a.equals ? -1 : lab_yaml_fail(c, n, "%s: an alternative needs 'equals'", key);
	}
	e = &x->v[x->n - 1];
	e->alts[0].when = a.when;
	e->alts[0].xfail = a.xfail;
	return 0;
}

static int expect_pair(struct lab_yaml *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *opaque)
{
	struct expects *x = opaque;
	const struct lab_expect_key *ek = lab_expect_key(key);

	if (ek->value == LAB_EXPECT_DEVICES || ek->value == LAB_EXPECT_DEVICE_LIST) {
		long min = ek->value == LAB_EXPECT_DEVICES ? 2 : 1;
		/* [a, b] is one set; [[a, b], [c, d]] several */
		int nested = v->type == YAML_SEQUENCE_NODE &&
			     v->data.sequence.items.start < v->data.sequence.items.top &&
			     lab_yaml_node(c, *v->data.sequence.items.start)->type == YAML_SEQUENCE_NODE;

		if (v->type == YAML_SEQUENCE_NODE &&
		    v->data.sequence.items.start == v->data.sequence.items.top) {
			scenario_add_expect(x, key, lab_yaml_line(k));   /* []: none of the matrix's */
			return 0;
		}
		int cond = v->type == YAML_SEQUENCE_NODE &&
			   v->data.sequence.items.start < v->data.sequence.items.top &&
			   lab_yaml_node(c, *v->data.sequence.items.start)->type == YAML_MAPPING_NODE;

		if (!nested && !cond)
			return device_set(c, key, v, x, min);
		/* each item a set, or {equals: SET, when, xfail}: a set that
		 * holds where its condition does (skipped elsewhere) */
		for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++)
			if (device_set_alt(c, key, lab_yaml_node(c, *i), x, min) < 0)
				return -1;
		return 0;
	}
	if (ek->id == LAB_EXPECT_GROUP_TYPE)
		return lab_yaml_each_pair(c, v, key, NULL, group_type_pair, x);

	if (!strcmp(key, "fields")) {
		/* `fields: {}` in a variant: none of the matrix's field checks */
		if (v->type == YAML_MAPPING_NODE && v->data.mapping.pairs.start == v->data.mapping.pairs.top) {
			scenario_add_expect(x, "fields", lab_yaml_line(k));
			return 0;
		}
		return lab_yaml_each_pair(c, v, "fields", NULL, field_pair, x);
	}
	if (!strcmp(key, "acpi"))
		return lab_yaml_each_pair(c, v, "acpi", NULL, acpi_pair, x);
	if (ek->value == LAB_EXPECT_REGEX) {
		/* one check per regex; a single string is a list of one; an
		 * empty list replaces the matrix's with nothing */
		if (v->type == YAML_SEQUENCE_NODE &&
		    v->data.sequence.items.start == v->data.sequence.items.top) {
			scenario_add_expect(x, key, lab_yaml_line(k));
			return 0;
		}
		if (v->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *i = v->data.sequence.items.start;
			     i < v->data.sequence.items.top; i++)
				if (parse_alts(c, ek, key, lab_yaml_node(c, *i),
					       scenario_add_expect(x, key,
								   lab_yaml_line(lab_yaml_node(c, *i)))) < 0)
					return -1;
			return 0;
		}
	}
	return parse_alts(c, ek, key, v, scenario_add_expect(x, key, lab_yaml_line(k)));
}

int scenario_get_expects(struct lab_yaml *c, yaml_node_t *n, struct lab_expect **out,
			 size_t *len)
{
	static const char *known[32];
	struct expects x = { *out, *len };
	int rc;

	for (size_t i = 0; lab_expect_keys[i].name && i + 1 < sizeof(known) / sizeof(known[0]); i++)
		known[i] = lab_expect_keys[i].name;
	rc = lab_yaml_each_pair(c, n, "expect", known, expect_pair, &x);
	*out = x.v;
	*len = x.n;
	return rc;
}

void scenario_free_expects(struct lab_expect *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect_free(&e[i]);
	free(e);
}
