/* SPDX-License-Identifier: MIT */
/* Kernel log reader tests: prefixes, line handling, bounds, file vs buffer. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "klog.h"

#define DATA "tests/data/fault/"

struct strip_case {
	const char *in;
	const char *text;
	unsigned int prefix;
	double ts;		/* < 0: no timestamp */
};

static const struct strip_case strip_cases[] = {
	{ "[    0.361089] DMAR: x", "DMAR: x", LAB_KLOG_PREFIX_TIMESTAMP, 0.361089 },
	{ "[12345.678901] AMD-Vi: y", "AMD-Vi: y", LAB_KLOG_PREFIX_TIMESTAMP, 12345.678901 },
	{ "[    0.000000] [    T1] msg", "msg", LAB_KLOG_PREFIX_TIMESTAMP | LAB_KLOG_PREFIX_CALLER, 0 },
	{ "[    1.500000][    C3] msg", "msg", LAB_KLOG_PREFIX_TIMESTAMP | LAB_KLOG_PREFIX_CALLER, 1.5 },
	{ "[  T123] msg", "msg", LAB_KLOG_PREFIX_CALLER, -1 },
	{ "[Mon Dec 18 10:02:11 2023] DMAR: z", "DMAR: z", LAB_KLOG_PREFIX_WALLCLOCK, -1 },
	{ "Apr 09 11:28:59 endless kernel: AMD-Vi: a", "AMD-Vi: a", LAB_KLOG_PREFIX_SYSLOG, -1 },
	{ "Jun 15 11:59:16   kernel: iommu ivhd0: b", "iommu ivhd0: b", LAB_KLOG_PREFIX_SYSLOG, -1 },
	{ "Jun  5 01:02:03.123456 host kernel: [   13.134460] c", "c",
	  LAB_KLOG_PREFIX_SYSLOG | LAB_KLOG_PREFIX_TIMESTAMP, 13.13446 },
	{ "Oct 29 16:09:31 host1 microvm@vm2[120980]: [  OK  ] Started", "[  OK  ] Started",
	  LAB_KLOG_PREFIX_SYSLOG, -1 },
	{ "2014-04-25T09:37:53.595431+01:00 kvmhost kernel:     8.490167] dmar: d", "dmar: d",
	  LAB_KLOG_PREFIX_SYSLOG | LAB_KLOG_PREFIX_TIMESTAMP, 8.490167 },
	{ "2023-12-18T10:02:11,123456+01:00 DMAR: e", "DMAR: e", LAB_KLOG_PREFIX_WALLCLOCK, -1 },
	{ "2024-01-01T12:00:00+0100 host kernel: f", "f", LAB_KLOG_PREFIX_SYSLOG, -1 },
	{ "kernel: [   13.134460] AMD-Vi: Event logged [", "AMD-Vi: Event logged [",
	  LAB_KLOG_PREFIX_KERNEL | LAB_KLOG_PREFIX_TIMESTAMP, 13.13446 },
	{ "<3>[    0.5] g", "g", LAB_KLOG_PREFIX_LEVEL | LAB_KLOG_PREFIX_TIMESTAMP, 0.5 },
	{ "3,1234,361105,-;DMAR: h", "DMAR: h", LAB_KLOG_PREFIX_TIMESTAMP, 0.361105 },
	{ "[    7.471032] [pid:134,cpu0,irq/13-arm-smmu]arm-smmu-v3 x: event", "arm-smmu-v3 x: event",
	  LAB_KLOG_PREFIX_TIMESTAMP | LAB_KLOG_PREFIX_VENDOR, 7.471032 },
	{ "> >> [    0.1] quoted", "quoted", LAB_KLOG_PREFIX_TIMESTAMP, 0.1 },
	{ "[   12.345678] myhost kernel: DMAR: i", "DMAR: i",
	  LAB_KLOG_PREFIX_TIMESTAMP | LAB_KLOG_PREFIX_KERNEL, 12.345678 },
	{ "kern  :err   : [   13.134460] AMD-Vi: j", "AMD-Vi: j",
	  LAB_KLOG_PREFIX_LEVEL | LAB_KLOG_PREFIX_TIMESTAMP, 13.13446 },
	/* not prefixes */
	{ "DMAR: [DMA Read] Request device [00:02.0]", "DMAR: [DMA Read] Request device [00:02.0]", 0, -1 },
	{ "[INTR-REMAP] Request", "[INTR-REMAP] Request", 0, -1 },
	{ "[drm] amdgpu kernel modesetting enabled.", "[drm] amdgpu kernel modesetting enabled.", 0, -1 },
	{ "12.5] short fraction", "12.5] short fraction", 0, -1 },
	{ "  device=0000:07:00.0 domain=0x0000", "device=0000:07:00.0 domain=0x0000", 0, -1 },
	{ "iommu ivhd0: AMD-Vi: Event", "iommu ivhd0: AMD-Vi: Event", 0, -1 },
	{ "kernel panic - not syncing", "kernel panic - not syncing", 0, -1 },
	{ "", "", 0, -1 },
};

static void test_strip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(strip_cases) / sizeof(strip_cases[0]); i++) {
		const struct strip_case *c = &strip_cases[i];
		struct lab_klog_record rec;
		size_t off = lab_klog_strip(c->in, strlen(c->in), &rec);

		if (strcmp(c->in + off, c->text) || rec.prefix != c->prefix ||
		    rec.has_timestamp != (c->ts >= 0) ||
		    (c->ts >= 0 && (rec.timestamp < c->ts - 1e-6 || rec.timestamp > c->ts + 1e-6)))
			fail_msg("case %zu \"%s\": got \"%s\" prefix %#x ts %d/%f", i, c->in,
				 c->in + off, rec.prefix, rec.has_timestamp, rec.timestamp);
	}
}

/* collect all records of a buffer */
struct recs {
	char **text;
	unsigned long *line;
	size_t n;
};

static void recs_free(struct recs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->text[i]);
	free(r->text);
	free(r->line);
}

static void read_all(struct lab_klog *k, struct recs *r)
{
	struct lab_error err = { 0 };
	struct lab_klog_record rec;
	int rc;

	memset(r, 0, sizeof(*r));
	while ((rc = lab_klog_next(k, &rec, &err)) > 0) {
		assert_int_equal(strlen(rec.text), rec.len);
		r->text = realloc(r->text, (r->n + 1) * sizeof(*r->text));
		r->line = realloc(r->line, (r->n + 1) * sizeof(*r->line));
		assert_non_null(r->text);
		assert_non_null(r->line);
		r->text[r->n] = strdup(rec.text);
		r->line[r->n] = rec.line;
		r->n++;
	}
	assert_int_equal(rc, 0);
}

static void read_buffer(const char *buf, size_t len, struct recs *r)
{
	struct lab_error err = { 0 };
	struct lab_klog *k = lab_klog_new_buffer(buf, len, &err);

	assert_non_null(k);
	read_all(k, r);
	lab_klog_free(k);
}

static void test_crlf_nul_and_lines(void **state)
{
	static const char in[] = "a\r\nb\0c\r\n\r\n[ 1.000000] d  \nlast-without-newline";
	struct recs r;

	(void)state;
	read_buffer(in, sizeof(in) - 1, &r);
	assert_int_equal(r.n, 5);
	assert_string_equal(r.text[0], "a");
	assert_string_equal(r.text[1], "b c");	/* NUL became a space */
	assert_string_equal(r.text[2], "");
	assert_string_equal(r.text[3], "d");
	assert_int_equal(r.line[3], 4);
	assert_string_equal(r.text[4], "last-without-newline");
	assert_int_equal(r.line[4], 5);
	recs_free(&r);
}

static void test_ansi_colours(void **state)
{
	static const char in[] = "\x1b[32m[    0.361089] \x1b[0m\x1b[33mDMAR: \x1b[0mfault\n";
	struct recs r;

	(void)state;
	read_buffer(in, sizeof(in) - 1, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.text[0], "DMAR: fault");
	recs_free(&r);
}

static void test_empty_input(void **state)
{
	struct recs r;

	(void)state;
	read_buffer("", 0, &r);
	assert_int_equal(r.n, 0);
	read_buffer(NULL, 0, &r);
	assert_int_equal(r.n, 0);
}

/* a line far longer than the limit is cut, the next line is intact */
static void test_long_line(void **state)
{
	size_t big = 1536 * 1024;
	char *buf = malloc(big + 64);
	struct lab_error err = { 0 };
	struct lab_klog_record rec;
	struct lab_klog *k;
	FILE *f;

	(void)state;
	assert_non_null(buf);
	memset(buf, 'x', big);
	memcpy(buf, "[    1.000000] ", 15);
	strcpy(buf + big, "\n[    2.000000] after\n");

	/* from a FILE (crosses read chunks) */
	f = fmemopen(buf, strlen(buf), "r");
	assert_non_null(f);
	k = lab_klog_new_file(f, &err);
	assert_non_null(k);
	assert_int_equal(lab_klog_next(k, &rec, &err), 1);
	assert_true(rec.truncated);
	assert_int_equal(rec.len, LAB_KLOG_LINE_MAX - 15);
	assert_int_equal(lab_klog_next(k, &rec, &err), 1);
	assert_string_equal(rec.text, "after");
	assert_int_equal(rec.line, 2);
	assert_int_equal(lab_klog_next(k, &rec, &err), 0);
	assert_int_equal(lab_klog_lines(k), 2);
	assert_int_equal(lab_klog_truncated(k), 1);
	lab_klog_free(k);
	fclose(f);

	/* from memory */
	k = lab_klog_new_buffer(buf, strlen(buf), &err);
	assert_int_equal(lab_klog_next(k, &rec, &err), 1);
	assert_true(rec.truncated);
	assert_int_equal(lab_klog_next(k, &rec, &err), 1);
	assert_string_equal(rec.text, "after");
	lab_klog_free(k);
	free(buf);
}

/* quoted-printable soft breaks join onto a prefixed line; "=XX" decodes after =3D */
static void test_soft_breaks(void **state)
{
	static const char in[] =
		"see show_bug.cgi?id=3D214259\n"
		"[    6.837629] DMAR: fault ad=\n"
		"dr\n"
		"0x69935000 [fault reason 0x05] not set=20\n"
		"[    7.000000] next=\n"
		"[    8.000000] a new record\n";
	struct recs r;

	(void)state;
	read_buffer(in, sizeof(in) - 1, &r);
	assert_int_equal(r.n, 5);
	assert_string_equal(r.text[0], "see show_bug.cgi?id=214259");
	assert_string_equal(r.text[1], "DMAR: fault addr");
	assert_int_equal(r.line[1], 2);
	assert_string_equal(r.text[2], "0x69935000 [fault reason 0x05] not set");
	assert_int_equal(r.line[2], 4);
	/* a '=' at the end with a prefixed next line is not a soft break */
	assert_string_equal(r.text[3], "next=");
	assert_string_equal(r.text[4], "a new record");
	assert_int_equal(r.line[4], 6);
	recs_free(&r);
}

/* bare text (no prefixes, not QP) is never joined */
static void test_no_join_bare(void **state)
{
	static const char in[] = "foo=\nbar\n";
	struct recs r;

	(void)state;
	read_buffer(in, sizeof(in) - 1, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.text[0], "foo=");
	assert_string_equal(r.text[1], "bar");
	recs_free(&r);
}

/* reading a FILE and a buffer of the same bytes gives the same records */
static void test_file_equals_buffer(void **state)
{
	DIR *d = opendir(DATA);
	struct dirent *e;
	int files = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[512], *buf;
		size_t n = strlen(e->d_name), len;
		struct lab_error err = { 0 };
		struct recs a, b;
		struct lab_klog *k;
		FILE *f;

		if (n < 5 || strcmp(e->d_name + n - 4, ".log"))
			continue;
		snprintf(path, sizeof(path), DATA "%s", e->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		len = (size_t)ftell(f);
		rewind(f);
		buf = malloc(len + 1);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, len, f), len);
		rewind(f);
		k = lab_klog_new_file(f, &err);
		assert_non_null(k);
		read_all(k, &a);
		lab_klog_free(k);
		fclose(f);
		read_buffer(buf, len, &b);
		assert_int_equal(a.n, b.n);
		for (size_t i = 0; i < a.n; i++) {
			assert_string_equal(a.text[i], b.text[i]);
			assert_int_equal(a.line[i], b.line[i]);
		}
		recs_free(&a);
		recs_free(&b);
		free(buf);
		files++;
	}
	closedir(d);
	assert_true(files > 0);
}

static void test_read_error(void **state)
{
	struct lab_error err = { 0 };
	struct lab_klog_record rec;
	struct lab_klog *k;
	FILE *f = fopen("tests", "r");	/* a directory: fread fails with EISDIR */

	(void)state;
	assert_non_null(f);
	k = lab_klog_new_file(f, &err);
	assert_non_null(k);
	assert_int_equal(lab_klog_next(k, &rec, &err), -1);
	assert_true(err.set);
	assert_non_null(strstr(err.msg, "reading the log"));
	lab_klog_free(k);
	fclose(f);
}

/* records of the same bytes read from a FILE and from memory */
static void read_both(const char *buf, size_t len, struct recs *a, struct recs *b)
{
	struct lab_error err = { 0 };
	struct lab_klog *k;
	FILE *f = fmemopen((void *)buf, len, "r");

	assert_non_null(f);
	k = lab_klog_new_file(f, &err);
	assert_non_null(k);
	read_all(k, a);
	lab_klog_free(k);
	fclose(f);
	read_buffer(buf, len, b);
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_string_equal(a->text[i], b->text[i]);
		assert_int_equal(a->line[i], b->line[i]);
	}
}

/* a text of n entries in one of the structured shapes, big enough to cross
 * the reader's 256 KiB chunks; entry i says "entry i" */
static char *structured(int shape, int n, size_t *len)
{
	size_t cap = (size_t)n * 256 + 64, o = 0;
	char *b = malloc(cap);

	assert_non_null(b);
	if (shape == 2)
		o += (size_t)sprintf(b, "{\n   \"dmesg\": [\n");
	for (int i = 0; i < n; i++) {
		if (shape == 0)
			o += (size_t)sprintf(b + o, "{\"__MONOTONIC_TIMESTAMP\":\"%d\",\"MESSAGE\":"
					     "\"entry %d\",\"_SOURCE_MONOTONIC_TIMESTAMP\":\"%d\"}\n",
					     i * 1000 + 7, i, i * 1000);
		else if (shape == 1) {
			/* every third message binary, as journalctl -o export writes them */
			o += (size_t)sprintf(b + o, "__CURSOR=s=0;i=%x\n__MONOTONIC_TIMESTAMP=%d\n", i,
					     i * 1000);
			if (i % 3 == 0) {
				char m[32];
				uint64_t l = (uint64_t)sprintf(m, "entry %d", i);

				o += (size_t)sprintf(b + o, "MESSAGE\n");
				for (int j = 0; j < 8; j++)
					b[o++] = (char)(l >> (8 * j));
				memcpy(b + o, m, l);
				o += l;
				b[o++] = '\n';
			} else {
				o += (size_t)sprintf(b + o, "MESSAGE=entry %d\n", i);
			}
			b[o++] = '\n';
		} else {
			o += (size_t)sprintf(b + o, "%s{\n         \"pri\": 6,\n         \"time\": "
					     "%12.6f,\n         \"msg\": \"entry %d\"\n      }",
					     i ? "," : "      ", i / 1000.0, i);
		}
	}
	if (shape == 2)
		o += (size_t)sprintf(b + o, "\n   ]\n}\n");
	*len = o;
	return b;
}

/* journalctl -o json and -o export, dmesg --json: the same records from a
 * FILE (across read chunks) and from memory, numbered by message, with the
 * kernel's timestamp */
static void test_structured_shapes(void **state)
{
	(void)state;
	for (int shape = 0; shape < 3; shape++) {
		struct lab_error err = { 0 };
		struct lab_klog_record rec;
		struct lab_klog *k;
		struct recs a, b;
		size_t len;
		char *buf = structured(shape, 6000, &len);
		char want[32];

		assert_true(len > 300 * 1024);
		read_both(buf, len, &a, &b);
		assert_int_equal(a.n, 6000);
		for (size_t i = 0; i < a.n; i += 997) {
			snprintf(want, sizeof(want), "entry %zu", i);
			assert_string_equal(a.text[i], want);
			assert_int_equal(a.line[i], i + 1);
		}
		k = lab_klog_new_buffer(buf, len, &err);
		for (int i = 0; i < 5; i++)
			assert_int_equal(lab_klog_next(k, &rec, &err), 1);
		assert_true(rec.prefix & LAB_KLOG_PREFIX_STRUCTURED);
		assert_true(rec.has_timestamp);
		/* entry 4: the source timestamp wins over the journal's own */
		assert_true(rec.timestamp > 0.0039999 && rec.timestamp < 0.0040001);
		lab_klog_free(k);
		recs_free(&a);
		recs_free(&b);
		free(buf);
	}
}

/* broken entries: a journal entry is skipped to the next line that opens
 * one; dmesg's array ends where it stops being one; nothing crashes */
static void test_structured_broken(void **state)
{
	static const char journal[] =
		"{\"MESSAGE\":\"one\"}\n"
		"{\"MESSAGE\":\"cut sh\n"
		"-- not json --\n"
		"{\"MESSAGE\":[116,119,111]}\n"
		"{\"MESSAGE\":null}\n"
		"{\"MESSAGE\":[300]}\n"
		"{\"MESSAGE\":[\"three\",\"again\"],\"_SOURCE_MONOTONIC_TIMESTAMP\":\"x1\"}\n"
		"{\"MESSAGE\":\"four\\nfive\"}";
	static const char dmesg[] =
		"{\"dmesg\": [{\"pri\":6,\"time\":1.5,\"msg\":\"a\"},{\"msg\":7},"
		"{\"time\":\"x\",\"msg\":\"b\"} junk {\"msg\":\"c\"}]}";
	static const char export[] =
		"__CURSOR=x\nMESSAGE\n\xff\xff\xff\xff\xff\xff\xff\x7f" "12345";
	struct recs a, b;

	(void)state;
	read_both(journal, sizeof(journal) - 1, &a, &b);
	assert_int_equal(a.n, 5);
	assert_string_equal(a.text[0], "one");
	assert_string_equal(a.text[1], "two");
	assert_string_equal(a.text[2], "three");
	assert_string_equal(a.text[3], "four");
	assert_string_equal(a.text[4], "five");
	assert_int_equal(a.line[4], 5);
	recs_free(&a);
	recs_free(&b);
	read_both(dmesg, sizeof(dmesg) - 1, &a, &b);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.text[0], "a");
	assert_string_equal(a.text[1], "b");
	recs_free(&a);
	recs_free(&b);
	/* a binary field that claims 2^63 bytes: what there is, then the end */
	read_both(export, sizeof(export) - 1, &a, &b);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.text[0], "12345");
	recs_free(&a);
	recs_free(&b);
}

/* journal JSON lines among text (journalctl -o json pasted after its
 * prompt): each is an entry, its lines numbered with the physical line */
static void test_json_lines_in_text(void **state)
{
	static const char in[] =
		"$ journalctl -k -o json\n"
		"{\"MESSAGE\":\"a\\nb\",\"_SOURCE_MONOTONIC_TIMESTAMP\":\"1500000\"}\n"
		"[    2.000000] c\n"
		"{not json}\n";
	struct lab_error err = { 0 };
	struct lab_klog_record rec;
	struct lab_klog *k = lab_klog_new_buffer(in, sizeof(in) - 1, &err);
	static const char *const text[] = { "$ journalctl -k -o json", "a", "b", "c", "{not json}" };
	static const unsigned long line[] = { 1, 2, 2, 3, 4 };

	(void)state;
	assert_non_null(k);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(lab_klog_next(k, &rec, &err), 1);
		assert_string_equal(rec.text, text[i]);
		assert_int_equal(rec.line, line[i]);
		if (i == 1 || i == 2) {
			assert_true(rec.prefix & LAB_KLOG_PREFIX_STRUCTURED);
			assert_true(rec.timestamp > 1.4999 && rec.timestamp < 1.5001);
		}
	}
	assert_int_equal(lab_klog_next(k, &rec, &err), 0);
	assert_int_equal(lab_klog_lines(k), 4);
	lab_klog_free(k);
}

/* text that only looks structured stays text */
static void test_structured_lookalikes(void **state)
{
	static const char brace[] = "{ not json\nDMAR: x\n";
	static const char key[] = "FOO=bar\nDMAR: y\n";
	struct recs r;

	(void)state;
	read_buffer(brace, sizeof(brace) - 1, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.text[1], "DMAR: x");
	recs_free(&r);
	read_buffer(key, sizeof(key) - 1, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.text[0], "FOO=bar");
	recs_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strip),
		cmocka_unit_test(test_crlf_nul_and_lines),
		cmocka_unit_test(test_ansi_colours),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_soft_breaks),
		cmocka_unit_test(test_no_join_bare),
		cmocka_unit_test(test_file_equals_buffer),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_structured_shapes),
		cmocka_unit_test(test_structured_broken),
		cmocka_unit_test(test_structured_lookalikes),
		cmocka_unit_test(test_json_lines_in_text),
	};

	return cmocka_run_group_tests_name("klog", tests, NULL, NULL);
}
