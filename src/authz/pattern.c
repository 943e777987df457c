/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "authz/pattern.h"

#include <errno.h>
#include <string.h>

#include "authz/context.h"
#include "common/str.h"

/* Where @c first is in @s's first @len bytes, or @len. */
static size_t first_of(const char *s, size_t len, char c)
{
	const char *at = memchr(s, c, len);

	return at ? (size_t)(at - s) : len;
}

void az_glob_compile(struct glob *g, const char *s, size_t len)
{
	/* memchr() three times beats a loop testing each byte three ways. */
	size_t first = first_of(s, len, '*');

	first = first_of(s, first, '?');
	first = first_of(s, first, '\\');
	g->text = s;
	g->len = (uint32_t)len;
	if (len == 1 && s[0] == '*')
		g->kind = GLOB_ANY;
	else if (first == len)
		g->kind = GLOB_EXACT;
	else if (first == len - 1 && s[first] == '*')
		g->kind = GLOB_PREFIX, g->len = (uint32_t)first;
	else
		g->kind = GLOB_GENERAL;
}

/*
 * The start of the character after the one at @i (@i < @n): past its
 * continuation bytes (10xxxxxx).  "?" matches one character and "*" gives
 * up whole characters, so neither ever leaves the matcher inside one.
 * Request text is valid UTF-8 (authz_request_check) and policy text is
 * JSON; on other input a stray continuation byte goes with the character
 * before it.  ASCII, the common case, costs one test.
 */
static inline size_t next_char(const char *s, size_t i, size_t n)
{
	for (i++; i < n && ((unsigned char)s[i] & 0xc0) == 0x80; i++)
		;
	return i;
}

bool az_glob_match_general(const char *p, size_t plen, const char *s, size_t slen)
{
	size_t pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;

	while (si < slen) {
		if (pi < plen) {
			char c = p[pi];

			if (c == '*') {
				star_p = ++pi;
				star_s = si;
				continue;
			}
			if (c == '?') {
				pi++;
				si = next_char(s, si, slen);
				continue;
			}
			if (c == '\\' && pi + 1 < plen) {
				if (p[pi + 1] == s[si]) {
					pi += 2;
					si++;
					continue;
				}
			} else if (c == s[si]) {
				pi++;
				si++;
				continue;
			}
		}
		/*
		 * Mismatch: let the last "*" swallow one more character, or
		 * fail.  One byte would leave "?" to match the rest of that
		 * character ("*??xy" against "€xy", 3 bytes).
		 */
		if (star_p == SIZE_MAX)
			return false;
		pi = star_p;
		star_s = next_char(s, star_s, slen);
		si = star_s;
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

bool az_glob_match(const struct glob *g, const char *s, size_t len)
{
	switch (g->kind) {
	case GLOB_ANY: return true;
	case GLOB_EXACT: return len == g->len && !memcmp(s, g->text, len);
	case GLOB_PREFIX: return len >= g->len && !memcmp(s, g->text, g->len);
	default: return az_glob_match_general(g->text, g->len, s, len);
	}
}

char *az_glob_escape_literal(struct arena *a, const char *s, size_t len, size_t *ret_len)
{
	const char *bs = memchr(s, '\\', len);
	size_t n = len;
	char *d, *o;

	/* Most text has no backslash: a copy. */
	if (!bs) {
		*ret_len = len;
		return gh_arena_strndup(a, s, len);
	}
	for (size_t i = (size_t)(bs - s); i < len; i++)
		n += s[i] == '\\';
	d = gh_arena_alloc(a, n + 1);
	if (!d)
		return NULL;
	o = d;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\')
			*o++ = '\\';
		*o++ = s[i];
	}
	*o = '\0';
	*ret_len = n;
	return d;
}

/* Append a literal segment of @len bytes (glob form when @glob). */
static int seg_literal(struct arena *a, struct tmpl_seg *seg, const char *s, size_t len, bool glob)
{
	size_t n = len;

	seg->var = false;
	if (glob)
		seg->text = az_glob_escape_literal(a, s, len, &n);
	else
		seg->text = gh_arena_strndup(a, s, len);
	seg->len = (uint32_t)n;
	return seg->text ? 0 : -ENOMEM;
}

static const char *trim(const char *s, const char **end)
{
	while (s < *end && (*s == ' ' || *s == '\t'))
		s++;
	while (*end > s && ((*end)[-1] == ' ' || (*end)[-1] == '\t'))
		(*end)--;
	return s;
}

/* Parse the inside of "${...}" (@s to @e) into @seg. */
static int seg_variable(struct arena *a, struct tmpl_seg *seg, const char *s, const char *e,
			bool glob, const char **reterr_msg)
{
	const char *comma = memchr(s, ',', (size_t)(e - s));
	const char *kend = comma ? comma : e;
	const char *k = trim(s, &kend);

	if (kend - k == 1 && (*k == '*' || *k == '?' || *k == '$')) {
		/* ${*} ${?} ${$}: the literal character. */
		static const char star[] = "\\*", quest[] = "\\?";

		seg->var = false;
		if (*k == '$' || !glob) {
			seg->text = gh_arena_strndup(a, k, 1);
			seg->len = 1;
		} else {
			seg->text = *k == '*' ? star : quest;
			seg->len = 2;
		}
		return seg->text ? 0 : -ENOMEM;
	}
	if (k == kend) {
		*reterr_msg = "empty policy variable \"${}\"";
		return -EINVAL;
	}
	seg->var = true;
	seg->text = gh_arena_strndup(a, k, (size_t)(kend - k));
	seg->len = (uint32_t)(kend - k);
	seg->hash = gh_hash_nocase(k, (size_t)(kend - k));
	if (!seg->text)
		return -ENOMEM;
	if (comma) {
		const char *dend = e;
		const char *d = trim(comma + 1, &dend);

		if (dend - d < 2 || *d != '\'' || dend[-1] != '\'') {
			*reterr_msg = "a policy variable's default must be quoted: "
				      "${key, 'default'}";
			return -EINVAL;
		}
		seg->def = gh_arena_strndup(a, d + 1, (size_t)(dend - d - 2));
		seg->deflen = (uint32_t)(dend - d - 2);
		if (!seg->def)
			return -ENOMEM;
	}
	return 0;
}

int az_tmpl_parse(struct arena *a, const char *s, size_t len, bool glob, struct tmpl **ret,
		  const char **reterr_msg)
{
	const char *end = s + len, *p = s;
	size_t nsegs = 0;
	struct tmpl *t;

	*ret = NULL;
	if (!gh_find_lit(s, len, "${"))
		return 0;
	/* Upper bound on segments: each "${" starts at most two. */
	for (const char *q = s; (q = gh_find_lit(q, (size_t)(end - q), "${"));
	     q += GH_LIT_LEN("${"))
		nsegs += 2;
	t = gh_arena_alloc(a, sizeof(*t));
	if (!t || !(t->segs = gh_arena_array(a, nsegs + 1, sizeof(*t->segs))))
		return -ENOMEM;
	while (p < end) {
		const char *v = gh_find_lit(p, (size_t)(end - p), "${");
		const char *close;
		int r;

		if (!v) {
			r = seg_literal(a, &t->segs[t->nsegs++], p, (size_t)(end - p), glob);
			if (r < 0)
				return r;
			break;
		}
		if (v > p) {
			r = seg_literal(a, &t->segs[t->nsegs++], p, (size_t)(v - p), glob);
			if (r < 0)
				return r;
		}
		close = memchr(v, '}', (size_t)(end - v));
		if (!close) {
			*reterr_msg = "unterminated policy variable: \"${\" without \"}\"";
			return -EINVAL;
		}
		r = seg_variable(a, &t->segs[t->nsegs++], v + 2, close, glob, reterr_msg);
		if (r < 0)
			return r;
		p = close + 1;
	}
	*ret = t;
	return 0;
}

/* Append @len bytes of @s to @buf at *off, escaping wildcards when @glob. */
static bool put(char *buf, size_t size, size_t *off, const char *s, size_t len, bool glob)
{
	for (size_t i = 0; i < len; i++) {
		if (glob && (s[i] == '*' || s[i] == '?' || s[i] == '\\')) {
			if (*off + 1 >= size)
				return false;
			buf[(*off)++] = '\\';
		}
		if (*off + 1 >= size)
			return false;
		buf[(*off)++] = s[i];
	}
	return true;
}

int az_tmpl_expand(const struct tmpl *t, bool glob, struct eval_ctx *ec, char *buf, size_t size)
{
	size_t off = 0;
	int r = 0;

	for (uint32_t i = 0; i < t->nsegs; i++) {
		const struct tmpl_seg *seg = &t->segs[i];
		const struct authz_value *v;
		bool ok;

		if (!seg->var) {
			/* Literal runs are already in the right form. */
			ok = put(buf, size, &off, seg->text, seg->len, false);
		} else if ((v = az_ctx_variable(ec, seg))) {
			ok = put(buf, size, &off, v->s, v->len, glob);
		} else if (seg->def) {
			ok = put(buf, size, &off, seg->def, seg->deflen, glob);
		} else {
			r = -ENOENT; /* keep going: report every missing key */
			continue;
		}
		if (!ok)
			return -E2BIG;
	}
	if (r < 0)
		return r;
	buf[off] = '\0';
	return (int)off;
}
