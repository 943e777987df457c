/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehouse simulate: JSON Lines on stdin, one case a line; one JSON line
 * a case on stdout, in order.  A bad line gets an error line; nothing stops
 * the stream but its end.
 */
#include <gatehouse/simulate.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/*
 * Longest input line: a case carries its policies inline, and AWS's
 * largest documents are tens of KiB; 16 MiB leaves room for many.
 */
#define SIMULATE_LINE_MAX (16u << 20)

static void usage(FILE *f)
{
	fputs("usage: gatehouse simulate < cases.jsonl\n"
	      "\n"
	      "Evaluate self-contained cases, one JSON object a line, as AWS's\n"
	      "simulate-custom-policy does: the context is taken as given. Each input line\n"
	      "gives one output line, in order: a decision with the statements that decided\n"
	      "it and the context keys that were missing, or an error object.\n"
	      "See README.md, \"gatehouse simulate\", for both shapes.\n",
	      f);
}

static int emit(const char *out)
{
	if (!out) {
		fputs("{\"id\":null,\"error\":{\"message\":\"out of memory\"}}\n", stdout);
		return -1;
	}
	fputs(out, stdout);
	fputc('\n', stdout);
	return 0;
}

/*
 * Read one line of at most SIMULATE_LINE_MAX bytes into *buf (grown as
 * needed).  The rest of a longer line is read and dropped, never stored,
 * and *ret_too_long is set.  Returns the length, or -1 at the end.
 */
static long read_line(char **buf, size_t *cap, bool *ret_too_long)
{
	size_t len = 0;
	bool any = false;
	int c;

	*ret_too_long = false;
	while ((c = getc_unlocked(stdin)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (len >= SIMULATE_LINE_MAX) {
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

int cmd_simulate(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	long n;
	int lineno = 0;
	bool too_long;

	if (argc > 1) {
		bool help = !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help");

		usage(help ? stdout : stderr);
		return help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	while ((n = read_line(&line, &cap, &too_long)) != -1) {
		char *out;
		size_t len = (size_t)n;

		lineno++;
		while (len && line[len - 1] == '\r')
			len--;
		if (too_long) {
			printf("{\"id\":null,\"error\":{\"message\":\"line longer than %u bytes\","
			       "\"path\":\"\",\"line\":%d,\"column\":1}}\n",
			       SIMULATE_LINE_MAX, lineno);
			continue;
		}
		if (len == 0)
			continue; /* blank lines separate nothing: skip them */
		out = authz_simulate(line, len, "<stdin>", lineno);
		emit(out);
		free(out);
	}
	free(line);
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_REFUSED;
}
