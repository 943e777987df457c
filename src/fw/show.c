/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage: fw show, our table as the kernel holds it, each rule with its
 * counter and each element with the security-group rules it came from.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <linux/netfilter.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <string.h>

#include "fw/kernel_decode.h"
#include "fw/kernel_read.h"
#include "fw/nftnl_cleanup.h"

static void counter_of(struct nftnl_rule *r, uint64_t *pkts, uint64_t *bytes, bool *has)
{
	_cleanup_(nftnl_expr_iter_destroyp) struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;

	*has = false;
	if (!it)
		return;
	while ((e = nftnl_expr_iter_next(it)))
		if (!strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "counter")) {
			*pkts = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
			*bytes = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
			*has = true;
		}
}

/* Chain @ch with each of its rules in @s: counters and comment. */
static void show_chain(FILE *f, const struct fw_snapshot *s, struct nftnl_chain *ch)
{
	const char *name = nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME);
	uint32_t family = nftnl_chain_get_u32(ch, NFTNL_CHAIN_FAMILY);
	char cbuf[FW_COMMENT_MAX + 1];

	fprintf(f, "\nchain %s  # %s\n", name,
		fw_kernel_comment(FW_KOBJ_CHAIN, ch, cbuf, sizeof(cbuf)));
	for (size_t j = 0; j < s->nrules; j++) {
		uint64_t p = 0, b = 0;
		bool has;

		if (strcmp(nftnl_rule_get_str(s->rules[j], NFTNL_RULE_CHAIN), name) ||
		    nftnl_rule_get_u32(s->rules[j], NFTNL_RULE_FAMILY) != family)
			continue;
		counter_of(s->rules[j], &p, &b, &has);
		if (has)
			fprintf(f, "  %10" PRIu64 " pkts %12" PRIu64 " bytes  %s\n", p, b,
				fw_kernel_comment(FW_KOBJ_RULE, s->rules[j], cbuf, sizeof(cbuf)));
		else
			fprintf(f, "  %10s      %12s        %s\n", "", "",
				fw_kernel_comment(FW_KOBJ_RULE, s->rules[j], cbuf, sizeof(cbuf)));
	}
}

/* Set @st with each element and the rules it came from. */
static void show_set(FILE *f, struct nftnl_set *st)
{
	_cleanup_(fw_kset_done) struct fw_kset k = { 0 };
	char cbuf[FW_COMMENT_MAX + 1];

	fprintf(f, "\nset %s  # %s\n", nftnl_set_get_str(st, NFTNL_SET_NAME),
		fw_kernel_comment(FW_KOBJ_SET, st, cbuf, sizeof(cbuf)));
	if (fw_kset_load(st, &k) < 0 || !k.known) {
		fputs("  (elements not decoded: not a gatehouse set)\n", f);
		return;
	}
	for (size_t e = 0; e < k.s.nelems; e++) {
		char buf[256];
		const struct fw_elem *fe = &k.s.elems[e];

		fw_elem_format(&k.s, fe, NULL, buf, sizeof(buf));
		if (fe->chain_name)
			fprintf(f, "  %-44s -> %s  # %s\n", buf, fe->chain_name, fe->comment);
		else
			fprintf(f, "  %-44s  # %s\n", buf, fe->comment);
	}
}

int fw_show(FILE *f, struct diag_list *dl)
{
	_cleanup_(fw_snapshot_freep) struct fw_snapshot *s = NULL;
	char cbuf[FW_COMMENT_MAX + 1];
	int r = fw_snapshot_take(&s, dl);

	if (r < 0)
		return r;
	if (!s)
		return -ENOENT;
	/* Table inet gatehouse, then table bridge gatehouse when there is one. */
	for (int b = 0; b < 2; b++) {
		uint32_t family = b ? NFPROTO_BRIDGE : NFPROTO_INET;
		struct nftnl_table *t = b ? s->btable : s->table;

		if (!t)
			continue;
		fprintf(f, "%stable %s %s  # %s\n", b ? "\n" : "", b ? "bridge" : "inet",
			FW_TABLE_NAME, fw_kernel_comment(FW_KOBJ_TABLE, t, cbuf, sizeof(cbuf)));
		for (size_t i = 0; i < s->nchains; i++)
			if (nftnl_chain_get_u32(s->chains[i], NFTNL_CHAIN_FAMILY) == family)
				show_chain(f, s, s->chains[i]);
		for (size_t i = 0; i < s->nsets; i++)
			if (nftnl_set_get_u32(s->sets[i], NFTNL_SET_FAMILY) == family)
				show_set(f, s->sets[i]);
	}
	return 0;
}
