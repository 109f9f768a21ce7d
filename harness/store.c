/* SPDX-License-Identifier: MIT */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <libvirt/virterror.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "cleanup.h"
#include "proc.h"

#define CAS_HEX 24                 /* of the SHA-256's 64 */
#define CHUNK (256 << 10)

static int vfail(struct lab_error *err, const char *fmt, const char *what)
{
	lab_error_set(err, fmt, what, virGetLastErrorMessage());
	return -1;
}

/* ---- XML documents for libvirt (libxml2, never by hand) ---------------------- */

static xmlNodePtr add(xmlNodePtr parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
}

static char *dump(xmlDocPtr doc)
{
	xmlChar *buf = NULL;
	int len = 0;
	char *s;

	xmlDocDumpMemory(doc, &buf, &len);
	s = buf ? strdup((const char *)buf) : NULL;
	xmlFree(buf);
	xmlFreeDoc(doc);
	return s;
}

static char *pool_xml(const char *dir)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr pool = xmlNewNode(NULL, BAD_CAST "pool"), target, perm;

	xmlDocSetRootElement(doc, pool);
	xmlNewProp(pool, BAD_CAST "type", BAD_CAST "dir");
	add(pool, "name", LAB_STORE_POOL);
	target = add(pool, "target", NULL);
	add(target, "path", dir);
	/* QEMU (libvirt-qemu) must enter it */
	perm = add(target, "permissions", NULL);
	add(perm, "mode", "0755");
	return dump(doc);
}

/* A volume: raw and empty (an upload fills it) or a qcow2 overlay of base. */
static char *volume_xml(const struct lab_store *st, const char *name, long long capacity,
			const char *base)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr vol = xmlNewNode(NULL, BAD_CAST "volume"), n, target;
	char num[32];

	xmlDocSetRootElement(doc, vol);
	add(vol, "name", name);
	snprintf(num, sizeof(num), "%lld", capacity);
	n = add(vol, "capacity", num);
	xmlNewProp(n, BAD_CAST "unit", BAD_CAST "bytes");
	n = add(vol, "allocation", "0");
	xmlNewProp(n, BAD_CAST "unit", BAD_CAST "bytes");
	target = add(vol, "target", NULL);
	n = add(target, "format", NULL);
	xmlNewProp(n, BAD_CAST "type", BAD_CAST(base ? "qcow2" : "raw"));
	n = add(target, "permissions", NULL);
	add(n, "mode", base ? "0600" : "0644");
	if (base && st->qemu_uid >= 0) {
		/* QEMU writes it as itself; libvirt does not relabel our disks */
		snprintf(num, sizeof(num), "%ld", st->qemu_uid);
		add(n, "owner", num);
		snprintf(num, sizeof(num), "%ld", st->qemu_gid);
		add(n, "group", num);
	}
	if (base) {
		n = add(vol, "backingStore", NULL);
		add(n, "path", base);
		n = add(n, "format", NULL);
		xmlNewProp(n, BAD_CAST "type", BAD_CAST "qcow2");
	}
	return dump(doc);
}

/* ---- the pool ---------------------------------------------------------------- */

/* The host's QEMU user from its capabilities: the DAC model's baselabel
 * for qemu domains, "+UID:+GID". */
static void qemu_user(struct lab_store *st)
{
	char *caps = virConnectGetCapabilities(st->conn);
	xmlDocPtr doc = caps ? xmlReadMemory(caps, (int)strlen(caps), "caps.xml", NULL,
					     XML_PARSE_NONET | XML_PARSE_NOERROR |
					     XML_PARSE_NOWARNING) : NULL;
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr o = ctx ? xmlXPathEvalExpression(
		BAD_CAST "string(/capabilities/host/secmodel[model='dac']/baselabel[@type='qemu'])",
		ctx) : NULL;

	st->qemu_uid = st->qemu_gid = -1;
	if (o && o->stringval &&
	    sscanf((const char *)o->stringval, "+%ld:+%ld", &st->qemu_uid, &st->qemu_gid) != 2)
		st->qemu_uid = st->qemu_gid = -1;
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	free(caps);
}

int lab_store_open(virConnectPtr conn, const char *dir, struct lab_store *st,
		   struct lab_error *err)
{
	st->conn = conn;
	qemu_user(st);
	st->pool = virStoragePoolLookupByName(conn, LAB_STORE_POOL);
	if (!st->pool) {
		lab_autofree char *xml = pool_xml(dir);

		st->pool = virStoragePoolDefineXML(conn, xml, 0);
		/* another lab may have defined it meanwhile */
		if (!st->pool)
			st->pool = virStoragePoolLookupByName(conn, LAB_STORE_POOL);
		if (!st->pool)
			return vfail(err, "defining storage pool " LAB_STORE_POOL " at %s: %s", dir);
		if (virStoragePoolBuild(st->pool, 0) < 0) {
			vfail(err, "building storage pool " LAB_STORE_POOL " at %s: %s", dir);
			lab_store_close(st);
			return -1;
		}
	}
	if (virStoragePoolIsActive(st->pool) != 1 && virStoragePoolCreate(st->pool, 0) < 0 &&
	    virStoragePoolIsActive(st->pool) != 1) {
		vfail(err, "starting storage pool " LAB_STORE_POOL " (%s): %s", dir);
		lab_store_close(st);
		return -1;
	}
	/* volumes another lab (or another run of this one) left there */
	virStoragePoolRefresh(st->pool, 0);
	return 0;
}

void lab_store_close(struct lab_store *st)
{
	if (st->pool)
		virStoragePoolFree(st->pool);
	st->pool = NULL;
}

/* ---- artefacts by content -------------------------------------------------------- */

/* Only what is safe in a file name and a domain XML path; '-' too when
 * dash (not in the fields of a run's prefix, which '-' separates). */
static void sanitise(char *out, size_t len, const char *in, int dash)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < len; i++) {
		char c = in[i];

		out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '.' || c == '_' || (dash && c == '-') ? c : '_';
	}
	if (len)
		out[i] = '\0';
}

int lab_store_cas_name(const char *file, char *name, size_t len, struct lab_error *err)
{
	unsigned char digest[32], *buf;
	gnutls_hash_hd_t h;
	const char *base = strrchr(file, '/');
	char clean[128];
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		lab_error_set_errno(err, errno, "opening %s", file);
		return -1;
	}
	buf = malloc(CHUNK);
	if (!buf || gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0) {
		lab_error_set(err, "hashing %s: out of memory", file);
		free(buf);
		close(fd);
		return -1;
	}
	while ((n = read(fd, buf, CHUNK)) > 0)
		gnutls_hash(h, buf, (size_t)n);
	gnutls_hash_deinit(h, digest);
	free(buf);
	close(fd);
	if (n < 0) {
		lab_error_set_errno(err, errno, "reading %s", file);
		return -1;
	}
	sanitise(clean, sizeof(clean), base ? base + 1 : file, 1);
	snprintf(name, len, "cas-");
	for (size_t i = 0; i < CAS_HEX / 2; i++)
		snprintf(name + 4 + 2 * i, len - 4 - 2 * i, "%02x", digest[i]);
	snprintf(name + 4 + CAS_HEX, len - 4 - CAS_HEX, "-%s", clean);
	return 0;
}

static int send_file(virStreamPtr st, char *data, size_t nbytes, void *opaque)
{
	(void)st;
	return (int)read(*(int *)opaque, data, nbytes);
}

static int recv_file(virStreamPtr st, const char *data, size_t nbytes, void *opaque)
{
	size_t done = 0;

	(void)st;
	while (done < nbytes) {
		ssize_t n = write(*(int *)opaque, data + done, nbytes - done);

		if (n < 0)
			return -1;
		done += (size_t)n;
	}
	return (int)nbytes;
}

/* Upload file (size bytes) into the empty volume vol. */
static int upload(struct lab_store *st, virStorageVolPtr vol, const char *file, long long size,
		  struct lab_error *err)
{
	virStreamPtr s = virStreamNew(st->conn, 0);
	int fd = open(file, O_RDONLY | O_CLOEXEC), rc = -1;

	if (fd < 0) {
		lab_error_set_errno(err, errno, "opening %s", file);
		goto out;
	}
	if (!s || virStorageVolUpload(vol, s, 0, (unsigned long long)size, 0) < 0) {
		vfail(err, "uploading %s: %s", file);
		goto out;
	}
	if (virStreamSendAll(s, send_file, &fd) < 0) {
		vfail(err, "uploading %s: %s", file);
		virStreamAbort(s);
		goto out;
	}
	if (virStreamFinish(s) < 0) {
		vfail(err, "uploading %s: %s", file);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (s)
		virStreamFree(s);
	return rc;
}

/* The volume's size on the host's disk (its file), or -1. */
static long long physical(virStorageVolPtr vol)
{
	virStorageVolInfo info;

	if (virStorageVolGetInfoFlags(vol, &info, VIR_STORAGE_VOL_GET_PHYSICAL) < 0)
		return -1;
	return (long long)info.allocation;
}

static int vol_path(virStorageVolPtr vol, char *path, size_t len, struct lab_error *err)
{
	char *p = virStorageVolGetPath(vol);

	if (!p)
		return vfail(err, "the path of volume %s: %s", virStorageVolGetName(vol));
	snprintf(path, len, "%s", p);
	free(p);
	return 0;
}

int lab_store_put(struct lab_store *st, const char *file, char *path, size_t len,
		  long long *sent, struct lab_error *err)
{
	char name[192];
	struct stat sb;
	virStorageVolPtr vol;
	lab_autofree char *xml = NULL;
	int rc;

	*sent = 0;
	if (stat(file, &sb) < 0) {
		lab_error_set_errno(err, errno, "%s", file);
		return -1;
	}
	if (lab_store_cas_name(file, name, sizeof(name), err) < 0)
		return -1;
	vol = virStorageVolLookupByName(st->pool, name);
	if (vol && physical(vol) == (long long)sb.st_size) {
		rc = vol_path(vol, path, len, err);
		virStorageVolFree(vol);
		return rc;
	}
	if (vol) {
		/* an upload that did not finish: the name is the content's, the
		 * size is not yet */
		virStorageVolDelete(vol, 0);
		virStorageVolFree(vol);
	}
	/* empty: the file's size on the host is the bytes that arrived */
	xml = volume_xml(st, name, 0, NULL);
	vol = virStorageVolCreateXML(st->pool, xml, 0);
	if (!vol)
		return vfail(err, "creating volume %s: %s", name);
	if (upload(st, vol, file, (long long)sb.st_size, err) < 0 ||
	    physical(vol) != (long long)sb.st_size) {
		if (!err || !err->set)
			lab_error_set(err, "uploading %s: the volume's size is not the file's", file);
		virStorageVolDelete(vol, 0);
		virStorageVolFree(vol);
		return -1;
	}
	*sent = (long long)sb.st_size;
	rc = vol_path(vol, path, len, err);
	virStorageVolFree(vol);
	return rc;
}

/* ---- a run's volumes ------------------------------------------------------------ */

void lab_store_run_host(char *out, size_t len, const char *hostname)
{
	sanitise(out, len, hostname, 0);
}

void lab_store_run_prefix(char *out, size_t len, const char *hostname, pid_t pid,
			  const char *run)
{
	char h[64], r[160];

	lab_store_run_host(h, sizeof(h), hostname);
	sanitise(r, sizeof(r), run, 0);
	snprintf(out, len, "run-%s-%ld-%s", h, (long)pid, r);
}

static virStorageVolPtr lookup_path(struct lab_store *st, const char *path)
{
	const char *name = strrchr(path, '/');

	/* a dir pool's volume is named as its file */
	return virStorageVolLookupByName(st->pool, name ? name + 1 : path);
}

int lab_store_disk_set_make(struct lab_store *st, const struct lab_store_run *r,
			    struct lab_disk_set *s, struct lab_error *err)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < LAB_DISK_SET_N; i++) {
		char name[256], path[PATH_MAX];
		lab_autofree char *xml = NULL;
		virStorageVolPtr vol;

		snprintf(name, sizeof(name), "%s-%s", r->prefix, lab_disk_set_name(i));
		/* a volume of that name is a leftover of this same run (the pid is ours) */
		vol = virStorageVolLookupByName(st->pool, name);
		if (vol) {
			virStorageVolDelete(vol, 0);
			virStorageVolFree(vol);
		}
		xml = volume_xml(st, name, LAB_DISK_SIZE, r->disk_base);
		vol = virStorageVolCreateXML(st->pool, xml, 0);
		if (!vol || vol_path(vol, path, sizeof(path), err) < 0) {
			if (!vol)
				vfail(err, "creating overlay volume %s: %s", name);
			else
				virStorageVolFree(vol);
			lab_store_disk_set_clear(st, s, 0);
			return -1;
		}
		virStorageVolFree(vol);
		lab_disk_set_add(s, i, strdup(path));
	}
	return 0;
}

void lab_store_disk_set_clear(struct lab_store *st, struct lab_disk_set *s, int keep)
{
	for (size_t i = 0; !keep && i < s->n; i++) {
		virStorageVolPtr vol = lookup_path(st, s->paths[i]);

		if (vol) {
			virStorageVolDelete(vol, 0);
			virStorageVolFree(vol);
		}
	}
	/* the paths are the host's: nothing to unlink here */
	lab_disk_set_clear(s, 1);
}

int lab_store_download(struct lab_store *st, const char *volpath, const char *file,
		       struct lab_error *err)
{
	virStorageVolPtr vol = lookup_path(st, volpath);
	virStreamPtr s = NULL;
	int fd = -1, rc = -1;

	if (!vol)
		return vfail(err, "volume %s: %s", volpath);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		lab_error_set_errno(err, errno, "creating %s", file);
		goto out;
	}
	s = virStreamNew(st->conn, 0);
	if (!s || virStorageVolDownload(vol, s, 0, 0, 0) < 0 ||
	    virStreamRecvAll(s, recv_file, &fd) < 0) {
		vfail(err, "downloading %s: %s", volpath);
		if (s)
			virStreamAbort(s);
		goto out;
	}
	if (virStreamFinish(s) < 0) {
		vfail(err, "downloading %s: %s", volpath);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0 && close(fd) < 0 && rc == 0) {
		lab_error_set_errno(err, errno, "writing %s", file);
		rc = -1;
	}
	if (rc < 0)
		unlink(file);
	if (s)
		virStreamFree(s);
	virStorageVolFree(vol);
	return rc;
}

int lab_store_fetch_overlay(struct lab_store *st, const char *volpath, const char *local_base,
			    const char *file, struct lab_error *err)
{
	char *argv[] = { "qemu-img", "rebase", "-u", "-f", "qcow2", "-b", (char *)local_base,
			 "-F", "qcow2", (char *)file, NULL };
	lab_autofree char *out = NULL;
	int status = 0;

	if (lab_store_download(st, volpath, file, err) < 0)
		return -1;
	/* only the header's backing file name changes (-u): the content is the
	 * same base, at the lab machine's path */
	out = lab_proc_capture(argv, 4096, &status, err);
	if (!out)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		lab_error_set(err, "qemu-img rebase -u %s: %s", file, out);
		return -1;
	}
	return 0;
}
