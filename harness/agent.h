/* SPDX-License-Identifier: MIT */
#ifndef LAB_AGENT_H
#define LAB_AGENT_H

/*
 * The harness's end of the agent protocol (common/proto.h), over a
 * non-blocking libvirt stream from virDomainOpenChannel(), so the same code
 * serves a local or a remote libvirt. The guest is untrusted: lines are
 * bounded, anything that is not a well-formed message is counted and dropped.
 */
#include <libvirt/libvirt.h>
#include <json.h>

#include "error.h"
#include "proto.h"

struct lab_agent {
	virStreamPtr stream;
	struct lab_proto_reader reader;
	char *out;              /* bytes not yet accepted by the stream */
	size_t out_len;
	long next_id;
	unsigned long garbage;  /* malformed or oversized lines from the guest */
	unsigned long long received; /* bytes from the guest, all told */
	char last_garbage[128]; /* what the last one was, for the report */
	int eof;
};

/* Takes a reference on stream. */
struct lab_agent *lab_agent_new(virStreamPtr stream);
void lab_agent_free(struct lab_agent *a);

/* Queue a request and try to send it; returns its id, or -1. Takes ownership
 * of arguments. */
long lab_agent_request(struct lab_agent *a, const char *execute, json_object *arguments,
		       struct lab_error *err);
/* Push queued bytes into the stream; 0 when all went or it would block. */
int lab_agent_flush(struct lab_agent *a, struct lab_error *err);

/* Read what the stream has. Each complete message is handed to fn; returns
 * 0 when the stream has nothing more for now, -1 on a stream error. */
int lab_agent_receive(struct lab_agent *a, void (*fn)(json_object *msg, void *opaque),
		      void *opaque, struct lab_error *err);

/* Feed raw bytes (what lab_agent_receive does with the stream's data);
 * exposed for tests. */
int lab_agent_feed(struct lab_agent *a, const char *data, size_t n,
		   void (*fn)(json_object *msg, void *opaque), void *opaque,
		   struct lab_error *err);

/* The id of a reply, or -1 for an event or a message without a numeric id. */
long lab_agent_reply_id(json_object *msg);

#endif
