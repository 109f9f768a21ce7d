/* SPDX-License-Identifier: MIT */
/* The agent protocol, both ends: framing, encode/decode, and what a hostile
 * or broken peer can send (malformed, truncated, oversized, binary). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "agent.h"
#include "proto.h"

static enum lab_proto_next next_line(struct lab_proto_reader *r, char **line)
{
	size_t len;

	return lab_proto_reader_next(r, line, &len);
}

static void feed(struct lab_proto_reader *r, const char *s)
{
	struct lab_error err = { 0 };

	assert_int_equal(lab_proto_reader_feed(r, s, strlen(s), &err), 0);
}

static void lines_split_across_chunks(void **state)
{
	struct lab_proto_reader r;
	char *line;

	(void)state;
	lab_proto_reader_init(&r, 64);
	feed(&r, "{\"a\":");
	assert_int_equal(next_line(&r, &line), LAB_PROTO_NEED_MORE);
	feed(&r, "1}\n{\"b\":2}\n{\"c\"");
	assert_int_equal(next_line(&r, &line), LAB_PROTO_LINE);
	assert_string_equal(line, "{\"a\":1}");
	assert_int_equal(next_line(&r, &line), LAB_PROTO_LINE);
	assert_string_equal(line, "{\"b\":2}");
	assert_int_equal(next_line(&r, &line), LAB_PROTO_NEED_MORE);
	feed(&r, ":3}\n");
	assert_int_equal(next_line(&r, &line), LAB_PROTO_LINE);
	assert_string_equal(line, "{\"c\":3}");
	lab_proto_reader_clear(&r);
}

static void oversized_line_is_dropped_once_and_reading_resumes(void **state)
{
	struct lab_proto_reader r;
	char big[100];
	char *line;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	lab_proto_reader_init(&r, 16);
	feed(&r, big);            /* no newline yet: over the limit already */
	assert_int_equal(next_line(&r, &line), LAB_PROTO_OVERSIZE);
	assert_int_equal(next_line(&r, &line), LAB_PROTO_NEED_MORE);
	feed(&r, big);            /* still the same line: dropped silently */
	assert_int_equal(next_line(&r, &line), LAB_PROTO_NEED_MORE);
	feed(&r, "tail\n{\"ok\":1}\n");
	assert_int_equal(next_line(&r, &line), LAB_PROTO_LINE);
	assert_string_equal(line, "{\"ok\":1}");
	/* a complete line over the limit in one chunk */
	feed(&r, "01234567890123456789\n{}\n");
	assert_int_equal(next_line(&r, &line), LAB_PROTO_OVERSIZE);
	assert_int_equal(next_line(&r, &line), LAB_PROTO_LINE);
	assert_string_equal(line, "{}");
	/* dropped lines are not kept: the buffer never grew past its first size */
	assert_int_equal(r.cap, 4096);
	lab_proto_reader_clear(&r);
}

static void parse_accepts_one_object_only(void **state)
{
	static const struct {
		const char *in;
		const char *error;    /* NULL: accepted */
	} cases[] = {
		{ "{\"execute\":\"hello\"}", NULL },
		{ "", "empty line" },
		{ "{\"execute\":", "truncated JSON" },
		{ "{\"a\":1} {\"b\":2}", "at byte 8" },   /* strict mode: trailing bytes */
		{ "[1,2,3]", "not a JSON object" },
		{ "\"hello\"", "not a JSON object" },
		/* json-c takes single-quoted strings even in strict mode: a
		 * well-formed object comes out, which is all the protocol needs */
		{ "{'a':1}", NULL },
		{ "{\"a\":tru}", "bad JSON" },
		{ "{\"a\":\"\xff\xfe\"}", "invalid utf-8" },
		{ "garbage \x01\x02", "bad JSON" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lab_error err = { 0 };
		json_object *o = lab_proto_parse(cases[i].in, strlen(cases[i].in), &err);

		if (!cases[i].error) {
			assert_non_null(o);
			json_object_put(o);
			continue;
		}
		assert_null(o);
		if (!strstr(err.msg, cases[i].error))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].error);
	}
}

static void parse_refuses_nul_and_deep_nesting(void **state)
{
	struct lab_error err = { 0 };
	char deep[200];
	size_t n = 0;

	(void)state;
	assert_null(lab_proto_parse("{\"a\":1}\0xx", 10, &err));
	assert_non_null(strstr(err.msg, "binary"));
	lab_error_clear(&err);
	for (int i = 0; i < 60; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	memmove(deep + 5, deep, n + 1);
	memcpy(deep, "{\"a\":", 5);
	assert_null(lab_proto_parse(deep, strlen(deep), &err));
	assert_true(err.set);
}

static void request_check_validates_fields(void **state)
{
	static const struct {
		const char *in, *error;
	} cases[] = {
		{ "{\"execute\":\"kmsg\",\"arguments\":{\"since\":3},\"id\":4}", NULL },
		{ "{\"execute\":\"hello\",\"id\":\"abc\"}", NULL },
		{ "{\"arguments\":{}}", "missing string 'execute'" },
		{ "{\"execute\":5}", "missing string 'execute'" },
		{ "{\"execute\":\"x\",\"arguments\":[1]}", "'arguments' must be an object" },
		{ "{\"execute\":\"x\",\"id\":[1]}", "'id' must be" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lab_error err = { 0 };
		struct lab_proto_request req;
		json_object *o = lab_proto_parse(cases[i].in, strlen(cases[i].in), &err);
		int rc;

		assert_non_null(o);
		rc = lab_proto_request_check(o, &req, &err);
		if (!cases[i].error) {
			assert_int_equal(rc, 0);
			assert_non_null(req.execute);
		} else {
			assert_int_equal(rc, -1);
			if (!strstr(err.msg, cases[i].error))
				fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].error);
		}
		json_object_put(o);
	}
}

static void encode_is_one_line_and_round_trips(void **state)
{
	struct lab_error err = { 0 };
	json_object *args = json_object_new_object();
	json_object *msg, *back, *v;
	size_t len;
	char *line;

	(void)state;
	json_object_object_add(args, "text", json_object_new_string("two\nlines\r\0?"));
	msg = lab_proto_request_new("collect", args, 42);
	line = lab_proto_encode(msg, &len);
	assert_non_null(line);
	assert_int_equal(line[len - 1], '\n');
	assert_null(memchr(line, '\n', len - 1));
	back = lab_proto_parse(line, len - 1, &err);
	assert_non_null(back);
	assert_true(json_object_object_get_ex(back, "id", &v));
	assert_int_equal(json_object_get_int(v), 42);
	assert_string_equal(json_object_get_string(json_object_object_get(
				    json_object_object_get(back, "arguments"), "text")),
			    "two\nlines\r");
	free(line);
	json_object_put(msg);
	json_object_put(back);
}

struct seen {
	int n;
	long ids[8];
};

static void count(json_object *msg, void *opaque)
{
	struct seen *s = opaque;

	if (s->n < 8)
		s->ids[s->n] = lab_agent_reply_id(msg);
	s->n++;
}

static void client_drops_garbage_and_keeps_replies(void **state)
{
	struct lab_error err = { 0 };
	struct lab_agent *a = lab_agent_new(NULL);
	struct seen s = { 0 };
	static const char stream[] =
		"{\"event\":\"ready\",\"data\":{}}\n"
		"\x1b[0m random console noise\n"
		"{\"return\":{},\"id\":1}\n"
		"{\"return\":{},\"id\":\n"                 /* truncated */
		"\xff\xfe\xfd\n"
		"{\"error\":{\"class\":\"X\",\"desc\":\"y\"},\"id\":2}\n"
		"{\"return\":{},\"id\":\"three\"}\n";

	(void)state;
	assert_int_equal(lab_agent_feed(a, stream, sizeof(stream) - 1, count, &s, &err), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.ids[0], -1);   /* the event */
	assert_int_equal(s.ids[1], 1);
	assert_int_equal(s.ids[2], 2);
	assert_int_equal(s.ids[3], -1);   /* a string id is not ours */
	assert_int_equal(a->garbage, 3);
	lab_agent_free(a);
}

static void client_survives_a_flood_without_newlines(void **state)
{
	struct lab_error err = { 0 };
	struct lab_agent *a = lab_agent_new(NULL);
	struct seen s = { 0 };
	char *chunk = malloc(1 << 20);

	(void)state;
	memset(chunk, 'A', 1 << 20);
	for (int i = 0; i < 20; i++)     /* 20 MiB, over LAB_PROTO_REPLY_MAX */
		assert_int_equal(lab_agent_feed(a, chunk, 1 << 20, count, &s, &err), 0);
	assert_true(a->reader.cap <= 2 * LAB_PROTO_REPLY_MAX + (2 << 20));
	assert_int_equal(lab_agent_feed(a, "\n{\"return\":{},\"id\":9}\n", 22, count, &s, &err), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ids[0], 9);
	assert_int_equal(a->garbage, 1);
	free(chunk);
	lab_agent_free(a);
}

/* The agent's heartbeat while a command runs: handed over as an event (the
 * runner ignores it but for the silence clock), counted as bytes received,
 * never as garbage; so is an event this harness does not know yet. */
static void client_takes_busy_and_unknown_events(void **state)
{
	struct lab_error err = { 0 };
	struct lab_agent *a = lab_agent_new(NULL);
	struct seen s = { 0 };
	static const char stream[] =
		"{\"event\":\"busy\",\"data\":{\"command\":\"dma\"}}\n"
		"{\"event\":\"from-the-future\"}\n"
		"{\"return\":{},\"id\":4}\n";

	(void)state;
	assert_int_equal(lab_agent_feed(a, stream, sizeof(stream) - 1, count, &s, &err), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ids[0], -1);
	assert_int_equal(s.ids[1], -1);
	assert_int_equal(s.ids[2], 4);
	assert_int_equal(a->garbage, 0);
	assert_int_equal(a->received, sizeof(stream) - 1);
	lab_agent_free(a);
}

static void requests_get_increasing_ids(void **state)
{
	struct lab_error err = { 0 };
	struct lab_agent *a = lab_agent_new(NULL);

	(void)state;
	assert_int_equal(lab_agent_request(a, "hello", NULL, &err), 1);
	assert_int_equal(lab_agent_request(a, "collect", NULL, &err), 2);
	assert_non_null(strstr(a->out, "{\"execute\":\"hello\",\"id\":1}\n"));
	assert_non_null(strstr(a->out, "{\"execute\":\"collect\",\"id\":2}\n"));
	lab_agent_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines_split_across_chunks),
		cmocka_unit_test(oversized_line_is_dropped_once_and_reading_resumes),
		cmocka_unit_test(parse_accepts_one_object_only),
		cmocka_unit_test(parse_refuses_nul_and_deep_nesting),
		cmocka_unit_test(request_check_validates_fields),
		cmocka_unit_test(encode_is_one_line_and_round_trips),
		cmocka_unit_test(client_drops_garbage_and_keeps_replies),
		cmocka_unit_test(client_survives_a_flood_without_newlines),
		cmocka_unit_test(client_takes_busy_and_unknown_events),
		cmocka_unit_test(requests_get_increasing_ids),
	};

	return cmocka_run_group_tests_name("proto", tests, NULL, NULL);
}
