/* SPDX-License-Identifier: MIT */
/*
 * A variant's probes (docs/scenarios.md, "Probes"): each probe's request
 * for the agent, checked for what its mode takes, and its expectations
 * ("probe.NAME.KEY"); what the probes ask of the guest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "dma_request.h"
#include "jsonval.h"
#include "perf_request.h"
#include "scenario_internal.h"
#include "topology.h"

static const char *const probe_modes[] = { "vfio", "raw", "block", "crash", "hotplug", "reset",
					   "perf", NULL };
/* a perf probe: what it measures (common/perf_request.h) and how edu_rtt
 * reaches the device */
static const char *const perf_measures[] = { "vfio_map", "edu_rtt", "block_read", "pgtable",
					     NULL };
static const char *const perf_vias[] = { "vfio", "raw", NULL };
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
		return scenario_when_pair(c, v, &alt->when);
	if (!strcmp(key, "requester") && !lab_yaml_one_of(lab_yaml_scalar(v), requesters))
		return lab_yaml_fail(c, v, "fault.requester must be one of: %s",
				     lab_yaml_joined(requesters));
	json_object_object_add(alt->value, key, scenario_scalar_json(v));
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

		if (lab_yaml_each_pair(c, v, full, alt_keys, scenario_alt_pair, &a) < 0)
			return -1;
	} else if (lab_yaml_scalar(v)) {
		alt->value = scenario_scalar_json(v);
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
	e = scenario_add_expect(&p->x, full, lab_yaml_line(k));
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

/* sizes: [4096, 65536, ...]: byte counts VFIO maps, each a multiple of
 * 4096 within the agent's limits (common/perf_request.h) */
static int perf_sizes(struct lab_yaml *c, yaml_node_t *v, struct probe_ctx *p)
{
	json_object *sizes;
	size_t n = v->type == YAML_SEQUENCE_NODE
		   ? (size_t)(v->data.sequence.items.top - v->data.sequence.items.start) : 0;

	if (!n || n > PERF_SIZES_MAX)
		return lab_yaml_fail(c, v, "sizes must be a list of 1 to %d byte counts", PERF_SIZES_MAX);
	sizes = json_object_new_array();
	json_object_object_add(p->probe, "sizes", sizes);
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
		yaml_node_t *e = lab_yaml_node(c, *i);
		unsigned size;

		if (lab_yaml_uint(c, e, "each of sizes", (unsigned)PERF_SIZE_MIN,
				  (unsigned)PERF_SIZE_MAX, &size) < 0)
			return -1;
		if (size % 4096)
			return lab_yaml_fail(c, e, "each of sizes must be a multiple of 4096 (bytes)");
		json_object_array_add(sizes, json_object_new_int64(size));
	}
	return 0;
}

static int probe_pair(struct lab_yaml *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *opaque)
{
	static const char *const expect_keys_probe[] = {
		"round_trip", "blocked", "landed", "completed", "canary_intact", "fault",
		"irq_delivered", "irq_remapped", "match", "domain_type", "access_platform",
		"vfio_viable", "attached", "removed", "group_gone", "rebooted", "groups_same",
		"types_same", "counted", NULL
	};
	struct probe_ctx *p = opaque;
	const char *s = lab_yaml_scalar(v);

	(void)k;
	if (!strcmp(key, "expect")) {
		if (!p->name)
			return lab_yaml_fail(c, k, "a probe's name must come before its expect");
		return lab_yaml_each_pair(c, v, "probe expect", expect_keys_probe, probe_expect_pair, p);
	}
	if (!strcmp(key, "sizes"))
		return perf_sizes(c, v, p);
	if (!s)
		return lab_yaml_fail(c, v, "probe %s must be a value", key);
	if (!strcmp(key, "name")) {
		if (!scenario_valid_name(s))
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
	} else if (!strcmp(key, "port") && !lab_topology_valid_id(s)) {
		return lab_yaml_fail(c, v, "port: an empty root-port of the variant's topology, by id");
	} else if (!strcmp(key, "device") && !lab_topology_valid_id(s)) {
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
	} else if (!strcmp(key, "measure") && !lab_yaml_one_of(s, perf_measures)) {
		return lab_yaml_fail(c, v, "measure must be one of: %s", lab_yaml_joined(perf_measures));
	} else if (!strcmp(key, "via") && !lab_yaml_one_of(s, perf_vias)) {
		return lab_yaml_fail(c, v, "via must be one of: %s", lab_yaml_joined(perf_vias));
	} else if (!strcmp(key, "iterations") || !strcmp(key, "mib") || !strcmp(key, "block_kib")) {
		/* the agent's limits (common/perf_request.h); iterations of
		 * edu_rtt are checked against its own limit in check_perf */
		unsigned n, max = !strcmp(key, "iterations") ? PERF_ITER_MAX
				  : !strcmp(key, "mib") ? PERF_MIB_MAX : PERF_BLOCK_KIB_MAX;

		if (lab_yaml_uint(c, v, key, !strcmp(key, "block_kib") ? 4 : 1, max, &n) < 0)
			return -1;
		if (!strcmp(key, "block_kib") && n % 4)
			return lab_yaml_fail(c, v, "block_kib must be a multiple of 4");
		json_object_object_add(p->probe, key, json_object_new_int((int)n));
		return 0;
	} else if (!strcmp(key, "map") || !strcmp(key, "unmap_first") || !strcmp(key, "peer") ||
		   !strcmp(key, "irq") || !strcmp(key, "bind_group") || !strcmp(key, "vfio_claim")) {
		lab_autojson json_object *b = scenario_scalar_json(v);

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

static const char *const perf_only[] = { "measure", "sizes", "iterations", "via", "mib",
					"block_kib", NULL };

/* A perf probe (common/perf_request.h): a measure, and of the perf keys
 * only those it takes; nothing of a DMA probe's. */
static int check_perf(struct lab_yaml *c, yaml_node_t *pn, const struct probe_ctx *p,
		      const char *const *dma_only)
{
	/* which measures take each key */
	static const struct {
		const char *key;
		const char *measures[3];
	} takes[] = {
		{ "sizes", { "vfio_map" } },
		{ "iterations", { "vfio_map", "edu_rtt" } },
		{ "via", { "edu_rtt" } },
		{ "disk", { "block_read" } },
		{ "mib", { "block_read", "pgtable" } },
		{ "block_kib", { "block_read" } },
	};
	const char *m = lab_jsonval_str(p->probe, "measure");
	json_object *it;

	if (!m)
		return lab_yaml_fail(c, pn, "probe %s: a perf probe needs measure (%s)", p->name,
				     lab_yaml_joined(perf_measures));
	for (size_t i = 0; dma_only[i]; i++)
		if (json_object_object_get_ex(p->probe, dma_only[i], NULL))
			return lab_yaml_fail(c, pn, "probe %s: a perf probe takes no '%s'", p->name,
					     dma_only[i]);
	for (size_t i = 0; i < sizeof(takes) / sizeof(takes[0]); i++) {
		int ok = 0;

		if (!json_object_object_get_ex(p->probe, takes[i].key, NULL))
			continue;
		for (size_t j = 0; j < 3 && takes[i].measures[j]; j++)
			ok |= !strcmp(m, takes[i].measures[j]);
		if (!ok)
			return lab_yaml_fail(c, pn, "probe %s: %s is not for measure %s (it is for %s%s%s)",
					     p->name, takes[i].key, m, takes[i].measures[0],
					     takes[i].measures[1] ? " and " : "",
					     takes[i].measures[1] ? takes[i].measures[1] : "");
	}
	if (!strcmp(m, "block_read") && !json_object_object_get_ex(p->probe, "disk", NULL))
		return lab_yaml_fail(c, pn, "probe %s: measure block_read needs disk (%s)", p->name,
				     lab_yaml_joined(probe_disks));
	if (!strcmp(m, "edu_rtt") && json_object_object_get_ex(p->probe, "iterations", &it) &&
	    json_object_get_int(it) > PERF_RTT_ITER_MAX)
		return lab_yaml_fail(c, pn, "probe %s: edu_rtt takes at most %d iterations (each "
				     "round trip waits for edu's ~100 ms timer twice)", p->name,
				     PERF_RTT_ITER_MAX);
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
	if (!strcmp(json_object_get_string(mode), "perf"))
		return check_perf(c, pn, p, dma_only);
	for (size_t i = 0; perf_only[i]; i++)
		if (json_object_object_get_ex(p->probe, perf_only[i], NULL))
			return lab_yaml_fail(c, pn, "probe %s: %s is for perf probes", p->name,
					     perf_only[i]);
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

		const char *measure = lab_jsonval_str(json_object_array_get_idx(probes, i), "measure");

		if (!strcmp(mode, "block") || !strcmp(mode, "hotplug") ||
		    (!strcmp(mode, "perf") && measure && !strcmp(measure, "block_read")))
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

int scenario_get_probes(struct lab_yaml *c, yaml_node_t *n, struct lab_variant *var)
{
	static const char *const probe_keys[] = {
		"name", "mode", "direction", "iova", "size", "map", "unmap_first", "peer", "irq",
		"disk", "device", "bind_group", "port", "map_access", "address", "vfio_claim",
		"how", "measure", "sizes", "iterations", "via", "mib", "block_kib", "expect", NULL
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
