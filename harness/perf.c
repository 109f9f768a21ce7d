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

	if (type && !strcmp(type, "identity"))
		return "identity";
	/* VFIO's domains are always unmapped synchronously, whatever the
	 * default domain's policy (VFIO_IOMMU_UNMAP_DMA returns after the
	 * IOTLB flush) */
	if (!strcmp(lab_scenario_probe_mode(req), "vfio") || (measure && !strcmp(measure, "vfio_map")))
		return "strict";
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
