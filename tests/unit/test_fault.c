/* SPDX-License-Identifier: MIT */
/*
 * Fault decoder tests: golden files tests/data/fault/<case>.log -> <case>.json
 * (compared structurally with json-c; sources of the excerpts in SOURCES.md),
 * plus small cases fed record by record.
 *
 * LAB_REGEN=1 rewrites the golden JSON from the current output instead of
 * comparing: only on purpose, and review the diff by hand before committing.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json.h>

#include "error.h"
#include "fault.h"
#include "klog.h"

#define DATA "tests/data/fault/"

/* The golden cases are the .log files of DATA, found there (discover()):
 * adding a case is adding its .log and, on purpose, its .json. */
#define MAX_CASES 256

static char *golden_cases[MAX_CASES];
static size_t ncases;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void discover(void)
{
	DIR *d = opendir(DATA);
	struct dirent *e;

	while (d && (e = readdir(d)) && ncases < MAX_CASES) {
		size_t n = strlen(e->d_name);

		if (n > 4 && !strcmp(e->d_name + n - 4, ".log"))
			golden_cases[ncases++] = strndup(e->d_name, n - 4);
	}
	if (d)
		closedir(d);
	qsort(golden_cases, ncases, sizeof(golden_cases[0]), by_name);
}

/* ---- helpers ---------------------------------------------------------------- */

static json_object *parse_path(const char *path)
{
	struct lab_error err = { 0 };
	FILE *f = fopen(path, "r");
	json_object *o;

	assert_non_null(f);
	o = lab_fault_parse_file(f, &err);
	fclose(f);
	if (!o)
		fail_msg("%s: %s", path, err.msg);
	return o;
}

/* feed bare message texts (as from a guest's /dev/kmsg), one per line number */
static json_object *parse_texts(const char *const *texts, size_t n)
{
	struct lab_error err = { 0 };
	struct lab_fault_parser *p = lab_fault_parser_new(&err);
	json_object *o;

	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		struct lab_klog_record rec = {
			.text = texts[i], .len = strlen(texts[i]), .line = i + 1, .nlines = 1,
		};

		assert_int_equal(lab_fault_parser_feed(p, &rec, &err), 0);
	}
	o = lab_fault_parser_finish(p, &err);
	assert_non_null(o);
	lab_fault_parser_free(p);
	return o;
}

static json_object *faults(json_object *root)
{
	json_object *a;

	assert_true(json_object_object_get_ex(root, "faults", &a));
	return a;
}

static json_object *fault_at(json_object *root, size_t i)
{
	json_object *a = faults(root);

	assert_true(i < json_object_array_length(a));
	return json_object_array_get_idx(a, i);
}

static const char *sfield(json_object *o, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !v)
		return NULL;
	return json_object_get_string(v);
}

static int64_t ifield(json_object *o, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !v)
		return -1;
	return json_object_get_int64(v);
}

static json_object *summary(json_object *root)
{
	json_object *s;

	assert_true(json_object_object_get_ex(root, "summary", &s));
	return s;
}

/* print where two JSON values first differ */
static int json_diff(json_object *a, json_object *b, char *path, size_t pn)
{
	size_t len = strlen(path);

	if (json_object_equal(a, b))
		return 0;
	if (json_object_is_type(a, json_type_object) && json_object_is_type(b, json_type_object)) {
		json_object_object_foreach(a, k, va) {
			json_object *vb = NULL;

			snprintf(path + len, pn - len, ".%s", k);
			if (!json_object_object_get_ex(b, k, &vb)) {
				fprintf(stderr, "  %s: missing in the actual output\n", path);
				return 1;
			}
			if (json_diff(va, vb, path, pn))
				return 1;
		}
		json_object_object_foreach(b, kb, vb2) {
			(void)vb2;
			if (!json_object_object_get_ex(a, kb, NULL)) {
				snprintf(path + len, pn - len, ".%s", kb);
				fprintf(stderr, "  %s: not in the golden file\n", path);
				return 1;
			}
		}
	} else if (json_object_is_type(a, json_type_array) && json_object_is_type(b, json_type_array)) {
		size_t na = json_object_array_length(a), nb = json_object_array_length(b);

		for (size_t i = 0; i < na && i < nb; i++) {
			snprintf(path + len, pn - len, "[%zu]", i);
			if (json_diff(json_object_array_get_idx(a, i), json_object_array_get_idx(b, i),
				      path, pn))
				return 1;
		}
		if (na != nb) {
			fprintf(stderr, "  %s: %zu elements expected, %zu found\n", path, na, nb);
			return 1;
		}
	}
	path[len] = '\0';
	fprintf(stderr, "  %s: expected %s\n  %*s  found    %s\n", path[0] ? path : "(root)",
		json_object_to_json_string(a), (int)strlen(path[0] ? path : "(root)"), "",
		json_object_to_json_string(b));
	return 1;
}

/* ---- golden files ---------------------------------------------------------------- */

static void test_golden(void **state)
{
	const char *name = *state;
	char logp[256], jsonp[256], path[512] = "";
	json_object *actual, *expected;

	snprintf(logp, sizeof(logp), DATA "%s.log", name);
	snprintf(jsonp, sizeof(jsonp), DATA "%s.json", name);
	actual = parse_path(logp);
	if (getenv("LAB_REGEN") && !strcmp(getenv("LAB_REGEN"), "1")) {
		assert_int_equal(json_object_to_file_ext(jsonp, actual, JSON_C_TO_STRING_PRETTY |
				 JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE), 0);
		fprintf(stderr, "regenerated %s: review it by hand\n", jsonp);
		json_object_put(actual);
		return;
	}
	expected = json_object_from_file(jsonp);
	if (!expected)
		fail_msg("%s: no golden file (LAB_REGEN=1 creates it)", jsonp);
	if (json_diff(expected, actual, path, sizeof(path))) {
		json_object_put(expected);
		json_object_put(actual);
		fail_msg("%s differs from %s", logp, jsonp);
	}
	json_object_put(expected);
	json_object_put(actual);
}

/*
 * The structured shapes of a log decode as its text does: a golden case
 * named journal_json_X, journal_json_pretty_X, journal_json_seq_X,
 * journal_export_X or dmesg_json_X is the same messages as the case X (or,
 * for X = fields, as journal_json_fields), so both give the same JSON.
 */
static void test_structured_twins(void **state)
{
	static const char *const shapes[] = {
		"journal_json_pretty_", "journal_json_seq_", "journal_json_", "journal_export_",
		"dmesg_json_",
	};
	int pairs = 0;

	(void)state;
	for (size_t i = 0; i < ncases; i++) {
		const char *name = golden_cases[i], *twin = NULL;
		char a[256], b[256], path[512] = "";
		json_object *x, *y;

		for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]) && !twin; s++)
			if (!strncmp(name, shapes[s], strlen(shapes[s])))
				twin = name + strlen(shapes[s]);
		if (!twin)
			continue;
		if (!strcmp(twin, "fields"))
			twin = "journal_json_fields";
		if (!strcmp(twin, name))
			continue;
		snprintf(a, sizeof(a), DATA "%s.log", twin);
		snprintf(b, sizeof(b), DATA "%s.log", name);
		x = parse_path(a);
		y = parse_path(b);
		if (json_diff(x, y, path, sizeof(path)))
			fail_msg("%s does not decode as its twin %s", b, a);
		json_object_put(x);
		json_object_put(y);
		pairs++;
	}
	assert_true(pairs >= 9);
}

/* the folder holds the corpus: finding too few means it was not found */
static void test_golden_corpus_found(void **state)
{
	(void)state;
	assert_true(ncases >= 26);
}

/* ---- decoding details, record by record ------------------------------------------ */

static void test_intel_reason_decimal_and_hex(void **state)
{
	static const char *const t[] = {
		/* %02d era: "12" is decimal 12 = 0x0c, whose text matches */
		"DMAR: [DMA Read] Request device [02:00.0] fault addr 1000 [fault reason 12] non-zero reserved fields in PTE",
		/* hex era */
		"DMAR: [DMA Read NO_PASID] Request device [02:00.0] fault addr 0x2000 [fault reason 0x12] whatever",
		/* decimal 37 = 0x25 (interrupt remapping) */
		"DMAR: [INTR-REMAP] Request device [f0:1f.0] fault index 2c [fault reason 37] Blocked a compatibility format interrupt request",
	};
	json_object *o = parse_texts(t, 3);

	(void)state;
	assert_int_equal(ifield(fault_at(o, 0), "code"), 0x0c);
	assert_string_equal(sfield(fault_at(o, 0), "event"), "DMA_FAULT");
	assert_int_equal(ifield(fault_at(o, 1), "code"), 0x12);
	assert_int_equal(ifield(fault_at(o, 2), "code"), 0x25);
	assert_string_equal(sfield(fault_at(o, 2), "event"), "INTR_REMAP_FAULT");
	assert_null(sfield(fault_at(o, 2), "address"));
	json_object_put(o);
}

static void test_intel_fields(void **state)
{
	static const char *const t[] = {
		"DMAR: [DMA Write PASID 0x2] Request device [0x00:0x14.3] fault addr 0x7f0012340000 [fault reason 0x85] SM: No write permission for Write/AtomicOp request",
	};
	json_object *o = parse_texts(t, 1), *f = fault_at(o, 0), *d;

	(void)state;
	assert_string_equal(sfield(f, "iommu"), "intel");
	assert_string_equal(sfield(f, "device"), "0000:00:14.3");
	assert_string_equal(sfield(f, "address"), "0x7f0012340000");
	assert_string_equal(sfield(f, "access"), "write");
	assert_true(json_object_object_get_ex(f, "decoded", &d));
	assert_string_equal(sfield(d, "pasid"), "0x2");
	json_object_put(o);
}

/* guest /dev/kmsg text: no prefix at all, two-line record of an old kernel */
static void test_bare_text_two_line(void **state)
{
	static const char *const t[] = {
		"DMAR:[DMA Read] Request device [00:02.0] fault addr 7f7ff000 ",
		"DMAR:[fault reason 06] PTE Read access is not set",
	};
	json_object *o = parse_texts(t, 2), *f;

	(void)state;
	assert_int_equal(json_object_array_length(faults(o)), 1);
	f = fault_at(o, 0);
	assert_int_equal(ifield(f, "code"), 6);
	assert_string_equal(sfield(f, "access"), "read");
	assert_string_equal(sfield(f, "address"), "0x7f7ff000");
	json_object_put(o);
}

/* bare text never joins an unrelated next line as a continuation */
static void test_bare_text_no_false_join(void **state)
{
	static const char *const t[] = {
		"DMAR: [DMA Read NO_PASID] Request device [00:02.0] fault addr 0x1000",
		"usb 1-1: new device [fault detected]",
		"DMAR: [DMA Read NO_PASID] Request device [00:02.0] fault addr 0x2000 [fault reason 0x06] PTE Read access is not set",
	};
	json_object *o = parse_texts(t, 3);

	(void)state;
	assert_int_equal(json_object_array_length(faults(o)), 2);
	assert_int_equal(ifield(fault_at(o, 0), "code"), -1);	/* truncated: no reason */
	assert_int_equal(ifield(fault_at(o, 1), "code"), 6);
	json_object_put(o);
}

static void test_amd_flags_direction(void **state)
{
	static const char *const t[] = {
		"AMD-Vi: Event logged [IO_PAGE_FAULT device=00:14.0 domain=0x0005 address=0x1000 flags=0x0070]",
		"AMD-Vi: Event logged [IO_PAGE_FAULT device=00:14.0 domain=0x0005 address=0x2000 flags=0x0050]",
		"AMD-Vi: Event logged [IO_PAGE_FAULT device=00:14.0 domain=0x0005 address=0x3000 flags=0x0020]",
		"AMD-Vi: Event logged [IO_PAGE_FAULT device=00:14.0 domain=0x0005 address=0x4000 flags=0x0000]",
		"AMD-Vi: Event logged [IO_PAGE_FAULT device=00:14.0 domain=0x0005 address=0xfee00000 flags=0x0028]",
	};
	json_object *o = parse_texts(t, 5), *d, *fl;

	(void)state;
	assert_string_equal(sfield(fault_at(o, 0), "access"), "write");
	assert_string_equal(sfield(fault_at(o, 1), "access"), "read");
	/* PR=0: the kernel reads RW all the same (amd_iommu_report_page_fault) */
	assert_string_equal(sfield(fault_at(o, 2), "access"), "write");
	/* I=0 and RW=0: a read, not unknown */
	assert_string_equal(sfield(fault_at(o, 3), "access"), "read");
	/* I=1: an interrupt request, neither */
	assert_null(sfield(fault_at(o, 4), "access"));
	assert_string_equal(sfield(fault_at(o, 0), "device"), "0000:00:14.0");
	/* every bit by name */
	assert_true(json_object_object_get_ex(fault_at(o, 0), "decoded", &d));
	assert_true(json_object_object_get_ex(d, "flags", &fl));
	assert_int_equal(ifield(fl, "pr"), 1);
	assert_int_equal(ifield(fl, "rw"), 1);
	assert_int_equal(ifield(fl, "pe"), 1);
	assert_int_equal(ifield(fl, "i"), 0);
	assert_int_equal(ifield(fl, "gn"), 0);
	assert_int_equal(ifield(fl, "nx"), 0);
	assert_int_equal(ifield(fl, "us"), 0);
	assert_int_equal(ifield(fl, "rz"), 0);
	assert_int_equal(ifield(fl, "tr"), 0);
	assert_string_equal(sfield(d, "flags_raw"), "0x70");
	json_object_put(o);
}

static void test_amd_split_with_interleaving(void **state)
{
	static const char *const t[] = {
		"AMD-Vi: Event logged [",
		"r8169 0000:02:00.0 eth0: Link is Up - 1Gbps/Full",
		"IO_PAGE_FAULT device=05:00.0 domain=0x0012 address=0x00000000ff6101b0 flags=0x0070]",
	};
	json_object *o = parse_texts(t, 3), *f, *lines;

	(void)state;
	assert_int_equal(json_object_array_length(faults(o)), 1);
	f = fault_at(o, 0);
	assert_string_equal(sfield(f, "address"), "0xff6101b0");
	assert_true(json_object_object_get_ex(f, "lines", &lines));
	assert_int_equal(json_object_get_int(json_object_array_get_idx(lines, 0)), 1);
	json_object_put(o);
}

/* a mail client cut an AMD record: the bare next line completes it */
static void test_amd_wrapped(void **state)
{
	static const char in[] =
		"[  40.182570] ath10k_pci 0000:01:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d address=0xcff49550\n"
		"flags=0x0070]\n"
		"[  41.0] AMD-Vi: Event logged [IO_PAGE_FAULT device=00:14.0 domain=0x0005\n"
		"[  42.0] usb 1-1: reset\n";
	struct lab_error err = { 0 };
	json_object *o = lab_fault_parse_buffer(in, sizeof(in) - 1, &err);

	(void)state;
	assert_non_null(o);
	assert_int_equal(json_object_array_length(faults(o)), 2);
	assert_string_equal(sfield(fault_at(o, 0), "access"), "write");
	assert_string_equal(sfield(fault_at(o, 0), "address"), "0xcff49550");
	/* the second stays cut: no address, no flags */
	assert_null(sfield(fault_at(o, 1), "address"));
	assert_string_equal(sfield(fault_at(o, 1), "device"), "0000:00:14.0");
	json_object_put(o);
}

/* records waiting for a continuation never outgrow their buffer */
static void test_long_pending_text(void **state)
{
	size_t big = 3000;
	char *in = malloc(8 * big), *o = in;
	struct lab_error err = { 0 };
	json_object *j;

	(void)state;
	assert_non_null(in);
	o += sprintf(o, "[ 1.0] arm-smmu x.iommu: Unhandled context fault: fsr=0x402, iova=0x1000, ");
	memset(o, 'a', big);
	o += big;
	*o++ = '\n';
	memset(o, 'b', big);
	o += big;
	o += sprintf(o, "\n[ 2.0] DMAR: [DMA Read NO_PASID] Request device [00:02.0] fault addr 0x1000 ");
	for (int i = 0; i < 3; i++) {
		memset(o, 'c', big / 2);
		o += big / 2;
		*o++ = '\n';
	}
	j = lab_fault_parse_buffer(in, (size_t)(o - in), &err);
	assert_non_null(j);
	assert_int_equal(json_object_array_length(faults(j)), 2);
	assert_int_equal(ifield(fault_at(j, 0), "code"), 0x402);
	assert_string_equal(sfield(fault_at(j, 1), "address"), "0x1000");
	json_object_put(j);
	free(in);
}

static void test_smmuv3_raw_fields(void **state)
{
	static const char *const t[] = {
		"arm-smmu-v3 9050000.smmuv3: event 0x13 received:",
		"arm-smmu-v3 9050000.smmuv3: \t0x00000008002a1813",
		"arm-smmu-v3 9050000.smmuv3: \t0x0000008800000000",
		"arm-smmu-v3 9050000.smmuv3: \t0x0000000000abc000",
		"arm-smmu-v3 9050000.smmuv3: \t0x0000000012345000",
	};
	json_object *o = parse_texts(t, 5), *f = fault_at(o, 0), *d;

	(void)state;
	/* id 0x13, SID 8, SSV with SSID 0x2a1 */
	assert_string_equal(sfield(f, "event"), "F_PERMISSION");
	assert_int_equal(ifield(f, "stream_id"), 8);
	assert_string_equal(sfield(f, "address"), "0xabc000");
	/* dword1: RnW (35) set, S2 (39) set */
	assert_string_equal(sfield(f, "access"), "read");
	assert_true(json_object_object_get_ex(f, "decoded", &d));
	assert_string_equal(sfield(d, "ssid"), "0x2a1");
	assert_int_equal(ifield(d, "stage"), 2);
	assert_string_equal(sfield(d, "ipa"), "0x12345000");
	json_object_put(o);
}

static void test_smmuv3_truncated_at_eof(void **state)
{
	static const char *const t[] = {
		"arm-smmu-v3 9050000.smmuv3: event 0x10 received:",
		"arm-smmu-v3 9050000.smmuv3: \t0x0000001000000010",
		"arm-smmu-v3 9050000.smmuv3: \t0x0000000000000000",
	};
	json_object *o = parse_texts(t, 3), *d;

	(void)state;
	assert_int_equal(json_object_array_length(faults(o)), 1);
	assert_true(json_object_object_get_ex(fault_at(o, 0), "decoded", &d));
	assert_int_equal(ifield(d, "dwords_missing"), 2);
	assert_null(sfield(fault_at(o, 0), "address"));
	json_object_put(o);
}

static void test_smmu_v2_fsynr_write(void **state)
{
	static const char *const t[] = {
		"arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x408, iova=0x1000, fsynr=0x10, cbfrsynra=0x800, cb=3",
	};
	json_object *o = parse_texts(t, 1), *f = fault_at(o, 0);

	(void)state;
	assert_int_equal(ifield(f, "code"), 0x408);
	assert_string_equal(sfield(f, "access"), "write");
	assert_int_equal(ifield(f, "stream_id"), 0x800);
	assert_non_null(strstr(sfield(f, "likely_cause"), "direction mismatch"));
	json_object_put(o);
}

/* virtio-iommu as a guest's /dev/kmsg gives it: the endpoint is the requester ID */
static void test_virtio_fields(void **state)
{
	static const char *const t[] = {
		"virtio_iommu virtio0: page fault from EP 128 at 0x100000 []",
		"virtio_iommu virtio0: page fault from EP 128 at 0x200000 [W]",
		"virtio_iommu virtio0: domain fault from EP 1280 at 0 []",
		"viommu_fault_handler: 3 callbacks suppressed",
	};
	json_object *o = parse_texts(t, 4), *f = fault_at(o, 0), *d;

	(void)state;
	assert_int_equal(json_object_array_length(faults(o)), 3);
	assert_string_equal(sfield(f, "iommu"), "virtio");
	assert_string_equal(sfield(f, "event"), "MAPPING_FAULT");
	assert_int_equal(ifield(f, "code"), 2);
	assert_string_equal(sfield(f, "device"), "0000:00:10.0");
	assert_int_equal(ifield(f, "stream_id"), 128);
	assert_string_equal(sfield(f, "address"), "0x100000");
	assert_null(sfield(f, "access"));	/* "[]": no direction reported */
	assert_true(json_object_object_get_ex(f, "decoded", &d));
	assert_int_equal(ifield(d, "endpoint"), 128);
	assert_string_equal(sfield(fault_at(o, 1), "access"), "write");
	assert_string_equal(sfield(fault_at(o, 2), "event"), "DOMAIN_FAULT");
	assert_string_equal(sfield(fault_at(o, 2), "device"), "0000:05:00.0");
	assert_string_equal(sfield(fault_at(o, 2), "address"), "0x0");	/* %#llx prints 0 */
	assert_int_equal(ifield(fault_at(o, 2), "count"), 4);
	json_object_put(o);
}

/* "callbacks suppressed" before any record waits for the family's next record */
static void test_suppressed_attribution(void **state)
{
	static const char *const t[] = {
		"dmar_fault: 10 callbacks suppressed",
		"arm_smmu_context_fault: 7 callbacks suppressed",
		"DMAR: DRHD: handling fault status reg 3",
		"DMAR: [DMA Read NO_PASID] Request device [00:02.0] fault addr 0x1000 [fault reason 0x06] PTE Read access is not set",
		"net_ratelimit: 5 callbacks suppressed",
	};
	json_object *o = parse_texts(t, 5), *s, *sup;

	(void)state;
	/* FAULT_STATUS (first) takes none; the DMA fault takes the 10 */
	assert_int_equal(ifield(fault_at(o, 0), "count"), 1);
	assert_int_equal(ifield(fault_at(o, 1), "count"), 11);
	s = summary(o);
	assert_true(json_object_object_get_ex(s, "suppressed", &sup));
	assert_int_equal(ifield(sup, "intel"), 10);
	assert_int_equal(ifield(s, "suppressed_unattributed"), 7);
	json_object_put(o);
}

/* many distinct addresses: memory stays bounded, the counts stay right */
static void test_fold_cap(void **state)
{
	struct lab_error err = { 0 };
	struct lab_fault_parser *p = lab_fault_parser_new(&err);
	unsigned long n = LAB_FAULT_MAX_RECORDS * 3;
	json_object *o, *s;
	char buf[200];

	(void)state;
	assert_non_null(p);
	for (unsigned long i = 0; i < n; i++) {
		struct lab_klog_record rec = { .text = buf, .line = i + 1, .nlines = 1 };

		rec.len = (size_t)snprintf(buf, sizeof(buf),
			"AMD-Vi: Event logged [IO_PAGE_FAULT device=00:%02lx.0 domain=0x0001 "
			"address=0x%lx000 flags=0x0000]", i % 32, i);
		assert_int_equal(lab_fault_parser_feed(p, &rec, &err), 0);
	}
	o = lab_fault_parser_finish(p, &err);
	assert_non_null(o);
	lab_fault_parser_free(p);
	s = summary(o);
	assert_int_equal(ifield(s, "records"), (int64_t)n);
	assert_int_equal(ifield(s, "distinct"), LAB_FAULT_MAX_RECORDS + 32);
	assert_int_equal(ifield(s, "folded_without_address"), (int64_t)n - LAB_FAULT_MAX_RECORDS);
	json_object_put(o);
}

/* every field distinct: all fold levels fill, the record count stays bounded */
static void test_fold_all_levels(void **state)
{
	struct lab_error err = { 0 };
	struct lab_fault_parser *p = lab_fault_parser_new(&err);
	unsigned long n = 20000;
	json_object *o, *s;
	char buf[200];

	(void)state;
	assert_non_null(p);
	for (unsigned long i = 0; i < n; i++) {
		struct lab_klog_record rec = { .text = buf, .line = i + 1, .nlines = 1 };

		rec.len = (size_t)snprintf(buf, sizeof(buf),
			"arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x%lx, iova=0x%lx000, "
			"fsynr=0x%lx, cbfrsynra=0x%lx, cb=7", i * 2 + 2, i, i, i);
		assert_int_equal(lab_fault_parser_feed(p, &rec, &err), 0);
	}
	o = lab_fault_parser_finish(p, &err);
	assert_non_null(o);
	lab_fault_parser_free(p);
	s = summary(o);
	assert_int_equal(ifield(s, "records"), (int64_t)n);
	assert_true(ifield(s, "distinct") <= 2 * LAB_FAULT_MAX_RECORDS + 1024 + 1);
	assert_true(ifield(s, "folded_without_device") > 0);
	assert_true(ifield(s, "folded_to_event") > 0);
	json_object_put(o);
}

static void test_lines_cap(void **state)
{
	static const char *t[LAB_FAULT_MAX_LINES + 8];
	json_object *o, *lines;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		t[i] = "AMD-Vi: Completion-Wait loop timed out";
	o = parse_texts(t, sizeof(t) / sizeof(t[0]));
	assert_true(json_object_object_get_ex(fault_at(o, 0), "lines", &lines));
	assert_int_equal(json_object_array_length(lines), LAB_FAULT_MAX_LINES);
	assert_int_equal(ifield(fault_at(o, 0), "lines_omitted"), 8);
	assert_int_equal(ifield(fault_at(o, 0), "count"), LAB_FAULT_MAX_LINES + 8);
	json_object_put(o);
}

/* binary junk: no crash, and the result is valid JSON */
static void test_binary_input(void **state)
{
	struct lab_error err = { 0 };
	unsigned char buf[1 << 16];
	uint32_t x = 12345;
	json_object *o, *back;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (unsigned char)(x >> 16);
	}
	/* sprinkle tokens the parser reacts to */
	memcpy(buf + 100, "DMAR: [DMA Read] Request device [", 33);
	memcpy(buf + 5000, "AMD-Vi: Event logged [", 22);
	memcpy(buf + 9000, "arm-smmu-v3 x: event 0x10 received:\n", 36);
	o = lab_fault_parse_buffer(buf, sizeof(buf), &err);
	assert_non_null(o);
	back = json_tokener_parse(json_object_to_json_string(o));
	assert_non_null(back);
	assert_true(json_object_equal(o, back));
	json_object_put(back);
	json_object_put(o);
}

int main(void)
{
	struct CMUnitTest *tests;
	size_t n = 0;
	int rc;

	discover();
	tests = calloc(ncases + 64, sizeof(*tests));
	assert_non_null(tests);
	for (size_t i = 0; i < ncases; i++) {
		tests[n].name = golden_cases[i];
		tests[n].test_func = test_golden;
		tests[n].initial_state = (void *)golden_cases[i];
		n++;
	}
#define ADD(fn) do {							\
		assert_true(n < ncases + 64);					\
		tests[n++] = (struct CMUnitTest)cmocka_unit_test(fn);		\
	} while (0)
	ADD(test_golden_corpus_found);
	ADD(test_structured_twins);
	ADD(test_intel_reason_decimal_and_hex);
	ADD(test_intel_fields);
	ADD(test_bare_text_two_line);
	ADD(test_bare_text_no_false_join);
	ADD(test_amd_flags_direction);
	ADD(test_amd_split_with_interleaving);
	ADD(test_amd_wrapped);
	ADD(test_long_pending_text);
	ADD(test_smmuv3_raw_fields);
	ADD(test_smmuv3_truncated_at_eof);
	ADD(test_smmu_v2_fsynr_write);
	ADD(test_virtio_fields);
	ADD(test_suppressed_attribution);
	ADD(test_fold_cap);
	ADD(test_fold_all_levels);
	ADD(test_lines_cap);
	ADD(test_binary_input);
#undef ADD
	rc = _cmocka_run_group_tests("fault", tests, n, NULL, NULL);
	free(tests);
	for (size_t i = 0; i < ncases; i++)
		free(golden_cases[i]);
	return rc;
}
