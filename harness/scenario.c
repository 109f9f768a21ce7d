/* SPDX-License-Identifier: MIT */
#include "scenario.h"

#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "dma_request.h"
#include "domain.h"
#include "expect.h"
#include "pci_addr.h"
#include "platform.h"
#include "qemu.h"
#include "topology.h"
#include "verdict.h"
#include "yamldoc.h"

static const char *const suites[] = { "bookworm", "backports", NULL };
/* QEMU builds a file can name (harness/qemu.h); a path is the command line's */
static const char *const qemu_builds[] = { "system", "bookworm", "backports", NULL };

/* ---- conditions ----------------------------------------------------------- */

/* versions compare as versions; the platform is a name: == and != only */
static const char *const cond_vars[] = { "qemu", "libvirt", "kernel", "platform", NULL };

struct term {
	char var[16], op[3], version[32];
};

static int parse_term(const char *s, size_t len, struct term *t)
{
	char buf[96], tail;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (sscanf(buf, " %15[a-z] %2[<>=!] %31[a-z0-9.-] %c", t->var, t->op, t->version,
		   &tail) != 3)
		return -1;
	if (!lab_yaml_one_of(t->var, cond_vars) ||
	    !lab_yaml_one_of(t->op, (const char *const[]){ ">=", "<=", ">", "<", "==", "!=", NULL }))
		return -1;
	if (!strcmp(t->var, "platform"))
		return strcmp(t->op, "==") && strcmp(t->op, "!=") ? -1 : 0;
	return strspn(t->version, "0123456789.") == strlen(t->version) ? 0 : -1;
}

/* Calls fn for each "and"-separated term; -1 if one is malformed. */
static int each_term(const char *cond, int (*fn)(const struct term *t, void *opaque),
		     void *opaque)
{
	const char *p = cond;

	for (;;) {
		const char *and = strstr(p, " and ");
		size_t len = and ? (size_t)(and - p) : strlen(p);
		struct term t;
		int rc;

		if (parse_term(p, len, &t) < 0)
			return -1;
		if (fn && (rc = fn(&t, opaque)) != 0)
			return rc;
		if (!and)
			return 0;
		p = and + 5;
	}
}

int lab_scenario_check_condition(const char *cond, struct lab_error *err)
{
	if (each_term(cond, NULL, NULL) < 0) {
		lab_error_set(err, "bad condition '%s': want e.g. \"qemu >= 10.0\" or "
			      "\"kernel < 6.12 and platform == amd\" (qemu, libvirt, kernel: "
			      ">=, >, <=, <, ==, !=; platform: ==, !=)", cond);
		return -1;
	}
	return 0;
}

struct eval {
	const char *qemu, *libvirt, *kernel, *platform;
	char *why;
	size_t why_len;
};

static int term_fails(const struct term *t, void *opaque)
{
	struct eval *e = opaque;
	int platform = !strcmp(t->var, "platform");
	const char *have = !strcmp(t->var, "qemu") ? e->qemu
			   : !strcmp(t->var, "libvirt") ? e->libvirt
			   : platform ? e->platform : e->kernel;
	int cmp, ok;

	if (!have) {
		if (e->why)
			snprintf(e->why, e->why_len, "%s %s", t->var, platform ? "unknown"
				 : "version unknown");
		return 1;
	}
	cmp = platform ? strcmp(have, t->version) : lab_qemu_version_cmp(have, t->version);
	ok = !strcmp(t->op, ">=") ? cmp >= 0 : !strcmp(t->op, "<=") ? cmp <= 0
	     : !strcmp(t->op, ">") ? cmp > 0 : !strcmp(t->op, "<") ? cmp < 0
	     : !strcmp(t->op, "==") ? cmp == 0 : cmp != 0;
	if (!ok && e->why)
		snprintf(e->why, e->why_len, "needs %s %s %s (have %s)", t->var, t->op, t->version,
			 have);
	return !ok;
}

int lab_scenario_condition_holds(const char *cond, const char *qemu, const char *libvirt,
				 const char *kernel, const char *platform, char *why, size_t why_len)
{
	struct eval e = { qemu, libvirt, kernel, platform, why, why_len };

	return each_term(cond, term_fails, &e) == 0;
}

/* ---- expectations ---------------------------------------------------------- */

static json_object *scalar_json(const yaml_node_t *n)
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

struct expects {
	struct lab_expect *v;
	size_t n;
};

static struct lab_expect *add_expect(struct expects *x, const char *key, int line)
{
	struct lab_expect *e;

	x->v = realloc(x->v, (x->n + 1) * sizeof(*x->v));
	e = &x->v[x->n++];
	memset(e, 0, sizeof(*e));
	e->key = strdup(key);
	e->line = line;
	return e;
}

struct alt_ctx {
	const struct lab_expect_key *ek;
	const char *key;
	struct lab_expect_alt *alt;
	yaml_node_t *value_node;
};

static int alt_pair(struct lab_yaml *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *opaque)
{
	struct alt_ctx *a = opaque;

	(void)k;
	if (!strcmp(key, "equals")) {
		if (!lab_yaml_scalar(v))
			return lab_yaml_fail(c, v, "%s: 'equals' must be a value", a->key);
		a->alt->value = scalar_json(v);
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
			a.alt->value = scalar_json(item);
		} else if (item->type == YAML_MAPPING_NODE) {
			int has_equals = 0;

			for (yaml_node_pair_t *p = item->data.mapping.pairs.start;
			     p < item->data.mapping.pairs.top; p++)
				has_equals |= lab_yaml_scalar(lab_yaml_node(c, p->key)) &&
					      !strcmp(lab_yaml_scalar(lab_yaml_node(c, p->key)), "equals");
			if (!has_equals)
				return lab_yaml_fail(c, item, "%s: an alternative needs 'equals'", key);
			if (lab_yaml_each_pair(c, item, key, alt_keys, alt_pair, &a) < 0)
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
	return parse_alts(c, lab_expect_key("fields"), full, v, add_expect(x, full, lab_yaml_line(k)));
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
	return parse_alts(c, lab_expect_key("acpi"), full, v, add_expect(x, full, lab_yaml_line(k)));
}

static int valid_node_id(const char *s);

/* group_type.DEVICE: the type of the group holding a device */
static int group_type_pair(struct lab_yaml *c, const char *key, yaml_node_t *k, yaml_node_t *v,
			   void *opaque)
{
	const struct lab_expect_key *ek = lab_expect_key("group_type");
	struct expects *x = opaque;
	char full[96];

	if (!lab_pci_addr_valid(key) && !valid_node_id(key))
		return lab_yaml_fail(c, k, "group_type: '%s' is neither a PCI device (ssss:bb:dd.f) "
				     "nor a topology id", key);
	if (lab_yaml_scalar(v) && !lab_yaml_one_of(lab_yaml_scalar(v), ek->values))
		return lab_yaml_fail(c, v, "group_type.%s must be one of: %s", key,
				     lab_yaml_joined(ek->values));
	snprintf(full, sizeof(full), "group_type.%s", key);
	return parse_alts(c, ek, full, v, add_expect(x, full, lab_yaml_line(k)));
}

/* A topology node's id: checked against the variant's topology once the
 * variant is read (check_topology_refs). */
static int valid_node_id(const char *s)
{
	if (!*s || strlen(s) > LAB_TOPO_ID_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return 1;
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

		if (!d || (!lab_pci_addr_valid(d) && !valid_node_id(d)))
			return lab_yaml_fail(c, lab_yaml_node(c, *i), "%s: '%s' is neither a PCI device "
					     "(ssss:bb:dd.f) nor a topology id", key, d ? d : "");
		json_object_array_add(set, json_object_new_string(d));
	}
	e = add_expect(x, key, lab_yaml_line(n));
	e->alts = calloc(1, sizeof(*e->alts));
	e->nalts = 1;
	e->alts[0].value = lab_steal(&set);
	e->alts[0].line = lab_yaml_line(n);
	return 0;
}

static int when_pair(struct lab_yaml *c, yaml_node_t *v, char **out);

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
		return when_pair(c, v, &a->when);
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
			add_expect(x, key, lab_yaml_line(k));   /* []: none of the matrix's */
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
			add_expect(x, "fields", lab_yaml_line(k));
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
			add_expect(x, key, lab_yaml_line(k));
			return 0;
		}
		if (v->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *i = v->data.sequence.items.start;
			     i < v->data.sequence.items.top; i++)
				if (parse_alts(c, ek, key, lab_yaml_node(c, *i),
					       add_expect(x, key, lab_yaml_line(lab_yaml_node(c, *i)))) < 0)
					return -1;
			return 0;
		}
	}
	return parse_alts(c, ek, key, v, add_expect(x, key, lab_yaml_line(k)));
}

static int get_expects(struct lab_yaml *c, yaml_node_t *n, struct lab_expect **out, size_t *len)
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

/* ---- qemu options ---------------------------------------------------------- */

static int qemu_pair(struct lab_yaml *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *opaque)
{
	json_object *obj = opaque;
	const char *val = lab_yaml_scalar(v);

	if (!lab_domain_valid_opt(key))
		return lab_yaml_fail(c, k, "qemu: bad property name '%s'", key);
	if (!val || !lab_domain_valid_opt(val))
		return lab_yaml_fail(c, v, "qemu: %s needs a plain value (letters, digits, . _ : + -)", key);
	json_object_object_add(obj, key, json_object_new_string(val));
	return 0;
}

static int get_qemu(struct lab_yaml *c, yaml_node_t *n, json_object **out)
{
	if (!*out)
		*out = json_object_new_object();
	return lab_yaml_each_pair(c, n, "qemu", NULL, qemu_pair, *out);
}

/* ---- variants and the file ------------------------------------------------- */

static int valid_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* ---- DMA probes ------------------------------------------------------------ */

static const char *const probe_modes[] = { "vfio", "raw", "block", "crash", "hotplug", "reset",
					   NULL };
/* a reset probe: the host resets the guest (virDomainReset), or the guest
 * reboots itself (harness/reset.h) */
static const char *const probe_hows[] = { "reset", "reboot", NULL };
static const char *const probe_disks[] = { "virtio", "nvme", NULL };
static const char *const probe_dirs[] = { "read", "write", NULL };
static const char *const round_trips[] = { "exact", "mismatch", NULL };
static const char *const map_accesses[] = { "rw", "read", "write", NULL };
static const char *const fault_keys[] = { "iommu", "event", "code", "access", "address",
					  "stream_id", "device", "requester", "equals", "when",
					  "xfail", NULL };
/* whom a fault must name: the probe's device itself, or the requester ID
 * a PCIe-to-PCI bridge above it stands in with (its alias) */
static const char *const requesters[] = { "self", "alias", NULL };

struct probe_ctx {
	struct lab_variant *var;
	json_object *probe;          /* the request the agent gets */
	const char *name;
	struct expects x;
};

static int fault_pair(struct lab_yaml *c, const char *key, yaml_node_t *k, yaml_node_t *v,
		      void *opaque)
{
	struct lab_expect_alt *alt = opaque;

	(void)k;
	if (!lab_yaml_scalar(v))
		return lab_yaml_fail(c, v, "fault.%s must be a value", key);
	/* `xfail:` inside the fault: the fault is a known emulator gap */
	if (!strcmp(key, "xfail"))
		return lab_yaml_str(c, v, "xfail", &alt->xfail);
	if (!strcmp(key, "when"))
		return when_pair(c, v, &alt->when);
	if (!strcmp(key, "requester") && !lab_yaml_one_of(lab_yaml_scalar(v), requesters))
		return lab_yaml_fail(c, v, "fault.requester must be one of: %s",
				     lab_yaml_joined(requesters));
	json_object_object_add(alt->value, key, scalar_json(v));
	return 0;
}

/* One alternative of a probe's expectation: a value, {equals, when, xfail},
 * or for fault: none or {FAULT FIELDS..., when, xfail}. */
static int probe_alt(struct lab_yaml *c, const char *key, const char *full, yaml_node_t *v,
		     struct lab_expect_alt *alt)
{
	alt->line = lab_yaml_line(v);
	if (!strcmp(key, "fault")) {
		if (lab_yaml_scalar(v) && !strcmp(lab_yaml_scalar(v), "none")) {
			alt->value = json_object_new_string("none");
			return 0;
		}
		alt->value = json_object_new_object();
		if (lab_yaml_each_pair(c, v, "fault", fault_keys, fault_pair, alt) < 0)
			return -1;
		/* {equals: none, when: ...}: no fault, under a condition */
		if (json_object_object_get_ex(alt->value, "equals", NULL)) {
			json_object *eq = json_object_get(json_object_object_get(alt->value, "equals"));

			if (json_object_object_length(alt->value) != 1 ||
			    !json_object_is_type(eq, json_type_string) ||
			    strcmp(json_object_get_string(eq), "none")) {
				json_object_put(eq);
				return lab_yaml_fail(c, v, "%s: 'equals' takes only none (a fault's "
						     "fields go in the mapping itself)", full);
			}
			json_object_put(alt->value);
			alt->value = eq;
		}
		return 0;
	}
	if (v->type == YAML_MAPPING_NODE) {
		/* {equals: ..., xfail: ...} for a known emulator limitation */
		struct alt_ctx a = { lab_expect_key("fields"), full, alt, v };
		static const char *const alt_keys[] = { "equals", "when", "xfail", NULL };

		if (lab_yaml_each_pair(c, v, full, alt_keys, alt_pair, &a) < 0)
			return -1;
	} else if (lab_yaml_scalar(v)) {
		alt->value = scalar_json(v);
	} else {
		return lab_yaml_fail(c, v, "%s must be a value", full);
	}
	if (!strcmp(key, "round_trip") &&
	    (!json_object_is_type(alt->value, json_type_string) ||
	     !lab_yaml_one_of(json_object_get_string(alt->value), round_trips)))
		return lab_yaml_fail(c, v, "round_trip must be one of: %s", lab_yaml_joined(round_trips));
	if (!strcmp(key, "domain_type") &&
	    (!json_object_is_type(alt->value, json_type_string) ||
	     !lab_yaml_one_of(json_object_get_string(alt->value),
		     lab_expect_key("default_domain")->values)))
		return lab_yaml_fail(c, v, "domain_type must be one of: %s",
			    lab_yaml_joined(lab_expect_key("default_domain")->values));
	if (strcmp(key, "round_trip") && strcmp(key, "domain_type") &&
	    !json_object_is_type(alt->value, json_type_boolean))
		return lab_yaml_fail(c, v, "%s must be true or false", full);
	return 0;
}

/* KEY: one alternative, or a list of them, the first whose `when` holds
 * counting (as the run's own expectations do) */
static int probe_expect_pair(struct lab_yaml *c, const char *key, yaml_node_t *k, yaml_node_t *v,
			     void *opaque)
{
	struct probe_ctx *p = opaque;
	struct lab_expect *e;
	char full[160];
	size_t n = v->type == YAML_SEQUENCE_NODE
		   ? (size_t)(v->data.sequence.items.top - v->data.sequence.items.start) : 1;

	snprintf(full, sizeof(full), "probe.%s.%s", p->name, key);
	if (!n)
		return lab_yaml_fail(c, v, "%s: an empty list of alternatives", full);
	e = add_expect(&p->x, full, lab_yaml_line(k));
	e->alts = calloc(n, sizeof(*e->alts));
	if (v->type != YAML_SEQUENCE_NODE) {
		e->nalts = 1;
		return probe_alt(c, key, full, v, &e->alts[0]);
	}
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++)
		if (probe_alt(c, key, full, lab_yaml_node(c, *i), &e->alts[e->nalts++]) < 0)
			return -1;
	return 0;
}

static int probe_pair(struct lab_yaml *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *opaque)
{
	static const char *const expect_keys_probe[] = {
		"round_trip", "blocked", "landed", "completed", "canary_intact", "fault",
		"irq_delivered", "irq_remapped", "match", "domain_type", "access_platform",
		"vfio_viable", "attached", "removed", "group_gone", "rebooted", "groups_same",
		"types_same", NULL
	};
	struct probe_ctx *p = opaque;
	const char *s = lab_yaml_scalar(v);

	(void)k;
	if (!strcmp(key, "expect")) {
		if (!p->name)
			return lab_yaml_fail(c, k, "a probe's name must come before its expect");
		return lab_yaml_each_pair(c, v, "probe expect", expect_keys_probe, probe_expect_pair, p);
	}
	if (!s)
		return lab_yaml_fail(c, v, "probe %s must be a value", key);
	if (!strcmp(key, "name")) {
		if (!valid_name(s))
			return lab_yaml_fail(c, v, "probe name '%s': letters, digits, _ and - only", s);
		p->name = s;
	} else if (!strcmp(key, "mode") && !lab_yaml_one_of(s, probe_modes)) {
		return lab_yaml_fail(c, v, "mode must be one of: %s", lab_yaml_joined(probe_modes));
	} else if (!strcmp(key, "how") && !lab_yaml_one_of(s, probe_hows)) {
		return lab_yaml_fail(c, v, "how must be one of: %s", lab_yaml_joined(probe_hows));
	} else if (!strcmp(key, "direction") && !lab_yaml_one_of(s, probe_dirs)) {
		return lab_yaml_fail(c, v, "direction must be one of: %s", lab_yaml_joined(probe_dirs));
	} else if (!strcmp(key, "map_access") && !lab_yaml_one_of(s, map_accesses)) {
		return lab_yaml_fail(c, v, "map_access must be one of: %s", lab_yaml_joined(map_accesses));
	} else if (!strcmp(key, "address")) {
		char *end;
		unsigned long long a;

		errno = 0;
		a = strtoull(s, &end, 16);
		if (strncmp(s, "0x", 2) || !s[2] || *end || errno || !a)
			return lab_yaml_fail(c, v, "address must be a non-zero hex address (e.g. \"0xfee00000\")");
	} else if (!strcmp(key, "port") && !valid_node_id(s)) {
		return lab_yaml_fail(c, v, "port: an empty root-port of the variant's topology, by id");
	} else if (!strcmp(key, "device") && !valid_node_id(s)) {
		return lab_yaml_fail(c, v, "device: an edu of the variant's topology, by id");
	} else if (!strcmp(key, "disk") && !lab_yaml_one_of(s, probe_disks)) {
		return lab_yaml_fail(c, v, "disk must be one of: %s", lab_yaml_joined(probe_disks));
	} else if (!strcmp(key, "iova")) {
		char *end;
		unsigned long long iova;

		errno = 0;
		iova = strtoull(s, &end, 0);
		if (!*s || *end || errno || iova & 0xfff)
			return lab_yaml_fail(c, v, "iova must be a 4 KiB-aligned number (e.g. \"0x100000\")");
	} else if (!strcmp(key, "size")) {
		unsigned size;

		/* the agent's limit (common/dma_request.h: QEMU 7.2's edu
		 * aborts on a 4096-byte transfer) */
		if (lab_yaml_uint(c, v, "size", 1, DMA_MAX_SIZE, &size) < 0)
			return -1;
		json_object_object_add(p->probe, key, json_object_new_int((int)size));
		return 0;
	} else if (!strcmp(key, "map") || !strcmp(key, "unmap_first") || !strcmp(key, "peer") ||
		   !strcmp(key, "irq") || !strcmp(key, "bind_group") || !strcmp(key, "vfio_claim")) {
		lab_autojson json_object *b = scalar_json(v);

		if (!json_object_is_type(b, json_type_boolean))
			return lab_yaml_fail(c, v, "%s must be true or false", key);
		json_object_object_add(p->probe, key, lab_steal(&b));
		return 0;
	}
	json_object_object_add(p->probe, key, json_object_new_string(s));
	return 0;
}

/* A probe whose mode takes one key of its own (a hotplug probe's port, a
 * reset probe's how) and nothing else: that key, and no other. */
static int one_key_probe(struct lab_yaml *c, yaml_node_t *pn, const struct probe_ctx *p,
			 const char *mode, const char *key, const char *what)
{
	json_object_object_foreach(p->probe, k, v) {
		(void)v;
		if (strcmp(k, "mode") && strcmp(k, key) && strcmp(k, "name"))
			return lab_yaml_fail(c, pn, "probe %s: a %s probe takes only %s (%s), not "
					     "'%s'", p->name, mode, key, what, k);
	}
	if (!json_object_object_get_ex(p->probe, key, NULL))
		return lab_yaml_fail(c, pn, "probe %s: a %s probe needs %s (%s)", p->name, mode, key,
				     what);
	return 0;
}

/* What each mode needs: a DMA probe a direction, a block probe a disk and
 * nothing of the DMA's. */
static int check_probe(struct lab_yaml *c, yaml_node_t *pn, const struct probe_ctx *p)
{
	static const char *const dma_only[] = { "direction", "iova", "size", "map", "unmap_first",
						"peer", "irq", "device", "bind_group", "map_access",
						"address", "vfio_claim", NULL };
	json_object *mode;
	int block;

	if (!p->name || !json_object_object_get_ex(p->probe, "mode", &mode))
		return lab_yaml_fail(c, pn, "a probe needs name and mode");
	block = !strcmp(json_object_get_string(mode), "block");
	/* the run's virtio disk, plugged into port: nothing else to say */
	if (!strcmp(json_object_get_string(mode), "hotplug"))
		return one_key_probe(c, pn, p, "hotplug", "port", "an empty root-port of the "
				     "topology, where it plugs the run's virtio disk");
	if (json_object_object_get_ex(p->probe, "port", NULL))
		return lab_yaml_fail(c, pn, "probe %s: port is for hotplug probes", p->name);
	/* the guest's own test device and the topology's edus: nothing
	 * else to say */
	if (!strcmp(json_object_get_string(mode), "reset"))
		return one_key_probe(c, pn, p, "reset", "how", lab_yaml_joined(probe_hows));
	if (json_object_object_get_ex(p->probe, "how", NULL))
		return lab_yaml_fail(c, pn, "probe %s: how is for reset probes", p->name);
	if (!strcmp(json_object_get_string(mode), "crash")) {
		/* the guest panics: nothing else to say, and no probe after it */
		char prefix[160];

		snprintf(prefix, sizeof(prefix), "probe.%s.", p->name);
		for (size_t i = 0; i < p->x.n; i++)
			if (!strncmp(p->x.v[i].key, prefix, strlen(prefix)))
				return lab_yaml_fail(c, pn, "probe %s: a crash probe has no expect (the "
					    "run's status says what happened)", p->name);
		if (json_object_object_length(p->probe) > 2)     /* name, mode */
			return lab_yaml_fail(c, pn, "probe %s: a crash probe takes only a name", p->name);
		return 0;
	}
	if (block) {
		for (size_t i = 0; dma_only[i]; i++)
			if (json_object_object_get_ex(p->probe, dma_only[i], NULL))
				return lab_yaml_fail(c, pn, "probe %s: a block probe takes no '%s'", p->name,
					    dma_only[i]);
		if (!json_object_object_get_ex(p->probe, "disk", NULL))
			return lab_yaml_fail(c, pn, "probe %s: a block probe needs disk (%s)", p->name,
				    lab_yaml_joined(probe_disks));
		return 0;
	}
	if (json_object_object_get_ex(p->probe, "disk", NULL))
		return lab_yaml_fail(c, pn, "probe %s: disk is for block probes", p->name);
	if (!json_object_object_get_ex(p->probe, "direction", NULL))
		return lab_yaml_fail(c, pn, "probe %s: a DMA probe needs a direction", p->name);
	return 0;
}

const char *lab_scenario_probe_mode(json_object *probe)
{
	const char *m = json_object_get_string(json_object_object_get(probe, "mode"));

	return m ? m : "";
}

int lab_scenario_probes_need_disks(json_object *probes)
{
	for (size_t i = 0; probes && i < json_object_array_length(probes); i++) {
		const char *mode = lab_scenario_probe_mode(json_object_array_get_idx(probes, i));

		if (!strcmp(mode, "block") || !strcmp(mode, "hotplug"))
			return 1;
	}
	return 0;
}

int lab_scenario_probes_need_restart(json_object *probes)
{
	for (size_t i = 0; probes && i < json_object_array_length(probes); i++)
		if (!strcmp(lab_scenario_probe_mode(json_object_array_get_idx(probes, i)), "reset"))
			return 1;
	return 0;
}

int lab_scenario_probes_need_peer(json_object *probes)
{
	for (size_t i = 0; probes && i < json_object_array_length(probes); i++)
		if (json_object_get_boolean(json_object_object_get(
			    json_object_array_get_idx(probes, i), "peer")))
			return 1;
	return 0;
}

static int get_probes(struct lab_yaml *c, yaml_node_t *n, struct lab_variant *var)
{
	static const char *const probe_keys[] = {
		"name", "mode", "direction", "iova", "size", "map", "unmap_first", "peer", "irq",
		"disk", "device", "bind_group", "port", "map_access", "address", "vfio_claim",
		"how", "expect", NULL
	};

	if (n->type != YAML_SEQUENCE_NODE)
		return lab_yaml_fail(c, n, "probes must be a list");
	if (!var->probes)
		var->probes = json_object_new_array();
	for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
		yaml_node_t *pn = lab_yaml_node(c, *i);
		struct probe_ctx p = { var, json_object_new_object(), NULL,
				       { var->expects, var->nexpects } };
		int rc = lab_yaml_each_pair(c, pn, "probe", probe_keys, probe_pair, &p);

		var->expects = p.x.v;
		var->nexpects = p.x.n;
		if (rc == 0)
			rc = check_probe(c, pn, &p);
		/* what the probes before a reset did is in the first boot's
		 * kernel log, the one the run keeps (harness/reset.h): a probe
		 * after it would be judged by the wrong boot's log */
		for (size_t j = 0; rc == 0 && j < json_object_array_length(var->probes); j++) {
			json_object *q = json_object_array_get_idx(var->probes, j);

			if (!strcmp(lab_scenario_probe_mode(q), "reset"))
				rc = lab_yaml_fail(c, pn, "probe %s comes after the reset probe %s: a "
						   "reset probe comes last (the probes before it are "
						   "judged by the first boot's kernel log)", p.name,
						   json_object_get_string(json_object_object_get(q, "name")));
		}
		if (rc < 0) {
			json_object_put(p.probe);
			return -1;
		}
		json_object_object_add(p.probe, "name", json_object_new_string(p.name));
		json_object_array_add(var->probes, p.probe);
	}
	return 0;
}

/* topology: NAME, the file topologies/NAME.yaml beside the scenario file */
static int get_topology(struct lab_yaml *c, yaml_node_t *v, struct lab_variant *var)
{
	const char *name = lab_yaml_scalar(v);
	const char *slash = strrchr(c->file, '/');
	struct lab_error terr = { 0 };
	struct lab_topology *t;
	char path[PATH_MAX];

	if (!name || !valid_name(name))
		return lab_yaml_fail(c, v, "topology: the name of a file in topologies/ (letters, "
				     "digits, _ and -)");
	snprintf(path, sizeof(path), "%.*stopologies/%s.yaml", slash ? (int)(slash - c->file + 1) : 0,
		 c->file, name);
	t = lab_topology_load(path, &terr);
	if (!t)
		return lab_yaml_fail(c, v, "topology %s: %s", name, terr.msg);
	var->topology = lab_topology_to_json(t);
	lab_topology_free(t);
	return 0;
}

/* Is dev a PCI address, or a node of the topology (of kind, when kind is
 * not LAB_TOPO_KIND_N)? */
static int known_device(json_object *topo, const char *dev, int kind)
{
	json_object *nodes = json_object_object_get(topo, "nodes");

	if (lab_pci_addr_valid(dev))
		return kind == LAB_TOPO_KIND_N;
	for (size_t i = 0; nodes && i < json_object_array_length(nodes); i++) {
		json_object *n = json_object_array_get_idx(nodes, i);

		if (!strcmp(json_object_get_string(json_object_object_get(n, "id")), dev))
			return kind == LAB_TOPO_KIND_N || kind == lab_topo_kind_by_name(
				json_object_get_string(json_object_object_get(n, "kind")));
	}
	return 0;
}

/* Does a node sit on the node called id? */
static int port_used(json_object *topo, const char *id)
{
	json_object *nodes = json_object_object_get(topo, "nodes");

	for (size_t i = 0; nodes && i < json_object_array_length(nodes); i++) {
		const char *bus = json_object_get_string(json_object_object_get(
			json_object_array_get_idx(nodes, i), "bus"));

		if (bus && !strcmp(bus, id))
			return 1;
	}
	return 0;
}

/* Every id the variant's expectations and probes name is a node of its
 * topology (the matrix's expectations have no topology to name). */
static int check_topology_refs(struct lab_yaml *c, yaml_node_t *vn, struct lab_expect *ex,
			       size_t nex, json_object *topo, json_object *probes)
{
	int hotplugs = 0;

	for (size_t i = 0; i < nex; i++) {
		const struct lab_expect_key *ek = lab_expect_key_of(ex[i].key);
		json_object *set;

		if (!strncmp(ex[i].key, "group_type.", 11) && !known_device(topo, ex[i].key + 11,
									   LAB_TOPO_KIND_N))
			return lab_yaml_fail_line(c, ex[i].line, "group_type: '%s' is %s", ex[i].key + 11,
						  topo ? "not a node of the variant's topology"
						       : "no PCI device, and the variant has no topology");
		if (!ek || (ek->value != LAB_EXPECT_DEVICES && ek->value != LAB_EXPECT_DEVICE_LIST) ||
		    !ex[i].nalts)
			continue;
		set = ex[i].alts[0].value;
		for (size_t j = 0; j < json_object_array_length(set); j++) {
			const char *d = json_object_get_string(json_object_array_get_idx(set, j));

			if (!known_device(topo, d, LAB_TOPO_KIND_N))
				return lab_yaml_fail_line(c, ex[i].line, "%s: '%s' is %s", ex[i].key, d,
							  topo ? "not a node of the variant's topology"
							       : "no PCI device, and the variant has no "
								 "topology");
		}
	}
	for (size_t i = 0; probes && i < json_object_array_length(probes); i++) {
		json_object *p = json_object_array_get_idx(probes, i);
		const char *d = json_object_get_string(json_object_object_get(p, "device"));

		if (d && !known_device(topo, d, LAB_TOPO_EDU))
			return lab_yaml_fail(c, vn, "probe %s: device '%s' is not an edu of the %s",
					     json_object_get_string(json_object_object_get(p, "name")),
					     d, topo ? "variant's topology" : "run (no topology)");
		d = json_object_get_string(json_object_object_get(p, "port"));
		if (d && (!known_device(topo, d, LAB_TOPO_ROOT_PORT) || port_used(topo, d)))
			return lab_yaml_fail(c, vn, "probe %s: port '%s' is not an empty root-port of "
					     "the %s", json_object_get_string(
						     json_object_object_get(p, "name")), d,
					     topo ? "variant's topology" : "run (no topology)");
		if (d && hotplugs++)
			return lab_yaml_fail(c, vn, "one hotplug probe per variant (it plugs the run's "
					     "virtio disk)");
	}
	return 0;
}

static int when_pair(struct lab_yaml *c, yaml_node_t *v, char **out)
{
	if (lab_yaml_str(c, v, "when", out) < 0)
		return -1;
	if (lab_scenario_check_condition(*out, NULL) < 0)
		return lab_yaml_fail(c, v, "bad condition '%s' (e.g. \"qemu >= 10.0\", "
			    "\"kernel < 6.12 and libvirt >= 9.0\")", *out);
	return 0;
}

static int variant_pair(struct lab_yaml *c, const char *key, yaml_node_t *k, yaml_node_t *v,
			void *opaque)
{
	struct lab_variant *var = opaque;

	(void)k;
	if (!strcmp(key, "name")) {
		if (lab_yaml_str(c, v, "name", &var->name) < 0)
			return -1;
		if (!valid_name(var->name))
			return lab_yaml_fail(c, v, "variant name '%s': letters, digits, _ and - only",
				    var->name);
		return 0;
	}
	if (!strcmp(key, "description"))
		return lab_yaml_str(c, v, key, &var->description);
	if (!strcmp(key, "append"))
		return lab_yaml_str(c, v, key, &var->append);
	if (!strcmp(key, "skip"))
		return lab_yaml_str(c, v, key, &var->skip);
	if (!strcmp(key, "when"))
		return when_pair(c, v, &var->when);
	if (!strcmp(key, "qemu"))
		return get_qemu(c, v, &var->qemu);
	if (!strcmp(key, "machine"))
		return get_qemu(c, v, &var->machine);
	if (!strcmp(key, "probes"))
		return get_probes(c, v, var);
	if (!strcmp(key, "topology"))
		return get_topology(c, v, var);
	return get_expects(c, v, &var->expects, &var->nexpects);
}

static int check_platforms(struct lab_yaml *c, struct lab_scenario *s, yaml_node_t *n)
{
	for (size_t i = 0; i < s->nplatforms; i++) {
		struct lab_error perr = { 0 };
		struct lab_platform *p = lab_platform_load(c->user, s->platforms[i], &perr);

		if (!p)
			return lab_yaml_fail(c, n, "%s", perr.msg);
		lab_platform_free(p);
	}
	return 0;
}

static int top_pair(struct lab_yaml *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *opaque)
{
	static const char *const variant_keys[] = {
		"name", "description", "append", "qemu", "machine", "when", "skip", "expect",
		"probes", "topology", NULL
	};
	struct lab_scenario *s = opaque;

	(void)k;
	if (!strcmp(key, "matrix")) {
		if (lab_yaml_str(c, v, "matrix", &s->matrix) < 0)
			return -1;
		return valid_name(s->matrix) ? 0
			: lab_yaml_fail(c, v, "matrix name '%s': letters, digits, _ and - only", s->matrix);
	}
	if (!strcmp(key, "description"))
		return lab_yaml_str(c, v, key, &s->description);
	if (!strcmp(key, "platform") || !strcmp(key, "platforms")) {
		if (s->platforms)
			return lab_yaml_fail(c, k, "give 'platform' or 'platforms', not both");
		s->platform_line = lab_yaml_line(v);
		if (lab_yaml_list(c, v, key, &s->platforms, &s->nplatforms) < 0)
			return -1;
		return check_platforms(c, s, v);
	}
	if (!strcmp(key, "kernels")) {
		if (lab_yaml_list(c, v, key, &s->kernels, &s->nkernels) < 0)
			return -1;
		for (size_t i = 0; i < s->nkernels; i++)
			if (!lab_yaml_one_of(s->kernels[i], suites))
				return lab_yaml_fail(c, v, "unknown kernel '%s' (known: %s)", s->kernels[i],
					    lab_yaml_joined(suites));
		return 0;
	}
	if (!strcmp(key, "qemus")) {
		if (lab_yaml_list(c, v, key, &s->qemus, &s->nqemus) < 0)
			return -1;
		for (size_t i = 0; i < s->nqemus; i++)
			if (!lab_yaml_one_of(s->qemus[i], qemu_builds))
				return lab_yaml_fail(c, v, "unknown QEMU '%s' (known: %s; a QEMU you built "
					    "goes on the command line: --qemu PATH)", s->qemus[i],
					    lab_yaml_joined(qemu_builds));
		return 0;
	}
	if (!strcmp(key, "timeout"))
		return lab_yaml_uint(c, v, key, 5, 3600, &s->timeout_s);
	if (!strcmp(key, "memory"))
		return lab_yaml_uint(c, v, key, 128, 16384, &s->memory_mib);
	if (!strcmp(key, "append"))
		return lab_yaml_str(c, v, key, &s->append);
	if (!strcmp(key, "qemu"))
		return get_qemu(c, v, &s->qemu);
	if (!strcmp(key, "machine"))
		return get_qemu(c, v, &s->machine);
	if (!strcmp(key, "expect"))
		return get_expects(c, v, &s->expects, &s->nexpects);
	/* variants */
	if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.start == v->data.sequence.items.top)
		return lab_yaml_fail(c, v, "variants must be a non-empty list");
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
		yaml_node_t *vn = lab_yaml_node(c, *i);
		struct lab_variant *var;

		s->variants = realloc(s->variants, (s->nvariants + 1) * sizeof(*s->variants));
		var = &s->variants[s->nvariants++];
		memset(var, 0, sizeof(*var));
		var->line = lab_yaml_line(vn);
		if (lab_yaml_each_pair(c, vn, "variant", variant_keys, variant_pair, var) < 0 ||
		    check_topology_refs(c, vn, var->expects, var->nexpects, var->topology,
					var->probes) < 0)
			return -1;
		if (!var->name)
			return lab_yaml_fail(c, vn, "variant without a name");
		for (size_t j = 0; j + 1 < s->nvariants; j++)
			if (!strcmp(s->variants[j].name, var->name))
				return lab_yaml_fail(c, vn, "variant '%s' given twice (first at line %d)",
					    var->name, s->variants[j].line);
	}
	return 0;
}

struct lab_scenario *lab_scenario_load(const char *file, const char *platforms_dir,
				       struct lab_error *err)
{
	static const char *const top_keys[] = {
		"matrix", "description", "platform", "platforms", "kernels", "qemus", "timeout",
		"memory", "append", "qemu", "machine", "expect", "variants", NULL
	};
	struct lab_yaml c;
	struct lab_scenario *s = calloc(1, sizeof(*s));
	yaml_node_t *root = lab_yaml_load(&c, file, err);
	int rc = -1;

	c.user = platforms_dir;
	s->file = strdup(file);
	if (root && lab_yaml_each_pair(&c, root, "the file", top_keys, top_pair, s) == 0) {
		if (!s->matrix)
			lab_yaml_fail(&c, root, "missing 'matrix' (the matrix's name)");
		else if (!s->platforms)
			lab_yaml_fail(&c, root, "missing 'platform'");
		else if (!s->variants)
			lab_yaml_fail(&c, root, "missing 'variants'");
		else
			rc = 0;
	}
	if (rc == 0 && !s->kernels) {
		s->kernels = calloc(2, sizeof(char *));
		s->kernels[0] = strdup("bookworm");
		s->nkernels = 1;
	}
	if (rc == 0 && !s->qemus) {
		s->qemus = calloc(2, sizeof(char *));
		s->qemus[0] = strdup("system");
		s->nqemus = 1;
	}
	lab_yaml_close(&c);
	if (rc < 0) {
		lab_scenario_free(s);
		return NULL;
	}
	return s;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_expects(struct lab_expect *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect_free(&e[i]);
	free(e);
}

void lab_scenario_free(struct lab_scenario *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nvariants; i++) {
		struct lab_variant *v = &s->variants[i];

		free(v->name);
		free(v->description);
		free(v->append);
		json_object_put(v->qemu);
		json_object_put(v->machine);
		free(v->when);
		free(v->skip);
		json_object_put(v->probes);
		json_object_put(v->topology);
		free_expects(v->expects, v->nexpects);
	}
	free(s->variants);
	free_expects(s->expects, s->nexpects);
	free_list(s->platforms, s->nplatforms);
	free_list(s->kernels, s->nkernels);
	free_list(s->qemus, s->nqemus);
	json_object_put(s->qemu);
	json_object_put(s->machine);
	free(s->append);
	free(s->description);
	free(s->matrix);
	free(s->file);
	free(s);
}
