/* SPDX-License-Identifier: MIT */
#include "scenario.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "expect.h"
#include "pci_addr.h"
#include "platform.h"
#include "qemu.h"
#include "scenario_internal.h"
#include "topology.h"
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

/* A condition is "and"-terms joined by " or " ("and" binds tighter): calls
 * fn(alternative, opaque) for each alternative, in a buffer of its own, until
 * one returns non-zero; returns that, or 0. -1 for one too long. */
static int each_alternative(const char *cond, int (*fn)(const char *alt, void *opaque),
			    void *opaque)
{
	for (const char *p = cond;;) {
		const char *or = strstr(p, " or ");
		size_t len = or ? (size_t)(or - p) : strlen(p);
		char alt[256];
		int rc;

		if (len >= sizeof(alt))
			return -1;
		memcpy(alt, p, len);
		alt[len] = '\0';
		if ((rc = fn(alt, opaque)) != 0)
			return rc;
		if (!or)
			return 0;
		p = or + 4;
	}
}

static int alternative_bad(const char *alt, void *opaque)
{
	(void)opaque;
	return each_term(alt, NULL, NULL) < 0 ? -1 : 0;
}

int lab_scenario_check_condition(const char *cond, struct lab_error *err)
{
	if (each_alternative(cond, alternative_bad, NULL) != 0) {
		lab_error_set(err, "bad condition '%s': want e.g. \"qemu >= 10.0\" or "
			      "\"kernel < 6.12 and platform == amd or qemu >= 9.2\" (qemu, libvirt, kernel: "
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

/* 1 when every term of the alternative holds (why: the last that did not) */
static int alternative_holds(const char *alt, void *opaque)
{
	return each_term(alt, term_fails, opaque) == 0 ? 1 : 0;
}

int lab_scenario_condition_holds(const char *cond, const char *qemu, const char *libvirt,
				 const char *kernel, const char *platform, char *why, size_t why_len)
{
	struct eval e = { qemu, libvirt, kernel, platform, why, why_len };
	int holds = each_alternative(cond, alternative_holds, &e) == 1;

	/* an alternative that did not hold may have said why: it held after all */
	if (holds && why && why_len)
		why[0] = '\0';
	return holds;
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

int scenario_valid_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* topology: NAME, the file topologies/NAME.yaml beside the scenario file */
static int get_topology(struct lab_yaml *c, yaml_node_t *v, struct lab_variant *var)
{
	const char *name = lab_yaml_scalar(v);
	const char *slash = strrchr(c->file, '/');
	struct lab_error terr = { 0 };
	struct lab_topology *t;
	char path[PATH_MAX];

	if (!name || !scenario_valid_name(name))
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

/* Is dev a PCI address, or a node of t (of kind, when kind is not
 * LAB_TOPO_KIND_N)? */
static int known_device(const struct lab_topology *t, const char *dev, int kind)
{
	int i = lab_topology_find(t, dev);

	if (lab_pci_addr_valid(dev))
		return kind == LAB_TOPO_KIND_N;
	return i >= 0 && (kind == LAB_TOPO_KIND_N || (int)t->nodes[i].kind == kind);
}

/* Does a node sit on the node called id? */
static int port_used(const struct lab_topology *t, const char *id)
{
	int port = lab_topology_find(t, id);

	for (size_t i = 0; port >= 0 && i < t->n; i++)
		if (t->nodes[i].parent == port)
			return 1;
	return 0;
}

/* Every id the variant's expectations and probes name is a node of its
 * topology t (the matrix's expectations have no topology to name). */
static int check_refs(struct lab_yaml *c, yaml_node_t *vn, struct lab_expect *ex, size_t nex,
		      const struct lab_topology *t, json_object *probes)
{
	int hotplugs = 0;

	for (size_t i = 0; i < nex; i++) {
		const struct lab_expect_key *ek = lab_expect_key_of(ex[i].key);
		json_object *set;

		if (!strncmp(ex[i].key, "group_type.", 11) && !known_device(t, ex[i].key + 11,
									   LAB_TOPO_KIND_N))
			return lab_yaml_fail_line(c, ex[i].line, "group_type: '%s' is %s", ex[i].key + 11,
						  t ? "not a node of the variant's topology"
						    : "no PCI device, and the variant has no topology");
		if (!ek || (ek->value != LAB_EXPECT_DEVICES && ek->value != LAB_EXPECT_DEVICE_LIST) ||
		    !ex[i].nalts)
			continue;
		set = ex[i].alts[0].value;
		for (size_t j = 0; j < json_object_array_length(set); j++) {
			const char *d = json_object_get_string(json_object_array_get_idx(set, j));

			if (!known_device(t, d, LAB_TOPO_KIND_N))
				return lab_yaml_fail_line(c, ex[i].line, "%s: '%s' is %s", ex[i].key, d,
							  t ? "not a node of the variant's topology"
							    : "no PCI device, and the variant has no "
							      "topology");
		}
	}
	for (size_t i = 0; probes && i < json_object_array_length(probes); i++) {
		json_object *p = json_object_array_get_idx(probes, i);
		const char *d = json_object_get_string(json_object_object_get(p, "device"));

		if (d && !known_device(t, d, LAB_TOPO_EDU))
			return lab_yaml_fail(c, vn, "probe %s: device '%s' is not an edu of the %s",
					     json_object_get_string(json_object_object_get(p, "name")),
					     d, t ? "variant's topology" : "run (no topology)");
		d = json_object_get_string(json_object_object_get(p, "port"));
		if (d && (!known_device(t, d, LAB_TOPO_ROOT_PORT) || port_used(t, d)))
			return lab_yaml_fail(c, vn, "probe %s: port '%s' is not an empty root-port of "
					     "the %s", json_object_get_string(
						     json_object_object_get(p, "name")), d,
					     t ? "variant's topology" : "run (no topology)");
		if (d && hotplugs++)
			return lab_yaml_fail(c, vn, "one hotplug probe per variant (it plugs the run's "
					     "virtio disk)");
	}
	return 0;
}

/* check_refs against the variant's topology (its JSON form, or NULL) */
static int check_topology_refs(struct lab_yaml *c, yaml_node_t *vn, struct lab_expect *ex,
			       size_t nex, json_object *topo, json_object *probes)
{
	struct lab_error err = { 0 };
	struct lab_topology *t = topo ? lab_topology_from_json(topo, &err) : NULL;
	int rc;

	if (topo && !t)
		return lab_yaml_fail(c, vn, "topology: %s", err.msg);
	rc = check_refs(c, vn, ex, nex, t, probes);
	lab_topology_free(t);
	return rc;
}

int scenario_when_pair(struct lab_yaml *c, yaml_node_t *v, char **out)
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
		if (!scenario_valid_name(var->name))
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
		return scenario_when_pair(c, v, &var->when);
	if (!strcmp(key, "qemu"))
		return get_qemu(c, v, &var->qemu);
	if (!strcmp(key, "machine"))
		return get_qemu(c, v, &var->machine);
	if (!strcmp(key, "probes"))
		return scenario_get_probes(c, v, var);
	if (!strcmp(key, "topology"))
		return get_topology(c, v, var);
	return scenario_get_expects(c, v, &var->expects, &var->nexpects);
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

/* relations: a list of "VARIANT.PROBE.KEY OP VARIANT.PROBE.KEY" (relation.h);
 * the variants are checked once all are known (check_relations). */
static int get_relations(struct lab_yaml *c, yaml_node_t *v, struct lab_scenario *s)
{
	if (v->type != YAML_SEQUENCE_NODE)
		return lab_yaml_fail(c, v, "relations must be a list of strings");
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
		yaml_node_t *n = lab_yaml_node(c, *i);
		const char *text = lab_yaml_scalar(n);
		struct lab_error e = { 0 };
		struct lab_relation r;

		if (!text)
			return lab_yaml_fail(c, n, "a relation is a string");
		if (lab_relation_parse(text, &r, &e) < 0)
			return lab_yaml_fail(c, n, "%s", e.msg);
		r.line = lab_yaml_line(n);
		s->relations = realloc(s->relations, (s->nrelations + 1) * sizeof(*s->relations));
		s->relations[s->nrelations++] = r;
	}
	return 0;
}

static int check_relations(struct lab_yaml *c, const struct lab_scenario *s)
{
	for (size_t k = 0; k < s->nrelations; k++) {
		const char *vs[2] = { s->relations[k].lhs.variant, s->relations[k].rhs.variant };

		for (int j = 0; j < 2; j++) {
			size_t i;

			for (i = 0; vs[j] && i < s->nvariants && strcmp(s->variants[i].name, vs[j]); i++)
				;
			if (vs[j] && i == s->nvariants)
				return lab_yaml_fail_line(c, s->relations[k].line,
							  "relation names variant '%s', which this file does not have",
							  vs[j]);
		}
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
		return scenario_valid_name(s->matrix) ? 0
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
		return scenario_get_expects(c, v, &s->expects, &s->nexpects);
	if (!strcmp(key, "relations"))
		return get_relations(c, v, s);
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
		"memory", "append", "qemu", "machine", "expect", "variants", "relations", NULL
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
		else if (check_relations(&c, s) == 0)
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
		scenario_free_expects(v->expects, v->nexpects);
	}
	free(s->variants);
	for (size_t i = 0; i < s->nrelations; i++)
		lab_relation_clear(&s->relations[i]);
	free(s->relations);
	scenario_free_expects(s->expects, s->nexpects);
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
