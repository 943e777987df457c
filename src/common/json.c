/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "common/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"
#include "common/str.h"

void gh_jpath_format(const struct gh_jpath *p, char *buf, size_t size)
{
	size_t off = 0;
	unsigned depth = p->depth < GH_JSON_DEPTH_MAX ? p->depth : GH_JSON_DEPTH_MAX;

	buf[0] = '\0';
	for (unsigned i = 0; i < depth && off < size; i++) {
		int n;

		if (p->c[i].key)
			n = snprintf(buf + off, size - off, "%s%s", i ? "." : "", p->c[i].key);
		else
			n = snprintf(buf + off, size - off, "[%zu]", p->c[i].index);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (off >= size && size >= 4) {
		size_t at = size - 4;

		/* Cut before a UTF-8 sequence, never inside one: paths end up in JSON. */
		while (at > 0 && ((unsigned char)buf[at] & 0xc0) == 0x80)
			at--;
		memcpy(buf + at, "...", sizeof("..."));
	}
}

/* A minimal scanner over text gh_json_read has already accepted. */
struct scan {
	const char *p, *end;
};

static void scan_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static unsigned hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	c = gh_tolower(c);
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	return 0;
}

static unsigned scan_u4(struct scan *s)
{
	unsigned v = 0;

	for (int i = 0; i < 4 && s->p < s->end; i++)
		v = v * 16 + hexval(*s->p++);
	return v;
}

static size_t put_utf8(char *out, size_t off, size_t cap, unsigned cp)
{
	char tmp[4];
	size_t n;

	if (cp < 0x80) {
		tmp[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xe0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		tmp[0] = (char)(0xf0 | (cp >> 18));
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	for (size_t i = 0; i < n && off < cap; i++)
		out[off++] = tmp[i];
	return off;
}

/*
 * Scan a string at s->p (on the opening quote); decode up to @cap bytes
 * into @out when non-NULL.  Returns the decoded length (which may exceed
 * @cap: then the string was longer than the buffer).
 */
static size_t scan_string(struct scan *s, char *out, size_t cap)
{
	size_t off = 0, len = 0;

	s->p++;
	while (s->p < s->end && *s->p != '"') {
		unsigned cp;

		if (*s->p != '\\') {
			if (out && off < cap)
				out[off++] = *s->p;
			len++;
			s->p++;
			continue;
		}
		s->p++;
		if (s->p >= s->end)
			break;
		switch (*s->p++) {
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			cp = scan_u4(s);
			if (cp >= 0xd800 && cp < 0xdc00 && s->end - s->p >= 6 && s->p[0] == '\\' &&
			    s->p[1] == 'u') {
				unsigned lo;

				s->p += 2;
				lo = scan_u4(s);
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			break;
		default: cp = (unsigned char)s->p[-1]; break;
		}
		if (out) {
			size_t before = off;

			off = put_utf8(out, off, cap, cp);
			len += off - before;
		} else {
			len++;
		}
	}
	if (s->p < s->end)
		s->p++;
	return out ? (off < cap ? off : len) : len;
}

static bool is_delimiter(char c)
{
	switch (c) {
	case ',': case ':': case ']': case '}': case '"': case '{': case '[':
		return true;
	default:
		return false;
	}
}

/* Skip one value of any type, iteratively (no recursion on hostile depth). */
static void scan_skip_value(struct scan *s)
{
	size_t depth = 0;

	scan_ws(s);
	do {
		if (s->p >= s->end)
			return;
		switch (*s->p) {
		case '"':
			scan_string(s, NULL, 0);
			break;
		case '{':
		case '[':
			depth++;
			s->p++;
			break;
		case '}':
		case ']':
			if (depth)
				depth--;
			s->p++;
			break;
		case ',':
		case ':':
			if (!depth)
				return;
			s->p++;
			break;
		default:
			/*
			 * A scalar (number, true, false, null) or whitespace.  Always
			 * advance: strchr() finds a NUL byte in its own terminator, and
			 * a text that is not valid JSON must still end the walk.
			 */
			do
				s->p++;
			while (s->p < s->end && !is_delimiter(*s->p));
			break;
		}
	} while (depth);
}

/* Skip the current value and its comma; false at the container's end. */
static bool scan_next(struct scan *s)
{
	scan_skip_value(s);
	scan_ws(s);
	if (s->p >= s->end || *s->p != ',')
		return false;
	s->p++;
	return true;
}

/* Step into member @key of the object at s->p; false when absent. */
static bool scan_member(struct scan *s, const char *key)
{
	size_t klen = strlen(key);
	char buf[512];

	s->p++; /* '{' */
	for (;;) {
		size_t n;

		scan_ws(s);
		if (s->p >= s->end || *s->p != '"')
			return false;
		n = scan_string(s, buf, sizeof(buf));
		scan_ws(s);
		if (s->p < s->end && *s->p == ':')
			s->p++;
		scan_ws(s);
		if (n == klen && n <= sizeof(buf) && !memcmp(buf, key, n))
			return true;
		if (!scan_next(s))
			return false;
	}
}

static bool scan_element(struct scan *s, size_t index)
{
	s->p++; /* '[' */
	for (size_t i = 0;; i++) {
		scan_ws(s);
		if (s->p >= s->end || *s->p == ']')
			return false;
		if (i == index)
			return true;
		if (!scan_next(s))
			return false;
	}
}

/* 1-based line and column (in characters) of offset @at in @text, counting on from @m. */
static void linecol(const char *text, size_t at, int *ret_line, int *ret_column,
		    struct gh_locate_memo *m)
{
	const char *p = text, *end = text + at, *nl;
	int line = 1, col = 1;

	if (m && m->text == text && m->lc_off <= at) {
		p = text + m->lc_off;
		line = m->lc_line;
		col = m->lc_col;
	}
	/*
	 * A large export is walked once per load: count newlines in a loop the
	 * compiler vectorises, then columns on the last line only.
	 */
	nl = memrchr(p, '\n', (size_t)(end - p));
	if (nl) {
		size_t n = 0;

		for (const char *q = p; q <= nl; q++)
			n += *q == '\n';
		line += (int)n;
		col = 1;
		p = nl + 1;
	}
	for (; p < end; p++)
		col += ((unsigned char)*p & 0xc0) != 0x80; /* characters, not UTF-8 continuation bytes */
	if (m && m->text == text) {
		m->lc_off = at;
		m->lc_line = line;
		m->lc_col = col;
	}
	*ret_line = line;
	*ret_column = col;
}

static bool same_component(const struct gh_jpath *a, const struct gh_jpath *b, unsigned i)
{
	if (!a->c[i].key != !b->c[i].key)
		return false;
	return a->c[i].key ? !strcmp(a->c[i].key, b->c[i].key) : a->c[i].index == b->c[i].index;
}

/*
 * Start the walk from what @m remembers: the common prefix is found
 * already, and a later element of the same array is reached by skipping
 * on from the remembered one.  Returns the level reached; s->p is there.
 */
static unsigned resume(struct scan *s, const struct gh_jpath *p, unsigned depth,
		       struct gh_locate_memo *m)
{
	unsigned i = 0;
	size_t skip;

	while (i < depth && i < m->found && same_component(p, &m->path, i))
		i++;
	s->p = m->pos[i];
	if (i >= depth || i >= m->found || p->c[i].key || m->path.c[i].key ||
	    p->c[i].index < m->path.c[i].index)
		return i;
	s->p = m->pos[i + 1];
	for (skip = p->c[i].index - m->path.c[i].index; skip; skip--) {
		if (!scan_next(s)) {
			s->p = m->pos[i];
			return i;
		}
		scan_ws(s);
	}
	if (s->p >= s->end || *s->p == ']') {
		s->p = m->pos[i];
		return i;
	}
	m->pos[i + 1] = s->p;
	return i + 1;
}

/* Reset @m when it describes another text. */
static void memo_for(struct gh_locate_memo *m, const char *text)
{
	if (m && m->text != text) {
		memset(m, 0, sizeof(*m));
		m->text = text;
		m->lc_line = m->lc_col = 1; /* offset 0 is line 1, column 1 */
	}
}

/* Where the value at @p starts in @text, or the deepest container found. */
static const char *locate(const char *text, size_t len, const struct gh_jpath *p,
			  struct gh_locate_memo *m)
{
	struct scan s = { text, text + len };
	unsigned depth = p->depth < GH_JSON_DEPTH_MAX ? p->depth : GH_JSON_DEPTH_MAX, i = 0;
	const char *at;

	memo_for(m, text);
	if (m && m->pos[0]) {
		i = resume(&s, p, depth, m);
	} else {
		scan_ws(&s);
		if (m)
			m->pos[0] = s.p;
	}
	at = s.p;
	for (; i < depth && s.p < s.end; i++) {
		bool found;

		if (p->c[i].key && *s.p == '{')
			found = scan_member(&s, p->c[i].key);
		else if (!p->c[i].key && *s.p == '[')
			found = scan_element(&s, p->c[i].index);
		else
			found = false;
		if (!found)
			break;
		at = s.p;
		if (m)
			m->pos[i + 1] = s.p;
	}
	if (m) {
		m->path = *p;
		m->found = i;
	}
	return at;
}

void gh_json_locate(const char *text, size_t len, const struct gh_jpath *p, int *ret_line,
		    int *ret_column, struct gh_locate_memo *m)
{
	*ret_line = *ret_column = 0;
	if (!text)
		return;
	linecol(text, (size_t)(locate(text, len, p, m) - text), ret_line, ret_column, m);
}

/* Line and column of @at, a place in @src's text, counted in the outermost text. */
static void src_linecol(const struct gh_jsrc *src, const char *at, int *ret_line,
			int *ret_column)
{
	const struct gh_jsrc *o = src->outer ? src->outer : src;

	*ret_line = *ret_column = 0;
	if (!o->text)
		return;
	memo_for(o->memo, o->text);
	linecol(o->text, (size_t)(at - o->text), ret_line, ret_column, o->memo);
}

struct diag *gh_jdiag(struct diag_list *l, enum diag_severity sev, const struct gh_jsrc *src,
		      const struct gh_jpath *p, const char *fmt, ...)
{
	char path[GH_DIAG_PATH_MAX];
	int line, col;
	struct diag *d;
	va_list ap;

	gh_jpath_format(p, path, sizeof(path));
	if (!src->text || l->n >= GH_DIAG_MAX) {
		/* No text, or a full list that will only count it: no walk. */
		line = col = 0;
	} else if (src->skip && src->skip <= p->depth && p->depth <= GH_JSON_DEPTH_MAX) {
		struct gh_jpath inner = { .depth = p->depth - src->skip };

		memcpy(inner.c, p->c + src->skip, inner.depth * sizeof(inner.c[0]));
		src_linecol(src, locate(src->text, src->len, &inner, src->memo), &line, &col);
	} else {
		src_linecol(src, locate(src->text, src->len, p, src->memo), &line, &col);
	}
	va_start(ap, fmt);
	d = diag_addv(l, sev, src->name, path, line, col, fmt, ap);
	va_end(ap);
	return d;
}

int gh_file_read(const char *path, char **ret_text, size_t *ret_len, struct diag_list *diags)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;
	struct stat st;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		diag_add(diags, DIAG_ERROR, path, "", 0, 0, "cannot open: %s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		diag_add(diags, DIAG_ERROR, path, "", 0, 0, "is a directory, expected a file");
		return -EISDIR;
	}
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nbuf;

			if (ncap > (size_t)GH_FILE_MAX + 1)
				ncap = (size_t)GH_FILE_MAX + 1;
			if (ncap <= len + 1) {
				r = -E2BIG;
				diag_add(diags, DIAG_ERROR, path, "", 0, 0,
					 "file is larger than the %u MiB limit", GH_FILE_MAX >> 20);
				break;
			}
			nbuf = realloc(buf, ncap);
			if (!nbuf) {
				r = -ENOMEM;
				diag_add(diags, DIAG_ERROR, path, "", 0, 0, "out of memory");
				break;
			}
			buf = nbuf;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			diag_add(diags, DIAG_ERROR, path, "", 0, 0, "read error: %s", strerror(-r));
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (r < 0)
		return r;
	if (!buf) {
		buf = malloc(1);
		if (!buf)
			return -ENOMEM;
	}
	buf[len] = '\0';
	*ret_text = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

json_t *gh_json_parse_opts(const struct gh_jsrc *src, const struct gh_jread_opts *opts,
			   struct diag_list *diags)
{
	struct gh_jread_err err;
	json_t *root = gh_json_read(src->text, src->len, opts, &err);
	int line, col;

	if (!root) {
		src_linecol(src, src->text + err.offset, &line, &col);
		diag_add(diags, DIAG_ERROR, src->name, "", line, col, "invalid JSON: %s", err.text);
	}
	return root;
}

json_t *gh_json_parse(const struct gh_jsrc *src, struct diag_list *diags)
{
	return gh_json_parse_opts(src, NULL, diags);
}

size_t gh_json_check_keys(json_t *obj, const char *const *keys, size_t nkeys, const char *what,
			  const struct gh_jsrc *src, struct gh_jpath *p, struct diag_list *diags)
{
	const char *key;
	json_t *v;
	size_t bad = 0;

	json_object_foreach(obj, key, v) {
		size_t i = 0;

		while (i < nkeys && strcmp(key, keys[i]))
			i++;
		if (i < nkeys)
			continue;
		gh_jpath_key(p, key);
		gh_jdiag(diags, DIAG_ERROR, src, p, "unknown key \"%s\" in %s", key, what);
		gh_jpath_pop(p);
		bad++;
	}
	return bad;
}

const char *gh_json_scalar_text(const json_t *v, char buf[GH_JSON_SCALAR_MAX], size_t *ret_len)
{
	int n;

	switch (json_typeof(v)) {
	case JSON_STRING:
		*ret_len = json_string_length(v);
		return json_string_value(v);
	case JSON_TRUE:
	case JSON_FALSE:
		*ret_len = json_is_true(v) ? 4 : 5;
		return json_is_true(v) ? "true" : "false";
	case JSON_INTEGER:
		n = snprintf(buf, GH_JSON_SCALAR_MAX, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		/* 15 digits: 0.1 prints as "0.1", and every such text reads back the same. */
		n = snprintf(buf, GH_JSON_SCALAR_MAX, "%.15g", json_real_value(v));
		break;
	default:
		return NULL;
	}
	*ret_len = (size_t)n;
	return buf;
}

const char *gh_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}
