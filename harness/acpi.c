/* SPDX-License-Identifier: MIT */
/*
 * ACPI DMAR, IVRS and IORT: parse and validate (see acpi.h).
 *
 * Every read goes through acpi_rd(), which answers 0 outside the table, and every
 * loop advances by at least the 4- or 16-byte header it has checked, so any
 * bytes terminate. Findings carry the offset from the table's start and a
 * fixed message; errors are what FWTS fails or the kernel refuses or
 * mis-parses, warnings what it tolerates (reserved bits, spec revisions it
 * does not know, the IORT id_count off-by-one it works around).
 */
#include "acpi.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acpi_internal.h"
#include "hex.h"
#include "jsonval.h"

#define HDR_LEN 36
#define MAX_FINDINGS 200      /* per list; the counts keep going */
#define MAX_PCI 8192
#define MAX_LISTED_RIDS 8

/* ---- context, reads, findings ------------------------------------------------ */

uint64_t acpi_rd(const struct acpi_ctx *c, size_t off, unsigned int n)
{
	uint64_t v = 0;

	if (off > c->len || n > c->len - off)
		return 0;
	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)c->p[off + i] << (8 * i);
	return v;
}

static void vfinding(struct acpi_ctx *c, bool error, size_t off, const char *fmt, va_list ap)
{
	unsigned int *count = error ? &c->nerr : &c->nwarn;
	json_object *f;
	char msg[512];

	if (++*count > MAX_FINDINGS)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	f = json_object_new_object();
	json_object_object_add(f, "offset", json_object_new_int64((int64_t)off));
	json_object_object_add(f, "message", json_object_new_string(msg));
	json_object_array_add(error ? c->errors : c->warnings, f);
}

void acpi_error_at(struct acpi_ctx *c, size_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfinding(c, true, off, fmt, ap);
	va_end(ap);
}

/*
 * The subtable at off, with a 2-byte length at off + 2 (DMAR structures,
 * IVRS blocks): its end, clipped to the table's with *past set when its
 * length runs over; 0 when the rest of the table cannot be walked.
 */
size_t acpi_subtable_end(struct acpi_ctx *c, size_t off, const char *what, bool *past)
{
	size_t left = c->len - off;
	uint16_t len;

	*past = false;
	if (left < 4) {
		acpi_error_at(c, off, "%zu byte(s) left after the last %s, too few for a %s header", left,
			 what, what);
		return 0;
	}
	len = acpi_r16(c, off + 2);
	if (len < 4) {
		acpi_error_at(c, off + 2, "%s length %u is smaller than its 4-byte header: the rest of the table cannot be walked",
			 what, len);
		return 0;
	}
	if (len > left) {
		acpi_error_at(c, off + 2, "%s length %u runs past the end of the table (%zu bytes left)", what,
			 len, left);
		*past = true;
		return c->len;
	}
	return off + len;
}

void acpi_warn_at(struct acpi_ctx *c, size_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfinding(c, false, off, fmt, ap);
	va_end(ap);
}

/* ---- JSON helpers -------------------------------------------------------------- */

void acpi_put_int(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

void acpi_put_bool(json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

void acpi_put_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

void acpi_put_hex(json_object *o, const char *k, uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "0x%" PRIx64, v);
	acpi_put_str(o, k, b);
}

void acpi_fmt_bdf(char *b, size_t n, unsigned int seg, unsigned int id)
{
	snprintf(b, n, "%04x:%02x:%02x.%x", seg & 0xffff, (id >> 8) & 0xff,
		 (id >> 3) & 0x1f, id & 7);
}

void acpi_put_bdf(json_object *o, const char *k, unsigned int seg, unsigned int id)
{
	char b[16];

	acpi_fmt_bdf(b, sizeof(b), seg, id);
	acpi_put_str(o, k, b);
}

/* Up to n bytes of table text, up to a NUL, non-printable bytes as '?'. */
void acpi_put_text(json_object *o, const char *k, const struct acpi_ctx *c, size_t off, size_t n)
{
	char b[64];
	size_t i;

	for (i = 0; i < n && i < sizeof(b) - 1; i++) {
		uint8_t ch = acpi_r8(c, off + i);

		if (!ch || off + i >= c->len)
			break;
		b[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	b[i] = '\0';
	acpi_put_str(o, k, b);
}

json_object *acpi_put_arr(json_object *o, const char *k)
{
	json_object *a = json_object_new_array();

	json_object_object_add(o, k, a);
	return a;
}

json_object *acpi_put_obj(json_object *o, const char *k)
{
	json_object *v = json_object_new_object();

	json_object_object_add(o, k, v);
	return v;
}

bool acpi_all_zero(const struct acpi_ctx *c, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (acpi_r8(c, off + i))
			return false;
	return true;
}

/* ---- the machine's PCI functions --------------------------------------------- */

static int parse_bdf(const char *s, uint16_t *seg, uint16_t *id)
{
	unsigned int a = 0, b, d, f;
	int n = -1;

	if (!s)
		return -1;
	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &a, &b, &d, &f, &n) != 4 || s[n]) {
		n = -1;
		a = 0;
		if (sscanf(s, "%2x:%2x.%1x%n", &b, &d, &f, &n) != 3 || s[n])
			return -1;
	}
	if (d > 31 || f > 7)
		return -1;
	*seg = (uint16_t)a;
	*id = (uint16_t)(b << 8 | d << 3 | f);
	return 0;
}

static int pci_cmp(const void *a, const void *b);

static void load_pci(struct acpi_ctx *c, json_object *pci)
{
	size_t n;

	if (!pci || !json_object_is_type(pci, json_type_array))
		return;
	c->have_pci = true;
	n = json_object_array_length(pci);
	if (n > MAX_PCI)
		n = MAX_PCI;
	c->pci = calloc(n ? n : 1, sizeof(*c->pci));
	if (!c->pci) {
		c->have_pci = false;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(pci, i), *v;
		const char *s = lab_jsonval_str(e, "bdf");
		struct acpi_pci_fn *f = &c->pci[c->npci];

		if (!s)
			s = lab_jsonval_str(e, "address");
		if (parse_bdf(s, &f->seg, &f->id) < 0)
			continue;
		f->secondary = -1;
		if (json_object_object_get_ex(e, "secondary_bus", &v) &&
		    json_object_is_type(v, json_type_int) &&
		    json_object_get_int(v) >= 0 && json_object_get_int(v) <= 255) {
			f->secondary = json_object_get_int(v);
		} else if ((s = lab_jsonval_str(e, "class"))) {
			unsigned long cls = strtoul(s, NULL, 16);

			/* PCI-to-PCI bridge (0x0604) or semi-transparent (0x0609) */
			if ((cls >> 8) == 0x0604 || (cls >> 8) == 0x0609)
				f->secondary = -2;
		}
		c->npci++;
	}
	qsort(c->pci, c->npci, sizeof(*c->pci), pci_cmp);
}

static int pci_cmp(const void *a, const void *b)
{
	const struct acpi_pci_fn *x = a, *y = b;
	uint32_t kx = (uint32_t)x->seg << 16 | x->id, ky = (uint32_t)y->seg << 16 | y->id;

	return kx < ky ? -1 : kx > ky;
}

/* c->pci is sorted by segment and RID (load_pci) */
const struct acpi_pci_fn *acpi_pci_find(const struct acpi_ctx *c, unsigned int seg, unsigned int id)
{
	struct acpi_pci_fn key = { (uint16_t)seg, (uint16_t)id, 0 };

	if (!c->npci)
		return NULL;
	return bsearch(&key, c->pci, c->npci, sizeof(*c->pci), pci_cmp);
}

/* The bridge whose secondary bus is f's bus, if the list says. */
const struct acpi_pci_fn *acpi_pci_parent(const struct acpi_ctx *c, const struct acpi_pci_fn *f)
{
	for (size_t i = 0; i < c->npci; i++)
		if (&c->pci[i] != f && c->pci[i].seg == f->seg &&
		    c->pci[i].secondary == (f->id >> 8))
			return &c->pci[i];
	return NULL;
}

/* ---- ID sets: what a table covers ------------------------------------------------ */

void acpi_cover_add(struct acpi_covers *cv, uint16_t seg, uint16_t first, uint16_t last,
		      uint8_t kind)
{
	if (cv->n == cv->cap) {
		size_t cap = cv->cap ? cv->cap * 2 : 32;
		struct acpi_cover *v = realloc(cv->v, cap * sizeof(*v));

		if (!v)
			return;
		cv->v = v;
		cv->cap = cap;
	}
	cv->v[cv->n++] = (struct acpi_cover){ seg, first, last, kind };
}

bool acpi_covered(const struct acpi_covers *cv, uint16_t seg, uint16_t id, int kind)
{
	for (size_t i = 0; i < cv->n; i++)
		if (cv->v[i].seg == seg && cv->v[i].first <= id && id <= cv->v[i].last &&
		    (kind < 0 || cv->v[i].kind == kind))
			return true;
	return false;
}

/* ---- DMAR -------------------------------------------------------------------- */

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

static void dmar_scopes(struct acpi_ctx *c, size_t off, size_t end, uint16_t seg,
			const char *parent, bool include_all, json_object *arr,
			struct acpi_covers *cv)
{
	while (off < end) {
		size_t left = end - off;
		uint8_t type, slen, bus;
		unsigned int npath;
		const char *name;
		json_object *s, *path;
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
		path = acpi_put_arr(s, "path");
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

void acpi_dmar(struct acpi_ctx *c)
{
	struct drhd *drhds = NULL;
	size_t ndrhd = 0, off = 48;
	struct acpi_covers cv = { 0 };
	json_object *flags, *arr;
	uint64_t *rhsa = NULL;
	size_t *rhsa_off = NULL, nrhsa = 0;
	uint8_t f;
	unsigned int haw;

	if (c->len < 48) {
		acpi_error_at(c, c->len, "DMAR ends after %zu bytes, inside its 48-byte header", c->len);
		return;
	}
	haw = acpi_r8(c, 36) + 1u;
	acpi_put_int(c->out, "host_address_width", haw);
	if (haw < 32 || haw > 64)
		acpi_error_at(c, 36, "host address width %u bits is outside 32..64", haw);
	f = acpi_r8(c, 37);
	flags = acpi_put_obj(c->out, "flags");
	acpi_put_bool(flags, "intr_remap", f & 1);
	acpi_put_bool(flags, "x2apic_opt_out", f & 2);
	acpi_put_bool(flags, "dma_ctrl_platform_opt_in", f & 4);
	if (f & 0xf8)
		acpi_warn_at(c, 37, "flags: reserved bits 0x%02x set", f & 0xf8);
	if (!acpi_all_zero(c, 38, 10))
		acpi_warn_at(c, 38, "reserved bytes 38-47 are not zero");
	arr = acpi_put_arr(c->out, "structures");
	drhds = calloc(c->len / 16 + 1, sizeof(*drhds));
	rhsa = calloc(c->len / 20 + 1, sizeof(*rhsa));
	rhsa_off = calloc(c->len / 20 + 1, sizeof(*rhsa_off));
	if (!drhds || !rhsa || !rhsa_off)
		goto out;

	while (off < c->len) {
		size_t end;
		uint16_t type = acpi_r16(c, off), slen = acpi_r16(c, off + 2), seg = acpi_r16(c, off + 6);
		const char *name = type < DMAR_NTYPES ? dmar_names[type] : NULL;
		bool past = false;
		json_object *s, *scopes;
		uint64_t base, lim;

		end = acpi_subtable_end(c, off, "structure", &past);
		if (!end)
			break;
		s = json_object_new_object();
		json_object_array_add(arr, s);
		acpi_put_str(s, "type", name ? name : "unknown");
		acpi_put_int(s, "type_id", type);
		acpi_put_int(s, "offset", (int64_t)off);
		acpi_put_int(s, "length", slen);
		if (!name) {
			acpi_warn_at(c, off, "structure type %u is reserved", type);
			goto next;
		}
		if (end - off < dmar_min[type]) {
			acpi_error_at(c, off + 2, "%s length %u is smaller than its %u-byte minimum",
				 name, slen, dmar_min[type]);
			goto next;
		}
		switch (type) {
		case DMAR_DRHD:
			base = acpi_r64(c, off + 8);
			acpi_put_bool(s, "include_pci_all", acpi_r8(c, off + 4) & 1);
			acpi_put_int(s, "flags", acpi_r8(c, off + 4));
			acpi_put_int(s, "size", acpi_r8(c, off + 5));
			acpi_put_int(s, "segment", seg);
			acpi_put_hex(s, "register_base_address", base);
			if (!base)
				acpi_error_at(c, off + 8, "DRHD register base address is 0");
			else if (base & 0xfff)
				acpi_error_at(c, off + 8, "DRHD register base 0x%" PRIx64 " is not 4 KiB aligned", base);
			for (size_t i = 0; i < ndrhd; i++)
				if (base && drhds[i].base == base) {
					acpi_error_at(c, off + 8, "DRHD register base 0x%" PRIx64 " is already used by the DRHD at offset 0x%zx",
						 base, drhds[i].off);
					break;
				}
			drhds[ndrhd++] = (struct drhd){ off, seg, acpi_r8(c, off + 4) & 1, base };
			scopes = acpi_put_arr(s, "device_scopes");
			dmar_scopes(c, off + 16, end, seg, name, acpi_r8(c, off + 4) & 1, scopes, &cv);
			break;
		case DMAR_RMRR:
			base = acpi_r64(c, off + 8);
			lim = acpi_r64(c, off + 16);
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
			dmar_scopes(c, off + 24, end, seg, name, false, scopes, NULL);
			if (!json_object_array_length(scopes))
				acpi_warn_at(c, off, "RMRR has no device scope: it reserves memory for no device");
			break;
		case DMAR_ATSR:
		case DMAR_SATC:
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
			if (type == DMAR_ATSR && (acpi_r8(c, off + 4) & 1) &&
			    json_object_array_length(scopes))
				acpi_warn_at(c, off, "ATSR has ALL_PORTS set and still lists device scopes");
			break;
		case DMAR_SIDP:
			acpi_put_int(s, "segment", seg);
			if (acpi_r16(c, off + 4))
				acpi_warn_at(c, off + 4, "SIDP reserved field is 0x%04x, not 0", acpi_r16(c, off + 4));
			scopes = acpi_put_arr(s, "device_scopes");
			dmar_scopes(c, off + 8, end, seg, name, false, scopes, NULL);
			break;
		case DMAR_RHSA:
			base = acpi_r64(c, off + 8);
			acpi_put_hex(s, "register_base_address", base);
			acpi_put_int(s, "proximity_domain", acpi_r32(c, off + 16));
			if (acpi_r32(c, off + 4))
				acpi_warn_at(c, off + 4, "RHSA reserved field is 0x%08x, not 0", acpi_r32(c, off + 4));
			rhsa[nrhsa] = base;
			rhsa_off[nrhsa++] = off;
			break;
		case DMAR_ANDD: {
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
			break;
		}
		}
next:
		if (past)
			break;
		off += slen;
	}

	/* INCLUDE_PCI_ALL: one per segment, the last DRHD of its segment */
	for (size_t i = 0; i < ndrhd; i++) {
		bool first_all = drhds[i].all;

		if (!drhds[i].all)
			continue;
		for (size_t j = 0; j < i; j++)
			if (drhds[j].all && drhds[j].seg == drhds[i].seg) {
				acpi_error_at(c, drhds[i].off, "second INCLUDE_PCI_ALL DRHD for segment %u (the first is at offset 0x%zx)",
					 drhds[i].seg, drhds[j].off);
				first_all = false;
				break;
			}
		if (!first_all)
			continue;
		for (size_t j = i + 1; j < ndrhd; j++)
			if (!drhds[j].all && drhds[j].seg == drhds[i].seg) {
				acpi_error_at(c, drhds[i].off, "INCLUDE_PCI_ALL DRHD for segment %u is not the last DRHD of its segment (another follows at offset 0x%zx)",
					 drhds[i].seg, drhds[j].off);
				break;
			}
	}
	for (size_t i = 0; i < nrhsa; i++) {
		size_t j;

		for (j = 0; j < ndrhd && drhds[j].base != rhsa[i]; j++)
			;
		if (j == ndrhd)
			acpi_warn_at(c, rhsa_off[i] + 8, "RHSA register base 0x%" PRIx64 " matches no DRHD", rhsa[i]);
	}
	if (!ndrhd && c->nerr == 0)
		acpi_error_at(c, 48, "DMAR has no DRHD");

	/* every PCI function of the machine under some DRHD */
	for (size_t i = 0; c->have_pci && ndrhd && i < c->npci; i++) {
		const struct acpi_pci_fn *p = &c->pci[i];
		bool ok = false;
		char b[16];

		for (size_t j = 0; j < ndrhd && !ok; j++)
			ok = drhds[j].all && drhds[j].seg == p->seg;
		for (int depth = 0; !ok && p && depth < 256; depth++) {
			ok = acpi_covered(&cv, p->seg, p->id, depth ? 2 : -1);
			p = acpi_pci_parent(c, p);
		}
		if (ok)
			continue;
		acpi_fmt_bdf(b, sizeof(b), c->pci[i].seg, c->pci[i].id);
		acpi_error_at(c, 48, "PCI device %s is in no DRHD device scope", b);
	}
out:
	free(cv.v);
	free(drhds);
	free(rhsa);
	free(rhsa_off);
}

/* ---- IVRS -------------------------------------------------------------------- */

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
	struct acpi_covers cv;
	uint16_t *iommus;    /* seg << 16 would not fit: parallel arrays */
	uint16_t *iommu_seg;
	size_t niommu;
	uint16_t *all_seg;
	size_t nall;
};

static void ivhd_entries(struct acpi_ctx *c, size_t e, size_t end, uint16_t seg,
			 json_object *arr, struct ivrs_state *st)
{
	size_t pend_off = 0;
	uint16_t pend_id = 0;
	bool pending = false;

	while (e < end) {
		uint8_t t = acpi_r8(c, e);
		uint16_t id = acpi_r16(c, e + 1);
		size_t elen;
		json_object *o;
		char b[16];

		if (t < 0x80) {
			elen = 4u << (t >> 6);
		} else if (t == 0xf0) {
			if (end - e < 22) {
				acpi_error_at(c, e, "ACPI HID device entry needs 22 bytes, %zu left in the IVHD",
					 end - e);
				break;
			}
			elen = 22u + acpi_r8(c, e + 21);
		} else {
			acpi_error_at(c, e, "device entry type 0x%02x has no defined length: the rest of the IVHD cannot be walked",
				 t);
			break;
		}
		if (elen > end - e) {
			acpi_error_at(c, e, "device entry type 0x%02x (%zu bytes) runs past the end of its IVHD",
				 t, elen);
			break;
		}
		if (pending && t != 4 && t != 0 && t != 64) {
			acpi_error_at(c, pend_off, "start of range entry is not followed by an end of range entry");
			pending = false;
		}
		o = json_object_new_object();
		json_object_array_add(arr, o);
		acpi_put_int(o, "type", t);
		acpi_put_str(o, "name", ivhd_entry_name(t));
		acpi_put_int(o, "offset", (int64_t)e);
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
			pending = true;
			pend_off = e;
			pend_id = id;
			break;
		case 4:
			acpi_put_bdf(o, "bdf", seg, id);
			if (!pending) {
				acpi_error_at(c, e, "end of range entry without a start of range entry");
				break;
			}
			pending = false;
			if (id < pend_id) {
				char a[16];

				acpi_fmt_bdf(a, sizeof(a), seg, pend_id);
				acpi_fmt_bdf(b, sizeof(b), seg, id);
				acpi_error_at(c, e + 1, "end of range %s is below its start %s", b, a);
				break;
			} else {
				json_object *r = acpi_put_obj(o, "range");

				acpi_put_bdf(r, "first", seg, pend_id);
				acpi_put_bdf(r, "last", seg, id);
				acpi_cover_add(&st->cv, seg, pend_id, id, 0);
			}
			break;
		case 72: {
			uint8_t v = acpi_r8(c, e + 7);

			acpi_put_int(o, "dte_setting", acpi_r8(c, e + 3));
			acpi_put_int(o, "handle", acpi_r8(c, e + 4));
			acpi_put_bdf(o, "source_bdf", seg, acpi_r16(c, e + 5));
			acpi_put_str(o, "variety", v == 1 ? "ioapic" : v == 2 ? "hpet" : "reserved");
			if (v != 1 && v != 2)
				acpi_error_at(c, e + 7, "special entry variety %u is neither IOAPIC (1) nor HPET (2)", v);
			break;
		}
		case 0xf0: {
			uint8_t fmt = acpi_r8(c, e + 20), ulen = acpi_r8(c, e + 21);

			acpi_put_bdf(o, "bdf", seg, id);
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
			break;
		}
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
		e += elen;
	}
	if (pending)
		acpi_error_at(c, pend_off, "start of range entry is not followed by an end of range entry");
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

void acpi_ivrs(struct acpi_ctx *c)
{
	struct ivrs_state st = { 0 };
	uint8_t rev = acpi_r8(c, 8);
	uint32_t info;
	json_object *io, *arr;
	size_t off = 48, nblk = c->len / 4 + 1;

	if (c->len < 48) {
		acpi_error_at(c, c->len, "IVRS ends after %zu bytes, inside its 48-byte header", c->len);
		return;
	}
	if (rev < 1 || rev > 2)
		acpi_error_at(c, 8, "revision %u: IVRS revisions are 1 and 2", rev);
	info = acpi_r32(c, 36);
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
	arr = acpi_put_arr(c->out, "blocks");
	st.iommus = calloc(nblk, sizeof(*st.iommus));
	st.iommu_seg = calloc(nblk, sizeof(*st.iommu_seg));
	st.all_seg = calloc(nblk, sizeof(*st.all_seg));
	if (!st.iommus || !st.iommu_seg || !st.all_seg)
		goto out;

	while (off < c->len) {
		size_t end;
		uint8_t type = acpi_r8(c, off);
		uint16_t blen = acpi_r16(c, off + 2);
		bool past = false;
		json_object *o;
		char t[8];

		end = acpi_subtable_end(c, off, "block", &past);
		if (!end)
			break;
		o = json_object_new_object();
		json_object_array_add(arr, o);
		snprintf(t, sizeof(t), "0x%02x", type);
		acpi_put_str(o, "type", t);
		acpi_put_int(o, "offset", (int64_t)off);
		acpi_put_int(o, "length", blen);
		switch (type) {
		case 0x40:
			if (rev != 2)
				acpi_error_at(c, off, "IVHD type 0x40 needs IVRS revision 2, the table has %u", rev);
			/* fall through */
		case 0x10:
		case 0x11:
			ivhd(c, off, end, type, o, &st);
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
		if (past)
			break;
		off += blen;
	}
	if (!st.niommu && c->nerr == 0)
		acpi_error_at(c, 48, "IVRS has no IVHD block");

	for (size_t i = 0; c->have_pci && st.niommu && i < c->npci; i++) {
		const struct acpi_pci_fn *p = &c->pci[i];
		bool ok = acpi_covered(&st.cv, p->seg, p->id, -1);
		char b[16];

		for (size_t j = 0; j < st.nall && !ok; j++)
			ok = st.all_seg[j] == p->seg;
		for (size_t j = 0; j < st.niommu && !ok; j++)
			ok = st.iommu_seg[j] == p->seg && st.iommus[j] == p->id;
		if (ok)
			continue;
		acpi_fmt_bdf(b, sizeof(b), p->seg, p->id);
		acpi_error_at(c, 48, "PCI device %s is covered by no IVHD device entry", b);
	}
out:
	free(st.cv.v);
	free(st.iommus);
	free(st.iommu_seg);
	free(st.all_seg);
}

/* ---- IORT -------------------------------------------------------------------- */

enum {
	IORT_ITS, IORT_NC, IORT_RC, IORT_SMMU, IORT_SMMUV3, IORT_PMCG, IORT_RMR, IORT_IWB,
	IORT_NTYPES
};

static const char *const iort_names[IORT_NTYPES] = {
	"its_group", "named_component", "root_complex", "smmu", "smmuv3", "pmcg", "rmr", "iwb",
};
/* The newest node revision of each type this parser knows (FWTS's limits, DEN0049 E.f). */
static const uint8_t iort_max_rev[IORT_NTYPES] = { 1, 4, 4, 3, 5, 2, 3, 1 };

struct iort_node {
	size_t off, len;
	uint8_t type;
	json_object *obj;
};

struct region {
	const char *name;
	size_t start, len;
};

struct idmap {
	uint32_t base, count, out_base, out_ref, flags;
	unsigned int idx;
};

static const char *iort_type_name(uint8_t t)
{
	return t < IORT_NTYPES ? iort_names[t] : "unknown";
}

static const struct iort_node *iort_find(const struct iort_node *nodes, size_t n, uint32_t off)
{
	for (size_t i = 0; i < n; i++)
		if (nodes[i].off == off)
			return &nodes[i];
	return NULL;
}

static int idmap_cmp(const void *a, const void *b)
{
	const struct idmap *x = a, *y = b;

	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Memory access properties (Table 14) at o: shared by named components and root complexes. */
static void iort_mem_props(struct acpi_ctx *c, size_t o, json_object *obj)
{
	uint32_t cca = acpi_r32(c, o);
	uint8_t hints = acpi_r8(c, o + 4), mf = acpi_r8(c, o + 7);

	acpi_put_int(obj, "cca", cca);
	acpi_put_int(obj, "allocation_hints", hints);
	acpi_put_int(obj, "memory_access_flags", mf);
	if (cca > 1)
		acpi_error_at(c, o, "cache coherent attribute %u is neither 0 nor 1", cca);
	if (hints & 0xf0)
		acpi_warn_at(c, o + 4, "allocation hints reserved bits 0x%02x set", hints & 0xf0);
	if (acpi_r16(c, o + 5))
		acpi_warn_at(c, o + 5, "memory access properties reserved field is 0x%04x, not 0",
			acpi_r16(c, o + 5));
	if (mf & 0xf8)
		acpi_warn_at(c, o + 7, "memory access flags reserved bits 0x%02x set", mf & 0xf8);
	if (cca == 1 && !(mf & 1))
		acpi_error_at(c, o + 7, "memory access flags: CCA is 1 but CPM is 0");
	if (cca == 0 && (mf & 3) == 3)
		acpi_error_at(c, o + 7, "memory access flags: CCA is 0 but CPM and DACS are 1");
}

/* An array inside a node: inside it, and not over anything already placed. */
static bool iort_region(struct acpi_ctx *c, const struct iort_node *n, struct region *r, size_t *nr,
			const char *name, size_t field, uint64_t start, uint64_t len)
{
	if (!len)
		return false;
	if (start > n->len || len > n->len - start) {
		acpi_error_at(c, n->off + field, "%s (%" PRIu64 " bytes at node offset %" PRIu64 ") runs past the end of the %zu-byte node",
			 name, len, start, n->len);
		return false;
	}
	for (size_t i = 0; i < *nr; i++)
		if (start < r[i].start + r[i].len && r[i].start < start + len) {
			acpi_error_at(c, n->off + field, "%s at node offset %" PRIu64 " overlaps the node's %s",
				 name, start, r[i].name);
			return false;
		}
	r[(*nr)++] = (struct region){ name, (size_t)start, (size_t)len };
	return true;
}

static void iort_rc_coverage(struct acpi_ctx *c, const struct iort_node *n, const struct iort_node *nodes,
			     size_t nn, const struct idmap *m, size_t nm, json_object *obj)
{
	uint32_t seg = acpi_r32(c, n->off + 28);
	json_object *cov = acpi_put_arr(obj, "pci_coverage");
	char list[MAX_LISTED_RIDS * 32] = "";
	unsigned int missing = 0;

	for (size_t i = 0; i < c->npci; i++) {
		const struct acpi_pci_fn *p = &c->pci[i];
		const struct idmap *hit = NULL;
		json_object *e;

		if (p->seg != seg)
			continue;
		for (size_t j = 0; j < nm; j++) {
			if (m[j].flags & 1) {
				if (!hit)
					hit = &m[j];
				continue;
			}
			if (p->id < m[j].base || p->id - m[j].base > m[j].count)
				continue;
			/* the end of one range may be the start of the next (off-by-one) */
			if (!hit || (hit->flags & 1) || p->id == m[j].base)
				hit = &m[j];
		}
		if (!hit) {
			char b[16];
			size_t l = strlen(list);

			acpi_fmt_bdf(b, sizeof(b), p->seg, p->id);
			if (missing < MAX_LISTED_RIDS)
				snprintf(list + l, sizeof(list) - l, "%s0x%04x (%s)",
					 missing ? ", " : "", p->id, b);
			missing++;
			continue;
		}
		e = json_object_new_object();
		acpi_put_bdf(e, "bdf", p->seg, p->id);
		acpi_put_int(e, "rid", p->id);
		acpi_put_int(e, "output_reference", hit->out_ref);
		acpi_put_str(e, "output_type",
			iort_find(nodes, nn, hit->out_ref) ?
			iort_type_name(iort_find(nodes, nn, hit->out_ref)->type) : "none");
		acpi_put_int(e, "output_id", (hit->flags & 1) ? hit->out_base
				       : hit->out_base + (p->id - hit->base));
		json_object_array_add(cov, e);
	}
	if (missing > MAX_LISTED_RIDS)
		acpi_error_at(c, n->off + 12, "root complex (segment %u) ID mappings do not cover requester IDs %s and %u more",
			 seg, list, missing - MAX_LISTED_RIDS);
	else if (missing)
		acpi_error_at(c, n->off + 12, "root complex (segment %u) ID mappings do not cover requester ID%s %s",
			 seg, missing > 1 ? "s" : "", list);
}

static void iort_node(struct acpi_ctx *c, const struct iort_node *nodes, size_t nn, size_t k)
{
	const struct iort_node *n = &nodes[k];
	size_t o = n->off, fixed = 16;
	uint8_t t = n->type, rev = acpi_r8(c, o + 3);
	uint32_t count = acpi_r32(c, o + 8), moff = acpi_r32(c, o + 12);
	const char *name = iort_type_name(t);
	json_object *obj = n->obj, *maps;
	struct region reg[8];
	size_t nreg = 0, nm = 0;
	struct idmap *m = NULL;
	int msi_index = -1;

	acpi_put_str(obj, "type", name);
	acpi_put_int(obj, "type_id", t);
	acpi_put_int(obj, "offset", (int64_t)o);
	acpi_put_int(obj, "length", (int64_t)n->len);
	acpi_put_int(obj, "revision", rev);
	acpi_put_int(obj, "identifier", acpi_r32(c, o + 4));
	acpi_put_int(obj, "mapping_count", count);
	acpi_put_int(obj, "mapping_offset", moff);
	maps = acpi_put_arr(obj, "id_mappings");

	switch (t) {
	case IORT_ITS: fixed = 20; break;
	case IORT_NC: fixed = 30; break;    /* 29 + at least the name's NUL */
	case IORT_RC: fixed = rev ? 36 : 32; break;
	case IORT_SMMU: fixed = 60; break;
	case IORT_SMMUV3: fixed = rev ? 68 : 60; break;
	case IORT_PMCG: fixed = rev ? 40 : 32; break;
	case IORT_RMR: fixed = 28; break;
	case IORT_IWB: fixed = 27; break;
	default:
		acpi_error_at(c, o, "node type %u is reserved", t);
		return;
	}
	if (rev > iort_max_rev[t])
		acpi_warn_at(c, o + 3, "%s node revision %u is newer than the revisions this parser knows (up to %u)",
			name, rev, iort_max_rev[t]);
	if (n->len < fixed) {
		acpi_error_at(c, o + 1, "%s node length %zu is smaller than its %zu-byte minimum (revision %u)",
			 name, n->len, fixed, rev);
		return;
	}
	if (t == IORT_NC)
		fixed = 29;
	reg[nreg++] = (struct region){ "fixed fields", 0, fixed };

	/* ID mappings */
	if (t == IORT_ITS && count)
		acpi_error_at(c, o + 8, "ITS group node has %u ID mappings; it must have none", count);
	else if (count && iort_region(c, n, reg, &nreg, "ID mapping array", 12, moff,
				      (uint64_t)count * 20)) {
		nm = count;
	} else if (count && moff >= fixed && moff < n->len) {
		nm = (n->len - moff) / 20;      /* the mappings that do fit */
	}
	if (nm)
		m = calloc(nm, sizeof(*m));
	if (!m)
		nm = 0;
	for (size_t j = 0; j < nm; j++) {
		size_t a = o + moff + 20 * j;
		json_object *e = json_object_new_object();
		const struct iort_node *to;

		m[j] = (struct idmap){ acpi_r32(c, a), acpi_r32(c, a + 4), acpi_r32(c, a + 8), acpi_r32(c, a + 12),
				       acpi_r32(c, a + 16), (unsigned int)j };
		acpi_put_int(e, "offset", (int64_t)a);
		acpi_put_int(e, "input_base", m[j].base);
		acpi_put_int(e, "id_count", m[j].count);
		acpi_put_int(e, "output_base", m[j].out_base);
		acpi_put_int(e, "output_reference", m[j].out_ref);
		acpi_put_int(e, "flags", m[j].flags);
		acpi_put_bool(e, "single", m[j].flags & 1);
		json_object_array_add(maps, e);
		if (m[j].flags & ~1u)
			acpi_warn_at(c, a + 16, "ID mapping %zu: reserved flag bits 0x%x set", j, m[j].flags & ~1u);
		to = iort_find(nodes, nn, m[j].out_ref);
		if (!to)
			acpi_error_at(c, a + 12, "ID mapping %zu: output reference 0x%x points at no node", j,
				 m[j].out_ref);
		else if (to == n)
			acpi_error_at(c, a + 12, "ID mapping %zu: output reference points back at its own node", j);
		else if (to->type != IORT_ITS && to->type != IORT_SMMU && to->type != IORT_SMMUV3)
			acpi_error_at(c, a + 12, "ID mapping %zu: output reference 0x%x is a %s node, which takes no input IDs",
				 j, m[j].out_ref, iort_type_name(to->type));
		if (to)
			acpi_put_str(e, "output_type", iort_type_name(to->type));
		if ((m[j].flags & 1) && (t == IORT_SMMU || t == IORT_RMR))
			acpi_warn_at(c, a + 16, "ID mapping %zu: single-mapping flag on a %s node (Linux ignores such a mapping)",
				j, name);
		if (!(m[j].flags & 1) && (uint64_t)m[j].base + m[j].count > 0xffffffffull)
			acpi_error_at(c, a + 4, "ID mapping %zu: input range 0x%x + 0x%x passes 2^32", j,
				 m[j].base, m[j].count);
	}

	/* type-specific fields */
	switch (t) {
	case IORT_ITS: {
		uint32_t its = acpi_r32(c, o + 16);
		json_object *ids = acpi_put_arr(obj, "its_ids");

		acpi_put_int(obj, "its_count", its);
		if (!its)
			acpi_error_at(c, o + 16, "ITS group lists no ITS");
		else if (iort_region(c, n, reg, &nreg, "ITS identifier array", 16, 20, (uint64_t)its * 4))
			for (uint32_t i = 0; i < its; i++)
				json_object_array_add(ids, json_object_new_int64(acpi_r32(c, o + 20 + 4 * i)));
		break;
	}
	case IORT_NC: {
		size_t lim = n->len, nul = 29;

		acpi_put_int(obj, "node_flags", acpi_r32(c, o + 16));
		iort_mem_props(c, o + 20, obj);
		acpi_put_int(obj, "memory_address_limit", acpi_r8(c, o + 28));
		if (count && moff > 29 && moff < lim)
			lim = moff;
		while (nul < lim && acpi_r8(c, o + nul))
			nul++;
		acpi_put_text(obj, "device_name", c, o + 29, nul - 29 < 63 ? nul - 29 : 63);
		if (nul == lim)
			acpi_error_at(c, o + 29, "named component object name is not NUL-terminated inside the node");
		else if (nul == 29)
			acpi_error_at(c, o + 29, "named component has an empty object name");
		if (acpi_r32(c, o + 16) & ~0x3fu)
			acpi_warn_at(c, o + 16, "named component node flags reserved bits 0x%08x set",
				acpi_r32(c, o + 16) & ~0x3fu);
		break;
	}
	case IORT_RC: {
		uint32_t ats = acpi_r32(c, o + 24);
		json_object *ao;

		iort_mem_props(c, o + 16, obj);
		ao = acpi_put_obj(obj, "ats_attribute");
		acpi_put_bool(ao, "ats", ats & 1);
		acpi_put_bool(ao, "pri", ats & 2);
		acpi_put_bool(ao, "pasid_forwarding", ats & 4);
		if (ats & ~7u)
			acpi_warn_at(c, o + 24, "ATS attribute reserved bits 0x%08x set", ats & ~7u);
		acpi_put_int(obj, "pci_segment", acpi_r32(c, o + 28));
		if (rev >= 1)
			acpi_put_int(obj, "memory_address_limit", acpi_r8(c, o + 32));
		if (rev >= 3) {
			acpi_put_int(obj, "pasid_capabilities", acpi_r16(c, o + 33));
			if (acpi_r16(c, o + 33) & ~0x1fu)
				acpi_warn_at(c, o + 33, "PASID capabilities reserved bits 0x%04x set",
					acpi_r16(c, o + 33) & ~0x1fu);
		}
		if (rev >= 4 && n->len >= 40 && (!count || moff >= 40))
			acpi_put_int(obj, "flags", acpi_r32(c, o + 36));
		if (!count)
			acpi_error_at(c, o + 8, "root complex node has no ID mappings: no device behind it can be translated");
		if (c->have_pci)
			iort_rc_coverage(c, n, nodes, nn, m, nm, obj);
		break;
	}
	case IORT_SMMU: {
		uint64_t base = acpi_r64(c, o + 16);
		uint32_t model = acpi_r32(c, o + 32), fl = acpi_r32(c, o + 36);
		uint32_t gi = acpi_r32(c, o + 40), nctx = acpi_r32(c, o + 44), ctx = acpi_r32(c, o + 48);
		uint32_t npmu = acpi_r32(c, o + 52), pmu = acpi_r32(c, o + 56);

		acpi_put_hex(obj, "base_address", base);
		acpi_put_hex(obj, "span", acpi_r64(c, o + 24));
		acpi_put_int(obj, "model", model);
		acpi_put_int(obj, "flags", fl);
		acpi_put_int(obj, "context_interrupt_count", nctx);
		acpi_put_int(obj, "pmu_interrupt_count", npmu);
		if (base & 0xfff)
			acpi_error_at(c, o + 16, "SMMU base address 0x%" PRIx64 " is not 4 KiB aligned", base);
		if (model > 5)
			acpi_error_at(c, o + 32, "SMMU model %u is not one the IORT specification names (0-5)", model);
		if (fl & ~3u)
			acpi_warn_at(c, o + 36, "SMMU flags reserved bits 0x%08x set", fl & ~3u);
		iort_region(c, n, reg, &nreg, "global interrupt array", 40, gi, 16);
		iort_region(c, n, reg, &nreg, "context interrupt array", 48, ctx, (uint64_t)nctx * 8);
		iort_region(c, n, reg, &nreg, "PMU interrupt array", 56, pmu, (uint64_t)npmu * 8);
		break;
	}
	case IORT_SMMUV3: {
		uint64_t base = acpi_r64(c, o + 16);
		uint32_t fl = acpi_r32(c, o + 24), model = acpi_r32(c, o + 40);
		json_object *fo;
		bool gsiv = acpi_r32(c, o + 44) && acpi_r32(c, o + 48) && acpi_r32(c, o + 52) && acpi_r32(c, o + 56);

		acpi_put_hex(obj, "base_address", base);
		fo = acpi_put_obj(obj, "flags");
		acpi_put_bool(fo, "coherent_access_override", fl & 1);
		acpi_put_int(fo, "httu_override", (fl >> 1) & 3);
		acpi_put_bool(fo, "proximity_domain_valid", fl & 8);
		acpi_put_bool(fo, "device_id_valid", fl & 16);
		acpi_put_hex(obj, "vatos_address", acpi_r64(c, o + 32));
		acpi_put_int(obj, "model", model);
		acpi_put_int(obj, "event_gsiv", acpi_r32(c, o + 44));
		acpi_put_int(obj, "pri_gsiv", acpi_r32(c, o + 48));
		acpi_put_int(obj, "gerr_gsiv", acpi_r32(c, o + 52));
		acpi_put_int(obj, "sync_gsiv", acpi_r32(c, o + 56));
		if (!base)
			acpi_error_at(c, o + 16, "SMMUv3 base address is 0");
		else if (base & 0xffff)
			acpi_error_at(c, o + 16, "SMMUv3 base address 0x%" PRIx64 " is not 64 KiB aligned", base);
		if (fl & ~0x1fu)
			acpi_warn_at(c, o + 24, "SMMUv3 flags reserved bits 0x%08x set", fl & ~0x1fu);
		if (acpi_r32(c, o + 28))
			acpi_warn_at(c, o + 28, "SMMUv3 reserved field is 0x%08x, not 0", acpi_r32(c, o + 28));
		if (model > 2)
			acpi_error_at(c, o + 40, "SMMUv3 model %u is not one the IORT specification names (0-2)", model);
		if (rev >= 1) {
			uint32_t idx = acpi_r32(c, o + 64);

			acpi_put_int(obj, "proximity_domain", acpi_r32(c, o + 60));
			acpi_put_int(obj, "device_id_mapping_index", idx);
			/* ignored when every interrupt is a GSIV (Linux iort_get_id_mapping_index) */
			if (!gsiv) {
				if (idx >= count)
					acpi_error_at(c, o + 64, "SMMUv3 DeviceID mapping index %u is beyond its %u ID mappings",
						 idx, count);
				else if (idx < nm && !(m[idx].flags & 1))
					acpi_error_at(c, o + 64, "SMMUv3 DeviceID mapping %u (for MSIs) lacks the single-mapping flag",
						 idx);
				else
					msi_index = (int)idx;
			}
		}
		break;
	}
	case IORT_PMCG: {
		uint32_t ref = acpi_r32(c, o + 28);

		acpi_put_hex(obj, "page0_base_address", acpi_r64(c, o + 16));
		acpi_put_int(obj, "overflow_gsiv", acpi_r32(c, o + 24));
		acpi_put_int(obj, "node_reference", ref);
		if (rev >= 1)
			acpi_put_hex(obj, "page1_base_address", acpi_r64(c, o + 32));
		if (ref && !iort_find(nodes, nn, ref))
			acpi_error_at(c, o + 28, "PMCG node reference 0x%x points at no node", ref);
		if (!acpi_r32(c, o + 24) && nm)
			msi_index = 0;
		break;
	}
	case IORT_RMR: {
		uint32_t fl = acpi_r32(c, o + 16), nd = acpi_r32(c, o + 20), doff = acpi_r32(c, o + 24);
		json_object *ds = acpi_put_arr(obj, "memory_ranges");

		acpi_put_int(obj, "flags", fl);
		acpi_put_int(obj, "range_count", nd);
		if (fl & ~0x3ffu)
			acpi_warn_at(c, o + 16, "RMR flags reserved bits 0x%08x set", fl & ~0x3ffu);
		if (!nd) {
			acpi_error_at(c, o + 20, "RMR node has no memory range descriptor");
			break;
		}
		if (!iort_region(c, n, reg, &nreg, "memory range descriptor array", 24, doff,
				 (uint64_t)nd * 20))
			break;
		for (uint32_t i = 0; i < nd; i++) {
			size_t a = o + doff + 20 * i;
			uint64_t base = acpi_r64(c, a), len = acpi_r64(c, a + 8);
			json_object *d = json_object_new_object();

			acpi_put_int(d, "offset", (int64_t)a);
			acpi_put_hex(d, "base_address", base);
			acpi_put_hex(d, "length", len);
			json_object_array_add(ds, d);
			if (!len)
				acpi_error_at(c, a + 8, "RMR range %u has length 0", i);
			else if ((base | len) & 0xffff)
				acpi_warn_at(c, a, "RMR range %u (0x%" PRIx64 "+0x%" PRIx64 ") is not 64 KiB aligned",
					i, base, len);
			if (acpi_r32(c, a + 16))
				acpi_warn_at(c, a + 16, "RMR range %u reserved field is not 0", i);
		}
		break;
	}
	case IORT_IWB: {
		size_t nul = 26;

		acpi_put_hex(obj, "base_address", acpi_r64(c, o + 16));
		acpi_put_int(obj, "iwb_index", acpi_r16(c, o + 24));
		while (nul < n->len && acpi_r8(c, o + nul))
			nul++;
		acpi_put_text(obj, "device_name", c, o + 26, nul - 26 < 63 ? nul - 26 : 63);
		if (nul == n->len)
			acpi_error_at(c, o + 26, "IWB object name is not NUL-terminated inside the node");
		break;
	}
	}

	/* overlapping input ranges (the MSI DeviceID mapping and single mappings aside) */
	if (nm > 1) {
		struct idmap *s = calloc(nm, sizeof(*s));
		size_t ns = 0;

		for (size_t j = 0; s && j < nm; j++)
			if (!(m[j].flags & 1) && (int)j != msi_index)
				s[ns++] = m[j];
		if (ns > 1) {
			const struct idmap *top;
			uint64_t top_end;

			qsort(s, ns, sizeof(*s), idmap_cmp);
			top = &s[0];
			top_end = (uint64_t)s[0].base + s[0].count;
			for (size_t j = 1; j < ns; j++) {
				uint64_t end = (uint64_t)s[j].base + s[j].count;

				if (s[j].base == top_end && top->count)
					acpi_warn_at(c, o + moff + 20 * s[j].idx,
						"ID mappings %u and %u overlap at input ID 0x%x only: id_count is read as a count, not the count minus one (Linux works around this)",
						top->idx, s[j].idx, s[j].base);
				else if (s[j].base < top_end || (s[j].base == top_end && !top->count))
					acpi_error_at(c, o + moff + 20 * s[j].idx,
						 "ID mappings %u and %u overlap: input IDs 0x%x-0x%" PRIx64 " and 0x%x-0x%" PRIx64,
						 top->idx, s[j].idx, top->base, top_end, s[j].base, end);
				if (end > top_end) {
					top = &s[j];
					top_end = end;
				}
			}
		}
		free(s);
	}
	free(m);
}

void acpi_iort(struct acpi_ctx *c)
{
	uint32_t count, noff;
	struct iort_node *nodes = NULL;
	size_t nn = 0, off;
	json_object *arr;

	if (c->len < 48) {
		acpi_error_at(c, c->len, "IORT ends after %zu bytes, inside its 48-byte header", c->len);
		return;
	}
	count = acpi_r32(c, 36);
	noff = acpi_r32(c, 40);
	acpi_put_int(c->out, "node_count", count);
	acpi_put_int(c->out, "node_offset", noff);
	if (acpi_r32(c, 44))
		acpi_warn_at(c, 44, "reserved field is 0x%08x, not 0", acpi_r32(c, 44));
	arr = acpi_put_arr(c->out, "nodes");
	if (!count) {
		acpi_warn_at(c, 36, "IORT has no nodes");
		return;
	}
	if (noff < 48) {
		acpi_error_at(c, 40, "node array offset %u points into the 48-byte IORT header", noff);
		return;
	}
	if (noff >= c->len) {
		acpi_error_at(c, 40, "node array offset %u is outside the %zu-byte table", noff, c->len);
		return;
	}
	nodes = calloc(c->len / 16 + 1, sizeof(*nodes));
	if (!nodes)
		return;
	off = noff;
	for (uint32_t i = 0; i < count; i++) {
		size_t left = c->len - off, nlen;

		if (off >= c->len) {
			acpi_error_at(c, 36, "node count is %u, but the table ends after %u nodes", count, i);
			break;
		}
		if (left < 16) {
			acpi_error_at(c, off, "%zu byte(s) left, too few for node %u's 16-byte header", left, i);
			break;
		}
		nlen = acpi_r16(c, off + 1);
		if (nlen < 16) {
			acpi_error_at(c, off + 1, "node length %zu is smaller than the 16-byte node header: the rest of the table cannot be walked",
				 nlen);
			break;
		}
		if (nlen > left) {
			acpi_error_at(c, off + 1, "node length %zu runs past the end of the table (%zu bytes left)",
				 nlen, left);
			nodes[nn++] = (struct iort_node){ off, left, acpi_r8(c, off), NULL };
			off = c->len;
			break;
		}
		nodes[nn++] = (struct iort_node){ off, nlen, acpi_r8(c, off), NULL };
		off += nlen;
	}
	if (nn == count && off < c->len)
		acpi_warn_at(c, off, "%zu byte(s) after the last of the %u nodes", c->len - off, count);

	for (size_t i = 0; i < nn; i++) {
		nodes[i].obj = json_object_new_object();
		json_object_array_add(arr, nodes[i].obj);
	}
	for (size_t i = 0; i < nn; i++)
		iort_node(c, nodes, nn, i);

	/* every PCI segment of the machine needs a root complex */
	for (size_t i = 0; c->have_pci && i < c->npci; i++) {
		bool seen = false, dup = false;

		for (size_t j = 0; j < i && !dup; j++)
			dup = c->pci[j].seg == c->pci[i].seg;
		for (size_t j = 0; j < nn && !seen && !dup; j++)
			seen = nodes[j].type == IORT_RC && acpi_r32(c, nodes[j].off + 28) == c->pci[i].seg &&
			       nodes[j].len >= 32;
		if (!seen && !dup) {
			char b[16];

			acpi_fmt_bdf(b, sizeof(b), c->pci[i].seg, c->pci[i].id);
			acpi_error_at(c, 36, "no root complex node for PCI segment %u (device %s)",
				 c->pci[i].seg, b);
		}
	}
	free(nodes);
}

/* ---- one table ------------------------------------------------------------------ */

int lab_acpi_is_iommu_table(const char *s)
{
	return s && (!strcmp(s, "DMAR") || !strcmp(s, "IVRS") || !strcmp(s, "IORT"));
}

json_object *lab_acpi_check(const uint8_t *buf, size_t len, json_object *pci)
{
	struct acpi_ctx c = { .p = buf, .len = buf ? len : 0 };
	char sig[5] = "";
	uint32_t declared;
	uint8_t sum = 0;

	c.out = json_object_new_object();
	c.errors = json_object_new_array();
	c.warnings = json_object_new_array();
	if (!c.out || !c.errors || !c.warnings) {
		json_object_put(c.out);
		json_object_put(c.errors);
		json_object_put(c.warnings);
		return NULL;
	}
	load_pci(&c, pci);
	for (size_t i = 0; i < 4 && i < c.len; i++)
		sig[i] = (buf[i] >= 0x20 && buf[i] < 0x7f) ? (char)buf[i] : '?';
	acpi_put_str(c.out, "signature", sig);
	if (c.len < HDR_LEN) {
		acpi_put_int(c.out, "length", (int64_t)c.len);
		acpi_error_at(&c, 0, "table is %zu bytes, shorter than the 36-byte ACPI header", c.len);
		goto done;
	}
	declared = acpi_r32(&c, 4);
	acpi_put_int(c.out, "length", declared);
	acpi_put_int(c.out, "revision", acpi_r8(&c, 8));
	acpi_put_text(c.out, "oem_id", &c, 10, 6);
	acpi_put_text(c.out, "oem_table_id", &c, 16, 8);
	acpi_put_int(c.out, "oem_revision", acpi_r32(&c, 24));
	acpi_put_text(c.out, "creator_id", &c, 28, 4);
	acpi_put_int(c.out, "creator_revision", acpi_r32(&c, 32));
	if (declared < HDR_LEN) {
		acpi_error_at(&c, 4, "length field %u is smaller than the 36-byte ACPI header", declared);
	} else if (declared > c.len) {
		acpi_error_at(&c, 4, "length field says %u bytes but only %zu are present: the table is truncated",
			 declared, c.len);
	} else {
		if (declared < c.len)
			acpi_warn_at(&c, declared, "%zu byte(s) follow the end of the table (length field %u)",
				c.len - declared, declared);
		c.len = declared;
	}
	for (size_t i = 0; i < c.len; i++)
		sum = (uint8_t)(sum + buf[i]);
	acpi_put_bool(c.out, "checksum_ok", sum == 0);
	if (sum)
		acpi_error_at(&c, 9, "checksum: the table's bytes sum to 0x%02x, not 0 (checksum field 0x%02x, expected 0x%02x)",
			 sum, buf[9], (uint8_t)(buf[9] - sum));

	if (!strcmp(sig, "DMAR")) {
		if (acpi_r8(&c, 8) < 1 || acpi_r8(&c, 8) > 2)
			acpi_warn_at(&c, 8, "revision %u: the VT-d specification's DMAR revisions are 1 and 2",
				acpi_r8(&c, 8));
		acpi_dmar(&c);
	} else if (!strcmp(sig, "IVRS")) {
		acpi_ivrs(&c);
	} else if (!strcmp(sig, "IORT")) {
		if (acpi_r8(&c, 8) > 7)
			acpi_warn_at(&c, 8, "revision %u is newer than the IORT revisions this parser knows (0-7)",
				acpi_r8(&c, 8));
		acpi_iort(&c);
	} else {
		acpi_error_at(&c, 0, "signature '%s' is not DMAR, IVRS or IORT", sig);
	}
done:
	acpi_put_bool(c.out, "valid", c.nerr == 0);
	acpi_put_int(c.out, "error_count", c.nerr);
	acpi_put_int(c.out, "warning_count", c.nwarn);
	json_object_object_add(c.out, "errors", c.errors);
	json_object_object_add(c.out, "warnings", c.warnings);
	if (c.nerr > MAX_FINDINGS || c.nwarn > MAX_FINDINGS)
		acpi_put_bool(c.out, "findings_truncated", true);
	free(c.pci);
	return c.out;
}

/* ---- files: raw tables and acpidump text ------------------------------------------ */

static bool sig_char(uint8_t ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

static bool sig_ok(const uint8_t *p, size_t left)
{
	return left >= 4 && sig_char(p[0]) && sig_char(p[1]) && sig_char(p[2]) && sig_char(p[3]);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int push(struct lab_acpi_tables *t, const char *sig, const uint8_t *data, size_t len,
		unsigned int line, struct lab_error *err)
{
	struct lab_acpi_table *v = realloc(t->v, (t->n + 1) * sizeof(*v));

	if (!v) {
		lab_error_set_errno(err, ENOMEM, "reading tables");
		return -1;
	}
	t->v = v;
	memset(&v[t->n], 0, sizeof(v[t->n]));
	memcpy(v[t->n].signature, sig, 4);
	v[t->n].line = line;
	v[t->n].data = malloc(len ? len : 1);
	if (!v[t->n].data) {
		lab_error_set_errno(err, ENOMEM, "reading tables");
		return -1;
	}
	if (len)
		memcpy(v[t->n].data, data, len);
	v[t->n].len = len;
	t->n++;
	return 0;
}

/* "SIG @ 0x...": the header line acpidump prints before each table. */
static bool dump_header(const char *s, size_t n, char sig[5])
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (n - i < 10)
		return false;
	for (int k = 0; k < 4; k++)
		if (!sig_char((uint8_t)s[i + k]) && s[i + k] != '!')
			return false;
	if (memcmp(s + i + 4, " @ 0x", 5) || lab_hex_digit(s[i + 9]) < 0)
		return false;
	memcpy(sig, s + i, 4);
	sig[4] = '\0';
	for (i += 9; i < n && lab_hex_digit(s[i]) >= 0; i++)
		;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
		i++;
	return i == n;
}

/* "  0000: 44 4D 41 52 ...  DMAR": offset and up to 16 bytes, ASCII column ignored. */
static size_t dump_data(const char *s, size_t n, unsigned long *offset, uint8_t bytes[16])
{
	size_t i = 0, nb = 0, digits = 0;
	unsigned long v = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (; i < n && lab_hex_digit(s[i]) >= 0 && digits < 9; i++, digits++)
		v = v << 4 | (unsigned long)lab_hex_digit(s[i]);
	if (!digits || digits > 8 || i >= n || s[i] != ':')
		return 0;
	i++;
	while (nb < 16 && i + 2 < n && s[i] == ' ' && lab_hex_digit(s[i + 1]) >= 0 &&
	       lab_hex_digit(s[i + 2]) >= 0 && (i + 3 == n || s[i + 3] == ' ' || s[i + 3] == '\r')) {
		bytes[nb++] = (uint8_t)(lab_hex_digit(s[i + 1]) << 4 | lab_hex_digit(s[i + 2]));
		i += 3;
	}
	*offset = v;
	return nb;
}

static int finish_dump_table(struct lab_acpi_tables *out, const char *sig, const uint8_t *buf,
			     size_t len, unsigned int line, struct lab_error *err)
{
	if (!len) {
		lab_error_set(err, "line %u: %s has no hex dump lines", line, sig);
		return -1;
	}
	return push(out, sig, buf, len, line, err);
}

static int split_text(const char *s, size_t len, struct lab_acpi_tables *out,
		      struct lab_error *err)
{
	uint8_t *buf = NULL;
	size_t blen = 0, cap = 0, pos = 0;
	unsigned int lineno = 0, start = 0;
	char sig[5] = "";
	bool in = false;
	int ret = -1;

	while (pos <= len) {
		const char *l = s + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		unsigned long offset;
		uint8_t bytes[16];
		size_t nb;
		char nsig[5];

		lineno++;
		if (n && l[n - 1] == '\r')
			n--;
		if (dump_header(l, n, nsig)) {
			if (in && finish_dump_table(out, sig, buf, blen, start, err) < 0)
				goto out;
			memcpy(sig, nsig, sizeof(sig));
			in = true;
			start = lineno;
			blen = 0;
		} else if (in && (nb = dump_data(l, n, &offset, bytes))) {
			if (offset != blen) {
				lab_error_set(err, "line %u: offset 0x%lx where 0x%zx was expected (lines missing or out of order)",
					      lineno, offset, blen);
				goto out;
			}
			if (blen + nb > cap) {
				size_t ncap = cap ? cap * 2 : 4096;
				uint8_t *nbuf = realloc(buf, ncap);

				if (!nbuf) {
					lab_error_set_errno(err, ENOMEM, "reading the dump");
					goto out;
				}
				buf = nbuf;
				cap = ncap;
			}
			memcpy(buf + blen, bytes, nb);
			blen += nb;
		}
		if (!nl)
			break;
		pos += n + 1 + (l[n] == '\r');
	}
	if (in && finish_dump_table(out, sig, buf, blen, start, err) < 0)
		goto out;
	ret = 0;
out:
	free(buf);
	return ret;
}

static bool has_dump_header(const uint8_t *buf, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *l = (const char *)buf + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		char sig[5];

		if (dump_header(l, n && l[n - 1] == '\r' ? n - 1 : n, sig))
			return true;
		pos += n + 1;
	}
	return false;
}

void lab_acpi_tables_free(struct lab_acpi_tables *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].data);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

int lab_acpi_split(const uint8_t *buf, size_t len, struct lab_acpi_tables *out,
		   struct lab_error *err)
{
	size_t off = 0;
	char sig[5] = "";

	out->v = NULL;
	out->n = 0;
	if (!len) {
		lab_error_set(err, "empty input");
		return -1;
	}
	if (has_dump_header(buf, len) &&
	    !(sig_ok(buf, len) && len >= 8 && le32(buf + 4) >= HDR_LEN && le32(buf + 4) <= len)) {
		if (split_text((const char *)buf, len, out, err) < 0) {
			lab_acpi_tables_free(out);
			return -1;
		}
		if (out->n)
			return 0;
	}
	memcpy(sig, buf, len < 4 ? len : 4);
	if (!sig_ok(buf, len) ||
	    (!lab_acpi_is_iommu_table(sig) &&
	     (len < 8 || le32(buf + 4) < HDR_LEN || le32(buf + 4) > len))) {
		lab_error_set(err, "neither an ACPI table (no signature and length at its start) nor acpidump text (no 'SIG @ 0x...' line)");
		return -1;
	}
	while (off < len) {
		size_t left = len - off, tlen = left;

		if (left >= 8) {
			uint32_t l = le32(buf + off + 4);

			/* a table follows only if the bytes after this one look like one */
			if (l >= HDR_LEN && l < left && sig_ok(buf + off + l, left - l) &&
			    left - l >= 8 && le32(buf + off + l + 4) >= HDR_LEN)
				tlen = l;
		}
		memcpy(sig, buf + off, 4);
		for (int k = 0; k < 4; k++)
			if (!sig_char((uint8_t)sig[k]))
				sig[k] = '?';
		if (push(out, sig, buf + off, tlen, 0, err) < 0) {
			lab_acpi_tables_free(out);
			return -1;
		}
		off += tlen;
	}
	return 0;
}

int lab_acpi_read_file(const char *path, struct lab_acpi_tables *out, struct lab_error *err)
{
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	struct stat st;
	int fd, ret = -1;

	out->v = NULL;
	out->n = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		lab_error_set_errno(err, errno, "%s", path);
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > LAB_ACPI_FILE_MAX) {
		lab_error_set(err, "%s: %lld bytes, more than the %u MiB a table file may have", path,
			      (long long)st.st_size, LAB_ACPI_FILE_MAX >> 20);
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			uint8_t *nbuf;

			if (cap > LAB_ACPI_FILE_MAX) {
				lab_error_set(err, "%s: more than the %u MiB a table file may have", path,
					      LAB_ACPI_FILE_MAX >> 20);
				goto out;
			}
			nbuf = realloc(buf, ncap);
			if (!nbuf) {
				lab_error_set_errno(err, ENOMEM, "%s", path);
				goto out;
			}
			buf = nbuf;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			lab_error_set_errno(err, errno, "%s", path);
			goto out;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	if (len > LAB_ACPI_FILE_MAX) {
		lab_error_set(err, "%s: more than the %u MiB a table file may have", path,
			      LAB_ACPI_FILE_MAX >> 20);
		goto out;
	}
	if (!len) {
		lab_error_set(err, "%s: empty file", path);
		goto out;
	}
	ret = lab_acpi_split(buf, len, out, err);
	if (ret < 0)
		lab_error_prefix(err, "%s", path);
out:
	close(fd);
	free(buf);
	return ret;
}

int lab_acpi_hex_decode(const char *hex, uint8_t **out, size_t *len, struct lab_error *err)
{
	size_t n = hex ? strlen(hex) : 0;
	uint8_t *b;

	*out = NULL;
	*len = 0;
	if (!hex || n % 2) {
		lab_error_set(err, "table hex has an odd number of digits");
		return -1;
	}
	b = malloc(n / 2 ? n / 2 : 1);
	if (!b) {
		lab_error_set_errno(err, ENOMEM, "decoding a table");
		return -1;
	}
	for (size_t i = 0; i < n; i += 2) {
		int hi = lab_hex_digit(hex[i]), lo = lab_hex_digit(hex[i + 1]);

		if (hi < 0 || lo < 0) {
			lab_error_set(err, "table hex: not a hex digit at position %zu", hi < 0 ? i : i + 1);
			free(b);
			return -1;
		}
		b[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*out = b;
	*len = n / 2;
	return 0;
}
