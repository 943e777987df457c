/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Our table in the kernel: apply (full replace, or membership elements
 * only), snapshot and restore (--confirm), show and diff.
 *
 * An apply converges on the compiled ruleset whatever the kernel holds: it
 * reads our table and compares it, object by object, with the IR (the lines
 * fw diff prints).  When everything but membership elements is equal, it
 * sends only the element difference, touching no rule; otherwise it
 * replaces the table.  The hash of everything but membership elements that
 * the table carries (FW_UDATA_TABLE_HASH) says only what was applied last:
 * it tells a hand edit (same hash, different content: reported as repaired)
 * from a change of the rules, and is never trusted to say what is there.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
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

#include "common/str.h"
#include "fw/emit.h"
#include "fw/nl.h"

/* A request (one object name, no elements) fits a page. */
#define FW_REQ_BUF 8192

struct fw_snapshot {
	struct nftnl_table *table;
	struct nftnl_chain **chains;
	size_t nchains, cchains;
	struct nftnl_set **sets;
	size_t nsets, csets;
	struct nftnl_rule **rules;
	size_t nrules, crules;
};

struct fw_snapshot *fw_snapshot_free(struct fw_snapshot *s)
{
	if (!s)
		return NULL;
	if (s->table)
		nftnl_table_free(s->table);
	for (size_t i = 0; i < s->nchains; i++)
		nftnl_chain_free(s->chains[i]);
	for (size_t i = 0; i < s->nsets; i++)
		nftnl_set_free(s->sets[i]);
	for (size_t i = 0; i < s->nrules; i++)
		nftnl_rule_free(s->rules[i]);
	free(s->chains);
	free(s->sets);
	free(s->rules);
	free(s);
	return NULL;
}

/* ---- reading our table ---- */

static struct nlmsghdr *req_hdr(struct fw_nl *n, char *buf, uint16_t type, uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, flags, n->seq++);
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_table **t = data;

	if (*t)
		return MNL_CB_OK;
	*t = nftnl_table_alloc();
	if (!*t)
		return MNL_CB_ERROR;
	if (nftnl_table_nlmsg_parse(nlh, *t) < 0) {
		nftnl_table_free(*t);
		*t = NULL;
	}
	return MNL_CB_OK;
}

/* Our table, or NULL in *ret (0 returned) when there is none. */
static int get_table(struct fw_nl *n, struct nftnl_table **ret)
{
	char buf[FW_REQ_BUF];
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	int r;

	*ret = NULL;
	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, FW_TABLE_NAME);
	nlh = req_hdr(n, buf, NFT_MSG_GETTABLE, NLM_F_ACK);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	r = fw_nl_dump(n, nlh, table_cb, ret);
	if (r == -ENOENT) {
		if (*ret)
			nftnl_table_free(*ret);
		*ret = NULL;
		return 0;
	}
	return r;
}

static uint64_t table_hash(const struct nftnl_table *t, bool *found)
{
	const struct nftnl_udata *attr;
	uint32_t len = 0;
	const void *ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
	uint64_t h = 0;

	*found = false;
	if (!ud)
		return 0;
	nftnl_udata_for_each_data(ud, len, attr) {
		if (nftnl_udata_type(attr) == FW_UDATA_TABLE_HASH &&
		    nftnl_udata_len(attr) == sizeof(h)) {
			memcpy(&h, nftnl_udata_get(attr), sizeof(h));
			*found = true;
		}
	}
	return h;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fw_snapshot *s = data;
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0 ||
	    strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), FW_TABLE_NAME) ||
	    FW_VEC_PUSH(s->chains, s->nchains, s->cchains, 1u << 20) < 0) {
		nftnl_chain_free(c);
		return MNL_CB_OK;
	}
	s->chains[s->nchains++] = c;
	return MNL_CB_OK;
}

static int set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fw_snapshot *s = data;
	struct nftnl_set *st = nftnl_set_alloc();

	if (!st)
		return MNL_CB_ERROR;
	if (nftnl_set_nlmsg_parse(nlh, st) < 0 ||
	    strcmp(nftnl_set_get_str(st, NFTNL_SET_TABLE), FW_TABLE_NAME) ||
	    FW_VEC_PUSH(s->sets, s->nsets, s->csets, 1u << 20) < 0) {
		nftnl_set_free(st);
		return MNL_CB_OK;
	}
	s->sets[s->nsets++] = st;
	return MNL_CB_OK;
}

static int elem_cb(const struct nlmsghdr *nlh, void *data)
{
	nftnl_set_elems_nlmsg_parse(nlh, data);
	return MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fw_snapshot *s = data;
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0 ||
	    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), FW_TABLE_NAME) ||
	    FW_VEC_PUSH(s->rules, s->nrules, s->crules, 1u << 22) < 0) {
		nftnl_rule_free(r);
		return MNL_CB_OK;
	}
	s->rules[s->nrules++] = r;
	return MNL_CB_OK;
}

/* Elements of set @st (our table) into @st. */
static int get_elems(struct fw_nl *n, struct nftnl_set *st)
{
	char buf[FW_REQ_BUF];
	struct nftnl_set *q = nftnl_set_alloc();
	struct nlmsghdr *nlh;

	if (!q)
		return -ENOMEM;
	nftnl_set_set_str(q, NFTNL_SET_TABLE, FW_TABLE_NAME);
	nftnl_set_set_str(q, NFTNL_SET_NAME, nftnl_set_get_str(st, NFTNL_SET_NAME));
	nlh = req_hdr(n, buf, NFT_MSG_GETSETELEM, NLM_F_DUMP);
	nftnl_set_elems_nlmsg_build_payload(nlh, q);
	nftnl_set_free(q);
	return fw_nl_dump(n, nlh, elem_cb, st);
}

static int snapshot_take(struct fw_nl *n, struct fw_snapshot **ret)
{
	char buf[FW_REQ_BUF];
	struct fw_snapshot *s = calloc(1, sizeof(*s));
	struct nlmsghdr *nlh;
	int r;

	*ret = NULL;
	if (!s)
		return -ENOMEM;
	r = get_table(n, &s->table);
	if (r < 0 || !s->table)
		goto out;
	/* The kernel cannot filter chain dumps by table: skip others' chains. */
	nlh = req_hdr(n, buf, NFT_MSG_GETCHAIN, NLM_F_DUMP);
	r = fw_nl_dump(n, nlh, chain_cb, s);
	if (r < 0)
		goto out;
	{
		struct nftnl_set *q = nftnl_set_alloc();

		if (!q) {
			r = -ENOMEM;
			goto out;
		}
		nftnl_set_set_str(q, NFTNL_SET_TABLE, FW_TABLE_NAME);
		nlh = req_hdr(n, buf, NFT_MSG_GETSET, NLM_F_DUMP);
		nftnl_set_nlmsg_build_payload(nlh, q);
		nftnl_set_free(q);
		r = fw_nl_dump(n, nlh, set_cb, s);
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < s->nsets && r >= 0; i++)
		r = get_elems(n, s->sets[i]);
	if (r < 0)
		goto out;
	{
		struct nftnl_rule *q = nftnl_rule_alloc();

		if (!q) {
			r = -ENOMEM;
			goto out;
		}
		nftnl_rule_set_str(q, NFTNL_RULE_TABLE, FW_TABLE_NAME);
		nlh = req_hdr(n, buf, NFT_MSG_GETRULE, NLM_F_DUMP);
		nftnl_rule_nlmsg_build_payload(nlh, q);
		nftnl_rule_free(q);
		r = fw_nl_dump(n, nlh, rule_cb, s);
	}
out:
	if (r < 0 || !s->table) {
		fw_snapshot_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

int fw_snapshot_take(struct fw_snapshot **ret, struct diag_list *dl)
{
	struct fw_nl n;
	int r = fw_nl_open(&n, dl);

	if (r < 0)
		return r;
	r = snapshot_take(&n, ret);
	if (r < 0)
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0, "reading table %s: %s", FW_TABLE_NAME,
			 strerror(-r));
	fw_nl_close(&n);
	return r;
}

/* ---- writing ---- */

static int put_obj(struct fw_tx *tx, uint16_t type, uint16_t flags, const char *what,
		   void (*build)(struct nlmsghdr *, void *), void *obj)
{
	struct nlmsghdr *nlh;

	if (FW_VEC_PUSH(tx->msgs, tx->nmsgs, tx->cmsgs, SIZE_MAX / sizeof(*tx->msgs)) < 0)
		return -ENOMEM;
	memset(&tx->msgs[tx->nmsgs], 0, sizeof(tx->msgs[0]));
	tx->msgs[tx->nmsgs].seq = tx->seq;
	tx->msgs[tx->nmsgs].type = type;
	tx->msgs[tx->nmsgs].what = what;
	tx->nmsgs++;
	nlh = nftnl_nlmsg_build_hdr(nftnl_batch_buffer(tx->b), type, NFPROTO_INET,
				    flags | NLM_F_ACK, tx->seq++);
	build(nlh, obj);
	return nftnl_batch_update(tx->b) < 0 ? -ENOMEM : 0;
}

static void build_table(struct nlmsghdr *nlh, void *o)
{
	nftnl_table_nlmsg_build_payload(nlh, o);
}

static void build_chain(struct nlmsghdr *nlh, void *o)
{
	nftnl_chain_nlmsg_build_payload(nlh, o);
}

static void build_set(struct nlmsghdr *nlh, void *o)
{
	nftnl_set_nlmsg_build_payload(nlh, o);
}

static void build_rule(struct nlmsghdr *nlh, void *o)
{
	nftnl_rule_nlmsg_build_payload(nlh, o);
}

/* Replay a snapshot: delete our table and re-create it as it was. */
static int emit_snapshot(struct fw_tx *tx, const struct fw_snapshot *s)
{
	struct nftnl_table *t = nftnl_table_alloc();
	int r;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, FW_TABLE_NAME);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	r = put_obj(tx, NFT_MSG_NEWTABLE, NLM_F_CREATE, "table", build_table, t);
	if (r >= 0)
		r = put_obj(tx, NFT_MSG_DELTABLE, 0, "table", build_table, t);
	nftnl_table_free(t);
	if (r < 0 || !s)
		return r;
	nftnl_table_unset(s->table, NFTNL_TABLE_HANDLE);
	nftnl_table_unset(s->table, NFTNL_TABLE_USE);
	r = put_obj(tx, NFT_MSG_NEWTABLE, NLM_F_CREATE, "table", build_table, s->table);
	for (size_t i = 0; i < s->nchains && r >= 0; i++) {
		struct nftnl_chain *c = s->chains[i];

		nftnl_chain_unset(c, NFTNL_CHAIN_HANDLE);
		nftnl_chain_unset(c, NFTNL_CHAIN_USE);
		nftnl_chain_unset(c, NFTNL_CHAIN_BYTES);
		nftnl_chain_unset(c, NFTNL_CHAIN_PACKETS);
		r = put_obj(tx, NFT_MSG_NEWCHAIN, NLM_F_CREATE, "chain", build_chain, c);
	}
	for (size_t i = 0; i < s->nsets && r >= 0; i++) {
		struct nftnl_set *st = s->sets[i];
		struct nftnl_set_elems_iter *it;

		nftnl_set_unset(st, NFTNL_SET_HANDLE);
		nftnl_set_set_u32(st, NFTNL_SET_ID, (uint32_t)i + 1);
		r = put_obj(tx, NFT_MSG_NEWSET, NLM_F_CREATE, "set", build_set, st);
		if (r < 0)
			break;
		it = nftnl_set_elems_iter_create(st);
		if (!it)
			return -ENOMEM;
		/*
		 * Several messages: the element list attribute has a 16-bit length.
		 * The builder returns 1 while elements remain (the iterator never
		 * becomes NULL at the end, so its return value is the loop test).
		 */
		if (nftnl_set_elems_iter_cur(it)) {
			int more;

			do {
				struct nlmsghdr *nlh;

				if (FW_VEC_PUSH(tx->msgs, tx->nmsgs, tx->cmsgs, SIZE_MAX / 64) < 0) {
					r = -ENOMEM;
					break;
				}
				memset(&tx->msgs[tx->nmsgs], 0, sizeof(tx->msgs[0]));
				tx->msgs[tx->nmsgs].seq = tx->seq;
				tx->msgs[tx->nmsgs].type = NFT_MSG_NEWSETELEM;
				tx->msgs[tx->nmsgs].what = "set elements";
				tx->nmsgs++;
				nlh = nftnl_nlmsg_build_hdr(nftnl_batch_buffer(tx->b),
							    NFT_MSG_NEWSETELEM, NFPROTO_INET,
							    NLM_F_CREATE | NLM_F_ACK, tx->seq++);
				more = nftnl_set_elems_nlmsg_build_payload_iter(nlh, it);
				if (nftnl_batch_update(tx->b) < 0) {
					r = -ENOMEM;
					break;
				}
			} while (more == 1);
		}
		nftnl_set_elems_iter_destroy(it);
	}
	for (size_t i = 0; i < s->nrules && r >= 0; i++) {
		struct nftnl_rule *ru = s->rules[i];

		nftnl_rule_unset(ru, NFTNL_RULE_HANDLE);
		nftnl_rule_unset(ru, NFTNL_RULE_POSITION);
		r = put_obj(tx, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, "rule", build_rule,
			    ru);
	}
	return r;
}

int fw_snapshot_restore(const struct fw_snapshot *s, struct diag_list *dl)
{
	struct fw_nl n;
	struct fw_tx tx;
	int r = fw_nl_open(&n, dl);

	if (r < 0)
		return r;
	r = fw_tx_init(&tx, n.seq);
	if (r >= 0)
		r = fw_tx_begin(&tx);
	if (r >= 0)
		r = emit_snapshot(&tx, s);
	if (r >= 0)
		r = fw_tx_end(&tx);
	if (r >= 0)
		r = fw_nl_send_batch(&n, &tx, NULL, dl);
	else
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0, "building the rollback: %s",
			 strerror(-r));
	fw_tx_done(&tx);
	fw_nl_close(&n);
	return r;
}

/* ---- kernel elements back into IR elements ---- */

static const char *elem_comment(struct nftnl_set_elem *e, char *buf, size_t size)
{
	const struct nftnl_udata *attr;
	uint32_t len = 0;
	const void *ud = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA, &len);

	buf[0] = '\0';
	if (!ud)
		return buf;
	nftnl_udata_for_each_data(ud, len, attr) {
		if (nftnl_udata_type(attr) == NFTNL_UDATA_SET_ELEM_COMMENT && nftnl_udata_len(attr))
			snprintf(buf, size, "%.*s", (int)nftnl_udata_len(attr) - 1,
				 (const char *)nftnl_udata_get(attr));
	}
	return buf;
}

static const char *obj_comment(const void *ud, uint32_t len, uint8_t type, char *buf, size_t size)
{
	const struct nftnl_udata *attr;

	buf[0] = '\0';
	if (!ud)
		return buf;
	nftnl_udata_for_each_data(ud, len, attr) {
		if (nftnl_udata_type(attr) == type && nftnl_udata_len(attr))
			snprintf(buf, size, "%.*s", (int)nftnl_udata_len(attr) - 1,
				 (const char *)nftnl_udata_get(attr));
	}
	return buf;
}

/**
 * struct kset - a kernel set decoded with our key layouts
 * @s: kind, family and name as an IR set; @s.elems in key order
 * @comments: arena for element comments
 * @known: the key type is one of ours
 */
struct kset {
	struct fw_set s;
	struct fw_arena arena;
	bool known;
};

struct kel {
	uint8_t key[64];
	uint32_t klen;
	bool end;
	const char *comment;
	const char *chain;
	uint8_t kend[64];
	uint32_t kelen;
};

static int cmp_kel(const void *a, const void *b)
{
	const struct kel *x = a, *y = b;
	uint32_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	return (x->klen > y->klen) - (x->klen < y->klen);
}

static void kset_done(struct kset *k)
{
	free(k->s.elems);
	fw_arena_done(&k->arena);
}

/* Decode the elements of kernel set @st; rbtree start/end pairs are joined. */
static int kset_load(struct nftnl_set *st, struct kset *k)
{
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *e;
	struct kel *v = NULL;
	size_t n = 0, cap = 0;
	int r = 0;

	memset(k, 0, sizeof(*k));
	k->s.name = nftnl_set_get_str(st, NFTNL_SET_NAME);
	k->known = fw_set_kind_from_type(nftnl_set_get_u32(st, NFTNL_SET_KEY_TYPE), &k->s.kind,
					 &k->s.family);
	if (k->known && (k->s.kind == FW_SK_ICMP) &&
	    nftnl_set_get_u32(st, NFTNL_SET_KEY_TYPE) == fw_set_key_type(&(struct fw_set){
								     .kind = FW_SK_ICMP,
								     .family = 6 }))
		k->s.family = 6;
	if (!k->known)
		return 0;
	it = nftnl_set_elems_iter_create(st);
	if (!it)
		return -ENOMEM;
	while ((e = nftnl_set_elems_iter_next(it))) {
		uint32_t len = 0;
		const void *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
		const void *kend;
		char cbuf[FW_COMMENT_MAX + 1];
		struct kel *x;

		if (!key || len > 64)
			continue;
		if (FW_VEC_PUSH(v, n, cap, FW_SET_ELEMS_MAX * 2) < 0) {
			r = -ENOMEM;
			break;
		}
		x = &v[n++];
		memset(x, 0, sizeof(*x));
		memcpy(x->key, key, len);
		x->klen = len;
		kend = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY_END, &x->kelen);
		if (kend && x->kelen <= 64)
			memcpy(x->kend, kend, x->kelen);
		else
			x->kelen = 0;
		x->end = nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
			 (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) &
			  NFT_SET_ELEM_INTERVAL_END);
		x->comment = fw_arena_strdup(&k->arena, elem_comment(e, cbuf, sizeof(cbuf)));
		if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_CHAIN))
			x->chain = fw_arena_strdup(&k->arena,
						   nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN));
	}
	nftnl_set_elems_iter_destroy(it);
	if (r < 0)
		goto out;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_kel);
	{
		/* Starts in order; each takes the next end above it (none: open). */
		size_t j = 0;

		for (size_t i = 0; i < n; i++) {
			struct fw_elem *fe;
			size_t nexts;

			if (v[i].end)
				continue;
			if (FW_VEC_PUSH(k->s.elems, k->s.nelems, k->s.celems, FW_SET_ELEMS_MAX) <
			    0) {
				r = -ENOMEM;
				break;
			}
			fe = &k->s.elems[k->s.nelems++];
			memset(fe, 0, sizeof(*fe));
			fe->comment = v[i].comment;
			if (k->s.kind == FW_SK_IFNAME_VMAP) {
				char name[17] = { 0 };

				memcpy(name, v[i].key, v[i].klen < 16 ? v[i].klen : 16);
				fe->ifname = fw_arena_strdup(&k->arena, name);
				fe->chain = 0;
				fe->comment = v[i].chain ? fw_arena_printf(&k->arena, "%s\x1f%s",
									   v[i].comment,
									   v[i].chain) :
							   v[i].comment;
				continue;
			}
			if (k->s.kind == FW_SK_ADDR || k->s.kind == FW_SK_PORT ||
			    k->s.kind == FW_SK_PROTO) {
				uint8_t hi[64];
				struct fw_elem tmp = { 0 };

				memcpy(hi, v[i].key, 64);
				for (nexts = i + 1; nexts < n && v[nexts].end; nexts++)
					;
				if (j <= i)
					j = i + 1;
				while (j < n && !v[j].end)
					j++;
				if (j < n && (nexts >= n || cmp_kel(&v[j], &v[nexts]) <= 0)) {
					/* End is exclusive: hi = end - 1. */
					memcpy(hi, v[j].key, 64);
					for (int b = (int)v[j].klen - 1; b >= 0; b--)
						if (hi[b]-- != 0)
							break;
					j++;
				} else {
					memset(hi, 0xff, v[i].klen);
				}
				fw_elem_from_key(&k->s, v[i].key, v[i].klen, hi, v[i].klen, &tmp);
				fe->alo = tmp.alo;
				fe->ahi = tmp.ahi;
				fe->k1lo = tmp.k1lo;
				fe->k1hi = tmp.k1hi;
				continue;
			}
			{
				const char *cm = fe->comment;

				fw_elem_from_key(&k->s, v[i].key, v[i].klen, v[i].kelen ? v[i].kend : NULL,
						 v[i].kelen, fe);
				fe->comment = cm;
			}
		}
	}
out:
	free(v);
	return r;
}

/* ---- apply ---- */

struct lines;
struct fw_snapshot;
static int converge(struct fw_nl *n, const struct fw_compiled *c, unsigned flags,
		    struct fw_apply_result *res, struct diag_list *dl);

struct pair {
	const struct fw_elem *e;
	size_t idx;
};

static int cmp_elem_addr(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = fw_addr_cmp(x->e->alo, y->e->alo);

	if (c)
		return c;
	return strcmp(x->e->comment ? x->e->comment : "", y->e->comment ? y->e->comment : "");
}

/*
 * Membership-only update: for each membership set, the elements to delete
 * and to add, against the elements the kernel holds.  Only called when the
 * rest of the table is what @c compiles to (structure_equal()).  Returns 1
 * when it applied (or nothing changed), 0 when a full replace is needed, or
 * -errno.
 */
static int apply_members(struct fw_nl *n, const struct fw_compiled *c, unsigned flags,
			 struct fw_apply_result *res, struct diag_list *dl)
{
	struct fw_tx tx;
	struct fw_set *dels = NULL;
	int r;

	r = fw_tx_init(&tx, n->seq);
	if (r < 0)
		return r;
	r = fw_tx_begin(&tx);
	dels = calloc(c->nsets ? c->nsets : 1, sizeof(*dels));
	if (!dels)
		r = -ENOMEM;
	for (size_t i = 0; i < c->nsets && r >= 0; i++) {
		const struct fw_set *s = &c->sets[i];
		struct nftnl_set *st;
		struct kset k;
		struct pair *want = NULL, *have = NULL;
		uint32_t *add = NULL;
		size_t nadd = 0, a = 0, b = 0;

		if (!s->membership)
			continue;
		st = nftnl_set_alloc();
		if (!st) {
			r = -ENOMEM;
			break;
		}
		nftnl_set_set_str(st, NFTNL_SET_NAME, s->name);
		nftnl_set_set_u32(st, NFTNL_SET_KEY_TYPE, fw_set_key_type(s));
		r = get_elems(n, st);
		if (r >= 0)
			r = kset_load(st, &k);
		nftnl_set_free(st);
		if (r < 0) {
			/* The set is gone (edited by hand?): replace everything. */
			r = 0;
			free(dels);
			fw_tx_done(&tx);
			return 0;
		}
		want = calloc(s->nelems + 1, sizeof(*want));
		have = calloc(k.s.nelems + 1, sizeof(*have));
		add = calloc(s->nelems + 1, sizeof(*add));
		dels[i] = *s;
		dels[i].elems = calloc(k.s.nelems + 1, sizeof(struct fw_elem));
		dels[i].nelems = 0;
		if (!want || !have || !add || !dels[i].elems) {
			r = -ENOMEM;
			goto next;
		}
		for (size_t x = 0; x < s->nelems; x++)
			want[x] = (struct pair){ &s->elems[x], x };
		for (size_t x = 0; x < k.s.nelems; x++) {
			if (fw_addr_cmp(k.s.elems[x].alo, k.s.elems[x].ahi)) {
				r = 0; /* not a membership set as we write them */
				kset_done(&k);
				free(want);
				free(have);
				free(add);
				for (size_t z = 0; z <= i; z++)
					free(dels[z].elems);
				free(dels);
				fw_tx_done(&tx);
				return 0;
			}
			have[x] = (struct pair){ &k.s.elems[x], x };
		}
		qsort(want, s->nelems, sizeof(*want), cmp_elem_addr);
		qsort(have, k.s.nelems, sizeof(*have), cmp_elem_addr);
		while (a < s->nelems || b < k.s.nelems) {
			int cm = a >= s->nelems ? 1 : b >= k.s.nelems ? -1 :
								cmp_elem_addr(&want[a], &have[b]);

			if (cm < 0) {
				add[nadd++] = (uint32_t)want[a++].idx;
			} else if (cm > 0) {
				struct fw_elem *d = &dels[i].elems[dels[i].nelems++];

				*d = *have[b++].e;
				d->comment = "";
			} else {
				a++;
				b++;
			}
		}
		/* Deletions first: an element whose comment changed is re-added. */
		if (dels[i].nelems) {
			struct fw_compiled tmp = *c;
			uint32_t *all = calloc(dels[i].nelems, sizeof(*all));

			if (!all) {
				r = -ENOMEM;
				goto next;
			}
			for (size_t z = 0; z < dels[i].nelems; z++)
				all[z] = (uint32_t)z;
			tmp.sets = dels;
			r = fw_emit_elems(&tx, &tmp, i, all, dels[i].nelems, false);
			free(all);
			res->elements_removed += dels[i].nelems;
		}
		if (r >= 0 && nadd) {
			r = fw_emit_elems(&tx, c, i, add, nadd, true);
			res->elements_added += nadd;
		}
next:
		kset_done(&k);
		free(want);
		free(have);
		free(add);
	}
	if (r >= 0 && tx.nmsgs == 0) {
		res->unchanged = true;
		r = 1;
		goto out;
	}
	if (r >= 0 && !(flags & FW_APPLY_CHECK))
		r = fw_tx_end(&tx);
	if (r >= 0) {
		res->messages = tx.nmsgs;
		r = fw_nl_send_batch(n, &tx, &res->bytes, dl);
		if (r >= 0)
			r = 1;
	}
out:
	if (dels)
		for (size_t i = 0; i < c->nsets; i++)
			free(dels[i].elems);
	free(dels);
	fw_tx_done(&tx);
	return r;
}

void fw_apply_result_done(struct fw_apply_result *r)
{
	if (!r)
		return;
	free(r->repairs);
	r->repairs = NULL;
}

int fw_apply(const struct fw_compiled *c, unsigned flags, struct fw_apply_result *ret,
	     struct diag_list *dl)
{
	struct fw_apply_result res = { 0 };
	struct fw_nl n;
	struct fw_tx tx;
	int r = fw_nl_open(&n, dl);

	if (r < 0)
		return r;
	if (!(flags & FW_APPLY_FULL) && !getenv(FW_FAULT_ENV)) {
		/*
		 * Converge on @c whatever the kernel holds: read our table and
		 * compare it with @c (the hash stored in the table says what was
		 * applied last, not what is there now: a rule inserted by hand
		 * keeps the hash).  Only when everything but membership elements
		 * is equal is an element update enough.
		 */
		r = converge(&n, c, flags, &res, dl);
		if (r != 0) {
			fw_nl_close(&n);
			if (r > 0 && ret)
				*ret = res;
			else
				fw_apply_result_done(&res);
			return r < 0 ? r : 0;
		}
		res.elements_added = res.elements_removed = 0;
		res.unchanged = false;
	}
	res.full = true;
	r = fw_tx_init(&tx, n.seq);
	if (r >= 0)
		r = fw_tx_begin(&tx);
	if (r >= 0)
		r = fw_emit_table(&tx, c);
	/* Check mode: no BATCH_END, so the kernel validates everything and aborts. */
	if (r >= 0 && !(flags & FW_APPLY_CHECK))
		r = fw_tx_end(&tx);
	if (r < 0) {
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0, "building the batch: %s", strerror(-r));
	} else {
		res.messages = tx.nmsgs;
		r = fw_nl_send_batch(&n, &tx, &res.bytes, dl);
	}
	fw_tx_done(&tx);
	fw_nl_close(&n);
	if (r >= 0 && ret)
		*ret = res;
	else
		fw_apply_result_done(&res);
	return r;
}

/* ---- show and diff ---- */

/* Canonical lines describing a table, for diff (and sorted comparison). */
struct lines {
	char **v;
	size_t n, cap;
};

static int line_add(struct lines *l, const char *fmt, ...) GH_PRINTF(2, 3);
static int line_add(struct lines *l, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int k;

	va_start(ap, fmt);
	k = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (k < 0)
		return -ENOMEM;
	if (FW_VEC_PUSH(l->v, l->n, l->cap, SIZE_MAX / sizeof(char *)) < 0) {
		free(s);
		return -ENOMEM;
	}
	l->v[l->n++] = s;
	return 0;
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* How libnftnl ends a lookup that the kernel dumps with flags 0. */
#define LOOKUP_NO_FLAGS "0x0 "

/* Expressions of a rule as text, counter values left out (they always differ). */
static void rule_text(struct nftnl_rule *r, char *buf, size_t size)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	size_t off = 0;

	buf[0] = '\0';
	if (!it)
		return;
	while ((e = nftnl_expr_iter_next(it)) && off < size) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		int k;

		if (!strcmp(name, "counter")) {
			k = snprintf(buf + off, size - off, "[counter] ");
		} else {
			char tmp[512];

			size_t tl;

			nftnl_expr_snprintf(tmp, sizeof(tmp), e, NFTNL_OUTPUT_DEFAULT, 0);
			/* The kernel dumps lookup flags 0, which we never send. */
			tl = strlen(tmp);
			if (!strcmp(name, "lookup") && tl >= GH_LIT_LEN(LOOKUP_NO_FLAGS) &&
			    !strcmp(tmp + tl - GH_LIT_LEN(LOOKUP_NO_FLAGS), LOOKUP_NO_FLAGS))
				tmp[tl - GH_LIT_LEN(LOOKUP_NO_FLAGS)] = '\0';
			k = snprintf(buf + off, size - off, "[%s %s] ", name, tmp);
		}
		if (k < 0)
			break;
		off += (size_t)k;
	}
	nftnl_expr_iter_destroy(it);
}

static const char *rule_comment(struct nftnl_rule *r, char *buf, size_t size)
{
	uint32_t len = 0;
	const void *ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);

	return obj_comment(ud, len, NFTNL_UDATA_RULE_COMMENT, buf, size);
}

/*
 * What the lines leave out: LINES_NO_MEMBERS the elements of membership sets
 * (the structure that a membership update cannot change), LINES_NO_INDEX the
 * position of each rule in its chain (to name an inserted rule once, not
 * every rule after it).
 */
enum {
	LINES_NO_MEMBERS = 1 << 0,
	LINES_NO_INDEX = 1 << 1,
};

static int rule_line(struct lines *l, unsigned opts, const char *chain, size_t k, const char *text,
		     const char *comment)
{
	if (opts & LINES_NO_INDEX)
		return line_add(l, "chain %s rule %s comment \"%s\"", chain, text, comment);
	return line_add(l, "chain %s rule %zu %s comment \"%s\"", chain, k, text, comment);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names of the membership sets of @c, sorted (NULL-safe with @n 0). */
static const char **member_names(const struct fw_compiled *c, size_t *n)
{
	const char **v = calloc(c->nsets + 1, sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < c->nsets; i++)
		if (c->sets[i].membership)
			v[(*n)++] = c->sets[i].name;
	qsort(v, *n, sizeof(*v), cmp_name);
	return v;
}

static bool is_member_name(const char **names, size_t n, const char *name)
{
	return n && bsearch(&name, names, n, sizeof(*names), cmp_name);
}

static int ir_lines(const struct fw_compiled *c, struct lines *l, unsigned opts)
{
	int r = line_add(l, "table comment \"%s\"", c->comment);

	for (size_t i = 0; i < c->nsets && r >= 0; i++) {
		const struct fw_set *s = &c->sets[i];

		r = line_add(l, "set %s type %s flags 0x%x comment \"%s\"", s->name,
			     fw_set_type_text(s), fw_set_flags(s), s->comment);
		if ((opts & LINES_NO_MEMBERS) && s->membership)
			continue;
		for (size_t k = 0; k < s->nelems && r >= 0; k++) {
			char buf[256];

			fw_elem_format(s, &s->elems[k], c, buf, sizeof(buf));
			if (s->kind == FW_SK_IFNAME_VMAP)
				r = line_add(l, "set %s element %s : jump %s comment \"%s\"", s->name,
					     buf, c->chains[s->elems[k].chain].name,
					     s->elems[k].comment);
			else
				r = line_add(l, "set %s element %s comment \"%s\"", s->name, buf,
					     s->elems[k].comment);
		}
	}
	for (size_t i = 0; i < c->nchains && r >= 0; i++) {
		const struct fw_chain *ch = &c->chains[i];

		r = line_add(l, "chain %s%s comment \"%s\"", ch->name,
			     ch->base ? (ch->in ? " hook input prio 0 type filter policy drop"
						: " hook output prio 0 type filter policy drop")
				      : "",
			     ch->comment);
		for (size_t k = 0; k < ch->nrules && r >= 0; k++) {
			struct nftnl_rule *nr = fw_rule_build(c, ch, &ch->rules[k]);
			char text[4096];

			if (!nr)
				return -ENOMEM;
			rule_text(nr, text, sizeof(text));
			nftnl_rule_free(nr);
			r = rule_line(l, opts, ch->name, k, text, ch->rules[k].comment);
		}
	}
	return r;
}

/* @c: the compiled ruleset, which names the membership sets for LINES_NO_MEMBERS. */
static int kernel_lines(const struct fw_snapshot *s, const struct fw_compiled *c, unsigned opts,
			struct lines *l)
{
	char cbuf[FW_COMMENT_MAX + 1];
	uint32_t len = 0;
	const void *ud = nftnl_table_get_data(s->table, NFTNL_TABLE_USERDATA, &len);
	size_t nmember = 0;
	const char **member = (opts & LINES_NO_MEMBERS) ? member_names(c, &nmember) : NULL;
	int r = line_add(l, "table comment \"%s\"",
			 obj_comment(ud, len, NFTNL_UDATA_TABLE_COMMENT, cbuf, sizeof(cbuf)));

	if ((opts & LINES_NO_MEMBERS) && !member)
		r = -ENOMEM;

	for (size_t i = 0; i < s->nsets && r >= 0; i++) {
		struct kset k;

		ud = nftnl_set_get_data(s->sets[i], NFTNL_SET_USERDATA, &len);
		obj_comment(ud, len, NFTNL_UDATA_SET_COMMENT, cbuf, sizeof(cbuf));
		r = kset_load(s->sets[i], &k);
		if (r < 0)
			break;
		if (!k.known) {
			r = line_add(l, "set %s type (not one of gatehouse's) comment \"%s\"",
				     nftnl_set_get_str(s->sets[i], NFTNL_SET_NAME), cbuf);
			kset_done(&k);
			continue;
		}
		r = line_add(l, "set %s type %s flags 0x%x comment \"%s\"", k.s.name,
			     fw_set_type_text(&k.s), nftnl_set_get_u32(s->sets[i], NFTNL_SET_FLAGS),
			     cbuf);
		if (is_member_name(member, nmember, k.s.name)) {
			kset_done(&k);
			continue;
		}
		for (size_t e = 0; e < k.s.nelems && r >= 0; e++) {
			char buf[256];
			const struct fw_elem *fe = &k.s.elems[e];

			fw_elem_format(&k.s, fe, NULL, buf, sizeof(buf));
			if (k.s.kind == FW_SK_IFNAME_VMAP) {
				const char *sep = strchr(fe->comment, '\x1f');

				r = line_add(l, "set %s element %s : jump %s comment \"%.*s\"",
					     k.s.name, buf, sep ? sep + 1 : "?",
					     (int)(sep ? (size_t)(sep - fe->comment)
						       : strlen(fe->comment)),
					     fe->comment);
			} else {
				r = line_add(l, "set %s element %s comment \"%s\"", k.s.name, buf,
					     fe->comment);
			}
		}
		kset_done(&k);
	}
	for (size_t i = 0; i < s->nchains && r >= 0; i++) {
		struct nftnl_chain *ch = s->chains[i];
		const char *name = nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME);
		bool base = nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM);
		char hook[128];
		size_t k = 0;

		ud = nftnl_chain_get_data(ch, NFTNL_CHAIN_USERDATA, &len);
		obj_comment(ud, len, NFTNL_UDATA_CHAIN_COMMENT, cbuf, sizeof(cbuf));
		if (base)
			snprintf(hook, sizeof(hook), " hook %s prio %d type %s",
				 nftnl_chain_get_u32(ch, NFTNL_CHAIN_HOOKNUM) == NF_INET_LOCAL_IN
					 ? "input"
					 : nftnl_chain_get_u32(ch, NFTNL_CHAIN_HOOKNUM) ==
							   NF_INET_LOCAL_OUT
						   ? "output"
						   : "(another hook)",
				 nftnl_chain_get_s32(ch, NFTNL_CHAIN_PRIO),
				 nftnl_chain_is_set(ch, NFTNL_CHAIN_TYPE)
					 ? nftnl_chain_get_str(ch, NFTNL_CHAIN_TYPE)
					 : "?");
		r = line_add(l, "chain %s%s%s comment \"%s\"", name, base ? hook : "",
			     base ? (nftnl_chain_get_u32(ch, NFTNL_CHAIN_POLICY) == NF_DROP
					     ? " policy drop"
					     : " policy accept")
				  : "",
			     cbuf);
		for (size_t j = 0; j < s->nrules && r >= 0; j++) {
			char text[4096];

			if (strcmp(nftnl_rule_get_str(s->rules[j], NFTNL_RULE_CHAIN), name))
				continue;
			rule_text(s->rules[j], text, sizeof(text));
			r = rule_line(l, opts, name, k++, text,
				      rule_comment(s->rules[j], cbuf, sizeof(cbuf)));
		}
	}
	free(member);
	return r;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int fw_diff(const struct fw_compiled *c, FILE *f, struct diag_list *dl)
{
	struct fw_snapshot *s = NULL;
	struct lines want = { 0 }, have = { 0 };
	size_t a = 0, b = 0;
	int r = fw_snapshot_take(&s, dl), ndiff = 0;

	if (r < 0)
		return r;
	r = ir_lines(c, &want, 0);
	if (r >= 0 && s)
		r = kernel_lines(s, c, 0, &have);
	if (r < 0)
		goto out;
	if (want.n > 1)
		qsort(want.v, want.n, sizeof(char *), cmp_line);
	if (have.n > 1)
		qsort(have.v, have.n, sizeof(char *), cmp_line);
	if (!s)
		fprintf(f, "# no table %s in the kernel: apply would create it\n", FW_TABLE_NAME);
	while (a < want.n || b < have.n) {
		int cm = a >= want.n ? 1 : b >= have.n ? -1 : strcmp(want.v[a], have.v[b]);

		if (cm < 0) {
			fprintf(f, "+ %s\n", want.v[a++]);
			ndiff++;
		} else if (cm > 0) {
			fprintf(f, "- %s\n", have.v[b++]);
			ndiff++;
		} else {
			a++;
			b++;
		}
	}
	r = ndiff;
out:
	lines_free(&want);
	lines_free(&have);
	fw_snapshot_free(s);
	return r;
}

static void counter_of(struct nftnl_rule *r, uint64_t *pkts, uint64_t *bytes, bool *has)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;

	*has = false;
	if (!it)
		return;
	while ((e = nftnl_expr_iter_next(it)))
		if (!strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "counter")) {
			*pkts = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
			*bytes = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
			*has = true;
		}
	nftnl_expr_iter_destroy(it);
}

int fw_show(FILE *f, struct diag_list *dl)
{
	struct fw_snapshot *s = NULL;
	char cbuf[FW_COMMENT_MAX + 1];
	uint32_t len = 0;
	const void *ud;
	int r = fw_snapshot_take(&s, dl);

	if (r < 0)
		return r;
	if (!s)
		return -ENOENT;
	ud = nftnl_table_get_data(s->table, NFTNL_TABLE_USERDATA, &len);
	fprintf(f, "table inet %s  # %s\n", FW_TABLE_NAME,
		obj_comment(ud, len, NFTNL_UDATA_TABLE_COMMENT, cbuf, sizeof(cbuf)));
	for (size_t i = 0; i < s->nchains; i++) {
		struct nftnl_chain *ch = s->chains[i];
		const char *name = nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME);

		ud = nftnl_chain_get_data(ch, NFTNL_CHAIN_USERDATA, &len);
		fprintf(f, "\nchain %s  # %s\n", name,
			obj_comment(ud, len, NFTNL_UDATA_CHAIN_COMMENT, cbuf, sizeof(cbuf)));
		for (size_t j = 0; j < s->nrules; j++) {
			uint64_t p = 0, b = 0;
			bool has;

			if (strcmp(nftnl_rule_get_str(s->rules[j], NFTNL_RULE_CHAIN), name))
				continue;
			counter_of(s->rules[j], &p, &b, &has);
			if (has)
				fprintf(f, "  %10" PRIu64 " pkts %12" PRIu64 " bytes  %s\n", p, b,
					rule_comment(s->rules[j], cbuf, sizeof(cbuf)));
			else
				fprintf(f, "  %10s      %12s        %s\n", "", "",
					rule_comment(s->rules[j], cbuf, sizeof(cbuf)));
		}
	}
	for (size_t i = 0; i < s->nsets; i++) {
		struct kset k;

		ud = nftnl_set_get_data(s->sets[i], NFTNL_SET_USERDATA, &len);
		fprintf(f, "\nset %s  # %s\n", nftnl_set_get_str(s->sets[i], NFTNL_SET_NAME),
			obj_comment(ud, len, NFTNL_UDATA_SET_COMMENT, cbuf, sizeof(cbuf)));
		if (kset_load(s->sets[i], &k) < 0 || !k.known) {
			fputs("  (elements not decoded: not a gatehouse set)\n", f);
			kset_done(&k);
			continue;
		}
		for (size_t e = 0; e < k.s.nelems; e++) {
			char buf[256];
			const struct fw_elem *fe = &k.s.elems[e];
			const char *cm = fe->comment;
			const char *sep = strchr(cm, '\x1f');

			fw_elem_format(&k.s, fe, NULL, buf, sizeof(buf));
			if (sep)
				fprintf(f, "  %-44s -> %s  # %.*s\n", buf, sep + 1, (int)(sep - cm), cm);
			else
				fprintf(f, "  %-44s  # %s\n", buf, cm);
		}
		kset_done(&k);
	}
	fw_snapshot_free(s);
	return 0;
}

/* ---- convergence: what apply compares before choosing how to write ---- */

/* Differences named in a repair report before "... N more". */
#define FW_REPAIRS_SHOWN 40

static void lines_sort(struct lines *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(char *), cmp_line);
}

/*
 * The lines of @want missing from @have ("+ ") and of @have missing from
 * @want ("- "), both sorted, appended to @out; returns the count or -ENOMEM.
 */
static long lines_diff(const struct lines *want, const struct lines *have, struct lines *out)
{
	size_t a = 0, b = 0;
	long nd = 0;

	while (a < want->n || b < have->n) {
		int cm = a >= want->n ? 1 : b >= have->n ? -1 : strcmp(want->v[a], have->v[b]);
		int r = 0;

		if (!cm) {
			a++;
			b++;
			continue;
		}
		nd++;
		if (out)
			r = cm < 0 ? line_add(out, "+ %s", want->v[a]) : line_add(out, "- %s", have->v[b]);
		if (r < 0)
			return r;
		if (cm < 0)
			a++;
		else
			b++;
	}
	return nd;
}

/*
 * Is our table in the kernel (@s) what @c compiles to, membership elements
 * aside?  Returns 1 (equal), 0 (differs) or -ENOMEM.  When it differs and
 * @drift is given, @drift gets the differences with rule positions left out
 * (an inserted rule is one line, not one per rule after it).
 */
static int structure_equal(const struct fw_compiled *c, const struct fw_snapshot *s,
			   struct lines *drift)
{
	struct lines want = { 0 }, have = { 0 };
	long nd;
	int r = ir_lines(c, &want, LINES_NO_MEMBERS);

	if (r >= 0)
		r = kernel_lines(s, c, LINES_NO_MEMBERS, &have);
	if (r < 0)
		goto out;
	lines_sort(&want);
	lines_sort(&have);
	nd = lines_diff(&want, &have, NULL);
	r = nd == 0;
	if (nd == 0 || !drift)
		goto out;
	lines_free(&want);
	lines_free(&have);
	memset(&want, 0, sizeof(want));
	memset(&have, 0, sizeof(have));
	r = ir_lines(c, &want, LINES_NO_MEMBERS | LINES_NO_INDEX);
	if (r >= 0)
		r = kernel_lines(s, c, LINES_NO_MEMBERS | LINES_NO_INDEX, &have);
	if (r < 0)
		goto out;
	lines_sort(&want);
	lines_sort(&have);
	nd = lines_diff(&want, &have, drift);
	if (nd == 0)
		nd = line_add(drift, "~ rules of a chain in another order");
	r = nd < 0 ? (int)nd : 0;
out:
	lines_free(&want);
	lines_free(&have);
	return r;
}

/* @drift as report text: at most FW_REPAIRS_SHOWN lines, then "... N more". */
static char *drift_text(const struct lines *drift)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	for (size_t i = 0; i < drift->n && i < FW_REPAIRS_SHOWN; i++)
		fprintf(f, "%s\n", drift->v[i]);
	if (drift->n > FW_REPAIRS_SHOWN)
		fprintf(f, "... and %zu more (fw diff before an apply shows them all)\n",
			drift->n - FW_REPAIRS_SHOWN);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * Read our table and decide: 1 when an element update (or nothing) made the
 * kernel hold @c, 0 when the whole table must be replaced, or -errno.
 * Edits made outside gatehouse to a table last written with @c's structure
 * are counted in @res->repaired and described in @res->repairs (the replace
 * that follows undoes them); a table written from other rules is a change,
 * not a repair.
 */
static int converge(struct fw_nl *n, const struct fw_compiled *c, unsigned flags,
		    struct fw_apply_result *res, struct diag_list *dl)
{
	struct fw_snapshot *s = NULL;
	struct lines drift = { 0 };
	bool found;
	int r = snapshot_take(n, &s);

	if (r < 0) {
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0, "reading table %s: %s", FW_TABLE_NAME,
			 strerror(-r));
		return r;
	}
	if (!s)
		return 0; /* no table yet: create it */
	r = structure_equal(c, s, &drift);
	if (r > 0) {
		r = apply_members(n, c, flags, res, dl);
	} else if (r == 0 && table_hash(s->table, &found) == c->structure_hash && found) {
		res->repaired = drift.n;
		res->repairs = drift_text(&drift);
		if (!res->repairs)
			r = -ENOMEM;
	}
	lines_free(&drift);
	fw_snapshot_free(s);
	return r;
}
