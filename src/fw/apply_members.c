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

int fw_apply_members(struct fw_nl *n, const struct fw_compiled *c, unsigned flags,
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
		struct fw_kset k;
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
		r = fw_kernel_read_elems(n, st);
		if (r >= 0)
			r = fw_kset_load(st, &k);
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
			want[x] = (struct pair){&s->elems[x], x};
		for (size_t x = 0; x < k.s.nelems; x++) {
			if (fw_addr_cmp(k.s.elems[x].alo, k.s.elems[x].ahi)) {
				r = 0; /* not a membership set as we write them */
				fw_kset_done(&k);
				free(want);
				free(have);
				free(add);
				for (size_t z = 0; z <= i; z++)
					free(dels[z].elems);
				free(dels);
				fw_tx_done(&tx);
				return 0;
			}
			have[x] = (struct pair){&k.s.elems[x], x};
		}
		qsort(want, s->nelems, sizeof(*want), cmp_elem_addr);
		qsort(have, k.s.nelems, sizeof(*have), cmp_elem_addr);
		while (a < s->nelems || b < k.s.nelems) {
			int cm = a >= s->nelems	   ? 1
				 : b >= k.s.nelems ? -1
						   : cmp_elem_addr(&want[a], &have[b]);

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
		fw_kset_done(&k);
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
