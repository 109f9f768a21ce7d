/* SPDX-License-Identifier: MIT */
#ifndef LAB_EXPECT_H
#define LAB_EXPECT_H

/*
 * The expectation keys a scenario can use: one table, read by the loader
 * (harness/scenario_expect.c: which keys exist, what values each takes) and
 * by the comparator (harness/compare.c: how each is evaluated, which kernel
 * log lines are its evidence). docs/scenarios.md documents them.
 */
#include <stddef.h>

enum lab_expect_id {
	LAB_EXPECT_STATUS,
	LAB_EXPECT_IOMMU,
	LAB_EXPECT_IOMMUS,
	LAB_EXPECT_DEFAULT_DOMAIN,
	LAB_EXPECT_INTERRUPT_REMAPPING,
	LAB_EXPECT_GROUPS_MIN,
	LAB_EXPECT_GROUPS_MAX,
	LAB_EXPECT_EDU_GROUP_TYPE,
	LAB_EXPECT_SAME_GROUP,
	LAB_EXPECT_SEPARATE_GROUPS,
	LAB_EXPECT_NO_GROUP,
	LAB_EXPECT_GROUP_TYPE,      /* group_type.DEVICE */
	LAB_EXPECT_FIELDS,          /* fields.KIND.REGISTER.FIELD */
	LAB_EXPECT_ACPI,            /* acpi.TABLE.PATH */
	LAB_EXPECT_LOG_PRESENT,
	LAB_EXPECT_LOG_ABSENT,
	LAB_EXPECT_NO_FAULTS,
	LAB_EXPECT_PERF_SANE,       /* every perf probe ran, its stats sane */
	LAB_EXPECT_STALE_IOVA_UNREACHABLE, /* no unmapped IOVA reached (perf vfio_map) */
	LAB_EXPECT_PROBE,           /* probe.NAME.KEY: a probe's own expectations */
};

/* What a key's value must be. */
enum lab_expect_value {
	LAB_EXPECT_ONE_OF,          /* one of values[] */
	LAB_EXPECT_STATUS_NAME,     /* a run status a guest can end with (verdict.h) */
	LAB_EXPECT_UINT,
	LAB_EXPECT_BOOL,
	LAB_EXPECT_REGEX,           /* one check per regular expression */
	LAB_EXPECT_DEVICES,         /* [a, b] or [[a, b], ...]: PCI device sets
				       (ssss:bb:dd.f, or a topology node's id) */
	LAB_EXPECT_DEVICE_LIST,     /* [a, b, ...]: PCI devices, each on its own */
	LAB_EXPECT_NESTED,          /* a mapping of sub-keys (fields, acpi) */
	LAB_EXPECT_PROBE_KEYS,      /* set by a probe's expect: (scenario_probe.c) */
};

struct lab_expect_key {
	const char *name;               /* the YAML key, and how checks start */
	enum lab_expect_id id;
	enum lab_expect_value value;
	const char *const *values;      /* LAB_EXPECT_ONE_OF */
	const char *const *evidence;    /* kernel log lines holding one of
					   these are shown as evidence, or NULL */
	const char *help;
};

/* Every key a scenario's `expect:` can name (probe.* excepted: those come
 * from a probe's own `expect:`), NULL-terminated by name. */
extern const struct lab_expect_key lab_expect_keys[];

/* The key named so, or NULL. */
const struct lab_expect_key *lab_expect_key(const char *name);
/* The key a check belongs to: "default_domain", "fields.intel.cap.mgaw"
 * (fields), "probe.unmapped.blocked" (probe). NULL for none. */
const struct lab_expect_key *lab_expect_key_of(const char *check);

#endif
