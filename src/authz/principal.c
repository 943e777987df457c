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

#include "authz/keys.h"
#include "authz/store.h"
#include "authz/value.h"
#include "common/macro.h"
#include "common/str.h"

/* Context keys of one request: derived + clock + session + the caller's. */
#define QUERY_CONTEXT_MAX 256
/* Derived keys of one principal: five fixed, one per tag. */
#define DERIVED_MAX (8 + STORE_TAGS_MAX)

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
	const struct authz_principal *role;
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

bool authz_key_is_derived(const char *key, size_t len)
{
	/* Every derived key has its own length: one comparison per caller key. */
	static const char *const by_len[21] = {
		[10] = "aws:userid",	      [12] = "aws:username",	  [13] = "aws:EpochTime",
		[15] = "aws:CurrentTime",     [16] = "aws:PrincipalArn",  [17] = "aws:PrincipalType",
		[18] = "aws:TokenIssueTime",  [20] = "aws:PrincipalAccount",
	};

	if (len > 17 && gh_eq_nocase(key, 17, "aws:PrincipalTag/", 17))
		return true;
	return len < ARRAY_SIZE(by_len) && by_len[len] && gh_eq_nocase(key, len, by_len[len], len);
}

static bool is_mfa_key(const char *key, size_t len)
{
	return len >= 21 && gh_eq_nocase(key, 21, "aws:MultiFactorAuth", 19) &&
	       (gh_eq_nocase(key, len, "aws:MultiFactorAuthPresent", 26) ||
		gh_eq_nocase(key, len, "aws:MultiFactorAuthAge", 22));
}

/* ---- built at load ---------------------------------------------------------- */

static bool add_policy_once(struct authz_principal *p, struct authz_policy *x)
{
	for (uint32_t i = 0; i < p->npolicies; i++)
		if (p->policies[i] == x)
			return false;
	p->policies[p->npolicies++] = x;
	return true;
}

/* Derived key @key = @value into @e/@v (strings live in the store's arena). */
static void derive(struct authz_ctx_entry *e, struct authz_value *v, const char *key,
		   const char *value)
{
	v->s = value;
	v->len = strlen(value);
	authz_ctx_entry_init(e, key, strlen(key), v, 1, false);
}

/* The tags of @p as aws:PrincipalTag/<k> keys, after @n entries. */
static int derive_tags(struct arena *a, const struct authz_principal *p,
		       struct authz_ctx_entry *e, struct authz_value *v, size_t n)
{
	for (uint32_t i = 0; i < p->ntags && n < DERIVED_MAX; i++) {
		size_t klen = strlen(p->tags[i].key);
		char *key = arena_alloc(a, 17 + klen + 1);

		if (!key)
			return -ENOMEM;
		memcpy(key, "aws:PrincipalTag/", 17);
		memcpy(key + 17, p->tags[i].key, klen + 1);
		derive(&e[n], &v[n], key, p->tags[i].value);
		n++;
	}
	return (int)n;
}

int store_principal_finish(struct store_loader *l, struct authz_principal *p)
{
	struct arena *a = &l->s->arena;
	struct authz_value *v;
	size_t total = p->nown, n = 0;
	int r;

	for (uint32_t g = 0; g < p->ngroups; g++)
		total += p->groups[g]->nown;
	p->policies = arena_array(a, total + 1, sizeof(*p->policies));
	p->derived = arena_array(a, DERIVED_MAX, sizeof(*p->derived));
	v = arena_array(a, DERIVED_MAX, sizeof(*v));
	if (!p->policies || !p->derived || !v)
		return -ENOMEM;
	/* A user's own policies, then its groups' in order; a policy attached twice counts once. */
	for (uint32_t i = 0; i < p->nown; i++)
		add_policy_once(p, p->own[i]);
	for (uint32_t g = 0; g < p->ngroups; g++)
		for (uint32_t i = 0; i < p->groups[g]->nown; i++)
			add_policy_once(p, p->groups[g]->own[i]);
	if (p->kind == ENTITY_USER)
		derive(&p->derived[n], &v[n], "aws:username", p->name), n++;
	derive(&p->derived[n], &v[n], "aws:userid", p->id), n++;
	derive(&p->derived[n], &v[n], "aws:PrincipalArn", p->arn), n++;
	derive(&p->derived[n], &v[n], "aws:PrincipalAccount", p->account), n++;
	derive(&p->derived[n], &v[n], "aws:PrincipalType",
	       p->kind == ENTITY_USER ? "User" : "AssumedRole"), n++;
	r = derive_tags(a, p, p->derived, v, n);
	if (r < 0)
		return r;
	p->nderived = (uint32_t)r;
	return 0;
}

/* ---- per request -------------------------------------------------------------- */

static struct authz_policy *resource_policy(const struct authz_store *s, const char *resource)
{
	size_t len = s->nbindings ? strlen(resource) : 0;

	for (size_t i = 0; i < s->nbindings; i++)
		for (uint32_t k = 0; k < s->bindings[i].npats; k++)
			if (glob_match(&s->bindings[i].pats[k], resource, len))
				return s->bindings[i].policy;
	return NULL;
}

#define TIME_TEXT_MAX 48

/* "2026-11-30T17:58:05Z" for @ms. */
static void format_time(int64_t ms, char buf[TIME_TEXT_MAX])
{
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400, rem = secs - days * 86400;
	/* civil_from_days (H. Hinnant) */
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;

	y += m <= 2;
	snprintf(buf, TIME_TEXT_MAX, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, (int)m,
		 (int)d, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
}

/*
 * aws:CurrentTime and aws:EpochTime for @now_ms.  Formatting costs more
 * than the rest of a request's bookkeeping; requests come many a second,
 * so each thread keeps the last second's text.
 */
static void clock_text(int64_t now_ms, char now[TIME_TEXT_MAX], char epoch[24])
{
	static _Thread_local int64_t cached_sec = INT64_MIN;
	static _Thread_local char cached_now[TIME_TEXT_MAX], cached_epoch[24];
	int64_t sec = now_ms >= 0 ? now_ms / 1000 : (now_ms - 999) / 1000;

	if (sec != cached_sec) {
		format_time(now_ms, cached_now);
		snprintf(cached_epoch, sizeof(cached_epoch), "%lld", (long long)sec);
		cached_sec = sec;
	}
	memcpy(now, cached_now, TIME_TEXT_MAX);
	memcpy(epoch, cached_epoch, 24);
}

static int refuse(struct diag *err, int r, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Fill *err (when given) and return @r. */
static int refuse(struct diag *err, int r, const char *path, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		memset(err, 0, sizeof(*err));
		err->severity = DIAG_ERROR;
		gh_strlcpy_ellipsis(err->path, path, sizeof(err->path));
		va_start(ap, fmt);
		gh_vsnprintf_ellipsis(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return r;
}

/**
 * struct query_ctx - the context of one request, on the stack
 */
struct query_ctx {
	struct authz_ctx_entry e[QUERY_CONTEXT_MAX];
	struct authz_value v[4];
	char now[TIME_TEXT_MAX], epoch[24], mfa_age[24];
	size_t n;
};

static bool push(struct query_ctx *c, const struct authz_ctx_entry *e)
{
	if (c->n >= QUERY_CONTEXT_MAX)
		return false;
	c->e[c->n++] = *e;
	return true;
}

/*
 * Push @key (a string literal) = @value.  @hash caches the key's hash: the
 * same few keys are pushed on every request.
 */
static void push_value(struct query_ctx *c, int slot, const char *key, uint32_t *hash,
		       const char *value)
{
	size_t klen = strlen(key);
	struct authz_ctx_entry e = {
		.key = key,
		.keylen = klen,
		.values = &c->v[slot],
		.nvalues = 1,
	};

	if (!*hash)
		*hash = gh_hash_nocase(key, klen);
	e.hash = *hash;
	c->v[slot].s = value;
	c->v[slot].len = strlen(value);
	push(c, &e);
}

/* Hashes of the keys push_value() sets, filled on first use (same value in every thread). */
static _Thread_local uint32_t hash_now, hash_epoch, hash_mfa, hash_mfa_age;

static int build_context(struct query_ctx *c, const struct authz_principal *p,
			 const struct authz_session *sess, const struct authz_ctx_entry *ctx,
			 size_t nctx, int64_t now_ms, struct diag *err)
{
	char path[GH_DIAG_PATH_MAX];

	c->n = 0;
	for (size_t i = 0; i < nctx; i++) {
		if (!authz_key_is_derived(ctx[i].key, ctx[i].keylen))
			continue;
		snprintf(path, sizeof(path), "context.%.*s", (int)ctx[i].keylen, ctx[i].key);
		return refuse(err, -EPERM, path,
			      "%s is derived by gatehouse from the principal and the clock; a "
			      "caller cannot set it",
			      path + 8);
	}
	if (sess) {
		for (size_t i = 0; i < sess->nderived; i++)
			push(c, &sess->derived[i]);
		if (sess->mfa) {
			snprintf(c->mfa_age, sizeof(c->mfa_age), "%lld",
				 (long long)((now_ms - sess->mfa_ms) / 1000));
			push_value(c, 2, "aws:MultiFactorAuthPresent", &hash_mfa, "true");
			push_value(c, 3, "aws:MultiFactorAuthAge", &hash_mfa_age, c->mfa_age);
		}
	} else {
		for (uint32_t i = 0; i < p->nderived; i++)
			push(c, &p->derived[i]);
	}
	clock_text(now_ms, c->now, c->epoch);
	push_value(c, 0, "aws:CurrentTime", &hash_now, c->now);
	push_value(c, 1, "aws:EpochTime", &hash_epoch, c->epoch);
	for (size_t i = 0; i < nctx; i++) {
		/* A session's MFA facts are its own, fixed when the role was assumed. */
		if (sess && is_mfa_key(ctx[i].key, ctx[i].keylen))
			continue;
		if (!push(c, &ctx[i]))
			return refuse(err, -E2BIG, "context", "more than %d context keys",
				      QUERY_CONTEXT_MAX);
	}
	return 0;
}

static int evaluate(const struct authz_store *s, const struct authz_principal *p,
		    const struct authz_session *sess, const char *action, const char *resource,
		    const struct authz_ctx_entry *ctx, size_t nctx, int64_t now_ms,
		    struct authz_policy *override_resource, struct authz_result *r, struct diag *err)
{
	struct query_ctx qc, *c = &qc;
	struct authz_policy_set set = { 0 };
	struct authz_request req = { 0 };
	int ret;

	ret = build_context(c, p, sess, ctx, nctx, now_ms, err);
	if (ret < 0)
		return ret;
	set.identity = p->policies;
	set.nidentity = p->npolicies;
	set.boundary = p->boundary;
	if (sess) {
		set.session = sess->policies;
		set.nsession = sess->npolicies;
	}
	set.resource = override_resource ? override_resource : resource_policy(s, resource);
	/* A trust policy must allow the caller itself (AWS: "IAM role trust policies ... are exceptions"). */
	set.resource_must_allow = override_resource != NULL;
	req.principal = sess ? sess->arn : p->arn;
	req.action = action;
	req.resource = resource;
	req.context = c->e;
	req.ncontext = c->n;
	ret = authz_evaluate(&set, &req, r);
	if (ret < 0)
		return refuse(err, ret, "action", "action must be \"service:ActionName\"");
	return 0;
}

int authz_store_evaluate(const struct authz_store *s, const struct authz_query *q,
			 struct authz_result *ret, struct diag *reterr)
{
	const struct authz_principal *p = q->session ? q->session->role : q->principal;

	if (!p || !q->action || !q->resource)
		return refuse(reterr, -EINVAL, "",
			      "a request needs a principal, an action and a resource");
	return evaluate(s, p, q->session, q->action, q->resource, q->context, q->ncontext,
			q->now_ms, NULL, ret, reterr);
}

/* ---- role sessions ---------------------------------------------------------------- */

/* The caller's MFA facts at assume time: present, and since when. */
static void mfa_facts(struct authz_session *sess, const struct authz_ctx_entry *ctx, size_t n,
		      int64_t now_ms)
{
	double age = 0;

	for (size_t i = 0; i < n; i++) {
		const struct authz_ctx_entry *e = &ctx[i];
		bool b;

		if (e->nvalues != 1)
			continue;
		if (gh_eq_nocase(e->key, e->keylen, "aws:MultiFactorAuthPresent", 26))
			sess->mfa = value_parse_bool(e->values[0].s, e->values[0].len, &b) && b;
		else if (gh_eq_nocase(e->key, e->keylen, "aws:MultiFactorAuthAge", 22))
			(void)value_parse_number(e->values[0].s, e->values[0].len, &age);
	}
	sess->mfa_ms = now_ms - (int64_t)(age * 1000);
}

static int session_new(const struct authz_principal *role, const char *name,
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
	derive(&sess->derived[n], &sess->values[n], "aws:userid", sess->userid), n++;
	derive(&sess->derived[n], &sess->values[n], "aws:PrincipalArn", role->arn), n++;
	derive(&sess->derived[n], &sess->values[n], "aws:PrincipalAccount", role->account), n++;
	derive(&sess->derived[n], &sess->values[n], "aws:PrincipalType", "AssumedRole"), n++;
	derive(&sess->derived[n], &sess->values[n], "aws:TokenIssueTime", sess->issued), n++;
	/* Role tags: aws:PrincipalTag/ keys, already built for the role at load. */
	for (uint32_t i = 0; i < role->nderived && n < DERIVED_MAX; i++)
		if (role->derived[i].keylen > 17 &&
		    gh_eq_nocase(role->derived[i].key, 17, "aws:PrincipalTag/", 17))
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
	const struct authz_principal *rp = authz_store_find(s, role);
	int r;

	*ret_session = NULL;
	if (!rp || rp->kind != ENTITY_ROLE)
		return refuse(reterr, -ENOENT, "assume_role", "no role %s in the store", role);
	if (!session_name || !value_is_iam_name(session_name, 2, 64))
		return refuse(reterr, -EINVAL, "session_name",
			      "a session name is 2 to 64 of letters, digits and +=,.@_- (got \"%s\")",
			      session_name ? session_name : "");
	r = evaluate(s, caller, NULL, "sts:AssumeRole", rp->arn, ctx, nctx, now_ms, rp->trust,
		     ret_assume, reterr);
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
