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
};

int cmd_check(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_fw(int argc, char **argv);

#endif
