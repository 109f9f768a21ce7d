/* SPDX-License-Identifier: MIT */
#ifndef LAB_KLOG_H
#define LAB_KLOG_H

/*
 * Kernel log reader: turns a kernel log in any shape people paste into
 * records of message text with the prefix stripped.
 *
 * Besides text, the reader takes the structured shapes, told apart by the
 * first bytes: `journalctl -o json` (also json-pretty and json-seq: JSON
 * objects, MESSAGE a string or an array of bytes), `journalctl -o export`
 * (KEY=value lines, binary fields with their 64-bit little-endian size, an
 * empty line after each entry) and `dmesg --json` (util-linux:
 * {"dmesg": [{"pri":.., "time":.., "msg":..}, ...]}). Their records are the
 * lines of each entry's message, prefix LAB_KLOG_PREFIX_STRUCTURED, with the
 * kernel's timestamp (the journal's _SOURCE_MONOTONIC_TIMESTAMP, else
 * __MONOTONIC_TIMESTAMP; dmesg's "time"), numbered by message line (a
 * journal JSON line among text lines, as pasted after its prompt, is taken
 * as an entry too, its lines numbered with that line); a
 * malformed journal entry is skipped to the next line that opens one, and
 * dmesg's array ends where it stops being one. JSON is read with json-c one
 * entry at a time, at most 2 * LAB_KLOG_LINE_MAX bytes each.
 *
 * Recognised prefixes (stacked in any order, each at most a few times):
 *   "[   12.345678]"                 dmesg timestamp (also "12.345678]" whose
 *                                    '[' a forum or mail client ate)
 *   "[  T123]" "[    C0]"            printk caller id
 *   "[Mon Jun 15 11:59:16 2024]"     dmesg -T
 *   "Jun 15 11:59:16 host kernel:"   syslog / journalctl short (host optional)
 *   "2014-04-25T09:37:53.595+01:00 host kernel:"  RFC 3339 syslog
 *   "2024-06-15T11:59:16,123456+02:00"            dmesg --time-format=iso
 *   "kernel:" "host kernel:" "<3>" "kern  :err   :" "6,339,5140900,-;"
 *                                    tag, levels (dmesg -x), /dev/kmsg header
 *   "[pid:134,cpu0,irq/13-arm-smmu]"              vendor context tags
 *   leading "> " mail quoting
 * Lines end in LF or CRLF. NUL bytes become spaces, ANSI colour sequences
 * (dmesg --color) are dropped. Lines longer than
 * LAB_KLOG_LINE_MAX are truncated there (the rest is skipped, the line still
 * counts once). A line ending in '=' followed by a line with no prefix is a
 * quoted-printable soft break and the two are joined; once the input shows
 * "=3D" the reader decodes "=XX" escapes. Memory use is bounded by a few
 * times LAB_KLOG_LINE_MAX (and json-c's objects for one entry) whatever the
 * input.
 */

#include <stddef.h>
#include <stdio.h>

#include "error.h"

#define LAB_KLOG_LINE_MAX (64 * 1024)

/* Which prefixes were stripped from a record (bit set). */
enum {
	LAB_KLOG_PREFIX_TIMESTAMP = 1 << 0,	/* dmesg [sec.usec] or kmsg header */
	LAB_KLOG_PREFIX_CALLER = 1 << 1,	/* [T123] / [C0] */
	LAB_KLOG_PREFIX_WALLCLOCK = 1 << 2,	/* dmesg -T or dmesg iso */
	LAB_KLOG_PREFIX_SYSLOG = 1 << 3,	/* syslog/journal date, host, tag */
	LAB_KLOG_PREFIX_KERNEL = 1 << 4,	/* bare "kernel:" */
	LAB_KLOG_PREFIX_LEVEL = 1 << 5,		/* "<3>" */
	LAB_KLOG_PREFIX_VENDOR = 1 << 6,	/* "[pid:..,cpu..]" */
	LAB_KLOG_PREFIX_STRUCTURED = 1 << 7,	/* a journal or dmesg --json entry */
};

struct lab_klog_record {
	const char *text;	/* message text, NUL-terminated, not necessarily UTF-8 */
	size_t len;
	unsigned long line;	/* 1-based line of the (first) physical line; for the
				 * structured shapes the message line's ordinal */
	unsigned int nlines;	/* physical lines joined into this record (>= 1) */
	unsigned int prefix;	/* LAB_KLOG_PREFIX_* bits stripped; 0: bare text */
	int has_timestamp;	/* timestamp is seconds since boot */
	double timestamp;
	int truncated;		/* the line was cut at LAB_KLOG_LINE_MAX */
};

struct lab_klog;

/* Read from f (not closed by lab_klog_free). */
struct lab_klog *lab_klog_new_file(FILE *f, struct lab_error *err);
/* Read from memory; buf must outlive the reader. */
struct lab_klog *lab_klog_new_buffer(const void *buf, size_t len, struct lab_error *err);
/*
 * Next record: 1 and *rec filled (its text valid until the next call),
 * 0 at the end of input, -1 on a read error.
 */
int lab_klog_next(struct lab_klog *k, struct lab_klog_record *rec, struct lab_error *err);
/* Lines numbered so far (physical lines; for the structured shapes, message
 * lines), and how many lines or messages were truncated. */
unsigned long lab_klog_lines(const struct lab_klog *k);
unsigned long lab_klog_truncated(const struct lab_klog *k);
void lab_klog_free(struct lab_klog *k);

/*
 * Strip the prefixes of one line in place of the reader (for text that comes
 * one message at a time, e.g. /dev/kmsg). Returns the offset of the message
 * text in s and fills rec's prefix/timestamp fields (not text/line).
 */
size_t lab_klog_strip(const char *s, size_t len, struct lab_klog_record *rec);

#endif
