/* SPDX-License-Identifier: GPL-2.0-or-later */
/* String helpers: bounded copies that report truncation, case folding. */
#ifndef GH_STR_H
#define GH_STR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Copy @src into @dst of @size bytes, always NUL-terminated.  Returns the
 * length of @src: a result >= @size means it did not fit (callers that must
 * not truncate check it, as relayd does with strlcpy).
 */
size_t gh_strlcpy(char *dst, const char *src, size_t size);

/* Like gh_strlcpy, but a cut string ends in "..." (for messages only). */
void gh_strlcpy_ellipsis(char *dst, const char *src, size_t size);
void gh_vsnprintf_ellipsis(char *dst, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* ASCII lower-casing: IAM folds case of keys and actions in ASCII only. */
static inline char gh_tolower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* Lower-case @n bytes of @src into @dst (may alias). */
void gh_lower(char *dst, const char *src, size_t n);

/* ASCII case-insensitive equality of two counted strings. */
bool gh_eq_nocase(const char *a, size_t alen, const char *b, size_t blen);

/*
 * Replace each byte that is not part of valid UTF-8 with '?', in place:
 * diagnostics quote untrusted input and end up in JSON, which must be
 * valid UTF-8.
 */
void gh_utf8_sanitize(char *s);

/* FNV-1a over the lower-cased bytes: the hash of case-insensitive keys. */
uint32_t gh_hash_nocase(const char *s, size_t n);

#endif
