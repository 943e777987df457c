/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading our table back from the kernel (kernel_read.c): the table, its
 * chains, sets with their elements and rules, as libnftnl objects.
 */
#ifndef GH_FW_KERNEL_READ_H
#define GH_FW_KERNEL_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw/nftnl_cleanup.h"
#include "fw/nl.h"

/**
 * struct fw_snapshot - our tables as the kernel held them (fw.h: opaque)
 * @table: table inet gatehouse
 * @btable: table bridge gatehouse, or NULL
 * @chains: its chains (@nchains, capacity @cchains)
 * @sets: its sets, each with its elements (@nsets, capacity @csets)
 * @rules: its rules, in chain order as dumped (@nrules, capacity @crules)
 */
struct fw_snapshot {
	struct nftnl_table *table;
	struct nftnl_table *btable;
	struct nftnl_chain **chains;
	size_t nchains, cchains;
	struct nftnl_set **sets;
	size_t nsets, csets;
	struct nftnl_rule **rules;
	size_t nrules, crules;
};

DEFINE_TRIVIAL_CLEANUP_FUNC(struct fw_snapshot *, fw_snapshot_free)

/*
 * The kernel's ruleset generation id (NFT_MSG_GETGEN) into @id: every
 * committed nftables transaction of the namespace, in any table, bumps it.
 * 0 or -errno.
 */
int fw_kernel_genid(struct fw_nl *n, uint32_t *id);

/*
 * Read our tables over @n (inet, and bridge when there is one).  Returns 0
 * with a new snapshot in *@ret, or with *@ret NULL when there is no table
 * inet gatehouse; -errno otherwise (not diagnosed).
 */
int fw_kernel_read_table(struct fw_nl *n, struct fw_snapshot **ret);

/* Our table, or NULL in *ret (0 returned) when there is none. */
int fw_kernel_get_table(struct fw_nl *n, struct nftnl_table **ret);
/* The same for table gatehouse of nfproto @family (NFPROTO_BRIDGE). */
int fw_kernel_get_table_family(struct fw_nl *n, uint8_t family, struct nftnl_table **ret);

/* The rules of our tables (inet, then bridge when @s->btable), in chain order, into @s.  0 or
 * -errno. */
int fw_kernel_read_rules(struct fw_nl *n, struct fw_snapshot *s);

/* Read the elements of set @st (named by its NFTNL_SET_NAME) into @st.  0 or -errno. */
int fw_kernel_read_elems(struct fw_nl *n, struct nftnl_set *st);

/*
 * The structure hash stored in table @t's userdata (FW_UDATA_TABLE_HASH);
 * *@found says whether there was one.
 */
uint64_t fw_kernel_table_hash(const struct nftnl_table *t, bool *found);

#endif
