/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage: snapshot and restore (apply --confirm).  A snapshot is our table
 * as read back (kernel_read.c); restoring replays it in one batch that
 * deletes our table and re-creates it as it was.
 */
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <stdlib.h>
#include <string.h>

#include "fw/emit.h"
#include "fw/kernel_read.h"
#include "fw/kernel_send.h"
#include "fw/nftnl_cleanup.h"

int fw_snapshot_take(struct fw_snapshot **ret, struct diag_list *dl)
{
	_cleanup_(fw_nl_close) struct fw_nl n = { 0 };
	int r = fw_kernel_open(&n, dl);

	if (r < 0)
		return r;
	r = fw_kernel_read_table(&n, ret);
	if (r < 0)
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0, "reading table %s: %s", FW_TABLE_NAME,
			 strerror(-r));
	return r;
}

static int put_obj(struct fw_tx *tx, uint16_t type, uint16_t flags, uint8_t family,
		   const char *what, void (*build)(struct nlmsghdr *, void *), void *obj)
{
	struct nlmsghdr *nlh = fw_tx_msg_start_family(tx, type, flags, family, what, NULL);

	if (!nlh)
		return -ENOMEM;
	build(nlh, obj);
	return fw_tx_update(tx);
}

static void build_table(struct nlmsghdr *nlh, void *o)
{
	nftnl_table_nlmsg_build_payload(nlh, o);
}

static void build_chain(struct nlmsghdr *nlh, void *o)
{
	nftnl_chain_nlmsg_build_payload(nlh, o);
}

static void build_set(struct nlmsghdr *nlh, void *o)
{
	nftnl_set_nlmsg_build_payload(nlh, o);
}

static void build_rule(struct nlmsghdr *nlh, void *o)
{
	nftnl_rule_nlmsg_build_payload(nlh, o);
}

/* Delete our table of @family, creating it first if it is missing (so the delete cannot fail). */
static int put_table_delete(struct fw_tx *tx, uint8_t family)
{
	_cleanup_(nftnl_table_freep) struct nftnl_table *t = nftnl_table_alloc();
	int r;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, FW_TABLE_NAME);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, family);
	r = put_obj(tx, NFT_MSG_NEWTABLE, NLM_F_CREATE, family, "table", build_table, t);
	if (r >= 0)
		r = put_obj(tx, NFT_MSG_DELTABLE, 0, family, "table", build_table, t);
	return r;
}

/*
 * The elements of @st, in several messages: the element list attribute has
 * a 16-bit length.  The builder returns 1 while elements remain (the
 * iterator never becomes NULL at the end, so its return value is the loop
 * test).
 */
static int put_set_elems(struct fw_tx *tx, struct nftnl_set *st)
{
	_cleanup_(nftnl_set_elems_iter_destroyp) struct nftnl_set_elems_iter *it =
	    nftnl_set_elems_iter_create(st);
	int more, r;

	if (!it)
		return -ENOMEM;
	if (!nftnl_set_elems_iter_cur(it))
		return 0;
	do {
		struct nlmsghdr *nlh =
		    fw_tx_msg_start_family(tx, NFT_MSG_NEWSETELEM, NLM_F_CREATE,
					   (uint8_t)nftnl_set_get_u32(st, NFTNL_SET_FAMILY),
					   "set elements", NULL);

		if (!nlh)
			return -ENOMEM;
		more = nftnl_set_elems_nlmsg_build_payload_iter(nlh, it);
		r = fw_tx_update(tx);
		if (r < 0)
			return r;
	} while (more == 1);
	return 0;
}

/* Table @t (of @s) as it was, when there was one. */
static int put_table(struct fw_tx *tx, struct nftnl_table *t)
{
	if (!t)
		return 0;
	nftnl_table_unset(t, NFTNL_TABLE_HANDLE);
	nftnl_table_unset(t, NFTNL_TABLE_USE);
	return put_obj(tx, NFT_MSG_NEWTABLE, NLM_F_CREATE,
		       (uint8_t)nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY), "table", build_table,
		       t);
}

/*
 * Replay a snapshot: delete our tables and re-create them as they were
 * (table bridge gatehouse only when there is or was one: a kernel without
 * the bridge family is never asked for it).
 */
static int emit_snapshot(struct fw_tx *tx, const struct fw_snapshot *s, bool bridge_now)
{
	int r = put_table_delete(tx, NFPROTO_INET);

	if (r >= 0 && (bridge_now || (s && s->btable)))
		r = put_table_delete(tx, NFPROTO_BRIDGE);
	if (r < 0 || !s)
		return r;
	r = put_table(tx, s->table);
	if (r >= 0)
		r = put_table(tx, s->btable);
	for (size_t i = 0; i < s->nchains && r >= 0; i++) {
		struct nftnl_chain *c = s->chains[i];

		nftnl_chain_unset(c, NFTNL_CHAIN_HANDLE);
		nftnl_chain_unset(c, NFTNL_CHAIN_USE);
		nftnl_chain_unset(c, NFTNL_CHAIN_BYTES);
		nftnl_chain_unset(c, NFTNL_CHAIN_PACKETS);
		r = put_obj(tx, NFT_MSG_NEWCHAIN, NLM_F_CREATE,
			    (uint8_t)nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY), "chain",
			    build_chain, c);
	}
	for (size_t i = 0; i < s->nsets && r >= 0; i++) {
		struct nftnl_set *st = s->sets[i];

		nftnl_set_unset(st, NFTNL_SET_HANDLE);
		nftnl_set_set_u32(st, NFTNL_SET_ID, (uint32_t)i + 1);
		r = put_obj(tx, NFT_MSG_NEWSET, NLM_F_CREATE,
			    (uint8_t)nftnl_set_get_u32(st, NFTNL_SET_FAMILY), "set", build_set, st);
		if (r >= 0)
			r = put_set_elems(tx, st);
	}
	for (size_t i = 0; i < s->nrules && r >= 0; i++) {
		struct nftnl_rule *ru = s->rules[i];

		nftnl_rule_unset(ru, NFTNL_RULE_HANDLE);
		nftnl_rule_unset(ru, NFTNL_RULE_POSITION);
		r = put_obj(tx, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
			    (uint8_t)nftnl_rule_get_u32(ru, NFTNL_RULE_FAMILY), "rule", build_rule,
			    ru);
	}
	return r;
}

int fw_snapshot_restore(const struct fw_snapshot *s, struct diag_list *dl)
{
	_cleanup_(fw_nl_close) struct fw_nl n = { 0 };
	_cleanup_(fw_tx_done) struct fw_tx tx = { 0 };
	_cleanup_(nftnl_table_freep) struct nftnl_table *bt = NULL;
	int r = fw_kernel_open(&n, dl);

	if (r < 0)
		return r;
	r = fw_kernel_get_table_family(&n, NFPROTO_BRIDGE, &bt);
	if (r >= 0)
		r = fw_tx_init(&tx, n.seq);
	if (r >= 0)
		r = fw_tx_begin(&tx);
	if (r >= 0)
		r = emit_snapshot(&tx, s, bt != NULL);
	if (r >= 0)
		r = fw_tx_end(&tx);
	if (r < 0) {
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0, "building the rollback: %s",
			 strerror(-r));
		return r;
	}
	return fw_kernel_send(&n, &tx, NULL, dl);
}
