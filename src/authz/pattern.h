/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IAM wildcard patterns and policy variables.
 *
 * Matching is a hand-written glob matcher, not PCRE2: IAM patterns have only
 * "*" and "?", and tests/bench/bench_pattern measures this matcher against
 * PCRE2's JIT on the generated policy sets (see README, "Design notes").
 *
 * Cost, by construction: the matcher is iterative with one backtrack point
 * (the last "*" seen).  Each step advances the pattern, and each backtrack
 * moves that "*"'s start in the subject forward by one character, never
 * back; so a call takes at most (pattern bytes + 1) x (subject bytes + 1)
 * steps, with no recursion and no match limit.  Both sides are capped
 * (authz/limits.h): a pattern at AUTHZ_PATTERN_MAX bytes at load and
 * AUTHZ_SUBST_MAX after substitution, a subject (action, resource,
 * principal, context value) by authz_request_check() at AUTHZ_REQ_*_MAX.
 * So a call is at most 4,097 x 2,049 steps, about 8.4 million; in fact
 * fewer, as the first start that runs to the subject's end ends the call:
 * the worst is a near-miss half the subject long, about (2,048 / 2)^2
 * steps, under a millisecond (bench_pattern's "worst case" line).  A
 * request costs at most that per pattern it is matched against.
 *
 * "?" matches one whole UTF-8 character and "*" gives characters back one
 * whole character at a time; request text is valid UTF-8
 * (authz_request_check) and policy text is JSON, so the matcher never
 * stands inside a character.
 *
 * A compiled pattern is in "glob form": "*" and "?" are wildcards and a
 * backslash makes the next byte literal.  Literal text from a policy has its
 * backslashes escaped; the value of a variable has "*", "?" and "\" escaped,
 * so substituted text never widens a pattern.
 */
#ifndef GH_AUTHZ_PATTERN_H
#define GH_AUTHZ_PATTERN_H

#include <gatehouse/authz.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz/limits.h"
#include "common/arena.h"

enum glob_kind {
	GLOB_ANY,     /* "*": matches everything */
	GLOB_EXACT,   /* no wildcard: byte comparison */
	GLOB_PREFIX,  /* literal text then one trailing "*" */
	GLOB_GENERAL, /* anything else: the glob matcher */
};

/**
 * struct glob - one compiled wildcard pattern
 * @text: EXACT/PREFIX: the literal text; GENERAL: glob form
 * @len: bytes in @text (PREFIX: without the trailing "*")
 * @kind: how to match
 */
struct glob {
	const char *text;
	uint32_t len;
	uint8_t kind;
};

/* Compile glob-form @s (@len bytes) into @g; @s must outlive @g. */
void az_glob_compile(struct glob *g, const char *s, size_t len);
bool az_glob_match(const struct glob *g, const char *s, size_t len);
/* Match glob-form pattern @p against @s. */
bool az_glob_match_general(const char *p, size_t plen, const char *s, size_t slen);
/*
 * Its two matchers, for the tests: the greedy loop, 1/0, or -1 when it
 * has taken @budget steps; and the segment matcher, 1/0, or -1 when out
 * of memory.
 */
int az_glob_match_greedy(const char *p, size_t plen, const char *s, size_t slen, size_t budget);
int az_glob_match_segments(const char *p, size_t plen, const char *s, size_t slen);

/**
 * struct tmpl_seg - a literal run or a variable of a template
 * @text: literal (glob form or raw, as the template was built) or the
 *	variable's key as written
 * @len: bytes in @text
 * @hash: the key's case-insensitive hash (variables)
 * @def: default value, raw text (NULL: none)
 * @deflen: bytes in @def
 * @var: this segment is a variable
 */
struct tmpl_seg {
	const char *text;
	uint32_t len;
	uint32_t hash;
	const char *def;
	uint32_t deflen;
	bool var;
};

/**
 * struct tmpl - text with policy variables, split once at load
 * @segs: the segments in order
 * @nsegs: their number
 */
struct tmpl {
	struct tmpl_seg *segs;
	uint32_t nsegs;
};

/*
 * Parse @s for "${...}" variables (policy Version 2012-10-17).  Literal runs
 * are stored in glob form when @glob is set (backslashes escaped, "${*}"
 * becoming "\*"), else raw.  Sets *ret to NULL when @s has no variable at
 * all.  Returns 0, or -EINVAL with *reterr_msg for an unterminated or empty
 * variable, -ENOMEM.
 */
int az_tmpl_parse(struct arena *a, const char *s, size_t len, bool glob, struct tmpl **ret,
		  const char **reterr_msg);

/* Escape @len bytes of @s into glob form (backslashes only). */
char *az_glob_escape_literal(struct arena *a, const char *s, size_t len, size_t *ret_len);

struct eval_ctx;

/*
 * Substitute @t's variables from the request into @buf (@size bytes).
 * Variable values are escaped when @glob.  Returns the length, or -ENOENT
 * when a variable has no value and no default (its key is reported missing
 * through @ec), -E2BIG when the result does not fit.
 */
int az_tmpl_expand(const struct tmpl *t, bool glob, struct eval_ctx *ec, char *buf, size_t size);

#endif
