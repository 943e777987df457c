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
	_cleanup_(fw_snapshot_freep) struct fw_snapshot *s = NULL;
	_cleanup_(fw_lines_free) struct fw_lines out = { 0 };
	long nd;
	int r = fw_snapshot_take(&s, dl);

	if (r < 0)
		return r;
	nd = fw_lines_diff_table(c, s, 0, &out);
	if (nd < 0)
		return (int)nd;
	if (!s)
		fprintf(f, "# no table %s in the kernel: apply would create it\n", FW_TABLE_NAME);
	for (size_t i = 0; i < out.n; i++)
		fprintf(f, "%s\n", out.v[i]);
	return (int)nd;
}
