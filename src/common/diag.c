/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <gatehouse/diag.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/macro.h"
#include "common/str.h"

void diag_list_init(struct diag_list *l)
{
	memset(l, 0, sizeof(*l));
}

void diag_list_clear(struct diag_list *l)
{
	free(l->items);
	diag_list_init(l);
}

static struct diag *diag_slot(struct diag_list *l, enum diag_severity sev)
{
	if (sev == DIAG_ERROR)
		l->errors++;
	else
		l->warnings++;
	if (l->n >= GH_DIAG_MAX) {
		l->dropped++;
		return NULL;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct diag *items = realloc_multiply(l->items, cap, sizeof(*items));

		if (!items) {
			l->dropped++;
			return NULL;
		}
		l->items = items;
		l->cap = cap;
	}
	return &l->items[l->n++];
}

struct diag *diag_addv(struct diag_list *l, enum diag_severity sev, const char *source,
		       const char *path, int line, int column, const char *fmt, va_list ap)
{
	struct diag *d = diag_slot(l, sev);

	if (!d)
		return NULL;
	d->severity = sev;
	d->line = line;
	d->column = column;
	gh_strlcpy_ellipsis(d->source, source ? source : "", sizeof(d->source));
	gh_strlcpy_ellipsis(d->path, path ? path : "", sizeof(d->path));
	gh_vsnprintf_ellipsis(d->message, sizeof(d->message), fmt, ap);
	/* Messages quote input (jansson quotes the bad token): keep them valid UTF-8. */
	gh_utf8_sanitize(d->source);
	gh_utf8_sanitize(d->path);
	gh_utf8_sanitize(d->message);
	return d;
}

struct diag *diag_add_bare(struct diag_list *l, enum diag_severity sev)
{
	struct diag *d = diag_slot(l, sev);

	if (d) {
		d->severity = sev;
		d->line = d->column = 0;
		d->source[0] = d->path[0] = d->message[0] = '\0';
	}
	return d;
}

struct diag *diag_add(struct diag_list *l, enum diag_severity sev, const char *source,
		      const char *path, int line, int column, const char *fmt, ...)
{
	struct diag *d;
	va_list ap;

	va_start(ap, fmt);
	d = diag_addv(l, sev, source, path, line, column, fmt, ap);
	va_end(ap);
	return d;
}

static size_t diag_count(const struct diag_list *l, enum diag_severity sev)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->items[i].severity == sev;
	return n;
}

void diag_list_move(struct diag_list *to, struct diag_list *from)
{
	/* Items that @from could not keep still count, as errors or warnings. */
	to->errors += from->errors - diag_count(from, DIAG_ERROR);
	to->warnings += from->warnings - diag_count(from, DIAG_WARNING);
	to->dropped += from->dropped;
	for (size_t i = 0; i < from->n; i++) {
		struct diag *d = diag_slot(to, from->items[i].severity);

		if (d)
			*d = from->items[i];
	}
	diag_list_clear(from);
}

static const char *const severity_name[_DIAG_SEVERITY_MAX] = {
	[DIAG_ERROR] = "error",
	[DIAG_WARNING] = "warning",
};

void diag_print(FILE *f, const struct diag *d)
{
	fputs(d->source[0] ? d->source : "<input>", f);
	if (d->line > 0)
		fprintf(f, ":%d:%d", d->line, d->column);
	fprintf(f, ": %s: %s", severity_name[d->severity], d->message);
	if (d->path[0])
		fprintf(f, " [at %s]", d->path);
	fputc('\n', f);
}

void diag_list_print(FILE *f, const struct diag_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		diag_print(f, &l->items[i]);
	if (l->dropped)
		fprintf(f, "(%zu more diagnostics not shown)\n", l->dropped);
}

/* Levenshtein distance, capped: words longer than 63 bytes are never typos of an option. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 64 || lb >= 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
	}
	return prev[lb];
}

const char *diag_suggest(const char *word, const char *const *cands, size_t n)
{
	size_t len = strlen(word), best = SIZE_MAX, limit = len / 3 > 2 ? len / 3 : 2;
	const char *found = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, cands[i]);

		if (d < best) {
			best = d;
			found = cands[i];
		}
	}
	return best <= limit ? found : NULL;
}
