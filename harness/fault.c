/* SPDX-License-Identifier: MIT */
/*
 * IOMMU fault records from kernel log text: the public API of fault.h.
 * Each line is offered to the IOMMU families (fault_intel.c, fault_amd.c,
 * fault_smmuv3.c, fault_smmuv2.c, fault_virtio.c), which hold what is pending between
 * lines and emit records to the store (fault_store.c); this file runs the
 * families' deadlines, attributes "callbacks suppressed" lines, and on
 * finish has every record described (fault_describe.c) and turned into
 * JSON. fault_internal.h says what each file owns.
 */
#include "fault_internal.h"

#include <errno.h>
#include <stdlib.h>

struct lab_fault_parser {
	struct fault_store store;
	void *state[K_COUNT];		/* each family's, fault_family.state_size bytes */
	unsigned long next_deadline;	/* earliest deadline of a pending record, 0 none */
	struct fault_counts counts;
};

/*
 * The families by kind, which is also the order a line is offered to their
 * line and unclaimed hooks: a line two families could take goes to the
 * earlier one.
 */
static const struct fault_family *const families[K_COUNT] = {
	[K_INTEL] = &fault_intel,
	[K_AMD] = &fault_amd,
	[K_SMMUV3] = &fault_smmuv3,
	[K_SMMU] = &fault_smmuv2,
	[K_VIRTIO] = &fault_virtio,
};

/*
 * The order pending records take their next line, expire and are flushed:
 * an Intel header waiting for its reason takes a bare line before a
 * mail-wrapped record does, and a wrapped record before an SMMUv3 record
 * waiting for its dwords; records are emitted in the same order, and that
 * is the order of the output.
 */
static const int pending_order[K_COUNT] = { K_INTEL, K_AMD, K_SMMU, K_SMMUV3, K_VIRTIO };

const struct fault_family *fault_family(int kind)
{
	return families[kind];
}

void fault_emit(struct lab_fault_parser *p, struct fault *f)
{
	fault_store_add(&p->store, f);
}

void fault_set_deadline(struct lab_fault_parser *p, unsigned long d)
{
	if (!p->next_deadline || d < p->next_deadline)
		p->next_deadline = d;
}

void fault_note_status_line(struct lab_fault_parser *p)
{
	p->counts.status_lines++;
}

void fault_pend_append(char *buf, size_t *len, const char *t, size_t n)
{
	size_t room = PEND_TEXT - 1 - *len;	/* bytes left before the NUL */

	if (room < 2)
		return;
	if (n > room - 1)
		n = room - 1;
	buf[(*len)++] = ' ';
	memcpy(buf + *len, t, n);
	*len += n;
	buf[*len] = '\0';
}

void fault_wrap_start(struct lab_fault_parser *p, struct fault_wrap *w, const char *t,
		      size_t n, unsigned long line, int has_ts, double ts)
{
	if (n >= PEND_TEXT)
		n = PEND_TEXT - 1;
	memcpy(w->text, t, n);
	w->text[n] = '\0';
	w->len = n;
	w->line = line;
	w->has_ts = has_ts;
	w->ts = ts;
	w->deadline = line + 2;
	w->active = 1;
	fault_set_deadline(p, w->deadline);
}

int fault_wrap_take(struct fault_wrap *w, const struct lab_klog_record *rec)
{
	if (rec->prefix)
		return 0;
	fault_pend_append(w->text, &w->len, rec->text, rec->len);
	return 1;
}

/* ---- rate limiting --------------------------------------------------------- */

/* "dmar_fault: 893 callbacks suppressed" */
static int suppressed_line(struct lab_fault_parser *p, const char *t, const char *s)
{
	uint64_t n;
	const char *fn = t, *fe = strchr(t, ':');
	int kind = -1;
	size_t fl;

	if (!fe || fe > s)
		return 0;
	while (s > t && s[-1] == ' ')
		s--;
	while (s > t && s[-1] >= '0' && s[-1] <= '9')
		s--;
	if (!parse_dec(s, &n, NULL))
		return 0;
	fl = (size_t)(fe - fn);
	if ((fl == 10 && !memcmp(fn, "dmar_fault", 10)))
		kind = K_INTEL;
	else if (memmem(fn, fl, "amd_iommu", 9) || memmem(fn, fl, "iommu_print_event", 17))
		kind = K_AMD;
	else if (memmem(fn, fl, "arm_smmu_evtq", 13) || memmem(fn, fl, "arm_smmu_dump_event", 19) ||
		 memmem(fn, fl, "arm_smmu_handle_evt", 19))
		kind = K_SMMUV3;
	else if (memmem(fn, fl, "context_fault", 13))
		kind = K_SMMU;
	else if (fl == 20 && !memcmp(fn, "viommu_fault_handler", 20))
		kind = K_VIRTIO;
	if (kind < 0)
		return 0;
	fault_store_add_suppressed(&p->store, kind, (unsigned long)n);
	return 1;
}

/* ---- dispatch ---------------------------------------------------------------- */

/*
 * Expire what waited past `line`. A record a flush here sets pending again
 * (an AMD wrap that turns into a held record) keeps no deadline until the
 * next one is set: the behaviour the decoder always had.
 */
static void check_deadlines(struct lab_fault_parser *p, unsigned long line)
{
	unsigned long next = 0;

	for (int i = 0; i < K_COUNT; i++) {
		int k = pending_order[i];

		if (families[k]->deadline)
			families[k]->deadline(p, p->state[k], line, &next);
	}
	p->next_deadline = next;
}

static void flush_all(struct lab_fault_parser *p)
{
	for (int i = 0; i < K_COUNT; i++) {
		int k = pending_order[i];

		if (families[k]->flush)
			families[k]->flush(p, p->state[k]);
	}
}

struct lab_fault_parser *lab_fault_parser_new(struct lab_error *err)
{
	struct lab_fault_parser *p = calloc(1, sizeof(*p));
	int ok = p && fault_store_init(&p->store) == 0;

	for (int k = 0; ok && k < K_COUNT; k++)
		ok = (p->state[k] = calloc(1, families[k]->state_size)) != NULL;
	if (!ok) {
		lab_fault_parser_free(p);
		lab_error_set_errno(err, ENOMEM, "allocating the fault parser");
		return NULL;
	}
	return p;
}

void lab_fault_parser_free(struct lab_fault_parser *p)
{
	if (!p)
		return;
	fault_store_free(&p->store);
	for (int k = 0; k < K_COUNT; k++)
		free(p->state[k]);
	free(p);
}

/* 1 if a family took the line */
static int offer(struct lab_fault_parser *p, const struct lab_klog_record *rec)
{
	const char *t = rec->text;

	for (int i = 0; i < K_COUNT; i++) {
		int k = pending_order[i];

		if (families[k]->pending && families[k]->pending(p, p->state[k], rec))
			return 1;
	}
	/* "func: N callbacks suppressed" always ends the line */
	if (rec->len > 20 && !memcmp(t + rec->len - 20, "callbacks suppressed", 20) &&
	    suppressed_line(p, t, t + rec->len - 20))
		return 1;
	for (int k = 0; k < K_COUNT; k++)
		if (families[k]->line && families[k]->line(p, p->state[k], rec))
			return 1;
	for (int k = 0; k < K_COUNT; k++)
		if (families[k]->unclaimed && families[k]->unclaimed(p, p->state[k], rec))
			return 1;
	return 0;
}

int lab_fault_parser_feed(struct lab_fault_parser *p, const struct lab_klog_record *rec,
			  struct lab_error *err)
{
	unsigned long last = rec->line + (rec->nlines ? rec->nlines - 1 : 0);

	if (p->store.failed) {
		lab_error_set_errno(err, ENOMEM, "decoding IOMMU faults");
		return -1;
	}
	if (last > p->counts.lines)
		p->counts.lines = last;
	if (rec->truncated)
		p->counts.truncated++;
	if (p->next_deadline && rec->line > p->next_deadline)
		check_deadlines(p, rec->line);
	if (!rec->text || rec->len == 0)
		return 0;
	offer(p, rec);
	if (p->store.failed) {
		lab_error_set_errno(err, ENOMEM, "decoding IOMMU faults");
		return -1;
	}
	return 0;
}

json_object *lab_fault_parser_finish(struct lab_fault_parser *p, struct lab_error *err)
{
	json_object *root, *faults;

	flush_all(p);
	if (!p->store.failed)
		fault_describe(&p->store);
	if (p->store.failed) {
		lab_error_set_errno(err, ENOMEM, "decoding IOMMU faults");
		return NULL;
	}
	root = json_object_new_object();
	faults = json_object_new_array();
	if (!root || !faults) {
		json_object_put(root);
		json_object_put(faults);
		lab_error_set_errno(err, ENOMEM, "building the fault report");
		return NULL;
	}
	fault_store_records_json(&p->store, faults);
	jadd(root, "faults", faults);
	jadd(root, "summary", fault_store_summary_json(&p->store, &p->counts));
	return root;
}

static json_object *parse_klog(struct lab_klog *k, struct lab_error *err)
{
	struct lab_fault_parser *p = lab_fault_parser_new(err);
	struct lab_klog_record rec;
	json_object *o = NULL;
	int r;

	if (!p)
		return NULL;
	while ((r = lab_klog_next(k, &rec, err)) > 0)
		if (lab_fault_parser_feed(p, &rec, err) < 0)
			goto out;
	if (r < 0)
		goto out;
	o = lab_fault_parser_finish(p, err);
out:
	lab_fault_parser_free(p);
	return o;
}

json_object *lab_fault_parse_file(FILE *f, struct lab_error *err)
{
	struct lab_klog *k = lab_klog_new_file(f, err);
	json_object *o;

	if (!k)
		return NULL;
	o = parse_klog(k, err);
	lab_klog_free(k);
	return o;
}

json_object *lab_fault_parse_buffer(const void *buf, size_t len, struct lab_error *err)
{
	struct lab_klog *k = lab_klog_new_buffer(buf, len, err);
	json_object *o;

	if (!k)
		return NULL;
	o = parse_klog(k, err);
	lab_klog_free(k);
	return o;
}
