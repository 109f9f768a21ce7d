/* SPDX-License-Identifier: MIT */
#ifndef LAB_DOMAIN_H
#define LAB_DOMAIN_H

#include "error.h"
#include "platform.h"

#define LAB_DOMAIN_PREFIX "iommulab-"

/* What one guest is made of; the platform profile adds the rest. */
struct lab_domain_spec {
	const char *name;            /* starts with LAB_DOMAIN_PREFIX */
	const struct lab_platform *platform;
	const char *kernel;
	const char *initrd;
	const char *append;          /* user's kernel arguments, or NULL */
	const char *accel;           /* "tcg" or "kvm" */
	unsigned memory_mib;
	unsigned vcpus;
	json_object *iommu_opts;     /* {"caching-mode": "on", ...}: QEMU properties
					of the platform's IOMMU device, or NULL */
	json_object *machine_opts;   /* {"kernel-irqchip": "split"}: -machine options */
	unsigned test_devices;       /* edu devices: 0 or 1 = one, 2 = a second
					one in the next slot (isolation probes) */
};

/* A property name or value the lab will pass to QEMU: [A-Za-z0-9._:+-]+ */
int lab_domain_valid_opt(const char *s);

/* The libvirt domain XML, built with libxml2; caller frees. */
char *lab_domain_xml(const struct lab_domain_spec *spec, struct lab_error *err);

/* The kernel command line the lab boots with: the console, panic=-1 (a
 * panic ends the guest at once), the platform's own arguments, and the
 * user's arguments last, so they win. */
char *lab_domain_cmdline(const struct lab_domain_spec *spec);

#endif
