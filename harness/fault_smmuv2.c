/* SPDX-License-Identifier: MIT */
/*
 * Arm SMMUv2 records, following drivers/iommu/arm/arm-smmu/arm-smmu.{c,h}
 * arm_smmu_context_fault(), ARM_SMMU_CB_FSR_*, ARM_SMMU_CB_FSYNR0_*. Owns
 * the "Unhandled context fault" lines (including one a mail client wrapped,
 * held for its bare continuation) and their meaning.
 */
#include "fault_internal.h"

struct smmuv2_state {
	struct fault_wrap wrap;
};

/*
 * FSR and FSYNR0 by field: drivers/iommu/arm/arm-smmu/arm-smmu.h
 * ARM_SMMU_CB_FSR_* and ARM_SMMU_CB_FSYNR0_* (the fields 6.12's
 * arm_smmu_print_context_fault_info() prints on its "FSR =" and
 * "FSYNR0 =" lines; 6.1 prints the two registers only as hex).
 */
static const char *const v2_fsr_names[32] = {
	[1] = "TF", [2] = "AFF", [3] = "PF", [4] = "EF", [5] = "TLBMCF", [6] = "TLBLKF",
	[7] = "ASF", [8] = "UUT", [30] = "SS", [31] = "MULTI",
};

static const char *const v2_fsynr_names[12] = {
	[4] = "WNR", [5] = "PNU", [6] = "IND", [8] = "NSATTR", [10] = "PTWF", [11] = "AFR",
};

/* each named bit of reg as 0/1 (lower-case names), into o */
static void bits_json(json_object *o, uint64_t reg, const char *const names[], int n)
{
	for (int b = 0; b < n; b++) {
		char k[8];
		size_t i;

		if (!names[b])
			continue;
		for (i = 0; names[b][i] && i + 1 < sizeof(k); i++)
			k[i] = (char)tolower((unsigned char)names[b][i]);
		k[i] = '\0';
		jadd(o, k, json_object_new_int((int)(reg >> b & 1)));
	}
}

/* ---- meaning ---------------------------------------------------------------- */

static void describe_smmu(const struct record *r, json_object *d, char *m, size_t mn)
{
	const struct fault *f = &r->first;
	uint64_t fsr = (uint64_t)f->k.code;
	size_t o;

	if (f->k.inst[0])
		jadd(d, "smmu", json_object_new_string(f->k.inst));
	if (f->k.has_code) {
		json_object *o = json_object_new_object();

		bits_json(o, fsr, v2_fsr_names, 32);
		jadd(o, "format", json_object_new_int((int)(fsr >> 9) & 3));
		jadd(d, "fsr", o);
	}
	if (f->k.x[0]) {
		uint64_t fs = f->k.x[0] - 1;
		json_object *o = json_object_new_object();

		jadd(d, "fsynr0_raw", jhex(fs));
		jadd(o, "plvl", json_object_new_int((int)(fs & 3)));
		bits_json(o, fs, v2_fsynr_names, 12);
		jadd(o, "s1cbndx", json_object_new_int((int)(fs >> 16) & 0xff));
		jadd(d, "fsynr0", o);
	}
	if (f->k.x[1])
		jadd(d, "cb", json_object_new_int((int)(f->k.x[1] - 1)));
	if (f->client[0])
		jadd(d, "client", json_object_new_string(f->client));
	if (f->raw_kind == 5) {
		static const char *const level[4] = { "pgd", "pud", "pmd", "pte" };
		json_object *o = json_object_new_object();

		for (int i = 0; i < 4; i++)
			if (f->nraw & (1 << i))
				jadd(o, level[i], jhex(f->raw[i]));
		jadd(d, "walk", o);
	}
	if (f->k.x[2])
		jadd(d, "cbfrsynra", jhex(f->k.x[2] - 1));
	o = snprintf(m, mn, "context fault%s",
		     f->k.has_code ? ":" : " (FSR not printed by this kernel)");
	if (f->k.has_code) {
		static const struct { int bit; const char *t; } bits[] = {
			{ 1, "translation fault (TF)" }, { 2, "access flag fault (AFF)" },
			{ 3, "permission fault (PF)" }, { 4, "external fault (EF)" },
			{ 5, "TLB match conflict (TLBMCF)" }, { 6, "TLB lock fault (TLBLKF)" },
			{ 7, "address size fault (ASF)" },
			{ 8, "unsupported upstream transaction (UUT)" },
			{ 30, "stalled (SS)" }, { 31, "multiple faults (MULTI)" },
		};

		for (size_t i = 0; i < NELEM(bits) && o < mn; i++)
			if (fsr >> bits[i].bit & 1)
				o += snprintf(m + o, mn - o, " %s;", bits[i].t);
	}
	if (f->k.x[0] && o < mn) {
		uint64_t fs = f->k.x[0] - 1;

		snprintf(m + o, mn - o, " %s %s access, level %d",
			 fs & (1 << 5) ? "unprivileged" : "privileged",
			 fs & (1 << 6) ? "instruction" : fs & (1 << 4) ? "write" : "read",
			 (int)(fs & 3));
	}
}

/* ---- parsing ---------------------------------------------------------------- */

static void v2_parse_emit(struct lab_fault_parser *p, const char *t,
			  const struct lab_klog_record *rec, unsigned long line, int has_ts,
			  double ts)
{
	const char *u = strstr(t, "Unhandled context fault"), *e, *q, *key, *val;
	const char *fsr = NULL, *iova = NULL, *fsynr = NULL, *cb = NULL, *cbfr = NULL;
	const char *sid = NULL, *walk[4] = { NULL };	/* pgd, pud, pmd, pte */
	struct fault f;
	uint64_t v;
	size_t kl;

	if (!u)
		return;
	fault_init(&f, K_SMMU, "CONTEXT_FAULT", rec);
	f.line = line;
	f.has_ts = has_ts;
	f.ts = ts;
	e = u;
	while (e > t && (e[-1] == ' ' || e[-1] == ':'))
		e--;
	copy_last_token(f.k.inst, t, (size_t)(e - t));
	for (q = u; next_kv(u, &q, &key, &kl, &val);) {
		const char **slot = NULL;

		if (kl == 3 && !memcmp(key, "fsr", 3))
			slot = &fsr;
		else if (kl == 4 && !memcmp(key, "iova", 4))
			slot = &iova;
		else if (kl == 5 && !memcmp(key, "fsynr", 5))
			slot = &fsynr;
		else if (kl == 2 && !memcmp(key, "cb", 2))
			slot = &cb;
		else if (kl == 9 && !memcmp(key, "cbfrsynra", 9))
			slot = &cbfr;
		else if (kl == 3 && !memcmp(key, "sid", 3))
			slot = &sid;
		else if (kl == 3 && !memcmp(key, "pgd", 3))
			slot = &walk[0];
		else if (kl == 3 && !memcmp(key, "pud", 3))
			slot = &walk[1];
		else if (kl == 3 && !memcmp(key, "pmd", 3))
			slot = &walk[2];
		else if (kl == 3 && !memcmp(key, "pte", 3))
			slot = &walk[3];
		if (slot && !*slot)
			*slot = val;
	}
	if (fsr && lab_hex_scan(fsr, &v, NULL))
		set_code(&f, (int64_t)(v & 0xffffffff));
	if (iova && lab_hex_scan(iova, &v, NULL))
		set_addr(&f, v);
	if (fsynr && lab_hex_scan(fsynr, &v, NULL)) {
		f.k.x[0] = (v & 0xffffffff) + 1;
		/* WNR; an instruction fetch (IND) is a read */
		f.k.access = v & (1 << 6) ? ACC_READ : v & (1 << 4) ? ACC_WRITE : ACC_READ;
	}
	if (cb && parse_dec(cb, &v, NULL))
		f.k.x[1] = v + 1;
	if (cbfr && lab_hex_scan(cbfr, &v, NULL)) {
		f.k.x[2] = (v & 0xffffffff) + 1;
		set_sid(&f, v & 0xffff);
	} else if (sid) {
		const char *c, *ce;

		if ((sid[0] == '0' && sid[1] == 'x') ? lab_hex_scan(sid, &v, NULL) :
		    parse_dec(sid, &v, NULL))
			set_sid(&f, v);
		/* NVIDIA's "sid=17(0x11 - AFI)": the client behind the StreamID */
		if ((c = strstr(sid, " - ")) && (ce = strchr(c, ')')) && ce - c - 3 < NAME_LEN &&
		    (size_t)(c - sid) < 24)
			copy_name(f.client, c + 3, (size_t)(ce - c - 3));
	}
	/* a vendor kernel's page-table walk for the IOVA: each level's entry */
	for (int i = 0; i < 4; i++) {
		if (walk[i] && lab_hex_scan(walk[i], &v, NULL)) {
			f.raw[i] = v;
			f.nraw |= 1 << i;
			f.raw_kind = 5;
		}
	}
	if (!f.k.has_code && walk[3] && (f.nraw & 8) && f.raw[3] == 0) {
		snprintf(f.detail, sizeof(f.detail), "pte=0");
		f.cause = CAUSE_UNMAPPED;
	}
	if (f.k.has_code) {
		uint64_t fsr = (uint64_t)f.k.code;

		f.cause = fsr & (1 << 1) ? CAUSE_UNMAPPED : fsr & (1 << 3) ? CAUSE_PERMISSION :
			  fsr & (1 << 2) ? CAUSE_ACCESS_FLAG : fsr & (1 << 7) ? CAUSE_ADDR_WIDTH :
			  fsr & (1 << 4) ? CAUSE_HW_ERROR : fsr & (1 << 5) ? CAUSE_TLB_CONFLICT :
			  CAUSE_UNKNOWN;
	}
	fault_emit(p, &f);
}

static void smmu_wrap_flush(struct lab_fault_parser *p, struct smmuv2_state *st)
{
	struct fault_wrap *w = &st->wrap;

	if (!w->active)
		return;
	w->active = 0;
	v2_parse_emit(p, w->text, NULL, w->line, w->has_ts, w->ts);
}

static int smmu_line(struct lab_fault_parser *p, void *state, const struct lab_klog_record *rec)
{
	struct smmuv2_state *st = state;
	const char *t = rec->text;
	size_t n = rec->len;

	if (!strstr(t, "smmu") || !strstr(t, "Unhandled context fault"))
		return 0;
	smmu_wrap_flush(p, st);
	if (strstr(t, "cb=") || !rec->prefix) {
		v2_parse_emit(p, t, rec, rec->line, rec->has_timestamp, rec->timestamp);
		return 1;
	}
	/* wrapped by a mail client: take the next bare line too */
	fault_wrap_start(p, &st->wrap, t, n, rec->line, rec->has_timestamp, rec->timestamp);
	return 1;
}

/* a bare line that completes a wrapped record */
static int smmu_pending(struct lab_fault_parser *p, void *state, const struct lab_klog_record *rec)
{
	struct smmuv2_state *st = state;
	int taken;

	if (!st->wrap.active)
		return 0;
	taken = fault_wrap_take(&st->wrap, rec);
	smmu_wrap_flush(p, st);
	return taken;
}

static void smmu_deadline(struct lab_fault_parser *p, void *state, unsigned long line,
			  unsigned long *next)
{
	struct smmuv2_state *st = state;

	if (st->wrap.active && fault_expired(st->wrap.deadline, line, next))
		smmu_wrap_flush(p, st);
}

static void smmu_flush(struct lab_fault_parser *p, void *state)
{
	smmu_wrap_flush(p, state);
}

const struct fault_family fault_smmuv2 = {
	.name = "smmu",
	.state_size = sizeof(struct smmuv2_state),
	.pending = smmu_pending,
	.line = smmu_line,
	.deadline = smmu_deadline,
	.flush = smmu_flush,
	.describe = describe_smmu,
};
