/* SPDX-License-Identifier: MIT */
#ifndef LAB_PCI_ADDR_H
#define LAB_PCI_ADDR_H

/*
 * PCI addresses as sysfs and libvirt spell them, "ssss:bb:dd.f".
 * Header-only, as hex.h: the in-guest agent and the harness both use it,
 * and the fuzz targets build the harness's parsers from a list of files.
 */
#include <stdio.h>
#include <string.h>

struct lab_pci_addr {
	unsigned int seg, bus, dev, fn;
};

/* "ssss:bb:dd.f" at the start of s, each field read as sscanf's %x reads
 * it (at most 4, 2, 2 and 1 hex digits): how many characters it took, or
 * -1. a may be NULL. */
static inline int lab_pci_addr_scan(const char *s, struct lab_pci_addr *a)
{
	struct lab_pci_addr unused;
	int n = -1;

	if (!a)
		a = &unused;
	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &a->seg, &a->bus, &a->dev, &a->fn, &n) != 4)
		return -1;
	return n;
}

/* s is a whole "ssss:bb:dd.f", 12 characters and nothing else. */
static inline int lab_pci_addr_valid(const char *s)
{
	return strlen(s) == 12 && lab_pci_addr_scan(s, NULL) == 12;
}

#endif
