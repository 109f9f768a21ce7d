/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the kernel log reader and the IOMMU fault decoder:
 * any bytes in, a JSON report out, no crash, no leak, no unbounded memory.
 * Built and run by tests/fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json.h>

#include "error.h"
#include "fault.h"
#include "klog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lab_error err = { 0 };
	json_object *o;
	const char *s;

	o = lab_fault_parse_buffer(data, size, &err);
	if (!o)
		__builtin_trap();	/* only allocation failures may fail */
	s = json_object_to_json_string(o);
	if (!s || s[0] != '{')
		__builtin_trap();
	json_object_put(o);
	return 0;
}
