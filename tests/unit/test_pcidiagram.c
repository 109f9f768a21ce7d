/* SPDX-License-Identifier: MIT */
/*
 * The PCI tree picture (harness/pcidiagram.h). Golden cases: each
 * tests/data/pcidiagram/<case>.json is a run ({"observations", "checks"},
 * trimmed from results.json) and <case>.txt its text tree; mix is a real
 * intel guest with scenarios/topologies/mix.yaml, problems the same with a
 * failed check or two, a probe's fault and a node the guest lacks, malformed
 * wrong types everywhere. Then the
 * SVG: well-formed (parsed back with libxml2), the groups' boxes, the red
 * outline, hostile strings escaped, the cap on a guest with 1000 devices.
 *
 * LAB_REGEN=1 rewrites each <case>.txt from the current output instead of
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
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "pcidiagram.h"
#include "testdata.h"

#define DATA "tests/data/pcidiagram"
#define MAX_CASES 16
#define RED "#d32f2f"

static json_object *load(const char *name)
{
	return lab_test_json(DATA "/%s.json", name);
}

static json_object *obs_of(json_object *run)
{
	return json_object_object_get(run, "observations");
}

static struct lab_pcidiagram *diagram(json_object *run)
{
	struct lab_pcidiagram *d = lab_pcidiagram_new(obs_of(run),
						      json_object_object_get(run, "checks"));

	assert_non_null(d);
	return d;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t size = 0;
	FILE *m;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &size);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

/* ---- the text tree: golden files ------------------------------------------------ */

static void golden_text(void **state)
{
	int regen = getenv("LAB_REGEN") && *getenv("LAB_REGEN");
	char *cases[MAX_CASES];
	size_t ncases = 0, failed = 0;
	DIR *dir = opendir(DATA);
	struct dirent *e;

	(void)state;
	assert_non_null(dir);
	while ((e = readdir(dir))) {
		size_t n = strlen(e->d_name);

		if (n > 5 && !strcmp(e->d_name + n - 5, ".json") && ncases < MAX_CASES)
			cases[ncases++] = strndup(e->d_name, n - 5);
	}
	closedir(dir);
	assert_true(ncases >= 2);
	for (size_t i = 0; i < ncases; i++) {
		json_object *run = load(cases[i]);
		struct lab_pcidiagram *d = diagram(run);
		char *got = lab_pcidiagram_text(d), *want, path[512];

		assert_non_null(got);
		snprintf(path, sizeof(path), DATA "/%s.txt", cases[i]);
		if (regen) {
			FILE *f = fopen(path, "w");

			assert_non_null(f);
			fputs(got, f);
			assert_int_equal(fclose(f), 0);
			print_message("regenerated %s\n", path);
		} else if (!(want = slurp(path))) {
			fail_msg("%s: missing (LAB_REGEN=1 writes it)", path);
		} else {
			if (strcmp(got, want)) {
				print_error("%s differs; got:\n%s\n", path, got);
				failed++;
			}
			free(want);
		}
		free(got);
		lab_pcidiagram_free(d);
		json_object_put(run);
		free(cases[i]);
	}
	assert_int_equal(failed, 0);
}

static void no_topology_no_diagram(void **state)
{
	json_object *run = load("mix");

	(void)state;
	json_object_object_del(obs_of(run), "topology");
	assert_null(lab_pcidiagram_new(obs_of(run), NULL));
	assert_null(lab_pcidiagram_new(NULL, NULL));
	json_object_put(run);
}

/* ---- the SVG, parsed back -------------------------------------------------------- */

/* The SVG of a run as a document of its own, written out and parsed back:
 * NULL is a test failure (not well-formed). */
static xmlDocPtr svg_of(json_object *run, char **raw)
{
	struct lab_pcidiagram *d = diagram(run);
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0"), back;
	xmlNodePtr svg = lab_pcidiagram_svg(d, doc);
	xmlChar *mem = NULL;
	int size = 0;

	assert_non_null(svg);
	xmlDocSetRootElement(doc, svg);
	xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
	assert_non_null(mem);
	back = xmlReadMemory((const char *)mem, size, "pci.svg", "UTF-8",
			     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!back)
		fail_msg("the SVG is not well-formed:\n%s", mem);
	if (raw)
		*raw = strdup((const char *)mem);
	xmlFree(mem);
	xmlFreeDoc(doc);
	lab_pcidiagram_free(d);
	return back;
}

static xmlXPathObjectPtr eval(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o;

	assert_non_null(ctx);
	xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
	o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	xmlXPathFreeContext(ctx);
	if (!o)
		fail_msg("bad XPath %s", expr);
	return o;
}

static void assert_count(xmlDocPtr doc, const char *expr, int want)
{
	xmlXPathObjectPtr o = eval(doc, expr);
	int got = (int)xmlXPathCastToNumber(o);

	xmlXPathFreeObject(o);
	if (got != want)
		fail_msg("%s: %d, not %d", expr, got, want);
}

static void svg_is_well_formed(void **state)
{
	json_object *run = load("mix");
	xmlDocPtr doc = svg_of(run, NULL);
	xmlNodePtr root = xmlDocGetRootElement(doc);

	(void)state;
	assert_string_equal((const char *)root->name, "svg");
	assert_non_null(root->ns);
	assert_string_equal((const char *)root->ns->href, "http://www.w3.org/2000/svg");
	/* every device a box, every group a box around its devices (each
	 * group of mix is contiguous), one root bus */
	assert_count(doc, "count(//s:g[@class='device'])", 24);
	assert_count(doc, "count(//s:g[@class='group'])", 15);
	assert_count(doc, "count(//s:g[@class='bus'])", 1);
	assert_count(doc, "count(//s:g[@class='group'][s:title='IOMMU group 13 (DMA-FQ)'])", 1);
	/* the aliases behind the PCIe-to-PCI bridge */
	assert_count(doc, "count(//s:g[@class='tag'][contains(., 'DMA as 0000:08:00.0')])", 3);
	/* nothing external: no script, no link, no image, no style sheet */
	assert_count(doc, "count(//s:script | //s:image | //s:a | //s:style | //s:foreignObject"
		     " | //@*[local-name()='href'])", 0);
	/* all passed: nothing red */
	assert_count(doc, "count(//s:rect[@stroke='" RED "'])", 0);
	xmlFreeDoc(doc);
	json_object_put(run);
}

static void failed_check_outlined_red(void **state)
{
	json_object *run = load("problems");
	xmlDocPtr doc = svg_of(run, NULL);

	(void)state;
	/* a failed same_group names rp-acs and edu-acs, a failed group_type
	 * mf-net; an xfail names nothing the picture marks */
	assert_count(doc, "count(//s:g[@class='device']/s:rect[@stroke='" RED "'])", 3);
	assert_count(doc, "count(//s:g[@class='device'][s:text='rp-acs']/s:rect[@stroke='" RED "'])",
		     1);
	assert_count(doc, "count(//s:g[@class='device'][s:text='mf-net']/s:rect[@stroke='" RED "'])",
		     1);
	assert_count(doc, "count(//s:g[@class='device'][s:text='sw-down1']/s:rect[@stroke='" RED "'])",
		     0);
	/* the probe's fault, on the device it ran on, naming the alias */
	assert_count(doc, "count(//s:g[@class='device'][s:text='edu-br']"
		     "/s:g[@class='tag'][. = 'fault: requester 0000:08:00.0'])", 1);
	/* the node the guest lacks is said */
	assert_count(doc, "count(//s:text[contains(., 'not in the guest: edu-gone (edu)')])", 1);
	/* the group's word on VFIO */
	assert_count(doc, "count(//s:g[@class='group'][contains(., 'not VFIO viable')])", 1);
	xmlFreeDoc(doc);
	json_object_put(run);
}

/* Put 0000:00:00.0 into the group of the 1f.x functions, far below it. */
static void split_group(void **state)
{
	json_object *run = load("mix"), *groups = json_object_object_get(obs_of(run), "groups");
	xmlDocPtr doc;

	(void)state;
	for (size_t i = 0; i < json_object_array_length(groups); i++) {
		json_object *g = json_object_array_get_idx(groups, i);
		int id = json_object_get_int(json_object_object_get(g, "id"));

		if (id == 0)
			json_object_object_add(g, "devices", json_object_new_array());
		if (id == 8)
			json_object_array_add(json_object_object_get(g, "devices"),
					      json_object_new_string("0000:00:00.0"));
	}
	doc = svg_of(run, NULL);
	/* a box per run of contiguous devices, with the same label and colour */
	assert_count(doc, "count(//s:g[@class='group'][s:title='IOMMU group 8 (DMA-FQ)'])", 2);
	assert_count(doc, "count(//s:g[@class='group'][s:title='IOMMU group 8 (DMA-FQ)']"
		     "/s:text[. = 'group 8'])", 2);
	assert_count(doc, "count(//s:g[@class='group'][s:title='IOMMU group 8 (DMA-FQ)'][1]/s:rect"
		     "[@fill = //s:g[@class='group'][s:title='IOMMU group 8 (DMA-FQ)'][2]/s:rect/@fill])",
		     1);
	xmlFreeDoc(doc);
	json_object_put(run);
}

/* ---- hostile and huge guests -------------------------------------------------------- */

static json_object *first_with(json_object *list, const char *key, const char *value)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *o = json_object_array_get_idx(list, i);
		const char *v = json_object_get_string(json_object_object_get(o, key));

		if (v && !strcmp(v, value))
			return o;
	}
	fail_msg("no %s %s", key, value);
	return NULL;
}

#define EVIL_DRIVER "</text><script>x(1)&amp;"
#define EVIL_TYPE "DMA\" onload=\"alert(2)"

static void hostile_strings_escaped(void **state)
{
	json_object *run = load("problems"), *obs = obs_of(run);
	json_object *dev = first_with(json_object_object_get(obs, "pci"), "address", "0000:00:04.0");
	json_object *grp = first_with(json_object_object_get(obs, "groups"), "type", "DMA-FQ");
	struct lab_pcidiagram *d;
	xmlDocPtr doc;
	char *raw, *text;

	(void)state;
	json_object_object_add(dev, "driver", json_object_new_string(EVIL_DRIVER));
	json_object_object_add(dev, "pcie_type", json_object_new_string("\x1b[2J\xe2\x80\xaeroot\n"));
	json_object_object_add(grp, "type", json_object_new_string(EVIL_TYPE));
	json_object_object_add(first_with(json_object_object_get(obs, "pci"), "address",
					  "0000:00:03.0"), "vendor", json_object_new_int(7));
	doc = svg_of(run, &raw);
	assert_count(doc, "count(//s:script | //@onload)", 0);
	assert_null(strstr(raw, "<script"));
	/* the text is there, as text */
	assert_count(doc, "count(//s:g[@class='device'][s:text='rp-acs']"
		     "//s:tspan[. = '" EVIL_DRIVER "'])", 1);
	assert_count(doc, "count(//s:g[@class='group']/s:title[. = 'IOMMU group 0 (" EVIL_TYPE ")'])",
		     1);
	xmlFreeDoc(doc);
	free(raw);
	/* the terminal gets printable ASCII and line ends, nothing else */
	d = diagram(run);
	text = lab_pcidiagram_text(d);
	for (const char *p = text; *p; p++)
		if (*p != '\n' && (*p < 0x20 || *p > 0x7e))
			fail_msg("byte 0x%02x in the text", (unsigned char)*p);
	assert_non_null(strstr(text, EVIL_DRIVER));
	free(text);
	lab_pcidiagram_free(d);
	json_object_put(run);
}

/* A guest with n devices on its root bus, all in one group, and a chain of
 * bridges whose parents point at each other. */
static json_object *huge(int n)
{
	json_object *run = json_object_new_object(), *obs = json_object_new_object();
	json_object *pci = json_object_new_array(), *devs = json_object_new_array();
	json_object *group = json_object_new_object(), *groups = json_object_new_array();
	json_object *topo = json_object_new_object();

	for (int i = 0; i < n; i++) {
		json_object *d = json_object_new_object();
		char addr[16], path[32];

		snprintf(addr, sizeof(addr), "0000:%02x:%02x.%x", i / 256, i / 8 % 32, i % 8);
		snprintf(path, sizeof(path), "0000:%02x/%02x.%x", i / 256, i / 8 % 32, i % 8);
		json_object_object_add(d, "address", json_object_new_string(addr));
		json_object_object_add(d, "path", json_object_new_string(path));
		json_object_object_add(d, "parent", NULL);
		json_object_array_add(pci, d);
		json_object_array_add(devs, json_object_new_string(addr));
	}
	for (int i = 0; i < 2; i++) {
		json_object *d = json_object_new_object();

		json_object_object_add(d, "address", json_object_new_string(i ? "0000:fe:00.0"
									    : "0000:fe:01.0"));
		json_object_object_add(d, "parent", json_object_new_string(i ? "0000:fe:01.0"
									   : "0000:fe:00.0"));
		json_object_array_add(pci, d);
	}
	json_object_object_add(group, "id", json_object_new_int(1));
	json_object_object_add(group, "type", json_object_new_string("DMA"));
	json_object_object_add(group, "devices", devs);
	json_object_array_add(groups, group);
	json_object_object_add(topo, "name", json_object_new_string("huge"));
	json_object_object_add(topo, "nodes", json_object_new_array());
	json_object_object_add(obs, "pci", pci);
	json_object_object_add(obs, "groups", groups);
	json_object_object_add(obs, "topology", topo);
	json_object_object_add(run, "observations", obs);
	return run;
}

static void huge_guest_is_capped(void **state)
{
	json_object *run = huge(1000);
	struct lab_pcidiagram *d = diagram(run);
	char *text = lab_pcidiagram_text(d), line[80];
	xmlDocPtr doc;
	xmlXPathObjectPtr h;
	size_t lines = 0;

	(void)state;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	/* heading, root buses, the devices drawn, the note */
	assert_true(lines <= LAB_PCIDIAGRAM_MAX + 8);
	snprintf(line, sizeof(line), ": 1002 devices (%d drawn), 1 IOMMU group (",
		 LAB_PCIDIAGRAM_MAX);
	assert_non_null(strstr(text, line));
	snprintf(line, sizeof(line), "%d more not drawn (at most %d are)\n",
		 1002 - LAB_PCIDIAGRAM_MAX, LAB_PCIDIAGRAM_MAX);
	assert_non_null(strstr(text, line));
	free(text);
	lab_pcidiagram_free(d);
	doc = svg_of(run, NULL);
	assert_count(doc, "count(//s:g[@class='device'])", LAB_PCIDIAGRAM_MAX);
	assert_count(doc, "count(//s:g[@class='group'])", 1);
	assert_count(doc, "count(//s:text[contains(., 'more not drawn')])", 1);
	h = eval(doc, "number(/s:svg/@height)");
	assert_true(xmlXPathCastToNumber(h) < 60 * (LAB_PCIDIAGRAM_MAX + 10));
	xmlXPathFreeObject(h);
	xmlFreeDoc(doc);
	json_object_put(run);
}

/* Wrong types everywhere (malformed.json; its text is a golden case too):
 * what has an address is drawn, on its root bus, the rest counted. */
static void malformed_input(void **state)
{
	json_object *run = load("malformed");
	xmlDocPtr doc = svg_of(run, NULL);

	(void)state;
	assert_count(doc, "count(//s:g[@class='device'])", 2);
	assert_count(doc, "count(//s:g[@class='bus'])", 2);
	assert_count(doc, "count(//s:text[. = '4 more not drawn (at most 128 are)'])", 1);
	xmlFreeDoc(doc);
	json_object_put(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden_text),
		cmocka_unit_test(no_topology_no_diagram),
		cmocka_unit_test(svg_is_well_formed),
		cmocka_unit_test(failed_check_outlined_red),
		cmocka_unit_test(split_group),
		cmocka_unit_test(hostile_strings_escaped),
		cmocka_unit_test(huge_guest_is_capped),
		cmocka_unit_test(malformed_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
