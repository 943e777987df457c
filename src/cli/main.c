/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gatehouse: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "check", cmd_check, "validate policy files; print errors and warnings" },
	{ "eval", cmd_eval, "evaluate one request against policy files" },
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
}

int main(int argc, char **argv)
{
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
	fprintf(stderr, "gatehouse: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
