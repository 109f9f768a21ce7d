/* SPDX-License-Identifier: MIT */
#include "jsonval.h"
#include "observation.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "decode.h"
#include "fault.h"
#include "klog.h"

/* short names for the typed reads: this file reads guest data throughout */
#define str(o, key) lab_jsonval_str(o, key)
#define arr(o, key) lab_jsonval_arr(o, key)
#define len(a) lab_jsonval_len(a)

const char *lab_observation_iommu_kind(const char *name, json_object *attrs)
{
	if (!strncmp(name, "dmar", 4) || str(attrs, "intel-iommu/cap"))
		return "intel";
	if (!strncmp(name, "ivhd", 4) || str(attrs, "amd-iommu/cap"))
		return "amd";
	if (!strncmp(name, "smmu3.", 6))
		return "smmuv3";
	if (!strncmp(name, "smmu.", 5))
		return "smmu";
	if (!strncmp(name, "virtio", 6) || strstr(name, "viommu"))
		return "virtio";
	return "unknown";
}

/* Raw registers from sysfs, as hex strings: "d2008c22260206" -> "0xd2008c22260206". */
static json_object *registers(const char *kind, json_object *attrs)
{
	static const struct {
		const char *kind, *attr, *name;
	} regs[] = {
		{ "intel", "intel-iommu/cap", "cap" },
		{ "intel", "intel-iommu/ecap", "ecap" },
		{ "intel", "intel-iommu/version", "version" },
		{ "intel", "intel-iommu/address", "address" },
		{ "amd", "amd-iommu/cap", "cap" },
		{ "amd", "amd-iommu/features", "features" },
	};
	json_object *out = json_object_new_object();

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		const char *v = str(attrs, regs[i].attr);
		char buf[80];

		if (strcmp(kind, regs[i].kind) || !v)
			continue;
		if (!strcmp(regs[i].name, "version") || !strncmp(v, "0x", 2) || strchr(v, ':'))
			snprintf(buf, sizeof(buf), "%s", v);
		else
			snprintf(buf, sizeof(buf), "0x%s", v);
		json_object_object_add(out, regs[i].name, json_object_new_string(buf));
	}
	return out;
}

static const char *record_msg(json_object *rec)
{
	const char *m = str(rec, "msg");

	return m ? m : "";
}

const char *lab_observation_domain_from_log(json_object *records)
{
	const char *type = NULL;
	const char *policy = NULL;

	/* drivers/iommu/iommu.c iommu_subsys_init(): "Default domain type: %s"
	 * (Translated / Passthrough) then "DMA domain TLB invalidation policy:
	 * %s mode" (lazy / strict) for a translated default. */
	for (size_t i = 0; i < len(records); i++) {
		const char *m = record_msg(json_object_array_get_idx(records, i));
		const char *p;

		if ((p = strstr(m, "Default domain type: ")))
			type = p + strlen("Default domain type: ");
		else if ((p = strstr(m, "TLB invalidation policy: ")))
			policy = p + strlen("TLB invalidation policy: ");
	}
	if (!type)
		return NULL;
	if (!strncmp(type, "Passthrough", 11))
		return "identity";
	if (!strncmp(type, "Translated", 10))
		return policy && !strncmp(policy, "lazy", 4) ? "DMA-FQ" : "DMA";
	return NULL;
}

const char *lab_observation_ir_from_log(json_object *records)
{
	const char *mode = "off";

	for (size_t i = 0; i < len(records); i++) {
		const char *m = record_msg(json_object_array_get_idx(records, i));

		/* drivers/iommu/intel/irq_remapping.c: "Enabled IRQ remapping in %s mode" */
		if (strstr(m, "Enabled IRQ remapping in x2apic mode"))
			return "x2apic";
		if (strstr(m, "Enabled IRQ remapping in xapic mode"))
			return "xapic";
		/* drivers/iommu/amd/init.c: "Interrupt remapping enabled", then
		 * "X2APIC enabled" in x2APIC mode. */
		if (strstr(m, "AMD-Vi: Interrupt remapping enabled"))
			mode = "xapic";
		if (strstr(m, "AMD-Vi: X2APIC enabled") && !strcmp(mode, "xapic"))
			return "x2apic";
	}
	return mode;
}

static void decode_into(json_object *decoded, const char *key, const char *reg,
			const char *text, const char *kernel)
{
	struct lab_error err = { 0 };
	json_object *out = NULL;

	if (!text)
		return;
	if (lab_decode_by_name(reg, text, kernel, 0, &out, &err) < 0)
		out = json_object_new_string(err.msg);    /* say why, keep going */
	json_object_object_add(decoded, key, out);
}

/* The SMMUv3 driver's "ias N-bit, oas N-bit (features 0x...)" boot line. */
static const char *smmu_features_line(json_object *records)
{
	for (size_t i = 0; i < len(records); i++) {
		const char *m = record_msg(json_object_array_get_idx(records, i));

		if (strstr(m, "(features 0x"))
			return m;
	}
	return NULL;
}

/* Register fields by their specification names, from the same decoder
 * `iommu-lab decode` uses. */
static json_object *decoded(const char *kind, json_object *attrs, json_object *records,
			    const char *kernel)
{
	json_object *d = json_object_new_object();

	if (!strcmp(kind, "intel")) {
		decode_into(d, "cap", "intel-cap", str(attrs, "intel-iommu/cap"), kernel);
		decode_into(d, "ecap", "intel-ecap", str(attrs, "intel-iommu/ecap"), kernel);
	} else if (!strcmp(kind, "amd")) {
		decode_into(d, "cap", "amd-cap", str(attrs, "amd-iommu/cap"), kernel);
		decode_into(d, "efr", "amd-efr", str(attrs, "amd-iommu/features"), kernel);
	} else if (!strcmp(kind, "smmuv3")) {
		decode_into(d, "features", "smmu-features", smmu_features_line(records), kernel);
	}
	return d;
}

/* virtio-iommu registers under its PCI device's name ("0000:00:02.0");
 * the device is virtio's 0x1af4 with ID 0x1040 + 23 (virtio spec 5.13). */
static int is_virtio_iommu(json_object *pci, const char *name)
{
	for (size_t i = 0; i < len(pci); i++) {
		json_object *d = json_object_array_get_idx(pci, i);
		const char *addr = str(d, "address"), *ven = str(d, "vendor"), *dev = str(d, "device");

		if (addr && ven && dev && !strcmp(addr, name))
			return !strcmp(ven, "0x1af4") && !strcmp(dev, "0x1057");
	}
	return 0;
}

static json_object *iommus(json_object *collect)
{
	json_object *in = arr(collect, "iommus");
	json_object *out = json_object_new_array();

	for (size_t i = 0; i < len(in); i++) {
		json_object *e = json_object_array_get_idx(in, i);
		json_object *attrs = json_object_object_get(e, "attrs");
		const char *name = str(e, "name");
		const char *kind;
		json_object *o;

		if (!name)
			continue;
		kind = lab_observation_iommu_kind(name, attrs);
		if (!strcmp(kind, "unknown") && is_virtio_iommu(arr(collect, "pci"), name))
			kind = "virtio";
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(name));
		json_object_object_add(o, "kind", json_object_new_string(kind));
		json_object_object_add(o, "registers", registers(kind, attrs));
		json_object_object_add(o, "decoded",
				       decoded(kind, attrs,
					       arr(json_object_object_get(collect, "klog"), "records"),
					       str(collect, "kernel")));
		json_object_object_add(o, "devices",
				       json_object_get(json_object_object_get(e, "devices")));
		json_object_array_add(out, o);
	}
	return out;
}

static json_object *groups(json_object *collect)
{
	json_object *in = arr(collect, "groups");
	json_object *out = json_object_new_array();

	for (size_t i = 0; i < len(in); i++) {
		json_object *g = json_object_array_get_idx(in, i);
		json_object *o = json_object_new_object();
		const char *type = str(g, "type");

		json_object_object_add(o, "id", json_object_get(json_object_object_get(g, "id")));
		json_object_object_add(o, "type", type ? json_object_new_string(type) : NULL);
		json_object_object_add(o, "devices",
				       json_object_get(json_object_object_get(g, "devices")));
		/* whether VFIO could take it as it was collected (the agent's
		 * reading of the drivers bound) */
		if (json_object_is_type(json_object_object_get(g, "vfio_viable"), json_type_boolean))
			json_object_object_add(o, "vfio_viable", json_object_get(
				json_object_object_get(g, "vfio_viable")));
		json_object_array_add(out, o);
	}
	return out;
}

/* The type most groups have: what the kernel really gave the devices (a
 * driver may force strict over the log's "lazy": intel caching mode). */
static const char *domain_from_groups(json_object *groups)
{
	const char *best = NULL;
	size_t best_n = 0;

	for (size_t i = 0; i < len(groups); i++) {
		const char *t = str(json_object_array_get_idx(groups, i), "type");
		size_t n = 0;

		if (!t)
			continue;
		for (size_t j = 0; j < len(groups); j++) {
			const char *u = str(json_object_array_get_idx(groups, j), "type");

			n += u && !strcmp(t, u);
		}
		if (n > best_n) {
			best = t;
			best_n = n;
		}
	}
	return best;
}

static json_object *new_str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/*
 * The firmware's IOMMU tables (the agent sends them as hex), each parsed
 * and validated against the PCI devices the guest has. A guest is
 * untrusted: odd-length or non-hex text is reported, not parsed.
 */
static json_object *acpi_tables(json_object *collect)
{
	json_object *out = json_object_new_object();
	json_object *pci = arr(collect, "pci");
	json_object *tables = json_object_object_get(collect, "acpi");

	if (!json_object_is_type(tables, json_type_object))
		return out;     /* an older agent, or a guest that sent junk */
	json_object_object_foreach(tables, sig, val) {
		struct lab_error err = { 0 };
		uint8_t *buf = NULL;
		size_t n = 0;
		json_object *t;

		if (!lab_acpi_is_iommu_table(sig))
			continue;
		if (lab_acpi_hex_decode(json_object_is_type(val, json_type_string) ?
					json_object_get_string(val) : "", &buf, &n, &err) == 0) {
			t = lab_acpi_check(buf, n, pci);
		} else {
			t = json_object_new_object();
			json_object_object_add(t, "valid", json_object_new_boolean(0));
			json_object_object_add(t, "error", json_object_new_string(err.msg));
		}
		free(buf);
		if (t)
			json_object_object_add(out, sig, t);
	}
	return out;
}

json_object *lab_observation_from_collect(json_object *collect, const char *platform)
{
	json_object *obs = json_object_new_object();
	json_object *klog = json_object_object_get(collect, "klog");
	json_object *records = arr(klog, "records");
	json_object *g = groups(collect);
	const char *from_groups = domain_from_groups(g);
	const char *from_log = lab_observation_domain_from_log(records);

	json_object_object_add(obs, "platform", new_str_or_null(platform));
	json_object_object_add(obs, "kernel", new_str_or_null(str(collect, "kernel")));
	json_object_object_add(obs, "cmdline", new_str_or_null(str(collect, "cmdline")));
	json_object *im = iommus(collect);

	json_object_object_add(obs, "iommus", im);
	/* The core prints its default type even with every IOMMU driver off:
	 * without an IOMMU there is no default domain. */
	json_object_object_add(obs, "default_domain",
			       !len(im) ? NULL
			       : new_str_or_null(from_groups ? from_groups : from_log));
	json_object_object_add(obs, "default_domain_log", new_str_or_null(from_log));
	json_object_object_add(obs, "groups", g);
	json_object_object_add(obs, "interrupt_remapping",
			       json_object_new_string(lab_observation_ir_from_log(records)));
	json_object_object_add(obs, "pci", json_object_get(arr(collect, "pci")));
	json_object_object_add(obs, "acpi", acpi_tables(collect));
	json_object_object_add(obs, "faults", json_object_new_array());
	json_object_object_add(obs, "probes", json_object_new_array());
	return obs;
}

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

void lab_observation_print(FILE *out, json_object *obs)
{
	json_object *im = arr(obs, "iommus");
	json_object *gs = arr(obs, "groups");

	fprintf(out, "platform            %s\n", or_dash(str(obs, "platform")));
	fprintf(out, "kernel              %s\n", or_dash(str(obs, "kernel")));
	fprintf(out, "cmdline             %s\n", or_dash(str(obs, "cmdline")));
	fprintf(out, "default domain      %s (boot log: %s)\n", or_dash(str(obs, "default_domain")),
		or_dash(str(obs, "default_domain_log")));
	fprintf(out, "interrupt remapping %s\n", or_dash(str(obs, "interrupt_remapping")));
	fprintf(out, "iommus              %zu\n", len(im));
	for (size_t i = 0; i < len(im); i++) {
		json_object *e = json_object_array_get_idx(im, i);
		json_object *regs = json_object_object_get(e, "registers");

		fprintf(out, "  %-18s %-7s", or_dash(str(e, "name")), or_dash(str(e, "kind")));
		json_object_object_foreach(regs, k, v)
			fprintf(out, " %s=%s", k, json_object_get_string(v));
		fprintf(out, "\n");
	}
	fprintf(out, "groups              %zu\n", len(gs));
	for (size_t i = 0; i < len(gs); i++) {
		json_object *g = json_object_array_get_idx(gs, i);
		json_object *devs = arr(g, "devices");

		fprintf(out, "  group %-3d %-9s", json_object_get_int(json_object_object_get(g, "id")),
			or_dash(str(g, "type")));
		for (size_t j = 0; j < len(devs); j++)
			fprintf(out, " %s", json_object_get_string(json_object_array_get_idx(devs, j)));
		fprintf(out, "\n");
	}
}

/* ---- faults: the boot's and each probe's ------------------------------------ */

/* Fault records (the parser `explain` uses) in the guest's kernel log
 * records whose sequence number is in [from, to). */
static json_object *faults_of(json_object *kmsg, int64_t from, int64_t to)
{
	struct lab_error err = { 0 };
	struct lab_fault_parser *fp = lab_fault_parser_new(&err);
	json_object *res, *faults;

	if (!fp)
		return json_object_new_array();
	for (size_t i = 0; kmsg && i < json_object_array_length(kmsg); i++) {
		json_object *r = json_object_array_get_idx(kmsg, i);
		int64_t seq = json_object_get_int64(json_object_object_get(r, "seq"));
		const char *text = json_object_get_string(json_object_object_get(r, "msg"));
		struct lab_klog_record rec = { .text = text ? text : "", .line = i + 1, .nlines = 1 };

		if (seq < from || seq >= to)
			continue;
		rec.len = strlen(rec.text);
		lab_fault_parser_feed(fp, &rec, &err);
	}
	res = lab_fault_parser_finish(fp, &err);
	lab_fault_parser_free(fp);
	faults = json_object_get(json_object_object_get(res, "faults"));
	json_object_put(res);
	return faults ? faults : json_object_new_array();
}

static int64_t seq_before(json_object *probe)
{
	json_object *res = json_object_object_get(probe, "result");
	json_object *v = json_object_object_get(res, "kmsg_seq_before");

	return v ? json_object_get_int64(v) : -1;
}

/* Each probe with the fault records logged between its start and the next
 * probe's (or the end of the log): the faults it raised. */
static json_object *attribute(json_object *probes, json_object *kmsg)
{
	json_object *out = json_object_new_array();
	size_t n = probes && json_object_is_type(probes, json_type_array)
			   ? json_object_array_length(probes) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(probes, i);
		json_object *o = json_object_new_object();
		int64_t from = seq_before(p), to = INT64_MAX;

		for (size_t j = i + 1; j < n && to == INT64_MAX; j++)
			if (seq_before(json_object_array_get_idx(probes, j)) >= 0)
				to = seq_before(json_object_array_get_idx(probes, j));
		json_object_object_foreach(p, k, v)
			json_object_object_add(o, k, json_object_get(v));
		json_object_object_add(o, "faults", from >= 0 ? faults_of(kmsg, from, to)
							       : json_object_new_array());
		json_object_array_add(out, o);
	}
	return out;
}

void lab_observation_attribute(json_object *obs, json_object *probes, json_object *kmsg)
{
	int64_t first = lab_jsonval_len(probes) ? seq_before(json_object_array_get_idx(probes, 0))
						 : -1;

	/* faults the probes raised on purpose are theirs, not the boot's */
	json_object_object_add(obs, "faults", faults_of(kmsg, 0, first >= 0 ? first : INT64_MAX));
	json_object_object_add(obs, "probes", attribute(probes, kmsg));
}
