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

#include "paths.h"
#include "qemu.h"

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

/* "+qemu-NAME" when runs must say which QEMU they ran on, else "". */
static void qemu_suffix(char *buf, size_t len, int shown, const char *name)
{
	if (shown)
		snprintf(buf, len, "+qemu-%s", name);
	else
		buf[0] = '\0';
}

/* The run of runs[0..n) named so, or NULL. */
static const struct lab_run_spec *named(const struct lab_run_spec *runs, size_t n,
					const char *name)
{
	for (size_t j = 0; j < n; j++)
		if (!strcmp(runs[j].name, name))
			return &runs[j];
	return NULL;
}

/* r, the last run of m, against the ones before it. */
static int check_unique(const struct lab_matrix *m, const struct lab_run_spec *r,
			struct lab_error *err)
{
	const struct lab_run_spec *twin = named(m->runs, m->nruns - 1, r->name);

	if (twin) {
		lab_error_set(err, "%s:%d: run %s is also defined at %s:%d", r->file, r->line,
			      r->name, twin->file, twin->line);
		return -1;
	}
	return 0;
}

static int expand(struct lab_matrix *m, const struct lab_scenario *s, struct lab_error *err)
{
	int shown = s->nqemus > 1 || strcmp(s->qemus[0], "system");

	for (size_t p = 0; p < s->nplatforms; p++)
		for (size_t k = 0; k < s->nkernels; k++)
			for (size_t q = 0; q < s->nqemus; q++)
				for (size_t i = 0; i < s->nvariants; i++) {
					const struct lab_variant *v = &s->variants[i];
					struct lab_run_spec *r;
					char sfx[80];

					m->runs = realloc(m->runs, (m->nruns + 1) * sizeof(*m->runs));
					r = &m->runs[m->nruns++];
					memset(r, 0, sizeof(*r));
					qemu_suffix(sfx, sizeof(sfx), shown, s->qemus[q]);
					if (s->nplatforms > 1)
						asprintf(&r->name, "%s.%s.%s@%s%s", s->matrix,
							 s->platforms[p], v->name, s->kernels[k], sfx);
					else
						asprintf(&r->name, "%s.%s@%s%s", s->matrix, v->name,
							 s->kernels[k], sfx);
					r->matrix = s->matrix;
					r->variant = v->name;
					r->platform = s->platforms[p];
					r->suite = s->kernels[k];
					r->qemu_build = s->qemus[q];
					r->qemu_name = s->qemus[q];
					r->append = join_args(s->append, v->append);
					r->qemu = merge_qemu(s->qemu, v->qemu);
					r->machine = merge_qemu(s->machine, v->machine);
					r->when = v->when;
					r->skip = v->skip;
					r->probes = v->probes;
					r->topology = v->topology;
					r->timeout_s = s->timeout_s;
					r->memory_mib = s->memory_mib;
					r->file = s->file;
					r->line = v->line;
					merge_expects(r, s, v);
					if (check_unique(m, r, err) < 0)
						return -1;
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

int lab_matrix_run_skipped(const struct lab_run_spec *r, const char *qemu, const char *libvirt,
			   const char *kernel, char *why, size_t len)
{
	if (r->skip) {
		snprintf(why, len, "%s", r->skip);
		return 1;
	}
	return r->when && !lab_scenario_condition_holds(r->when, qemu, libvirt, kernel, r->platform,
							why, len);
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
	for (size_t i = 0; i < m->nruns && !kept; i++)
		kept = regexec(&re, m->runs[i].name, 0, NULL, 0) == 0;
	if (!kept && m->nruns) {
		/* a typo, most likely: say so rather than pass with no run */
		lab_error_set(err, "--only '%s' matches none of the %zu runs (names look like '%s')",
			      regex, m->nruns, m->runs[0].name);
		regfree(&re);
		return -1;
	}
	kept = 0;
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

int lab_matrix_custom_suite(const char *kernel_path, const char *modules_path, char *buf,
			    size_t len, struct lab_error *err)
{
	const char *files[] = { kernel_path, modules_path };
	char id[16];

	if (lab_paths_file_id(files, modules_path ? 2 : 1, id, sizeof(id), err) < 0)
		return -1;
	snprintf(buf, len, "custom-%s", id);
	return 0;
}

/* The run's name without its kernel and QEMU ("intel.lazy"), in buf. */
static void base_name(const struct lab_run_spec *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s", r->name);
	buf[strcspn(buf, "@")] = '\0';
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
		const char *plus = strchr(r->name, '+');     /* the QEMU axis, kept */
		char base[256], *name;

		base_name(r, base, sizeof(base));
		if (asprintf(&name, "%s@%s%s", base, m->kernel_suite, plus ? plus : "") < 0 ||
		    named(m->runs, kept, name)) {
			free(name);
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

/* A second run from r on another QEMU: its own name and owned members. */
static int copy_spec(struct lab_run_spec *to, const struct lab_run_spec *r, char *name)
{
	*to = *r;
	to->name = name;
	to->append = r->append ? strdup(r->append) : NULL;
	to->qemu = json_object_get(r->qemu);         /* never modified: shared */
	to->machine = json_object_get(r->machine);
	to->expects = calloc(r->nexpects + 1, sizeof(*to->expects));
	if (!to->expects || (r->append && !to->append))
		return -1;
	memcpy(to->expects, r->expects, r->nexpects * sizeof(*to->expects));
	return 0;
}

int lab_matrix_set_qemus(struct lab_matrix *m, const char *const *specs, size_t n,
			 struct lab_error *err)
{
	struct lab_run_spec *runs;
	size_t nruns = 0;
	int shown = n > 1 || strcmp(specs[0], "system");

	for (size_t q = 0; q < m->nqemu_names; q++)
		free(m->qemu_names[q]);
	free(m->qemu_names);
	m->nqemu_names = 0;
	m->qemu_names = calloc(n + 1, sizeof(*m->qemu_names));
	for (size_t q = 0; q < n; q++) {
		char id[16];

		if (lab_qemu_is_suite(specs[q])) {
			m->qemu_names[q] = strdup(specs[q]);
		} else {
			if (lab_paths_file_id(&specs[q], 1, id, sizeof(id), err) < 0) {
				lab_error_prefix(err, "--qemu");
				return -1;
			}
			if (asprintf(&m->qemu_names[q], "custom-%s", id) < 0)
				return -1;
		}
		m->nqemu_names++;
	}
	runs = calloc(m->nruns * n + 1, sizeof(*runs));
	for (size_t i = 0; i < m->nruns; i++) {
		struct lab_run_spec *r = &m->runs[i];
		char without[256];

		snprintf(without, sizeof(without), "%s", r->name);
		without[strcspn(without, "+")] = '\0';
		for (size_t q = 0; q < n; q++) {
			char sfx[80], *name;

			qemu_suffix(sfx, sizeof(sfx), shown, m->qemu_names[q]);
			if (asprintf(&name, "%s%s", without, sfx) < 0)
				continue;
			if (named(runs, nruns, name) || copy_spec(&runs[nruns], r, name) < 0) {
				free(name);
				continue;
			}
			runs[nruns].qemu_build = specs[q];
			runs[nruns].qemu_name = m->qemu_names[q];
			nruns++;
		}
		run_spec_clear(r);
	}
	free(m->runs);
	m->runs = runs;
	m->nruns = nruns;
	return 0;
}

void lab_matrix_shard(struct lab_matrix *m, unsigned k, unsigned n)
{
	size_t kept = 0;

	json_object_put(m->all_names);
	m->all_names = json_object_new_array();
	m->shard_k = k;
	m->shard_n = n;
	for (size_t i = 0; i < m->nruns; i++) {
		json_object_array_add(m->all_names, json_object_new_string(m->runs[i].name));
		m->runs[i].index = i;
		if (i % n == k - 1)
			m->runs[kept++] = m->runs[i];
		else
			run_spec_clear(&m->runs[i]);
	}
	m->nruns = kept;
}

json_object *lab_matrix_identity(const struct lab_matrix *m)
{
	json_object *o = json_object_new_object(), *names;
	char shard[32];

	if (m->all_names) {
		names = json_object_get(m->all_names);
	} else {
		names = json_object_new_array();
		for (size_t i = 0; i < m->nruns; i++)
			json_object_array_add(names, json_object_new_string(m->runs[i].name));
	}
	snprintf(shard, sizeof(shard), "%u/%u", m->shard_k, m->shard_n);
	json_object_object_add(o, "runs_total",
			       json_object_new_int64((int64_t)json_object_array_length(names)));
	json_object_object_add(o, "run_names", names);
	json_object_object_add(o, "shard", m->shard_n ? json_object_new_string(shard) : NULL);
	return o;
}

size_t lab_matrix_index(const struct lab_matrix *m, size_t i)
{
	return m->shard_n ? m->runs[i].index : i;
}

void lab_matrix_free(struct lab_matrix *m)
{
	if (!m)
		return;
	json_object_put(m->all_names);
	for (size_t i = 0; i < m->nruns; i++)
		run_spec_clear(&m->runs[i]);
	free(m->runs);
	json_object_put(m->topology);
	free(m->kernel_suite);
	for (size_t q = 0; q < m->nqemu_names; q++)
		free(m->qemu_names[q]);
	free(m->qemu_names);
	for (size_t i = 0; i < m->nscenarios; i++)
		lab_scenario_free(m->scenarios[i]);
	free(m->scenarios);
	free(m);
}
