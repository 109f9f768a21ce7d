/* SPDX-License-Identifier: MIT */
#ifndef LAB_KLOG_INTERNAL_H
#define LAB_KLOG_INTERNAL_H

/*
 * What the kernel log reader's two files share, and nothing else includes
 * (the public API is klog.h): klog.c reads the input (buffer or FILE),
 * splits it into physical lines and reads text, its prefixes and soft
 * breaks; klog_structured.c tells the structured shapes apart and decodes
 * them (journal JSON and export, dmesg --json), handing out each message a
 * line at a time.
 *
 * Names shared between these files start with klog_; each file's own
 * helpers are static and unprefixed.
 */
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "klog.h"

struct json_tokener;

/*
 * The input's shape, decided from its first bytes (klog_sniff()):
 *   TEXT         lines, each with its prefixes (klog.c)
 *   JOURNAL_JSON journalctl -o json / json-pretty / json-seq: a sequence of
 *                JSON objects, one an entry, MESSAGE its text
 *   EXPORT       journalctl -o export: KEY=value lines, an empty line after
 *                each entry, a binary field as KEY, a 64-bit little-endian
 *                size, the bytes and a newline (systemd's "Journal Export
 *                Format")
 *   DMESG_JSON   dmesg --json (util-linux): {"dmesg": [{"pri": 6, "time":
 *                1.234567, "msg": "..."}, ...]}
 * The structured shapes hand out each message a line at a time with the
 * kernel's own timestamp: a journal entry's _SOURCE_MONOTONIC_TIMESTAMP
 * (else __MONOTONIC_TIMESTAMP), in microseconds since boot; dmesg's "time".
 * Their records are numbered by message line, so a log and its dmesg text
 * twin number alike.
 */
enum { SHAPE_UNSET, SHAPE_TEXT, SHAPE_JOURNAL_JSON, SHAPE_EXPORT, SHAPE_DMESG_JSON };

struct physline {
	char *buf;		/* LAB_KLOG_LINE_MAX + 1 */
	size_t len;
	unsigned long line;
	int truncated;
	int valid;
};

struct lab_klog {
	FILE *f;
	const char *src;	/* buffer mode: the caller's memory */
	char *rbuf;		/* file mode: read buffer */
	size_t rlen, rpos;
	int eof;

	struct physline ahead;	/* one line of lookahead (for soft breaks) */
	char *out;		/* the record's text, LAB_KLOG_LINE_MAX + 1; swapped
				 * with ahead.buf rather than copied */
	unsigned long lines;	/* lines numbered so far (physical, or message lines) */
	unsigned long phys;	/* physical lines read */
	unsigned long truncated;
	int qp;			/* input is quoted-printable: decode =XX */

	int shape;		/* SHAPE_* */
	struct json_tokener *tok;	/* JSON shapes: one entry at a time */
	int json_done;		/* DMESG_JSON: the array ended, or stopped being one */
	/* a structured entry's message, handed out a line at a time */
	char *msg;		/* LAB_KLOG_LINE_MAX + 1 */
	size_t msg_len, msg_pos;
	int msg_active, msg_trunc, msg_has_ts;
	double msg_ts;
	unsigned long msg_line;	/* a JSON line among text: its line, for every record */
};

static inline int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* ---- the input (klog.c) ------------------------------------------------------ */

/* data at the read position: 1, 0 at the end of the input, -1 error */
int klog_more(struct lab_klog *k, struct lab_error *err);
/* Read one physical line into pl: 1 read, 0 end of input, -1 error. */
int klog_read_physical(struct lab_klog *k, struct physline *pl, struct lab_error *err);

/* ---- the structured shapes (klog_structured.c) ------------------------------- */

/* Decide the input's shape from its first bytes (the first read chunk):
 * 0, or -1 on a read error or out of memory. */
int klog_sniff(struct lab_klog *k, struct lab_error *err);
/* The next record of a structured input (shape not TEXT, no message being
 * handed out): 1, 0 at the end, -1 on error. */
int klog_structured_next(struct lab_klog *k, struct lab_klog_record *rec, struct lab_error *err);
/* The next line of the message being handed out (k->msg_active). */
void klog_message_line(struct lab_klog *k, struct lab_klog_record *rec);
/* A text line that is a whole journal JSON entry with a message: 1 (the
 * message is then handed out, every line numbered `line`), 0 if it is not
 * one, -1 out of memory. */
int klog_json_line_entry(struct lab_klog *k, const char *s, size_t n, unsigned long line,
			 struct lab_error *err);
/* What the structured shapes allocated (lab_klog_free). */
void klog_structured_free(struct lab_klog *k);

#endif
