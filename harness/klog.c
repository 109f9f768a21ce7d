/* SPDX-License-Identifier: MIT */
#include "klog.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "hex.h"

#define READ_CHUNK (256 * 1024)
#define MAX_JOINS 16		/* soft breaks joined into one record */
#define MAX_PREFIXES 8		/* prefix layers stripped from one line */
#define JSON_FEED (64 * 1024)	/* bytes given to the JSON tokener at a time */
#define JSON_MAX (2 * LAB_KLOG_LINE_MAX)	/* the longest JSON entry read */
#define JSON_DEPTH 8		/* a journal entry nests 3 deep (MESSAGE: [[bytes]]) */

/*
 * The input's shape, decided from its first bytes (sniff()):
 *   TEXT         lines, each with its prefixes (the rest of this file)
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
	json_tokener *tok;	/* JSON shapes: one entry at a time */
	int json_done;		/* DMESG_JSON: the array ended, or stopped being one */
	/* a structured entry's message, handed out a line at a time */
	char *msg;		/* LAB_KLOG_LINE_MAX + 1 */
	size_t msg_len, msg_pos;
	int msg_active, msg_trunc, msg_has_ts;
	double msg_ts;
	unsigned long msg_line;	/* a JSON line among text: its line, for every record */
};

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_space(int c)
{
	return c == ' ' || c == '\t';
}


/* ---- prefix matchers: each returns the length matched at s, or 0 -------- */

/* "[   12.345678]" or, with the '[' lost, "12.345678]" (6+ fraction digits) */
static size_t match_dmesg_ts(const char *s, size_t len, double *ts)
{
	static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
	size_t i = 0, d0, f0;
	int bracket = 0;
	unsigned long long ip = 0, fp = 0;

	if (i < len && s[i] == '[') {
		bracket = 1;
		i++;
		while (i < len && s[i] == ' ')
			i++;
	}
	d0 = i;
	while (i < len && is_digit(s[i]) && i - d0 < 12)
		ip = ip * 10 + (unsigned long long)(s[i++] - '0');
	if (i == d0 || i >= len || s[i] != '.')
		return 0;
	f0 = ++i;
	while (i < len && is_digit(s[i]) && i - f0 < 9)
		fp = fp * 10 + (unsigned long long)(s[i++] - '0');
	if (i == f0 || i >= len || s[i] != ']')
		return 0;
	if (!bracket && i - f0 < 6)
		return 0;
	*ts = (double)ip + (double)fp / pow10[i - f0];
	return i + 1;
}

/* "[  T123]" / "[    C0]" */
static size_t match_caller(const char *s, size_t len)
{
	size_t i = 1, d0;

	if (len < 4 || s[0] != '[')
		return 0;
	while (i < len && s[i] == ' ')
		i++;
	if (i >= len || (s[i] != 'T' && s[i] != 'C'))
		return 0;
	d0 = ++i;
	while (i < len && is_digit(s[i]) && i - d0 < 10)
		i++;
	if (i == d0 || i >= len || s[i] != ']')
		return 0;
	return i + 1;
}

static int is_month(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	for (int m = 0; m < 12; m++)
		if (!memcmp(s, months + 3 * m, 3))
			return 1;
	return 0;
}

static int is_weekday(const char *s)
{
	static const char days[] = "MonTueWedThuFriSatSun";

	for (int d = 0; d < 7; d++)
		if (!memcmp(s, days + 3 * d, 3))
			return 1;
	return 0;
}

/* "[Mon Jun 15 11:59:16 2024]" (dmesg -T / --ctime) */
static size_t match_wallclock(const char *s, size_t len)
{
	size_t i;
	int colons = 0;

	if (len < 12 || s[0] != '[' || !is_weekday(s + 1) || s[4] != ' ' || !is_month(s + 5))
		return 0;
	for (i = 8; i < len && i < 40 && s[i] != ']'; i++)
		if (s[i] == ':')
			colons++;
	if (i >= len || s[i] != ']' || colons < 2)
		return 0;
	return i + 1;
}

/* "HH:MM:SS" optionally followed by ".frac"; returns length or 0 */
static size_t match_hms(const char *s, size_t len)
{
	size_t i;

	if (len < 8 || !is_digit(s[0]) || !is_digit(s[1]) || s[2] != ':' ||
	    !is_digit(s[3]) || !is_digit(s[4]) || s[5] != ':' ||
	    !is_digit(s[6]) || !is_digit(s[7]))
		return 0;
	i = 8;
	if (i < len && (s[i] == '.' || s[i] == ',')) {
		size_t f0 = ++i;

		while (i < len && is_digit(s[i]) && i - f0 < 9)
			i++;
		if (i == f0)
			return 0;
	}
	return i;
}

/* a syslog tag: "kernel:", "kernel[0]:", "systemd[1]:"; 1 kernel, 2 other */
static int tag_kind(const char *s, size_t n)
{
	if (n < 2 || s[n - 1] != ':')
		return 0;
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == ':')
			return 0;
	if (n >= 7 && !memcmp(s, "kernel", 6) && (s[6] == ':' || s[6] == '['))
		return 1;
	return 2;
}

static int is_hostname(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (!(isalnum(c) || c == '.' || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static size_t token(const char *s, size_t len, size_t i, size_t *end)
{
	while (i < len && is_space(s[i]))
		i++;
	*end = i;
	while (*end < len && !is_space(s[*end]))
		(*end)++;
	return i;
}

/* after a syslog date: "[host] tag:" ; returns bytes consumed (>= 0) */
static size_t syslog_host_tag(const char *s, size_t len, size_t i)
{
	size_t a, ae, b, be;

	a = token(s, len, i, &ae);
	if (a == ae)
		return i;
	if (tag_kind(s + a, ae - a) == 1)
		return ae;
	if (!is_hostname(s + a, ae - a))
		return i;
	b = token(s, len, ae, &be);
	if (b < be && tag_kind(s + b, be - b))
		return be;
	return ae;		/* host, then an untagged message */
}

/* "Jun 15 11:59:16[.frac] host kernel:" */
static size_t match_syslog(const char *s, size_t len)
{
	size_t i, n;

	if (len < 15 || !is_month(s) || s[3] != ' ')
		return 0;
	i = 4;
	while (i < len && s[i] == ' ')
		i++;
	if (i >= len || !is_digit(s[i]))
		return 0;
	i++;
	if (i < len && is_digit(s[i]))
		i++;
	if (i >= len || s[i] != ' ')
		return 0;
	i++;
	n = match_hms(s + i, len - i);
	if (!n)
		return 0;
	return syslog_host_tag(s, len, i + n);
}

/*
 * "2014-04-25T09:37:53.595431+01:00 host kernel:" (RFC 3339 syslog, '.'
 * or no fraction) or "2024-06-15T11:59:16,123456+02:00 msg" (dmesg iso, ',').
 */
static size_t match_iso(const char *s, size_t len, int *syslog)
{
	size_t i, n;
	int comma;

	if (len < 20 || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]) ||
	    !is_digit(s[3]) || s[4] != '-' || !is_digit(s[5]) || !is_digit(s[6]) ||
	    s[7] != '-' || !is_digit(s[8]) || !is_digit(s[9]) || (s[10] != 'T' && s[10] != ' '))
		return 0;
	n = match_hms(s + 11, len - 11);
	if (!n)
		return 0;
	comma = s[19] == ',';
	i = 11 + n;
	if (i < len && s[i] == 'Z') {
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		size_t z0 = ++i;

		while (i < len && (is_digit(s[i]) || s[i] == ':') && i - z0 < 6)
			i++;
	}
	if (i < len && !is_space(s[i]))
		return 0;
	*syslog = !comma;
	if (comma)
		return i;
	return syslog_host_tag(s, len, i);
}

/* "kernel:" on its own, or "host kernel:" (journalctl -o short-monotonic) */
static size_t match_kernel(const char *s, size_t len)
{
	const char *sp;
	size_t a, ae, b, be;

	if (len >= 7 && !memcmp(s, "kernel:", 7))
		return 7;
	/* cheap test first: is the second word "kernel..."? */
	sp = memchr(s, ' ', len < 66 ? len : 66);
	if (!sp)
		return 0;
	while ((size_t)(sp - s) < len && *sp == ' ')
		sp++;
	if (len - (size_t)(sp - s) < 7 || memcmp(sp, "kernel", 6))
		return 0;
	a = token(s, len, 0, &ae);
	if (!is_hostname(s + a, ae - a))
		return 0;
	b = token(s, len, ae, &be);
	if (be - b >= 7 && tag_kind(s + b, be - b) == 1)
		return be;
	return 0;
}

/* dmesg -x: "kern  :err   : " */
static size_t match_facility(const char *s, size_t len)
{
	static const char *const levels[] = {
		"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
	};
	size_t i = 4;

	if (len < 10 || memcmp(s, "kern", 4))
		return 0;
	while (i < len && s[i] == ' ')
		i++;
	if (i >= len || s[i++] != ':')
		return 0;
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		size_t n = strlen(levels[l]);

		if (len - i >= n && !memcmp(s + i, levels[l], n)) {
			i += n;
			while (i < len && s[i] == ' ')
				i++;
			return i < len && s[i] == ':' ? i + 1 : 0;
		}
	}
	return 0;
}

/* "<3>" */
static size_t match_level(const char *s, size_t len)
{
	size_t i = 1;

	if (len < 3 || s[0] != '<')
		return 0;
	while (i < len && is_digit(s[i]) && i < 4)
		i++;
	if (i == 1 || i >= len || s[i] != '>')
		return 0;
	return i + 1;
}

/* "/dev/kmsg": "6,339,5140900,-;" (level,seq,usec,flags[,more];) */
static size_t match_kmsg(const char *s, size_t len, double *ts)
{
	size_t i = 0, f;
	unsigned long long usec = 0;

	for (f = 0; f < 3; f++) {
		size_t d0 = i;

		while (i < len && is_digit(s[i]) && i - d0 < 20) {
			if (f == 2)
				usec = usec * 10 + (s[i] - '0');
			i++;
		}
		if (i == d0 || i >= len || s[i] != ',')
			return 0;
		i++;
	}
	while (i < len && s[i] != ';' && s[i] != ' ' && i < 48)
		i++;
	if (i >= len || s[i] != ';')
		return 0;
	*ts = usec / 1e6;
	return i + 1;
}

/* "[pid:134,cpu0,irq/13-arm-smmu]": no spaces, has ',' and ':' */
static size_t match_vendor(const char *s, size_t len)
{
	size_t i;
	int comma = 0, colon = 0;

	if (len < 5 || s[0] != '[')
		return 0;
	for (i = 1; i < len && i < 80 && s[i] != ']'; i++) {
		unsigned char c = s[i];

		if (c == ',')
			comma = 1;
		else if (c == ':')
			colon = 1;
		else if (!(isalnum(c) || c == '_' || c == '/' || c == '-' || c == '.' || c == '='))
			return 0;
	}
	if (i >= len || s[i] != ']' || !comma || !colon)
		return 0;
	return i + 1;
}

size_t lab_klog_strip(const char *s, size_t len, struct lab_klog_record *rec)
{
	size_t i = 0;

	rec->prefix = 0;
	rec->has_timestamp = 0;
	rec->timestamp = 0;

	/* mail quoting: "> ", ">> ", "> > " */
	while (i < len && (is_space(s[i]) || s[i] == '>'))
		i++;
	for (int layer = 0; layer < MAX_PREFIXES; layer++) {
		size_t n;
		double ts;
		int syslog;
		char c;

		while (i < len && is_space(s[i]))
			i++;
		if (i >= len)
			break;
		/* the first character decides which prefixes can match */
		c = s[i];
		n = 0;
		if (c == '[') {
			if ((n = match_dmesg_ts(s + i, len - i, &ts))) {
				rec->prefix |= LAB_KLOG_PREFIX_TIMESTAMP;
				rec->has_timestamp = 1;
				rec->timestamp = ts;
			} else if ((n = match_caller(s + i, len - i))) {
				rec->prefix |= LAB_KLOG_PREFIX_CALLER;
			} else if ((n = match_wallclock(s + i, len - i))) {
				rec->prefix |= LAB_KLOG_PREFIX_WALLCLOCK;
			} else if ((n = match_vendor(s + i, len - i))) {
				rec->prefix |= LAB_KLOG_PREFIX_VENDOR;
			}
		} else if (is_digit(c)) {
			if ((n = match_dmesg_ts(s + i, len - i, &ts))) {
				rec->prefix |= LAB_KLOG_PREFIX_TIMESTAMP;
				rec->has_timestamp = 1;
				rec->timestamp = ts;
			} else if ((n = match_iso(s + i, len - i, &syslog))) {
				rec->prefix |= syslog ? LAB_KLOG_PREFIX_SYSLOG :
					       LAB_KLOG_PREFIX_WALLCLOCK;
			} else if ((n = match_kmsg(s + i, len - i, &ts))) {
				rec->prefix |= LAB_KLOG_PREFIX_TIMESTAMP;
				rec->has_timestamp = 1;
				rec->timestamp = ts;
			}
		} else if (c == '<') {
			if ((n = match_level(s + i, len - i)))
				rec->prefix |= LAB_KLOG_PREFIX_LEVEL;
		} else if (c >= 'A' && c <= 'S' && (n = match_syslog(s + i, len - i))) {
			rec->prefix |= LAB_KLOG_PREFIX_SYSLOG;
		} else if (c == 'k' && (n = match_facility(s + i, len - i))) {
			rec->prefix |= LAB_KLOG_PREFIX_LEVEL;
		}
		if (!n && (n = match_kernel(s + i, len - i)))
			rec->prefix |= LAB_KLOG_PREFIX_KERNEL;
		if (!n)
			break;
		i += n;
	}
	while (i < len && is_space(s[i]))
		i++;
	return i;
}

/* ---- reading ------------------------------------------------------------ */

static struct lab_klog *klog_alloc(struct lab_error *err)
{
	struct lab_klog *k = calloc(1, sizeof(*k));

	if (!k)
		goto nomem;
	k->ahead.buf = malloc(LAB_KLOG_LINE_MAX + 1);
	k->out = malloc(LAB_KLOG_LINE_MAX + 1);
	if (!k->ahead.buf || !k->out) {
		lab_klog_free(k);
		goto nomem;
	}
	return k;
nomem:
	lab_error_set_errno(err, ENOMEM, "allocating the log reader");
	return NULL;
}

struct lab_klog *lab_klog_new_file(FILE *f, struct lab_error *err)
{
	struct lab_klog *k = klog_alloc(err);

	if (!k)
		return NULL;
	k->f = f;
	k->rbuf = malloc(READ_CHUNK);
	if (!k->rbuf) {
		lab_klog_free(k);
		lab_error_set_errno(err, ENOMEM, "allocating the log reader");
		return NULL;
	}
	return k;
}

struct lab_klog *lab_klog_new_buffer(const void *buf, size_t len, struct lab_error *err)
{
	struct lab_klog *k = klog_alloc(err);

	if (!k)
		return NULL;
	k->src = buf ? buf : "";
	k->rlen = buf ? len : 0;
	return k;
}

void lab_klog_free(struct lab_klog *k)
{
	if (!k)
		return;
	if (k->tok)
		json_tokener_free(k->tok);
	free(k->msg);
	free(k->rbuf);
	free(k->ahead.buf);
	free(k->out);
	free(k);
}

unsigned long lab_klog_lines(const struct lab_klog *k)
{
	if (!k)
		return 0;
	return k->shape == SHAPE_TEXT || k->shape == SHAPE_UNSET ? k->phys : k->lines;
}

unsigned long lab_klog_truncated(const struct lab_klog *k)
{
	return k ? k->truncated : 0;
}

/* 1 more data, 0 end, -1 error */
static int fill(struct lab_klog *k, struct lab_error *err)
{
	size_t n;

	if (!k->f || k->eof)
		return 0;
	n = fread(k->rbuf, 1, READ_CHUNK, k->f);
	if (n == 0) {
		if (ferror(k->f)) {
			lab_error_set_errno(err, errno ? errno : EIO, "reading the log");
			return -1;
		}
		k->eof = 1;
		return 0;
	}
	k->rlen = n;
	k->rpos = 0;
	return 1;
}

/* data at the read position: 1, 0 at the end of the input, -1 error */
static int more(struct lab_klog *k, struct lab_error *err)
{
	return k->rpos < k->rlen ? 1 : fill(k, err);
}

/* Read one physical line into pl: 1 read, 0 end of input, -1 error. */
static int read_physical(struct lab_klog *k, struct physline *pl, struct lab_error *err)
{
	const char *base = k->f ? k->rbuf : k->src;
	size_t n = 0;
	int got = 0, trunc = 0;

	for (;;) {
		const char *s, *nl;
		size_t avail, seg, take;
		int r = more(k, err);

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got = 1;
		s = base + k->rpos;
		avail = k->rlen - k->rpos;
		nl = memchr(s, '\n', avail);
		seg = nl ? (size_t)(nl - s) : avail;
		take = LAB_KLOG_LINE_MAX - n;
		if (take > seg)
			take = seg;
		else if (take < seg)
			trunc = 1;
		memcpy(pl->buf + n, s, take);
		n += take;
		k->rpos += seg + (nl ? 1 : 0);
		if (nl)
			break;
	}
	if (!got)
		return 0;
	while (n > 0 && pl->buf[n - 1] == '\r')
		n--;
	for (char *z = memchr(pl->buf, '\0', n); z; z = memchr(z, '\0', n - (z - pl->buf)))
		*z = ' ';
	pl->buf[n] = '\0';
	pl->len = n;
	pl->line = ++k->phys;
	pl->truncated = trunc;
	if (trunc)
		k->truncated++;
	pl->valid = 1;
	return 1;
}

/* does s contain "=3D" (the mark of quoted-printable text)? */
static int has_qp_mark(const char *s, size_t len)
{
	const char *e = s + len, *q = s;

	while ((q = memchr(q, '=', (size_t)(e - q)))) {
		if (e - q >= 3 && q[1] == '3' && (q[2] == 'D' || q[2] == 'd'))
			return 1;
		q++;
	}
	return 0;
}

/* drop ANSI escape sequences (dmesg --color pasted from a terminal) */
static size_t strip_ansi(char *s, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\x1b' && i + 1 < len && s[i + 1] == '[') {
			i += 2;
			while (i < len && !(s[i] >= 0x40 && s[i] <= 0x7e))
				i++;
			continue;	/* the final byte goes too */
		}
		s[o++] = s[i];
	}
	s[o] = '\0';
	return o;
}

static size_t qp_decode(char *s, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] == '=' && i + 2 < len &&
		    (hi = lab_hex_digit((unsigned char)s[i + 1])) >= 0 &&
		    (lo = lab_hex_digit((unsigned char)s[i + 2])) >= 0) {
			char c = (char)(hi << 4 | lo);

			s[o++] = c ? c : ' ';
			i += 2;
		} else {
			s[o++] = s[i];
		}
	}
	s[o] = '\0';
	return o;
}

static int json_line_entry(struct lab_klog *k, const char *s, size_t n, unsigned long line,
			   struct lab_error *err);
static void message_line(struct lab_klog *k, struct lab_klog_record *rec);

static int text_next(struct lab_klog *k, struct lab_klog_record *rec, struct lab_error *err)
{
	struct lab_klog_record tmp;
	size_t len, off;
	char *swap;
	int r;

	if (!k->ahead.valid) {
		r = read_physical(k, &k->ahead, err);
		if (r <= 0)
			return r;
	}
	/* take the lookahead line as the record's start */
	swap = k->out;
	k->out = k->ahead.buf;
	k->ahead.buf = swap;
	len = k->ahead.len;
	memset(rec, 0, sizeof(*rec));
	rec->line = k->ahead.line;
	rec->nlines = 1;
	rec->truncated = k->ahead.truncated;
	k->ahead.valid = 0;

	if (memchr(k->out, '\x1b', len))
		len = strip_ansi(k->out, len);
	/* a journalctl -o json entry among text lines (pasted after a prompt) */
	r = json_line_entry(k, k->out, len, rec->line, err);
	if (r < 0)
		return -1;
	if (r > 0) {
		message_line(k, rec);
		return 1;
	}
	if (!k->qp && has_qp_mark(k->out, len))
		k->qp = 1;

	/*
	 * Quoted-printable soft breaks: "...fault ad=" + "dr 0x...". Only for
	 * a line with a prefix (or in QP input): bare text is never joined.
	 */
	tmp.prefix = 0;
	if (len > 0 && k->out[len - 1] == '=' && !k->qp)
		lab_klog_strip(k->out, len, &tmp);
	for (int j = 0; j < MAX_JOINS && len > 0 && k->out[len - 1] == '=' &&
	     (k->qp || tmp.prefix); j++) {
		struct lab_klog_record next;

		r = read_physical(k, &k->ahead, err);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		if (!k->qp && has_qp_mark(k->ahead.buf, k->ahead.len))
			k->qp = 1;
		lab_klog_strip(k->ahead.buf, k->ahead.len, &next);
		if (next.prefix || k->ahead.len == 0)
			break;	/* a new record: keep it as lookahead */
		len--;	/* drop the '=' */
		if (len + k->ahead.len > LAB_KLOG_LINE_MAX) {
			rec->truncated = 1;
			k->ahead.len = LAB_KLOG_LINE_MAX - len;
		}
		memcpy(k->out + len, k->ahead.buf, k->ahead.len);
		len += k->ahead.len;
		k->out[len] = '\0';
		rec->nlines++;
		rec->truncated |= k->ahead.truncated;
		k->ahead.valid = 0;
	}
	if (k->qp)
		len = qp_decode(k->out, len);

	off = lab_klog_strip(k->out, len, &tmp);
	rec->prefix = tmp.prefix;
	rec->has_timestamp = tmp.has_timestamp;
	rec->timestamp = tmp.timestamp;
	while (len > off && (k->out[len - 1] == ' ' || k->out[len - 1] == '\t'))
		len--;
	k->out[len] = '\0';
	rec->text = k->out + off;
	rec->len = len - off;
	return 1;
}

/* ---- structured input: journal JSON and export, dmesg --json ---------------- */

static const char *src_base(const struct lab_klog *k)
{
	return k->f ? k->rbuf : k->src;
}

/* the next byte, not consumed: 1, 0 at the end, -1 on a read error */
static int peek_byte(struct lab_klog *k, unsigned char *c, struct lab_error *err)
{
	int r = more(k, err);

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
		int r = more(k, err);

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
static void message_line(struct lab_klog *k, struct lab_klog_record *rec)
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
			int r = more(k, err);

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

		while ((r = read_physical(k, &k->ahead, err)) > 0) {
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
static int json_line_entry(struct lab_klog *k, const char *s, size_t n, unsigned long line,
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
static int sniff(struct lab_klog *k, struct lab_error *err)
{
	const char *s;
	size_t n, i = 0, j;

	k->shape = SHAPE_TEXT;
	if (k->rpos >= k->rlen && fill(k, err) < 0)
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

int lab_klog_next(struct lab_klog *k, struct lab_klog_record *rec, struct lab_error *err)
{
	int r;

	if (k->shape == SHAPE_UNSET && sniff(k, err) < 0)
		return -1;
	if (k->msg_active) {	/* the next line of a message */
		message_line(k, rec);
		return 1;
	}
	if (k->shape == SHAPE_TEXT)
		return text_next(k, rec, err);
	r = k->shape == SHAPE_JOURNAL_JSON ? json_next(k, &journal_shape, err) :
	    k->shape == SHAPE_EXPORT ? export_next(k, err) : json_next(k, &dmesg_shape, err);
	if (r <= 0)
		return r;
	message_line(k, rec);
	return 1;
}
