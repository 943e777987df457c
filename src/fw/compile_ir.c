/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage 4 building blocks (compile.h): sets, chains, rules and elements of
 * the one compiled ruleset, with names unique across both of its tables.
 * Shared by compile.c (table inet gatehouse) and compile_bridge.c (table
 * bridge gatehouse).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "fw/compile.h"

static size_t name_slot(const struct fw_nameset *ns, const char *name)
{
	size_t i = (size_t)gh_fnv1a64_str(name) & (ns->cap - 1);

	while (ns->slot[i] && strcmp(ns->slot[i], name))
		i = (i + 1) & (ns->cap - 1);
	return i;
}

static bool name_used(const struct fw_nameset *ns, const char *name)
{
	return ns->cap && ns->slot[name_slot(ns, name)];
}

/* Record @name (borrowed: the arena keeps it); 0 or -ENOMEM. */
static int name_add(struct fw_nameset *ns, const char *name)
{
	if (2 * (ns->n + 1) > ns->cap) {
		struct fw_nameset big = { NULL, ns->cap ? 2 * ns->cap : 64, 0 };

		big.slot = calloc(big.cap, sizeof(*big.slot));
		if (!big.slot)
			return -ENOMEM;
		for (size_t i = 0; i < ns->cap; i++)
			if (ns->slot[i])
				big.slot[name_slot(&big, ns->slot[i])] = ns->slot[i];
		big.n = ns->n;
		free(ns->slot);
		*ns = big;
	}
	{
		size_t i = name_slot(ns, name);

		if (!ns->slot[i]) {
			ns->slot[i] = name;
			ns->n++;
		}
	}
	return 0;
}

/*
 * Identifier from arbitrary text: [A-Za-z0-9_] kept, the rest becomes '_'.
 * Names in use are looked up in a hash: scanning every set and chain made
 * a host with thousands of sets quadratic.
 */
char *fw_c_ident(struct fw_compiled *c, const char *fmt_prefix, const char *raw, const char *suffix)
{
	char buf[200];
	size_t off = 0;

	for (const char *p = fmt_prefix; *p && off < sizeof(buf) - 1; p++)
		buf[off++] = *p;
	for (const char *p = raw; *p && off < 120; p++) {
		char ch = *p;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '_';

		buf[off++] = ok ? ch : '_';
	}
	for (const char *p = suffix; *p && off < sizeof(buf) - 1; p++)
		buf[off++] = *p;
	buf[off] = '\0';
	/* Two raw names may sanitise alike ("eth0.1", "eth0_1"): make it unique. */
	for (unsigned n = 2; name_used(&c->names, buf); n++) {
		if (off + 12 >= sizeof(buf))
			return NULL;
		snprintf(buf + off, sizeof(buf) - off, "_%u", n);
	}
	return gh_arena_strdup(&c->arena, buf);
}

/* Take @name for a new set or chain (names are unique across both tables); NULLs are -ENOMEM. */
static int claim_name(struct fw_compiled *c, const char *name, const char *comment)
{
	return name && comment ? name_add(&c->names, name) : -ENOMEM;
}

struct fw_set *fw_c_set_new(struct fw_compiled *c, const char *name, uint8_t kind, uint8_t family,
			    const char *comment, size_t *ret_idx)
{
	struct fw_set *s;

	if (claim_name(c, name, comment) < 0 ||
	    FW_VEC_PUSH(c->sets, c->nsets, c->csets, 1u << 20) < 0)
		return NULL;
	s = &c->sets[c->nsets];
	*s = (struct fw_set){ .name = name, .kind = kind, .family = family, .comment = comment };
	*ret_idx = c->nsets++;
	return s;
}

struct fw_chain *fw_c_chain_new(struct fw_compiled *c, const char *name, bool base, bool in,
				const char *comment)
{
	struct fw_chain *ch;

	if (claim_name(c, name, comment) < 0 ||
	    FW_VEC_PUSH(c->chains, c->nchains, c->cchains, 1u << 16) < 0)
		return NULL;
	ch = &c->chains[c->nchains++];
	*ch = (struct fw_chain){ .name = name, .base = base, .in = in, .comment = comment };
	return ch;
}

struct fw_elem *fw_c_elem_new(struct fw_set *s, size_t max, int *err)
{
	struct fw_elem *e;

	*err = FW_VEC_PUSH(s->elems, s->nelems, s->celems, max);
	if (*err < 0)
		return NULL;
	e = &s->elems[s->nelems++];
	memset(e, 0, sizeof(*e));
	return e;
}

int fw_c_rule_add(struct fw_compiled *c, size_t chain, struct fw_rule r)
{
	struct fw_chain *ch = &c->chains[chain];

	if (!r.comment || FW_VEC_PUSH(ch->rules, ch->nrules, ch->crules, 1u << 20) < 0)
		return -ENOMEM;
	ch->rules[ch->nrules++] = r;
	return 0;
}

int fw_c_cmp_elem_addr(const void *a, const void *b)
{
	return fw_addr_cmp(((const struct fw_elem *)a)->alo, ((const struct fw_elem *)b)->alo);
}

/* Drop repeats from sorted @e (an address listed twice is a warning, not two elements). */
size_t fw_c_dedup_elems(struct fw_elem *e, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!k || fw_addr_cmp(e[k - 1].alo, e[i].alo))
			e[k++] = e[i];
	return k;
}

bool fw_c_port_has(const struct fw_iface *ifc, int fam)
{
	for (size_t a = 0; a < ifc->naddrs; a++)
		if (ifc->addrs[a].family == (fam == 6 ? GH_INET6 : GH_INET4))
			return true;
	return false;
}

int fw_c_port_addrs(struct fw_compiled *c, struct fw_set *s, const struct fw_iface *ifc, int fam)
{
	for (size_t a = 0; a < ifc->naddrs; a++) {
		struct fw_elem *e;
		int r;

		if (ifc->addrs[a].family != (fam == 6 ? GH_INET6 : GH_INET4))
			continue;
		/* One more: fe80::/10 in a bridged port's nd_ set (compile_bridge.c). */
		e = fw_c_elem_new(s, FW_ADDRS_PER_IFACE_MAX + 1, &r);
		if (!e)
			return r;
		e->alo = e->ahi = fw_addr_from_bytes(fam, ifc->addrs[a].addr);
		e->comment = fw_comment(&c->arena, "%s", ifc->name);
		if (!e->comment)
			return -ENOMEM;
	}
	/* Sorted and one element per address, as normalised sets are. */
	if (s->nelems > 1) /* qsort() of NULL (no elements yet) is undefined */
		qsort(s->elems, s->nelems, sizeof(*s->elems), fw_c_cmp_elem_addr);
	s->nelems = fw_c_dedup_elems(s->elems, s->nelems);
	return 0;
}
