/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gatehouse command line: one cmd_<name>.c per subcommand, each an
 * entry point with main()'s signature (argv[0] is the subcommand's name).
 * Exit codes: 0 success, 1 the input was refused (errors printed), 2 usage.
 */
#ifndef GH_CLI_H
#define GH_CLI_H

enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_REFUSED = 1,
	CLI_EXIT_USAGE = 2,
	/* Answers rather than failures, per subcommand: */
	CLI_EXIT_DENY = 3,	  /* eval: the request is denied */
	CLI_EXIT_DIFFERS = 3,	  /* fw diff: the kernel's table differs */
	CLI_EXIT_ROLLED_BACK = 4, /* fw apply --confirm: not confirmed, rolled back */
};

int cmd_check(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_fw(int argc, char **argv);
int cmd_diff(int argc, char **argv);

#endif
