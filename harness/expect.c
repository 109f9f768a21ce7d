/* SPDX-License-Identifier: MIT */
#include "expect.h"

#include <string.h>

static const char *const kinds[] = { "intel", "amd", "smmuv3", "smmu", "virtio", "none", NULL };
static const char *const domains[] = { "identity", "DMA", "DMA-FQ", "blocked", "none", NULL };
static const char *const ir_modes[] = { "off", "xapic", "x2apic", NULL };

/* what the kernel logs when it finds an IOMMU, picks a domain type, sets up
 * interrupt remapping: the lines a check on each shows beside its verdict */
static const char *const ev_iommu[] = { "DMAR: dmar", "AMD-Vi: Found", "smmu", "virtio_iommu",
					"DMAR: IOMMU", NULL };
static const char *const ev_domain[] = { "Default domain type", "invalidation policy",
					 "strict mode", NULL };
static const char *const ev_ir[] = { "remapping", "X2APIC", "x2apic", NULL };

const struct lab_expect_key lab_expect_keys[] = {
	{ "status", LAB_EXPECT_STATUS, LAB_EXPECT_STATUS_NAME, NULL, NULL,
	  "how the guest ended: ok, panic, timeout, crashed" },
	{ "iommu", LAB_EXPECT_IOMMU, LAB_EXPECT_ONE_OF, kinds, ev_iommu,
	  "kind of every IOMMU the guest has, or none" },
	{ "iommus", LAB_EXPECT_IOMMUS, LAB_EXPECT_UINT, NULL, ev_iommu, "how many IOMMUs" },
	{ "default_domain", LAB_EXPECT_DEFAULT_DOMAIN, LAB_EXPECT_ONE_OF, domains, ev_domain,
	  "the default domain type" },
	{ "interrupt_remapping", LAB_EXPECT_INTERRUPT_REMAPPING, LAB_EXPECT_ONE_OF, ir_modes, ev_ir,
	  "off, xapic or x2apic" },
	{ "groups_min", LAB_EXPECT_GROUPS_MIN, LAB_EXPECT_UINT, NULL, NULL,
	  "at least this many IOMMU groups" },
	{ "groups_max", LAB_EXPECT_GROUPS_MAX, LAB_EXPECT_UINT, NULL, NULL,
	  "at most this many IOMMU groups" },
	{ "edu_group_type", LAB_EXPECT_EDU_GROUP_TYPE, LAB_EXPECT_ONE_OF, domains, NULL,
	  "type of the test device's group (none: no group)" },
	{ "same_group", LAB_EXPECT_SAME_GROUP, LAB_EXPECT_DEVICES, NULL, NULL,
	  "devices that must share one IOMMU group: [[a, b], ...] (ssss:bb:dd.f or a topology id)" },
	{ "separate_groups", LAB_EXPECT_SEPARATE_GROUPS, LAB_EXPECT_DEVICES, NULL, NULL,
	  "devices that must each be in a group of their own" },
	{ "no_group", LAB_EXPECT_NO_GROUP, LAB_EXPECT_DEVICE_LIST, NULL, NULL,
	  "devices in no IOMMU group (behind no IOMMU: bypass_iommu)" },
	{ "group_type", LAB_EXPECT_GROUP_TYPE, LAB_EXPECT_NESTED, domains, NULL,
	  "the type of a device's group: {DEVICE: DMA-FQ, ...}" },
	{ "fields", LAB_EXPECT_FIELDS, LAB_EXPECT_NESTED, NULL, ev_iommu,
	  "decoded register fields: {intel.cap.mgaw: 48, ...}" },
	{ "acpi", LAB_EXPECT_ACPI, LAB_EXPECT_NESTED, NULL, NULL,
	  "firmware table fields: {dmar.valid: true, dmar.host_address_width: 39, ...}" },
	{ "log_present", LAB_EXPECT_LOG_PRESENT, LAB_EXPECT_REGEX, NULL, NULL,
	  "regexes the kernel log must match" },
	{ "log_absent", LAB_EXPECT_LOG_ABSENT, LAB_EXPECT_REGEX, NULL, NULL,
	  "regexes the kernel log must not match" },
	{ "no_faults", LAB_EXPECT_NO_FAULTS, LAB_EXPECT_BOOL, NULL, NULL,
	  "no IOMMU fault in the kernel log (default true)" },
	{ "perf_sane", LAB_EXPECT_PERF_SANE, LAB_EXPECT_BOOL, NULL, NULL,
	  "every perf probe completed without error, each of its stats with n > 0 and "
	  "min <= median <= p90 <= p99 <= max (default true when the run has perf probes)" },
	{ "stale_iova_unreachable", LAB_EXPECT_STALE_IOVA_UNREACHABLE, LAB_EXPECT_BOOL, NULL, NULL,
	  "no perf vfio_map probe reached an IOVA after its unmap: no missing invalidation "
	  "(default true when the run has a vfio_map perf probe)" },
	{ NULL },
};

static const struct lab_expect_key probe_key = {
	"probe", LAB_EXPECT_PROBE, LAB_EXPECT_PROBE_KEYS, NULL, NULL,
	"a probe's own expectations (probe.NAME.KEY)"
};

const struct lab_expect_key *lab_expect_key(const char *name)
{
	for (const struct lab_expect_key *k = lab_expect_keys; name && k->name; k++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

const struct lab_expect_key *lab_expect_key_of(const char *check)
{
	const char *dot = check ? strchr(check, '.') : NULL;

	if (!dot)
		return lab_expect_key(check);
	if (!strncmp(check, "probe.", 6))
		return &probe_key;
	/* fields.X and acpi.X: the nested keys' checks */
	for (const struct lab_expect_key *k = lab_expect_keys; k->name; k++)
		if (k->value == LAB_EXPECT_NESTED && strlen(k->name) == (size_t)(dot - check) &&
		    !strncmp(check, k->name, strlen(k->name)))
			return k;
	return NULL;
}
