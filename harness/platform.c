/* SPDX-License-Identifier: MIT */
#include "platform.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int json_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".json");
}

char *lab_platform_names(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, json_name, alphasort);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	for (int i = 0; i < n; i++) {
		fprintf(f, "%s%.*s", i ? ", " : "", (int)strlen(names[i]->d_name) - 5,
			names[i]->d_name);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	fclose(f);
	return out;
}

static int valid_name(const char *name)
{
	if (!*name || strlen(name) > 64)
		return 0;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			return 0;
	return 1;
}

static const char *get_str(json_object *o, const char *key, int required, const char *file,
			   struct lab_error *err)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
		if (required)
			lab_error_set(err, "%s: missing \"%s\"", file, key);
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		lab_error_set(err, "%s: \"%s\" must be a string", file, key);
		return NULL;
	}
	return json_object_get_string(v);
}

static json_object *get_typed(json_object *o, const char *key, json_type type,
			      const char *file, struct lab_error *err)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	if (!json_object_is_type(v, type)) {
		lab_error_set(err, "%s: \"%s\" must be a %s", file, key, json_type_to_name(type));
		return NULL;
	}
	return v;
}

struct lab_platform *lab_platform_load(const char *dir, const char *name,
				       struct lab_error *err)
{
	struct lab_error local = { 0 };
	struct lab_platform *p;
	json_object *test;
	char file[PATH_MAX];

	if (!valid_name(name)) {
		lab_error_set(err, "bad platform name '%s'", name);
		return NULL;
	}
	snprintf(file, sizeof(file), "%s/%s.json", dir, name);
	p = calloc(1, sizeof(*p));
	if (!p) {
		lab_error_set_errno(err, ENOMEM, "loading %s", file);
		return NULL;
	}
	p->json = json_object_from_file(file);
	if (!p->json) {
		char *names = lab_platform_names(dir);

		if (access(file, R_OK) < 0)
			lab_error_set(err, "unknown platform '%s' (known: %s)", name,
				      names && *names ? names : "none");
		else
			lab_error_set(err, "%s: %s", file, json_util_get_last_err());
		free(names);
		lab_platform_free(p);
		return NULL;
	}
	p->name = get_str(p->json, "name", 1, file, &local);
	p->description = get_str(p->json, "description", 0, file, &local);
	p->arch = get_str(p->json, "arch", 1, file, &local);
	p->image = get_str(p->json, "image", 1, file, &local);
	p->machine = get_str(p->json, "machine", 1, file, &local);
	p->cpu = get_str(p->json, "cpu", 0, file, &local);
	p->console = get_str(p->json, "console", 1, file, &local);
	p->cmdline = get_str(p->json, "cmdline", 0, file, &local);
	p->iommu_kind = get_str(p->json, "iommu_kind", 1, file, &local);
	p->iommu_driver = get_str(p->json, "iommu_driver", 1, file, &local);
	p->needs_module = get_str(p->json, "needs_module", 0, file, &local);
	p->firmware = get_str(p->json, "firmware", 0, file, &local);
	p->features = get_typed(p->json, "features", json_type_array, file, &local);
	p->iommu = get_typed(p->json, "iommu", json_type_object, file, &local);
	p->qemu_devices = get_typed(p->json, "qemu_devices", json_type_array, file, &local);
	p->machine_opts = get_typed(p->json, "machine_opts", json_type_object, file, &local);
	test = get_typed(p->json, "test_device", json_type_object, file, &local);
	if (!local.set && !test)
		lab_error_set(&local, "%s: missing \"test_device\"", file);
	if (!local.set) {
		json_object *slot;

		p->test_bus = get_str(test, "bus", 1, file, &local);
		p->test_dma_mask = get_str(test, "dma_mask", 0, file, &local);
		slot = get_typed(test, "slot", json_type_int, file, &local);
		p->test_slot = slot ? json_object_get_int(slot) : -1;
		if (!local.set && (p->test_slot < 1 || p->test_slot > 31))
			lab_error_set(&local, "%s: test_device.slot must be within 1..31", file);
	}
	if (!local.set && strcmp(p->name, name))
		lab_error_set(&local, "%s: \"name\" is '%s', not '%s'", file, p->name, name);
	if (local.set) {
		lab_error_set(err, "%s", local.msg);
		lab_platform_free(p);
		return NULL;
	}
	return p;
}

int lab_platform_has_feature(const struct lab_platform *p, const char *feature)
{
	size_t n = p->features ? json_object_array_length(p->features) : 0;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(p->features, i)),
			    feature))
			return 1;
	return 0;
}

void lab_platform_free(struct lab_platform *p)
{
	if (!p)
		return;
	json_object_put(p->json);
	free(p);
}
