/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Membership-only update of our table (apply_members.c). */
#ifndef GH_FW_APPLY_MEMBERS_H
#define GH_FW_APPLY_MEMBERS_H

#include "fw/nl.h"

/*
 * For each membership set of @c, delete and add the elements that make the
 * kernel's set equal to it, in one batch.  Only called when the rest of the
 * table is what @c compiles to.  Returns 1 when it applied (or nothing
 * changed), 0 when a full replace is needed, or -errno.
 */
int fw_apply_members(struct fw_nl *n, const struct fw_compiled *c, unsigned flags,
		     struct fw_apply_result *res, struct diag_list *dl);

#endif
