/* SPDX-License-Identifier: MIT */
#ifndef LAB_YAMLDOC_H
#define LAB_YAMLDOC_H

/*
 * The lab's YAML files (scenarios, topologies) read with libyaml's document
 * API, and the few checks every key needs. Every error names file:line.
 */
#include <yaml.h>

#include "error.h"

struct lab_yaml {
	const char *file;
	yaml_document_t doc;
	struct lab_error *err;
	const void *user;        /* the reader's own context */
	int loaded;
};

/* Parse file; its root node, or NULL with err set ("file:line: ..."). */
yaml_node_t *lab_yaml_load(struct lab_yaml *y, const char *file, struct lab_error *err);
void lab_yaml_close(struct lab_yaml *y);

int lab_yaml_line(const yaml_node_t *n);
int lab_yaml_fail(struct lab_yaml *y, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same for a line the reader kept (a check made after the node is gone). */
int lab_yaml_fail_line(struct lab_yaml *y, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
yaml_node_t *lab_yaml_node(struct lab_yaml *y, int index);
/* A scalar's text, or NULL for another kind of node. */
const char *lab_yaml_scalar(const yaml_node_t *n);
/* An unquoted scalar (true is a boolean, "true" a string). */
int lab_yaml_plain(const yaml_node_t *n);

int lab_yaml_str(struct lab_yaml *y, yaml_node_t *n, const char *what, char **out);
int lab_yaml_uint(struct lab_yaml *y, yaml_node_t *n, const char *what, unsigned min,
		  unsigned max, unsigned *out);
int lab_yaml_bool(struct lab_yaml *y, yaml_node_t *n, const char *what, int *out);
/* A scalar or a non-empty sequence of scalars. */
int lab_yaml_list(struct lab_yaml *y, yaml_node_t *n, const char *what, char ***out,
		  size_t *len);

int lab_yaml_one_of(const char *s, const char *const *set);
/* "a, b, c" (a static buffer: for one error message at a time) */
const char *lab_yaml_joined(const char *const *set);

/* A mapping's pairs, in order, refusing keys given twice and keys not in
 * known (NULL-terminated; NULL: any key). */
typedef int (*lab_yaml_pair_fn)(struct lab_yaml *y, const char *key, yaml_node_t *k,
				yaml_node_t *v, void *opaque);
int lab_yaml_each_pair(struct lab_yaml *y, yaml_node_t *map, const char *what,
		       const char *const *known, lab_yaml_pair_fn fn, void *opaque);

#endif
