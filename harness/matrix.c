/* SPDX-License-Identifier: MIT */
#include "matrix.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does the variant's expectation v replace the matrix's expectation m? A key
 * the variant sets replaces the matrix's (a list key, like log_present, as a
 * whole); `fields: {}` (a marker with no alternatives) drops every fields.*. */
static int replaces(const struct lab_expect *v, const struct lab_expect *m)
{
	if (!strcmp(v->key, m->key))
		return 1;
	return v->nalts == 0 && !strncmp(m->key, v->key, strlen(v->key)) &&
	       m->key[strlen(v->key)] == '.';
}

static void merge_expects(struct lab_run_spec *r, const struct lab_scenario *s,
			  const struct lab_variant *v)
{
	size_t n = 0;

	r->expects = calloc(s->nexpects + v->nexpects + 1, sizeof(*r->expects));
	for (size_t i = 0; i < s->nexpects; i++) {
		int replaced = 0;

		for (size_t j = 0; j < v->nexpects; j++)
			replaced |= replaces(&v->expects[j], &s->expects[i]);
		if (!replaced && s->expects[i].nalts)
			r->expects[n++] = &s->expects[i];
	}
	for (size_t j = 0; j < v->nexpects; j++)
		if (v->expects[j].nalts)     /* markers are not checks */
			r->expects[n++] = &v->expects[j];
	r->nexpects = n;
}

static char *join_args(const char *a, const char *b)
{
	char *out;

	if (!a || !*a)
		return b ? strdup(b) : NULL;
	if (!b || !*b)
		return strdup(a);
	if (asprintf(&out, "%s %s", a, b) < 0)
		return NULL;
	return out;
}

static json_object *merge_qemu(json_object *a, json_object *b)
{
	json_object *out;

	if (!a && !b)
		return NULL;
	out = json_object_new_object();
	if (a) {
		json_object_object_foreach(a, k, v)
			json_object_object_add(out, k, json_object_get(v));
	}
	if (b) {
		json_object_object_foreach(b, k, v)
			json_object_object_add(out, k, json_object_get(v));
	}
	return out;
}

static int expand(struct lab_matrix *m, const struct lab_scenario *s, struct lab_error *err)
{
	for (size_t p = 0; p < s->nplatforms; p++)
		for (size_t k = 0; k < s->nkernels; k++)
			for (size_t i = 0; i < s->nvariants; i++) {
				const struct lab_variant *v = &s->variants[i];
				struct lab_run_spec *r;

				m->runs = realloc(m->runs, (m->nruns + 1) * sizeof(*m->runs));
				r = &m->runs[m->nruns++];
				memset(r, 0, sizeof(*r));
				if (s->nplatforms > 1)
					asprintf(&r->name, "%s.%s.%s@%s", s->matrix, s->platforms[p],
						 v->name, s->kernels[k]);
				else
					asprintf(&r->name, "%s.%s@%s", s->matrix, v->name,
						 s->kernels[k]);
				r->matrix = s->matrix;
				r->variant = v->name;
				r->platform = s->platforms[p];
				r->suite = s->kernels[k];
				r->append = join_args(s->append, v->append);
				r->qemu = merge_qemu(s->qemu, v->qemu);
				r->when = v->when;
				r->skip = v->skip;
				r->probes = v->probes;
				r->timeout_s = s->timeout_s;
				r->memory_mib = s->memory_mib;
				r->file = s->file;
				r->line = v->line;
				merge_expects(r, s, v);
				for (size_t j = 0; j + 1 < m->nruns; j++)
					if (!strcmp(m->runs[j].name, r->name)) {
						lab_error_set(err, "%s:%d: run %s is also defined at %s:%d",
							      r->file, r->line, r->name,
							      m->runs[j].file, m->runs[j].line);
						return -1;
					}
			}
	return 0;
}

struct lab_matrix *lab_matrix_load(char *const *files, size_t nfiles, const char *platforms_dir,
				   struct lab_error *err)
{
	struct lab_matrix *m = calloc(1, sizeof(*m));

	m->scenarios = calloc(nfiles + 1, sizeof(*m->scenarios));
	for (size_t i = 0; i < nfiles; i++) {
		struct lab_scenario *s = lab_scenario_load(files[i], platforms_dir, err);

		if (!s || (m->scenarios[m->nscenarios++] = s, expand(m, s, err) < 0)) {
			lab_matrix_free(m);
			return NULL;
		}
	}
	return m;
}

static void run_spec_clear(struct lab_run_spec *r)
{
	free(r->name);
	free(r->append);
	json_object_put(r->qemu);
	free(r->expects);
}

int lab_matrix_filter(struct lab_matrix *m, const char *regex, struct lab_error *err)
{
	regex_t re;
	size_t kept = 0;
	int rc = regcomp(&re, regex, REG_EXTENDED | REG_NOSUB);

	if (rc) {
		char msg[128];

		regerror(rc, &re, msg, sizeof(msg));
		lab_error_set(err, "--only '%s': %s", regex, msg);
		return -1;
	}
	for (size_t i = 0; i < m->nruns; i++) {
		if (regexec(&re, m->runs[i].name, 0, NULL, 0) == 0)
			m->runs[kept++] = m->runs[i];
		else
			run_spec_clear(&m->runs[i]);
	}
	m->nruns = kept;
	regfree(&re);
	return 0;
}

void lab_matrix_shard(struct lab_matrix *m, unsigned k, unsigned n)
{
	size_t kept = 0;

	for (size_t i = 0; i < m->nruns; i++) {
		if (i % n == k - 1)
			m->runs[kept++] = m->runs[i];
		else
			run_spec_clear(&m->runs[i]);
	}
	m->nruns = kept;
}

void lab_matrix_free(struct lab_matrix *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nruns; i++)
		run_spec_clear(&m->runs[i]);
	free(m->runs);
	for (size_t i = 0; i < m->nscenarios; i++)
		lab_scenario_free(m->scenarios[i]);
	free(m->scenarios);
	free(m);
}
