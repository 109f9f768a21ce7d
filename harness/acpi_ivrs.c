/* SPDX-License-Identifier: MIT */
/*
 * The AMD IVRS table (see acpi.h for its JSON): IVinfo, then each block,
 * IVHD (types 0x10, 0x11, 0x40) with its device entries (select, ranges,
 * aliases, extended, special IOAPIC/HPET, ACPI HID) and IVMD (0x20-0x22)
 * memory definitions; afterwards every PCI function of the machine covered
 * by some IVHD.
 *
 * AMD I/O Virtualization Technology (IOMMU) specification 48882, section 5
 * (the IVRS table: IVHD and IVMD blocks, device entries), as ACPICA's
 * actbl2.h lays them out and drivers/iommu/amd/init.c reads them.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi_internal.h"

static const char *ivhd_entry_name(uint8_t t)
{
	switch (t) {
	case 0: return "pad4";
	case 1: return "all";
	case 2: return "select";
	case 3: return "start_range";
	case 4: return "end_range";
	case 64: return "pad8";
	case 66: return "alias_select";
	case 67: return "alias_start_range";
	case 70: return "ext_select";
	case 71: return "ext_start_range";
	case 72: return "special";
	case 0xf0: return "acpi_hid";
	default: return "reserved";
	}
}

struct ivrs_state {
	uint8_t rev;         /* the table's */
	struct acpi_covers cv;
	uint16_t *iommus;    /* seg << 16 would not fit: parallel arrays */
	uint16_t *iommu_seg;
	size_t niommu;
	uint16_t *all_seg;
	size_t nall;
};

/* A start of range entry waiting for its end of range entry. */
struct range_start {
	bool pending;
	size_t off;
	uint16_t id;
};

/* The length of the device entry at e; 0 when the rest of the IVHD cannot be walked. */
static size_t entry_len(struct acpi_ctx *c, size_t e, size_t end)
{
	uint8_t t = acpi_r8(c, e);
	size_t elen;

	if (t < 0x80) {
		elen = 4u << (t >> 6);
	} else if (t == 0xf0) {
		if (end - e < 22) {
			acpi_error_at(c, e, "ACPI HID device entry needs 22 bytes, %zu left in the IVHD",
				      end - e);
			return 0;
		}
		elen = 22u + acpi_r8(c, e + 21);
	} else {
		acpi_error_at(c, e, "device entry type 0x%02x has no defined length: the rest of the IVHD cannot be walked",
			      t);
		return 0;
	}
	if (elen > end - e) {
		acpi_error_at(c, e, "device entry type 0x%02x (%zu bytes) runs past the end of its IVHD",
			      t, elen);
		return 0;
	}
	return elen;
}

/* End of range (type 4): closes the pending start of range. */
static void end_range(struct acpi_ctx *c, size_t e, uint16_t seg, json_object *o,
		      struct ivrs_state *st, struct range_start *r)
{
	uint16_t id = acpi_r16(c, e + 1);
	json_object *rng;

	acpi_put_bdf(o, "bdf", seg, id);
	if (!r->pending) {
		acpi_error_at(c, e, "end of range entry without a start of range entry");
		return;
	}
	r->pending = false;
	if (id < r->id) {
		char a[16], b[16];

		acpi_fmt_bdf(a, sizeof(a), seg, r->id);
		acpi_fmt_bdf(b, sizeof(b), seg, id);
		acpi_error_at(c, e + 1, "end of range %s is below its start %s", b, a);
		return;
	}
	rng = acpi_put_obj(o, "range");
	acpi_put_bdf(rng, "first", seg, r->id);
	acpi_put_bdf(rng, "last", seg, id);
	acpi_cover_add(&st->cv, seg, r->id, id, 0);
}

/* Special (type 72): an IOAPIC or HPET and its source ID. */
static void special_entry(struct acpi_ctx *c, size_t e, uint16_t seg, json_object *o)
{
	uint8_t v = acpi_r8(c, e + 7);

	acpi_put_int(o, "dte_setting", acpi_r8(c, e + 3));
	acpi_put_int(o, "handle", acpi_r8(c, e + 4));
	acpi_put_bdf(o, "source_bdf", seg, acpi_r16(c, e + 5));
	acpi_put_str(o, "variety", v == 1 ? "ioapic" : v == 2 ? "hpet" : "reserved");
	if (v != 1 && v != 2)
		acpi_error_at(c, e + 7, "special entry variety %u is neither IOAPIC (1) nor HPET (2)", v);
}

/* ACPI HID (type 0xf0): a device by its ACPI _HID, _CID and _UID. */
static void hid_entry(struct acpi_ctx *c, size_t e, uint16_t seg, json_object *o)
{
	uint8_t fmt = acpi_r8(c, e + 20), ulen = acpi_r8(c, e + 21);

	acpi_put_bdf(o, "bdf", seg, acpi_r16(c, e + 1));
	acpi_put_int(o, "dte_setting", acpi_r8(c, e + 3));
	acpi_put_text(o, "hid", c, e + 4, 8);
	acpi_put_text(o, "cid", c, e + 12, 8);
	acpi_put_int(o, "uid_format", fmt);
	if (fmt == 1 && ulen <= 8)
		acpi_put_int(o, "uid", (int64_t)acpi_rd(c, e + 22, ulen));
	else if (fmt == 2)
		acpi_put_text(o, "uid", c, e + 22, ulen);
	else if (fmt > 2)
		acpi_warn_at(c, e + 20, "ACPI HID entry UID format %u is reserved", fmt);
}

/* The device entry of type t at e, listed as o. */
static void entry(struct acpi_ctx *c, size_t e, uint16_t seg, json_object *o,
		  struct ivrs_state *st, struct range_start *r)
{
	uint8_t t = acpi_r8(c, e);
	uint16_t id = acpi_r16(c, e + 1);
	char b[16];

	switch (t) {
	case 0:
	case 64:
		break;
	case 1:
		acpi_put_int(o, "dte_setting", acpi_r8(c, e + 3));
		st->all_seg[st->nall++] = seg;
		break;
	case 2:
	case 66:
	case 70:
		acpi_put_bdf(o, "bdf", seg, id);
		acpi_put_int(o, "dte_setting", acpi_r8(c, e + 3));
		acpi_cover_add(&st->cv, seg, id, id, 0);
		acpi_fmt_bdf(b, sizeof(b), seg, id);
		if (c->have_pci && !acpi_pci_find(c, seg, id))
			acpi_warn_at(c, e + 1, "%s entry %s: no such PCI device on this machine",
				     ivhd_entry_name(t), b);
		break;
	case 3:
	case 67:
	case 71:
		acpi_put_bdf(o, "bdf", seg, id);
		acpi_put_int(o, "dte_setting", acpi_r8(c, e + 3));
		*r = (struct range_start){ true, e, id };
		break;
	case 4: end_range(c, e, seg, o, st, r); break;
	case 72: special_entry(c, e, seg, o); break;
	case 0xf0: hid_entry(c, e, seg, o); break;
	default:
		if (t < 64)
			acpi_warn_at(c, e, "device entry type %u is reserved", t);
		else
			acpi_error_at(c, e, "device entry type %u is not a defined 8-byte entry (66, 67, 70, 71, 72)",
				      t);
		break;
	}
	if (t == 66 || t == 67) {
		acpi_put_bdf(o, "alias", seg, acpi_r16(c, e + 5));
		if (t == 66)
			acpi_cover_add(&st->cv, seg, acpi_r16(c, e + 5), acpi_r16(c, e + 5), 0);
	}
	if (t == 70 || t == 71)
		acpi_put_int(o, "ext_setting", acpi_r32(c, e + 4));
}

/* An IVHD's device entries, e..end. */
static void ivhd_entries(struct acpi_ctx *c, size_t e, size_t end, uint16_t seg,
			 json_object *arr, struct ivrs_state *st)
{
	struct range_start r = { 0 };

	while (e < end) {
		uint8_t t = acpi_r8(c, e);
		size_t elen = entry_len(c, e, end);
		json_object *o;

		if (!elen)
			break;
		if (r.pending && t != 4 && t != 0 && t != 64) {
			acpi_error_at(c, r.off, "start of range entry is not followed by an end of range entry");
			r.pending = false;
		}
		o = json_object_new_object();
		json_object_array_add(arr, o);
		acpi_put_int(o, "type", t);
		acpi_put_str(o, "name", ivhd_entry_name(t));
		acpi_put_int(o, "offset", (int64_t)e);
		entry(c, e, seg, o, st, &r);
		e += elen;
	}
	if (r.pending)
		acpi_error_at(c, r.off, "start of range entry is not followed by an end of range entry");
}

static void ivhd(struct acpi_ctx *c, size_t off, size_t end, uint8_t type, json_object *o,
		 struct ivrs_state *st)
{
	unsigned int hlen = type == 0x10 ? 0x18 : 0x28;
	uint8_t flags = acpi_r8(c, off + 1);
	uint16_t id = acpi_r16(c, off + 4), seg = acpi_r16(c, off + 16), info = acpi_r16(c, off + 18);
	uint64_t base = acpi_r64(c, off + 8);
	json_object *io;
	char b[16];

	if (end - off < hlen) {
		acpi_error_at(c, off + 2, "IVHD type 0x%02x length %zu is smaller than its %u-byte header",
			      type, end - off, hlen);
		return;
	}
	acpi_put_int(o, "flags", flags);
	acpi_put_bdf(o, "iommu_bdf", seg, id);
	acpi_put_int(o, "capability_offset", acpi_r16(c, off + 6));
	acpi_put_hex(o, "base_address", base);
	acpi_put_int(o, "pci_segment", seg);
	io = acpi_put_obj(o, "info");
	acpi_put_int(io, "msi_number", info & 0x1f);
	acpi_put_int(io, "unit_id", (info >> 8) & 0x1f);
	if (info & 0xe0e0)
		acpi_warn_at(c, off + 18, "IOMMU info reserved bits 0x%04x set", info & 0xe0e0);
	if (type == 0x10) {
		acpi_put_int(o, "feature_reporting", acpi_r32(c, off + 20));
	} else {
		uint32_t attr = acpi_r32(c, off + 20);

		acpi_put_int(o, "attributes", attr);
		acpi_put_hex(o, "efr", acpi_r64(c, off + 24));
		acpi_put_hex(o, "efr2", acpi_r64(c, off + 32));
		if (flags & 0xc0)
			acpi_warn_at(c, off + 1, "IVHD flags reserved bits 0x%02x set", flags & 0xc0);
		if (attr & 0xf0001fff)
			acpi_warn_at(c, off + 20, "IOMMU attributes reserved bits 0x%08x set", attr & 0xf0001fff);
	}
	if (!base)
		acpi_error_at(c, off + 8, "IOMMU base address is 0");
	else if (base & 0x3fff)
		acpi_error_at(c, off + 8, "IOMMU base address 0x%" PRIx64 " is not 16 KiB aligned", base);
	acpi_fmt_bdf(b, sizeof(b), seg, id);
	if (c->have_pci && !acpi_pci_find(c, seg, id))
		acpi_error_at(c, off + 4, "IOMMU %s is not a PCI device of this machine", b);
	st->iommus[st->niommu] = id;
	st->iommu_seg[st->niommu++] = seg;
	ivhd_entries(c, off + hlen, end, seg, acpi_put_arr(o, "entries"), st);
}

static void ivmd(struct acpi_ctx *c, size_t off, size_t end, uint8_t type, json_object *o)
{
	uint8_t flags = acpi_r8(c, off + 1);
	uint16_t id = acpi_r16(c, off + 4), aux = acpi_r16(c, off + 6);
	uint64_t start = acpi_r64(c, off + 16), len = acpi_r64(c, off + 24);
	json_object *fo;

	acpi_put_str(o, "name", type == 0x20 ? "ivmd_all" : type == 0x21 ? "ivmd_select" : "ivmd_range");
	if (end - off < 32) {
		acpi_error_at(c, off + 2, "IVMD length %zu is smaller than its 32-byte minimum", end - off);
		return;
	}
	fo = acpi_put_obj(o, "flags");
	acpi_put_bool(fo, "unity", flags & 1);
	acpi_put_bool(fo, "read", flags & 2);
	acpi_put_bool(fo, "write", flags & 4);
	acpi_put_bool(fo, "exclusion_range", flags & 8);
	if (flags & 0xf0)
		acpi_warn_at(c, off + 1, "IVMD flags reserved bits 0x%02x set", flags & 0xf0);
	acpi_put_hex(o, "start_address", start);
	acpi_put_hex(o, "memory_length", len);
	if (type == 0x21) {
		acpi_put_bdf(o, "bdf", 0, id);
	} else if (type == 0x22) {
		json_object *r = acpi_put_obj(o, "range");

		acpi_put_bdf(r, "first", 0, id);
		acpi_put_bdf(r, "last", 0, aux);
		if (aux < id) {
			char a[16], b[16];

			acpi_fmt_bdf(a, sizeof(a), 0, id);
			acpi_fmt_bdf(b, sizeof(b), 0, aux);
			acpi_error_at(c, off + 6, "IVMD range end %s is below its start %s", b, a);
		}
	}
	if (start & 0xfff)
		acpi_error_at(c, off + 16, "IVMD start address 0x%" PRIx64 " is not 4 KiB aligned", start);
	if (len & 0xfff)
		acpi_error_at(c, off + 24, "IVMD length 0x%" PRIx64 " is not a multiple of 4 KiB", len);
	if (len && start + len - 1 < start)
		acpi_error_at(c, off + 24, "IVMD range 0x%" PRIx64 "+0x%" PRIx64 " wraps past 2^64", start, len);
}

/* The IVRS header past the ACPI one: revision, IVinfo, reserved bytes. */
static void ivrs_header(struct acpi_ctx *c, uint8_t rev)
{
	uint32_t info = acpi_r32(c, 36);
	json_object *io;

	if (rev < 1 || rev > 2)
		acpi_error_at(c, 8, "revision %u: IVRS revisions are 1 and 2", rev);
	io = acpi_put_obj(c->out, "iv_info");
	acpi_put_hex(io, "raw", info);
	acpi_put_bool(io, "efr_sup", info & 1);
	acpi_put_bool(io, "dma_remap_sup", info & 2);
	acpi_put_int(io, "gva_size", (info >> 5) & 7);
	acpi_put_int(io, "pa_size", (info >> 8) & 0x7f);
	acpi_put_int(io, "va_size", (info >> 15) & 0x7f);
	acpi_put_bool(io, "ht_ats_reserved", info & (1u << 22));
	if (info & 0xff80001c)
		acpi_warn_at(c, 36, "IVinfo reserved bits 0x%08x set", info & 0xff80001c);
	if (acpi_r64(c, 40))
		acpi_warn_at(c, 40, "reserved bytes 40-47 are not zero");
}

/* The block at off..end, listed as o: an IVHD or an IVMD. */
static void block(struct acpi_ctx *c, size_t off, size_t end, json_object *o, void *arg)
{
	struct ivrs_state *st = arg;
	uint8_t type = acpi_r8(c, off), rev = st->rev;
	char t[8];

	snprintf(t, sizeof(t), "0x%02x", type);
	acpi_put_str(o, "type", t);
	acpi_put_int(o, "offset", (int64_t)off);
	acpi_put_int(o, "length", acpi_r16(c, off + 2));
	switch (type) {
	case 0x40:
		if (rev != 2)
			acpi_error_at(c, off, "IVHD type 0x40 needs IVRS revision 2, the table has %u", rev);
		/* fall through */
	case 0x10:
	case 0x11:
		ivhd(c, off, end, type, o, st);
		break;
	case 0x20:
	case 0x21:
	case 0x22:
		ivmd(c, off, end, type, o);
		break;
	default:
		acpi_error_at(c, off, "block type 0x%02x is neither an IVHD (0x10, 0x11, 0x40) nor an IVMD (0x20-0x22)",
			      type);
		break;
	}
}

/* Every PCI function of the machine in some IVHD: an entry, ALL, or the IOMMU itself. */
static void pci_coverage(struct acpi_ctx *c, const struct ivrs_state *st)
{
	for (size_t i = 0; c->have_pci && st->niommu && i < c->npci; i++) {
		const struct acpi_pci_fn *p = &c->pci[i];
		bool ok = acpi_covered(&st->cv, p->seg, p->id, -1);
		char b[16];

		for (size_t j = 0; j < st->nall && !ok; j++)
			ok = st->all_seg[j] == p->seg;
		for (size_t j = 0; j < st->niommu && !ok; j++)
			ok = st->iommu_seg[j] == p->seg && st->iommus[j] == p->id;
		if (ok)
			continue;
		acpi_fmt_bdf(b, sizeof(b), p->seg, p->id);
		acpi_error_at(c, 48, "PCI device %s is covered by no IVHD device entry", b);
	}
}

void acpi_ivrs(struct acpi_ctx *c)
{
	struct ivrs_state st = { .rev = acpi_r8(c, 8) };
	json_object *arr;
	size_t nblk = c->len / 4 + 1;

	if (c->len < 48) {
		acpi_error_at(c, c->len, "IVRS ends after %zu bytes, inside its 48-byte header", c->len);
		return;
	}
	ivrs_header(c, st.rev);
	arr = acpi_put_arr(c->out, "blocks");
	st.iommus = calloc(nblk, sizeof(*st.iommus));
	st.iommu_seg = calloc(nblk, sizeof(*st.iommu_seg));
	st.all_seg = calloc(nblk, sizeof(*st.all_seg));
	if (!st.iommus || !st.iommu_seg || !st.all_seg)
		goto out;

	acpi_subtables(c, 48, "block", arr, block, &st);
	if (!st.niommu && c->nerr == 0)
		acpi_error_at(c, 48, "IVRS has no IVHD block");
	pci_coverage(c, &st);
out:
	free(st.cv.v);
	free(st.iommus);
	free(st.iommu_seg);
	free(st.all_seg);
}
