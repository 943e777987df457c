/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "authz/pattern.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
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

static inline bool is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/*
 * Long patterns against long text.  The greedy loop below restarts the
 * segment after the last "*" at every character of the text, so a hostile
 * pattern ("*a?a?a...?b", AUTHZ_SUBST_MAX bytes) against a near-miss costs
 * pattern x text steps: milliseconds per match, seconds per request with
 * a few thousand of them.  When the loop has used up a budget linear in
 * both lengths, it hands over to this matcher, which finds each segment
 * between stars once: the first anchored at the start, the last anchored
 * at the end, each one in between at its earliest end by a bit-parallel
 * (Shift-And) scan, or memmem() when it has no "?".  Taking the earliest
 * end is enough: what comes after
 * a segment only needs as much text as it leaves.  Cost: text x
 * segment/64 words.  Same answers as the greedy loop (test_authz's
 * differential test holds both to that), "?" included: it takes a whole
 * UTF-8 character, so in the scan a "?" state stays set across
 * continuation bytes and no token starts or follows a "?" on one.
 */
struct seg_scan {
	unsigned char *lit; /* per token: the literal byte */
	unsigned char *any; /* per token: 1 for "?" */
	size_t ntok;
	uint64_t *tab;	  /* [256][words]: literal bits per byte */
	uint64_t *anyq;	  /* bits of "?" tokens */
	uint64_t *afterq; /* bits of tokens that follow a "?" */
	uint64_t *d, *t;  /* the state and a scratch row */
};

/* Tokens @a..@b of @sc at @s[@pos..], no further than @lim; the end or SIZE_MAX. */
static size_t seg_at(const struct seg_scan *sc, size_t a, size_t b, const char *s, size_t pos,
		     size_t lim)
{
	for (size_t j = a; j < b; j++) {
		if (pos >= lim)
			return SIZE_MAX;
		if (sc->any[j]) {
			pos = next_char(s, pos, lim);
		} else {
			if ((unsigned char)s[pos] != sc->lit[j])
				return SIZE_MAX;
			pos++;
		}
	}
	return pos;
}

/* Tokens @a..@b ending exactly at @end, starting no earlier than @lo; the start or SIZE_MAX. */
static size_t seg_before(const struct seg_scan *sc, size_t a, size_t b, const char *s, size_t lo,
			 size_t end)
{
	for (size_t j = b; j-- > a;) {
		if (end <= lo)
			return SIZE_MAX;
		if (sc->any[j]) {
			for (end--; end > lo && is_cont((unsigned char)s[end]); end--)
				;
		} else {
			if ((unsigned char)s[end - 1] != sc->lit[j])
				return SIZE_MAX;
			end--;
		}
	}
	return end;
}

/* The earliest end of tokens @a..@b (at least one) in @s[@pos..@lim), or SIZE_MAX. */
static size_t seg_find(struct seg_scan *sc, size_t a, size_t b, const char *s, size_t pos,
		       size_t lim)
{
	size_t k = b - a, words = (k + 63) / 64, last = k - 1;
	uint64_t *d = sc->d, *t = sc->t;

	if (!memchr(sc->any + a, 1, k)) { /* no "?": a plain substring search */
		const char *at = memmem(s + pos, lim - pos, sc->lit + a, k);

		return at ? (size_t)(at - s) + k : SIZE_MAX;
	}
	memset(sc->tab, 0, 256 * words * sizeof(uint64_t));
	memset(sc->anyq, 0, words * sizeof(uint64_t));
	memset(sc->afterq, 0, words * sizeof(uint64_t));
	memset(d, 0, words * sizeof(uint64_t));
	for (size_t j = 0; j < k; j++) {
		uint64_t bit = UINT64_C(1) << (j % 64);

		if (sc->any[a + j]) {
			sc->anyq[j / 64] |= bit;
			if (j + 1 < k)
				sc->afterq[(j + 1) / 64] |= UINT64_C(1) << ((j + 1) % 64);
		} else {
			sc->tab[sc->lit[a + j] * words + j / 64] |= bit;
		}
	}
	for (size_t i = pos; i < lim; i++) {
		unsigned char c = (unsigned char)s[i];
		const uint64_t *row = sc->tab + c * words;
		bool cont = is_cont(c);
		uint64_t carry = cont ? 0 : 1; /* a token starts only on a character */

		for (size_t w = 0; w < words; w++) {
			uint64_t shifted = d[w] << 1 | carry;

			carry = d[w] >> 63;
			if (cont)
				t[w] = (shifted & row[w] & ~sc->afterq[w]) | (d[w] & sc->anyq[w]);
			else
				t[w] = shifted & (row[w] | sc->anyq[w]);
		}
		memcpy(d, t, words * sizeof(uint64_t));
		if (d[last / 64] >> (last % 64) & 1) {
			size_t end = i + 1;

			if (sc->any[b - 1])
				while (end < lim && is_cont((unsigned char)s[end]))
					end++;
			return end;
		}
	}
	return SIZE_MAX;
}

/* Split @p into tokens; @stars gets the token index of each "*" (a "*" is not a token). */
static size_t tokenize(struct seg_scan *sc, const char *p, size_t plen, size_t *stars)
{
	size_t nstars = 0;

	sc->ntok = 0;
	for (size_t i = 0; i < plen; i++) {
		if (p[i] == '*') {
			stars[nstars++] = sc->ntok;
			continue;
		}
		sc->any[sc->ntok] = p[i] == '?';
		if (p[i] == '\\' && i + 1 < plen)
			i++;
		sc->lit[sc->ntok++] = (unsigned char)p[i];
	}
	return nstars;
}

static bool match_segments(struct seg_scan *sc, const size_t *stars, size_t nstars, const char *s,
			   size_t slen)
{
	size_t pos = seg_at(sc, 0, nstars ? stars[0] : sc->ntok, s, 0, slen), lim;

	if (pos == SIZE_MAX)
		return false;
	if (!nstars)
		return pos == slen;
	lim = seg_before(sc, stars[nstars - 1], sc->ntok, s, pos, slen);
	if (lim == SIZE_MAX)
		return false;
	for (size_t i = 0; i + 1 < nstars; i++) {
		if (stars[i] == stars[i + 1])
			continue;
		pos = seg_find(sc, stars[i], stars[i + 1], s, pos, lim);
		if (pos == SIZE_MAX)
			return false;
	}
	return true;
}

int az_glob_match_segments(const char *p, size_t plen, const char *s, size_t slen)
{
	size_t words = (plen + 63) / 64 + 1;
	struct seg_scan sc = {
		.lit = malloc(plen + 1),
		.any = malloc(plen + 1),
		.tab = malloc((256 + 4) * words * sizeof(uint64_t)),
	};
	size_t *stars = malloc((plen + 1) * sizeof(size_t));
	int ret = -1;

	if (sc.lit && sc.any && sc.tab && stars) {
		sc.anyq = sc.tab + 256 * words;
		sc.afterq = sc.anyq + words;
		sc.d = sc.afterq + words;
		sc.t = sc.d + words;
		ret = match_segments(&sc, stars, tokenize(&sc, p, plen, stars), s, slen);
	}
	free(sc.lit);
	free(sc.any);
	free(sc.tab);
	free(stars);
	return ret;
}

int az_glob_match_greedy(const char *p, size_t plen, const char *s, size_t slen, size_t budget)
{
	size_t pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;

	while (si < slen) {
		if (budget-- == 0)
			return -1;
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
			return 0;
		pi = star_p;
		star_s = next_char(s, star_s, slen);
		si = star_s;
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

bool az_glob_match_general(const char *p, size_t plen, const char *s, size_t slen)
{
	/* Enough for any pattern and text of ordinary shape: see above. */
	int r = az_glob_match_greedy(p, plen, s, slen, 4 * (plen + slen) + 256);

	if (r < 0)
		r = az_glob_match_segments(p, plen, s, slen);
	if (r < 0) /* out of memory: the slow way */
		r = az_glob_match_greedy(p, plen, s, slen, SIZE_MAX);
	return r;
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
