/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage: fw stats.  The counters of our table, read in one rule dump, mapped
 * back to the security-group rules they serve.  A kernel rule is found in
 * the compiled ruleset by its chain and position, and must carry the
 * compiled rule's comment: counts of a table written from other rules would
 * be attributed to the wrong rules, so that is refused, not guessed.
 *
 * Attribution: one nft rule counts the packets matching any element of its
 * set.  When every element of that set comes from one security-group rule
 * the count is that rule's, exactly; when the set serves several (rules
 * merged into one set, or one element covering two overlapping rules) the
 * kernel keeps one counter for all of them and the count cannot be split:
 * each of those rules is reported with the whole count and "shared".  A
 * security-group rule spread over several nft rules (IPv4 and IPv6, tcp and
 * udp, interval and exact sets) gets their sum.
 */
#include <errno.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "fw/kernel_decode.h"
#include "fw/kernel_read.h"
#include "fw/kernel_send.h"
#include "fw/nl.h"

void fw_counts_done(struct fw_counts *k)
{
	if (!k)
		return;
	free(k->rules);
	free(k->drops);
	*k = (struct fw_counts){ 0 };
}

/* Packets and bytes of the counter expression of kernel rule @r (0 when none). */
static void rule_counter(struct nftnl_rule *r, uint64_t *packets, uint64_t *bytes)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;

	*packets = *bytes = 0;
	if (!it)
		return;
	while ((e = nftnl_expr_iter_next(it)))
		if (!strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "counter")) {
			*packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
			*bytes = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
		}
	nftnl_expr_iter_destroy(it);
}

/* The chain named @name of table bridge (@bridge) or inet gatehouse, or SIZE_MAX. */
static size_t chain_find(const struct fw_compiled *c, const char *name, bool bridge, size_t hint)
{
	if (hint < c->nchains && c->chains[hint].bridge == bridge &&
	    !strcmp(c->chains[hint].name, name))
		return hint;
	for (size_t i = 0; i < c->nchains; i++)
		if (c->chains[i].bridge == bridge && !strcmp(c->chains[i].name, name))
			return i;
	return SIZE_MAX;
}

static int cmp_ifname(const char *a, const char *b)
{
	/* NULL (interfaces outside the inventory) last. */
	if (!a || !b)
		return !a - !b;
	return strcmp(a, b);
}

static int cmp_rule_count(const void *pa, const void *pb)
{
	const struct fw_rule_count *a = pa, *b = pb;
	int d = cmp_ifname(a->interface, b->interface);

	if (d)
		return d;
	if (a->egress != b->egress)
		return a->egress - b->egress;
	d = strcmp(a->group_id, b->group_id);
	if (d)
		return d;
	return a->rule < b->rule ? -1 : a->rule > b->rule;
}

static int cmp_drop_count(const void *pa, const void *pb)
{
	const struct fw_drop_count *a = pa, *b = pb;
	int d = cmp_ifname(a->interface, b->interface);

	if (d)
		return d;
	if (a->egress != b->egress)
		return a->egress - b->egress;
	return strcmp(a->reason, b->reason);
}

/* Sum entries of one interface, direction and rule (sorted @k->rules). */
static void merge_rules(struct fw_counts *k)
{
	size_t n = 0;

	if (k->nrules)
		qsort(k->rules, k->nrules, sizeof(*k->rules), cmp_rule_count);
	for (size_t i = 0; i < k->nrules; i++) {
		if (n && !cmp_rule_count(&k->rules[n - 1], &k->rules[i])) {
			k->rules[n - 1].packets += k->rules[i].packets;
			k->rules[n - 1].bytes += k->rules[i].bytes;
			k->rules[n - 1].shared |= k->rules[i].shared;
			continue;
		}
		k->rules[n++] = k->rules[i];
	}
	k->nrules = n;
}

static void merge_drops(struct fw_counts *k)
{
	size_t n = 0;

	if (k->ndrops)
		qsort(k->drops, k->ndrops, sizeof(*k->drops), cmp_drop_count);
	for (size_t i = 0; i < k->ndrops; i++) {
		if (n && !cmp_drop_count(&k->drops[n - 1], &k->drops[i])) {
			k->drops[n - 1].packets += k->drops[i].packets;
			k->drops[n - 1].bytes += k->drops[i].bytes;
			continue;
		}
		k->drops[n++] = k->drops[i];
	}
	k->ndrops = n;
}

/* The counts of compiled rule @r in chain @ch into @k. */
static int count_rule(const struct fw_compiled *c, const struct fw_chain *ch,
		      const struct fw_rule *r, uint64_t packets, uint64_t bytes,
		      struct fw_counts *k, size_t *crules, size_t *cdrops)
{
	const struct fw_set *s;
	int e;

	switch (r->match) {
	case FW_M_SET:
	case FW_M_GROUP_SET:
		s = &c->sets[r->set];
		for (size_t i = 0; i < s->norigins; i++) {
			const struct fw_origin *o = &s->origins[i];

			e = FW_VEC_PUSH(k->rules, k->nrules, *crules, SIZE_MAX / sizeof(*k->rules));
			if (e < 0)
				return e;
			k->rules[k->nrules++] = (struct fw_rule_count){
				.group_id = o->group,
				.interface = ch->ifname,
				.rule = o->index,
				.egress = o->egress,
				.shared = s->norigins > 1,
				.packets = packets,
				.bytes = bytes,
			};
		}
		return 0;
	case FW_M_DHCP4:
	case FW_M_DHCP6:
		/* Counted only where dropped: a bridged guest's DHCP server messages. */
		if (!r->drop)
			return 0;
		/* fall through */
	case FW_M_DROP:
	case FW_M_SPOOF:
	case FW_M_FAMILY_DROP:
	case FW_M_NA_GUARD:
		e = FW_VEC_PUSH(k->drops, k->ndrops, *cdrops, SIZE_MAX / sizeof(*k->drops));
		if (e < 0)
			return e;
		/* A bridge port's chains: from_<port> (ch->in) is what the guest
		 * sends (its egress: a source it does not own), to_<port> what it
		 * would receive that is not for its addresses. */
		k->drops[k->ndrops++] = (struct fw_drop_count){
			.interface = ch->ifname,
			.reason = !ch->bridge && r->match == FW_M_DROP ? "default_deny"
				  : !ch->bridge || ch->in	       ? "spoofed_source"
								       : "not_its_address",
			.egress = ch->bridge ? ch->in : !ch->in,
			.packets = packets,
			.bytes = bytes,
		};
		return 0;
	default: return 0;
	}
}

int fw_counts_read(const struct fw_compiled *c, struct fw_counts *ret, struct diag_list *dl)
{
	_cleanup_(fw_nl_close) struct fw_nl n = { 0 };
	_cleanup_(fw_snapshot_freep) struct fw_snapshot *s = calloc(1, sizeof(*s));
	_cleanup_(fw_counts_done) struct fw_counts k = { 0 };
	_cleanup_free_ size_t *pos = calloc(c->nchains ? c->nchains : 1, sizeof(*pos));
	size_t crules = 0, cdrops = 0, hint = 0, seen = 0, want = 0;
	int r;

	if (!s || !pos)
		return -ENOMEM;
	r = fw_kernel_open(&n, dl);
	if (r < 0)
		return r;
	/* The hash of what the table was last written from: counts of a table
	 * written from other rules (membership aside) would be attributed to
	 * the wrong rules. */
	r = fw_kernel_get_table(&n, &s->table);
	if (r >= 0 && s->table) {
		bool found;
		uint64_t h = fw_kernel_table_hash(s->table, &found);

		if (!found || h != c->structure_hash) {
			diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0,
				 "table %s in the kernel was not written from these rules (fw diff "
				 "shows how they differ): apply them first",
				 FW_TABLE_NAME);
			return -ESTALE;
		}
	}
	if (r >= 0 && !s->table)
		r = -ENOENT;
	if (r >= 0 && c->bridge_comment)
		r = fw_kernel_get_table_family(&n, NFPROTO_BRIDGE, &s->btable);
	if (r >= 0)
		r = fw_kernel_read_rules(&n, s);
	if (r == -ENOENT) {
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0,
			 "no table %s in the kernel: apply the rules first", FW_TABLE_NAME);
		return r;
	}
	if (r < 0) {
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0, "reading the rules of table %s: %s",
			 FW_TABLE_NAME, strerror(-r));
		return r;
	}
	for (size_t i = 0; i < c->nchains; i++)
		want += c->chains[i].nrules;
	for (size_t i = 0; i < s->nrules; i++) {
		struct nftnl_rule *kr = s->rules[i];
		size_t ci =
		    chain_find(c, nftnl_rule_get_str(kr, NFTNL_RULE_CHAIN),
			       nftnl_rule_get_u32(kr, NFTNL_RULE_FAMILY) == NFPROTO_BRIDGE, hint);
		const struct fw_chain *ch = ci < c->nchains ? &c->chains[ci] : NULL;
		char comment[FW_COMMENT_MAX + 1];
		uint64_t packets, bytes;

		if (!ch || pos[ci] >= ch->nrules ||
		    strcmp(fw_kernel_comment(FW_KOBJ_RULE, kr, comment, sizeof(comment)),
			   ch->rules[pos[ci]].comment)) {
			diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0,
				 "table %s in the kernel is not what these rules compile to (fw "
				 "diff shows how): counts cannot be mapped to them; apply first",
				 FW_TABLE_NAME);
			return -ESTALE;
		}
		hint = ci;
		rule_counter(kr, &packets, &bytes);
		r = count_rule(c, ch, &ch->rules[pos[ci]++], packets, bytes, &k, &crules, &cdrops);
		if (r < 0)
			return r;
		seen++;
	}
	if (seen != want) {
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0,
			 "table %s in the kernel has %zu rules, these rules compile to %zu: apply "
			 "first",
			 FW_TABLE_NAME, seen, want);
		return -ESTALE;
	}
	merge_rules(&k);
	merge_drops(&k);
	*ret = k;
	k = (struct fw_counts){ 0 };
	return 0;
}
