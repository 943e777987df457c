/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "common/str.h"

#include <stdio.h>
#include <string.h>

size_t gh_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		/* Never split a UTF-8 sequence. */
		if (n < len)
			while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
				n--;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/*
 * End a cut string with "...", never in the middle of a UTF-8 sequence
 * (cut text is shown to people and put in JSON, which must stay valid).
 */
static void ellipsis(char *dst, size_t size)
{
	size_t at;

	if (size < 4)
		return;
	at = size - 4;
	while (at > 0 && ((unsigned char)dst[at] & 0xc0) == 0x80)
		at--;
	memcpy(dst + at, "...", sizeof("..."));
}

void gh_strlcpy_ellipsis(char *dst, const char *src, size_t size)
{
	if (gh_strlcpy(dst, src, size) >= size)
		ellipsis(dst, size);
}

void gh_vsnprintf_ellipsis(char *dst, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(dst, size, fmt, ap);

	if (n < 0)
		gh_strlcpy(dst, "(unprintable message)", size);
	else if ((size_t)n >= size)
		ellipsis(dst, size);
}

#define ONES 0x0101010101010101ull

/*
 * Eight bytes lower-cased at once, 'A' to 'Z' only (the bytes from 0x80
 * are left alone): on the low seven bits of each byte, adding 0x80 - 'A'
 * sets the high bit from 'A' up, adding 0x80 - 'Z' - 1 from past 'Z' up;
 * where the two differ, and the byte itself is ASCII, is an upper-case
 * letter, whose 0x20 bit is then set.  Keys and actions are compared
 * case-insensitively everywhere; byte by byte that was a loop of two
 * table-free branches per byte.
 */
static uint64_t lower8(uint64_t w)
{
	uint64_t low7 = w & (ONES * 0x7f);
	uint64_t from_a = low7 + ONES * (0x80 - 'A'), past_z = low7 + ONES * (0x80 - 'Z' - 1);

	return w | (((from_a ^ past_z) & ~w & (ONES * 0x80)) >> 2);
}

void gh_lower(char *dst, const char *src, size_t n)
{
	size_t i = 0;

	for (uint64_t w; n - i >= sizeof(w); i += sizeof(w)) {
		memcpy(&w, src + i, sizeof(w));
		w = lower8(w);
		memcpy(dst + i, &w, sizeof(w));
	}
	for (; i < n; i++)
		dst[i] = gh_tolower(src[i]);
}

bool gh_eq_nocase(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0;

	if (alen != blen)
		return false;
	for (uint64_t wa, wb; alen - i >= sizeof(wa); i += sizeof(wa)) {
		memcpy(&wa, a + i, sizeof(wa));
		memcpy(&wb, b + i, sizeof(wb));
		if (lower8(wa) != lower8(wb))
			return false;
	}
	for (; i < alen; i++)
		if (gh_tolower(a[i]) != gh_tolower(b[i]))
			return false;
	return true;
}

uint32_t gh_hash_nocase(const char *s, size_t n)
{
	uint32_t h = GH_HASH_INIT;

	for (size_t i = 0; i < n; i++)
		h = gh_hash_step(h, (unsigned char)gh_tolower(s[i]));
	return h;
}

size_t gh_utf8_len(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

bool gh_utf8_valid(const char *s, size_t n)
{
	/* Every request string is checked on every evaluation, and most are ASCII. */
	if (!(gh_or_bytes(s, n) & GH_HIGH_BITS))
		return true;
	for (size_t i = 0; i < n;) {
		size_t len = gh_utf8_len(s + i, n - i);

		if (!len)
			return false;
		i += len;
	}
	return true;
}

void gh_utf8_sanitize(char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		size_t len = gh_utf8_len(s + i, n - i);

		if (len) {
			i += len;
		} else {
			s[i++] = '?';
		}
	}
}

const unsigned char gh_json_escaped[256] = {
	[0x00 ... 0x1f] = 1,
	['"'] = 1,
	['\\'] = 1,
};
