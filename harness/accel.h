/* SPDX-License-Identifier: MIT */
#ifndef LAB_ACCEL_H
#define LAB_ACCEL_H

#include <libvirt/libvirt.h>

#include "error.h"

/*
 * Choosing the accelerator. "tcg" and "kvm" are taken as asked; "auto" uses
 * KVM only where it was proven by booting a guest with it (docs/NOTES.md,
 * "Host and virtualisation": /dev/kvm can exist and hang every guest), and otherwise TCG.
 * The proof is cached per host kernel and QEMU version.
 *
 * Returns "tcg" or "kvm" (static strings) and explains the choice in why.
 */
const char *lab_accel_resolve(virConnectPtr conn, const char *want, const char *platform,
			      const char *guest_arch, const char *probe_dir, char *why,
			      size_t why_len, struct lab_error *err);

#endif
