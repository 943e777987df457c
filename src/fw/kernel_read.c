/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage: read our table back from the kernel.  Dumps only ever ask for our
 * table (GETTABLE, GETSET and GETRULE filtered by table, GETSETELEM by
 * set); chains are the one dump the kernel cannot filter by table, so
 * other tables' chains are dropped as they arrive.
 */
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/gen.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <stdlib.h>
#include <string.h>

#include "fw/emit.h"
#include "fw/kernel_read.h"

/* A request (one object name, no elements) fits a page. */
#define FW_REQ_BUF 8192

struct fw_snapshot *fw_snapshot_free(struct fw_snapshot *s)
{
	if (!s)
		return NULL;
	if (s->table)
		nftnl_table_free(s->table);
	if (s->btable)
		nftnl_table_free(s->btable);
	for (size_t i = 0; i < s->nchains; i++)
		nftnl_chain_free(s->chains[i]);
	for (size_t i = 0; i < s->nsets; i++)
		nftnl_set_free(s->sets[i]);
	for (size_t i = 0; i < s->nrules; i++)
		nftnl_rule_free(s->rules[i]);
	free(s->chains);
	free(s->sets);
	free(s->rules);
	free(s);
	return NULL;
}

static struct nlmsghdr *req_hdr(struct fw_nl *n, char *buf, uint16_t type, uint8_t family,
				uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(buf, type, family, flags, n->seq++);
}

/* Is @table of @family one of ours (table inet or bridge gatehouse)? */
static bool ours(const char *table, uint32_t family)
{
	return table && !strcmp(table, FW_TABLE_NAME) &&
	       (family == NFPROTO_INET || family == NFPROTO_BRIDGE);
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_table **t = data;

	if (*t)
		return MNL_CB_OK;
	*t = nftnl_table_alloc();
	if (!*t)
		return MNL_CB_ERROR;
	if (nftnl_table_nlmsg_parse(nlh, *t) < 0) {
		nftnl_table_free(*t);
		*t = NULL;
	}
	return MNL_CB_OK;
}

int fw_kernel_get_table(struct fw_nl *n, struct nftnl_table **ret)
{
	return fw_kernel_get_table_family(n, NFPROTO_INET, ret);
}

int fw_kernel_get_table_family(struct fw_nl *n, uint8_t family, struct nftnl_table **ret)
{
	char buf[FW_REQ_BUF];
	_cleanup_(nftnl_table_freep) struct nftnl_table *t = NULL;
	_cleanup_(nftnl_table_freep) struct nftnl_table *q = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	int r;

	*ret = NULL;
	if (!q)
		return -ENOMEM;
	nftnl_table_set_str(q, NFTNL_TABLE_NAME, FW_TABLE_NAME);
	nlh = req_hdr(n, buf, NFT_MSG_GETTABLE, family, NLM_F_ACK);
	nftnl_table_nlmsg_build_payload(nlh, q);
	r = fw_nl_dump(n, nlh, table_cb, &t);
	/* No such table; for the bridge family, also a kernel without it. */
	if (r == -ENOENT || r == -EAFNOSUPPORT)
		return 0;
	if (r < 0)
		return r;
	*ret = TAKE_PTR(t);
	return 0;
}

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_gen *g = nftnl_gen_alloc();
	uint32_t *id = data;

	if (!g)
		return MNL_CB_ERROR;
	if (nftnl_gen_nlmsg_parse(nlh, g) < 0) {
		nftnl_gen_free(g);
		return MNL_CB_ERROR;
	}
	*id = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
	nftnl_gen_free(g);
	return MNL_CB_OK;
}

int fw_kernel_genid(struct fw_nl *n, uint32_t *id)
{
	char buf[FW_REQ_BUF];

	*id = 0;
	return fw_nl_dump(n, req_hdr(n, buf, NFT_MSG_GETGEN, NFPROTO_INET, NLM_F_ACK), gen_cb, id);
}

uint64_t fw_kernel_table_hash(const struct nftnl_table *t, bool *found)
{
	const struct nftnl_udata *attr;
	uint32_t len = 0;
	const void *ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
	uint64_t h = 0;

	*found = false;
	if (!ud)
		return 0;
	nftnl_udata_for_each_data(ud, len, attr) {
		if (nftnl_udata_type(attr) == FW_UDATA_TABLE_HASH &&
		    nftnl_udata_len(attr) == sizeof(h)) {
			memcpy(&h, nftnl_udata_get(attr), sizeof(h));
			*found = true;
		}
	}
	return h;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fw_snapshot *s = data;
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0 ||
	    !ours(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE),
		  nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY)) ||
	    FW_VEC_PUSH(s->chains, s->nchains, s->cchains, 1u << 20) < 0) {
		nftnl_chain_free(c);
		return MNL_CB_OK;
	}
	s->chains[s->nchains++] = c;
	return MNL_CB_OK;
}

static int set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fw_snapshot *s = data;
	struct nftnl_set *st = nftnl_set_alloc();

	if (!st)
		return MNL_CB_ERROR;
	if (nftnl_set_nlmsg_parse(nlh, st) < 0 ||
	    !ours(nftnl_set_get_str(st, NFTNL_SET_TABLE),
		  nftnl_set_get_u32(st, NFTNL_SET_FAMILY)) ||
	    FW_VEC_PUSH(s->sets, s->nsets, s->csets, 1u << 20) < 0) {
		nftnl_set_free(st);
		return MNL_CB_OK;
	}
	s->sets[s->nsets++] = st;
	return MNL_CB_OK;
}

static int elem_cb(const struct nlmsghdr *nlh, void *data)
{
	nftnl_set_elems_nlmsg_parse(nlh, data);
	return MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fw_snapshot *s = data;
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0 ||
	    !ours(nftnl_rule_get_str(r, NFTNL_RULE_TABLE),
		  nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY)) ||
	    FW_VEC_PUSH(s->rules, s->nrules, s->crules, 1u << 22) < 0) {
		nftnl_rule_free(r);
		return MNL_CB_OK;
	}
	s->rules[s->nrules++] = r;
	return MNL_CB_OK;
}

int fw_kernel_read_elems(struct fw_nl *n, struct nftnl_set *st)
{
	char buf[FW_REQ_BUF];
	_cleanup_(nftnl_set_freep) struct nftnl_set *q = nftnl_set_alloc();
	struct nlmsghdr *nlh;

	if (!q)
		return -ENOMEM;
	nftnl_set_set_str(q, NFTNL_SET_TABLE, FW_TABLE_NAME);
	nftnl_set_set_str(q, NFTNL_SET_NAME, nftnl_set_get_str(st, NFTNL_SET_NAME));
	nlh = req_hdr(n, buf, NFT_MSG_GETSETELEM,
		      nftnl_set_is_set(st, NFTNL_SET_FAMILY)
			  ? (uint8_t)nftnl_set_get_u32(st, NFTNL_SET_FAMILY)
			  : NFPROTO_INET,
		      NLM_F_DUMP);
	nftnl_set_elems_nlmsg_build_payload(nlh, q);
	return fw_nl_dump(n, nlh, elem_cb, st);
}

/* Sets of our table of @family, each with its elements, into @s. */
static int read_sets(struct fw_nl *n, uint8_t family, struct fw_snapshot *s)
{
	char buf[FW_REQ_BUF];
	_cleanup_(nftnl_set_freep) struct nftnl_set *q = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	size_t first = s->nsets;
	int r;

	if (!q)
		return -ENOMEM;
	nftnl_set_set_str(q, NFTNL_SET_TABLE, FW_TABLE_NAME);
	nlh = req_hdr(n, buf, NFT_MSG_GETSET, family, NLM_F_DUMP);
	nftnl_set_nlmsg_build_payload(nlh, q);
	r = fw_nl_dump(n, nlh, set_cb, s);
	for (size_t i = first; i < s->nsets && r >= 0; i++)
		r = fw_kernel_read_elems(n, s->sets[i]);
	return r;
}

/* The rules of our table of @family, appended to @s. */
static int read_rules(struct fw_nl *n, uint8_t family, struct fw_snapshot *s)
{
	char buf[FW_REQ_BUF];
	_cleanup_(nftnl_rule_freep) struct nftnl_rule *q = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (!q)
		return -ENOMEM;
	nftnl_rule_set_str(q, NFTNL_RULE_TABLE, FW_TABLE_NAME);
	nlh = req_hdr(n, buf, NFT_MSG_GETRULE, family, NLM_F_DUMP);
	nftnl_rule_nlmsg_build_payload(nlh, q);
	return fw_nl_dump(n, nlh, rule_cb, s);
}

int fw_kernel_read_rules(struct fw_nl *n, struct fw_snapshot *s)
{
	int r = read_rules(n, NFPROTO_INET, s);

	if (r >= 0 && s->btable)
		r = read_rules(n, NFPROTO_BRIDGE, s);
	return r;
}

int fw_kernel_read_table(struct fw_nl *n, struct fw_snapshot **ret)
{
	char buf[FW_REQ_BUF];
	_cleanup_(fw_snapshot_freep) struct fw_snapshot *s = calloc(1, sizeof(*s));
	int r;

	*ret = NULL;
	if (!s)
		return -ENOMEM;
	r = fw_kernel_get_table(n, &s->table);
	if (r >= 0)
		r = fw_kernel_get_table_family(n, NFPROTO_BRIDGE, &s->btable);
	/* No table inet gatehouse: no snapshot, even with a bridge table left
	 * (apply then replaces both). */
	if (r < 0 || !s->table)
		return r;
	/* The kernel cannot filter chain dumps by table: skip others' chains
	 * (all families: ours are inet and bridge). */
	r = fw_nl_dump(n, req_hdr(n, buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, NLM_F_DUMP), chain_cb,
		       s);
	if (r >= 0)
		r = read_sets(n, NFPROTO_INET, s);
	if (r >= 0 && s->btable)
		r = read_sets(n, NFPROTO_BRIDGE, s);
	if (r >= 0)
		r = fw_kernel_read_rules(n, s);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(s);
	return 0;
}
