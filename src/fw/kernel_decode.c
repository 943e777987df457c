/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage: kernel objects back into IR terms, for show, diff and the
 * membership update: set elements decoded with our key layouts
 * (fw_elem_from_key), comments taken out of userdata.
 */
#include <errno.h>
#include <stdio.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>

#include "fw/emit.h"
#include "fw/kernel_decode.h"

static const char *elem_comment(struct nftnl_set_elem *e, char *buf, size_t size)
{
	const struct nftnl_udata *attr;
	uint32_t len = 0;
	const void *ud = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA, &len);

	buf[0] = '\0';
	if (!ud)
		return buf;
	nftnl_udata_for_each_data(ud, len, attr)
	{
		if (nftnl_udata_type(attr) == NFTNL_UDATA_SET_ELEM_COMMENT && nftnl_udata_len(attr))
			snprintf(buf, size, "%.*s", (int)nftnl_udata_len(attr) - 1,
				 (const char *)nftnl_udata_get(attr));
	}
	return buf;
}

const char *fw_udata_comment(const void *ud, uint32_t len, uint8_t type, char *buf, size_t size)
{
	const struct nftnl_udata *attr;

	buf[0] = '\0';
	if (!ud)
		return buf;
	nftnl_udata_for_each_data(ud, len, attr)
	{
		if (nftnl_udata_type(attr) == type && nftnl_udata_len(attr))
			snprintf(buf, size, "%.*s", (int)nftnl_udata_len(attr) - 1,
				 (const char *)nftnl_udata_get(attr));
	}
	return buf;
}

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
	fw_arena_done(&k->arena);
}

/* Decode the elements of kernel set @st; rbtree start/end pairs are joined. */
int fw_kset_load(struct nftnl_set *st, struct fw_kset *k)
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
	    nftnl_set_get_u32(st, NFTNL_SET_KEY_TYPE) ==
		fw_set_key_type(&(struct fw_set){.kind = FW_SK_ICMP, .family = 6}))
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
		x->end =
		    nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
		    (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) & NFT_SET_ELEM_INTERVAL_END);
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
				char name[17] = {0};

				memcpy(name, v[i].key, v[i].klen < 16 ? v[i].klen : 16);
				fe->ifname = fw_arena_strdup(&k->arena, name);
				fe->chain = 0;
				fe->comment = v[i].chain ? fw_arena_printf(&k->arena, "%s\x1f%s",
									   v[i].comment, v[i].chain)
							 : v[i].comment;
				continue;
			}
			if (k->s.kind == FW_SK_ADDR || k->s.kind == FW_SK_PORT ||
			    k->s.kind == FW_SK_PROTO) {
				uint8_t hi[64];
				struct fw_elem tmp = {0};

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

				fw_elem_from_key(&k->s, v[i].key, v[i].klen,
						 v[i].kelen ? v[i].kend : NULL, v[i].kelen, fe);
				fe->comment = cm;
			}
		}
	}
out:
	free(v);
	return r;
}

const char *fw_kernel_rule_comment(struct nftnl_rule *r, char *buf, size_t size)
{
	uint32_t len = 0;
	const void *ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);

	return fw_udata_comment(ud, len, NFTNL_UDATA_RULE_COMMENT, buf, size);
}
