/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage: kernel objects back into IR terms, for show, diff and the
 * membership update: set elements decoded with our key layouts
 * (fw_elem_from_key), comments taken out of userdata.
 */
#include <errno.h>
#include <stdio.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>

#include "fw/emit.h"
#include "fw/kernel_decode.h"
#include "fw/nftnl_cleanup.h"

const char *fw_udata_comment(const void *ud, uint32_t len, uint8_t type, char *buf, size_t size)
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

static const char *elem_comment(struct nftnl_set_elem *e, char *buf, size_t size)
{
	uint32_t len = 0;
	const void *ud = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA, &len);

	return fw_udata_comment(ud, len, NFTNL_UDATA_SET_ELEM_COMMENT, buf, size);
}

/**
 * struct kel - one kernel element as dumped (an interval end is one of its own)
 * @key: key bytes (@klen of them)
 * @end: flagged NFT_SET_ELEM_INTERVAL_END
 * @comment: its comment (in the kset's arena)
 * @chain: jump target of a verdict map element, or NULL
 * @kend: key end of a concatenation interval (@kelen bytes, 0: none)
 */
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

void fw_kset_done(struct fw_kset *k)
{
	free(k->s.elems);
	gh_arena_clear(&k->arena);
}

/* Kind and family of @st as one of our set kinds; false when it is not one. */
static bool kset_kind(struct nftnl_set *st, struct fw_kset *k)
{
	uint32_t type = nftnl_set_get_u32(st, NFTNL_SET_KEY_TYPE);

	if (!fw_set_kind_from_type(type, &k->s.kind, &k->s.family))
		return false;
	if (k->s.kind == FW_SK_ICMP &&
	    type == fw_set_key_type(&(struct fw_set){ .kind = FW_SK_ICMP, .family = 6 }))
		k->s.family = 6;
	/* An address key with verdicts: a bridged guest's address map. */
	if (k->s.kind == FW_SK_ADDR && (nftnl_set_get_u32(st, NFTNL_SET_FLAGS) & NFT_SET_MAP)) {
		k->s.kind = FW_SK_ADDR_VMAP;
		k->s.exact = true;
	}
	return true;
}

/* @e as a struct kel appended to *@v; 0 (also for a key we do not decode) or -ENOMEM. */
static int kel_add(struct fw_kset *k, struct nftnl_set_elem *e, struct kel **v, size_t *n,
		   size_t *cap)
{
	uint32_t len = 0;
	const void *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
	const void *kend;
	char cbuf[FW_COMMENT_MAX + 1];
	struct kel *x;

	if (!key || len > 64)
		return 0;
	if (FW_VEC_PUSH(*v, *n, *cap, FW_SET_ELEMS_MAX * 2) < 0)
		return -ENOMEM;
	x = &(*v)[(*n)++];
	memset(x, 0, sizeof(*x));
	memcpy(x->key, key, len);
	x->klen = len;
	kend = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY_END, &x->kelen);
	if (kend && x->kelen <= 64)
		memcpy(x->kend, kend, x->kelen);
	else
		x->kelen = 0;
	x->end = nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
		 (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) & NFT_SET_ELEM_INTERVAL_END);
	x->comment = gh_arena_strdup(&k->arena, elem_comment(e, cbuf, sizeof(cbuf)));
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_CHAIN))
		x->chain =
		    gh_arena_strdup(&k->arena, nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN));
	return 0;
}

/* Every element of @st as a struct kel, sorted by key, into *@ret (*@ret_n). */
static int kels_read(struct nftnl_set *st, struct fw_kset *k, struct kel **ret, size_t *ret_n)
{
	_cleanup_(nftnl_set_elems_iter_destroyp) struct nftnl_set_elems_iter *it =
	    nftnl_set_elems_iter_create(st);
	_cleanup_free_ struct kel *v = NULL;
	struct nftnl_set_elem *e;
	size_t n = 0, cap = 0;

	if (!it)
		return -ENOMEM;
	while ((e = nftnl_set_elems_iter_next(it)))
		if (kel_add(k, e, &v, &n, &cap) < 0)
			return -ENOMEM;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_kel);
	*ret = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

/*
 * Start @v[@i] of a single-field interval set with the next end above it
 * (none: open to the maximum) into @fe.  *@j is where the search for ends
 * resumes: starts are visited in order, each end is taken once.
 */
static void decode_interval(struct fw_kset *k, const struct kel *v, size_t n, size_t i, size_t *j,
			    struct fw_elem *fe)
{
	uint8_t hi[64];
	struct fw_elem tmp = { 0 };
	size_t nexts;

	memcpy(hi, v[i].key, 64);
	for (nexts = i + 1; nexts < n && v[nexts].end; nexts++)
		;
	if (*j <= i)
		*j = i + 1;
	while (*j < n && !v[*j].end)
		(*j)++;
	if (*j < n && (nexts >= n || cmp_kel(&v[*j], &v[nexts]) <= 0)) {
		/* End is exclusive: hi = end - 1. */
		memcpy(hi, v[*j].key, 64);
		for (int b = (int)v[*j].klen - 1; b >= 0; b--)
			if (hi[b]-- != 0)
				break;
		(*j)++;
	} else {
		memset(hi, 0xff, v[i].klen);
	}
	fw_elem_from_key(&k->s, v[i].key, v[i].klen, hi, v[i].klen, &tmp);
	fe->alo = tmp.alo;
	fe->ahi = tmp.ahi;
	fe->k1lo = tmp.k1lo;
	fe->k1hi = tmp.k1hi;
}

/* Verdict map element @x into @fe: interface name or address, and jump target. */
static int decode_vmap(struct fw_kset *k, const struct kel *x, struct fw_elem *fe)
{
	char name[17] = { 0 };

	fe->chain = 0;
	fe->chain_name = x->chain;
	fe->comment = x->comment;
	if (k->s.kind == FW_SK_ADDR_VMAP) {
		fw_elem_from_key(&k->s, x->key, x->klen, NULL, 0, fe);
		return fe->comment ? 0 : -ENOMEM;
	}
	memcpy(name, x->key, x->klen < 16 ? x->klen : 16);
	fe->ifname = gh_arena_strdup(&k->arena, name);
	return fe->ifname && fe->comment ? 0 : -ENOMEM;
}

int fw_kset_load(struct nftnl_set *st, struct fw_kset *k)
{
	_cleanup_free_ struct kel *v = NULL;
	size_t n = 0, j = 0;
	int r;

	memset(k, 0, sizeof(*k));
	k->s.name = nftnl_set_get_str(st, NFTNL_SET_NAME);
	k->known = kset_kind(st, k);
	if (!k->known)
		return 0;
	r = kels_read(st, k, &v, &n);
	/* Starts in order; each takes the next end above it (none: open). */
	for (size_t i = 0; i < n && r >= 0; i++) {
		struct fw_elem *fe;

		if (v[i].end)
			continue;
		if (FW_VEC_PUSH(k->s.elems, k->s.nelems, k->s.celems, FW_SET_ELEMS_MAX) < 0)
			return -ENOMEM;
		fe = &k->s.elems[k->s.nelems++];
		memset(fe, 0, sizeof(*fe));
		fe->comment = v[i].comment;
		if (fw_set_is_vmap(&k->s)) {
			r = decode_vmap(k, &v[i], fe);
		} else if (k->s.kind == FW_SK_ADDR || k->s.kind == FW_SK_PORT ||
			   k->s.kind == FW_SK_PROTO) {
			decode_interval(k, v, n, i, &j, fe);
		} else {
			fw_elem_from_key(&k->s, v[i].key, v[i].klen, v[i].kelen ? v[i].kend : NULL,
					 v[i].kelen, fe);
			fe->comment = v[i].comment;
		}
	}
	return r;
}

const char *fw_kernel_comment(enum fw_kobj kind, const void *obj, char *buf, size_t size)
{
	uint32_t len = 0;
	const void *ud = NULL;
	uint8_t type = 0;

	switch (kind) {
	case FW_KOBJ_TABLE:
		ud = nftnl_table_get_data(obj, NFTNL_TABLE_USERDATA, &len);
		type = NFTNL_UDATA_TABLE_COMMENT;
		break;
	case FW_KOBJ_CHAIN:
		ud = nftnl_chain_get_data(obj, NFTNL_CHAIN_USERDATA, &len);
		type = NFTNL_UDATA_CHAIN_COMMENT;
		break;
	case FW_KOBJ_SET:
		ud = nftnl_set_get_data(obj, NFTNL_SET_USERDATA, &len);
		type = NFTNL_UDATA_SET_COMMENT;
		break;
	case FW_KOBJ_RULE:
		ud = nftnl_rule_get_data(obj, NFTNL_RULE_USERDATA, &len);
		type = NFTNL_UDATA_RULE_COMMENT;
		break;
	case _FW_KOBJ_MAX: break;
	}
	return fw_udata_comment(ud, len, type, buf, size);
}
