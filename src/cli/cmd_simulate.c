/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehouse simulate: JSON Lines on stdin, one case a line; one JSON line
 * a case on stdout, in order.  A bad line gets an error line; nothing stops
 * the stream but its end.
 */
#include <gatehouse/simulate.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("usage: gatehouse simulate [--threads N] < cases.jsonl\n"
	      "\n"
	      "Evaluate self-contained cases, one JSON object a line, as AWS's\n"
	      "simulate-custom-policy does: the context is taken as given. Each input line\n"
	      "gives one output line, in order: a decision with the statements that decided\n"
	      "it and the context keys that were missing, or an error object.\n"
	      "See README.md, \"gatehouse simulate\", for both shapes.\n"
	      "\n"
	      "  --threads N  answer with N threads when stdin is a regular file of more\n"
	      "               than 512 KiB (default: the number of online CPUs; the\n"
	      "               output is the same, in the same order)\n",
	      f);
}

static char *answer(const char *line, size_t len, int lineno, void *data)
{
	return authz_simulate(line, len, "<stdin>", lineno);
}

int cmd_simulate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threads", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads =
	    cpus > 0 ? (unsigned)(cpus < CLI_THREADS_MAX ? cpus : CLI_THREADS_MAX) : 1;
	int opt;

	while ((opt = getopt_long(argc, argv, ":t:h", opts, NULL)) != -1) {
		switch (opt) {
		case 't': {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (*end || end == optarg || n < 1 || n > CLI_THREADS_MAX) {
				fprintf(stderr,
					"gatehouse simulate: --threads wants 1 to %d, got '%s'\n",
					CLI_THREADS_MAX, optarg);
				return CLI_EXIT_USAGE;
			}
			threads = (unsigned)n;
			break;
		}
		case 'h': usage(stdout); return CLI_EXIT_OK;
		default: return cli_bad_option("gatehouse simulate", opt, argv, opts);
		}
	}
	if (optind < argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	return cli_jsonl(answer, NULL, threads);
}
