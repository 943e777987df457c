/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gatehouse: dispatch to a subcommand. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "check", cmd_check,
	  "validate policy files and identity stores; print errors and warnings" },
	{ "eval", cmd_eval,
	  "evaluate a request against an identity store (--policies) or policy files" },
	{ "simulate", cmd_simulate,
	  "evaluate JSON Lines cases from stdin (simulate-custom-policy)" },
	{ "diff", cmd_diff,
	  "requests whose decision differs between two stores (exit 3: widened)" },
#ifdef GH_HAVE_FW
	{ "fw", cmd_fw, "security groups -> nftables: check, compile, apply, diff, show" },
#endif
};

static void usage(FILE *f)
{
	fputs("usage: gatehouse <command> [options]\n"
	      "       gatehouse <command> --help\n\n"
	      "commands:\n",
	      f);
	for (size_t i = 0; i < CLI_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n"
	      "Results go to stdout; errors, warnings and diagnostics to stderr.\n"
	      "Exit status: 0 success (eval: allow), 1 the input was refused, 2 usage;\n"
	      "3 and 4 are answers of some commands (see their --help).\n",
	      f);
}

/* One line, with the closest command when @name looks like a typo of one. */
static void unknown_command(const char *name)
{
	const char *names[CLI_ARRAY_SIZE(commands)], *s;

	for (size_t i = 0; i < CLI_ARRAY_SIZE(commands); i++)
		names[i] = commands[i].name;
	s = diag_suggest(name, names, CLI_ARRAY_SIZE(commands));
	if (s)
		fprintf(stderr,
			"gatehouse: unknown command '%s': did you mean '%s'? (try 'gatehouse "
			"--help')\n",
			name, s);
	else
		fprintf(stderr, "gatehouse: unknown command '%s' (try 'gatehouse --help')\n", name);
}

int main(int argc, char **argv)
{
	/* Each subcommand reports a refused option itself, in one line (cli_bad_option). */
	opterr = 0;
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		puts("gatehouse " GH_VERSION);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < CLI_ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	unknown_command(argv[1]);
	return CLI_EXIT_USAGE;
}
