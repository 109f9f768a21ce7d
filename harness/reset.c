/* SPDX-License-Identifier: MIT */
#include "reset.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "cleanup.h"
#include "clock.h"
#include "jsonval.h"
#include "observation.h"
#include "probe_result.h"

#define DIFFERENCES_MAX 32     /* then "... and N more" */

enum phase {
	HELLO,           /* which boot this is */
	KMSG,            /* the first boot's log, before it is gone */
	RESET,           /* virDomainReset, or the agent's reboot */
	WAIT,            /* hello until the new boot answers */
	BIND,            /* the devices to vfio-pci again */
	COLLECT,         /* and compared */
	DMA,             /* one round trip on the test device */
	DONE,
};

void lab_reset_init(struct lab_reset *rs, const char *how, json_object *targets,
		    const char *device, const char *dma_mask, json_object *first)
{
	memset(rs, 0, sizeof(*rs));
	snprintf(rs->how, sizeof(rs->how), "%s", how);
	rs->targets = targets;
	snprintf(rs->device, sizeof(rs->device), "%s", device);
	snprintf(rs->dma_mask, sizeof(rs->dma_mask), "%s", dma_mask ? dma_mask : "");
	rs->first = json_object_get(first);
	rs->result = json_object_new_object();
	json_object_object_add(rs->result, "how", json_object_new_string(how));
	json_object_object_add(rs->result, "rebooted", json_object_new_boolean(0));
	json_object_object_add(rs->result, "boot_s", NULL);
	json_object_object_add(rs->result, "groups_same", NULL);
	json_object_object_add(rs->result, "types_same", NULL);
	json_object_object_add(rs->result, "differences", json_object_new_array());
	json_object_object_add(rs->result, "round_trip", NULL);
	json_object_object_add(rs->result, "reset_events", json_object_new_int(0));
	json_object_object_add(rs->result, "error", NULL);
}

static void put(struct lab_reset *rs, const char *key, json_object *v)
{
	json_object_object_add(rs->result, key, v);
}

/* The first failure is the probe's error, and its end. */
static void fail(struct lab_reset *rs, const char *what, const char *why)
{
	lab_probe_result_fail(rs->result, what, why);
	rs->phase = DONE;
}

static json_object *dma_args(const struct lab_reset *rs)
{
	json_object *a = json_object_new_object();

	json_object_object_add(a, "mode", json_object_new_string("vfio"));
	json_object_object_add(a, "direction", json_object_new_string("write"));
	json_object_object_add(a, "size", json_object_new_int(64));
	json_object_object_add(a, "iova", json_object_new_string("0x100000"));
	json_object_object_add(a, "map", json_object_new_boolean(1));
	json_object_object_add(a, "device", json_object_new_string(rs->device));
	if (rs->dma_mask[0])
		json_object_object_add(a, "dma_mask", json_object_new_string(rs->dma_mask));
	return a;
}

void lab_reset_next(struct lab_reset *rs, virDomainPtr dom, const char **execute,
		    json_object **args)
{
	*execute = NULL;
	*args = NULL;
	switch ((enum phase)rs->phase) {
	case HELLO:
		*execute = "hello";
		return;
	case KMSG:
		*execute = "kmsg";
		*args = json_object_new_object();
		json_object_object_add(*args, "since", json_object_new_int(0));
		json_object_object_add(*args, "max", json_object_new_int(20000));
		return;
	case RESET:
		rs->reset_at = lab_clock_now();
		if (!strcmp(rs->how, "reboot")) {
			*execute = "reboot";    /* it answers, then reboots */
			return;
		}
		/* QEMU's system_reset: the request is queued and the machine
		 * resets on QEMU's next main-loop turn, so the hello below may
		 * yet reach the old boot (its boot_id tells) */
		if (virDomainReset(dom, 0) < 0) {
			fail(rs, "virDomainReset", virGetLastErrorMessage());
			break;
		}
		rs->gone = 1;
		rs->phase = WAIT;
		*execute = "hello";
		return;
	case WAIT:
		*execute = "hello";
		return;
	case BIND:
		if (rs->bind_index < lab_jsonval_len(rs->targets)) {
			*execute = "bind";
			*args = json_object_new_object();
			json_object_object_add(*args, "device", json_object_get(
				json_object_array_get_idx(rs->targets, rs->bind_index)));
			json_object_object_add(*args, "driver", json_object_new_string("vfio-pci"));
			return;
		}
		rs->phase = COLLECT;
		/* fall through */
	case COLLECT:
		*execute = "collect";
		return;
	case DMA:
		*execute = "dma";
		*args = dma_args(rs);
		return;
	case DONE:
		break;
	}
	rs->phase = DONE;
	rs->done = 1;
}

/* The new boot's collect against the first's: the comparison's keys into
 * the result. */
static void compared(struct lab_reset *rs, json_object *collect)
{
	lab_autojson json_object *cmp = lab_reset_compare(rs->first, collect);

	json_object_object_foreach(cmp, k, v)
		put(rs, k, json_object_get(v));
}

void lab_reset_reply(struct lab_reset *rs, json_object *ret, json_object *error)
{
	const char *msg = error ? lab_jsonval_str(error, "desc") : NULL;
	const char *id = lab_jsonval_str(ret, "boot_id");

	if (!ret && rs->phase != WAIT && rs->phase != BIND && rs->phase != KMSG) {
		fail(rs, (const char *[]){ "hello", "kmsg", "reboot", "hello", "bind", "collect",
					   "dma", "done" }[rs->phase],
		     msg ? msg : "the agent refused the request");
		return;
	}
	switch ((enum phase)rs->phase) {
	case HELLO:
		if (!id || strlen(id) >= sizeof(rs->boot_id)) {
			fail(rs, "hello", "the agent does not say which boot it is (boot_id): "
			     "an image older than the reset probe ('make images')");
			return;
		}
		snprintf(rs->boot_id, sizeof(rs->boot_id), "%s", id);
		rs->phase = KMSG;
		return;
	case KMSG:
		/* without it the run keeps the log it takes at its end */
		rs->kmsg = json_object_get(ret);
		rs->phase = RESET;
		return;
	case RESET:
		rs->gone = 1;
		rs->phase = WAIT;        /* the agent is rebooting the guest */
		return;
	case WAIT:
		/* the old boot still answering, or the reboot's own answer
		 * arriving late: not back yet */
		if (!id || !strcmp(id, rs->boot_id))
			return;
		put(rs, "rebooted", json_object_new_boolean(1));
		put(rs, "boot_s", json_object_new_double(lab_clock_now() - rs->reset_at));
		rs->phase = BIND;
		return;
	case BIND:
		/* a device that did not bind shows in the groups collected */
		rs->bind_index++;
		return;
	case COLLECT:
		rs->collect = json_object_get(ret);
		compared(rs, ret);
		rs->phase = DMA;
		return;
	case DMA:
		put(rs, "dma", json_object_get(ret));
		put(rs, "round_trip", json_object_get(lab_jsonval_get(ret, "round_trip")));
		if (lab_jsonval_str(ret, "error"))
			fail(rs, "round trip", lab_jsonval_str(ret, "error"));
		rs->phase = DONE;
		return;
	case DONE:
		return;
	}
}

int lab_reset_waiting(const struct lab_reset *rs)
{
	return rs->result && rs->phase == WAIT;
}

int lab_reset_event(struct lab_reset *rs)
{
	int expected;

	if (!rs->result || rs->reset_at == 0)
		return 0;       /* before the reset: not this probe's */
	/* until the new boot answers, every reset is this one's: SeaBIOS
	 * resets a q35 guest twice more on its way up after a reset
	 * (QEMU's RESET events with reason guest-reset) */
	expected = rs->phase == RESET || rs->phase == WAIT;
	rs->reset_events++;
	put(rs, "reset_events", json_object_new_int((int)rs->reset_events));
	/* the reboot's answer may never come: the reset is what counts */
	if (expected && rs->phase == RESET) {
		rs->gone = 1;
		rs->phase = WAIT;
	}
	return expected;
}

void lab_reset_abandon(struct lab_reset *rs, const char *why)
{
	if (!rs->result)
		return;
	lab_probe_result_fail(rs->result, NULL, why);
	rs->phase = DONE;
	rs->done = 1;
}

json_object *lab_reset_take(struct lab_reset *rs)
{
	return lab_steal(&rs->result);
}

json_object *lab_reset_take_kmsg(struct lab_reset *rs)
{
	/* no reset, no second boot: the run's own log at its end is the
	 * fuller one */
	if (!rs->gone) {
		json_object_put(lab_steal(&rs->kmsg));
		return NULL;
	}
	return lab_steal(&rs->kmsg);
}

json_object *lab_reset_take_collect(struct lab_reset *rs)
{
	return lab_steal(&rs->collect);
}

void lab_reset_clear(struct lab_reset *rs)
{
	json_object_put(rs->targets);
	json_object_put(rs->first);
	json_object_put(rs->kmsg);
	json_object_put(rs->collect);
	json_object_put(rs->result);
	memset(rs, 0, sizeof(*rs));
}

/* ---- two collects side by side ---------------------------------------------- */

struct group {
	char *members;           /* "[a, b, c]": its devices, sorted */
	const char *type;        /* the domain type, or NULL */
	int matched;
};

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A group's devices as one sorted list: the key two boots' groups match by. */
static char *members(json_object *group)
{
	json_object *devs = lab_jsonval_arr(group, "devices");
	size_t n = lab_jsonval_len(devs), k = 0;
	lab_autofree const char **names = calloc(n ? n : 1, sizeof(*names));
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (!names)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		if (json_object_is_type(d, json_type_string))
			names[k++] = json_object_get_string(d);
	}
	qsort(names, k, sizeof(*names), by_string);
	f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	fputc('[', f);
	for (size_t i = 0; i < k; i++)
		fprintf(f, "%s%s", i ? ", " : "", names[i]);
	fputc(']', f);
	fclose(f);
	return out;
}

static struct group *groups_of(json_object *collect, size_t *n)
{
	json_object *gs = lab_jsonval_arr(collect, "groups");
	struct group *g = calloc(lab_jsonval_len(gs) + 1, sizeof(*g));

	*n = 0;
	for (size_t i = 0; g && i < lab_jsonval_len(gs); i++) {
		json_object *o = json_object_array_get_idx(gs, i);

		if (!json_object_is_type(o, json_type_object))
			continue;
		g[*n].members = members(o);
		g[*n].type = lab_jsonval_str(o, "type");
		if (g[*n].members)
			(*n)++;
	}
	return g;
}

static void groups_free(struct group *g, size_t n)
{
	for (size_t i = 0; g && i < n; i++)
		free(g[i].members);
	free(g);
}

static int same_str(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

static void differs(json_object *list, size_t *count, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void differs(json_object *list, size_t *count, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	if ((*count)++ >= DIFFERENCES_MAX)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0)
		json_object_array_add(list, json_object_new_string(s));
	va_end(ap);
	free(s);
}

/* The default domain as the observations have it (observation.h). */
static const char *default_domain(json_object *obs)
{
	return lab_jsonval_str(obs, "default_domain");
}

json_object *lab_reset_compare(json_object *before, json_object *after)
{
	json_object *out = json_object_new_object(), *list = json_object_new_array();
	lab_autojson json_object *ob = lab_observation_from_collect(before, NULL);
	lab_autojson json_object *oa = lab_observation_from_collect(after, NULL);
	size_t nb, na, count = 0;
	struct group *gb = groups_of(before, &nb), *ga = groups_of(after, &na);
	int groups_same = 1, types_same = 1;

	for (size_t i = 0; gb && ga && i < nb; i++) {
		size_t j;

		for (j = 0; j < na && (ga[j].matched || strcmp(gb[i].members, ga[j].members)); j++)
			;
		if (j == na) {
			groups_same = 0;
			differs(list, &count, "group %s (%s) at first boot is not a group after the "
				"reset", gb[i].members, gb[i].type ? gb[i].type : "no type");
			continue;
		}
		gb[i].matched = ga[j].matched = 1;
		if (!same_str(gb[i].type, ga[j].type)) {
			types_same = 0;
			differs(list, &count, "group %s: %s at first boot, %s after the reset",
				gb[i].members, gb[i].type ? gb[i].type : "no type",
				ga[j].type ? ga[j].type : "no type");
		}
	}
	for (size_t j = 0; ga && j < na; j++) {
		if (ga[j].matched)
			continue;
		groups_same = 0;
		differs(list, &count, "group %s (%s) after the reset was not a group at first boot",
			ga[j].members, ga[j].type ? ga[j].type : "no type");
	}
	if (!same_str(default_domain(ob), default_domain(oa))) {
		types_same = 0;
		differs(list, &count, "default domain: %s at first boot, %s after the reset",
			default_domain(ob) ? default_domain(ob) : "none",
			default_domain(oa) ? default_domain(oa) : "none");
	}
	if (count > DIFFERENCES_MAX) {
		char more[64];

		snprintf(more, sizeof(more), "... and %zu more", count - DIFFERENCES_MAX);
		json_object_array_add(list, json_object_new_string(more));
	}
	groups_free(gb, nb);
	groups_free(ga, na);
	json_object_object_add(out, "groups_same", json_object_new_boolean(groups_same));
	json_object_object_add(out, "types_same", json_object_new_boolean(types_same));
	json_object_object_add(out, "differences", list);
	return out;
}
