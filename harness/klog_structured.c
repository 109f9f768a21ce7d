/* SPDX-License-Identifier: MIT */
/*
 * The structured shapes of a kernel log (klog.h): journalctl -o json,
 * json-pretty and json-seq, journalctl -o export, dmesg --json. Told apart
 * from the text by the input's first bytes; read with json-c one entry at a
 * time, each message handed out a line at a time.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "klog_internal.h"

#define JSON_FEED (64 * 1024)	/* bytes given to the JSON tokener at a time */
#define JSON_MAX (2 * LAB_KLOG_LINE_MAX)	/* the longest JSON entry read */
#define JSON_DEPTH 8		/* a journal entry nests 3 deep (MESSAGE: [[bytes]]) */

static const char *src_base(const struct lab_klog *k)
{
	return k->f ? k->rbuf : k->src;
}

/* the next byte, not consumed: 1, 0 at the end, -1 on a read error */
static int peek_byte(struct lab_klog *k, unsigned char *c, struct lab_error *err)
{
	int r = klog_more(k, err);

	if (r > 0)
		*c = (unsigned char)src_base(k)[k->rpos];
	return r;
}

/* consume n bytes, keeping the first `keep` of them in dst: how many were
 * there (less than n at the end of the input), or -1 on a read error */
static long read_raw(struct lab_klog *k, void *dst, size_t n, size_t keep,
		     struct lab_error *err)
{
	size_t done = 0;

	while (done < n) {
		size_t avail, take;
		int r = klog_more(k, err);

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		avail = k->rlen - k->rpos;
		take = n - done < avail ? n - done : avail;
		if (done < keep)
			memcpy((char *)dst + done, src_base(k) + k->rpos,
			       keep - done < take ? keep - done : take);
		k->rpos += take;
		done += take;
	}
	return (long)done;
}

/* an entry's message: kept (cut at LAB_KLOG_LINE_MAX), NUL bytes made spaces */
static void set_message(struct lab_klog *k, const char *m, size_t n, int trunc)
{
	if (n > LAB_KLOG_LINE_MAX) {
		n = LAB_KLOG_LINE_MAX;
		trunc = 1;
	}
	if (m != k->msg)
		memcpy(k->msg, m, n);
	for (char *z = memchr(k->msg, '\0', n); z; z = memchr(z, '\0', n - (size_t)(z - k->msg)))
		*z = ' ';
	k->msg[n] = '\0';
	k->msg_len = n;
	k->msg_pos = 0;
	k->msg_trunc = trunc;
	k->msg_active = 1;
	if (trunc)
		k->truncated++;
}

/* the next line of the message being handed out, as a text line without
 * prefixes would be: leading and trailing blanks and a CR dropped */
void klog_message_line(struct lab_klog *k, struct lab_klog_record *rec)
{
	char *b = k->msg + k->msg_pos, *end = k->msg + k->msg_len;
	char *nl = memchr(b, '\n', (size_t)(end - b)), *e = nl ? nl : end;

	k->msg_pos = nl ? (size_t)(nl + 1 - k->msg) : k->msg_len;
	while (b < e && (*b == ' ' || *b == '\t'))
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*e = '\0';
	memset(rec, 0, sizeof(*rec));
	rec->text = b;
	rec->len = (size_t)(e - b);
	rec->line = k->msg_line ? k->msg_line : ++k->lines;
	rec->nlines = 1;
	rec->prefix = LAB_KLOG_PREFIX_STRUCTURED |
		      (k->msg_has_ts ? LAB_KLOG_PREFIX_TIMESTAMP : 0);
	rec->has_timestamp = k->msg_has_ts;
	rec->timestamp = k->msg_ts;
	if (k->msg_pos >= k->msg_len) {
		k->msg_active = 0;
		rec->truncated = k->msg_trunc;	/* the cut is on the last line */
	}
}

/* microseconds as a journal field gives them: "4463542" (or a number) */
static int usec_value(json_object *v, double *ts)
{
	const char *s;
	char *e;
	unsigned long long u;

	if (json_object_is_type(v, json_type_int)) {
		*ts = (double)json_object_get_int64(v) / 1e6;
		return json_object_get_int64(v) >= 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return 0;
	s = json_object_get_string(v);
	if (!is_digit((unsigned char)s[0]))
		return 0;
	errno = 0;
	u = strtoull(s, &e, 10);
	if (*e || errno)
		return 0;
	*ts = (double)u / 1e6;
	return 1;
}

/* a journal field's value: a string, or an array of bytes (not UTF-8, or
 * not printable); a field with several values gives an array of those */
static int journal_bytes(struct lab_klog *k, json_object *v)
{
	size_t n;

	if (json_object_is_type(v, json_type_string)) {
		set_message(k, json_object_get_string(v), (size_t)json_object_get_string_len(v), 0);
		return 1;
	}
	if (!json_object_is_type(v, json_type_array) || !(n = json_object_array_length(v)))
		return 0;
	if (!json_object_is_type(json_object_array_get_idx(v, 0), json_type_int))
		return journal_bytes(k, json_object_array_get_idx(v, 0));
	if (n > LAB_KLOG_LINE_MAX)
		n = LAB_KLOG_LINE_MAX;
	for (size_t i = 0; i < n; i++) {
		json_object *b = json_object_array_get_idx(v, i);
		int64_t c = json_object_get_int64(b);

		if (!json_object_is_type(b, json_type_int) || c < 0 || c > 255)
			return 0;
		k->msg[i] = (char)c;
	}
	set_message(k, k->msg, n, json_object_array_length(v) > n);
	return 1;
}

/* dmesg's "msg": a string */
static int dmesg_text(struct lab_klog *k, json_object *v)
{
	if (!json_object_is_type(v, json_type_string))
		return 0;
	set_message(k, json_object_get_string(v), (size_t)json_object_get_string_len(v), 0);
	return 1;
}

/* dmesg's "time": seconds */
static int seconds_value(json_object *v, double *ts)
{
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return 0;
	*ts = json_object_get_double(v);
	return *ts >= 0;
}

/* What a structured entry is made of: its message's key, how the message
 * is read, and the keys of its timestamp, the first that reads winning. */
struct entry_shape {
	int in_array;		/* entries of one array, not a stream of objects */
	const char *msg_key;
	int (*message)(struct lab_klog *k, json_object *v);
	const char *ts_keys[3];
	int (*timestamp)(json_object *v, double *ts);
};

static const struct entry_shape journal_shape = {
	0, "MESSAGE", journal_bytes, { "_SOURCE_MONOTONIC_TIMESTAMP", "__MONOTONIC_TIMESTAMP" },
	usec_value,
};
static const struct entry_shape dmesg_shape = {
	1, "msg", dmesg_text, { "time" }, seconds_value,
};

/* an entry (a journal entry, an element of dmesg's array): 1 if it has a message */
static int entry_message(struct lab_klog *k, json_object *o, const struct entry_shape *sh)
{
	json_object *v;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, sh->msg_key, &v) || !sh->message(k, v))
		return 0;
	k->msg_has_ts = 0;
	for (int i = 0; i < 3 && sh->ts_keys[i] && !k->msg_has_ts; i++)
		k->msg_has_ts = json_object_object_get_ex(o, sh->ts_keys[i], &v) &&
				sh->timestamp(v, &k->msg_ts);
	return 1;
}

/*
 * The JSON object that starts at the read position, fed to json-c at most
 * JSON_FEED bytes at a time and JSON_MAX in all: 1 and *out, 0 at the end
 * of the input, 2 when it is not one, -1 on a read error. After a 2 the
 * read position is just past the object's '{' when that is still in the
 * read buffer (json-c takes a raw newline inside a string, so a line cut
 * short swallows the next one before it fails), else past what the tokener
 * took.
 */
static int json_object_at(struct lab_klog *k, json_object **out, struct lab_error *err)
{
	size_t fed = 0, start = k->rpos;
	int refilled = 0;

	json_tokener_reset(k->tok);
	for (;;) {
		enum json_tokener_error e;
		json_object *o;
		size_t n, used;

		if (k->rpos >= k->rlen) {
			int r = klog_more(k, err);

			if (r <= 0)
				return r;
			refilled = 1;
		}
		n = k->rlen - k->rpos;
		if (n > JSON_FEED)
			n = JSON_FEED;
		o = json_tokener_parse_ex(k->tok, src_base(k) + k->rpos, (int)n);
		e = json_tokener_get_error(k->tok);
		used = json_tokener_get_parse_end(k->tok);
		if (used > n)
			used = n;
		if (o) {
			k->rpos += used;
			*out = o;
			return 1;
		}
		if (e != json_tokener_continue) {
			k->rpos = refilled ? k->rpos + (used ? used : 1) : start + 1;
			return 2;
		}
		k->rpos += n;
		fed += n;
		if (fed > JSON_MAX) {
			if (!refilled)
				k->rpos = start + 1;
			return 2;
		}
	}
}

static int is_json_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x1e;	/* RS: json-seq */
}

/* skip to the start of the next line that opens an object (after junk) */
static int json_resync(struct lab_klog *k, struct lab_error *err)
{
	unsigned char c, prev = 0;
	int r;

	while ((r = peek_byte(k, &c, err)) > 0) {
		if (c == '{' && (prev == '\n' || prev == 0x1e))
			return 1;
		prev = c;
		k->rpos++;
	}
	return r;
}

/*
 * The next entry with a message: 1, 0 at the end, -1 on error. A journal's
 * entries follow one another; junk between them, or a broken one, is
 * skipped to the next line that opens an object. dmesg's are the elements
 * of one array, which ends at "]" or where it stops being one.
 */
static int json_next(struct lab_klog *k, const struct entry_shape *sh, struct lab_error *err)
{
	while (!k->json_done) {
		json_object *o = NULL;
		unsigned char c;
		int r, got;

		while ((r = peek_byte(k, &c, err)) > 0 &&
		       (is_json_blank(c) || (sh->in_array && c == ',')))
			k->rpos++;
		if (r <= 0)
			return r;
		r = c == '{' ? json_object_at(k, &o, err) : 2;
		if (r == 2) {
			if (sh->in_array)
				k->json_done = 1;
			else if ((r = json_resync(k, err)) <= 0)
				return r;
			continue;
		}
		if (r <= 0)
			return r;
		got = entry_message(k, o, sh);
		json_object_put(o);
		if (got)
			return 1;
	}
	return 0;
}

/* a decimal number of microseconds in an export field */
static int usec_text(const char *s, size_t n, double *ts)
{
	unsigned long long u = 0;

	if (n == 0 || n > 20)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return 0;
		u = u * 10 + (unsigned long long)(s[i] - '0');
	}
	*ts = (double)u / 1e6;
	return 1;
}

/* the next export entry with a message: 1, 0 at the end, -1 on error */
static int export_next(struct lab_klog *k, struct lab_error *err)
{
	for (;;) {
		int any = 0, have_msg = 0, have_src = 0, have_mono = 0, r;
		double src = 0, mono = 0;

		while ((r = klog_read_physical(k, &k->ahead, err)) > 0) {
			char *l = k->ahead.buf, *eq;
			size_t n = k->ahead.len;

			k->ahead.valid = 0;
			if (n == 0) {
				if (any)
					break;	/* the entry ends */
				continue;
			}
			any = 1;
			eq = memchr(l, '=', n);
			if (eq) {
				size_t kl = (size_t)(eq - l);
				const char *v = eq + 1;
				size_t vl = n - kl - 1;

				if (kl == 7 && !memcmp(l, "MESSAGE", 7) && !have_msg) {
					set_message(k, v, vl, k->ahead.truncated);
					have_msg = 1;
				} else if (kl == 27 && !memcmp(l, "_SOURCE_MONOTONIC_TIMESTAMP", 27)) {
					have_src = usec_text(v, vl, &src);
				} else if (kl == 21 && !memcmp(l, "__MONOTONIC_TIMESTAMP", 21)) {
					have_mono = usec_text(v, vl, &mono);
				}
			} else {
				/* a binary field: KEY, then its size (64-bit little
				 * endian), the bytes and a newline */
				unsigned char sz[8];
				uint64_t size = 0;
				int is_msg = n == 7 && !memcmp(l, "MESSAGE", 7) && !have_msg;
				unsigned char c;
				long got;

				if (read_raw(k, sz, 8, 8, err) < 8)
					break;
				for (int i = 7; i >= 0; i--)
					size = size << 8 | sz[i];
				got = read_raw(k, k->msg, size, is_msg ? LAB_KLOG_LINE_MAX : 0, err);
				if (got < 0)
					return -1;
				if (is_msg) {
					/* got: what the input held, up to the size */
					size_t kept = (uint64_t)got < LAB_KLOG_LINE_MAX ? (size_t)got :
						      LAB_KLOG_LINE_MAX;

					set_message(k, k->msg, kept, size > kept);
					have_msg = 1;
				}
				if ((r = peek_byte(k, &c, err)) < 0)
					return -1;
				if (r > 0 && c == '\n')
					k->rpos++;
			}
		}
		if (r < 0)
			return -1;
		if (have_msg) {
			k->msg_has_ts = have_src || have_mono;
			k->msg_ts = have_src ? src : mono;
			return 1;
		}
		if (!any || r == 0)
			return 0;
	}
}

/* "__CURSOR=", "_BOOT_ID=", "MESSAGE=": the first line of an export */
static int export_key_at(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (isupper((unsigned char)s[i]) || is_digit((unsigned char)s[i]) ||
			 s[i] == '_'))
		i++;
	if (i == 0 || i >= n || s[i] != '=')
		return 0;
	return s[0] == '_' || (i == 7 && !memcmp(s, "MESSAGE", 7)) ||
	       (i == 8 && !memcmp(s, "PRIORITY", 8));
}

/* json-c takes the object that starts at s (n bytes), or wants more of it */
static int json_object_starts(const char *s, size_t n)
{
	json_tokener *t = json_tokener_new_ex(JSON_DEPTH);
	json_object *o;
	int ok;

	if (!t)
		return 0;
	o = json_tokener_parse_ex(t, s, (int)(n < JSON_FEED ? n : JSON_FEED));
	ok = o ? json_object_is_type(o, json_type_object) :
	     json_tokener_get_error(t) == json_tokener_continue;
	json_object_put(o);
	json_tokener_free(t);
	return ok;
}

/* what the structured shapes need besides the text reader's buffers */
static int structured_alloc(struct lab_klog *k, struct lab_error *err)
{
	if (!k->msg)
		k->msg = malloc(LAB_KLOG_LINE_MAX + 1);
	if (!k->tok)
		k->tok = json_tokener_new_ex(JSON_DEPTH);
	if (!k->msg || !k->tok) {
		lab_error_set_errno(err, ENOMEM, "allocating the log reader");
		return -1;
	}
	return 0;
}

/* A text line that is a whole journal JSON entry with a message: 1 (the
 * message is then handed out, every line numbered `line`), 0 if it is not
 * one, -1 out of memory. */
int klog_json_line_entry(struct lab_klog *k, const char *s, size_t n, unsigned long line,
			 struct lab_error *err)
{
	json_object *o;
	size_t b = 0, used;
	int got;

	while (b < n && (s[b] == ' ' || s[b] == '\t'))
		b++;
	while (n > b && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n - b < 2 || s[b] != '{' || s[n - 1] != '}' || n - b > JSON_MAX)
		return 0;
	if (structured_alloc(k, err) < 0)
		return -1;
	json_tokener_reset(k->tok);
	o = json_tokener_parse_ex(k->tok, s + b, (int)(n - b));
	used = json_tokener_get_parse_end(k->tok);
	got = o && used == n - b && entry_message(k, o, &journal_shape);
	json_object_put(o);
	if (got)
		k->msg_line = line;
	return got;
}

/* Decide the input's shape from its first bytes (the first read chunk). */
int klog_sniff(struct lab_klog *k, struct lab_error *err)
{
	const char *s;
	size_t n, i = 0, j;

	k->shape = SHAPE_TEXT;
	if (klog_more(k, err) < 0)
		return -1;
	s = src_base(k) + k->rpos;
	n = k->rlen - k->rpos;
	if (n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < n && is_json_blank((unsigned char)s[i]))
		i++;
	if (i < n && s[i] == '{') {
		for (j = i + 1; j < n && is_json_blank((unsigned char)s[j]); j++)
			;
		if (n - j > 7 && !memcmp(s + j, "\"dmesg\"", 7)) {
			for (j += 7; j < n && is_json_blank((unsigned char)s[j]); j++)
				;
			if (j < n && s[j] == ':')
				for (j++; j < n && is_json_blank((unsigned char)s[j]); j++)
					;
			if (j < n && s[j] == '[') {
				k->shape = SHAPE_DMESG_JSON;
				k->rpos += j + 1;
			}
		} else if (json_object_starts(s + i, n - i)) {
			k->shape = SHAPE_JOURNAL_JSON;
			k->rpos += i;
		}
	} else if (export_key_at(s + i, n - i)) {
		k->shape = SHAPE_EXPORT;
		k->rpos += i;
	}
	if (k->shape == SHAPE_TEXT)
		return 0;
	return structured_alloc(k, err);
}

int klog_structured_next(struct lab_klog *k, struct lab_klog_record *rec, struct lab_error *err)
{
	int r = k->shape == SHAPE_JOURNAL_JSON ? json_next(k, &journal_shape, err) :
		k->shape == SHAPE_EXPORT ? export_next(k, err) : json_next(k, &dmesg_shape, err);

	if (r <= 0)
		return r;
	klog_message_line(k, rec);
	return 1;
}

void klog_structured_free(struct lab_klog *k)
{
	if (k->tok)
		json_tokener_free(k->tok);
	free(k->msg);
}
