/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The action index of a policy: for each service named literally in an
 * Action ("s3" of "s3:Get*"), the statements that name it; plus the
 * statements every request must look at (NotAction, "*", "s3*:...").  A
 * request then checks only the statements of its own service.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "authz/policy.h"
#include "common/macro.h"
#include "common/str.h"

struct pair {
	const char *svc;
	uint32_t len, hash, stmt;
};

/* The service of action pattern @g, or false when it has a wildcard. */
static bool literal_service(const struct glob *g, const char **ret, uint32_t *ret_len)
{
	const char *colon;

	if (g->kind == GLOB_ANY)
		return false;
	colon = memchr(g->text, ':', g->len);
	if (!colon)
		return false;
	for (const char *c = g->text; c < colon; c++)
		if (*c == '*' || *c == '?')
			return false;
	*ret = g->text;
	*ret_len = (uint32_t)(colon - g->text);
	return true;
}

static struct action_bucket *bucket_for(struct action_index *ix, const struct pair *pr)
{
	for (uint32_t i = pr->hash & ix->mask;; i = (i + 1) & ix->mask) {
		struct action_bucket *b = &ix->buckets[i];

		if (!b->svc) {
			b->svc = pr->svc;
			b->svclen = pr->len;
			b->hash = pr->hash;
			return b;
		}
		if (b->hash == pr->hash && b->svclen == pr->len &&
		    !memcmp(b->svc, pr->svc, pr->len))
			return b;
	}
}

/* Count pairs per service, then fill; statements arrive in ascending order. */
static int fill(struct authz_policy *p, struct pair *pairs, size_t npairs, bool *generic)
{
	struct action_index *ix = &p->index;
	uint32_t size = 8;

	while (size < npairs * 2)
		size *= 2;
	ix->mask = size - 1;
	ix->buckets = gh_arena_array(&p->arena, size, sizeof(*ix->buckets));
	if (!ix->buckets)
		return -ENOMEM;
	for (size_t i = 0; i < npairs; i++)
		bucket_for(ix, &pairs[i])->n++;
	for (uint32_t i = 0; i < size; i++) {
		struct action_bucket *b = &ix->buckets[i];

		if (b->svc && !(b->stmts = gh_arena_array(&p->arena, b->n, sizeof(uint32_t))))
			return -ENOMEM;
		b->n = 0;
	}
	for (size_t i = 0; i < npairs; i++) {
		struct action_bucket *b = bucket_for(ix, &pairs[i]);

		/* A statement naming a service twice is listed once. */
		if (!b->n || b->stmts[b->n - 1] != pairs[i].stmt)
			b->stmts[b->n++] = pairs[i].stmt;
	}
	ix->generic = gh_arena_array(&p->arena, p->nstmts, sizeof(uint32_t));
	if (!ix->generic)
		return -ENOMEM;
	for (uint32_t i = 0; i < p->nstmts; i++)
		if (generic[i])
			ix->generic[ix->ngeneric++] = i;
	return 0;
}

int az_action_index_build(struct authz_policy *p)
{
	_cleanup_free_ struct pair *pairs = NULL;
	_cleanup_free_ bool *generic = NULL;
	size_t npairs = 0, total = 0;

	for (uint32_t i = 0; i < p->nstmts; i++)
		total += p->stmts[i].nactions;
	pairs = malloc_multiply(total ? total : 1, sizeof(*pairs));
	generic = calloc(p->nstmts ? p->nstmts : 1, sizeof(*generic));
	if (!pairs || !generic)
		return -ENOMEM;
	for (uint32_t i = 0; i < p->nstmts; i++) {
		const struct stmt *s = &p->stmts[i];
		size_t first = npairs;

		generic[i] = s->not_action;
		for (uint32_t k = 0; k < s->nactions && !generic[i]; k++) {
			struct pair *pr = &pairs[npairs];

			if (!literal_service(&s->actions[k], &pr->svc, &pr->len)) {
				generic[i] = true;
				break;
			}
			pr->hash = gh_hash_nocase(pr->svc, pr->len);
			pr->stmt = i;
			npairs++;
		}
		/* Checked for every request anyway: no need to list it by service. */
		if (generic[i])
			npairs = first;
	}
	return fill(p, pairs, npairs, generic);
}
