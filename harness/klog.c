/* SPDX-License-Identifier: MIT */
#include "klog.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "klog_internal.h"

#define READ_CHUNK (256 * 1024)
#define MAX_JOINS 16		/* soft breaks joined into one record */
#define MAX_PREFIXES 8		/* prefix layers stripped from one line */

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
	klog_structured_free(k);
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
int klog_more(struct lab_klog *k, struct lab_error *err)
{
	return k->rpos < k->rlen ? 1 : fill(k, err);
}

/* Read one physical line into pl: 1 read, 0 end of input, -1 error. */
int klog_read_physical(struct lab_klog *k, struct physline *pl, struct lab_error *err)
{
	const char *base = k->f ? k->rbuf : k->src;
	size_t n = 0;
	int got = 0, trunc = 0;

	for (;;) {
		const char *s, *nl;
		size_t avail, seg, take;
		int r = klog_more(k, err);

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
static int text_next(struct lab_klog *k, struct lab_klog_record *rec, struct lab_error *err)
{
	struct lab_klog_record tmp;
	size_t len, off;
	char *swap;
	int r;

	if (!k->ahead.valid) {
		r = klog_read_physical(k, &k->ahead, err);
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
	r = klog_json_line_entry(k, k->out, len, rec->line, err);
	if (r < 0)
		return -1;
	if (r > 0) {
		klog_message_line(k, rec);
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

		r = klog_read_physical(k, &k->ahead, err);
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

int lab_klog_next(struct lab_klog *k, struct lab_klog_record *rec, struct lab_error *err)
{
	if (k->shape == SHAPE_UNSET && klog_sniff(k, err) < 0)
		return -1;
	if (k->msg_active) {	/* the next line of a message */
		klog_message_line(k, rec);
		return 1;
	}
	if (k->shape == SHAPE_TEXT)
		return text_next(k, rec, err);
	return klog_structured_next(k, rec, err);
}
