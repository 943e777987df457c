/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage 4, bridged guests: table bridge gatehouse.  Stateless: it binds
 * each bridged guest port to its addresses, and the inet forward chain,
 * which bridged IP frames reach through br_netfilter with conntrack (named
 * after the bridge, not the port), then finds a guest's chains by address
 * (compile.c).  No conntrack in the bridge family is needed (the test
 * kernel has none).
 *
 *   table bridge gatehouse
 *     chain prerouting   hook prerouting, priority filter (-200, before
 *                        br_netfilter), policy accept:
 *                        iifname vmap @from_ports
 *     chain from_<port>  what the port may send: no DHCP server messages;
 *                        a neighbour advertisement only for its own
 *                        addresses or a link-local one; IPv4 and ARP only
 *                        from its own IPv4 addresses, IPv6 only from its
 *                        own IPv6 addresses; then jump from_guest; anything
 *                        else (other sources, other ethertypes, VLAN tags)
 *                        a counted drop
 *     chain from_guest   shared: from :: and fe80::/10 only neighbour
 *                        discovery and MLD; a DHCP client's first messages
 *     chain postrouting  hook postrouting: oifname vmap @to_ports
 *     chain to_<port>    what the port may receive: IP to its own
 *                        addresses, then jump to_guest; anything else (a
 *                        frame to this guest's MAC with another guest's
 *                        address, broadcast and multicast IPv4) a counted
 *                        drop
 *     chain to_guest     shared: ARP, neighbour discovery, router
 *                        advertisements and MLD to link-local and
 *                        link-scope multicast addresses, DHCP server
 *                        messages
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fw/compile.h"

/* ICMPv6 types a guest may send from :: or a link-local address: MLD
 * (130-132, 143), router and neighbour solicitation and advertisement
 * (133, 135, 136); never a router advertisement (134) or redirect (137). */
static const uint8_t nd_from_types[][2] = { { 130, 133 }, { 135, 136 }, { 143, 143 } };
/* Towards a guest, router advertisements too (from the host as router). */
static const uint8_t nd_to_types[][2] = { { 130, 136 }, { 143, 143 } };

/* fe80::/10, ::, ff02::/16 as address ranges. */
static const struct fw_addr ll_lo = { 0xfe80000000000000ull, 0 };
static const struct fw_addr ll_hi = { 0xfebfffffffffffffull, ~0ull };
static const struct fw_addr mc_lo = { 0xff02000000000000ull, 0 };
static const struct fw_addr mc_hi = { 0xff02ffffffffffffull, ~0ull };
static const struct fw_addr unspec = { 0, 0 };

static struct fw_set *bset_new(struct fw_compiled *c, const char *name, uint8_t kind,
			       uint8_t family, const char *comment, size_t *idx)
{
	struct fw_set *s = fw_c_set_new(c, name, kind, family, comment, idx);

	if (s)
		s->bridge = true;
	return s;
}

static size_t bchain_new(struct fw_compiled *c, const char *name, bool base, bool in,
			 const char *comment, const char *ifname)
{
	size_t idx = c->nchains;
	struct fw_chain *ch = fw_c_chain_new(c, name, base, in, comment);

	if (!ch)
		return SIZE_MAX;
	ch->bridge = true;
	ch->ifname = ifname;
	return idx;
}

/* Elements address range x ICMPv6 type ranges (any code) into @s. */
static int nd_elems(struct fw_compiled *c, struct fw_set *s, struct fw_addr lo, struct fw_addr hi,
		    const uint8_t (*types)[2], size_t ntypes, const char *comment)
{
	for (size_t t = 0; t < ntypes; t++) {
		int r;
		struct fw_elem *e = fw_c_elem_new(s, 16, &r);

		if (!e)
			return r;
		e->alo = lo;
		e->ahi = hi;
		e->k1lo = types[t][0];
		e->k1hi = types[t][1];
		e->k2lo = 0;
		e->k2hi = 255;
		e->comment = comment;
	}
	return comment ? 0 : -ENOMEM;
}

/* The two neighbour-discovery sets every bridged port shares: [0] from guests, [1] to them. */
static int nd_sets(struct fw_compiled *c, size_t nd[2])
{
	static const struct {
		const char *name, *what;
		const uint8_t (*types)[2];
		size_t ntypes;
		struct {
			const struct fw_addr *lo, *hi;
			const char *what;
		} range[2];
	} def[2] = {
		{ "nd_from_guest",
		  "neighbour discovery and MLD a guest may send from :: or a link-local address",
		  nd_from_types,
		  ARRAY_SIZE(nd_from_types),
		  { { &unspec, &unspec, "unspecified source (duplicate address detection)" },
		    { &ll_lo, &ll_hi, "link-local source" } } },
		{ "nd_to_guest",
		  "neighbour discovery, router advertisements and MLD to link-local and "
		  "link-scope multicast addresses",
		  nd_to_types,
		  ARRAY_SIZE(nd_to_types),
		  { { &ll_lo, &ll_hi, "link-local destination" },
		    { &mc_lo, &mc_hi, "link-scope multicast destination" } } },
	};
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(def) && r >= 0; i++) {
		struct fw_set *s = bset_new(c, def[i].name, FW_SK_ADDR_ICMP, 6,
					    fw_comment(&c->arena, "%s", def[i].what), &nd[i]);

		if (!s)
			return -ENOMEM;
		for (size_t k = 0; k < ARRAY_SIZE(def[i].range) && r >= 0; k++)
			r = nd_elems(c, s, *def[i].range[k].lo, *def[i].range[k].hi, def[i].types,
				     def[i].ntypes,
				     fw_comment(&c->arena, "%s", def[i].range[k].what));
	}
	return r;
}

/*
 * The address sets of bridged port @ifc: [0] its IPv4 addresses, [1] its
 * IPv6 ones (SIZE_MAX: none of that family), [2] its IPv6 addresses and
 * fe80::/10 (the targets its neighbour advertisements may name).
 */
static int port_sets(struct fw_compiled *c, const struct fw_iface *ifc, size_t set[3])
{
	struct fw_set *s;
	struct fw_elem *e;
	int r = 0;

	set[0] = set[1] = SIZE_MAX;
	for (int f = 0; f < 2 && r >= 0; f++) {
		int fam = f ? 6 : 4;

		if (!fw_c_port_has(ifc, fam))
			continue;
		s = bset_new(c, fw_c_ident(c, "port_", ifc->name, f ? "_6" : "_4"), FW_SK_ADDR,
			     (uint8_t)fam,
			     fw_comment(&c->arena,
					"addresses of guest %s on bridge port %s (IPv%d)",
					ifc->guest, ifc->name, fam),
			     &set[f]);
		if (!s)
			return -ENOMEM;
		r = fw_c_port_addrs(c, s, ifc, fam);
	}
	if (r < 0)
		return r;
	s = bset_new(c, fw_c_ident(c, "nd_", ifc->name, ""), FW_SK_ADDR, 6,
		     fw_comment(&c->arena,
				"targets of the neighbour advertisements of guest %s on %s",
				ifc->guest, ifc->name),
		     &set[2]);
	if (!s)
		return -ENOMEM;
	s->taddr = true;
	r = fw_c_port_addrs(c, s, ifc, 6);
	if (r < 0)
		return r;
	/* A listed link-local address is inside fe80::/10: one element for all. */
	for (size_t k = 0; k < s->nelems;)
		if (fw_addr_cmp(s->elems[k].alo, ll_lo) >= 0 &&
		    fw_addr_cmp(s->elems[k].alo, ll_hi) <= 0)
			s->elems[k] = s->elems[--s->nelems];
		else
			k++;
	e = fw_c_elem_new(s, FW_ADDRS_PER_IFACE_MAX + 1, &r);
	if (!e)
		return r;
	e->alo = ll_lo;
	e->ahi = ll_hi;
	e->comment = fw_comment(&c->arena, "link-local");
	qsort(s->elems, s->nelems, sizeof(*s->elems), fw_c_cmp_elem_addr);
	return e->comment ? 0 : -ENOMEM;
}

struct brule {
	uint8_t match;
	bool in;	/* the source address (from the port), else the destination */
	uint8_t family; /* 4, 6, 0 */
	int set;	/* index into the sets (0-2: the port's, 3/4: nd_from/to_guest), or
			 * of FW_M_JUMP's chain (5/6: from_guest, to_guest); -1: none */
	uint8_t verdict_drop;
	const char *what;
};

/*
 * The rules of from_<port> and to_<port>, in order, then of the chains all
 * ports share (jumped to: their accepts end the hook, else they return to
 * the port's counted drop).  Rules about a family the port lacks are left out.
 */
static const struct brule from_rules[] = {
	{ FW_M_DHCP4, true, 4, -1, 1, "DHCPv4 server messages (a guest is no DHCP server)" },
	{ FW_M_DHCP6, true, 6, -1, 1, "DHCPv6 server messages (a guest is no DHCP server)" },
	{ FW_M_NA_GUARD, true, 6, 2, 1, "neighbour advertisement for an address not its own" },
	{ FW_M_OWN, true, 4, 0, 0, "IPv4 from its own addresses" },
	{ FW_M_ARP_OWN, true, 4, 0, 0, "ARP from its own IPv4 addresses" },
	{ FW_M_OWN, true, 6, 1, 0, "IPv6 from its own addresses" },
	{ FW_M_JUMP, true, 0, 5, 0, "what every guest may send" },
	{ FW_M_DROP, false, 0, -1, 1, "spoofed source, or not IPv4, IPv6 or ARP" },
};
static const struct brule from_guest_rules[] = {
	{ FW_M_SET, true, 6, 3, 0, "neighbour discovery and MLD from :: or link-local" },
	{ FW_M_DHCP4, false, 4, -1, 0, "DHCPv4 client, before it has an address" },
	{ FW_M_DHCP6, false, 6, -1, 0, "DHCPv6 client, to the servers' multicast address" },
};
static const struct brule to_rules[] = {
	{ FW_M_OWN, false, 4, 0, 0, "IPv4 to its own addresses" },
	{ FW_M_OWN, false, 6, 1, 0, "IPv6 to its own addresses" },
	{ FW_M_JUMP, false, 0, 6, 0, "what every guest may receive" },
	{ FW_M_DROP, false, 0, -1, 1, "not to its own addresses, or not IPv4, IPv6 or ARP" },
};
static const struct brule to_guest_rules[] = {
	{ FW_M_ARP, false, 0, -1, 0, "ARP" },
	{ FW_M_SET, false, 6, 4, 0, "neighbour discovery and MLD" },
	{ FW_M_DHCP4, true, 4, -1, 0, "DHCPv4 server" },
	{ FW_M_DHCP6, true, 6, -1, 0, "DHCPv6 server" },
};

/* Rules @br[0..n) into @chain, named after @port ("every guest" when NULL). */
static int add_rules(struct fw_compiled *c, size_t chain, const struct brule *br, size_t n,
		     const size_t sets[7], const char *port, bool in)
{
	for (size_t i = 0; i < n; i++) {
		size_t set = br[i].set < 0 ? 0 : sets[br[i].set];
		int r;

		if (set == SIZE_MAX)
			continue; /* no address of that family */
		r = fw_c_rule_add(c, chain,
				  (struct fw_rule){
				      .match = br[i].match,
				      .bridge = true,
				      .in = br[i].in,
				      .family = br[i].family,
				      .proto = br[i].match == FW_M_SET ? 2 : 0,
				      .set = (uint32_t)set,
				      .counter = br[i].verdict_drop,
				      .drop = br[i].verdict_drop && (br[i].match == FW_M_DHCP4 ||
								     br[i].match == FW_M_DHCP6),
				      .comment =
					  fw_comment(&c->arena, "%s %s: %s", in ? "from" : "to",
						     port ? port : "every guest", br[i].what) });
		if (r < 0)
			return r;
	}
	return 0;
}

/* Chain from_<port> (@in) or to_<port> of @ifc, with its element in vmap @vmap. */
static int port_chain(struct fw_compiled *c, const struct fw_iface *ifc, bool in, size_t vmap,
		      const size_t sets[7])
{
	const char *ifname = gh_arena_strdup(&c->arena, ifc->name);
	size_t chain = bchain_new(c, fw_c_ident(c, in ? "from_" : "to_", ifc->name, ""), false, in,
				  fw_comment(&c->arena, "frames %s guest %s on bridge port %s",
					     in ? "from" : "to", ifc->guest, ifc->name),
				  ifname);
	struct fw_set *m = &c->sets[vmap];
	struct fw_elem *e;
	int r;

	if (chain == SIZE_MAX || !ifname)
		return -ENOMEM;
	r = in ? add_rules(c, chain, from_rules, ARRAY_SIZE(from_rules), sets, ifc->name, in)
	       : add_rules(c, chain, to_rules, ARRAY_SIZE(to_rules), sets, ifc->name, in);
	if (r < 0)
		return r;
	e = fw_c_elem_new(m, FW_GUEST_PORTS_PER_HOST_MAX, &r);
	if (!e)
		return r;
	e->ifname = ifname;
	e->chain = (uint32_t)chain;
	e->comment = fw_comment(&c->arena, "%s", ifc->name);
	return e->comment ? 0 : -ENOMEM;
}

/* The chains every port jumps to: [0] from_guest, [1] to_guest, into @sets[5], @sets[6]. */
static int shared_chains(struct fw_compiled *c, size_t sets[7])
{
	int r = 0;

	for (int d = 0; d < 2 && r >= 0; d++) {
		bool in = d == 0;

		sets[5 + d] =
		    bchain_new(c, in ? "from_guest" : "to_guest", false, in,
			       fw_comment(&c->arena, "what every bridged guest port may %s",
					  in ? "send" : "receive"),
			       NULL);
		if (sets[5 + d] == SIZE_MAX)
			return -ENOMEM;
		r = in ? add_rules(c, sets[5], from_guest_rules, ARRAY_SIZE(from_guest_rules), sets,
				   NULL, in)
		       : add_rules(c, sets[6], to_guest_rules, ARRAY_SIZE(to_guest_rules), sets,
				   NULL, in);
	}
	return r;
}

/* Base chain prerouting (@in) or postrouting: the port's chain through @vmap. */
static int base_chain(struct fw_compiled *c, bool in, size_t vmap)
{
	size_t chain = bchain_new(c, in ? "prerouting" : "postrouting", true, in,
				  fw_comment(&c->arena,
					     "frames %s the bridged guest ports of host %s: the "
					     "rest is not ours",
					     in ? "from" : "to", c->host),
				  NULL);

	if (chain == SIZE_MAX)
		return -ENOMEM;
	return fw_c_rule_add(c, chain,
			     (struct fw_rule){ .match = FW_M_VMAP,
					       .bridge = true,
					       .in = in,
					       .set = (uint32_t)vmap,
					       .comment =
						   fw_comment(&c->arena, "per bridge port %s",
							      in ? "sending" : "receiving") });
}

int fw_compile_bridge(struct fw_compiled *c, const struct fw_host *h)
{
	size_t sets[7], vmap[2];
	int r;

	c->bridge_comment =
	    fw_comment(&c->arena, "gatehouse: bridged guest ports of host %s", c->host);
	if (!c->bridge_comment)
		return -ENOMEM;
	r = nd_sets(c, &sets[3]);
	if (r >= 0)
		r = shared_chains(c, sets);
	for (int d = 0; d < 2 && r >= 0; d++)
		if (!bset_new(c, d ? "to_ports" : "from_ports", FW_SK_IFNAME_VMAP, 0,
			      fw_comment(&c->arena, "chain per bridge port, frames %s the guest",
					 d ? "to" : "from"),
			      &vmap[d]))
			return -ENOMEM;
	for (size_t i = h->nifaces - h->nguest_ports; i < h->nifaces && r >= 0; i++) {
		const struct fw_iface *ifc = &h->ifaces[i];

		if (!ifc->bridge)
			continue;
		r = port_sets(c, ifc, sets);
		for (int d = 0; d < 2 && r >= 0; d++)
			r = port_chain(c, ifc, d == 0, vmap[d], sets);
	}
	for (int d = 0; d < 2 && r >= 0; d++)
		r = base_chain(c, d == 0, vmap[d]);
	return r;
}
