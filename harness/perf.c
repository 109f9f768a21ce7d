/* SPDX-License-Identifier: MIT */
/* Measured runs in the results (perf.h). */
#include "perf.h"

#include <stdio.h>
#include <string.h>

#include "jsonval.h"
#include "relation.h"
#include "scenario.h"

const char *lab_perf_policy(json_object *probe)
{
	json_object *req = lab_jsonval_obj(probe, "request"), *res = lab_jsonval_obj(probe, "result");
	const char *type = lab_jsonval_str(res, "domain_type");
	const char *measure = lab_jsonval_str(res, "measure");
	const char *via = lab_jsonval_str(lab_jsonval_obj(probe, "request"), "via");

	/* A probe whose DMA goes through a VFIO container (vfio probes; perf
	 * vfio_map, pgtable, edu_rtt via vfio) is translated by VFIO's own
	 * domain, whatever the group's default type (domain_type: identity
	 * under iommu=pt); and VFIO's domains are always unmapped
	 * synchronously, whatever the default domain's policy
	 * (VFIO_IOMMU_UNMAP_DMA returns after the IOTLB flush) */
	if (!strcmp(lab_scenario_probe_mode(req), "vfio") ||
	    (measure && (!strcmp(measure, "vfio_map") || !strcmp(measure, "pgtable") ||
			 (!strcmp(measure, "edu_rtt") && (!via || strcmp(via, "raw"))))))
		return "strict";
	if (type && !strcmp(type, "identity"))
		return "identity";
	if (type && !strcmp(type, "DMA"))
		return "strict";
	if (type && !strcmp(type, "DMA-FQ"))
		return "lazy";
	return NULL;
}

static json_object *check(const char *name, const char *verdict, json_object *expected,
			  json_object *observed, const char *reason)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "verdict", json_object_new_string(verdict));
	json_object_object_add(o, "expected", expected);
	json_object_object_add(o, "observed", observed);
	json_object_object_add(o, "reason", json_object_new_string(reason));
	json_object_object_add(o, "evidence", json_object_new_array());
	return o;
}

/* Is the guest's IOMMU an AMD-Vi? */
static int amd(json_object *obs)
{
	json_object *iommus = lab_jsonval_arr(obs, "iommus");

	for (size_t i = 0; i < lab_jsonval_len(iommus); i++) {
		const char *k = lab_jsonval_str(json_object_array_get_idx(iommus, i), "kind");

		if (k && !strcmp(k, "amd"))
			return 1;
	}
	return 0;
}

enum lab_verdict lab_perf_run_checks(json_object *obs, json_object *checks)
{
	json_object *probes = lab_jsonval_arr(obs, "probes");
	enum lab_verdict worst = LAB_VERDICT_PASS;

	for (size_t i = 0; i < lab_jsonval_len(probes); i++) {
		json_object *p = json_object_array_get_idx(probes, i);
		json_object *t = lab_jsonval_obj(p, "trace");
		const char *policy = lab_perf_policy(p), *pname = lab_jsonval_str(p, "name");
		char name[256], why[256];
		const char *v;

		if (!t || !policy || lab_jsonval_get(p, "error"))
			continue;
		if (!strcmp(policy, "strict")) {
			json_object *per = lab_jsonval_get(t, "invalidations_per_unmap");

			snprintf(name, sizeof(name), "trace.%s.invalidations_per_unmap", pname);
			if (!per) {
				v = "skip";
				snprintf(why, sizeof(why), "no unmap in the probe's window to count "
					 "invalidations for");
			} else if (json_object_get_double(per) >= 1) {
				v = "pass";
				snprintf(why, sizeof(why), "strict: %g IOTLB invalidations per unmap",
					 json_object_get_double(per));
			} else {
				v = "fail";
				snprintf(why, sizeof(why), "strict, yet only %lld IOTLB invalidations for "
					 "its unmaps: an unmap without its invalidation",
					 (long long)json_object_get_int64(lab_jsonval_get(t, "invalidations")));
			}
			json_object_array_add(checks, check(name, v, json_object_new_string(">= 1"),
							    json_object_get(per), why));
		} else if (!strcmp(policy, "identity")) {
			int64_t lookups = json_object_get_int64(lab_jsonval_get(t, "iotlb_hits")) +
					  json_object_get_int64(lab_jsonval_get(t, "iotlb_misses"));

			snprintf(name, sizeof(name), "trace.%s.identity_no_lookups", pname);
			v = lookups ? "fail" : "pass";
			snprintf(why, sizeof(why), lookups ? "an identity domain, yet %lld IOTLB lookups"
							   : "an identity domain: no IOTLB lookup",
				 (long long)lookups);
			/* QEMU's amd-iommu looks every DMA up in its IOTLB, and
			 * caches a passthrough DTE's identity result there
			 * (docs/NOTES.md, "QEMU trace events"): a known
			 * emulator difference, not a translated identity */
			if (lookups && amd(obs)) {
				v = "skip";
				snprintf(why, sizeof(why), "%lld IOTLB lookups: QEMU's amd-iommu looks "
					 "passthrough DMA up in its IOTLB too (amdvi_do_translate)",
					 (long long)lookups);
			}
			json_object_array_add(checks, check(name, v, json_object_new_int64(0),
							    json_object_new_int64(lookups), why));
		} else {
			continue;
		}
		worst = lab_verdict_worse(worst, lab_verdict_parse(v));
	}
	return worst;
}

/* ---- the perf section -------------------------------------------------------- */

static const char *const trace_keys[] = {
	"iotlb_hits", "iotlb_misses", "invalidations", "page_walks", "hit_rate",
	"invalidations_per_unmap", "invalidations_per_mib", NULL
};

static json_object *probe_entry(json_object *p)
{
	json_object *res = lab_jsonval_obj(p, "result"), *t = lab_jsonval_obj(p, "trace");
	json_object *o = json_object_new_object();
	const char *policy = lab_perf_policy(p);

	json_object_object_add(o, "name", json_object_new_string(lab_jsonval_str(p, "name")));
	json_object_object_add(o, "mode", json_object_new_string(
				       lab_scenario_probe_mode(lab_jsonval_obj(p, "request"))));
	if (lab_jsonval_str(res, "measure"))
		json_object_object_add(o, "measure", json_object_new_string(lab_jsonval_str(res, "measure")));
	if (lab_jsonval_str(res, "domain_type"))
		json_object_object_add(o, "domain_type",
				       json_object_new_string(lab_jsonval_str(res, "domain_type")));
	json_object_object_add(o, "policy", policy ? json_object_new_string(policy) : NULL);
	if (lab_jsonval_arr(res, "stats"))
		json_object_object_add(o, "stats", json_object_get(lab_jsonval_arr(res, "stats")));
	if (lab_jsonval_get(res, "throughput_mib_s"))
		json_object_object_add(o, "throughput_mib_s",
				       json_object_get(lab_jsonval_get(res, "throughput_mib_s")));
	if (t) {
		json_object *tt = json_object_new_object();

		for (size_t k = 0; trace_keys[k]; k++)
			json_object_object_add(tt, trace_keys[k],
					       json_object_get(lab_jsonval_get(t, trace_keys[k])));
		json_object_object_add(o, "trace", tt);
	}
	return o;
}

static int measured(json_object *p)
{
	return lab_jsonval_obj(p, "trace") ||
	       !strcmp(lab_scenario_probe_mode(lab_jsonval_obj(p, "request")), "perf");
}

json_object *lab_perf_section(json_object *rows)
{
	json_object *runs = json_object_new_array(), *groups = json_object_new_array(), *out;

	for (size_t i = 0; i < lab_jsonval_len(rows); i++) {
		json_object *r = json_object_array_get_idx(rows, i);
		json_object *probes = lab_jsonval_arr(lab_jsonval_obj(r, "observations"), "probes");
		json_object *e = NULL, *ps = NULL, *g = NULL;
		char gname[256];

		for (size_t j = 0; j < lab_jsonval_len(probes); j++) {
			json_object *p = json_object_array_get_idx(probes, j);

			if (!measured(p))
				continue;
			if (!e) {
				e = json_object_new_object();
				ps = json_object_new_array();
				for (const char *const *k = (const char *const[]){ "name", "matrix",
					"variant", "platform", "kernel", "kernel_version", "qemu_build",
					"qemu_version", "status", NULL }; *k; k++)
					json_object_object_add(e, *k, json_object_get(lab_jsonval_get(r, *k)));
			}
			json_object_array_add(ps, probe_entry(p));
		}
		if (!e)
			continue;
		json_object_object_add(e, "probes", ps);
		json_object_array_add(runs, e);
		/* the group: platform, kernel, QEMU; its runs the policies compared */
		snprintf(gname, sizeof(gname), "%s@%s+%s", lab_jsonval_str(r, "platform"),
			 lab_jsonval_str(r, "kernel"), lab_jsonval_str(r, "qemu_build"));
		for (size_t j = 0; j < json_object_array_length(groups) && !g; j++)
			if (!strcmp(lab_jsonval_str(json_object_array_get_idx(groups, j), "group"), gname))
				g = json_object_array_get_idx(groups, j);
		if (!g) {
			g = json_object_new_object();
			json_object_object_add(g, "group", json_object_new_string(gname));
			json_object_object_add(g, "platform", json_object_get(lab_jsonval_get(r, "platform")));
			json_object_object_add(g, "kernel", json_object_get(lab_jsonval_get(r, "kernel")));
			json_object_object_add(g, "qemu_build", json_object_get(lab_jsonval_get(r, "qemu_build")));
			json_object_object_add(g, "runs", json_object_new_array());
			json_object_array_add(groups, g);
		}
		json_object_array_add(lab_jsonval_arr(g, "runs"),
				      json_object_new_string(lab_jsonval_str(r, "name")));
	}
	if (!json_object_array_length(runs)) {
		json_object_put(runs);
		json_object_put(groups);
		return NULL;
	}
	out = json_object_new_object();
	json_object_object_add(out, "note", json_object_new_string(LAB_PERF_NOTE));
	json_object_object_add(out, "groups", groups);
	json_object_object_add(out, "runs", runs);
	return out;
}

void lab_perf_apply(json_object *results, const struct lab_matrix *m)
{
	json_object *rows = lab_jsonval_arr(results, "runs"), *summary = lab_jsonval_obj(results, "summary");
	json_object *checks = json_object_new_array(), *rel, *perf;
	int64_t n[3] = { 0 };

	for (size_t i = 0; m && i < m->nscenarios; i++) {
		const struct lab_scenario *s = m->scenarios[i];

		if (s->nrelations)
			lab_relation_judge(s->relations, s->nrelations, s->matrix, s->file, rows, checks);
	}
	for (size_t i = 0; i < json_object_array_length(checks); i++) {
		const char *v = lab_jsonval_str(json_object_array_get_idx(checks, i), "verdict");

		n[!strcmp(v, "pass") ? 0 : !strcmp(v, "fail") ? 1 : 2]++;
	}
	if (json_object_array_length(checks)) {
		rel = json_object_new_object();
		json_object_object_add(rel, "pass", json_object_new_int64(n[0]));
		json_object_object_add(rel, "fail", json_object_new_int64(n[1]));
		json_object_object_add(rel, "skip", json_object_new_int64(n[2]));
		json_object_object_add(rel, "checks", checks);
		json_object_object_add(results, "relations", rel);
		if (summary) {
			json_object *counts = json_object_new_object();

			json_object_object_add(counts, "pass", json_object_new_int64(n[0]));
			json_object_object_add(counts, "fail", json_object_new_int64(n[1]));
			json_object_object_add(counts, "skip", json_object_new_int64(n[2]));
			json_object_object_add(summary, "relations", counts);
			if (n[1]) {
				enum lab_verdict v = lab_verdict_parse(lab_jsonval_str(summary, "verdict"));

				json_object_object_add(summary, "verdict", json_object_new_string(
					lab_verdict_name(lab_verdict_worse(v, LAB_VERDICT_FAIL))));
			}
		}
	} else {
		json_object_put(checks);
	}
	perf = lab_perf_section(rows);
	if (perf)
		json_object_object_add(results, "perf", perf);
}

/* ---- two results compared ---------------------------------------------------- */

/* name with re's first match removed (diff.h's --pair) */
static void pair_key(const char *name, const regex_t *re, char *out, size_t len)
{
	regmatch_t m;

	if (re && !regexec(re, name, 1, &m, 0) && m.rm_so >= 0)
		snprintf(out, len, "%.*s%s", (int)m.rm_so, name, name + m.rm_eo);
	else
		snprintf(out, len, "%s", name);
}

static json_object *perf_run(json_object *perf, const char *key, const regex_t *re)
{
	json_object *runs = lab_jsonval_arr(perf, "runs");
	char k[512];

	for (size_t i = 0; i < lab_jsonval_len(runs); i++) {
		pair_key(lab_jsonval_str(json_object_array_get_idx(runs, i), "name"), re, k, sizeof(k));
		if (!strcmp(k, key))
			return json_object_array_get_idx(runs, i);
	}
	return NULL;
}

static json_object *named_in(json_object *arr, const char *name)
{
	for (size_t i = 0; i < lab_jsonval_len(arr); i++)
		if (!strcmp(lab_jsonval_str(json_object_array_get_idx(arr, i), "name"), name))
			return json_object_array_get_idx(arr, i);
	return NULL;
}

static void side_by_side(json_object *list, const char *run, const char *probe, const char *what,
			 json_object *o, json_object *n)
{
	json_object *e;

	if (!o || !n)
		return;
	e = json_object_new_object();
	json_object_object_add(e, "run", json_object_new_string(run));
	json_object_object_add(e, "probe", json_object_new_string(probe));
	json_object_object_add(e, "what", json_object_new_string(what));
	json_object_object_add(e, "old", json_object_get(o));
	json_object_object_add(e, "new", json_object_get(n));
	json_object_object_add(e, "ratio", json_object_get_double(o) != 0
		? json_object_new_double(json_object_get_double(n) / json_object_get_double(o)) : NULL);
	json_object_array_add(list, e);
}

static void compare_probe(json_object *list, const char *run, json_object *op, json_object *np)
{
	static const char *const rates[] = {
		"hit_rate", "invalidations_per_unmap", "invalidations_per_mib", NULL
	};
	const char *probe = lab_jsonval_str(np, "name");
	json_object *ost = lab_jsonval_arr(op, "stats"), *nst = lab_jsonval_arr(np, "stats");

	for (size_t i = 0; i < lab_jsonval_len(nst); i++) {
		json_object *n = json_object_array_get_idx(nst, i);

		for (size_t j = 0; j < lab_jsonval_len(ost); j++) {
			json_object *o = json_object_array_get_idx(ost, j);
			char what[96];

			if (strcmp(lab_jsonval_str(o, "metric"), lab_jsonval_str(n, "metric")) ||
			    json_object_get_int64(lab_jsonval_get(o, "size")) !=
				    json_object_get_int64(lab_jsonval_get(n, "size")))
				continue;
			for (const char *const *s = (const char *const[]){ "median", "p90", NULL }; *s; s++) {
				snprintf(what, sizeof(what), "%s@%lld.%s", lab_jsonval_str(n, "metric"),
					 (long long)json_object_get_int64(lab_jsonval_get(n, "size")), *s);
				side_by_side(list, run, probe, what, lab_jsonval_get(o, *s),
					     lab_jsonval_get(n, *s));
			}
		}
	}
	for (size_t k = 0; rates[k]; k++)
		side_by_side(list, run, probe, rates[k], lab_jsonval_get(lab_jsonval_obj(op, "trace"), rates[k]),
			     lab_jsonval_get(lab_jsonval_obj(np, "trace"), rates[k]));
}

/* A relation check's pairing key: its text and group, the QEMU dropped
 * when runs pair across QEMUs. */
static void relation_key(json_object *c, const regex_t *re, char *out, size_t len)
{
	char g[256];
	char *plus;

	snprintf(g, sizeof(g), "%s", lab_jsonval_str(c, "group"));
	plus = strrchr(g, '+');
	if (re && plus)
		*plus = '\0';
	snprintf(out, len, "%s [%s]", lab_jsonval_str(c, "relation"), g);
}

json_object *lab_perf_diff(json_object *old, json_object *new, const regex_t *re)
{
	json_object *operf = lab_jsonval_obj(old, "perf"), *nperf = lab_jsonval_obj(new, "perf");
	json_object *orel = lab_jsonval_arr(lab_jsonval_obj(old, "relations"), "checks");
	json_object *nrel = lab_jsonval_arr(lab_jsonval_obj(new, "relations"), "checks");
	json_object *out, *values, *rels;
	int newly = 0;

	if (!operf && !nperf && !orel && !nrel)
		return NULL;
	out = json_object_new_object();
	values = json_object_new_array();
	rels = json_object_new_array();
	for (size_t i = 0; i < lab_jsonval_len(lab_jsonval_arr(nperf, "runs")); i++) {
		json_object *nr = json_object_array_get_idx(lab_jsonval_arr(nperf, "runs"), i), *orun;
		char key[512];

		pair_key(lab_jsonval_str(nr, "name"), re, key, sizeof(key));
		orun = perf_run(operf, key, re);
		for (size_t p = 0; orun && p < lab_jsonval_len(lab_jsonval_arr(nr, "probes")); p++) {
			json_object *np = json_object_array_get_idx(lab_jsonval_arr(nr, "probes"), p);
			json_object *op = named_in(lab_jsonval_arr(orun, "probes"), lab_jsonval_str(np, "name"));

			if (op)
				compare_probe(values, key, op, np);
		}
	}
	for (size_t i = 0; i < lab_jsonval_len(nrel); i++) {
		json_object *n = json_object_array_get_idx(nrel, i), *o = NULL, *e;
		char nk[768], ok[768];
		const char *ov, *nv = lab_jsonval_str(n, "verdict");

		relation_key(n, re, nk, sizeof(nk));
		for (size_t j = 0; j < lab_jsonval_len(orel) && !o; j++) {
			relation_key(json_object_array_get_idx(orel, j), re, ok, sizeof(ok));
			if (!strcmp(ok, nk))
				o = json_object_array_get_idx(orel, j);
		}
		ov = o ? lab_jsonval_str(o, "verdict") : NULL;
		e = json_object_new_object();
		json_object_object_add(e, "name", json_object_new_string(nk));
		json_object_object_add(e, "old_verdict", ov ? json_object_new_string(ov) : NULL);
		json_object_object_add(e, "new_verdict", json_object_new_string(nv));
		json_object_object_add(e, "reason", json_object_get(lab_jsonval_get(n, "reason")));
		if (!strcmp(nv, "fail") && !(ov && !strcmp(ov, "fail"))) {
			newly++;
			json_object_object_add(e, "newly_failing", json_object_new_boolean(1));
		}
		json_object_array_add(rels, e);
	}
	json_object_object_add(out, "values", values);
	json_object_object_add(out, "relations", rels);
	json_object_object_add(out, "relations_newly_failing", json_object_new_int(newly));
	return out;
}

static void put_num(FILE *out, json_object *v)
{
	if (v && (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		fprintf(out, "%10.4g", json_object_get_double(v));
	else
		fprintf(out, "%10s", "-");
}

/* Text from the data on a terminal: control characters as '?'. */
static void put_safe(FILE *out, const char *s)
{
	for (; s && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

void lab_perf_diff_print(json_object *pd, FILE *out)
{
	json_object *values = lab_jsonval_arr(pd, "values"), *rels = lab_jsonval_arr(pd, "relations");

	if (lab_jsonval_len(values)) {
		fprintf(out, "\nmeasured (informational; emulated: configurations compared, not hardware)\n");
		fprintf(out, "%-44s %-12s %-28s %10s %10s %8s\n", "run", "probe", "value", "old", "new",
			"new/old");
	}
	for (size_t i = 0; i < lab_jsonval_len(values); i++) {
		json_object *e = json_object_array_get_idx(values, i), *r = lab_jsonval_get(e, "ratio");
		char buf[64];

		snprintf(buf, sizeof(buf), "%s", lab_jsonval_str(e, "run"));
		put_safe(out, buf);
		fprintf(out, "%*s ", strlen(buf) < 44 ? 44 - (int)strlen(buf) : 0, "");
		snprintf(buf, sizeof(buf), "%-12s %-28s", lab_jsonval_str(e, "probe"), lab_jsonval_str(e, "what"));
		put_safe(out, buf);
		fputc(' ', out);
		put_num(out, lab_jsonval_get(e, "old"));
		fputc(' ', out);
		put_num(out, lab_jsonval_get(e, "new"));
		if (r)
			fprintf(out, " %7.2fx\n", json_object_get_double(r));
		else
			fprintf(out, " %8s\n", "-");
	}
	if (lab_jsonval_len(rels))
		fprintf(out, "\nrelations (%d newly failing)\n",
			json_object_get_int(lab_jsonval_get(pd, "relations_newly_failing")));
	for (size_t i = 0; i < lab_jsonval_len(rels); i++) {
		json_object *e = json_object_array_get_idx(rels, i);

		fprintf(out, "  %s -> %s%s  ", lab_jsonval_str(e, "old_verdict") ? lab_jsonval_str(e, "old_verdict") : "(none)",
			lab_jsonval_str(e, "new_verdict"),
			lab_jsonval_get(e, "newly_failing") ? " (newly failing)" : "");
		put_safe(out, lab_jsonval_str(e, "name"));
		fputs(": ", out);
		put_safe(out, lab_jsonval_str(e, "reason"));
		fputc('\n', out);
	}
}
