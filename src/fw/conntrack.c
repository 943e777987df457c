/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --kill-removed: delete the conntrack entries of flows the new ruleset
 * would no longer let start.
 *
 * gatehouse keeps tracked flows across a re-apply (as AWS does for tracked
 * connections); AWS cuts "untracked" flows at once when their rule goes.
 * Asked to, we do the same for every flow: dump the namespace's conntrack
 * table through ctnetlink (libmnl, no conntrack(8)), evaluate each flow's
 * first packet against the compiled IR (fw_compiled_allows), and delete
 * the entries it would drop.  Flows between two local addresses, and
 * forwarded ones, are left alone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "common/str.h"
#include "fw/internal.h"
#include "fw/kernel_send.h"
#include "fw/nl.h"

/* A delete request is tiny (dumps are read into fw_nl_dump's large buffer). */
#define CT_REQ 1024

struct local_addr {
	int family;
	uint8_t addr[16];
	char ifname[FW_IFNAME_MAX + 1];
};

struct victim {
	uint8_t tuple[256]; /* CTA_TUPLE_ORIG attribute, copied as the kernel sent it */
	uint16_t tuple_len;
	uint16_t zone;
	bool has_zone;
	uint8_t family;
};

struct ct_ctx {
	const struct fw_compiled *c;
	struct local_addr *locals;
	size_t nlocals;
	struct victim *v;
	size_t nv, cv;
	int err;
};

struct tuple {
	int family;
	uint8_t src[16], dst[16];
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t itype, icode;
	bool ok;
};

static int load_locals(struct ct_ctx *x)
{
	struct ifaddrs *ifa, *i;
	size_t cap = 0;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		struct local_addr *l;

		if (!i->ifa_addr ||
		    (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		if (FW_VEC_PUSH(x->locals, x->nlocals, cap, 65536) < 0)
			break;
		l = &x->locals[x->nlocals++];
		memset(l, 0, sizeof(*l));
		gh_strlcpy(l->ifname, i->ifa_name, sizeof(l->ifname));
		if (i->ifa_addr->sa_family == AF_INET) {
			l->family = 4;
			memcpy(l->addr, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, 4);
		} else {
			l->family = 6;
			memcpy(l->addr, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr,
			       16);
		}
	}
	freeifaddrs(ifa);
	return 0;
}

static const char *local_if(const struct ct_ctx *x, int family, const uint8_t *a)
{
	for (size_t i = 0; i < x->nlocals; i++)
		if (x->locals[i].family == family &&
		    !memcmp(x->locals[i].addr, a, family == 4 ? 4 : 16))
			return x->locals[i].ifname;
	return NULL;
}

static int nested_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	/* Attribute types we read are all small; anything else is skipped. */
	if (type >= 0 && type < 32)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void parse_tuple(const struct nlattr *t, struct tuple *out)
{
	const struct nlattr *tb[32] = { 0 }, *ip[32] = { 0 }, *pr[32] = { 0 };

	memset(out, 0, sizeof(*out));
	if (mnl_attr_parse_nested(t, nested_cb, tb) < 0 || !tb[CTA_TUPLE_IP] ||
	    !tb[CTA_TUPLE_PROTO])
		return;
	if (mnl_attr_parse_nested(tb[CTA_TUPLE_IP], nested_cb, ip) < 0 ||
	    mnl_attr_parse_nested(tb[CTA_TUPLE_PROTO], nested_cb, pr) < 0)
		return;
	if (ip[CTA_IP_V4_SRC] && ip[CTA_IP_V4_DST] &&
	    mnl_attr_get_payload_len(ip[CTA_IP_V4_SRC]) == 4 &&
	    mnl_attr_get_payload_len(ip[CTA_IP_V4_DST]) == 4) {
		out->family = 4;
		memcpy(out->src, mnl_attr_get_payload(ip[CTA_IP_V4_SRC]), 4);
		memcpy(out->dst, mnl_attr_get_payload(ip[CTA_IP_V4_DST]), 4);
	} else if (ip[CTA_IP_V6_SRC] && ip[CTA_IP_V6_DST] &&
		   mnl_attr_get_payload_len(ip[CTA_IP_V6_SRC]) == 16 &&
		   mnl_attr_get_payload_len(ip[CTA_IP_V6_DST]) == 16) {
		out->family = 6;
		memcpy(out->src, mnl_attr_get_payload(ip[CTA_IP_V6_SRC]), 16);
		memcpy(out->dst, mnl_attr_get_payload(ip[CTA_IP_V6_DST]), 16);
	} else {
		return;
	}
	if (!pr[CTA_PROTO_NUM] || mnl_attr_get_payload_len(pr[CTA_PROTO_NUM]) < 1)
		return;
	out->proto = mnl_attr_get_u8(pr[CTA_PROTO_NUM]);
	if (pr[CTA_PROTO_SRC_PORT] && mnl_attr_get_payload_len(pr[CTA_PROTO_SRC_PORT]) == 2)
		out->sport = ntohs(mnl_attr_get_u16(pr[CTA_PROTO_SRC_PORT]));
	if (pr[CTA_PROTO_DST_PORT] && mnl_attr_get_payload_len(pr[CTA_PROTO_DST_PORT]) == 2)
		out->dport = ntohs(mnl_attr_get_u16(pr[CTA_PROTO_DST_PORT]));
	if (pr[CTA_PROTO_ICMP_TYPE])
		out->itype = mnl_attr_get_u8(pr[CTA_PROTO_ICMP_TYPE]);
	if (pr[CTA_PROTO_ICMP_CODE])
		out->icode = mnl_attr_get_u8(pr[CTA_PROTO_ICMP_CODE]);
	if (pr[CTA_PROTO_ICMPV6_TYPE])
		out->itype = mnl_attr_get_u8(pr[CTA_PROTO_ICMPV6_TYPE]);
	if (pr[CTA_PROTO_ICMPV6_CODE])
		out->icode = mnl_attr_get_u8(pr[CTA_PROTO_ICMPV6_CODE]);
	out->ok = true;
}

/* Would the new ruleset let this flow's first packet through? */
static bool flow_allowed(const struct ct_ctx *x, const struct tuple *t)
{
	const char *in_if = local_if(x, t->family, t->dst);
	const char *out_if = local_if(x, t->family, t->src);
	uint16_t key = t->dport;

	if (t->proto == IPPROTO_ICMP || t->proto == IPPROTO_ICMPV6)
		key = (uint16_t)(t->itype << 8 | t->icode);
	if (in_if && out_if)
		return true; /* local to local: loopback, always allowed */
	if (in_if)
		return fw_compiled_allows(x->c, true, in_if, t->family, t->src, t->proto, key);
	if (out_if)
		return fw_compiled_allows(x->c, false, out_if, t->family, t->dst, t->proto, key);
	return true; /* forwarded: not ours (no forward hook) */
}

static int ct_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ct_ctx *x = data;
	const struct nlattr *tb[32] = { 0 };
	struct tuple t;
	struct victim *v;

	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), nested_cb, tb) < 0 || !tb[CTA_TUPLE_ORIG])
		return MNL_CB_OK;
	parse_tuple(tb[CTA_TUPLE_ORIG], &t);
	if (!t.ok || flow_allowed(x, &t))
		return MNL_CB_OK;
	if (mnl_attr_get_len(tb[CTA_TUPLE_ORIG]) > sizeof(v->tuple))
		return MNL_CB_OK;
	if (FW_VEC_PUSH(x->v, x->nv, x->cv, 1u << 22) < 0) {
		x->err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	v = &x->v[x->nv++];
	memset(v, 0, sizeof(*v));
	v->tuple_len = mnl_attr_get_len(tb[CTA_TUPLE_ORIG]);
	memcpy(v->tuple, tb[CTA_TUPLE_ORIG], v->tuple_len);
	v->family = t.family == 4 ? AF_INET : AF_INET6;
	if (tb[CTA_ZONE] && mnl_attr_get_payload_len(tb[CTA_ZONE]) == 2) {
		v->zone = mnl_attr_get_u16(tb[CTA_ZONE]);
		v->has_zone = true;
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *ct_hdr(char *buf, uint16_t type, uint16_t flags, uint8_t family,
			       uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	g->res_id = 0;
	return nlh;
}

static void ct_ctx_done(struct ct_ctx *x)
{
	free(x->locals);
	free(x->v);
}

/* Delete the entries in @x->v over @nl; returns how many went. */
static int kill_victims(struct fw_nl *nl, const struct ct_ctx *x, struct diag_list *dl)
{
	char req[CT_REQ];
	int killed = 0;

	for (size_t i = 0; i < x->nv; i++) {
		const struct victim *v = &x->v[i];
		struct nlmsghdr *nlh =
		    ct_hdr(req, IPCTNL_MSG_CT_DELETE, NLM_F_ACK, v->family, nl->seq++);
		int k;

		/* The original tuple exactly as dumped identifies the entry. */
		memcpy((char *)nlh + nlh->nlmsg_len, v->tuple, v->tuple_len);
		nlh->nlmsg_len += MNL_ALIGN(v->tuple_len);
		if (v->has_zone)
			mnl_attr_put_u16(nlh, CTA_ZONE, v->zone);
		k = fw_nl_dump(nl, nlh, NULL, NULL);
		if (k == 0)
			killed++;
		else if (k != -ENOENT) /* already gone: fine */
			diag_add(dl, DIAG_WARNING, "conntrack", "", 0, 0,
				 "deleting a conntrack entry: %s", strerror(-k));
	}
	return killed;
}

int fw_conntrack_kill_removed(const struct fw_compiled *c, struct diag_list *dl)
{
	_cleanup_(ct_ctx_done) struct ct_ctx x = { .c = c };
	_cleanup_(fw_nl_close) struct fw_nl nl = { 0 };
	char req[CT_REQ];
	int r = load_locals(&x);

	if (r < 0)
		return r;
	/* ctnetlink is a subsystem of nfnetlink: the firewall's own socket serves. */
	r = fw_kernel_open(&nl, dl);
	if (r < 0)
		return r;
	r = fw_nl_dump(&nl, ct_hdr(req, IPCTNL_MSG_CT_GET, NLM_F_DUMP, AF_UNSPEC, nl.seq++), ct_cb,
		       &x);
	if (x.err)
		r = x.err;
	if (r < 0) {
		diag_add(dl, DIAG_ERROR, "conntrack", "", 0, 0, "dumping conntrack: %s",
			 strerror(-r));
		return r;
	}
	return kill_victims(&nl, &x, dl);
}
