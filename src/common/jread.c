/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A strict JSON reader building jansson values (see jread.h for why).
 * Recursive descent; the recursion is bounded by GH_JSON_DEPTH_MAX, which
 * is checked before every descent.  What it accepts is RFC 8259 as jansson
 * reads it: UTF-8 only (no overlong forms, no surrogates, nothing past
 * U+10FFFF), no control characters in strings, no \u0000, no lone
 * surrogate escapes, integers that fit json_int_t, reals that do not
 * overflow, no duplicate keys.
 */
#include "common/jread.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "common/str.h"

/* The match level of a value off the skip path. */
#define NOMATCH UINT_MAX

struct reader {
	const unsigned char *base, *p, *end;
	const struct gh_jskip *skip;
	size_t index[GH_JSON_DEPTH_MAX];
	char *buf; /* decoded strings with escapes, and reals */
	size_t cap;
	struct gh_jread_err *err;
	bool failed;
};

/*
 * What a container gets back for a value it must leave out (a skipped one).
 * Compared by address only, never handed to jansson.
 */
static json_t omitted;

/* Bytes that stand for themselves in a string: printable ASCII but '"' and '\'. */
static const unsigned char plain[256] = {
	[0x20 ... 0x21] = 1, /* then 0x22 '"' */
	[0x23 ... 0x5b] = 1, /* then 0x5c '\\' */
	[0x5d ... 0x7f] = 1,
};

#define BYTES(b) (0x0101010101010101ull * (b))

/*
 * Past the plain bytes from @p, to the first byte that is not (or @end).
 * Policy text is mostly runs of plain ASCII, so they are stepped over
 * sixteen at a time with SSE2 (part of x86-64 itself): a signed compare
 * below 0x20 flags the control characters and every byte from 0x80 at
 * once.  Elsewhere, eight at a time: a byte below 0x20 or from 0x80, '"'
 * or '\\' in a word is found with the carry tricks of "Bit Twiddling
 * Hacks", whose lowest flagged byte is always a true one (a borrow only
 * flags bytes above it), so on a little-endian machine its place is the
 * count of trailing zero bits.  The last few bytes go one at a time.
 */
static const unsigned char *plain_run(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
	const __m128i below = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'),
		      bslash = _mm_set1_epi8('\\');

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i stop =
		    _mm_or_si128(_mm_cmplt_epi8(v, below),
				 _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
		unsigned m = (unsigned)_mm_movemask_epi8(stop);

		if (m)
			return p + __builtin_ctz(m);
		p += 16;
	}
#endif
	while (end - p >= 8) {
		uint64_t w, q, b, stop;

		memcpy(&w, p, sizeof(w));
		q = w ^ BYTES('"');
		b = w ^ BYTES('\\');
		stop = ((w - BYTES(0x20)) & ~w) | w | ((q - BYTES(1)) & ~q) | ((b - BYTES(1)) & ~b);
		stop &= BYTES(0x80);
		if (stop) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return p + __builtin_ctzll(stop) / 8;
#else
			break;
#endif
		}
		p += 8;
	}
	while (p < end && plain[*p])
		p++;
	return p;
}

static json_t *fail(struct reader *r, const unsigned char *at, const char *what)
{
	if (!r->failed) {
		r->failed = true;
		r->err->offset = (size_t)(at - r->base);
		gh_strlcpy(r->err->text, what, sizeof(r->err->text));
	}
	return NULL;
}

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static void ws(struct reader *r)
{
	/* Most calls find none: one byte tells. */
	while (r->p < r->end && is_ws(*r->p)) {
		uint64_t w;

#ifdef __SSE2__
		/*
		 * Pretty-printed input (the AWS CLI's) is mostly indentation:
		 * 62% of the bytes of a generated 30 MiB export are the spaces
		 * that begin its lines.  Sixteen at a time, to the first byte
		 * that is not a space.
		 */
		if (r->end - r->p >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)r->p);
			unsigned other =
			    ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' '))) &
			    0xffffu;

			r->p += other ? (other & 1u ? 1 : (unsigned)__builtin_ctz(other)) : 16;
			continue;
		}
#endif
		/* Eight at a time where SSE2 is not (or near the end). */
		if (r->end - r->p >= 8 && (memcpy(&w, r->p, sizeof(w)), w == BYTES(' ')))
			r->p += sizeof(w);
		else
			r->p++;
	}
}

static bool at(const struct reader *r, unsigned char c)
{
	return r->p < r->end && *r->p == c;
}

static bool reserve(struct reader *r, size_t n)
{
	char *p;

	if (n <= r->cap)
		return true;
	p = realloc(r->buf, n);
	if (!p)
		return false;
	r->buf = p;
	r->cap = n;
	return true;
}

static int hex4(const unsigned char *p, const unsigned char *end)
{
	int v = 0;

	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int c = p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/*
 * The \u escape at @p (on the 'u'): its code point, or -1 with the error
 * set.  A high surrogate must be followed by an escaped low one.
 */
static long unicode_escape(struct reader *r, const unsigned char *p, const unsigned char **ret_end)
{
	int hi = hex4(p + 1, r->end), lo;

	if (hi < 0)
		return fail(r, p - 1, "invalid \\u escape: four hex digits expected"), -1;
	if (hi == 0)
		return fail(r, p - 1, "\\u0000 is not allowed in a string"), -1;
	*ret_end = p + 5;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return fail(r, p - 1, "invalid Unicode escape: a low surrogate alone"), -1;
	if (hi < 0xd800 || hi > 0xdbff)
		return hi;
	if (r->end - (p + 5) < 2 || p[5] != '\\' || p[6] != 'u' ||
	    (lo = hex4(p + 7, r->end)) < 0xdc00 || lo > 0xdfff)
		return fail(r, p - 1, "invalid Unicode escape: a high surrogate without a low one"),
		       -1;
	*ret_end = p + 11;
	return 0x10000 + ((long)(hi - 0xd800) << 10) + (lo - 0xdc00);
}

static size_t put_utf8(char *o, long cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decode the checked string body [@s, @e) with escapes into r->buf. */
static bool unescape(struct reader *r, const unsigned char *s, const unsigned char *e,
		     size_t *ret_len)
{
	size_t o = 0;

	/* Escapes only shrink: \n is one byte, \uXXXX at most three, a pair four. */
	if (!reserve(r, (size_t)(e - s) + 1))
		return fail(r, s, "out of memory"), false;
	while (s < e) {
		const unsigned char *next;
		long cp;

		if (*s != '\\') {
			r->buf[o++] = (char)*s++;
			continue;
		}
		switch (s[1]) {
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			cp = unicode_escape(r, s + 1, &next);
			o += put_utf8(r->buf + o, cp);
			s = next;
			continue;
		default: cp = s[1]; break; /* '"', '\\', '/' */
		}
		r->buf[o++] = (char)cp;
		s += 2;
	}
	*ret_len = o;
	return true;
}

/*
 * The string at r->p (on its opening quote), checked.  With @decode, its
 * text in *@ret: borrowed from the input when it has no escapes, else
 * decoded into r->buf (*@ret_esc set), valid until the next string.
 */
static bool string(struct reader *r, bool decode, const char **ret, size_t *ret_len, bool *ret_esc)
{
	const unsigned char *open = r->p, *s = r->p + 1, *p = s;
	bool esc = false;

	for (;;) {
		size_t n;

		p = plain_run(p, r->end);
		if (p >= r->end)
			return fail(r, open, "unterminated string"), false;
		if (*p == '"')
			break;
		if (*p >= 0x80) {
			n = gh_utf8_len((const char *)p, (size_t)(r->end - p));
			if (!n)
				return fail(r, p, "invalid UTF-8 in a string"), false;
			p += n;
		} else if (*p < 0x20) {
			return fail(r, p, "control character in a string (escape it)"), false;
		} else if (p + 1 < r->end && p[1] == 'u') {
			const unsigned char *next;

			if (unicode_escape(r, p + 1, &next) < 0)
				return false;
			esc = true;
			p = next;
		} else if (p + 1 < r->end && p[1] && strchr("\"\\/bfnrt", p[1])) {
			esc = true;
			p += 2;
		} else {
			return fail(r, p, "invalid escape in a string"), false;
		}
	}
	r->p = p + 1;
	*ret_esc = esc;
	if (!decode)
		return true;
	if (!esc) {
		*ret = (const char *)s;
		*ret_len = (size_t)(p - s);
		return true;
	}
	if (!unescape(r, s, p, ret_len))
		return false;
	*ret = r->buf;
	return true;
}

static bool digit(const struct reader *r, const unsigned char *p)
{
	return p < r->end && *p >= '0' && *p <= '9';
}

static json_t *integer(struct reader *r, const unsigned char *s, const unsigned char *e)
{
	bool neg = *s == '-';
	uint64_t v = 0, lim = neg ? (uint64_t)LLONG_MAX + 1 : (uint64_t)LLONG_MAX;
	json_t *j;

	for (const unsigned char *p = s + neg; p < e; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (lim - d) / 10)
			return fail(r, s, neg ? "too big negative integer" : "too big integer");
		v = v * 10 + d;
	}
	if (neg)
		j = json_integer(v == lim ? LLONG_MIN : -(json_int_t)v);
	else
		j = json_integer((json_int_t)v);
	return j ? j : fail(r, s, "out of memory");
}

static json_t *real(struct reader *r, const unsigned char *s, const unsigned char *e)
{
	size_t n = (size_t)(e - s);
	json_t *j;
	double v;

	/* strtod() wants a terminated copy (the input is a span, not a C string). */
	if (!reserve(r, n + 1))
		return fail(r, s, "out of memory");
	memcpy(r->buf, s, n);
	r->buf[n] = '\0';
	errno = 0;
	v = strtod(r->buf, NULL);
	if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
		return fail(r, s, "real number overflow");
	j = json_real(v);
	return j ? j : fail(r, s, "out of memory");
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static json_t *number(struct reader *r, bool build)
{
	const unsigned char *s = r->p, *p = s;
	bool is_real = false;

	if (*p == '-')
		p++;
	if (!digit(r, p))
		return fail(r, s, "invalid number");
	if (*p == '0') {
		if (digit(r, ++p))
			return fail(r, s, "invalid number (leading zero)");
	} else {
		while (digit(r, p))
			p++;
	}
	if (p < r->end && *p == '.') {
		is_real = true;
		if (!digit(r, ++p))
			return fail(r, s, "invalid number (no digit after '.')");
		while (digit(r, p))
			p++;
	}
	if (p < r->end && (*p == 'e' || *p == 'E')) {
		is_real = true;
		p++;
		if (p < r->end && (*p == '+' || *p == '-'))
			p++;
		if (!digit(r, p))
			return fail(r, s, "invalid number (no digit in the exponent)");
		while (digit(r, p))
			p++;
	}
	r->p = p;
	if (!build)
		return json_null();
	return is_real ? real(r, s, p) : integer(r, s, p);
}

static json_t *literal(struct reader *r, const char *word, json_t *v)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n))
		return fail(r, r->p, "invalid token");
	r->p += n;
	return v;
}

static json_t *value(struct reader *r, unsigned depth, unsigned m, bool build);

/*
 * A member's or element's value at match level @m: built, or, when @m
 * completes the skip path, checked and reported to the skip's callback.
 */
static json_t *child(struct reader *r, unsigned depth, unsigned m, bool build)
{
	const struct gh_jskip *k = r->skip;
	const unsigned char *start;
	size_t known, from, to;
	json_t *v = NULL;
	int e;

	if (m == NOMATCH || m < k->depth)
		return value(r, depth, m, build);
	ws(r);
	start = r->p;
	known = build && k->known
		    ? k->known(k->ctx, r->index, (const char *)start, (size_t)(r->end - start))
		    : 0;
	if (known)
		r->p = start + known;
	else if (!(v = value(r, depth, NOMATCH, build && k->built)))
		return NULL;
	if (!build)
		return &omitted;
	from = (size_t)(start - r->base);
	to = (size_t)(r->p - r->base);
	e = !known && k->built ? k->built(k->ctx, r->index, from, to, v)
			       : k->found(k->ctx, r->index, from, to);
	if (e == -EEXIST)
		return fail(r, start, "duplicate object key");
	if (e < 0)
		return fail(r, start, "out of memory");
	return &omitted;
}

/* Match level of member @key, a child of a value at level @m. */
static unsigned member_match(const struct reader *r, unsigned m, const char *key, size_t len)
{
	const char *want;

	if (m == NOMATCH || m >= r->skip->depth || !(want = r->skip->path[m]))
		return NOMATCH;
	return strlen(want) == len && !memcmp(want, key, len) ? m + 1 : NOMATCH;
}

/* One "key": value of an object; false on error. */
static bool member(struct reader *r, json_t *obj, unsigned depth, unsigned m, bool build)
{
	const unsigned char *kat = r->p;
	const char *key = NULL;
	char *kcopy = NULL;
	size_t klen = 0, n;
	bool esc, ok = false;
	json_t *v;

	if (!at(r, '"'))
		return fail(r, r->p, "expected a string as the object key"), false;
	if (!string(r, build || m != NOMATCH, &key, &klen, &esc))
		return false;
	m = member_match(r, m, key, klen);
	/* The next string reuses r->buf: an escaped key needs its own copy. */
	if (build && esc) {
		kcopy = malloc(klen + 1);
		if (!kcopy)
			return fail(r, kat, "out of memory"), false;
		memcpy(kcopy, key, klen);
		key = kcopy;
	}
	ws(r);
	if (!at(r, ':')) {
		fail(r, r->p, "expected ':' after the object key");
		goto out;
	}
	r->p++;
	v = child(r, depth, m, build);
	if (!v)
		goto out;
	if (build && v != &omitted) {
		n = json_object_size(obj);
		if (json_object_setn_new_nocheck(obj, key, klen, v) < 0) {
			fail(r, kat, "out of memory");
			goto out;
		}
		/* Same size after a set: the key was there already. */
		if (json_object_size(obj) == n) {
			fail(r, kat, "duplicate object key");
			goto out;
		}
	}
	ok = true;
out:
	free(kcopy);
	return ok;
}

static json_t *object(struct reader *r, unsigned depth, unsigned m, bool build)
{
	json_t *obj = build ? json_object() : json_null();

	if (!obj)
		return fail(r, r->p, "out of memory");
	r->p++;
	ws(r);
	if (at(r, '}')) {
		r->p++;
		return obj;
	}
	for (;;) {
		ws(r);
		if (!member(r, obj, depth, m, build))
			break;
		ws(r);
		if (at(r, ',')) {
			r->p++;
			continue;
		}
		if (at(r, '}')) {
			r->p++;
			return obj;
		}
		fail(r, r->p, "expected ',' or '}' after an object member");
		break;
	}
	json_decref(obj);
	return NULL;
}

static json_t *array(struct reader *r, unsigned depth, unsigned m, bool build)
{
	json_t *arr = build ? json_array() : json_null(), *v;
	bool each = m != NOMATCH && m < r->skip->depth && !r->skip->path[m];

	if (!arr)
		return fail(r, r->p, "out of memory");
	r->p++;
	ws(r);
	if (at(r, ']')) {
		r->p++;
		return arr;
	}
	for (size_t i = 0;; i++) {
		if (each)
			r->index[m] = i;
		v = child(r, depth, each ? m + 1 : NOMATCH, build);
		if (!v)
			break;
		if (build && v != &omitted && json_array_append_new(arr, v) < 0) {
			fail(r, r->p, "out of memory");
			break;
		}
		ws(r);
		if (at(r, ',')) {
			r->p++;
			continue;
		}
		if (at(r, ']')) {
			r->p++;
			return arr;
		}
		fail(r, r->p, "expected ',' or ']' after an array element");
		break;
	}
	json_decref(arr);
	return NULL;
}

/*
 * The value at r->p, @depth containers deep.  Not built (@build false): a
 * non-NULL stand-in (jansson's static null) when it is valid.
 */
static json_t *value(struct reader *r, unsigned depth, unsigned m, bool build)
{
	const char *s;
	size_t len;
	bool esc;
	json_t *v;

	ws(r);
	if (r->p >= r->end)
		return fail(r, r->p, "unexpected end of the text");
	switch (*r->p) {
	case '{':
	case '[':
		if (depth >= GH_JSON_DEPTH_MAX)
			return fail(r, r->p,
				    "nested deeper than " GH_STR(GH_JSON_DEPTH_MAX) " levels");
		return *r->p == '{' ? object(r, depth + 1, m, build)
				    : array(r, depth + 1, m, build);
	case '"':
		if (!string(r, build, &s, &len, &esc))
			return NULL;
		if (!build)
			return json_null();
		v = json_stringn_nocheck(s, len);
		return v ? v : fail(r, r->p, "out of memory");
	case 't': return literal(r, "true", json_true());
	case 'f': return literal(r, "false", json_false());
	case 'n': return literal(r, "null", json_null());
	default:
		if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
			return number(r, build);
		return fail(r, r->p, "invalid token");
	}
}

json_t *gh_json_read(const char *text, size_t len, const struct gh_jread_opts *opts,
		     struct gh_jread_err *err)
{
	static const struct gh_jskip none;
	const struct gh_jskip *skip = opts && opts->skip ? opts->skip : &none;
	struct reader r = {
		.base = (const unsigned char *)text,
		.p = (const unsigned char *)text,
		.end = (const unsigned char *)text + len,
		.skip = skip,
		.err = err,
	};
	unsigned m = skip->depth && skip->depth <= GH_JSON_DEPTH_MAX && skip->found ? 0 : NOMATCH;
	json_t *v;

	ws(&r);
	if (!(opts && opts->any) && !at(&r, '{') && !at(&r, '['))
		return fail(&r, r.p, "'[' or '{' expected");
	v = value(&r, 0, m, true);
	if (v) {
		ws(&r);
		if (r.p < r.end) {
			json_decref(v);
			v = fail(&r, r.p, "end of text expected after the JSON value");
		}
	}
	free(r.buf);
	return v;
}

/* ---- stepping through text already read, for the locator (json.c) ---- */

/* A reader over @text at byte @pos, for one step; its buffer is freed by step_done(). */
static struct reader step_reader(const char *text, size_t len, size_t pos, struct gh_jread_err *err)
{
	static const struct gh_jskip none;

	return (struct reader){
		.base = (const unsigned char *)text,
		.p = (const unsigned char *)text + pos,
		.end = (const unsigned char *)text + len,
		.skip = &none,
		.err = err,
	};
}

static bool step_done(struct reader *r, bool found, size_t *pos)
{
	if (found) {
		ws(r);
		*pos = (size_t)(r->p - r->base);
	}
	free(r->buf);
	return found && !r->failed;
}

/* Past the value at r->p, its comma and the white space after: false at the container's end. */
static bool step_over(struct reader *r)
{
	if (!value(r, 0, NOMATCH, false))
		return false;
	ws(r);
	if (!at(r, ','))
		return false;
	r->p++;
	ws(r);
	return true;
}

bool gh_jread_member(const char *text, size_t len, size_t *pos, const char *key)
{
	struct gh_jread_err err;
	struct reader r = step_reader(text, len, *pos, &err);
	size_t klen = strlen(key);
	bool found = false;

	if (!at(&r, '{'))
		return step_done(&r, false, pos);
	r.p++;
	ws(&r);
	while (at(&r, '"')) {
		const char *k;
		size_t n;
		bool esc;

		if (!string(&r, true, &k, &n, &esc))
			break;
		found = n == klen && !memcmp(k, key, n);
		ws(&r);
		if (!at(&r, ':'))
			break;
		r.p++;
		ws(&r);
		if (found || !step_over(&r))
			break;
	}
	return step_done(&r, found, pos);
}

bool gh_jread_element(const char *text, size_t len, size_t *pos, size_t index)
{
	struct gh_jread_err err;
	struct reader r = step_reader(text, len, *pos, &err);
	bool found = false;

	if (!at(&r, '['))
		return step_done(&r, false, pos);
	r.p++;
	ws(&r);
	for (size_t i = 0; r.p < r.end && !at(&r, ']'); i++) {
		if ((found = i == index) || !step_over(&r))
			break;
	}
	return step_done(&r, found, pos);
}

bool gh_jread_next(const char *text, size_t len, size_t *pos)
{
	struct gh_jread_err err;
	struct reader r = step_reader(text, len, *pos, &err);
	bool found = step_over(&r) && r.p < r.end && !at(&r, ']');

	return step_done(&r, found, pos);
}
