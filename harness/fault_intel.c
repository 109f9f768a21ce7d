/* SPDX-License-Identifier: MIT */
/*
 * Intel VT-d records, following drivers/iommu/intel/dmar.c
 * dmar_fault_do_one(), dmar_fault(), qi_check_fault() and the reason tables
 * dma_remap_fault_reasons[], dma_remap_sm_fault_reasons[] and
 * irq_remap_fault_reasons[] (older: drivers/pci/dmar.c,
 * drivers/iommu/dmar.c). Owns the DMA/interrupt-remapping fault lines
 * (one line, or the two-line formats of 2.6-4.x held until their reason
 * comes), the fault status lines and the queued-invalidation errors, and
 * their meaning.
 */
#include "fault_internal.h"

/* a fault header waiting for its "[fault reason ..]" line */
struct intel_pending {
	int active;
	int prefixed;
	int appended;
	unsigned long line, deadline;
	int has_ts;
	double ts;
	size_t len;
	char text[PEND_TEXT];
};

struct intel_state {
	struct intel_pending pend;
	unsigned long qi_last[3];	/* last "VT-d detected" line, per qi_errors[] */
};

/* ---- Intel VT-d tables (drivers/iommu/intel/dmar.c) ---------------------- */

static const char *const dma_remap_reasons[] = {
	"Software",
	"Present bit in root entry is clear",
	"Present bit in context entry is clear",
	"Invalid context entry",
	"Access beyond MGAW",
	"PTE Write access is not set",
	"PTE Read access is not set",
	"Next page table ptr is invalid",
	"Root table address invalid",
	"Context table ptr is invalid",
	"non-zero reserved fields in RTP",
	"non-zero reserved fields in CTP",
	"non-zero reserved fields in PTE",
	"PCE for translation request specifies blocking",
};

static const char *const irq_remap_reasons[] = {
	"Detected reserved fields in the decoded interrupt-remapped request",
	"Interrupt index exceeded the interrupt-remapping table size",
	"Present field in the IRTE entry is clear",
	"Error accessing interrupt-remapping table pointed by IRTA_REG",
	"Detected reserved fields in the IRTE entry",
	"Blocked a compatibility format interrupt request",
	"Blocked an interrupt request due to source-id verification failure",
};

/* scalable mode, 0x30..0x90; NULL where the kernel says "Unknown" */
static const char *const sm_reasons[] = {
	[0x00] = "SM: Invalid Root Table Address",
	[0x01] = "SM: TTM 0 for request with PASID",
	[0x02] = "SM: TTM 0 for page group request",
	[0x08] = "SM: Error attempting to access Root Entry",
	[0x09] = "SM: Present bit in Root Entry is clear",
	[0x0a] = "SM: Non-zero reserved field set in Root Entry",
	[0x10] = "SM: Error attempting to access Context Entry",
	[0x11] = "SM: Present bit in Context Entry is clear",
	[0x12] = "SM: Non-zero reserved field set in the Context Entry",
	[0x13] = "SM: Invalid Context Entry",
	[0x14] = "SM: DTE field in Context Entry is clear",
	[0x15] = "SM: PASID Enable field in Context Entry is clear",
	[0x16] = "SM: PASID is larger than the max in Context Entry",
	[0x17] = "SM: PRE field in Context-Entry is clear",
	[0x18] = "SM: RID_PASID field error in Context-Entry",
	[0x20] = "SM: Error attempting to access the PASID Directory Entry",
	[0x21] = "SM: Present bit in Directory Entry is clear",
	[0x22] = "SM: Non-zero reserved field set in PASID Directory Entry",
	[0x28] = "SM: Error attempting to access PASID Table Entry",
	[0x29] = "SM: Present bit in PASID Table Entry is clear",
	[0x2a] = "SM: Non-zero reserved field set in PASID Table Entry",
	[0x2b] = "SM: Invalid Scalable-Mode PASID Table Entry",
	[0x2c] = "SM: ERE field is clear in PASID Table Entry",
	[0x2d] = "SM: SRE field is clear in PASID Table Entry",
	[0x40] = "SM: Error attempting to access first-level paging entry",
	[0x41] = "SM: Present bit in first-level paging entry is clear",
	[0x42] = "SM: Non-zero reserved field set in first-level paging entry",
	[0x43] = "SM: Error attempting to access FL-PML4 entry",
	[0x44] = "SM: First-level entry address beyond MGAW in Nested translation",
	[0x45] = "SM: Read permission error in FL-PML4 entry in Nested translation",
	[0x46] = "SM: Read permission error in first-level paging entry in Nested translation",
	[0x47] = "SM: Write permission error in first-level paging entry in Nested translation",
	[0x48] = "SM: Error attempting to access second-level paging entry",
	[0x49] = "SM: Read/Write permission error in second-level paging entry",
	[0x4a] = "SM: Non-zero reserved field set in second-level paging entry",
	[0x4b] = "SM: Invalid second-level page table pointer",
	[0x4c] = "SM: A/D bit update needed in second-level entry when set up in no snoop",
	[0x50] = "SM: Address in first-level translation is not canonical",
	[0x51] = "SM: U/S set 0 for first-level translation with user privilege",
	[0x52] = "SM: No execute permission for request with PASID and ER=1",
	[0x53] = "SM: Address beyond the DMA hardware max",
	[0x54] = "SM: Second-level entry address beyond the max",
	[0x55] = "SM: No write permission for Write/AtomicOp request",
	[0x56] = "SM: No read permission for Read/AtomicOp request",
	[0x57] = "SM: Invalid address-interrupt address",
	[0x60] = "SM: A/D bit update needed in first-level entry when set up in no snoop",
};

const char *fault_intel_reason_text(uint64_t r)
{
	if (r >= 0x20 && r - 0x20 < NELEM(irq_remap_reasons))
		return irq_remap_reasons[r - 0x20];
	if (r >= 0x30 && r - 0x30 < NELEM(sm_reasons))
		return sm_reasons[r - 0x30];
	if (r < NELEM(dma_remap_reasons))
		return dma_remap_reasons[r];
	return NULL;
}

static int intel_cause(uint64_t r)
{
	switch (r) {
	case 0x01: case 0x02: case 0x39: case 0x41: case 0x51: case 0x59:
		return CAUSE_NO_CONTEXT;
	case 0x03: case 0x07: case 0x08: case 0x09: case 0x0a: case 0x0b: case 0x0c:
	case 0x30: case 0x31: case 0x32: case 0x3a: case 0x42: case 0x43: case 0x44:
	case 0x45: case 0x46: case 0x47: case 0x48: case 0x52: case 0x5a: case 0x5b:
	case 0x5c: case 0x5d: case 0x72: case 0x7a: case 0x7b:
		return CAUSE_TABLE_BAD;
	case 0x04: case 0x74: case 0x80: case 0x83: case 0x84:
		return CAUSE_ADDR_WIDTH;
	case 0x05: case 0x06: case 0x79:
		return CAUSE_UNMAPPED_OR_PERM;
	case 0x71:
		return CAUSE_UNMAPPED;
	case 0x75: case 0x76: case 0x77: case 0x81: case 0x82: case 0x85: case 0x86:
		return CAUSE_PERMISSION;
	case 0x38: case 0x40: case 0x50: case 0x58: case 0x70: case 0x73: case 0x78:
		return CAUSE_HW_ERROR;
	case 0x20: case 0x24:
		return CAUSE_IR_RESERVED;
	case 0x21:
		return CAUSE_IR_INDEX;
	case 0x22:
		return CAUSE_IR_NOT_PRESENT;
	case 0x23:
		return CAUSE_IR_TABLE;
	case 0x25:
		return CAUSE_IR_COMPAT;
	case 0x26:
		return CAUSE_IR_SID;
	default:
		return CAUSE_UNKNOWN;
	}
}

/*
 * Does the reason text printed in the log match the table's text? Case and
 * runs of blanks are ignored; a text cut short by wrapping matches if at
 * least 9 characters agree.
 */
enum { HDR_NONE, HDR_DMA, HDR_IR };

static int reason_text_matches(const char *log, const char *table)
{
	size_t n = 0;

	if (!table || !log)
		return 0;
	while (*log == ' ')
		log++;
	while (*table) {
		if (*log == '\0')
			return n >= 9;
		if (*table == ' ' && (*log == ' ' || *log == '\t')) {
			while (*log == ' ' || *log == '\t')
				log++;
			table++;
			n++;
			continue;
		}
		if (tolower((unsigned char)*log) != tolower((unsigned char)*table))
			return 0;
		log++;
		table++;
		n++;
	}
	return 1;
}

/*
 * Fault reason: "0x05" (hex, 5.11+), "05"/"37" (printed with %02d before):
 * when there is no 0x, both readings are checked against the reason's text
 * and the one whose table entry matches wins; with no text, decimal.
 */
static void intel_reason(struct fault *f, const char *s, int hdr)
{
	uint64_t dec = 0, hex = 0, pick;
	const char *end, *text;
	int has0x = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	int ndec, nhex, mdec, mhex;

	nhex = lab_hex_scan(s, &hex, &end);
	if (!nhex)
		return;
	text = end;
	while (*text == ' ')
		text++;
	if (*text == ']')
		text++;
	while (*text == ' ')
		text++;
	f->reason_has_text = *text != '\0';
	snprintf(f->reason_printed, sizeof(f->reason_printed), "%.*s",
		 (int)(end - s) < 11 ? (int)(end - s) : 11, s);
	if (has0x) {
		pick = hex;
		f->reason_base = 16;
	} else {
		ndec = parse_dec(s, &dec, &end);
		if (ndec != nhex) {	/* hex digits: cannot be decimal */
			pick = hex;
			f->reason_base = 16;
		} else {
			mdec = f->reason_has_text &&
			       reason_text_matches(text, fault_intel_reason_text(dec));
			mhex = dec == hex ? mdec : f->reason_has_text &&
			       reason_text_matches(text, fault_intel_reason_text(hex));
			/* the record's type rules out the other table */
			if (hdr == HDR_DMA) {
				mdec = mdec && !(dec >= 0x20 && dec <= 0x26);
				mhex = mhex && !(hex >= 0x20 && hex <= 0x26);
			}
			if (hdr == HDR_IR && !mdec && !mhex) {
				mdec = dec >= 0x20 && dec <= 0x26;
				mhex = !mdec && hex >= 0x20 && hex <= 0x26;
			}
			if (mhex && !mdec) {
				pick = hex;
				f->reason_base = 16;
			} else {
				pick = dec;
				f->reason_base = 10;
			}
		}
	}
	f->reason_match = f->reason_has_text && reason_text_matches(text, fault_intel_reason_text(pick));
	if (hdr == HDR_DMA && pick >= 0x20 && pick <= 0x26)
		f->reason_conflict = 1;
	if (hdr == HDR_IR && !(pick >= 0x20 && pick <= 0x26))
		f->reason_conflict = 1;
	set_code(f, (int64_t)pick);
}


/* ---- meaning ---------------------------------------------------------------- */

static const char *const fsts_names[8] = {
	"PFO", "PPF", "AFO", "APF", "IQE", "ICE", "ITE", "PRO",
};

static const char *const fsts_text[8] = {
	"primary fault overflow: more faults than fault recording registers, some were lost",
	"primary pending fault: fault records to process",
	"advanced fault overflow",
	"advanced pending fault",
	"invalidation queue error: the hardware rejected an invalidation descriptor",
	"invalidation completion error: an unexpected or invalid Device-TLB completion",
	"invalidation time-out error: a Device-TLB invalidation did not complete in time",
	"page request overflow",
};

static void describe_intel(const struct record *r, json_object *d, char *m, size_t mn)
{
	const struct fault *f = &r->first;
	const char *t = f->k.has_code ? fault_intel_reason_text((uint64_t)f->k.code) : NULL;

	if (f->k.has_dev)
		jadd(d, "segment_known", json_object_new_boolean(f->seg_known));
	if (!strcmp(f->k.event, "DMA_FAULT") || !strcmp(f->k.event, "INTR_REMAP_FAULT")) {
		if (f->k.x[0])
			jadd(d, "pasid", jhex(f->k.x[0] - 1));
		if (f->k.x[1])
			jadd(d, "fault_index", jhex(f->k.x[1] - 1));
		if (f->k.has_code) {
			jadd(d, "reason_printed", json_object_new_string(f->reason_printed));
			jadd(d, "reason_base", json_object_new_int(f->reason_base));
			jadd(d, "reason_table_text", t ? json_object_new_string(t) : NULL);
			if (f->reason_has_text)
				jadd(d, "reason_text_matches_table",
				     json_object_new_boolean(f->reason_match));
			if (f->reason_conflict)
				jadd(d, "reason_conflicts_with_record_type",
				     json_object_new_boolean(1));
		} else {
			jadd(d, "reason_missing", json_object_new_boolean(1));
		}
		int irr = f->k.event[0] == 'I';

		if (f->reason_conflict)
			snprintf(m, mn, "fault reason %s (0x%02" PRIx64 ") belongs to the %s "
				 "table but the record is %s: an inconsistent or corrupted record",
				 f->reason_printed, (uint64_t)f->k.code,
				 f->k.code >= 0x20 && f->k.code <= 0x26 ? "interrupt-remapping" :
				 "DMA-remapping",
				 irr ? "an interrupt-remapping fault" : "a DMA fault");
		else if (!f->k.has_code)
			snprintf(m, mn, "%s: the fault reason is not in the log (a truncated "
				 "record)", irr ? "interrupt remapping fault" : "DMA remapping fault");
		else
			snprintf(m, mn, "%s (VT-d fault reason 0x%02" PRIx64 ")%s",
				 t ? t : "reason not in the kernel's table", (uint64_t)f->k.code,
				 f->k.event[0] == 'I' ? ": an interrupt request was blocked" :
				 f->k.access == ACC_WRITE ? ": a DMA write was blocked" :
				 f->k.access == ACC_READ ? ": a DMA read was blocked" : "");
	} else if (!strcmp(f->k.event, "FAULT_STATUS")) {
		uint64_t st = (uint64_t)f->k.code;
		size_t o = 0;

		jadd_bits(d, "status_bits", st, fsts_names, 8);
		o += snprintf(m + o, mn - o, "fault status 0x%" PRIx64 ":", st);
		for (int b = 0; b < 8 && o < mn; b++)
			if (st >> b & 1)
				o += snprintf(m + o, mn - o, " %s (%s);", fsts_names[b],
					      fsts_text[b]);
	} else if (!strcmp(f->k.event, "INV_TIMEOUT")) {
		snprintf(m, mn, "invalidation time-out error: a Device-TLB (ATS) invalidation "
			 "did not complete in time%s",
			 f->k.has_dev ? "" : " (no source-id in the log)");
	} else if (!strcmp(f->k.event, "INV_COMPLETION_ERROR")) {
		snprintf(m, mn, "invalidation completion error: an unexpected or invalid "
			 "Device-TLB invalidation completion");
	} else if (!strcmp(f->k.event, "INV_QUEUE_ERROR")) {
		snprintf(m, mn, "invalidation queue error: the hardware rejected a descriptor in "
			 "the invalidation queue");
	}
}

/* ---- parsing ---------------------------------------------------------------- */

static void intel_parse_emit(struct lab_fault_parser *p, const char *t,
			     const struct lab_klog_record *at, unsigned long line,
			     int has_ts, double ts)
{
	const char *rd = strstr(t, "Request device");
	const char *q, *lb = NULL, *rb = NULL, *s;
	struct fault f;
	uint64_t v, devid;
	int ir = 0, seg_known = 0, hdr = HDR_NONE;

	if (!rd)
		return;
	fault_init(&f, K_INTEL, "DMA_FAULT", at);
	f.line = line;
	f.has_ts = has_ts;
	f.ts = ts;
	/* the bracket before "Request device": [DMA Read NO_PASID] [INTR-REMAP] */
	for (q = rd; q > t; q--) {
		if (q[-1] == ']' && !rb)
			rb = q - 1;
		if (q[-1] == '[' && rb) {
			lb = q - 1;
			break;
		}
	}
	if (lb && rb && rb > lb) {
		const char *c = lb + 1;
		size_t n = (size_t)(rb - c);

		if (n >= 8 && !memcmp(c, "DMA Read", 8)) {
			f.k.access = ACC_READ;
			hdr = HDR_DMA;
		} else if (n >= 9 && !memcmp(c, "DMA Write", 9)) {
			f.k.access = ACC_WRITE;
			hdr = HDR_DMA;
		}
		if (memmem(c, n, "INTR-REMAP", 10))
			ir = 1;
		s = memmem(c, n, "PASID ", 6);
		if (s && s > c && s[-1] == ' ' && lab_hex_scan(s + 6, &v, NULL) && v != 0xffffffff)
			f.k.x[0] = v + 1;
	}
	if (!ir && memmem(t, (size_t)(rd - t), "INTR-REMAP", 10))
		ir = 1;
	s = strchr(rd, '[');
	if (s) {
		while (*s == '[')
			s++;
		if (parse_bdf(s, &devid, &seg_known, &q)) {
			set_dev(&f, devid, 0);
			/* "[00:02.0] PASID ffffffff fault addr" (5.0 to 5.10) */
			if (*q == ']' && starts(q + 1, " PASID ") &&
			    lab_hex_scan(q + 8, &v, NULL) && v != 0xffffffff)
				f.k.x[0] = v + 1;
		}
	}
	s = strstr(rd, "fault addr ");
	if (s && lab_hex_scan(s + 11, &v, NULL))
		set_addr(&f, v);
	s = strstr(rd, "fault index ");
	if (s && lab_hex_scan(s + 12, &v, NULL)) {
		f.k.x[1] = v + 1;
		ir = 1;
	}
	if (ir)
		hdr = HDR_IR;
	s = strstr(rd, "[fault reason ");
	if (s)
		intel_reason(&f, s + 14, hdr);
	if (hdr == HDR_NONE && f.k.has_code && f.k.code >= 0x20 && f.k.code <= 0x26)
		ir = 1;
	if (ir) {
		f.k.event = "INTR_REMAP_FAULT";
		f.k.access = ACC_NONE;
		f.k.has_addr = 0;
	}
	f.cause = f.k.has_code && !f.reason_conflict ? intel_cause((uint64_t)f.k.code) :
		  CAUSE_UNKNOWN;
	fault_emit(p, &f);
}

static void intel_flush(struct lab_fault_parser *p, struct intel_pending *ip)
{
	if (!ip->active)
		return;
	ip->active = 0;
	intel_parse_emit(p, ip->text, NULL, ip->line, ip->has_ts, ip->ts);
}

static void intel_append(struct intel_pending *ip, const char *t, size_t n)
{
	fault_pend_append(ip->text, &ip->len, t, n);
	ip->appended++;
}

static void intel_header(struct lab_fault_parser *p, struct intel_pending *ip,
			 const struct lab_klog_record *rec)
{
	size_t n = rec->len;

	intel_flush(p, ip);
	if (strstr(rec->text, "[fault reason ")) {
		intel_parse_emit(p, rec->text, rec, rec->line, rec->has_timestamp, rec->timestamp);
		return;
	}
	/* the two-line formats of 2.6-4.x, or a wrapped line: wait for the rest */
	if (n >= PEND_TEXT)
		n = PEND_TEXT - 1;
	memcpy(ip->text, rec->text, n);
	ip->text[n] = '\0';
	ip->len = n;
	ip->active = 1;
	ip->appended = 0;
	ip->prefixed = rec->prefix != 0;
	ip->line = rec->line;
	ip->has_ts = rec->has_timestamp;
	ip->ts = rec->timestamp;
	ip->deadline = rec->line + 8;
	fault_set_deadline(p, ip->deadline);
}

/* a line while an Intel record waits for its reason: 1 if consumed */
static int intel_continue(struct lab_fault_parser *p, struct intel_pending *ip,
			  const struct lab_klog_record *rec)
{	const char *t = rec->text;
	int reason = strstr(t, "[fault reason ") != NULL;

	if (strstr(t, "Request device"))
		return 0;	/* a new header: the caller flushes this one */
	if (!reason && !(ip->prefixed && rec->prefix == 0 && ip->appended < 3))
		return 0;	/* an interleaved line */
	intel_append(ip, t, rec->len);
	if (strstr(ip->text, "[fault reason "))
		intel_flush(p, ip);
	return 1;
}

static void intel_status(struct lab_fault_parser *p, const struct lab_klog_record *rec,
			 const char *s)
{
	struct fault f;
	uint64_t st;

	if (!lab_hex_scan(s, &st, NULL))
		return;
	if (!(st & 0xfd)) {	/* PPF (and the fault record index) only */
		fault_note_status_line(p);
		return;
	}
	fault_init(&f, K_INTEL, "FAULT_STATUS", rec);
	set_code(&f, (int64_t)(st & 0xff));
	f.cause = st & 0x40 ? CAUSE_ATS_TIMEOUT : st & 0x01 ? CAUSE_OVERFLOW :
		  st & 0x10 ? CAUSE_ILLEGAL_CMD : CAUSE_UNKNOWN;
	fault_emit(p, &f);
}

/* The queued-invalidation errors (qi_check_fault): one "VT-d detected ..."
 * line, then possibly "... cleared", which counts only when it stands alone. */
static const struct qi_error {
	const char *detected, *cleared, *event;
	enum cause cause;
} qi_errors[] = {
	{ "VT-d detected Invalidation Time-out Error", "Invalidation Time-out Error (ITE) cleared",
	  "INV_TIMEOUT", CAUSE_ATS_TIMEOUT },
	{ "VT-d detected Invalidation Completion Error", "Invalidation Completion Error (ICE) cleared",
	  "INV_COMPLETION_ERROR", CAUSE_ATS_COMPLETION },
	{ "VT-d detected Invalidation Queue Error", "Invalidation Queue Error (IQE) cleared",
	  "INV_QUEUE_ERROR", CAUSE_ILLEGAL_CMD },
};
_Static_assert(sizeof(qi_errors) / sizeof(qi_errors[0]) ==
	       sizeof(((struct intel_state *)0)->qi_last) / sizeof(unsigned long),
	       "one qi_last slot per queued-invalidation error");

/* "VT-d detected Invalidation Time-out Error: SID ffff" (qi_check_fault) */
static void intel_qi(struct lab_fault_parser *p, struct intel_state *st,
		     const struct lab_klog_record *rec, const char *t)
{
	for (size_t i = 0; i < sizeof(qi_errors) / sizeof(qi_errors[0]); i++) {
		const struct qi_error *e = &qi_errors[i];
		unsigned long *last = &st->qi_last[i];
		struct fault f;
		const char *s;
		uint64_t v;

		if ((s = strstr(t, e->detected))) {
			fault_init(&f, K_INTEL, e->event, rec);
			f.cause = e->cause;
			*last = rec->line;
			/* IQE prints the reason; ITE and ICE a SID: a requester
			 * ID, where 0 (old hardware) and ffff say nothing */
			if (field_hex(s, "Reason ", &v))
				set_code(&f, (int64_t)v);
			if (field_hex(s, "SID ", &v)) {
				if (v && v != 0xffff)
					set_dev(&f, v & 0xffff, 0);
				else
					snprintf(f.detail, sizeof(f.detail), "SID %" PRIx64, v);
			}
			fault_emit(p, &f);
			return;
		}
		if (strstr(t, e->cleared)) {
			if (*last && rec->line - *last <= 8)
				return;	/* already counted from the "VT-d detected" line */
			fault_init(&f, K_INTEL, e->event, rec);
			f.cause = e->cause;
			fault_emit(p, &f);
			return;
		}
	}
}

static int intel_line(struct lab_fault_parser *p, void *state, const struct lab_klog_record *rec)
{
	struct intel_state *st = state;
	const char *t = rec->text, *s;

	if (!strstr(t, "DMAR") && !strstr(t, "DRHD") && !strstr(t, "INTR-REMAP"))
		return 0;
	if (strstr(t, "Request device")) {
		intel_header(p, &st->pend, rec);
		return 1;
	}
	if ((s = strstr(t, "DRHD: handling fault status reg "))) {
		intel_status(p, rec, s + 32);
		return 1;
	}
	if (strstr(t, "Invalidation")) {
		intel_qi(p, st, rec, t);
		return 1;
	}
	return 0;
}

/* a line while a header waits for its reason */
static int intel_pending_line(struct lab_fault_parser *p, void *state,
			      const struct lab_klog_record *rec)
{
	struct intel_state *st = state;

	return st->pend.active && intel_continue(p, &st->pend, rec);
}

static void intel_deadline(struct lab_fault_parser *p, void *state, unsigned long line,
			   unsigned long *next)
{
	struct intel_state *st = state;

	if (st->pend.active && fault_expired(st->pend.deadline, line, next))
		intel_flush(p, &st->pend);
}

static void intel_flush_all(struct lab_fault_parser *p, void *state)
{
	struct intel_state *st = state;

	intel_flush(p, &st->pend);
}

const struct fault_family fault_intel = {
	.name = "intel",
	.state_size = sizeof(struct intel_state),
	.pending = intel_pending_line,
	.line = intel_line,
	.deadline = intel_deadline,
	.flush = intel_flush_all,
	.describe = describe_intel,
};
