/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Match kinds: text and bytecode.  The bytecode is what nft 1.0.6 generates
 * for the same text (checked with nft --debug=netlink and by the namespace
 * test that lists both loads), including the implicit dependencies nft
 * adds in the inet family (meta nfproto, meta l4proto).
 */
#include <errno.h>
#include <stdio.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <string.h>

#include "fw/match.h"

/* Registers as nft allocates them: 32-bit slots after NFT_REG_1's first. */
#define REG_FIRST NFT_REG_1
#define REG4_SECOND NFT_REG32_01 /* after a 4-byte IPv4 address */
#define REG4_THIRD NFT_REG32_02
#define REG6_SECOND NFT_REG_2 /* after a 16-byte IPv6 address */
#define REG6_THIRD NFT_REG32_05

/* ct state bits (NF_CT_STATE_BIT): invalid 1, established 2, related 4. */
#define CT_STATE_INVALID 1u
#define CT_STATE_EST_REL 6u

static struct nftnl_expr *eb_new(struct fw_eb *eb, const char *name)
{
	struct nftnl_expr *e;

	if (eb->err)
		return NULL;
	e = nftnl_expr_alloc(name);
	if (!e)
		eb->err = -ENOMEM;
	return e;
}

static void eb_add(struct fw_eb *eb, struct nftnl_expr *e)
{
	if (e)
		nftnl_rule_add_expr(eb->r, e);
}

static void eb_meta(struct fw_eb *eb, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = eb_new(eb, "meta");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	eb_add(eb, e);
}

static void eb_cmp(struct fw_eb *eb, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = eb_new(eb, "cmp");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set_data(e, NFTNL_EXPR_CMP_DATA, data, len);
	eb_add(eb, e);
}

static void eb_cmp_u8(struct fw_eb *eb, uint32_t op, uint8_t v)
{
	eb_cmp(eb, op, &v, 1);
}

static void eb_payload(struct fw_eb *eb, uint32_t base, uint32_t off, uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = eb_new(eb, "payload");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	eb_add(eb, e);
}

static void eb_lookup_flags(struct fw_eb *eb, size_t set, bool map, uint32_t flags)
{
	struct nftnl_expr *e = eb_new(eb, "lookup");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, eb->c->sets[set].name);
	/* The set is created in the same batch: the kernel finds it by id. */
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, fw_set_id(set));
	if (map)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
	if (flags)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, flags);
	eb_add(eb, e);
}

static void eb_lookup(struct fw_eb *eb, size_t set, bool map)
{
	eb_lookup_flags(eb, set, map, 0);
}

static void eb_ct_state(struct fw_eb *eb, uint32_t mask)
{
	struct nftnl_expr *e = eb_new(eb, "ct");
	uint32_t zero = 0;

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	eb_add(eb, e);
	e = eb_new(eb, "bitwise");
	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 4);
	nftnl_expr_set_data(e, NFTNL_EXPR_BITWISE_MASK, &mask, 4);
	nftnl_expr_set_data(e, NFTNL_EXPR_BITWISE_XOR, &zero, 4);
	eb_add(eb, e);
	eb_cmp(eb, NFT_CMP_NEQ, &zero, 4);
}

static void eb_byteorder(struct fw_eb *eb, uint32_t reg)
{
	struct nftnl_expr *e = eb_new(eb, "byteorder");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, 1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, 2);
	eb_add(eb, e);
}

void fw_eb_counter(struct fw_eb *eb)
{
	eb_add(eb, eb_new(eb, "counter"));
}

void fw_eb_verdict(struct fw_eb *eb, int verdict)
{
	struct nftnl_expr *e = eb_new(eb, "immediate");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	eb_add(eb, e);
}

/* Ether types (big endian on the wire): IPv4, ARP, IPv6. */
static const uint8_t ethertype_ip[2] = { 0x08, 0x00 };
static const uint8_t ethertype_arp[2] = { 0x08, 0x06 };
static const uint8_t ethertype_ip6[2] = { 0x86, 0xdd };

/*
 * The frame's ether type, as nft's "ether type" loads it: in the bridge
 * family a VLAN-tagged frame reads 0x8100 here and matches nothing of ours
 * (br_netfilter would not pass it to the inet hooks either).
 */
static void eb_ethertype(struct fw_eb *eb, const uint8_t type[2])
{
	eb_payload(eb, NFT_PAYLOAD_LL_HEADER, 12, 2, NFT_REG_1);
	eb_cmp(eb, NFT_CMP_EQ, type, 2);
}

static void eb_nfproto(struct fw_eb *eb, int family)
{
	if (eb->bridge) {
		eb_ethertype(eb, family == 6 ? ethertype_ip6 : ethertype_ip);
		return;
	}
	eb_meta(eb, NFT_META_NFPROTO, NFT_REG_1);
	eb_cmp_u8(eb, NFT_CMP_EQ, family == 6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
}

static void eb_l4proto(struct fw_eb *eb, uint8_t proto)
{
	eb_meta(eb, NFT_META_L4PROTO, NFT_REG_1);
	eb_cmp_u8(eb, NFT_CMP_EQ, proto);
}

/* Peer address: saddr inbound, daddr outbound. */
static void eb_addr(struct fw_eb *eb, const struct fw_rule *r)
{
	if (r->family == 6)
		eb_payload(eb, NFT_PAYLOAD_NETWORK_HEADER, r->in ? 8 : 24, 16, NFT_REG_1);
	else
		eb_payload(eb, NFT_PAYLOAD_NETWORK_HEADER, r->in ? 12 : 16, 4, NFT_REG_1);
}

/* Bucket order as in compile.c: tcp, udp, icmp, proto. */
static uint8_t bucket_l4(const struct fw_rule *r)
{
	switch (r->proto) {
	case 0: return IPPROTO_TCP;
	case 1: return IPPROTO_UDP;
	default: return r->family == 6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	}
}

static const char *addr_text(const struct fw_rule *r)
{
	if (r->family == 6)
		return r->in ? "ip6 saddr" : "ip6 daddr";
	return r->in ? "ip saddr" : "ip daddr";
}

static const char *key_text(const struct fw_rule *r)
{
	switch (r->proto) {
	case 0: return "tcp dport";
	case 1: return "udp dport";
	case 2: return r->family == 6 ? "icmpv6 type . icmpv6 code" : "icmp type . icmp code";
	default: return "meta l4proto";
	}
}

/* ---- FW_M_CT_OK / FW_M_CT_INVALID ---- */

static void ct_ok_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	snprintf(b, n, "ct state established,related");
}

static void ct_ok_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	eb_ct_state(eb, CT_STATE_EST_REL);
}

static void ct_inv_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	snprintf(b, n, "ct state invalid");
}

static void ct_inv_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	eb_ct_state(eb, CT_STATE_INVALID);
}

/* ---- FW_M_LOOPBACK: by index; "lo" is always ifindex 1 in a namespace ---- */

static void lo_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	snprintf(b, n, "%s \"lo\"", r->in ? "iif" : "oif");
}

static void lo_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	uint32_t lo = 1;

	eb_meta(eb, r->in ? NFT_META_IIF : NFT_META_OIF, NFT_REG_1);
	eb_cmp(eb, NFT_CMP_EQ, &lo, 4);
}

/* ---- FW_M_ND: ICMPv6 133-137 with hop limit 255 (RFC 4861 validity) ---- */

static void nd_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	snprintf(b, n, "icmpv6 type 133-137 ip6 hoplimit 255");
}

static void nd_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	eb_nfproto(eb, 6);
	eb_l4proto(eb, IPPROTO_ICMPV6);
	eb_payload(eb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFT_REG_1);
	eb_cmp_u8(eb, NFT_CMP_GTE, 133);
	eb_cmp_u8(eb, NFT_CMP_LTE, 137);
	eb_payload(eb, NFT_PAYLOAD_NETWORK_HEADER, 7, 1, NFT_REG_1);
	eb_cmp_u8(eb, NFT_CMP_EQ, 255);
}

/* ---- FW_M_DHCP4 / FW_M_DHCP6: client side only ---- */

static void dhcp_ports(const struct fw_rule *r, unsigned *sport, unsigned *dport)
{
	unsigned client = r->match == FW_M_DHCP4 ? 68 : 546;
	unsigned server = r->match == FW_M_DHCP4 ? 67 : 547;

	*sport = r->in ? server : client;
	*dport = r->in ? client : server;
}

/*
 * A client's first messages from a bridged guest port: DHCPv4 from 0.0.0.0
 * (later ones come from its own address), DHCPv6 to ff02::1:2, so that the
 * exemption from anti-spoofing carries nothing else.
 */
static bool dhcp_bridge_client(const struct fw_rule *r)
{
	return r->bridge && !r->in && !r->drop;
}

static const uint8_t all_dhcp_servers[16] = { 0xff, 0x02, [13] = 1, [15] = 2 };

static void dhcp_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	unsigned sp, dp;
	bool v4 = r->match == FW_M_DHCP4;

	dhcp_ports(r, &sp, &dp);
	snprintf(b, n, "%s %s%s udp sport %u udp dport %u",
		 r->bridge ? "ether type" : "meta nfproto",
		 v4 ? (r->bridge ? "ip" : "ipv4") : (r->bridge ? "ip6" : "ipv6"),
		 !dhcp_bridge_client(r) ? ""
		 : v4			? " ip saddr 0.0.0.0"
					: " ip6 daddr ff02::1:2",
		 sp, dp);
}

static void dhcp_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	unsigned sp, dp;
	uint8_t ports[4];

	dhcp_ports(r, &sp, &dp);
	ports[0] = (uint8_t)(sp >> 8);
	ports[1] = (uint8_t)sp;
	ports[2] = (uint8_t)(dp >> 8);
	ports[3] = (uint8_t)dp;
	eb_nfproto(eb, r->match == FW_M_DHCP4 ? 4 : 6);
	if (dhcp_bridge_client(r) && r->match == FW_M_DHCP4) {
		static const uint8_t any[4] = { 0 };

		eb_payload(eb, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1);
		eb_cmp(eb, NFT_CMP_EQ, any, 4);
	} else if (dhcp_bridge_client(r)) {
		eb_payload(eb, NFT_PAYLOAD_NETWORK_HEADER, 24, 16, NFT_REG_1);
		eb_cmp(eb, NFT_CMP_EQ, all_dhcp_servers, 16);
	}
	eb_l4proto(eb, IPPROTO_UDP);
	/* sport and dport are adjacent: one 4-byte load, as nft does. */
	eb_payload(eb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 4, NFT_REG_1);
	eb_cmp(eb, NFT_CMP_EQ, ports, 4);
}

/* ---- FW_M_VMAP ---- */

static void vmap_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	snprintf(b, n, "%s vmap @%s", r->in ? "iifname" : "oifname", c->sets[r->set].name);
}

static void vmap_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	eb_meta(eb, r->in ? NFT_META_IIFNAME : NFT_META_OIFNAME, NFT_REG_1);
	eb_lookup(eb, r->set, true);
}

/* ---- FW_M_DROP: nothing to match ---- */

static void drop_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	b[0] = '\0';
}

static void drop_emit(struct fw_eb *eb, const struct fw_rule *r)
{
}

/* ---- FW_M_SET: peer . key @set ---- */

static void set_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	snprintf(b, n, "%s . %s @%s", addr_text(r), key_text(r), c->sets[r->set].name);
}

static void set_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	uint32_t second = r->family == 6 ? REG6_SECOND : REG4_SECOND;
	uint32_t third = r->family == 6 ? REG6_THIRD : REG4_THIRD;

	eb_nfproto(eb, r->family);
	if (r->proto == 3) {
		eb_addr(eb, r);
		eb_meta(eb, NFT_META_L4PROTO, second);
		eb_byteorder(eb, second);
	} else {
		eb_l4proto(eb, bucket_l4(r));
		eb_addr(eb, r);
		if (r->proto == 2) {
			eb_payload(eb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, second);
			eb_payload(eb, NFT_PAYLOAD_TRANSPORT_HEADER, 1, 1, third);
		} else {
			eb_payload(eb, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, second);
		}
	}
	eb_lookup(eb, r->set, false);
}

/* ---- FW_M_GROUP_SET: peer @members key @set ---- */

static void gset_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	snprintf(b, n, "%s @%s %s @%s", addr_text(r), c->sets[r->gset].name, key_text(r),
		 c->sets[r->set].name);
}

static void gset_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	eb_nfproto(eb, r->family);
	eb_addr(eb, r);
	eb_lookup(eb, r->gset, false);
	if (r->proto == 3) {
		eb_meta(eb, NFT_META_L4PROTO, NFT_REG_1);
	} else {
		eb_l4proto(eb, bucket_l4(r));
		if (r->proto == 2) {
			eb_payload(eb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFT_REG_1);
			eb_payload(eb, NFT_PAYLOAD_TRANSPORT_HEADER, 1, 1, REG4_SECOND);
		} else {
			eb_payload(eb, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1);
		}
	}
	eb_lookup(eb, r->set, false);
}

/* ---- FW_M_SPOOF: ip[6] saddr != @own set (a guest port's addresses) ---- */

static void spoof_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	snprintf(b, n, "%s saddr != @%s", r->family == 6 ? "ip6" : "ip", c->sets[r->set].name);
}

static void spoof_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	eb_nfproto(eb, r->family);
	if (r->family == 6)
		eb_payload(eb, NFT_PAYLOAD_NETWORK_HEADER, 8, 16, NFT_REG_1);
	else
		eb_payload(eb, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1);
	eb_lookup_flags(eb, r->set, false, NFT_LOOKUP_F_INV);
}

/* ---- FW_M_FAMILY_DROP: meta nfproto ipv4|ipv6 ---- */

static void family_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	snprintf(b, n, "meta nfproto %s", r->family == 6 ? "ipv6" : "ipv4");
}

static void family_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	eb_nfproto(eb, r->family);
}

/* ---- FW_M_LOG: limit rate N/second burst B packets log prefix "..." group G ---- */

static void log_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	snprintf(b, n, "limit rate %d/second burst %d packets log prefix \"%s\" group %u",
		 FW_LOG_RATE, FW_LOG_BURST, r->prefix, r->group);
}

static void log_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	struct nftnl_expr *e = eb_new(eb, "limit");

	if (!e)
		return;
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, FW_LOG_RATE);
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, FW_LOG_BURST);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
	eb_add(eb, e);
	e = eb_new(eb, "log");
	if (!e)
		return;
	nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, r->prefix);
	nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_GROUP, r->group);
	eb_add(eb, e);
}

/* ---- FW_M_ADDR_VMAP: ip[6] saddr|daddr vmap @map ---- */

static void addr_vmap_render(char *b, size_t n, const struct fw_compiled *c,
			     const struct fw_rule *r)
{
	snprintf(b, n, "%s vmap @%s", addr_text(r), c->sets[r->set].name);
}

static void addr_vmap_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	eb_nfproto(eb, r->family);
	eb_addr(eb, r);
	eb_lookup(eb, r->set, true);
}

/* ---- FW_M_OWN: ip[6] saddr|daddr @set (a bridge port's own addresses) ---- */

static void own_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	snprintf(b, n, "%s @%s", addr_text(r), c->sets[r->set].name);
}

static void own_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	eb_nfproto(eb, r->family);
	eb_addr(eb, r);
	eb_lookup(eb, r->set, false);
}

/* ---- FW_M_ARP_OWN: ARP for Ethernet and IPv4 with a sender address in @set ---- */

/* htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4: where the sender address is. */
static const uint8_t arp_eth_ip[6] = { 0x00, 0x01, 0x08, 0x00, 0x06, 0x04 };

static void arp_own_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	snprintf(b, n, "arp htype 1 arp ptype ip arp hlen 6 arp plen 4 arp saddr ip @%s",
		 c->sets[r->set].name);
}

static void arp_own_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	eb_ethertype(eb, ethertype_arp);
	eb_payload(eb, NFT_PAYLOAD_NETWORK_HEADER, 0, 6, NFT_REG_1);
	eb_cmp(eb, NFT_CMP_EQ, arp_eth_ip, 6);
	eb_payload(eb, NFT_PAYLOAD_NETWORK_HEADER, 14, 4, NFT_REG_1);
	eb_lookup(eb, r->set, false);
}

/* ---- FW_M_ARP: ether type arp ---- */

static void arp_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	snprintf(b, n, "ether type arp");
}

static void arp_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	eb_ethertype(eb, ethertype_arp);
}

/* ---- FW_M_NA_GUARD: a neighbour advertisement's target (ICMPv6 bytes 8-23) not in @set ---- */

static void na_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	/* The target as nft 1.0.6 can name it (no "icmpv6 taddr" yet). */
	snprintf(b, n, "icmpv6 type nd-neighbor-advert @th,64,128 != @%s", c->sets[r->set].name);
}

static void na_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	eb_nfproto(eb, 6);
	eb_l4proto(eb, IPPROTO_ICMPV6);
	eb_payload(eb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFT_REG_1);
	eb_cmp_u8(eb, NFT_CMP_EQ, 136);
	eb_payload(eb, NFT_PAYLOAD_TRANSPORT_HEADER, 8, 16, NFT_REG_1);
	eb_lookup_flags(eb, r->set, false, NFT_LOOKUP_F_INV);
}

/* ---- FW_M_JUMP: jump to chain @set ---- */

static void jump_render(char *b, size_t n, const struct fw_compiled *c, const struct fw_rule *r)
{
	snprintf(b, n, "jump %s", c->chains[r->set].name);
}

static void jump_emit(struct fw_eb *eb, const struct fw_rule *r)
{
	struct nftnl_expr *e = eb_new(eb, "immediate");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)NFT_JUMP);
	nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, eb->c->chains[r->set].name);
	eb_add(eb, e);
}

const struct fw_match_ops fw_match_ops[_FW_M_MAX] = {
	[FW_M_CT_OK] = { ct_ok_render, ct_ok_emit, NF_ACCEPT },
	[FW_M_CT_INVALID] = { ct_inv_render, ct_inv_emit, NF_DROP },
	[FW_M_LOOPBACK] = { lo_render, lo_emit, NF_ACCEPT },
	[FW_M_ND] = { nd_render, nd_emit, NF_ACCEPT },
	[FW_M_DHCP4] = { dhcp_render, dhcp_emit, NF_ACCEPT },
	[FW_M_DHCP6] = { dhcp_render, dhcp_emit, NF_ACCEPT },
	[FW_M_VMAP] = { vmap_render, vmap_emit, -1 },
	[FW_M_DROP] = { drop_render, drop_emit, NF_DROP },
	[FW_M_SET] = { set_render, set_emit, NF_ACCEPT },
	[FW_M_GROUP_SET] = { gset_render, gset_emit, NF_ACCEPT },
	[FW_M_SPOOF] = { spoof_render, spoof_emit, NF_DROP },
	[FW_M_FAMILY_DROP] = { family_render, family_emit, NF_DROP },
	[FW_M_LOG] = { log_render, log_emit, -1 },
	[FW_M_ADDR_VMAP] = { addr_vmap_render, addr_vmap_emit, -1 },
	[FW_M_OWN] = { own_render, own_emit, NF_ACCEPT },
	[FW_M_ARP_OWN] = { arp_own_render, arp_own_emit, NF_ACCEPT },
	[FW_M_ARP] = { arp_render, arp_emit, NF_ACCEPT },
	[FW_M_NA_GUARD] = { na_render, na_emit, NF_DROP },
	[FW_M_JUMP] = { jump_render, jump_emit, -1 },
};
