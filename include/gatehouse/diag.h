/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Diagnostics: what went wrong in an input, and where.
 *
 * A diagnostic names its source (file name or "<string>"), the JSON path of
 * the offending value ("Statement[1].Condition.IpAddress.aws:SourceIp[0]"),
 * the line and column where known (0 when not), and a message that says what
 * was expected.  Loaders report every problem they find into a
 * caller-owned struct diag_list, then load nothing if any is an error.
 */
#ifndef GATEHOUSE_DIAG_H
#define GATEHOUSE_DIAG_H

#include <gatehouse/export.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum diag_severity {
	DIAG_ERROR,
	DIAG_WARNING,
	_DIAG_SEVERITY_MAX,
};

/**
 * struct diag - one located problem
 * @severity: error (the input is refused) or warning (valid, likely wrong)
 * @line: 1-based line, 0 when unknown
 * @column: 1-based column, 0 when unknown
 * @source: file name or a label such as "<stdin>" or "policies[0]"
 * @path: JSON path of the value, "" for the whole document
 * @message: what is wrong and what was expected
 */
struct diag {
	enum diag_severity severity;
	int line;
	int column;
	char source[256];
	char path[256];
	char message[320];
};

/**
 * struct diag_list - diagnostics of one operation, owned by the caller
 * @items: the diagnostics, in the order found
 * @n: number of items
 * @errors: how many are errors
 * @warnings: how many are warnings
 * @dropped: how many were not kept because the list was full
 */
struct diag_list {
	struct diag *items;
	size_t n, cap;
	size_t errors, warnings, dropped;
};

/* Initialise an empty list (no allocation until the first item). */
GH_EXPORT void diag_list_init(struct diag_list *l);
/* Free the items; the list is empty and reusable afterwards. */
GH_EXPORT void diag_list_clear(struct diag_list *l);
/* Move every item of @from to the end of @to; @from is left empty. */
GH_EXPORT void diag_list_move(struct diag_list *to, struct diag_list *from);

/*
 * Append a diagnostic.  Text that does not fit is cut with "..." (a
 * diagnostic is for people; a cut message is better than none).  Returns the
 * stored item, or NULL when the list is full or out of memory (counted in
 * @dropped, and in @errors when it was an error so that failure is not lost).
 */
GH_EXPORT struct diag *diag_add(struct diag_list *l, enum diag_severity sev, const char *source,
				const char *path, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/*
 * A diagnostic with no text (empty source, path and message, no line):
 * counted and holding its place in the list as any other, for a caller
 * that never shows that kind (`gatehouse simulate`'s warnings).
 */
GH_EXPORT struct diag *diag_add_bare(struct diag_list *l, enum diag_severity sev);

/* diag_add with a va_list. */
GH_EXPORT struct diag *diag_addv(struct diag_list *l, enum diag_severity sev, const char *source,
				 const char *path, int line, int column, const char *fmt,
				 va_list ap) __attribute__((format(printf, 7, 0)));

/*
 * Print one diagnostic like a compiler does:
 * "file:line:col: error: message [at Statement[0].Effect]".
 */
GH_EXPORT void diag_print(FILE *f, const struct diag *d);
/* Print every item, then a "N more not shown" line if some were dropped. */
GH_EXPORT void diag_list_print(FILE *f, const struct diag_list *l);

/*
 * "Did you mean": the candidate of @cands closest to @word by edit
 * distance, when close enough to be a typo of it (at most a third of its
 * letters, and at least 2, differ); NULL otherwise.  The command line's
 * unknown options and commands and gatehoused's unknown configuration
 * keys are answered with it.
 */
GH_EXPORT const char *diag_suggest(const char *word, const char *const *cands, size_t n);

#endif
