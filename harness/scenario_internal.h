/* SPDX-License-Identifier: MIT */
#ifndef LAB_SCENARIO_INTERNAL_H
#define LAB_SCENARIO_INTERNAL_H

/*
 * What the scenario loader's files share, and nothing else includes (the
 * public API is scenario.h): scenario.c reads the file, its conditions,
 * QEMU options, variants and their topology; scenario_expect.c the
 * expectations of the file and of each variant; scenario_probe.c a
 * variant's probes (the agent's requests and their expectations,
 * "probe.NAME.KEY").
 *
 * Names shared between these files start with scenario_; each file's own
 * helpers are static and unprefixed.
 */
#include <stddef.h>

#include <json.h>

#include "expect.h"
#include "scenario.h"
#include "yamldoc.h"

/* ---- expectations (scenario_expect.c) ---------------------------------------- */

/* The expectations being read, grown an entry at a time. */
struct expects {
	struct lab_expect *v;
	size_t n;
};

/* One alternative being read as {equals, when, xfail} (scenario_alt_pair). */
struct alt_ctx {
	const struct lab_expect_key *ek;
	const char *key;
	struct lab_expect_alt *alt;
	yaml_node_t *value_node;
};

/* A scalar as JSON: a quoted one a string; a plain one null, a boolean, a
 * whole number or else a string. */
json_object *scenario_scalar_json(const yaml_node_t *n);
/* A new expectation key at line, its alternatives still to come. */
struct lab_expect *scenario_add_expect(struct expects *x, const char *key, int line);
/* One key of {equals, when, xfail} (lab_yaml_each_pair; opaque: struct alt_ctx). */
int scenario_alt_pair(struct lab_yaml *c, const char *key, yaml_node_t *k, yaml_node_t *v,
		      void *opaque);
/* An `expect:` mapping: its keys' expectations appended to *out (*len of them). */
int scenario_get_expects(struct lab_yaml *c, yaml_node_t *n, struct lab_expect **out,
			 size_t *len);
/* n expectations and the array holding them. */
void scenario_free_expects(struct lab_expect *e, size_t n);

/* ---- the file (scenario.c) --------------------------------------------------- */

/* A `when:` condition into *out, refused when malformed. */
int scenario_when_pair(struct lab_yaml *c, yaml_node_t *v, char **out);
/* A name (matrix, variant, probe, topology): letters, digits, _ and -, at most 64. */
int scenario_valid_name(const char *s);

/* ---- probes (scenario_probe.c) ----------------------------------------------- */

/* A variant's `probes:` list: each probe's request appended to var->probes,
 * its expectations to var->expects. */
int scenario_get_probes(struct lab_yaml *c, yaml_node_t *n, struct lab_variant *var);

#endif
