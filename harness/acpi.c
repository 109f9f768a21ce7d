/* SPDX-License-Identifier: MIT */
/*
 * The ACPI table reader the DMAR, IVRS and IORT parsers share (see acpi.h,
 * acpi_internal.h): lab_acpi_check() reads the common header (signature,
 * length, revision, OEM fields, checksum) and hands the rest to the table's
 * own file (acpi_dmar.c, acpi_ivrs.c, acpi_iort.c); bounds-checked reads,
 * findings, subtable walking, the JSON output helpers, the machine's PCI
 * functions and ID sets for those files; and the input side: raw tables,
 * concatenated or not, and acpidump text, split into tables.
 *
 * ACPI specification 6.5 section 5.2.6 (System Description Table Header:
 * the 36-byte header, the length and the checksum over it); acpidump's text
 * format as ACPICA's acpidump prints it.
 *
 * Every read goes through acpi_rd(), which answers 0 outside the table, and
 * every loop advances by at least the header it has checked, so any bytes
 * terminate.
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
#include "pci_addr.h"

#define HDR_LEN 36
#define MAX_FINDINGS 200      /* per list; the counts keep going */
#define MAX_PCI 8192

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
 * The subtable at off, with a 2-byte length at off + 2: its end, clipped to
 * the table's with *past set when its length runs over; 0 when the rest of
 * the table cannot be walked.
 */
static size_t subtable_end(struct acpi_ctx *c, size_t off, const char *what, bool *past)
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

void acpi_subtables(struct acpi_ctx *c, size_t off, const char *what, json_object *arr,
		    acpi_subtable_fn *fn, void *arg)
{
	while (off < c->len) {
		bool past = false;
		size_t end = subtable_end(c, off, what, &past);
		json_object *o;

		if (!end)
			break;
		o = json_object_new_object();
		json_object_array_add(arr, o);
		fn(c, off, end, o, arg);
		if (past)
			break;
		off += acpi_r16(c, off + 2);
	}
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
void acpi_put_text(json_object *o, const char *k, const struct acpi_ctx *c, size_t off,
		   size_t n)
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

/* ssss:bb:dd.f, or bb:dd.f in segment 0 */
static int parse_bdf(const char *s, uint16_t *seg, uint16_t *id)
{
	struct lab_pci_addr a;
	int n;

	if (!s)
		return -1;
	n = lab_pci_addr_scan(s, &a);
	if (n < 0 || s[n]) {
		n = -1;
		a.seg = 0;
		if (sscanf(s, "%2x:%2x.%1x%n", &a.bus, &a.dev, &a.fn, &n) != 3 || s[n])
			return -1;
	}
	if (a.dev > 31 || a.fn > 7)
		return -1;
	*seg = (uint16_t)a.seg;
	*id = (uint16_t)(a.bus << 8 | a.dev << 3 | a.fn);
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
const struct acpi_pci_fn *acpi_pci_find(const struct acpi_ctx *c, unsigned int seg,
					unsigned int id)
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
