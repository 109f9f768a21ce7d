/* SPDX-License-Identifier: MIT */
#include "replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "dma_request.h"
#include "jsonval.h"
#include "paths.h"
#include "platform.h"


static const char *const iommu_args[] = {
	"intel_iommu=", "amd_iommu=", "iommu=", "iommu.", "intremap=", "arm-smmu-v3.",
	"amd_iommu_intr=", "iommu_pt", NULL
};

char *lab_replay_iommu_args(const char *cmdline)
{
	char *copy, *save = NULL, *out = NULL;
	size_t len = 0;
	FILE *f;

	if (!cmdline)
		return NULL;
	copy = strdup(cmdline);
	f = open_memstream(&out, &len);
	for (char *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
		for (const char *const *a = iommu_args; *a; a++)
			if (!strncmp(tok, *a, strlen(*a))) {
				fprintf(f, "%s%s", ftell(f) ? " " : "", tok);
				break;
			}
	fclose(f);
	free(copy);
	if (!len) {
		free(out);
		return NULL;
	}
	return out;
}

static unsigned long long edu_mask(const char *platform)
{
	struct lab_platform *p = lab_platform_load(lab_paths_platforms(), platform, NULL);
	unsigned long long mask = DMA_EDU_DEFAULT_MASK;

	if (p && p->test_dma_mask)
		mask = strtoull(p->test_dma_mask, NULL, 16);
	lab_platform_free(p);
	return mask;
}

/* Can a DMA probe raise this record? Sets platform and why. */
static int replayable(json_object *f, const char **platform, char *why, size_t len)
{
	const char *iommu = lab_jsonval_str(f, "iommu"), *event = lab_jsonval_str(f, "event");
	const char *access = lab_jsonval_str(f, "access"), *addr = lab_jsonval_str(f, "address");
	json_object *code = json_object_object_get(f, "code");
	unsigned long long page, mask;

	*platform = NULL;
	if (!iommu || !event) {
		snprintf(why, len, "not an IOMMU fault record the lab knows");
		return 0;
	}
	if (!strcmp(iommu, "smmu")) {
		snprintf(why, len, "Arm SMMUv2: QEMU's virt machine models SMMUv3 only");
		return 0;
	}
	if (!strcmp(iommu, "intel") || !strcmp(iommu, "amd") || !strcmp(iommu, "smmuv3"))
		*platform = iommu;
	if (!*platform) {
		snprintf(why, len, "no platform for IOMMU kind '%s'", iommu);
		return 0;
	}
	if (strcmp(event, "DMA_FAULT") && strcmp(event, "IO_PAGE_FAULT") &&
	    strcmp(event, "F_TRANSLATION")) {
		snprintf(why, len, "%s: no probe raises this event (the probes make DMA to an "
			 "unmapped IOVA: DMA_FAULT, IO_PAGE_FAULT, F_TRANSLATION)", event);
		return 0;
	}
	if (!strcmp(event, "DMA_FAULT") &&
	    (!code || (json_object_get_int(code) != 5 && json_object_get_int(code) != 6))) {
		snprintf(why, len, "VT-d fault reason 0x%02x: a probe to an unmapped IOVA raises "
			 "0x05 (write) or 0x06 (read) only", code ? json_object_get_int(code) : 0);
		return 0;
	}
	if (!addr || !access) {
		snprintf(why, len, "the record has no %s to replay", !addr ? "address" : "direction");
		return 0;
	}
	page = strtoull(addr, NULL, 16) & ~0xfffULL;
	mask = edu_mask(*platform);
	if (page + 4 - 1 > mask) {
		snprintf(why, len, "address %s is beyond the test device's DMA mask 0x%llx", addr,
			 mask);
		return 0;
	}
	why[0] = '\0';
	return 1;
}

/* Two records with the same signature fold into one probe. */
static int same_signature(json_object *a, json_object *b)
{
	static const char *const keys[] = { "iommu", "event", "access" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *x = lab_jsonval_str(a, keys[i]), *y = lab_jsonval_str(b, keys[i]);

		if (!x || !y || strcmp(x, y))
			return 0;
	}
	return json_object_get_int(json_object_object_get(a, "code")) ==
		       json_object_get_int(json_object_object_get(b, "code")) &&
	       (strtoull(lab_jsonval_str(a, "address"), NULL, 16) >> 12) ==
		       (strtoull(lab_jsonval_str(b, "address"), NULL, 16) >> 12);
}

json_object *lab_replay_plan(json_object *faults, const char *cmdline)
{
	json_object *plan = json_object_new_object(), *sigs = json_object_new_array();
	char *append = lab_replay_iommu_args(cmdline);
	int n = 0;

	for (size_t i = 0; i < lab_jsonval_len(faults); i++) {
		json_object *f = json_object_array_get_idx(faults, i), *s;
		const char *platform;
		char why[256], page[32], variant[16];
		int ok = replayable(f, &platform, why, sizeof(why)), dup = 0;

		for (size_t j = 0; ok && j < i && !dup; j++) {
			const char *pj;
			char wj[256];

			dup = replayable(json_object_array_get_idx(faults, j), &pj, wj, sizeof(wj)) &&
			      same_signature(f, json_object_array_get_idx(faults, j));
		}
		if (dup)
			continue;
		if (ok && n >= LAB_REPLAY_MAX) {
			ok = 0;
			snprintf(why, sizeof(why), "more than %d signatures: not replayed",
				 LAB_REPLAY_MAX);
		}
		s = json_object_new_object();
		json_object_object_foreach(f, k, v)
			if (!strcmp(k, "iommu") || !strcmp(k, "event") || !strcmp(k, "code") ||
			    !strcmp(k, "access") || !strcmp(k, "device") || !strcmp(k, "count") ||
			    !strcmp(k, "stream_id"))
				json_object_object_add(s, k, json_object_get(v));
		if (lab_jsonval_str(f, "address")) {
			snprintf(page, sizeof(page), "0x%llx",
				 strtoull(lab_jsonval_str(f, "address"), NULL, 16) & ~0xfffULL);
			json_object_object_add(s, "address", json_object_new_string(page));
		}
		json_object_object_add(s, "platform", platform ? json_object_new_string(platform) : NULL);
		json_object_object_add(s, "replayable", json_object_new_boolean(ok));
		json_object_object_add(s, "why", json_object_new_string(why));
		if (ok) {
			snprintf(variant, sizeof(variant), "sig%d", ++n);
			json_object_object_add(s, "variant", json_object_new_string(variant));
		}
		json_object_array_add(sigs, s);
	}
	json_object_object_add(plan, "signatures", sigs);
	json_object_object_add(plan, "append", append ? json_object_new_string(append) : NULL);
	free(append);
	return plan;
}

/* ---- the scenario file, through libyaml's emitter -------------------------------- */

struct out {
	yaml_emitter_t em;
	int failed;
};

static void emit(struct out *o, yaml_event_t *ev)
{
	if (!o->failed && !yaml_emitter_emit(&o->em, ev))
		o->failed = 1;
}

static void scalar(struct out *o, const char *s, int quoted)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
				     quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
	emit(o, &ev);
}

static void pair(struct out *o, const char *key, const char *value, int quoted)
{
	scalar(o, key, 0);
	scalar(o, value, quoted);
}

static void map_start(struct out *o, int flow)
{
	yaml_event_t ev;

	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
					    flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
	emit(o, &ev);
}

static void map_end(struct out *o)
{
	yaml_event_t ev;

	yaml_mapping_end_event_initialize(&ev);
	emit(o, &ev);
}

static void seq_start(struct out *o)
{
	yaml_event_t ev;

	yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
	emit(o, &ev);
}

static void seq_end(struct out *o)
{
	yaml_event_t ev;

	yaml_sequence_end_event_initialize(&ev);
	emit(o, &ev);
}

static void variant(struct out *o, json_object *s)
{
	const char *platform = lab_jsonval_str(s, "platform");
	json_object *code = json_object_object_get(s, "code");
	char num[32];

	map_start(o, 0);
	pair(o, "name", lab_jsonval_str(s, "variant"), 0);
	scalar(o, "probes", 0);
	seq_start(o);
	map_start(o, 0);
	pair(o, "name", "replay", 0);
	pair(o, "mode", "vfio", 0);
	pair(o, "direction", lab_jsonval_str(s, "access"), 0);
	pair(o, "iova", lab_jsonval_str(s, "address"), 1);
	pair(o, "size", "4", 0);    /* one event on SMMUv3, inside edu's window */
	pair(o, "map", "false", 0);
	scalar(o, "expect", 0);
	map_start(o, 0);
	scalar(o, "fault", 0);
	map_start(o, 1);
	pair(o, "iommu", lab_jsonval_str(s, "iommu"), 0);
	pair(o, "event", lab_jsonval_str(s, "event"), 0);
	if (code && strcmp(platform, "amd")) {
		snprintf(num, sizeof(num), "%d", json_object_get_int(code));
		pair(o, "code", num, 0);
	}
	pair(o, "access", lab_jsonval_str(s, "access"), 0);
	pair(o, "address", lab_jsonval_str(s, "address"), 1);
	if (!strcmp(platform, "amd"))
		pair(o, "xfail", "QEMU's amd-iommu logs no IO_PAGE_FAULT for an unmapped IOVA "
		     "(hw/i386/amd_iommu.c): the DMA is blocked, but no event reaches the guest", 1);
	map_end(o);
	map_end(o);
	map_end(o);
	seq_end(o);
	map_end(o);
}

static int write_one(json_object *plan, const char *platform, const char *path,
		     struct lab_error *err)
{
	json_object *sigs = json_object_object_get(plan, "signatures");
	const char *append = lab_jsonval_str(plan, "append");
	char matrix[64];
	struct out o = { .failed = 0 };
	yaml_event_t ev;
	FILE *f = fopen(path, "we");

	if (!f) {
		lab_error_set_errno(err, errno, "writing %s", path);
		return -1;
	}
	snprintf(matrix, sizeof(matrix), "reproduce-%s", platform);
	fprintf(f, "# Generated by `iommu-lab reproduce`: one variant per fault signature of\n"
		   "# the log, each a DMA probe to the same page in the same direction.\n"
		   "# Edit it and rerun: iommu-lab run %s\n", path);
	yaml_emitter_initialize(&o.em);
	yaml_emitter_set_output_file(&o.em, f);
	yaml_emitter_set_unicode(&o.em, 1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit(&o, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	emit(&o, &ev);
	map_start(&o, 0);
	pair(&o, "matrix", matrix, 0);
	pair(&o, "platform", platform, 0);
	pair(&o, "timeout", "300", 0);
	if (append)
		pair(&o, "append", append, 1);
	scalar(&o, "variants", 0);
	seq_start(&o);
	for (size_t i = 0; i < lab_jsonval_len(sigs); i++) {
		json_object *s = json_object_array_get_idx(sigs, i);
		const char *p = lab_jsonval_str(s, "platform");

		if (json_object_get_boolean(json_object_object_get(s, "replayable")) && p &&
		    !strcmp(p, platform))
			variant(&o, s);
	}
	seq_end(&o);
	map_end(&o);
	yaml_document_end_event_initialize(&ev, 1);
	emit(&o, &ev);
	yaml_stream_end_event_initialize(&ev);
	emit(&o, &ev);
	if (o.failed)
		lab_error_set(err, "writing %s: %s", path, o.em.problem ? o.em.problem : "YAML error");
	yaml_emitter_delete(&o.em);
	if (fclose(f) != 0 && !o.failed) {
		lab_error_set_errno(err, errno, "writing %s", path);
		return -1;
	}
	return o.failed ? -1 : 0;
}

int lab_replay_write(json_object *plan, const char *dir, json_object *files,
		     struct lab_error *err)
{
	static const char *const platforms[] = { "intel", "amd", "smmuv3" };
	json_object *sigs = json_object_object_get(plan, "signatures");
	int written = 0;

	for (size_t p = 0; p < sizeof(platforms) / sizeof(platforms[0]); p++) {
		int any = 0;
		char path[4096];

		for (size_t i = 0; i < lab_jsonval_len(sigs); i++) {
			json_object *s = json_object_array_get_idx(sigs, i);
			const char *sp = lab_jsonval_str(s, "platform");

			any |= json_object_get_boolean(json_object_object_get(s, "replayable")) &&
			       sp && !strcmp(sp, platforms[p]);
		}
		if (!any)
			continue;
		snprintf(path, sizeof(path), "%s/reproduce-%s.yaml", dir, platforms[p]);
		if (write_one(plan, platforms[p], path, err) < 0)
			return -1;
		json_object_array_add(files, json_object_new_string(path));
		written++;
	}
	return written;
}
