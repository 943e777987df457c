/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage 5b: IR -> libnftnl objects, appended to one netlink batch.
 *
 * Measured here and in the kernel's code: NEWRULE always appends, so the
 * table is replaced in the same transaction (NEWTABLE to create it if it is
 * missing, DELTABLE, NEWTABLE); sets created in the batch are referenced by
 * set id; element lists are split over several NEWSETELEM messages because
 * attribute lengths are 16 bits.
 */
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_bridge.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <stdlib.h>
#include <string.h>

#include "fw/emit.h"
#include "fw/match.h"
#include "fw/nftnl_cleanup.h"

/*
 * Batch pages: 256 KiB each (a 50,000-rule ruleset is a few MiB, so a few
 * dozen pages), and room for the largest single message past the page end:
 * element messages are cut at FW_ELEM_MSG_BYTES, well under 64 KiB
 * (NFTA_SET_ELEM_LIST_ELEMENTS is one attribute with a 16-bit length).
 */
#define FW_BATCH_PAGE (256u << 10)
#define FW_BATCH_OVERRUN (128u << 10)
#define FW_ELEM_MSG_BYTES (48u << 10)

/* nft's datatype ids (nftables include/datatype.h), and its concat encoding. */
enum {
	NFT_TYPE_VERDICT = 1,
	NFT_TYPE_IPADDR = 7,
	NFT_TYPE_IP6ADDR = 8,
	NFT_TYPE_INET_PROTOCOL = 12,
	NFT_TYPE_INET_SERVICE = 13,
	NFT_TYPE_ICMP_TYPE = 14,
	NFT_TYPE_ICMP6_TYPE = 29,
	NFT_TYPE_ICMP_CODE = 32,
	NFT_TYPE_ICMPV6_CODE = 33,
	NFT_TYPE_IFNAME = 41,
	NFT_TYPE_BITS = 6,
};

/* nft's byte order values in set userdata: host 1, big endian 2. */
#define NFT_BYTEORDER_HOST 1
#define NFT_BYTEORDER_BIG 2

int fw_tx_init(struct fw_tx *tx, uint32_t seq)
{
	memset(tx, 0, sizeof(*tx));
	tx->b = nftnl_batch_alloc(FW_BATCH_PAGE, FW_BATCH_OVERRUN);
	tx->seq = seq;
	return tx->b ? 0 : -ENOMEM;
}

void fw_tx_done(struct fw_tx *tx)
{
	for (size_t i = 0; i < tx->nmsgs; i++) {
		free(tx->msgs[i].elems);
		free(tx->msgs[i].elem_off);
	}
	free(tx->msgs);
	if (tx->b)
		nftnl_batch_free(tx->b);
	memset(tx, 0, sizeof(*tx));
}

int fw_tx_update(struct fw_tx *tx)
{
	return nftnl_batch_update(tx->b) < 0 ? -ENOMEM : 0;
}

int fw_tx_begin(struct fw_tx *tx)
{
	nftnl_batch_begin(nftnl_batch_buffer(tx->b), tx->seq++);
	return fw_tx_update(tx);
}

int fw_tx_end(struct fw_tx *tx)
{
	nftnl_batch_end(nftnl_batch_buffer(tx->b), tx->seq++);
	return fw_tx_update(tx);
}

const struct fw_msginfo *fw_tx_find(const struct fw_tx *tx, uint32_t seq)
{
	/* Sequence numbers grow with the index: binary search. */
	size_t lo = 0, hi = tx->nmsgs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tx->msgs[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < tx->nmsgs && tx->msgs[lo].seq == seq ? &tx->msgs[lo] : NULL;
}

struct nlmsghdr *fw_tx_msg_start(struct fw_tx *tx, uint16_t type, uint16_t flags, const char *what,
				 const char *comment)
{
	return fw_tx_msg_start_family(tx, type, flags, NFPROTO_INET, what, comment);
}

struct nlmsghdr *fw_tx_msg_start_family(struct fw_tx *tx, uint16_t type, uint16_t flags,
					uint8_t family, const char *what, const char *comment)
{
	struct fw_msginfo *m;

	if (FW_VEC_PUSH(tx->msgs, tx->nmsgs, tx->cmsgs, SIZE_MAX / sizeof(*m)) < 0)
		return NULL;
	m = &tx->msgs[tx->nmsgs++];
	memset(m, 0, sizeof(*m));
	m->seq = tx->seq;
	m->type = type;
	m->what = what;
	m->comment = comment;
	return nftnl_nlmsg_build_hdr(nftnl_batch_buffer(tx->b), type, family, flags | NLM_F_ACK,
				     tx->seq++);
}

static int put_comment_udata(uint8_t type, const char *comment, void *obj,
			     void (*set)(void *obj, const void *data, uint32_t len))
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(FW_COMMENT_MAX + 64);

	if (!ud)
		return -ENOMEM;
	if (!nftnl_udata_put_strz(ud, type, comment)) {
		nftnl_udata_buf_free(ud);
		return -E2BIG;
	}
	set(obj, nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return 0;
}

static void set_rule_udata(void *o, const void *d, uint32_t l)
{
	nftnl_rule_set_data(o, NFTNL_RULE_USERDATA, d, l);
}

static void set_chain_udata(void *o, const void *d, uint32_t l)
{
	nftnl_chain_set_data(o, NFTNL_CHAIN_USERDATA, d, l);
}

static void set_elem_udata(void *o, const void *d, uint32_t l)
{
	nftnl_set_elem_set(o, NFTNL_SET_ELEM_USERDATA, d, l);
}

/* ---- keys ---- */

static bool set_is_concat(const struct fw_set *s)
{
	return s->kind == FW_SK_ADDR_PORT || s->kind == FW_SK_ADDR_ICMP ||
	       s->kind == FW_SK_ADDR_PROTO || s->kind == FW_SK_ICMP;
}

static uint32_t addr_len(const struct fw_set *s)
{
	return s->family == 6 ? 16 : 4;
}

uint32_t fw_set_key_len(const struct fw_set *s)
{
	switch (s->kind) {
	case FW_SK_ADDR: return addr_len(s);
	case FW_SK_ADDR_PORT:
	case FW_SK_ADDR_PROTO: return addr_len(s) + 4;
	case FW_SK_ADDR_ICMP: return addr_len(s) + 8;
	case FW_SK_PORT: return 2;
	case FW_SK_ICMP: return 8;
	case FW_SK_PROTO: return 1;
	case FW_SK_IFNAME_VMAP: return FW_IFNAME_MAX + 1; /* IFNAMSIZ */
	case FW_SK_ADDR_VMAP: return addr_len(s);
	}
	return 0;
}

static uint32_t concat_type(const uint32_t *t, size_t n)
{
	uint32_t type = 0;

	for (size_t i = 0; i < n; i++)
		type = type << NFT_TYPE_BITS | t[i];
	return type;
}

uint32_t fw_set_key_type(const struct fw_set *s)
{
	uint32_t a = s->family == 6 ? NFT_TYPE_IP6ADDR : NFT_TYPE_IPADDR;
	uint32_t it = s->family == 6 ? NFT_TYPE_ICMP6_TYPE : NFT_TYPE_ICMP_TYPE;
	uint32_t ic = s->family == 6 ? NFT_TYPE_ICMPV6_CODE : NFT_TYPE_ICMP_CODE;

	switch (s->kind) {
	case FW_SK_ADDR: return a;
	case FW_SK_ADDR_PORT: return concat_type((uint32_t[]){ a, NFT_TYPE_INET_SERVICE }, 2);
	case FW_SK_ADDR_ICMP: return concat_type((uint32_t[]){ a, it, ic }, 3);
	case FW_SK_ADDR_PROTO: return concat_type((uint32_t[]){ a, NFT_TYPE_INET_PROTOCOL }, 2);
	case FW_SK_PORT: return NFT_TYPE_INET_SERVICE;
	case FW_SK_ICMP: return concat_type((uint32_t[]){ it, ic }, 2);
	case FW_SK_PROTO: return NFT_TYPE_INET_PROTOCOL;
	case FW_SK_IFNAME_VMAP: return NFT_TYPE_IFNAME;
	case FW_SK_ADDR_VMAP: return a;
	}
	return 0;
}

bool fw_set_kind_from_type(uint32_t type, uint8_t *kind, uint8_t *family)
{
	for (uint8_t k = 0; k < _FW_SK_MAX; k++)
		for (uint8_t f = 4; f <= 6; f += 2) {
			struct fw_set s = { .kind = k, .family = f };

			if (fw_set_key_type(&s) == type) {
				*kind = k;
				*family =
				    (k == FW_SK_PORT || k == FW_SK_PROTO || k == FW_SK_IFNAME_VMAP)
					? 0
					: f;
				return true;
			}
		}
	return false;
}

static void put_addr(const struct fw_set *s, struct fw_addr a, uint8_t *p)
{
	fw_addr_to_bytes(s->family == 6 ? 6 : 4, a, p);
}

static struct fw_addr addr_next(struct fw_addr a)
{
	if (++a.lo == 0)
		a.hi++;
	return a;
}

enum fw_keyend fw_elem_key(const struct fw_set *s, const struct fw_elem *e, uint8_t *key,
			   uint32_t *klen, uint8_t *kend, uint32_t *kelen)
{
	uint32_t al = addr_len(s);
	uint32_t n = fw_set_key_len(s);

	memset(key, 0, 64);
	memset(kend, 0, 64);
	*klen = *kelen = n;
	switch (s->kind) {
	case FW_SK_IFNAME_VMAP:
		memcpy(key, e->ifname, strnlen(e->ifname, FW_IFNAME_MAX + 1));
		return FW_KEYEND_NONE;
	case FW_SK_ADDR_VMAP: put_addr(s, e->alo, key); return FW_KEYEND_NONE;
	case FW_SK_ADDR:
		put_addr(s, e->alo, key);
		if (!fw_addr_cmp(e->ahi, fw_addr_max(s->family)))
			return FW_KEYEND_OPEN;
		put_addr(s, addr_next(e->ahi), kend);
		return FW_KEYEND_ELEM;
	case FW_SK_PORT:
		key[0] = (uint8_t)(e->k1lo >> 8);
		key[1] = (uint8_t)e->k1lo;
		if (e->k1hi >= 65535)
			return FW_KEYEND_OPEN;
		kend[0] = (uint8_t)((e->k1hi + 1) >> 8);
		kend[1] = (uint8_t)(e->k1hi + 1);
		return FW_KEYEND_ELEM;
	case FW_SK_PROTO:
		key[0] = (uint8_t)e->k1lo;
		if (e->k1hi >= 255)
			return FW_KEYEND_OPEN;
		kend[0] = (uint8_t)(e->k1hi + 1);
		return FW_KEYEND_ELEM;
	case FW_SK_ICMP:
		key[0] = (uint8_t)e->k1lo;
		key[4] = (uint8_t)e->k2lo;
		kend[0] = (uint8_t)e->k1hi;
		kend[4] = (uint8_t)e->k2hi;
		return FW_KEYEND_ATTR;
	default: break;
	}
	/* Concatenations with an address first; each field padded to 32 bits. */
	put_addr(s, e->alo, key);
	put_addr(s, e->ahi, kend);
	if (s->kind == FW_SK_ADDR_PORT) {
		key[al] = (uint8_t)(e->k1lo >> 8);
		key[al + 1] = (uint8_t)e->k1lo;
		kend[al] = (uint8_t)(e->k1hi >> 8);
		kend[al + 1] = (uint8_t)e->k1hi;
	} else if (s->kind == FW_SK_ADDR_PROTO) {
		key[al] = (uint8_t)e->k1lo;
		kend[al] = (uint8_t)e->k1hi;
	} else {
		key[al] = (uint8_t)e->k1lo;
		key[al + 4] = (uint8_t)e->k2lo;
		kend[al] = (uint8_t)e->k1hi;
		kend[al + 4] = (uint8_t)e->k2hi;
	}
	return s->exact ? FW_KEYEND_NONE : FW_KEYEND_ATTR;
}

void fw_elem_from_key(const struct fw_set *s, const uint8_t *key, uint32_t klen,
		      const uint8_t *kend, uint32_t kelen, struct fw_elem *e)
{
	int fam = s->family == 6 ? 6 : 4;
	uint32_t al = addr_len(s);
	uint8_t z[64] = { 0 };

	if (!kend || kelen < klen) {
		kend = key;
		kelen = klen;
	}
	if (klen < fw_set_key_len(s) || kelen < fw_set_key_len(s)) {
		key = kend = z;
	}
	switch (s->kind) {
	case FW_SK_ADDR:
	case FW_SK_ADDR_VMAP:
		e->alo = fw_addr_from_bytes(fam, key);
		e->ahi = fw_addr_from_bytes(fam, kend);
		return;
	case FW_SK_PORT:
		e->k1lo = (uint32_t)key[0] << 8 | key[1];
		e->k1hi = (uint32_t)kend[0] << 8 | kend[1];
		return;
	case FW_SK_PROTO:
		e->k1lo = key[0];
		e->k1hi = kend[0];
		return;
	case FW_SK_ICMP:
		e->k1lo = key[0];
		e->k2lo = key[4];
		e->k1hi = kend[0];
		e->k2hi = kend[4];
		return;
	case FW_SK_IFNAME_VMAP: return;
	default: break;
	}
	e->alo = fw_addr_from_bytes(fam, key);
	e->ahi = fw_addr_from_bytes(fam, kend);
	if (s->kind == FW_SK_ADDR_PORT) {
		e->k1lo = (uint32_t)key[al] << 8 | key[al + 1];
		e->k1hi = (uint32_t)kend[al] << 8 | kend[al + 1];
	} else {
		e->k1lo = key[al];
		e->k1hi = kend[al];
		e->k2lo = key[al + 4];
		e->k2hi = kend[al + 4];
	}
}

/* ---- objects ---- */

uint8_t fw_family(bool bridge)
{
	return bridge ? NFPROTO_BRIDGE : NFPROTO_INET;
}

/*
 * A table message of @type: table inet gatehouse, or with @bridge table
 * bridge gatehouse; @full: with its comment (and for inet, the structure
 * hash that describes both).
 */
static int emit_table(struct fw_tx *tx, const struct fw_compiled *c, uint16_t type, bool bridge,
		      bool full)
{
	_cleanup_(nftnl_table_freep) struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, FW_TABLE_NAME);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, fw_family(bridge));
	if (full && bridge) {
		struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(FW_COMMENT_MAX + 64);

		if (!ud)
			return -ENOMEM;
		nftnl_udata_put_strz(ud, NFTNL_UDATA_TABLE_COMMENT, c->bridge_comment);
		nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(ud),
				     nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
	} else if (full) {
		struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(FW_COMMENT_MAX + 64);

		if (!ud)
			return -ENOMEM;
		nftnl_udata_put_strz(ud, NFTNL_UDATA_TABLE_COMMENT, c->comment);
		nftnl_udata_put(ud, FW_UDATA_TABLE_HASH, sizeof(c->structure_hash),
				&c->structure_hash);
		nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(ud),
				     nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
	}
	nlh = fw_tx_msg_start_family(tx, type, type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0,
				     fw_family(bridge),
				     type == NFT_MSG_DELTABLE ? "delete of the previous table"
				     : bridge		      ? "table bridge"
							      : "table",
				     c ? (bridge ? c->bridge_comment : c->comment) : NULL);
	if (!nlh)
		return -ENOMEM;
	nftnl_table_nlmsg_build_payload(nlh, t);
	return fw_tx_update(tx);
}

static int emit_chain(struct fw_tx *tx, const struct fw_chain *ch)
{
	_cleanup_(nftnl_chain_freep) struct nftnl_chain *nc = nftnl_chain_alloc();
	struct nlmsghdr *nlh;
	int r;

	if (!nc)
		return -ENOMEM;
	nftnl_chain_set_str(nc, NFTNL_CHAIN_TABLE, FW_TABLE_NAME);
	nftnl_chain_set_str(nc, NFTNL_CHAIN_NAME, ch->name);
	nftnl_chain_set_u32(nc, NFTNL_CHAIN_FAMILY, fw_family(ch->bridge));
	if (ch->base && ch->bridge) {
		/* Before br_netfilter (priority 0) hands IP frames to the inet hooks;
		 * what is not a bridged guest port's is not ours: policy accept. */
		nftnl_chain_set_str(nc, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(nc, NFTNL_CHAIN_HOOKNUM,
				    ch->in ? NF_BR_PRE_ROUTING : NF_BR_POST_ROUTING);
		nftnl_chain_set_s32(nc, NFTNL_CHAIN_PRIO, FW_BRIDGE_PRIO);
		nftnl_chain_set_u32(nc, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	} else if (ch->base) {
		nftnl_chain_set_str(nc, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(nc, NFTNL_CHAIN_HOOKNUM,
				    ch->fwd  ? NF_INET_FORWARD
				    : ch->in ? NF_INET_LOCAL_IN
					     : NF_INET_LOCAL_OUT);
		nftnl_chain_set_s32(nc, NFTNL_CHAIN_PRIO, 0);
		/* forward: what touches no guest port is not ours to drop. */
		nftnl_chain_set_u32(nc, NFTNL_CHAIN_POLICY, ch->fwd ? NF_ACCEPT : NF_DROP);
	}
	r = put_comment_udata(NFTNL_UDATA_CHAIN_COMMENT, ch->comment, nc, set_chain_udata);
	if (r < 0)
		return r;
	nlh = fw_tx_msg_start_family(tx, NFT_MSG_NEWCHAIN, NLM_F_CREATE, fw_family(ch->bridge),
				     ch->name, ch->comment);
	if (!nlh)
		return -ENOMEM;
	nftnl_chain_nlmsg_build_payload(nlh, nc);
	return fw_tx_update(tx);
}

uint32_t fw_set_flags(const struct fw_set *s)
{
	if (fw_set_is_vmap(s))
		return NFT_SET_MAP;
	if (s->exact)
		return 0;
	return set_is_concat(s) ? NFT_SET_INTERVAL | NFT_SET_CONCAT : NFT_SET_INTERVAL;
}

static struct nftnl_set *set_obj(const struct fw_compiled *c, size_t i, bool full)
{
	const struct fw_set *s = &c->sets[i];
	struct nftnl_set *ns = nftnl_set_alloc();

	if (!ns)
		return NULL;
	nftnl_set_set_str(ns, NFTNL_SET_TABLE, FW_TABLE_NAME);
	nftnl_set_set_str(ns, NFTNL_SET_NAME, s->name);
	nftnl_set_set_u32(ns, NFTNL_SET_FAMILY, fw_family(s->bridge));
	nftnl_set_set_u32(ns, NFTNL_SET_ID, fw_set_id(i));
	if (!full)
		return ns;
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_TYPE, fw_set_key_type(s));
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_LEN, fw_set_key_len(s));
	nftnl_set_set_u32(ns, NFTNL_SET_FLAGS, fw_set_flags(s));
	if (fw_set_is_vmap(s)) {
		nftnl_set_set_u32(ns, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
	} else if (s->exact) {
		/* A hash set: no interval, no concat description needed. */
	} else if (set_is_concat(s)) {
		uint8_t fl[4] = { 0 };
		uint32_t n = 0;

		if (s->kind != FW_SK_ICMP)
			fl[n++] = (uint8_t)addr_len(s);
		switch (s->kind) {
		case FW_SK_ADDR_PORT: fl[n++] = 2; break;
		case FW_SK_ADDR_PROTO: fl[n++] = 1; break;
		default:
			fl[n++] = 1;
			fl[n++] = 1;
			break;
		}
		nftnl_set_set_data(ns, NFTNL_SET_DESC_CONCAT, fl, n);
	}
	{
		struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(FW_COMMENT_MAX + 64);

		if (!ud) {
			nftnl_set_free(ns);
			return NULL;
		}
		nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
				    s->kind == FW_SK_IFNAME_VMAP ? NFT_BYTEORDER_HOST
								 : NFT_BYTEORDER_BIG);
		nftnl_udata_put_strz(ud, NFTNL_UDATA_SET_COMMENT, s->comment);
		nftnl_set_set_data(ns, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud),
				   nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
	}
	return ns;
}

static int emit_set(struct fw_tx *tx, const struct fw_compiled *c, size_t i)
{
	struct nftnl_set *ns = set_obj(c, i, true);
	struct nlmsghdr *nlh;
	int r;

	if (!ns)
		return -ENOMEM;
	nlh = fw_tx_msg_start_family(tx, NFT_MSG_NEWSET, NLM_F_CREATE, fw_family(c->sets[i].bridge),
				     c->sets[i].name, c->sets[i].comment);
	if (!nlh) {
		nftnl_set_free(ns);
		return -ENOMEM;
	}
	nftnl_set_nlmsg_build_payload(nlh, ns);
	nftnl_set_free(ns);
	r = fw_tx_update(tx);
	return r;
}

/* One kernel element (and its interval end when it has one). */
static int add_elem(struct nftnl_set *ns, const struct fw_compiled *c, const struct fw_set *s,
		    const struct fw_elem *e, size_t *bytes)
{
	uint8_t key[64], kend[64];
	uint32_t klen, kelen;
	enum fw_keyend ke = fw_elem_key(s, e, key, &klen, kend, &kelen);
	struct nftnl_set_elem *ne = nftnl_set_elem_alloc();
	int r;

	if (!ne)
		return -ENOMEM;
	nftnl_set_elem_set(ne, NFTNL_SET_ELEM_KEY, key, klen);
	if (ke == FW_KEYEND_ATTR)
		nftnl_set_elem_set(ne, NFTNL_SET_ELEM_KEY_END, kend, kelen);
	if (fw_set_is_vmap(s)) {
		nftnl_set_elem_set_u32(ne, NFTNL_SET_ELEM_VERDICT, (uint32_t)NFT_JUMP);
		nftnl_set_elem_set_str(ne, NFTNL_SET_ELEM_CHAIN, c->chains[e->chain].name);
	}
	r = put_comment_udata(NFTNL_UDATA_SET_ELEM_COMMENT, e->comment, ne, set_elem_udata);
	if (r < 0) {
		nftnl_set_elem_free(ne);
		return r;
	}
	nftnl_set_elem_add(ns, ne);
	*bytes += 2 * klen + strlen(e->comment) + 64;
	if (ke == FW_KEYEND_ELEM) {
		ne = nftnl_set_elem_alloc();
		if (!ne)
			return -ENOMEM;
		nftnl_set_elem_set(ne, NFTNL_SET_ELEM_KEY, kend, kelen);
		nftnl_set_elem_set_u32(ne, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
		nftnl_set_elem_add(ns, ne);
		*bytes += klen + 32;
	}
	return 0;
}

/*
 * Offsets of each element nest in a NEWSETELEM message: the kernel's
 * extended ack points at the element it refused (NL_SET_BAD_ATTR).
 */
static void record_offsets(struct fw_msginfo *m, const struct nlmsghdr *nlh, bool paired)
{
	const struct nlattr *attr, *el;
	size_t k = 0, raw = 0;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(attr) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(el, attr) {
			/* Interval ends follow their start: same IR element. */
			if (!paired || raw % 2 == 0) {
				if (k < m->nelems)
					m->elem_off[k++] =
					    (uint32_t)((const char *)el - (const char *)nlh);
			}
			raw++;
		}
	}
}

static int flush_elems(struct fw_tx *tx, const struct fw_compiled *c, size_t si,
		       struct nftnl_set *ns, uint32_t *idx, size_t n, bool add, bool paired)
{
	const struct fw_set *s = &c->sets[si];
	struct nlmsghdr *nlh;
	struct fw_msginfo *m;

	nlh = fw_tx_msg_start_family(tx, add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM,
				     add ? NLM_F_CREATE | NLM_F_EXCL : 0, fw_family(s->bridge),
				     s->name, s->comment);
	if (!nlh)
		return -ENOMEM;
	m = &tx->msgs[tx->nmsgs - 1];
	m->set = s;
	m->elems = malloc_multiply(n, sizeof(*m->elems));
	m->elem_off = calloc(n ? n : 1, sizeof(*m->elem_off));
	if (!m->elems || !m->elem_off)
		return -ENOMEM;
	memcpy(m->elems, idx, n * sizeof(*idx));
	m->nelems = n;
	nftnl_set_elems_nlmsg_build_payload(nlh, ns);
	record_offsets(m, nlh, paired);
	tx->elements += n;
	return fw_tx_update(tx);
}

/* Elements @idx[0..n) of set @si, in messages of at most FW_ELEM_MSG_BYTES. */
static int emit_elem_list(struct fw_tx *tx, const struct fw_compiled *c, size_t si,
			  const uint32_t *idx, size_t n, bool add, bool fault)
{
	const struct fw_set *s = &c->sets[si];
	struct nftnl_set *ns = NULL;
	uint32_t *chunk = malloc_multiply(n + 1, sizeof(*chunk));
	size_t nchunk = 0, bytes = 0;
	bool paired = s->kind == FW_SK_ADDR || s->kind == FW_SK_PORT || s->kind == FW_SK_PROTO;
	int r = 0;

	if (!chunk)
		return -ENOMEM;
	for (size_t i = 0; i <= n; i++) {
		bool last = i == n;
		uint32_t k;

		if (last && !fault)
			break;
		k = last ? idx[0] : idx[i];
		if (!ns) {
			ns = set_obj(c, si, false);
			if (!ns) {
				r = -ENOMEM;
				break;
			}
		}
		r = add_elem(ns, c, s, &s->elems[k], &bytes);
		if (r < 0)
			break;
		chunk[nchunk++] = k;
		if (bytes >= FW_ELEM_MSG_BYTES || last || i + 1 == n) {
			/* An element with an open interval end breaks the pairing. */
			bool pair_ok = paired;

			for (size_t j = 0; j < nchunk && pair_ok; j++) {
				uint8_t a[64], b[64];
				uint32_t la, lb;

				pair_ok = fw_elem_key(s, &s->elems[chunk[j]], a, &la, b, &lb) ==
					  FW_KEYEND_ELEM;
			}
			r = flush_elems(tx, c, si, ns, chunk, nchunk, add, pair_ok);
			nftnl_set_free(ns);
			ns = NULL;
			nchunk = 0;
			bytes = 0;
			if (r < 0)
				break;
		}
	}
	if (ns)
		nftnl_set_free(ns);
	free(chunk);
	return r;
}

int fw_emit_elems(struct fw_tx *tx, const struct fw_compiled *c, size_t set, const uint32_t *idx,
		  size_t n, bool add)
{
	return n ? emit_elem_list(tx, c, set, idx, n, add, false) : 0;
}

struct nftnl_rule *fw_rule_build(const struct fw_compiled *c, const struct fw_chain *ch,
				 const struct fw_rule *r)
{
	const struct fw_match_ops *ops = &fw_match_ops[r->match];
	struct fw_eb eb = { nftnl_rule_alloc(), c, 0, ch->bridge };

	if (!eb.r)
		return NULL;
	nftnl_rule_set_str(eb.r, NFTNL_RULE_TABLE, FW_TABLE_NAME);
	nftnl_rule_set_str(eb.r, NFTNL_RULE_CHAIN, ch->name);
	nftnl_rule_set_u32(eb.r, NFTNL_RULE_FAMILY, fw_family(ch->bridge));
	ops->emit(&eb, r);
	if (r->counter)
		fw_eb_counter(&eb);
	if (ops->verdict >= 0)
		fw_eb_verdict(&eb, r->drop ? NF_DROP : r->ret ? NFT_RETURN : ops->verdict);
	if (!eb.err)
		eb.err =
		    put_comment_udata(NFTNL_UDATA_RULE_COMMENT, r->comment, eb.r, set_rule_udata);
	if (eb.err) {
		nftnl_rule_free(eb.r);
		return NULL;
	}
	return eb.r;
}

static int emit_rule(struct fw_tx *tx, const struct fw_compiled *c, const struct fw_chain *ch,
		     const struct fw_rule *r)
{
	struct nftnl_rule *nr = fw_rule_build(c, ch, r);
	struct nlmsghdr *nlh;

	if (!nr)
		return -ENOMEM;
	nlh = fw_tx_msg_start_family(tx, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
				     fw_family(ch->bridge), ch->name, r->comment);
	if (!nlh) {
		nftnl_rule_free(nr);
		return -ENOMEM;
	}
	nftnl_rule_nlmsg_build_payload(nlh, nr);
	nftnl_rule_free(nr);
	return fw_tx_update(tx);
}

int fw_emit_table(struct fw_tx *tx, const struct fw_compiled *c, const struct fw_emit_opts *o)
{
	bool dup = o && o->dup_element;
	uint32_t *idx = NULL;
	size_t cap = 0;
	int r;

	/* Create if missing, then delete: the delete cannot fail, and the
	 * new table replaces the old one in the same transaction. */
	r = emit_table(tx, c, NFT_MSG_NEWTABLE, false, false);
	if (r >= 0)
		r = emit_table(tx, c, NFT_MSG_DELTABLE, false, false);
	if (r >= 0)
		r = emit_table(tx, c, NFT_MSG_NEWTABLE, false, true);
	/* Table bridge gatehouse likewise, in the same transaction; deleted
	 * when no port is bridged any more (only if it is there: a kernel
	 * without the bridge family must not be asked to create one). */
	if (r >= 0 && (c->bridge_comment || (o && o->drop_bridge)))
		r = emit_table(tx, c, NFT_MSG_NEWTABLE, true, false);
	if (r >= 0 && (c->bridge_comment || (o && o->drop_bridge)))
		r = emit_table(tx, c, NFT_MSG_DELTABLE, true, false);
	if (r >= 0 && c->bridge_comment)
		r = emit_table(tx, c, NFT_MSG_NEWTABLE, true, true);
	for (size_t i = 0; i < c->nchains && r >= 0; i++)
		r = emit_chain(tx, &c->chains[i]);
	for (size_t i = 0; i < c->nsets && r >= 0; i++)
		r = emit_set(tx, c, i);
	for (size_t i = 0; i < c->nsets && r >= 0; i++) {
		const struct fw_set *s = &c->sets[i];
		bool inject = false;

		if (!s->nelems)
			continue;
		if (fw_vec_reserve((void **)&idx, &cap, s->nelems, sizeof(*idx), SIZE_MAX) < 0) {
			r = -ENOMEM;
			break;
		}
		for (size_t k = 0; k < s->nelems; k++)
			idx[k] = (uint32_t)k;
		if (dup && !s->membership && !fw_set_is_vmap(s)) {
			inject = true;
			dup = false;
		}
		r = emit_elem_list(tx, c, i, idx, s->nelems, true, inject);
	}
	for (size_t i = 0; i < c->nchains && r >= 0; i++)
		for (size_t k = 0; k < c->chains[i].nrules && r >= 0; k++)
			r = emit_rule(tx, c, &c->chains[i], &c->chains[i].rules[k]);
	free(idx);
	return r;
}
