/* SPDX-License-Identifier: MIT */
#include "yamldoc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

yaml_node_t *lab_yaml_load(struct lab_yaml *y, const char *file, struct lab_error *err)
{
	yaml_parser_t parser;
	yaml_node_t *root = NULL;
	FILE *f = fopen(file, "re");

	memset(y, 0, sizeof(*y));
	y->file = file;
	y->err = err;
	if (!f) {
		lab_error_set_errno(err, errno, "%s", file);
		return NULL;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &y->doc)) {
		lab_error_set(err, "%s:%zu: %s%s%s", file, parser.problem_mark.line + 1,
			      parser.problem ? parser.problem : "YAML error",
			      parser.context ? " " : "", parser.context ? parser.context : "");
	} else {
		y->loaded = 1;
		root = yaml_document_get_root_node(&y->doc);
		if (!root)
			lab_yaml_fail(y, NULL, "empty file");
	}
	yaml_parser_delete(&parser);
	fclose(f);
	return root;
}

void lab_yaml_close(struct lab_yaml *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = 0;
}

int lab_yaml_line(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

int lab_yaml_fail(struct lab_yaml *y, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[LAB_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lab_error_set(y->err, "%s:%d: %s", y->file, lab_yaml_line(n), msg);
	return -1;
}

int lab_yaml_fail_line(struct lab_yaml *y, int line, const char *fmt, ...)
{
	char msg[LAB_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lab_error_set(y->err, "%s:%d: %s", y->file, line, msg);
	return -1;
}

yaml_node_t *lab_yaml_node(struct lab_yaml *y, int index)
{
	return yaml_document_get_node(&y->doc, index);
}

const char *lab_yaml_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int lab_yaml_plain(const yaml_node_t *n)
{
	return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

int lab_yaml_str(struct lab_yaml *y, yaml_node_t *n, const char *what, char **out)
{
	const char *s = lab_yaml_scalar(n);

	if (!s)
		return lab_yaml_fail(y, n, "%s must be a string", what);
	free(*out);
	*out = strdup(s);
	return 0;
}

int lab_yaml_uint(struct lab_yaml *y, yaml_node_t *n, const char *what, unsigned min,
		  unsigned max, unsigned *out)
{
	const char *s = lab_yaml_scalar(n);
	char *end;
	unsigned long v;

	errno = 0;
	/* decimal, or hex with 0x (PCI slots); never octal */
	v = s ? strtoul(s, &end, !strncmp(s, "0x", 2) ? 16 : 10) : 0;
	if (!s || !*s || *end || errno || v < min || v > max)
		return lab_yaml_fail(y, n, "%s must be a whole number from %u to %u", what, min,
				     max);
	*out = (unsigned)v;
	return 0;
}

int lab_yaml_bool(struct lab_yaml *y, yaml_node_t *n, const char *what, int *out)
{
	const char *s = lab_yaml_scalar(n);

	if (s && lab_yaml_plain(n) && (!strcmp(s, "true") || !strcmp(s, "false"))) {
		*out = !strcmp(s, "true");
		return 0;
	}
	return lab_yaml_fail(y, n, "%s must be true or false", what);
}

int lab_yaml_list(struct lab_yaml *y, yaml_node_t *n, const char *what, char ***out,
		  size_t *len)
{
	if (lab_yaml_scalar(n)) {
		*out = calloc(1, sizeof(char *));
		(*out)[0] = strdup(lab_yaml_scalar(n));
		*len = 1;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return lab_yaml_fail(y, n, "%s must be a string or a list of strings", what);
	*len = 0;
	*out = calloc((size_t)(n->data.sequence.items.top - n->data.sequence.items.start) + 1,
		      sizeof(char *));
	for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
		yaml_node_t *item = lab_yaml_node(y, *i);

		if (!lab_yaml_scalar(item))
			return lab_yaml_fail(y, item, "%s: each item must be a string", what);
		(*out)[(*len)++] = strdup(lab_yaml_scalar(item));
	}
	if (*len == 0)
		return lab_yaml_fail(y, n, "%s must not be empty", what);
	return 0;
}

int lab_yaml_one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return 1;
	return 0;
}

const char *lab_yaml_joined(const char *const *set)
{
	static char buf[256];
	size_t len = 0;

	buf[0] = '\0';
	for (; *set && len < sizeof(buf); set++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? ", " : "", *set);
	return buf;
}

int lab_yaml_each_pair(struct lab_yaml *y, yaml_node_t *map, const char *what,
		       const char *const *known, lab_yaml_pair_fn fn, void *opaque)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return lab_yaml_fail(y, map, "%s must be a mapping", what);
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = lab_yaml_node(y, p->key);
		const char *key = lab_yaml_scalar(k);

		if (!key)
			return lab_yaml_fail(y, k, "%s: keys must be strings", what);
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++)
			if (lab_yaml_scalar(lab_yaml_node(y, q->key)) &&
			    !strcmp(lab_yaml_scalar(lab_yaml_node(y, q->key)), key))
				return lab_yaml_fail(y, k, "%s: '%s' given twice", what, key);
		if (known && !lab_yaml_one_of(key, known))
			return lab_yaml_fail(y, k, "unknown key '%s' in %s (known: %s)", key, what,
					     lab_yaml_joined(known));
		if (fn(y, key, k, lab_yaml_node(y, p->value), opaque) < 0)
			return -1;
	}
	return 0;
}
