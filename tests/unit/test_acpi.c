/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for harness/acpi.c: DMAR, IVRS and IORT parsing and validation.
 *
 * Fixtures in tests/data/acpi/: the tables QEMU 7.2 builds, dumped from
 * guests' /sys/firmware/acpi/tables (<name>.<SIG>.bin), with each guest's
 * PCI functions (<name>.pci.json). Corrupt variants are made here from those
 * bytes, or from small tables assembled here in QEMU's own layout
 * (hw/i386/acpi-build.c build_dmar_q35, build_amd_iommu;
 * hw/arm/virt-acpi-build.c build_iort), so each case names the one fault it
 * carries and the exact finding it must give.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"

#define DATA "tests/data/acpi/"

/* ---- helpers ----------------------------------------------------------------- */

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void load(struct buf *t, const char *name)
{
	FILE *f = fopen(name, "rb");

	if (!f)
		fail_msg("cannot open %s", name);
	t->n = fread(t->b, 1, sizeof(t->b), f);
	fclose(f);
	assert_true(t->n >= 36);
}

static json_object *pci_of(const char *name)
{
	json_object *o = json_object_from_file(name);

	if (!o)
		fail_msg("cannot read %s", name);
	return o;
}

/* A PCI list of the given functions; a "bdf=N" entry is a bridge to bus N. */
static json_object *pci_list(const char *first, ...)
{
	json_object *a = json_object_new_array();
	va_list ap;

	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *)) {
		json_object *o = json_object_new_object();
		char bdf[32];
		int sec = -1;

		snprintf(bdf, sizeof(bdf), "%s", s);
		if (strchr(bdf, '=')) {
			sec = atoi(strchr(bdf, '=') + 1);
			*strchr(bdf, '=') = '\0';
		}
		json_object_object_add(o, "bdf", json_object_new_string(bdf));
		if (sec >= 0)
			json_object_object_add(o, "secondary_bus", json_object_new_int(sec));
		json_object_array_add(a, o);
	}
	va_end(ap);
	return a;
}

static void fix_checksum(struct buf *t)
{
	uint8_t sum = 0;

	t->b[9] = 0;
	for (size_t i = 0; i < t->n; i++)
		sum = (uint8_t)(sum + t->b[i]);
	t->b[9] = (uint8_t)-sum;
}

static void put(struct buf *t, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		t->b[t->n++] = (uint8_t)(v >> (8 * i));
}

static void set(struct buf *t, size_t off, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		t->b[off + i] = (uint8_t)(v >> (8 * i));
}

/* Start a table as QEMU's acpi_table_begin() does; finish() sets length and checksum. */
static void begin(struct buf *t, const char *sig, uint8_t rev)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->b, sig, 4);
	t->b[8] = rev;
	memcpy(t->b + 10, "BOCHS BXPC    ", 14);
	set(t, 24, 1, 4);
	memcpy(t->b + 28, "BXPC", 4);
	set(t, 32, 1, 4);
	t->n = 36;
}

static void finish(struct buf *t)
{
	set(t, 4, t->n, 4);
	fix_checksum(t);
}

static json_object *check(const struct buf *t, json_object *pci)
{
	json_object *o = lab_acpi_check(t->b, t->n, pci);

	assert_non_null(o);
	return o;
}

static json_object *sub(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("key '%s' missing in %s", key, json_object_to_json_string(o));
	return v;
}

static int64_t geti(json_object *o, const char *key)
{
	return json_object_get_int64(sub(o, key));
}

static const char *gets(json_object *o, const char *key)
{
	return json_object_get_string(sub(o, key));
}

static bool getb(json_object *o, const char *key)
{
	json_object *v = sub(o, key);

	assert_true(json_object_is_type(v, json_type_boolean));
	return json_object_get_boolean(v);
}

static json_object *idx(json_object *o, const char *key, size_t i)
{
	json_object *a = sub(o, key);

	assert_true(json_object_is_type(a, json_type_array));
	if (i >= json_object_array_length(a))
		fail_msg("%s[%zu] missing: %zu elements", key, i, json_object_array_length(a));
	return json_object_array_get_idx(a, i);
}

static size_t count(json_object *o, const char *key)
{
	return json_object_array_length(sub(o, key));
}

static void dump_findings(json_object *o)
{
	print_message("findings: %s %s\n", json_object_to_json_string(sub(o, "errors")),
		      json_object_to_json_string(sub(o, "warnings")));
}

/* The list ("errors" or "warnings") holds exactly this finding. */
static void expect(json_object *o, const char *list, long off, const char *msg)
{
	json_object *a = sub(o, list);

	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *f = json_object_array_get_idx(a, i);

		if (geti(f, "offset") == off && !strcmp(gets(f, "message"), msg))
			return;
	}
	dump_findings(o);
	fail_msg("no %s at 0x%lx: %s", list, off, msg);
}

static void expect_clean(json_object *o)
{
	if (geti(o, "error_count") || geti(o, "warning_count"))
		dump_findings(o);
	assert_int_equal(geti(o, "error_count"), 0);
	assert_int_equal(geti(o, "warning_count"), 0);
	assert_true(getb(o, "valid"));
	assert_true(getb(o, "checksum_ok"));
}

/* The one finding of a table: exactly one error (or warning) and nothing else. */
static void expect_only(json_object *o, const char *list, long off, const char *msg)
{
	expect(o, list, off, msg);
	if (count(o, "errors") + count(o, "warnings") != 1)
		dump_findings(o);
	assert_int_equal(count(o, "errors") + count(o, "warnings"), 1);
	assert_int_equal(getb(o, "valid"), !strcmp(list, "warnings"));
}

/* ---- real tables: QEMU 7.2 --------------------------------------------------------- */

static void test_intel_default_real(void **state)
{
	json_object *pci = pci_of(DATA "intel-default.pci.json"), *o, *drhd, *sc;
	struct buf t;

	(void)state;
	load(&t, DATA "intel-default.DMAR.bin");
	o = check(&t, pci);
	expect_clean(o);
	assert_string_equal(gets(o, "signature"), "DMAR");
	assert_int_equal(geti(o, "length"), 128);
	assert_int_equal(geti(o, "revision"), 1);
	assert_string_equal(gets(o, "oem_id"), "BOCHS ");
	assert_int_equal(geti(o, "host_address_width"), 39);
	assert_true(getb(sub(o, "flags"), "intr_remap"));
	assert_false(getb(sub(o, "flags"), "x2apic_opt_out"));
	assert_int_equal(count(o, "structures"), 1);
	drhd = idx(o, "structures", 0);
	assert_string_equal(gets(drhd, "type"), "DRHD");
	assert_int_equal(geti(drhd, "offset"), 48);
	assert_false(getb(drhd, "include_pci_all"));
	assert_string_equal(gets(drhd, "register_base_address"), "0xfed90000");
	/* the IOAPIC, then every function on bus 0 (QEMU's insert_scope) */
	assert_int_equal(count(drhd, "device_scopes"), 8);
	sc = idx(drhd, "device_scopes", 0);
	assert_string_equal(gets(sc, "type"), "ioapic");
	assert_int_equal(geti(sc, "start_bus"), 0xff);
	sc = idx(drhd, "device_scopes", 2);
	assert_string_equal(gets(sc, "type"), "bridge");
	assert_string_equal(gets(sc, "bdf"), "0000:00:01.0");
	sc = idx(drhd, "device_scopes", 4);
	assert_string_equal(gets(sc, "type"), "endpoint");
	assert_string_equal(gets(sc, "bdf"), "0000:00:10.0");   /* edu */
	json_object_put(o);
	json_object_put(pci);
}

static void test_intel_intremap_off_real(void **state)
{
	json_object *pci = pci_of(DATA "intel-intremap-off.pci.json"), *o;
	struct buf t;

	(void)state;
	load(&t, DATA "intel-intremap-off.DMAR.bin");
	o = check(&t, pci);
	expect_clean(o);
	assert_int_equal(geti(o, "host_address_width"), 39);
	assert_false(getb(sub(o, "flags"), "intr_remap"));
	json_object_put(o);
	json_object_put(pci);
}

static void test_intel_aw48_real(void **state)
{
	json_object *pci = pci_of(DATA "intel-aw48.pci.json"), *o;
	struct buf t;

	(void)state;
	load(&t, DATA "intel-aw48.DMAR.bin");
	o = check(&t, pci);
	expect_clean(o);
	assert_int_equal(geti(o, "host_address_width"), 48);
	assert_true(getb(sub(o, "flags"), "intr_remap"));
	json_object_put(o);
	json_object_put(pci);
}

static void test_amd_default_real(void **state)
{
	json_object *pci = pci_of(DATA "amd-default.pci.json"), *o, *h, *e;
	struct buf t;

	(void)state;
	load(&t, DATA "amd-default.IVRS.bin");
	o = check(&t, pci);
	expect_clean(o);
	assert_string_equal(gets(o, "signature"), "IVRS");
	assert_int_equal(geti(sub(o, "iv_info"), "pa_size"), 40);
	assert_int_equal(count(o, "blocks"), 1);
	h = idx(o, "blocks", 0);
	assert_string_equal(gets(h, "type"), "0x10");
	assert_string_equal(gets(h, "iommu_bdf"), "0000:00:02.0");
	assert_string_equal(gets(h, "base_address"), "0xfed80000");
	assert_int_equal(geti(h, "capability_offset"), 0x40);
	assert_int_equal(count(h, "entries"), 13);
	e = idx(h, "entries", 0);
	assert_string_equal(gets(e, "name"), "select");
	assert_string_equal(gets(e, "bdf"), "0000:00:00.0");
	/* the bus behind 00:01.0 as a range */
	e = idx(h, "entries", 3);
	assert_string_equal(gets(e, "name"), "end_range");
	assert_string_equal(gets(sub(e, "range"), "first"), "0000:01:00.0");
	assert_string_equal(gets(sub(e, "range"), "last"), "0000:01:1f.7");
	e = idx(h, "entries", 8);
	assert_string_equal(gets(e, "bdf"), "0000:00:10.0");   /* edu */
	e = idx(h, "entries", 12);
	assert_string_equal(gets(e, "name"), "special");
	assert_string_equal(gets(e, "variety"), "ioapic");
	assert_string_equal(gets(e, "source_bdf"), "0000:00:14.0");
	json_object_put(o);
	json_object_put(pci);
}

static void test_intel_device_iotlb_real(void **state)
{
	json_object *pci = pci_of(DATA "intel-device-iotlb.pci.json"), *o, *atsr;
	struct buf t;

	(void)state;
	load(&t, DATA "intel-device-iotlb.DMAR.bin");
	o = check(&t, pci);
	expect_clean(o);
	/* device-iotlb=on adds an ATSR for all root ports of segment 0 */
	assert_int_equal(count(o, "structures"), 2);
	atsr = idx(o, "structures", 1);
	assert_string_equal(gets(atsr, "type"), "ATSR");
	assert_int_equal(geti(atsr, "offset"), 0x80);
	assert_true(getb(atsr, "all_ports"));
	assert_int_equal(count(atsr, "device_scopes"), 0);
	json_object_put(o);
	json_object_put(pci);
}

static void test_smmuv3_uefi_iort_real(void **state)
{
	json_object *pci = pci_of(DATA "smmuv3-uefi.pci.json"), *o, *n, *rc, *cov = NULL;
	struct buf t;

	(void)state;
	load(&t, DATA "smmuv3-uefi.IORT.bin");
	o = check(&t, pci);
	/* QEMU 7.2 writes id_count as a count: the one finding, a warning */
	expect_only(o, "warnings", 0xd8,
		    "ID mappings 0 and 1 overlap at input ID 0x300 only: id_count is read as a count, not the count minus one (Linux works around this)");
	assert_true(getb(o, "checksum_ok"));
	assert_int_equal(geti(o, "revision"), 3);
	assert_int_equal(geti(o, "node_count"), 3);
	assert_int_equal(count(o, "nodes"), 3);
	assert_string_equal(gets(idx(o, "nodes", 0), "type"), "its_group");
	n = idx(o, "nodes", 1);
	assert_string_equal(gets(n, "type"), "smmuv3");
	assert_int_equal(geti(n, "offset"), 0x48);
	assert_string_equal(gets(n, "base_address"), "0x9050000");
	assert_true(getb(sub(n, "flags"), "coherent_access_override"));
	assert_int_equal(geti(n, "event_gsiv"), 106);
	assert_string_equal(gets(idx(n, "id_mappings", 0), "output_type"), "its_group");
	rc = idx(o, "nodes", 2);
	assert_string_equal(gets(rc, "type"), "root_complex");
	assert_int_equal(geti(rc, "memory_address_limit"), 64);
	/* buses 0-2 (RIDs 0-0x2ff) through the SMMUv3, the rest straight to the ITS */
	assert_int_equal(geti(idx(rc, "id_mappings", 0), "id_count"), 0x300);
	assert_int_equal(geti(idx(rc, "id_mappings", 0), "output_reference"), 0x48);
	assert_int_equal(geti(idx(rc, "id_mappings", 1), "output_reference"), 0x30);
	assert_int_equal(count(rc, "pci_coverage"), 5);
	for (size_t i = 0; i < 5; i++)
		if (!strcmp(gets(idx(rc, "pci_coverage", i), "bdf"), "0000:00:10.0"))
			cov = idx(rc, "pci_coverage", i);
	assert_non_null(cov);      /* edu */
	assert_int_equal(geti(cov, "rid"), 0x80);
	assert_string_equal(gets(cov, "output_type"), "smmuv3");
	assert_int_equal(geti(cov, "output_id"), 0x80);
	json_object_put(o);
	json_object_put(pci);
}

static void test_smmuv3_uefi_iort_rid_outside(void **state)
{
	json_object *pci = pci_of(DATA "smmuv3-uefi.pci.json"), *o;
	struct buf t;

	(void)state;
	/* the ITS range now starts at bus 4: bus 3 past its first RID falls between */
	load(&t, DATA "smmuv3-uefi.IORT.bin");
	set(&t, 0xd8, 0x400, 4);
	fix_checksum(&t);
	json_object_array_add(pci, json_object_new_object());
	json_object_object_add(json_object_array_get_idx(pci, 5), "bdf",
			       json_object_new_string("0000:03:01.0"));
	o = check(&t, pci);
	expect_only(o, "errors", 0xa0 + 12,
		    "root complex (segment 0) ID mappings do not cover requester ID 0x0308 (0000:03:01.0)");
	json_object_put(o);
	json_object_put(pci);
}

/* ---- header ------------------------------------------------------------------------- */

static void test_bad_checksum(void **state)
{
	struct buf t;
	json_object *o;

	(void)state;
	load(&t, DATA "intel-default.DMAR.bin");
	t.b[9]++;
	o = check(&t, NULL);
	expect_only(o, "errors", 9,
		    "checksum: the table's bytes sum to 0x01, not 0 (checksum field 0xe3, expected 0xe2)");
	assert_false(getb(o, "checksum_ok"));
	json_object_put(o);
}

static void test_truncated(void **state)
{
	struct buf t;
	json_object *o;

	(void)state;
	load(&t, DATA "intel-default.DMAR.bin");
	t.n = 100;
	o = check(&t, NULL);
	expect(o, "errors", 4, "length field says 128 bytes but only 100 are present: the table is truncated");
	expect(o, "errors", 50, "structure length 80 runs past the end of the table (52 bytes left)");
	assert_false(getb(o, "checksum_ok"));
	/* what is there is still parsed */
	assert_int_equal(geti(o, "host_address_width"), 39);
	json_object_put(o);
}

static void test_length_beyond_buffer(void **state)
{
	struct buf t;
	json_object *o;

	(void)state;
	load(&t, DATA "amd-default.IVRS.bin");
	set(&t, 4, 4096, 4);
	fix_checksum(&t);
	o = check(&t, NULL);
	expect_only(o, "errors", 4,
		    "length field says 4096 bytes but only 128 are present: the table is truncated");
	json_object_put(o);
}

static void test_trailing_bytes_and_short_header(void **state)
{
	struct buf t;
	json_object *o;

	(void)state;
	load(&t, DATA "intel-default.DMAR.bin");
	t.n += 8;
	o = check(&t, NULL);
	expect_only(o, "warnings", 128, "8 byte(s) follow the end of the table (length field 128)");
	json_object_put(o);

	t.n = 20;
	o = check(&t, NULL);
	expect_only(o, "errors", 0, "table is 20 bytes, shorter than the 36-byte ACPI header");
	assert_string_equal(gets(o, "signature"), "DMAR");
	json_object_put(o);

	o = lab_acpi_check(NULL, 0, NULL);
	assert_non_null(o);
	expect_only(o, "errors", 0, "table is 0 bytes, shorter than the 36-byte ACPI header");
	json_object_put(o);
}

static void test_unknown_signature(void **state)
{
	struct buf t;
	json_object *o;

	(void)state;
	begin(&t, "APIC", 1);
	put(&t, 0, 8);
	finish(&t);
	o = check(&t, NULL);
	expect_only(o, "errors", 0, "signature 'APIC' is not DMAR, IVRS or IORT");
	json_object_put(o);
}

/* ---- DMAR ---------------------------------------------------------------------------- */

/* QEMU's DMAR (build_dmar_q35): HAW, flags, one DRHD with an IOAPIC scope. */
static void dmar_begin(struct buf *t, uint8_t haw_field, uint8_t flags)
{
	begin(t, "DMAR", 1);
	put(t, haw_field, 1);
	put(t, flags, 1);
	put(t, 0, 10);
}

static void scope(struct buf *t, uint8_t type, uint8_t bus, const uint8_t *path, unsigned int n)
{
	put(t, type, 1);
	put(t, 6 + 2 * n, 1);
	put(t, 0, 2);
	put(t, 0, 1);
	put(t, bus, 1);
	for (unsigned int i = 0; i < 2 * n; i++)
		put(t, path[i], 1);
}

static void test_dmar_zero_length_structure(void **state)
{
	struct buf t;
	json_object *o;

	(void)state;
	load(&t, DATA "intel-default.DMAR.bin");
	set(&t, 50, 0, 2);
	fix_checksum(&t);
	o = check(&t, NULL);
	expect_only(o, "errors", 50,
		    "structure length 0 is smaller than its 4-byte header: the rest of the table cannot be walked");
	json_object_put(o);
}

static void test_dmar_structure_shorter_than_fields(void **state)
{
	struct buf t;
	json_object *o;

	(void)state;
	/* a DRHD of 12 bytes: its register base would overlap the next structure */
	dmar_begin(&t, 38, 1);
	put(&t, 0, 2);
	put(&t, 12, 2);
	put(&t, 0, 4);
	put(&t, 0xfed90000, 4);
	finish(&t);
	o = check(&t, NULL);
	expect(o, "errors", 50, "DRHD length 12 is smaller than its 16-byte minimum");
	json_object_put(o);
}

static void test_dmar_scope_overlaps_next_structure(void **state)
{
	struct buf t;
	json_object *o;

	(void)state;
	load(&t, DATA "intel-default.DMAR.bin");
	t.b[0x79] = 16;     /* the last scope claims 16 bytes, 8 are left in the DRHD */
	fix_checksum(&t);
	o = check(&t, NULL);
	expect_only(o, "errors", 0x79,
		    "device scope length 16 runs past the end of its DRHD (8 bytes left)");
	json_object_put(o);
}

static void test_dmar_scope_no_such_device(void **state)
{
	json_object *pci = pci_of(DATA "intel-default.pci.json"), *o;
	struct buf t;

	(void)state;
	load(&t, DATA "intel-default.DMAR.bin");
	t.b[0x66] = 5;      /* the edu scope, 00:10.0, now names 00:05.0 */
	fix_checksum(&t);
	o = check(&t, pci);
	expect(o, "errors", 0x60, "endpoint scope 0000:00:05.0: no such PCI device on this machine");
	expect(o, "errors", 48, "PCI device 0000:00:10.0 is in no DRHD device scope");
	assert_int_equal(geti(o, "error_count"), 2);
	json_object_put(o);
	json_object_put(pci);
}

static void test_dmar_scope_paths(void **state)
{
	static const uint8_t through_bridge[] = { 1, 0, 0, 0 };    /* 00:01.0 -> 01:00.0 */
	static const uint8_t through_edu[] = { 0x10, 0, 0, 0 };    /* edu is no bridge */
	static const uint8_t bridge[] = { 1, 0 };
	static const uint8_t bad[] = { 32, 8 };
	json_object *pci = pci_list("0000:00:01.0=1", "0000:00:10.0", "0000:01:00.0", NULL);
	json_object *o, *s;
	struct buf t;
	size_t d;

	(void)state;
	dmar_begin(&t, 38, 1);
	d = t.n;
	put(&t, 0, 2);
	put(&t, 0, 2);
	put(&t, 0, 4);
	put(&t, 0xfed90000, 8);
	scope(&t, 1, 0, through_bridge, 2);
	scope(&t, 1, 0, bridge, 1);
	scope(&t, 1, 0, through_edu, 2);
	scope(&t, 1, 0, bad, 1);
	set(&t, d + 2, t.n - d, 2);
	finish(&t);
	o = check(&t, pci);
	s = idx(idx(o, "structures", 0), "device_scopes", 0);
	assert_string_equal(gets(s, "bdf"), "0000:01:00.0");
	expect(o, "errors", 74, "endpoint scope 0000:00:01.0 is a PCI bridge (it needs a bridge scope)");
	expect(o, "errors", 82, "endpoint scope path entry 0: 0000:00:10.0 is not a PCI bridge");
	expect(o, "errors", 98, "path entry 0: device 32 is above 31");
	expect(o, "errors", 99, "path entry 0: function 8 is above 7");
	/* edu's only scope failed to resolve */
	expect(o, "errors", 48, "PCI device 0000:00:10.0 is in no DRHD device scope");
	assert_int_equal(geti(o, "error_count"), 5);
	json_object_put(o);
	json_object_put(pci);
}

static void rmrr(struct buf *t, uint64_t base, uint64_t end, bool with_scope)
{
	static const uint8_t edu[] = { 0x10, 0 };

	put(t, 1, 2);
	put(t, with_scope ? 32 : 24, 2);
	put(t, 0, 2);
	put(t, 0, 2);
	put(t, base, 8);
	put(t, end, 8);
	if (with_scope)
		scope(t, 1, 0, edu, 1);
}

static json_object *dmar_with_rmrr(uint64_t base, uint64_t end, bool with_scope)
{
	struct buf t;

	load(&t, DATA "intel-default.DMAR.bin");
	rmrr(&t, base, end, with_scope);
	finish(&t);
	return check(&t, NULL);
}

static void test_dmar_rmrr(void **state)
{
	json_object *o;

	(void)state;
	o = dmar_with_rmrr(0x7c000000, 0x7c7fffff, true);
	expect_clean(o);
	assert_string_equal(gets(idx(o, "structures", 1), "type"), "RMRR");
	assert_string_equal(gets(idx(idx(o, "structures", 1), "device_scopes", 0), "bdf"),
			    "0000:00:10.0");
	json_object_put(o);

	o = dmar_with_rmrr(0x7c000800, 0x7c7fffff, true);
	expect_only(o, "errors", 0x88, "RMRR base address 0x7c000800 is not 4 KiB aligned");
	json_object_put(o);

	o = dmar_with_rmrr(0x7c000000, 0x7c7ffffe, true);
	expect_only(o, "errors", 0x90, "RMRR end address 0x7c7ffffe is not the last byte of a 4 KiB page");
	json_object_put(o);

	o = dmar_with_rmrr(0x7c800000, 0x7c000fff, true);
	expect_only(o, "errors", 0x90, "RMRR end address 0x7c000fff is below its base 0x7c800000");
	json_object_put(o);

	o = dmar_with_rmrr(0x7c000000, 0x7c7fffff, false);
	expect_only(o, "warnings", 0x80, "RMRR has no device scope: it reserves memory for no device");
	json_object_put(o);
}

static void drhd(struct buf *t, uint8_t flags, uint16_t seg, uint64_t base)
{
	static const uint8_t ioapic[] = { 0, 0 };

	put(t, 0, 2);
	put(t, 24, 2);
	put(t, flags, 1);
	put(t, 0, 1);
	put(t, seg, 2);
	put(t, base, 8);
	scope(t, 3, 0xff, ioapic, 1);
}

static void test_dmar_include_pci_all_rules(void **state)
{
	struct buf t;
	json_object *o;

	(void)state;
	/* real firmware's shape: a unit per device group, INCLUDE_PCI_ALL last */
	dmar_begin(&t, 38, 1);
	drhd(&t, 0, 0, 0xfed90000);
	drhd(&t, 1, 0, 0xfed91000);
	drhd(&t, 1, 1, 0xfed92000);
	finish(&t);
	o = check(&t, NULL);
	expect_clean(o);
	json_object_put(o);

	dmar_begin(&t, 38, 1);
	drhd(&t, 1, 0, 0xfed90000);
	drhd(&t, 0, 0, 0xfed91000);
	finish(&t);
	o = check(&t, NULL);
	expect_only(o, "errors", 48,
		    "INCLUDE_PCI_ALL DRHD for segment 0 is not the last DRHD of its segment (another follows at offset 0x48)");
	json_object_put(o);

	dmar_begin(&t, 38, 1);
	drhd(&t, 1, 0, 0xfed90000);
	drhd(&t, 1, 0, 0xfed91000);
	finish(&t);
	o = check(&t, NULL);
	expect_only(o, "errors", 0x48,
		    "second INCLUDE_PCI_ALL DRHD for segment 0 (the first is at offset 0x30)");
	json_object_put(o);
}

static void test_dmar_header_fields(void **state)
{
	struct buf t;
	json_object *o;

	(void)state;
	dmar_begin(&t, 20, 1);
	drhd(&t, 1, 0, 0xfed90800);
	finish(&t);
	o = check(&t, NULL);
	expect(o, "errors", 36, "host address width 21 bits is outside 32..64");
	expect(o, "errors", 56, "DRHD register base 0xfed90800 is not 4 KiB aligned");
	assert_int_equal(geti(o, "error_count"), 2);
	json_object_put(o);

	dmar_begin(&t, 38, 0x81);
	t.b[40] = 1;
	drhd(&t, 1, 0, 0xfed90000);
	drhd(&t, 0, 0, 0xfed90000);
	finish(&t);
	o = check(&t, NULL);
	expect(o, "warnings", 37, "flags: reserved bits 0x80 set");
	expect(o, "warnings", 38, "reserved bytes 38-47 are not zero");
	expect(o, "errors", 0x50, "DRHD register base 0xfed90000 is already used by the DRHD at offset 0x30");
	json_object_put(o);
}

/* ---- IVRS ---------------------------------------------------------------------------- */

static void test_ivrs_zero_length_block(void **state)
{
	struct buf t;
	json_object *o;

	(void)state;
	load(&t, DATA "amd-default.IVRS.bin");
	set(&t, 50, 0, 2);
	fix_checksum(&t);
	o = check(&t, NULL);
	expect_only(o, "errors", 50,
		    "block length 0 is smaller than its 4-byte header: the rest of the table cannot be walked");
	json_object_put(o);
}

static void test_ivrs_block_overlaps(void **state)
{
	struct buf t;
	json_object *o;

	(void)state;
	/* an IVHD 0x10 of 16 bytes: its header would run into the next block */
	load(&t, DATA "amd-default.IVRS.bin");
	set(&t, 50, 16, 2);
	t.b[64] = 0x10;     /* the next block starts inside the first one's header */
	set(&t, 66, 0x40, 2);
	fix_checksum(&t);
	o = check(&t, NULL);
	expect(o, "errors", 50, "IVHD type 0x10 length 16 is smaller than its 24-byte header");
	json_object_put(o);
}

static void test_ivrs_entries(void **state)
{
	json_object *pci = pci_of(DATA "amd-default.pci.json"), *o;
	struct buf t;

	(void)state;
	/* the range for bus 1 loses its end: 01:00.0 is then covered by nothing */
	load(&t, DATA "amd-default.IVRS.bin");
	t.b[0x54] = 0;      /* end_range -> pad */
	fix_checksum(&t);
	o = check(&t, pci);
	expect(o, "errors", 0x50, "start of range entry is not followed by an end of range entry");
	expect(o, "errors", 48, "PCI device 0000:01:00.0 is covered by no IVHD device entry");
	assert_int_equal(geti(o, "error_count"), 2);
	json_object_put(o);

	/* a select entry for a function the guest lacks; the IOMMU's own BDF wrong */
	load(&t, DATA "amd-default.IVRS.bin");
	set(&t, 0x65, 0x0028, 2);    /* 00:02.0 -> 00:05.0 */
	set(&t, 0x34, 0x0030, 2);    /* IOMMU at 00:06.0 */
	fix_checksum(&t);
	o = check(&t, pci);
	expect(o, "warnings", 0x65, "select entry 0000:00:05.0: no such PCI device on this machine");
	expect(o, "errors", 0x34, "IOMMU 0000:00:06.0 is not a PCI device of this machine");
	expect(o, "errors", 48, "PCI device 0000:00:02.0 is covered by no IVHD device entry");
	json_object_put(o);

	/* the last entry grows past the IVHD; a reserved 8-byte type */
	load(&t, DATA "amd-default.IVRS.bin");
	t.b[0x78] = 2;      /* the 8-byte special entry becomes a select and a pad8 */
	t.b[0x7c] = 0x40;
	fix_checksum(&t);
	o = check(&t, NULL);
	expect_only(o, "errors", 0x7c, "device entry type 0x40 (8 bytes) runs past the end of its IVHD");
	json_object_put(o);
	load(&t, DATA "amd-default.IVRS.bin");
	t.b[0x70] = 0x45;
	fix_checksum(&t);
	o = check(&t, NULL);
	expect(o, "errors", 0x70,
	       "device entry type 69 is not a defined 8-byte entry (66, 67, 70, 71, 72)");
	json_object_put(o);
	json_object_put(pci);
}

static void ivmd(struct buf *t, uint8_t type, uint16_t first, uint16_t last, uint64_t start,
		 uint64_t len)
{
	put(t, type, 1);
	put(t, 0x07, 1);    /* unity, read, write */
	put(t, 32, 2);
	put(t, first, 2);
	put(t, last, 2);
	put(t, 0, 8);
	put(t, start, 8);
	put(t, len, 8);
}

static void test_ivrs_ivmd(void **state)
{
	json_object *o, *b;
	struct buf t;

	(void)state;
	load(&t, DATA "amd-default.IVRS.bin");
	ivmd(&t, 0x22, 0x0080, 0x0087, 0xfee00000, 0x100000);
	finish(&t);
	o = check(&t, NULL);
	expect_clean(o);
	b = idx(o, "blocks", 1);
	assert_string_equal(gets(b, "type"), "0x22");
	assert_string_equal(gets(b, "start_address"), "0xfee00000");
	assert_string_equal(gets(b, "memory_length"), "0x100000");
	assert_string_equal(gets(sub(b, "range"), "last"), "0000:00:10.7");
	json_object_put(o);

	load(&t, DATA "amd-default.IVRS.bin");
	ivmd(&t, 0x21, 0x0080, 0, 0xfee00800, 0x1800);
	finish(&t);
	o = check(&t, NULL);
	expect(o, "errors", 0x90, "IVMD start address 0xfee00800 is not 4 KiB aligned");
	expect(o, "errors", 0x98, "IVMD length 0x1800 is not a multiple of 4 KiB");
	assert_int_equal(geti(o, "error_count"), 2);
	json_object_put(o);
}

static void test_ivrs_revision_and_types(void **state)
{
	struct buf t;
	json_object *o;

	(void)state;
	load(&t, DATA "amd-default.IVRS.bin");
	t.b[0x30] = 0x40;   /* a type 0x40 IVHD (40-byte header) in a revision 1 table */
	fix_checksum(&t);
	o = check(&t, NULL);
	expect(o, "errors", 48, "IVHD type 0x40 needs IVRS revision 2, the table has 1");
	json_object_put(o);

	load(&t, DATA "amd-default.IVRS.bin");
	t.b[0x30] = 0x33;
	t.b[8] = 3;
	fix_checksum(&t);
	o = check(&t, NULL);
	expect(o, "errors", 8, "revision 3: IVRS revisions are 1 and 2");
	expect(o, "errors", 48,
	       "block type 0x33 is neither an IVHD (0x10, 0x11, 0x40) nor an IVMD (0x20-0x22)");
	json_object_put(o);
}

/* ---- IORT ---------------------------------------------------------------------------- */

/*
 * QEMU's IORT for virt with iommu=smmuv3 (build_iort): an ITS group, an SMMUv3
 * whose one mapping goes to the ITS, and a root complex whose RIDs of the
 * translated buses go to the SMMUv3 and the rest straight to the ITS.
 * rc_maps: {input_base, id_count, output_reference} triples.
 */
#define IORT_ITS    48
#define IORT_SMMUV3 72
#define IORT_RC     160

static void iort_build(struct buf *t, uint64_t smmu_base, const uint32_t (*rc_maps)[3], unsigned int n)
{
	begin(t, "IORT", 3);
	put(t, 3, 4);
	put(t, 48, 4);
	put(t, 0, 4);
	/* ITS group */
	put(t, 0, 1); put(t, 24, 2); put(t, 1, 1);
	put(t, 0, 4); put(t, 0, 4); put(t, 0, 4);
	put(t, 1, 4); put(t, 0, 4);
	/* SMMUv3 */
	put(t, 4, 1); put(t, 88, 2); put(t, 4, 1);
	put(t, 1, 4); put(t, 1, 4); put(t, 68, 4);
	put(t, smmu_base, 8);
	put(t, 1, 4); put(t, 0, 4); put(t, 0, 8); put(t, 0, 4);
	put(t, 106, 4); put(t, 107, 4); put(t, 109, 4); put(t, 108, 4);
	put(t, 0, 4); put(t, 0, 4);
	put(t, 0, 4); put(t, 0xffff, 4); put(t, 0, 4); put(t, IORT_ITS, 4); put(t, 0, 4);
	/* root complex */
	put(t, 2, 1); put(t, 36 + 20 * n, 2); put(t, 3, 1);
	put(t, 2, 4); put(t, n, 4); put(t, 36, 4);
	put(t, 1, 4); put(t, 0, 1); put(t, 0, 2); put(t, 3, 1);
	put(t, 0, 4); put(t, 0, 4); put(t, 64, 1); put(t, 0, 3);
	for (unsigned int i = 0; i < n; i++) {
		put(t, rc_maps[i][0], 4);
		put(t, rc_maps[i][1], 4);
		put(t, rc_maps[i][0], 4);
		put(t, rc_maps[i][2], 4);
		put(t, 0, 4);
	}
	finish(t);
}

/* what QEMU 7.2 builds for buses 0-1 behind the SMMUv3, id_count read as a count */
static const uint32_t qemu_maps[][3] = {
	{ 0, 0x200, IORT_SMMUV3 },
	{ 0x200, 0xffff - 0x200, IORT_ITS },
};

static void test_iort_qemu_layout(void **state)
{
	json_object *pci = pci_of(DATA "intel-default.pci.json"), *o, *rc, *cov, *n;
	struct buf t;
	size_t i;

	(void)state;
	iort_build(&t, 0x09050000, qemu_maps, 2);
	o = check(&t, pci);
	/* the off-by-one Linux works around is a warning, not an error */
	expect_only(o, "warnings", 0xd8,
		    "ID mappings 0 and 1 overlap at input ID 0x200 only: id_count is read as a count, not the count minus one (Linux works around this)");
	assert_int_equal(count(o, "nodes"), 3);
	n = idx(o, "nodes", 1);
	assert_string_equal(gets(n, "type"), "smmuv3");
	assert_string_equal(gets(n, "base_address"), "0x9050000");
	assert_int_equal(geti(idx(n, "id_mappings", 0), "output_reference"), IORT_ITS);
	rc = idx(o, "nodes", 2);
	assert_string_equal(gets(rc, "type"), "root_complex");
	assert_int_equal(geti(rc, "offset"), IORT_RC);
	cov = sub(rc, "pci_coverage");
	for (i = 0; i < json_object_array_length(cov); i++)
		if (!strcmp(gets(json_object_array_get_idx(cov, i), "bdf"), "0000:00:10.0"))
			break;
	assert_true(i < json_object_array_length(cov));
	n = json_object_array_get_idx(cov, i);
	assert_int_equal(geti(n, "rid"), 0x80);
	assert_string_equal(gets(n, "output_type"), "smmuv3");
	assert_int_equal(geti(n, "output_id"), 0x80);
	json_object_put(o);
	json_object_put(pci);
}

static void test_iort_rid_not_covered(void **state)
{
	static const uint32_t maps[][3] = {
		{ 0x100, 0xfeff, IORT_SMMUV3 },
	};
	json_object *pci = pci_list("0000:00:10.0", "0000:01:00.0", NULL), *o;
	struct buf t;

	(void)state;
	iort_build(&t, 0x09050000, maps, 1);
	o = check(&t, pci);
	expect_only(o, "errors", IORT_RC + 12,
		    "root complex (segment 0) ID mappings do not cover requester ID 0x0080 (0000:00:10.0)");
	json_object_put(o);
	json_object_put(pci);
}

static void test_iort_output_reference_to_nowhere(void **state)
{
	static const uint32_t maps[][3] = {
		{ 0, 0xffff, 0x44 },
	};
	struct buf t;
	json_object *o;

	(void)state;
	iort_build(&t, 0x09050000, maps, 1);
	o = check(&t, NULL);
	expect_only(o, "errors", IORT_RC + 36 + 12,
		    "ID mapping 0: output reference 0x44 points at no node");
	json_object_put(o);

	/* a root complex mapping into a root complex */
	static const uint32_t self[][3] = {
		{ 0, 0xffff, IORT_RC },
	};
	iort_build(&t, 0x09050000, self, 1);
	o = check(&t, NULL);
	expect_only(o, "errors", IORT_RC + 36 + 12,
		    "ID mapping 0: output reference points back at its own node");
	json_object_put(o);
}

static void test_iort_overlapping_ranges(void **state)
{
	static const uint32_t maps[][3] = {
		{ 0, 0x1ff, IORT_SMMUV3 },
		{ 0x100, 0xfeff, IORT_ITS },
	};
	struct buf t;
	json_object *o;

	(void)state;
	iort_build(&t, 0x09050000, maps, 2);
	o = check(&t, NULL);
	expect_only(o, "errors", IORT_RC + 36 + 20,
		    "ID mappings 0 and 1 overlap: input IDs 0x0-0x1ff and 0x100-0xffff");
	json_object_put(o);
}

static void test_iort_node_layout(void **state)
{
	struct buf t;
	json_object *o;

	(void)state;
	iort_build(&t, 0x09051000, qemu_maps, 2);
	o = check(&t, NULL);
	expect(o, "errors", IORT_SMMUV3 + 16, "SMMUv3 base address 0x9051000 is not 64 KiB aligned");
	assert_int_equal(geti(o, "error_count"), 1);
	json_object_put(o);

	/* the root complex's mappings moved over its own fields */
	iort_build(&t, 0x09050000, qemu_maps, 2);
	set(&t, IORT_RC + 12, 20, 4);
	fix_checksum(&t);
	o = check(&t, NULL);
	expect(o, "errors", IORT_RC + 12,
	       "ID mapping array at node offset 20 overlaps the node's fixed fields");
	json_object_put(o);

	/* a zero-length node stops the walk */
	iort_build(&t, 0x09050000, qemu_maps, 2);
	set(&t, IORT_SMMUV3 + 1, 0, 2);
	fix_checksum(&t);
	o = check(&t, NULL);
	expect_only(o, "errors", IORT_SMMUV3 + 1,
		    "node length 0 is smaller than the 16-byte node header: the rest of the table cannot be walked");
	json_object_put(o);

	/* more nodes announced than the table holds */
	iort_build(&t, 0x09050000, qemu_maps, 2);
	set(&t, 36, 4, 4);
	fix_checksum(&t);
	o = check(&t, NULL);
	expect(o, "errors", 36, "node count is 4, but the table ends after 3 nodes");
	assert_int_equal(geti(o, "error_count"), 1);
	json_object_put(o);

	/* node array inside the header */
	iort_build(&t, 0x09050000, qemu_maps, 2);
	set(&t, 40, 40, 4);
	fix_checksum(&t);
	o = check(&t, NULL);
	expect_only(o, "errors", 40, "node array offset 40 points into the 48-byte IORT header");
	json_object_put(o);
}

static void test_iort_single_mapping(void **state)
{
	static const uint32_t maps[][3] = {
		{ 0, 0, IORT_SMMUV3 },
	};
	json_object *pci = pci_list("0000:00:10.0", NULL), *o, *cov;
	struct buf t;

	(void)state;
	/* a root complex with one single mapping: every RID becomes output_base */
	iort_build(&t, 0x09050000, maps, 1);
	set(&t, IORT_RC + 36 + 8, 7, 4);
	set(&t, IORT_RC + 36 + 16, 1, 4);
	fix_checksum(&t);
	o = check(&t, pci);
	expect_clean(o);
	cov = idx(idx(o, "nodes", 2), "pci_coverage", 0);
	assert_int_equal(geti(cov, "output_id"), 7);
	json_object_put(o);

	/* the single-mapping flag on the SMMUv3's stream mapping: harmless for a
	 * node Linux reads it on, and so no finding */
	iort_build(&t, 0x09050000, qemu_maps, 2);
	set(&t, IORT_SMMUV3 + 68 + 16, 1, 4);
	fix_checksum(&t);
	o = check(&t, NULL);
	assert_int_equal(geti(o, "error_count"), 0);
	json_object_put(o);
	json_object_put(pci);
}

/* ---- files: raw and acpidump text --------------------------------------------------- */

static void test_split_raw_and_concatenated(void **state)
{
	struct lab_error err = { 0 };
	struct lab_acpi_tables ts;
	struct buf a, b;
	uint8_t cat[512];

	(void)state;
	load(&a, DATA "intel-default.DMAR.bin");
	load(&b, DATA "amd-default.IVRS.bin");
	assert_int_equal(lab_acpi_split(a.b, a.n, &ts, &err), 0);
	assert_int_equal(ts.n, 1);
	assert_string_equal(ts.v[0].signature, "DMAR");
	assert_int_equal(ts.v[0].len, 128);
	assert_int_equal(ts.v[0].line, 0);
	lab_acpi_tables_free(&ts);

	memcpy(cat, a.b, a.n);
	memcpy(cat + a.n, b.b, b.n);
	assert_int_equal(lab_acpi_split(cat, a.n + b.n, &ts, &err), 0);
	assert_int_equal(ts.n, 2);
	assert_string_equal(ts.v[1].signature, "IVRS");
	assert_memory_equal(ts.v[1].data, b.b, b.n);
	lab_acpi_tables_free(&ts);

	/* a truncated DMAR is still a DMAR: the check says what is wrong with it */
	assert_int_equal(lab_acpi_split(a.b, 40, &ts, &err), 0);
	assert_int_equal(ts.n, 1);
	lab_acpi_tables_free(&ts);
}

static const char dump[] =
	"APIC @ 0x000000007ffe0000\n"
	"    0000: 41 50 49 43 2C 00 00 00 00 B7 00 00 00 00 00 00  APIC,...........\n"
	"    0010: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................\n"
	"    0020: 00 00 00 00 00 00 00 00 00 00 00 00              ............\n"
	"\n"
	"DMAR @ 0x000000007ffe5000\n"
	"    0000: 44 4D 41 52 80 00 00 00 01 E2 42 4F 43 48 53 20  DMAR......BOCHS \n"
	"    0010: 42 58 50 43 20 20 20 20 01 00 00 00 42 58 50 43  BXPC    ....BXPC\n"
	"    0020: 01 00 00 00 26 01 00 00 00 00 00 00 00 00 00 00  ....&...........\n"
	"    0030: 00 00 50 00 00 00 00 00 00 00 D9 FE 00 00 00 00  ..P.............\n"
	"    0040: 03 08 00 00 00 FF 00 00 01 08 00 00 00 00 00 00  ................\n"
	"    0050: 02 08 00 00 00 00 01 00 02 08 00 00 00 00 01 01  ................\n"
	"    0060: 01 08 00 00 00 00 10 00 01 08 00 00 00 00 1F 00  ................\n"
	"    0070: 01 08 00 00 00 00 1F 02 01 08 00 00 00 00 1F 03  ................\r\n";

static void test_split_acpidump_text(void **state)
{
	struct lab_error err = { 0 };
	struct lab_acpi_tables ts;
	struct buf a;
	char *bad;

	(void)state;
	load(&a, DATA "intel-default.DMAR.bin");
	assert_int_equal(lab_acpi_split((const uint8_t *)dump, strlen(dump), &ts, &err), 0);
	assert_int_equal(ts.n, 2);
	assert_string_equal(ts.v[0].signature, "APIC");
	assert_int_equal(ts.v[0].len, 44);
	assert_int_equal(ts.v[0].line, 1);
	assert_string_equal(ts.v[1].signature, "DMAR");
	assert_int_equal(ts.v[1].line, 6);
	assert_int_equal(ts.v[1].len, 128);
	assert_memory_equal(ts.v[1].data, a.b, 128);
	lab_acpi_tables_free(&ts);

	/* the last line without its line end */
	assert_int_equal(lab_acpi_split((const uint8_t *)dump, strlen(dump) - 2, &ts, &err), 0);
	assert_int_equal(ts.n, 2);
	assert_int_equal(ts.v[1].len, 128);
	lab_acpi_tables_free(&ts);

	/* a header with nothing under it */
	assert_int_equal(lab_acpi_split((const uint8_t *)dump, strstr(dump, "    0000: 44") - dump,
					&ts, &err), -1);
	assert_string_equal(err.msg, "line 6: DMAR has no hex dump lines");
	lab_error_clear(&err);

	/* a line lost from the middle */
	bad = strdup(dump);
	memcpy(strstr(bad, "    0050:"), "    0060", 8);
	assert_int_equal(lab_acpi_split((const uint8_t *)bad, strlen(bad), &ts, &err), -1);
	assert_string_equal(err.msg,
			    "line 12: offset 0x60 where 0x50 was expected (lines missing or out of order)");
	free(bad);
}

static void test_split_garbage(void **state)
{
	static const char text[] = "hello world, this is not a table\n";
	static const uint8_t bin[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 };
	struct lab_error err = { 0 };
	struct lab_acpi_tables ts;

	(void)state;
	assert_int_equal(lab_acpi_split((const uint8_t *)text, sizeof(text) - 1, &ts, &err), -1);
	assert_string_equal(err.msg, "neither an ACPI table (no signature and length at its start) nor acpidump text (no 'SIG @ 0x...' line)");
	lab_error_clear(&err);
	assert_int_equal(lab_acpi_split(bin, sizeof(bin), &ts, &err), -1);
	assert_true(err.set);
	lab_error_clear(&err);
	assert_int_equal(lab_acpi_split(bin, 0, &ts, &err), -1);
	assert_string_equal(err.msg, "empty input");
	lab_error_clear(&err);
	assert_int_equal(lab_acpi_read_file(DATA "no-such-file.bin", &ts, &err), -1);
	assert_string_equal(err.msg, DATA "no-such-file.bin: No such file or directory");
}

static void test_hex_decode(void **state)
{
	struct lab_error err = { 0 };
	uint8_t *b;
	size_t n;

	(void)state;
	assert_int_equal(lab_acpi_hex_decode("444d4152", &b, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_memory_equal(b, "DMAR", 4);
	free(b);
	assert_int_equal(lab_acpi_hex_decode("444", &b, &n, &err), -1);
	assert_string_equal(err.msg, "table hex has an odd number of digits");
	lab_error_clear(&err);
	assert_int_equal(lab_acpi_hex_decode("44zz", &b, &n, &err), -1);
	assert_string_equal(err.msg, "table hex: not a hex digit at position 2");
}

/* Every prefix and every single-byte corruption of the real tables: an answer, no crash. */
static void test_hostile_bytes(void **state)
{
	static const char *const files[] = {
		DATA "intel-default.DMAR.bin", DATA "amd-default.IVRS.bin",
		DATA "smmuv3-uefi.IORT.bin",
	};
	json_object *pci = pci_of(DATA "amd-default.pci.json");
	struct buf t;

	(void)state;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]) + 1; f++) {
		if (f < sizeof(files) / sizeof(files[0]))
			load(&t, files[f]);
		else
			iort_build(&t, 0x09050000, qemu_maps, 2);
		for (size_t len = 0; len <= t.n; len++) {
			json_object *o = lab_acpi_check(t.b, len, pci);

			assert_non_null(o);
			assert_int_equal(getb(o, "valid"), geti(o, "error_count") == 0);
			json_object_put(o);
		}
		for (size_t i = 36; i < t.n; i++) {
			for (unsigned int v = 0; v < 256; v += 51) {
				uint8_t keep = t.b[i];
				json_object *o;

				t.b[i] = (uint8_t)v;
				o = lab_acpi_check(t.b, t.n, pci);
				assert_non_null(o);
				json_object_put(o);
				t.b[i] = keep;
			}
		}
	}
	json_object_put(pci);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intel_default_real),
		cmocka_unit_test(test_intel_intremap_off_real),
		cmocka_unit_test(test_intel_aw48_real),
		cmocka_unit_test(test_amd_default_real),
		cmocka_unit_test(test_intel_device_iotlb_real),
		cmocka_unit_test(test_smmuv3_uefi_iort_real),
		cmocka_unit_test(test_smmuv3_uefi_iort_rid_outside),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_length_beyond_buffer),
		cmocka_unit_test(test_trailing_bytes_and_short_header),
		cmocka_unit_test(test_unknown_signature),
		cmocka_unit_test(test_dmar_zero_length_structure),
		cmocka_unit_test(test_dmar_structure_shorter_than_fields),
		cmocka_unit_test(test_dmar_scope_overlaps_next_structure),
		cmocka_unit_test(test_dmar_scope_no_such_device),
		cmocka_unit_test(test_dmar_scope_paths),
		cmocka_unit_test(test_dmar_rmrr),
		cmocka_unit_test(test_dmar_include_pci_all_rules),
		cmocka_unit_test(test_dmar_header_fields),
		cmocka_unit_test(test_ivrs_zero_length_block),
		cmocka_unit_test(test_ivrs_block_overlaps),
		cmocka_unit_test(test_ivrs_entries),
		cmocka_unit_test(test_ivrs_ivmd),
		cmocka_unit_test(test_ivrs_revision_and_types),
		cmocka_unit_test(test_iort_qemu_layout),
		cmocka_unit_test(test_iort_rid_not_covered),
		cmocka_unit_test(test_iort_output_reference_to_nowhere),
		cmocka_unit_test(test_iort_overlapping_ranges),
		cmocka_unit_test(test_iort_node_layout),
		cmocka_unit_test(test_iort_single_mapping),
		cmocka_unit_test(test_split_raw_and_concatenated),
		cmocka_unit_test(test_split_acpidump_text),
		cmocka_unit_test(test_split_garbage),
		cmocka_unit_test(test_hex_decode),
		cmocka_unit_test(test_hostile_bytes),
	};

	return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
