/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /v1/authorize and /v1/authorize/batch bodies read in one pass, without a
 * jansson tree.  Building the tree and freeing it cost more than the
 * decision itself (a batch of 100 spent 60% of its instructions in the
 * reader, malloc and json_delete), so the bodies of the usual shape are
 * read here: strings decoded in place in a copy of the body, context
 * values and members in two arrays, every request of a batch read before
 * the first is decided (a body that turns out bad must not have decided,
 * counted or logged anything).
 *
 * Only a subset is read here, and anything outside it makes
 * gd_reqs_read() return false: the caller then reads the body as a tree
 * and answers from it, as it always has.  So every answer to a malformed
 * body, and every error this reader does not reproduce itself, comes
 * from one place, and the two readers cannot disagree on them.  Outside
 * the subset: anything gh_json_read() refuses; \u escapes; numbers of 19
 * digits or more; an unknown key; a key given twice; a principal, session,
 * action or resource that is not a string; a context that is not an
 * object or null; a context value that is not a string, number, boolean
 * or a list of them; more than GD_CONTEXT_MAX keys, GD_VALUES_MAX values
 * or GD_BATCH_MAX requests.  What remains to be refused (derived and MFA
 * keys, keys given twice in other letter cases, unknown principals, ...)
 * is refused by the same code as for a tree: gd_ctxb_add_texts() and
 * gd_decide().
 *
 * Also here, for every endpoint: a body read as a tree (gd_body()) and a
 * request header (http_header()).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/macro.h"
#include "common/str.h"
#include "daemon/daemon.h"

/* Longest integer read here: 18 digits always fit json_int_t. */
#define INT_DIGITS_MAX 18

/* A number's text goes to r->nums; its value's pointer is set once r->nums stops moving. */
struct num_fix {
	size_t value, off;
};

struct scan {
	char *p, *end;
	struct gd_reqs *r;
	struct num_fix *fix;
	size_t nfix, fixcap;
};

/*
 * Room for @want elements of @size at *@p: realloc'ed, or moved off
 * @inline_buf (the gd_reqs' own room for one small request) to the heap.
 */
static bool grow(void **p, size_t *cap, size_t want, size_t size, const void *inline_buf)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (want <= *cap)
		return true;
	while (n < want)
		n *= 2;
	if (*p && *p == inline_buf) {
		q = malloc(n * size);
		if (q)
			memcpy(q, *p, *cap * size);
	} else {
		q = realloc(*p, n * size);
	}
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

static bool eat(struct scan *s, char c)
{
	ws(s);
	if (s->p >= s->end || *s->p != c)
		return false;
	s->p++;
	return true;
}

/*
 * The string at s->p (on its quote), decoded in place and NUL-terminated
 * there (decoding only shrinks it).  UTF-8 is checked as gh_json_read()
 * checks it; a \u escape is left to the tree reader.
 */
static bool str(struct scan *s, const char **ret, size_t *ret_len)
{
	char *start = s->p + 1, *p = start, *o;

	/*
	 * Most strings have no escape: nothing to move.  (Byte by byte: the
	 * strings of a request are short, and eight bytes at a time was slower.)
	 * The copy of the body ends with a NUL, which stops every run.
	 */
	while (!gh_json_escaped[(unsigned char)*p])
		p++;
	o = p;
	for (;;) {
		unsigned char c;

		while (!gh_json_escaped[(unsigned char)*p])
			*o++ = *p++;
		if (p >= s->end || *p != '\\') {
			if (p >= s->end || *p != '"')
				return false; /* the end, or a control character */
			break;
		}
		switch (p[1]) {
		case '"':
		case '\\':
		case '/': c = (unsigned char)p[1]; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		default: return false; /* \u, or an invalid escape */
		}
		*o++ = (char)c;
		p += 2;
	}
	*o = '\0';
	s->p = p + 1;
	/* Escapes decode to ASCII: the decoded text is valid UTF-8 when the body's was. */
	if (!gh_utf8_valid(start, (size_t)(o - start)))
		return false;
	*ret = start;
	*ret_len = (size_t)(o - start);
	return true;
}

static bool digits(struct scan *s)
{
	char *from = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > from;
}

/* A number's text as gh_json_scalar_text() prints the value gh_json_read() makes of it. */
static bool number(struct scan *s, size_t value)
{
	char *from = s->p, lit[GH_JSON_SCALAR_MAX], out[GH_JSON_SCALAR_MAX];
	const char *text = out;
	struct gd_reqs *r = s->r;
	bool real = false;
	size_t n, len;
	json_t *j;

	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p >= s->end || (*s->p == '0' ? (++s->p, digits(s)) : !digits(s)))
		return false; /* no digit, or a leading zero */
	if (s->p < s->end && *s->p == '.') {
		real = true;
		s->p++;
		if (!digits(s))
			return false;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		real = true;
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!digits(s))
			return false;
	}
	n = (size_t)(s->p - from);
	if (n >= sizeof(lit) || (!real && n - (*from == '-') > INT_DIGITS_MAX))
		return false;
	memcpy(lit, from, n);
	lit[n] = '\0';
	/* The reader's own conversions, then the same printing as a tree's value. */
	if (real) {
		double v;

		errno = 0;
		v = strtod(lit, NULL);
		if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
			return false;
		j = json_real(v);
	} else {
		j = json_integer(strtoll(lit, NULL, 10));
	}
	if (j)
		text = gh_json_scalar_text(j, out, &len);
	json_decref(j);
	if (!j || !text)
		return false;
	if (!grow((void **)&r->nums, &r->numcap, r->nnums + len + 1, 1, NULL) ||
	    !grow((void **)&s->fix, &s->fixcap, s->nfix + 1, sizeof(*s->fix), NULL))
		return false;
	memcpy(r->nums + r->nnums, text, len + 1);
	s->fix[s->nfix++] = (struct num_fix){ .value = value, .off = r->nnums };
	r->v[value].len = len;
	r->nnums += len + 1;
	return true;
}

static bool literal(struct scan *s, const char *word, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
		return false;
	s->p += n;
	return true;
}

/* One string, number or boolean of a context value, appended to r->v. */
static bool scalar(struct scan *s)
{
	struct gd_reqs *r = s->r;
	struct authz_value *v;

	if (!grow((void **)&r->v, &r->vcap, r->nv + 1, sizeof(*r->v), r->v_room))
		return false;
	v = &r->v[r->nv];
	ws(s);
	if (s->p >= s->end)
		return false;
	switch (*s->p) {
	case '"':
		if (!str(s, &v->s, &v->len))
			return false;
		break;
	case 't':
		if (!literal(s, "true", GH_LIT_LEN("true")))
			return false;
		*v = (struct authz_value){ "true", GH_LIT_LEN("true") };
		break;
	case 'f':
		if (!literal(s, "false", GH_LIT_LEN("false")))
			return false;
		*v = (struct authz_value){ "false", GH_LIT_LEN("false") };
		break;
	default:
		v->s = NULL; /* set when the numbers' text stops moving */
		if (!number(s, r->nv))
			return false;
	}
	r->nv++;
	return true;
}

/* A context member's value: a scalar, or a list of them. */
static bool member_value(struct scan *s, struct gd_rmember *m)
{
	m->v0 = s->r->nv;
	ws(s);
	m->list = s->p < s->end && *s->p == '[';
	if (!m->list) {
		if (!scalar(s))
			return false;
	} else if (s->p++, !eat(s, ']')) {
		do {
			if (!scalar(s))
				return false;
		} while (eat(s, ','));
		if (!eat(s, ']'))
			return false;
	}
	m->nv = s->r->nv - m->v0;
	return true;
}

/* "context": {...} or null, into r->m. */
static bool context(struct scan *s, struct gd_ritem *it)
{
	struct gd_reqs *r = s->r;

	ws(s);
	if (literal(s, "null", GH_LIT_LEN("null")))
		return true;
	if (!eat(s, '{'))
		return false;
	if (eat(s, '}'))
		return true;
	do {
		struct gd_rmember *m;

		if (it->nm >= GD_CONTEXT_MAX ||
		    !grow((void **)&r->m, &r->mcap, r->nm + 1, sizeof(*r->m), r->m_room))
			return false;
		m = &r->m[r->nm];
		ws(s);
		if (s->p >= s->end || *s->p != '"' || !str(s, &m->key, &m->klen) || !eat(s, ':'))
			return false;
		/* A key given twice is the tree reader's error (in another case, gd_ctxb's). */
		for (size_t k = it->m0; k < r->nm; k++)
			if (r->m[k].klen == m->klen && !memcmp(r->m[k].key, m->key, m->klen))
				return false;
		if (!member_value(s, m))
			return false;
		r->nm++;
		it->nm++;
	} while (eat(s, ','));
	return eat(s, '}') && r->nv - r->m[it->m0].v0 <= GD_VALUES_MAX;
}

static const char *const request_keys[] = { "principal", "session", "action", "resource",
					    "context" };

/* One request object into r->items. */
static bool request(struct scan *s)
{
	struct gd_reqs *r = s->r;
	struct gd_ritem *it;
	unsigned seen = 0;

	if (!grow((void **)&r->items, &r->cap, r->n + 1, sizeof(*r->items), r->item_room))
		return false;
	it = &r->items[r->n];
	memset(it, 0, sizeof(*it));
	it->m0 = r->nm;
	if (!eat(s, '{'))
		return false;
	if (!eat(s, '}')) {
		do {
			const char *key, *v;
			size_t klen, vlen, i;

			ws(s);
			if (s->p >= s->end || *s->p != '"' || !str(s, &key, &klen) || !eat(s, ':'))
				return false;
			for (i = 0; i < ARRAY_SIZE(request_keys); i++)
				if (strlen(request_keys[i]) == klen &&
				    !memcmp(key, request_keys[i], klen))
					break;
			if (i == ARRAY_SIZE(request_keys) || (seen & 1u << i))
				return false;
			seen |= 1u << i;
			if (i == 4) {
				if (!context(s, it))
					return false;
				continue;
			}
			ws(s);
			if (s->p >= s->end || *s->p != '"' || !str(s, &v, &vlen))
				return false;
			*(i == 0   ? &it->c.principal
			  : i == 1 ? &it->c.session
			  : i == 2 ? &it->c.action
				   : &it->c.resource) = v;
		} while (eat(s, ','));
		if (!eat(s, '}'))
			return false;
	}
	r->n++;
	return true;
}

static bool body(struct scan *s, bool batch)
{
	const char *key;
	size_t klen;

	if (!batch)
		return request(s);
	if (!eat(s, '{'))
		return false;
	ws(s);
	if (s->p >= s->end || *s->p != '"' || !str(s, &key, &klen) ||
	    !gh_eq_lit_case(key, klen, "requests") || !eat(s, ':') || !eat(s, '['))
		return false;
	if (!eat(s, ']')) {
		do {
			if (s->r->n >= GD_BATCH_MAX || !request(s))
				return false;
		} while (eat(s, ','));
		if (!eat(s, ']'))
			return false;
	}
	return eat(s, '}');
}

bool gd_reqs_read(struct gd_reqs *r, const char *text, size_t len, bool batch)
{
	struct scan s = { .r = r };
	bool ok;

	/* The arrays start in the room of their own: a single request allocates only its text. */
	*r = (struct gd_reqs){ .items = r->item_room,
			       .cap = ARRAY_SIZE(r->item_room),
			       .m = r->m_room,
			       .mcap = ARRAY_SIZE(r->m_room),
			       .v = r->v_room,
			       .vcap = ARRAY_SIZE(r->v_room) };
	r->text = malloc(len + 1);
	if (!r->text)
		return false;
	memcpy(r->text, text, len);
	r->text[len] = '\0';
	s.p = r->text;
	s.end = r->text + len;
	ok = body(&s, batch);
	ws(&s);
	ok = ok && s.p == s.end;
	for (size_t i = 0; ok && i < s.nfix; i++)
		r->v[s.fix[i].value].s = r->nums + s.fix[i].off;
	free(s.fix);
	if (!ok)
		gd_reqs_done(r);
	return ok;
}

int gd_reqs_context(const struct gd_reqs *r, const struct gd_ritem *it, struct gd_ctxb *cb,
		    struct gd_err *err)
{
	for (size_t i = 0; i < it->nm; i++) {
		const struct gd_rmember *m = &r->m[it->m0 + i];

		if (gd_ctxb_add_texts(cb, m->key, m->klen, &r->v[m->v0], m->nv, m->list, "", err) <
		    0)
			return gd_err_at(err, "", "context");
	}
	return 0;
}

void gd_reqs_done(struct gd_reqs *r)
{
	free(r->text);
	free(r->nums);
	if (r->items != r->item_room)
		free(r->items);
	if (r->m != r->m_room)
		free(r->m);
	if (r->v != r->v_room)
		free(r->v);
	r->text = r->nums = NULL;
	r->items = NULL;
	r->m = NULL;
	r->v = NULL;
}

const char *http_header(const struct http_request *req, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < req->nheaders; i++)
		if (gh_eq_nocase(req->headers[i].name, strlen(req->headers[i].name), name, len))
			return req->headers[i].value;
	return NULL;
}

json_t *gd_body(const struct http_request *req, struct http_response *res)
{
	struct gh_jread_err je;
	json_t *v;

	if (!req->body_len) {
		gd_error(res, 400, "invalid_json", NULL, "the request needs a JSON object body");
		return NULL;
	}
	v = gh_json_read(req->body, req->body_len, NULL, &je);
	if (!v) {
		gd_error(res, 400, "invalid_json", NULL, "body, byte %zu: %s", je.offset, je.text);
		return NULL;
	}
	if (!json_is_object(v)) {
		gd_error(res, 400, "invalid_json", NULL, "the body is a JSON object, not %s",
			 gh_json_type_name(v));
		json_decref(v);
		return NULL;
	}
	return v;
}
