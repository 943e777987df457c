/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include "fw/internal.h"
int fw_conntrack_kill_removed(const struct fw_compiled *c, struct diag_list *diags)
{
	return -EOPNOTSUPP;
}
