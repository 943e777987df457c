/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw_payload RULES_DIR HOST: print the netlink batch that "gatehouse fw
 * apply --full" would send for HOST, as text (golden expect.payload files).
 * Needs no privilege and no kernel: the batch is built, never sent.
 */
#include <stdio.h>
#include <string.h>

#include <gatehouse/fw.h>

#include "fw/emit.h"
#include "fw/internal.h"

int main(int argc, char **argv)
{
	struct fw_ruleset *rs = NULL;
	struct fw_compiled *c = NULL;
	struct diag_list dl;
	int r;

	if (argc != 3) {
		fputs("usage: fw_payload RULES_DIR HOST\n", stderr);
		return 2;
	}
	diag_list_init(&dl);
	r = fw_ruleset_load_dir(argv[1], &rs, &dl);
	if (r >= 0)
		r = fw_compile(rs, argv[2], &c, &dl);
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
