/* SPDX-License-Identifier: MIT */
#ifndef LAB_OBSERVATION_H
#define LAB_OBSERVATION_H

/*
 * Observations: what one guest showed, in the JSON results/README.md describes, built from
 * the agent's raw `collect` reply. All interpretation happens here, on the
 * host, where it can be unit-tested; the agent only reads files.
 */
#include <stdio.h>
#include <json.h>

/* Build the observations object from a collect reply (borrowed). */
json_object *lab_observation_from_collect(json_object *collect, const char *platform);

/* "intel", "amd", "smmuv3", "smmu", "virtio" or "unknown" for an entry of
 * /sys/class/iommu, from its name and attributes. */
const char *lab_observation_iommu_kind(const char *name, json_object *attrs);

/* The default domain type as the kernel's boot lines put it (DMA-FQ, DMA,
 * identity), or NULL when the log does not say. */
const char *lab_observation_domain_from_log(json_object *klog_records);

/* Interrupt remapping mode from the boot lines: off, xapic, x2apic. */
const char *lab_observation_ir_from_log(json_object *klog_records);

/*
 * Give obs its fault records, decoded from the guest's kernel log records
 * (kmsg: [{"seq", "msg"}], the parser `explain` uses): "faults", what the
 * boot logged before the first probe, and "probes", each probe of probes
 * (the agent's results) with the faults logged between its start and the
 * next probe's.
 */
void lab_observation_attribute(json_object *obs, json_object *probes, json_object *kmsg);

/* A human summary of one observations object. */
void lab_observation_print(FILE *out, json_object *obs);

#endif
