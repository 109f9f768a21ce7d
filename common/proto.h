/* SPDX-License-Identifier: MIT */
#ifndef LAB_PROTO_H
#define LAB_PROTO_H

/*
 * The agent protocol, shared by the in-guest agent and the harness.
 *
 * Newline-delimited JSON over a virtio-serial port, in the spirit of the QEMU
 * guest agent:
 *   host -> guest  {"execute": "collect", "arguments": {...}, "id": 7}
 *   guest -> host  {"return": {...}, "id": 7}
 *                  {"error": {"class": "...", "desc": "..."}, "id": 7}
 *                  {"event": "ready", "data": {...}}          (unsolicited)
 *                  {"event": "busy", "data": {"command": "dma"}}
 * The agent sends "busy" every LAB_PROTO_BUSY_S while a command runs, so
 * the harness can tell a slow command from a stalled guest (runner.h);
 * a reader ignores events it does not know.
 * Every message is one line; json-c escapes newlines inside strings, so a
 * serialised object never contains a raw '\n'. Lines are bounded: a reader
 * drops a line longer than its limit and reports it once.
 */

#include <stddef.h>
#include <json.h>

#include "error.h"

#define LAB_PROTO_VERSION 1
#define LAB_PROTO_PORT "org.iommulab.agent.0"
#define LAB_PROTO_REQUEST_MAX (64 * 1024)       /* agent side */
#define LAB_PROTO_REPLY_MAX (8 * 1024 * 1024)   /* harness side */
#define LAB_PROTO_DEPTH_MAX 32
#define LAB_PROTO_BUSY_S 5                      /* agent heartbeat period */

/* Splits a byte stream into lines, bounded by max bytes per line. */
struct lab_proto_reader {
	char *buf;
	size_t len;        /* bytes held */
	size_t start;      /* start of the first unconsumed byte */
	size_t cap;
	size_t max;
	int discarding;    /* inside an oversized line: drop until '\n' */
};

enum lab_proto_next {
	LAB_PROTO_NEED_MORE = 0,
	LAB_PROTO_LINE = 1,
	LAB_PROTO_OVERSIZE = 2,    /* a line over max was dropped */
};

void lab_proto_reader_init(struct lab_proto_reader *r, size_t max);
void lab_proto_reader_clear(struct lab_proto_reader *r);
int lab_proto_reader_feed(struct lab_proto_reader *r, const char *data, size_t n,
			  struct lab_error *err);
/* On LAB_PROTO_LINE, *line points into the reader (NUL-terminated, no '\n'),
 * valid until the next feed/next call. */
enum lab_proto_next lab_proto_reader_next(struct lab_proto_reader *r, char **line,
					  size_t *len);

/* Parse one line into a JSON object (never an array or scalar). */
json_object *lab_proto_parse(const char *line, size_t len, struct lab_error *err);

struct lab_proto_request {
	const char *execute;        /* borrowed from msg */
	json_object *arguments;     /* borrowed; NULL when absent */
	json_object *id;            /* borrowed; NULL when absent */
};
/* Validate msg as a request; fields borrow from msg. */
int lab_proto_request_check(json_object *msg, struct lab_proto_request *req,
			    struct lab_error *err);

/* Builders: each returns a new object the caller owns (takes ownership of
 * the object arguments). */
json_object *lab_proto_request_new(const char *execute, json_object *arguments, long id);
json_object *lab_proto_return_new(json_object *value, json_object *id);
json_object *lab_proto_error_new(const char *klass, const char *desc, json_object *id);
json_object *lab_proto_event_new(const char *event, json_object *data);

/* Serialise to one line ending in '\n'; the caller frees the string. */
char *lab_proto_encode(json_object *msg, size_t *len);

#endif
