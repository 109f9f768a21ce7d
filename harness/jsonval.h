/* SPDX-License-Identifier: MIT */
#ifndef LAB_JSONVAL_H
#define LAB_JSONVAL_H

/*
 * Typed reads of JSON values that may come from a guest: each answers NULL
 * (or 0) when the key is missing or holds another type, so code reading
 * untrusted observations never trips over a wrong type.
 */
#include <stddef.h>
#include <json.h>

/* o[key] when it is a string / an array, else NULL (o may be NULL). */
const char *lab_jsonval_str(json_object *o, const char *key);
json_object *lab_jsonval_arr(json_object *o, const char *key);
/* o[key] of any type (NULL when o is no object or lacks key; a JSON null
 * is NULL too), and o[key] when it is an object. */
json_object *lab_jsonval_get(json_object *o, const char *key);
json_object *lab_jsonval_obj(json_object *o, const char *key);
/* Length of an array, 0 for NULL. */
size_t lab_jsonval_len(json_object *a);

#endif
