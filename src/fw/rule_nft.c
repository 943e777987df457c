/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage: a rule's netlink expressions back to nft syntax, for fw diff and
 * apply's repair report.  Both sides of a diff go through here (the
 * compiled side as the nftnl rule apply would send), so equal rules read
 * the same.  It follows the registers the way nft's delinearizer does, for
 * the expressions gatehouse writes and the common hand-written ones; an
 * expression it does not know is printed as libnftnl prints it, in
 * brackets, so that nothing in a rule is hidden.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <string.h>

#include "fw/nftnl_cleanup.h"
#include "fw/rule_nft.h"

/* 32-bit register slots: NFT_REG_1..4 are 16 bytes, NFT_REG32_00.. 4 bytes. */
#define NSLOTS 16

/* What a register slot holds: a load named @what, @len bytes, loaded @seq-th. */
struct slot {
	char what[48];
	uint32_t len, seq;
	uint32_t mask; /* ct state bits after a bitwise and, 0: none */
	enum {
		V_NUM,
		V_PROTO,
		V_FAMILY,
		V_ADDR4,
		V_ADDR6,
		V_IFNAME,
		V_IFINDEX,
		V_CTSTATE,
		V_ETHERTYPE,
		V_ARPHDR /* htype, ptype, hlen, plen in one load */
	} val;
	bool set;
};

struct dec {
	struct slot s[NSLOTS];
	uint32_t seq;
	int nfproto; /* from a meta nfproto (or ether type) match: NFPROTO_IPV4/6, NFPROTO_ARP, or 0
		      */
	int l4proto; /* from a meta l4proto match, or -1 */
	char *buf;
	size_t size, off;
};

static void out(struct dec *d, const char *fmt, ...) GH_PRINTF(2, 3);
static void out(struct dec *d, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (d->off >= d->size)
		return;
	va_start(ap, fmt);
	k = vsnprintf(d->buf + d->off, d->size - d->off, fmt, ap);
	va_end(ap);
	if (k > 0)
		d->off = d->off + (size_t)k < d->size ? d->off + (size_t)k : d->size;
}

/* The first slot of register @reg, or -1. */
static int slot_of(uint32_t reg)
{
	if (reg >= NFT_REG_1 && reg <= NFT_REG_4)
		return (int)(reg - NFT_REG_1) * 4;
	if (reg >= NFT_REG32_00 && reg < NFT_REG32_00 + NSLOTS)
		return (int)(reg - NFT_REG32_00);
	return -1;
}

static struct slot *load(struct dec *d, uint32_t reg, uint32_t len)
{
	int k = slot_of(reg);
	struct slot *s;

	if (k < 0)
		return NULL;
	s = &d->s[k];
	memset(s, 0, sizeof(*s));
	s->set = true;
	s->len = len;
	s->seq = ++d->seq;
	return s;
}

static const char *proto_name(unsigned p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "ipv6-icmp";
	default: return NULL;
	}
}

static void meta(struct dec *d, struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);
	struct slot *s;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG)) {
		out(d, "meta set (key %u) ", key);
		return;
	}
	s = load(d, nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG), 4);
	if (!s)
		return;
	switch (key) {
	case NFT_META_NFPROTO:
		snprintf(s->what, sizeof(s->what), "meta nfproto");
		s->val = V_FAMILY;
		s->len = 1;
		break;
	case NFT_META_L4PROTO:
		snprintf(s->what, sizeof(s->what), "meta l4proto");
		s->val = V_PROTO;
		s->len = 1;
		break;
	case NFT_META_IIF:
		snprintf(s->what, sizeof(s->what), "iif");
		s->val = V_IFINDEX;
		break;
	case NFT_META_OIF:
		snprintf(s->what, sizeof(s->what), "oif");
		s->val = V_IFINDEX;
		break;
	case NFT_META_IIFNAME:
		snprintf(s->what, sizeof(s->what), "iifname");
		s->val = V_IFNAME;
		s->len = 16;
		break;
	case NFT_META_OIFNAME:
		snprintf(s->what, sizeof(s->what), "oifname");
		s->val = V_IFNAME;
		s->len = 16;
		break;
	case NFT_META_MARK: snprintf(s->what, sizeof(s->what), "meta mark"); break;
	default: snprintf(s->what, sizeof(s->what), "meta (key %u)", key); break;
	}
}

/* The nft name of a header field, or "@nh,BITS,BITS" as nft prints raw ones. */
static void payload_name(const struct dec *d, uint32_t base, uint32_t off, uint32_t len,
			 struct slot *s)
{
	const char *l4 = d->l4proto >= 0 ? proto_name((unsigned)d->l4proto) : NULL;

	s->val = V_NUM;
	if (base == NFT_PAYLOAD_LL_HEADER && off == 12 && len == 2) {
		snprintf(s->what, sizeof(s->what), "ether type");
		s->val = V_ETHERTYPE;
		return;
	}
	if (base == NFT_PAYLOAD_NETWORK_HEADER && d->nfproto == NFPROTO_ARP && off == 0 &&
	    len == 6) {
		snprintf(s->what, sizeof(s->what), "arp htype . ptype . hlen . plen");
		s->val = V_ARPHDR;
		return;
	}
	if (base == NFT_PAYLOAD_NETWORK_HEADER && d->nfproto == NFPROTO_ARP && off == 14 &&
	    len == 4) {
		snprintf(s->what, sizeof(s->what), "arp saddr ip");
		s->val = V_ADDR4;
		return;
	}
	if (base == NFT_PAYLOAD_NETWORK_HEADER && d->nfproto == NFPROTO_IPV4) {
		const char *f = off == 12 && len == 4	? "saddr"
				: off == 16 && len == 4 ? "daddr"
				: off == 9 && len == 1	? "protocol"
				: off == 8 && len == 1	? "ttl"
							: NULL;
		if (f) {
			snprintf(s->what, sizeof(s->what), "ip %s", f);
			s->val = len == 4 ? V_ADDR4 : off == 9 ? V_PROTO : V_NUM;
			return;
		}
	} else if (base == NFT_PAYLOAD_NETWORK_HEADER && d->nfproto == NFPROTO_IPV6) {
		const char *f = off == 8 && len == 16	 ? "saddr"
				: off == 24 && len == 16 ? "daddr"
				: off == 6 && len == 1	 ? "nexthdr"
				: off == 7 && len == 1	 ? "hoplimit"
							 : NULL;
		if (f) {
			snprintf(s->what, sizeof(s->what), "ip6 %s", f);
			s->val = len == 16 ? V_ADDR6 : off == 6 ? V_PROTO : V_NUM;
			return;
		}
	} else if (base == NFT_PAYLOAD_TRANSPORT_HEADER) {
		bool icmp = d->l4proto == IPPROTO_ICMP || d->l4proto == IPPROTO_ICMPV6;
		const char *h = d->l4proto == IPPROTO_ICMPV6 ? "icmpv6" : l4 ? l4 : "th";

		if (icmp && len == 1 && off <= 1) {
			snprintf(s->what, sizeof(s->what), "%s %s", h, off ? "code" : "type");
			return;
		}
		if (!icmp && len == 2 && (off == 0 || off == 2)) {
			snprintf(s->what, sizeof(s->what), "%s %s", h, off ? "dport" : "sport");
			return;
		}
		if (!icmp && len == 4 && off == 0) {
			/* sport and dport in one load, as nft merges them. */
			snprintf(s->what, sizeof(s->what), "%s sport . %s dport", h, h);
			return;
		}
	}
	snprintf(s->what, sizeof(s->what), "@%s,%u,%u",
		 base == NFT_PAYLOAD_LL_HEADER	      ? "ll"
		 : base == NFT_PAYLOAD_NETWORK_HEADER ? "nh"
						      : "th",
		 off * 8, len * 8);
}

static void payload(struct dec *d, struct nftnl_expr *e)
{
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
	struct slot *s;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_DREG)) {
		out(d, "[payload write] ");
		return;
	}
	s = load(d, nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG), len);
	if (s)
		payload_name(d, nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE),
			     nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET), len, s);
}

static void ct(struct dec *d, struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY);
	struct slot *s;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_CT_DREG)) {
		out(d, "ct set (key %u) ", key);
		return;
	}
	s = load(d, nftnl_expr_get_u32(e, NFTNL_EXPR_CT_DREG), 4);
	if (!s)
		return;
	if (key == NFT_CT_STATE) {
		snprintf(s->what, sizeof(s->what), "ct state");
		s->val = V_CTSTATE;
	} else {
		snprintf(s->what, sizeof(s->what), "ct (key %u)", key);
	}
}

static void bitwise(struct dec *d, struct nftnl_expr *e)
{
	int k = slot_of(nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG));
	uint32_t ml = 0, mask = 0;
	const void *m = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &ml);

	if (k < 0 || !d->s[k].set || !m || ml != 4 ||
	    nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG) !=
		nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG)) {
		out(d, "[bitwise] ");
		return;
	}
	memcpy(&mask, m, 4);
	d->s[k].mask = mask ? mask : 0xffffffffu;
}

/* ct state bits as nft names them (NF_CT_STATE_BIT and friends). */
static void ct_state_text(struct dec *d, uint32_t bits)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = { { 1, "invalid" },
		      { 2, "established" },
		      { 4, "related" },
		      { 8, "new" },
		      { 64, "untracked" } };
	const char *sep = "";

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (bits & names[i].bit) {
			out(d, "%s%s", sep, names[i].name);
			sep = ",";
		}
	if (!*sep)
		out(d, "0x%x", bits);
}

/* Value @v of @len bytes as slot @s's field reads it. */
static void value(struct dec *d, const struct slot *s, const uint8_t *v, uint32_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (s->val == V_ADDR4 && len == 4 && inet_ntop(AF_INET, v, a, sizeof(a))) {
		out(d, "%s", a);
	} else if (s->val == V_ADDR6 && len == 16 && inet_ntop(AF_INET6, v, a, sizeof(a))) {
		out(d, "%s", a);
	} else if (s->val == V_IFNAME) {
		out(d, "\"%.*s\"", (int)strnlen((const char *)v, len), (const char *)v);
	} else if (s->val == V_IFINDEX && len == 4) {
		uint32_t i;

		memcpy(&i, v, 4);
		if (i == 1)
			out(d, "\"lo\"");
		else
			out(d, "%u", i);
	} else if (s->val == V_FAMILY && len == 1) {
		out(d, "%s", v[0] == NFPROTO_IPV4 ? "ipv4" : v[0] == NFPROTO_IPV6 ? "ipv6" : "?");
	} else if (s->val == V_ETHERTYPE && len == 2 && (v[0] == 0x08 || v[0] == 0x86)) {
		unsigned t = (unsigned)v[0] << 8 | v[1];

		out(d, "%s", t == 0x0800 ? "ip" : t == 0x86dd ? "ip6" : t == 0x0806 ? "arp" : "?");
	} else if (s->val == V_PROTO && len == 1 && proto_name(v[0])) {
		out(d, "%s", proto_name(v[0]));
	} else if (len == 1) {
		out(d, "%u", v[0]);
	} else if (len == 2) {
		out(d, "%u", (unsigned)v[0] << 8 | v[1]);
	} else {
		out(d, "0x");
		for (uint32_t i = 0; i < len; i++)
			out(d, "%02x", v[i]);
	}
}

static const char *cmp_op(uint32_t op)
{
	switch (op) {
	case NFT_CMP_EQ: return "";
	case NFT_CMP_NEQ: return "!= ";
	case NFT_CMP_LT: return "< ";
	case NFT_CMP_LTE: return "<= ";
	case NFT_CMP_GT: return "> ";
	case NFT_CMP_GTE: return ">= ";
	}
	return "?? ";
}

/*
 * @e is a cmp; @next the expression after it (NULL: none).  Returns true
 * when @next was consumed too (a >= and <= pair printed as a range).
 */
static bool cmp(struct dec *d, struct nftnl_expr *e, struct nftnl_expr *next)
{
	int k = slot_of(nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG));
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), len = 0;
	const uint8_t *v = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
	const struct slot *s;

	if (k < 0 || !d->s[k].set || !v) {
		out(d, "[cmp] ");
		return false;
	}
	s = &d->s[k];
	if (s->val == V_CTSTATE && s->mask && len == 4) {
		uint32_t x;

		memcpy(&x, v, 4);
		if (!x) {
			out(d, "%s %s", s->what, op == NFT_CMP_NEQ ? "" : "!= ");
			ct_state_text(d, s->mask);
			out(d, " ");
			return false;
		}
	}
	if (s->len == 4 && len == 4 && strstr(s->what, "sport . ")) {
		/* "udp sport A . udp dport B" reads as two matches. */
		const char *h = s->what;
		int hl = (int)strcspn(h, " ");

		out(d, "%.*s sport %s%u %.*s dport %s%u ", hl, h, cmp_op(op),
		    (unsigned)v[0] << 8 | v[1], hl, h, cmp_op(op), (unsigned)v[2] << 8 | v[3]);
		return false;
	}
	if (op == NFT_CMP_EQ && s->val == V_ARPHDR && len == 6 &&
	    !memcmp(v, "\x00\x01\x08\x00\x06\x04", 6)) {
		/* Ethernet and IPv4, as nft writes the four matches. */
		out(d, "arp htype 1 arp ptype ip arp hlen 6 arp plen 4 ");
		return false;
	}
	if (op == NFT_CMP_EQ && s->val == V_FAMILY && len == 1)
		d->nfproto = v[0];
	if (op == NFT_CMP_EQ && s->val == V_ETHERTYPE && len == 2)
		d->nfproto = v[0] == 0x86 && v[1] == 0xdd   ? NFPROTO_IPV6
			     : v[0] == 0x08 && v[1] == 0x00 ? NFPROTO_IPV4
			     : v[0] == 0x08 && v[1] == 0x06 ? NFPROTO_ARP
							    : 0;
	if (op == NFT_CMP_EQ && s->val == V_PROTO && len == 1)
		d->l4proto = v[0];
	if (op == NFT_CMP_GTE && next &&
	    !strcmp(nftnl_expr_get_str(next, NFTNL_EXPR_NAME), "cmp") &&
	    nftnl_expr_get_u32(next, NFTNL_EXPR_CMP_SREG) ==
		nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG) &&
	    nftnl_expr_get_u32(next, NFTNL_EXPR_CMP_OP) == NFT_CMP_LTE) {
		uint32_t hl = 0;
		const uint8_t *hi = nftnl_expr_get(next, NFTNL_EXPR_CMP_DATA, &hl);

		if (hi) {
			out(d, "%s ", s->what);
			value(d, s, v, len);
			out(d, "-");
			value(d, s, hi, hl);
			out(d, " ");
			return true;
		}
	}
	out(d, "%s %s", s->what, cmp_op(op));
	value(d, s, v, len);
	out(d, " ");
	return false;
}

/* The fields loaded from register @reg on, in load order: "a . b . c". */
static void concat(struct dec *d, uint32_t reg)
{
	int k = slot_of(reg);
	uint32_t last = 0;
	const char *sep = "";

	while (k >= 0 && k < NSLOTS && d->s[k].set && d->s[k].seq > last) {
		struct slot *s = &d->s[k];

		out(d, "%s%s", sep, s->what);
		sep = " . ";
		last = s->seq;
		s->set = false; /* consumed: not part of a later concatenation */
		k += (int)((s->len + 3) / 4);
	}
	if (!*sep)
		out(d, "(register %u)", reg);
}

static void lookup(struct dec *d, struct nftnl_expr *e)
{
	uint32_t flags = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS)
			     ? nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS)
			     : 0;
	bool vmap = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG);

	concat(d, nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG));
	out(d, " %s@%s ",
	    vmap		       ? "vmap "
	    : flags & NFT_LOOKUP_F_INV ? "!= "
				       : "",
	    nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET));
}

static void immediate(struct dec *d, struct nftnl_expr *e)
{
	int v;

	if (nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG) != NFT_REG_VERDICT) {
		out(d, "[immediate data] ");
		return;
	}
	v = (int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
	switch (v) {
	case NF_ACCEPT: out(d, "accept "); break;
	case NF_DROP: out(d, "drop "); break;
	case NFT_RETURN: out(d, "return "); break;
	case NFT_CONTINUE: out(d, "continue "); break;
	case NFT_JUMP:
	case NFT_GOTO:
		out(d, "%s %s ", v == NFT_JUMP ? "jump" : "goto",
		    nftnl_expr_is_set(e, NFTNL_EXPR_IMM_CHAIN)
			? nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN)
			: "?");
		break;
	default: out(d, "verdict %d ", v); break;
	}
}

static void limit(struct dec *d, struct nftnl_expr *e)
{
	uint64_t unit = nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_UNIT);
	bool bytes = nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_TYPE) == NFT_LIMIT_PKT_BYTES;

	out(d, "limit rate %s%llu%s/%s burst %u %s ",
	    nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_FLAGS) & NFT_LIMIT_F_INV ? "over " : "",
	    (unsigned long long)nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_RATE), bytes ? " bytes" : "",
	    unit == 1	   ? "second"
	    : unit == 60   ? "minute"
	    : unit == 3600 ? "hour"
			   : "day",
	    nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_BURST), bytes ? "bytes" : "packets");
}

static void log_expr(struct dec *d, struct nftnl_expr *e)
{
	out(d, "log");
	if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_PREFIX))
		out(d, " prefix \"%s\"", nftnl_expr_get_str(e, NFTNL_EXPR_LOG_PREFIX));
	if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP))
		out(d, " group %u", nftnl_expr_get_u16(e, NFTNL_EXPR_LOG_GROUP));
	out(d, " ");
}

/* What nft has no syntax for here: libnftnl's own text, in brackets. */
static void raw(struct dec *d, struct nftnl_expr *e, const char *name)
{
	char tmp[512];

	nftnl_expr_snprintf(tmp, sizeof(tmp), e, NFTNL_OUTPUT_DEFAULT, 0);
	out(d, "[%s %s] ", name, tmp);
}

void fw_rule_nft(struct nftnl_rule *r, char *buf, size_t size)
{
	_cleanup_(nftnl_expr_iter_destroyp) struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct dec d = { .l4proto = -1, .buf = buf, .size = size };
	struct nftnl_expr *e, *next;

	buf[0] = '\0';
	if (!it || !size)
		return;
	e = nftnl_expr_iter_next(it);
	while (e) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

		next = nftnl_expr_iter_next(it);
		if (!strcmp(name, "meta"))
			meta(&d, e);
		else if (!strcmp(name, "payload"))
			payload(&d, e);
		else if (!strcmp(name, "ct"))
			ct(&d, e);
		else if (!strcmp(name, "bitwise"))
			bitwise(&d, e);
		else if (!strcmp(name, "byteorder"))
			; /* turns a loaded field's byte order: the field reads the same */
		else if (!strcmp(name, "cmp")) {
			if (cmp(&d, e, next) && next)
				next = nftnl_expr_iter_next(it);
		} else if (!strcmp(name, "lookup"))
			lookup(&d, e);
		else if (!strcmp(name, "immediate"))
			immediate(&d, e);
		else if (!strcmp(name, "counter"))
			out(&d, "counter ");
		else if (!strcmp(name, "limit"))
			limit(&d, e);
		else if (!strcmp(name, "log"))
			log_expr(&d, e);
		else if (!strcmp(name, "reject"))
			out(&d, "reject ");
		else
			raw(&d, e, name);
		e = next;
	}
	/* No trailing blank. */
	d.off = strlen(buf);
	while (d.off && buf[d.off - 1] == ' ')
		buf[--d.off] = '\0';
}
