/* SPDX-License-Identifier: MIT */
#include "proto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void lab_proto_reader_init(struct lab_proto_reader *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->max = max;
}

void lab_proto_reader_clear(struct lab_proto_reader *r)
{
	free(r->buf);
	lab_proto_reader_init(r, r->max);
}

static void compact(struct lab_proto_reader *r)
{
	if (r->start == 0)
		return;
	memmove(r->buf, r->buf + r->start, r->len - r->start);
	r->len -= r->start;
	r->start = 0;
}

int lab_proto_reader_feed(struct lab_proto_reader *r, const char *data, size_t n,
			  struct lab_error *err)
{
	while (r->discarding && n > 0) {
		const char *nl = memchr(data, '\n', n);

		if (!nl)
			return 0;
		n -= (size_t)(nl + 1 - data);
		data = nl + 1;
		r->discarding = 0;
	}
	if (n == 0)
		return 0;
	compact(r);
	if (r->len + n + 1 > r->cap) {
		/* Never hold more than one over-long line plus this chunk. */
		size_t cap = r->cap ? r->cap : 4096;
		char *buf;

		while (cap < r->len + n + 1)
			cap *= 2;
		buf = realloc(r->buf, cap);
		if (!buf) {
			lab_error_set_errno(err, ENOMEM, "agent protocol: buffering %zu bytes", cap);
			return -1;
		}
		r->buf = buf;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, data, n);
	r->len += n;
	return 0;
}

enum lab_proto_next lab_proto_reader_next(struct lab_proto_reader *r, char **line,
					  size_t *len)
{
	size_t avail = r->len - r->start;
	char *begin = r->buf + r->start;
	char *nl;

	if (avail == 0)
		return LAB_PROTO_NEED_MORE;
	nl = memchr(begin, '\n', avail);
	if (nl && (size_t)(nl - begin) <= r->max) {
		*nl = '\0';
		*line = begin;
		*len = (size_t)(nl - begin);
		r->start += *len + 1;
		return LAB_PROTO_LINE;
	}
	if (!nl && avail <= r->max)
		return LAB_PROTO_NEED_MORE;
	/* Over the limit: drop this line, and the rest of it still to come. */
	if (nl) {
		r->start += (size_t)(nl - begin) + 1;
	} else {
		r->start = r->len;
		r->discarding = 1;
	}
	return LAB_PROTO_OVERSIZE;
}

json_object *lab_proto_parse(const char *line, size_t len, struct lab_error *err)
{
	struct json_tokener *tok;
	json_object *obj;
	enum json_tokener_error jerr;

	if (len == 0 || memchr(line, '\0', len)) {
		lab_error_set(err, "agent protocol: %s line", len ? "binary" : "empty");
		return NULL;
	}
	tok = json_tokener_new_ex(LAB_PROTO_DEPTH_MAX);
	if (!tok) {
		lab_error_set_errno(err, ENOMEM, "agent protocol: json tokener");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, line, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue) {
		lab_error_set(err, "agent protocol: truncated JSON");
		json_object_put(obj);
		obj = NULL;
	} else if (jerr != json_tokener_success) {
		lab_error_set(err, "agent protocol: bad JSON at byte %zu: %s",
			      json_tokener_get_parse_end(tok), json_tokener_error_desc(jerr));
		obj = NULL;
	} else if (json_tokener_get_parse_end(tok) != len) {
		lab_error_set(err, "agent protocol: trailing bytes after JSON at byte %zu",
			      json_tokener_get_parse_end(tok));
		json_object_put(obj);
		obj = NULL;
	} else if (!json_object_is_type(obj, json_type_object)) {
		lab_error_set(err, "agent protocol: message is not a JSON object");
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

int lab_proto_request_check(json_object *msg, struct lab_proto_request *req,
			    struct lab_error *err)
{
	json_object *v;

	memset(req, 0, sizeof(*req));
	if (json_object_object_get_ex(msg, "id", &v)) {
		if (!json_object_is_type(v, json_type_int) &&
		    !json_object_is_type(v, json_type_string)) {
			lab_error_set(err, "'id' must be an integer or a string");
			return -1;
		}
		req->id = v;
	}
	if (!json_object_object_get_ex(msg, "execute", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		lab_error_set(err, "missing string 'execute'");
		return -1;
	}
	req->execute = json_object_get_string(v);
	if (json_object_object_get_ex(msg, "arguments", &v)) {
		if (!json_object_is_type(v, json_type_object)) {
			lab_error_set(err, "'arguments' must be an object");
			return -1;
		}
		req->arguments = v;
	}
	return 0;
}

json_object *lab_proto_request_new(const char *execute, json_object *arguments, long id)
{
	json_object *msg = json_object_new_object();

	json_object_object_add(msg, "execute", json_object_new_string(execute));
	if (arguments)
		json_object_object_add(msg, "arguments", arguments);
	json_object_object_add(msg, "id", json_object_new_int64(id));
	return msg;
}

static void add_id(json_object *msg, json_object *id)
{
	if (id)
		json_object_object_add(msg, "id", json_object_get(id));
}

json_object *lab_proto_return_new(json_object *value, json_object *id)
{
	json_object *msg = json_object_new_object();

	json_object_object_add(msg, "return", value ? value : json_object_new_object());
	add_id(msg, id);
	return msg;
}

json_object *lab_proto_error_new(const char *klass, const char *desc, json_object *id)
{
	json_object *msg = json_object_new_object();
	json_object *e = json_object_new_object();

	json_object_object_add(e, "class", json_object_new_string(klass));
	json_object_object_add(e, "desc", json_object_new_string(desc));
	json_object_object_add(msg, "error", e);
	add_id(msg, id);
	return msg;
}

json_object *lab_proto_event_new(const char *event, json_object *data)
{
	json_object *msg = json_object_new_object();

	json_object_object_add(msg, "event", json_object_new_string(event));
	if (data)
		json_object_object_add(msg, "data", data);
	return msg;
}

char *lab_proto_encode(json_object *msg, size_t *len)
{
	size_t n;
	const char *s = json_object_to_json_string_length(msg, JSON_C_TO_STRING_PLAIN, &n);
	char *out = malloc(n + 2);

	if (!out)
		return NULL;
	memcpy(out, s, n);
	out[n] = '\n';
	out[n + 1] = '\0';
	if (len)
		*len = n + 1;
	return out;
}
