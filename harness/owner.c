/* SPDX-License-Identifier: MIT */
#include "owner.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "domain.h"

int lab_owner_self(struct lab_owner *o)
{
	memset(o, 0, sizeof(*o));
	if (gethostname(o->host, sizeof(o->host) - 1) < 0)
		return -1;
	o->pid = (long)getpid();
	return lab_owner_start_time(o->pid, &o->start);
}

int lab_owner_proc_field(long pid, int field, unsigned long long *out)
{
	char path[64], buf[1024];
	const char *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* pid (comm) state ...: comm may hold spaces and parentheses */
	p = strrchr(buf, ')');
	if (!p || field < 3)
		return -1;
	p++;
	/* field 3 (state) is the first after ')' */
	for (int i = 3; i <= field; i++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	*out = strtoull(p, NULL, 10);
	return 0;
}

int lab_owner_start_time(long pid, unsigned long long *start)
{
	return lab_owner_proc_field(pid, 22, start);     /* starttime */
}

int lab_owner_is_lab(long pid, int want_worker)
{
	char path[64], buf[512];
	const char *argv0, *base, *argv1;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 2, f);
	fclose(f);
	buf[n] = buf[n + 1] = '\0';
	argv0 = buf;
	base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
	if (strcmp(base, "iommu-lab"))
		return 0;
	argv1 = argv0 + strlen(argv0) + 1;
	if (argv1 >= buf + n)
		argv1 = "";
	if (want_worker < 0)
		return 1;
	return !strcmp(argv1, "_guest") == !!want_worker;
}

enum lab_owner_state lab_owner_judge(const struct lab_owner *o, const char *host, int exists,
				     unsigned long long start_now)
{
	if (strcmp(o->host, host))
		return LAB_OWNER_ELSEWHERE;
	if (!exists)
		return LAB_OWNER_DEAD;
	/* the pid was reused by a process started later */
	if (o->start && start_now != o->start)
		return LAB_OWNER_DEAD;
	return LAB_OWNER_ALIVE;
}

enum lab_owner_state lab_owner_check(const struct lab_owner *o)
{
	char host[256] = "";
	unsigned long long start = 0;
	int exists = o->pid > 0 && lab_owner_start_time(o->pid, &start) == 0;

	gethostname(host, sizeof(host) - 1);
	return lab_owner_judge(o, host, exists, start);
}

enum lab_owner_state lab_owner_check_worker(long worker_pid)
{
	return worker_pid > 0 && lab_owner_is_lab(worker_pid, 1) ? LAB_OWNER_ALIVE
								 : LAB_OWNER_DEAD;
}

/* "-DIGITS-" at s: the number, or -1. */
static long dashed_number(const char *s)
{
	char *end;
	long v;

	if (s[0] != '-' || !isdigit((unsigned char)s[1]))
		return -1;
	errno = 0;
	v = strtol(s + 1, &end, 10);
	return !errno && *end == '-' && v > 0 ? v : -1;
}

long lab_owner_domain_pid(const char *name)
{
	size_t plen = strlen(LAB_DOMAIN_PREFIX);

	if (strncmp(name, LAB_DOMAIN_PREFIX, plen))
		return -1;
	/* platform names hold dashes (smmuv3-uefi), never a dashed number */
	for (const char *p = strchr(name + plen, '-'); p; p = strchr(p + 1, '-')) {
		long v = dashed_number(p);

		if (v > 0)
			return v;
	}
	return -1;
}

long lab_owner_volume_pid(const char *name, const char *host)
{
	size_t hlen = strlen(host);

	if (strncmp(name, "run-", 4))
		return -1;
	if (strncmp(name + 4, host, hlen) || dashed_number(name + 4 + hlen) < 0)
		return 0;
	return dashed_number(name + 4 + hlen);
}

int lab_owner_from_xml(const char *xml, struct lab_owner *o)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "owner.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNodePtr n = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlChar *host = NULL, *pid = NULL, *start = NULL;
	int rc = -1;

	memset(o, 0, sizeof(*o));
	if (n && !xmlStrcmp(n->name, BAD_CAST "owner")) {
		host = xmlGetProp(n, BAD_CAST "host");
		pid = xmlGetProp(n, BAD_CAST "pid");
		start = xmlGetProp(n, BAD_CAST "start");
	}
	if (host && pid && start && strlen((const char *)host) < sizeof(o->host)) {
		snprintf(o->host, sizeof(o->host), "%s", (const char *)host);
		o->pid = strtol((const char *)pid, NULL, 10);
		o->start = strtoull((const char *)start, NULL, 10);
		rc = o->pid > 0 ? 0 : -1;
	}
	xmlFree(host);
	xmlFree(pid);
	xmlFree(start);
	xmlFreeDoc(doc);
	return rc;
}
