/* SPDX-License-Identifier: MIT */
#ifndef LAB_OWNER_H
#define LAB_OWNER_H

/*
 * Whose a lab domain or volume is: the top-level `iommu-lab` that started it
 * (its host name, pid and process start time, so a reused pid is not taken
 * for the lab). Each domain carries it as <metadata> (harness/domain.c);
 * older domains have only their worker's pid in their name
 * (iommulab-PLATFORM-PID-RUN), per-run volumes the lab's host and pid in
 * theirs (run-HOST-PID-RUN-DISK). `gc` and the pool's clean-up after a
 * libvirtd restart decide with these.
 */
#include <stddef.h>

#define LAB_OWNER_NS "https://iommu-lab.invalid/xmlns/owner/1"
#define LAB_OWNER_NS_PREFIX "iommulab"

struct lab_owner {
	char host[256];
	long pid;
	unsigned long long start;   /* clock ticks since boot (/proc/PID/stat 22) */
};

enum lab_owner_state {
	LAB_OWNER_ALIVE,      /* that lab still runs: leave it alone */
	LAB_OWNER_DEAD,       /* gone (or its pid now belongs to another process) */
	LAB_OWNER_ELSEWHERE,  /* started on another machine: cannot tell, leave it */
};

/* This process as an owner. 0, or -1 when /proc cannot say. */
int lab_owner_self(struct lab_owner *o);
/* The start time of process pid; -1 when there is no such process. */
/* Field `field` (1-based, as proc(5) numbers them; 3 or more) of
 * /proc/PID/stat as a number: 4 the parent pid, 22 the start time. */
int lab_owner_proc_field(long pid, int field, unsigned long long *out);
int lab_owner_start_time(long pid, unsigned long long *start);
/* Is pid an iommu-lab process (argv[0] ending in iommu-lab)? want_worker:
 * 1 only a worker (`_guest`), 0 only a top-level lab, -1 either. */
int lab_owner_is_lab(long pid, int want_worker);

/* The decision, from the facts: the owner's record, this machine's name,
 * whether its pid exists here and that process's start time. */
enum lab_owner_state lab_owner_judge(const struct lab_owner *o, const char *host, int exists,
				     unsigned long long start_now);
/* The decision for a record, facts read from /proc. */
enum lab_owner_state lab_owner_check(const struct lab_owner *o);
/* The same for a domain of the old kind: only its worker's pid is known;
 * alive while that pid is an iommu-lab worker. */
enum lab_owner_state lab_owner_check_worker(long worker_pid);

/* The worker pid in a lab domain name (iommulab-PLATFORM-PID-RUN), or -1. */
long lab_owner_domain_pid(const char *name);
/* A per-run volume's owner pid when its name is run-HOST-PID-... with this
 * host; 0 when it is a run volume of another host; -1 when it is no run
 * volume at all. */
long lab_owner_volume_pid(const char *name, const char *host);

/* The record read back from the <metadata> child the lab puts in its
 * domains' XML (domain.c writes it; virDomainGetMetadata gives it back):
 * <iommulab:owner host= pid= start=/>. 0, or -1 when it is not one. */
int lab_owner_from_xml(const char *xml, struct lab_owner *o);

#endif
