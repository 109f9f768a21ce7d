/* SPDX-License-Identifier: MIT */
#include "jsonval.h"

json_object *lab_jsonval_get(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static json_object *typed(json_object *o, const char *key, json_type type)
{
	json_object *v = lab_jsonval_get(o, key);

	return json_object_is_type(v, type) ? v : NULL;
}

const char *lab_jsonval_str(json_object *o, const char *key)
{
	json_object *v = typed(o, key, json_type_string);

	return v ? json_object_get_string(v) : NULL;
}

json_object *lab_jsonval_arr(json_object *o, const char *key)
{
	return typed(o, key, json_type_array);
}

json_object *lab_jsonval_obj(json_object *o, const char *key)
{
	return typed(o, key, json_type_object);
}

size_t lab_jsonval_len(json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}
