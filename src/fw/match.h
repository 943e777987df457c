/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One ops-table entry per match kind (as libnftnl's struct expr_ops): the
 * nft text of the match and its netlink expressions side by side, so the
 * text people read and the bytecode the kernel runs cannot drift apart.
 */
#ifndef GH_FW_MATCH_H
#define GH_FW_MATCH_H

#include <stdio.h>

#include "fw/internal.h"

struct nftnl_rule;

/**
 * struct fw_eb - expression builder for one rule
 * @r: the rule being built
 * @c: the compiled ruleset (set names and ids)
 * @err: first error (-ENOMEM), checked once at the end
 * @bridge: a rule of table bridge gatehouse: the family of a packet is its
 *	    ether type there (meta nfproto is "bridge")
 */
struct fw_eb {
	struct nftnl_rule *r;
	const struct fw_compiled *c;
	int err;
	bool bridge;
};

/* Set id of set index @i within the batch (ids start at 1). */
static inline uint32_t fw_set_id(size_t i)
{
	return (uint32_t)i + 1;
}

struct fw_match_ops {
	/* Match text, without counter, verdict and comment. */
	void (*render)(char *buf, size_t size, const struct fw_compiled *c,
		       const struct fw_rule *r);
	/* Match expressions, without counter and verdict. */
	void (*emit)(struct fw_eb *eb, const struct fw_rule *r);
	/* NF_ACCEPT, NF_DROP, or -1 (the match itself decides: vmap). */
	int verdict;
};

extern const struct fw_match_ops fw_match_ops[_FW_M_MAX];

/* Expression helpers shared with emit.c. */
void fw_eb_counter(struct fw_eb *eb);
void fw_eb_verdict(struct fw_eb *eb, int verdict);

#endif
