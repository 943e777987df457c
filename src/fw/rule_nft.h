/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A rule's netlink expressions as nft syntax (rule_nft.c): what fw diff and
 * apply's repair report print for a rule, the kernel's and the compiled.
 */
#ifndef GH_FW_RULE_NFT_H
#define GH_FW_RULE_NFT_H

#include <stddef.h>

#include "common/macro.h"

struct nftnl_rule;

/* The match and statements of @r as nft prints them ("tcp dport 22 accept"), into @buf. */
void fw_rule_nft(struct nftnl_rule *r, char *buf, size_t size);

#endif
