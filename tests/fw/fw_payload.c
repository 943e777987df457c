/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw_payload RULES_DIR HOST [LOG_GROUP]: print the netlink batch that
 * "gatehouse fw apply --full [--log-drops LOG_GROUP]" would send for HOST,
 * as text (golden expect.payload files).
 * Needs no privilege and no kernel: the batch is built, never sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gatehouse/fw.h>

#include "fw/emit.h"
#include "fw/internal.h"

int main(int argc, char **argv)
{
	struct fw_ruleset *rs = NULL;
	struct fw_compiled *c = NULL;
	struct fw_compile_opts o = { .log_group = -1 };
	struct diag_list dl;
	char *end = NULL;
	int r;

	if (argc == 4) {
		long g = strtol(argv[3], &end, 10);

		o.log_group = *argv[3] && !*end && g >= 0 && g <= 65535 ? (int)g : -2;
	}
	if ((argc != 3 && argc != 4) || o.log_group == -2) {
		fputs("usage: fw_payload RULES_DIR HOST [LOG_GROUP 0..65535]\n", stderr);
		return 2;
	}
	diag_list_init(&dl);
	r = fw_ruleset_load_dir(argv[1], &rs, &dl);
	if (r >= 0)
		r = fw_compile_with(rs, argv[2], &o, &c, &dl);
	if (r >= 0)
		r = fw_payload_dump(c, stdout);
	if (r < 0) {
		diag_list_print(stderr, &dl);
		fprintf(stderr, "fw_payload: %s\n", strerror(-r));
	}
	diag_list_clear(&dl);
	fw_compiled_free(c);
	fw_ruleset_free(rs);
	if (fflush(stdout))
		r = -1;
	return r < 0 ? 1 : 0;
}
