/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the ACPI IOMMU table parser: any bytes in, as one
 * table (checked against a small PCI list, so the device checks run too)
 * and as a file (raw tables or acpidump text, split, each table checked);
 * a JSON object out, no crash, no leak, no unbounded loop.
 * Seeds: tests/fuzz/corpus-acpi/ (QEMU's tables and hand-made variants).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json.h>

#include "acpi.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_object *pci_list(void)
{
	static const char *const bdfs[] = {
		"0000:00:00.0", "0000:00:01.0", "0000:00:02.0", "0000:00:10.0", "0000:01:00.0",
	};
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < sizeof(bdfs) / sizeof(bdfs[0]); i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "bdf", json_object_new_string(bdfs[i]));
		if (i == 1)
			json_object_object_add(o, "secondary_bus", json_object_new_int(1));
		json_object_array_add(a, o);
	}
	return a;
}

static void check(const uint8_t *data, size_t size, json_object *pci)
{
	json_object *o = lab_acpi_check(data, size, pci);
	const char *s;

	if (!o)
		__builtin_trap();	/* only allocation failures may fail */
	s = json_object_to_json_string(o);
	if (!s || s[0] != '{')
		__builtin_trap();
	json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_object *pci;
	struct lab_error err = { 0 };
	struct lab_acpi_tables t;

	if (!pci)
		pci = pci_list();
	check(data, size, pci);
	if (lab_acpi_split(data, size, &t, &err) == 0) {
		for (size_t i = 0; i < t.n; i++)
			check(t.v[i].data, t.v[i].len, NULL);
		lab_acpi_tables_free(&t);
	} else if (!err.set) {
		__builtin_trap();	/* a failure always says why */
	}
	return 0;
}
