/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A seeded generator of realistic IAM policy sets and requests for the
 * benchmarks.  Same seed and profile: byte-identical documents and requests
 * (the generator uses its own PRNG, never rand() or the clock).
 *
 * Policies use real AWS actions of about twenty services with resource ARNs
 * of the types those actions take (so a validating peer accepts them),
 * wildcards in actions and resources, conditions on global keys, policy
 * variables and some Deny / NotAction statements.  Requests are a mix:
 * most aimed at a statement (so some are allowed, some denied), the rest
 * random (mostly implicit denies).
 */
#ifndef GH_BENCH_GEN_H
#define GH_BENCH_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/arena.h"

#define GEN_ACCOUNT "111122223333"
#define GEN_CTX_MAX 10
#define GEN_CTX_VALUES_MAX 4

/**
 * struct gen_profile - the shape of one principal's policy set
 * @name: "typical", "heavy"
 * @npolicies: identity policies
 * @nstmts: statements per policy
 * @nrequests: requests generated
 */
struct gen_profile {
	const char *name;
	unsigned npolicies;
	unsigned nstmts;
	unsigned nrequests;
};

extern const struct gen_profile gen_profiles[];
extern const size_t gen_nprofiles;

/* Find a profile by name; NULL when unknown. */
const struct gen_profile *gen_profile_find(const char *name);

/**
 * struct gen_ctx - one context key of a request
 * @key: the key
 * @vals: its values
 * @nvals: number of values
 * @multi: given as a list (aws:TagKeys)
 */
struct gen_ctx {
	const char *key;
	const char *vals[GEN_CTX_VALUES_MAX];
	unsigned nvals;
	bool multi;
};

/**
 * struct gen_request - one generated request
 * @principal, @action, @resource: as in a simulate case
 * @svc: index of the service row it was made from
 * @ctx: context keys
 * @nctx: entries in @ctx
 */
struct gen_request {
	const char *principal;
	const char *action;
	const char *resource;
	unsigned svc;
	struct gen_ctx ctx[GEN_CTX_MAX];
	unsigned nctx;
};

/**
 * struct gen_pattern - a wildcard pattern as it appears in a policy
 * @text: the pattern (actions lower-cased; variables replaced by a value,
 *	so it is a plain IAM wildcard pattern)
 * @svc: the service row it belongs to
 * @action: an action pattern (else a resource pattern)
 */
struct gen_pattern {
	const char *text;
	unsigned svc;
	bool action;
};

/**
 * struct gen_set - a generated policy set and its requests
 * @arena: owns everything below
 * @docs: policy documents (JSON text, NUL-terminated)
 * @doclens: their lengths
 * @ndocs: number of documents
 * @reqs: requests
 * @nreqs: number of requests
 * @pats: every action and resource pattern of the documents
 * @npats: number of patterns
 */
struct gen_set {
	struct arena arena;
	char **docs;
	size_t *doclens;
	unsigned ndocs;
	struct gen_request *reqs;
	unsigned nreqs;
	struct gen_pattern *pats;
	unsigned npats;
};

/* Generate @p's set with @seed into *@ret.  Returns 0 or -ENOMEM. */
int gen_make(const struct gen_profile *p, uint64_t seed, struct gen_set *ret);
void gen_free(struct gen_set *s);

/* Number of service rows (request->svc and pattern->svc are below it). */
size_t gen_nservices(void);

/*
 * Write @s as one JSON object to @f for the peer driver:
 * {"profile", "seed", "account", "policies": [docs], "requests": [{principal,
 * action, resource, context, "gatehouse": decision, "gatehouse_matched":
 * [...]}]}, the first @nreqs requests, @decisions[i] being gatehouse's
 * decision name for request i and @matched[i] (may be NULL) the statements
 * that decided, as JSON array text.  Returns 0 or -EIO.
 */
int gen_write_json(FILE *f, const struct gen_set *s, const char *profile, uint64_t seed,
		   const char *const *decisions, const char *const *matched, unsigned nreqs);

/* One request as a `gatehouse simulate` case line (no newline) to @f. */
void gen_write_case(FILE *f, const struct gen_set *s, unsigned i);

#endif
