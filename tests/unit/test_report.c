/* SPDX-License-Identifier: MIT */
/* Report writers: JUnit (validated against tests/data/report/junit.xsd and
 * parsed back), TAP, the HTML page (parsed back with libxml2's HTML parser)
 * and the terminal table, over a hand-written results.json that has every
 * verdict and every run status, and hostile guest text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlstring.h>
#include <libxml/xpath.h>

#include "diff.h"
#include "report.h"

#define FIXTURE "tests/data/report/results.json"
#define SCHEMA "tests/data/report/junit.xsd"

/* The fixture's shape, counted by hand: 10 runs, 20 test cases. */
#define FIXTURE_CASES 20

static char tmpdir[] = "/tmp/test_report.XXXXXX";

static int setup_dir(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	static const char *const names[] = { "junit.xml", "report.html", "junit.xml.tmp",
					     "report.html.tmp" };
	char path[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	return rmdir(tmpdir);
}

static const char *tmp(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static json_object *fixture(void)
{
	json_object *o = json_object_from_file(FIXTURE);

	assert_non_null(o);
	return o;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Raw output must be valid UTF-8 with no C0 control byte but tab/LF/CR. */
static void assert_clean_bytes(const char *s)
{
	const unsigned char *p;

	assert_int_equal(xmlCheckUTF8((const unsigned char *)s), 1);
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			fail_msg("control byte 0x%02x at offset %td", *p, (const char *)p - s);
}

/* Coloured text: valid UTF-8 whose only control bytes start the colour
 * sequences (ESC [ digits ; m) that the table itself writes. */
static void assert_only_sgr(const char *s)
{
	const char *p;

	assert_int_equal(xmlCheckUTF8((const unsigned char *)s), 1);
	for (p = s; *p; p++) {
		if (*p != '\033') {
			if ((unsigned char)*p < 0x20 && *p != '\n')
				fail_msg("control byte 0x%02x at offset %td", *p, p - s);
			continue;
		}
		if (p[1] != '[' || p[2 + strspn(p + 2, "0123456789;")] != 'm')
			fail_msg("escape that is not a colour at offset %td: %.8s", p - s, p);
	}
}

/* ---- XPath helpers over a parsed document ---- */

static double xp_num(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o;
	double v;

	assert_non_null(ctx);
	o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	if (!o)
		fail_msg("bad XPath %s", expr);
	v = xmlXPathCastToNumber(o);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return v;
}

static char *xp_str(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o;
	xmlChar *s;
	char *out;

	assert_non_null(ctx);
	o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	if (!o)
		fail_msg("bad XPath %s", expr);
	s = xmlXPathCastToString(o);
	out = strdup((const char *)s);
	xmlFree(s);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return out;
}

static void assert_xp_num(xmlDocPtr doc, const char *expr, int want)
{
	double got = xp_num(doc, expr);

	if (got != want)
		fail_msg("%s = %g, want %d", expr, got, want);
}

static void assert_xp_str(xmlDocPtr doc, const char *expr, const char *want)
{
	char *got = xp_str(doc, expr);

	if (strcmp(got, want))
		fail_msg("%s = \"%s\", want \"%s\"", expr, got, want);
	free(got);
}

static void assert_xp_prefix(xmlDocPtr doc, const char *expr, const char *want)
{
	char *got = xp_str(doc, expr);

	if (strncmp(got, want, strlen(want)))
		fail_msg("%s = \"%.200s\", want it to start with \"%s\"", expr, got, want);
	free(got);
}

/* ---- writers into memory or files ---- */

static char *tap_of(json_object *results)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	assert_int_equal(lab_report_write_tap(results, f), 0);
	fclose(f);
	return buf;
}

static char *table_of(json_object *results, int color)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	lab_report_print_table(results, f, color);
	fclose(f);
	return buf;
}

static xmlDocPtr junit_of(json_object *results)
{
	struct lab_error err = { 0 };
	xmlDocPtr doc;

	if (lab_report_write_junit(results, tmp("junit.xml"), &err))
		fail_msg("write_junit: %s", err.msg);
	assert_int_equal(access(tmp("junit.xml.tmp"), F_OK), -1);
	/* strict: no recovery, so any invalid byte or character fails here */
	doc = xmlReadFile(tmp("junit.xml"), NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	return doc;
}

static void count_error(void *ctx, xmlErrorPtr e)
{
	(void)e;
	(*(int *)ctx)++;
}

/* Parse HTML with libxml2's HTML parser, counting its complaints. */
static htmlDocPtr html_parse(const char *buf, int *errors)
{
	htmlDocPtr doc;

	*errors = 0;
	xmlSetStructuredErrorFunc(errors, count_error);
	doc = htmlReadMemory(buf, (int)strlen(buf), "report.html", "UTF-8", HTML_PARSE_NONET);
	xmlSetStructuredErrorFunc(NULL, NULL);
	return doc;
}

static htmlDocPtr html_of(json_object *results, char **raw)
{
	struct lab_error err = { 0 };
	htmlDocPtr doc;
	int errors;

	if (lab_report_write_html(results, tmp("report.html"), &err))
		fail_msg("write_html: %s", err.msg);
	*raw = slurp(tmp("report.html"));
	doc = html_parse(*raw, &errors);
	assert_non_null(doc);
	if (errors)
		fail_msg("the HTML parser reported %d error(s)", errors);
	return doc;
}

/* ---- JUnit ---- */

static void assert_valid_junit(xmlDocPtr doc)
{
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(SCHEMA);
	xmlSchemaPtr schema = xmlSchemaParse(pc);
	xmlSchemaValidCtxtPtr vc;

	assert_non_null(schema);
	vc = xmlSchemaNewValidCtxt(schema);
	assert_int_equal(xmlSchemaValidateDoc(vc, doc), 0);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pc);
}

static void junit_validates_against_schema(void **state)
{
	json_object *r = fixture();
	xmlDocPtr doc = junit_of(r);

	(void)state;
	assert_valid_junit(doc);
	xmlFreeDoc(doc);
	json_object_put(r);
}

/* The schema is no formality: it rejects what a CI server would not read. */
static void junit_schema_rejects_bad_counts(void **state)
{
	static const char bad[] =
		"<testsuites name='x' tests='one' failures='0' errors='0' skipped='0' time='1.000'/>";
	xmlDocPtr doc = xmlReadMemory(bad, sizeof(bad) - 1, "bad.xml", NULL, XML_PARSE_NONET);
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(SCHEMA);
	xmlSchemaPtr schema = xmlSchemaParse(pc);
	xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
	int errors = 0;

	(void)state;
	assert_non_null(doc);
	xmlSchemaSetValidStructuredErrors(vc, count_error, &errors);
	assert_true(xmlSchemaValidateDoc(vc, doc) > 0);
	assert_true(errors > 0);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pc);
	xmlFreeDoc(doc);
}

static void junit_counts_root_and_suites(void **state)
{
	json_object *r = fixture();
	xmlDocPtr doc = junit_of(r);

	(void)state;
	assert_xp_num(doc, "count(/testsuites)", 1);
	assert_xp_num(doc, "/testsuites/@tests", FIXTURE_CASES);
	assert_xp_num(doc, "/testsuites/@failures", 3);	/* 2 fail + 1 xpass */
	assert_xp_num(doc, "/testsuites/@errors", 6);
	assert_xp_num(doc, "/testsuites/@skipped", 4);	/* 2 skip + 2 xfail */
	assert_xp_str(doc, "/testsuites/@time", "123.400");
	assert_xp_num(doc, "count(//testcase)", FIXTURE_CASES);
	/* one suite per matrix, in order of first appearance */
	assert_xp_num(doc, "count(/testsuites/testsuite)", 5);
	assert_xp_str(doc, "/testsuites/testsuite[1]/@name", "intel");
	assert_xp_str(doc, "/testsuites/testsuite[2]/@name", "amd");
	assert_xp_str(doc, "/testsuites/testsuite[3]/@name", "smmuv3");
	assert_xp_str(doc, "/testsuites/testsuite[4]/@name", "virtio");
	assert_xp_str(doc, "/testsuites/testsuite[5]/@name", "adhoc");
	assert_xp_num(doc, "//testsuite[@name='intel']/@tests", 12);
	assert_xp_num(doc, "//testsuite[@name='intel']/@failures", 3);
	assert_xp_num(doc, "//testsuite[@name='intel']/@errors", 1);
	assert_xp_num(doc, "//testsuite[@name='intel']/@skipped", 2);
	assert_xp_str(doc, "//testsuite[@name='intel']/@time", "25.100");
	assert_xp_num(doc, "//testsuite[@name='amd']/@tests", 4);
	assert_xp_num(doc, "//testsuite[@name='amd']/@errors", 3);
	assert_xp_num(doc, "//testsuite[@name='amd']/@skipped", 1);
	assert_xp_num(doc, "//testsuite[@name='smmuv3']/@errors", 2);
	assert_xp_num(doc, "//testsuite[@name='virtio']/@skipped", 1);
	assert_xp_num(doc, "//testsuite[@name='adhoc']/@tests", 1);
	assert_xp_num(doc, "//testsuite[@name='adhoc']/@failures", 0);
	/* every suite's counts agree with its own test cases */
	assert_xp_num(doc, "count(//testsuite[@tests != count(testcase)])", 0);
	assert_xp_num(doc, "count(//testsuite[@failures != count(testcase/failure)])", 0);
	assert_xp_num(doc, "count(//testsuite[@errors != count(testcase/error)])", 0);
	assert_xp_num(doc, "count(//testsuite[@skipped != count(testcase/skipped)])", 0);
	assert_xp_str(doc, "//testsuite[1]/properties/property[@name='qemu']/@value", "7.2.0");
	xmlFreeDoc(doc);
	json_object_put(r);
}

static void junit_case_per_check_and_boot(void **state)
{
	json_object *r = fixture();
	xmlDocPtr doc = junit_of(r);

	(void)state;
	assert_xp_num(doc, "count(//testcase[@classname='intel.default@6.1'])", 6);
	assert_xp_num(doc, "count(//testcase[@classname='intel.caching_mode@6.1'])", 4);
	/* a run that timed out: its boot case, then its checks */
	assert_xp_num(doc, "count(//testcase[@classname='amd.default@6.12'])", 2);
	assert_xp_str(doc, "//testcase[@classname='amd.default@6.12'][1]/@name", "boot");
	/* a skipped run is one skipped case */
	assert_xp_num(doc, "count(//testcase[@classname='virtio.default@6.1'])", 1);
	assert_xp_num(doc, "count(//testcase[@classname='virtio.default@6.1'][@name='boot']/skipped)", 1);
	assert_xp_str(doc, "//testcase[@classname='virtio.default@6.1']/skipped/@message",
		      "the virtio-iommu x86 driver needs kernel >= 6.3");
	/* an ad-hoc run without checks: one passing boot case */
	assert_xp_num(doc, "count(//testcase[@classname='adhoc.intel@6.1'][@name='boot'])", 1);
	assert_xp_num(doc, "count(//testcase[@classname='adhoc.intel@6.1']/*)", 0);
	/* the run's time is shared by its cases */
	assert_xp_str(doc, "//testcase[@classname='amd.default@6.12'][1]/@time", "45.000");
	xmlFreeDoc(doc);
	json_object_put(r);
}

#define CASE(run, check) "//testcase[@classname='" run "'][@name='" check "']"

static void junit_verdict_elements(void **state)
{
	json_object *r = fixture();
	xmlDocPtr doc = junit_of(r);

	(void)state;
	assert_xp_num(doc, "count(" CASE("intel.default@6.1", "default_domain") "/*)", 0);
	assert_xp_str(doc, CASE("intel.default@6.1", "intel.cap.cm") "/failure/@type", "fail");
	assert_xp_str(doc, CASE("intel.default@6.1", "intel.cap.cm") "/failure/@message",
		      "expected 1, observed 0");
	assert_xp_prefix(doc, CASE("intel.default@6.1", "intel.cap.cm") "/failure",
			 "expected: 1\nobserved: 0\n");
	/* xpass is an unexpected pass: a failure */
	assert_xp_str(doc, CASE("intel.default@6.1", "intel.cap.sagaw") "/failure/@type", "xpass");
	assert_xp_prefix(doc, CASE("intel.default@6.1", "intel.cap.sagaw") "/failure/@message",
			 "xpass: unexpected pass");
	/* xfail is a skip whose message says so */
	assert_xp_str(doc, CASE("intel.default@6.1", "interrupt_remapping") "/skipped/@message",
		      "xfail: QEMU 7.2 TCG leaves EIM off (known bug)");
	assert_xp_str(doc, CASE("intel.default@6.1", "groups.count") "/skipped/@message",
		      "needs two test devices; this topology has one");
	/* an error without a reason says what was expected and observed */
	assert_xp_str(doc, CASE("intel.default@6.1", "klog.no_unexpected_faults") "/error/@message",
		      "expected [ ], observed true");
	/* the boot cases carry the status */
	assert_xp_str(doc, CASE("amd.default@6.12", "boot") "/error/@type", "timeout");
	assert_xp_str(doc, CASE("amd.default@6.12", "boot") "/error/@message",
		      "timeout: no agent hello within 90 s");
	assert_xp_str(doc, CASE("amd.passthrough@6.1", "boot") "/error/@type", "crashed");
	assert_xp_str(doc, CASE("smmuv3.default@6.1", "boot") "/error/@type", "interrupted");
	assert_xp_str(doc, CASE("smmuv3.strict0@6.1", "boot") "/error/@type", "error");
	/* a panic the comparator expected is an xfail, not an error */
	assert_xp_prefix(doc, CASE("amd.intremap@6.12", "boot") "/skipped/@message", "xfail: panic: ");
	assert_xp_prefix(doc, CASE("amd.intremap@6.12", "boot") "/system-out", "Kernel panic");
	/* the console tail, sanitised: ESC shown as U+241B, markup as text */
	assert_xp_str(doc, CASE("amd.default@6.12", "boot") "/system-out",
		      "[    0.000000] Linux version 6.12.9-amd64\n"
		      "\u241b[31mred text\u241b[0m\n"
		      "</pre><script>alert(5)</script>\n"
		      "stuck ]]> here\r\n");
	/* a crash with an empty tail has no empty system-out */
	assert_xp_num(doc, "count(" CASE("amd.passthrough@6.1", "boot") "/system-out)", 0);
	xmlFreeDoc(doc);
	json_object_put(r);
}

static void junit_hostile_text_escaped(void **state)
{
	json_object *r = fixture();
	xmlDocPtr doc = junit_of(r);
	char *raw = slurp(tmp("junit.xml"));

	(void)state;
	assert_clean_bytes(raw);
	assert_null(strstr(raw, "<script>"));
	assert_null(strstr(raw, "<img"));
	/* ]]> only ever appears escaped */
	assert_null(strstr(raw, "]]>"));
	/* what was markup in the data is text in the parsed document */
	assert_xp_num(doc, "count(//testcase[@name='klog.line \"<img src=x onerror=alert(2)>\"'])", 1);
	assert_xp_str(doc, "//testsuite[1]/@hostname", "lab-<b>host</b>");
	/* the long reason is cut in the attribute, whole in the body */
	assert_xp_num(doc, "string-length(" CASE("intel.aw_bits_39_with_a_variant_name_far_longer_than_any_terminal_column_should_ever_have_to_hold@6.12", "intel.cap.sagaw") "/failure/@message)", 1024);
	assert_non_null(strstr(raw, "end-of-long-reason"));
	free(raw);
	xmlFreeDoc(doc);
	json_object_put(r);
}

static void junit_unwritable_path_fails(void **state)
{
	json_object *r = fixture();
	struct lab_error err = { 0 };
	char path[300];

	(void)state;
	snprintf(path, sizeof(path), "%s/no-such-dir/junit.xml", tmpdir);
	assert_int_equal(lab_report_write_junit(r, path, &err), -1);
	assert_true(err.set);
	assert_int_equal(err.errnum, ENOENT);
	assert_non_null(strstr(err.msg, "no-such-dir"));
	lab_error_clear(&err);
	snprintf(path, sizeof(path), "%s/no-such-dir/report.html", tmpdir);
	assert_int_equal(lab_report_write_html(r, path, &err), -1);
	assert_true(err.set);
	assert_int_equal(err.errnum, ENOENT);
	json_object_put(r);
}

/* ---- TAP ---- */

static int count_lines(const char *s, const char *prefix)
{
	const char *p;
	int n = 0;

	for (p = s; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += !strncmp(p, prefix, strlen(prefix));
	return n;
}

static int count_substr(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

static int has_line(const char *s, const char *line)
{
	const char *p;

	for (p = s; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, line, strlen(line)) &&
		    (p[strlen(line)] == '\n' || p[strlen(line)] == '\0'))
			return 1;
	return 0;
}

static void assert_line(const char *s, const char *line)
{
	if (!has_line(s, line))
		fail_msg("no line \"%s\" in:\n%s", line, s);
}

static void tap_plan_matches_test_lines(void **state)
{
	json_object *r = fixture();
	char *tap = tap_of(r), want[32];
	const char *p;
	int n = 0, num;

	(void)state;
	assert_int_equal(strncmp(tap, "TAP version 13\n", 15), 0);
	snprintf(want, sizeof(want), "1..%d", FIXTURE_CASES);
	assert_line(tap, want);
	assert_int_equal(count_lines(tap, "ok ") + count_lines(tap, "not ok "), FIXTURE_CASES);
	/* numbered 1..N in order */
	for (p = tap; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (sscanf(p, "ok %d ", &num) == 1 || sscanf(p, "not ok %d ", &num) == 1)
			assert_int_equal(num, ++n);
	}
	assert_int_equal(n, FIXTURE_CASES);
	assert_line(tap, "# Totals: pass:7 fail:2 xfail:2 xpass:1 skip:2 error:6");
	assert_clean_bytes(tap);
	free(tap);
	json_object_put(r);
}

static void tap_directives(void **state)
{
	json_object *r = fixture();
	char *tap = tap_of(r);

	(void)state;
	assert_line(tap, "ok 1 intel.default@6.1 :: default_domain");
	assert_line(tap, "not ok 2 intel.default@6.1 :: intel.cap.cm");
	assert_line(tap, "not ok 3 intel.default@6.1 :: interrupt_remapping "
		    "# TODO xfail: QEMU 7.2 TCG leaves EIM off (known bug)");
	assert_line(tap, "not ok 4 intel.default@6.1 :: intel.cap.sagaw "
		    "# XPASS unexpected pass (xfail: QEMU before 8.0 reports 39-bit only)");
	assert_line(tap, "ok 5 intel.default@6.1 :: groups.count "
		    "# SKIP needs two test devices; this topology has one");
	assert_line(tap, "not ok 6 intel.default@6.1 :: klog.no_unexpected_faults");
	assert_line(tap, "not ok 11 amd.default@6.12 :: boot");
	assert_line(tap, "# console: \u241b[31mred text\u241b[0m");
	assert_line(tap, "ok 17 virtio.default@6.1 :: boot "
		    "# SKIP the virtio-iommu x86 driver needs kernel >= 6.3");
	assert_line(tap, "ok 18 adhoc.intel@6.1 :: boot");
	free(tap);
	json_object_put(r);
}

static void tap_yaml_block_for_failures(void **state)
{
	json_object *r = fixture();
	char *tap = tap_of(r);
	const char *p = strstr(tap, "not ok 2 ");
	const char *block =
		"not ok 2 intel.default@6.1 :: intel.cap.cm\n"
		"  ---\n"
		"  severity: fail\n"
		"  message: \"expected 1, observed 0\"\n"
		"  expected: 1\n"
		"  observed: 0\n"
		"  evidence: []\n"
		"  at: \"scenarios/default-intel.yaml:12\"\n"
		"  logs: [ \"intel.default@6.1/console.log\", \"intel.default@6.1/kmsg.log\" ]\n"
		"  ...\n"
		"not ok 3 ";

	(void)state;
	assert_non_null(p);
	assert_int_equal(strncmp(p, block, strlen(block)), 0);
	/* structured values are JSON, which YAML reads as flow collections */
	assert_non_null(strstr(tap, "  expected: { \"sagaw\": [ 2, 3 ] }\n"));
	/* passes, skips and xfails have no block; each block is closed */
	assert_int_equal(count_lines(tap, "  ---"), 9);
	assert_int_equal(count_lines(tap, "  ..."), 9);
	free(tap);
	json_object_put(r);
}

/* ---- HTML ---- */

static void html_parser_reports_errors(void **state)
{
	int errors;
	htmlDocPtr doc;

	/* the detector html_of() relies on: an unknown tag counts */
	(void)state;
	doc = html_parse("<html><body><blink2>x</blink2></body></html>", &errors);
	assert_non_null(doc);
	assert_true(errors > 0);
	xmlFreeDoc(doc);
}

static void html_parses_cleanly(void **state)
{
	json_object *r = fixture();
	char *raw;
	htmlDocPtr doc = html_of(r, &raw);

	(void)state;
	assert_int_equal(strncmp(raw, "<!DOCTYPE html>", 15), 0);
	assert_clean_bytes(raw);
	/* self-contained: nothing loaded from elsewhere */
	assert_xp_num(doc, "count(//link | //img | //iframe | //object | //embed)", 0);
	assert_xp_num(doc, "count(//script[@src] | //*[starts-with(@href,'http')])", 0);
	assert_xp_num(doc, "count(//style)", 1);
	assert_xp_str(doc, "//td[@class='run-id']", "20261125-121500-4242");
	assert_xp_prefix(doc, "//p[@class='counts']", "10 runs, 13 checks: 6 pass 2 fail 1 xfail 1 xpass 1 skip 2 error");
	free(raw);
	xmlFreeDoc(doc);
	json_object_put(r);
}

static void html_grid_has_cell_per_run_and_check(void **state)
{
	json_object *r = fixture(), *runs;
	char *raw, expr[1024];
	htmlDocPtr doc = html_of(r, &raw);
	size_t i, j, cells = 0;

	(void)state;
	assert_true(json_object_object_get_ex(r, "runs", &runs));
	/* a grid per matrix, rows = its runs, columns = the union of its checks */
	assert_xp_num(doc, "count(//table[@class='grid'])", 5);
	assert_xp_num(doc, "count(//table[@data-matrix='intel']/tbody/tr)", 3);
	assert_xp_num(doc, "count(//table[@data-matrix='intel']/thead/tr/th[@class='ck'])", 7);
	assert_xp_num(doc, "count(//table[@data-matrix='intel']//td[contains(@class,'cell')])", 21);
	assert_xp_num(doc, "count(//table[@data-matrix='intel']//td[@class='cell absent'])", 9);
	assert_xp_num(doc, "count(//table[@data-matrix='amd']//td[contains(@class,'cell')])", 3);
	for (i = 0; i < json_object_array_length(runs); i++) {
		json_object *run = json_object_array_get_idx(runs, i), *checks, *v;
		const char *name = json_object_get_string(json_object_object_get(run, "name"));

		snprintf(expr, sizeof(expr), "count(//tr[@data-run='%s'])", name);
		assert_xp_num(doc, expr, 1);
		snprintf(expr, sizeof(expr), "//tr[@data-run='%s']/td[2]/@class", name);
		v = json_object_object_get(run, "verdict");
		{
			char want[64];

			snprintf(want, sizeof(want), "verdict v-%s", json_object_get_string(v));
			assert_xp_str(doc, expr, want);
		}
		if (!json_object_object_get_ex(run, "checks", &checks))
			continue;
		for (j = 0; j < json_object_array_length(checks); j++) {
			json_object *c = json_object_array_get_idx(checks, j);
			const char *cname = json_object_get_string(json_object_object_get(c, "name"));
			char want[64];

			if (strchr(cname, '\''))
				continue;
			snprintf(expr, sizeof(expr), "//tr[@data-run='%s']/td[@data-check='%s']/@class",
				 name, cname);
			snprintf(want, sizeof(want), "cell v-%s",
				 json_object_get_string(json_object_object_get(c, "verdict")));
			assert_xp_str(doc, expr, want);
			cells++;
		}
	}
	assert_int_equal(cells, 13);
	assert_xp_num(doc, "count(//td[contains(@class,'cell ') and @class!='cell absent'])", 13);
	free(raw);
	xmlFreeDoc(doc);
	json_object_put(r);
}

static void html_cells_link_to_details(void **state)
{
	json_object *r = fixture();
	char *raw;
	htmlDocPtr doc = html_of(r, &raw);
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr links;
	int i;

	(void)state;
	links = xmlXPathEvalExpression(BAD_CAST "//td[contains(@class,'cell')]/a/@href", ctx);
	assert_non_null(links);
	assert_int_equal(xmlXPathNodeSetGetLength(links->nodesetval), 13);
	for (i = 0; i < xmlXPathNodeSetGetLength(links->nodesetval); i++) {
		xmlChar *href = xmlXPathCastNodeToString(links->nodesetval->nodeTab[i]);
		char expr[128];

		assert_int_equal(href[0], '#');
		snprintf(expr, sizeof(expr), "count(//div[@id='%s'][contains(@class,'check')])",
			 (const char *)href + 1);
		assert_xp_num(doc, expr, 1);
		snprintf(expr, sizeof(expr), "count(//div[@id='%s']//pre[@class='json expected'])",
			 (const char *)href + 1);
		assert_xp_num(doc, expr, 1);
		xmlFree(href);
	}
	xmlXPathFreeObject(links);
	xmlXPathFreeContext(ctx);
	/* the failing check's details: values as pretty JSON, reason, evidence */
	assert_xp_str(doc, "//tr[@data-run='intel.default@6.1']/td[@data-check='intel.cap.cm']/a/@href",
		      "#c-0-1");
	assert_xp_str(doc, "//div[@id='c-0-1']//pre[@class='json expected']", "1");
	assert_xp_str(doc, "//div[@id='c-0-1']//pre[@class='json observed']", "0");
	assert_xp_str(doc, "//div[@id='c-0-1']/p[@class='reason']", "expected 1, observed 0");
	assert_xp_str(doc, "//div[@id='c-0-2']//pre[@class='evidence']",
		      "DMAR-IR: Enabled IRQ remapping in xapic mode\n");
	assert_xp_str(doc, "//div[@id='c-0-0']//pre[@class='json expected']", "\"DMA-FQ\"");
	assert_xp_str(doc, "//div[@id='c-0-4']//pre[@class='json observed']", "null");
	assert_xp_prefix(doc, "//div[@id='c-0-3']//pre[@class='json expected']", "{\n");
	/* each run's logs, relative to the page */
	assert_xp_str(doc, "//div[@id='r-0']//a[.='console.log']/@href",
		      "./intel.default@6.1/console.log");
	assert_xp_str(doc, "//div[@id='r-0']//a[.='kmsg.log']/@href",
		      "./intel.default@6.1/kmsg.log");
	assert_xp_str(doc, "//tr[@data-run='intel.default@6.1']/th/a/@href", "#r-0");
	assert_xp_prefix(doc, "//div[@id='r-2']//pre[@class='console']", "[    0.000000] Linux");
	free(raw);
	xmlFreeDoc(doc);
	json_object_put(r);
}

static void html_hostile_text_escaped(void **state)
{
	json_object *r = fixture();
	char *raw;
	htmlDocPtr doc = html_of(r, &raw);

	(void)state;
	/* the page's own script only */
	assert_xp_num(doc, "count(//script)", 1);
	assert_int_equal(count_substr(raw, "<script"), 1);
	assert_null(strstr(raw, "<script>alert"));
	assert_null(strstr(raw, "<img"));
	assert_null(strstr(raw, "</pre><script>"));
	assert_xp_num(doc, "count(//img | //@onerror | //@onmouseover)", 0);
	/* the same strings are there, as text */
	assert_xp_num(doc, "count(//pre[@class='evidence'][contains(., \"<script>alert('evidence')</script>\")])", 1);
	assert_xp_num(doc, "count(//pre[@class='console'][contains(., '</pre><script>alert(5)</script>')])", 1);
	assert_xp_num(doc, "count(//th[@class='ck'][@title='klog.line \"<img src=x onerror=alert(2)>\"'])", 1);
	/* controls and bad characters are visible replacements */
	assert_xp_num(doc, "count(//pre[@class='evidence'][contains(., 'ctrl:\u2401\u2407\u241b[2J\u2421\ufffd nul:\u2400 end')])", 1);
	assert_xp_num(doc, "count(//pre[@class='evidence'][contains(., 'bad: \ufffd \ufffd \ufffd bidi:\ufffdgnp.exe')])", 1);
	free(raw);
	xmlFreeDoc(doc);
	json_object_put(r);
}

/* ---- the terminal table ---- */

/* Columns of a line: code points, colour sequences not counted. */
static int columns_of(const char *line)
{
	const char *p = line;
	int n = 0;

	while (*p) {
		if (*p == '\033' && p[1] == '[') {
			p += 2 + strspn(p + 2, "0123456789;");
			p += *p == 'm';
			continue;
		}
		n += ((unsigned char)*p & 0xc0) != 0x80;
		p++;
	}
	return n;
}

static void assert_lines_fit(const char *s)
{
	char *copy = strdup(s), *line, *save = NULL;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (columns_of(line) > LAB_REPORT_TABLE_WIDTH)
			fail_msg("%d columns: %s", columns_of(line), line);
	free(copy);
}

static void table_plain_has_runs_no_ansi(void **state)
{
	json_object *r = fixture();
	char *t = table_of(r, 0);

	(void)state;
	assert_null(strchr(t, '\033'));
	assert_clean_bytes(t);
	assert_int_equal(count_lines(t, ""), 12);	/* header, 10 runs, summary */
	assert_int_equal(count_lines(t, "RUN "), 1);
	assert_int_equal(count_lines(t, "intel.default@6.1 "), 1);
	assert_int_equal(count_lines(t, "intel.caching_mode@6.1 "), 1);
	assert_int_equal(count_lines(t, "amd.default@6.12 "), 1);
	assert_int_equal(count_lines(t, "amd.intremap@6.12 "), 1);
	assert_int_equal(count_lines(t, "amd.passthrough@6.1 "), 1);
	assert_int_equal(count_lines(t, "smmuv3.default@6.1 "), 1);
	assert_int_equal(count_lines(t, "smmuv3.strict0@6.1 "), 1);
	assert_int_equal(count_lines(t, "virtio.default@6.1 "), 1);
	assert_int_equal(count_lines(t, "adhoc.intel@6.1 "), 1);
	/* the long name is cut with an ellipsis */
	assert_int_equal(count_lines(t, "intel.aw_bits_39_with_a_variant_nam\u2026 "), 1);
	assert_lines_fit(t);
	/* status, verdict, counts and the first problem */
	assert_non_null(strstr(t, "timeout     error"));
	assert_non_null(strstr(t, "skipped     skip"));
	assert_non_null(strstr(t, "  intel.cap.cm: expected 1"));
	assert_non_null(strstr(t, "       1    1     1     1    1     1  "));
	assert_line(t, "10 runs, 13 checks: 6 pass, 2 fail, 1 xfail, 1 xpass, 1 skip, 2 error "
		    "in 123.4 s; verdict fail");
	free(t);
	json_object_put(r);
}

static void table_color_marks_verdicts(void **state)
{
	json_object *r = fixture();
	char *t = table_of(r, 1);

	(void)state;
	assert_non_null(strstr(t, "\033[31mfail\033[0m"));
	assert_non_null(strstr(t, "\033[32mpass\033[0m"));
	assert_non_null(strstr(t, "\033[33mxfail\033[0m"));
	assert_non_null(strstr(t, "verdict \033[1;31mfail\033[0m\n"));
	assert_only_sgr(t);
	assert_lines_fit(t);
	free(t);
	json_object_put(r);
}

/* ---- edge cases built in code ---- */

static json_object *one_run(const char *name, const char *status, const char *verdict)
{
	json_object *r = json_object_new_object(), *runs = json_object_new_array();
	json_object *run = json_object_new_object();

	json_object_object_add(r, "run_id", json_object_new_string("t"));
	json_object_object_add(r, "runs", runs);
	json_object_array_add(runs, run);
	json_object_object_add(run, "name", json_object_new_string(name));
	json_object_object_add(run, "matrix", json_object_new_string("m"));
	json_object_object_add(run, "status", json_object_new_string(status));
	json_object_object_add(run, "verdict", json_object_new_string(verdict));
	json_object_object_add(run, "checks", json_object_new_array());
	return r;
}

static void add_check(json_object *r, const char *name, const char *verdict, json_object *reason)
{
	json_object *run = json_object_array_get_idx(json_object_object_get(r, "runs"), 0);
	json_object *c = json_object_new_object();

	json_object_object_add(c, "name", json_object_new_string(name));
	json_object_object_add(c, "verdict", json_object_new_string(verdict));
	json_object_object_add(c, "expected", json_object_new_int(1));
	json_object_object_add(c, "observed", reason ? json_object_get(reason) : NULL);
	json_object_object_add(c, "reason", reason ? reason : json_object_new_string(""));
	json_object_object_add(c, "evidence", json_object_new_array());
	json_object_array_add(json_object_object_get(run, "checks"), c);
}

/* Raw invalid UTF-8 (json-c keeps such bytes from a guest) and terminal
 * escapes in every field the writers print. */
static void raw_invalid_utf8_is_sanitised(void **state)
{
	static const char bad[] = "x\xff\xfe y\xc0\xaf z\xed\xa0\x80 csi\xc2\x9b" "2J esc\x1b[2J nul\0end";
	json_object *r = one_run("m.bad\xff@6.1", "ok", "fail");
	char *tap, *table, *raw;
	xmlDocPtr doc;
	htmlDocPtr hdoc;

	(void)state;
	add_check(r, "bad\x1b[2Jname", "fail", json_object_new_string_len(bad, sizeof(bad) - 1));

	doc = junit_of(r);	/* parses strictly */
	raw = slurp(tmp("junit.xml"));
	assert_clean_bytes(raw);
	assert_xp_str(doc, "//testcase/@classname", "m.bad\ufffd@6.1");
	assert_xp_str(doc, "//testcase/@name", "bad\u241b[2Jname");
	assert_xp_str(doc, "//failure/@message", "x\ufffd\ufffd y\ufffd\ufffd z\ufffd\ufffd\ufffd "
		      "csi\ufffd2J esc\u241b[2J nul\u2400end");
	free(raw);
	xmlFreeDoc(doc);

	tap = tap_of(r);
	assert_clean_bytes(tap);
	assert_null(strchr(tap, '\033'));
	assert_null(strstr(tap, "\xc2\x9b"));
	assert_line(tap, "not ok 1 m.bad\ufffd@6.1 :: bad\u241b[2Jname");
	free(tap);

	table = table_of(r, 1);
	assert_only_sgr(table);
	assert_null(strstr(table, "\033[2J"));
	assert_null(strstr(table, "\xc2\x9b"));
	assert_lines_fit(table);
	free(table);

	hdoc = html_of(r, &raw);
	assert_clean_bytes(raw);
	assert_xp_str(hdoc, "//div[@id='c-0-0']/p[@class='reason']",
		      "x\ufffd\ufffd y\ufffd\ufffd z\ufffd\ufffd\ufffd csi\ufffd2J esc\u241b[2J nul\u2400end");
	free(raw);
	xmlFreeDoc(hdoc);
	json_object_put(r);
}

/* A folder name from the data never becomes a script URL or breaks out of
 * the attribute. */
static void html_log_links_stay_relative(void **state)
{
	json_object *r = one_run("m.x@6.1", "ok", "pass");
	json_object *run = json_object_array_get_idx(json_object_object_get(r, "runs"), 0);
	char *raw, *href;
	htmlDocPtr doc;

	(void)state;
	json_object_object_add(run, "dir", json_object_new_string("javascript:alert(1)//\" onclick=\"x"));
	doc = html_of(r, &raw);
	href = xp_str(doc, "//a[.='console.log']/@href");
	assert_int_equal(strncmp(href, "./javascript:alert(1)//", 23), 0);
	assert_null(strchr(href, '"'));
	assert_xp_num(doc, "count(//@onclick)", 0);
	free(href);
	free(raw);
	xmlFreeDoc(doc);
	json_object_put(r);
}

/* A run the comparator failed though no case says so still fails in CI. */
static void run_verdict_without_failing_check(void **state)
{
	json_object *r = one_run("m.v@6.1", "ok", "error");
	xmlDocPtr doc;
	char *tap;

	(void)state;
	add_check(r, "a", "pass", NULL);
	doc = junit_of(r);
	assert_xp_num(doc, "/testsuites/@tests", 2);
	assert_xp_num(doc, "/testsuites/@errors", 1);
	assert_xp_str(doc, "//testcase[@name='verdict']/error/@message",
		      "run verdict error with no failing check");
	xmlFreeDoc(doc);
	tap = tap_of(r);
	assert_line(tap, "1..2");
	assert_line(tap, "not ok 2 m.v@6.1 :: verdict");
	free(tap);
	json_object_put(r);
}

/* TAP descriptions escape '#', which would otherwise start a directive. */
static void tap_escapes_hash(void **state)
{
	json_object *r = one_run("m.h@6.1", "ok", "pass");
	char *tap;

	(void)state;
	add_check(r, "klog # SKIP not really", "pass", NULL);
	tap = tap_of(r);
	assert_line(tap, "ok 1 m.h@6.1 :: klog \\# SKIP not really");
	free(tap);
	json_object_put(r);
}

/* An ad-hoc run the comparator failed: its boot case fails, typed by verdict. */
static void adhoc_run_verdict_on_boot_case(void **state)
{
	json_object *r = one_run("m.a@6.1", "ok", "fail");
	xmlDocPtr doc;
	char *tap;

	(void)state;
	doc = junit_of(r);
	assert_xp_num(doc, "/testsuites/@tests", 1);
	assert_xp_str(doc, "//testcase[@name='boot']/failure/@type", "fail");
	xmlFreeDoc(doc);
	tap = tap_of(r);
	assert_line(tap, "not ok 1 m.a@6.1 :: boot");
	free(tap);
	json_object_put(r);
}

/* Wrong types everywhere: no crash, and every output still well-formed. */
static void malformed_results_do_not_crash(void **state)
{
	json_object *r = json_tokener_parse(
		"{\"run_id\": 7, \"duration_s\": -1e300, \"summary\": \"x\", \"host\": [],"
		" \"runs\": [null, 3, {\"name\": 5, \"status\": 9, \"line\": 1e30, \"file\": \"f\","
		" \"duration_s\": \"long\", \"dir\": 4, \"checks\": [null, {\"verdict\": \"bogus\","
		" \"reason\": [1], \"evidence\": [null, 3, {\"a\": 1}]}]}]}");
	xmlDocPtr doc;
	char *tap, *table, *raw;

	(void)state;
	assert_non_null(r);
	doc = junit_of(r);
	assert_valid_junit(doc);
	assert_xp_num(doc, "/testsuites/@tests", 4);
	assert_xp_num(doc, "/testsuites/@errors", 2);	/* a null check and a bogus verdict */
	assert_xp_num(doc, "count(//testcase[@classname='(unnamed)'])", 4);
	xmlFreeDoc(doc);
	tap = tap_of(r);
	assert_line(tap, "1..4");
	assert_int_equal(count_lines(tap, "not ok "), 2);
	free(tap);
	table = table_of(r, 0);
	assert_int_equal(count_lines(table, ""), 5);
	assert_lines_fit(table);
	free(table);
	doc = html_of(r, &raw);
	assert_xp_num(doc, "count(//table[@class='grid'])", 1);
	free(raw);
	xmlFreeDoc(doc);
	json_object_put(r);
}

static void empty_results(void **state)
{
	json_object *r = json_tokener_parse("{\"run_id\":\"e\",\"runs\":[]}");
	xmlDocPtr doc;
	char *tap, *table, *raw;

	(void)state;
	assert_non_null(r);
	doc = junit_of(r);
	assert_xp_num(doc, "/testsuites/@tests", 0);
	assert_xp_num(doc, "count(//testsuite)", 0);
	xmlFreeDoc(doc);
	tap = tap_of(r);
	assert_line(tap, "1..0");
	free(tap);
	table = table_of(r, 0);
	assert_line(table, "0 runs, 0 checks: 0 pass, 0 fail, 0 xfail, 0 xpass, 0 skip, 0 error "
		    "in 0.0 s; verdict pass");
	free(table);
	doc = html_of(r, &raw);
	assert_xp_num(doc, "count(//table[@class='grid'])", 0);
	free(raw);
	xmlFreeDoc(doc);
	json_object_put(r);
}

/* run --baseline: the diff document under "baseline" becomes a section. */
static void html_baseline_section(void **state)
{
	struct lab_error err = { 0 };
	json_object *r = fixture(), *old, *new, *diff;
	char *raw;
	htmlDocPtr doc;

	(void)state;
	doc = html_of(r, &raw);
	assert_xp_num(doc, "count(//h2[@id='baseline'])", 0);
	free(raw);
	xmlFreeDoc(doc);

	old = lab_diff_load("tests/data/diff/newly-failing/old.json", &err);
	new = lab_diff_load("tests/data/diff/newly-failing/new.json", &err);
	assert_non_null(old);
	assert_non_null(new);
	diff = lab_diff_results(old, new, NULL, &err);
	assert_non_null(diff);
	json_object_object_add(diff, "dir", json_object_new_string("results/<script>x</script>"));
	json_object_object_add(r, "baseline", diff);
	doc = html_of(r, &raw);
	assert_xp_str(doc, "//h2[@id='baseline']", "Compared with results/<script>x</script>");
	assert_xp_prefix(doc, "//p[@class='diff-summary']", "diff: 1 newly failing, 0 fixed");
	assert_xp_num(doc, "count(//table[contains(@class,'diff')]/tbody/tr)", 1);
	assert_xp_str(doc, "//table[contains(@class,'diff')]//tr[contains(@class,'newly_failing')]"
		      "/@data-run", "intel.lazy@bookworm");
	assert_xp_num(doc, "count(//table[contains(@class,'diff')]//li)", 3);
	assert_xp_prefix(doc, "//table[contains(@class,'diff')]//li[1]",
		      "check default_domain: \"pass\" \u2192 \"fail\"");
	assert_xp_num(doc, "count(//script)", 1);
	free(raw);
	xmlFreeDoc(doc);
	json_object_put(old);
	json_object_put(new);
	json_object_put(r);
}

/* A run with a topology gets its PCI tree as inline SVG in its details; the
 * others get none. */
static void html_draws_runs_with_a_topology(void **state)
{
	json_object *r = fixture(), *mix = json_object_from_file("tests/data/pcidiagram/mix.json");
	json_object *run = json_object_array_get_idx(json_object_object_get(r, "runs"), 0), *obs;
	struct lab_error err = { 0 };
	char *raw, *start, *end;
	htmlDocPtr doc;
	xmlDocPtr svg;
	int errors;

	(void)state;
	assert_non_null(mix);
	obs = json_object_object_get(mix, "observations");
	/* a guest's driver name that would close the SVG */
	json_object_object_add(json_object_array_get_idx(json_object_object_get(obs, "pci"), 0),
			       "driver", json_object_new_string("</svg><script>x(9)"));
	json_object_object_add(run, "observations", json_object_get(obs));
	if (lab_report_write_html(r, tmp("report.html"), &err))
		fail_msg("write_html: %s", err.msg);
	raw = slurp(tmp("report.html"));
	assert_int_equal(count_substr(raw, "<svg"), 1);
	assert_int_equal(count_substr(raw, "</svg>"), 1);
	assert_int_equal(count_substr(raw, "<script"), 1);
	assert_non_null(strstr(raw, "&lt;/svg&gt;&lt;script&gt;x(9)"));
	/* in the first run's details (the HTML parser knows no SVG: it complains) */
	doc = html_parse(raw, &errors);
	assert_non_null(doc);
	assert_xp_num(doc, "count(//div[@id='r-0']/div[contains(@class,'pcitree')]/svg)", 1);
	assert_xp_num(doc, "count(//div[contains(@class,'pcitree')])", 1);
	assert_xp_num(doc, "count(//script)", 1);
	xmlFreeDoc(doc);
	/* the SVG as written is XML too: it works saved as a file of its own */
	start = strstr(raw, "<svg");
	end = strstr(raw, "</svg>");
	assert_non_null(end);
	svg = xmlReadMemory(start, (int)(end + 6 - start), "pci.svg", "UTF-8",
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	assert_non_null(svg);
	assert_string_equal((const char *)xmlDocGetRootElement(svg)->ns->href,
			    "http://www.w3.org/2000/svg");
	xmlFreeDoc(svg);
	free(raw);
	json_object_put(mix);
	json_object_put(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(junit_validates_against_schema),
		cmocka_unit_test(junit_schema_rejects_bad_counts),
		cmocka_unit_test(junit_counts_root_and_suites),
		cmocka_unit_test(junit_case_per_check_and_boot),
		cmocka_unit_test(junit_verdict_elements),
		cmocka_unit_test(junit_hostile_text_escaped),
		cmocka_unit_test(junit_unwritable_path_fails),
		cmocka_unit_test(tap_plan_matches_test_lines),
		cmocka_unit_test(tap_directives),
		cmocka_unit_test(tap_yaml_block_for_failures),
		cmocka_unit_test(tap_escapes_hash),
		cmocka_unit_test(html_parser_reports_errors),
		cmocka_unit_test(html_parses_cleanly),
		cmocka_unit_test(html_grid_has_cell_per_run_and_check),
		cmocka_unit_test(html_cells_link_to_details),
		cmocka_unit_test(html_hostile_text_escaped),
		cmocka_unit_test(html_log_links_stay_relative),
		cmocka_unit_test(html_baseline_section),
		cmocka_unit_test(html_draws_runs_with_a_topology),
		cmocka_unit_test(table_plain_has_runs_no_ansi),
		cmocka_unit_test(table_color_marks_verdicts),
		cmocka_unit_test(raw_invalid_utf8_is_sanitised),
		cmocka_unit_test(run_verdict_without_failing_check),
		cmocka_unit_test(adhoc_run_verdict_on_boot_case),
		cmocka_unit_test(malformed_results_do_not_crash),
		cmocka_unit_test(empty_results),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
