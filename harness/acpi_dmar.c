/* SPDX-License-Identifier: MIT */
/*
 * The Intel DMAR table (see acpi.h for its JSON): the header's host address
 * width and flags, then each remapping structure, DRHD, RMRR, ATSR, RHSA,
 * ANDD, SATC and SIDP, with its device scopes resolved against the
 * machine's PCI functions; afterwards the rules across structures
 * (INCLUDE_PCI_ALL once per segment and last, RHSA bases naming a DRHD,
 * every PCI function under some DRHD).
 *
 * VT-d specification chapter 8 (DMA Remapping Reporting for ACPI: the
 * DMAR table and its remapping structures and device scopes), as ACPICA's
 * actbl1.h lays them out and drivers/iommu/intel/dmar.c reads them.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi_internal.h"

enum { DMAR_DRHD, DMAR_RMRR, DMAR_ATSR, DMAR_RHSA, DMAR_ANDD, DMAR_SATC, DMAR_SIDP, DMAR_NTYPES };

static const char *const dmar_names[DMAR_NTYPES] = {
	"DRHD", "RMRR", "ATSR", "RHSA", "ANDD", "SATC", "SIDP",
};
static const unsigned int dmar_min[DMAR_NTYPES] = { 16, 24, 8, 20, 8, 8, 8 };

static const char *const scope_names[] = {
	"reserved", "endpoint", "bridge", "ioapic", "hpet", "acpi_namespace",
};

struct drhd {
	size_t off;
	uint16_t seg;
	bool all;
	uint64_t base;
};

/* Follow a PCI path from start_bus through bridges; 1 resolved, 0 unresolvable. */
static int scope_resolve(struct acpi_ctx *c, size_t off, const char *what, uint16_t seg,
			 uint8_t bus, size_t path, unsigned int npath, uint16_t *id)
{
	const struct acpi_pci_fn *f = NULL;

	for (unsigned int i = 0; i < npath; i++) {
		uint8_t dev = acpi_r8(c, path + 2 * i), fn = acpi_r8(c, path + 2 * i + 1);
		char b[16];

		if (dev > 31 || fn > 7)
			return 0;
		*id = (uint16_t)(bus << 8 | dev << 3 | fn);
		if (!c->have_pci)
			return npath == 1;
		f = acpi_pci_find(c, seg, *id);
		acpi_fmt_bdf(b, sizeof(b), seg, *id);
		if (!f) {
			if (i + 1 == npath)
				acpi_error_at(c, off, "%s scope %s: no such PCI device on this machine",
					      what, b);
			else
				acpi_error_at(c, off, "%s scope path entry %u: no PCI bridge %s on this machine",
					      what, i, b);
			return 0;
		}
		if (i + 1 == npath)
			break;
		if (f->secondary == -1) {
			acpi_error_at(c, off, "%s scope path entry %u: %s is not a PCI bridge",
				      what, i, b);
			return 0;
		}
		if (f->secondary < 0)
			return 0;      /* a bridge whose secondary bus the list does not give */
		bus = (uint8_t)f->secondary;
	}
	if (f) {
		char b[16];

		acpi_fmt_bdf(b, sizeof(b), seg, *id);
		if (!strcmp(what, "endpoint") && f->secondary != -1)
			acpi_error_at(c, off, "endpoint scope %s is a PCI bridge (it needs a bridge scope)", b);
		else if (!strcmp(what, "bridge") && f->secondary == -1)
			acpi_error_at(c, off, "bridge scope %s is not a PCI bridge", b);
	}
	return 1;
}

/* A device scope's path entries (device, function) after its 6-byte header. */
static void scope_path(struct acpi_ctx *c, size_t off, unsigned int npath, json_object *path)
{
	for (unsigned int i = 0; i < npath; i++) {
		json_object *pair = json_object_new_array();
		uint8_t dev = acpi_r8(c, off + 6 + 2 * i), fn = acpi_r8(c, off + 7 + 2 * i);

		json_object_array_add(pair, json_object_new_int(dev));
		json_object_array_add(pair, json_object_new_int(fn));
		json_object_array_add(path, pair);
		if (dev > 31)
			acpi_error_at(c, off + 6 + 2 * i, "path entry %u: device %u is above 31", i, dev);
		if (fn > 7)
			acpi_error_at(c, off + 7 + 2 * i, "path entry %u: function %u is above 7", i, fn);
	}
}

static void dmar_scopes(struct acpi_ctx *c, size_t off, size_t end, uint16_t seg,
			const char *parent, bool include_all, json_object *arr,
			struct acpi_covers *cv)
{
	while (off < end) {
		size_t left = end - off;
		uint8_t type, slen, bus;
		unsigned int npath;
		const char *name;
		json_object *s;
		uint16_t id = 0;

		if (left < 2) {
			acpi_error_at(c, off, "%zu byte(s) left in the %s, too few for a device scope",
				      left, parent);
			return;
		}
		type = acpi_r8(c, off);
		slen = acpi_r8(c, off + 1);
		if (slen < 6) {
			acpi_error_at(c, off + 1, "device scope length %u is smaller than its 6-byte minimum",
				      slen);
			return;
		}
		if (slen > left) {
			acpi_error_at(c, off + 1, "device scope length %u runs past the end of its %s (%zu bytes left)",
				      slen, parent, left);
			return;
		}
		name = type < sizeof(scope_names) / sizeof(scope_names[0]) ? scope_names[type]
									: "reserved";
		bus = acpi_r8(c, off + 5);
		npath = (slen - 6u) / 2;
		s = json_object_new_object();
		acpi_put_str(s, "type", name);
		acpi_put_int(s, "type_id", type);
		acpi_put_int(s, "offset", (int64_t)off);
		acpi_put_int(s, "enumeration_id", acpi_r8(c, off + 4));
		acpi_put_int(s, "start_bus", bus);
		scope_path(c, off, npath, acpi_put_arr(s, "path"));
		json_object_array_add(arr, s);

		if (type == 0 || type > 5)
			acpi_warn_at(c, off, "device scope type %u is reserved", type);
		if (acpi_r8(c, off + 3))
			acpi_warn_at(c, off + 3, "device scope reserved byte is 0x%02x, not 0", acpi_r8(c, off + 3));
		if ((slen - 6u) % 2)
			acpi_error_at(c, off + 1, "device scope length %u leaves an odd byte after its path entries",
				      slen);
		if (!npath)
			acpi_error_at(c, off, "device scope has no path entry");

		if (npath && (type == 1 || type == 2)) {
			if (include_all)
				acpi_warn_at(c, off, "INCLUDE_PCI_ALL DRHD lists a PCI %s scope (it should list only IOAPIC, HPET and ACPI namespace devices)",
					     name);
			if (scope_resolve(c, off, name, seg, bus, off + 6, npath, &id)) {
				acpi_put_bdf(s, "bdf", seg, id);
				if (cv)
					acpi_cover_add(cv, seg, id, id, type);
			}
		} else if (npath == 1 && (type == 3 || type == 4)) {
			char b[12];
			uint8_t dev = acpi_r8(c, off + 6), fn = acpi_r8(c, off + 7);

			snprintf(b, sizeof(b), "%02x:%02x.%x", bus, dev & 0x1f, fn & 7);
			acpi_put_str(s, "source_id", b);
		}
		off += slen;
	}
}

/* What the structures leave for the checks across them. */
struct dmar_state {
	struct drhd *drhds;
	size_t ndrhd;
	uint64_t *rhsa;      /* RHSA register bases, at rhsa_off */
	size_t *rhsa_off, nrhsa;
	struct acpi_covers cv;  /* the PCI functions the DRHD scopes name */
};

/* The DMAR header past the ACPI one: host address width, flags, reserved bytes. */
static void dmar_header(struct acpi_ctx *c)
{
	unsigned int haw = acpi_r8(c, 36) + 1u;
	uint8_t f = acpi_r8(c, 37);
	json_object *flags;

	acpi_put_int(c->out, "host_address_width", haw);
	if (haw < 32 || haw > 64)
		acpi_error_at(c, 36, "host address width %u bits is outside 32..64", haw);
	flags = acpi_put_obj(c->out, "flags");
	acpi_put_bool(flags, "intr_remap", f & 1);
	acpi_put_bool(flags, "x2apic_opt_out", f & 2);
	acpi_put_bool(flags, "dma_ctrl_platform_opt_in", f & 4);
	if (f & 0xf8)
		acpi_warn_at(c, 37, "flags: reserved bits 0x%02x set", f & 0xf8);
	if (!acpi_all_zero(c, 38, 10))
		acpi_warn_at(c, 38, "reserved bytes 38-47 are not zero");
}

/* DRHD: a remapping unit, its register base and the devices under it. */
static void drhd(struct acpi_ctx *c, size_t off, size_t end, json_object *s,
		 struct dmar_state *st)
{
	uint16_t seg = acpi_r16(c, off + 6);
	uint64_t base = acpi_r64(c, off + 8);

	acpi_put_bool(s, "include_pci_all", acpi_r8(c, off + 4) & 1);
	acpi_put_int(s, "flags", acpi_r8(c, off + 4));
	acpi_put_int(s, "size", acpi_r8(c, off + 5));
	acpi_put_int(s, "segment", seg);
	acpi_put_hex(s, "register_base_address", base);
	if (!base)
		acpi_error_at(c, off + 8, "DRHD register base address is 0");
	else if (base & 0xfff)
		acpi_error_at(c, off + 8, "DRHD register base 0x%" PRIx64 " is not 4 KiB aligned", base);
	for (size_t i = 0; i < st->ndrhd; i++)
		if (base && st->drhds[i].base == base) {
			acpi_error_at(c, off + 8, "DRHD register base 0x%" PRIx64 " is already used by the DRHD at offset 0x%zx",
				      base, st->drhds[i].off);
			break;
		}
	st->drhds[st->ndrhd++] = (struct drhd){ off, seg, acpi_r8(c, off + 4) & 1, base };
	dmar_scopes(c, off + 16, end, seg, "DRHD", acpi_r8(c, off + 4) & 1,
		    acpi_put_arr(s, "device_scopes"), &st->cv);
}

/* RMRR: memory reserved for the devices of its scopes. */
static void rmrr(struct acpi_ctx *c, size_t off, size_t end, json_object *s)
{
	uint16_t seg = acpi_r16(c, off + 6);
	uint64_t base = acpi_r64(c, off + 8), lim = acpi_r64(c, off + 16);
	json_object *scopes;

	acpi_put_int(s, "segment", seg);
	acpi_put_hex(s, "base_address", base);
	acpi_put_hex(s, "end_address", lim);
	if (acpi_r16(c, off + 4))
		acpi_warn_at(c, off + 4, "RMRR reserved field is 0x%04x, not 0", acpi_r16(c, off + 4));
	if (base & 0xfff)
		acpi_error_at(c, off + 8, "RMRR base address 0x%" PRIx64 " is not 4 KiB aligned", base);
	if ((lim + 1) & 0xfff)
		acpi_error_at(c, off + 16, "RMRR end address 0x%" PRIx64 " is not the last byte of a 4 KiB page",
			      lim);
	if (lim < base)
		acpi_error_at(c, off + 16, "RMRR end address 0x%" PRIx64 " is below its base 0x%" PRIx64,
			      lim, base);
	scopes = acpi_put_arr(s, "device_scopes");
	dmar_scopes(c, off + 24, end, seg, "RMRR", false, scopes, NULL);
	if (!json_object_array_length(scopes))
		acpi_warn_at(c, off, "RMRR has no device scope: it reserves memory for no device");
}

/* ATSR (root ports with ATS) and SATC (devices with an ATC): one layout. */
static void atsr_satc(struct acpi_ctx *c, size_t off, size_t end, uint16_t type, json_object *s)
{
	const char *name = dmar_names[type];
	uint16_t seg = acpi_r16(c, off + 6);
	json_object *scopes;

	acpi_put_int(s, "flags", acpi_r8(c, off + 4));
	if (type == DMAR_ATSR)
		acpi_put_bool(s, "all_ports", acpi_r8(c, off + 4) & 1);
	else
		acpi_put_bool(s, "atc_required", acpi_r8(c, off + 4) & 1);
	acpi_put_int(s, "segment", seg);
	if (acpi_r8(c, off + 5))
		acpi_warn_at(c, off + 5, "%s reserved byte is 0x%02x, not 0", name, acpi_r8(c, off + 5));
	scopes = acpi_put_arr(s, "device_scopes");
	dmar_scopes(c, off + 8, end, seg, name, false, scopes, NULL);
	if (type == DMAR_ATSR && (acpi_r8(c, off + 4) & 1) && json_object_array_length(scopes))
		acpi_warn_at(c, off, "ATSR has ALL_PORTS set and still lists device scopes");
}

/* SIDP: devices with SoC-integrated properties. */
static void sidp(struct acpi_ctx *c, size_t off, size_t end, json_object *s)
{
	uint16_t seg = acpi_r16(c, off + 6);

	acpi_put_int(s, "segment", seg);
	if (acpi_r16(c, off + 4))
		acpi_warn_at(c, off + 4, "SIDP reserved field is 0x%04x, not 0", acpi_r16(c, off + 4));
	dmar_scopes(c, off + 8, end, seg, "SIDP", false, acpi_put_arr(s, "device_scopes"), NULL);
}

/* RHSA: a remapping unit's proximity domain, matched to a DRHD afterwards. */
static void rhsa(struct acpi_ctx *c, size_t off, json_object *s, struct dmar_state *st)
{
	uint64_t base = acpi_r64(c, off + 8);

	acpi_put_hex(s, "register_base_address", base);
	acpi_put_int(s, "proximity_domain", acpi_r32(c, off + 16));
	if (acpi_r32(c, off + 4))
		acpi_warn_at(c, off + 4, "RHSA reserved field is 0x%08x, not 0", acpi_r32(c, off + 4));
	st->rhsa[st->nrhsa] = base;
	st->rhsa_off[st->nrhsa++] = off;
}

/* ANDD: an ACPI namespace device, its number and object name. */
static void andd(struct acpi_ctx *c, size_t off, size_t end, json_object *s)
{
	size_t nul = off + 8;

	acpi_put_int(s, "device_number", acpi_r8(c, off + 7));
	if (!acpi_all_zero(c, off + 4, 3))
		acpi_warn_at(c, off + 4, "ANDD reserved bytes are not zero");
	while (nul < end && acpi_r8(c, nul))
		nul++;
	acpi_put_text(s, "object_name", c, off + 8, nul - (off + 8) < 63 ? nul - (off + 8) : 63);
	if (end - off == 8 || nul == off + 8)
		acpi_error_at(c, off + 8, "ANDD has no object name");
	else if (nul == end)
		acpi_warn_at(c, off + 8, "ANDD object name is not NUL-terminated");
}

/* The remapping structure at off..end, listed as s. */
static void structure(struct acpi_ctx *c, size_t off, size_t end, json_object *s, void *arg)
{
	struct dmar_state *st = arg;
	uint16_t type = acpi_r16(c, off), slen = acpi_r16(c, off + 2);
	const char *name = type < DMAR_NTYPES ? dmar_names[type] : NULL;

	acpi_put_str(s, "type", name ? name : "unknown");
	acpi_put_int(s, "type_id", type);
	acpi_put_int(s, "offset", (int64_t)off);
	acpi_put_int(s, "length", slen);
	if (!name) {
		acpi_warn_at(c, off, "structure type %u is reserved", type);
		return;
	}
	if (end - off < dmar_min[type]) {
		acpi_error_at(c, off + 2, "%s length %u is smaller than its %u-byte minimum",
			      name, slen, dmar_min[type]);
		return;
	}
	switch (type) {
	case DMAR_DRHD: drhd(c, off, end, s, st); break;
	case DMAR_RMRR: rmrr(c, off, end, s); break;
	case DMAR_ATSR:
	case DMAR_SATC: atsr_satc(c, off, end, type, s); break;
	case DMAR_SIDP: sidp(c, off, end, s); break;
	case DMAR_RHSA: rhsa(c, off, s, st); break;
	case DMAR_ANDD: andd(c, off, end, s); break;
	}
}

/* INCLUDE_PCI_ALL: one per segment, the last DRHD of its segment. */
static void include_all_rules(struct acpi_ctx *c, const struct dmar_state *st)
{
	const struct drhd *d = st->drhds;

	for (size_t i = 0; i < st->ndrhd; i++) {
		bool first_all = d[i].all;

		if (!d[i].all)
			continue;
		for (size_t j = 0; j < i; j++)
			if (d[j].all && d[j].seg == d[i].seg) {
				acpi_error_at(c, d[i].off, "second INCLUDE_PCI_ALL DRHD for segment %u (the first is at offset 0x%zx)",
					      d[i].seg, d[j].off);
				first_all = false;
				break;
			}
		if (!first_all)
			continue;
		for (size_t j = i + 1; j < st->ndrhd; j++)
			if (!d[j].all && d[j].seg == d[i].seg) {
				acpi_error_at(c, d[i].off, "INCLUDE_PCI_ALL DRHD for segment %u is not the last DRHD of its segment (another follows at offset 0x%zx)",
					      d[i].seg, d[j].off);
				break;
			}
	}
}

/* Every RHSA names a DRHD's register base. */
static void rhsa_rules(struct acpi_ctx *c, const struct dmar_state *st)
{
	for (size_t i = 0; i < st->nrhsa; i++) {
		size_t j;

		for (j = 0; j < st->ndrhd && st->drhds[j].base != st->rhsa[i]; j++)
			;
		if (j == st->ndrhd)
			acpi_warn_at(c, st->rhsa_off[i] + 8, "RHSA register base 0x%" PRIx64 " matches no DRHD",
				     st->rhsa[i]);
	}
}

/* Every PCI function of the machine under some DRHD (itself or a bridge above it). */
static void pci_coverage(struct acpi_ctx *c, const struct dmar_state *st)
{
	for (size_t i = 0; c->have_pci && st->ndrhd && i < c->npci; i++) {
		const struct acpi_pci_fn *p = &c->pci[i];
		bool ok = false;
		char b[16];

		for (size_t j = 0; j < st->ndrhd && !ok; j++)
			ok = st->drhds[j].all && st->drhds[j].seg == p->seg;
		for (int depth = 0; !ok && p && depth < 256; depth++) {
			ok = acpi_covered(&st->cv, p->seg, p->id, depth ? 2 : -1);
			p = acpi_pci_parent(c, p);
		}
		if (ok)
			continue;
		acpi_fmt_bdf(b, sizeof(b), c->pci[i].seg, c->pci[i].id);
		acpi_error_at(c, 48, "PCI device %s is in no DRHD device scope", b);
	}
}

void acpi_dmar(struct acpi_ctx *c)
{
	struct dmar_state st = { 0 };
	json_object *arr;

	if (c->len < 48) {
		acpi_error_at(c, c->len, "DMAR ends after %zu bytes, inside its 48-byte header", c->len);
		return;
	}
	dmar_header(c);
	arr = acpi_put_arr(c->out, "structures");
	st.drhds = calloc(c->len / 16 + 1, sizeof(*st.drhds));
	st.rhsa = calloc(c->len / 20 + 1, sizeof(*st.rhsa));
	st.rhsa_off = calloc(c->len / 20 + 1, sizeof(*st.rhsa_off));
	if (!st.drhds || !st.rhsa || !st.rhsa_off)
		goto out;

	acpi_subtables(c, 48, "structure", arr, structure, &st);
	include_all_rules(c, &st);
	rhsa_rules(c, &st);
	if (!st.ndrhd && c->nerr == 0)
		acpi_error_at(c, 48, "DMAR has no DRHD");
	pci_coverage(c, &st);
out:
	free(st.cv.v);
	free(st.drhds);
	free(st.rhsa);
	free(st.rhsa_off);
}
