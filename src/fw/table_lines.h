/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A table as canonical text lines (table_lines.c), one per table, set,
 * element, chain and rule, from the IR or from the kernel, so that the two
 * compare line by line: what fw diff prints and apply converges on.
 */
#ifndef GH_FW_TABLE_LINES_H
#define GH_FW_TABLE_LINES_H

#include <stddef.h>

#include "fw/internal.h"

struct fw_snapshot;

/**
 * struct fw_lines - lines of text, each malloc'd
 * @v: the lines
 * @n: lines in @v
 * @cap: capacity of @v
 */
struct fw_lines {
	char **v;
	size_t n, cap;
};

/*
 * What the lines leave out: FW_LINES_NO_MEMBERS the elements of membership
 * sets (the structure that a membership update cannot change),
 * FW_LINES_NO_INDEX the position of each rule in its chain (to name an
 * inserted rule once, not every rule after it).
 */
enum {
	FW_LINES_NO_MEMBERS = 1 << 0,
	FW_LINES_NO_INDEX = 1 << 1,
};

/* Append one formatted line.  0 or -ENOMEM. */
int fw_lines_add(struct fw_lines *l, const char *fmt, ...) GH_PRINTF(2, 3);
void fw_lines_free(struct fw_lines *l);
void fw_lines_sort(struct fw_lines *l);

/* What @line prints: the object in nft syntax. */
const char *fw_line_text(const char *line);

/* The lines of compiled ruleset @c.  0 or -ENOMEM. */
int fw_lines_of_ir(const struct fw_compiled *c, struct fw_lines *l, unsigned opts);

/* The lines of snapshot @s; @c names the membership sets for FW_LINES_NO_MEMBERS. */
int fw_lines_of_kernel(const struct fw_snapshot *s, const struct fw_compiled *c, unsigned opts,
		       struct fw_lines *l);

/*
 * The lines of @want missing from @have ("+ ") and of @have missing from
 * @want ("- "), as fw_line_text() prints them, both sorted, appended to @out (may be NULL) in
 * sorted order; returns the count or -ENOMEM.
 */
long fw_lines_diff(const struct fw_lines *want, const struct fw_lines *have, struct fw_lines *out);

/*
 * Sort the lines of @c and of @s (NULL: no table, no lines) with @opts and
 * diff them as fw_lines_diff() does: the count, or -ENOMEM.
 */
long fw_lines_diff_table(const struct fw_compiled *c, const struct fw_snapshot *s, unsigned opts,
			 struct fw_lines *out);

#endif
