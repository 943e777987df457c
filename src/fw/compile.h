/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building blocks of stage 4 shared by compile.c (table inet gatehouse) and
 * compile_bridge.c (table bridge gatehouse): new sets, chains and rules of
 * the one compiled ruleset, whose names are unique across both tables.
 */
#ifndef GH_FW_COMPILE_H
#define GH_FW_COMPILE_H

#include "fw/internal.h"

/* Identifier @prefix + @raw (sanitised to [A-Za-z0-9_]) + @suffix, made unique; NULL on ENOMEM. */
char *fw_c_ident(struct fw_compiled *c, const char *prefix, const char *raw, const char *suffix);

/* A new set named @name (taken), its index in *@ret_idx; NULL on ENOMEM or a NULL argument. */
struct fw_set *fw_c_set_new(struct fw_compiled *c, const char *name, uint8_t kind, uint8_t family,
			    const char *comment, size_t *ret_idx);

/* A new chain named @name (taken); NULL on ENOMEM or a NULL argument. */
struct fw_chain *fw_c_chain_new(struct fw_compiled *c, const char *name, bool base, bool in,
				const char *comment);

/* A new zeroed element at the end of @s (at most @max elements), or NULL (-ENOMEM, -E2BIG in
 * *@err). */
struct fw_elem *fw_c_elem_new(struct fw_set *s, size_t max, int *err);

/* Append @r to chain index @chain.  0 or -ENOMEM (also for a NULL comment). */
int fw_c_rule_add(struct fw_compiled *c, size_t chain, struct fw_rule r);

/*
 * The addresses of family @fam (4/6) of port @ifc into set @s (elements
 * sorted, one per address, named after the port).  0 or -errno.
 */
int fw_c_port_addrs(struct fw_compiled *c, struct fw_set *s, const struct fw_iface *ifc, int fam);

/* Order of elements by first address (qsort), and drop repeats of sorted @e: the new count. */
int fw_c_cmp_elem_addr(const void *a, const void *b);
size_t fw_c_dedup_elems(struct fw_elem *e, size_t n);

/* Has port @ifc an address of family @fam (4/6)? */
bool fw_c_port_has(const struct fw_iface *ifc, int fam);

/*
 * Table bridge gatehouse for the bridged guest ports of @h: per port, the
 * frames it may send (its own addresses; ARP and neighbour discovery for
 * them) and the frames it may receive.  Nothing when no port is bridged.
 * 0 or -errno.
 */
int fw_compile_bridge(struct fw_compiled *c, const struct fw_host *h);

#endif
