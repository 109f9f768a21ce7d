/* SPDX-License-Identifier: MIT */
#ifndef LAB_DOMAIN_H
#define LAB_DOMAIN_H

#include "error.h"
#include "owner.h"
#include "platform.h"
#include "qemu.h"
#include "topology.h"

#define LAB_DOMAIN_PREFIX "iommulab-"

/* A disk image attached to the guest (harness/disk.h makes them). Each gets
 * its own slot on the root bus, LAB_DOMAIN_DISK_SLOT + its index: edu sits
 * at 0x10 (a second one at 0x11), disks at 0x12.. on q35 and virt alike. */
#define LAB_DOMAIN_DISK_SLOT 0x12
#define LAB_DOMAIN_DISKS_MAX 4
#define LAB_DOMAIN_SERIAL_MAX 20     /* virtio-blk and NVMe both keep 20 bytes */

struct lab_domain_disk {
	const char *path;            /* absolute path of a qcow2 image */
	const char *bus;             /* "virtio": a libvirt <disk>, DMA through the
					IOMMU (iommu='on'); "nvme": QEMU's nvme
					device as a JSON -device (libvirt 9.0 has
					no NVMe disk bus) */
	const char *serial;          /* how the guest finds it; [A-Za-z0-9._:+-] */
	int no_iommu;                /* virtio only: DMA straight to guest memory,
					past the IOMMU (for a journal that must
					survive a test that breaks translation) */
	int hotplug;                 /* virtio only: not there at boot, plugged
					into the topology's root port hotplug_port
					while the guest runs (lab_domain_hotplug_xml) */
	int hotplug_port;
};

/* What one guest is made of; the platform profile adds the rest. */
struct lab_domain_spec {
	const char *name;            /* starts with LAB_DOMAIN_PREFIX */
	const struct lab_owner *owner; /* the lab that starts it, as <metadata>
					(owner.h), or NULL */
	const struct lab_platform *platform;
	const char *kernel;
	const char *initrd;
	const char *append;          /* user's kernel arguments, or NULL */
	const char *accel;           /* "tcg" or "kvm" */
	unsigned memory_mib;
	unsigned vcpus;
	json_object *iommu_opts;     /* {"caching-mode": "on", ...}: QEMU properties
					of the platform's IOMMU device, or NULL */
	json_object *machine_opts;   /* {"smm": "off"}: -machine options */
	unsigned test_devices;       /* edu devices: 0 or 1 = one, 2 = a second
					one in the next slot (isolation probes) */
	const struct lab_qemu_emulator *emulator; /* a QEMU other than libvirt's
					default (<emulator>, -L, QEMU_MODULE_DIR),
					or NULL */
	const struct lab_domain_disk *disks; /* n_disks of them, or NULL */
	size_t n_disks;
	const struct lab_topology *topology; /* bridges and endpoints added to
					the machine (the first virtio / NVMe disk
					moves to its virtio-blk / nvme node), or NULL */
	const char *trace_file;      /* QEMU logs trace events here (-trace
					file=, harness/trace.h), or NULL */
	const char *const *trace_events; /* the event patterns, NULL-terminated */
	int restart_on_reboot;       /* on_reboot=restart: a guest reset or
					reboot restarts it in place (a reset probe,
					harness/reset.h); otherwise it ends the
					guest as a poweroff does. Either way panic=-1
					makes a panic a reboot: with restart the
					guest boots again, and the runner ends the
					run on the panic line (or on the reset no
					one asked for) */
};

/* A property name or value the lab will pass to QEMU: [A-Za-z0-9._:+-]+ */
int lab_domain_valid_opt(const char *s);

/* The libvirt domain XML, built with libxml2; caller frees. */
char *lab_domain_xml(const struct lab_domain_spec *spec, struct lab_error *err);

/* The <disk> element of spec's disk i (a hotplug one), for
 * virDomainAttachDevice / virDomainDetachDevice; caller frees. */
char *lab_domain_hotplug_xml(const struct lab_domain_spec *spec, size_t i, struct lab_error *err);

/* The kernel command line the lab boots with: the console, panic=-1 (a
 * panic ends the guest at once), the platform's own arguments, and the
 * user's arguments last, so they win. */
char *lab_domain_cmdline(const struct lab_domain_spec *spec);

#endif
