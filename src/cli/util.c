/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

bool cli_parse_kind(const char *s, enum authz_policy_kind *ret)
{
	static const struct {
		const char *name;
		enum authz_policy_kind kind;
	} kinds[] = {
		{ "identity", AUTHZ_POLICY_IDENTITY },
		{ "resource", AUTHZ_POLICY_RESOURCE },
		{ "trust", AUTHZ_POLICY_TRUST },
		{ "auto", AUTHZ_POLICY_AUTO },
	};

	for (size_t i = 0; i < CLI_ARRAY_SIZE(kinds); i++) {
		if (!strcmp(s, kinds[i].name)) {
			*ret = kinds[i].kind;
			return true;
		}
	}
	return false;
}

/*
 * Read one line of at most CLI_LINE_MAX bytes into *buf (grown as
 * needed).  The rest of a longer line is read and dropped, never stored,
 * and *ret_too_long is set.  Returns the length, or -1 at the end.
 */
long cli_read_line(FILE *f, char **buf, size_t *cap, bool *ret_too_long)
{
	size_t len = 0;
	bool any = false;
	int c;

	*ret_too_long = false;
	while ((c = getc_unlocked(f)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (len >= CLI_LINE_MAX) {
			*ret_too_long = true;
			continue;
		}
		if (len + 1 >= *cap) {
			size_t ncap = *cap ? *cap * 2 : 4096;
			char *n = realloc(*buf, ncap);

			if (!n) {
				*ret_too_long = true;
				continue;
			}
			*buf = n;
			*cap = ncap;
		}
		(*buf)[len++] = (char)c;
	}
	if (!any)
		return -1;
	if (*buf)
		(*buf)[len] = '\0';
	return (long)len;
}

int cli_jsonl(char *(*answer)(const char *line, size_t len, int lineno, void *data), void *data)
{
	char *line = NULL;
	size_t cap = 0;
	long n;
	int lineno = 0;
	bool too_long;

	while ((n = cli_read_line(stdin, &line, &cap, &too_long)) != -1) {
		size_t len = (size_t)n;
		char *out;

		lineno++;
		while (len && line[len - 1] == '\r')
			len--;
		if (too_long) {
			printf("{\"id\":null,\"error\":{\"message\":\"line longer than %u bytes\","
			       "\"path\":\"\",\"line\":%d,\"column\":1}}\n",
			       CLI_LINE_MAX, lineno);
			continue;
		}
		if (len == 0)
			continue; /* blank lines separate nothing: skip them */
		out = answer(line, len, lineno, data);
		/* Out of memory for this line only: say so, and go on with the next. */
		fputs(out ? out : "{\"id\":null,\"error\":{\"message\":\"out of memory\"}}",
		      stdout);
		fputc('\n', stdout);
		free(out);
	}
	free(line);
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_REFUSED;
}
