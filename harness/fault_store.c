/* SPDX-License-Identifier: MIT */
/*
 * The fault record store: a record per distinct key (struct fkey), found
 * through an open-addressing hash table; identical faults fold into one
 * record's count, lines and timestamps. Past LAB_FAULT_MAX_RECORDS records,
 * new keys lose their address, then their device, then all but the event
 * (the record's level). Records keep the order they were first seen, which
 * is the order of the JSON. "callbacks suppressed" counts go to the last
 * record of their family. The store does not describe records: see
 * fault_describe.c.
 */
#include "fault_internal.h"

#include <stdlib.h>

#define TABLE_BITS 15		/* hash slots: 32768 >= 2 * all records */
#define MAX_LEVEL2 1024		/* records folded without device */

int fault_store_init(struct fault_store *s)
{
	memset(s, 0, sizeof(*s));
	s->table = calloc((size_t)1 << TABLE_BITS, sizeof(*s->table));
	s->hashes = calloc((size_t)1 << TABLE_BITS, sizeof(*s->hashes));
	for (int k = 0; k < K_COUNT; k++)
		s->last_rec[k] = -1;
	return s->table && s->hashes ? 0 : -1;
}

void fault_store_free(struct fault_store *s)
{
	for (size_t i = 0; i < s->nrecs; i++) {
		json_object_put(s->recs[i].decoded);
		json_object_put(s->recs[i].evidence);
		free(s->recs[i].meaning);
	}
	free(s->recs);
	free(s->table);
	free(s->hashes);
}

static uint64_t key_hash(const struct fkey *k)
{
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i + 8 <= sizeof(*k); i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h = (h ^ w) * 1099511628211ULL;
		h ^= h >> 29;
	}
	for (size_t i = sizeof(*k) & ~(size_t)7; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h ^ (h >> 32);
}

static long table_find(struct fault_store *s, const struct fkey *k, size_t *slot,
		       uint32_t *hash)
{
	size_t mask = ((size_t)1 << TABLE_BITS) - 1;
	uint64_t h = key_hash(k);
	size_t i = h & mask;

	*hash = (uint32_t)(h >> 32);
	for (;;) {
		uint32_t v = s->table[i];

		if (!v) {
			*slot = i;
			return -1;
		}
		if (s->hashes[i] == *hash && !memcmp(&s->recs[v - 1].key, k, sizeof(*k)))
			return (long)v - 1;
		i = (i + 1) & mask;
	}
}

/* a normalised key: zero everything not set so equal faults compare equal */
static void key_normalise(struct fkey *k)
{
	if (!k->has_code)
		k->code = 0;
	if (!k->has_dev)
		k->dev = 0;
	if (!k->has_sid)
		k->sid = 0;
	if (!k->has_addr)
		k->addr = 0;
}

static long record_insert(struct fault_store *s, const struct fkey *k, int level,
			  const struct fault *f, size_t slot, uint32_t hash)
{
	struct record *r;

	if (s->nrecs == s->caprecs) {
		size_t cap = s->caprecs ? s->caprecs * 2 : 64;
		struct record *n = realloc(s->recs, cap * sizeof(*n));

		if (!n) {
			s->failed = 1;
			return -1;
		}
		s->recs = n;
		s->caprecs = cap;
	}
	r = &s->recs[s->nrecs];
	memset(r, 0, sizeof(*r));
	r->key = *k;
	r->level = level;
	r->first = *f;
	s->table[slot] = (uint32_t)(s->nrecs + 1);
	s->hashes[slot] = hash;
	s->nlevel[level]++;
	return (long)s->nrecs++;
}

/*
 * "callbacks suppressed" counts messages a rate limit dropped: they are
 * attributed to the last fault record of the family, not to status,
 * overflow or error summaries printed by the same handler.
 */
static int takes_suppressed(const char *event)
{
	static const char *const no[] = {
		"FAULT_STATUS", "EVENT_LOG_OVERFLOW", "EVTQ_OVERFLOW", "PRIQ_OVERFLOW",
		"GERROR", "CMDQ_ERROR", "COMPLETION_WAIT_TIMEOUT",
	};

	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!strcmp(event, no[i]))
			return 0;
	return 1;
}

void fault_store_add(struct fault_store *s, struct fault *f)
{
	struct fkey k;
	struct record *r;
	size_t slot;
	uint32_t hash;
	long idx;
	int level = 0;

	if (s->failed)
		return;
	key_normalise(&f->k);
	k = f->k;
	idx = table_find(s, &k, &slot, &hash);
	if (idx < 0 && s->nlevel[0] >= LAB_FAULT_MAX_RECORDS) {
		level = 1;
		k.has_addr = 0;
		k.addr = 0;
		idx = table_find(s, &k, &slot, &hash);
		if (idx < 0 && s->nlevel[1] >= LAB_FAULT_MAX_RECORDS) {
			level = 2;
			k.has_dev = k.has_sid = 0;
			k.dev = k.sid = 0;
			memset(k.x, 0, sizeof(k.x));
			memset(k.inst, 0, sizeof(k.inst));
			idx = table_find(s, &k, &slot, &hash);
			if (idx < 0 && s->nlevel[2] >= MAX_LEVEL2) {
				level = 3;
				k.has_code = 0;
				k.code = 0;
				k.access = 0;
				idx = table_find(s, &k, &slot, &hash);
			}
		}
	}
	if (idx < 0) {
		idx = record_insert(s, &k, level, f, slot, hash);
		if (idx < 0)
			return;
	}
	r = &s->recs[idx];
	if (r->level)
		s->folded[r->level]++;
	r->count++;
	if (r->nlines < LAB_FAULT_MAX_LINES)
		r->lines[r->nlines++] = f->line;
	else
		r->lines_omitted++;
	if (f->has_ts) {
		if (!r->has_ts || f->ts < r->first_ts)
			r->first_ts = f->ts;
		if (!r->has_ts || f->ts > r->last_ts)
			r->last_ts = f->ts;
		r->has_ts = 1;
	}
	if (!takes_suppressed(f->k.event))
		return;
	if (s->pending_suppressed[f->k.kind]) {
		r->count += s->pending_suppressed[f->k.kind];
		r->suppressed += s->pending_suppressed[f->k.kind];
		s->pending_suppressed[f->k.kind] = 0;
	}
	s->last_rec[f->k.kind] = idx;
}

void fault_store_add_suppressed(struct fault_store *s, int kind, unsigned long n)
{
	s->suppressed[kind] += n;
	if (s->last_rec[kind] >= 0) {
		struct record *r = &s->recs[s->last_rec[kind]];

		r->count += n;
		r->suppressed += n;
	} else {
		s->pending_suppressed[kind] += n;
	}
}

/* ---- JSON ------------------------------------------------------------------- */

static json_object *record_json(const struct record *r)
{
	const struct fkey *k = &r->key;
	json_object *o = json_object_new_object(), *lines;
	char buf[32];

	jadd(o, "iommu", json_object_new_string(fault_family(k->kind)->name));
	jadd(o, "event", json_object_new_string(k->event));
	jadd(o, "code", k->has_code ? json_object_new_int64(k->code) : NULL);
	if (k->has_dev) {
		dev_string(buf, sizeof(buf), k->dev);
		jadd(o, "device", json_object_new_string(buf));
	} else {
		jadd(o, "device", NULL);
	}
	jadd(o, "stream_id", k->has_sid ? json_object_new_int64((int64_t)k->sid) : NULL);
	jadd(o, "address", k->has_addr ? jhex(k->addr) : NULL);
	jadd(o, "access", k->access == ACC_READ ? json_object_new_string("read") :
	     k->access == ACC_WRITE ? json_object_new_string("write") : NULL);
	jadd(o, "count", json_object_new_int64((int64_t)r->count));
	lines = json_object_new_array();
	for (unsigned i = 0; i < r->nlines; i++)
		json_object_array_add(lines, json_object_new_int64((int64_t)r->lines[i]));
	jadd(o, "lines", lines);
	if (r->lines_omitted)
		jadd(o, "lines_omitted", json_object_new_int64((int64_t)r->lines_omitted));
	jadd(o, "meaning", json_object_new_string(r->meaning ? r->meaning : ""));
	jadd(o, "likely_cause", json_object_new_string(r->likely_cause));
	jadd(o, "evidence", json_object_get(r->evidence));
	if (r->has_ts) {
		/* the value is the printed one, so it survives a JSON round trip */
		snprintf(buf, sizeof(buf), "%.6f", r->first_ts);
		jadd(o, "first_seen", json_object_new_double_s(strtod(buf, NULL), buf));
	}
	if (r->suppressed)
		jadd(o, "suppressed", json_object_new_int64((int64_t)r->suppressed));
	jadd(o, "decoded", json_object_get(r->decoded));
	return o;
}

void fault_store_records_json(const struct fault_store *s, json_object *faults)
{
	for (size_t i = 0; i < s->nrecs; i++)
		json_object_array_add(faults, record_json(&s->recs[i]));
}

static int cmp_dev(const void *a, const void *b)
{
	json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
	json_object *cx, *cy, *dx, *dy;
	int64_t nx, ny;

	json_object_object_get_ex(x, "count", &cx);
	json_object_object_get_ex(y, "count", &cy);
	nx = json_object_get_int64(cx);
	ny = json_object_get_int64(cy);
	if (nx != ny)
		return nx > ny ? -1 : 1;
	json_object_object_get_ex(x, "device", &dx);
	json_object_object_get_ex(y, "device", &dy);
	return strcmp(json_object_get_string(dx), json_object_get_string(dy));
}

static void bump(json_object *o, const char *key, int64_t n)
{
	json_object *v;

	if (json_object_object_get_ex(o, key, &v))
		json_object_set_int64(v, json_object_get_int64(v) + n);
	else
		jadd(o, key, json_object_new_int64(n));
}

json_object *fault_store_summary_json(const struct fault_store *s, const struct fault_counts *c)
{
	json_object *o = json_object_new_object(), *by_iommu = json_object_new_object();
	json_object *by_event = json_object_new_object(), *devs = json_object_new_object();
	json_object *devlist = json_object_new_array(), *sup = json_object_new_object();
	uint64_t total = 0, unattributed = 0;
	char buf[32];

	for (size_t i = 0; i < s->nrecs; i++) {
		const struct record *r = &s->recs[i];

		total += r->count;
		bump(by_iommu, fault_family(r->key.kind)->name, (int64_t)r->count);
		bump(by_event, r->key.event, (int64_t)r->count);
		if (r->key.has_dev) {
			dev_string(buf, sizeof(buf), r->key.dev);
			bump(devs, buf, (int64_t)r->count);
		}
	}
	json_object_object_foreach(devs, dk, dv) {
		json_object *e = json_object_new_object();

		jadd(e, "device", json_object_new_string(dk));
		jadd(e, "count", json_object_get(dv));
		json_object_array_add(devlist, e);
	}
	json_object_array_sort(devlist, cmp_dev);
	json_object_put(devs);
	for (int k = 0; k < K_COUNT; k++) {
		if (s->suppressed[k])
			jadd(sup, fault_family(k)->name,
			     json_object_new_int64((int64_t)s->suppressed[k]));
		unattributed += s->pending_suppressed[k];
	}
	jadd(o, "lines", json_object_new_int64((int64_t)c->lines));
	jadd(o, "lines_truncated", json_object_new_int64((int64_t)c->truncated));
	jadd(o, "records", json_object_new_int64((int64_t)total));
	jadd(o, "distinct", json_object_new_int64((int64_t)s->nrecs));
	jadd(o, "by_iommu", by_iommu);
	jadd(o, "by_event", by_event);
	jadd(o, "devices", devlist);
	jadd(o, "suppressed", sup);
	jadd(o, "suppressed_unattributed", json_object_new_int64((int64_t)unattributed));
	jadd(o, "intel_status_only_lines", json_object_new_int64((int64_t)c->status_lines));
	jadd(o, "folded_without_address", json_object_new_int64((int64_t)s->folded[1]));
	jadd(o, "folded_without_device", json_object_new_int64((int64_t)s->folded[2]));
	jadd(o, "folded_to_event", json_object_new_int64((int64_t)s->folded[3]));
	return o;
}
