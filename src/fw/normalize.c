/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage 3: normalise the (address range x key range) boxes of one set into
 * disjoint elements.  The kernel's concatenated interval sets (pipapo)
 * reject some overlapping elements depending on insertion order, and nft
 * would merge others silently; we send elements that cannot overlap.
 *
 * A sweep over the address axis: the boundaries of all address ranges cut
 * it into elementary intervals; on each, the key ranges of the boxes that
 * cover it are merged; neighbouring intervals with equal key ranges are
 * joined again.  Each resulting element remembers (up to FW_ORIGINS_MAX)
 * the security-group rules it came from, for its comment.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fw/internal.h"

struct origins {
	uint32_t o[FW_ORIGINS_MAX];
	uint8_t n;
	bool more;
};

struct kint {
	uint32_t lo, hi;
	struct origins org;
};

struct kvec {
	struct kint *v;
	size_t n, cap;
};

static void org_add(struct origins *a, uint32_t o)
{
	for (unsigned i = 0; i < a->n; i++)
		if (a->o[i] == o)
			return;
	if (a->n < FW_ORIGINS_MAX)
		a->o[a->n++] = o;
	else
		a->more = true;
}

static void org_merge(struct origins *a, const struct origins *b)
{
	for (unsigned i = 0; i < b->n; i++)
		org_add(a, b->o[i]);
	a->more |= b->more;
}

static struct fw_addr addr_inc(struct fw_addr a)
{
	if (++a.lo == 0)
		a.hi++;
	return a;
}

static struct fw_addr addr_dec(struct fw_addr a)
{
	if (a.lo-- == 0)
		a.hi--;
	return a;
}

static int cmp_box_lo(const void *x, const void *y)
{
	return fw_addr_cmp(((const struct fw_box *)x)->lo, ((const struct fw_box *)y)->lo);
}

static int cmp_addr(const void *x, const void *y)
{
	return fw_addr_cmp(*(const struct fw_addr *)x, *(const struct fw_addr *)y);
}

/* Key order of boxes: (klo, khi), then origin and index, so that ties merge
 * their origins in rule order and the result never depends on qsort. */
struct keyref {
	uint32_t klo, khi, origin;
	size_t box;
};

static int cmp_keyref(const void *x, const void *y)
{
	const struct keyref *a = x, *b = y;

	if (a->klo != b->klo)
		return a->klo < b->klo ? -1 : 1;
	if (a->khi != b->khi)
		return a->khi < b->khi ? -1 : 1;
	if (a->origin != b->origin)
		return a->origin < b->origin ? -1 : 1;
	return (a->box > b->box) - (a->box < b->box);
}

static int cmp_size(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	return (a > b) - (a < b);
}

static const char *origins_comment(struct fw_compiled *c, const struct fw_ruleset *rs,
				   const struct origins *org)
{
	char buf[FW_COMMENT_MAX * 2];
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < org->n && off < sizeof(buf); i++) {
		const struct fw_perm *p = &rs->perms[org->o[i]];
		int k = snprintf(buf + off, sizeof(buf) - off, "%s%s %s[%u]", i ? ", " : "",
				 fw_group_label(&rs->groups[p->group]), p->egress ? "out" : "in",
				 p->index);

		if (k < 0)
			break;
		off += (size_t)k;
	}
	if (org->more && off < sizeof(buf))
		snprintf(buf + off, sizeof(buf) - off, ", ...");
	return fw_comment(&c->arena, "%s", buf);
}

static int emit(struct fw_compiled *c, struct fw_set *set, const struct fw_ruleset *rs,
		struct fw_addr alo, struct fw_addr ahi, const struct kint *k, bool icmp)
{
	const char *comment = origins_comment(c, rs, &k->org);
	struct {
		uint32_t t1, t2;
		uint16_t c1, c2;
	} parts[3];
	unsigned np = 0;

	if (!comment)
		return -ENOMEM;
	if (!icmp) {
		parts[np++] = (__typeof__(parts[0])){ k->lo, k->hi, 0, 0 };
	} else {
		/* Flattened (type << 8 | code) back into type x code products. */
		uint32_t ta = k->lo >> 8, ca = k->lo & 255, tb = k->hi >> 8, cb = k->hi & 255;

		if (ta == tb) {
			parts[np++] = (__typeof__(parts[0])){ ta, ta, (uint16_t)ca, (uint16_t)cb };
		} else {
			bool last = cb != 255;

			if (ca != 0)
				parts[np++] = (__typeof__(parts[0])){ ta, ta, (uint16_t)ca, 255 };
			if (ca != 0)
				ta++;
			if (last)
				tb--;
			if (ta <= tb)
				parts[np++] = (__typeof__(parts[0])){ ta, tb, 0, 255 };
			if (last)
				parts[np++] =
				    (__typeof__(parts[0])){ tb + 1, tb + 1, 0, (uint16_t)cb };
		}
	}
	for (unsigned i = 0; i < np; i++) {
		struct fw_elem *e;

		if (FW_VEC_PUSH(set->elems, set->nelems, set->celems, FW_SET_ELEMS_MAX) < 0)
			return -E2BIG;
		e = &set->elems[set->nelems++];
		memset(e, 0, sizeof(*e));
		e->alo = alo;
		e->ahi = ahi;
		e->k1lo = parts[i].t1;
		e->k1hi = parts[i].t2;
		e->k2lo = parts[i].c1;
		e->k2hi = parts[i].c2;
		e->comment = comment;
	}
	return 0;
}

static int flush(struct fw_compiled *c, struct fw_set *set, const struct fw_ruleset *rs,
		 struct fw_addr alo, struct fw_addr ahi, const struct kvec *pend, bool icmp)
{
	for (size_t i = 0; i < pend->n; i++) {
		int r = emit(c, set, rs, alo, ahi, &pend->v[i], icmp);

		if (r < 0)
			return r;
	}
	return 0;
}

/**
 * struct sweep - the sweep over address intervals of one set's boxes
 * @boxes: the boxes, sorted by first address (@n of them)
 * @bounds: interval starts, sorted and unique (@nb of them)
 * @act: ranks (positions in key order) of the boxes covering the current
 *	 interval, ascending (@nact of them)
 * @act2: scratch for the merge into @act
 * @ent: ranks of the boxes entering at the current interval
 * @rank: per box, its rank; @byrank: per rank, its box
 * @keys: the boxes in key order
 * @next: first box not entered yet
 * @work: boxes visited so far, against FW_NORMALIZE_WORK_MAX
 */
struct sweep {
	struct fw_box *boxes;
	size_t n;
	struct fw_addr *bounds;
	size_t nb;
	size_t *act, *act2, *ent, *rank, *byrank;
	size_t nact, next;
	struct keyref *keys;
	unsigned long long work;
};

static void sweep_done(struct sweep *sw)
{
	free(sw->bounds);
	free(sw->act);
	free(sw->act2);
	free(sw->ent);
	free(sw->rank);
	free(sw->byrank);
	free(sw->keys);
}

static void kvec_done(struct kvec *k)
{
	free(k->v);
}

/*
 * Sort the boxes by address and, once, by key range: each interval then
 * walks its active boxes in key order by merging sorted lists, in time
 * linear in the boxes it visits (the work counted).  Sorting the active
 * boxes again on every interval cost n log n per interval, outside the
 * budget: a 40,000-rule group took seconds.  Then the interval bounds.
 */
static int sweep_init(struct sweep *sw, struct fw_box *boxes, size_t n, struct fw_addr max)
{
	size_t u = 0;

	sw->boxes = boxes;
	sw->n = n;
	sw->bounds = malloc_multiply(n, 2 * sizeof(*sw->bounds));
	sw->act = malloc_multiply(n, sizeof(*sw->act));
	sw->act2 = malloc_multiply(n, sizeof(*sw->act2));
	sw->ent = malloc_multiply(n, sizeof(*sw->ent));
	sw->rank = malloc_multiply(n, sizeof(*sw->rank));
	sw->byrank = malloc_multiply(n, sizeof(*sw->byrank));
	sw->keys = malloc_multiply(n, sizeof(*sw->keys));
	if (!sw->bounds || !sw->act || !sw->act2 || !sw->ent || !sw->rank || !sw->byrank ||
	    !sw->keys)
		return -ENOMEM;
	qsort(boxes, n, sizeof(*boxes), cmp_box_lo);
	for (size_t i = 0; i < n; i++)
		sw->keys[i] = (struct keyref){ boxes[i].klo, boxes[i].khi, boxes[i].origin, i };
	qsort(sw->keys, n, sizeof(*sw->keys), cmp_keyref);
	for (size_t i = 0; i < n; i++) {
		sw->rank[sw->keys[i].box] = i;
		sw->byrank[i] = sw->keys[i].box;
	}
	for (size_t i = 0; i < n; i++) {
		sw->bounds[sw->nb++] = boxes[i].lo;
		if (fw_addr_cmp(boxes[i].hi, max) < 0)
			sw->bounds[sw->nb++] = addr_inc(boxes[i].hi);
	}
	qsort(sw->bounds, sw->nb, sizeof(*sw->bounds), cmp_addr);
	for (size_t i = 0; i < sw->nb; i++)
		if (!u || fw_addr_cmp(sw->bounds[u - 1], sw->bounds[i]))
			sw->bounds[u++] = sw->bounds[i];
	sw->nb = u;
	return 0;
}

/* Make @sw->act the boxes covering the interval from @start on. */
static void sweep_enter(struct sweep *sw, struct fw_addr start)
{
	size_t ne = 0, na = 0, x = 0, y = 0, *t;

	/* Boxes starting here (each enters once: n log n in all)... */
	while (sw->next < sw->n && fw_addr_cmp(sw->boxes[sw->next].lo, start) <= 0)
		sw->ent[ne++] = sw->rank[sw->next++];
	if (ne > 1)
		qsort(sw->ent, ne, sizeof(*sw->ent), cmp_size);
	/* ...merged into the active ones, dropping those that ended. */
	while (x < sw->nact || y < ne) {
		size_t rk = y >= ne || (x < sw->nact && sw->act[x] < sw->ent[y]) ? sw->act[x++]
										 : sw->ent[y++];

		if (fw_addr_cmp(sw->boxes[sw->byrank[rk]].hi, start) >= 0)
			sw->act2[na++] = rk;
	}
	t = sw->act;
	sw->act = sw->act2;
	sw->act2 = t;
	sw->nact = na;
}

/* The key ranges of the active boxes, merged in key order, into @cur.  0 or -ENOMEM. */
static int sweep_keys(const struct sweep *sw, struct kvec *cur)
{
	size_t k = 0;

	if (fw_vec_reserve((void **)&cur->v, &cur->cap, sw->nact, sizeof(*cur->v), SIZE_MAX) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < sw->nact; i++) {
		const struct fw_box *bx = &sw->boxes[sw->byrank[sw->act[i]]];
		struct kint ki = { bx->klo, bx->khi, { { bx->origin }, 1, false } };
		struct kint *last = &cur->v[k];

		if (!i) {
			cur->v[0] = ki;
		} else if ((uint64_t)ki.lo <= (uint64_t)last->hi + 1) {
			/* Overlapping or adjacent key ranges become one. */
			if (ki.hi > last->hi)
				last->hi = ki.hi;
			org_add(&last->org, bx->origin);
		} else {
			cur->v[++k] = ki;
		}
	}
	cur->n = k + 1;
	return 0;
}

/* Do @pend and @cur hold the same key ranges?  Then @cur's origins join @pend's. */
static bool join_same_keys(struct kvec *pend, const struct kvec *cur)
{
	if (pend->n != cur->n)
		return false;
	for (size_t i = 0; i < cur->n; i++)
		if (pend->v[i].lo != cur->v[i].lo || pend->v[i].hi != cur->v[i].hi)
			return false;
	for (size_t i = 0; i < cur->n; i++)
		org_merge(&pend->v[i].org, &cur->v[i].org);
	return true;
}

int fw_normalize(struct fw_compiled *c, struct fw_set *set, struct fw_box *boxes, size_t n,
		 const struct fw_ruleset *rs, bool icmp)
{
	struct fw_addr max = fw_addr_max(set->family ? set->family : 6);
	struct fw_addr plo = { 0, 0 }, phi = { 0, 0 };
	_cleanup_(sweep_done) struct sweep sw = { 0 };
	/* @pend: the interval [plo, phi] waiting to be joined or emitted. */
	_cleanup_(kvec_done) struct kvec cur = { 0 };
	_cleanup_(kvec_done) struct kvec pend = { 0 };
	bool have_pend = false;
	int r;

	if (!n)
		return 0;
	r = sweep_init(&sw, boxes, n, max);
	for (size_t b = 0; b < sw.nb && r >= 0; b++) {
		struct fw_addr start = sw.bounds[b];
		struct fw_addr end = b + 1 < sw.nb ? addr_dec(sw.bounds[b + 1]) : max;
		struct kvec t;

		sweep_enter(&sw, start);
		if (!sw.nact) {
			if (have_pend)
				r = flush(c, set, rs, plo, phi, &pend, icmp);
			have_pend = false;
			continue;
		}
		sw.work += sw.nact;
		if (sw.work > FW_NORMALIZE_WORK_MAX)
			return -E2BIG;
		r = sweep_keys(&sw, &cur);
		if (r < 0)
			return r;
		/* Join with the previous interval when it touches and has the same keys. */
		if (have_pend && !fw_addr_cmp(addr_inc(phi), start) &&
		    join_same_keys(&pend, &cur)) {
			phi = end;
			continue;
		}
		if (have_pend)
			r = flush(c, set, rs, plo, phi, &pend, icmp);
		t = pend;
		pend = cur;
		cur = t;
		plo = start;
		phi = end;
		have_pend = true;
	}
	if (r >= 0 && have_pend)
		r = flush(c, set, rs, plo, phi, &pend, icmp);
	return r;
}
