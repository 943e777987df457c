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

/* Context keys of one request: derived + clock + session + the caller's. */
#define QUERY_CONTEXT_MAX AUTHZ_REQ_KEYS_MAX
/* Derived keys of one principal: five fixed, one per tag. */
#define DERIVED_MAX (8 + STORE_TAGS_MAX)
/* A request's derived, clock and MFA keys always fit: only the caller's are counted. */
_Static_assert(DERIVED_MAX + 4 <= QUERY_CONTEXT_MAX, "derived keys overflow a request");

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
	const char *want = len < ARRAY_SIZE(by_len) ? by_len[len] : NULL;

	/*
	 * Each request asks this of every caller key: the letter after "aws:"
	 * turns most of them away before a full comparison.
	 */
	if (len > 17 && gh_tolower(key[4]) == 'p' && gh_prefix_lit(key, len, "aws:PrincipalTag/"))
		return true;
	return want && gh_tolower(key[4]) == gh_tolower(want[4]) &&
	       gh_eq_nocase(key, len, want, len);
}

bool authz_key_is_mfa(const char *key, size_t len)
{
	return gh_eq_lit(key, len, "aws:MultiFactorAuthPresent") ||
	       gh_eq_lit(key, len, "aws:MultiFactorAuthAge");
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

/* "2026-11-30T17:58:05Z" for @ms; returns the length. */
static size_t format_time(int64_t ms, char buf[TIME_TEXT_MAX])
{
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400, rem = secs - days * 86400;
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
	int64_t sec = now_ms >= 0 ? now_ms / 1000 : (now_ms - 999) / 1000;

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
#define refuse authz_refuse

/**
 * struct query_ctx - the context of one request, on the stack
 * @e: its entries: derived, the session's MFA facts, clock, the caller's
 * @mfa: values of the session's MFA keys
 * @mfa_age: text of aws:MultiFactorAuthAge
 */
struct query_ctx {
	struct authz_ctx_entry e[QUERY_CONTEXT_MAX];
	struct authz_value mfa[2];
	char mfa_age[INT_TEXT_MAX];
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
static _Thread_local uint32_t hash_now, hash_epoch, hash_mfa, hash_mfa_age;

/* The session's MFA facts, as of @now_ms. */
static void push_mfa(struct query_ctx *c, const struct authz_session *sess, int64_t now_ms)
{
	c->mfa[0] = (struct authz_value){ "true", 4 };
	c->mfa[1].len = format_int((now_ms - sess->mfa_ms) / 1000, c->mfa_age);
	c->mfa[1].s = c->mfa_age;
	push_value(c, "aws:MultiFactorAuthPresent", &hash_mfa, &c->mfa[0]);
	push_value(c, "aws:MultiFactorAuthAge", &hash_mfa_age, &c->mfa[1]);
}

/* The caller's keys, but a session's MFA facts, fixed when the role was assumed. */
static int push_caller(struct query_ctx *c, const struct authz_session *sess,
		       const struct authz_ctx_entry *ctx, size_t nctx, struct diag *err)
{
	/* The usual case: one copy of the whole array. */
	if (!sess && has_room(c, nctx)) {
		push(c, ctx, nctx);
		return 0;
	}
	for (size_t i = 0; i < nctx; i++) {
		if (sess && authz_key_is_mfa(ctx[i].key, ctx[i].keylen))
			continue;
		if (!has_room(c, 1))
			return refuse(err, -E2BIG, "context", "more than %d context keys",
				      QUERY_CONTEXT_MAX);
		push(c, &ctx[i], 1);
	}
	return 0;
}

static int build_context(struct query_ctx *c, const struct authz_principal *p,
			 const struct authz_session *sess, const struct authz_ctx_entry *ctx,
			 size_t nctx, int64_t now_ms, struct diag *err)
{
	const struct clock_text *ct;
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
	return push_caller(c, sess, ctx, nctx, err);
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
	req.principal = sess ? sess->arn : p->arn;
	req.action = action;
	req.resource = resource;
	req.context = c->e;
	req.ncontext = c->n;
	/* Checked before resource_policy() matches the resource against every binding. */
	ret = authz_request_check(&req, err);
	if (ret < 0)
		return ret;
	set.resource = override_resource ? override_resource : resource_policy(s, resource);
	/* A trust policy must allow the caller itself (AWS: "IAM role trust policies ... are exceptions"). */
	set.resource_must_allow = override_resource != NULL;
	eval_request(&set, &req, r);
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
		if (gh_eq_lit(e->key, e->keylen, "aws:MultiFactorAuthPresent"))
			sess->mfa = value_parse_bool(e->values[0].s, e->values[0].len, &b) && b;
		else if (gh_eq_lit(e->key, e->keylen, "aws:MultiFactorAuthAge"))
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
		if (gh_prefix_lit(role->derived[i].key, role->derived[i].keylen, "aws:PrincipalTag/"))
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
