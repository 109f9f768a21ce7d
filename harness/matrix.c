/* SPDX-License-Identifier: MIT */
#include "matrix.h"

#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdint.h>
#include <sys/stat.h>
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
				r->machine = merge_qemu(s->machine, v->machine);
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
	json_object_put(r->machine);
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

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static int hash_file(uint64_t *h, const char *path, struct lab_error *err)
{
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(path, real) || stat(real, &st) < 0) {
		lab_error_set_errno(err, errno, "%s", path);
		return -1;
	}
	*h = fnv1a(*h, real, strlen(real) + 1);
	*h = fnv1a(*h, &st.st_size, sizeof(st.st_size));
	*h = fnv1a(*h, &st.st_mtim, sizeof(st.st_mtim));
	return 0;
}

int lab_matrix_custom_suite(const char *kernel_path, const char *modules_path, char *buf,
			    size_t len, struct lab_error *err)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	if (hash_file(&h, kernel_path, err) < 0 ||
	    (modules_path && hash_file(&h, modules_path, err) < 0))
		return -1;
	snprintf(buf, len, "custom-%012llx", (unsigned long long)(h & 0xffffffffffffULL));
	return 0;
}

int lab_matrix_set_kernel(struct lab_matrix *m, const char *suite, const char *kernel_path,
			  const char *modules_path, struct lab_error *err)
{
	char custom[32];
	size_t kept = 0;

	if (kernel_path) {
		if (lab_matrix_custom_suite(kernel_path, modules_path, custom, sizeof(custom), err) < 0)
			return -1;
		suite = custom;
	}
	free(m->kernel_suite);
	m->kernel_suite = strdup(suite);
	for (size_t i = 0; i < m->nruns; i++) {
		struct lab_run_spec *r = &m->runs[i];
		char *at = strrchr(r->name, '@'), *name;
		int dup = 0;

		*at = '\0';
		for (size_t j = 0; j < kept && !dup; j++)
			dup = !strncmp(m->runs[j].name, r->name, strlen(r->name)) &&
			      m->runs[j].name[strlen(r->name)] == '@';
		if (dup || asprintf(&name, "%s@%s", r->name, m->kernel_suite) < 0) {
			run_spec_clear(r);
			continue;
		}
		free(r->name);
		r->name = name;
		r->suite = m->kernel_suite;
		r->kernel_path = kernel_path;
		r->modules_path = modules_path;
		m->runs[kept++] = *r;
	}
	m->nruns = kept;
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
	free(m->kernel_suite);
	for (size_t i = 0; i < m->nscenarios; i++)
		lab_scenario_free(m->scenarios[i]);
	free(m->scenarios);
	free(m);
}
