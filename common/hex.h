/* SPDX-License-Identifier: MIT */
#ifndef LAB_HEX_H
#define LAB_HEX_H

/* Hex digits and numbers. Header-only: the in-guest agent and the harness
 * both use it. */
#include <stdint.h>

/* The value of a hex digit, or -1. */
static inline int lab_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A hex number at the start of s, 0x-prefixed or not: its value in *v
 * (all ones past 16 digits) and where it ends in *end (if end). Returns
 * how many digits it has (0: none). */
static inline int lab_hex_scan(const char *s, uint64_t *v, const char **end)
{
	uint64_t r = 0;
	int n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && lab_hex_digit((unsigned char)s[2]) >= 0)
		s += 2;
	while (lab_hex_digit((unsigned char)*s) >= 0) {
		if (n < 16)
			r = r << 4 | (uint64_t)lab_hex_digit((unsigned char)*s);
		n++;
		s++;
	}
	if (n > 16)
		r = UINT64_MAX;	/* more than 64 bits: saturate */
	*v = r;
	if (end)
		*end = s;
	return n;
}

#endif
