/* SPDX-License-Identifier: MIT */
#ifndef LAB_DECODE_H
#define LAB_DECODE_H

/*
 * Capability register decoders: Intel VT-d CAP/ECAP, AMD-Vi EFR/EFR2 and the
 * IOMMU capability header, Arm SMMUv3 IDR registers and the feature word the
 * arm-smmu-v3 driver prints at boot.
 *
 * Every decoder returns a new json-c object (the caller puts it) whose keys
 * are the specification's field names in lower case ("mgaw", "sagaw", "qi",
 * "xtsup", "stall_model", ...). Numeric fields are JSON integers; single-bit
 * fields are 0 or 1. Where the specification defines a value as "N+1" or
 * "N*16", the key holds the meaning, as the kernel's cap_*() macros return
 * it: "mgaw" is the width in bits, "nfr" the number of fault-recording
 * registers, "fro" and "iro" byte offsets. Derived facts get their own keys
 * ("sagaw_levels", "nd_domains", "pss_bits", "oas_bits", ...). The whole
 * register is kept as a hex string under "raw" (JSON numbers lose 64-bit
 * precision), and set bits outside every named field as "reserved_bits".
 *
 * Sources of the bit layouts: VT-d specification rev 4.x as mirrored by
 * drivers/iommu/intel/iommu.h (Linux 6.1 and 6.12) and Intel datasheets;
 * AMD IOMMU specification 48882 as mirrored by drivers/iommu/amd/
 * amd_iommu_types.h, Xen and VirtualBox; SMMUv3 specification as mirrored by
 * drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h and QEMU's smmuv3-internal.h.
 */

#include <stdint.h>

#include <json.h>

#include "error.h"

/* Intel VT-d Capability Register (CAP_REG, offset 0x08). */
json_object *lab_decode_intel_cap(uint64_t v);
/* Intel VT-d Extended Capability Register (ECAP_REG, offset 0x10). */
json_object *lab_decode_intel_ecap(uint64_t v);
/*
 * The kernel's boot line, e.g.
 *   DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap d2008c40660462 ecap f050da
 * (also the pre-4.x "dmar: IOMMU 0: reg_base_addr ..." form) into
 * {"iommu", "reg_base_addr", "version": {"major","minor"}, "cap", "ecap"}.
 */
int lab_decode_dmar_boot_line(const char *line, json_object **out,
			      struct lab_error *err);

/* AMD IOMMU Extended Feature Registers (MMIO 0x30 and 0x1a0); efr2 may be 0. */
json_object *lab_decode_amd_efr(uint64_t efr, uint64_t efr2);
/* AMD IOMMU capability header (PCI config, sysfs amd-iommu/cap). */
json_object *lab_decode_amd_cap(uint32_t v);
/*
 * What the kernel shows of EFR/EFR2, in any of its forms:
 *   "0x..."                                  EFR alone (sysfs before 6.0)
 *   "A:B"                                    sysfs amd-iommu/features: EFR2:EFR
 *                                            on 6.0-6.6, EFR:EFR2 from 6.7
 *   "A, B" or a whole boot line              "AMD-Vi: Extended features (EFR, EFR2): ..."
 * kernel_version ("6.1", "6.12.0-1-amd64", NULL = newest) picks the order of
 * the sysfs pair.
 */
int lab_decode_amd_features(const char *text, const char *kernel_version,
			    json_object **out, struct lab_error *err);

/*
 * The arm-smmu-v3 driver's software feature word ("ias 44-bit, oas 44-bit
 * (features 0x00008305)"), named with the ARM_SMMU_FEAT_* bits of the given
 * kernel version (tables for 6.1 and 6.12; NULL = newest).
 */
json_object *lab_decode_smmu_features(uint32_t v, const char *kernel_version);
/* SMMU_IDR0, IDR1, IDR3 or IDR5 (n = 0, 1, 3, 5); NULL for another n. */
json_object *lab_decode_smmu_idr(int n, uint32_t v);

/*
 * Parse a register value as the kernel prints it: hex, with or without 0x,
 * surrounding blanks ignored; it must fit in width bits (32 or 64).
 */
int lab_decode_parse_hex(const char *text, unsigned int width, uint64_t *out,
			 struct lab_error *err);

enum {
	/* Add "fields": [{name, bits, raw, value, set, meaning}] for people. */
	LAB_DECODE_FIELDS = 1 << 0,
};

/*
 * Decode text as the named register: "intel-cap", "intel-ecap", "dmar-line",
 * "amd-efr" (any form lab_decode_amd_features() takes), "amd-efr2",
 * "amd-cap", "smmu-features" (hex or the boot line), "smmu-idr0",
 * "smmu-idr1", "smmu-idr3", "smmu-idr5". The result carries "register".
 */
int lab_decode_by_name(const char *reg, const char *text,
		       const char *kernel_version, unsigned int flags,
		       json_object **out, struct lab_error *err);

/* The names lab_decode_by_name() knows, NULL-terminated, with a summary each. */
struct lab_decode_register {
	const char *name;
	const char *summary;
};
extern const struct lab_decode_register lab_decode_registers[];

#endif
