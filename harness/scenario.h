/* SPDX-License-Identifier: MIT */
#ifndef LAB_SCENARIO_H
#define LAB_SCENARIO_H

/*
 * Scenario and matrix files (YAML, read with libyaml). One file is one
 * matrix: platforms x kernels x variants, each variant a kernel command line
 * and QEMU IOMMU options, with expectations. Every error names file:line.
 *
 *   matrix: intel                      # name; runs are matrix.variant@kernel
 *   platform: intel                    # or platforms: [intel, amd]
 *   kernels: [bookworm, backports]     # guest kernel suites (default bookworm)
 *   qemus: [system, backports]         # QEMU builds (harness/qemu.h; default system)
 *   timeout: 240                       # seconds per run
 *   append: "..."                      # kernel arguments for every variant
 *   qemu: {caching-mode: "on"}         # IOMMU device properties for every variant
 *   machine: {smm: "off"}              # QEMU machine options (-machine K=V) likewise
 *   expect: {...}                      # expectations for every variant
 *   variants:
 *     - name: strict
 *       append: iommu.strict=1
 *       qemu: {...}
 *       when: "qemu >= 10.0"           # the run's QEMU; else skipped, saying why
 *       skip: "reason"                 # always skipped
 *       expect:
 *         default_domain: DMA
 *         interrupt_remapping:         # alternatives: the first whose
 *           - {equals: x2apic, when: "kernel >= 6.12"}    # `when` holds
 *           - {equals: xapic, xfail: "known QEMU bug: ..."}
 *
 * Expectation keys: see lab_scenario_expect_keys[] in scenario.c.
 */
#include <json.h>

#include "error.h"

/* One alternative of an expectation. */
struct lab_expect_alt {
	json_object *value;     /* what is expected */
	char *when;             /* condition, or NULL */
	char *xfail;            /* known-bug reason, or NULL */
	int line;
};

/* One expectation: a check the comparator evaluates. */
struct lab_expect {
	char *key;              /* "default_domain", "fields.intel.cap.mgaw", "log_present" ... */
	int line;
	struct lab_expect_alt *alts;
	size_t nalts;
};

struct lab_variant {
	char *name;
	char *description;
	char *append;
	json_object *qemu;      /* object: property -> string value */
	json_object *machine;   /* object: machine option -> value, or NULL */
	char *when;
	char *skip;
	struct lab_expect *expects;
	size_t nexpects;
	json_object *probes;    /* array of DMA probe requests (see below), or NULL */
	int line;
};

/*
 * DMA probes (a variant's `probes:` list), run by the agent after it has
 * collected, each with its own expectations:
 *
 *   probes:
 *     - name: unmapped_write
 *       mode: vfio                 # vfio | raw
 *       direction: write           # the device's view: read (RAM->edu) | write
 *       iova: "0x100000"
 *       size: 64                   # 1..4095 bytes
 *       map: true                  # vfio: is the IOVA mapped at all
 *       unmap_first: true          # vfio: DMA once mapped, unmap, DMA again
 *       peer: true                 # vfio: a second edu (next slot, own group
 *                                  # and container) DMAs at this IOVA instead
 *       irq: true                  # vfio: the round trip raises edu's MSI
 *       expect:
 *         round_trip: exact        # exact | mismatch
 *         blocked: true            # the unmapped write did not land
 *         landed: false            # raw: the DMA reached the buffer
 *         irq_delivered: true      # irq: every MSI reached the eventfd
 *         irq_remapped: true       # irq, x86: through interrupt remapping
 *         fault: {iommu: intel, code: 5, access: write, address: "0x100000"}
 *                                  # or `fault: none`
 *
 *     - name: blk
 *       mode: block                # read a file back through a disk's DMA
 *       disk: nvme                 # virtio | nvme (the run gets both disks,
 *                                  # and a journal disk, harness/disk.h)
 *       expect:
 *         match: true              # its SHA-256 is the one written
 * Each expectation becomes the check "probe.NAME.KEY".
 */

struct lab_scenario {
	char *file;
	char *matrix;
	char *description;
	char **platforms;
	size_t nplatforms;
	char **kernels;
	size_t nkernels;
	char **qemus;           /* QEMU builds: system, bookworm, backports */
	size_t nqemus;
	unsigned timeout_s;     /* 0: the command's default */
	unsigned memory_mib;    /* 0: the command's default */
	char *append;
	json_object *qemu;
	json_object *machine;
	struct lab_expect *expects;
	size_t nexpects;
	struct lab_variant *variants;
	size_t nvariants;
	int platform_line;
};

/* Load and validate a file. Unknown keys, bad values, unknown platforms
 * (looked up in platforms_dir), bad regexes and conditions are errors
 * "file:line: ...". */
/* What a variant's probes (the `probes:` array, or NULL) ask of its guest:
 * a block probe needs the disks (harness/disk.h), an isolation probe
 * (peer: true) the second test device. */
int lab_scenario_probes_need_disks(json_object *probes);
int lab_scenario_probes_need_peer(json_object *probes);
/* The probe's mode ("vfio", "raw", "block", "crash"), or "" */
const char *lab_scenario_probe_mode(json_object *probe);

struct lab_scenario *lab_scenario_load(const char *file, const char *platforms_dir,
				       struct lab_error *err);
void lab_scenario_free(struct lab_scenario *s);

/* Validate a condition ("qemu >= 10.0", "kernel < 6.12 and libvirt >= 9").
 * Returns 0 when well-formed. */
int lab_scenario_check_condition(const char *cond, struct lab_error *err);

/* Evaluate a well-formed condition against versions (NULL = unknown: a
 * condition on it does not hold). why (optional) says what did not hold. */
int lab_scenario_condition_holds(const char *cond, const char *qemu, const char *libvirt,
				 const char *kernel, char *why, size_t why_len);

#endif
