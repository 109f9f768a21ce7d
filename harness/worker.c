/* SPDX-License-Identifier: MIT */
#include "worker.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "file.h"
#include "jsonval.h"

static void put_str(json_object *o, const char *key, const char *v)
{
	if (v)
		json_object_object_add(o, key, json_object_new_string(v));
}

static void put_json(json_object *o, const char *key, json_object *v)
{
	if (v)
		json_object_object_add(o, key, json_object_get(v));
}

json_object *lab_worker_spec_new(const struct lab_run_opts *o, const char *uri)
{
	json_object *d = json_object_new_object();

	put_str(d, "name", o->name);
	put_str(d, "platform", o->platform);
	put_str(d, "suite", o->suite);
	if (o->emulator && o->emulator->binary[0]) {
		json_object *e = json_object_new_object(), *dirs = json_object_new_array();

		put_str(e, "binary", o->emulator->binary);
		for (size_t i = 0; i < o->emulator->ndata; i++)
			json_object_array_add(dirs, json_object_new_string(o->emulator->data_dirs[i]));
		json_object_object_add(e, "data_dirs", dirs);
		json_object_object_add(d, "emulator", e);
	}
	put_str(d, "accel", o->accel);
	json_object_object_add(d, "timeout_s", json_object_new_int64(o->timeout_s));
	json_object_object_add(d, "stall_s", json_object_new_int64(o->stall_s));
	json_object_object_add(d, "memory_mib", json_object_new_int64(o->memory_mib));
	put_str(d, "uri", uri);
	put_str(d, "dir", o->dir);
	json_object_object_add(d, "poweroff", json_object_new_boolean(o->graceful_poweroff));
	put_str(d, "append", o->append);
	put_json(d, "probes", o->probes);
	put_json(d, "topology", o->topology);
	put_json(d, "qemu_opts", o->qemu_opts);
	put_json(d, "machine_opts", o->machine_opts);
	if (o->store) {
		json_object *st = json_object_new_object();

		put_str(st, "kernel", o->store->kernel);
		put_str(st, "initrd", o->store->initrd);
		put_str(st, "firmware", o->store->firmware);
		put_str(st, "disk_base", o->store->disk_base);
		put_str(st, "local_base", o->store->local_base);
		put_str(st, "prefix", o->store->prefix);
		json_object_object_add(d, "store", st);
	}
	if (o->owner) {
		json_object *w = json_object_new_object();

		put_str(w, "host", o->owner->host);
		json_object_object_add(w, "pid", json_object_new_int64(o->owner->pid));
		json_object_object_add(w, "start", json_object_new_uint64(o->owner->start));
		json_object_object_add(d, "owner", w);
	}
	return d;
}

/* d[key] as a whole number in [min, max], into *out. */
static int get_uint(json_object *d, const char *key, unsigned min, unsigned max, unsigned *out,
		    struct lab_error *err)
{
	json_object *v = lab_jsonval_get(d, key);
	int64_t n = v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;

	if (n < min || n > max) {
		lab_error_set(err, "worker spec: '%s' must be a whole number from %u to %u", key, min,
			      max);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

/* An optional member of the given type (NULL when absent). */
static int get_typed(json_object *d, const char *key, json_type type, json_object **out,
		     struct lab_error *err)
{
	json_object *v = lab_jsonval_get(d, key);

	if (v && !json_object_is_type(v, type)) {
		lab_error_set(err, "worker spec: '%s' has the wrong type", key);
		return -1;
	}
	*out = v;
	return 0;
}

/* "emulator": an absolute binary and at most three -L folders. */
static int get_emulator(json_object *d, struct lab_qemu_emulator *e, struct lab_error *err)
{
	json_object *o = lab_jsonval_get(d, "emulator");
	json_object *dirs = lab_jsonval_arr(o, "data_dirs");
	const char *binary = lab_jsonval_str(o, "binary");
	size_t max = sizeof(e->data_dirs) / sizeof(e->data_dirs[0]);

	if (!o)
		return 0;
	if (!binary || binary[0] != '/' || strlen(binary) >= sizeof(e->binary) ||
	    lab_jsonval_len(dirs) > max) {
		lab_error_set(err, "worker spec: 'emulator' wants an absolute 'binary' and at most "
			      "%zu 'data_dirs'", max);
		return -1;
	}
	snprintf(e->binary, sizeof(e->binary), "%s", binary);
	for (size_t i = 0; i < lab_jsonval_len(dirs); i++) {
		const char *dir = json_object_get_string(json_object_array_get_idx(dirs, i));

		if (!dir || dir[0] != '/' || strlen(dir) >= sizeof(e->data_dirs[0])) {
			lab_error_set(err, "worker spec: emulator data_dirs must be absolute paths");
			return -1;
		}
		snprintf(e->data_dirs[e->ndata++], sizeof(e->data_dirs[0]), "%s", dir);
	}
	return 0;
}

/* "store": the run's volumes on an upload host (absolute paths there). */
static int get_store(json_object *d, struct lab_store_run *st, struct lab_error *err)
{
	json_object *o = lab_jsonval_get(d, "store");

	if (!o)
		return 0;
	st->kernel = lab_jsonval_str(o, "kernel");
	st->initrd = lab_jsonval_str(o, "initrd");
	st->firmware = lab_jsonval_str(o, "firmware");
	st->disk_base = lab_jsonval_str(o, "disk_base");
	st->local_base = lab_jsonval_str(o, "local_base");
	st->prefix = lab_jsonval_str(o, "prefix");
	if (!st->kernel || st->kernel[0] != '/' || !st->initrd || st->initrd[0] != '/' ||
	    !st->prefix || (st->disk_base && !st->local_base)) {
		lab_error_set(err, "worker spec: 'store' wants absolute 'kernel' and 'initrd', "
			      "a 'prefix', and 'local_base' with 'disk_base'");
		return -1;
	}
	return 1;
}

int lab_worker_spec_read(const char *path, struct lab_worker_spec *w, struct lab_error *err)
{
	static const char *const required[] = { "name", "platform", "dir", "accel", "uri" };
	struct lab_run_opts *o = &w->run;
	json_object *d = json_object_from_file(path);

	memset(w, 0, sizeof(*w));
	if (!d || !json_object_is_type(d, json_type_object)) {
		lab_error_set(err, "worker spec %s: %s", path,
			      d ? "not a JSON object" : json_util_get_last_err());
		json_object_put(d);
		return -1;
	}
	w->doc = d;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!lab_jsonval_str(d, required[i])) {
			lab_error_set(err, "worker spec %s: '%s' missing", path, required[i]);
			return -1;
		}
	o->name = lab_jsonval_str(d, "name");
	o->platform = lab_jsonval_str(d, "platform");
	o->dir = lab_jsonval_str(d, "dir");
	o->accel = lab_jsonval_str(d, "accel");
	w->uri = lab_jsonval_str(d, "uri");
	o->suite = lab_jsonval_str(d, "suite");
	o->append = lab_jsonval_str(d, "append");
	o->vcpus = 1;
	o->graceful_poweroff = json_object_get_boolean(lab_jsonval_get(d, "poweroff"));
	if (get_uint(d, "timeout_s", 1, 86400, &o->timeout_s, err) < 0 ||
	    get_uint(d, "stall_s", 0, 86400, &o->stall_s, err) < 0 ||
	    get_uint(d, "memory_mib", 128, 65536, &o->memory_mib, err) < 0 ||
	    get_typed(d, "probes", json_type_array, &o->probes, err) < 0 ||
	    get_typed(d, "topology", json_type_object, &o->topology, err) < 0 ||
	    get_typed(d, "qemu_opts", json_type_object, &o->qemu_opts, err) < 0 ||
	    get_typed(d, "machine_opts", json_type_object, &o->machine_opts, err) < 0 ||
	    get_emulator(d, &w->emulator, err) < 0)
		return -1;
	o->emulator = w->emulator.binary[0] ? &w->emulator : NULL;
	switch (get_store(d, &w->store, err)) {
	case -1:
		return -1;
	case 1:
		o->store = &w->store;
		break;
	}
	if (lab_jsonval_get(d, "owner")) {
		json_object *ow = lab_jsonval_get(d, "owner");
		const char *host = lab_jsonval_str(ow, "host");

		if (!host || strlen(host) >= sizeof(w->owner.host)) {
			lab_error_set(err, "worker spec: 'owner' wants a 'host'");
			return -1;
		}
		snprintf(w->owner.host, sizeof(w->owner.host), "%s", host);
		w->owner.pid = (long)json_object_get_int64(lab_jsonval_get(ow, "pid"));
		w->owner.start = json_object_get_uint64(lab_jsonval_get(ow, "start"));
		o->owner = &w->owner;
	}
	return 0;
}

void lab_worker_spec_clear(struct lab_worker_spec *w)
{
	json_object_put(w->doc);
	memset(w, 0, sizeof(*w));
}

json_object *lab_worker_outcome(const struct lab_run_result *res)
{
	json_object *out = json_object_new_object();

	put_str(out, "status", lab_run_status_name(res->status));
	put_str(out, "detail", res->detail);
	if (res->infra[0])
		put_str(out, "infra", res->infra);
	put_str(out, "console_tail", res->console_tail);
	json_object_object_add(out, "boot_s", json_object_new_double(res->boot_s));
	json_object_object_add(out, "total_s", json_object_new_double(res->total_s));
	json_object_object_add(out, "agent_garbage_lines",
			       json_object_new_int64((int64_t)res->garbage));
	put_json(out, "timeline", res->timeline);
	put_json(out, "kmsg", res->kmsg);
	put_json(out, "observations", res->observations);
	put_json(out, "probes", res->probes);
	put_json(out, "journal", res->journal);
	put_json(out, "trace", res->trace);
	return out;
}

int lab_worker_write(const char *path, json_object *doc, struct lab_error *err)
{
	return lab_file_write_json(path, doc, JSON_C_TO_STRING_PLAIN, err);
}
