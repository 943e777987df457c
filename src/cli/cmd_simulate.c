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

#include "cli.h"
#include "util.h"

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

static char *answer(const char *line, size_t len, int lineno, void *data)
{
	return authz_simulate(line, len, "<stdin>", lineno);
}

int cmd_simulate(int argc, char **argv)
{
	if (argc > 1) {
		bool help = !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help");

		usage(help ? stdout : stderr);
		return help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	return cli_jsonl(answer, NULL);
}
