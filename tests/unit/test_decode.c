/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for harness/decode.c: capability register decoders.
 *
 * Reference values come from three places, each named at its case:
 *  - bit positions from the kernel headers that mirror the specifications
 *    (drivers/iommu/intel/iommu.h cap_*()/ecap_*(), amd_iommu_types.h
 *    FEATURE_*, arm-smmu-v3.h ARM_SMMU_FEAT_*; Debian linux-source 6.1.y
 *    and 6.12.y);
 *  - what QEMU's emulated IOMMUs report, rebuilt here from QEMU's own
 *    macros (hw/i386/intel_iommu_internal.h, hw/i386/amd_iommu.h,
 *    hw/arm/smmuv3.c; QEMU 7.2 and 10.0) so each QEMU option maps to the
 *    bit it sets;
 *  - boot lines from real machines quoted in public bug reports.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "decode.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ----------------------------------------------------------------- */

static int64_t geti(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("key '%s' missing", key);
	assert_true(json_object_is_type(v, json_type_int));
	return json_object_get_int64(v);
}

static const char *gets(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("key '%s' missing", key);
	return json_object_get_string(v);
}

static bool has(json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

static json_object *sub(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("key '%s' missing", key);
	return v;
}

static void assert_ints(json_object *o, const char *key, const int *want, size_t n)
{
	json_object *a = sub(o, key);

	assert_true(json_object_is_type(a, json_type_array));
	assert_int_equal(json_object_array_length(a), n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(json_object_get_int(json_object_array_get_idx(a, i)),
				 want[i]);
}

static bool has_feature(json_object *o, const char *name)
{
	json_object *a = sub(o, "features");

	for (size_t i = 0; i < json_object_array_length(a); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(a, i)), name))
			return true;
	return false;
}

static json_object *by_name(const char *reg, const char *text, const char *kver)
{
	struct lab_error err = { 0 };
	json_object *o = NULL;

	if (lab_decode_by_name(reg, text, kver, 0, &o, &err) < 0)
		fail_msg("decode %s '%s': %s", reg, text, err.msg);
	assert_string_equal(gets(o, "register"), reg);
	return o;
}

/* The decoder must refuse text, say so in err, and leave out alone. */
static void assert_refused(const char *reg, const char *text, const char *kver,
			   const char *msg_part)
{
	struct lab_error err = { 0 };
	json_object *o = NULL;

	assert_int_equal(lab_decode_by_name(reg, text, kver, 0, &o, &err), -1);
	assert_null(o);
	assert_true(err.set);
	if (!strstr(err.msg, msg_part))
		fail_msg("error '%s' lacks '%s'", err.msg, msg_part);
}

struct bit {
	const char *key;
	unsigned int bit;
};

/* Each single-bit field alone: its key reads 1, every other listed key 0. */
static void check_each_bit(json_object *(*decode)(uint64_t), const struct bit *bits,
			   size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_object *o = decode(UINT64_C(1) << bits[i].bit);

		for (size_t j = 0; j < n; j++)
			if (geti(o, bits[j].key) != (i == j))
				fail_msg("bit %u: '%s' reads %lld", bits[i].bit,
					 bits[j].key, (long long)geti(o, bits[j].key));
		assert_false(has(o, "reserved_bits"));
		json_object_put(o);
	}
}

/* ---- Intel VT-d: positions ----------------------------------------------------- */

/* Bit positions of the cap_*() macros in drivers/iommu/intel/iommu.h (6.12). */
static const struct bit intel_cap_bits[] = {
	{ "afl", 3 }, { "rwbf", 4 }, { "plmr", 5 }, { "phmr", 6 }, { "cm", 7 },
	{ "zlr", 22 }, { "isoch", 23 }, { "psi", 39 }, { "dwd", 54 }, { "drd", 55 },
	{ "fl1gp", 56 }, { "pi", 59 }, { "fl5lp", 60 }, { "ecmds", 61 },
	{ "esirtps", 62 }, { "esrtps", 63 },
};

/*
 * ecap_*() in iommu.h (6.1 and 6.12; pasid_rev2 is ecap_broken_pasid());
 * ADMS and RPRIVS from the Intel Core Ultra datasheet 795258, ECAP_REG.
 */
static const struct bit intel_ecap_bits[] = {
	{ "c", 0 }, { "qi", 1 }, { "dt", 2 }, { "ir", 3 }, { "eim", 4 },
	{ "pt", 6 }, { "sc", 7 }, { "mts", 25 }, { "nest", 26 }, { "dis", 27 },
	{ "pasid_rev2", 28 }, { "prs", 29 }, { "ers", 30 }, { "srs", 31 },
	{ "nwfs", 33 }, { "eafs", 34 }, { "pasid", 40 }, { "dit", 41 },
	{ "pds", 42 }, { "smts", 43 }, { "vcs", 44 }, { "slads", 45 },
	{ "slts", 46 }, { "flts", 47 }, { "smpwcs", 48 }, { "rps", 49 },
	{ "pms", 51 }, { "adms", 52 }, { "rprivs", 53 },
};

static void test_intel_cap_each_flag_alone(void **state)
{
	(void)state;
	check_each_bit(lab_decode_intel_cap, intel_cap_bits, ARRAY_SIZE(intel_cap_bits));
}

static void test_intel_ecap_each_flag_alone(void **state)
{
	(void)state;
	check_each_bit(lab_decode_intel_ecap, intel_ecap_bits, ARRAY_SIZE(intel_ecap_bits));
}

/* Multi-bit CAP fields and the meaning the spec gives their encodings. */
static void test_intel_cap_multibit_fields(void **state)
{
	static const int levels[] = { 3, 4 }, widths[] = { 39, 48 };
	uint64_t v = 6			/* ND: 16-bit domain IDs */
		| UINT64_C(0x6) << 8	/* SAGAW: 39- and 48-bit */
		| UINT64_C(47) << 16	/* MGAW: 48 - 1 */
		| UINT64_C(0x22) << 24	/* FRO: 0x220 / 16 */
		| UINT64_C(0x3) << 34	/* SLLPS: 2MiB, 1GiB */
		| UINT64_C(7) << 40	/* NFR: 8 - 1 */
		| UINT64_C(18) << 48;	/* MAMV */
	json_object *o = lab_decode_intel_cap(v);

	(void)state;
	assert_int_equal(geti(o, "nd"), 6);
	assert_int_equal(geti(o, "nd_domains"), 65536);
	assert_int_equal(geti(o, "sagaw"), 6);
	assert_ints(o, "sagaw_levels", levels, 2);
	assert_ints(o, "sagaw_widths", widths, 2);
	assert_int_equal(geti(o, "mgaw"), 48);
	assert_int_equal(geti(o, "fro"), 0x220);
	assert_int_equal(geti(o, "sllps"), 3);
	assert_int_equal(json_object_array_length(sub(o, "sllps_sizes")), 2);
	assert_int_equal(geti(o, "nfr"), 8);
	assert_int_equal(geti(o, "mamv"), 18);
	assert_false(has(o, "reserved_bits"));
	json_object_put(o);
}

/* SAGAW bit 3: 5-level/57-bit; bit 0: 2-level/30-bit (rev 1.x, now reserved). */
static void test_intel_cap_sagaw_other_levels(void **state)
{
	static const int levels[] = { 2, 5 }, widths[] = { 30, 57 };
	json_object *o = lab_decode_intel_cap(UINT64_C(0x9) << 8);

	(void)state;
	assert_ints(o, "sagaw_levels", levels, 2);
	assert_ints(o, "sagaw_widths", widths, 2);
	json_object_put(o);

	/* SAGAW 0 (QEMU dma-translation=off): no second-stage levels at all. */
	o = lab_decode_intel_cap(0);
	assert_int_equal(json_object_array_length(sub(o, "sagaw_levels")), 0);
	json_object_put(o);
}

/* ND 7 is reserved: no domain count is claimed for it. */
static void test_intel_cap_nd_reserved(void **state)
{
	json_object *o = lab_decode_intel_cap(7);

	(void)state;
	assert_int_equal(geti(o, "nd"), 7);
	assert_false(has(o, "nd_domains"));
	json_object_put(o);
}

/* CAP bits 15:13, 38 and 58:57 are reserved in VT-d rev 4.x. */
static void test_intel_cap_reserved_bits(void **state)
{
	uint64_t rsvd = UINT64_C(0x7) << 13 | UINT64_C(1) << 38 | UINT64_C(3) << 57;
	json_object *o = lab_decode_intel_cap(rsvd | 1u << 7);

	(void)state;
	assert_string_equal(gets(o, "reserved_bits"), "0x60000400000e000");
	assert_int_equal(geti(o, "cm"), 1);
	json_object_put(o);
}

static void test_intel_ecap_multibit_fields(void **state)
{
	uint64_t v = UINT64_C(0xf) << 8		/* IRO: 0xf0 / 16 */
		| UINT64_C(0xf) << 20		/* MHMV */
		| UINT64_C(19) << 35;		/* PSS: 20-bit PASIDs */
	json_object *o = lab_decode_intel_ecap(v);

	(void)state;
	assert_int_equal(geti(o, "iro"), 0xf0);
	assert_int_equal(geti(o, "mhmv"), 15);
	assert_int_equal(geti(o, "pss"), 19);
	assert_int_equal(geti(o, "pss_bits"), 20);
	json_object_put(o);
}

/* ---- Intel VT-d: what QEMU's intel-iommu reports -------------------------------- */

/*
 * vtd_cap_init() (QEMU 10.0; vtd_init() in 7.2) from the macros of
 * hw/i386/intel_iommu_internal.h, which are the same in both versions.
 */
#define QEMU_DMAR_FRCD_REG_OFFSET	UINT64_C(0x220)
#define QEMU_DMAR_IOTLB_REG_OFFSET	UINT64_C(0xf0)
#define QEMU_VTD_CAP_FRO		(QEMU_DMAR_FRCD_REG_OFFSET << 20)
#define QEMU_VTD_CAP_NFR		(UINT64_C(0) << 40)
#define QEMU_VTD_CAP_ND			UINT64_C(6)	/* (16 - 4) / 2 */
#define QEMU_VTD_CAP_MGAW(aw)		((UINT64_C(aw) - 1) << 16)
#define QEMU_VTD_CAP_MAMV		(UINT64_C(18) << 48)
#define QEMU_VTD_CAP_PSI		(UINT64_C(1) << 39)
#define QEMU_VTD_CAP_SLLPS		(UINT64_C(3) << 34)
#define QEMU_VTD_CAP_DRAIN		(UINT64_C(3) << 54)	/* dma-drain=on */
#define QEMU_VTD_CAP_FS1GP		(UINT64_C(1) << 56)	/* 10.0: x-flts + fs1gp */
#define QEMU_VTD_CAP_CM			(UINT64_C(1) << 7)	/* caching-mode=on */
#define QEMU_VTD_CAP_SAGAW_39bit	(UINT64_C(0x2) << 8)
#define QEMU_VTD_CAP_SAGAW_48bit	(UINT64_C(0x4) << 8)
#define QEMU_CAP(aw) (QEMU_VTD_CAP_FRO | QEMU_VTD_CAP_NFR | QEMU_VTD_CAP_ND | \
		      QEMU_VTD_CAP_MAMV | QEMU_VTD_CAP_PSI | QEMU_VTD_CAP_SLLPS | \
		      QEMU_VTD_CAP_MGAW(aw) | QEMU_VTD_CAP_DRAIN | \
		      QEMU_VTD_CAP_SAGAW_39bit | \
		      ((aw) >= 48 ? QEMU_VTD_CAP_SAGAW_48bit : 0))

#define QEMU_VTD_ECAP_IRO	(QEMU_DMAR_IOTLB_REG_OFFSET << 4)
#define QEMU_VTD_ECAP_QI	(UINT64_C(1) << 1)
#define QEMU_VTD_ECAP_DT	(UINT64_C(1) << 2)	/* device-iotlb=on */
#define QEMU_VTD_ECAP_IR	(UINT64_C(1) << 3)	/* intremap=on */
#define QEMU_VTD_ECAP_EIM	(UINT64_C(1) << 4)	/* eim=on */
#define QEMU_VTD_ECAP_PT	(UINT64_C(1) << 6)	/* pt=on (default) */
#define QEMU_VTD_ECAP_SC	(UINT64_C(1) << 7)	/* snoop-control=on */
#define QEMU_VTD_ECAP_MHMV	(UINT64_C(15) << 20)	/* with IR */
#define QEMU_VTD_ECAP_SRS	(UINT64_C(1) << 31)
#define QEMU_VTD_ECAP_PASID	(UINT64_C(1) << 40)	/* x-pasid-mode=on */
#define QEMU_VTD_ECAP_SMTS	(UINT64_C(1) << 43)
#define QEMU_VTD_ECAP_SLTS	(UINT64_C(1) << 46)
#define QEMU_VTD_ECAP_FLTS	(UINT64_C(1) << 47)	/* 10.0: x-flts=on */
#define QEMU_ECAP_BASE (QEMU_VTD_ECAP_QI | QEMU_VTD_ECAP_IRO)

/* aw-bits=39 (the default up to QEMU 9.1): a 3-level table, 39-bit MGAW. */
static void test_qemu_intel_aw_bits_39(void **state)
{
	static const int levels[] = { 3 }, widths[] = { 39 };
	json_object *o = lab_decode_intel_cap(QEMU_CAP(39));

	(void)state;
	assert_int_equal(QEMU_CAP(39), UINT64_C(0xd2008c22260206));
	assert_ints(o, "sagaw_levels", levels, 1);
	assert_ints(o, "sagaw_widths", widths, 1);
	assert_int_equal(geti(o, "mgaw"), 39);
	assert_int_equal(geti(o, "cm"), 0);
	assert_int_equal(geti(o, "nd_domains"), 65536);
	assert_int_equal(geti(o, "fro"), 0x220);
	assert_int_equal(geti(o, "nfr"), 1);
	assert_int_equal(geti(o, "mamv"), 18);
	assert_int_equal(geti(o, "psi"), 1);
	assert_int_equal(geti(o, "dwd"), 1);
	assert_int_equal(geti(o, "drd"), 1);
	json_object_put(o);
}

/*
 * aw-bits=48 (QEMU 10.0's default): SAGAW gains the 4-level bit, MGAW is 48.
 * The same value shows in public 6.12 guest logs on QEMU q35:
 *   DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap d2008c222f0606 ecap f00f5e
 */
static void test_qemu_intel_aw_bits_48(void **state)
{
	static const int levels[] = { 3, 4 }, widths[] = { 39, 48 };
	json_object *o = lab_decode_intel_cap(QEMU_CAP(48));

	(void)state;
	assert_int_equal(QEMU_CAP(48), UINT64_C(0xd2008c222f0606));
	assert_ints(o, "sagaw_levels", levels, 2);
	assert_ints(o, "sagaw_widths", widths, 2);
	assert_int_equal(geti(o, "mgaw"), 48);
	json_object_put(o);
}

/* caching-mode=on sets CM, which makes Linux flush on every map. */
static void test_qemu_intel_caching_mode(void **state)
{
	json_object *o = lab_decode_intel_cap(QEMU_CAP(48) | QEMU_VTD_CAP_CM);

	(void)state;
	/* Also seen verbatim in public guest logs: "cap d2008c222f0686". */
	assert_int_equal(QEMU_CAP(48) | QEMU_VTD_CAP_CM, UINT64_C(0xd2008c222f0686));
	assert_int_equal(geti(o, "cm"), 1);
	assert_true(has_feature(o, "CM"));
	json_object_put(o);
}

/* intremap=on, eim=on, device-iotlb=on, pt=on: the f00f5e of guest logs. */
static void test_qemu_intel_ecap_ir_eim_dt_pt(void **state)
{
	uint64_t v = QEMU_ECAP_BASE | QEMU_VTD_ECAP_IR | QEMU_VTD_ECAP_MHMV |
		     QEMU_VTD_ECAP_EIM | QEMU_VTD_ECAP_DT | QEMU_VTD_ECAP_PT;
	json_object *o = lab_decode_intel_ecap(v);

	(void)state;
	assert_int_equal(v, 0xf00f5e);
	assert_int_equal(geti(o, "qi"), 1);
	assert_int_equal(geti(o, "ir"), 1);
	assert_int_equal(geti(o, "eim"), 1);
	assert_int_equal(geti(o, "dt"), 1);
	assert_int_equal(geti(o, "pt"), 1);
	assert_int_equal(geti(o, "sc"), 0);
	assert_int_equal(geti(o, "smts"), 0);
	assert_int_equal(geti(o, "iro"), 0xf0);
	assert_int_equal(geti(o, "mhmv"), 15);
	json_object_put(o);

	/* device-iotlb=off, eim=off: DT and EIM clear, the rest stays. */
	o = lab_decode_intel_ecap(QEMU_ECAP_BASE | QEMU_VTD_ECAP_IR |
				  QEMU_VTD_ECAP_MHMV | QEMU_VTD_ECAP_PT);
	assert_int_equal(geti(o, "dt"), 0);
	assert_int_equal(geti(o, "eim"), 0);
	assert_int_equal(geti(o, "ir"), 1);
	json_object_put(o);
}

/* x-scalable-mode=on: SMTS + SLTS + SRS; x-pasid-mode=on adds PASID. */
static void test_qemu_intel_ecap_scalable_mode(void **state)
{
	uint64_t sm = QEMU_VTD_ECAP_SMTS | QEMU_VTD_ECAP_SRS | QEMU_VTD_ECAP_SLTS;
	json_object *o = lab_decode_intel_ecap(QEMU_ECAP_BASE | sm);

	(void)state;
	assert_int_equal(geti(o, "smts"), 1);
	assert_int_equal(geti(o, "slts"), 1);
	assert_int_equal(geti(o, "srs"), 1);
	assert_int_equal(geti(o, "flts"), 0);
	assert_int_equal(geti(o, "pasid"), 0);
	json_object_put(o);

	o = lab_decode_intel_ecap(QEMU_ECAP_BASE | sm | QEMU_VTD_ECAP_PASID);
	assert_int_equal(geti(o, "pasid"), 1);
	json_object_put(o);
}

/* QEMU 10.0 x-flts=on: first-stage only (FLTS, no SLTS) and CAP.FS1GP. */
static void test_qemu_intel_x_flts(void **state)
{
	json_object *e = lab_decode_intel_ecap(QEMU_ECAP_BASE | QEMU_VTD_ECAP_SMTS |
					       QEMU_VTD_ECAP_FLTS);
	json_object *c = lab_decode_intel_cap(QEMU_CAP(48) | QEMU_VTD_CAP_FS1GP);

	(void)state;
	assert_int_equal(geti(e, "smts"), 1);
	assert_int_equal(geti(e, "flts"), 1);
	assert_int_equal(geti(e, "slts"), 0);
	assert_int_equal(geti(c, "fl1gp"), 1);
	json_object_put(e);
	json_object_put(c);
}

static void test_qemu_intel_snoop_control(void **state)
{
	json_object *o = lab_decode_intel_ecap(QEMU_ECAP_BASE | QEMU_VTD_ECAP_SC);

	(void)state;
	assert_int_equal(geti(o, "sc"), 1);
	assert_true(has_feature(o, "SC"));
	json_object_put(o);
}

/* ---- Intel VT-d: boot lines of real machines ------------------------------------- */

/*
 * Kaby Lake desktop, the line in issue 6's brief. Its ECAP is the reset
 * default Intel documents for that part: "ECAP ... Default: F050DAh" (7th
 * Gen Core datasheet vol. 2, VC0PREMAP registers, section 10.3).
 */
static void test_dmar_line_kaby_lake(void **state)
{
	static const int levels[] = { 4 };
	json_object *o, *cap, *ecap, *ver;
	struct lab_error err = { 0 };

	(void)state;
	assert_int_equal(lab_decode_dmar_boot_line(
		"[    0.183153] DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap d2008c40660462 ecap f050da",
		&o, &err), 0);
	assert_string_equal(gets(o, "iommu"), "dmar0");
	assert_string_equal(gets(o, "reg_base_addr"), "0xfed90000");
	ver = sub(o, "version");
	assert_int_equal(geti(ver, "major"), 1);
	assert_int_equal(geti(ver, "minor"), 0);
	cap = sub(o, "cap");
	assert_string_equal(gets(cap, "raw"), "0xd2008c40660462");
	assert_int_equal(geti(cap, "nd_domains"), 256);
	assert_ints(cap, "sagaw_levels", levels, 1);
	assert_int_equal(geti(cap, "mgaw"), 39);	/* MGAW below SAGAW's 48 */
	assert_int_equal(geti(cap, "plmr"), 1);
	assert_int_equal(geti(cap, "phmr"), 1);
	assert_int_equal(geti(cap, "zlr"), 1);
	assert_int_equal(geti(cap, "fro"), 0x400);
	assert_int_equal(geti(cap, "psi"), 1);
	assert_int_equal(geti(cap, "cm"), 0);
	ecap = sub(o, "ecap");
	assert_int_equal(geti(ecap, "c"), 0);
	assert_int_equal(geti(ecap, "qi"), 1);
	assert_int_equal(geti(ecap, "dt"), 0);
	assert_int_equal(geti(ecap, "ir"), 1);
	assert_int_equal(geti(ecap, "eim"), 1);
	assert_int_equal(geti(ecap, "pt"), 1);
	assert_int_equal(geti(ecap, "sc"), 1);
	assert_int_equal(geti(ecap, "iro"), 0x500);
	assert_int_equal(geti(ecap, "mhmv"), 15);
	json_object_put(o);
}

/*
 * Gemini Lake (Synology DS920+), https://github.com/bb-qq/r8152/issues/169:
 *   DMAR: dmar0: reg_base_addr fed64000 ver 1:0 cap 1c0000c40660462 ecap 9e2ff0505e
 * An older unit: the rev 2.x ECS/DIS bits are set, PSI is not.
 */
static void test_dmar_line_gemini_lake(void **state)
{
	json_object *o, *cap, *ecap;
	struct lab_error err = { 0 };

	(void)state;
	assert_int_equal(lab_decode_dmar_boot_line(
		"[    2.990097] DMAR: dmar0: reg_base_addr fed64000 ver 1:0 cap 1c0000c40660462 ecap 9e2ff0505e",
		&o, &err), 0);
	cap = sub(o, "cap");
	assert_int_equal(geti(cap, "psi"), 0);
	assert_int_equal(geti(cap, "fl1gp"), 1);
	assert_int_equal(geti(cap, "mgaw"), 39);
	ecap = sub(o, "ecap");
	assert_int_equal(geti(ecap, "ecs"), 1);
	assert_int_equal(geti(ecap, "dis"), 1);
	assert_int_equal(geti(ecap, "nest"), 1);
	assert_int_equal(geti(ecap, "prs"), 1);
	assert_int_equal(geti(ecap, "pasid_rev2"), 0);
	assert_int_equal(geti(ecap, "smts"), 0);
	assert_int_equal(geti(ecap, "pss_bits"), 20);
	json_object_put(o);
}

/*
 * Xeon server (Broadwell-EP class), https://github.com/utcs-scea/LAKE/issues/10:
 *   DMAR: dmar0: reg_base_addr d37fc000 ver 1:0 cap 8d2078c106f0466 ecap f020df
 */
static void test_dmar_line_xeon(void **state)
{
	json_object *o, *cap, *ecap;
	struct lab_error err = { 0 };

	(void)state;
	assert_int_equal(lab_decode_dmar_boot_line(
		"kern  :info  : [Fri Apr  7 00:04:33 2023] DMAR: dmar0: reg_base_addr d37fc000 ver 1:0 cap 8d2078c106f0466 ecap f020df",
		&o, &err), 0);
	assert_string_equal(gets(o, "reg_base_addr"), "0xd37fc000");
	cap = sub(o, "cap");
	assert_int_equal(geti(cap, "mgaw"), 48);
	assert_int_equal(geti(cap, "nd_domains"), 65536);
	assert_int_equal(geti(cap, "nfr"), 8);
	assert_int_equal(geti(cap, "fro"), 0x100);
	assert_int_equal(geti(cap, "pi"), 1);
	ecap = sub(o, "ecap");
	assert_int_equal(geti(ecap, "c"), 1);
	assert_int_equal(geti(ecap, "dt"), 1);
	assert_int_equal(geti(ecap, "iro"), 0x200);
	json_object_put(o);
}

/*
 * Sapphire Rapids, VT-d 6.0 register version,
 * https://github.com/intel/intel-device-plugins-for-kubernetes/issues/1836:
 *   DMAR: dmar0: reg_base_addr d97fc000 ver 6:0 cap 19ed008c40780c66 ecap 3ee9e86f050df
 * Scalable mode with both stages, 5-level tables; ECAP.PASID is clear.
 */
static void test_dmar_line_sapphire_rapids(void **state)
{
	static const int levels[] = { 4, 5 }, widths[] = { 48, 57 };
	json_object *o, *cap, *ecap;
	struct lab_error err = { 0 };

	(void)state;
	assert_int_equal(lab_decode_dmar_boot_line(
		"[    0.166047] DMAR: dmar0: reg_base_addr d97fc000 ver 6:0 cap 19ed008c40780c66 ecap 3ee9e86f050df",
		&o, &err), 0);
	assert_int_equal(geti(sub(o, "version"), "major"), 6);
	cap = sub(o, "cap");
	assert_ints(cap, "sagaw_levels", levels, 2);
	assert_ints(cap, "sagaw_widths", widths, 2);
	assert_int_equal(geti(cap, "mgaw"), 57);
	assert_int_equal(geti(cap, "fl5lp"), 1);
	assert_int_equal(geti(cap, "pi"), 1);
	assert_int_equal(geti(cap, "esrtps"), 0);
	ecap = sub(o, "ecap");
	assert_int_equal(geti(ecap, "smts"), 1);
	assert_int_equal(geti(ecap, "slts"), 1);
	assert_int_equal(geti(ecap, "flts"), 1);
	assert_int_equal(geti(ecap, "slads"), 1);
	assert_int_equal(geti(ecap, "rps"), 1);
	assert_int_equal(geti(ecap, "pasid"), 0);
	assert_int_equal(geti(ecap, "pss_bits"), 20);
	assert_false(has(ecap, "reserved_bits"));
	json_object_put(o);
}

/* Kernels before 3.17 wrote "dmar: IOMMU 0: reg_base_addr ...". */
static void test_dmar_line_old_format(void **state)
{
	json_object *o;
	struct lab_error err = { 0 };

	(void)state;
	assert_int_equal(lab_decode_dmar_boot_line(
		"[    0.042131] dmar: IOMMU 0: reg_base_addr fed90000 ver 1:0 cap d2008c20660462 ecap f010da",
		&o, &err), 0);
	assert_string_equal(gets(o, "iommu"), "IOMMU 0");
	/* ecap f010da: QI IR EIM PT SC, IOTLB registers at 0x100 */
	assert_int_equal(geti(sub(o, "ecap"), "sc"), 1);
	assert_int_equal(geti(sub(o, "ecap"), "dt"), 0);
	assert_int_equal(geti(sub(o, "ecap"), "iro"), 0x100);
	json_object_put(o);
}

static void test_dmar_line_errors(void **state)
{
	(void)state;
	assert_refused("dmar-line", "DMAR: Host address width 39", NULL, "reg_base_addr");
	assert_refused("dmar-line",
		       "DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap d2008c40660462",
		       NULL, "'ecap' missing");
	assert_refused("dmar-line",
		       "DMAR: dmar0: reg_base_addr fed90000 ver 1-0 cap 1 ecap 2",
		       NULL, "not MAJOR:MINOR");
	assert_refused("dmar-line",
		       "DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap xyz ecap 2",
		       NULL, "cap: 'xyz' is not a hexadecimal number");
	assert_refused("dmar-line",
		       "DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap 1 ecap 11112222333344445",
		       NULL, "wider than 64 bits");
}

/* ---- AMD-Vi ------------------------------------------------------------------------ */

struct amd_bit {
	const char *key;
	unsigned int bit;
	const char *kname;
};

/* FEATURE_* single bits of amd_iommu_types.h (6.12) and the words it prints. */
static const struct amd_bit amd_efr_bits[] = {
	{ "prefsup", 0, "PreF" }, { "pprsup", 1, "PPR" }, { "xtsup", 2, "X2APIC" },
	{ "nxsup", 3, "NX" }, { "gtsup", 4, "GT" }, { "iasup", 6, "IA" },
	{ "gasup", 7, "GA" }, { "hesup", 8, "HE" }, { "pcsup", 9, "PC" },
	{ "giosup", 48, "GIOSUP" }, { "hasup", 49, "HASUP" },
	{ "ephsup", 50, "EPHSUP" }, { "hdsup", 52, "HDSUP" }, { "snpsup", 63, "SNP" },
};

static void test_amd_efr_each_flag_alone(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(amd_efr_bits); i++) {
		json_object *o = lab_decode_amd_efr(UINT64_C(1) << amd_efr_bits[i].bit, 0);

		for (size_t j = 0; j < ARRAY_SIZE(amd_efr_bits); j++)
			assert_int_equal(geti(o, amd_efr_bits[j].key), i == j);
		assert_true(has_feature(o, amd_efr_bits[i].kname));
		assert_int_equal(json_object_array_length(sub(o, "features")), 1);
		json_object_put(o);
	}
}

/* GENMASK fields of amd_iommu_types.h and the levels they stand for. */
static void test_amd_efr_multibit_fields(void **state)
{
	uint64_t v = UINT64_C(2) << 10		/* HATS: 6-level host tables */
		| UINT64_C(1) << 12		/* GATS (13:12): 5-level guest */
		| UINT64_C(1) << 14		/* GLX (15:14): 2-level GCR3 */
		| UINT64_C(1) << 21		/* FEATURE_GAM_VAPIC */
		| UINT64_C(15) << 32;		/* PASMAX (36:32): 16-bit PASIDs */
	json_object *o = lab_decode_amd_efr(v, 0);

	(void)state;
	assert_int_equal(geti(o, "hats_levels"), 6);
	assert_int_equal(geti(o, "gats"), 1);
	assert_int_equal(geti(o, "gats_levels"), 5);
	assert_int_equal(geti(o, "glxsup_levels"), 2);
	assert_int_equal(geti(o, "gamsup"), 1);
	assert_true(has_feature(o, "GA_vAPIC"));
	assert_int_equal(geti(o, "pasmax"), 15);
	assert_int_equal(geti(o, "pasmax_bits"), 16);
	assert_false(has(o, "efr_reserved_bits"));
	json_object_put(o);
}

/* EFR2: FEATURE_SNPAVICSUP (7:5) and FEATURE_NUM_INT_REMAP_SUP (9:8). */
static void test_amd_efr2_fields(void **state)
{
	json_object *o = lab_decode_amd_efr(0, UINT64_C(1) << 5 | UINT64_C(1) << 8);

	(void)state;
	assert_string_equal(gets(o, "efr2"), "0x120");
	assert_int_equal(geti(o, "snpavicsup"), 1);
	assert_int_equal(geti(o, "numintremapsup"), 1);
	assert_int_equal(geti(o, "gcr3trpmode"), 0);
	assert_false(has(o, "efr2_reserved_bits"));
	json_object_put(o);
}

/*
 * A 5.15 kernel on a multi-segment EPYC server,
 * https://github.com/openvelinux/kernel/pull/50:
 *   AMD-Vi: Extended features (0xa5bf732fa2295afe): PPR X2APIC NX GT [5] IA GA PC GA_vAPIC
 * Every word the kernel printed must be a set flag, PreF and HE must not.
 */
static void test_amd_boot_line_epyc(void **state)
{
	static const char *const printed[] = {
		"pprsup", "xtsup", "nxsup", "gtsup", "gappisup", "iasup", "gasup", "pcsup",
	};
	json_object *o = by_name("amd-efr",
		"[    1.037827] AMD-Vi: Extended features (0xa5bf732fa2295afe): PPR X2APIC NX GT [5] IA GA PC GA_vAPIC",
		NULL);

	(void)state;
	assert_string_equal(gets(o, "efr"), "0xa5bf732fa2295afe");
	assert_false(has(o, "efr2"));
	for (size_t i = 0; i < ARRAY_SIZE(printed); i++)
		assert_int_equal(geti(o, printed[i]), 1);
	assert_int_equal(geti(o, "prefsup"), 0);
	assert_int_equal(geti(o, "hesup"), 0);
	assert_true(has_feature(o, "GA_vAPIC"));
	assert_int_equal(geti(o, "pasmax_bits"), 16);
	json_object_put(o);
}

/* QEMU's AMDVI_EXT_FEATURES (7.2) = AMDVI_DEFAULT_EXT_FEATURES (10.0). */
#define QEMU_AMDVI_EFR (UINT64_C(1) << 0 | UINT64_C(1) << 1 | UINT64_C(1) << 4 | \
			UINT64_C(1) << 6 | UINT64_C(1) << 7 | UINT64_C(1) << 8 | \
			UINT64_C(2) << 12 | UINT64_C(2) << 10)
#define QEMU_AMDVI_FEATURE_XT (UINT64_C(1) << 2)	/* 10.0: xtsup=on */

/* 6.1 sysfs amd-iommu/features prints "EFR2:EFR". */
static void test_qemu_amd_sysfs_6_1(void **state)
{
	json_object *o = by_name("amd-efr", "0:29d3\n", "6.1.0-31-amd64");

	(void)state;
	assert_int_equal(QEMU_AMDVI_EFR, 0x29d3);
	assert_string_equal(gets(o, "efr"), "0x29d3");
	assert_string_equal(gets(o, "efr2"), "0x0");
	assert_int_equal(geti(o, "prefsup"), 1);
	assert_int_equal(geti(o, "pprsup"), 1);
	assert_int_equal(geti(o, "gtsup"), 1);
	assert_int_equal(geti(o, "iasup"), 1);
	assert_int_equal(geti(o, "gasup"), 1);
	assert_int_equal(geti(o, "hesup"), 1);
	assert_int_equal(geti(o, "xtsup"), 0);
	assert_int_equal(geti(o, "hats_levels"), 6);
	/* QEMU sets GATS to 2, a reserved encoding: no level count claimed. */
	assert_int_equal(geti(o, "gats"), 2);
	assert_false(has(o, "gats_levels"));
	json_object_put(o);
}

/* 6.12 prints "EFR:EFR2"; QEMU 10.0's xtsup=on shows as XTSup. */
static void test_qemu_amd_sysfs_6_12_xtsup(void **state)
{
	json_object *o = by_name("amd-efr", "29d7:0", "6.12");

	(void)state;
	assert_int_equal(QEMU_AMDVI_EFR | QEMU_AMDVI_FEATURE_XT, 0x29d7);
	assert_string_equal(gets(o, "efr"), "0x29d7");
	assert_int_equal(geti(o, "xtsup"), 1);
	assert_true(has_feature(o, "X2APIC"));
	json_object_put(o);

	/* The same text read as a 6.1 pair would swap the registers. */
	o = by_name("amd-efr", "29d7:0", "6.1");
	assert_string_equal(gets(o, "efr"), "0x0");
	assert_string_equal(gets(o, "efr2"), "0x29d7");
	assert_true(has(o, "note"));
	json_object_put(o);
}

/* Without --kernel, a pair with one zero side still has one reading. */
static void test_amd_sysfs_pair_without_kernel(void **state)
{
	json_object *o = by_name("amd-efr", "0:29d3", NULL);

	(void)state;
	assert_string_equal(gets(o, "efr"), "0x29d3");
	json_object_put(o);
	o = by_name("amd-efr", "29d3:0", NULL);
	assert_string_equal(gets(o, "efr"), "0x29d3");
	json_object_put(o);
	/* Both non-zero: the newest order, and the output says it assumed so. */
	o = by_name("amd-efr", "29d3:20", NULL);
	assert_string_equal(gets(o, "efr"), "0x29d3");
	assert_string_equal(gets(o, "efr2"), "0x20");
	assert_non_null(strstr(gets(o, "input_order"), "assumed"));
	json_object_put(o);
}

/* 6.0+ boot line: "Extended features (%#llx, %#llx):", EFR first. */
static void test_amd_boot_line_two_values(void **state)
{
	json_object *o = by_name("amd-efr",
		"AMD-Vi: Extended features (0x29d7, 0x0): PreF PPR X2APIC GT IA GA HE", NULL);

	(void)state;
	assert_string_equal(gets(o, "efr"), "0x29d7");
	assert_string_equal(gets(o, "efr2"), "0x0");
	assert_true(has_feature(o, "PreF"));
	assert_true(has_feature(o, "HE"));
	assert_false(has_feature(o, "NX"));
	json_object_put(o);
}

/* QEMU's AMDVI_CAPAB_FEATURES in the IOMMU capability header. */
static void test_qemu_amd_cap_header(void **state)
{
	json_object *o = lab_decode_amd_cap(0x1f03000f | 0x64 << 8);

	(void)state;
	assert_int_equal(geti(o, "capid"), 0x0f);
	assert_int_equal(geti(o, "capptr"), 0x64);
	assert_int_equal(geti(o, "captype"), 3);
	assert_int_equal(geti(o, "caprev"), 0);
	assert_int_equal(geti(o, "iotlbsup"), 1);
	assert_int_equal(geti(o, "httunnel"), 1);
	assert_int_equal(geti(o, "npcache"), 1);
	assert_int_equal(geti(o, "efrsup"), 1);
	assert_int_equal(geti(o, "capext"), 1);
	json_object_put(o);
}

/* ---- Arm SMMUv3 -------------------------------------------------------------------- */

/*
 * QEMU virt,iommu=smmuv3 as Linux 6.x reports it, "(features 0x00008305)":
 * IDR0.ST_LEVEL=1, TTENDIAN=LE, COHACC, S1P and IDR3.RIL from
 * smmuv3_init_regs() become 2_LVL_STRTAB, TT_LE, COHERENCY, TRANS_S1 and
 * RANGE_INV in arm_smmu_device_hw_probe().
 */
static void test_smmu_features_qemu(void **state)
{
	static const char *const want[] = {
		"2_LVL_STRTAB", "TT_LE", "COHERENCY", "TRANS_S1", "RANGE_INV",
	};
	json_object *o = lab_decode_smmu_features(0x00008305, "6.1");

	(void)state;
	assert_int_equal(json_object_array_length(sub(o, "features")), ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		assert_true(has_feature(o, want[i]));
	assert_int_equal(geti(o, "2_lvl_strtab"), 1);
	assert_int_equal(geti(o, "trans_s2"), 0);
	assert_int_equal(geti(o, "msi"), 0);
	assert_false(has(o, "unknown_bits"));
	assert_string_equal(gets(o, "kernel_table"), "6.1");
	json_object_put(o);
}

static void test_smmu_features_boot_line(void **state)
{
	json_object *o = by_name("smmu-features",
		"[    0.523912] arm-smmu-v3 9050000.smmuv3: ias 44-bit, oas 44-bit (features 0x00008305)",
		"6.12");

	(void)state;
	assert_int_equal(geti(o, "ias_bits"), 44);
	assert_int_equal(geti(o, "oas_bits"), 44);
	assert_int_equal(geti(o, "range_inv"), 1);
	json_object_put(o);
}

/* ATTR_TYPES_OVR (20), HA (21), HD (22) exist in 6.12's table, not 6.1's. */
static void test_smmu_features_by_kernel_version(void **state)
{
	uint32_t v = 0x7u << 20 | 1u << 9;
	json_object *o;

	(void)state;
	o = lab_decode_smmu_features(v, "6.12.9+bpo-arm64");
	assert_string_equal(gets(o, "kernel_table"), "6.12");
	assert_int_equal(geti(o, "attr_types_ovr"), 1);
	assert_int_equal(geti(o, "ha"), 1);
	assert_int_equal(geti(o, "hd"), 1);
	assert_false(has(o, "unknown_bits"));
	json_object_put(o);

	o = lab_decode_smmu_features(v, "6.1");
	assert_string_equal(gets(o, "kernel_table"), "6.1");
	assert_false(has(o, "ha"));
	assert_string_equal(gets(o, "unknown_bits"), "0x700000");
	assert_int_equal(geti(o, "trans_s1"), 1);
	json_object_put(o);

	/* Between the tables: the older one. */
	o = lab_decode_smmu_features(v, "6.6.0-1");
	assert_string_equal(gets(o, "kernel_table"), "6.1");
	json_object_put(o);

	/* Older than any table, and no version at all. */
	o = lab_decode_smmu_features(v, "5.10");
	assert_string_equal(gets(o, "kernel_table"), "6.1");
	assert_true(has(o, "note"));
	json_object_put(o);
	o = lab_decode_smmu_features(v, NULL);
	assert_string_equal(gets(o, "kernel_table"), "6.12");
	assert_false(has(o, "note"));
	json_object_put(o);
}

/* A vendor kernel's own bit 24 ("features 0x01008305" in public logs). */
static void test_smmu_features_unknown_bit(void **state)
{
	json_object *o = lab_decode_smmu_features(0x01008305, NULL);

	(void)state;
	assert_string_equal(gets(o, "unknown_bits"), "0x1000000");
	assert_int_equal(geti(o, "range_inv"), 1);
	json_object_put(o);
}

/* smmuv3_init_regs() of QEMU 10.0, stage=1 (the default). */
static void test_smmu_idr0_qemu(void **state)
{
	uint32_t idr0 = 1u << 1		/* S1P */
		| 2u << 2		/* TTF: AArch64 */
		| 1u << 4		/* COHACC */
		| 1u << 12		/* ASID16 */
		| 1u << 18		/* VMID16 */
		| 2u << 21		/* TTENDIAN: little endian */
		| 1u << 24		/* STALL_MODEL: no stall */
		| 1u << 26		/* TERM_MODEL */
		| 1u << 27;		/* STLEVEL: 2-level */
	json_object *o = lab_decode_smmu_idr(0, idr0);

	(void)state;
	assert_int_equal(geti(o, "s1p"), 1);
	assert_int_equal(geti(o, "s2p"), 0);
	assert_int_equal(geti(o, "ttf"), 2);
	assert_int_equal(geti(o, "cohacc"), 1);
	assert_int_equal(geti(o, "asid16"), 1);
	assert_int_equal(geti(o, "vmid16"), 1);
	assert_int_equal(geti(o, "ttendian"), 2);
	assert_int_equal(geti(o, "stall_model"), 1);
	assert_int_equal(geti(o, "term_model"), 1);
	assert_int_equal(geti(o, "st_level"), 1);
	assert_int_equal(geti(o, "msi"), 0);
	assert_false(has(o, "reserved_bits"));
	json_object_put(o);

	/* stage=nested adds S2P. */
	o = lab_decode_smmu_idr(0, idr0 | 1u);
	assert_int_equal(geti(o, "s2p"), 1);
	json_object_put(o);
}

static void test_smmu_idr1_idr3_idr5_qemu(void **state)
{
	/* SMMU_IDR1_SIDSIZE 16, SMMU_EVENTQS 19, SMMU_CMDQS 19. */
	json_object *o = lab_decode_smmu_idr(1, 16u | 19u << 16 | 19u << 21);

	(void)state;
	assert_int_equal(geti(o, "sidsize"), 16);
	assert_int_equal(geti(o, "ssidsize"), 0);
	assert_int_equal(geti(o, "eventqs"), 19);
	assert_int_equal(geti(o, "cmdqs"), 19);
	json_object_put(o);

	/* IDR3: HAD, RIL, BBML=2. */
	o = lab_decode_smmu_idr(3, 1u << 2 | 1u << 10 | 2u << 11);
	assert_int_equal(geti(o, "had"), 1);
	assert_int_equal(geti(o, "ril"), 1);
	assert_int_equal(geti(o, "bbml"), 2);
	json_object_put(o);

	/* IDR5: OAS=4 (SMMU_IDR5_OAS) is the "oas 44-bit" Linux prints. */
	o = lab_decode_smmu_idr(5, 4u | 1u << 4 | 1u << 5 | 1u << 6);
	assert_int_equal(geti(o, "oas"), 4);
	assert_int_equal(geti(o, "oas_bits"), 44);
	assert_int_equal(geti(o, "gran4k"), 1);
	assert_int_equal(geti(o, "gran16k"), 1);
	assert_int_equal(geti(o, "gran64k"), 1);
	assert_int_equal(geti(o, "vax"), 0);
	json_object_put(o);
}

static void test_smmu_idr_unknown_index(void **state)
{
	(void)state;
	assert_null(lab_decode_smmu_idr(2, 0));
	assert_null(lab_decode_smmu_idr(4, 0));
	assert_null(lab_decode_smmu_idr(6, 0));
	assert_null(lab_decode_smmu_idr(-1, 0));
}

/* ---- text input ---------------------------------------------------------------------- */

static void test_parse_hex_forms(void **state)
{
	struct lab_error err = { 0 };
	uint64_t v = 0;

	(void)state;
	assert_int_equal(lab_decode_parse_hex("0x1f", 32, &v, &err), 0);
	assert_int_equal(v, 0x1f);
	assert_int_equal(lab_decode_parse_hex("D2008C40660462", 64, &v, &err), 0);
	assert_int_equal(v, UINT64_C(0xd2008c40660462));
	/* sysfs values end in a newline */
	assert_int_equal(lab_decode_parse_hex("  0x00008305\n", 32, &v, &err), 0);
	assert_int_equal(v, 0x8305);
	/* leading zeros do not count against the width */
	assert_int_equal(lab_decode_parse_hex("0x00000000000000000001", 32, &v, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(lab_decode_parse_hex("ffffffffffffffff", 64, &v, &err), 0);
	assert_true(v == UINT64_MAX);
	assert_false(err.set);
}

static void test_parse_hex_rejects(void **state)
{
	static const struct {
		const char *text;
		unsigned int width;
		const char *msg;
	} bad[] = {
		{ "", 64, "not a hexadecimal number" },
		{ "0x", 64, "not a hexadecimal number" },
		{ "xyz", 64, "not a hexadecimal number" },
		{ "12g4", 64, "not a hexadecimal number" },
		{ "-1", 64, "not a hexadecimal number" },
		{ "0x8305 0x1", 64, "not a hexadecimal number" },
		{ "0x100000000", 32, "wider than 32 bits" },
		{ "10000000000000000", 64, "wider than 64 bits" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct lab_error err = { 0 };
		uint64_t v = 42;

		assert_int_equal(lab_decode_parse_hex(bad[i].text, bad[i].width, &v, &err), -1);
		assert_int_equal(v, 42);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("'%s': error '%s' lacks '%s'", bad[i].text, err.msg, bad[i].msg);
	}
}

static void test_by_name_errors(void **state)
{
	(void)state;
	assert_refused("intel-capp", "1", NULL, "unknown register 'intel-capp'");
	assert_refused("intel-cap", "zz", NULL, "intel-cap: 'zz' is not a hexadecimal number");
	assert_refused("smmu-idr0", "1ffffffff", NULL, "smmu-idr0: '1ffffffff' is wider than 32 bits");
	assert_refused("amd-cap", "100000000", NULL, "wider than 32 bits");
	assert_refused("smmu-features", "x", "6.12", "smmu-features");
	assert_refused("amd-efr", "29d3:zz", "6.12", "amd-efr");
	assert_refused("intel-cap", "1", "six", "kernel version 'six'");
}

/* LAB_DECODE_FIELDS adds the per-field lines people read; plain output has none. */
static void test_by_name_fields(void **state)
{
	struct lab_error err = { 0 };
	json_object *o = NULL, *fields, *sagaw = NULL;

	(void)state;
	assert_int_equal(lab_decode_by_name("intel-cap", "d2008c222f0606", NULL,
					    LAB_DECODE_FIELDS, &o, &err), 0);
	fields = sub(o, "fields");
	for (size_t i = 0; i < json_object_array_length(fields); i++) {
		json_object *e = json_object_array_get_idx(fields, i);

		if (!strcmp(gets(e, "name"), "sagaw"))
			sagaw = e;
	}
	assert_non_null(sagaw);
	assert_string_equal(gets(sagaw, "bits"), "12:8");
	assert_int_equal(geti(sagaw, "raw"), 6);
	assert_non_null(strstr(gets(sagaw, "meaning"), "4-level (48-bit)"));
	json_object_put(o);

	o = by_name("intel-cap", "d2008c222f0606", NULL);
	assert_false(has(o, "fields"));
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intel_cap_each_flag_alone),
		cmocka_unit_test(test_intel_ecap_each_flag_alone),
		cmocka_unit_test(test_intel_cap_multibit_fields),
		cmocka_unit_test(test_intel_cap_sagaw_other_levels),
		cmocka_unit_test(test_intel_cap_nd_reserved),
		cmocka_unit_test(test_intel_cap_reserved_bits),
		cmocka_unit_test(test_intel_ecap_multibit_fields),
		cmocka_unit_test(test_qemu_intel_aw_bits_39),
		cmocka_unit_test(test_qemu_intel_aw_bits_48),
		cmocka_unit_test(test_qemu_intel_caching_mode),
		cmocka_unit_test(test_qemu_intel_ecap_ir_eim_dt_pt),
		cmocka_unit_test(test_qemu_intel_ecap_scalable_mode),
		cmocka_unit_test(test_qemu_intel_x_flts),
		cmocka_unit_test(test_qemu_intel_snoop_control),
		cmocka_unit_test(test_dmar_line_kaby_lake),
		cmocka_unit_test(test_dmar_line_gemini_lake),
		cmocka_unit_test(test_dmar_line_xeon),
		cmocka_unit_test(test_dmar_line_sapphire_rapids),
		cmocka_unit_test(test_dmar_line_old_format),
		cmocka_unit_test(test_dmar_line_errors),
		cmocka_unit_test(test_amd_efr_each_flag_alone),
		cmocka_unit_test(test_amd_efr_multibit_fields),
		cmocka_unit_test(test_amd_efr2_fields),
		cmocka_unit_test(test_amd_boot_line_epyc),
		cmocka_unit_test(test_qemu_amd_sysfs_6_1),
		cmocka_unit_test(test_qemu_amd_sysfs_6_12_xtsup),
		cmocka_unit_test(test_amd_sysfs_pair_without_kernel),
		cmocka_unit_test(test_amd_boot_line_two_values),
		cmocka_unit_test(test_qemu_amd_cap_header),
		cmocka_unit_test(test_smmu_features_qemu),
		cmocka_unit_test(test_smmu_features_boot_line),
		cmocka_unit_test(test_smmu_features_by_kernel_version),
		cmocka_unit_test(test_smmu_features_unknown_bit),
		cmocka_unit_test(test_smmu_idr0_qemu),
		cmocka_unit_test(test_smmu_idr1_idr3_idr5_qemu),
		cmocka_unit_test(test_smmu_idr_unknown_index),
		cmocka_unit_test(test_parse_hex_forms),
		cmocka_unit_test(test_parse_hex_rejects),
		cmocka_unit_test(test_by_name_errors),
		cmocka_unit_test(test_by_name_fields),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
