/* SPDX-License-Identifier: MIT */
#ifndef LAB_RESET_H
#define LAB_RESET_H

/*
 * A reset probe (mode: reset): the guest is reset by the host
 * (how: reset, virDomainReset) or reboots itself (how: reboot, the agent's
 * "reboot"), and must come back as it first booted. The runner drives it
 * one agent request at a time, as a hot-plug probe (hotplug.h):
 *
 *   hello     which boot this is (boot_id)
 *   kmsg      the first boot's kernel log, before the reset ends it: the
 *             run keeps it (what the earlier probes are judged by), which
 *             is why a reset probe comes last
 *   reset     virDomainReset, or the agent's "reboot"
 *   hello     again, until a new boot's agent answers (lab_reset_waiting:
 *             the runner resends it every second, and at once on the new
 *             agent's "ready")
 *   bind      the test device and the topology's edus to vfio-pci, as at
 *             first boot (an arm64 6.1 device has a group only once bound)
 *   collect   compared with the first boot's (lab_reset_compare)
 *   dma       one VFIO round trip on the test device: DMA still translates
 *
 * The domain must restart on a reboot (domain.h, restart_on_reboot). The
 * result, when done: {"how", "rebooted", "boot_s" (from the reset to the
 * new boot's hello), "groups_same", "types_same", "differences": [...],
 * "round_trip", "dma" (the agent's reply), "reset_events" (libvirt's
 * reboot events since it asked for the reset), "error"}.
 */
#include <libvirt/libvirt.h>
#include <json.h>

#include "error.h"

struct lab_reset {
	int phase;
	char how[8];             /* "reset" | "reboot" */
	json_object *targets;    /* what to bind to vfio-pci again (owned) */
	size_t bind_index;
	char device[32];         /* the test device: the round trip's */
	char dma_mask[32];       /* the platform's, or "" */
	json_object *first;      /* the first boot's collect (a reference) */
	char boot_id[64];        /* the first boot's */
	double reset_at;         /* when the reset was asked for, or 0 */
	int gone;                /* it was: the first boot is over */
	unsigned reset_events;   /* libvirt's reboot events since */
	json_object *kmsg;       /* the first boot's kernel log, until taken */
	json_object *collect;    /* the new boot's collect, until taken */
	json_object *result;     /* owned until taken */
	int done;
};

/* Set rs up: how ("reset" or "reboot"), targets (an array of devices,
 * taken), the test device and its DMA mask (NULL: none), and the first
 * boot's collect (a reference is taken). */
void lab_reset_init(struct lab_reset *rs, const char *how, json_object *targets,
		    const char *device, const char *dma_mask, json_object *first);
/* The next request: *execute and *args (owned by the caller) for the agent,
 * after the host's part (the reset); *execute NULL when the probe is done
 * (rs->result then holds it, an error included). While waiting for the new
 * boot it is "hello" each time. */
void lab_reset_next(struct lab_reset *rs, virDomainPtr dom, const char **execute,
		    json_object **args);
/* The agent's reply to the last request: its "return", or its "error". */
void lab_reset_reply(struct lab_reset *rs, json_object *ret, json_object *error);
/* Between the reset and the new boot's first answer: the runner sends
 * "hello" again on its own time rather than at once after a reply. */
int lab_reset_waiting(const struct lab_reset *rs);
/* libvirt reported a reset of the guest: 1 when this probe asked for it
 * (any between the reset and the new boot's first answer: firmware may
 * reset again on its way up), 0 when nobody did (a panic with panic=-1,
 * a triple fault, a reset after the guest came back). */
int lab_reset_event(struct lab_reset *rs);
/* The probe ends before it is done (the run timed out, the guest died):
 * why becomes its error unless it has one. */
void lab_reset_abandon(struct lab_reset *rs, const char *why);
/* What the probe made, each the caller's and emptied: the result, the first
 * boot's kernel log (the kmsg reply; NULL when the guest was not reset:
 * the run's log at its end is then the fuller one) and the new boot's
 * collect (or NULL). */
json_object *lab_reset_take(struct lab_reset *rs);
json_object *lab_reset_take_kmsg(struct lab_reset *rs);
json_object *lab_reset_take_collect(struct lab_reset *rs);
void lab_reset_clear(struct lab_reset *rs);

/* Two collects (the agent's answers) side by side: {"groups_same": the same
 * IOMMU groups by their devices (group numbers may differ), "types_same":
 * the groups both have are of the same type and the default domain is the
 * same, "differences": [what differs, in words]}. Pure; the caller owns
 * the answer. */
json_object *lab_reset_compare(json_object *before, json_object *after);

#endif
