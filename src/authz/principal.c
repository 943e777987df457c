/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Requests by principals of a store: each principal's policy set and
 * derived context keys are built once at load; a request copies them next
 * to the caller's keys and the clock's, picks the resource's policy, and
 * evaluates.  Role sessions come from sts:AssumeRole, evaluated against
 * the role's trust policy.  Nothing here allocates per request (sessions
 * are allocated once, when assumed).
 */
#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/eval.h"
#include "authz/keys.h"
#include "authz/limits.h"
#include "authz/request.h"
#include "authz/store.h"
#include "authz/value.h"
#include "common/macro.h"
#include "common/str.h"

/* Per request: aws:CurrentTime, aws:EpochTime, the session's two MFA keys, three resource keys. */
#define REQUEST_KEYS_MAX 8
/*
 * Context keys of one request: derived + clock + session + resource + the
 * caller's, whose count authz_request_check() caps, so they always fit.
 */
#define QUERY_CONTEXT_MAX (DERIVED_MAX + REQUEST_KEYS_MAX + AUTHZ_REQ_KEYS_MAX)

/**
 * struct authz_session - a role session
 * @role: the assumed role (borrowed from the store, which must outlive it)
 * @arn: arn:aws:sts::<acct>:assumed-role/<role>/<name>
 * @userid: "<RoleId>:<name>"
 * @policies: session policies (one reference each)
 * @mfa: the caller had passed MFA when assuming the role
 * @mfa_ms: when that MFA check happened
 * @issued_ms: when the session was issued (aws:TokenIssueTime)
 * @derived: the session's derived keys, @values their values
 */
struct authz_session {
	const struct az_entity *role;
	char arn[600];
	char userid[200];
	char issued[48];
	struct authz_policy **policies;
	size_t npolicies;
	bool mfa;
	int64_t mfa_ms;
	int64_t issued_ms;
	struct authz_ctx_entry derived[DERIVED_MAX];
	struct authz_value values[DERIVED_MAX];
	size_t nderived;
};

/* ---- per request -------------------------------------------------------------- */

static const struct resource_binding *binding_for(const struct authz_store *s, const char *resource,
						  size_t len)
{
	for (size_t i = 0; i < s->nbindings; i++)
		for (uint32_t k = 0; k < s->bindings[i].npats; k++)
			if (az_glob_match(&s->bindings[i].pats[k], resource, len))
				return &s->bindings[i];
	return NULL;
}

#define TIME_TEXT_MAX 48
/* Digits of an int64_t in decimal, with its sign, and the NUL. */
#define INT_TEXT_MAX 24

/* "00" to "99": formatting two digits at a time halves the divisions. */
static const char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* @v (below 100) as two digits at @p, then @sep; returns the end. */
static char *put_pair(char *p, unsigned v, char sep)
{
	memcpy(p, &digit_pairs[2 * v], 2);
	p[2] = sep;
	return p + 3;
}

/*
 * "%lld" of @v into @buf, without snprintf's format parsing: a request
 * formats one or two of these.  Returns the length.
 */
static size_t format_int(int64_t v, char buf[INT_TEXT_MAX])
{
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	char tmp[INT_TEXT_MAX], *p = tmp + sizeof(tmp);
	size_t len;

	for (; u >= 100; u /= 100) {
		p -= 2;
		memcpy(p, &digit_pairs[2 * (u % 100)], 2);
	}
	if (u >= 10) {
		p -= 2;
		memcpy(p, &digit_pairs[2 * u], 2);
	} else {
		*--p = (char)('0' + u);
	}
	if (v < 0)
		*--p = '-';
	len = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(buf, p, len);
	buf[len] = '\0';
	return len;
}

/* @a / @b rounded down (@b > 0), for any @a: (a - (b - 1)) / b overflows near INT64_MIN. */
static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

/* "2026-11-30T17:58:05Z" for @ms; returns the length. */
static size_t format_time(int64_t ms, char buf[TIME_TEXT_MAX])
{
	int64_t secs = floor_div(ms, 1000);
	int64_t days = floor_div(secs, 86400), rem = secs - days * 86400;
	/* civil_from_days (H. Hinnant) */
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	char *p = buf;

	y += m <= 2;
	/* Years before 0 or after 9999 are rare: snprintf's sign and width rules for them. */
	if (y < 0 || y > 9999)
		return (size_t)snprintf(buf, TIME_TEXT_MAX, "%04lld-%02d-%02dT%02d:%02d:%02dZ",
					(long long)y, (int)m, (int)d, (int)(rem / 3600),
					(int)(rem / 60 % 60), (int)(rem % 60));
	memcpy(p, &digit_pairs[2 * (y / 100)], 2);
	p = put_pair(p + 2, (unsigned)(y % 100), '-');
	p = put_pair(p, (unsigned)m, '-');
	p = put_pair(p, (unsigned)d, 'T');
	p = put_pair(p, (unsigned)(rem / 3600), ':');
	p = put_pair(p, (unsigned)(rem / 60 % 60), ':');
	p = put_pair(p, (unsigned)(rem % 60), 'Z');
	*p = '\0';
	return (size_t)(p - buf);
}

/**
 * struct clock_text - aws:CurrentTime and aws:EpochTime of one second
 * @sec: the second, INT64_MIN when none yet
 * @now, @epoch: the values, pointing into @now_text and @epoch_text
 */
struct clock_text {
	int64_t sec;
	struct authz_value now, epoch;
	char now_text[TIME_TEXT_MAX], epoch_text[INT_TEXT_MAX];
};

/*
 * The clock's keys for @now_ms.  Formatting costs more than the rest of a
 * request's bookkeeping, and requests come many a second, so each thread
 * keeps the last second's text; a request's values point into it (they
 * are only read during that request, on this thread).
 */
static const struct clock_text *clock_text(int64_t now_ms)
{
	static _Thread_local struct clock_text ct = { .sec = INT64_MIN };
	int64_t sec = floor_div(now_ms, 1000);

	if (sec != ct.sec) {
		ct.now.len = format_time(now_ms, ct.now_text);
		ct.now.s = ct.now_text;
		ct.epoch.len = format_int(sec, ct.epoch_text);
		ct.epoch.s = ct.epoch_text;
		ct.sec = sec;
	}
	return &ct;
}

/* Fill *err (when given) and return @r: authz/request.c writes every refusal. */
#define refuse az_refuse

/**
 * struct query_ctx - the context of one request, on the stack
 * @e: its entries: derived, the session's MFA facts, clock, resource, the caller's
 * @mfa: values of the session's MFA keys
 * @mfa_age: text of aws:MultiFactorAuthAge
 * @res: values of the resource's keys (aws:ResourceAccount, ...)
 */
struct query_ctx {
	struct authz_ctx_entry e[QUERY_CONTEXT_MAX];
	struct authz_value mfa[2];
	char mfa_age[INT_TEXT_MAX];
	struct authz_value res[3];
	size_t n;
};

/* Room for @n more entries. */
static bool has_room(const struct query_ctx *c, size_t n)
{
	return n <= QUERY_CONTEXT_MAX - c->n;
}

/* Append @n entries (room checked by the caller; @e may be NULL when @n is 0). */
static void push(struct query_ctx *c, const struct authz_ctx_entry *e, size_t n)
{
	if (n)
		memcpy(&c->e[c->n], e, n * sizeof(*e));
	c->n += n;
}

/*
 * Push @key (a string literal) = @v (borrowed).  @hash caches the key's
 * hash: the same few keys are pushed on every request.
 */
static void push_value(struct query_ctx *c, const char *key, uint32_t *hash,
		       const struct authz_value *v)
{
	size_t klen = strlen(key);
	struct authz_ctx_entry *e = &c->e[c->n++];

	if (!*hash)
		*hash = gh_hash_nocase(key, klen);
	*e = (struct authz_ctx_entry){
		.key = key,
		.keylen = klen,
		.hash = *hash,
		.values = v,
		.nvalues = 1,
	};
}

/* Hashes of the keys push_value() sets, filled on first use (same value in every thread). */
static _Thread_local uint32_t hash_now, hash_epoch, hash_mfa, hash_mfa_age, hash_res_account,
    hash_res_org, hash_res_paths;

/* @a - @b, saturated at the ends of int64_t: a time difference never wraps. */
static int64_t sub_sat(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return b > 0 ? INT64_MIN : INT64_MAX;
	return r;
}

/* Seconds (checked: a number, 0 or more) as milliseconds, saturated. */
static int64_t seconds_ms(double secs)
{
	/* Well below INT64_MAX / 1000, so that the product never reaches it. */
	if (secs >= 9e15)
		return INT64_MAX;
	return secs > 0 ? (int64_t)(secs * 1000) : 0;
}

/* The session's MFA facts, as of @now_ms. */
static void push_mfa(struct query_ctx *c, const struct authz_session *sess, int64_t now_ms)
{
	int64_t age_ms = sub_sat(now_ms, sess->mfa_ms);

	c->mfa[0] = (struct authz_value){ "true", 4 };
	/* A request dated before the MFA check: not older than it, not younger than 0. */
	c->mfa[1].len = format_int(age_ms > 0 ? age_ms / 1000 : 0, c->mfa_age);
	c->mfa[1].s = c->mfa_age;
	push_value(c, "aws:MultiFactorAuthPresent", &hash_mfa, &c->mfa[0]);
	push_value(c, "aws:MultiFactorAuthAge", &hash_mfa_age, &c->mfa[1]);
}

/* The caller's keys, but a session's MFA facts, fixed when the role was assumed. */
static int push_caller(struct query_ctx *c, const struct authz_session *sess,
		       const struct authz_ctx_entry *ctx, size_t nctx, struct diag *err)
{
	/* authz_request_check() capped @nctx and the array is sized for the cap: never taken. */
	if (!has_room(c, nctx))
		return refuse(err, -E2BIG, "context", "more than %d context keys",
			      AUTHZ_REQ_KEYS_MAX);
	/* The usual case: one copy of the whole array. */
	if (!sess) {
		push(c, ctx, nctx);
		return 0;
	}
	for (size_t i = 0; i < nctx; i++)
		if (!authz_key_is_mfa(ctx[i].key, ctx[i].keylen))
			push(c, &ctx[i], 1);
	return 0;
}

/*
 * The caller's keys may not say what gatehouse derives, and the numbers
 * gatehouse computes with must be numbers it can compute with.
 */
static int check_caller(const struct authz_ctx_entry *ctx, size_t nctx, struct diag *err)
{
	char path[GH_DIAG_PATH_MAX];

	for (size_t i = 0; i < nctx; i++) {
		const struct authz_ctx_entry *e = &ctx[i];
		const struct authz_value *bad = NULL;
		double secs;

		if (authz_key_is_derived(e->key, e->keylen)) {
			snprintf(path, sizeof(path), "context.%.*s", (int)e->keylen, e->key);
			return refuse(err, -EPERM, path,
				      "%s is derived by gatehouse (from the store, the request and "
				      "the clock; absent when no principal it has can carry it); a "
				      "caller cannot set it",
				      path + 8);
		}
		/* The length first: this runs for every caller key of every request. */
		if (e->keylen != GH_LIT_LEN("aws:MultiFactorAuthAge") ||
		    !gh_eq_lit(e->key, e->keylen, "aws:MultiFactorAuthAge"))
			continue;
		for (size_t k = 0; k < e->nvalues && !bad; k++)
			if (!az_value_parse_number(e->values[k].s, e->values[k].len, &secs) ||
			    secs < 0)
				bad = &e->values[k];
		if (bad) {
			snprintf(path, sizeof(path), "context.%.*s", (int)e->keylen, e->key);
			return refuse(err, -EINVAL, path,
				      "%s is a number of seconds, 0 or more (got \"%.*s\")",
				      path + 8, bad->len > 64 ? 64 : (int)bad->len, bad->s);
		}
	}
	return 0;
}

/**
 * struct resource_view - what the store knows of a request's resource
 * @policy: its resource-based policy, the role's trust policy for
 *	sts:AssumeRole* on a role of the store, or NULL
 * @trust: @policy is a trust policy (it must allow whatever else does)
 * @account, @accountlen: its owner: its ARN's account, else the account of
 *	the store's resource policy for it, else the request's
 *	resource_account, else the caller's
 * @given: @account when the ARN names none (for authz_request.resource_account)
 * @org: the owner's organization, when the store knows it
 */
struct resource_view {
	struct authz_policy *policy;
	bool trust;
	const char *account;
	size_t accountlen;
	const char *given;
	const struct store_account *org;
};

static bool is_account_id(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return len == 12;
}

/*
 * The account field of ARN @arn (@len bytes), when it has one: the text
 * between its fourth and fifth colons (outputs set only then).  memchr finds them faster than
 * az_value_split_arn's walk, and this runs on every request.
 */
static bool arn_account(const char *arn, size_t len, const char **ret, size_t *ret_len)
{
	const char *p = arn, *end = arn + len, *start = NULL;

	if (!gh_prefix_lit_case(arn, len, "arn:"))
		return false;
	for (int colon = 0; colon < 5; colon++) {
		const char *c = memchr(p, ':', (size_t)(end - p));

		if (!c)
			return false;
		if (colon == 3)
			start = c + 1;
		p = c + 1;
	}
	if (p - 1 == start)
		return false; /* no account (S3) */
	*ret = start;
	*ret_len = (size_t)(p - 1 - start);
	return true;
}

static int view_resource(const struct authz_store *s, const struct az_entity *p, const char *action,
			 const char *resource, const char *given, struct resource_view *rv,
			 struct diag *err)
{
	size_t len = strlen(resource);
	const struct az_entity *role = NULL;
	const struct resource_binding *b = NULL;
	const char *why = NULL;
	char id[13];

	*rv = (struct resource_view){ 0 };
	/* One evaluation of a role assumption, whether asked through assume_role or not. */
	if (gh_prefix_lit(action, strlen(action), "sts:AssumeRole") &&
	    (role = gh_strmap_get(&s->by_arn, resource)) && role->kind == ENTITY_ROLE) {
		rv->policy = role->trust;
		rv->trust = true;
	} else if ((b = binding_for(s, resource, len))) {
		rv->policy = b->policy;
	}
	if (arn_account(resource, len, &rv->account, &rv->accountlen)) {
		why = "its ARN";
	} else if (b) {
		rv->account = rv->given = b->account;
		why = "the store's resource policy for it";
	}
	if (rv->account && !rv->accountlen)
		rv->accountlen = strlen(rv->account);
	if (given && !is_account_id(given, strlen(given)))
		return refuse(err, -EINVAL, "resource_account",
			      "resource_account is a 12-digit account id (got \"%.64s\")", given);
	/* What the store knows is not the caller's to contradict. */
	if (given && rv->account &&
	    (rv->accountlen != 12 || memcmp(rv->account, given, rv->accountlen)))
		return refuse(err, -EINVAL, "resource_account",
			      "%s belongs to account %.*s (%s), not %s", resource,
			      (int)rv->accountlen, rv->account, why, given);
	/* Nothing says otherwise: the caller's own account. */
	if (!rv->account) {
		rv->account = rv->given = given ? given : p->account;
		rv->accountlen = strlen(rv->account);
	}
	if (s->accounts.n && rv->accountlen == sizeof(id) - 1) {
		memcpy(id, rv->account, rv->accountlen);
		id[rv->accountlen] = '\0';
		rv->org = gh_strmap_get(&s->accounts, id);
	}
	return 0;
}

/* aws:ResourceAccount, and the owner's organization keys when the store knows them. */
static void push_resource(struct query_ctx *c, const struct resource_view *rv)
{
	c->res[0] = (struct authz_value){ rv->account, rv->accountlen };
	push_value(c, "aws:ResourceAccount", &hash_res_account, &c->res[0]);
	if (!rv->org)
		return;
	c->res[1] = (struct authz_value){ rv->org->org_id, strlen(rv->org->org_id) };
	push_value(c, "aws:ResourceOrgID", &hash_res_org, &c->res[1]);
	if (rv->org->org_path) {
		c->res[2] = (struct authz_value){ rv->org->org_path, strlen(rv->org->org_path) };
		push_value(c, "aws:ResourceOrgPaths", &hash_res_paths, &c->res[2]);
		c->e[c->n - 1].multi = true;
	}
}

static int build_context(struct query_ctx *c, const struct az_entity *p,
			 const struct authz_session *sess, const struct authz_ctx_entry *ctx,
			 size_t nctx, int64_t now_ms, const struct resource_view *rv,
			 struct diag *err)
{
	const struct clock_text *ct;

	c->n = 0;
	/* Built once, at load (or when the role was assumed), hashes and all: copied as is. */
	if (sess) {
		push(c, sess->derived, sess->nderived);
		if (sess->mfa)
			push_mfa(c, sess, now_ms);
	} else {
		push(c, p->derived, p->nderived);
	}
	ct = clock_text(now_ms);
	push_value(c, "aws:CurrentTime", &hash_now, &ct->now);
	push_value(c, "aws:EpochTime", &hash_epoch, &ct->epoch);
	push_resource(c, rv);
	return push_caller(c, sess, ctx, nctx, err);
}

/*
 * AWS Organizations' policies of a request: the SCPs of the principal's
 * account, level by level, and the RCPs of the resource's owner (whose
 * allows never cap: RCPFullAWSAccess is at every level).  Neither applies
 * to the management account (its principals, its resources) nor to
 * service-linked roles (AWS Organizations, "Service control policies":
 * "SCPs don't affect ... service-linked roles"; "RCPs don't affect ...
 * resources in the management account").
 */
static void org_policies(const struct az_entity *p, const struct resource_view *rv,
			 struct authz_policy_set *set)
{
	if (p->kind == ENTITY_ROLE && gh_starts_with(p->path, "/aws-service-role/"))
		return;
	if (p->org && !p->org->management && p->org->nscp) {
		set->scp = p->org->scp;
		set->nscp = p->org->nscp;
		set->scp_levels = p->org->levels;
		set->nscp_levels = p->org->nlevels;
	}
	if (rv->org && !rv->org->management && rv->org->nrcp) {
		set->rcp = rv->org->rcp;
		set->nrcp = rv->org->nrcp;
		set->rcp_deny_only = true;
	}
}

static int evaluate(const struct authz_store *s, const struct az_entity *p,
		    const struct authz_session *sess, const char *action, const char *resource,
		    const char *resource_account, const struct authz_ctx_entry *ctx, size_t nctx,
		    int64_t now_ms, struct authz_result *r, struct diag *err)
{
	struct query_ctx qc, *c = &qc;
	struct authz_policy_set set = { 0 };
	struct authz_request req = { 0 };
	struct resource_view rv;
	int ret;

	/* The caller's strings meet the caps before anything matches them (the resource's owner).
	 */
	req.principal = sess ? sess->arn : p->arn;
	req.action = action;
	req.resource = resource;
	req.resource_account = resource_account;
	req.context = ctx;
	req.ncontext = nctx;
	ret = authz_request_check(&req, err);
	if (ret >= 0)
		ret = check_caller(ctx, nctx, err);
	if (ret >= 0)
		ret = view_resource(s, p, action, resource, resource_account, &rv, err);
	if (ret >= 0)
		ret = build_context(c, p, sess, ctx, nctx, now_ms, &rv, err);
	if (ret < 0)
		return ret;
	set.identity = p->policies;
	set.nidentity = p->npolicies;
	set.boundary = p->boundary;
	if (sess) {
		set.session = sess->policies;
		set.nsession = sess->npolicies;
	}
	set.resource = rv.policy;
	org_policies(p, &rv, &set);
	/* A trust policy must allow the caller itself (AWS: "IAM role trust policies ... are
	 * exceptions"). */
	set.resource_must_allow = rv.trust;
	req.resource_account = rv.given;
	req.context = c->e;
	req.ncontext = c->n;
	az_eval_request(&set, &req, r);
	return 0;
}

int authz_store_evaluate(const struct authz_store *s, const struct authz_query *q,
			 struct authz_result *ret, struct diag *reterr)
{
	const struct az_entity *p = q->session	   ? q->session->role
				    : q->principal ? &q->principal->e
						   : NULL;

	if (!p || !q->action || !q->resource)
		return refuse(reterr, -EINVAL, "",
			      "a request needs a principal, an action and a resource");
	return evaluate(s, p, q->session, q->action, q->resource, q->resource_account, q->context,
			q->ncontext, q->now_ms, ret, reterr);
}

/* ---- role sessions ---------------------------------------------------------------- */

/* The caller's MFA facts at assume time (checked by check_caller()): present, and since when. */
static void mfa_facts(struct authz_session *sess, const struct authz_ctx_entry *ctx, size_t n,
		      int64_t now_ms)
{
	double age = 0;

	for (size_t i = 0; i < n; i++) {
		const struct authz_ctx_entry *e = &ctx[i];
		bool b;

		if (e->nvalues != 1)
			continue;
		if (gh_eq_lit(e->key, e->keylen, "aws:MultiFactorAuthPresent"))
			sess->mfa = az_value_parse_bool(e->values[0].s, e->values[0].len, &b) && b;
		else if (gh_eq_lit(e->key, e->keylen, "aws:MultiFactorAuthAge"))
			(void)az_value_parse_number(e->values[0].s, e->values[0].len, &age);
	}
	sess->mfa_ms = sub_sat(now_ms, seconds_ms(age));
}

static int session_new(const struct az_entity *role, const char *name,
		       struct authz_policy *const *pols, size_t npols, int64_t now_ms,
		       struct authz_session **ret)
{
	struct authz_session *sess = calloc(1, sizeof(*sess));
	size_t n = 0;

	if (!sess || (npols && !(sess->policies = calloc(npols, sizeof(*sess->policies))))) {
		free(sess);
		return -ENOMEM;
	}
	sess->role = role;
	snprintf(sess->arn, sizeof(sess->arn), "arn:aws:sts::%s:assumed-role/%s/%s", role->account,
		 role->name, name);
	snprintf(sess->userid, sizeof(sess->userid), "%s:%s", role->id, name);
	sess->issued_ms = now_ms;
	format_time(now_ms, sess->issued);
	for (size_t i = 0; i < npols; i++)
		sess->policies[sess->npolicies++] = authz_policy_ref(pols[i]);
	az_store_derive(&sess->derived[n], &sess->values[n], "aws:userid", sess->userid), n++;
	az_store_derive(&sess->derived[n], &sess->values[n], "aws:TokenIssueTime", sess->issued),
	    n++;
	/*
	 * The rest is the role's, built at load: aws:PrincipalArn (the role's,
	 * as in AWS), aws:PrincipalAccount, aws:PrincipalType (AssumedRole),
	 * organization, tags.
	 */
	for (uint32_t i = 0; i < role->nderived && n < DERIVED_MAX; i++)
		if (!gh_eq_lit(role->derived[i].key, role->derived[i].keylen, "aws:userid"))
			sess->derived[n++] = role->derived[i];
	sess->nderived = n;
	*ret = sess;
	return 0;
}

int authz_store_assume_role(const struct authz_store *s, const struct authz_principal *caller,
			    const char *role, const char *session_name,
			    struct authz_policy *const *session, size_t nsession,
			    const struct authz_ctx_entry *ctx, size_t nctx, int64_t now_ms,
			    struct authz_result *ret_assume, struct authz_session **ret_session,
			    struct diag *reterr)
{
	const struct authz_principal *found = authz_store_find(s, role);
	const struct az_entity *rp = found ? &found->e : NULL;
	int r;

	*ret_session = NULL;
	if (!rp || rp->kind != ENTITY_ROLE)
		return refuse(reterr, -ENOENT, "assume_role", "no role %s in the store", role);
	if (!session_name || !az_value_is_iam_name(session_name, 2, 64))
		return refuse(reterr, -EINVAL, "session_name",
			      "a session name is 2 to 64 of letters, digits and +=,.@_- (got "
			      "\"%s\")",
			      session_name ? session_name : "");
	/* The same evaluation as sts:AssumeRole asked directly: the role's trust policy. */
	r = evaluate(s, caller ? &caller->e : NULL, NULL, "sts:AssumeRole", rp->arn, NULL, ctx,
		     nctx, now_ms, ret_assume, reterr);
	if (r < 0 || ret_assume->decision != AUTHZ_ALLOW)
		return r;
	r = session_new(rp, session_name, session, nsession, now_ms, ret_session);
	if (r < 0)
		return refuse(reterr, r, "", "out of memory");
	mfa_facts(*ret_session, ctx, nctx, now_ms);
	return 0;
}

const char *authz_session_arn(const struct authz_session *s)
{
	return s->arn;
}

struct authz_session *authz_session_free(struct authz_session *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->npolicies; i++)
		authz_policy_unref(s->policies[i]);
	free(s->policies);
	free(s);
	return NULL;
}
