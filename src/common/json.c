/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "common/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
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
		col += ((unsigned char)*p & 0xc0) !=
		       0x80; /* characters, not UTF-8 continuation bytes */
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
 * already, and a later element of the same array is reached by stepping
 * on from the remembered one.  Returns the level reached; *@pos is there.
 */
static unsigned resume(const char *text, size_t len, size_t *pos, const struct gh_jpath *p,
		       unsigned depth, struct gh_locate_memo *m)
{
	unsigned i = 0;
	size_t skip, at;

	while (i < depth && i < m->found && same_component(p, &m->path, i))
		i++;
	*pos = (size_t)(m->pos[i] - text);
	if (i >= depth || i >= m->found || p->c[i].key || m->path.c[i].key ||
	    p->c[i].index < m->path.c[i].index)
		return i;
	at = (size_t)(m->pos[i + 1] - text);
	for (skip = p->c[i].index - m->path.c[i].index; skip; skip--)
		if (!gh_jread_next(text, len, &at))
			return i;
	*pos = at;
	m->pos[i + 1] = text + at;
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
	unsigned depth = p->depth < GH_JSON_DEPTH_MAX ? p->depth : GH_JSON_DEPTH_MAX, i = 0;
	size_t pos = 0;

	memo_for(m, text);
	if (m && m->pos[0]) {
		i = resume(text, len, &pos, p, depth, m);
	} else {
		while (pos < len && strchr(" \t\n\r", text[pos]) && text[pos])
			pos++;
		if (m)
			m->pos[0] = text + pos;
	}
	for (; i < depth; i++) {
		bool found = p->c[i].key ? gh_jread_member(text, len, &pos, p->c[i].key)
					 : gh_jread_element(text, len, &pos, p->c[i].index);

		if (!found)
			break;
		if (m)
			m->pos[i + 1] = text + pos;
	}
	if (m) {
		m->path = *p;
		m->found = i;
	}
	return text + pos;
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
static void src_linecol(const struct gh_jsrc *src, const char *at, int *ret_line, int *ret_column)
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

	/*
	 * A full list only counts it (diag_slot): its path is not worth
	 * formatting (2,058 warnings of an export are one snprintf per path
	 * component each, 2% of a load).
	 */
	if ((sev != DIAG_ERROR && src->bare_warnings) || l->n >= GH_DIAG_MAX)
		return diag_add_bare(l, sev);
	gh_jpath_format(p, path, sizeof(path));
	if (!src->text || (sev != DIAG_ERROR && src->unlocated_warnings)) {
		/* No text, or a warning not wanted located. */
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

/*
 * Fault in the whole pages of [@p, @p + @len) now, in one call
 * (MADV_POPULATE_WRITE, Linux 5.14); a hint: nothing is lost when it is
 * refused.
 */
static void populate(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE),
		  a = ((uintptr_t)p + page - 1) & ~(page - 1),
		  b = ((uintptr_t)p + len) & ~(page - 1);

	if (len >= GH_FILE_POPULATE_MIN && b > a)
		(void)madvise((void *)a, b - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)len;
#endif
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
	if (fstat(fd, &st) < 0)
		st.st_mode = 0;
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		diag_add(diags, DIAG_ERROR, path, "", 0, 0, "is a directory, expected a file");
		return -EISDIR;
	}
	/*
	 * The size it has now, in one allocation (the loop below still copes
	 * with a file that grows or shrinks meanwhile) instead of nine
	 * doublings from 64 KiB, its pages filled in by one call: read() into
	 * fresh memory took a trap per 4 KiB page, 7,700 of the 20,700 page
	 * faults of loading a 30 MiB account export.
	 */
	if (S_ISREG(st.st_mode) && st.st_size > 0 && (uintmax_t)st.st_size <= GH_FILE_MAX) {
		cap = (size_t)st.st_size + 4096;
		buf = malloc(cap);
		if (!buf) {
			close(fd);
			diag_add(diags, DIAG_ERROR, path, "", 0, 0, "out of memory");
			return -ENOMEM;
		}
		populate(buf, cap);
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

/* Where @key is in @keys (@n of them), or @n; the first byte tells most apart. */
static size_t key_index(const char *const *keys, size_t n, const char *key)
{
	size_t i = 0;

	while (i < n && (keys[i][0] != key[0] || strcmp(key, keys[i])))
		i++;
	return i;
}

/* Member @key of the object at @p, which @what does not have. */
static void unknown_key(const char *key, const char *what, const struct gh_jsrc *src,
			struct gh_jpath *p, struct diag_list *diags)
{
	gh_jpath_key(p, key);
	gh_jdiag(diags, DIAG_ERROR, src, p, "unknown key \"%s\" in %s", key, what);
	gh_jpath_pop(p);
}

size_t gh_json_check_keys(json_t *obj, const char *const *keys, size_t nkeys, const char *what,
			  const struct gh_jsrc *src, struct gh_jpath *p, struct diag_list *diags)
{
	const char *key;
	json_t *v;
	size_t bad = 0;

	json_object_foreach(obj, key, v) {
		if (key_index(keys, nkeys, key) < nkeys)
			continue;
		unknown_key(key, what, src, p, diags);
		bad++;
	}
	return bad;
}

/*
 * One member of a schema walk at @p (the object's path): 1 when it is
 * missing or of the wrong kind (reported), a handler's negative return
 * (which stops the walk), or 0.
 */
static int walk_field(json_t *v, const struct gh_jschema *sc, const struct gh_jfield *f, void *out,
		      const struct gh_jsrc *src, struct gh_jpath *p, struct diag_list *diags)
{
	const char *want = NULL; /* what the value must be, when it is not */
	bool ok;
	int r;

	if ((f->kind == GH_J_STRING_OR_NULL || f->kind == GH_J_ARRAY_OR_NULL) && json_is_null(v))
		v = NULL;
	if (!v && !f->required)
		return 0;
	if (!v) {
		/* One wording for every kind: what is missing, and where it belongs. */
		gh_jdiag(diags, DIAG_ERROR, src, p, "%s needs \"%s\"", sc->name, f->key);
		return 1;
	}
	/* Any value, read by no handler: nothing to check, nowhere to report. */
	if (f->kind == GH_J_ANY && !f->read) {
		if (f->offset != GH_JFIELD_KEEP)
			*(json_t **)((char *)out + f->offset) = v;
		return 0;
	}
	gh_jpath_key(p, f->key);
	if (f->kind == GH_J_TEXT && !(json_is_string(v) && json_string_length(v)))
		want = "a non-empty string";
	else if ((f->kind == GH_J_STRING || f->kind == GH_J_STRING_OR_NULL) && !json_is_string(v))
		want = "a string";
	else if (f->kind == GH_J_BOOL && !json_is_boolean(v))
		want = "true or false";
	else if ((f->kind == GH_J_ARRAY || f->kind == GH_J_ARRAY_OR_NULL) && !json_is_array(v))
		want = "an array";
	ok = !want;
	if (want && f->kind == GH_J_TEXT)
		gh_jdiag(diags, DIAG_ERROR, src, p, "\"%s\" must be %s", f->key, want);
	else if (want)
		/* An array's key unquoted, as the store's readers always worded it. */
		gh_jdiag(diags, DIAG_ERROR, src, p,
			 f->kind == GH_J_ARRAY || f->kind == GH_J_ARRAY_OR_NULL
			     ? "%s must be %s, not %s"
			     : "\"%s\" must be %s, not %s",
			 f->key, want, gh_json_type_name(v));
	r = !ok;
	if (ok && f->offset != GH_JFIELD_KEEP) {
		if (json_is_string(v) && f->kind != GH_J_ANY)
			*(const char **)((char *)out + f->offset) = json_string_value(v);
		else
			*(json_t **)((char *)out + f->offset) = v;
	}
	if (ok && f->read)
		r = f->read(out, v, p);
	gh_jpath_pop(p);
	return r;
}

int gh_json_walk(json_t *obj, const struct gh_jschema *sc, void *out, const struct gh_jsrc *src,
		 struct diag_list *diags)
{
	struct gh_jpath p = { 0 };

	return gh_json_walk_at(obj, sc, out, src, &p, diags);
}

int gh_json_walk_at(json_t *obj, const struct gh_jschema *sc, void *out, const struct gh_jsrc *src,
		    struct gh_jpath *p, struct diag_list *diags)
{
	const char *keys[GH_JSCHEMA_FIELDS_MAX], *key;
	size_t n = sc->n < GH_JSCHEMA_FIELDS_MAX ? sc->n : GH_JSCHEMA_FIELDS_MAX;
	json_t *vals[GH_JSCHEMA_FIELDS_MAX], *v;
	int r, bad = 0;

	if (!json_is_object(obj)) {
		gh_jdiag(diags, DIAG_ERROR, src, p, "%s must be a JSON object, not %s", sc->name,
			 gh_json_type_name(obj));
		return -EINVAL;
	}
	/* The first @n of each only: clearing both whole cost more than the walk. */
	for (size_t i = 0; i < n; i++) {
		keys[i] = sc->fields[i].key;
		vals[i] = NULL;
	}
	/*
	 * One pass over the members, each to its field (a lookup of each field
	 * by name hashed it again): unknown keys are reported in the object's
	 * order, then the fields in the schema's, as gh_json_check_keys() and
	 * a lookup each did.
	 */
	json_object_foreach(obj, key, v) {
		size_t i = key_index(keys, n, key);

		if (i < n) {
			vals[i] = v;
		} else if (sc->keys_name) {
			unknown_key(key, sc->keys_name, src, p, diags);
		}
	}
	for (size_t i = 0; i < n; i++) {
		r = walk_field(vals[i], sc, &sc->fields[i], out, src, p, diags);
		if (r < 0)
			return r;
		bad += r;
	}
	return bad;
}

const char *gh_json_scalar_text(const json_t *v, char buf[GH_JSON_SCALAR_MAX], size_t *ret_len)
{
	int n;

	switch (json_typeof(v)) {
	case JSON_STRING: *ret_len = json_string_length(v); return json_string_value(v);
	case JSON_TRUE:
	case JSON_FALSE:
		*ret_len = json_is_true(v) ? 4 : 5;
		return json_is_true(v) ? "true" : "false";
	case JSON_INTEGER:
		n = snprintf(buf, GH_JSON_SCALAR_MAX, "%" JSON_INTEGER_FORMAT,
			     json_integer_value(v));
		break;
	case JSON_REAL:
		/* 15 digits: 0.1 prints as "0.1", and every such text reads back the same. */
		n = snprintf(buf, GH_JSON_SCALAR_MAX, "%.15g", json_real_value(v));
		break;
	default: return NULL;
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
