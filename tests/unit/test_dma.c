/* SPDX-License-Identifier: MIT */
/* The agent's DMA request validation: what reaches edu's registers must stay
 * inside its 4 KiB buffer window and its DMA mask, whatever the host sends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dma.h"

/* Parse `json` (an object literal) and validate it; returns the result and
 * leaves the message in *err. */
static int parse(const char *json, struct dma_request *req, const char **err)
{
	json_object *args = json_tokener_parse(json);
	int rc;

	assert_non_null(args);
	*err = NULL;
	rc = dma_request_parse(args, req, err);
	json_object_put(args);
	if (rc == 0)
		assert_null(*err);
	else
		assert_non_null(*err);
	return rc;
}

static void expect_ok(const char *json, struct dma_request *req)
{
	const char *err;

	if (parse(json, req, &err) != 0)
		fail_msg("rejected %s: %s", json, err);
}

/* rejected, and the message names `word` (the offending argument) */
static void expect_bad(const char *json, const char *word)
{
	struct dma_request req;
	const char *err;

	if (parse(json, &req, &err) == 0)
		fail_msg("accepted %s", json);
	if (!strstr(err, word))
		fail_msg("%s: message \"%s\" does not mention %s", json, err, word);
}

#define VFIO(extra) "{\"device\":\"0000:00:10.0\",\"mode\":\"vfio\",\"direction\":\"write\"," extra "}"
#define RAW(extra) "{\"device\":\"0000:00:10.0\",\"mode\":\"raw\",\"direction\":\"write\"," extra "}"

static void vfio_request_is_parsed_with_defaults(void **state)
{
	struct dma_request req;

	(void)state;
	expect_ok(VFIO("\"iova\":\"0x100000\",\"size\":4095"), &req);
	assert_string_equal(req.device, "0000:00:10.0");
	assert_int_equal(req.mode, DMA_VFIO);
	assert_int_equal(req.direction, DMA_FROM_DEVICE);
	assert_int_equal(req.iova, 0x100000);
	assert_int_equal(req.size, 4095);
	assert_int_equal(req.map, 1);
	assert_int_equal(req.unmap_first, 0);
	assert_int_equal(req.dma_mask, 0x0fffffff);
}

static void vfio_request_with_every_field(void **state)
{
	struct dma_request req;

	(void)state;
	expect_ok("{\"device\":\"0001:0A:1f.7\",\"mode\":\"vfio\",\"direction\":\"read\","
		  "\"iova\":\"0X1234567000\",\"size\":1,\"map\":true,\"unmap_first\":true,"
		  "\"dma_mask\":\"0xffffffffff\"}", &req);
	assert_string_equal(req.device, "0001:0a:1f.7");      /* folded like sysfs */
	assert_int_equal(req.direction, DMA_TO_DEVICE);
	assert_int_equal(req.iova, 0x1234567000ull);
	assert_int_equal(req.size, 1);
	assert_int_equal(req.unmap_first, 1);
	assert_int_equal(req.dma_mask, 0xffffffffffull);

	expect_ok(VFIO("\"iova\":\"0x0\",\"size\":16,\"map\":false"), &req);
	assert_int_equal(req.map, 0);
	assert_int_equal(req.iova, 0);
	/* the last page under the default 28-bit mask */
	expect_ok(VFIO("\"iova\":\"0xffff000\",\"size\":4095"), &req);
	/* a full 64-bit mask and an IOVA near the top */
	expect_ok(VFIO("\"iova\":\"0xfffffffffffff000\",\"size\":4095,"
		       "\"dma_mask\":\"0xffffffffffffffff\""), &req);
	assert_int_equal(req.iova, 0xfffffffffffff000ull);
}

static void raw_request_takes_no_iova_or_mapping(void **state)
{
	struct dma_request req;

	(void)state;
	expect_ok(RAW("\"size\":4095"), &req);
	assert_int_equal(req.mode, DMA_RAW);
	assert_int_equal(req.map, 0);
	assert_int_equal(req.unmap_first, 0);
	assert_int_equal(req.iova, 0);
	expect_ok(RAW("\"size\":64,\"map\":false,\"unmap_first\":false"), &req);
	expect_bad(RAW("\"size\":64,\"iova\":\"0x100000\""), "iova");
	expect_bad(RAW("\"size\":64,\"map\":true"), "vfio mode only");
	expect_bad(RAW("\"size\":64,\"unmap_first\":true"), "vfio mode only");
}

static void out_of_window_sizes_are_rejected(void **state)
{
	struct dma_request req;

	(void)state;
	/* edu's buffer is 0x40000..0x40fff, but QEMU 7.2's range check is off
	 * by one: a transfer reaching 0x40fff aborts it (seen with 7.2.22:
	 * "EDU: DMA range 0x40000-0x40fff out of bounds (0x40000-0x40fff)") */
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":4096"), "size");
	expect_bad(RAW("\"size\":4096"), "size");
	expect_ok(VFIO("\"iova\":\"0x100000\",\"size\":4095"), &req);
	assert_int_equal(req.size, DMA_MAX_SIZE);
	/* and anything beyond the buffer */
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":4097"), "size");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":8192"), "size");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":1048576"), "size");
	expect_bad(RAW("\"size\":4097"), "size");
}

static void zero_and_negative_sizes_are_rejected(void **state)
{
	(void)state;
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":0"), "size");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":-1"), "size");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":-4096"), "size");
	expect_bad(RAW("\"size\":0"), "size");
}

static void huge_numbers_are_rejected(void **state)
{
	(void)state;
	/* beyond uint32 (would wrap to 1 in a careless cast), int64, uint64 */
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":4294967297"), "size");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":9223372036854775807"), "size");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":18446744073709551615"), "size");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":-9223372036854775808"), "size");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":99999999999999999999999"), "size");
	/* IOVAs of more than 64 bits */
	expect_bad(VFIO("\"iova\":\"0x10000000000000000\",\"size\":16,"
			"\"dma_mask\":\"0xffffffffffffffff\""), "iova");
	expect_bad(VFIO("\"iova\":\"0x00000000000000001000\",\"size\":16"), "iova");
}

static void misaligned_iovas_are_rejected(void **state)
{
	(void)state;
	expect_bad(VFIO("\"iova\":\"0x100001\",\"size\":16"), "aligned");
	expect_bad(VFIO("\"iova\":\"0x100800\",\"size\":16"), "aligned");
	expect_bad(VFIO("\"iova\":\"0xfff\",\"size\":1"), "aligned");
}

static void iovas_beyond_the_dma_mask_are_rejected(void **state)
{
	(void)state;
	/* default mask 0x0fffffff: edu would truncate these to other addresses */
	expect_bad(VFIO("\"iova\":\"0x10000000\",\"size\":16"), "mask");
	expect_bad(VFIO("\"iova\":\"0x100000000\",\"size\":16"), "mask");
	expect_bad(VFIO("\"iova\":\"0xfffffffffffff000\",\"size\":16"), "mask");
	/* above 4 GiB is fine once the mask says so */
	{
		struct dma_request req;

		expect_ok(VFIO("\"iova\":\"0x100000000\",\"size\":16,\"dma_mask\":\"0xffffffffff\""),
			  &req);
		assert_int_equal(req.iova, 0x100000000ull);
	}
	/* the boundary: the last page under a mask, whole, and the next one */
	{
		struct dma_request req;

		expect_ok(VFIO("\"iova\":\"0x1000\",\"size\":4095,\"dma_mask\":\"0x1fff\""), &req);
		assert_int_equal(req.dma_mask, 0x1fff);
	}
	expect_bad(VFIO("\"iova\":\"0x2000\",\"size\":1,\"dma_mask\":\"0x1fff\""), "mask");
	/* masks that are not 2^n - 1, or smaller than a page */
	expect_bad(VFIO("\"iova\":\"0x1000\",\"size\":16,\"dma_mask\":\"0xfff0ffff\""), "dma_mask");
	expect_bad(VFIO("\"iova\":\"0x0\",\"size\":16,\"dma_mask\":\"0x7ff\""), "dma_mask");
	expect_bad(VFIO("\"iova\":\"0x0\",\"size\":16,\"dma_mask\":\"0x0\""), "dma_mask");
	expect_bad(VFIO("\"iova\":\"0x0\",\"size\":16,\"dma_mask\":268435455"), "dma_mask");
}

static void bad_types_are_rejected(void **state)
{
	(void)state;
	expect_bad(VFIO("\"iova\":1048576,\"size\":16"), "iova");          /* a number */
	expect_bad(VFIO("\"iova\":\"1048576\",\"size\":16"), "iova");      /* no 0x */
	expect_bad(VFIO("\"iova\":\"0x\",\"size\":16"), "iova");
	expect_bad(VFIO("\"iova\":\"0x10000g\",\"size\":16"), "iova");
	expect_bad(VFIO("\"iova\":\" 0x100000\",\"size\":16"), "iova");
	expect_bad(VFIO("\"iova\":\"-0x100000\",\"size\":16"), "iova");
	expect_bad(VFIO("\"iova\":\"0x100000 \",\"size\":16"), "iova");
	expect_bad(VFIO("\"iova\":null,\"size\":16"), "iova");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":\"16\""), "size");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":16.0"), "size");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":1e3"), "size");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":true"), "size");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":[16]"), "size");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":16,\"map\":1"), "map");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":16,\"map\":\"true\""), "map");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":16,\"unmap_first\":0"), "unmap_first");
	expect_bad("{\"device\":\"0000:00:10.0\",\"mode\":1,\"direction\":\"write\","
		   "\"iova\":\"0x100000\",\"size\":16}", "mode");
	expect_bad("{\"device\":\"0000:00:10.0\",\"mode\":\"vfio\",\"direction\":true,"
		   "\"iova\":\"0x100000\",\"size\":16}", "direction");
	expect_bad("{\"device\":16,\"mode\":\"vfio\",\"direction\":\"write\","
		   "\"iova\":\"0x100000\",\"size\":16}", "device");
}

static void unknown_values_and_keys_are_rejected(void **state)
{
	(void)state;
	expect_bad("{\"device\":\"0000:00:10.0\",\"mode\":\"dmabuf\",\"direction\":\"write\","
		   "\"iova\":\"0x100000\",\"size\":16}", "mode");
	expect_bad("{\"device\":\"0000:00:10.0\",\"mode\":\"VFIO\",\"direction\":\"write\","
		   "\"iova\":\"0x100000\",\"size\":16}", "mode");
	expect_bad("{\"device\":\"0000:00:10.0\",\"mode\":\"vfio\",\"direction\":\"both\","
		   "\"iova\":\"0x100000\",\"size\":16}", "direction");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":16,\"unmap-first\":true"), "unknown argument");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":16,\"count\":16"), "unknown argument");
	expect_bad(VFIO("\"iova\":\"0x100000\",\"size\":16,\"map\":false,\"unmap_first\":true"),
		   "unmap_first");
}

static void missing_fields_are_rejected(void **state)
{
	(void)state;
	expect_bad("{\"mode\":\"vfio\",\"direction\":\"write\",\"iova\":\"0x100000\",\"size\":16}",
		   "device");
	expect_bad("{\"device\":\"0000:00:10.0\",\"direction\":\"write\",\"iova\":\"0x100000\","
		   "\"size\":16}", "mode");
	expect_bad("{\"device\":\"0000:00:10.0\",\"mode\":\"vfio\",\"iova\":\"0x100000\","
		   "\"size\":16}", "direction");
	expect_bad(VFIO("\"iova\":\"0x100000\""), "size");
	expect_bad(VFIO("\"size\":16"), "iova");
	expect_bad("{}", "device");
}

static void non_objects_are_rejected(void **state)
{
	struct dma_request req;
	const char *err = NULL;
	json_object *arr = json_tokener_parse("[1,2]");
	json_object *num = json_object_new_int(5);

	(void)state;
	assert_int_equal(dma_request_parse(NULL, &req, &err), -1);
	assert_non_null(err);
	err = NULL;
	assert_int_equal(dma_request_parse(arr, &req, &err), -1);
	assert_non_null(err);
	err = NULL;
	assert_int_equal(dma_request_parse(num, &req, &err), -1);
	assert_non_null(err);
	json_object_put(arr);
	json_object_put(num);
}

static void bad_device_strings_are_rejected(void **state)
{
	static const char *const bad[] = {
		"",
		"00:10.0",                      /* no domain */
		"0000:00:10",                   /* no function */
		"0000:00:10.8",                 /* function 0..7 */
		"0000:00:20.0",                 /* device 0..1f */
		"0000:00:1g.0",
		"0000-00-10.0",
		"0000:00:10.0 ",
		" 0000:00:10.0",
		"0000:00:10.00",
		"00000:00:10.0",
		"0000:000:10.0",
		"../../../../etc",
		"0000:00:10.0/../x",
		"0000:00:10.0\n",
		"0000:00:1.0",
		"0000:00:+1.0",
	};
	char json[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_object *args = json_object_new_object();
		struct dma_request req;
		const char *err = NULL;

		json_object_object_add(args, "device", json_object_new_string(bad[i]));
		json_object_object_add(args, "mode", json_object_new_string("raw"));
		json_object_object_add(args, "direction", json_object_new_string("write"));
		json_object_object_add(args, "size", json_object_new_int(16));
		snprintf(json, sizeof(json), "%s", json_object_to_json_string(args));
		if (dma_request_parse(args, &req, &err) == 0)
			fail_msg("accepted %s", json);
		assert_non_null(strstr(err, "device"));
		json_object_put(args);
	}
	/* a NUL inside the JSON string must not cut it down to a valid name */
	expect_bad("{\"device\":\"0000:00:10.0\\u0000x\",\"mode\":\"raw\",\"direction\":\"write\","
		   "\"size\":16}", "device");
}

/* A rejected request leaves no half-filled request behind that a careless
 * caller could still program. */
static void peer_and_irq_requests(void **state)
{
	struct dma_request req;

	(void)state;
	expect_ok(VFIO("\"size\":4,\"iova\":\"0x100000\",\"peer\":\"0000:00:11.0\",\"irq\":true"), &req);
	assert_string_equal(req.peer, "0000:00:11.0");
	assert_int_equal(req.irq, 1);
	expect_ok(VFIO("\"size\":4,\"iova\":\"0x100000\""), &req);
	assert_string_equal(req.peer, "");
	assert_int_equal(req.irq, 0);
	/* the peer is another device, given in full */
	expect_bad(VFIO("\"size\":4,\"iova\":\"0x100000\",\"peer\":\"0000:00:10.0\""), "another device");
	expect_bad(VFIO("\"size\":4,\"iova\":\"0x100000\",\"peer\":\"00:11.0\""), "peer");
	expect_bad(VFIO("\"size\":4,\"iova\":\"0x100000\",\"peer\":true"), "peer");
	/* it DMAs at the IOVA mapped for the first device: a mapping is needed */
	expect_bad(VFIO("\"size\":4,\"iova\":\"0x100000\",\"peer\":\"0000:00:11.0\",\"map\":false"), "peer");
	expect_bad(VFIO("\"size\":4,\"iova\":\"0x100000\",\"peer\":\"0000:00:11.0\",\"unmap_first\":true"), "unmap_first");
	/* interrupts come from the round trip, which needs the mapping */
	expect_bad(VFIO("\"size\":4,\"iova\":\"0x100000\",\"irq\":true,\"map\":false"), "irq");
	expect_bad(VFIO("\"size\":4,\"iova\":\"0x100000\",\"irq\":1"), "irq");
	/* raw mode has neither */
	expect_bad(RAW("\"size\":4,\"peer\":\"0000:00:11.0\""), "vfio mode only");
	expect_bad(RAW("\"size\":4,\"irq\":true"), "vfio mode only");
}

static void rejected_request_is_cleared(void **state)
{
	struct dma_request req;
	const char *err;

	(void)state;
	memset(&req, 0x5a, sizeof(req));
	assert_int_equal(parse(VFIO("\"iova\":\"0x100000\",\"size\":4097"), &req, &err), -1);
	assert_int_equal(req.size, 0);
	assert_int_equal(req.iova, 0);
}

/* dma_probe with bad arguments answers NULL with the message and touches
 * nothing (it never gets as far as sysfs). */
static void probe_rejects_before_touching_anything(void **state)
{
	json_object *args = json_tokener_parse(VFIO("\"iova\":\"0x100001\",\"size\":16"));
	const char *err = NULL;

	(void)state;
	assert_null(dma_probe(args, &err));
	assert_non_null(err);
	assert_non_null(strstr(err, "aligned"));
	json_object_put(args);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vfio_request_is_parsed_with_defaults),
		cmocka_unit_test(vfio_request_with_every_field),
		cmocka_unit_test(raw_request_takes_no_iova_or_mapping),
		cmocka_unit_test(out_of_window_sizes_are_rejected),
		cmocka_unit_test(zero_and_negative_sizes_are_rejected),
		cmocka_unit_test(huge_numbers_are_rejected),
		cmocka_unit_test(misaligned_iovas_are_rejected),
		cmocka_unit_test(iovas_beyond_the_dma_mask_are_rejected),
		cmocka_unit_test(bad_types_are_rejected),
		cmocka_unit_test(unknown_values_and_keys_are_rejected),
		cmocka_unit_test(missing_fields_are_rejected),
		cmocka_unit_test(non_objects_are_rejected),
		cmocka_unit_test(bad_device_strings_are_rejected),
		cmocka_unit_test(peer_and_irq_requests),
		cmocka_unit_test(rejected_request_is_cleared),
		cmocka_unit_test(probe_rejects_before_touching_anything),
	};

	return cmocka_run_group_tests_name("dma", tests, NULL, NULL);
}
