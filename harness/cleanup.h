/* SPDX-License-Identifier: MIT */
#ifndef LAB_CLEANUP_H
#define LAB_CLEANUP_H

/*
 * Scope-bound ownership, as GLib's g_autofree/g_autoptr (which libvirt
 * uses) and the kernel's __free(): a variable declared with one of these
 * is released when it goes out of scope, on every return path.
 *
 *   lab_autofree char *text = NULL;       free()
 *   lab_autojson json_object *doc = NULL; json_object_put()
 *   lab_autofile FILE *f = NULL;          fclose()
 *
 * Hand a value on with lab_steal(&var), which clears var.
 */
#include <stdio.h>
#include <stdlib.h>
#include <json.h>

static inline void lab_cleanup_free(void *p)
{
	free(*(void **)p);
}

static inline void lab_cleanup_json(json_object **p)
{
	json_object_put(*p);
}

static inline void lab_cleanup_file(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define lab_autofree __attribute__((cleanup(lab_cleanup_free)))
#define lab_autojson __attribute__((cleanup(lab_cleanup_json)))
#define lab_autofile __attribute__((cleanup(lab_cleanup_file)))

static inline void *lab_steal_ptr(void **p)
{
	void *v = *p;

	*p = NULL;
	return v;
}

#define lab_steal(pp) lab_steal_ptr((void **)(pp))

#endif
