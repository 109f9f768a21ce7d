/* SPDX-License-Identifier: MIT */
#include "kmsg.h"

#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hex.h"

#define NEXT_SEQ_MAX_RECORDS 1000000

/* /dev/kmsg escapes unprintable bytes (and the backslash) as \xNN; give the
 * text back as the kernel printed it: the SMMUv3 driver's event dwords start
 * with a tab, which the fault parser needs to see. NUL stays escaped. */
static void unescape(char *s)
{
	char *out = s;

	while (*s) {
		int hi, lo;

		if (s[0] == '\\' && s[1] == 'x' && (hi = lab_hex_digit(s[2])) >= 0 &&
		    (lo = lab_hex_digit(s[3])) >= 0 && (hi || lo)) {
			*out++ = (char)(hi << 4 | lo);
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/* A record is "prio,seq,ts_usec,flags[,...];text\n" followed by optional
 * " KEY=VALUE" continuation lines (Documentation/ABI/testing/dev-kmsg). */
static int parse_record(char *rec, unsigned *prio, uint64_t *seq, uint64_t *ts, char **msg)
{
	char *semi = strchr(rec, ';');
	char *nl;

	if (!semi || sscanf(rec, "%u,%" SCNu64 ",%" SCNu64, prio, seq, ts) != 3)
		return -1;
	*msg = semi + 1;
	nl = strchr(*msg, '\n');
	if (nl)
		*nl = '\0';
	unescape(*msg);
	return 0;
}

json_object *kmsg_collect(uint64_t since, size_t max, int (*match)(const char *msg))
{
	json_object *out = json_object_new_object();
	json_object *records = json_object_new_array();
	uint64_t next = since, lost = 0;
	char buf[8192 + 1];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	json_object_object_add(out, "records", records);
	if (fd < 0) {
		json_object_object_add(out, "error", json_object_new_string(strerror(errno)));
		goto out;
	}
	while (json_object_array_length(records) < max) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		unsigned prio;
		uint64_t seq, ts;
		char *msg;
		json_object *r;

		if (n < 0 && errno == EPIPE) {   /* overwritten before we got to it */
			lost++;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;                       /* EAGAIN: no more records */
		buf[n] = '\0';
		if (parse_record(buf, &prio, &seq, &ts, &msg) < 0 || seq < since)
			continue;
		next = seq + 1;
		if (match && !match(msg))
			continue;
		r = json_object_new_object();
		json_object_object_add(r, "seq", json_object_new_int64((int64_t)seq));
		json_object_object_add(r, "prio", json_object_new_int((int)(prio & 7)));
		json_object_object_add(r, "ts_us", json_object_new_int64((int64_t)ts));
		json_object_object_add(r, "msg", json_object_new_string(msg));
		json_object_array_add(records, r);
	}
	close(fd);
out:
	json_object_object_add(out, "next", json_object_new_int64((int64_t)next));
	json_object_object_add(out, "lost", json_object_new_int64((int64_t)lost));
	return out;
}

/* /dev/kmsg has no "current seq" call: read every record non-blocking
 * until EAGAIN and keep the last (Documentation/ABI/testing/dev-kmsg). */
int64_t kmsg_next_seq(void)
{
	char buf[8192 + 1];
	int64_t next = -1;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	for (int i = 0; i < NEXT_SEQ_MAX_RECORDS; i++) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		unsigned prio;
		uint64_t seq;

		if (n < 0 && (errno == EPIPE || errno == EINTR))
			continue;       /* overwritten under us: go on */
		if (n <= 0)
			break;          /* EAGAIN: that was the last one */
		buf[n] = '\0';
		if (sscanf(buf, "%u,%" SCNu64 ",", &prio, &seq) == 2)
			next = (int64_t)seq + 1;
	}
	close(fd);
	return next;
}

void kmsg_settle(int quiet_ms, int max_ms)
{
	int64_t last = kmsg_next_seq(), start = lab_clock_ms(), changed = start;

	while (lab_clock_ms() - start < max_ms) {
		int64_t now;

		lab_clock_sleep_ms(10);
		now = kmsg_next_seq();
		if (now != last) {
			last = now;
			changed = lab_clock_ms();
		} else if (lab_clock_ms() - changed >= quiet_ms) {
			return;
		}
	}
}
