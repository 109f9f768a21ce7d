/* SPDX-License-Identifier: MIT */
#include "compare.h"

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "jsonval.h"
#include "pci_addr.h"
#include "pcitree.h"
#include "scenario.h"
#include "stats.h"

#define EVIDENCE_MAX 5
#define EDU_ADDRESS "0000:00:10.0"   /* every platform's test device */

struct check {
	const char *key;         /* the expectation key: what to evaluate */
	char name[300];          /* what reports call it: the key, with the regex for logs */
	json_object *expected;   /* borrowed */
	json_object *observed;   /* owned */
	int held;
	char reason[512];
	json_object *evidence;   /* owned: array of log lines */
};

/* short names for the typed reads: this file reads guest data throughout */
#define str(o, key) lab_jsonval_str(o, key)
#define arr(o, key) lab_jsonval_arr(o, key)
#define len(a) lab_jsonval_len(a)

static const char *msg_of(json_object *kmsg, size_t i)
{
	const char *m = str(json_object_array_get_idx(kmsg, i), "msg");

	return m ? m : "";
}

/* Kernel log lines holding any of the substrings, as evidence. */
static json_object *lines_with(json_object *kmsg, const char *const *subs)
{
	json_object *ev = json_object_new_array();

	for (size_t i = 0; i < len(kmsg) && len(ev) < EVIDENCE_MAX; i++)
		for (const char *const *s = subs; *s; s++)
			if (strstr(msg_of(kmsg, i), *s)) {
				json_object_array_add(ev, json_object_new_string(msg_of(kmsg, i)));
				break;
			}
	return ev;
}

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* Two JSON values equal as the scenario means it: "none" matches null. */
static int same(json_object *expected, json_object *observed)
{
	if (json_object_is_type(expected, json_type_string) &&
	    !strcmp(json_object_get_string(expected), "none") && !observed)
		return 1;
	if (!expected || !observed)
		return expected == observed;
	if (json_object_is_type(expected, json_type_int) && json_object_is_type(observed, json_type_int))
		return json_object_get_int64(expected) == json_object_get_int64(observed);
	return json_object_equal(expected, observed);
}

static void compare_value(struct check *c)
{
	c->held = same(c->expected, c->observed);
	if (!c->held)
		snprintf(c->reason, sizeof(c->reason), "expected %s, observed %s",
			 json_object_to_json_string_ext(c->expected, JSON_C_TO_STRING_PLAIN),
			 json_object_to_json_string_ext(c->observed, JSON_C_TO_STRING_PLAIN));
}

/* "none", one kind, or the list of kinds when they differ. */
static json_object *iommu_kinds(json_object *obs)
{
	json_object *iommus = arr(obs, "iommus");
	const char *first = NULL;

	for (size_t i = 0; i < len(iommus); i++) {
		const char *k = str(json_object_array_get_idx(iommus, i), "kind");

		if (!first) {
			first = k;
		} else if (k && strcmp(k, first)) {
			json_object *all = json_object_new_array();

			for (size_t j = 0; j < len(iommus); j++)
				json_object_array_add(all, str_or_null(str(
					json_object_array_get_idx(iommus, j), "kind")));
			return all;
		}
	}
	return json_object_new_string(first ? first : "none");
}

/* The group holding dev (an address, or a topology id), or NULL. */
static json_object *group_of(json_object *obs, const char *dev)
{
	json_object *groups = arr(obs, "groups");

	dev = lab_pcitree_address(obs, dev);
	if (!dev)
		return NULL;

	for (size_t i = 0; i < len(groups); i++) {
		json_object *g = json_object_array_get_idx(groups, i);
		json_object *devs = arr(g, "devices");

		for (size_t j = 0; j < len(devs); j++)
			if (!strcmp(json_object_get_string(json_object_array_get_idx(devs, j)), dev))
				return g;
	}
	return NULL;
}

/* The id of the group holding dev, or -1. */
static int group_id_of(json_object *obs, const char *dev)
{
	json_object *g = group_of(obs, dev);

	return g ? json_object_get_int(json_object_object_get(g, "id")) : -1;
}

/* same_group / separate_groups: observed is {device: group id or null}. */
static void check_groups(struct check *c, json_object *obs, int same)
{
	size_t n = len(c->expected);
	int first = -2, held = 1;

	c->observed = json_object_new_object();
	for (size_t i = 0; i < n; i++) {
		const char *dev = json_object_get_string(json_object_array_get_idx(c->expected, i));
		int id = group_id_of(obs, dev);

		json_object_object_add(c->observed, dev, id < 0 ? NULL : json_object_new_int(id));
		if (id < 0)
			held = 0;
		else if (same)
			held &= first == -2 || id == first;
		for (size_t j = 0; j < i && !same; j++)
			held &= id != group_id_of(obs, json_object_get_string(
						    json_object_array_get_idx(c->expected, j)));
		if (first == -2)
			first = id;
	}
	c->held = held;
	if (!held)
		snprintf(c->reason, sizeof(c->reason), "%s: groups %s", same ? "not all in one group"
			 : "not each in a group of its own",
			 json_object_to_json_string_ext(c->observed, JSON_C_TO_STRING_PLAIN));
}

/* no_group: each device is there, in no group. observed: {device:
 * group id, or "absent" when the guest has no such device}. */
static void check_no_group(struct check *c, json_object *obs)
{
	c->observed = json_object_new_object();
	c->held = 1;
	for (size_t i = 0; i < len(c->expected); i++) {
		const char *dev = json_object_get_string(json_object_array_get_idx(c->expected, i));
		const char *addr = lab_pcitree_address(obs, dev);
		int id = group_id_of(obs, dev);

		if (!addr || !lab_pcitree_device(obs, addr)) {
			json_object_object_add(c->observed, dev, json_object_new_string("absent"));
			c->held = 0;
		} else {
			json_object_object_add(c->observed, dev, id < 0 ? NULL : json_object_new_int(id));
			c->held &= id < 0;
		}
	}
	if (!c->held)
		snprintf(c->reason, sizeof(c->reason), "not all there and groupless: %s",
			 json_object_to_json_string_ext(c->observed, JSON_C_TO_STRING_PLAIN));
}

/* group_type.DEVICE: the type of its group, "none" without one */
static json_object *group_type_of(json_object *obs, const char *dev)
{
	json_object *g = group_of(obs, dev);

	return g ? str_or_null(str(g, "type")) : json_object_new_string("none");
}

static json_object *edu_group_type(json_object *obs)
{
	json_object *g = group_of(obs, EDU_ADDRESS);

	return g ? str_or_null(str(g, "type")) : json_object_new_string("none");
}

/* fields.KIND.REGISTER.FIELD: the decoded field of the first IOMMU of KIND. */
static json_object *field(json_object *obs, const char *path)
{
	char kind[32], reg[64];
	const char *fieldname;
	json_object *iommus = arr(obs, "iommus");

	if (sscanf(path, "fields.%31[^.].%63[^.]", kind, reg) != 2)
		return NULL;
	fieldname = path + strlen("fields.") + strlen(kind) + 1 + strlen(reg) + 1;
	for (size_t i = 0; i < len(iommus); i++) {
		json_object *e = json_object_array_get_idx(iommus, i);
		json_object *d, *r, *v;

		if (!str(e, "kind") || strcmp(str(e, "kind"), kind))
			continue;
		if (json_object_object_get_ex(e, "decoded", &d) &&
		    json_object_object_get_ex(d, reg, &r) &&
		    json_object_object_get_ex(r, fieldname, &v))
			return json_object_get(v);
		return NULL;
	}
	return NULL;
}

/* acpi.TABLE.PATH: a field of the firmware table the observation parsed
 * (observations.acpi.DMAR ...), PATH dotted through objects and array
 * indices (dmar.structures.1.type). */
static json_object *acpi_field(json_object *obs, const char *path, json_object **table)
{
	char sig[8], key[128];
	const char *p = path + strlen("acpi.");
	json_object *v = NULL;

	*table = NULL;
	if (sscanf(p, "%4[a-z]", sig) != 1 || strlen(sig) != 4)
		return NULL;
	for (char *q = sig; *q; q++)
		*q = (char)(*q - 'a' + 'A');
	if (!json_object_object_get_ex(json_object_object_get(obs, "acpi"), sig, &v))
		return NULL;
	*table = v;
	for (p += 5; *p && v; p += *p == '.') {
		size_t n = strcspn(p, ".");

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (json_object_is_type(v, json_type_array) && n && strspn(key, "0123456789") == n)
			v = json_object_array_get_idx(v, strtoul(key, NULL, 10));
		else
			v = json_object_object_get(v, key);
		p += n;
	}
	return json_object_get(v);
}

/* The table's findings, as evidence for a check on it. */
static json_object *acpi_findings(json_object *table)
{
	json_object *out = json_object_new_array();
	static const char *const lists[] = { "errors", "warnings" };

	for (size_t l = 0; l < 2; l++) {
		json_object *a = json_object_object_get(table, lists[l]);

		for (size_t i = 0; i < len(a) && json_object_array_length(out) < EVIDENCE_MAX; i++)
			json_object_array_add(out, json_object_new_string(json_object_to_json_string_ext(
				json_object_array_get_idx(a, i), JSON_C_TO_STRING_PLAIN)));
	}
	return out;
}

static void check_log(struct check *c, json_object *kmsg, int want_present)
{
	const char *pattern = json_object_get_string(c->expected);
	regex_t re;
	size_t hits = 0;

	c->evidence = json_object_new_array();
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB)) {
		/* the loader validated it; should the libc disagree, say so */
		snprintf(c->reason, sizeof(c->reason), "regex does not compile here");
		return;
	}
	for (size_t i = 0; i < len(kmsg); i++)
		if (regexec(&re, msg_of(kmsg, i), 0, NULL, 0) == 0) {
			hits++;
			if (len(c->evidence) < EVIDENCE_MAX)
				json_object_array_add(c->evidence,
						      json_object_new_string(msg_of(kmsg, i)));
		}
	regfree(&re);
	c->observed = json_object_new_int64((int64_t)hits);
	c->held = want_present ? hits > 0 : hits == 0;
	if (!c->held)
		snprintf(c->reason, sizeof(c->reason), "%s /%s/ %s", want_present ? "no line matches"
			 : "lines match", pattern, want_present ? "" : "(see evidence)");
}

static void check_faults(struct check *c, json_object *faults)
{
	size_t n = len(faults);
	int want_none = json_object_get_boolean(c->expected);

	c->observed = json_object_new_int64((int64_t)n);
	c->evidence = json_object_new_array();
	for (size_t i = 0; i < n && i < EVIDENCE_MAX; i++) {
		json_object *f = json_object_array_get_idx(faults, i);
		char line[300];

		snprintf(line, sizeof(line), "%s %s on %s at %s", str(f, "iommu") ? str(f, "iommu") : "?",
			 str(f, "event") ? str(f, "event") : "?",
			 str(f, "device") ? str(f, "device") : "?",
			 str(f, "address") ? str(f, "address") : "?");
		json_object_array_add(c->evidence, json_object_new_string(line));
	}
	c->held = want_none ? n == 0 : 1;
	if (!c->held)
		snprintf(c->reason, sizeof(c->reason), "%zu unexpected IOMMU fault record%s", n,
			 n == 1 ? "" : "s");
}

/* The probe NAME from observations.probes, or NULL. */
static json_object *probe_named(json_object *obs, const char *name, size_t len_name)
{
	json_object *probes = arr(obs, "probes");

	for (size_t i = 0; i < len(probes); i++) {
		json_object *p = json_object_array_get_idx(probes, i);
		const char *n = str(p, "name");

		if (n && strlen(n) == len_name && !strncmp(n, name, len_name))
			return p;
	}
	return NULL;
}

static unsigned long long hex(const char *s)
{
	return s ? strtoull(s, NULL, 16) : ~0ULL;
}

/* Does fault record f have every field the expectation names? Addresses
 * compare by 4 KiB page: the VT-d fault record holds the page. */
/* Does fault f name the requester ID (ssss:bb:dd.f)? By its device, or,
 * for an SMMU event that names only the StreamID, by the StreamID: QEMU's
 * virt machine maps a PCI requester ID to the same StreamID (the IORT's
 * and the device tree's iommu-map are the identity). */
static int names_requester(json_object *f, const char *requester)
{
	struct lab_pci_addr a;
	json_object *sid = lab_jsonval_get(f, "stream_id");

	if (str(f, "device"))
		return !strcmp(str(f, "device"), requester);
	if (!sid || !json_object_is_type(sid, json_type_int) || lab_pci_addr_scan(requester, &a) < 0)
		return 0;
	return json_object_get_int64(sid) == (int64_t)(a.bus << 8 | a.dev << 3 | a.fn);
}

static int fault_matches(json_object *want, json_object *f, const char *requester)
{
	json_object_object_foreach(want, k, v) {
		json_object *got = json_object_object_get(f, k);

		if (!strcmp(k, "requester")) {
			if (!requester || !names_requester(f, requester))
				return 0;
		} else if (!strcmp(k, "address")) {
			if (!str(f, "address") || (hex(json_object_get_string(v)) >> 12) !=
							  (hex(str(f, "address")) >> 12))
				return 0;
		} else if (!same(v, got)) {
			return 0;
		}
	}
	return 1;
}

static json_object *fault_summary(json_object *faults)
{
	static const char *const keys[] = { "iommu", "event", "code", "access", "address", "device",
					    "count" };
	json_object *out = json_object_new_array();

	for (size_t i = 0; i < len(faults); i++) {
		json_object *f = json_object_array_get_idx(faults, i), *o = json_object_new_object();

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			json_object_object_add(o, keys[k], json_object_get(json_object_object_get(f, keys[k])));
		json_object_array_add(out, o);
	}
	return out;
}

/* Whom a probe's fault must name (fault.requester): the probe's device
 * (self), or the requester ID its DMA reaches the IOMMU with (alias:
 * harness/pcitree.h). NULL when the observations cannot say. */
static const char *probe_requester(json_object *obs, json_object *res, const char *which)
{
	const char *dev = str(res, "device");

	if (!which || !dev)
		return NULL;
	if (!strcmp(which, "self"))
		return dev;
	return str(lab_pcitree_device(obs, dev), "requester");
}

/* A reset probe's groups or types that differ: what differed, in its own
 * words (harness/reset.h), as the check's reason. */
static void differences_reason(struct check *c, json_object *res)
{
	json_object *d = arr(res, "differences");
	size_t n = 0;

	for (size_t i = 0; i < len(d) && n < sizeof(c->reason) - 1; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(d, i));

		n += (size_t)snprintf(c->reason + n, sizeof(c->reason) - n, "%s%s", i ? "; " : "",
				      s ? s : "");
	}
}

/* probe.NAME.KEY: a result field of the probe, or the faults it raised. */
static void check_probe(struct check *c, json_object *obs)
{
	const char *name = c->key + strlen("probe."), *key = strrchr(c->key, '.') + 1;
	json_object *p = probe_named(obs, name, (size_t)(key - 1 - name));
	json_object *res = p ? json_object_object_get(p, "result") : NULL;
	json_object *faults = p ? arr(p, "faults") : NULL;
	const char *requester;

	/* a group VFIO refused is the probe's error, and what vfio_viable
	 * expects to see */
	if (!strcmp(key, "vfio_viable") && res && lab_jsonval_get(res, "vfio_viable")) {
		c->observed = json_object_get(json_object_object_get(res, key));
		compare_value(c);
		if (!c->held && str(res, "error"))
			snprintf(c->reason, sizeof(c->reason), "%s", str(res, "error"));
		return;
	}
	if (!p || !res || str(res, "error")) {
		json_object *e = p ? json_object_object_get(p, "error") : NULL;

		snprintf(c->reason, sizeof(c->reason), "the probe did not run: %s",
			 !p ? "no result" : res ? str(res, "error")
			    : json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN));
		return;
	}
	if (!strcmp(key, "counted")) {
		/* a perf pgtable probe's: SecPageTables grew with its mappings */
		c->observed = json_object_get(lab_jsonval_get(
			json_object_object_get(res, "sec_pagetables_kib"), "counted"));
		compare_value(c);
		return;
	}
	if (strcmp(key, "fault")) {
		c->observed = json_object_get(json_object_object_get(res, key));
		compare_value(c);
		if (!c->held && len(arr(res, "differences")) &&
		    (!strcmp(key, "groups_same") || !strcmp(key, "types_same")))
			differences_reason(c, res);
		return;
	}
	c->observed = fault_summary(faults);
	c->evidence = json_object_new_array();
	for (size_t i = 0; i < len(faults) && i < EVIDENCE_MAX; i++) {
		json_object *ev = json_object_object_get(json_object_array_get_idx(faults, i), "evidence");

		if (ev && json_object_array_length(ev))
			json_object_array_add(c->evidence, json_object_get(json_object_array_get_idx(ev, 0)));
	}
	if (json_object_is_type(c->expected, json_type_string)) {    /* none */
		c->held = len(faults) == 0;
		if (!c->held)
			snprintf(c->reason, sizeof(c->reason), "the probe raised %zu fault record%s",
				 len(faults), len(faults) == 1 ? "" : "s");
		return;
	}
	requester = probe_requester(obs, res, str(c->expected, "requester"));
	for (size_t i = 0; i < len(faults) && !c->held; i++)
		c->held = fault_matches(c->expected, json_object_array_get_idx(faults, i), requester);
	if (!c->held)
		snprintf(c->reason, sizeof(c->reason), "no fault record matches %s (the probe raised %zu)",
			 json_object_to_json_string_ext(c->expected, JSON_C_TO_STRING_PLAIN), len(faults));
}

/* ---- perf probes (common/perf_request.h) -------------------------------- */

static int is_perf(json_object *probe)
{
	const char *m = str(json_object_object_get(probe, "request"), "mode");

	return m && !strcmp(m, "perf");
}

static const char *measure_of(json_object *probe)
{
	return str(json_object_object_get(probe, "request"), "measure");
}

static double num(json_object *o, const char *key)
{
	json_object *v = lab_jsonval_get(o, key);

	return v && (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
	       ? json_object_get_double(v) : NAN;
}

/* Why a perf probe's outcome is not sane ("" when it is): it did not run,
 * failed, measured nothing, or a summary breaks min <= median <= p90 <=
 * p99 <= max (common/stats.h). */
static void perf_insane(json_object *probe, char *why, size_t len)
{
	json_object *res = json_object_object_get(probe, "result");
	json_object *stats = arr(res, "stats");

	why[0] = '\0';
	if (!res) {
		json_object *e = json_object_object_get(probe, "error");

		snprintf(why, len, "did not run: %s", e ? json_object_to_json_string_ext(
			 e, JSON_C_TO_STRING_PLAIN) : "no result");
		return;
	}
	if (str(res, "error")) {
		snprintf(why, len, "%s", str(res, "error"));
		return;
	}
	if (!len(stats)) {
		snprintf(why, len, "no statistics");
		return;
	}
	for (size_t i = 0; i < len(stats); i++) {
		json_object *o = json_object_array_get_idx(stats, i);
		struct lab_stats st = {
			.n = num(o, "n") > 0 ? (size_t)num(o, "n") : 0,
			.median = num(o, "median"), .p90 = num(o, "p90"), .p99 = num(o, "p99"),
			.min = num(o, "min"), .max = num(o, "max"), .mean = num(o, "mean"),
			.stddev = num(o, "stddev"),
		};

		if (!lab_stats_sane(&st)) {
			snprintf(why, len, "%s (size %.0f): n %zu, min %g, median %g, p90 %g, p99 %g, "
				 "max %g, mean %g, stddev %g", str(o, "metric") ? str(o, "metric") : "?",
				 num(o, "size"), st.n, st.min, st.median, st.p90, st.p99, st.max,
				 st.mean, st.stddev);
			return;
		}
	}
}

/* perf_sane: every perf probe completed and its statistics are sane. */
static void check_perf_sane(struct check *c, json_object *obs)
{
	json_object *probes = arr(obs, "probes");
	size_t n = 0, bad = 0;

	for (size_t i = 0; i < len(probes); i++) {
		json_object *p = json_object_array_get_idx(probes, i);
		char why[300];

		if (!is_perf(p))
			continue;
		n++;
		perf_insane(p, why, sizeof(why));
		if (why[0] && !bad++)
			snprintf(c->reason, sizeof(c->reason), "probe %s: %s",
				 str(p, "name") ? str(p, "name") : "?", why);
	}
	if (!n)
		snprintf(c->reason, sizeof(c->reason), "the run has no perf probe");
	c->observed = json_object_new_boolean(n > 0 && !bad);
	c->held = same(c->expected, c->observed);
	if (c->held)
		c->reason[0] = '\0';
	else if (n && !bad)
		snprintf(c->reason, sizeof(c->reason), "every perf probe ran and is sane");
}

/* stale_iova_unreachable: no vfio_map perf probe's DMA after its unmap
 * landed. A check that could not run is no evidence either way: the
 * check then fails, saying why. */
static void check_stale(struct check *c, json_object *obs)
{
	json_object *probes = arr(obs, "probes");
	size_t checked = 0, reached = 0;
	char why[300] = "";

	for (size_t i = 0; i < len(probes); i++) {
		json_object *p = json_object_array_get_idx(probes, i);
		json_object *res = json_object_object_get(p, "result");
		json_object *v = lab_jsonval_get(res, "stale_reachable");

		if (!is_perf(p) || !measure_of(p) || strcmp(measure_of(p), "vfio_map"))
			continue;
		if (!v || !json_object_is_type(v, json_type_boolean)) {
			if (!why[0])
				snprintf(why, sizeof(why), "probe %s did not run its check: %s",
					 str(p, "name") ? str(p, "name") : "?",
					 str(res, "error") ? str(res, "error") : "no result");
			continue;
		}
		checked++;
		if (json_object_get_boolean(v) && !reached++)
			snprintf(c->reason, sizeof(c->reason), "probe %s: a DMA to the IOVA it had "
				 "just unmapped still reached memory (a missing IOTLB invalidation)",
				 str(p, "name") ? str(p, "name") : "?");
	}
	if (!checked && !reached) {
		snprintf(c->reason, sizeof(c->reason), "%s", why[0] ? why
			 : "the run has no perf vfio_map probe");
		return;          /* observed null: fails whatever was expected */
	}
	c->observed = json_object_new_boolean(!reached);
	c->held = same(c->expected, c->observed);
	if (c->held)
		c->reason[0] = '\0';
	else if (!reached)
		snprintf(c->reason, sizeof(c->reason), "expected an unmapped IOVA to stay reachable, "
			 "but every DMA after an unmap was blocked");
}

/* groups_min / groups_max: the count of groups against a bound. */
static void check_group_count(struct check *c, json_object *obs, int at_least)
{
	size_t n = len(arr(obs, "groups"));
	int64_t want = json_object_get_int64(c->expected);

	c->observed = json_object_new_int64((int64_t)n);
	c->held = at_least ? (int64_t)n >= want : (int64_t)n <= want;
	if (!c->held)
		snprintf(c->reason, sizeof(c->reason), "%zu groups, want %s %lld", n,
			 at_least ? "at least" : "at most", (long long)want);
}

/* acpi.TABLE.PATH: a field of the guest's parsed table, its findings as
 * the evidence; a table the guest lacks fails and says so. */
static void check_acpi(struct check *c, json_object *obs)
{
	json_object *table;

	c->observed = acpi_field(obs, c->key, &table);
	c->evidence = table ? acpi_findings(table) : json_object_new_array();
	compare_value(c);
	if (!c->held && !table) {
		char sig[5] = { 0 };

		for (int i = 0; i < 4 && c->key[5 + i]; i++)
			sig[i] = (char)toupper((unsigned char)c->key[5 + i]);
		snprintf(c->reason, sizeof(c->reason), "the guest has no %s table", sig);
	}
}

/* Evaluate one expectation whose alternative is already chosen: each key
 * of harness/expect.h, with the kernel log lines the table names as its
 * evidence. */
static void evaluate(struct check *c, json_object *obs, json_object *kmsg, json_object *faults)
{
	const struct lab_expect_key *k = lab_expect_key_of(c->key);

	if (!k) {
		snprintf(c->reason, sizeof(c->reason), "unknown expectation '%s'", c->key);
		return;
	}
	if (k->evidence)
		c->evidence = lines_with(kmsg, k->evidence);
	switch (k->id) {
	case LAB_EXPECT_LOG_PRESENT:
	case LAB_EXPECT_LOG_ABSENT:
		check_log(c, kmsg, k->id == LAB_EXPECT_LOG_PRESENT);
		return;
	case LAB_EXPECT_NO_FAULTS:
		check_faults(c, faults);
		return;
	case LAB_EXPECT_PROBE:
		check_probe(c, obs);
		return;
	case LAB_EXPECT_PERF_SANE:
		check_perf_sane(c, obs);
		return;
	case LAB_EXPECT_STALE_IOVA_UNREACHABLE:
		check_stale(c, obs);
		return;
	case LAB_EXPECT_GROUPS_MIN:
	case LAB_EXPECT_GROUPS_MAX:
		check_group_count(c, obs, k->id == LAB_EXPECT_GROUPS_MIN);
		return;
	case LAB_EXPECT_SAME_GROUP:
	case LAB_EXPECT_SEPARATE_GROUPS:
		check_groups(c, obs, k->id == LAB_EXPECT_SAME_GROUP);
		return;
	case LAB_EXPECT_NO_GROUP:
		check_no_group(c, obs);
		return;
	case LAB_EXPECT_GROUP_TYPE:
		c->observed = group_type_of(obs, c->key + strlen("group_type."));
		break;
	case LAB_EXPECT_ACPI:
		check_acpi(c, obs);
		return;
	case LAB_EXPECT_IOMMU:
		c->observed = iommu_kinds(obs);
		break;
	case LAB_EXPECT_IOMMUS:
		c->observed = json_object_new_int64((int64_t)len(arr(obs, "iommus")));
		break;
	case LAB_EXPECT_DEFAULT_DOMAIN:
	case LAB_EXPECT_INTERRUPT_REMAPPING:
		c->observed = str_or_null(str(obs, k->name));
		break;
	case LAB_EXPECT_EDU_GROUP_TYPE:
		c->observed = edu_group_type(obs);
		break;
	case LAB_EXPECT_FIELDS:
		c->observed = field(obs, c->key);
		break;
	case LAB_EXPECT_STATUS:     /* judged before anything else, in lab_compare_run */
		break;
	}
	compare_value(c);
}

/* The first alternative whose condition holds here, or NULL. */
static const struct lab_expect_alt *choose(const struct lab_expect *e, const struct lab_env *env,
					   char *why, size_t why_len)
{
	for (size_t i = 0; i < e->nalts; i++)
		if (!e->alts[i].when ||
		    lab_scenario_condition_holds(e->alts[i].when, env->qemu, env->libvirt,
						 env->kernel, env->platform, why, why_len))
			return &e->alts[i];
	return NULL;
}

static json_object *check_json(const struct check *c, const char *verdict)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "verdict", json_object_new_string(verdict));
	json_object_object_add(o, "expected", json_object_get(c->expected));
	json_object_object_add(o, "observed", json_object_get(c->observed));
	json_object_object_add(o, "reason", json_object_new_string(c->reason));
	json_object_object_add(o, "evidence",
			       c->evidence ? json_object_get(c->evidence) : json_object_new_array());
	return o;
}

json_object *lab_compare_run(const struct lab_run_spec *spec, const struct lab_env *env,
			     const char *status, json_object *obs, json_object *kmsg,
			     json_object *faults)
{
	static struct lab_expect_alt ok_alt, faults_alt;
	static struct lab_expect implicit_status = { "status", 0, &ok_alt, 1 };
	static struct lab_expect implicit_faults = { "no_faults", 0, &faults_alt, 1 };
	/* a run with perf probes: they ran and are sane, and no unmapped
	 * IOVA was reachable, unless the scenario says otherwise */
	static struct lab_expect implicit_sane = { "perf_sane", 0, &faults_alt, 1 };
	static struct lab_expect implicit_stale = { "stale_iova_unreachable", 0, &faults_alt, 1 };
	const struct lab_expect *all[spec->nexpects + 4];
	int has_sane = 0, has_stale = 0, perf = 0, vfio_map = 0;
	json_object *checks = json_object_new_array();
	json_object *out = json_object_new_object();
	enum lab_verdict worst = LAB_VERDICT_PASS;
	int has_faults = 0, guest_ok, expects_failure = 0;
	size_t n = 0;

	if (!ok_alt.value) {
		ok_alt.value = json_object_new_string("ok");
		faults_alt.value = json_object_new_boolean(1);
	}
	/* status first: whether the guest was meant to fail decides the rest */
	all[n++] = &implicit_status;
	for (size_t i = 0; i < spec->nexpects; i++) {
		if (!strcmp(spec->expects[i]->key, "status")) {
			all[0] = spec->expects[i];
			continue;
		}
		has_faults |= !strcmp(spec->expects[i]->key, "no_faults");
		has_sane |= !strcmp(spec->expects[i]->key, "perf_sane");
		has_stale |= !strcmp(spec->expects[i]->key, "stale_iova_unreachable");
		all[n++] = spec->expects[i];
	}
	if (!has_faults)
		all[n++] = &implicit_faults;
	for (size_t i = 0; i < len(spec->probes); i++) {
		json_object *p = json_object_array_get_idx(spec->probes, i);

		if (strcmp(lab_scenario_probe_mode(p), "perf"))
			continue;
		perf = 1;
		vfio_map |= str(p, "measure") && !strcmp(str(p, "measure"), "vfio_map");
	}
	if (perf && !has_sane)
		all[n++] = &implicit_sane;
	if (vfio_map && !has_stale)
		all[n++] = &implicit_stale;
	guest_ok = !strcmp(status, "ok") && obs;

	for (size_t i = 0; i < n; i++) {
		struct check c = { .key = all[i]->key };
		char why[256] = "";
		const struct lab_expect_alt *alt = choose(all[i], env, why, sizeof(why));
		enum lab_verdict verdict;

		/* every regex is its own check: name them apart */
		if (!strncmp(c.key, "log_", 4) && alt)
			snprintf(c.name, sizeof(c.name), "%s /%s/", c.key,
				 json_object_get_string(alt->value));
		else if ((!strcmp(c.key, "same_group") || !strcmp(c.key, "separate_groups") ||
			  !strcmp(c.key, "no_group")) && all[i]->nalts)
			/* named by their set, the one that applies or the first:
			 * a skipped set is told apart from the others too */
			snprintf(c.name, sizeof(c.name), "%s %s", c.key,
				 json_object_to_json_string_ext((alt ? alt : &all[i]->alts[0])->value,
								JSON_C_TO_STRING_PLAIN));
		else
			snprintf(c.name, sizeof(c.name), "%s", c.key);
		if (!alt) {
			snprintf(c.reason, sizeof(c.reason), "no expectation applies here: %s", why);
			verdict = LAB_VERDICT_SKIP;
		} else if (!strcmp(c.key, "status")) {
			c.expected = alt->value;
			c.observed = json_object_new_string(status);
			compare_value(&c);
			verdict = c.held ? LAB_VERDICT_PASS : LAB_VERDICT_FAIL;
			expects_failure = strcmp(json_object_get_string(alt->value), "ok") != 0;
		} else if (!guest_ok) {
			c.expected = alt->value;
			snprintf(c.reason, sizeof(c.reason), "not evaluated: the guest ended with '%s'",
				 status);
			/* a guest expected to panic has nothing else to check;
			 * one that was not could not be checked */
			verdict = expects_failure ? LAB_VERDICT_SKIP : LAB_VERDICT_ERROR;
		} else {
			c.expected = alt->value;
			evaluate(&c, obs, kmsg, faults);
			verdict = c.held ? LAB_VERDICT_PASS : LAB_VERDICT_FAIL;
		}
		if (alt && alt->xfail && (verdict == LAB_VERDICT_PASS || verdict == LAB_VERDICT_FAIL)) {
			verdict = c.held ? LAB_VERDICT_XPASS : LAB_VERDICT_XFAIL;
			snprintf(c.reason, sizeof(c.reason), "%s: %s",
				 c.held ? "known bug did not show" : "known bug", alt->xfail);
		}
		worst = lab_verdict_worse(worst, verdict);
		json_object_array_add(checks, check_json(&c, lab_verdict_name(verdict)));
		json_object_put(c.observed);
		json_object_put(c.evidence);
	}
	json_object_object_add(out, "checks", checks);
	json_object_object_add(out, "verdict",
			       json_object_new_string(lab_verdict_name(lab_verdict_of_run(worst))));
	return out;
}
