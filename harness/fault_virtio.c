/* SPDX-License-Identifier: MIT */
/*
 * virtio-iommu records, following drivers/iommu/virtio-iommu.c
 * viommu_fault_handler() (the same in 6.1 and 6.12) and the fault reasons
 * and flags of include/uapi/linux/virtio_iommu.h
 * (VIRTIO_IOMMU_FAULT_R_*, VIRTIO_IOMMU_FAULT_F_*). The driver prints, with
 * dev_err_ratelimited() on the virtio device ("virtio_iommu virtio0: "),
 *   "%s fault from EP %u at %#llx [%s%s%s]"   when the device gave an address
 *   "%s fault from EP %u"                      when it did not
 * where %s is "domain" (R_DOMAIN, 1), "page" (R_MAPPING, 2) or "unknown"
 * (R_UNKNOWN, 0, and any other reason), and the brackets hold "R", "W" and
 * "X" for the F_READ, F_WRITE and F_EXEC flags; %#llx prints 0 as "0". The
 * rate limit names the function: "viommu_fault_handler: N callbacks
 * suppressed" (fault.c). Each line is one record: this family holds
 * nothing between lines.
 *
 * The endpoint ID is the requester ID (bus << 8 | devfn) on both machines
 * the lab runs: QEMU's virtio-iommu keys endpoints by the device's PCI BDF
 * (hw/virtio/virtio-iommu.c virtio_iommu_get_bdf()), and the firmware maps
 * requester IDs to endpoints one to one (ACPI VIOT on q35, iommu-map on
 * virt). That is an assumption about the platform, not something the line
 * says: a record's device comes from it with the PCI segment unknown, and
 * endpoint IDs above 0xffff give no device.
 */
#include "fault_internal.h"

enum { VIRTIO_R_UNKNOWN, VIRTIO_R_DOMAIN, VIRTIO_R_MAPPING };	/* VIRTIO_IOMMU_FAULT_R_* */
enum { VIRTIO_F_READ = 1, VIRTIO_F_WRITE = 2, VIRTIO_F_EXEC = 4 };	/* VIRTIO_IOMMU_FAULT_F_* */

static const struct {
	const char *printed;	/* viommu_fault_handler()'s reason_str */
	const char *event;
	int reason;
} virtio_reasons[] = {
	{ "page", "MAPPING_FAULT", VIRTIO_R_MAPPING },
	{ "domain", "DOMAIN_FAULT", VIRTIO_R_DOMAIN },
	{ "unknown", "UNKNOWN_FAULT", VIRTIO_R_UNKNOWN },
};

/* ---- meaning ---------------------------------------------------------------- */

static void describe_virtio(const struct record *r, json_object *d, char *m, size_t mn)
{
	const struct fault *f = &r->first;
	uint64_t ep = f->k.x[0] ? f->k.x[0] - 1 : 0;
	int has_flags = f->k.x[1] != 0;
	unsigned fl = has_flags ? (unsigned)(f->k.x[1] - 1) : 0;
	const char *what;

	if (f->k.x[0])
		jadd(d, "endpoint", json_object_new_int64((int64_t)ep));
	if (f->k.inst[0])
		jadd(d, "viommu", json_object_new_string(f->k.inst));
	if (has_flags) {
		json_object *o = json_object_new_object();

		jadd(o, "r", json_object_new_int(!!(fl & VIRTIO_F_READ)));
		jadd(o, "w", json_object_new_int(!!(fl & VIRTIO_F_WRITE)));
		jadd(o, "x", json_object_new_int(!!(fl & VIRTIO_F_EXEC)));
		jadd(d, "flags", o);
	}
	jadd(d, "address_reported", json_object_new_boolean(f->k.has_addr));
	if (f->k.has_dev)
		jadd(d, "segment_known", json_object_new_boolean(0));
	if (!f->k.has_code || f->k.code == VIRTIO_R_UNKNOWN)
		what = "the device gave no reason (VIRTIO_IOMMU_FAULT_R_UNKNOWN; QEMU reports an "
		       "endpoint it does not know with it)";
	else if (f->k.code == VIRTIO_R_DOMAIN)
		what = "the endpoint is not attached to a domain (VIRTIO_IOMMU_FAULT_R_DOMAIN)";
	else if (fl & (VIRTIO_F_READ | VIRTIO_F_WRITE | VIRTIO_F_EXEC))
		what = "the mapping does not allow this access (VIRTIO_IOMMU_FAULT_R_MAPPING with "
		       "the access flags)";
	else
		what = "no mapping for the address (VIRTIO_IOMMU_FAULT_R_MAPPING)";
	snprintf(m, mn, "virtio-iommu fault from endpoint %" PRIu64 ": %s%s", ep, what,
		 has_flags && !(fl & 7) ? "; the device reported no access direction" : "");
}

/* ---- parsing ---------------------------------------------------------------- */

/* "[RW]" after the address: the flags the device reported; 0 if none */
static int virtio_flags(const char *s, unsigned *fl)
{
	*fl = 0;
	if (*s != '[')
		return 0;
	for (s++; *s && *s != ']'; s++) {
		if (*s == 'R')
			*fl |= VIRTIO_F_READ;
		else if (*s == 'W')
			*fl |= VIRTIO_F_WRITE;
		else if (*s == 'X')
			*fl |= VIRTIO_F_EXEC;
		else
			return 0;
	}
	return *s == ']';
}

static int virtio_line(struct lab_fault_parser *p, void *state, const struct lab_klog_record *rec)
{
	const char *t = rec->text, *fe = strstr(t, " fault from EP "), *s, *e;
	struct fault f;
	uint64_t ep, v;
	unsigned fl;
	int ri = -1;

	(void)state;
	if (!fe)
		return 0;
	for (size_t i = 0; i < NELEM(virtio_reasons); i++) {
		size_t n = strlen(virtio_reasons[i].printed);

		if ((size_t)(fe - t) >= n && !memcmp(fe - n, virtio_reasons[i].printed, n) &&
		    (fe - n == t || fe[-(long)n - 1] == ' ')) {
			ri = (int)i;
			break;
		}
	}
	if (ri < 0 || !parse_dec(fe + 15, &ep, &s) || (*s && *s != ' '))
		return 0;
	fault_init(&f, K_VIRTIO, virtio_reasons[ri].event, rec);
	set_code(&f, virtio_reasons[ri].reason);
	f.k.x[0] = ep + 1;
	set_sid(&f, ep);
	if (ep <= 0xffff)
		set_dev(&f, ep, 0);	/* the requester ID: see the top of this file */
	e = fe - strlen(virtio_reasons[ri].printed);
	while (e > t && (e[-1] == ' ' || e[-1] == ':'))
		e--;
	if (e > t)
		copy_last_token(f.k.inst, t, (size_t)(e - t));	/* "virtio0" */
	if (starts(s, " at ") && lab_hex_scan(s + 4, &v, &e)) {
		set_addr(&f, v);
		while (*e == ' ')
			e++;
		if (virtio_flags(e, &fl)) {
			f.k.x[1] = fl + 1;
			/* an instruction fetch is a read; R and W together name
			 * no single direction */
			if ((fl & VIRTIO_F_WRITE) && !(fl & VIRTIO_F_READ))
				f.k.access = ACC_WRITE;
			else if (!(fl & VIRTIO_F_WRITE) && (fl & (VIRTIO_F_READ | VIRTIO_F_EXEC)))
				f.k.access = ACC_READ;
		}
	}
	/* QEMU's virtio_iommu_translate() sets R/W only when a mapping exists
	 * without the permission; a missing mapping comes with no flags */
	f.cause = virtio_reasons[ri].reason == VIRTIO_R_DOMAIN ? CAUSE_NO_CONTEXT :
		  virtio_reasons[ri].reason == VIRTIO_R_UNKNOWN ? CAUSE_UNKNOWN :
		  f.k.x[1] > 1 ? CAUSE_PERMISSION : CAUSE_UNMAPPED;
	fault_emit(p, &f);
	return 1;
}

const struct fault_family fault_virtio = {
	.name = "virtio",
	.state_size = 1,
	.line = virtio_line,
	.describe = describe_virtio,
};
