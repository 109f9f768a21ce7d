/* SPDX-License-Identifier: MIT */
#ifndef LAB_SCENARIO_H
#define LAB_SCENARIO_H

/*
 * Scenario and matrix files (YAML, read with libyaml). One file is one
 * matrix: platforms x kernels x QEMUs x variants, each variant a kernel
 * command line and QEMU options, with expectations and probes. Every error
 * names file:line. The format is documented once, in docs/scenarios.md;
 * the expectation keys are lab_expect_keys[] in expect.c.
 */
#include <json.h>

#include "error.h"
#include "relation.h"

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
	json_object *probes;    /* the probes' requests for the agent (docs/scenarios.md), or NULL */
	json_object *topology;  /* its PCI topology (harness/topology.h's JSON form), or NULL */
	int line;
};

/* A variant's probes (docs/scenarios.md, "Probes"): the agent's requests,
 * run after it has collected; each expectation becomes "probe.NAME.KEY". */

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
	struct lab_relation *relations; /* cross-run relations (relation.h), or NULL */
	size_t nrelations;
	int platform_line;
};

/* Load and validate a file. Unknown keys, bad values, unknown platforms
 * (looked up in platforms_dir), bad regexes and conditions are errors
 * "file:line: ...". */
/* What a variant's probes (the `probes:` array, or NULL) ask of its guest:
 * a block probe needs the disks (harness/disk.h), an isolation probe
 * (peer: true) the second test device, a reset probe (the last one, if
 * any) a domain that restarts on a reboot (harness/reset.h). */
int lab_scenario_probes_need_disks(json_object *probes);
int lab_scenario_probes_need_peer(json_object *probes);
int lab_scenario_probes_need_restart(json_object *probes);
/* The probe's mode ("vfio", "raw", "block", "crash", "hotplug", "reset"),
 * or "" */
const char *lab_scenario_probe_mode(json_object *probe);

struct lab_scenario *lab_scenario_load(const char *file, const char *platforms_dir,
				       struct lab_error *err);
void lab_scenario_free(struct lab_scenario *s);

/* Validate a condition ("qemu >= 10.0", "kernel < 6.12 and libvirt >= 9",
 * "platform == amd").
 * Returns 0 when well-formed. */
int lab_scenario_check_condition(const char *cond, struct lab_error *err);

/* Evaluate a well-formed condition against versions (NULL = unknown: a
 * condition on it does not hold). why (optional) says what did not hold. */
int lab_scenario_condition_holds(const char *cond, const char *qemu, const char *libvirt,
				 const char *kernel, const char *platform, char *why, size_t why_len);

#endif
