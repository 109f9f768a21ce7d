/* SPDX-License-Identifier: MIT */
#ifndef LAB_ACPI_H
#define LAB_ACPI_H

/*
 * ACPI IOMMU tables: Intel DMAR, AMD IVRS and Arm IORT, parsed and validated
 * the way a firmware test suite (FWTS) and the kernel's own parsers
 * (drivers/iommu/intel/dmar.c, drivers/iommu/amd/init.c,
 * drivers/acpi/arm64/iort.c) look at them.
 *
 * Layouts: VT-d specification chapter 8 (ACPICA actbl1.h), AMD IOMMU
 * specification 48882 section 5 (actbl2.h), Arm DEN 0049 (actbl2.h).
 *
 * lab_acpi_check() returns a json object describing one table:
 *   signature, length, revision, checksum_ok, oem_id, oem_table_id,
 *   valid (no errors), error_count, warning_count,
 *   errors[] / warnings[]: {"offset": N (from the table's start), "message"}
 * and the parsed content:
 *   DMAR: host_address_width (bits: the field + 1), flags {intr_remap,
 *         x2apic_opt_out, dma_ctrl_platform_opt_in}, structures[] {type
 *         ("DRHD", "RMRR", "ATSR", "RHSA", "ANDD", "SATC", "SIDP",
 *         "unknown"), type_id, offset, length, type fields, device_scopes[]
 *         {type (endpoint, bridge, ioapic, hpet, acpi_namespace, reserved),
 *         offset, enumeration_id, start_bus, path [[dev, fn], ...], bdf
 *         when resolvable, source_id "bb:dd.f" for ioapic/hpet}}
 *   IVRS: iv_info {raw, efr_sup, dma_remap_sup, gva_size, pa_size, va_size,
 *         ht_ats_reserved}, blocks[]: IVHD {type "0x10"|"0x11"|"0x40",
 *         offset, length, flags, iommu_bdf, capability_offset, base_address,
 *         pci_segment, info, feature_reporting (0x10) or attributes, efr,
 *         efr2 (0x11, 0x40), entries[] {type, name, offset, bdf, range,
 *         dte_setting, ...}} and IVMD {type "0x20"|"0x21"|"0x22", name,
 *         flags, start_address, length, bdf or range}
 *   IORT: node_count, node_offset, nodes[] {type (its_group,
 *         named_component, root_complex, smmu, smmuv3, pmcg, rmr, iwb,
 *         unknown), type_id, offset, length, revision, identifier,
 *         id_mappings[] {input_base, id_count, output_base,
 *         output_reference, flags, single}, type fields; root complexes
 *         also get pci_coverage[] {bdf, rid, output_reference, output_type,
 *         output_id} when a PCI list is given}
 * 64-bit addresses are hex strings ("0xfed90000"); everything else is an
 * integer or a boolean.
 *
 * pci is a json array of the machine's PCI functions, each
 * {"bdf": "0000:00:10.0", "secondary_bus": N (bridges only), "class": ...}
 * ("address" is accepted for "bdf", as the guest agent writes it), or NULL
 * to skip the checks against devices. Every read of buf is bounds-checked:
 * any bytes give an answer. NULL only when memory runs out.
 */
#include <stddef.h>
#include <stdint.h>

#include <json.h>

#include "error.h"

json_object *lab_acpi_check(const uint8_t *buf, size_t len, json_object *pci);

/* The signatures lab_acpi_check() validates: 1 for DMAR, IVRS, IORT. */
int lab_acpi_is_iommu_table(const char *signature);

/* Files are refused beyond this size. */
#define LAB_ACPI_FILE_MAX (16u * 1024 * 1024)

/* One table found in a file or a dump. */
struct lab_acpi_table {
	char signature[5];
	uint8_t *data;
	size_t len;
	unsigned int line;   /* acpidump text: the line of "SIG @ 0x..."; 0 otherwise */
};

struct lab_acpi_tables {
	struct lab_acpi_table *v;
	size_t n;
};

/*
 * Split a buffer into tables: raw binary (one table as in
 * /sys/firmware/acpi/tables/DMAR or `acpidump -b`, or several concatenated)
 * or the text `acpidump` prints ("DMAR @ 0x..." followed by
 * "  0000: 44 4D 41 52 ..." lines; any number of tables). Fails on input
 * that is neither.
 */
int lab_acpi_split(const uint8_t *buf, size_t len, struct lab_acpi_tables *out,
		   struct lab_error *err);
/* Read a file (at most LAB_ACPI_FILE_MAX bytes) and split it. */
int lab_acpi_read_file(const char *path, struct lab_acpi_tables *out,
		       struct lab_error *err);
void lab_acpi_tables_free(struct lab_acpi_tables *t);

/* A table as the guest agent sends it (lower- or upper-case hex digits). */
int lab_acpi_hex_decode(const char *hex, uint8_t **out, size_t *len,
			struct lab_error *err);

#endif
