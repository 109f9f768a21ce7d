/* SPDX-License-Identifier: MIT */
#include "agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

struct lab_agent *lab_agent_new(virStreamPtr stream)
{
	struct lab_agent *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	if (stream) {
		virStreamRef(stream);
		a->stream = stream;
	}
	lab_proto_reader_init(&a->reader, LAB_PROTO_REPLY_MAX);
	a->next_id = 1;
	return a;
}

void lab_agent_free(struct lab_agent *a)
{
	if (!a)
		return;
	if (a->stream)
		virStreamFree(a->stream);
	lab_proto_reader_clear(&a->reader);
	free(a->out);
	free(a);
}

int lab_agent_flush(struct lab_agent *a, struct lab_error *err)
{
	while (a->out_len > 0) {
		int n = virStreamSend(a->stream, a->out, a->out_len);

		if (n == -2)
			return 0;
		if (n < 0) {
			lab_error_set(err, "agent channel: send failed: %s",
				      virGetLastErrorMessage());
			return -1;
		}
		memmove(a->out, a->out + n, a->out_len - (size_t)n);
		a->out_len -= (size_t)n;
	}
	return 0;
}

long lab_agent_request(struct lab_agent *a, const char *execute, json_object *arguments,
		       struct lab_error *err)
{
	long id = a->next_id++;
	json_object *msg = lab_proto_request_new(execute, arguments, id);
	size_t len;
	char *line = lab_proto_encode(msg, &len);
	char *out;

	json_object_put(msg);
	if (!line || !(out = realloc(a->out, a->out_len + len))) {
		free(line);
		lab_error_set_errno(err, ENOMEM, "agent request '%s'", execute);
		return -1;
	}
	memcpy(out + a->out_len, line, len);
	a->out = out;
	a->out_len += len;
	free(line);
	if (a->stream && lab_agent_flush(a, err) < 0)
		return -1;
	return id;
}

static void note_garbage(struct lab_agent *a, const char *what)
{
	a->garbage++;
	snprintf(a->last_garbage, sizeof(a->last_garbage), "%s", what);
}

int lab_agent_feed(struct lab_agent *a, const char *data, size_t n,
		   void (*fn)(json_object *msg, void *opaque), void *opaque,
		   struct lab_error *err)
{
	enum lab_proto_next next;
	char *line;
	size_t len;

	a->received += n;
	if (lab_proto_reader_feed(&a->reader, data, n, err) < 0)
		return -1;
	while ((next = lab_proto_reader_next(&a->reader, &line, &len)) != LAB_PROTO_NEED_MORE) {
		struct lab_error perr = { 0 };
		json_object *msg;

		if (next == LAB_PROTO_OVERSIZE) {
			note_garbage(a, "line over the size limit");
			continue;
		}
		msg = lab_proto_parse(line, len, &perr);
		if (!msg) {
			note_garbage(a, perr.msg);
			continue;
		}
		fn(msg, opaque);
		json_object_put(msg);
	}
	return 0;
}

int lab_agent_receive(struct lab_agent *a, void (*fn)(json_object *msg, void *opaque),
		      void *opaque, struct lab_error *err)
{
	char buf[65536];

	for (;;) {
		int n = virStreamRecv(a->stream, buf, sizeof(buf));

		if (n == -2)
			return 0;
		if (n == 0) {
			a->eof = 1;
			return 0;
		}
		if (n < 0) {
			lab_error_set(err, "agent channel: %s", virGetLastErrorMessage());
			return -1;
		}
		if (lab_agent_feed(a, buf, (size_t)n, fn, opaque, err) < 0)
			return -1;
	}
}

long lab_agent_reply_id(json_object *msg)
{
	json_object *id;

	if (!json_object_object_get_ex(msg, "id", &id) ||
	    !json_object_is_type(id, json_type_int))
		return -1;
	return (long)json_object_get_int64(id);
}
