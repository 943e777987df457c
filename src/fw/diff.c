/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage: fw diff, what an apply would change: the lines of the compiled
 * ruleset against the lines of our table as the kernel holds it.
 */
#include <errno.h>
#include <stdio.h>

#include "fw/kernel_read.h"
#include "fw/table_lines.h"

int fw_diff(const struct fw_compiled *c, FILE *f, struct diag_list *dl)
{
	struct fw_snapshot *s = NULL;
	struct fw_lines want = {0}, have = {0}, out = {0};
	long nd;
	int r = fw_snapshot_take(&s, dl);

	if (r < 0)
		return r;
	r = fw_lines_of_ir(c, &want, 0);
	if (r >= 0 && s)
		r = fw_lines_of_kernel(s, c, 0, &have);
	if (r < 0)
		goto out;
	fw_lines_sort(&want);
	fw_lines_sort(&have);
	nd = fw_lines_diff(&want, &have, &out);
	if (nd < 0) {
		r = (int)nd;
		goto out;
	}
	if (!s)
		fprintf(f, "# no table %s in the kernel: apply would create it\n", FW_TABLE_NAME);
	for (size_t i = 0; i < out.n; i++)
		fprintf(f, "%s\n", out.v[i]);
	r = (int)nd;
out:
	fw_lines_free(&want);
	fw_lines_free(&have);
	fw_lines_free(&out);
	fw_snapshot_free(s);
	return r;
}
