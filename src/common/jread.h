/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A strict JSON reader that builds jansson values.
 *
 * Why not json_loadb(): jansson's reader handles a byte at a time through a
 * stream with a saved-token buffer and reads about 115 MB/s here, so a
 * 30 MiB account export took 260 ms to read before any work was done.  This
 * reader accepts exactly what json_loadb(JSON_REJECT_DUPLICATES) accepts
 * (fuzz_json checks that, and that both build equal trees) but for a NUL
 * byte, which it always refuses (jansson 2.14 drops one right after a
 * number or a literal: "[1\0]"), reads four to five times faster, caps
 * nesting at GH_JSON_DEPTH_MAX, reports errors at a
 * byte offset, and can leave chosen values unbuilt: an export's old policy
 * versions are checked as JSON and skipped, never turned into a tree.
 * jansson stays the one JSON model of the program: the values built are
 * ordinary json_t, and writing JSON is still jansson's job.
 */
#ifndef GH_JREAD_H
#define GH_JREAD_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/limits.h"

/**
 * struct gh_jskip - values to check but not build
 * @path: @depth components from the root: a member name, or NULL for every
 *	element of an array ({"Policies", NULL, "PolicyVersionList", NULL,
 *	"Document"})
 * @depth: components in @path, at most GH_JSON_DEPTH_MAX
 * @found: called for each value at @path, with the index of each NULL
 *	component (@index[i] for @path[i] == NULL) and the value's bytes
 *	[@start, @end) in the text; the member or element is then left out of
 *	its container.  -EEXIST stops the read with "duplicate object key"
 *	(a skipped member is not in its object, so only @found can tell),
 *	another negative return with "out of memory".
 * @known: optional, called first for each value at @path with its first
 *	byte @at and the @avail bytes of the text from there: the length of a
 *	text the caller knows to be one valid JSON object at this same path
 *	when @at starts with exactly those bytes (an object ends at its own
 *	closing brace, so a matching prefix is the whole value), else 0.  That
 *	span is then stepped over unchecked, and @found is called for it.
 * @built: optional: a value at @path that @known does not know is then
 *	built, and checked, as any other value, and handed to @built with its
 *	bytes instead of to @found; @built takes the reference, and returns
 *	as @found does.  For a caller that would read each such span right
 *	away: one pass over the text, not a check and then a read.
 * @ctx: for @found, @known and @built
 *
 * A skipped value is checked for JSON syntax only: its duplicate keys and
 * numbers out of range are not looked at, as nothing of it is built.
 */
struct gh_jskip {
	const char *const *path;
	unsigned depth;
	int (*found)(void *ctx, const size_t *index, size_t start, size_t end);
	void *ctx;
	size_t (*known)(void *ctx, const size_t *index, const char *at, size_t avail);
	int (*built)(void *ctx, const size_t *index, size_t start, size_t end, json_t *v);
};

/**
 * struct gh_jread_opts - how to read
 * @any: accept any value at the top, not only an object or an array
 * @skip: values to leave unbuilt, or NULL
 */
struct gh_jread_opts {
	bool any;
	const struct gh_jskip *skip;
};

/**
 * struct gh_jread_err - why a read failed
 * @offset: the byte where the problem is
 * @text: what it is ("invalid escape", "duplicate object key", ...)
 */
struct gh_jread_err {
	size_t offset;
	char text[96];
};

/*
 * Read the @len bytes at @text (no NUL terminator needed) as one JSON
 * value.  Returns a new reference, or NULL with *@err filled in.
 */
json_t *gh_json_read(const char *text, size_t len, const struct gh_jread_opts *opts,
		     struct gh_jread_err *err);

/*
 * Steps through a text gh_json_read accepted, for locating a value by its
 * path (gh_json_locate) with this same reader.  *@pos is a byte offset.
 * gh_jread_member: from the object at *@pos to the value of its member
 * @key; gh_jread_element: from the array at *@pos to its element @index;
 * gh_jread_next: from an array element at *@pos to the next one.  On
 * success *@pos is where that value starts; false (and *@pos unchanged)
 * when there is none.
 */
bool gh_jread_member(const char *text, size_t len, size_t *pos, const char *key);
bool gh_jread_element(const char *text, size_t len, size_t *pos, size_t index);
bool gh_jread_next(const char *text, size_t len, size_t *pos);

#endif
