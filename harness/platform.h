/* SPDX-License-Identifier: MIT */
#ifndef LAB_PLATFORM_H
#define LAB_PLATFORM_H

#include <json.h>

#include "error.h"

/*
 * A platform profile: what one emulated IOMMU platform adds to a domain.
 * Profiles are data (guests/platforms/<name>.json), so another platform is
 * one more file. Strings borrow from json, which the profile owns.
 */
struct lab_platform {
	const char *name;
	const char *description;
	const char *arch;          /* guest architecture, as libvirt names it */
	const char *image;         /* Debian architecture of the guest image */
	const char *machine;       /* q35, virt */
	const char *cpu;           /* CPU model, or NULL for libvirt's default */
	const char *console;       /* kernel console device: ttyS0, ttyAMA0 */
	const char *cmdline;       /* kernel arguments the platform always needs */
	const char *iommu_kind;    /* intel, amd, smmuv3, virtio */
	const char *iommu_driver;  /* QEMU's device: intel-iommu, arm-smmuv3, ... */
	const char *needs_module;  /* a guest kernel module without which the
				      platform cannot work, or NULL */
	const char *firmware;      /* UEFI image booted as the machine's ROM
				      (it then loads the kernel), or NULL for
				      a direct kernel boot without firmware */
	json_object *features;     /* array: "acpi", "ioapic-qemu", "gic-v3" */
	json_object *iommu;        /* {"model": ...} for <iommu>, or NULL */
	json_object *qemu_devices; /* array of JSON -device objects */
	json_object *machine_opts; /* {"acpi": "on"}: QEMU machine options the
				      platform needs, or NULL; a run's own win */
	int test_slot;             /* the edu device's slot on test_bus */
	const char *test_bus;
	const char *test_dma_mask; /* edu's dma_mask ("0x..."), or NULL for its 28 bits */
	json_object *json;
};

/* Load dir/<name>.json; a missing or malformed profile is an error naming
 * the file and the available platforms. */
struct lab_platform *lab_platform_load(const char *dir, const char *name,
				       struct lab_error *err);
void lab_platform_free(struct lab_platform *p);
/* Comma-separated names of the profiles in dir (caller frees). */
char *lab_platform_names(const char *dir);
int lab_platform_has_feature(const struct lab_platform *p, const char *feature);

#endif
