/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON input with locations.  A json_t keeps no position (and keeping one
 * per value would cost every load), so loaders walk the parsed tree keeping
 * a JSON path (struct gh_jpath), and only when they report a problem do we
 * find that path's line and column in the source text again
 * (gh_json_locate).  The success path pays nothing for locations.  Text is
 * read by gh_json_read (jread.h).
 */
#ifndef GH_JSON_H
#define GH_JSON_H

#include <gatehouse/diag.h>
#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>

#include "common/jread.h"
#include "common/limits.h"

struct gh_locate_memo;

/**
 * struct gh_jsrc - where a JSON document came from
 * @name: file name or label, used as the diagnostic's source
 * @text: the document's text (borrowed), or NULL when there is none
 * @len: bytes in @text
 * @skip: leading components of the paths reported against this text that
 *	are not in it: a document embedded as a string (URL-encoded in an
 *	export) is reported at its full path, and located in its own text
 * @memo: speeds up locating many diagnostics in a large text, or NULL
 * @outer: the source @text is a piece of, or NULL: an export's policy
 *	document is read and located on its own (a few KiB to walk, not the
 *	whole file), but its lines and columns count from @outer's start
 * @unlocated_warnings: warnings are recorded without a line and column (a
 *	caller that prints only errors, as `gatehouse simulate` does, need not
 *	walk the text for each warning); errors are always located
 * @bare_warnings: warnings are recorded without a path or message either:
 *	they only count, and hold their place in the list (whose cap counts
 *	them), for a caller that never shows one (formatting them was a
 *	tenth of compiling a policy)
 */
struct gh_jsrc {
	const char *name;
	const char *text;
	size_t len;
	unsigned skip;
	struct gh_locate_memo *memo;
	const struct gh_jsrc *outer;
	bool unlocated_warnings;
	bool bare_warnings;
};

/**
 * struct gh_jpath - path from a document's root to a value
 * @depth: components in use
 * @c: components: an object key (@key non-NULL, borrowed) or an array index
 */
struct gh_jpath {
	unsigned depth;
	struct {
		const char *key;
		size_t index;
	} c[GH_JSON_DEPTH_MAX];
};

/**
 * struct gh_locate_memo - where the last located path's values start
 * @text: the text it describes
 * @path: the last path located
 * @found: how many of its components were found
 * @pos: pos[i] is where the value at @path's first i components starts
 * @lc_off, @lc_line, @lc_col: a known line and column, to count on from
 *
 * Diagnostics arrive mostly in document order: with this, locating them
 * all costs about one pass over the text instead of one pass each (a
 * 30 MiB account export with hundreds of warnings).
 */
struct gh_locate_memo {
	const char *text;
	struct gh_jpath path;
	unsigned found;
	const char *pos[GH_JSON_DEPTH_MAX + 1];
	size_t lc_off;
	int lc_line, lc_col;
};

static inline void gh_jpath_key(struct gh_jpath *p, const char *key)
{
	/* Callers check depth against GH_JSON_DEPTH_MAX before descending. */
	if (p->depth < GH_JSON_DEPTH_MAX) {
		p->c[p->depth].key = key;
		p->c[p->depth].index = 0;
	}
	p->depth++;
}

static inline void gh_jpath_index(struct gh_jpath *p, size_t index)
{
	if (p->depth < GH_JSON_DEPTH_MAX) {
		p->c[p->depth].key = NULL;
		p->c[p->depth].index = index;
	}
	p->depth++;
}

static inline void gh_jpath_pop(struct gh_jpath *p)
{
	p->depth--;
}

/* "Statement[1].Condition.IpAddress" into @buf; cut paths end in "...". */
void gh_jpath_format(const struct gh_jpath *p, char *buf, size_t size);

/*
 * Find the value at @p in @text (valid JSON) and return its 1-based line
 * and column in *ret_line / *ret_column; when the path leads nowhere, the
 * deepest container found.  Both 0 when @text is NULL.
 */
void gh_json_locate(const char *text, size_t len, const struct gh_jpath *p, int *ret_line,
		    int *ret_column, struct gh_locate_memo *memo);

/* Add a diagnostic about the value at @p of @src, located. */
struct diag *gh_jdiag(struct diag_list *l, enum diag_severity sev, const struct gh_jsrc *src,
		      const struct gh_jpath *p, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * Read a whole file of at most GH_FILE_MAX bytes into a NUL-terminated
 * buffer the caller frees.  Returns 0, or -errno with a diagnostic
 * (-E2BIG over the cap).
 */
int gh_file_read(const char *path, char **ret_text, size_t *ret_len, struct diag_list *diags);

/*
 * Read @src's text strictly (gh_json_read: duplicate keys are errors, depth
 * is capped at GH_JSON_DEPTH_MAX).  Returns a new reference, or NULL with a
 * located diagnostic naming @src->name.
 */
json_t *gh_json_parse(const struct gh_jsrc *src, struct diag_list *diags);

/* The same, read as @opts says (any value at the top, values to skip). */
json_t *gh_json_parse_opts(const struct gh_jsrc *src, const struct gh_jread_opts *opts,
			   struct diag_list *diags);

/*
 * Report every key of object @obj that is not one of @keys as an error
 * "unknown key "K" in @what", at @p + K.  Returns how many there were.
 */
size_t gh_json_check_keys(json_t *obj, const char *const *keys, size_t nkeys, const char *what,
			  const struct gh_jsrc *src, struct gh_jpath *p, struct diag_list *diags);

/* What a member of a schema must be. */
enum gh_jkind {
	GH_J_ANY,	     /* any value */
	GH_J_STRING,	     /* a string, maybe empty: "K must be a string" */
	GH_J_TEXT,	     /* a non-empty string: "\"K\" must be a non-empty string" */
	GH_J_STRING_OR_NULL, /* a string, or null taken as absent */
	GH_J_BOOL,	     /* true or false: "\"K\" must be true or false, not ..." */
	GH_J_ARRAY,	     /* an array: "K must be an array, not ..." */
	GH_J_ARRAY_OR_NULL,  /* an array, or null taken as absent */
};

/**
 * struct gh_jfield - one member of an object's schema
 * @key: the member's name
 * @kind: what its value must be
 * @required: its absence is an error (GH_J_ANY: "NAME needs an "K"")
 * @offset: where in the walk's @out the value goes (GH_JFIELD_KEEP:
 *	nowhere): a string kind's text to the const char * at this offset,
 *	any other kind's value (borrowed) to the json_t * there
 * @read: then called for a present, well-typed value at path @p (which
 *	names it), or NULL; a negative return stops the walk
 */
struct gh_jfield {
	const char *key;
	enum gh_jkind kind;
	bool required;
	size_t offset;
	int (*read)(void *out, json_t *v, struct gh_jpath *p);
};

#define GH_JFIELD_KEEP ((size_t)-1)

/**
 * struct gh_jschema - the members an object may have
 * @name: the object in messages ("a request": "a request must be a JSON object")
 * @keys_name: the object in "unknown key" messages; NULL: other members
 *	are allowed and passed over (an AWS export has members we do not read)
 * @fields: every member it may have, in the order they are checked
 * @n: entries in @fields
 */
struct gh_jschema {
	const char *name;
	const char *keys_name;
	const struct gh_jfield *fields;
	size_t n;
};

/*
 * Check @obj against @sc: an object, each member of the kind and presence
 * its field says, in table order, and no unknown keys (unless
 * @sc->keys_name is NULL); strings stored into @out, handlers called.
 * Every problem is reported (at the member's path, or the object's when
 * it is absent), and the walk goes on.  Returns -EINVAL when @obj is not
 * an object, a handler's negative return, or how many members were
 * missing or of the wrong kind: 0 when every member the schema names is
 * as it says (an unknown key is reported, but spoils nothing read).
 */
int gh_json_walk(json_t *obj, const struct gh_jschema *sc, void *out, const struct gh_jsrc *src,
		 struct diag_list *diags);

/* The same for an object inside a document, at path @p (restored on return). */
int gh_json_walk_at(json_t *obj, const struct gh_jschema *sc, void *out, const struct gh_jsrc *src,
		    struct gh_jpath *p, struct diag_list *diags);

#define GH_JSON_SCALAR_MAX 64

/*
 * The text of a scalar as IAM compares it: a string's own text (borrowed),
 * "true"/"false", or a number printed into @buf.  NULL for null, objects
 * and arrays.
 */
const char *gh_json_scalar_text(const json_t *v, char buf[GH_JSON_SCALAR_MAX], size_t *ret_len);

/* The JSON type's name for messages: "a string", "an object", ... */
const char *gh_json_type_name(const json_t *v);

#endif
