/* SPDX-License-Identifier: MIT */
/* PCI addresses as both ends read them (common/pci_addr.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pci_addr.h"

static void a_whole_address_is_valid(void **state)
{
	(void)state;
	assert_true(lab_pci_addr_valid("0000:00:10.0"));
	assert_true(lab_pci_addr_valid("0001:3A:1f.7"));
	assert_false(lab_pci_addr_valid("00:10.0"));
	assert_false(lab_pci_addr_valid("0000:00:10"));
	assert_false(lab_pci_addr_valid("0000:00:10.0 "));
	assert_false(lab_pci_addr_valid("0000:00:10.00"));
	assert_false(lab_pci_addr_valid("0000:00:1g.0"));
	assert_false(lab_pci_addr_valid("0000-00-10.0"));
	assert_false(lab_pci_addr_valid(""));
}

static void scan_reads_the_fields_at_the_start(void **state)
{
	struct lab_pci_addr a;

	(void)state;
	assert_int_equal(lab_pci_addr_scan("0001:3a:1f.7/block/vda", &a), 12);
	assert_int_equal(a.seg, 1);
	assert_int_equal(a.bus, 0x3a);
	assert_int_equal(a.dev, 0x1f);
	assert_int_equal(a.fn, 7);
	/* fields shorter than their width, as sscanf reads them */
	assert_int_equal(lab_pci_addr_scan("0:0:2.0", &a), 7);
	assert_int_equal(a.dev, 2);
	assert_int_equal(lab_pci_addr_scan("00:02.0", NULL), -1);
	assert_int_equal(lab_pci_addr_scan("pci0000:00", NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_whole_address_is_valid),
		cmocka_unit_test(scan_reads_the_fields_at_the_start),
	};

	return cmocka_run_group_tests_name("pci_addr", tests, NULL, NULL);
}
