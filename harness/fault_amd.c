/* SPDX-License-Identifier: MIT */
/*
 * AMD-Vi records, following drivers/iommu/amd/iommu.c iommu_print_event(),
 * amd_iommu_report_page_fault(), amd_iommu_report_rmp_*(), wait_on_sem(),
 * dump_dte_entry(), dump_command() and amd_iommu_types.h EVENT_TYPE_*,
 * EVENT_FLAG_*. Owns the "Event logged [...]" lines of every event type,
 * with what may be pending around them: a record split after "[" (its body
 * on the next line), "Device not attached" waiting for its device, a
 * record held for its DTE or command dump, and a line a mail client
 * wrapped; also completion-wait timeouts, event-log overflows and the
 * records' meaning. Each record keeps every field its line prints: the
 * flags bit by bit where the event's layout is known (amd_layouts[]), the
 * address of every event type that prints one (decoded.address_is says
 * whose it is), the device, the domain or PASID.
 */
#include "fault_internal.h"

/* A line that waits for the one that completes it, where it was seen. */
struct waiting_line {
	int active;
	unsigned long line, deadline;
	int has_ts;
	double ts;
};

struct amd_state {
	struct waiting_line split;	/* "Event logged [" waiting for its body */
	struct waiting_line na;		/* "Device not attached" waiting for "device=" */
	int held_active;	/* a record waiting for its DTE or CMD dump */
	unsigned long held_deadline;
	struct fault held;
	struct fault_wrap wrap;
	int wrap_split;		/* the wrap is the body of a split record (no "AMD-Vi") */
};

/*
 * The flag bits each event type defines. The kernel prints them as
 * flags=0x%04x, (event[1] >> EVENT_FLAGS_SHIFT) & EVENT_FLAGS_MASK: event
 * bits 59:48 (drivers/iommu/amd/iommu.c iommu_print_event()), and names
 * only EVENT_FLAG_I and EVENT_FLAG_RW (amd_iommu_types.h); the layouts are
 * the AMD IOMMU specification's (48882, the event log entry formats;
 * IO_PAGE_FAULT: section 2.5.3), as VirtualBox transcribes them field by field
 * (include/VBox/iommu-amd.h EVT_ILLEGAL_DTE_T, EVT_IO_PAGE_FAULT_T,
 * EVT_DEV_TAB_HW_ERROR_T, EVT_PAGE_TAB_HW_ERR_T, EVT_CMD_HW_ERR_T,
 * EVT_INVALID_DEV_REQ_T). A bit is named by its position, so the same
 * position may carry another name in another event (INVALID_DEVICE_REQUEST
 * has US where IO_PAGE_FAULT has NX). The events whose layout is not
 * written down there (INVALID_PPR_REQUEST, the RMP events) keep their flags
 * as printed only.
 */
struct amd_layout {
	int code;
	const char *bits[9];	/* lower-case name of each defined bit, NULL reserved */
	int type_width;		/* the Type field at bit 9: its width, 0 none */
};

static const struct amd_layout amd_layouts[] = {
	{ 0x1, { "gn", NULL, NULL, "i", NULL, "rw", NULL, "rz", "tr" }, 0 },
	{ 0x2, { "gn", "nx", "us", "i", "pr", "rw", "pe", "rz", "tr" }, 0 },
	{ 0x3, { NULL, NULL, NULL, "i", NULL, "rw", NULL, NULL, "tr" }, 2 },
	{ 0x4, { "gn", NULL, NULL, "i", NULL, "rw", NULL, NULL, "tr" }, 2 },
	{ 0x6, { NULL }, 2 },
	{ 0x8, { "gn", "us", NULL, NULL, NULL, NULL, NULL, NULL, "tr" }, 3 },
};

static const struct amd_layout *amd_layout(int code)
{
	for (size_t i = 0; i < NELEM(amd_layouts); i++)
		if (amd_layouts[i].code == code)
			return &amd_layouts[i];
	return NULL;
}

int fault_amd_flag_text(int code, uint64_t flags, char *buf, size_t n)
{
	const struct amd_layout *l = amd_layout(code);
	size_t o = 0;

	if (!l || !n)
		return 0;
	buf[0] = '\0';
	for (int b = 0; b < 9 && o < n; b++) {
		if (!l->bits[b] || !(flags >> b & 1))
			continue;
		o += snprintf(buf + o, n - o, "%s", o ? " " : "");
		for (const char *c = l->bits[b]; *c && o + 1 < n; c++)
			buf[o++] = (char)toupper((unsigned char)*c);
		buf[o < n ? o : n - 1] = '\0';
	}
	if (l->type_width && o < n)
		snprintf(buf + o, n - o, "%stype %u", o ? " " : "",
			 (unsigned)(flags >> 9) & ((1u << l->type_width) - 1));
	return 1;
}

/* every flag bit of the event as 0/1 by name, its Type, and any bit the
 * event does not define */
static void amd_flags_json(json_object *d, int code, uint64_t flags)
{
	const struct amd_layout *l = amd_layout(code);
	uint64_t known = 0;
	json_object *o;

	jadd(d, "flags_raw", jhex(flags));
	if (!l)
		return;
	o = json_object_new_object();
	for (int b = 0; b < 9; b++) {
		if (!l->bits[b])
			continue;
		jadd(o, l->bits[b], json_object_new_int((int)(flags >> b & 1)));
		known |= 1ULL << b;
	}
	if (l->type_width) {
		uint64_t m = (1ULL << l->type_width) - 1;

		jadd(o, "type", json_object_new_int((int)(flags >> 9 & m)));
		known |= m << 9;
	}
	jadd(d, "flags", o);
	if (flags & ~known)
		jadd(d, "flags_undefined", jhex(flags & ~known));
}

/* what the address of each event type is (the same sources as amd_layouts[]) */
static const char *amd_address_is(int code)
{
	switch (code) {
	case 0x1: case 0x2: return "the DMA address (IOVA) of the request";
	case 0x3: return "the system physical address of the device table access that failed";
	case 0x4: return "the system physical address of the page table entry the IOMMU "
			 "could not read";
	case 0x5: return "the system physical address of the illegal command";
	case 0x6: return "the system physical address of the command buffer access that failed";
	case 0x7: return "the system physical address of the invalidation command that timed out";
	case 0x8: return "the translation or access address of the request";
	case 0x9: return "the address of the page request";
	case 0xd: return "the guest physical address (gpa) of the access";
	case 0xe: return "the system physical address (spa) whose RMP entry could not be read";
	default: return NULL;
	}
}

/* INVALID_DEVICE_REQUEST type (flags bits 11:9) with TR=0, AMD IOMMU spec */
const char *const fault_amd_invreq_types[8] = {
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

/* ---- meaning ---------------------------------------------------------------- */

static int amd_code_of(const struct fault *f)
{
	return f->k.has_code ? (int)f->k.code : -1;
}

static void describe_amd(const struct record *r, json_object *d, char *m, size_t mn)
{
	const struct fault *f = &r->first;
	uint64_t flags = f->k.x[1] ? f->k.x[1] - 1 : 0;
	int has_flags = f->k.x[1] != 0;
	const char *ev = f->k.event, *addr_is = amd_address_is(amd_code_of(f));
	int code = amd_code_of(f);

	if (code == 0x2 && has_flags && (flags & AMD_I))
		addr_is = "the interrupt (MSI) address of the request";

	/*
	 * IO_PAGE_FAULT and PAGE_TAB_HARDWARE_ERROR carry one D/P field: the
	 * domain ID, or the PASID when GN=1 (AMD spec); kernels print it as
	 * domain= or pasid= by version, not by GN, so GN names it here.
	 */
	for (int i = 0; i <= 2; i += 2) {
		const char *printed = i ? "pasid" : "domain", *name = printed;

		if (!f->k.x[i])
			continue;
		if ((code == 0x2 || code == 0x4) && has_flags)
			name = flags & AMD_GN ? "pasid" : "domain";
		jadd(d, name, jhex(f->k.x[i] - 1));
		if (strcmp(name, printed))
			jadd(d, "printed_as", json_object_new_string(printed));
	}
	if (f->k.x[3])
		jadd(d, "tag", jhex(f->k.x[3] - 1));
	if (f->k.x[4])
		jadd(d, "vmg_tag", jhex(f->k.x[4] - 1));
	if (f->k.x[5])
		jadd(d, "flags_rmp", jhex(f->k.x[5] - 1));
	if (has_flags)
		amd_flags_json(d, code, flags);
	if (f->k.has_addr && addr_is)
		jadd(d, "address_is", json_object_new_string(addr_is));
	if (f->k.has_dev)
		jadd(d, "segment_known", json_object_new_boolean(f->seg_known));
	if (f->driver[0])
		jadd(d, "driver", json_object_new_string(f->driver));
	if (f->has_aux)
		jadd(d, "control_register", jhex(f->aux));
	if (f->k.inst[0])
		jadd(d, "iommu", json_object_new_string(f->k.inst));
	if (f->raw_kind >= 2 && f->raw_kind <= 4) {
		json_object *a = json_object_new_array();
		char buf[24];

		for (int i = 0; i < f->nraw; i++) {
			if (f->raw_kind == 2)
				snprintf(buf, sizeof(buf), "0x%016" PRIx64, f->raw[i]);
			else
				snprintf(buf, sizeof(buf), "0x%08" PRIx64, f->raw[i]);
			json_object_array_add(a, json_object_new_string(buf));
		}
		jadd(d, f->raw_kind == 2 ? "dte" : f->raw_kind == 3 ? "command" : "event", a);
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
			snprintf(m, mn, "I/O page fault: %s%s%s%s%s%s%s",
				 flags & AMD_TR ? "translation request, " : "",
				 flags & AMD_PR ? "page present" : "page not present",
				 flags & AMD_PE ? ", permission check failed" : "",
				 flags & AMD_RZ ?
				 ", reserved bit set or bad level in a page table entry" : "",
				 flags & AMD_NX ? "; execute permission was requested (NX)" : "",
				 flags & AMD_US ? "; a user-mode request (US)" : "",
				 flags & AMD_GN ? "; a guest address with a PASID (GN)" : "");
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
					     "supported)" : fault_amd_invreq_types[type];
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

/* ---- parsing ---------------------------------------------------------------- */

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

/* cause and direction, where the flags define them (amd_layouts[]) */
static void amd_flags(struct fault *f, int ev_code)
{
	if (f->k.x[1]) {
		uint64_t fl = f->k.x[1] - 1;

		switch (ev_code) {
		case 0x2:
			if (fl & AMD_I)
				f->cause = CAUSE_IR_BLOCKED;
			else if (fl & AMD_RZ)
				f->cause = CAUSE_TABLE_BAD;
			else if ((fl & AMD_PR) && (fl & AMD_PE))
				f->cause = CAUSE_PERMISSION;
			/*
			 * amd_iommu_report_page_fault(): I=0 is a memory access
			 * (IS_IOMMU_MEM_TRANSACTION) and RW its direction
			 * (IS_WRITE_REQUEST), whatever PR says: the spec defines RW
			 * for PR=1, but it was found right for non-present pages too
			 * (commit 9f78e446bde8, "iommu/amd: Use report_iommu_fault()").
			 * I=1 is an interrupt request, not a read or a write.
			 */
			if (!(fl & AMD_I))
				f->k.access = fl & AMD_RW ? ACC_WRITE : ACC_READ;
			break;
		case 0x1: case 0x3: case 0x4:
			/* RW is defined for a memory transaction that is not a
			 * translation request (I=0, TR=0) */
			if (!(fl & (AMD_I | AMD_TR)))
				f->k.access = fl & AMD_RW ? ACC_WRITE : ACC_READ;
			break;
		case 0x8:
			if (!(fl & AMD_TR)) {
				int type = (int)(fl >> 9) & 7;

				/* the types that name a posted write */
				if (type == 3 || type == 5 || type == 6)
					f->k.access = ACC_WRITE;
			}
			break;
		default:
			break;
		}
	}
	if (ev_code == 0x2 && f->cause == CAUSE_UNMAPPED && f->k.x[0] == 1 &&
	    !(f->k.x[1] && ((f->k.x[1] - 1) & AMD_GN)))
		f->cause = CAUSE_NO_CONTEXT;	/* domain 0: the DTE has no domain */
}

/* a DTE or command dump follows an ILLEGAL_DEV_TABLE_ENTRY or ILLEGAL_COMMAND_ERROR:
 * hold the record for it */
static void amd_hold(struct lab_fault_parser *p, struct amd_state *ap, const struct fault *f,
		     int ev_code, unsigned long line)
{
	if (ap->held_active) {
		ap->held_active = 0;
		fault_emit(p, &ap->held);
	}
	ap->held = *f;
	ap->held.raw_kind = ev_code == 0x1 ? 2 : 3;
	ap->held_active = 1;
	ap->held_deadline = line + 6;
	fault_set_deadline(p, ap->held_deadline);
}

/* body: "IO_PAGE_FAULT device=.. domain=.. address=.. flags=..]"; t: the whole
 * line, av: its "AMD-Vi" (NULL when the body stands alone); seen at line/ts */
static void amd_body(struct lab_fault_parser *p, struct amd_state *ap, const char *t,
		     const char *av, const char *body, unsigned long line, int has_ts, double ts)
{
	int ei = amd_event_at(body);
	const char *q, *key, *val, *addr = NULL, *ev0 = NULL, *ev1 = NULL, *type = NULL;
	struct fault f;
	uint64_t v, devid;
	int seg_known, ev_code, has_device = 0;
	size_t kl;

	if (ei < 0)
		return;
	fault_init(&f, K_AMD, amd_events[ei].name, NULL);
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
		if (slot && !*slot && lab_hex_scan(val, &v, NULL))
			*slot = v + 1;
	}
	if (av)
		amd_prefix(&f, t, av, has_device);
	/*
	 * Every event that prints an address has it in the record: the DMA's
	 * for page faults, device requests, DTE and PPR errors, RMP faults;
	 * for hardware errors and command events where the IOMMU's own
	 * structure sits (decoded.address_is says which).
	 */
	if (addr && lab_hex_scan(addr, &v, NULL))
		set_addr(&f, v);
	if (ev_code < 0) {
		/*
		 * UNKNOWN event[0]=.. event[1]=.. event[2]=.. event[3]=..: the
		 * words as the hardware wrote them. iommu_print_event() reads the
		 * type from event[1] 31:28 and the device from event[0] 15:0 for
		 * every event; the rest of an unknown type's layout is not
		 * known, so the words are kept as they are. Before 4.x the
		 * kernel printed "UNKNOWN type=0x..".
		 */
		const char *w[4] = { ev0, ev1, NULL, NULL };

		w[2] = amd_field(body, "event[2]=");
		w[3] = amd_field(body, "event[3]=");
		for (int i = 0; i < 4 && w[i] && lab_hex_scan(w[i], &v, NULL); i++) {
			f.raw[i] = v;
			f.nraw = i + 1;
		}
		if (f.nraw)
			f.raw_kind = 4;
		if (f.nraw >= 2)
			ev_code = (int)(f.raw[1] >> 28 & 0xf);
		else if (type && lab_hex_scan(type, &v, NULL))
			ev_code = (int)(v & 0xff);
		if (f.nraw >= 1)
			set_dev(&f, f.raw[0] & 0xffff, 0);
	}
	if (ev_code >= 0)
		set_code(&f, ev_code);

	amd_flags(&f, ev_code);
	if (ev_code == 0x1 || ev_code == 0x5)
		amd_hold(p, ap, &f, ev_code, line);
	else
		fault_emit(p, &f);
}

static void amd_flush_held(struct lab_fault_parser *p, struct amd_state *ap)
{
	if (ap->held_active) {
		ap->held_active = 0;
		fault_emit(p, &ap->held);
	}
}

/* "DTE[0]: 6000000114bd9603" / "CMD[1]: 50000000" */
static void amd_dump(struct lab_fault_parser *p, struct amd_state *ap, const char *s, int kind)
{	uint64_t idx, v;
	const char *e;

	if (!ap->held_active || ap->held.raw_kind != kind)
		return;
	if (!parse_dec(s, &idx, &e) || *e != ']' || e[1] != ':' || idx > 3)
		return;
	e += 2;
	while (*e == ' ')
		e++;
	if (!lab_hex_scan(e, &v, NULL))
		return;
	if ((int)idx == ap->held.nraw)
		ap->held.raw[ap->held.nraw++] = v;
	if (ap->held.nraw == 4)
		amd_flush_held(p, ap);
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
	fault_set_deadline(p, w->deadline);
}

/* the record a mail client wrapped, with its continuation if it came */
static void amd_wrap_flush(struct lab_fault_parser *p, struct amd_state *ap)
{
	struct fault_wrap *w = &ap->wrap;
	const char *av, *body;

	if (!w->active)
		return;
	w->active = 0;
	if (ap->wrap_split) {
		amd_body(p, ap, w->text, NULL, w->text, w->line, w->has_ts, w->ts);
	} else if ((av = strstr(w->text, "AMD-Vi")) && (body = strstr(av, "Event logged ["))) {
		body += 14;
		while (*body == ' ')
			body++;
		amd_body(p, ap, w->text, av, body, w->line, w->has_ts, w->ts);
	}
}

static void amd_wrap_start(struct lab_fault_parser *p, struct amd_state *ap, int split,
			   const char *t, size_t n, unsigned long line, int has_ts, double ts)
{
	amd_wrap_flush(p, ap);
	ap->wrap_split = split;
	fault_wrap_start(p, &ap->wrap, t, n, line, has_ts, ts);
}

static int amd_line(struct lab_fault_parser *p, void *state, const struct lab_klog_record *rec)
{
	const char *t = rec->text, *s, *av = strstr(t, "AMD-Vi");
	struct amd_state *ap = state;
	struct fault f;

	if (!av)
		return 0;
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
		amd_flush_held(p, ap);
		if (!strchr(s, ']') && rec->prefix) {
			/* cut short by a mail client: the rest is on the next bare line */
			amd_wrap_start(p, ap, 0, t, rec->len, rec->line, rec->has_timestamp,
				       rec->timestamp);
			return 1;
		}
		amd_body(p, ap, t, av, s, rec->line, rec->has_timestamp, rec->timestamp);
		return 1;
	}
	/* recent kernels print the control register between an
	 * ILLEGAL_DEV_TABLE_ENTRY and its DTE dump (iommu_print_event()) */
	if ((s = strstr(av, "Control Reg : "))) {
		uint64_t v;

		if (ap->held_active && ap->held.raw_kind == 2 && !ap->held.has_aux &&
		    lab_hex_scan(s + 14, &v, NULL)) {
			ap->held.has_aux = 1;
			ap->held.aux = v;
		}
		return 1;
	}
	if ((s = strstr(av, "DTE["))) {
		amd_dump(p, ap, s + 4, 2);
		return 1;
	}
	if ((s = strstr(av, "CMD["))) {
		amd_dump(p, ap, s + 4, 3);
		return 1;
	}
	if (strstr(av, "Completion-Wait loop timed out")) {
		fault_init(&f, K_AMD, "COMPLETION_WAIT_TIMEOUT", rec);
		f.cause = CAUSE_CMD_TIMEOUT;
		fault_emit(p, &f);
		return 1;
	}
	if (strstr(av, "event log overflow")) {
		fault_init(&f, K_AMD, "EVENT_LOG_OVERFLOW", rec);
		f.cause = CAUSE_OVERFLOW;
		fault_emit(p, &f);
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
		if ((s = strstr(av, "domain=")) && lab_hex_scan(s + 7, &v, NULL))
			f.k.x[0] = v + 1;
		snprintf(f.detail, sizeof(f.detail), "not attached");
		f.k.variant = 1;
		f.cause = CAUSE_NO_CONTEXT;
		ap->na.active = 0;
		fault_emit(p, &f);
		return 1;
	}
	return 0;
}

/* a line that starts with an AMD event name: the second half of a split record */
static int amd_split_body(struct lab_fault_parser *p, void *state,
			  const struct lab_klog_record *rec)
{
	struct amd_state *ap = state;
	const char *t = rec->text;

	if (amd_event_at(t) < 0)
		return 0;
	if (!strstr(t, "device=") && !strstr(t, "address=") && !strstr(t, "event[0]=") &&
	    !strstr(t, "type="))
		return 0;
	unsigned long line = rec->line;
	int has_ts = rec->has_timestamp;
	double ts = rec->timestamp;

	amd_flush_held(p, ap);
	if (ap->split.active) {
		ap->split.active = 0;
		line = ap->split.line;
		has_ts = ap->split.has_ts;
		ts = ap->split.ts;
	}
	if (!strchr(t, ']') && rec->prefix && !amd_field(t, "event[0]=")) {
		amd_wrap_start(p, ap, 1, t, rec->len, line, has_ts, ts);
		return 1;
	}
	amd_body(p, ap, t, NULL, t, line, has_ts, ts);
	return 1;
}

/* a bare line that completes a wrapped record */
static int amd_pending_line(struct lab_fault_parser *p, void *state,
			    const struct lab_klog_record *rec)
{
	struct amd_state *ap = state;
	int taken;

	if (!ap->wrap.active)
		return 0;
	taken = fault_wrap_take(&ap->wrap, rec);
	amd_wrap_flush(p, ap);
	return taken;
}

static void amd_deadline(struct lab_fault_parser *p, void *state, unsigned long line,
			 unsigned long *next)
{
	struct amd_state *ap = state;

	if (ap->split.active && fault_expired(ap->split.deadline, line, next))
		ap->split.active = 0;
	if (ap->na.active && fault_expired(ap->na.deadline, line, next))
		ap->na.active = 0;
	if (ap->held_active && fault_expired(ap->held_deadline, line, next))
		amd_flush_held(p, ap);
	if (ap->wrap.active && fault_expired(ap->wrap.deadline, line, next))
		amd_wrap_flush(p, ap);
}

/* The held record goes before the wrap is flushed, and a record the wrap
 * then holds is dropped: the order the decoder always had. */
static void amd_flush(struct lab_fault_parser *p, void *state)
{
	struct amd_state *ap = state;

	amd_flush_held(p, ap);
	ap->split.active = 0;
	ap->na.active = 0;
	amd_wrap_flush(p, ap);
}

const struct fault_family fault_amd = {
	.name = "amd",
	.state_size = sizeof(struct amd_state),
	.pending = amd_pending_line,
	.line = amd_line,
	.unclaimed = amd_split_body,
	.deadline = amd_deadline,
	.flush = amd_flush,
	.describe = describe_amd,
};
