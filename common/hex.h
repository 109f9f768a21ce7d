/* SPDX-License-Identifier: MIT */
#ifndef LAB_HEX_H
#define LAB_HEX_H

/* The value of a hex digit, or -1. Header-only: the in-guest agent and the
 * harness both use it. */
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

#endif
