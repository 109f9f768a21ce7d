/* SPDX-License-Identifier: MIT */
/*
 * Describing the records, once the parser has finished: each record's
 * meaning and decoded fields (the family's describe hook, from the first
 * occurrence), and a likely cause with the evidence for it, which may look
 * at the whole store (e.g. IOTLB timeouts behind a stuck command queue).
 * Causes are named by the parsers (enum cause); their text is here.
 */
#include "fault_internal.h"

#include <stdarg.h>
#include <stdlib.h>

#define BOOT_SECONDS 5.0	/* before PCI drivers usually probe */

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

static unsigned long count_event(const struct fault_store *s, const char *event)
{
	unsigned long n = 0;

	for (size_t i = 0; i < s->nrecs; i++)
		if (!strcmp(s->recs[i].key.event, event))
			n += s->recs[i].count;
	return n;
}

/* likely cause and evidence for a record */
static const char *explain(const struct fault_store *s, const struct record *r,
			   json_object *ev)
{
	const struct fault *f = &r->first;
	int cause = f->cause;
	int boot = r->has_ts && r->first_ts < BOOT_SECONDS;
	int dma = cause == CAUSE_UNMAPPED || cause == CAUSE_UNMAPPED_OR_PERM ||
		  cause == CAUSE_PERMISSION;
	int ts_said = 0;
	char names[64];
	uint64_t fl;

	/* what the hardware said */
	if (f->k.kind == K_INTEL && f->k.has_code &&
	    (!strcmp(f->k.event, "DMA_FAULT") || !strcmp(f->k.event, "INTR_REMAP_FAULT"))) {
		const char *t = fault_intel_reason_text((uint64_t)f->k.code);

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
	} else if (f->k.kind == K_AMD && f->k.x[1] && f->k.has_code && f->k.code != 0x8 &&
		   fault_amd_flag_text((int)f->k.code, f->k.x[1] - 1, names, sizeof(names))) {
		fl = f->k.x[1] - 1;
		ev_add(ev, "flags 0x%04" PRIx64 " = %s", fl, names[0] ? names : "none set");
		if (f->k.code == 0x2 && !(fl & AMD_I))
			ev_add(ev, "I=0: a memory access, RW=%u: a %s%s", (unsigned)!!(fl & AMD_RW),
			       fl & AMD_RW ? "write" : "read", fl & AMD_PR ? "" :
			       " (the kernel reads RW whatever PR says; the spec defines it "
			       "for PR=1)");
		else if (f->k.code == 0x2)
			ev_add(ev, "I=1: an interrupt request, not a memory read or write");
	} else if (f->k.kind == K_SMMUV3 && f->k.has_code) {
		ev_add(ev, "SMMUv3 event 0x%02x %s", (unsigned)f->k.code, f->k.event);
	} else if (f->k.kind == K_SMMU && f->k.has_code) {
		ev_add(ev, "FSR 0x%" PRIx64, (uint64_t)f->k.code);
	} else if (f->k.kind == K_VIRTIO && f->k.x[0]) {
		if (f->k.has_dev)
			ev_add(ev, "endpoint %" PRIu64 " = 0x%04" PRIx64 ", read as the PCI requester "
			       "ID %02x:%02x.%u (bus << 8 | devfn, as QEMU's virtio-iommu numbers "
			       "endpoints)", f->k.x[0] - 1, f->k.x[0] - 1,
			       (unsigned)(f->k.dev >> 8) & 0xff, (unsigned)(f->k.dev >> 3) & 0x1f,
			       (unsigned)f->k.dev & 7);
		if (f->k.has_addr && f->k.x[1] == 1)
			ev_add(ev, "no R/W/X flags: the device did not report the direction (QEMU "
			       "reports it only for a mapping that lacks the permission)");
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
			       fault_amd_invreq_types[fl >> 9 & 7]);
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
		unsigned long n = count_event(s, "IOTLB_INV_TIMEOUT");

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

/* meaning and decoded fields; 0, or -1 out of memory */
static int describe(struct record *r)
{
	char m[512];
	json_object *d = json_object_new_object();

	m[0] = '\0';
	if (!d)
		return -1;
	fault_family(r->key.kind)->describe(r, d, m, sizeof(m));
	if (r->level)
		jadd(d, "folded", json_object_new_string(r->level == 1 ? "address" :
			r->level == 2 ? "device" : "all"));
	r->decoded = d;
	r->meaning = strdup(m[0] ? m : "no decoding for this event");
	return r->meaning ? 0 : -1;
}

void fault_describe(struct fault_store *s)
{
	for (size_t i = 0; i < s->nrecs; i++) {
		struct record *r = &s->recs[i];

		if (describe(r) < 0 || !(r->evidence = json_object_new_array())) {
			s->failed = 1;
			return;
		}
		r->likely_cause = explain(s, r, r->evidence);
	}
}
