/* SPDX-License-Identifier: MIT */
/*
 * IOMMU fault records from kernel log text. The formats and the tables
 * below follow the kernel sources that print them:
 *   Intel  drivers/iommu/intel/dmar.c dmar_fault_do_one(), dmar_fault(),
 *          qi_check_fault(); reason tables dma_remap_fault_reasons[],
 *          dma_remap_sm_fault_reasons[], irq_remap_fault_reasons[]
 *          (older: drivers/pci/dmar.c, drivers/iommu/dmar.c)
 *   AMD    drivers/iommu/amd/iommu.c iommu_print_event(),
 *          amd_iommu_report_page_fault(), amd_iommu_report_rmp_*(),
 *          wait_on_sem(), dump_dte_entry(), dump_command();
 *          amd_iommu_types.h EVENT_TYPE_*, EVENT_FLAG_*
 *   SMMUv3 drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.{c,h}
 *          arm_smmu_dump_raw_event(), arm_smmu_dump_event(),
 *          arm_smmu_decode_event(), EVT_ID_*, EVTQ_*; event names of the
 *          ids the kernel does not name are the SMMUv3 architecture's
 *   SMMUv2 drivers/iommu/arm/arm-smmu/arm-smmu.{c,h}
 *          arm_smmu_context_fault(), ARM_SMMU_CB_FSR_*, ARM_SMMU_CB_FSYNR0_*
 */
#include "fault.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"

#define NAME_LEN 48
#define PEND_TEXT 1024
#define V3_SLOTS 4
#define BOOT_SECONDS 5.0	/* before PCI drivers usually probe */
#define TABLE_BITS 15		/* hash slots: 32768 >= 2 * all records */
#define MAX_LEVEL2 1024		/* records folded without device */

enum kind { K_INTEL, K_AMD, K_SMMUV3, K_SMMU, K_COUNT };
static const char *const kind_names[K_COUNT] = { "intel", "amd", "smmuv3", "smmu" };

enum access { ACC_NONE, ACC_READ, ACC_WRITE };

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

static const char *const cause_text[CAUSE_COUNT] = {
	[CAUSE_UNKNOWN] = "unknown",
	[CAUSE_UNMAPPED] = "stale or freed IOVA: the device used an address with no mapping "
		"(driver use-after-unmap, or a wrong address programmed into the device)",
	[CAUSE_UNMAPPED_OR_PERM] = "no mapping with the needed permission: a stale or freed IOVA "
		"(driver use-after-unmap), or a buffer mapped for the other DMA direction",
	[CAUSE_PERMISSION] = "DMA direction mismatch: the page is mapped, but not for this access "
		"(e.g. the device writes into a buffer mapped DMA_TO_DEVICE)",
	[CAUSE_NO_CONTEXT] = "requester ID with no translation set up: no driver attached the "
		"device to a domain, or the device issues DMA under an alias requester ID "
		"(phantom function, PCIe-to-PCI bridge) that needs a DMA alias quirk",
	[CAUSE_BOOT_HANDOFF] = "DMA left running by firmware at boot (hand-off): the device kept "
		"using a firmware-owned buffer (framebuffer scan-out, USB legacy support, ...) "
		"that no RMRR/IVMD reserved region covers, before its driver took over",
	[CAUSE_ADDR_ZERO] = "DMA to address 0: a descriptor, buffer or MSI address the driver "
		"never set (or the device lost its programming, e.g. across a reset)",
	[CAUSE_ADDR_WIDTH] = "address wider than the IOMMU translates: a garbage or "
		"uninitialised DMA address, or a DMA mask larger than the IOMMU's address width",
	[CAUSE_TABLE_BAD] = "malformed translation structures: reserved bits or invalid pointers "
		"in an entry the IOMMU walked (driver or firmware bug, or memory corruption)",
	[CAUSE_ILLEGAL_DTE] = "illegal DTE fields: the device table entry has reserved bits set "
		"or an invalid mode (IOMMU driver or firmware bug, or memory corruption)",
	[CAUSE_HW_ERROR] = "the IOMMU could not read its own tables or commands (bus abort or "
		"data error): platform or memory fault, or structures at a bad address",
	[CAUSE_IR_COMPAT] = "interrupt-remapping compatibility-format block: an interrupt source "
		"(often an IOAPIC or HPET set up by firmware, or an MSI written before remapping "
		"was enabled) still sends the non-remappable format",
	[CAUSE_IR_SID] = "interrupt source-id verification failure: the interrupt came with a "
		"requester ID other than the one its IRTE allows (alias through a bridge, or a "
		"wrong IOAPIC/HPET scope in the DMAR table)",
	[CAUSE_IR_NOT_PRESENT] = "interrupt with no valid remapping entry: the device sent an "
		"MSI whose IRTE was never allocated or already freed (stale MSI programming after "
		"driver unload, reset or kexec)",
	[CAUSE_IR_INDEX] = "interrupt index beyond the remapping table: MSI data that did not "
		"come from the IOMMU driver (stale or corrupted MSI programming)",
	[CAUSE_IR_RESERVED] = "malformed interrupt request or IRTE (reserved fields set): driver "
		"or firmware bug",
	[CAUSE_IR_TABLE] = "the interrupt remapping table is not accessible: firmware or driver "
		"set-up problem",
	[CAUSE_IR_BLOCKED] = "interrupt blocked by interrupt remapping: the device's interrupt "
		"has no remapped entry (stale MSI programming, or interrupts not set up for it)",
	[CAUSE_ATS_TIMEOUT] = "ATS invalidation timeout: the device did not complete a "
		"Device-TLB (ATC) invalidation (device hung, in reset or removed, link down, or "
		"broken ATS)",
	[CAUSE_ATS_COMPLETION] = "Device-TLB invalidation completion error: a device answered an "
		"ATS invalidation with an invalid or unexpected completion (broken ATS, or a "
		"device reset or removed during the invalidation)",
	[CAUSE_CMD_TIMEOUT] = "the IOMMU command queue stalled: a completion wait never finished "
		"(commonly after an ATS invalidation timeout, or a device that stopped responding)",
	[CAUSE_ILLEGAL_CMD] = "the IOMMU driver queued a command the hardware rejects (driver "
		"bug or command buffer corruption)",
	[CAUSE_INVALID_REQ] = "the device issued a request its device table entry does not allow "
		"(see decoded.request_type)",
	[CAUSE_PPR] = "the device sent a page request (PRI) its DTE/PASID set-up does not allow",
	[CAUSE_RMP] = "SEV-SNP RMP check failed: the device accessed a page the reverse map "
		"assigns to a guest or firmware (a page not made shared with the host)",
	[CAUSE_OVERFLOW] = "fault storm: faults arrived faster than the IOMMU could log them and "
		"some were lost",
	[CAUSE_ACCESS_FLAG] = "access flag fault: a page table entry with AF=0 and no hardware "
		"access-flag update enabled",
	[CAUSE_TLB_CONFLICT] = "TLB or configuration conflict: overlapping mappings, or a missing "
		"invalidation after a table change",
	[CAUSE_BAD_STE] = "invalid stream table entry: the SMMU stream table is misprogrammed "
		"(driver or firmware)",
	[CAUSE_BAD_SID] = "StreamID outside the stream table: firmware (IORT or device tree "
		"iommu-map) gives the device a SID the driver did not size the table for",
	[CAUSE_BAD_CD] = "invalid context descriptor or SubstreamID (PASID) set-up",
	[CAUSE_ATS_FORBIDDEN] = "a translated (ATS) transaction or translation request the "
		"stream's STE does not allow (ATS used while disabled for the stream, or a bypass "
		"stream receiving ATS traffic)",
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
	int has_aux;		/* AMD: command/table address (not the fault's) */
	uint64_t aux;
	char driver[NAME_LEN];	/* driver named in a "drv ssss:bb:dd.f:" prefix */
	char client[NAME_LEN];	/* SMMUv3 decoded client */
	char detail[NAME_LEN];	/* free-form tail (CMDQ error text, ...) */
	uint64_t raw[4];	/* SMMUv3 dwords / AMD DTE / AMD CMD */
	int nraw;
	int raw_kind;		/* 0 none, 1 smmuv3 dwords, 2 dte, 3 cmd */
	int v3_detail;		/* SMMUv3 privilege/class line seen */
	int v3_decoded;		/* SMMUv3 "event:" line seen */
	int dwords_missing;
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
	json_object *decoded;
	char *meaning;
};

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

/* A line that waits for the one that completes it, where it was seen. */
struct waiting_line {
	int active;
	unsigned long line, deadline;
	int has_ts;
	double ts;
};

struct amd_pending {
	struct waiting_line split;	/* "Event logged [" waiting for its body */
	struct waiting_line na;		/* "Device not attached" waiting for "device=" */
	int held_active;	/* a record waiting for its DTE or CMD dump */
	unsigned long held_deadline;
	struct fault held;
};

enum { V3_FREE, V3_DWORDS, V3_RAW_DONE, V3_WANT_DETAIL };

struct v3_slot {
	int state;
	unsigned long deadline, stamp;
	char key[NAME_LEN * 2];
	struct fault f;
};

/* a record a mail client wrapped: waits for its bare continuation line */
struct wrap_pending {
	int active;
	int kind;		/* K_SMMU or K_AMD */
	int split;		/* AMD: the body of a split record (no "AMD-Vi" in it) */
	unsigned long line, deadline;
	int has_ts;
	double ts;
	size_t len;
	char text[PEND_TEXT];
};

struct lab_fault_parser {
	struct record *recs;
	size_t nrecs, caprecs;
	uint32_t *table;	/* index + 1, 0 = empty */
	uint32_t *hashes;	/* the key hash of each slot, checked before memcmp */
	size_t nlevel[4];

	struct intel_pending intel;
	struct amd_pending amd;
	struct v3_slot v3[V3_SLOTS];
	unsigned long v3_stamp;
	int v3_collecting;
	struct wrap_pending wrap;
	unsigned long next_deadline;

	long last_rec[K_COUNT];	/* index of the last record per family, -1 none */
	unsigned long pending_suppressed[K_COUNT];
	unsigned long suppressed[K_COUNT];
	unsigned long qi_last[3];	/* last "VT-d detected" line, per qi_errors[] */

	unsigned long lines, truncated;
	unsigned long status_lines;	/* DRHD lines with PPF only */
	unsigned long folded[4];
	int failed;
};

/* ---- small parsing helpers ------------------------------------------------ */


static int starts(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* hex number with optional 0x; returns the number of digits (0: none) */
static int parse_hex(const char *s, uint64_t *v, const char **end)
{
	uint64_t r = 0;
	int n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && lab_hex_digit((unsigned char)s[2]) >= 0)
		s += 2;
	while (lab_hex_digit((unsigned char)*s) >= 0) {
		if (n < 16)
			r = r << 4 | (uint64_t)lab_hex_digit((unsigned char)*s);
		n++;
		s++;
	}
	if (n > 16)
		r = UINT64_MAX;	/* more than 64 bits: saturate */
	*v = r;
	if (end)
		*end = s;
	return n;
}

static int parse_dec(const char *s, uint64_t *v, const char **end)
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
static int field_hex(const char *s, const char *key, uint64_t *v)
{
	const char *p = strstr(s, key);

	if (!p)
		return 0;
	return parse_hex(p + strlen(key), v, NULL) > 0;
}

/*
 * PCI address: [ssss:]bb:dd.f, each field optionally 0x-prefixed (the VT-d
 * format of 5.11-5.16 printed [0x00:0x02.0]).
 */
static int parse_bdf(const char *s, uint64_t *devid, int *seg_known, const char **end)
{
	uint64_t a, b, c, fn;
	const char *p;

	if (!parse_hex(s, &a, &p) || *p != ':')
		return 0;
	if (!parse_hex(p + 1, &b, &p))
		return 0;
	if (*p == ':') {
		if (!parse_hex(p + 1, &c, &p) || *p != '.')
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
static void copy_name(char *dst, const char *s, size_t n)
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
static void copy_last_token(char *dst, const char *s, size_t n)
{
	size_t b = n;

	while (b > 0 && s[b - 1] != ' ')
		b--;
	copy_name(dst, s + b, n - b);
}

static void fault_init(struct fault *f, int kind, const char *event,
		       const struct lab_klog_record *rec)
{
	memset(f, 0, sizeof(*f));
	f->k.kind = kind;
	f->k.event = event;
	f->line = rec ? rec->line : 0;
	f->has_ts = rec ? rec->has_timestamp : 0;
	f->ts = rec ? rec->timestamp : 0;
}

static void set_code(struct fault *f, int64_t code)
{
	f->k.has_code = 1;
	f->k.code = code;
}

static void set_addr(struct fault *f, uint64_t a)
{
	f->k.has_addr = 1;
	f->k.addr = a;
}

static void set_dev(struct fault *f, uint64_t devid, int seg_known)
{
	f->k.has_dev = 1;
	f->k.dev = devid;
	f->seg_known = seg_known;
}

static void set_sid(struct fault *f, uint64_t sid)
{
	f->k.has_sid = 1;
	f->k.sid = sid;
}

static void dev_string(char *buf, size_t n, uint64_t d)
{
	snprintf(buf, n, "%04x:%02x:%02x.%x", (unsigned)(d >> 16) & 0xffff,
		 (unsigned)(d >> 8) & 0xff, (unsigned)(d >> 3) & 0x1f, (unsigned)d & 7);
}

static json_object *jhex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

static void jadd(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static void jadd_bits(json_object *o, const char *k, uint64_t v, const char *const names[], int n)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < n; i++)
		if (names[i] && (v >> i & 1))
			json_object_array_add(a, json_object_new_string(names[i]));
	jadd(o, k, a);
}

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

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *intel_reason_text(uint64_t r)
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

	nhex = parse_hex(s, &hex, &end);
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
			       reason_text_matches(text, intel_reason_text(dec));
			mhex = dec == hex ? mdec : f->reason_has_text &&
			       reason_text_matches(text, intel_reason_text(hex));
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
	f->reason_match = f->reason_has_text && reason_text_matches(text, intel_reason_text(pick));
	if (hdr == HDR_DMA && pick >= 0x20 && pick <= 0x26)
		f->reason_conflict = 1;
	if (hdr == HDR_IR && !(pick >= 0x20 && pick <= 0x26))
		f->reason_conflict = 1;
	set_code(f, (int64_t)pick);
}

/* ---- record store -------------------------------------------------------- */

static uint64_t key_hash(const struct fkey *k)
{
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i + 8 <= sizeof(*k); i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h = (h ^ w) * 1099511628211ULL;
		h ^= h >> 29;
	}
	for (size_t i = sizeof(*k) & ~(size_t)7; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h ^ (h >> 32);
}

static long table_find(struct lab_fault_parser *p, const struct fkey *k, size_t *slot,
		       uint32_t *hash)
{
	size_t mask = ((size_t)1 << TABLE_BITS) - 1;
	uint64_t h = key_hash(k);
	size_t i = h & mask;

	*hash = (uint32_t)(h >> 32);
	for (;;) {
		uint32_t v = p->table[i];

		if (!v) {
			*slot = i;
			return -1;
		}
		if (p->hashes[i] == *hash && !memcmp(&p->recs[v - 1].key, k, sizeof(*k)))
			return (long)v - 1;
		i = (i + 1) & mask;
	}
}

static void describe(struct lab_fault_parser *p, struct record *r);

/* a normalised key: zero everything not set so equal faults compare equal */
static void key_normalise(struct fkey *k)
{
	if (!k->has_code)
		k->code = 0;
	if (!k->has_dev)
		k->dev = 0;
	if (!k->has_sid)
		k->sid = 0;
	if (!k->has_addr)
		k->addr = 0;
}

static long record_insert(struct lab_fault_parser *p, const struct fkey *k, int level,
			  const struct fault *f, size_t slot, uint32_t hash)
{
	struct record *r;

	if (p->nrecs == p->caprecs) {
		size_t cap = p->caprecs ? p->caprecs * 2 : 64;
		struct record *n = realloc(p->recs, cap * sizeof(*n));

		if (!n) {
			p->failed = 1;
			return -1;
		}
		p->recs = n;
		p->caprecs = cap;
	}
	r = &p->recs[p->nrecs];
	memset(r, 0, sizeof(*r));
	r->key = *k;
	r->level = level;
	r->first = *f;
	p->table[slot] = (uint32_t)(p->nrecs + 1);
	p->hashes[slot] = hash;
	p->nlevel[level]++;
	describe(p, r);
	return (long)p->nrecs++;
}

/*
 * "callbacks suppressed" counts messages a rate limit dropped: they are
 * attributed to the last fault record of the family, not to status,
 * overflow or error summaries printed by the same handler.
 */
static int takes_suppressed(const char *event)
{
	static const char *const no[] = {
		"FAULT_STATUS", "EVENT_LOG_OVERFLOW", "EVTQ_OVERFLOW", "PRIQ_OVERFLOW",
		"GERROR", "CMDQ_ERROR", "COMPLETION_WAIT_TIMEOUT",
	};

	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!strcmp(event, no[i]))
			return 0;
	return 1;
}

static void emit(struct lab_fault_parser *p, struct fault *f)
{
	struct fkey k;
	struct record *r;
	size_t slot;
	uint32_t hash;
	long idx;
	int level = 0;

	if (p->failed)
		return;
	key_normalise(&f->k);
	k = f->k;
	idx = table_find(p, &k, &slot, &hash);
	if (idx < 0 && p->nlevel[0] >= LAB_FAULT_MAX_RECORDS) {
		level = 1;
		k.has_addr = 0;
		k.addr = 0;
		idx = table_find(p, &k, &slot, &hash);
		if (idx < 0 && p->nlevel[1] >= LAB_FAULT_MAX_RECORDS) {
			level = 2;
			k.has_dev = k.has_sid = 0;
			k.dev = k.sid = 0;
			memset(k.x, 0, sizeof(k.x));
			memset(k.inst, 0, sizeof(k.inst));
			idx = table_find(p, &k, &slot, &hash);
			if (idx < 0 && p->nlevel[2] >= MAX_LEVEL2) {
				level = 3;
				k.has_code = 0;
				k.code = 0;
				k.access = 0;
				idx = table_find(p, &k, &slot, &hash);
			}
		}
	}
	if (idx < 0) {
		idx = record_insert(p, &k, level, f, slot, hash);
		if (idx < 0)
			return;
	}
	r = &p->recs[idx];
	if (r->level)
		p->folded[r->level]++;
	r->count++;
	if (r->nlines < LAB_FAULT_MAX_LINES)
		r->lines[r->nlines++] = f->line;
	else
		r->lines_omitted++;
	if (f->has_ts) {
		if (!r->has_ts || f->ts < r->first_ts)
			r->first_ts = f->ts;
		if (!r->has_ts || f->ts > r->last_ts)
			r->last_ts = f->ts;
		r->has_ts = 1;
	}
	if (!takes_suppressed(f->k.event))
		return;
	if (p->pending_suppressed[f->k.kind]) {
		r->count += p->pending_suppressed[f->k.kind];
		r->suppressed += p->pending_suppressed[f->k.kind];
		p->pending_suppressed[f->k.kind] = 0;
	}
	p->last_rec[f->k.kind] = idx;
}

/* ---- describing a new record (meaning + decoded) --------------------------- */

static const char *const amd_flag_names[] = {
	"GN", "NX", "US", "I", "PR", "RW", "PE", "RZ", "TR",
};

#define AMD_GN 0x001
#define AMD_NX 0x002
#define AMD_US 0x004
#define AMD_I 0x008
#define AMD_PR 0x010
#define AMD_RW 0x020
#define AMD_PE 0x040
#define AMD_RZ 0x080
#define AMD_TR 0x100

/* INVALID_DEVICE_REQUEST type (flags bits 11:9) with TR=0, AMD IOMMU spec */
static const char *const amd_invreq_types[8] = {
	"read or non-posted write in the interrupt address range",
	"pre-translated transaction from a device with I=0 or V=0 in its DTE",
	"port I/O transaction from a device with IoCtl=00b",
	"posted write to the system management range (SysMgt=00b), or to the "
		"address translation range with HtAtsResv=1",
	"read or non-posted write to the system management range (SysMgt=10b/11b), or "
		"to the address translation range with HtAtsResv=1",
	"posted write to the interrupt/EOI range from a device with IntCtl=00b",
	"posted write to a reserved interrupt address range",
	"transaction to the system management range with SysMgt=11b, or port I/O with "
		"IoCtl=10b, while V=1 and TV=0",
};

static const char *const amd_hw_error_types[4] = {
	"reserved", "master abort", "target abort", "data error",
};

static const char *const v3_class[4] = {
	"CD fetch", "Stage 1 translation table fetch", "Input address caused fault", "Reserved",
};

static const char *const v2_fsr_names[32] = {
	[1] = "TF", [2] = "AFF", [3] = "PF", [4] = "EF", [5] = "TLBMCF", [6] = "TLBLKF",
	[7] = "ASF", [8] = "UUT", [30] = "SS", [31] = "MULTI",
};

static const char *const v2_fsynr_names[12] = {
	[4] = "WNR", [5] = "PNU", [6] = "IND", [8] = "NSATTR", [10] = "PTWF", [11] = "AFR",
};

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

static const char *const gerror_names[9] = {
	"CMDQ_ERR", NULL, "EVTQ_ABT_ERR", "PRIQ_ABT_ERR", "MSI_CMDQ_ABT_ERR",
	"MSI_EVTQ_ABT_ERR", "MSI_PRIQ_ABT_ERR", "MSI_GERROR_ABT_ERR", "SFM_ERR",
};

static char *xstrdup(struct lab_fault_parser *p, const char *s)
{
	char *d = strdup(s);

	if (!d)
		p->failed = 1;
	return d;
}

static void describe_intel(struct record *r, json_object *d, char *m, size_t mn)
{
	const struct fault *f = &r->first;
	const char *t = f->k.has_code ? intel_reason_text((uint64_t)f->k.code) : NULL;

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

static int amd_code_of(const struct fault *f)
{
	return f->k.has_code ? (int)f->k.code : -1;
}

static void describe_amd(struct record *r, json_object *d, char *m, size_t mn)
{
	const struct fault *f = &r->first;
	uint64_t flags = f->k.x[1] ? f->k.x[1] - 1 : 0;
	int has_flags = f->k.x[1] != 0;
	const char *ev = f->k.event;

	if (f->k.x[0])
		jadd(d, "domain", jhex(f->k.x[0] - 1));
	if (f->k.x[2])
		jadd(d, "pasid", jhex(f->k.x[2] - 1));
	if (f->k.x[3])
		jadd(d, "tag", jhex(f->k.x[3] - 1));
	if (f->k.x[4])
		jadd(d, "vmg_tag", jhex(f->k.x[4] - 1));
	if (f->k.x[5])
		jadd(d, "flags_rmp", jhex(f->k.x[5] - 1));
	if (has_flags) {
		jadd(d, "flags", jhex(flags));
		if (!strcmp(ev, "IO_PAGE_FAULT") || !strcmp(ev, "ILLEGAL_DEV_TABLE_ENTRY"))
			jadd_bits(d, "flag_names", flags, amd_flag_names, 9);
	}
	if (f->k.has_dev)
		jadd(d, "segment_known", json_object_new_boolean(f->seg_known));
	if (f->driver[0])
		jadd(d, "driver", json_object_new_string(f->driver));
	if (f->has_aux) {
		const char *k = !strcmp(ev, "IOTLB_INV_TIMEOUT") ||
				!strcmp(ev, "ILLEGAL_COMMAND_ERROR") ||
				!strcmp(ev, "COMMAND_HARDWARE_ERROR") ? "first_command_address" :
				!strcmp(ev, "RMP_HW_ERROR") ? "first_spa" : "first_table_address";

		jadd(d, k, jhex(f->aux));
	}
	if (f->k.inst[0])
		jadd(d, "iommu", json_object_new_string(f->k.inst));
	if (f->raw_kind == 2 || f->raw_kind == 3) {
		json_object *a = json_object_new_array();
		char buf[24];

		for (int i = 0; i < f->nraw; i++) {
			if (f->raw_kind == 2)
				snprintf(buf, sizeof(buf), "0x%016" PRIx64, f->raw[i]);
			else
				snprintf(buf, sizeof(buf), "0x%08" PRIx64, f->raw[i]);
			json_object_array_add(a, json_object_new_string(buf));
		}
		jadd(d, f->raw_kind == 2 ? "dte" : "command", a);
	}

	if (!strcmp(ev, "IO_PAGE_FAULT")) {
		if (f->detail[0]) {
			jadd(d, "not_attached", json_object_new_boolean(1));
			snprintf(m, mn, "I/O page fault from a device that is not attached to a "
				 "domain (the kernel found no domain for the requester)");
		} else if (has_flags && (flags & AMD_I)) {
			snprintf(m, mn, "interrupt request blocked (I=1): %s",
				 flags & AMD_PR ? "the interrupt remapping entry did not allow it" :
				 "no valid interrupt remapping entry");
		} else if (has_flags) {
			snprintf(m, mn, "I/O page fault: %s%s%s%s",
				 flags & AMD_TR ? "translation request, " : "",
				 flags & AMD_PR ? "page present" : "page not present",
				 flags & AMD_PE ? ", permission check failed" : "",
				 flags & AMD_RZ ?
				 ", reserved bit set or bad level in a page table entry" : "");
		} else {
			snprintf(m, mn, "I/O page fault (no flags in the log)");
		}
	} else if (!strcmp(ev, "ILLEGAL_DEV_TABLE_ENTRY")) {
		snprintf(m, mn, "illegal device table entry: the IOMMU found %s in the DTE of the "
			 "requester", has_flags && (flags & AMD_RZ) ? "a non-zero reserved bit" :
			 has_flags ? "an illegal level encoding" : "an illegal field");
	} else if (!strcmp(ev, "DEV_TAB_HARDWARE_ERROR") ||
		   !strcmp(ev, "PAGE_TAB_HARDWARE_ERROR") ||
		   !strcmp(ev, "COMMAND_HARDWARE_ERROR")) {
		const char *what = ev[0] == 'D' ? "device table" : ev[0] == 'P' ? "page table" :
				   "command buffer";

		if (has_flags)
			jadd(d, "hw_error_type",
			     json_object_new_string(amd_hw_error_types[(flags >> 9) & 3]));
		snprintf(m, mn, "hardware error while the IOMMU read the %s%s%s", what,
			 has_flags ? ": " : "",
			 has_flags ? amd_hw_error_types[(flags >> 9) & 3] : "");
	} else if (!strcmp(ev, "ILLEGAL_COMMAND_ERROR")) {
		if (f->raw_kind == 3 && f->nraw >= 2)
			jadd(d, "opcode", jhex(f->raw[1] >> 28));
		snprintf(m, mn, "illegal command in the IOMMU command buffer");
	} else if (!strcmp(ev, "IOTLB_INV_TIMEOUT")) {
		snprintf(m, mn, "IOTLB invalidation timeout: the device did not answer an ATS "
			 "invalidation");
	} else if (!strcmp(ev, "INVALID_DEVICE_REQUEST")) {
		const char *t = "unknown type";

		if (has_flags) {
			int type = (int)(flags >> 9) & 7;

			jadd(d, "request_type_code", json_object_new_int(type));
			jadd(d, "translation_request", json_object_new_boolean(!!(flags & AMD_TR)));
			t = flags & AMD_TR ? "translation request (type decoding for TR=1 not "
					     "supported)" : amd_invreq_types[type];
			jadd(d, "request_type", json_object_new_string(t));
		}
		snprintf(m, mn, "invalid device request: %s", t);
	} else if (!strcmp(ev, "INVALID_PPR_REQUEST")) {
		snprintf(m, mn, "invalid peripheral page request (PRI)");
	} else if (!strcmp(ev, "RMP_PAGE_FAULT")) {
		snprintf(m, mn, "RMP page fault: the SEV-SNP reverse map check failed for a DMA");
	} else if (!strcmp(ev, "RMP_HW_ERROR")) {
		snprintf(m, mn, "RMP hardware error: the IOMMU could not read the reverse map");
	} else if (!strcmp(ev, "COMPLETION_WAIT_TIMEOUT")) {
		snprintf(m, mn, "Completion-Wait loop timed out: a COMPLETION_WAIT command did not "
			 "complete (the command queue is stuck)");
	} else if (!strcmp(ev, "EVENT_LOG_OVERFLOW")) {
		snprintf(m, mn, "IOMMU event log overflow: events were lost");
	} else {
		snprintf(m, mn, "event type %d, which this kernel did not name", amd_code_of(f));
	}
}

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

static void describe_smmuv3(struct record *r, json_object *d, char *m, size_t mn)
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
	if (f->k.x[2]) {
		uint64_t b = f->k.x[2] - 1;

		jadd(d, "stage", json_object_new_int(b & 1 ? 2 : 1));
		jadd(d, "instruction", json_object_new_boolean(!!(b & 2)));
		jadd(d, "privileged", json_object_new_boolean(!!(b & 4)));
		jadd(d, "stall", json_object_new_boolean(!!(b & 8)));
	}
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

static void describe_smmu(struct record *r, json_object *d, char *m, size_t mn)
{
	const struct fault *f = &r->first;
	uint64_t fsr = (uint64_t)f->k.code;
	size_t o;

	if (f->k.inst[0])
		jadd(d, "smmu", json_object_new_string(f->k.inst));
	if (f->k.has_code) {
		jadd_bits(d, "fsr_bits", fsr, v2_fsr_names, 32);
		jadd(d, "fsr_format", json_object_new_int((int)(fsr >> 9) & 3));
	}
	if (f->k.x[0]) {
		uint64_t fs = f->k.x[0] - 1;

		jadd(d, "fsynr0", jhex(fs));
		jadd_bits(d, "fsynr0_bits", fs, v2_fsynr_names, 12);
		jadd(d, "plvl", json_object_new_int((int)(fs & 3)));
		jadd(d, "s1cbndx", json_object_new_int((int)(fs >> 16) & 0xff));
	}
	if (f->k.x[1])
		jadd(d, "cb", json_object_new_int((int)(f->k.x[1] - 1)));
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

static void describe(struct lab_fault_parser *p, struct record *r)
{
	char m[512];
	json_object *d = json_object_new_object();

	m[0] = '\0';
	if (!d) {
		p->failed = 1;
		return;
	}
	switch (r->key.kind) {
	case K_INTEL:
		describe_intel(r, d, m, sizeof(m));
		break;
	case K_AMD:
		describe_amd(r, d, m, sizeof(m));
		break;
	case K_SMMUV3:
		describe_smmuv3(r, d, m, sizeof(m));
		break;
	default:
		describe_smmu(r, d, m, sizeof(m));
		break;
	}
	if (r->level)
		jadd(d, "folded", json_object_new_string(r->level == 1 ? "address" :
			r->level == 2 ? "device" : "all"));
	r->decoded = d;
	r->meaning = xstrdup(p, m[0] ? m : "no decoding for this event");
}

/* ---- Intel ----------------------------------------------------------------- */

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
		if (s && s > c && s[-1] == ' ' && parse_hex(s + 6, &v, NULL) && v != 0xffffffff)
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
			if (*q == ']' && starts(q + 1, " PASID ") && parse_hex(q + 8, &v, NULL) &&
			    v != 0xffffffff)
				f.k.x[0] = v + 1;
		}
	}
	s = strstr(rd, "fault addr ");
	if (s && parse_hex(s + 11, &v, NULL))
		set_addr(&f, v);
	s = strstr(rd, "fault index ");
	if (s && parse_hex(s + 12, &v, NULL)) {
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
	emit(p, &f);
}

static void intel_flush(struct lab_fault_parser *p)
{
	struct intel_pending *ip = &p->intel;

	if (!ip->active)
		return;
	ip->active = 0;
	intel_parse_emit(p, ip->text, NULL, ip->line, ip->has_ts, ip->ts);
}

/* append " " + t to a PEND_TEXT buffer holding len bytes, cutting what does not fit */
static void pend_append(char *buf, size_t *len, const char *t, size_t n)
{
	size_t room = PEND_TEXT - 1 - *len;	/* bytes left before the NUL */

	if (room < 2)
		return;
	if (n > room - 1)
		n = room - 1;
	buf[(*len)++] = ' ';
	memcpy(buf + *len, t, n);
	*len += n;
	buf[*len] = '\0';
}

static void intel_append(struct intel_pending *ip, const char *t, size_t n)
{
	pend_append(ip->text, &ip->len, t, n);
	ip->appended++;
}

static void set_deadline(struct lab_fault_parser *p, unsigned long d)
{
	if (!p->next_deadline || d < p->next_deadline)
		p->next_deadline = d;
}

static void intel_header(struct lab_fault_parser *p, const struct lab_klog_record *rec)
{
	struct intel_pending *ip = &p->intel;
	size_t n = rec->len;

	intel_flush(p);
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
	set_deadline(p, ip->deadline);
}

/* a line while an Intel record waits for its reason: 1 if consumed */
static int intel_continue(struct lab_fault_parser *p, const struct lab_klog_record *rec)
{
	struct intel_pending *ip = &p->intel;
	const char *t = rec->text;
	int reason = strstr(t, "[fault reason ") != NULL;

	if (strstr(t, "Request device"))
		return 0;	/* a new header: the caller flushes this one */
	if (!reason && !(ip->prefixed && rec->prefix == 0 && ip->appended < 3))
		return 0;	/* an interleaved line */
	intel_append(ip, t, rec->len);
	if (strstr(ip->text, "[fault reason "))
		intel_flush(p);
	return 1;
}

static void intel_status(struct lab_fault_parser *p, const struct lab_klog_record *rec,
			 const char *s)
{
	struct fault f;
	uint64_t st;

	if (!parse_hex(s, &st, NULL))
		return;
	if (!(st & 0xfd)) {	/* PPF (and the fault record index) only */
		p->status_lines++;
		return;
	}
	fault_init(&f, K_INTEL, "FAULT_STATUS", rec);
	set_code(&f, (int64_t)(st & 0xff));
	f.cause = st & 0x40 ? CAUSE_ATS_TIMEOUT : st & 0x01 ? CAUSE_OVERFLOW :
		  st & 0x10 ? CAUSE_ILLEGAL_CMD : CAUSE_UNKNOWN;
	emit(p, &f);
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
	       sizeof(((struct lab_fault_parser *)0)->qi_last) / sizeof(unsigned long),
	       "one qi_last slot per queued-invalidation error");

/* "VT-d detected Invalidation Time-out Error: SID ffff" (qi_check_fault) */
static void intel_qi(struct lab_fault_parser *p, const struct lab_klog_record *rec, const char *t)
{
	for (size_t i = 0; i < sizeof(qi_errors) / sizeof(qi_errors[0]); i++) {
		const struct qi_error *e = &qi_errors[i];
		unsigned long *last = &p->qi_last[i];
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
			emit(p, &f);
			return;
		}
		if (strstr(t, e->cleared)) {
			if (*last && rec->line - *last <= 8)
				return;	/* already counted from the "VT-d detected" line */
			fault_init(&f, K_INTEL, e->event, rec);
			f.cause = e->cause;
			emit(p, &f);
			return;
		}
	}
}

static int intel_line(struct lab_fault_parser *p, const struct lab_klog_record *rec)
{
	const char *t = rec->text, *s;

	if (strstr(t, "Request device")) {
		intel_header(p, rec);
		return 1;
	}
	if ((s = strstr(t, "DRHD: handling fault status reg "))) {
		intel_status(p, rec, s + 32);
		return 1;
	}
	if (strstr(t, "Invalidation")) {
		intel_qi(p, rec, t);
		return 1;
	}
	return 0;
}

/* ---- AMD-Vi ----------------------------------------------------------------- */

static void wrap_start(struct lab_fault_parser *p, int kind, int split, const char *t, size_t n,
		       unsigned long line, int has_ts, double ts);
static void wrap_flush(struct lab_fault_parser *p);

static const struct {
	const char *name;
	int code;
	int cause;
} amd_events[] = {
	{ "ILLEGAL_DEV_TABLE_ENTRY", 0x1, CAUSE_ILLEGAL_DTE },
	{ "IO_PAGE_FAULT", 0x2, CAUSE_UNMAPPED },
	{ "DEV_TAB_HARDWARE_ERROR", 0x3, CAUSE_HW_ERROR },
	{ "PAGE_TAB_HARDWARE_ERROR", 0x4, CAUSE_HW_ERROR },
	{ "ILLEGAL_COMMAND_ERROR", 0x5, CAUSE_ILLEGAL_CMD },
	{ "COMMAND_HARDWARE_ERROR", 0x6, CAUSE_HW_ERROR },
	{ "IOTLB_INV_TIMEOUT", 0x7, CAUSE_ATS_TIMEOUT },
	{ "INVALID_DEVICE_REQUEST", 0x8, CAUSE_INVALID_REQ },
	{ "INVALID_PPR_REQUEST", 0x9, CAUSE_PPR },
	{ "RMP_PAGE_FAULT", 0xd, CAUSE_RMP },
	{ "RMP_HW_ERROR", 0xe, CAUSE_HW_ERROR },
	{ "UNKNOWN", -1, CAUSE_UNKNOWN },
};

/* index into amd_events[] if s starts with an event name followed by a delimiter */
static int amd_event_at(const char *s)
{
	if (!strchr("IDPCRU", s[0]))
		return -1;
	for (size_t i = 0; i < NELEM(amd_events); i++) {
		size_t n = strlen(amd_events[i].name);

		if (!strncmp(s, amd_events[i].name, n) &&
		    (s[n] == ' ' || s[n] == ']' || s[n] == ',' || s[n] == '\0'))
			return (int)i;
	}
	return -1;
}

/*
 * The next "key=value" of s after *q: a key is a run of [A-Za-z0-9_[]] that
 * starts s or follows a blank, ',' or '['. Returns 0 when there is none.
 */
static int next_kv(const char *s, const char **q, const char **key, size_t *kl,
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

/* value of "key=" inside body (stops at ']'); 0 if absent */
static const char *amd_field(const char *body, const char *key)
{
	const char *s = body;
	size_t n = strlen(key);

	while ((s = strstr(s, key))) {
		if (s == body || s[-1] == ' ' || s[-1] == ',' || s[-1] == '[')
			return s + n;
		s += n;
	}
	return NULL;
}

/* the text before "AMD-Vi": "ath10k_pci 0000:01:00.0: " or "iommu ivhd0: " */
static void amd_prefix(struct fault *f, const char *t, const char *av, int body_has_device)
{
	const char *end = av, *b, *e;
	uint64_t devid;
	int seg_known;

	while (end > t && (end[-1] == ' ' || end[-1] == ':'))
		end--;
	b = end;
	while (b > t && b[-1] != ' ')
		b--;
	if (b == end)
		return;
	if (parse_bdf(b, &devid, &seg_known, &e) && e == end && seg_known) {
		if (body_has_device) {
			/* the IOMMU's own PCI function */
			copy_name(f->k.inst, b, (size_t)(end - b));
		} else {
			const char *db = b, *de;

			set_dev(f, devid, 1);
			de = db;
			while (de > t && de[-1] == ' ')
				de--;
			db = de;
			while (db > t && db[-1] != ' ')
				db--;
			if (db < de)
				copy_name(f->driver, db, (size_t)(de - db));
		}
	} else {
		copy_name(f->k.inst, b, (size_t)(end - b));	/* ivhd0 */
	}
}

static void amd_body(struct lab_fault_parser *p, const struct lab_klog_record *rec,
		     const char *t, const char *av, const char *body, unsigned long line,
		     int has_ts, double ts)
{
	int ei = amd_event_at(body);
	const char *q, *key, *val, *addr = NULL, *ev0 = NULL, *ev1 = NULL, *type = NULL;
	struct fault f;
	uint64_t v, devid;
	int seg_known, ev_code, has_device = 0;
	size_t kl;

	if (ei < 0)
		return;
	fault_init(&f, K_AMD, amd_events[ei].name, rec);
	f.line = line;
	f.has_ts = has_ts;
	f.ts = ts;
	ev_code = amd_events[ei].code;
	f.cause = amd_events[ei].cause;
	/* one pass over the key=value pairs (the first of each key counts) */
	for (q = body; next_kv(body, &q, &key, &kl, &val);) {
		uint64_t *slot = NULL;

		if (kl == 6 && !memcmp(key, "device", 6) && !has_device) {
			if (parse_bdf(val, &devid, &seg_known, NULL))
				set_dev(&f, devid, seg_known);
			has_device = 1;
		} else if (kl == 6 && !memcmp(key, "domain", 6)) {
			slot = &f.k.x[0];
		} else if (kl == 5 && !memcmp(key, "flags", 5)) {
			slot = &f.k.x[1];
		} else if (kl == 5 && !memcmp(key, "pasid", 5)) {
			slot = &f.k.x[2];
		} else if (kl == 3 && !memcmp(key, "tag", 3)) {
			slot = &f.k.x[3];
		} else if (kl == 7 && !memcmp(key, "vmg_tag", 7)) {
			slot = &f.k.x[4];
		} else if (kl == 9 && !memcmp(key, "flags_rmp", 9)) {
			slot = &f.k.x[5];
		} else if (((kl == 7 && !memcmp(key, "address", 7)) ||
			    (kl == 3 && (!memcmp(key, "gpa", 3) || !memcmp(key, "spa", 3)))) && !addr) {
			addr = val;
		} else if (kl == 8 && !memcmp(key, "event[0]", 8)) {
			ev0 = val;
		} else if (kl == 8 && !memcmp(key, "event[1]", 8)) {
			ev1 = val;
		} else if (kl == 4 && !memcmp(key, "type", 4)) {
			type = val;
		}
		if (slot && !*slot && parse_hex(val, &v, NULL))
			*slot = v + 1;
	}
	if (av)
		amd_prefix(&f, t, av, has_device);
	if (addr && parse_hex(addr, &v, NULL)) {
		/*
		 * The address is the DMA's for page faults, device requests,
		 * DTE and PPR errors, RMP faults; for hardware errors and
		 * command events it is where the IOMMU's own structure sits.
		 */
		if (ev_code == 0x3 || ev_code == 0x4 || ev_code == 0x5 || ev_code == 0x6 ||
		    ev_code == 0x7 || ev_code == 0xe) {
			f.has_aux = 1;
			f.aux = v;
		} else {
			set_addr(&f, v);
		}
	}
	if (ev_code < 0) {
		/* UNKNOWN event[0]=.. event[1]=.. (type in event[1] 31:28) or type=0x.. */
		if (ev1 && parse_hex(ev1, &v, NULL))
			ev_code = (int)(v >> 28 & 0xf);
		else if (type && parse_hex(type, &v, NULL))
			ev_code = (int)(v & 0xff);
		if (ev0 && parse_hex(ev0, &v, NULL))
			set_dev(&f, v & 0xffff, 0);
	}
	if (ev_code >= 0)
		set_code(&f, ev_code);

	/* direction, where the flags define one (AMD IOMMU spec event formats) */
	if (f.k.x[1]) {
		uint64_t fl = f.k.x[1] - 1;

		if (ev_code == 0x2) {
			if (fl & AMD_I)
				f.cause = CAUSE_IR_BLOCKED;
			else if (fl & AMD_RZ)
				f.cause = CAUSE_TABLE_BAD;
			else if ((fl & AMD_PR) && (fl & AMD_PE))
				f.cause = CAUSE_PERMISSION;
			if (!(fl & (AMD_I | AMD_TR)) && (fl & AMD_PR))
				f.k.access = fl & AMD_RW ? ACC_WRITE : ACC_READ;
		} else if (ev_code == 0x1) {
			if (!(fl & (AMD_I | AMD_TR)))
				f.k.access = fl & AMD_RW ? ACC_WRITE : ACC_READ;
		} else if (ev_code == 0x8 && !(fl & AMD_TR)) {
			int type = (int)(fl >> 9) & 7;

			if (type == 3 || type == 5 || type == 6)
				f.k.access = ACC_WRITE;
		}
	}
	if (ev_code == 0x2 && f.cause == CAUSE_UNMAPPED && f.k.x[0] == 1)
		f.cause = CAUSE_NO_CONTEXT;	/* domain 0: the DTE has no domain */

	if (ev_code == 0x1 || ev_code == 0x5) {
		/* a DTE or command dump follows: hold the record for it */
		struct amd_pending *ap = &p->amd;

		if (ap->held_active) {
			ap->held_active = 0;
			emit(p, &ap->held);
		}
		ap->held = f;
		ap->held.raw_kind = ev_code == 0x1 ? 2 : 3;
		ap->held_active = 1;
		ap->held_deadline = line + 6;
		set_deadline(p, ap->held_deadline);
		return;
	}
	emit(p, &f);
}

static void amd_flush_held(struct lab_fault_parser *p)
{
	if (p->amd.held_active) {
		p->amd.held_active = 0;
		emit(p, &p->amd.held);
	}
}

/* "DTE[0]: 6000000114bd9603" / "CMD[1]: 50000000" */
static void amd_dump(struct lab_fault_parser *p, const char *s, int kind)
{
	struct amd_pending *ap = &p->amd;
	uint64_t idx, v;
	const char *e;

	if (!ap->held_active || ap->held.raw_kind != kind)
		return;
	if (!parse_dec(s, &idx, &e) || *e != ']' || e[1] != ':' || idx > 3)
		return;
	e += 2;
	while (*e == ' ')
		e++;
	if (!parse_hex(e, &v, NULL))
		return;
	if ((int)idx == ap->held.nraw)
		ap->held.raw[ap->held.nraw++] = v;
	if (ap->held.nraw == 4)
		amd_flush_held(p);
}

/* Hold rec's place until the line that completes it, at most `lines` on. */
static void wait_for_line(struct lab_fault_parser *p, struct waiting_line *w,
			  const struct lab_klog_record *rec, unsigned long lines)
{
	w->active = 1;
	w->line = rec->line;
	w->has_ts = rec->has_timestamp;
	w->ts = rec->timestamp;
	w->deadline = rec->line + lines;
	set_deadline(p, w->deadline);
}

static int amd_line(struct lab_fault_parser *p, const struct lab_klog_record *rec, const char *av)
{
	const char *t = rec->text, *s;
	struct amd_pending *ap = &p->amd;
	struct fault f;

	if ((s = strstr(av, "Event logged ["))) {
		s += 14;
		while (*s == ' ')
			s++;
		if (*s == '\0') {
			wait_for_line(p, &ap->split, rec, 4);
			return 1;
		}
		if (starts(s, "Device not attached")) {
			wait_for_line(p, &ap->na, rec, 3);
			return 1;
		}
		amd_flush_held(p);
		if (!strchr(s, ']') && rec->prefix) {
			/* cut short by a mail client: the rest is on the next bare line */
			wrap_start(p, K_AMD, 0, t, rec->len, rec->line, rec->has_timestamp,
				   rec->timestamp);
			return 1;
		}
		amd_body(p, rec, t, av, s, rec->line, rec->has_timestamp, rec->timestamp);
		return 1;
	}
	if ((s = strstr(av, "DTE["))) {
		amd_dump(p, s + 4, 2);
		return 1;
	}
	if ((s = strstr(av, "CMD["))) {
		amd_dump(p, s + 4, 3);
		return 1;
	}
	if (strstr(av, "Completion-Wait loop timed out")) {
		fault_init(&f, K_AMD, "COMPLETION_WAIT_TIMEOUT", rec);
		f.cause = CAUSE_CMD_TIMEOUT;
		emit(p, &f);
		return 1;
	}
	if (strstr(av, "event log overflow")) {
		fault_init(&f, K_AMD, "EVENT_LOG_OVERFLOW", rec);
		f.cause = CAUSE_OVERFLOW;
		emit(p, &f);
		return 1;
	}
	if (ap->na.active && (s = strstr(av, "device=")) && strstr(av, "domain=")) {
		uint64_t devid, v;
		int seg_known;

		fault_init(&f, K_AMD, "IO_PAGE_FAULT", rec);
		f.line = ap->na.line;
		f.has_ts = ap->na.has_ts;
		f.ts = ap->na.ts;
		set_code(&f, 2);
		if (parse_bdf(s + 7, &devid, &seg_known, NULL))
			set_dev(&f, devid, seg_known);
		if ((s = strstr(av, "domain=")) && parse_hex(s + 7, &v, NULL))
			f.k.x[0] = v + 1;
		snprintf(f.detail, sizeof(f.detail), "not attached");
		f.k.variant = 1;
		f.cause = CAUSE_NO_CONTEXT;
		ap->na.active = 0;
		emit(p, &f);
		return 1;
	}
	return 0;
}

/* a line that starts with an AMD event name: the second half of a split record */
static int amd_split_body(struct lab_fault_parser *p, const struct lab_klog_record *rec)
{
	struct amd_pending *ap = &p->amd;
	const char *t = rec->text;

	if (!strstr(t, "device=") && !strstr(t, "address=") && !strstr(t, "event[0]=") &&
	    !strstr(t, "type="))
		return 0;
	unsigned long line = rec->line;
	int has_ts = rec->has_timestamp;
	double ts = rec->timestamp;

	amd_flush_held(p);
	if (ap->split.active) {
		ap->split.active = 0;
		line = ap->split.line;
		has_ts = ap->split.has_ts;
		ts = ap->split.ts;
	}
	if (!strchr(t, ']') && rec->prefix && !amd_field(t, "event[0]=")) {
		wrap_start(p, K_AMD, 1, t, rec->len, line, has_ts, ts);
		return 1;
	}
	amd_body(p, rec, t, NULL, t, line, has_ts, ts);
	return 1;
}

/* ---- Arm SMMUv3 --------------------------------------------------------------- */

static struct v3_slot *v3_find(struct lab_fault_parser *p, const char *key, size_t kn, int state)
{
	struct v3_slot *best = NULL;

	for (int i = 0; i < V3_SLOTS; i++) {
		struct v3_slot *s = &p->v3[i];

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

static void v3_emit_slot(struct lab_fault_parser *p, struct v3_slot *s)
{
	if (s->state == V3_DWORDS) {
		p->v3_collecting--;
		s->f.dwords_missing = 4 - s->f.nraw;
		v3_decode_raw(&s->f);
	}
	s->state = V3_FREE;
	emit(p, &s->f);
}

static struct v3_slot *v3_alloc(struct lab_fault_parser *p)
{
	struct v3_slot *old = NULL;

	for (int i = 0; i < V3_SLOTS; i++) {
		if (p->v3[i].state == V3_FREE)
			return &p->v3[i];
		if (!old || p->v3[i].stamp < old->stamp)
			old = &p->v3[i];
	}
	v3_emit_slot(p, old);
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

static void v3_header(struct lab_fault_parser *p, const struct lab_klog_record *rec,
		      const char *t, const char *ev)
{
	const char *kend = ev;
	struct v3_slot *s;
	uint64_t id;
	size_t kn;

	if (!parse_hex(ev + 6, &id, NULL))
		return;
	while (kend > t && (kend[-1] == ' ' || kend[-1] == ':'))
		kend--;
	kn = (size_t)(kend - t);
	if (kn >= sizeof(s->key))
		kn = sizeof(s->key) - 1;
	/* an earlier record of the same SMMU that is still open ends here */
	while ((s = v3_find(p, t, kn, V3_DWORDS)) && kn)
		v3_emit_slot(p, s);
	while ((s = v3_find(p, t, kn, V3_RAW_DONE)) && kn)
		v3_emit_slot(p, s);
	s = v3_alloc(p);
	memcpy(s->key, t, kn);
	s->key[kn] = '\0';
	fault_init(&s->f, K_SMMUV3, v3_event_name((unsigned)id), rec);
	set_code(&s->f, (int64_t)(id & 0xff));
	copy_last_token(s->f.k.inst, t, kn);
	s->f.raw_kind = 1;
	s->state = V3_DWORDS;
	s->stamp = ++p->v3_stamp;
	s->deadline = rec->line + 12;
	set_deadline(p, s->deadline);
	p->v3_collecting++;
}

/* "<dev>: \t0x0000000a00000010" or a bare "0x0000000a00000010" */
static int v3_dword(struct lab_fault_parser *p, const struct lab_klog_record *rec)
{
	const char *t = rec->text, *h, *kend;
	struct v3_slot *s;
	uint64_t v;
	size_t n = rec->len;

	if (n < 18)
		return 0;
	h = t + n - 18;
	if (h[0] != '0' || h[1] != 'x' || parse_hex(h, &v, NULL) != 16)
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
	s = v3_find(p, t, (size_t)(kend - t), V3_DWORDS);
	if (!s)
		return 0;
	s->f.raw[s->f.nraw++] = v;
	if (s->f.nraw == 4) {
		p->v3_collecting--;
		v3_decode_raw(&s->f);
		s->state = V3_RAW_DONE;	/* a ~6.15 kernel's decoded lines may follow */
		s->deadline = rec->line + 3;
		set_deadline(p, s->deadline);
	}
	return 1;
}

/* "<dev>: event: F_TRANSLATION client: 0000:00:02.0 sid: 0x10 ssid: 0x0 iova: ... ipa: ..." */
static void v3_decoded(struct lab_fault_parser *p, const struct lab_klog_record *rec,
		       const char *t, const char *ev)
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
	has_sid = (s = strstr(ne, " sid: ")) && parse_hex(s + 6, &sid, NULL);
	c = strstr(ne, "client: ");
	ce = c ? strstr(c, " sid: ") : NULL;

	slot = v3_find(p, t, kn, V3_RAW_DONE);
	if (slot && slot->f.k.has_code && slot->f.k.code == id &&
	    (!has_sid || sid == slot->f.k.sid)) {
		if (c && ce)
			v3_client(&slot->f, c + 8, (size_t)(ce - c - 8));
		slot->f.v3_decoded = 1;
		if (id >= 0x10 && id <= 0x13) {
			slot->state = V3_WANT_DETAIL;
			slot->deadline = rec->line + 2;
			set_deadline(p, slot->deadline);
		} else {
			v3_emit_slot(p, slot);
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
	if ((s = strstr(ne, " ssid: ")) && parse_hex(s + 7, &v, NULL) && v)
		f.k.x[0] = v + 1;
	if (c && ce)
		v3_client(&f, c + 8, (size_t)(ce - c - 8));
	if ((s = strstr(ne, " iova: ")) && parse_hex(s + 7, &v, NULL))
		set_addr(&f, v);
	if ((s = strstr(ne, " ipa: ")) && parse_hex(s + 6, &v, NULL) && v)
		f.k.x[3] = v + 1;
	if ((s = strstr(ne, " fetch_addr: ")) && parse_hex(s + 13, &v, NULL))
		f.k.x[4] = v + 1;
	if (id >= 0x10 && id <= 0x13) {
		slot = v3_alloc(p);
		slot->f = f;
		memcpy(slot->key, t, kn < sizeof(slot->key) ? kn : sizeof(slot->key) - 1);
		slot->key[kn < sizeof(slot->key) ? kn : sizeof(slot->key) - 1] = '\0';
		slot->state = V3_WANT_DETAIL;
		slot->stamp = ++p->v3_stamp;
		slot->deadline = rec->line + 2;
		set_deadline(p, slot->deadline);
		return;
	}
	emit(p, &f);
}

/* "<dev>: unpriv data write s1 \"Input address caused fault\" stag: 0x0" */
static int v3_detail(struct lab_fault_parser *p, const char *t, const char *d)
{
	const char *kend = d;
	struct v3_slot *slot;
	struct fault *f;
	int priv, inst, wr, s2, cls = -1;
	const char *q;

	while (kend > t && (kend[-1] == ' ' || kend[-1] == ':'))
		kend--;
	slot = v3_find(p, t, (size_t)(kend - t), V3_WANT_DETAIL);
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
	f->v3_detail = 1;
	v3_emit_slot(p, slot);
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
	emit(p, &f);
}

static int smmuv3_line(struct lab_fault_parser *p, const struct lab_klog_record *rec)
{
	const char *t = rec->text, *s;
	uint64_t v;

	if ((s = strstr(t, "event 0x")) && strstr(s, " received")) {
		v3_header(p, rec, t, s);
		return 1;
	}
	if ((s = strstr(t, ": event: "))) {
		v3_decoded(p, rec, t, s + 2);
		return 1;
	}
	if (((s = strstr(t, ": unpriv ")) || (s = strstr(t, ": priv "))) && strstr(s, " stag: "))
		return v3_detail(p, t, s + 2);
	if ((s = strstr(t, "EVTQ overflow detected"))) {
		simple(p, rec, K_SMMUV3, "EVTQ_OVERFLOW", CAUSE_OVERFLOW, t, s);
		return 1;
	}
	if ((s = strstr(t, "PRIQ overflow detected"))) {
		simple(p, rec, K_SMMUV3, "PRIQ_OVERFLOW", CAUSE_OVERFLOW, t, s);
		return 1;
	}
	if ((s = strstr(t, "unexpected global error reported (")) && parse_hex(s + 34, &v, NULL)) {
		struct fault f;
		const char *e = s;

		fault_init(&f, K_SMMUV3, "GERROR", rec);
		set_code(&f, (int64_t)v);
		f.cause = v & (1 << 2) ? CAUSE_OVERFLOW : CAUSE_UNKNOWN;
		while (e > t && (e[-1] == ' ' || e[-1] == ':'))
			e--;
		copy_last_token(f.k.inst, t, (size_t)(e - t));
		emit(p, &f);
		return 1;
	}
	if ((s = strstr(t, "CMDQ error (cons ")) && parse_hex(s + 17, &v, NULL)) {
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
		emit(p, &f);
		return 1;
	}
	return 0;
}

/* ---- Arm SMMUv2 ------------------------------------------------------------- */

static void v2_parse_emit(struct lab_fault_parser *p, const char *t,
			  const struct lab_klog_record *rec, unsigned long line, int has_ts,
			  double ts)
{
	const char *u = strstr(t, "Unhandled context fault"), *e, *q, *key, *val;
	const char *fsr = NULL, *iova = NULL, *fsynr = NULL, *cb = NULL, *cbfr = NULL;
	const char *sid = NULL, *pte = NULL;
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
		else if (kl == 3 && !memcmp(key, "pte", 3))
			slot = &pte;
		if (slot && !*slot)
			*slot = val;
	}
	if (fsr && parse_hex(fsr, &v, NULL))
		set_code(&f, (int64_t)(v & 0xffffffff));
	if (iova && parse_hex(iova, &v, NULL))
		set_addr(&f, v);
	if (fsynr && parse_hex(fsynr, &v, NULL)) {
		f.k.x[0] = (v & 0xffffffff) + 1;
		/* WNR; an instruction fetch (IND) is a read */
		f.k.access = v & (1 << 6) ? ACC_READ : v & (1 << 4) ? ACC_WRITE : ACC_READ;
	}
	if (cb && parse_dec(cb, &v, NULL))
		f.k.x[1] = v + 1;
	if (cbfr && parse_hex(cbfr, &v, NULL)) {
		f.k.x[2] = (v & 0xffffffff) + 1;
		set_sid(&f, v & 0xffff);
	} else if (sid) {
		if ((sid[0] == '0' && sid[1] == 'x') ? parse_hex(sid, &v, NULL) :
		    parse_dec(sid, &v, NULL))
			set_sid(&f, v);
	}
	if (!f.k.has_code && pte && parse_hex(pte, &v, NULL) && v == 0) {
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
	emit(p, &f);
}

static void wrap_start(struct lab_fault_parser *p, int kind, int split, const char *t, size_t n,
		       unsigned long line, int has_ts, double ts)
{
	struct wrap_pending *w = &p->wrap;

	wrap_flush(p);
	if (n >= PEND_TEXT)
		n = PEND_TEXT - 1;
	memcpy(w->text, t, n);
	w->text[n] = '\0';
	w->len = n;
	w->kind = kind;
	w->split = split;
	w->line = line;
	w->has_ts = has_ts;
	w->ts = ts;
	w->deadline = line + 2;
	w->active = 1;
	set_deadline(p, w->deadline);
}

static void wrap_flush(struct lab_fault_parser *p)
{
	struct wrap_pending *w = &p->wrap;
	const char *av, *body;

	if (!w->active)
		return;
	w->active = 0;
	if (w->kind == K_SMMU) {
		v2_parse_emit(p, w->text, NULL, w->line, w->has_ts, w->ts);
	} else if (w->split) {
		amd_body(p, NULL, w->text, NULL, w->text, w->line, w->has_ts, w->ts);
	} else if ((av = strstr(w->text, "AMD-Vi")) && (body = strstr(av, "Event logged ["))) {
		body += 14;
		while (*body == ' ')
			body++;
		amd_body(p, NULL, w->text, av, body, w->line, w->has_ts, w->ts);
	}
}

static int smmu_line(struct lab_fault_parser *p, const struct lab_klog_record *rec)
{
	const char *t = rec->text;
	size_t n = rec->len;

	if (!strstr(t, "Unhandled context fault"))
		return 0;
	wrap_flush(p);
	if (strstr(t, "cb=") || !rec->prefix) {
		v2_parse_emit(p, t, rec, rec->line, rec->has_timestamp, rec->timestamp);
		return 1;
	}
	/* wrapped by a mail client: take the next bare line too */
	wrap_start(p, K_SMMU, 0, t, n, rec->line, rec->has_timestamp, rec->timestamp);
	return 1;
}

/* the bare line after a wrapped record completes it: 1 if consumed */
static int wrap_continue(struct lab_fault_parser *p, const struct lab_klog_record *rec)
{
	struct wrap_pending *w = &p->wrap;

	if (rec->prefix)
		return 0;
	pend_append(w->text, &w->len, rec->text, rec->len);
	wrap_flush(p);
	return 1;
}

/* ---- rate limiting --------------------------------------------------------- */

/* "dmar_fault: 893 callbacks suppressed" */
static int suppressed_line(struct lab_fault_parser *p, const char *t, const char *s)
{
	uint64_t n;
	const char *fn = t, *fe = strchr(t, ':');
	int kind = -1;
	size_t fl;

	if (!fe || fe > s)
		return 0;
	while (s > t && s[-1] == ' ')
		s--;
	while (s > t && s[-1] >= '0' && s[-1] <= '9')
		s--;
	if (!parse_dec(s, &n, NULL))
		return 0;
	fl = (size_t)(fe - fn);
	if ((fl == 10 && !memcmp(fn, "dmar_fault", 10)))
		kind = K_INTEL;
	else if (memmem(fn, fl, "amd_iommu", 9) || memmem(fn, fl, "iommu_print_event", 17))
		kind = K_AMD;
	else if (memmem(fn, fl, "arm_smmu_evtq", 13) || memmem(fn, fl, "arm_smmu_dump_event", 19) ||
		 memmem(fn, fl, "arm_smmu_handle_evt", 19))
		kind = K_SMMUV3;
	else if (memmem(fn, fl, "context_fault", 13))
		kind = K_SMMU;
	if (kind < 0)
		return 0;
	p->suppressed[kind] += n;
	if (p->last_rec[kind] >= 0) {
		struct record *r = &p->recs[p->last_rec[kind]];

		r->count += n;
		r->suppressed += n;
	} else {
		p->pending_suppressed[kind] += n;
	}
	return 1;
}

/* ---- dispatch ---------------------------------------------------------------- */

static void check_deadlines(struct lab_fault_parser *p, unsigned long line)
{
	unsigned long next = 0;

#define DL(active, dl, action) do {				\
		if (active) {					\
			if (line > (dl)) { action; }		\
			else if (!next || (dl) < next) next = (dl); \
		}						\
	} while (0)

	DL(p->intel.active, p->intel.deadline, intel_flush(p));
	DL(p->amd.split.active, p->amd.split.deadline, p->amd.split.active = 0);
	DL(p->amd.na.active, p->amd.na.deadline, p->amd.na.active = 0);
	DL(p->amd.held_active, p->amd.held_deadline, amd_flush_held(p));
	DL(p->wrap.active, p->wrap.deadline, wrap_flush(p));
	for (int i = 0; i < V3_SLOTS; i++)
		DL(p->v3[i].state != V3_FREE, p->v3[i].deadline, v3_emit_slot(p, &p->v3[i]));
#undef DL
	p->next_deadline = next;
}

struct lab_fault_parser *lab_fault_parser_new(struct lab_error *err)
{
	struct lab_fault_parser *p = calloc(1, sizeof(*p));

	if (p) {
		p->table = calloc((size_t)1 << TABLE_BITS, sizeof(*p->table));
		p->hashes = calloc((size_t)1 << TABLE_BITS, sizeof(*p->hashes));
	}
	if (!p || !p->table || !p->hashes) {
		lab_fault_parser_free(p);
		lab_error_set_errno(err, ENOMEM, "allocating the fault parser");
		return NULL;
	}
	for (int k = 0; k < K_COUNT; k++)
		p->last_rec[k] = -1;
	return p;
}

void lab_fault_parser_free(struct lab_fault_parser *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nrecs; i++) {
		json_object_put(p->recs[i].decoded);
		free(p->recs[i].meaning);
	}
	free(p->recs);
	free(p->table);
	free(p->hashes);
	free(p);
}

int lab_fault_parser_feed(struct lab_fault_parser *p, const struct lab_klog_record *rec,
			  struct lab_error *err)
{
	const char *t = rec->text, *s;
	unsigned long last = rec->line + (rec->nlines ? rec->nlines - 1 : 0);

	if (p->failed) {
		lab_error_set_errno(err, ENOMEM, "decoding IOMMU faults");
		return -1;
	}
	if (last > p->lines)
		p->lines = last;
	if (rec->truncated)
		p->truncated++;
	if (p->next_deadline && rec->line > p->next_deadline)
		check_deadlines(p, rec->line);
	if (!t || rec->len == 0)
		return 0;

	if (p->intel.active && intel_continue(p, rec))
		goto out;
	if (p->wrap.active) {
		if (wrap_continue(p, rec))
			goto out;
		wrap_flush(p);	/* a wrap continues on the very next line or not at all */
	}
	if (p->v3_collecting && v3_dword(p, rec))
		goto out;
	/* "func: N callbacks suppressed" always ends the line */
	if (rec->len > 20 && !memcmp(t + rec->len - 20, "callbacks suppressed", 20) &&
	    suppressed_line(p, t, t + rec->len - 20))
		goto out;
	if ((strstr(t, "DMAR") || strstr(t, "DRHD") || strstr(t, "INTR-REMAP")) &&
	    intel_line(p, rec))
		goto out;
	if ((s = strstr(t, "AMD-Vi")) && amd_line(p, rec, s))
		goto out;
	if (strstr(t, "smmu") && (smmuv3_line(p, rec) || smmu_line(p, rec)))
		goto out;
	if (amd_event_at(t) >= 0 && amd_split_body(p, rec))
		goto out;
out:
	if (p->failed) {
		lab_error_set_errno(err, ENOMEM, "decoding IOMMU faults");
		return -1;
	}
	return 0;
}

/* ---- explanation -------------------------------------------------------------- */

static void ev_add(json_object *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ev_add(json_object *a, const char *fmt, ...)
{
	char buf[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_array_add(a, json_object_new_string(buf));
}

static int bits_needed(uint64_t v)
{
	int n = 0;

	while (v) {
		n++;
		v >>= 1;
	}
	return n;
}

static unsigned long count_event(const struct lab_fault_parser *p, const char *event)
{
	unsigned long n = 0;

	for (size_t i = 0; i < p->nrecs; i++)
		if (!strcmp(p->recs[i].key.event, event))
			n += p->recs[i].count;
	return n;
}

/* likely cause and evidence for a record */
static const char *explain(const struct lab_fault_parser *p, const struct record *r,
			   json_object *ev)
{
	const struct fault *f = &r->first;
	int cause = f->cause;
	int boot = r->has_ts && r->first_ts < BOOT_SECONDS;
	int dma = cause == CAUSE_UNMAPPED || cause == CAUSE_UNMAPPED_OR_PERM ||
		  cause == CAUSE_PERMISSION;
	int ts_said = 0;
	uint64_t fl;

	/* what the hardware said */
	if (f->k.kind == K_INTEL && f->k.has_code &&
	    (!strcmp(f->k.event, "DMA_FAULT") || !strcmp(f->k.event, "INTR_REMAP_FAULT"))) {
		const char *t = intel_reason_text((uint64_t)f->k.code);

		ev_add(ev, "VT-d fault reason 0x%02" PRIx64 ": \"%s\"", (uint64_t)f->k.code,
		       t ? t : "not in the kernel's table");
		if (f->reason_base == 10 && f->reason_printed[0])
			ev_add(ev, "the log prints the reason as \"%s\" without 0x (older kernels "
			       "print it in decimal); read as decimal%s", f->reason_printed,
			       f->reason_match ?
			       ", which is the reading whose table text matches" : "");
		else if (f->reason_base == 16 && f->reason_printed[0] &&
			 !starts(f->reason_printed, "0x"))
			ev_add(ev, "the log prints the reason as \"%s\"; read as hex because %s",
			       f->reason_printed, f->reason_match ?
			       "that reading's table text matches the printed text" :
			       "it has hex digits");
		if (f->reason_has_text && !f->reason_match)
			ev_add(ev, "the printed reason text differs from the kernel's table");
		if (f->reason_conflict)
			ev_add(ev, "the kernel prints interrupt-remapping reasons (0x20-0x26) "
			       "only in \"[INTR-REMAP]\" records, DMA reasons only in "
			       "\"[DMA Read/Write]\" records: this record mixes them");
	} else if (f->k.kind == K_AMD && f->k.x[1] &&
		   (!strcmp(f->k.event, "IO_PAGE_FAULT") ||
		    !strcmp(f->k.event, "ILLEGAL_DEV_TABLE_ENTRY"))) {
		char names[64];
		size_t o = 0;

		fl = f->k.x[1] - 1;
		names[0] = '\0';
		for (int b = 0; b < 9; b++)
			if (fl >> b & 1)
				o += snprintf(names + o, sizeof(names) - o, "%s%s", o ? " " : "",
					      amd_flag_names[b]);
		ev_add(ev, "flags 0x%04" PRIx64 " = %s", fl, o ? names : "none set");
		if (!strcmp(f->k.event, "IO_PAGE_FAULT") && !(fl & AMD_PR) && !(fl & AMD_I))
			ev_add(ev, "PR=0: the page was not present; the AMD spec defines RW only "
			       "when PR=1, so the direction is unknown");
	} else if (f->k.kind == K_SMMUV3 && f->k.has_code) {
		ev_add(ev, "SMMUv3 event 0x%02x %s", (unsigned)f->k.code, f->k.event);
	} else if (f->k.kind == K_SMMU && f->k.has_code) {
		ev_add(ev, "FSR 0x%" PRIx64, (uint64_t)f->k.code);
	}

	if (dma && f->k.has_addr && f->k.addr == 0 && r->level == 0) {
		cause = CAUSE_ADDR_ZERO;
		ev_add(ev, "the faulting address is 0x0%s", f->k.kind == K_INTEL ?
		       " (VT-d reports the page: the access was within the first 4 KiB)" : "");
	} else if ((dma || cause == CAUSE_NO_CONTEXT) && boot) {
		cause = CAUSE_BOOT_HANDOFF;
		ev_add(ev, "first seen %.3f s after boot, before PCI drivers usually probe",
		       r->first_ts);
		ts_said = 1;
		if (f->k.kind == K_INTEL && f->k.has_dev && (f->k.dev & 0xffff) == 0x0010)
			ev_add(ev, "00:02.0 is where Intel integrated graphics sits; a firmware "
			       "framebuffer scan-out covered by an RMRR is the classic case");
	} else if (cause == CAUSE_NO_CONTEXT) {
		if (f->k.kind == K_INTEL && f->k.has_code && f->k.code == 0x01 && f->k.has_dev)
			ev_add(ev, "no root entry for bus %02x: no device on that bus has a "
			       "translation context", (unsigned)(f->k.dev >> 8) & 0xff);
		else if (f->k.kind == K_INTEL)
			ev_add(ev, "the IOMMU found no context for this requester ID");
		if (f->k.has_addr && f->k.addr == 0)
			ev_add(ev, "the address is also 0x0");
		if (f->k.kind == K_AMD && f->k.x[0] == 1)
			ev_add(ev, "domain=0x0000: the device table entry has no domain ID "
			       "(the AMD driver never allocates domain 0)");
		if (f->detail[0])
			ev_add(ev, "the kernel reports the device as not attached to a domain");
		if (f->k.has_dev && (f->k.dev & 7))
			ev_add(ev, "the requester is function %u, not function 0: a "
			       "phantom-function alias is possible", (unsigned)(f->k.dev & 7));
	} else if (dma) {
		if (r->has_ts) {
			ev_add(ev, "first seen %.3f s after boot, later than a firmware hand-off",
			       r->first_ts);
			ts_said = 1;
		} else {
			ev_add(ev, "no boot-relative timestamps in the log: a boot-time hand-off "
			       "cannot be ruled out");
		}
		if (cause == CAUSE_PERMISSION)
			ev_add(ev, "the page was present but the access (%s) was not permitted",
			       f->k.access == ACC_WRITE ? "write" :
			       f->k.access == ACC_READ ? "read" : "direction not logged");
	}
	if (f->k.kind == K_SMMU && !strcmp(f->detail, "pte=0"))
		ev_add(ev, "the vendor page-table walk printed pte=0: no mapping for the IOVA");
	if (f->k.kind == K_INTEL && starts(f->detail, "SID "))
		ev_add(ev, "%s: the hardware gave no usable source-id", f->detail);
	if (cause == CAUSE_ADDR_WIDTH && f->k.has_addr)
		ev_add(ev, "address 0x%" PRIx64 " needs %d bits", f->k.addr,
		       bits_needed(f->k.addr));
	if (cause == CAUSE_IR_COMPAT || cause == CAUSE_IR_SID || cause == CAUSE_IR_NOT_PRESENT) {
		if (f->k.x[1])
			ev_add(ev, "interrupt index 0x%" PRIx64, f->k.x[1] - 1);
		if (f->k.has_dev && (f->k.dev >> 8 & 0xff) == 0xf0)
			ev_add(ev, "requester on bus f0: DMAR tables commonly give IOAPIC and HPET "
			       "source-ids there, not PCI devices");
	}
	if (cause == CAUSE_ILLEGAL_DTE && f->raw_kind == 2 && f->nraw >= 1) {
		uint64_t d0 = f->raw[0];
		unsigned mode = (unsigned)(d0 >> 9) & 7;

		ev_add(ev, "DTE[0] 0x%016" PRIx64 ": V=%u TV=%u mode=%u%s IR=%u IW=%u", d0,
		       (unsigned)(d0 & 1), (unsigned)(d0 >> 1 & 1), mode,
		       mode == 7 ? " (reserved)" : "", (unsigned)(d0 >> 61 & 1),
		       (unsigned)(d0 >> 62 & 1));
	}
	if (cause == CAUSE_INVALID_REQ && f->k.x[1]) {
		fl = f->k.x[1] - 1;
		if (!(fl & AMD_TR))
			ev_add(ev, "request type %u: %s", (unsigned)(fl >> 9 & 7),
			       amd_invreq_types[fl >> 9 & 7]);
		if (f->k.has_dev && (f->k.dev & 0xfffffff8) == 0)
			ev_add(ev, "the requester is 00:00.%u, the host bridge (root complex) "
			       "itself", (unsigned)(f->k.dev & 7));
		if (f->k.has_addr && (f->k.addr & 0xffffffffffULL) >= 0xfd00000000ULL)
			ev_add(ev, "address 0x%" PRIx64 " is in the HyperTransport reserved range "
			       "(0xfd00000000-0xffffffffff: interrupt/EOI, system management)",
			       f->k.addr);
	}
	if (cause == CAUSE_ILLEGAL_CMD && f->raw_kind == 3 && f->nraw >= 2) {
		unsigned op = (unsigned)(f->raw[1] >> 28);

		ev_add(ev, "command opcode 0x%x%s", op, (op >= 1 && op <= 5) || op == 7 || op == 8 ?
		       "" : ", not one the Linux driver issues (0x1-0x5, 0x7, 0x8)");
	}
	if (cause == CAUSE_CMD_TIMEOUT) {
		unsigned long n = count_event(p, "IOTLB_INV_TIMEOUT");

		if (n)
			ev_add(ev, "%lu IOTLB_INV_TIMEOUT event(s) in the same log", n);
	}
	if (cause == CAUSE_ATS_TIMEOUT && f->k.has_dev)
		ev_add(ev, "the device is the one the invalidation was sent to");
	if (cause == CAUSE_OVERFLOW)
		ev_add(ev, "%s reported %lu time(s)", f->k.event, r->count);
	if (!strcmp(f->k.event, "FAULT_STATUS"))
		ev_add(ev, "fault status register 0x%" PRIx64, (uint64_t)f->k.code);
	if (r->count > 1)
		ev_add(ev, "%lu occurrences%s", r->count, r->level == 0 && f->k.has_addr ?
		       " at this same address" : "");
	if (r->level == 0 && f->k.has_addr && r->nlines >= 3 && r->has_ts &&
	    r->last_ts - r->first_ts >= 10.0)
		ev_add(ev, "the same address faults again and again over %.0f s: the device (or "
		       "its firmware) keeps retrying one transfer", r->last_ts - r->first_ts);
	if (r->suppressed)
		ev_add(ev, "%lu of them from \"callbacks suppressed\" lines (an upper bound: "
		       "the rate limit also counts other messages of the same function)",
		       r->suppressed);
	if (r->has_ts && !ts_said)
		ev_add(ev, "first seen %.3f s after boot", r->first_ts);
	if (cause == CAUSE_UNKNOWN)
		ev_add(ev, "the log does not show enough to name a cause");
	return cause_text[cause];
}

static json_object *record_json(const struct lab_fault_parser *p, const struct record *r)
{
	const struct fkey *k = &r->key;
	json_object *o = json_object_new_object(), *lines, *ev;
	char buf[32];

	jadd(o, "iommu", json_object_new_string(kind_names[k->kind]));
	jadd(o, "event", json_object_new_string(k->event));
	jadd(o, "code", k->has_code ? json_object_new_int64(k->code) : NULL);
	if (k->has_dev) {
		dev_string(buf, sizeof(buf), k->dev);
		jadd(o, "device", json_object_new_string(buf));
	} else {
		jadd(o, "device", NULL);
	}
	jadd(o, "stream_id", k->has_sid ? json_object_new_int64((int64_t)k->sid) : NULL);
	jadd(o, "address", k->has_addr ? jhex(k->addr) : NULL);
	jadd(o, "access", k->access == ACC_READ ? json_object_new_string("read") :
	     k->access == ACC_WRITE ? json_object_new_string("write") : NULL);
	jadd(o, "count", json_object_new_int64((int64_t)r->count));
	lines = json_object_new_array();
	for (unsigned i = 0; i < r->nlines; i++)
		json_object_array_add(lines, json_object_new_int64((int64_t)r->lines[i]));
	jadd(o, "lines", lines);
	if (r->lines_omitted)
		jadd(o, "lines_omitted", json_object_new_int64((int64_t)r->lines_omitted));
	jadd(o, "meaning", json_object_new_string(r->meaning ? r->meaning : ""));
	ev = json_object_new_array();
	jadd(o, "likely_cause", json_object_new_string(explain(p, r, ev)));
	jadd(o, "evidence", ev);
	if (r->has_ts) {
		/* the value is the printed one, so it survives a JSON round trip */
		snprintf(buf, sizeof(buf), "%.6f", r->first_ts);
		jadd(o, "first_seen", json_object_new_double_s(strtod(buf, NULL), buf));
	}
	if (r->suppressed)
		jadd(o, "suppressed", json_object_new_int64((int64_t)r->suppressed));
	jadd(o, "decoded", json_object_get(r->decoded));
	return o;
}

static void flush_all(struct lab_fault_parser *p)
{
	intel_flush(p);
	amd_flush_held(p);
	p->amd.split.active = 0;
	p->amd.na.active = 0;
	wrap_flush(p);
	for (;;) {
		struct v3_slot *old = NULL;

		for (int i = 0; i < V3_SLOTS; i++)
			if (p->v3[i].state != V3_FREE && (!old || p->v3[i].stamp < old->stamp))
				old = &p->v3[i];
		if (!old)
			break;
		v3_emit_slot(p, old);
	}
}

static int cmp_dev(const void *a, const void *b)
{
	json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
	json_object *cx, *cy, *dx, *dy;
	int64_t nx, ny;

	json_object_object_get_ex(x, "count", &cx);
	json_object_object_get_ex(y, "count", &cy);
	nx = json_object_get_int64(cx);
	ny = json_object_get_int64(cy);
	if (nx != ny)
		return nx > ny ? -1 : 1;
	json_object_object_get_ex(x, "device", &dx);
	json_object_object_get_ex(y, "device", &dy);
	return strcmp(json_object_get_string(dx), json_object_get_string(dy));
}

static void bump(json_object *o, const char *key, int64_t n)
{
	json_object *v;

	if (json_object_object_get_ex(o, key, &v))
		json_object_set_int64(v, json_object_get_int64(v) + n);
	else
		jadd(o, key, json_object_new_int64(n));
}

static json_object *summary_json(const struct lab_fault_parser *p)
{
	json_object *s = json_object_new_object(), *by_iommu = json_object_new_object();
	json_object *by_event = json_object_new_object(), *devs = json_object_new_object();
	json_object *devlist = json_object_new_array(), *sup = json_object_new_object();
	uint64_t total = 0, unattributed = 0;
	char buf[32];

	for (size_t i = 0; i < p->nrecs; i++) {
		const struct record *r = &p->recs[i];

		total += r->count;
		bump(by_iommu, kind_names[r->key.kind], (int64_t)r->count);
		bump(by_event, r->key.event, (int64_t)r->count);
		if (r->key.has_dev) {
			dev_string(buf, sizeof(buf), r->key.dev);
			bump(devs, buf, (int64_t)r->count);
		}
	}
	json_object_object_foreach(devs, dk, dv) {
		json_object *e = json_object_new_object();

		jadd(e, "device", json_object_new_string(dk));
		jadd(e, "count", json_object_get(dv));
		json_object_array_add(devlist, e);
	}
	json_object_array_sort(devlist, cmp_dev);
	json_object_put(devs);
	for (int k = 0; k < K_COUNT; k++) {
		if (p->suppressed[k])
			jadd(sup, kind_names[k], json_object_new_int64((int64_t)p->suppressed[k]));
		unattributed += p->pending_suppressed[k];
	}
	jadd(s, "lines", json_object_new_int64((int64_t)p->lines));
	jadd(s, "lines_truncated", json_object_new_int64((int64_t)p->truncated));
	jadd(s, "records", json_object_new_int64((int64_t)total));
	jadd(s, "distinct", json_object_new_int64((int64_t)p->nrecs));
	jadd(s, "by_iommu", by_iommu);
	jadd(s, "by_event", by_event);
	jadd(s, "devices", devlist);
	jadd(s, "suppressed", sup);
	jadd(s, "suppressed_unattributed", json_object_new_int64((int64_t)unattributed));
	jadd(s, "intel_status_only_lines", json_object_new_int64((int64_t)p->status_lines));
	jadd(s, "folded_without_address", json_object_new_int64((int64_t)p->folded[1]));
	jadd(s, "folded_without_device", json_object_new_int64((int64_t)p->folded[2]));
	jadd(s, "folded_to_event", json_object_new_int64((int64_t)p->folded[3]));
	return s;
}

json_object *lab_fault_parser_finish(struct lab_fault_parser *p, struct lab_error *err)
{
	json_object *root, *faults;

	flush_all(p);
	if (p->failed) {
		lab_error_set_errno(err, ENOMEM, "decoding IOMMU faults");
		return NULL;
	}
	root = json_object_new_object();
	faults = json_object_new_array();
	if (!root || !faults) {
		json_object_put(root);
		json_object_put(faults);
		lab_error_set_errno(err, ENOMEM, "building the fault report");
		return NULL;
	}
	for (size_t i = 0; i < p->nrecs; i++)
		json_object_array_add(faults, record_json(p, &p->recs[i]));
	jadd(root, "faults", faults);
	jadd(root, "summary", summary_json(p));
	return root;
}

static json_object *parse_klog(struct lab_klog *k, struct lab_error *err)
{
	struct lab_fault_parser *p = lab_fault_parser_new(err);
	struct lab_klog_record rec;
	json_object *o = NULL;
	int r;

	if (!p)
		return NULL;
	while ((r = lab_klog_next(k, &rec, err)) > 0)
		if (lab_fault_parser_feed(p, &rec, err) < 0)
			goto out;
	if (r < 0)
		goto out;
	o = lab_fault_parser_finish(p, err);
out:
	lab_fault_parser_free(p);
	return o;
}

json_object *lab_fault_parse_file(FILE *f, struct lab_error *err)
{
	struct lab_klog *k = lab_klog_new_file(f, err);
	json_object *o;

	if (!k)
		return NULL;
	o = parse_klog(k, err);
	lab_klog_free(k);
	return o;
}

json_object *lab_fault_parse_buffer(const void *buf, size_t len, struct lab_error *err)
{
	struct lab_klog *k = lab_klog_new_buffer(buf, len, err);
	json_object *o;

	if (!k)
		return NULL;
	o = parse_klog(k, err);
	lab_klog_free(k);
	return o;
}
