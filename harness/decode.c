/* SPDX-License-Identifier: MIT */
/*
 * Table-driven decoders for IOMMU capability registers. Each register is a
 * static table of fields (name, shift, width, conversion, description); one
 * walker turns a value into a json-c object. See decode.h for the key rules.
 */
#include "decode.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* How a field's JSON value follows from its bits. */
enum conv {
	C_INT,		/* the bits as an unsigned integer */
	C_PLUS1,	/* bits + 1 (counts and widths the spec encodes as N-1) */
	C_X16,		/* bits * 16 (register offsets in 16-byte units) */
};

struct ctx {
	json_object *obj;
	json_object *features;	/* names of set single-bit fields */
	char text[160];		/* the derived meaning, for people */
};

struct field {
	const char *name;	/* as the specification spells it; key = lower case */
	unsigned char shift;
	unsigned char width;
	unsigned char conv;
	const char *kname;	/* the kernel's name for the feature, if it differs */
	const char *desc;
	void (*derive)(struct ctx *c, uint64_t bits);
};

struct regdef {
	const char *name;	/* "intel-cap", as lab_decode_by_name() knows it */
	const char *title;
	unsigned int width;	/* 32 or 64 */
	const struct field *fields;
	size_t nfields;
	const char *rest_key;	/* key for set bits outside every field */
};

static void add_int(json_object *obj, const char *key, int64_t v)
{
	json_object_object_add(obj, key, json_object_new_int64(v));
}

static void add_hex(json_object *obj, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	json_object_object_add(obj, key, json_object_new_string(buf));
}

static void append(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void append(struct ctx *c, const char *fmt, ...)
{
	size_t len = strlen(c->text);
	va_list ap;

	if (len >= sizeof(c->text) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(c->text + len, sizeof(c->text) - len, fmt, ap);
	va_end(ap);
}

/* ---- Intel VT-d ------------------------------------------------------------ */

static void derive_nd(struct ctx *c, uint64_t bits)
{
	if (bits == 7) {
		append(c, "reserved encoding");
		return;
	}
	add_int(c->obj, "nd_domains", 1LL << (4 + 2 * bits));
	append(c, "%lld domains (%u-bit domain IDs)", 1LL << (4 + 2 * bits),
	       (unsigned int)(4 + 2 * bits));
}

static void derive_sagaw(struct ctx *c, uint64_t bits)
{
	json_object *levels = json_object_new_array();
	json_object *widths = json_object_new_array();

	/* Bit i: an (i+2)-level table for a (30+9i)-bit adjusted guest width. */
	for (unsigned int i = 0; i < 5; i++) {
		if (!(bits & (1u << i)))
			continue;
		json_object_array_add(levels, json_object_new_int(i + 2));
		json_object_array_add(widths, json_object_new_int(30 + 9 * i));
		append(c, "%s%u-level (%u-bit)", c->text[0] ? ", " : "", i + 2,
		       30 + 9 * i);
	}
	json_object_object_add(c->obj, "sagaw_levels", levels);
	json_object_object_add(c->obj, "sagaw_widths", widths);
	if (!bits)
		append(c, "none: no second-stage translation");
}

static void derive_bits_width(struct ctx *c, uint64_t bits)
{
	append(c, "%" PRIu64 "-bit", bits + 1);
}

static void derive_sllps(struct ctx *c, uint64_t bits)
{
	static const char *const size[] = { "2MiB", "1GiB", "512GiB", "1TiB" };
	json_object *sizes = json_object_new_array();

	for (unsigned int i = 0; i < ARRAY_SIZE(size); i++) {
		if (!(bits & (1u << i)))
			continue;
		json_object_array_add(sizes, json_object_new_string(size[i]));
		append(c, "%s%s", c->text[0] ? ", " : "", size[i]);
	}
	json_object_object_add(c->obj, "sllps_sizes", sizes);
	if (!bits)
		append(c, "4KiB pages only");
}

static void derive_mamv(struct ctx *c, uint64_t bits)
{
	append(c, "up to 2^%" PRIu64 " pages per page-selective invalidation", bits);
}

static void derive_pss(struct ctx *c, uint64_t bits)
{
	add_int(c->obj, "pss_bits", (int64_t)bits + 1);
	append(c, "%" PRIu64 "-bit PASIDs (when PASID is set)", bits + 1);
}

/* CAP_REG, VT-d rev 4.x section 11.4.2; bit positions as iommu.h's cap_*(). */
static const struct field intel_cap_fields[] = {
	{ "ND", 0, 3, C_INT, NULL, "Number of domains supported", derive_nd },
	{ "AFL", 3, 1, C_INT, NULL, "Advanced fault logging", NULL },
	{ "RWBF", 4, 1, C_INT, NULL, "Required write-buffer flushing", NULL },
	{ "PLMR", 5, 1, C_INT, NULL, "Protected low-memory region", NULL },
	{ "PHMR", 6, 1, C_INT, NULL, "Protected high-memory region", NULL },
	{ "CM", 7, 1, C_INT, NULL,
	  "Caching mode: not-present entries may be cached (emulated IOMMUs)", NULL },
	{ "SAGAW", 8, 5, C_INT, NULL,
	  "Supported adjusted guest address widths (page-table levels)", derive_sagaw },
	{ "MGAW", 16, 6, C_PLUS1, NULL, "Maximum guest address width",
	  derive_bits_width },
	{ "ZLR", 22, 1, C_INT, NULL, "Zero-length DMA reads supported", NULL },
	{ "ISOCH", 23, 1, C_INT, NULL, "Isochrony (deprecated, reserved)", NULL },
	{ "FRO", 24, 10, C_X16, NULL, "Fault-recording registers' byte offset", NULL },
	{ "SLLPS", 34, 4, C_INT, NULL,
	  "Second-level (SSLPS in rev 4.x) large page sizes", derive_sllps },
	{ "PSI", 39, 1, C_INT, NULL, "Page-selective IOTLB invalidation", NULL },
	{ "NFR", 40, 8, C_PLUS1, NULL, "Number of fault-recording registers", NULL },
	{ "MAMV", 48, 6, C_INT, NULL, "Maximum address mask value", derive_mamv },
	{ "DWD", 54, 1, C_INT, NULL, "DMA write draining", NULL },
	{ "DRD", 55, 1, C_INT, NULL, "DMA read draining", NULL },
	{ "FL1GP", 56, 1, C_INT, NULL,
	  "First-level (FS1GP in rev 4.x) 1-GiB pages", NULL },
	{ "PI", 59, 1, C_INT, NULL, "Posted interrupts", NULL },
	{ "FL5LP", 60, 1, C_INT, NULL,
	  "First-level (FS5LP in rev 4.x) 5-level paging", NULL },
	{ "ECMDS", 61, 1, C_INT, NULL, "Enhanced command interface", NULL },
	{ "ESIRTPS", 62, 1, C_INT, NULL,
	  "Enhanced SIRTP: interrupt-entry caches invalidated by SIRTP", NULL },
	{ "ESRTPS", 63, 1, C_INT, NULL,
	  "Enhanced SRTP: all caches invalidated by SRTP", NULL },
};

/*
 * ECAP_REG, VT-d rev 4.x section 11.4.3, bit positions as iommu.h's ecap_*().
 * Bits 5, 24, 27, 28 and 32 carried rev 1/2 features that rev 3.0 deprecated;
 * they keep their old names (bit 28 was PASID then, the kernel's
 * ecap_broken_pasid()). Bits 50 and 55-57 are named in Intel client
 * datasheets (795258, 831520) rather than the public specification.
 */
static const struct field intel_ecap_fields[] = {
	{ "C", 0, 1, C_INT, NULL, "Page-walk coherency", NULL },
	{ "QI", 1, 1, C_INT, NULL, "Queued invalidation", NULL },
	{ "DT", 2, 1, C_INT, NULL, "Device-TLB (ATS)", NULL },
	{ "IR", 3, 1, C_INT, NULL, "Interrupt remapping", NULL },
	{ "EIM", 4, 1, C_INT, NULL, "Extended interrupt mode (x2APIC, 32-bit IDs)", NULL },
	{ "CH", 5, 1, C_INT, NULL, "Caching hints (deprecated, reserved)", NULL },
	{ "PT", 6, 1, C_INT, NULL, "Pass-through translation type", NULL },
	{ "SC", 7, 1, C_INT, NULL, "Snoop control", NULL },
	{ "IRO", 8, 10, C_X16, NULL, "IOTLB registers' byte offset", NULL },
	{ "MHMV", 20, 4, C_INT, NULL, "Maximum interrupt-cache handle mask value", NULL },
	{ "ECS", 24, 1, C_INT, NULL, "Extended context (deprecated, reserved)", NULL },
	{ "MTS", 25, 1, C_INT, NULL, "Memory type support", NULL },
	{ "NEST", 26, 1, C_INT, NULL, "Nested translation", NULL },
	{ "DIS", 27, 1, C_INT, NULL, "Deferred invalidate (deprecated, reserved)", NULL },
	{ "PASID_REV2", 28, 1, C_INT, NULL,
	  "PASID as in rev 2.x (deprecated; the kernel calls it broken_pasid)", NULL },
	{ "PRS", 29, 1, C_INT, NULL, "Page requests (PRI)", NULL },
	{ "ERS", 30, 1, C_INT, NULL, "Execute requests", NULL },
	{ "SRS", 31, 1, C_INT, NULL, "Supervisor requests", NULL },
	{ "POT", 32, 1, C_INT, NULL, "PASID-only translation (deprecated, reserved)", NULL },
	{ "NWFS", 33, 1, C_INT, NULL, "No-write flag in translation requests", NULL },
	{ "EAFS", 34, 1, C_INT, NULL, "Extended accessed flag", NULL },
	{ "PSS", 35, 5, C_INT, NULL, "PASID size supported (bits - 1)", derive_pss },
	{ "PASID", 40, 1, C_INT, NULL, "Process address space IDs", NULL },
	{ "DIT", 41, 1, C_INT, NULL, "Device-TLB invalidation throttling", NULL },
	{ "PDS", 42, 1, C_INT, NULL, "Page-request draining", NULL },
	{ "SMTS", 43, 1, C_INT, NULL, "Scalable-mode translation", NULL },
	{ "VCS", 44, 1, C_INT, NULL, "Virtual command interface (emulations only)", NULL },
	{ "SLADS", 45, 1, C_INT, NULL,
	  "Second-level (SSADS in rev 4.x) accessed/dirty bits", NULL },
	{ "SLTS", 46, 1, C_INT, NULL,
	  "Second-level (SSTS in rev 4.x) translation in scalable mode", NULL },
	{ "FLTS", 47, 1, C_INT, NULL,
	  "First-level (FSTS in rev 4.x) translation in scalable mode", NULL },
	{ "SMPWCS", 48, 1, C_INT, NULL, "Scalable-mode page-walk coherency", NULL },
	{ "RPS", 49, 1, C_INT, NULL, "RID_PASID field in scalable-mode context entries", NULL },
	{ "TDXIO", 50, 1, C_INT, NULL, "TDX Connect I/O (datasheet name)", NULL },
	{ "PMS", 51, 1, C_INT, NULL, "Performance monitoring", NULL },
	{ "ADMS", 52, 1, C_INT, NULL, "Abort DMA mode", NULL },
	{ "RPRIVS", 53, 1, C_INT, NULL, "RID_PRIV in scalable-mode context entries", NULL },
	{ "HPTS", 55, 1, C_INT, NULL, "HPT support (datasheet name)", NULL },
	{ "PTRS", 56, 1, C_INT, NULL, "PASID in translated requests (datasheet name)", NULL },
	{ "PBDS", 57, 1, C_INT, NULL, "Page-specific DMA (datasheet name)", NULL },
};

static const struct regdef intel_cap = {
	"intel-cap", "Intel VT-d Capability Register (CAP_REG)", 64,
	intel_cap_fields, ARRAY_SIZE(intel_cap_fields), "reserved_bits",
};

static const struct regdef intel_ecap = {
	"intel-ecap", "Intel VT-d Extended Capability Register (ECAP_REG)", 64,
	intel_ecap_fields, ARRAY_SIZE(intel_ecap_fields), "reserved_bits",
};

/* ---- AMD-Vi ---------------------------------------------------------------- */

static void derive_hats(struct ctx *c, uint64_t bits)
{
	if (bits == 3) {
		append(c, "reserved encoding");
		return;
	}
	add_int(c->obj, "hats_levels", 4 + bits);
	append(c, "%" PRIu64 "-level host page tables", 4 + bits);
}

static void derive_gats(struct ctx *c, uint64_t bits)
{
	if (bits > 1) {
		append(c, "reserved encoding (Linux then uses 4 levels)");
		return;
	}
	add_int(c->obj, "gats_levels", 4 + bits);
	append(c, "%" PRIu64 "-level guest page tables", 4 + bits);
}

static void derive_glx(struct ctx *c, uint64_t bits)
{
	if (bits == 3) {
		append(c, "reserved encoding");
		return;
	}
	add_int(c->obj, "glxsup_levels", bits + 1);
	append(c, "%" PRIu64 "-level GCR3 table", bits + 1);
}

static void derive_gam(struct ctx *c, uint64_t bits)
{
	/* The kernel tests bit 21 alone (FEATURE_GAM_VAPIC) and prints GA_vAPIC. */
	if (bits & 1) {
		json_object_array_add(c->features, json_object_new_string("GA_vAPIC"));
		append(c, "guest virtual-APIC mode (GA_vAPIC)");
	} else if (!bits) {
		append(c, "legacy interrupt remapping format only");
	} else {
		append(c, "reserved encoding");
	}
}

static void derive_pasmax(struct ctx *c, uint64_t bits)
{
	add_int(c->obj, "pasmax_bits", bits + 1);
	append(c, "%" PRIu64 "-bit PASIDs (when GTSup is set)", bits + 1);
}

static void derive_segments(struct ctx *c, uint64_t bits)
{
	append(c, "%u device-table segment(s)", 1u << bits);
}

static void derive_numint(struct ctx *c, uint64_t bits)
{
	if (bits == 0)
		append(c, "512 interrupts per remapping table");
	else if (bits == 1)
		append(c, "2048 interrupts per remapping table");
	else
		append(c, "reserved encoding");
}

/*
 * EFR, MMIO offset 0x30 (AMD 48882 rev 3.x, layout as Xen's
 * union amd_iommu_ext_features, VirtualBox's IOMMU_EXT_FEAT_T and the
 * FEATURE_* masks of drivers/iommu/amd/amd_iommu_types.h). kname: the word
 * the kernel prints in "AMD-Vi: Extended features (...): PreF PPR ...".
 */
static const struct field amd_efr_fields[] = {
	{ "PreFSup", 0, 1, C_INT, "PreF", "PREFETCH_IOMMU_PAGES command", NULL },
	{ "PPRSup", 1, 1, C_INT, "PPR", "Peripheral page requests (PRI)", NULL },
	{ "XTSup", 2, 1, C_INT, "X2APIC", "x2APIC interrupt destinations (QEMU xtsup)", NULL },
	{ "NXSup", 3, 1, C_INT, "NX", "No-execute and privilege-level protection", NULL },
	{ "GTSup", 4, 1, C_INT, "GT", "Guest (two-level) translation", NULL },
	{ "GAPPISup", 5, 1, C_INT, NULL, "Guest APIC physical processor interrupt", NULL },
	{ "IASup", 6, 1, C_INT, "IA", "INVALIDATE_IOMMU_ALL command", NULL },
	{ "GASup", 7, 1, C_INT, "GA", "Guest virtual APIC (interrupt posting)", NULL },
	{ "HESup", 8, 1, C_INT, "HE", "Hardware error registers", NULL },
	{ "PCSup", 9, 1, C_INT, "PC", "Performance counters", NULL },
	{ "HATS", 10, 2, C_INT, NULL, "Host address translation size", derive_hats },
	{ "GATS", 12, 2, C_INT, NULL, "Guest address translation size", derive_gats },
	{ "GLXSup", 14, 2, C_INT, NULL, "Guest CR3 root table levels", derive_glx },
	{ "SmiFSup", 16, 2, C_INT, NULL, "SMI filter register support", NULL },
	{ "SmiFRC", 18, 3, C_INT, NULL, "SMI filter register count", NULL },
	{ "GAMSup", 21, 3, C_INT, NULL, "Guest virtual-APIC modes", derive_gam },
	{ "DualPprLogSup", 24, 2, C_INT, NULL, "Dual PPR logs", NULL },
	{ "DualEventLogSup", 28, 2, C_INT, NULL, "Dual event logs", NULL },
	{ "SATSSup", 31, 1, C_INT, NULL, "Secure ATS", NULL },
	{ "PASmax", 32, 5, C_INT, NULL, "Maximum PASID (bits - 1)", derive_pasmax },
	{ "USSup", 37, 1, C_INT, NULL, "User/supervisor page protection", NULL },
	{ "DevTblSegSup", 38, 2, C_INT, NULL, "Segmented device table", derive_segments },
	{ "PprOvrflwEarlySup", 40, 1, C_INT, NULL, "PPR log overflow early warning", NULL },
	{ "PPRAutoRspSup", 41, 1, C_INT, NULL, "PPR automatic response", NULL },
	{ "MarcSup", 42, 2, C_INT, NULL, "Memory access routing and control", NULL },
	{ "BlkStopMrkSup", 44, 1, C_INT, NULL, "Block StopMark messages", NULL },
	{ "PerfOptSup", 45, 1, C_INT, NULL, "Performance optimization", NULL },
	{ "MsiCapMmioSup", 46, 1, C_INT, NULL, "MSI capability registers in MMIO", NULL },
	{ "GIoSup", 48, 1, C_INT, "GIOSUP", "Guest I/O protection", NULL },
	{ "HASup", 49, 1, C_INT, "HASUP", "Host access (accessed bit)", NULL },
	{ "EPHSup", 50, 1, C_INT, "EPHSUP", "Enhanced PPR handling", NULL },
	{ "AttrFWSup", 51, 1, C_INT, NULL, "Attribute forwarding", NULL },
	{ "HDSup", 52, 1, C_INT, "HDSUP", "Host dirty bit (dirty tracking)", NULL },
	{ "InvIotlbTypeSup", 54, 1, C_INT, NULL, "Invalidate IOTLB type", NULL },
	{ "VIommuSup", 55, 1, C_INT, NULL, "Virtualized IOMMU", NULL },
	{ "VMGuardIOSup", 56, 1, C_INT, NULL, "VM guard I/O", NULL },
	{ "VMTableSize", 57, 4, C_INT, NULL, "VM table size", NULL },
	{ "GAUpdateDisSup", 61, 1, C_INT, NULL, "Disable hardware A/D update on guest tables", NULL },
	{ "ForcePhyDestSup", 62, 1, C_INT, NULL, "Force physical destination for remapped interrupts", NULL },
	{ "SNPSup", 63, 1, C_INT, "SNP", "SEV-SNP", NULL },
};

/* EFR2, MMIO offset 0x1a0: the FEATURE_* bits of newer amd_iommu_types.h. */
static const struct field amd_efr2_fields[] = {
	{ "SEVSNPIOSup", 1, 1, C_INT, NULL, "SEV-SNP I/O", NULL },
	{ "GCR3TRPMode", 3, 1, C_INT, NULL, "GCR3 table root pointer mode (GPA)", NULL },
	{ "SNPAVICSup", 5, 3, C_INT, NULL, "AVIC modes under SEV-SNP (1: guest APIC)", NULL },
	{ "NumIntRemapSup", 8, 2, C_INT, NULL, "Interrupts per remapping table", derive_numint },
	{ "HTRangeIgnore", 11, 1, C_INT, NULL, "HyperTransport range not reserved", NULL },
};

/* IOMMU capability header, PCI config space at IVHD's capability offset. */
static const struct field amd_cap_fields[] = {
	{ "CapID", 0, 8, C_INT, NULL, "Capability ID (0x0f: secure device)", NULL },
	{ "CapPtr", 8, 8, C_INT, NULL, "Next capability pointer", NULL },
	{ "CapType", 16, 3, C_INT, NULL, "Capability type (3: IOMMU)", NULL },
	{ "CapRev", 19, 5, C_INT, NULL, "Capability revision", NULL },
	{ "IotlbSup", 24, 1, C_INT, NULL, "Remote IOTLB (ATS)", NULL },
	{ "HtTunnel", 25, 1, C_INT, NULL, "HyperTransport tunnel translation", NULL },
	{ "NpCache", 26, 1, C_INT, NULL, "Not-present entries may be cached", NULL },
	{ "EFRSup", 27, 1, C_INT, NULL, "Extended feature register present", NULL },
	{ "CapExt", 28, 1, C_INT, NULL, "Miscellaneous information register 1 present", NULL },
};

static const struct regdef amd_efr = {
	"amd-efr", "AMD IOMMU Extended Feature Register (EFR)", 64,
	amd_efr_fields, ARRAY_SIZE(amd_efr_fields), "efr_reserved_bits",
};

static const struct regdef amd_efr2 = {
	"amd-efr2", "AMD IOMMU Extended Feature 2 Register (EFR2)", 64,
	amd_efr2_fields, ARRAY_SIZE(amd_efr2_fields), "efr2_reserved_bits",
};

static const struct regdef amd_cap = {
	"amd-cap", "AMD IOMMU capability header", 32,
	amd_cap_fields, ARRAY_SIZE(amd_cap_fields), "reserved_bits",
};

/* ---- Arm SMMUv3 ------------------------------------------------------------ */

static void derive_ttf(struct ctx *c, uint64_t bits)
{
	static const char *const ttf[] = {
		"reserved", "AArch32 (LPAE) tables", "AArch64 tables",
		"AArch32 and AArch64 tables",
	};

	append(c, "%s", ttf[bits & 3]);
}

static void derive_httu(struct ctx *c, uint64_t bits)
{
	static const char *const httu[] = {
		"no hardware A/D update", "hardware Access flag update",
		"hardware Access flag and Dirty state update",
		"Access, Dirty and table Access flag update",
	};

	append(c, "%s", httu[bits & 3]);
}

static void derive_ttendian(struct ctx *c, uint64_t bits)
{
	static const char *const e[] = {
		"mixed endian", "reserved", "little endian only", "big endian only",
	};

	append(c, "%s", e[bits & 3]);
}

static void derive_stall(struct ctx *c, uint64_t bits)
{
	static const char *const m[] = {
		"stall and terminate", "terminate only (no stalling)",
		"stall forced", "reserved",
	};

	append(c, "%s", m[bits & 3]);
}

static void derive_st_level(struct ctx *c, uint64_t bits)
{
	append(c, "%s", bits == 0 ? "linear stream table" :
	       bits == 1 ? "2-level stream table" : "reserved");
}

static void derive_log2(struct ctx *c, uint64_t bits)
{
	append(c, "2^%" PRIu64 " entries", bits);
}

static void derive_id_bits(struct ctx *c, uint64_t bits)
{
	append(c, "%" PRIu64 "-bit IDs", bits);
}

static void derive_oas(struct ctx *c, uint64_t bits)
{
	static const int oas[] = { 32, 36, 40, 42, 44, 48, 52 };

	if (bits >= ARRAY_SIZE(oas)) {
		append(c, "reserved encoding");
		return;
	}
	add_int(c->obj, "oas_bits", oas[bits]);
	append(c, "%d-bit output addresses", oas[bits]);
}

static void derive_vax(struct ctx *c, uint64_t bits)
{
	append(c, "%s", bits == 0 ? "48-bit VAs" : bits == 1 ? "52-bit VAs" :
	       "reserved");
}

/* SMMU_IDR0 (SMMUv3 spec 6.3.1; QEMU smmuv3-internal.h, kernel IDR0_*). */
static const struct field smmu_idr0_fields[] = {
	{ "S2P", 0, 1, C_INT, NULL, "Stage-2 translation", NULL },
	{ "S1P", 1, 1, C_INT, NULL, "Stage-1 translation", NULL },
	{ "TTF", 2, 2, C_INT, NULL, "Translation table formats", derive_ttf },
	{ "COHACC", 4, 1, C_INT, NULL, "Coherent access to tables and queues", NULL },
	{ "BTM", 5, 1, C_INT, NULL, "Broadcast TLB maintenance", NULL },
	{ "HTTU", 6, 2, C_INT, NULL, "Hardware translation table update", derive_httu },
	{ "DORMHINT", 8, 1, C_INT, NULL, "Dormant hint", NULL },
	{ "HYP", 9, 1, C_INT, NULL, "Hypervisor stage 1 contexts", NULL },
	{ "ATS", 10, 1, C_INT, NULL, "PCIe ATS", NULL },
	{ "NS1ATS", 11, 1, C_INT, NULL, "Split-stage ATS not supported", NULL },
	{ "ASID16", 12, 1, C_INT, NULL, "16-bit ASIDs", NULL },
	{ "MSI", 13, 1, C_INT, NULL, "MSIs for queues and GERROR", NULL },
	{ "SEV", 14, 1, C_INT, NULL, "WFE wake-up events", NULL },
	{ "ATOS", 15, 1, C_INT, NULL, "Address translation operations", NULL },
	{ "PRI", 16, 1, C_INT, NULL, "Page request interface", NULL },
	{ "VMW", 17, 1, C_INT, NULL, "VMID wildcard matching", NULL },
	{ "VMID16", 18, 1, C_INT, NULL, "16-bit VMIDs", NULL },
	{ "CD2L", 19, 1, C_INT, NULL, "2-level context descriptor tables", NULL },
	{ "VATOS", 20, 1, C_INT, NULL, "Virtual ATOS page", NULL },
	{ "TTENDIAN", 21, 2, C_INT, NULL, "Table endianness", derive_ttendian },
	{ "ATSRECERR", 23, 1, C_INT, NULL, "ATS translation error reporting", NULL },
	{ "STALL_MODEL", 24, 2, C_INT, NULL, "Stall model", derive_stall },
	{ "TERM_MODEL", 26, 1, C_INT, NULL, "Terminate model (1: abort only)", NULL },
	{ "ST_LEVEL", 27, 2, C_INT, NULL, "Stream table levels", derive_st_level },
	{ "RME_IMPL", 30, 1, C_INT, NULL, "Realm management extension", NULL },
};

static const struct field smmu_idr1_fields[] = {
	{ "SIDSIZE", 0, 6, C_INT, NULL, "StreamID width", derive_id_bits },
	{ "SSIDSIZE", 6, 5, C_INT, NULL, "SubstreamID (PASID) width", derive_id_bits },
	{ "PRIQS", 11, 5, C_INT, NULL, "PRI queue size (log2)", derive_log2 },
	{ "EVENTQS", 16, 5, C_INT, NULL, "Event queue size (log2)", derive_log2 },
	{ "CMDQS", 21, 5, C_INT, NULL, "Command queue size (log2)", derive_log2 },
	{ "ATTR_PERMS_OVR", 26, 1, C_INT, NULL, "Incoming permission overrides", NULL },
	{ "ATTR_TYPES_OVR", 27, 1, C_INT, NULL, "Incoming memory type overrides", NULL },
	{ "REL", 28, 1, C_INT, NULL, "Table/queue bases are offsets", NULL },
	{ "QUEUES_PRESET", 29, 1, C_INT, NULL, "Queue bases fixed", NULL },
	{ "TABLES_PRESET", 30, 1, C_INT, NULL, "Table bases fixed", NULL },
	{ "ECMDQ", 31, 1, C_INT, NULL, "Enhanced command queues", NULL },
};

static const struct field smmu_idr3_fields[] = {
	{ "HAD", 2, 1, C_INT, NULL, "Hierarchical attribute disables", NULL },
	{ "PBHA", 3, 1, C_INT, NULL, "Page-based hardware attributes", NULL },
	{ "XNX", 4, 1, C_INT, NULL, "EL0/EL1 execute-never at stage 2", NULL },
	{ "PPS", 5, 1, C_INT, NULL, "PRI responses carry PASID", NULL },
	{ "MPAM", 7, 1, C_INT, NULL, "Memory partitioning and monitoring", NULL },
	{ "FWB", 8, 1, C_INT, NULL, "Stage-2 forced write-back", NULL },
	{ "STT", 9, 1, C_INT, NULL, "Small translation tables", NULL },
	{ "RIL", 10, 1, C_INT, NULL, "Range invalidation", NULL },
	{ "BBML", 11, 2, C_INT, NULL, "Break-before-make level", NULL },
	{ "E0PD", 13, 1, C_INT, NULL, "E0PD0/E0PD1 in context descriptors", NULL },
	{ "PTWNNC", 14, 1, C_INT, NULL, "Table walks non-coherent", NULL },
	{ "DPT", 15, 1, C_INT, NULL, "Device permission table", NULL },
};

static const struct field smmu_idr5_fields[] = {
	{ "OAS", 0, 3, C_INT, NULL, "Output address size", derive_oas },
	{ "GRAN4K", 4, 1, C_INT, NULL, "4KiB translation granule", NULL },
	{ "GRAN16K", 5, 1, C_INT, NULL, "16KiB translation granule", NULL },
	{ "GRAN64K", 6, 1, C_INT, NULL, "64KiB translation granule", NULL },
	{ "VAX", 10, 2, C_INT, NULL, "Virtual address extension", derive_vax },
	{ "STALL_MAX", 16, 16, C_INT, NULL, "Maximum outstanding stalled transactions", NULL },
};

static const struct regdef smmu_idr[] = {
	{ "smmu-idr0", "Arm SMMUv3 SMMU_IDR0", 32, smmu_idr0_fields,
	  ARRAY_SIZE(smmu_idr0_fields), "reserved_bits" },
	{ "smmu-idr1", "Arm SMMUv3 SMMU_IDR1", 32, smmu_idr1_fields,
	  ARRAY_SIZE(smmu_idr1_fields), "reserved_bits" },
	{ "smmu-idr3", "Arm SMMUv3 SMMU_IDR3", 32, smmu_idr3_fields,
	  ARRAY_SIZE(smmu_idr3_fields), "reserved_bits" },
	{ "smmu-idr5", "Arm SMMUv3 SMMU_IDR5", 32, smmu_idr5_fields,
	  ARRAY_SIZE(smmu_idr5_fields), "reserved_bits" },
};

/*
 * The arm-smmu-v3 driver's own feature word (ARM_SMMU_FEAT_* in
 * arm-smmu-v3.h): software flags, not a register, so the bits move between
 * kernel versions. Bits 0-19 as in Linux 6.1 (Debian 6.1.y source); 6.12
 * appends ATTR_TYPES_OVR, HA and HD.
 */
#define SMMU_FEAT(bit, n, d) { n, bit, 1, C_INT, NULL, d, NULL }
static const struct field smmu_feat_fields[] = {
	SMMU_FEAT(0, "2_LVL_STRTAB", "2-level stream table in use"),
	SMMU_FEAT(1, "2_LVL_CDTAB", "2-level context descriptor tables"),
	SMMU_FEAT(2, "TT_LE", "Little-endian translation tables"),
	SMMU_FEAT(3, "TT_BE", "Big-endian translation tables"),
	SMMU_FEAT(4, "PRI", "Page request interface"),
	SMMU_FEAT(5, "ATS", "PCIe ATS"),
	SMMU_FEAT(6, "SEV", "WFE wake-up events"),
	SMMU_FEAT(7, "MSI", "MSIs for queues and GERROR"),
	SMMU_FEAT(8, "COHERENCY", "Coherent table walks (IDR0.COHACC and firmware agree)"),
	SMMU_FEAT(9, "TRANS_S1", "Stage-1 translation"),
	SMMU_FEAT(10, "TRANS_S2", "Stage-2 translation"),
	SMMU_FEAT(11, "STALLS", "Stalling faults"),
	SMMU_FEAT(12, "HYP", "Hypervisor stage 1 contexts"),
	SMMU_FEAT(13, "STALL_FORCE", "Stalls forced on"),
	SMMU_FEAT(14, "VAX", "52-bit virtual addresses"),
	SMMU_FEAT(15, "RANGE_INV", "Range invalidation (IDR3.RIL)"),
	SMMU_FEAT(16, "BTM", "Broadcast TLB maintenance"),
	SMMU_FEAT(17, "SVA", "Shared virtual addressing usable"),
	SMMU_FEAT(18, "E2H", "Host (EL2) address space translation"),
	SMMU_FEAT(19, "NESTING", "Nested (stage 1 + 2) translation"),
	SMMU_FEAT(20, "ATTR_TYPES_OVR", "Incoming memory type overrides"),
	SMMU_FEAT(21, "HA", "Hardware Access flag update"),
	SMMU_FEAT(22, "HD", "Hardware Dirty state update"),
};
#undef SMMU_FEAT

struct smmu_feat_table {
	int major, minor;	/* first kernel version it describes */
	const char *label;
	size_t nfields;		/* a prefix of smmu_feat_fields */
};

/* Oldest first; lab_decode_smmu_features() takes the last one <= the kernel. */
static const struct smmu_feat_table smmu_feat_tables[] = {
	{ 6, 1, "6.1", 20 },
	{ 6, 12, "6.12", 23 },
};

/* ---- the walker ---------------------------------------------------------------- */

static uint64_t width_mask(unsigned int width)
{
	return width >= 64 ? UINT64_MAX : (UINT64_C(1) << width) - 1;
}

static void lower(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < len; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

/*
 * Decode v with r's fields into obj. features collects set single-bit
 * fields; fields (optional) gets one entry per field for people.
 */
static void decode_into(json_object *obj, const struct regdef *r,
			size_t nfields, uint64_t v, const char *raw_key,
			json_object *features, json_object *fields)
{
	uint64_t known = 0;

	add_hex(obj, raw_key, v);
	for (size_t i = 0; i < nfields; i++) {
		const struct field *f = &r->fields[i];
		uint64_t fmask = width_mask(f->width);
		uint64_t bits = (v >> f->shift) & fmask;
		struct ctx c = { .obj = obj, .features = features };
		int64_t value;
		char key[48];

		known |= fmask << f->shift;
		switch (f->conv) {
		case C_PLUS1:
			value = (int64_t)bits + 1;
			break;
		case C_X16:
			value = (int64_t)bits * 16;
			break;
		default:
			value = (int64_t)bits;
			break;
		}
		lower(key, sizeof(key), f->name);
		add_int(obj, key, value);
		if (f->width == 1 && bits)
			json_object_array_add(features,
				json_object_new_string(f->kname ? f->kname : f->name));
		if (f->derive)
			f->derive(&c, bits);
		else if (f->conv == C_X16)
			append(&c, "0x%" PRIx64, (uint64_t)value);

		if (fields) {
			json_object *e = json_object_new_object();
			char buf[sizeof(c.text) + 160];

			json_object_object_add(e, "name", json_object_new_string(key));
			json_object_object_add(e, "register", json_object_new_string(r->name));
			if (f->width == 1)
				snprintf(buf, sizeof(buf), "%u", f->shift);
			else
				snprintf(buf, sizeof(buf), "%u:%u",
					 f->shift + f->width - 1, f->shift);
			json_object_object_add(e, "bits", json_object_new_string(buf));
			add_int(e, "raw", (int64_t)bits);
			add_int(e, "value", value);
			json_object_object_add(e, "set", json_object_new_boolean(bits != 0));
			if (c.text[0])
				snprintf(buf, sizeof(buf), "%s: %s", f->desc, c.text);
			else
				snprintf(buf, sizeof(buf), "%s", f->desc);
			json_object_object_add(e, "meaning", json_object_new_string(buf));
			json_object_array_add(fields, e);
		}
	}
	if (v & ~known & width_mask(r->width))
		add_hex(obj, r->rest_key, v & ~known & width_mask(r->width));
}

/* One register into a fresh object with "raw", its fields and "features". */
static json_object *decode_reg(const struct regdef *r, size_t nfields,
			       uint64_t v, unsigned int flags)
{
	json_object *obj = json_object_new_object();
	json_object *features = json_object_new_array();
	json_object *fields = NULL;

	if (flags & LAB_DECODE_FIELDS)
		fields = json_object_new_array();
	decode_into(obj, r, nfields, v, "raw", features, fields);
	json_object_object_add(obj, "features", features);
	if (fields)
		json_object_object_add(obj, "fields", fields);
	return obj;
}

json_object *lab_decode_intel_cap(uint64_t v)
{
	return decode_reg(&intel_cap, intel_cap.nfields, v, 0);
}

json_object *lab_decode_intel_ecap(uint64_t v)
{
	return decode_reg(&intel_ecap, intel_ecap.nfields, v, 0);
}

json_object *lab_decode_amd_cap(uint32_t v)
{
	return decode_reg(&amd_cap, amd_cap.nfields, v, 0);
}

static json_object *decode_efr(uint64_t efr, bool have_efr2, uint64_t efr2,
			       unsigned int flags)
{
	json_object *obj = json_object_new_object();
	json_object *features = json_object_new_array();
	json_object *fields = NULL;

	if (flags & LAB_DECODE_FIELDS)
		fields = json_object_new_array();
	decode_into(obj, &amd_efr, amd_efr.nfields, efr, "efr", features, fields);
	if (have_efr2)
		decode_into(obj, &amd_efr2, amd_efr2.nfields, efr2, "efr2",
			    features, fields);
	json_object_object_add(obj, "features", features);
	if (fields)
		json_object_object_add(obj, "fields", fields);
	return obj;
}

json_object *lab_decode_amd_efr(uint64_t efr, uint64_t efr2)
{
	return decode_efr(efr, true, efr2, 0);
}

json_object *lab_decode_smmu_idr(int n, uint32_t v)
{
	static const int idx[] = { 0, 1, -1, 2, -1, 3 };

	if (n < 0 || n >= (int)ARRAY_SIZE(idx) || idx[n] < 0)
		return NULL;
	return decode_reg(&smmu_idr[idx[n]], smmu_idr[idx[n]].nfields, v, 0);
}

/* ---- kernel versions ------------------------------------------------------------ */

/* "6.12", "v6.12.0", "6.1.0-31-amd64" -> 6, 12. */
static int parse_kver(const char *s, int *major, int *minor)
{
	char *end;
	long ma, mi;

	if (!s)
		return -1;
	if (*s == 'v')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	ma = strtol(s, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]))
		return -1;
	mi = strtol(end + 1, &end, 10);
	if (*end && *end != '.' && *end != '-' && *end != '+')
		return -1;
	if (ma > 1000 || mi > 1000)
		return -1;
	*major = (int)ma;
	*minor = (int)mi;
	return 0;
}

static int kver_cmp(int ma, int mi, int ma2, int mi2)
{
	if (ma != ma2)
		return ma < ma2 ? -1 : 1;
	return mi < mi2 ? -1 : mi > mi2;
}

static json_object *decode_smmu_features(uint32_t v, const char *kver,
					 unsigned int flags)
{
	static const struct regdef feat = {
		"smmu-features", "arm-smmu-v3 driver features (ARM_SMMU_FEAT_*)", 32,
		smmu_feat_fields, ARRAY_SIZE(smmu_feat_fields), "unknown_bits",
	};
	const struct smmu_feat_table *t = &smmu_feat_tables[ARRAY_SIZE(smmu_feat_tables) - 1];
	const char *note = NULL;
	json_object *obj;
	int ma, mi;

	if (kver && parse_kver(kver, &ma, &mi) == 0) {
		if (kver_cmp(ma, mi, smmu_feat_tables[0].major,
			     smmu_feat_tables[0].minor) < 0)
			note = "no bit table for kernels before 6.1; used 6.1's";
		for (size_t i = 0; i < ARRAY_SIZE(smmu_feat_tables); i++)
			if (i == 0 || kver_cmp(ma, mi, smmu_feat_tables[i].major,
					       smmu_feat_tables[i].minor) >= 0)
				t = &smmu_feat_tables[i];
	} else if (kver) {
		note = "kernel version not understood; used the newest bit table";
	}
	obj = decode_reg(&feat, t->nfields, v, flags);
	json_object_object_add(obj, "kernel_table", json_object_new_string(t->label));
	if (note)
		json_object_object_add(obj, "note", json_object_new_string(note));
	return obj;
}

json_object *lab_decode_smmu_features(uint32_t v, const char *kernel_version)
{
	return decode_smmu_features(v, kernel_version, 0);
}

/* ---- text input ------------------------------------------------------------------ */

int lab_decode_parse_hex(const char *text, unsigned int width, uint64_t *out,
			 struct lab_error *err)
{
	const char *p = text, *digits, *end;
	size_t sig;

	if (!text) {
		lab_error_set(err, "no value given");
		return -1;
	}
	while (isspace((unsigned char)*p))
		p++;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (end - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	digits = p;
	if (p == end) {
		lab_error_set(err, "'%s' is not a hexadecimal number", text);
		return -1;
	}
	for (const char *q = p; q < end; q++) {
		if (!isxdigit((unsigned char)*q)) {
			lab_error_set(err, "'%s' is not a hexadecimal number", text);
			return -1;
		}
	}
	while (digits < end - 1 && *digits == '0')
		digits++;
	sig = (size_t)(end - digits);
	if (sig > 16) {
		lab_error_set(err, "'%s' is wider than %u bits", text, width);
		return -1;
	}
	{
		char buf[17];
		uint64_t v;

		memcpy(buf, digits, sig);
		buf[sig] = '\0';
		v = strtoull(buf, NULL, 16);
		if (width < 64 && (v >> width)) {
			lab_error_set(err, "'%s' is wider than %u bits", text, width);
			return -1;
		}
		*out = v;
	}
	return 0;
}

/* The next blank-separated word of *p into buf: -1 none left, -2 too long. */
static int next_word(const char **p, char *buf, size_t len)
{
	const char *s = *p;
	size_t n = 0;

	while (isspace((unsigned char)*s))
		s++;
	while (s[n] && !isspace((unsigned char)s[n]))
		n++;
	if (!n)
		return -1;
	if (n >= len) {
		snprintf(buf, len, "%.*s...", (int)(len - 4), s);
		*p = s + n;
		return -2;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	*p = s + n;
	return 0;
}

static int expect_word(const char **p, const char *want, struct lab_error *err)
{
	char w[64];
	int ret = next_word(p, w, sizeof(w));

	if (ret == -1) {
		lab_error_set(err, "dmar line: '%s' missing at the end", want);
		return -1;
	}
	if (ret < 0 || strcmp(w, want)) {
		lab_error_set(err, "dmar line: expected '%s', found '%s'", want, w);
		return -1;
	}
	return 0;
}

static int hex_word(const char **p, const char *what, uint64_t *v,
		    struct lab_error *err)
{
	char w[64];
	int ret = next_word(p, w, sizeof(w));

	if (ret == -1) {
		lab_error_set(err, "dmar line: %s value missing", what);
		return -1;
	}
	if (ret < 0) {
		lab_error_set(err, "dmar line: %s value '%s' is not a register value",
			      what, w);
		return -1;
	}
	if (lab_decode_parse_hex(w, 64, v, err) < 0) {
		lab_error_prefix(err, "dmar line: %s", what);
		return -1;
	}
	return 0;
}

static int dmar_line(const char *line, unsigned int flags, json_object **out,
		     struct lab_error *err)
{
	const char *start = strstr(line, "reg_base_addr");
	const char *p;
	uint64_t base, cap, ecap;
	unsigned int major, minor;
	char ver[32], name[32] = "";
	json_object *obj, *version;
	int n = 0;

	if (!start) {
		lab_error_set(err, "dmar line: no 'reg_base_addr' in '%.80s'", line);
		return -1;
	}
	/* The unit's name: "dmar0:" (3.16+) or "IOMMU 0:" before it. */
	p = start;
	while (p > line && isspace((unsigned char)p[-1]))
		p--;
	if (p > line && p[-1] == ':') {
		const char *e = p - 1, *b = e;

		while (b > line && !isspace((unsigned char)b[-1]))
			b--;
		if (b - line >= 6 && !strncmp(b - 6, "IOMMU ", 6))
			b -= 6;
		if ((size_t)(e - b) < sizeof(name)) {
			memcpy(name, b, (size_t)(e - b));
			name[e - b] = '\0';
		}
	}
	p = start + strlen("reg_base_addr");
	if (hex_word(&p, "reg_base_addr", &base, err) < 0 ||
	    expect_word(&p, "ver", err) < 0)
		return -1;
	if (next_word(&p, ver, sizeof(ver)) == -1) {
		lab_error_set(err, "dmar line: version missing after 'ver'");
		return -1;
	}
	if (!isdigit((unsigned char)ver[0]) ||
	    sscanf(ver, "%u:%u%n", &major, &minor, &n) != 2 || ver[n]) {
		lab_error_set(err, "dmar line: version '%s' is not MAJOR:MINOR", ver);
		return -1;
	}
	if (expect_word(&p, "cap", err) < 0 || hex_word(&p, "cap", &cap, err) < 0 ||
	    expect_word(&p, "ecap", err) < 0 || hex_word(&p, "ecap", &ecap, err) < 0)
		return -1;

	obj = json_object_new_object();
	if (name[0])
		json_object_object_add(obj, "iommu", json_object_new_string(name));
	add_hex(obj, "reg_base_addr", base);
	version = json_object_new_object();
	add_int(version, "major", major);
	add_int(version, "minor", minor);
	json_object_object_add(obj, "version", version);
	json_object_object_add(obj, "cap",
			       decode_reg(&intel_cap, intel_cap.nfields, cap, flags));
	json_object_object_add(obj, "ecap",
			       decode_reg(&intel_ecap, intel_ecap.nfields, ecap, flags));
	*out = obj;
	return 0;
}

int lab_decode_dmar_boot_line(const char *line, json_object **out,
			      struct lab_error *err)
{
	return dmar_line(line, 0, out, err);
}

/*
 * sysfs amd-iommu/features: "%llx\n" of EFR up to 5.19; "EFR2:EFR" from 6.0
 * (commit "iommu/amd: Introduce Support for Extended Feature 2 Register");
 * "EFR:EFR2" once the driver moved to global amd_iommu_efr/efr2 (6.12 has
 * it, 6.1 does not; the mailing-list history puts the change in 6.7).
 */
#define AMD_SYSFS_SWAP_MAJOR 6
#define AMD_SYSFS_SWAP_MINOR 7

static int amd_features(const char *text, const char *kver, unsigned int flags,
			json_object **out, struct lab_error *err)
{
	const char *boot = strstr(text, "Extended features (");
	uint64_t a = 0, b = 0;
	bool pair = false;
	const char *order = NULL, *note = NULL;
	char buf[80];
	json_object *obj;

	if (boot) {
		/* pr_info("Extended features (%#llx, %#llx):", efr, efr2) */
		const char *s = boot + strlen("Extended features (");
		const char *close = strchr(s, ')');
		const char *comma;
		size_t len;

		if (!close || (size_t)(close - s) >= sizeof(buf)) {
			lab_error_set(err, "amd-efr: no ')' after 'Extended features ('");
			return -1;
		}
		len = (size_t)(close - s);
		memcpy(buf, s, len);
		buf[len] = '\0';
		comma = strchr(buf, ',');
		if (comma) {
			buf[comma - buf] = '\0';
			if (lab_decode_parse_hex(comma + 1, 64, &b, err) < 0)
				goto bad;
			pair = true;
		}
		if (lab_decode_parse_hex(buf, 64, &a, err) < 0)
			goto bad;
		order = pair ? "boot line: efr, efr2" : "boot line: efr";
	} else if (strchr(text, ':')) {
		const char *colon = strchr(text, ':');
		size_t len = (size_t)(colon - text);
		uint64_t first, second;
		int ma, mi;

		if (len >= sizeof(buf)) {
			lab_error_set(err, "amd-efr: '%.40s...' is not EFR:EFR2", text);
			return -1;
		}
		memcpy(buf, text, len);
		buf[len] = '\0';
		if (lab_decode_parse_hex(buf, 64, &first, err) < 0 ||
		    lab_decode_parse_hex(colon + 1, 64, &second, err) < 0)
			goto bad;
		pair = true;
		if (kver && parse_kver(kver, &ma, &mi) == 0) {
			if (kver_cmp(ma, mi, AMD_SYSFS_SWAP_MAJOR,
				     AMD_SYSFS_SWAP_MINOR) < 0) {
				a = second;
				b = first;
				order = "sysfs efr2:efr (kernel before 6.7)";
			} else {
				a = first;
				b = second;
				order = "sysfs efr:efr2 (kernel 6.7 or later)";
			}
			if (!a && b)
				note = "EFR reads 0 while EFR2 does not: check --kernel";
		} else if (kver) {
			lab_error_set(err, "kernel version '%s' not understood (want e.g. 6.12)",
				      kver);
			return -1;
		} else if (!first != !second) {
			/* A zero EFR next to a non-zero EFR2 cannot be: EFR it is. */
			a = first ? first : second;
			b = 0;
			order = first ? "sysfs efr:efr2 (inferred: efr2 is 0)"
				      : "sysfs efr2:efr (inferred: efr2 is 0)";
		} else {
			a = first;
			b = second;
			order = "sysfs efr:efr2 (assumed; kernels 6.0-6.6 print efr2:efr, pass --kernel)";
		}
	} else {
		if (lab_decode_parse_hex(text, 64, &a, err) < 0)
			goto bad;
		order = "efr";
	}
	obj = decode_efr(a, pair, b, flags);
	json_object_object_add(obj, "input_order", json_object_new_string(order));
	if (note)
		json_object_object_add(obj, "note", json_object_new_string(note));
	*out = obj;
	return 0;
bad:
	lab_error_prefix(err, "amd-efr");
	return -1;
}

int lab_decode_amd_features(const char *text, const char *kernel_version,
			    json_object **out, struct lab_error *err)
{
	return amd_features(text, kernel_version, 0, out, err);
}

/* "arm-smmu-v3 ...: ias 44-bit, oas 44-bit (features 0x00008305)" or hex. */
static int smmu_features_text(const char *text, const char *kver,
			      unsigned int flags, json_object **out,
			      struct lab_error *err)
{
	const char *f = strstr(text, "(features ");
	uint64_t v;

	if (f) {
		const char *s = f + strlen("(features ");
		const char *close = strchr(s, ')');
		const char *ias = strstr(text, "ias "), *oas = strstr(text, "oas ");
		char buf[32];
		json_object *obj;
		unsigned int bits;

		if (!close || (size_t)(close - s) >= sizeof(buf)) {
			lab_error_set(err, "smmu-features: no ')' after '(features'");
			return -1;
		}
		memcpy(buf, s, (size_t)(close - s));
		buf[close - s] = '\0';
		if (lab_decode_parse_hex(buf, 32, &v, err) < 0) {
			lab_error_prefix(err, "smmu-features");
			return -1;
		}
		obj = decode_smmu_features((uint32_t)v, kver, flags);
		if (ias && sscanf(ias, "ias %u-bit", &bits) == 1)
			add_int(obj, "ias_bits", bits);
		if (oas && sscanf(oas, "oas %u-bit", &bits) == 1)
			add_int(obj, "oas_bits", bits);
		*out = obj;
		return 0;
	}
	if (lab_decode_parse_hex(text, 32, &v, err) < 0) {
		lab_error_prefix(err, "smmu-features");
		return -1;
	}
	*out = decode_smmu_features((uint32_t)v, kver, flags);
	return 0;
}

const struct lab_decode_register lab_decode_registers[] = {
	{ "intel-cap", "Intel VT-d CAP_REG (sysfs intel-iommu/cap)" },
	{ "intel-ecap", "Intel VT-d ECAP_REG (sysfs intel-iommu/ecap)" },
	{ "dmar-line", "the boot line 'DMAR: dmar0: reg_base_addr ... cap ... ecap ...'" },
	{ "amd-efr", "AMD EFR[/EFR2]: hex, sysfs amd-iommu/features, or the boot line" },
	{ "amd-efr2", "AMD EFR2 alone" },
	{ "amd-cap", "AMD IOMMU capability header (sysfs amd-iommu/cap)" },
	{ "smmu-features", "arm-smmu-v3 '(features 0x...)': hex or the boot line" },
	{ "smmu-idr0", "Arm SMMU_IDR0" },
	{ "smmu-idr1", "Arm SMMU_IDR1" },
	{ "smmu-idr3", "Arm SMMU_IDR3" },
	{ "smmu-idr5", "Arm SMMU_IDR5" },
	{ NULL, NULL },
};

static int decode_hex_reg(const struct regdef *r, const char *text,
			  unsigned int flags, json_object **out,
			  struct lab_error *err)
{
	uint64_t v;

	if (lab_decode_parse_hex(text, r->width, &v, err) < 0) {
		lab_error_prefix(err, "%s", r->name);
		return -1;
	}
	*out = decode_reg(r, r->nfields, v, flags);
	return 0;
}

int lab_decode_by_name(const char *reg, const char *text,
		       const char *kernel_version, unsigned int flags,
		       json_object **out, struct lab_error *err)
{
	json_object *obj = NULL;
	int ret, ma, mi;

	if (!reg || !text) {
		lab_error_set(err, "decode: register name and value are required");
		return -1;
	}
	if (kernel_version && parse_kver(kernel_version, &ma, &mi) < 0) {
		lab_error_set(err, "kernel version '%s' not understood (want e.g. 6.12)",
			      kernel_version);
		return -1;
	}
	if (!strcmp(reg, "intel-cap"))
		ret = decode_hex_reg(&intel_cap, text, flags, &obj, err);
	else if (!strcmp(reg, "intel-ecap"))
		ret = decode_hex_reg(&intel_ecap, text, flags, &obj, err);
	else if (!strcmp(reg, "dmar-line"))
		ret = dmar_line(text, flags, &obj, err);
	else if (!strcmp(reg, "amd-efr"))
		ret = amd_features(text, kernel_version, flags, &obj, err);
	else if (!strcmp(reg, "amd-efr2"))
		ret = decode_hex_reg(&amd_efr2, text, flags, &obj, err);
	else if (!strcmp(reg, "amd-cap"))
		ret = decode_hex_reg(&amd_cap, text, flags, &obj, err);
	else if (!strcmp(reg, "smmu-features"))
		ret = smmu_features_text(text, kernel_version, flags, &obj, err);
	else {
		const struct regdef *r = NULL;

		for (size_t i = 0; i < ARRAY_SIZE(smmu_idr); i++)
			if (!strcmp(reg, smmu_idr[i].name))
				r = &smmu_idr[i];
		if (!r) {
			lab_error_set(err, "unknown register '%s'", reg);
			return -1;
		}
		ret = decode_hex_reg(r, text, flags, &obj, err);
	}
	if (ret < 0)
		return -1;
	json_object_object_add(obj, "register", json_object_new_string(reg));
	*out = obj;
	return 0;
}
