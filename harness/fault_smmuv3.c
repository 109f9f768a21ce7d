/* SPDX-License-Identifier: MIT */
/*
 * Arm SMMUv3 records, following drivers/iommu/arm/arm-smmu-v3/
 * arm-smmu-v3.{c,h} arm_smmu_dump_raw_event(), arm_smmu_dump_event(),
 * arm_smmu_decode_event(), EVT_ID_*, EVTQ_*; the names of the event ids
 * the kernel does not name are the SMMUv3 architecture's. Owns the raw
 * four-dword event records, the decoded lines of ~6.15 (which may follow
 * the raw ones or stand alone), the slots that hold records while their
 * lines come in, queue overflows, global and command-queue errors, and
 * their meaning.
 */
#include "fault_internal.h"

#define V3_SLOTS 4

enum { V3_FREE, V3_DWORDS, V3_RAW_DONE, V3_WANT_DETAIL };

/* a record whose lines are still coming, keyed by the text before them */
struct v3_slot {
	int state;
	unsigned long deadline, stamp;
	char key[NAME_LEN * 2];
	struct fault f;
};

struct smmuv3_state {
	struct v3_slot v3[V3_SLOTS];
	unsigned long v3_stamp;
	int v3_collecting;	/* slots in V3_DWORDS */
};

static const char *const v3_class[4] = {
	"CD fetch", "Stage 1 translation table fetch", "Input address caused fault", "Reserved",
};

static const char *const gerror_names[9] = {
	"CMDQ_ERR", NULL, "EVTQ_ABT_ERR", "PRIQ_ABT_ERR", "MSI_CMDQ_ABT_ERR",
	"MSI_EVTQ_ABT_ERR", "MSI_PRIQ_ABT_ERR", "MSI_GERROR_ABT_ERR", "SFM_ERR",
};

static const char *v3_event_name(unsigned id)
{
	switch (id) {
	case 0x01: return "F_UUT";
	case 0x02: return "C_BAD_STREAMID";
	case 0x03: return "F_STE_FETCH";
	case 0x04: return "C_BAD_STE";
	case 0x05: return "F_BAD_ATS_TREQ";
	case 0x06: return "F_STREAM_DISABLED";
	case 0x07: return "F_TRANSL_FORBIDDEN";
	case 0x08: return "C_BAD_SUBSTREAMID";
	case 0x09: return "F_CD_FETCH";
	case 0x0a: return "C_BAD_CD";
	case 0x0b: return "F_WALK_EABT";
	case 0x10: return "F_TRANSLATION";
	case 0x11: return "F_ADDR_SIZE";
	case 0x12: return "F_ACCESS";
	case 0x13: return "F_PERMISSION";
	case 0x20: return "F_TLB_CONFLICT";
	case 0x21: return "F_CFG_CONFLICT";
	case 0x24: return "E_PAGE_REQUEST";
	case 0x25: return "F_VMS_FETCH";
	default: return "UNKNOWN";
	}
}

static const char *v3_event_text(unsigned id)
{
	switch (id) {
	case 0x01: return "unsupported upstream transaction";
	case 0x02: return "StreamID out of range of the stream table";
	case 0x03: return "fetching the stream table entry failed";
	case 0x04: return "the stream table entry is invalid";
	case 0x05: return "an ATS translation request the SMMU cannot serve";
	case 0x06: return "transaction on a disabled stream (STE.Config abort, or no STE)";
	case 0x07: return "translation forbidden: a translated transaction the stream refuses";
	case 0x08: return "SubstreamID (PASID) out of range for the stream";
	case 0x09: return "fetching the context descriptor failed";
	case 0x0a: return "the context descriptor is invalid";
	case 0x0b: return "external abort while walking the translation tables";
	case 0x10: return "translation fault: no valid translation for the address";
	case 0x11: return "address size fault: the address is beyond the configured size";
	case 0x12: return "access flag fault";
	case 0x13: return "permission fault: the mapping does not allow this access";
	case 0x20: return "TLB conflict";
	case 0x21: return "configuration cache conflict";
	case 0x24: return "page request";
	case 0x25: return "fetching the VMS failed";
	default: return "event id not known to the kernel or the architecture";
	}
}

static int v3_cause(unsigned id)
{
	switch (id) {
	case 0x10: return CAUSE_UNMAPPED;
	case 0x11: return CAUSE_ADDR_WIDTH;
	case 0x12: return CAUSE_ACCESS_FLAG;
	case 0x13: return CAUSE_PERMISSION;
	case 0x02: return CAUSE_BAD_SID;
	case 0x04: return CAUSE_BAD_STE;
	case 0x06: return CAUSE_NO_CONTEXT;
	case 0x08: case 0x0a: return CAUSE_BAD_CD;
	case 0x03: case 0x09: case 0x0b: case 0x25: return CAUSE_HW_ERROR;
	case 0x05: case 0x07: return CAUSE_ATS_FORBIDDEN;
	case 0x20: case 0x21: return CAUSE_TLB_CONFLICT;
	default: return CAUSE_UNKNOWN;
	}
}

/* ---- meaning ---------------------------------------------------------------- */

static void describe_smmuv3(const struct record *r, json_object *d, char *m, size_t mn)
{
	const struct fault *f = &r->first;
	const char *ev = f->k.event;

	if (f->k.inst[0])
		jadd(d, "smmu", json_object_new_string(f->k.inst));
	if (!strcmp(ev, "EVTQ_OVERFLOW")) {
		snprintf(m, mn, "event queue overflow: events were lost");
		return;
	}
	if (!strcmp(ev, "PRIQ_OVERFLOW")) {
		snprintf(m, mn, "PRI queue overflow: page requests were lost");
		return;
	}
	if (!strcmp(ev, "GERROR")) {
		uint64_t g = (uint64_t)f->k.code;
		size_t o = snprintf(m, mn, "global error 0x%08" PRIx64 ":", g);

		jadd_bits(d, "gerror_bits", g, gerror_names, 9);
		for (int b = 0; b < 9 && o < mn; b++)
			if (gerror_names[b] && (g >> b & 1))
				o += snprintf(m + o, mn - o, " %s", gerror_names[b]);
		return;
	}
	if (!strcmp(ev, "CMDQ_ERROR")) {
		jadd(d, "error", json_object_new_string(f->detail));
		snprintf(m, mn, "command queue error: %s", f->detail[0] ? f->detail : "not named");
		return;
	}
	if (f->k.x[0])
		jadd(d, "ssid", jhex(f->k.x[0] - 1));
	if (f->client[0])
		jadd(d, "client", json_object_new_string(f->client));
	if (f->k.x[1])
		jadd(d, "class", json_object_new_string(v3_class[(f->k.x[1] - 1) & 3]));
	if (f->raw_kind == 1 && f->nraw >= 1)
		jadd(d, "ssv", json_object_new_boolean(!!(f->raw[0] & (1ULL << 11))));
	if (f->k.x[2]) {
		uint64_t b = f->k.x[2] - 1;

		jadd(d, "stage", json_object_new_int(b & 1 ? 2 : 1));
		jadd(d, "instruction", json_object_new_boolean(!!(b & 2)));
		jadd(d, "privileged", json_object_new_boolean(!!(b & 4)));
		jadd(d, "stall", json_object_new_boolean(!!(b & 8)));
	}
	if (f->has_stag)
		jadd(d, "stag", jhex(f->stag));
	if (f->k.x[3])
		jadd(d, "ipa", jhex(f->k.x[3] - 1));
	if (f->k.x[4])
		jadd(d, "fetch_addr", jhex(f->k.x[4] - 1));
	if (f->k.x[5])
		jadd(d, "ttd", json_object_new_string(f->k.x[5] - 1 ? "read" : "write"));
	if (f->raw_kind == 1) {
		json_object *a = json_object_new_array();
		char buf[24];

		for (int i = 0; i < f->nraw; i++) {
			snprintf(buf, sizeof(buf), "0x%016" PRIx64, f->raw[i]);
			json_object_array_add(a, json_object_new_string(buf));
		}
		jadd(d, "raw", a);
		if (f->dwords_missing)
			jadd(d, "dwords_missing", json_object_new_int(f->dwords_missing));
	}
	jadd(d, "source", json_object_new_string(f->raw_kind == 1 && f->v3_decoded ?
		"raw event + kernel decode" : f->raw_kind == 1 ? "raw event" : "kernel decode"));
	snprintf(m, mn, "%s (event 0x%02x): %s", ev, f->k.has_code ? (unsigned)f->k.code : 0,
		 v3_event_text(f->k.has_code ? (unsigned)f->k.code : 0xff));
}

/* ---- parsing ---------------------------------------------------------------- */

static struct v3_slot *v3_find(struct smmuv3_state *st, const char *key, size_t kn, int state)
{
	struct v3_slot *best = NULL;

	for (int i = 0; i < V3_SLOTS; i++) {
		struct v3_slot *s = &st->v3[i];

		if (s->state != state)
			continue;
		if (kn == 0 || (strlen(s->key) == kn && !memcmp(s->key, key, kn))) {
			if (!best || s->stamp > best->stamp)
				best = s;
		}
	}
	return best;
}

static void v3_decode_raw(struct fault *f)
{
	uint64_t d0 = f->raw[0], d1 = f->raw[1], d2 = f->raw[2], d3 = f->raw[3];
	unsigned id = (unsigned)(d0 & 0xff);
	int n = f->nraw;

	if (n < 1)
		return;
	f->k.event = v3_event_name(id);
	set_code(f, id);
	f->cause = v3_cause(id);
	set_sid(f, d0 >> 32);
	if (d0 & (1ULL << 11))
		f->k.x[0] = ((d0 >> 12) & 0xfffff) + 1;
	if (n < 2)
		return;
	switch (id) {
	case 0x05: case 0x07: case 0x0b: case 0x10: case 0x11: case 0x12: case 0x13:
		f->k.access = d1 & (1ULL << 35) ? ACC_READ : ACC_WRITE;
		/* S2, InD, PnU, STALL and CLASS are defined for the walk and fault events */
		if (id != 0x05 && id != 0x07) {
			f->k.x[2] = ((d1 >> 39 & 1) | (d1 >> 34 & 1) << 1 | (d1 >> 33 & 1) << 2 |
				     (d1 >> 31 & 1) << 3) + 1;
			f->k.x[1] = ((d1 >> 40) & 3) + 1;
			/* EVTQ_1_STAG: the stall tag, meaningful when STALL is set */
			f->has_stag = (int)(d1 >> 31 & 1);
			f->stag = d1 & 0xffff;
		}
		if (id == 0x13 && ((d1 >> 40) & 3) == 1)
			f->k.x[5] = (d1 >> 44 & 1) + 1;
		if (n >= 3)
			set_addr(f, d2);
		if (n >= 4 && id >= 0x10 && (d1 >> 39 & 1))
			f->k.x[3] = (d3 & 0x000ffffffffff000ULL) + 1;
		if (n >= 4 && id == 0x0b)
			f->k.x[4] = (d3 & 0x000ffffffffffff8ULL) + 1;
		break;
	case 0x03: case 0x09: case 0x25:
		if (n >= 4)
			f->k.x[4] = (d3 & 0x000ffffffffffff8ULL) + 1;
		break;
	default:
		break;
	}
}

static void v3_emit_slot(struct lab_fault_parser *p, struct smmuv3_state *st, struct v3_slot *s)
{
	if (s->state == V3_DWORDS) {
		st->v3_collecting--;
		s->f.dwords_missing = 4 - s->f.nraw;
		v3_decode_raw(&s->f);
	}
	s->state = V3_FREE;
	fault_emit(p, &s->f);
}

static struct v3_slot *v3_alloc(struct lab_fault_parser *p, struct smmuv3_state *st)
{
	struct v3_slot *old = NULL;

	for (int i = 0; i < V3_SLOTS; i++) {
		if (st->v3[i].state == V3_FREE)
			return &st->v3[i];
		if (!old || st->v3[i].stamp < old->stamp)
			old = &st->v3[i];
	}
	v3_emit_slot(p, st, old);
	return old;
}

/* a client from "client: 0000:00:02.0 sid:" is a PCI device when it parses as one */
static void v3_client(struct fault *f, const char *c, size_t n)
{
	uint64_t devid;
	int seg_known;
	const char *e;

	copy_name(f->client, c, n);
	if (parse_bdf(c, &devid, &seg_known, &e) && (size_t)(e - c) == n && seg_known)
		set_dev(f, devid, 1);
}

static void v3_header(struct lab_fault_parser *p, struct smmuv3_state *st,
		      const struct lab_klog_record *rec, const char *t, const char *ev)
{
	const char *kend = ev;
	struct v3_slot *s;
	uint64_t id;
	size_t kn;

	if (!lab_hex_scan(ev + 6, &id, NULL))
		return;
	while (kend > t && (kend[-1] == ' ' || kend[-1] == ':'))
		kend--;
	kn = (size_t)(kend - t);
	if (kn >= sizeof(s->key))
		kn = sizeof(s->key) - 1;
	/* an earlier record of the same SMMU that is still open ends here */
	while ((s = v3_find(st, t, kn, V3_DWORDS)) && kn)
		v3_emit_slot(p, st, s);
	while ((s = v3_find(st, t, kn, V3_RAW_DONE)) && kn)
		v3_emit_slot(p, st, s);
	s = v3_alloc(p, st);
	memcpy(s->key, t, kn);
	s->key[kn] = '\0';
	fault_init(&s->f, K_SMMUV3, v3_event_name((unsigned)id), rec);
	set_code(&s->f, (int64_t)(id & 0xff));
	copy_last_token(s->f.k.inst, t, kn);
	s->f.raw_kind = 1;
	s->state = V3_DWORDS;
	s->stamp = ++st->v3_stamp;
	s->deadline = rec->line + 12;
	fault_set_deadline(p, s->deadline);
	st->v3_collecting++;
}

/* "<dev>: \t0x0000000a00000010" or a bare "0x0000000a00000010" */
static int v3_dword(struct lab_fault_parser *p, struct smmuv3_state *st,
		    const struct lab_klog_record *rec)
{
	const char *t = rec->text, *h, *kend;
	struct v3_slot *s;
	uint64_t v;
	size_t n = rec->len;

	if (n < 18)
		return 0;
	h = t + n - 18;
	if (h[0] != '0' || h[1] != 'x' || lab_hex_scan(h, &v, NULL) != 16)
		return 0;
	kend = h;
	if (kend > t && kend[-1] != ' ' && kend[-1] != '\t')
		return 0;
	while (kend > t && (kend[-1] == ' ' || kend[-1] == '\t'))
		kend--;
	if (kend > t && kend[-1] != ':')
		return 0;
	if (kend > t)
		kend--;
	s = v3_find(st, t, (size_t)(kend - t), V3_DWORDS);
	if (!s)
		return 0;
	s->f.raw[s->f.nraw++] = v;
	if (s->f.nraw == 4) {
		st->v3_collecting--;
		v3_decode_raw(&s->f);
		s->state = V3_RAW_DONE;	/* a ~6.15 kernel's decoded lines may follow */
		s->deadline = rec->line + 3;
		fault_set_deadline(p, s->deadline);
	}
	return 1;
}

/* "<dev>: event: F_TRANSLATION client: 0000:00:02.0 sid: 0x10 ssid: 0x0 iova: ... ipa: ..." */
static void v3_decoded(struct lab_fault_parser *p, struct smmuv3_state *st,
		       const struct lab_klog_record *rec, const char *t, const char *ev)
{
	const char *kend = ev, *name = ev + 7, *ne, *c, *ce, *s;
	struct v3_slot *slot;
	struct fault f;
	uint64_t sid = 0, v;
	int has_sid, id = -1;
	size_t kn;

	while (kend > t && (kend[-1] == ' ' || kend[-1] == ':'))
		kend--;
	kn = (size_t)(kend - t);
	ne = name;
	while (*ne && *ne != ' ')
		ne++;
	for (unsigned i = 0; i < 0x30; i++) {
		const char *nm = v3_event_name(i);

		if (strcmp(nm, "UNKNOWN") && strlen(nm) == (size_t)(ne - name) &&
		    !memcmp(nm, name, (size_t)(ne - name))) {
			id = (int)i;
			break;
		}
	}
	has_sid = (s = strstr(ne, " sid: ")) && lab_hex_scan(s + 6, &sid, NULL);
	c = strstr(ne, "client: ");
	ce = c ? strstr(c, " sid: ") : NULL;

	slot = v3_find(st, t, kn, V3_RAW_DONE);
	if (slot && slot->f.k.has_code && slot->f.k.code == id &&
	    (!has_sid || sid == slot->f.k.sid)) {
		if (c && ce)
			v3_client(&slot->f, c + 8, (size_t)(ce - c - 8));
		slot->f.v3_decoded = 1;
		if (id >= 0x10 && id <= 0x13) {
			slot->state = V3_WANT_DETAIL;
			slot->deadline = rec->line + 2;
			fault_set_deadline(p, slot->deadline);
		} else {
			v3_emit_slot(p, st, slot);
		}
		return;
	}
	/* the decoded line alone (a grep, or a kernel that lost the raw lines) */
	fault_init(&f, K_SMMUV3, id >= 0 ? v3_event_name((unsigned)id) : "UNKNOWN", rec);
	if (id >= 0)
		set_code(&f, id);
	f.cause = id >= 0 ? v3_cause((unsigned)id) : CAUSE_UNKNOWN;
	copy_last_token(f.k.inst, t, kn);
	f.v3_decoded = 1;
	if (has_sid)
		set_sid(&f, sid);
	if ((s = strstr(ne, " ssid: ")) && lab_hex_scan(s + 7, &v, NULL) && v)
		f.k.x[0] = v + 1;
	if (c && ce)
		v3_client(&f, c + 8, (size_t)(ce - c - 8));
	if ((s = strstr(ne, " iova: ")) && lab_hex_scan(s + 7, &v, NULL))
		set_addr(&f, v);
	if ((s = strstr(ne, " ipa: ")) && lab_hex_scan(s + 6, &v, NULL) && v)
		f.k.x[3] = v + 1;
	if ((s = strstr(ne, " fetch_addr: ")) && lab_hex_scan(s + 13, &v, NULL))
		f.k.x[4] = v + 1;
	if (id >= 0x10 && id <= 0x13) {
		slot = v3_alloc(p, st);
		slot->f = f;
		memcpy(slot->key, t, kn < sizeof(slot->key) ? kn : sizeof(slot->key) - 1);
		slot->key[kn < sizeof(slot->key) ? kn : sizeof(slot->key) - 1] = '\0';
		slot->state = V3_WANT_DETAIL;
		slot->stamp = ++st->v3_stamp;
		slot->deadline = rec->line + 2;
		fault_set_deadline(p, slot->deadline);
		return;
	}
	fault_emit(p, &f);
}

/* "<dev>: unpriv data write s1 \"Input address caused fault\" stag: 0x0" */
static int v3_detail(struct lab_fault_parser *p, struct smmuv3_state *st, const char *t,
		     const char *d)
{
	const char *kend = d;
	struct v3_slot *slot;
	struct fault *f;
	int priv, inst, wr, s2, cls = -1;
	const char *q;

	while (kend > t && (kend[-1] == ' ' || kend[-1] == ':'))
		kend--;
	slot = v3_find(st, t, (size_t)(kend - t), V3_WANT_DETAIL);
	if (!slot)
		return 0;
	priv = starts(d, "priv ");
	d += priv ? 5 : 7;
	inst = starts(d, "inst ");
	d += 5;
	wr = starts(d, "write ");
	d += wr ? 6 : 5;
	s2 = starts(d, "s2");
	q = strchr(d, '"');
	if (q) {
		for (int i = 0; i < 4; i++)
			if (starts(q + 1, v3_class[i])) {
				cls = i;
				break;
			}
	}
	f = &slot->f;
	if (!f->nraw) {	/* no raw dwords: take the kernel's decode */
		f->k.access = wr ? ACC_WRITE : ACC_READ;
		f->k.x[2] = ((unsigned)s2 | (unsigned)inst << 1 | (unsigned)priv << 2 |
			     (strstr(d, " stall") ? 8u : 0u)) + 1;
		if (cls >= 0)
			f->k.x[1] = (uint64_t)cls + 1;
		if (strstr(d, " ttd_read"))
			f->k.x[5] = 2;
		else if (strstr(d, " ttd_write"))
			f->k.x[5] = 1;
	}
	if (!f->nraw && strstr(d, " stall") && (q = strstr(d, " stag: ")) &&
	    lab_hex_scan(q + 7, &f->stag, NULL))
		f->has_stag = 1;
	f->v3_detail = 1;
	v3_emit_slot(p, st, slot);
	return 1;
}

static void simple(struct lab_fault_parser *p, const struct lab_klog_record *rec, int kind,
		   const char *event, int cause, const char *t, const char *at)
{
	struct fault f;

	fault_init(&f, kind, event, rec);
	f.cause = cause;
	if (at && at > t) {
		const char *e = at;

		while (e > t && (e[-1] == ' ' || e[-1] == ':'))
			e--;
		copy_last_token(f.k.inst, t, (size_t)(e - t));
	}
	fault_emit(p, &f);
}

static int smmuv3_line(struct lab_fault_parser *p, void *state, const struct lab_klog_record *rec)
{
	struct smmuv3_state *st = state;
	const char *t = rec->text, *s;
	uint64_t v;

	if (!strstr(t, "smmu"))
		return 0;
	if ((s = strstr(t, "event 0x")) && strstr(s, " received")) {
		v3_header(p, st, rec, t, s);
		return 1;
	}
	if ((s = strstr(t, ": event: "))) {
		v3_decoded(p, st, rec, t, s + 2);
		return 1;
	}
	if (((s = strstr(t, ": unpriv ")) || (s = strstr(t, ": priv "))) && strstr(s, " stag: "))
		return v3_detail(p, st, t, s + 2);
	if ((s = strstr(t, "EVTQ overflow detected"))) {
		simple(p, rec, K_SMMUV3, "EVTQ_OVERFLOW", CAUSE_OVERFLOW, t, s);
		return 1;
	}
	if ((s = strstr(t, "PRIQ overflow detected"))) {
		simple(p, rec, K_SMMUV3, "PRIQ_OVERFLOW", CAUSE_OVERFLOW, t, s);
		return 1;
	}
	if ((s = strstr(t, "unexpected global error reported (")) &&
	    lab_hex_scan(s + 34, &v, NULL)) {
		struct fault f;
		const char *e = s;

		fault_init(&f, K_SMMUV3, "GERROR", rec);
		set_code(&f, (int64_t)v);
		f.cause = v & (1 << 2) ? CAUSE_OVERFLOW : CAUSE_UNKNOWN;
		while (e > t && (e[-1] == ' ' || e[-1] == ':'))
			e--;
		copy_last_token(f.k.inst, t, (size_t)(e - t));
		fault_emit(p, &f);
		return 1;
	}
	if ((s = strstr(t, "CMDQ error (cons ")) && lab_hex_scan(s + 17, &v, NULL)) {
		struct fault f;
		const char *e = s, *msg = strstr(s, "): ");

		fault_init(&f, K_SMMUV3, "CMDQ_ERROR", rec);
		set_code(&f, (int64_t)(v >> 24 & 0x7f));
		if (msg)
			copy_name(f.detail, msg + 3, strlen(msg + 3));
		f.cause = strstr(s, "ATC invalidate timeout") ? CAUSE_ATS_TIMEOUT :
			  strstr(s, "Illegal command") ? CAUSE_ILLEGAL_CMD :
			  strstr(s, "Abort on command fetch") ? CAUSE_HW_ERROR : CAUSE_UNKNOWN;
		while (e > t && (e[-1] == ' ' || e[-1] == ':'))
			e--;
		copy_last_token(f.k.inst, t, (size_t)(e - t));
		fault_emit(p, &f);
		return 1;
	}
	return 0;
}

/* a dword line of a raw record */
static int smmuv3_pending(struct lab_fault_parser *p, void *state,
			  const struct lab_klog_record *rec)
{
	struct smmuv3_state *st = state;

	return st->v3_collecting && v3_dword(p, st, rec);
}

static void smmuv3_deadline(struct lab_fault_parser *p, void *state, unsigned long line,
			    unsigned long *next)
{
	struct smmuv3_state *st = state;

	for (int i = 0; i < V3_SLOTS; i++)
		if (st->v3[i].state != V3_FREE && fault_expired(st->v3[i].deadline, line, next))
			v3_emit_slot(p, st, &st->v3[i]);
}

/* the open records, oldest first */
static void smmuv3_flush(struct lab_fault_parser *p, void *state)
{
	struct smmuv3_state *st = state;

	for (;;) {
		struct v3_slot *old = NULL;

		for (int i = 0; i < V3_SLOTS; i++)
			if (st->v3[i].state != V3_FREE && (!old || st->v3[i].stamp < old->stamp))
				old = &st->v3[i];
		if (!old)
			break;
		v3_emit_slot(p, st, old);
	}
}

const struct fault_family fault_smmuv3 = {
	.name = "smmuv3",
	.state_size = sizeof(struct smmuv3_state),
	.pending = smmuv3_pending,
	.line = smmuv3_line,
	.deadline = smmuv3_deadline,
	.flush = smmuv3_flush,
	.describe = describe_smmuv3,
};
