/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "common/str.h"

#include <stdio.h>
#include <string.h>

size_t gh_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

static void ellipsis(char *dst, size_t size)
{
	if (size >= 4)
		memcpy(dst + size - 4, "...", 4);
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

void gh_lower(char *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = gh_tolower(src[i]);
}

bool gh_eq_nocase(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (gh_tolower(a[i]) != gh_tolower(b[i]))
			return false;
	return true;
}

uint32_t gh_hash_nocase(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)gh_tolower(s[i]);
		h *= 16777619u;
	}
	return h;
}
