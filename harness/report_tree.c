/* SPDX-License-Identifier: MIT */
/*
 * The trees behind the JUnit XML and the HTML page: libxml2 elements, text
 * and attributes, every value cleaned on the way in and escaped by libxml2
 * on the way out, a failed allocation remembered for the writer to report
 * once; then the tree serialised and written to its file atomically.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include "file.h"
#include "report_internal.h"

/* ---- building trees with libxml2 ------------------------------------------ */

xmlNodePtr rpt_new_tree(struct rpt_tree *t, const char *tag, int html, const char *path,
			struct lab_error *err)
{
	xmlNodePtr root = NULL;

	t->doc = html ? htmlNewDocNoDtD(NULL, NULL) : xmlNewDoc(BAD_CAST "1.0");
	t->oom = 0;
	if (t->doc && html)
		xmlCreateIntSubset(t->doc, BAD_CAST "html", NULL, NULL);
	if (t->doc)
		root = xmlNewDocNode(t->doc, NULL, BAD_CAST tag, NULL);
	if (!root) {
		xmlFreeDoc(t->doc);
		t->doc = NULL;
		lab_error_set_errno(err, ENOMEM, "building %s", path);
		return NULL;
	}
	xmlDocSetRootElement(t->doc, root);
	return root;
}

int rpt_save_tree(struct rpt_tree *t, const char *path, int html, struct lab_error *err)
{
	xmlChar *mem = NULL;
	int size = 0, rc;

	if (!t->oom && html)
		htmlDocDumpMemoryFormat(t->doc, &mem, &size, 1);
	else if (!t->oom)
		xmlDocDumpFormatMemoryEnc(t->doc, &mem, &size, "UTF-8", 1);
	xmlFreeDoc(t->doc);
	t->doc = NULL;
	if (!mem) {
		lab_error_set_errno(err, ENOMEM, "building %s", path);
		return -1;
	}
	rc = lab_file_write(path, mem, size, 0666, err);
	xmlFree(mem);
	return rc;
}

xmlNodePtr rpt_el(struct rpt_tree *t, xmlNodePtr parent, const char *tag, const char *cls)
{
	xmlNodePtr n;

	if (!parent) {
		t->oom = 1;
		return NULL;
	}
	n = xmlNewDocNode(t->doc, NULL, BAD_CAST tag, NULL);
	if (!n || !xmlAddChild(parent, n)) {
		xmlFreeNode(n);
		t->oom = 1;
		return NULL;
	}
	if (cls && !xmlNewProp(n, BAD_CAST "class", BAD_CAST cls))
		t->oom = 1;
	return n;
}

void rpt_text_own(struct rpt_tree *t, xmlNodePtr parent, char *s)
{
	xmlNodePtr n;

	if (!parent || !s) {
		t->oom = 1;
		free(s);
		return;
	}
	n = xmlNewDocText(t->doc, BAD_CAST s);
	free(s);
	if (!n || !xmlAddChild(parent, n)) {
		xmlFreeNode(n);
		t->oom = 1;
	}
}

void rpt_text(struct rpt_tree *t, xmlNodePtr parent, const char *s)
{
	rpt_text_own(t, parent, rpt_clean(s, 0));
}

/* vasprintf, noting a failure in the tree; NULL then. */
static char *vformat(struct rpt_tree *t, const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0) {
		t->oom = 1;
		return NULL;
	}
	return s;
}

void rpt_textf(struct rpt_tree *t, xmlNodePtr parent, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vformat(t, fmt, ap);
	va_end(ap);
	if (s)
		rpt_text(t, parent, s);
	free(s);
}

xmlNodePtr rpt_el_text(struct rpt_tree *t, xmlNodePtr parent, const char *tag, const char *cls,
		       const char *s)
{
	xmlNodePtr n = rpt_el(t, parent, tag, cls);

	rpt_text(t, n, s);
	return n;
}

void rpt_attr_own(struct rpt_tree *t, xmlNodePtr n, const char *name, char *value)
{
	if (!n || !value || !xmlSetProp(n, BAD_CAST name, BAD_CAST value))
		t->oom = 1;
	free(value);
}

void rpt_attr(struct rpt_tree *t, xmlNodePtr n, const char *name, const char *value)
{
	rpt_attr_own(t, n, name, rpt_clean(value, 0));
}

void rpt_attrf(struct rpt_tree *t, xmlNodePtr n, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vformat(t, fmt, ap);
	va_end(ap);
	if (s)
		rpt_attr(t, n, name, s);
	free(s);
}
