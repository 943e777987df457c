/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IAM evaluation logic (AWS IAM User Guide, "Policy evaluation logic"):
 *
 *   1. any matching Deny in any policy of the set: explicit deny;
 *   2. same account: allow when the resource policy allows the principal
 *      directly (a user's or role session's own ARN, or "*": not limited by
 *      identity policies, boundary or session policies), or names the role
 *      (limited by boundary and session policies), or when an identity
 *      policy allows and the boundary (if any) and the session policies (if
 *      any) allow too;  cross-account: the identity side and the resource
 *      policy must both allow;
 *   3. otherwise implicit deny;
 *   4. an allow needs every service control policy and (on the services
 *      they apply to) every resource control policy to allow too.
 *
 * sts:GetCallerIdentity is allowed before any of it: it needs no permission.
 *
 * Candidate statements come from each policy's action index, so a request
 * looks only at statements that can match its action.  Nothing here
 * allocates.
 */
#include <errno.h>
#include <string.h>

#include "authz/cond.h"
#include "authz/context.h"
#include "authz/eval.h"
#include "authz/value.h"
#include "common/macro.h"
#include "common/str.h"

/* How a resource-policy statement matched the principal, weakest first. */
enum pmatch {
	PMATCH_NONE,
	PMATCH_ACCOUNT, /* through the principal's account: delegates to identity policies */
	PMATCH_ROLE,	/* names the session's role: limited by boundary and session */
	PMATCH_DIRECT,	/* names the principal itself, or "*" */
};

/* The role name at the end of a role ARN's resource ("role/path/name"). */
static bool role_arn_names(const char *arn, size_t len, const char *role, size_t rolelen)
{
	const char *res = gh_find_lit(arn, len, ":role/");

	if (!res || len < rolelen + 1)
		return false;
	return !memcmp(arn + len - rolelen, role, rolelen) && arn[len - rolelen - 1] == '/';
}

/* The account field of an ARN, into *ret. */
static bool arn_account(const char *arn, size_t len, const char **ret, size_t *ret_len)
{
	uint32_t st[6], ln[6];

	if (!az_value_split_arn(arn, len, st, ln))
		return false;
	*ret = arn + st[4];
	*ret_len = ln[4];
	return true;
}

/*
 * How @pp names the requester.  In NotPrincipal (@exclude) an account
 * names the account principal itself only: AWS's example excludes "Bob"
 * with {"AWS": [".../user/Bob", "...:root"]} and still denies everyone else
 * of that account.
 */
static enum pmatch principal_match_one(const struct principal_pat *pp, const struct eval_ctx *ec,
				       bool exclude)
{
	const char *p = ec->req->principal;
	size_t plen = strlen(p);

	switch (pp->kind) {
	case PRINCIPAL_ANY:
		/* "*" grants a role session only what a grant to its role would. */
		return ec->ptype == PTYPE_SESSION || ec->ptype == PTYPE_ROLE ? PMATCH_ROLE
									     : PMATCH_DIRECT;
	case PRINCIPAL_ACCOUNT:
		if (!ec->paccount || ec->paccountlen != pp->len ||
		    memcmp(ec->paccount, pp->text, pp->len))
			return PMATCH_NONE;
		if (ec->ptype == PTYPE_ROOT)
			return PMATCH_DIRECT;
		return exclude ? PMATCH_NONE : PMATCH_ACCOUNT;
	case PRINCIPAL_ARN:
		if (plen == pp->len && !memcmp(p, pp->text, plen))
			return ec->ptype == PTYPE_ROLE ? PMATCH_ROLE : PMATCH_DIRECT;
		/* A NotPrincipal must name the session itself ("assumed-role" ARN) to exclude it.
		 */
		if (ec->ptype == PTYPE_SESSION && !exclude) {
			const char *acct;
			size_t acctlen;

			if (arn_account(pp->text, pp->len, &acct, &acctlen) &&
			    acctlen == ec->paccountlen && !memcmp(acct, ec->paccount, acctlen) &&
			    role_arn_names(pp->text, pp->len, ec->prole, ec->prolelen))
				return PMATCH_ROLE;
		}
		return PMATCH_NONE;
	default: return plen == pp->len && !memcmp(p, pp->text, plen) ? PMATCH_DIRECT : PMATCH_NONE;
	}
}

static enum pmatch principal_match(const struct stmt *s, const struct eval_ctx *ec)
{
	enum pmatch best = PMATCH_NONE;

	if (!s->has_principal)
		return PMATCH_DIRECT;
	for (uint32_t i = 0; i < s->nprincipals; i++) {
		enum pmatch m = principal_match_one(&s->principals[i], ec, s->not_principal);

		if (m > best)
			best = m;
	}
	if (s->not_principal) {
		/*
		 * AWS: "NotPrincipal with a Deny effect will always deny any IAM
		 * principal that has a permissions boundary policy attached,
		 * regardless of the values specified in the NotPrincipal element."
		 */
		if (s->effect == AUTHZ_EFFECT_DENY && ec->has_boundary)
			return PMATCH_DIRECT;
		return best == PMATCH_NONE ? PMATCH_DIRECT : PMATCH_NONE;
	}
	return best;
}

static bool action_match(const struct stmt *s, const struct eval_ctx *ec)
{
	bool any = false;

	for (uint32_t i = 0; i < s->nactions && !any; i++)
		any = az_glob_match(&s->actions[i], ec->action, ec->actionlen);
	return s->not_action ? !any : any;
}

static bool resource_match(const struct stmt *s, struct eval_ctx *ec)
{
	const char *res = ec->req->resource;
	bool any = false;

	if (!s->has_resource)
		return true;
	for (uint32_t i = 0; i < s->nresources && !any; i++) {
		const struct resource_pat *rp = &s->resources[i];
		char buf[AUTHZ_SUBST_MAX];
		int n;

		if (!rp->t) {
			any = az_glob_match(&rp->g, res, ec->resourcelen);
			continue;
		}
		n = az_tmpl_expand(rp->t, true, ec, buf, sizeof(buf));
		if (n == -E2BIG)
			ec->error = true;
		if (n >= 0)
			any = az_glob_match_general(buf, (size_t)n, res, ec->resourcelen);
	}
	return s->not_resource ? !any : any;
}

/*
 * AWS: "If AWS cannot resolve a variable, this might cause the entire
 * statement to be invalid."  A variable without a default that the request
 * cannot resolve makes its statement not apply, whatever its effect: under
 * a negated operator or NotResource it would otherwise grant (Allow) or
 * deny (Deny) by not matching.  Every such key is reported missing.
 */
static bool tmpl_resolves(const struct tmpl *t, struct eval_ctx *ec)
{
	bool ok = true;

	for (uint32_t i = 0; t && i < t->nsegs; i++) {
		const struct tmpl_seg *seg = &t->segs[i];

		if (seg->var && !seg->def && !az_ctx_variable(ec, seg)) {
			az_ctx_missing(ec, seg->text);
			ok = false;
		}
	}
	return ok;
}

static bool resource_vars_resolve(const struct stmt *s, struct eval_ctx *ec)
{
	bool ok = true;

	for (uint32_t i = 0; i < s->nresources; i++)
		ok &= tmpl_resolves(s->resources[i].t, ec);
	return ok;
}

/*
 * The values of an ...IfExists condition whose key is absent are never
 * compared (AWS recommends IfExists "to prevent variables from causing
 * invalid statements"): their variables need not resolve.
 */
static bool cond_vars_resolve(const struct stmt *s, struct eval_ctx *ec)
{
	bool ok = true;

	for (uint32_t i = 0; i < s->nconds; i++) {
		const struct cond *c = &s->conds[i];

		if (c->if_exists && !az_ctx_lookup(ec, c->key, c->keylen, c->hash))
			continue;
		for (uint32_t j = 0; j < c->nvalues; j++)
			ok &= tmpl_resolves(c->values[j].t, ec);
	}
	return ok;
}

/* Every condition, without stopping at the first false: all missing keys count. */
static bool conds_hold(const struct stmt *s, struct eval_ctx *ec)
{
	bool all = true;

	for (uint32_t i = 0; i < s->nconds; i++)
		all &= az_cond_holds(&s->conds[i], ec);
	return all;
}

/**
 * struct slot_state - what one policy slot's statements said
 * @allow: an Allow matched
 * @pm: resource slot: the strongest principal match among matching Allows
 */
struct slot_state {
	bool allow;
	enum pmatch pm;
};

struct matches {
	struct authz_match allow[AUTHZ_RESULT_MATCHED_MAX], deny[AUTHZ_RESULT_MATCHED_MAX];
	size_t nallow, ndeny, nallow_total, ndeny_total;
};

static void record(struct matches *m, const struct authz_policy *p, enum authz_slot slot,
		   size_t slot_index, const struct stmt *s)
{
	bool deny = s->effect == AUTHZ_EFFECT_DENY;
	struct authz_match *list = deny ? m->deny : m->allow;
	size_t *n = deny ? &m->ndeny : &m->nallow;

	if (deny)
		m->ndeny_total++;
	else
		m->nallow_total++;
	if (*n >= AUTHZ_RESULT_MATCHED_MAX)
		return;
	list[(*n)++] = (struct authz_match){
		.policy = p,
		.slot = slot,
		.index = s->index,
		.slot_index = (uint32_t)slot_index,
		.sid = s->sid,
		.effect = (enum authz_effect)s->effect,
	};
}

static const struct action_bucket *index_lookup(const struct action_index *ix,
						const struct eval_ctx *ec)
{
	uint32_t i = ec->svchash & ix->mask;

	if (!ix->buckets)
		return NULL;
	for (;; i = (i + 1) & ix->mask) {
		const struct action_bucket *b = &ix->buckets[i];

		if (!b->svc)
			return NULL;
		if (b->hash == ec->svchash && b->svclen == ec->svclen &&
		    !memcmp(b->svc, ec->action, ec->svclen))
			return b;
	}
}

static void eval_stmt(const struct authz_policy *p, const struct stmt *s, enum authz_slot slot,
		      size_t slot_index, struct eval_ctx *ec, struct slot_state *st,
		      struct matches *m)
{
	enum pmatch pm;
	bool resolved;

	if (!action_match(s, ec) || !resource_vars_resolve(s, ec) || !resource_match(s, ec))
		return;
	pm = principal_match(s, ec);
	if (pm == PMATCH_NONE)
		return;
	resolved = cond_vars_resolve(s, ec);
	if (!conds_hold(s, ec) || !resolved)
		return;
	/* SCP and RCP allows cap, never grant: only their Denies decide. */
	if (s->effect == AUTHZ_EFFECT_DENY || (slot != AUTHZ_SLOT_SCP && slot != AUTHZ_SLOT_RCP))
		record(m, p, slot, slot_index, s);
	if (s->effect == AUTHZ_EFFECT_ALLOW) {
		st->allow = true;
		if (pm > st->pm)
			st->pm = pm;
	}
}

/* Evaluate the candidate statements of @p: its service bucket merged with the generic list. */
static void eval_policy(const struct authz_policy *p, enum authz_slot slot, size_t slot_index,
			struct eval_ctx *ec, struct slot_state *st, struct matches *m)
{
	const struct action_bucket *b = index_lookup(&p->index, ec);
	const uint32_t *x = b ? b->stmts : NULL, *y = p->index.generic;
	uint32_t nx = b ? b->n : 0, ny = p->index.ngeneric, i = 0, j = 0;

	while (i < nx || j < ny) {
		uint32_t k;

		if (j >= ny || (i < nx && x[i] < y[j]))
			k = x[i++];
		else
			k = y[j++];
		eval_stmt(p, &p->stmts[k], slot, slot_index, ec, st, m);
	}
}

/* The account that owns the resource: given, else the ARN's, else the principal's. */
static bool same_account(const struct eval_ctx *ec)
{
	const char *acct = ec->req->resource_account;
	size_t acctlen = acct ? strlen(acct) : 0;

	if (!acct && arn_account(ec->req->resource, ec->resourcelen, &acct, &acctlen) &&
	    acctlen == 0)
		acct = NULL;
	if (!acct || !ec->paccount)
		return true;
	return acctlen == ec->paccountlen && !memcmp(acct, ec->paccount, acctlen);
}

/*
 * Resources whose own policy must allow whatever the identity side says
 * (AWS, "Policy evaluation logic": "IAM role trust policies and KMS key
 * policies are exceptions ... they must explicitly allow access for
 * principals"): sts:AssumeRole* on a role, kms:* on a key.  A trust
 * policy governs assuming its role only: any other action on the role
 * (iam:GetRole) is not held to it.
 */
static bool resource_must_allow(const struct authz_policy_set *set, const struct eval_ctx *ec)
{
	const char *res = ec->req->resource;

	/* ec->action is lower-cased. */
	if (gh_eq_lit_case(ec->action, ec->svclen, "sts"))
		return gh_starts_with(ec->action, "sts:assumerole") &&
		       (set->resource_must_allow ||
			(strstr(res, ":iam::") && strstr(res, ":role/")));
	if (gh_eq_lit_case(ec->action, ec->svclen, "kms"))
		return gh_starts_with(res, "arn:") && strstr(res, ":kms:") && strstr(res, ":key/");
	return false;
}

static void decide(const struct authz_policy_set *set, const struct eval_ctx *ec,
		   const struct slot_state st[_AUTHZ_SLOT_MAX], struct authz_result *r)
{
	bool bound_ok = !set->boundary || st[AUTHZ_SLOT_BOUNDARY].allow;
	bool sess_ok = !set->nsession || st[AUTHZ_SLOT_SESSION].allow;
	bool id_ok = st[AUTHZ_SLOT_IDENTITY].allow && bound_ok && sess_ok;
	enum pmatch rpm = st[AUTHZ_SLOT_RESOURCE].allow ? st[AUTHZ_SLOT_RESOURCE].pm : PMATCH_NONE;

	r->decision = AUTHZ_IMPLICIT_DENY;
	if (rpm == PMATCH_NONE && resource_must_allow(set, ec)) {
		bool kms = gh_eq_lit_case(ec->action, ec->svclen, "kms");

		/*
		 * AWS's policy simulator: without the role's trust policy, the
		 * identity side decides.  A KMS key always has a key policy, and
		 * one that is not given allows nothing (as the peer decides too).
		 */
		if (!kms && !set->resource && set->resource_policy_unknown) {
			if (id_ok) {
				r->decision = AUTHZ_ALLOW;
				r->reason = AUTHZ_REASON_IDENTITY_ALLOW_UNVERIFIED;
			} else if (!st[AUTHZ_SLOT_IDENTITY].allow) {
				r->reason = AUTHZ_REASON_NO_ALLOW;
			} else {
				r->reason =
				    !bound_ok ? AUTHZ_REASON_BOUNDARY : AUTHZ_REASON_SESSION;
			}
			return;
		}
		r->reason = kms ? AUTHZ_REASON_KEY_POLICY : AUTHZ_REASON_TRUST;
		return;
	}
	if (!same_account(ec)) {
		if (id_ok && rpm != PMATCH_NONE) {
			r->decision = AUTHZ_ALLOW;
			r->reason = AUTHZ_REASON_CROSS_ACCOUNT_ALLOW;
		} else {
			r->reason = id_ok ? AUTHZ_REASON_CROSS_ACCOUNT_NO_RESOURCE
					  : AUTHZ_REASON_CROSS_ACCOUNT_NO_IDENTITY;
		}
		return;
	}
	if (rpm == PMATCH_DIRECT || (rpm == PMATCH_ROLE && bound_ok && sess_ok)) {
		r->decision = AUTHZ_ALLOW;
		r->reason = AUTHZ_REASON_RESOURCE_ALLOW;
	} else if (id_ok) {
		r->decision = AUTHZ_ALLOW;
		r->reason = AUTHZ_REASON_IDENTITY_ALLOW;
	} else if (!st[AUTHZ_SLOT_IDENTITY].allow && rpm != PMATCH_ROLE) {
		r->reason = AUTHZ_REASON_NO_ALLOW;
	} else {
		r->reason = !bound_ok ? AUTHZ_REASON_BOUNDARY : AUTHZ_REASON_SESSION;
	}
}

/*
 * Organization policies (AWS Organizations, "Service control policies" and
 * "Resource control policies"): each one of @list must allow the request;
 * a Deny in any is recorded as a deny.  True when every one allows.
 */
static bool org_policies_allow(struct authz_policy *const *list, size_t n, enum authz_slot slot,
			       struct eval_ctx *ec, struct matches *m)
{
	bool all = true;

	for (size_t i = 0; i < n; i++) {
		struct slot_state st = { 0 };

		eval_policy(list[i], slot, i, ec, &st, m);
		all &= st.allow;
	}
	return all;
}

/*
 * An organization's SCPs, level by level (AWS Organizations, "SCP
 * evaluation": "the permissions must be allowed at every level", by one of
 * the SCPs attached there): the first of the @n levels where none of its
 * policies allows, else NULL.  Their Denies were recorded already.
 */
static const struct authz_org_level *org_level_capping(const struct authz_org_level *lv, size_t n,
						       struct eval_ctx *ec)
{
	struct matches none = { .nallow = 0 };

	for (size_t i = 0; i < n; i++) {
		struct slot_state st = { 0 };

		for (size_t k = 0; k < lv[i].n && !st.allow; k++)
			eval_policy(lv[i].policies[k], AUTHZ_SLOT_SCP, k, ec, &st, &none);
		if (!st.allow)
			return &lv[i];
	}
	return NULL;
}

/*
 * RCPs apply to the services AWS lists (AWS Organizations, "Resource control
 * policies (RCPs)", "List of AWS services that support RCPs"); the others'
 * resources are not capped by them.
 */
static bool rcp_applies(const struct eval_ctx *ec)
{
	static const char *const services[] = {
		"s3",
		"sts",
		"kms",
		"sqs",
		"secretsmanager",
		"ecr",
		"aoss",
		"cognito-identity",
		"logs",
		"dynamodb",
	};

	for (size_t i = 0; i < ARRAY_SIZE(services); i++)
		if (gh_eq_nocase(ec->action, ec->svclen, services[i], strlen(services[i])))
			return true;
	return false;
}

int authz_evaluate(const struct authz_policy_set *set, const struct authz_request *req,
		   struct authz_result *r)
{
	return authz_evaluate_diag(set, req, r, NULL);
}

int authz_evaluate_diag(const struct authz_policy_set *set, const struct authz_request *req,
			struct authz_result *r, struct diag *reterr)
{
	int ret = authz_request_check(req, reterr);

	if (ret < 0)
		return ret;
	az_eval_request(set, req, r);
	return 0;
}

void az_eval_request(const struct authz_policy_set *set, const struct authz_request *req,
		     struct authz_result *r)
{
	bool scp_ok, rcp_ok = true;
	struct slot_state st[_AUTHZ_SLOT_MAX] = { 0 };
	struct matches m;
	struct eval_ctx ec;

	m.nallow = m.ndeny = m.nallow_total = m.ndeny_total = 0;
	r->nmatched = r->nmatched_total = r->nmissing = 0;
	r->levels = set->scp_levels;
	r->nlevels = set->nscp_levels;
	r->capped = NULL;
	r->decision = AUTHZ_IMPLICIT_DENY;
	r->reason = AUTHZ_REASON_NO_ALLOW;
	az_ctx_init(&ec, req);
	/*
	 * AWS (GetCallerIdentity): "No permissions are required to perform
	 * this operation. If an administrator attaches a policy to your
	 * identity that explicitly denies access to the
	 * sts:GetCallerIdentity action, you can still perform this operation."
	 */
	if (gh_eq_lit(ec.action, ec.actionlen, "sts:getcalleridentity")) {
		r->decision = AUTHZ_ALLOW;
		r->reason = AUTHZ_REASON_NO_PERMISSION_NEEDED;
		return;
	}
	ec.has_boundary = set->boundary != NULL;

	for (size_t i = 0; i < set->nidentity; i++)
		eval_policy(set->identity[i], AUTHZ_SLOT_IDENTITY, i, &ec, &st[AUTHZ_SLOT_IDENTITY],
			    &m);
	if (set->boundary)
		eval_policy(set->boundary, AUTHZ_SLOT_BOUNDARY, 0, &ec, &st[AUTHZ_SLOT_BOUNDARY],
			    &m);
	for (size_t i = 0; i < set->nsession; i++)
		eval_policy(set->session[i], AUTHZ_SLOT_SESSION, i, &ec, &st[AUTHZ_SLOT_SESSION],
			    &m);
	if (set->resource)
		eval_policy(set->resource, AUTHZ_SLOT_RESOURCE, 0, &ec, &st[AUTHZ_SLOT_RESOURCE],
			    &m);
	/* With levels, this pass only records the Denies: the levels decide the allows. */
	scp_ok =
	    org_policies_allow(set->scp, set->nscp, AUTHZ_SLOT_SCP, &ec, &m) || set->scp_levels;
	if (set->nrcp && rcp_applies(&ec))
		rcp_ok = org_policies_allow(set->rcp, set->nrcp, AUTHZ_SLOT_RCP, &ec, &m) ||
			 set->rcp_deny_only;

	if (m.ndeny_total) {
		r->decision = AUTHZ_EXPLICIT_DENY;
		r->reason = AUTHZ_REASON_EXPLICIT_DENY;
		memcpy(r->matched, m.deny, m.ndeny * sizeof(m.deny[0]));
		r->nmatched = m.ndeny;
		r->nmatched_total = m.ndeny_total;
	} else {
		decide(set, &ec, st, r);
		/* An organization's levels are walked only for a request they may cap. */
		if (r->decision == AUTHZ_ALLOW && set->scp_levels)
			scp_ok = !(r->capped =
				       org_level_capping(set->scp_levels, set->nscp_levels, &ec));
		/* They cap whatever else allowed; an implicit deny keeps its own reason. */
		if (r->decision == AUTHZ_ALLOW && (!scp_ok || !rcp_ok)) {
			r->decision = AUTHZ_IMPLICIT_DENY;
			r->reason = !scp_ok
					? (r->capped ? AUTHZ_REASON_SCP_LEVEL : AUTHZ_REASON_SCP)
					: AUTHZ_REASON_RCP;
		}
		memcpy(r->matched, m.allow, m.nallow * sizeof(m.allow[0]));
		r->nmatched = m.nallow;
		r->nmatched_total = m.nallow_total;
		/* A run-time error (a value too long to substitute) never allows. */
		if (ec.error && r->decision == AUTHZ_ALLOW) {
			r->decision = AUTHZ_IMPLICIT_DENY;
			r->reason = AUTHZ_REASON_NO_ALLOW;
		}
	}
	memcpy(r->missing, ec.missing, ec.nmissing * sizeof(ec.missing[0]));
	r->nmissing = ec.nmissing;
}

const char *authz_decision_name(enum authz_decision d)
{
	static const char *const names[_AUTHZ_DECISION_MAX] = {
		[AUTHZ_IMPLICIT_DENY] = "implicit_deny",
		[AUTHZ_EXPLICIT_DENY] = "explicit_deny",
		[AUTHZ_ALLOW] = "allow",
	};

	return (unsigned)d < _AUTHZ_DECISION_MAX ? names[d] : "?";
}

const char *authz_effect_name(enum authz_effect e)
{
	return e == AUTHZ_EFFECT_DENY ? "Deny" : "Allow";
}

const char *authz_reason_text(enum authz_reason r)
{
	static const char *const text[_AUTHZ_REASON_MAX] = {
		[AUTHZ_REASON_EXPLICIT_DENY] = "an explicit Deny statement matched",
		[AUTHZ_REASON_IDENTITY_ALLOW] = "an identity-based policy allows it",
		[AUTHZ_REASON_RESOURCE_ALLOW] = "the resource-based policy allows this principal",
		[AUTHZ_REASON_CROSS_ACCOUNT_ALLOW] =
		    "cross-account: both the identity side and the resource policy allow it",
		[AUTHZ_REASON_NO_ALLOW] = "no statement allows it",
		[AUTHZ_REASON_BOUNDARY] = "allowed by an identity-based policy, but not by the "
					  "permission boundary",
		[AUTHZ_REASON_SESSION] = "allowed by an identity-based policy, but not by the "
					 "session policies",
		[AUTHZ_REASON_CROSS_ACCOUNT_NO_RESOURCE] =
		    "cross-account: the identity side allows it, but the resource policy "
		    "does not",
		[AUTHZ_REASON_CROSS_ACCOUNT_NO_IDENTITY] =
		    "cross-account: the identity side (identity policies, boundary, "
		    "session policies) does not allow it",
		[AUTHZ_REASON_TRUST] = "the role's trust policy does not allow this principal "
				       "(it must, whatever identity policies say)",
		[AUTHZ_REASON_KEY_POLICY] = "the KMS key policy does not allow it (it must, "
					    "whatever identity policies say)",
		[AUTHZ_REASON_IDENTITY_ALLOW_UNVERIFIED] =
		    "an identity-based policy allows it; the role's trust policy was not given "
		    "and is not evaluated, as in AWS's policy simulator",
		[AUTHZ_REASON_SCP] = "allowed, but not by every service control policy (each one "
				     "must allow; they never grant)",
		[AUTHZ_REASON_RCP] = "allowed, but not by every resource control policy (each one "
				     "must allow; they never grant)",
		[AUTHZ_REASON_SCP_LEVEL] =
		    "allowed, but at one level of the organization (its root, "
		    "an OU, the account) no attached service control policy "
		    "allows it (every level must; they never grant)",
		[AUTHZ_REASON_NO_PERMISSION_NEEDED] =
		    "sts:GetCallerIdentity needs no permission, and an explicit Deny does not "
		    "stop it",
	};

	return (unsigned)r < _AUTHZ_REASON_MAX ? text[r] : "?";
}
