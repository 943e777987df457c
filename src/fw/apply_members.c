/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage: the membership-only update.  When everything but membership
 * elements is what the compiled ruleset says, apply sends only the element
 * difference of each membership set against what the kernel holds,
 * touching no rule.
 */
#include <errno.h>
#include <libnftnl/set.h>
#include <stdlib.h>
#include <string.h>

#include "fw/apply_members.h"
#include "fw/emit.h"
#include "fw/kernel_decode.h"
#include "fw/kernel_read.h"
#include "fw/kernel_send.h"
#include "fw/nftnl_cleanup.h"

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
 * The elements the kernel holds in membership set @s, decoded into @k.
 * Returns 1, or 0 when a full replace is needed: the set is gone (edited by
 * hand?) or is not a membership set as we write them (a range).
 */
static int read_members(struct fw_nl *n, const struct fw_set *s, struct fw_kset *k)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *st = nftnl_set_alloc();

	if (!st)
		return -ENOMEM;
	nftnl_set_set_str(st, NFTNL_SET_NAME, s->name);
	nftnl_set_set_u32(st, NFTNL_SET_KEY_TYPE, fw_set_key_type(s));
	if (fw_kernel_read_elems(n, st) < 0 || fw_kset_load(st, k) < 0)
		return 0;
	for (size_t x = 0; x < k->s.nelems; x++)
		if (fw_addr_cmp(k->s.elems[x].alo, k->s.elems[x].ahi))
			return 0;
	return 1;
}

/*
 * Merge the sorted elements of @s and of @k: indexes of @s's elements the
 * kernel lacks into @add (*@nadd of them), the kernel's elements @s lacks
 * into @del->elems (comments emptied).  0 or -ENOMEM.
 */
static int member_diff(const struct fw_set *s, const struct fw_kset *k, struct fw_set *del,
		       uint32_t *add, size_t *nadd)
{
	_cleanup_free_ struct pair *want = calloc(s->nelems + 1, sizeof(*want));
	_cleanup_free_ struct pair *have = calloc(k->s.nelems + 1, sizeof(*have));
	size_t a = 0, b = 0;

	if (!want || !have)
		return -ENOMEM;
	for (size_t x = 0; x < s->nelems; x++)
		want[x] = (struct pair){ &s->elems[x], x };
	for (size_t x = 0; x < k->s.nelems; x++)
		have[x] = (struct pair){ &k->s.elems[x], x };
	qsort(want, s->nelems, sizeof(*want), cmp_elem_addr);
	qsort(have, k->s.nelems, sizeof(*have), cmp_elem_addr);
	while (a < s->nelems || b < k->s.nelems) {
		int cm = a >= s->nelems	    ? 1
			 : b >= k->s.nelems ? -1
					    : cmp_elem_addr(&want[a], &have[b]);

		if (cm < 0) {
			add[(*nadd)++] = (uint32_t)want[a++].idx;
		} else if (cm > 0) {
			struct fw_elem *d = &del->elems[del->nelems++];

			*d = *have[b++].e;
			d->comment = "";
		} else {
			a++;
			b++;
		}
	}
	return 0;
}

/* Delete the elements of @dels[@i] (set @i of @c as the kernel holds it). */
static int emit_deletions(struct fw_tx *tx, const struct fw_compiled *c, struct fw_set *dels,
			  size_t i)
{
	struct fw_compiled tmp = *c;
	_cleanup_free_ uint32_t *all = calloc(dels[i].nelems, sizeof(*all));

	if (!all)
		return -ENOMEM;
	for (size_t z = 0; z < dels[i].nelems; z++)
		all[z] = (uint32_t)z;
	tmp.sets = dels;
	return fw_emit_elems(tx, &tmp, i, all, dels[i].nelems, false);
}

/*
 * Put the deletions, then the additions, that make the kernel's set @i
 * equal to set @i of @c into @tx; @dels[@i] gets the deleted elements
 * (error reports point into it until the batch is sent).  Returns 1, 0
 * when a full replace is needed, or -errno.
 */
static int update_set(struct fw_nl *n, struct fw_tx *tx, const struct fw_compiled *c, size_t i,
		      struct fw_set *dels, struct fw_apply_result *res)
{
	const struct fw_set *s = &c->sets[i];
	_cleanup_(fw_kset_done) struct fw_kset k = { 0 };
	_cleanup_free_ uint32_t *add = NULL;
	size_t nadd = 0;
	int r = read_members(n, s, &k);

	if (r <= 0)
		return r;
	add = calloc(s->nelems + 1, sizeof(*add));
	dels[i] = *s;
	dels[i].elems = calloc(k.s.nelems + 1, sizeof(struct fw_elem));
	dels[i].nelems = 0;
	if (!add || !dels[i].elems)
		return -ENOMEM;
	r = member_diff(s, &k, &dels[i], add, &nadd);
	/* Deletions first: an element whose comment changed is re-added. */
	if (r >= 0 && dels[i].nelems) {
		r = emit_deletions(tx, c, dels, i);
		res->elements_removed += dels[i].nelems;
	}
	if (r >= 0 && nadd) {
		r = fw_emit_elems(tx, c, i, add, nadd, true);
		res->elements_added += nadd;
	}
	return r < 0 ? r : 1;
}

/**
 * struct member_dels - the kernel's elements to delete, per set of a ruleset
 * @sets: one per set (only membership sets used), each owning its @elems
 * @n: entries in @sets
 */
struct member_dels {
	struct fw_set *sets;
	size_t n;
};

static void member_dels_done(struct member_dels *d)
{
	for (size_t i = 0; d->sets && i < d->n; i++)
		free(d->sets[i].elems);
	free(d->sets);
}

int fw_apply_members(struct fw_nl *n, const struct fw_compiled *c, unsigned flags,
		     struct fw_apply_result *res, struct diag_list *dl)
{
	_cleanup_(fw_tx_done) struct fw_tx tx = { 0 };
	_cleanup_(member_dels_done) struct member_dels dels = {
		calloc(c->nsets ? c->nsets : 1, sizeof(*dels.sets)), c->nsets
	};
	int r = fw_tx_init(&tx, n->seq);

	if (r >= 0)
		r = fw_tx_begin(&tx);
	if (r < 0)
		return r;
	if (!dels.sets)
		return -ENOMEM;
	for (size_t i = 0; i < c->nsets; i++) {
		if (!c->sets[i].membership)
			continue;
		r = update_set(n, &tx, c, i, dels.sets, res);
		if (r <= 0)
			return r;
	}
	if (tx.nmsgs == 0) {
		res->unchanged = true;
		return 1;
	}
	if (!(flags & FW_APPLY_CHECK))
		r = fw_tx_end(&tx);
	if (r < 0)
		return r;
	res->messages = tx.nmsgs;
	r = fw_kernel_send(n, &tx, &res->bytes, dl);
	return r < 0 ? r : 1;
}
