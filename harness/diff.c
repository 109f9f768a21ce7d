/* SPDX-License-Identifier: MIT */
#include "diff.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "jsonval.h"
#include "perf.h"

/* short names for the typed reads: results documents are data from disk */
#define str(o, key) lab_jsonval_str(o, key)
#define arr(o, key) lab_jsonval_arr(o, key)
#define len(a) lab_jsonval_len(a)

#define get(o, key) lab_jsonval_get(o, key)
#define obj(o, key) lab_jsonval_obj(o, key)

static json_object *idx(json_object *a, size_t i)
{
	return json_object_array_get_idx(a, i);
}

/* The first element of array a whose "name" is name, or NULL. */
static json_object *named(json_object *a, const char *name)
{
	for (size_t i = 0; i < len(a); i++)
		if (str(idx(a, i), "name") && !strcmp(str(idx(a, i), "name"), name))
			return idx(a, i);
	return NULL;
}

typedef void pair_fn(json_object *list, const char *name, json_object *old, json_object *new);

/* fn for each name of NEW's elements with OLD's of that name (or NULL),
 * then for each name only OLD has, with NULL for NEW. */
static void by_name(json_object *list, json_object *old, json_object *new, pair_fn *fn)
{
	for (size_t i = 0; i < len(new); i++) {
		const char *name = str(idx(new, i), "name");

		if (name)
			fn(list, name, named(old, name), idx(new, i));
	}
	for (size_t i = 0; i < len(old); i++) {
		const char *name = str(idx(old, i), "name");

		if (name && !named(new, name))
			fn(list, name, idx(old, i), NULL);
	}
}

/* ---- loading ------------------------------------------------------------- */

json_object *lab_diff_load(const char *path, struct lab_error *err)
{
	char file[PATH_MAX];
	struct stat st;
	lab_autojson json_object *o = NULL;
	int fd;

	if (stat(path, &st) < 0) {
		lab_error_set_errno(err, errno, "%s", path);
		return NULL;
	}
	if (S_ISDIR(st.st_mode))
		snprintf(file, sizeof(file), "%s/results.json", path);
	else
		snprintf(file, sizeof(file), "%s", path);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && S_ISDIR(st.st_mode))
			lab_error_set(err, "%s: no results.json in this folder", path);
		else
			lab_error_set_errno(err, errno, "%s", file);
		return NULL;
	}
	o = json_object_from_fd(fd);
	close(fd);
	if (!o) {
		lab_error_set(err, "%s: not JSON", file);
		return NULL;
	}
	if (!arr(o, "runs")) {
		lab_error_set(err, "%s: not a results.json (no runs array)", file);
		return NULL;
	}
	return lab_steal(&o);
}

/* ---- observations -------------------------------------------------------- */

static void change(json_object *list, const char *path, json_object *old, json_object *new)
{
	json_object *c = json_object_new_object();

	json_object_object_add(c, "path", json_object_new_string(path));
	json_object_object_add(c, "old", json_object_get(old));
	json_object_object_add(c, "new", json_object_get(new));
	json_object_array_add(list, c);
}

/* One change when the values differ (absent and null alike). */
static void compare_value(json_object *list, const char *path, json_object *old,
			  json_object *new)
{
	if (!json_object_equal(old, new))
		change(list, path, old, new);
}

static void compare_member(json_object *list, const char *key, json_object *old,
			   json_object *new)
{
	compare_value(list, key, get(old, key), get(new, key));
}

/* Leaves of v into map, keyed by their dotted path under prefix. */
static void flatten(json_object *map, const char *prefix, json_object *v)
{
	if (!json_object_is_type(v, json_type_object)) {
		json_object_object_add(map, prefix, json_object_get(v));
		return;
	}
	json_object_object_foreach(v, k, child) {
		char *path = NULL;

		if (asprintf(&path, "%s.%s", prefix, k) < 0)
			continue;
		flatten(map, path, child);
		free(path);
	}
}

/* The decoded fields of every IOMMU as {path: value}; the kinds in *kinds. */
static json_object *iommu_fields(json_object *obs, json_object **kinds)
{
	json_object *iommus = arr(obs, "iommus"), *map = json_object_new_object();

	*kinds = json_object_new_array();
	for (size_t i = 0; i < len(iommus); i++) {
		json_object *e = idx(iommus, i);
		const char *kind = str(e, "kind") ? str(e, "kind") : "unknown";
		size_t nth = 0;
		char *prefix = NULL;

		for (size_t j = 0; j < i; j++) {
			const char *k = str(idx(iommus, j), "kind");

			nth += !strcmp(k ? k : "unknown", kind);
		}
		json_object_array_add(*kinds, json_object_new_string(kind));
		if ((nth ? asprintf(&prefix, "iommus.%s#%zu.decoded", kind, nth)
			 : asprintf(&prefix, "iommus.%s.decoded", kind)) < 0)
			continue;
		if (obj(e, "decoded"))
			flatten(map, prefix, obj(e, "decoded"));
		free(prefix);
	}
	return map;
}

static void compare_maps(json_object *list, json_object *old, json_object *new)
{
	json_object_object_foreach(new, k, v)
		compare_value(list, k, get(old, k), v);
	json_object_object_foreach(old, k2, v2)
		if (!json_object_object_get_ex(new, k2, NULL))
			compare_value(list, k2, v2, NULL);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* n malloc'd strings, sorted; NULL-safe to free with free_strs. */
struct strs {
	char **s;
	size_t n;
};

static void strs_add(struct strs *l, char *s)
{
	char **p = s ? realloc(l->s, (l->n + 1) * sizeof(*p)) : NULL;

	if (!p) {
		free(s);
		return;
	}
	l->s = p;
	l->s[l->n++] = s;
}

static void strs_free(struct strs *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
}

/* A group as "TYPE: dev dev" (devices sorted): its id is only a number. */
static struct strs group_strs(json_object *obs)
{
	json_object *groups = arr(obs, "groups");
	struct strs out = { 0 };

	for (size_t i = 0; i < len(groups); i++) {
		json_object *devs = arr(idx(groups, i), "devices");
		const char *type = str(idx(groups, i), "type");
		struct strs d = { 0 };
		char *s = NULL;
		size_t size = 0;
		FILE *f;

		for (size_t j = 0; j < len(devs); j++)
			if (json_object_is_type(idx(devs, j), json_type_string))
				strs_add(&d, strdup(json_object_get_string(idx(devs, j))));
		qsort(d.s, d.n, sizeof(*d.s), cmp_str);
		f = open_memstream(&s, &size);
		if (f) {
			fprintf(f, "%s:", type ? type : "(none)");
			for (size_t j = 0; j < d.n; j++)
				fprintf(f, " %s", d.s[j]);
			if (fclose(f)) {
				free(s);
				s = NULL;
			}
		}
		strs_free(&d);
		strs_add(&out, s);
	}
	qsort(out.s, out.n, sizeof(*out.s), cmp_str);
	return out;
}

/* A fault record's signature: "iommu event code access address". */
static char *fault_sig(json_object *f)
{
	static const char *const keys[] = { "iommu", "event", "code", "access", "address" };
	char *s = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&s, &size);

	if (!m)
		return NULL;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		json_object *v = get(f, keys[k]);

		if (k)
			fputc(' ', m);
		if (json_object_is_type(v, json_type_int))
			fprintf(m, "0x%llx", (unsigned long long)json_object_get_int64(v));
		else if (json_object_is_type(v, json_type_string))
			fputs(json_object_get_string(v), m);
		else
			fputc('-', m);
	}
	if (fclose(m)) {
		free(s);
		return NULL;
	}
	return s;
}

/* Distinct signatures of an array of fault records, sorted. */
static struct strs fault_strs(json_object *faults)
{
	struct strs out = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < len(faults); i++)
		strs_add(&out, fault_sig(idx(faults, i)));
	qsort(out.s, out.n, sizeof(*out.s), cmp_str);
	for (size_t i = 0; i < out.n; i++) {
		if (n && !strcmp(out.s[n - 1], out.s[i]))
			free(out.s[i]);
		else
			out.s[n++] = out.s[i];
	}
	out.n = n;
	return out;
}

/* Two sorted lists as one change listing what each side has that the
 * other lacks (duplicates counted); none when they are the same. */
static void compare_sets(json_object *list, const char *path, struct strs *old, struct strs *new)
{
	json_object *o = json_object_new_array(), *n = json_object_new_array();
	size_t i = 0, j = 0;

	while (i < old->n || j < new->n) {
		int c = i == old->n ? 1 : j == new->n ? -1 : strcmp(old->s[i], new->s[j]);

		if (c < 0)
			json_object_array_add(o, json_object_new_string(old->s[i++]));
		else if (c > 0)
			json_object_array_add(n, json_object_new_string(new->s[j++]));
		else
			i++, j++;
	}
	if (len(o) || len(n))
		change(list, path, o, n);
	json_object_put(o);
	json_object_put(n);
	strs_free(old);
	strs_free(new);
}

/* A probe result's outcome: every boolean, and these strings; never its
 * timings, addresses or group numbers. */
static int is_outcome(const char *key, json_object *old, json_object *new)
{
	static const char *const keys[] = { "round_trip", "iommu_type", "group_type",
					    "peer_group_type", "irq_chip", "domain_type", "driver",
					    "error" };

	if (json_object_is_type(old, json_type_boolean) || json_object_is_type(new, json_type_boolean))
		return 1;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i]))
			return 1;
	return 0;
}

static void compare_probe(json_object *list, const char *name, json_object *old, json_object *new)
{
	json_object *ro = obj(old, "result"), *rn = obj(new, "result");
	lab_autojson json_object *empty = json_object_new_object();
	char path[512];
	struct strs fo, fn;

	snprintf(path, sizeof(path), "probes.%s", name);
	if (!old || !new) {
		lab_autojson json_object *ran = json_object_new_string("ran");

		change(list, path, old ? ran : NULL, new ? ran : NULL);
		return;
	}
	snprintf(path, sizeof(path), "probes.%s.error", name);
	compare_value(list, path, get(old, "error"), get(new, "error"));
	/* foreach needs an object: a result that is none has no outcome */
	if (!rn)
		rn = empty;
	if (!ro)
		ro = empty;
	json_object_object_foreach(rn, k, v) {
		snprintf(path, sizeof(path), "probes.%s.%s", name, k);
		if (is_outcome(k, get(ro, k), v))
			compare_value(list, path, get(ro, k), v);
	}
	json_object_object_foreach(ro, k2, v2) {
		snprintf(path, sizeof(path), "probes.%s.%s", name, k2);
		if (!json_object_object_get_ex(rn, k2, NULL) && is_outcome(k2, v2, NULL))
			compare_value(list, path, v2, NULL);
	}
	snprintf(path, sizeof(path), "probes.%s.faults", name);
	fo = fault_strs(arr(old, "faults"));
	fn = fault_strs(arr(new, "faults"));
	compare_sets(list, path, &fo, &fn);
}

/* What differs between two runs' observations, as [{path, old, new}]. */
static json_object *compare_observations(json_object *old_run, json_object *new_run)
{
	json_object *list = json_object_new_array();
	json_object *old = obj(old_run, "observations"), *new = obj(new_run, "observations");
	lab_autojson json_object *ko = NULL, *kn = NULL, *mo = NULL, *mn = NULL;
	struct strs so, sn;

	compare_member(list, "status", old_run, new_run);
	if (!old != !new) {
		lab_autojson json_object *present = json_object_new_string("present");

		change(list, "observations", old ? present : NULL, new ? present : NULL);
		return list;
	}
	if (!old)
		return list;
	compare_member(list, "default_domain", old, new);
	compare_member(list, "interrupt_remapping", old, new);
	mo = iommu_fields(old, &ko);
	mn = iommu_fields(new, &kn);
	compare_value(list, "iommus", ko, kn);
	compare_maps(list, mo, mn);
	so = group_strs(old);
	sn = group_strs(new);
	compare_sets(list, "groups", &so, &sn);
	so = fault_strs(arr(old, "faults"));
	sn = fault_strs(arr(new, "faults"));
	compare_sets(list, "faults", &so, &sn);
	by_name(list, arr(old, "probes"), arr(new, "probes"), compare_probe);
	return list;
}

/* ---- checks -------------------------------------------------------------- */

static void check_change(json_object *list, const char *name, json_object *old, json_object *new)
{
	json_object *c;

	if (old && new && json_object_equal(get(old, "verdict"), get(new, "verdict")))
		return;
	c = json_object_new_object();
	json_object_object_add(c, "name", json_object_new_string(name));
	json_object_object_add(c, "old_verdict", json_object_get(get(old, "verdict")));
	json_object_object_add(c, "new_verdict", json_object_get(get(new, "verdict")));
	json_object_array_add(list, c);
}

/* Checks whose verdict differs, by name; a check one side lacks has null. */
static json_object *compare_checks(json_object *old, json_object *new)
{
	json_object *list = json_object_new_array();

	by_name(list, arr(old, "checks"), arr(new, "checks"), check_change);
	return list;
}

/* ---- runs ---------------------------------------------------------------- */

enum kind { K_NEWLY_FAILING, K_FIXED, K_VERDICT, K_OBSERVATIONS, K_ADDED, K_GONE, K_UNCHANGED,
	    K_COUNT };

static const char *const kind_name[K_COUNT] = {
	"newly_failing", "fixed", "verdict", "observations", "added", "gone", "unchanged",
};

static const char *const summary_key[K_COUNT] = {
	"newly_failing", "fixed", "changed_verdict", "changed_observations", "added", "gone",
	"unchanged",
};

/* One side: its runs and the name each pairs under. */
struct side {
	json_object *runs;
	char **keys;
	size_t n;
};

static void side_free(struct side *s)
{
	for (size_t i = 0; s->keys && i < s->n; i++)
		free(s->keys[i]);
	free(s->keys);
}

static int side_init(struct side *s, json_object *doc, const char *what, const regex_t *re,
		     struct lab_error *err)
{
	s->runs = arr(doc, "runs");
	s->n = len(s->runs);
	s->keys = calloc(s->n + 1, sizeof(*s->keys));
	if (!s->keys) {
		lab_error_set_errno(err, ENOMEM, "diff");
		return -1;
	}
	for (size_t i = 0; i < s->n; i++) {
		const char *name = str(idx(s->runs, i), "name");
		regmatch_t m;

		s->keys[i] = strdup(name ? name : "(unnamed)");
		if (!s->keys[i]) {
			lab_error_set_errno(err, ENOMEM, "diff");
			return -1;
		}
		if (re && !regexec(re, s->keys[i], 1, &m, 0))
			memmove(s->keys[i] + m.rm_so, s->keys[i] + m.rm_eo,
				strlen(s->keys[i] + m.rm_eo) + 1);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(s->keys[j], s->keys[i])) {
				lab_error_set(err, "%s: runs %s and %s both pair as %s", what,
					      str(idx(s->runs, j), "name") ? str(idx(s->runs, j), "name") : "(unnamed)",
					      name ? name : "(unnamed)", s->keys[i]);
				return -1;
			}
	}
	return 0;
}

static json_object *side_find(const struct side *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->keys[i], key))
			return idx(s->runs, i);
	return NULL;
}

static int failing(const char *v)
{
	return v && (!strcmp(v, "fail") || !strcmp(v, "error"));
}

/* The entry of one paired name (either run may be NULL) and its kind. */
static json_object *run_entry(const char *key, json_object *old, json_object *new, enum kind *k)
{
	const char *ov = str(old, "verdict"), *nv = str(new, "verdict");
	json_object *e = json_object_new_object(), *checks, *obs;

	if (!old) {
		*k = failing(nv) ? K_NEWLY_FAILING : K_ADDED;
		checks = json_object_new_array();
		obs = json_object_new_array();
	} else if (!new) {
		*k = K_GONE;
		checks = json_object_new_array();
		obs = json_object_new_array();
	} else {
		checks = compare_checks(old, new);
		obs = compare_observations(old, new);
		*k = failing(nv) && !failing(ov) ? K_NEWLY_FAILING
		     : failing(ov) && !failing(nv) ? K_FIXED
		     : !json_object_equal(get(old, "verdict"), get(new, "verdict")) ? K_VERDICT
		     : len(checks) || len(obs) ? K_OBSERVATIONS : K_UNCHANGED;
	}
	json_object_object_add(e, "name", json_object_new_string(key));
	json_object_object_add(e, "change", json_object_new_string(kind_name[*k]));
	if (!old && *k == K_NEWLY_FAILING)
		json_object_object_add(e, "added", json_object_new_boolean(1));
	if (old && str(old, "name") && strcmp(str(old, "name"), key))
		json_object_object_add(e, "old_name", json_object_get(get(old, "name")));
	if (new && str(new, "name") && strcmp(str(new, "name"), key))
		json_object_object_add(e, "new_name", json_object_get(get(new, "name")));
	json_object_object_add(e, "old_verdict", json_object_get(get(old, "verdict")));
	json_object_object_add(e, "new_verdict", json_object_get(get(new, "verdict")));
	json_object_object_add(e, "checks", checks);
	json_object_object_add(e, "observations", obs);
	return e;
}

/* The QEMU versions the runs really ran on (a run on another QEMU than the
 * host's records its own: qemu_version), in order of appearance. */
static json_object *run_qemus(json_object *doc)
{
	json_object *runs = get(doc, "runs"), *out = json_object_new_array();
	size_t n = json_object_is_type(runs, json_type_array) ? json_object_array_length(runs) : 0;

	for (size_t i = 0; i < n; i++) {
		const char *v = str(json_object_array_get_idx(runs, i), "qemu_version");
		int seen = !v || !*v;

		for (size_t j = 0; !seen && j < json_object_array_length(out); j++)
			seen = !strcmp(json_object_get_string(json_object_array_get_idx(out, j)), v);
		if (!seen)
			json_object_array_add(out, json_object_new_string(v));
	}
	return out;
}

static json_object *identity(json_object *doc)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "run_id", json_object_get(get(doc, "run_id")));
	json_object_object_add(o, "host", json_object_get(get(doc, "host")));
	json_object_object_add(o, "qemus", run_qemus(doc));
	return o;
}

json_object *lab_diff_results(json_object *old, json_object *new, const struct lab_diff_opts *o,
			      struct lab_error *err)
{
	struct side so = { 0 }, sn = { 0 };
	json_object *bucket[K_COUNT], *diff = NULL, *runs, *summary;
	regex_t re;
	int have_re = 0, rc;

	if (o && o->pair) {
		rc = regcomp(&re, o->pair, REG_EXTENDED);
		if (rc) {
			char msg[256];

			regerror(rc, &re, msg, sizeof(msg));
			lab_error_set(err, "--pair '%s': %s", o->pair, msg);
			return NULL;
		}
		have_re = 1;
	}
	if (!arr(old, "runs") || !arr(new, "runs")) {
		lab_error_set(err, "%s results have no runs array", arr(old, "runs") ? "new" : "old");
		goto out;
	}
	if (side_init(&so, old, "old", have_re ? &re : NULL, err) < 0 ||
	    side_init(&sn, new, "new", have_re ? &re : NULL, err) < 0)
		goto out;
	for (size_t k = 0; k < K_COUNT; k++)
		bucket[k] = json_object_new_array();
	for (size_t i = 0; i < sn.n; i++) {
		enum kind k;
		json_object *e = run_entry(sn.keys[i], side_find(&so, sn.keys[i]), idx(sn.runs, i), &k);

		json_object_array_add(bucket[k], e);
	}
	for (size_t i = 0; i < so.n; i++) {
		enum kind k;

		if (!side_find(&sn, so.keys[i]))
			json_object_array_add(bucket[K_GONE],
					      run_entry(so.keys[i], idx(so.runs, i), NULL, &k));
	}
	diff = json_object_new_object();
	runs = json_object_new_array();
	summary = json_object_new_object();
	json_object_object_add(diff, "old", identity(old));
	json_object_object_add(diff, "new", identity(new));
	for (size_t k = 0; k < K_COUNT; k++) {
		json_object_object_add(summary, summary_key[k],
				       json_object_new_int((int)len(bucket[k])));
		for (size_t i = 0; k != K_UNCHANGED && i < len(bucket[k]); i++)
			json_object_array_add(runs, json_object_get(idx(bucket[k], i)));
		json_object_put(bucket[k]);
	}
	json_object_object_add(diff, "summary", summary);
	json_object_object_add(diff, "runs", runs);
	{
		/* measured runs and relations side by side (perf.h) */
		json_object *pd = lab_perf_diff(old, new, have_re ? &re : NULL);

		if (pd) {
			json_object_object_add(summary, "relations_newly_failing",
					       json_object_get(json_object_object_get(pd, "relations_newly_failing")));
			json_object_object_add(diff, "perf", pd);
		}
	}
out:
	side_free(&so);
	side_free(&sn);
	if (have_re)
		regfree(&re);
	return diff;
}

/* ---- text ---------------------------------------------------------------- */

static int count(json_object *diff, const char *key)
{
	json_object *v = get(obj(diff, "summary"), key);

	return json_object_is_type(v, json_type_int) ? json_object_get_int(v) : 0;
}

int lab_diff_newly_failing(json_object *diff)
{
	return count(diff, "newly_failing") + count(diff, "relations_newly_failing");
}

void lab_diff_summary_line(json_object *diff, char *buf, size_t size)
{
	snprintf(buf, size, "diff: %d newly failing, %d fixed, %d verdict changed, "
		 "%d observations changed, %d added, %d gone (%d unchanged)",
		 count(diff, "newly_failing"), count(diff, "fixed"), count(diff, "changed_verdict"),
		 count(diff, "changed_observations"), count(diff, "added"), count(diff, "gone"),
		 count(diff, "unchanged"));
	if (obj(diff, "perf"))
		snprintf(buf + strlen(buf), size - strlen(buf), "; %d relations newly failing",
			 count(diff, "relations_newly_failing"));
}

/* Text from the data on a terminal: control characters as '?'. */
static void put_safe(FILE *out, const char *s)
{
	for (; s && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

/* A value as compact JSON (json-c escapes control characters). */
static void put_value(FILE *out, json_object *v)
{
	fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
					     JSON_C_TO_STRING_NOSLASHESCAPE), out);
}

static void print_side(FILE *out, const char *label, json_object *side)
{
	json_object *host = obj(side, "host");

	fprintf(out, "%s ", label);
	put_safe(out, str(side, "path") ? str(side, "path") : str(side, "run_id"));
	if (str(side, "path") && str(side, "run_id")) {
		fputs(" [", out);
		put_safe(out, str(side, "run_id"));
		fputc(']', out);
	}
	json_object *qemus = get(side, "qemus");
	size_t nq = json_object_is_type(qemus, json_type_array) ? json_object_array_length(qemus) : 0;

	fputs(" (QEMU ", out);
	if (!nq)
		put_safe(out, str(host, "qemu") ? str(host, "qemu") : "?");
	for (size_t i = 0; i < nq; i++) {
		if (i)
			fputs(" and ", out);
		put_safe(out, json_object_get_string(json_object_array_get_idx(qemus, i)));
	}
	fputs(", libvirt ", out);
	put_safe(out, str(host, "libvirt") ? str(host, "libvirt") : "?");
	fputc(')', out);
}

/* ": OLD -> NEW" and the end of the line, verdicts of o (absent when none). */
static void put_verdicts(FILE *out, json_object *o)
{
	fputs(": ", out);
	put_safe(out, str(o, "old_verdict") ? str(o, "old_verdict") : "absent");
	fputs(" -> ", out);
	put_safe(out, str(o, "new_verdict") ? str(o, "new_verdict") : "absent");
	fputc('\n', out);
}

static void print_run(FILE *out, json_object *r)
{
	json_object *checks = arr(r, "checks"), *obs = arr(r, "observations");

	fputs("  ", out);
	put_safe(out, str(r, "name"));
	if (str(r, "old_name") || str(r, "new_name")) {
		fputs(" (", out);
		put_safe(out, str(r, "old_name") ? str(r, "old_name") : str(r, "name"));
		fputs(" -> ", out);
		put_safe(out, str(r, "new_name") ? str(r, "new_name") : str(r, "name"));
		fputc(')', out);
	}
	put_verdicts(out, r);
	for (size_t i = 0; i < len(checks); i++) {
		fputs("    check ", out);
		put_safe(out, str(idx(checks, i), "name"));
		put_verdicts(out, idx(checks, i));
	}
	for (size_t i = 0; i < len(obs); i++) {
		json_object *c = idx(obs, i);

		fputs("    ", out);
		put_safe(out, str(c, "path"));
		fputs(": ", out);
		put_value(out, get(c, "old"));
		fputs(" -> ", out);
		put_value(out, get(c, "new"));
		fputc('\n', out);
	}
}

void lab_diff_print(json_object *diff, FILE *out)
{
	static const char *const title[K_UNCHANGED] = {
		"newly failing", "fixed", "verdict changed", "observations changed", "added", "gone",
	};
	json_object *runs = arr(diff, "runs");
	char line[256];

	print_side(out, "old", obj(diff, "old"));
	fputs(" vs ", out);
	print_side(out, "new", obj(diff, "new"));
	fputc('\n', out);
	for (size_t k = 0; k < K_UNCHANGED; k++) {
		size_t n = 0;

		for (size_t i = 0; i < len(runs); i++)
			n += str(idx(runs, i), "change") && !strcmp(str(idx(runs, i), "change"),
								    kind_name[k]);
		if (!n)
			continue;
		fprintf(out, "\n%s (%zu)\n", title[k], n);
		for (size_t i = 0; i < len(runs); i++)
			if (str(idx(runs, i), "change") &&
			    !strcmp(str(idx(runs, i), "change"), kind_name[k]))
				print_run(out, idx(runs, i));
	}
	if (obj(diff, "perf"))
		lab_perf_diff_print(obj(diff, "perf"), out);
	lab_diff_summary_line(diff, line, sizeof(line));
	fprintf(out, "\n%s\n", line);
}
