/* SPDX-License-Identifier: MIT */
#ifndef LAB_ACPI_INTERNAL_H
#define LAB_ACPI_INTERNAL_H

/*
 * What the ACPI table parsers share, and nothing else includes: the reader
 * in acpi.c (the ACPI header and checksum, bounds-checked reads, findings,
 * subtable walking, JSON output helpers, the machine's PCI functions, ID
 * sets; also files and acpidump text) and one file per table: acpi_dmar.c,
 * acpi_ivrs.c, acpi_iort.c. The public API is acpi.h.
 *
 * Names shared between these files start with acpi_; each file's own
 * helpers are static and unprefixed.
 *
 * Every read goes through acpi_rd(), which answers 0 outside the table, and
 * every loop advances by at least the 4- or 16-byte header it has checked,
 * so any bytes terminate. Findings carry the offset from the table's start
 * and a fixed message; errors are what FWTS fails or the kernel refuses or
 * mis-parses, warnings what it tolerates (reserved bits, spec revisions it
 * does not know, the IORT id_count off-by-one it works around).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json.h>

/* ---- context, reads, findings (acpi.c) ------------------------------------ */

/* One PCI function of the machine (the pci list lab_acpi_check() is given). */
struct acpi_pci_fn {
	uint16_t seg;
	uint16_t id;         /* bus << 8 | dev << 3 | fn */
	int secondary;       /* bridges: secondary bus; -2 bridge, bus unknown; -1 not a bridge */
};

/* One table being checked. */
struct acpi_ctx {
	const uint8_t *p;
	size_t len;          /* what may be parsed: min(buffer, length field) */
	json_object *out, *errors, *warnings;
	unsigned int nerr, nwarn;
	struct acpi_pci_fn *pci;
	size_t npci;
	bool have_pci;
};

/* n (at most 8) little-endian bytes at off; 0 when any lies outside the table. */
uint64_t acpi_rd(const struct acpi_ctx *c, size_t off, unsigned int n);

static inline uint8_t acpi_r8(const struct acpi_ctx *c, size_t off)
{
	return (uint8_t)acpi_rd(c, off, 1);
}

static inline uint16_t acpi_r16(const struct acpi_ctx *c, size_t off)
{
	return (uint16_t)acpi_rd(c, off, 2);
}

static inline uint32_t acpi_r32(const struct acpi_ctx *c, size_t off)
{
	return (uint32_t)acpi_rd(c, off, 4);
}

static inline uint64_t acpi_r64(const struct acpi_ctx *c, size_t off)
{
	return acpi_rd(c, off, 8);
}

/* An error or a warning at off (from the table's start). */
__attribute__((format(printf, 3, 4)))
void acpi_error_at(struct acpi_ctx *c, size_t off, const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void acpi_warn_at(struct acpi_ctx *c, size_t off, const char *fmt, ...);

/* One subtable at off..end (its length clipped to the table's), listed as o. */
typedef void acpi_subtable_fn(struct acpi_ctx *c, size_t off, size_t end, json_object *o,
			      void *arg);

/*
 * Walk the subtables from off to the table's end, each with a 2-byte length
 * at its offset + 2 (DMAR structures, IVRS blocks; what names them in
 * findings): a new object in arr for each, handed to fn. Stops at a length
 * below 4 bytes or after one that runs past the table (both findings).
 */
void acpi_subtables(struct acpi_ctx *c, size_t off, const char *what, json_object *arr,
		    acpi_subtable_fn *fn, void *arg);

/* n bytes at off are all zero (or outside the table). */
bool acpi_all_zero(const struct acpi_ctx *c, size_t off, size_t n);

/* ---- JSON output (acpi.c) -------------------------------------------------- */

void acpi_put_int(json_object *o, const char *k, int64_t v);
void acpi_put_bool(json_object *o, const char *k, bool v);
void acpi_put_str(json_object *o, const char *k, const char *v);
/* A 64-bit value as a hex string ("0xfed90000"). */
void acpi_put_hex(json_object *o, const char *k, uint64_t v);
/* "ssss:bb:dd.f" into b (16 bytes are enough). */
void acpi_fmt_bdf(char *b, size_t n, unsigned int seg, unsigned int id);
void acpi_put_bdf(json_object *o, const char *k, unsigned int seg, unsigned int id);
/* Up to n bytes of table text, up to a NUL, non-printable bytes as '?'. */
void acpi_put_text(json_object *o, const char *k, const struct acpi_ctx *c, size_t off,
		   size_t n);
/* A new array or object added to o under k. */
json_object *acpi_put_arr(json_object *o, const char *k);
json_object *acpi_put_obj(json_object *o, const char *k);

/* ---- the machine's PCI functions (acpi.c) ---------------------------------- */

/* The function seg:id in the list, if there is one. */
const struct acpi_pci_fn *acpi_pci_find(const struct acpi_ctx *c, unsigned int seg,
					unsigned int id);
/* The bridge whose secondary bus is f's bus, if the list says. */
const struct acpi_pci_fn *acpi_pci_parent(const struct acpi_ctx *c, const struct acpi_pci_fn *f);

/* ---- ID sets: what a table covers (acpi.c) --------------------------------- */

struct acpi_cover {
	uint16_t seg, first, last;
	uint8_t kind;        /* DMAR: 1 endpoint, 2 bridge; IVRS: 0 */
};

struct acpi_covers {
	struct acpi_cover *v;
	size_t n, cap;
};

/* Add seg:first..last (an entry is lost if memory runs out). */
void acpi_cover_add(struct acpi_covers *cv, uint16_t seg, uint16_t first, uint16_t last,
		    uint8_t kind);
/* seg:id is in the set, with that kind (any when kind < 0). */
bool acpi_covered(const struct acpi_covers *cv, uint16_t seg, uint16_t id, int kind);

/* ---- the tables: each parses c->p past the 36-byte ACPI header -------------- */

void acpi_dmar(struct acpi_ctx *c);    /* acpi_dmar.c */
void acpi_ivrs(struct acpi_ctx *c);    /* acpi_ivrs.c */
void acpi_iort(struct acpi_ctx *c);    /* acpi_iort.c */

#endif
