/* SPDX-License-Identifier: GPL-2.0-or-later */
/* String helpers: bounded copies that report truncation, case folding. */
#ifndef GH_STR_H
#define GH_STR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
 * Comparisons against a string literal take the literal's length from the
 * literal itself: a length typed by hand is how "aws:MultiFactorAuth" came
 * to be compared over 21 bytes.  ("" lit) refuses anything but a literal.
 */
#define GH_LIT_LEN(lit) (sizeof("" lit) - 1)
/* Counted @s (@len bytes) equals @lit, ASCII case-insensitively. */
#define gh_eq_lit(s, len, lit) gh_eq_nocase((s), (len), "" lit, GH_LIT_LEN(lit))
/* Counted @s starts with @lit, ASCII case-insensitively (@len is read twice). */
#define gh_prefix_lit(s, len, lit)                                                                 \
	((len) >= GH_LIT_LEN(lit) && gh_eq_nocase((s), GH_LIT_LEN(lit), "" lit, GH_LIT_LEN(lit)))
/* NUL-terminated @s starts with @lit, case-sensitively. */
#define gh_starts_with(s, lit) (strncmp((s), "" lit, GH_LIT_LEN(lit)) == 0)
/* Counted @s (@len bytes) equals @lit, case-sensitively (@len is read twice). */
#define gh_eq_lit_case(s, len, lit)                                                                \
	((len) == GH_LIT_LEN(lit) && memcmp((s), "" lit, GH_LIT_LEN(lit)) == 0)
/* Counted @s starts with @lit, case-sensitively (@len is read twice). */
#define gh_prefix_lit_case(s, len, lit)                                                            \
	((len) >= GH_LIT_LEN(lit) && memcmp((s), "" lit, GH_LIT_LEN(lit)) == 0)
/*
 * The first @n bytes @lit in counted @s, or NULL: memmem(3) for the short
 * needles and short strings of policies (a "${" in every Resource),
 * where glibc's memmem() spent more setting up than memchr() searching.
 */
static inline const char *gh_find(const char *s, size_t len, const char *lit, size_t n)
{
	const char *p = s, *last;

	if (!n)
		return s;
	if (len < n)
		return NULL;
	last = s + (len - n); /* the last place @lit can start */
	while ((p = memchr(p, lit[0], (size_t)(last - p) + 1))) {
		if (!memcmp(p + 1, lit + 1, n - 1))
			return p;
		if (p++ == last)
			break;
	}
	return NULL;
}

/* The first @lit in counted @s, or NULL. */
#define gh_find_lit(s, len, lit) gh_find((s), (len), "" lit, GH_LIT_LEN(lit))

/* High bit of each byte of a 64-bit word: what gh_or_bytes() of non-ASCII text has set. */
#define GH_HIGH_BITS 0x8080808080808080u

/*
 * The bytes of @s ORed together, by words, the last word overlapping the one
 * before: ASCII when no GH_HIGH_BITS bit is set.  Request strings are short,
 * so the tail costs as much as the rest.
 */
static inline uint64_t gh_or_bytes(const char *s, size_t n)
{
	uint64_t acc = 0, w;
	uint32_t a, b;

	if (n >= sizeof(w)) {
		for (size_t i = 0; n - i > sizeof(w); i += sizeof(w)) {
			memcpy(&w, s + i, sizeof(w));
			acc |= w;
		}
		memcpy(&w, s + n - sizeof(w), sizeof(w));
		return acc | w;
	}
	if (n >= sizeof(a)) {
		memcpy(&a, s, sizeof(a));
		memcpy(&b, s + n - sizeof(b), sizeof(b));
		return a | b;
	}
	return n ? (unsigned char)s[0] | (unsigned char)s[n / 2] | (unsigned char)s[n - 1] : 0;
}

/* @n bytes of @s are valid UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
bool gh_utf8_valid(const char *s, size_t n);

/*
 * Replace each byte that is not part of valid UTF-8 with '?', in place:
 * diagnostics quote untrusted input and end up in JSON, which must be
 * valid UTF-8.
 */
void gh_utf8_sanitize(char *s);

/*
 * Length of the valid UTF-8 sequence at @s (at most @n bytes: one for
 * ASCII), or 0 when it is not one (overlong, a surrogate, past U+10FFFF,
 * cut short): the one UTF-8 check, of requests here and of JSON text in
 * jread.c.
 */
size_t gh_utf8_len(const char *s, size_t n);

/*
 * The one string hash: 32-bit FNV-1a.  gh_hash_step adds a byte;
 * gh_hash_str hashes a NUL-terminated string as it is (the string map's
 * keys), gh_hash_nocase @n bytes lower-cased (case-insensitive keys).
 */
#define GH_HASH_INIT 2166136261u

static inline uint32_t gh_hash_step(uint32_t h, unsigned char c)
{
	return (h ^ c) * 16777619u;
}

static inline uint32_t gh_hash_str(const char *s)
{
	uint32_t h = GH_HASH_INIT;

	for (; *s; s++)
		h = gh_hash_step(h, (unsigned char)*s);
	return h;
}

uint32_t gh_hash_nocase(const char *s, size_t n);

/* The bytes a JSON string cannot hold as they are: control characters (NUL too), '"', '\\'. */
extern const unsigned char gh_json_escaped[256];

/*
 * How many of the @n bytes at @s a JSON string holds as they are: the
 * index of the first byte of gh_json_escaped, or @n.  Eight bytes at a
 * time (the daemon's answers and request bodies are mostly names and ARNs
 * with nothing to escape): a byte below 0x20, or equal to '"' or '\\',
 * sets its high bit in the test (bytes of 0x80 and above never do: UTF-8
 * passes); a byte above a flagged one may be flagged wrongly, so a flagged
 * word is looked at byte by byte.
 */
static inline size_t gh_json_plain_len(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t v, quote, bslash;

		memcpy(&v, s + i, 8);
		quote = v ^ (ones * '"');
		bslash = v ^ (ones * '\\');
		if (((v - ones * 0x20) | (quote - ones) | (bslash - ones)) & ~v & highs)
			break;
	}
	while (i < n && !gh_json_escaped[(unsigned char)s[i]])
		i++;
	return i;
}

#endif
