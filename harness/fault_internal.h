/* SPDX-License-Identifier: MIT */
#ifndef LAB_FAULT_INTERNAL_H
#define LAB_FAULT_INTERNAL_H

/*
 * What the fault decoder's files share, and nothing public (that is
 * fault.h). The decoder is:
 *   fault.c           the public API: feeds each line to the families, runs
 *                     their deadlines, counts "callbacks suppressed" lines
 *   fault_store.c     the records: keys, folding, the hash table, JSON
 *   fault_describe.c  meaning, likely cause and evidence of each record
 *   fault_intel.c, fault_amd.c, fault_smmuv3.c, fault_smmuv2.c, fault_virtio.c
 *                     one IOMMU family each: its kernel-log formats, its
 *                     pending state and its part of a record's description
 * Functions shared across these files are named fault_*; the small parsing
 * and JSON helpers below are static inline (unprefixed) so that the hot
 * line parsers can still inline them.
 */

#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json.h>

#include "fault.h"
#include "hex.h"
#include "klog.h"

#define NAME_LEN 48
#define PEND_TEXT 1024
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* a record's IOMMU family; fault.c maps each to its struct fault_family */
enum kind { K_INTEL, K_AMD, K_SMMUV3, K_SMMU, K_VIRTIO, K_COUNT };

enum access { ACC_NONE, ACC_READ, ACC_WRITE };

/* likely causes: the parsers pick one, fault_describe.c words it and may refine it */
enum cause {
	CAUSE_UNKNOWN,
	CAUSE_UNMAPPED,
	CAUSE_UNMAPPED_OR_PERM,
	CAUSE_PERMISSION,
	CAUSE_NO_CONTEXT,
	CAUSE_BOOT_HANDOFF,
	CAUSE_ADDR_ZERO,
	CAUSE_ADDR_WIDTH,
	CAUSE_TABLE_BAD,
	CAUSE_ILLEGAL_DTE,
	CAUSE_HW_ERROR,
	CAUSE_IR_COMPAT,
	CAUSE_IR_SID,
	CAUSE_IR_NOT_PRESENT,
	CAUSE_IR_INDEX,
	CAUSE_IR_RESERVED,
	CAUSE_IR_TABLE,
	CAUSE_IR_BLOCKED,
	CAUSE_ATS_TIMEOUT,
	CAUSE_ATS_COMPLETION,
	CAUSE_CMD_TIMEOUT,
	CAUSE_ILLEGAL_CMD,
	CAUSE_INVALID_REQ,
	CAUSE_PPR,
	CAUSE_RMP,
	CAUSE_OVERFLOW,
	CAUSE_ACCESS_FLAG,
	CAUSE_TLB_CONFLICT,
	CAUSE_BAD_STE,
	CAUSE_BAD_SID,
	CAUSE_BAD_CD,
	CAUSE_ATS_FORBIDDEN,
	CAUSE_COUNT
};

/* ---- records ------------------------------------------------------------- */

/* Everything in fkey is the identity used to fold records. */
struct fkey {
	int kind;
	int access;
	int variant;		/* keeps apart records a flag tells apart (not attached) */
	int has_code, has_dev, has_sid, has_addr;
	int64_t code;
	uint64_t dev;		/* seg << 16 | bus << 8 | dev << 3 | fn */
	uint64_t sid;
	uint64_t addr;
	uint64_t x[6];		/* family-specific identity, 0 = absent, else value + 1 */
	const char *event;	/* static string */
	char inst[NAME_LEN];	/* IOMMU instance (ivhd0, 9050000.smmuv3), sanitised */
};

struct fault {
	struct fkey k;
	/* description only */
	int cause;
	int seg_known;
	int reason_base;	/* intel: 16, 10; 0 when no reason was printed */
	int reason_match;	/* intel: printed text matches the table */
	int reason_has_text;
	int reason_conflict;	/* intel: an interrupt reason on a DMA record */
	char reason_printed[12];
	int has_aux;		/* AMD: "Control Reg" printed after ILLEGAL_DEV_TABLE_ENTRY */
	uint64_t aux;
	char driver[NAME_LEN];	/* driver named in a "drv ssss:bb:dd.f:" prefix */
	char client[NAME_LEN];	/* SMMUv3 decoded client, SMMUv2 vendor client name */
	char detail[NAME_LEN];	/* free-form tail (CMDQ error text, ...) */
	uint64_t raw[4];	/* SMMUv3 dwords / AMD DTE / AMD CMD / AMD event words */
	int nraw;
	int raw_kind;		/* 0 none, 1 smmuv3 dwords, 2 dte, 3 cmd, 4 AMD event,
				 * 5 SMMUv2 vendor walk (nraw: a mask of the levels) */
	int v3_detail;		/* SMMUv3 privilege/class line seen */
	int v3_decoded;		/* SMMUv3 "event:" line seen */
	int dwords_missing;
	int has_stag;		/* SMMUv3: the stall tag (EVTQ_1_STAG), printed or in dword 1 */
	uint64_t stag;
	/* occurrence */
	unsigned long line;
	int has_ts;
	double ts;
};

struct record {
	struct fkey key;
	int level;		/* 0 exact, 1 no address, 2 no device, 3 event only */
	unsigned long count, suppressed;
	unsigned long lines[LAB_FAULT_MAX_LINES];
	unsigned int nlines;
	unsigned long lines_omitted;
	int has_ts;
	double first_ts, last_ts;
	struct fault first;
	/* filled by fault_describe() when the parser finishes */
	json_object *decoded;
	char *meaning;
	const char *likely_cause;
	json_object *evidence;
};

/* ---- small parsing and JSON helpers ----------------------------------------- */

static inline int starts(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static inline int parse_dec(const char *s, uint64_t *v, const char **end)
{
	uint64_t r = 0;
	int n = 0;

	while (*s >= '0' && *s <= '9') {
		if (r < UINT64_MAX / 10)
			r = r * 10 + (uint64_t)(*s - '0');
		n++;
		s++;
	}
	*v = r;
	if (end)
		*end = s;
	return n;
}

/* number after "key" in s: hex if 0x-prefixed or if hex is forced */
static inline int field_hex(const char *s, const char *key, uint64_t *v)
{
	const char *p = strstr(s, key);

	if (!p)
		return 0;
	return lab_hex_scan(p + strlen(key), v, NULL) > 0;
}

/*
 * PCI address: [ssss:]bb:dd.f, each field optionally 0x-prefixed (the VT-d
 * format of 5.11-5.16 printed [0x00:0x02.0]).
 */
static inline int parse_bdf(const char *s, uint64_t *devid, int *seg_known, const char **end)
{
	uint64_t a, b, c, fn;
	const char *p;

	if (!lab_hex_scan(s, &a, &p) || *p != ':')
		return 0;
	if (!lab_hex_scan(p + 1, &b, &p))
		return 0;
	if (*p == ':') {
		if (!lab_hex_scan(p + 1, &c, &p) || *p != '.')
			return 0;
		if (a > 0xffff || b > 0xff || c > 0x1f)
			return 0;
		*seg_known = 1;
	} else if (*p == '.') {
		c = b;
		b = a;
		a = 0;
		if (b > 0xff || c > 0x1f)
			return 0;
		*seg_known = 0;
	} else {
		return 0;
	}
	if (!parse_dec(p + 1, &fn, &p) || fn > 7)
		return 0;
	*devid = a << 16 | b << 8 | c << 3 | fn;
	if (end)
		*end = p;
	return 1;
}

/* copy a name from the log keeping only printable, JSON-safe characters */
static inline void copy_name(char *dst, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < NAME_LEN; i++) {
		unsigned char c = s[i];

		if (isalnum(c) || strchr("._:-/+@()# ", c))
			dst[o++] = (char)c;
		else
			dst[o++] = '?';
	}
	dst[o] = '\0';
}

/* "arm-smmu-v3 9050000.smmuv3" -> "9050000.smmuv3" */
static inline void copy_last_token(char *dst, const char *s, size_t n)
{
	size_t b = n;

	while (b > 0 && s[b - 1] != ' ')
		b--;
	copy_name(dst, s + b, n - b);
}

static inline void fault_init(struct fault *f, int kind, const char *event,
		       const struct lab_klog_record *rec)
{
	memset(f, 0, sizeof(*f));
	f->k.kind = kind;
	f->k.event = event;
	f->line = rec ? rec->line : 0;
	f->has_ts = rec ? rec->has_timestamp : 0;
	f->ts = rec ? rec->timestamp : 0;
}

static inline void set_code(struct fault *f, int64_t code)
{
	f->k.has_code = 1;
	f->k.code = code;
}

static inline void set_addr(struct fault *f, uint64_t a)
{
	f->k.has_addr = 1;
	f->k.addr = a;
}

static inline void set_dev(struct fault *f, uint64_t devid, int seg_known)
{
	f->k.has_dev = 1;
	f->k.dev = devid;
	f->seg_known = seg_known;
}

static inline void set_sid(struct fault *f, uint64_t sid)
{
	f->k.has_sid = 1;
	f->k.sid = sid;
}

static inline void dev_string(char *buf, size_t n, uint64_t d)
{
	snprintf(buf, n, "%04x:%02x:%02x.%x", (unsigned)(d >> 16) & 0xffff,
		 (unsigned)(d >> 8) & 0xff, (unsigned)(d >> 3) & 0x1f, (unsigned)d & 7);
}

static inline json_object *jhex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

static inline void jadd(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static inline void jadd_bits(json_object *o, const char *k, uint64_t v,
			     const char *const names[], int n)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < n; i++)
		if (names[i] && (v >> i & 1))
			json_object_array_add(a, json_object_new_string(names[i]));
	jadd(o, k, a);
}



/*
 * The next "key=value" of s after *q: a key is a run of [A-Za-z0-9_[]] that
 * starts s or follows a blank, ',' or '['. Returns 0 when there is none.
 */
static inline int next_kv(const char *s, const char **q, const char **key, size_t *kl,
		   const char **val)
{
	const char *eq;

	while ((eq = strchr(*q, '='))) {
		const char *k = eq;

		*q = eq + 1;
		while (k > s && (isalnum((unsigned char)k[-1]) || k[-1] == '_' ||
				 k[-1] == '[' || k[-1] == ']')) {
			if (k[-1] == '[' && k - 1 > s && k[-2] == ' ')
				break;	/* "[IO_PAGE_FAULT" is not part of a key */
			k--;
		}
		if (k == eq || (k > s && k[-1] != ' ' && k[-1] != ',' && k[-1] != '[' &&
				k[-1] != '\t'))
			continue;
		*key = k;
		*kl = (size_t)(eq - k);
		*val = eq + 1;
		return 1;
	}
	return 0;
}

/* ---- the families --------------------------------------------------------- */

/*
 * One IOMMU family's parser. Its state (state_size bytes, zeroed at the
 * start) holds the records it has not emitted yet. Every hook but name and
 * state_size may be NULL. The core offers each line in three rounds and
 * stops at the first hook that returns 1:
 *   pending    a line that may continue a record the family holds;
 *   line       a line in the family's own formats;
 *   unclaimed  a line no family's line hook took.
 * deadline expires what waited past `line` and lowers *next (0: none) to
 * the earliest deadline still open; flush emits everything at the end.
 * describe fills a new record's meaning (m, mn bytes) and decoded fields.
 */
struct fault_family {
	const char *name;	/* the record's "iommu" */
	size_t state_size;
	int (*pending)(struct lab_fault_parser *p, void *state,
		       const struct lab_klog_record *rec);
	int (*line)(struct lab_fault_parser *p, void *state, const struct lab_klog_record *rec);
	int (*unclaimed)(struct lab_fault_parser *p, void *state,
			 const struct lab_klog_record *rec);
	void (*deadline)(struct lab_fault_parser *p, void *state, unsigned long line,
			 unsigned long *next);
	void (*flush)(struct lab_fault_parser *p, void *state);
	void (*describe)(const struct record *r, json_object *d, char *m, size_t mn);
};

extern const struct fault_family fault_intel, fault_amd, fault_smmuv3, fault_smmuv2,
	fault_virtio;

/* the family of records of kind k */
const struct fault_family *fault_family(int kind);

/* for deadline hooks: 1 when `line` is past dl, else dl may lower *next */
static inline int fault_expired(unsigned long dl, unsigned long line, unsigned long *next)
{
	if (line > dl)
		return 1;
	if (!*next || dl < *next)
		*next = dl;
	return 0;
}

/* ---- what the families call in the core (fault.c) ------------------------- */

/* a finished record: to the store */
void fault_emit(struct lab_fault_parser *p, struct fault *f);
/* a pending record must be looked at again after line d */
void fault_set_deadline(struct lab_fault_parser *p, unsigned long d);
/* an Intel status line that announces records and is not one */
void fault_note_status_line(struct lab_fault_parser *p);
/* append " " + t (n bytes) to a PEND_TEXT buffer holding *len bytes, cutting what
 * does not fit */
void fault_pend_append(char *buf, size_t *len, const char *t, size_t n);

/* a record a mail client wrapped: waits for its bare continuation line */
struct fault_wrap {
	int active;
	unsigned long line, deadline;
	int has_ts;
	double ts;
	size_t len;
	char text[PEND_TEXT];
};

/* hold t (n bytes, seen at line/ts) for the next line; the caller flushed w */
void fault_wrap_start(struct lab_fault_parser *p, struct fault_wrap *w, const char *t,
		      size_t n, unsigned long line, int has_ts, double ts);
/* 1 if rec is a bare line, appended to w: either way the caller flushes w
 * next, as a wrap continues on the very next line or not at all */
int fault_wrap_take(struct fault_wrap *w, const struct lab_klog_record *rec);

/* ---- the record store (fault_store.c) -------------------------------------- */

struct fault_store {
	struct record *recs;
	size_t nrecs, caprecs;
	uint32_t *table;	/* index + 1, 0 = empty */
	uint32_t *hashes;	/* the key hash of each slot, checked before memcmp */
	size_t nlevel[4];
	unsigned long folded[4];
	long last_rec[K_COUNT];	/* index of the last record per family, -1 none */
	unsigned long pending_suppressed[K_COUNT];
	unsigned long suppressed[K_COUNT];
	int failed;		/* out of memory: the records are incomplete */
};

/* the parser's own counts, for the summary */
struct fault_counts {
	unsigned long lines, truncated;
	unsigned long status_lines;	/* DRHD lines with PPF only */
};

int fault_store_init(struct fault_store *s);
void fault_store_free(struct fault_store *s);
void fault_store_add(struct fault_store *s, struct fault *f);
/* n messages a rate limit dropped from a function of family `kind` */
void fault_store_add_suppressed(struct fault_store *s, int kind, unsigned long n);
/* each record's JSON, appended to the array faults */
void fault_store_records_json(const struct fault_store *s, json_object *faults);
json_object *fault_store_summary_json(const struct fault_store *s, const struct fault_counts *c);

/* ---- describing (fault_describe.c and the families) ------------------------- */

/* every record's meaning, decoded fields, likely cause and evidence */
void fault_describe(struct fault_store *s);

/* what the description of one family takes from another's tables */
const char *fault_intel_reason_text(uint64_t reason);
extern const char *const fault_amd_invreq_types[8];
/* the flag bits of AMD event type `code` that are set in `flags`, by name
 * ("PR RW PE", "TR type 5"); 0 when the event's flag layout is not known */
int fault_amd_flag_text(int code, uint64_t flags, char *buf, size_t n);

/* AMD event flags, as IO_PAGE_FAULT defines them (amd_iommu_types.h
 * EVENT_FLAG_I and EVENT_FLAG_RW; the others: AMD IOMMU spec 48882, IO_PAGE_FAULT
 * event) */
#define AMD_GN 0x001
#define AMD_NX 0x002
#define AMD_US 0x004
#define AMD_I 0x008
#define AMD_PR 0x010
#define AMD_RW 0x020
#define AMD_PE 0x040
#define AMD_RZ 0x080
#define AMD_TR 0x100

#endif
