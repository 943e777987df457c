/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IR evaluated without the kernel, as the kernel would for the first
 * packet of a new flow: the SSH safety check, --kill-removed and the unit
 * tests use it.  Linear in the number of elements: for decisions, not for
 * the packet path.
 */
#include <netinet/in.h>
#include <string.h>

#include "fw/internal.h"

static bool in_range(struct fw_addr a, struct fw_addr lo, struct fw_addr hi)
{
	return fw_addr_cmp(a, lo) >= 0 && fw_addr_cmp(a, hi) <= 0;
}

/* Does set @s hold (@a, @k1, @k2)?  Fields a set does not have are ignored. */
static bool set_has(const struct fw_set *s, struct fw_addr a, uint32_t k1, uint32_t k2)
{
	for (size_t i = 0; i < s->nelems; i++) {
		const struct fw_elem *e = &s->elems[i];
		bool has_addr = s->kind <= FW_SK_ADDR_PROTO;
		bool has_k1 = s->kind != FW_SK_ADDR;
		bool has_k2 = s->kind == FW_SK_ADDR_ICMP || s->kind == FW_SK_ICMP;

		if (has_addr && !in_range(a, e->alo, e->ahi))
			continue;
		if (has_k1 && (k1 < e->k1lo || k1 > e->k1hi))
			continue;
		if (has_k2 && (k2 < e->k2lo || k2 > e->k2hi))
			continue;
		return true;
	}
	return false;
}

static bool rule_matches(const struct fw_compiled *c, const struct fw_rule *r, int family,
			 struct fw_addr a, uint8_t proto, uint16_t port)
{
	uint32_t k1, k2 = 0;
	uint8_t want;

	if (r->family != family)
		return false;
	switch (r->proto) {
	case 0: want = IPPROTO_TCP; break;
	case 1: want = IPPROTO_UDP; break;
	case 2: want = family == 6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP; break;
	default: want = proto; break;
	}
	if (proto != want)
		return false;
	if (r->proto == 2) {
		k1 = port >> 8;
		k2 = port & 0xff;
	} else if (r->proto == 3) {
		k1 = proto;
	} else {
		k1 = port;
	}
	if (r->match == FW_M_SET)
		return set_has(&c->sets[r->set], a, k1, k2);
	return set_has(&c->sets[r->gset], a, 0, 0) && set_has(&c->sets[r->set], a, k1, k2);
}

bool fw_compiled_allows(const struct fw_compiled *c, bool dir_in, const char *ifname, int family,
			const uint8_t *peer, uint8_t proto, uint16_t port)
{
	struct fw_addr a = fw_addr_from_bytes(family, peer);
	const struct fw_set *vmap = NULL;
	const struct fw_chain *ch = NULL;

	if (!strcmp(ifname, "lo"))
		return true;
	for (size_t i = 0; i < c->nsets; i++)
		if (c->sets[i].kind == FW_SK_IFNAME_VMAP &&
		    !strcmp(c->sets[i].name, dir_in ? "in_ifaces" : "out_ifaces"))
			vmap = &c->sets[i];
	if (!vmap)
		return false;
	for (size_t i = 0; i < vmap->nelems; i++)
		if (!strcmp(vmap->elems[i].ifname, ifname))
			ch = &c->chains[vmap->elems[i].chain];
	if (!ch)
		return false; /* not an interface of this host: default deny */
	for (size_t i = 0; i < ch->nrules; i++) {
		const struct fw_rule *r = &ch->rules[i];

		if ((r->match == FW_M_SET || r->match == FW_M_GROUP_SET) &&
		    rule_matches(c, r, family, a, proto, port))
			return true;
	}
	return false;
}
