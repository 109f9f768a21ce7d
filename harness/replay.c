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

/* The fault classes a probe can raise, and how (docs/NOTES.md, "Emulated
 * IOMMUs"): the probe's mode and what differs from a DMA to an unmapped
 * IOVA. */
enum replay_class {
	CLASS_NONE,
	CLASS_UNMAPPED,      /* VT-d 0x05/0x06, IO_PAGE_FAULT, F_TRANSLATION */
	CLASS_PERMISSION,    /* SMMUv3 F_PERMISSION: a write to a read-only mapping */
	CLASS_ADDRESS_WIDTH, /* VT-d 0x04: an IOVA beyond the domain's width */
	CLASS_FIRST_STAGE,   /* VT-d 0x71 / 0x85: scalable mode, first-stage tables */
	CLASS_INTR_REMAP,    /* VT-d 0x22: an interrupt request to an absent IRTE */
	CLASS_CONTEXT,       /* VT-d 0x02: a device whose context entry is clear */
};

static const char *const class_names[] = {
	[CLASS_NONE] = "none", [CLASS_UNMAPPED] = "unmapped",
	[CLASS_PERMISSION] = "permission", [CLASS_ADDRESS_WIDTH] = "address_width",
	[CLASS_FIRST_STAGE] = "first_stage", [CLASS_INTR_REMAP] = "interrupt_remap",
	[CLASS_CONTEXT] = "context",
};

/* An IRTE index Linux leaves free (it allocates from 0 up): for a record
 * that does not say which index it was */
#define REPLAY_IRTE_INDEX 0x7ff0

/* VT-d address width the address-width probe forces (intel-iommu aw-bits):
 * 39 on every QEMU, so an IOVA from 2^39 is beyond it and within edu's
 * 40-bit mask */
#define REPLAY_AW_BITS 39

/* The IRTE index an interrupt-remapping record names (decoded.fault_index,
 * hex), or -1. */
static long long irte_index(json_object *f)
{
	const char *s = lab_jsonval_str(lab_jsonval_obj(f, "decoded"), "fault_index");
	char *end;
	unsigned long long v;

	if (!s)
		return -1;
	v = strtoull(s, &end, 16);
	return *s && !*end && v <= 0xffff ? (long long)v : -1;
}

/* Which class a record is, or CLASS_NONE with why. */
static enum replay_class classify(json_object *f, const char *iommu, const char *event,
				  char *why, size_t len)
{
	json_object *code = json_object_object_get(f, "code");
	int c = code ? json_object_get_int(code) : -1;
	const char *access = lab_jsonval_str(f, "access");

	if (!strcmp(iommu, "intel") && !strcmp(event, "DMA_FAULT")) {
		if (c == 5 || c == 6)
			return CLASS_UNMAPPED;
		if (c == 4)
			return CLASS_ADDRESS_WIDTH;
		if (c == 0x71 || (c == 0x85 && access && !strcmp(access, "write")))
			return CLASS_FIRST_STAGE;
		if (c == 2)
			return CLASS_CONTEXT;
		snprintf(why, len, "VT-d fault reason 0x%02x: the probes raise 0x04 (beyond the "
			 "address width), 0x05 and 0x06 (no permission at a PTE: unmapped or "
			 "read-only), 0x71 and 0x85 (first-stage tables: unmapped, read-only) "
			 "only, and 0x02 (a device VFIO holds blocked, 6.12)%s", c < 0 ? 0 : c,
			 c == 1 ? "; a root entry that is not present needs a bus Linux never "
			 "set up, which a probe cannot reach" : "");
		return CLASS_NONE;
	}
	if (!strcmp(iommu, "intel") && !strcmp(event, "INTR_REMAP_FAULT")) {
		if (c == 0x22)
			return CLASS_INTR_REMAP;
		snprintf(why, len, "interrupt-remapping fault reason 0x%02x: QEMU raises 0x22 (IRTE "
			 "not present) for a device's write; 0x21 needs an index beyond Linux's "
			 "65536 entries, 0x25 QEMU never raises (it delivers compatibility-format "
			 "requests), 0x26 needs a requester ID QEMU does not pass with DMA "
			 "(hw/i386/intel_iommu.c vtd_interrupt_remap_msi)", c < 0 ? 0 : c);
		return CLASS_NONE;
	}
	if (!strcmp(iommu, "amd") && !strcmp(event, "IO_PAGE_FAULT"))
		return CLASS_UNMAPPED;
	if (!strcmp(iommu, "smmuv3") && !strcmp(event, "F_TRANSLATION"))
		return CLASS_UNMAPPED;
	if (!strcmp(iommu, "virtio") && !strcmp(event, "MAPPING_FAULT"))
		return CLASS_UNMAPPED;
	if (!strcmp(iommu, "smmuv3") && !strcmp(event, "F_PERMISSION")) {
		if (access && !strcmp(access, "write"))
			return CLASS_PERMISSION;
		snprintf(why, len, "F_PERMISSION on a %s: Arm's page tables cannot map write-only "
			 "(io-pgtable-arm makes it read-write), so only a write to a read-only "
			 "mapping faults", access ? access : "DMA of unknown direction");
		return CLASS_NONE;
	}
	snprintf(why, len, "%s: no probe raises this event (they raise VT-d DMA_FAULT and "
		 "INTR_REMAP_FAULT reasons, IO_PAGE_FAULT, F_TRANSLATION, F_PERMISSION, "
		 "virtio-iommu's MAPPING_FAULT)", event);
	return CLASS_NONE;
}

/* Can a DMA probe raise this record? Its class (CLASS_NONE: no, with why),
 * and the platform. */
static enum replay_class replayable(json_object *f, const char **platform, char *why, size_t len)
{
	const char *iommu = lab_jsonval_str(f, "iommu"), *event = lab_jsonval_str(f, "event");
	const char *access = lab_jsonval_str(f, "access"), *addr = lab_jsonval_str(f, "address");
	unsigned long long page, mask;
	enum replay_class cls;

	*platform = NULL;
	if (!iommu || !event) {
		snprintf(why, len, "not an IOMMU fault record the lab knows");
		return CLASS_NONE;
	}
	if (!strcmp(iommu, "smmu")) {
		snprintf(why, len, "Arm SMMUv2: QEMU's virt machine models SMMUv3 only");
		return CLASS_NONE;
	}
	if (!strcmp(iommu, "intel") || !strcmp(iommu, "amd") || !strcmp(iommu, "smmuv3") ||
	    !strcmp(iommu, "virtio"))
		*platform = iommu;
	if (!*platform) {
		snprintf(why, len, "no platform for IOMMU kind '%s'", iommu);
		return CLASS_NONE;
	}
	cls = classify(f, iommu, event, why, len);
	if (cls == CLASS_NONE)
		return CLASS_NONE;
	if (cls == CLASS_CONTEXT) {
		/* the write goes to a page of the guest's, wherever the log's went */
		why[0] = '\0';
		return access && !strcmp(access, "write") ? cls
			: (snprintf(why, len, "a cleared context entry faults any DMA; the probe "
				    "writes, the record is a %s", access ? access : "DMA of no "
				    "direction"), CLASS_NONE);
	}
	if (cls == CLASS_INTR_REMAP) {
		/* no address, no direction: an interrupt request is a write to
		 * the MSI window, naming the IRTE; QEMU reports it from 8.2 */
		why[0] = '\0';
		if (irte_index(f) < 0)
			snprintf(why, len, "the record names no IRTE index: replayed at 0x%x",
				 REPLAY_IRTE_INDEX);
		return cls;
	}
	if (!access && !strcmp(iommu, "virtio") && addr) {
		/* QEMU's virtio-iommu sends no direction for a missing mapping
		 * (only for a permission fault): any DMA there faults alike */
		snprintf(why, len, "the record has no direction: replayed as a write");
	} else if (!addr || !access) {
		snprintf(why, len, "the record has no %s to replay", !addr ? "address" : "direction");
		return CLASS_NONE;
	}
	page = strtoull(addr, NULL, 16) & ~0xfffULL;
	mask = edu_mask(*platform);
	if (cls == CLASS_ADDRESS_WIDTH) {
		/* replayed at the first page beyond the forced width when the
		 * log's own is out of edu's reach */
		why[0] = '\0';
		if (page < (1ULL << REPLAY_AW_BITS) || page + 4 - 1 > mask)
			snprintf(why, len, "replayed at 0x%llx, the first page beyond a %d-bit "
				 "address width (the log's %s is out of the test device's reach)",
				 1ULL << REPLAY_AW_BITS, REPLAY_AW_BITS, addr);
		return cls;
	}
	if (page + 4 - 1 > mask) {
		snprintf(why, len, "address %s is beyond the test device's DMA mask 0x%llx", addr,
			 mask);
		return CLASS_NONE;
	}
	if (access)
		why[0] = '\0';
	return cls;
}

static int same_text(const char *x, const char *y)
{
	return x && y ? !strcmp(x, y) : x == y;
}

/* Two records with the same signature fold into one probe. (Records
 * without an address or a direction, as interrupt-remapping ones, fold by
 * what they have: the IRTE index.) */
static int same_signature(json_object *a, json_object *b)
{
	static const char *const keys[] = { "iommu", "event", "access" };
	const char *x = lab_jsonval_str(a, "address"), *y = lab_jsonval_str(b, "address");

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!same_text(lab_jsonval_str(a, keys[i]), lab_jsonval_str(b, keys[i])))
			return 0;
	if (json_object_get_int(json_object_object_get(a, "code")) !=
	    json_object_get_int(json_object_object_get(b, "code")) ||
	    irte_index(a) != irte_index(b))
		return 0;
	return x && y ? (strtoull(x, NULL, 16) >> 12) == (strtoull(y, NULL, 16) >> 12) : x == y;
}

json_object *lab_replay_plan(json_object *faults, const char *cmdline)
{
	json_object *plan = json_object_new_object(), *sigs = json_object_new_array();
	char *append = lab_replay_iommu_args(cmdline);
	int n = 0;

	for (size_t i = 0; i < lab_jsonval_len(faults); i++) {
		json_object *f = json_object_array_get_idx(faults, i), *s;
		const char *platform;
		char why[256], page[32], variant[48];
		enum replay_class cls = replayable(f, &platform, why, sizeof(why));
		int ok = cls != CLASS_NONE, dup = 0;

		for (size_t j = 0; ok && j < i && !dup; j++) {
			const char *pj;
			char wj[256];

			dup = replayable(json_object_array_get_idx(faults, j), &pj, wj, sizeof(wj)) !=
				      CLASS_NONE &&
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
		if (irte_index(f) >= 0)
			json_object_object_add(s, "index", json_object_new_int64(irte_index(f)));
		if (lab_jsonval_str(f, "address")) {
			snprintf(page, sizeof(page), "0x%llx",
				 strtoull(lab_jsonval_str(f, "address"), NULL, 16) & ~0xfffULL);
			json_object_object_add(s, "address", json_object_new_string(page));
		}
		json_object_object_add(s, "platform", platform ? json_object_new_string(platform) : NULL);
		json_object_object_add(s, "replayable", json_object_new_boolean(ok));
		json_object_object_add(s, "why", json_object_new_string(why));
		json_object_object_add(s, "class", ok ? json_object_new_string(class_names[cls]) : NULL);
		if (ok && cls == CLASS_ADDRESS_WIDTH && why[0]) {
			/* the page it is replayed at (see replayable) */
			snprintf(page, sizeof(page), "0x%llx", 1ULL << REPLAY_AW_BITS);
			json_object_object_add(s, "replay_address", json_object_new_string(page));
		}
		if (ok) {
			/* named after its class: the scenario says what it replays */
			snprintf(variant, sizeof(variant), "%s-%d", class_names[cls], ++n);
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

/* qemu: {KEY: VALUE, ...} from pairs, NULL-terminated */
static void qemu_opts(struct out *o, const char *const *kv)
{
	scalar(o, "qemu", 0);
	map_start(o, 1);
	for (; kv[0]; kv += 2)
		pair(o, kv[0], kv[1], 1);
	map_end(o);
}

/* The MSI-window address of a remappable-format interrupt request naming
 * IRTE index (handle[14:0] in bits 19:5, handle[15] in bit 2, bit 4 the
 * remappable format; VT-d spec 5.1.2.2, QEMU's VTD_IR_MSIAddress) */
static unsigned long long irte_request_address(unsigned index)
{
	return 0xfee00000ULL | (unsigned long long)(index & 0x7fff) << 5 | 0x10 |
	       (unsigned long long)(index >> 15 & 1) << 2;
}

static void variant(struct out *o, json_object *s)
{
	const char *platform = lab_jsonval_str(s, "platform"), *cls = lab_jsonval_str(s, "class");
	const char *address = lab_jsonval_str(s, "replay_address") ? lab_jsonval_str(s, "replay_address")
				: lab_jsonval_str(s, "address");
	json_object *code = json_object_object_get(s, "code");
	int permission = cls && !strcmp(cls, "permission");
	int width = cls && !strcmp(cls, "address_width");
	int first = cls && !strcmp(cls, "first_stage");
	int intr = cls && !strcmp(cls, "interrupt_remap");
	int context = cls && !strcmp(cls, "context");
	char num[32], irq_addr[32];

	map_start(o, 0);
	pair(o, "name", lab_jsonval_str(s, "variant"), 0);
	if (width) {
		/* the domain's width, the same on every QEMU (intel-iommu aw-bits) */
		snprintf(num, sizeof(num), "%d", REPLAY_AW_BITS);
		qemu_opts(o, (const char *const[]){ "aw-bits", num, NULL });
	}
	if (first) {
		/* scalable mode with first-stage tables only: Linux translates
		 * through them (QEMU's x-flts needs a 48-bit width; a QEMU
		 * without x-flts skips the run, saying so) */
		qemu_opts(o, (const char *const[]){ "x-scalable-mode", "on", "x-flts", "on",
						    "aw-bits", "48", NULL });
		pair(o, "append", "intel_iommu=on,sm_on", 0);
	}
	if (intr) {
		/* intel-iommu reports interrupt-remapping faults from QEMU 8.2
		 * ("intel-iommu: Report interrupt remapping faults", c7016bf700cf) */
		pair(o, "when", "qemu >= 8.2", 1);
		snprintf(irq_addr, sizeof(irq_addr), "0x%llx", irte_request_address(
				 lab_jsonval_get(s, "index")
				 ? (unsigned)json_object_get_int64(lab_jsonval_get(s, "index"))
				 : REPLAY_IRTE_INDEX));
	}
	if (context)
		/* 6.12 blocks a device VFIO owns by clearing its context entry
		 * (6.1 gives it an empty domain: 0x05) */
		pair(o, "when", "kernel >= 6.12", 1);
	scalar(o, "probes", 0);
	seq_start(o);
	map_start(o, 0);
	pair(o, "name", "replay", 0);
	if (context) {
		/* VFIO takes the group and sets no IOMMU: the blocking domain */
		pair(o, "mode", "raw", 0);
		pair(o, "direction", "write", 0);
		pair(o, "vfio_claim", "true", 0);
		pair(o, "size", "4", 0);
	} else if (intr) {
		/* a device's 4-byte write to the MSI window is an interrupt request */
		pair(o, "mode", "raw", 0);
		pair(o, "direction", "write", 0);
		pair(o, "address", irq_addr, 1);
		pair(o, "size", "4", 0);
	} else {
		pair(o, "mode", "vfio", 0);
		pair(o, "direction", lab_jsonval_str(s, "access") ? lab_jsonval_str(s, "access")
				     : "write", 0);
		pair(o, "iova", address, 1);
		pair(o, "size", "4", 0);    /* one event on SMMUv3, inside edu's window */
		if (permission || (first && code && json_object_get_int(code) == 0x85)) {
			/* mapped, but for the device to read only: its write faults */
			pair(o, "map", "true", 0);
			pair(o, "map_access", "read", 0);
		} else {
			pair(o, "map", "false", 0);
		}
	}
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
	if (!intr && lab_jsonval_str(s, "access"))
		pair(o, "access", lab_jsonval_str(s, "access"), 0);
	if (!intr && !context)
		pair(o, "address", address, 1);
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
		   "# the log, named after its class (unmapped, permission, address_width,\n"
		   "# first_stage, interrupt_remap),\n"
		   "# each a DMA probe to the same page in the same direction.\n"
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
	if (!strcmp(platform, "virtio")) {
		/* the 6.12 driver (6.1 has none); VFIO on x86 without
		 * interrupt remapping needs unsafe interrupts */
		char *a = NULL;

		pair(&o, "kernels", "backports", 0);
		if (asprintf(&a, "%s%svfio_iommu_type1.allow_unsafe_interrupts=1", append ? append : "",
			     append ? " " : "") > 0)
			pair(&o, "append", a, 1);
		free(a);
	} else if (append) {
		pair(&o, "append", append, 1);
	}
	for (size_t i = 0; i < lab_jsonval_len(sigs); i++) {
		json_object *s = json_object_array_get_idx(sigs, i);

		/* a context fault needs 6.12's blocking; the others replay there too */
		if (json_object_get_boolean(lab_jsonval_get(s, "replayable")) &&
		    !strcmp(lab_jsonval_str(s, "platform"), platform) &&
		    !strcmp(lab_jsonval_str(s, "class"), "context")) {
			pair(&o, "kernels", "backports", 0);
			break;
		}
	}
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
	static const char *const platforms[] = { "intel", "amd", "smmuv3", "virtio" };
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
