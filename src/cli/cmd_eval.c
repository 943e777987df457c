/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "cli/cli.h"

int cmd_eval(int argc, char **argv)
{
	fputs("not built yet\n", stderr);
	return CLI_EXIT_USAGE;
}
