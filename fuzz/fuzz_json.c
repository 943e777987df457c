/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gh_json_read() against jansson: the input is one JSON text, read by
 * json_loadb(JSON_REJECT_DUPLICATES) and by gh_json_read(), both without
 * and with a scalar allowed at the top (JSON_DECODE_ANY, opts.any).
 * Invariants:
 * - jread accepts exactly what jansson accepts, and builds a json_equal()
 *   tree (reals compare exactly: both read them with strtod());
 * - but nested deeper than GH_JSON_DEPTH_MAX (brackets outside strings,
 *   counted as jread counts), jread refuses, at the first bracket too deep
 *   when jansson accepts;
 * - and an input with a NUL byte is refused: no JSON text has one.
 *   (jansson 2.14 accepts a NUL right after a number or a literal, "[1\0]":
 *   ungetting the byte that ended the token, its stream buffer takes the
 *   NUL for "empty" and drops it.  That is jansson's bug, not a rule.)
 * - a refusal has an offset within the text and a message;
 * - read with a skip path, an accepted text is accepted again, with exactly
 *   the values at the path left out, each reported once, in text order,
 *   with its indices and its bytes (which read, alone, to the value left
 *   out); a callback's -EEXIST or -ENOMEM stops the read at the value with
 *   "duplicate object key" or "out of memory";
 * - a read with a skip path that skips nothing is the plain read.
 */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Paths to skip: an export's documents, and short ones that seeds reach. */
static const char *const path_export[] = { "Policies", NULL, "PolicyVersionList", NULL,
					   "Document" };
static const char *const path_a_b[] = { "a", NULL, "b" };
static const char *const path_all[] = { NULL };
static const char *const path_a[] = { "a" };

static const struct {
	const char *const *path;
	unsigned depth;
} paths[] = {
	{ path_export, 5 },
	{ path_a_b, 3 },
	{ path_all, 1 },
	{ path_a, 1 },
};

#define PATH_MAX_DEPTH 5

struct span {
	size_t idx[PATH_MAX_DEPTH];
	size_t start, end;
};

/* What the skip callback was told, and when it is to fail. */
struct seen {
	struct span *v;
	size_t n, cap;
	size_t fail_at; /* 1-based call to fail, 0 for none */
	int fail_with;
};

static __attribute__((noreturn)) void disagree(const char *what, const uint8_t *data, size_t size,
					       const struct gh_jread_err *err, const char *jerr)
{
	fprintf(stderr, "fuzz_json: %s (%zu bytes)\n", what, size);
	if (err)
		fprintf(stderr, "  jread:   refused at %zu: %s\n", err->offset, err->text);
	if (jerr)
		fprintf(stderr, "  jansson: refused: %s\n", jerr);
	__builtin_trap();
}

static int record(void *ctx, const size_t *idx, size_t start, size_t end)
{
	struct seen *s = ctx;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct span *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	memcpy(s->v[s->n].idx, idx, sizeof(s->v[s->n].idx));
	s->v[s->n].start = start;
	s->v[s->n].end = end;
	s->n++;
	return s->n == s->fail_at ? s->fail_with : 0;
}

/*
 * Deepest nesting of @data, as jread counts it (brackets outside strings),
 * and in *@ret_at the first bracket past GH_JSON_DEPTH_MAX.
 */
static unsigned nesting(const uint8_t *data, size_t size, size_t *ret_at)
{
	unsigned depth = 0, max = 0;
	bool str = false;

	*ret_at = size;
	for (size_t i = 0; i < size; i++) {
		if (str) {
			if (data[i] == '\\')
				i++;
			else if (data[i] == '"')
				str = false;
			continue;
		}
		switch (data[i]) {
		case '"': str = true; break;
		case '[':
		case '{':
			if (++depth > max)
				max = depth;
			if (depth == GH_JSON_DEPTH_MAX + 1 && *ret_at == size)
				*ret_at = i;
			break;
		case ']':
		case '}':
			if (depth)
				depth--;
			break;
		}
	}
	return max;
}

/* Remove from @v the values at @path (from component @m): what a skip leaves out. */
static size_t strip(json_t *v, const char *const *path, unsigned depth, unsigned m)
{
	size_t n = 0;
	json_t *c;

	if (path[m]) {
		if (!json_is_object(v) || !(c = json_object_get(v, path[m])))
			return 0;
		if (m + 1 < depth)
			return strip(c, path, depth, m + 1);
		json_object_del(v, path[m]);
		return 1;
	}
	if (!json_is_array(v))
		return 0;
	if (m + 1 == depth) {
		n = json_array_size(v);
		json_array_clear(v);
		return n;
	}
	for (size_t i = 0; i < json_array_size(v); i++)
		n += strip(json_array_get(v, i), path, depth, m + 1);
	return n;
}

static json_t *at_path(json_t *v, const char *const *path, unsigned depth, const size_t *idx)
{
	for (unsigned i = 0; i < depth && v; i++)
		v = path[i] ? json_object_get(v, path[i]) : json_array_get(v, idx[i]);
	return v;
}

static json_t *read_skip(const uint8_t *data, size_t size, unsigned p, struct seen *seen,
			 struct gh_jread_err *err)
{
	struct gh_jskip skip = {
		.path = paths[p].path,
		.depth = paths[p].depth,
		.found = record,
		.ctx = seen,
	};
	struct gh_jread_opts o = { .skip = &skip };

	seen->n = 0;
	return gh_json_read((const char *)data, size, &o, err);
}

/* A refusal says where and what. */
static void check_err(const uint8_t *data, size_t size, const struct gh_jread_err *err)
{
	if (err->offset > size || !err->text[0] || !memchr(err->text, '\0', sizeof(err->text)))
		disagree("refusal without a sane offset and message", data, size, NULL, NULL);
}

/* Read with skip path @p: @full (the plain read's tree, or NULL) less the values at @p. */
static void check_skip(const uint8_t *data, size_t size, json_t *full, unsigned p)
{
	const char *const *path = paths[p].path;
	unsigned depth = paths[p].depth;
	struct seen seen = { 0 };
	struct gh_jread_err err;
	json_t *v = read_skip(data, size, p, &seen, &err), *want;
	size_t n;

	if (!full) {
		/* Nothing skipped: the plain read, which refused. */
		if (v && !seen.n)
			disagree("accepted with a skip that skipped nothing, refused without", data,
				 size, NULL, NULL);
		if (!v)
			check_err(data, size, &err);
		json_decref(v);
		free(seen.v);
		return;
	}
	if (!v)
		disagree("accepted, refused with a skip", data, size, &err, NULL);
	want = json_deep_copy(full);
	if (!want)
		abort();
	n = strip(want, path, depth, 0);
	if (n != seen.n || !json_equal(v, want))
		disagree("a skip left out other values than those at its path", data, size, NULL,
			 NULL);
	json_decref(want);
	json_decref(v);

	for (size_t i = 0; i < seen.n; i++) {
		const struct span *s = &seen.v[i];
		struct gh_jread_opts any = { .any = true };
		json_t *part;

		if (s->start >= s->end || s->end > size || (i && s->start < seen.v[i - 1].end) ||
		    memchr(" \t\n\r", data[s->start], 4) || memchr(" \t\n\r", data[s->end - 1], 4))
			disagree("a skipped span is out of order, out of the text or not trimmed",
				 data, size, NULL, NULL);
		part = gh_json_read((const char *)data + s->start, s->end - s->start, &any, &err);
		if (!part || !json_equal(part, at_path(full, path, depth, s->idx)))
			disagree("a skipped span is not the value left out", data, size,
				 part ? NULL : &err, NULL);
		json_decref(part);
	}

	/* The callback's errors, at the value it was called for. */
	if (seen.n) {
		struct seen fail = { .fail_at = seen.n, .fail_with = -EEXIST };

		v = read_skip(data, size, p, &fail, &err);
		if (v || fail.n != seen.n || err.offset != seen.v[seen.n - 1].start ||
		    strcmp(err.text, "duplicate object key"))
			disagree("callback -EEXIST not a duplicate at the value", data, size,
				 v ? NULL : &err, NULL);
		free(fail.v);
		fail = (struct seen){ .fail_at = 1, .fail_with = -ENOMEM };
		v = read_skip(data, size, p, &fail, &err);
		if (v || err.offset != seen.v[0].start || strcmp(err.text, "out of memory"))
			disagree("callback -ENOMEM not out of memory at the value", data, size,
				 v ? NULL : &err, NULL);
		free(fail.v);
	}
	free(seen.v);
}

/* One reading mode: a container at the top (@any false), or any value. */
static json_t *compare(const uint8_t *data, size_t size, bool any, unsigned deep, size_t deep_at)
{
	struct gh_jread_opts o = { .any = any };
	size_t flags = JSON_REJECT_DUPLICATES | (any ? JSON_DECODE_ANY : 0);
	struct gh_jread_err err;
	json_error_t je;
	json_t *v = gh_json_read((const char *)data, size, &o, &err), *j;

	if (!v)
		check_err(data, size, &err);
	if (memchr(data, '\0', size)) {
		if (v)
			disagree("accepted a text with a NUL byte", data, size, NULL, NULL);
		return NULL;
	}
	j = json_loadb((const char *)data, size, flags, &je);
	if (deep > GH_JSON_DEPTH_MAX) {
		if (v)
			disagree("accepted a text nested too deep", data, size, NULL, NULL);
		if (j && (err.offset != deep_at || !strstr(err.text, "nested deeper")))
			disagree("too deep, refused for another reason or elsewhere", data, size,
				 &err, NULL);
		json_decref(j);
		return NULL;
	}
	if (!v != !j)
		disagree(v ? "jread accepts, jansson refuses" : "jread refuses, jansson accepts",
			 data, size, v ? NULL : &err, j ? NULL : je.text);
	if (v && !json_equal(v, j))
		disagree("both accept, the trees differ", data, size, NULL, NULL);
	json_decref(j);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t deep_at;
	unsigned deep;
	json_t *v, *any;

	if (!data) /* jansson refuses a NULL buffer whatever its size */
		data = (const uint8_t *)"";
	deep = nesting(data, size, &deep_at);
	v = compare(data, size, false, deep, deep_at);
	any = compare(data, size, true, deep, deep_at);
	/* A container at the top reads the same either way. */
	if (!v != !(any && (json_is_object(any) || json_is_array(any))) ||
	    (v && !json_equal(v, any)))
		disagree("opts.any changes how a container is read", data, size, NULL, NULL);
	for (unsigned p = 0; p < sizeof(paths) / sizeof(paths[0]); p++)
		check_skip(data, size, v, p);
	json_decref(any);
	json_decref(v);
	return 0;
}
