/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_eval: drive authz_evaluate() with odd requests against policies that
 * load.  The input is text in sections; a section starts at a line "%TAG"
 * (JSON never has a line starting with '%'), and what comes before the
 * first tag is an identity policy:
 *
 *   {"Version":"2012-10-17","Statement":[...]}     identity policy
 *   %identity                                      another (at most 4)
 *   {...}
 *   %boundary     permission boundary (identity kind)
 *   %session      session policy (at most 4)
 *   %resource     resource-based policy (resource slot)
 *   %trust        role trust policy (resource slot, trust kind,
 *                 resource_must_allow set)
 *   %request      one field a line:
 *   arn:aws:iam::111122223333:user/alice           principal
 *   s3:GetObject                                   action
 *   arn:aws:s3:::bucket/key                        resource
 *   111122223333                                   resource_account
 *   aws:SourceIp=203.0.113.7                       context, single value
 *   aws:TagKeys[]=team                             context, list (repeat to add)
 *   aws:CalledVia[]                                context, empty list
 *
 * A request field "~" is NULL; missing fields take a default.  A key given
 * twice as "k=v" becomes multi-valued, as `gatehouse eval --context` does.
 * Policies that do not load are left out (fuzz_policy_load covers them).
 *
 * Context keys and values are passed as exact-size buffers without a
 * terminating NUL, as struct authz_value allows: ASan reports any read past
 * a value's length.  Checked after every evaluation (__builtin_trap()):
 * return value, decision/reason ranges, explicit deny <=> a Deny matched,
 * matched entries point into the set, evaluation is deterministic, and
 * explicit denies and identity allows agree with the policies evaluated
 * alone.
 */
#include <errno.h>
#include <gatehouse/authz.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authz/limits.h"
#include "common/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_EVAL_INPUT_MAX (64u << 10)
#define FUZZ_EVAL_POLICIES_MAX 4
#define FUZZ_EVAL_KEYS_MAX 32
#define FUZZ_EVAL_VALUES_MAX 128

struct fuzz_key {
	char *key;
	size_t keylen;
	struct authz_value *values;
	size_t nvalues;
	bool multi;
};

struct fuzz_case {
	struct authz_policy *identity[FUZZ_EVAL_POLICIES_MAX];
	size_t nidentity;
	struct authz_policy *session[FUZZ_EVAL_POLICIES_MAX];
	size_t nsession;
	struct authz_policy *boundary, *resource;
	bool trust;	 /* the resource slot holds a trust policy */
	char *fields[4]; /* principal, action, resource, resource_account */
	bool field_null[4];
	bool field_set[4];
	struct fuzz_key keys[FUZZ_EVAL_KEYS_MAX];
	size_t nkeys, nvalues;
	struct authz_ctx_entry ctx[FUZZ_EVAL_KEYS_MAX];
};

static const char *const default_fields[4] = {
	"arn:aws:iam::111122223333:user/alice",
	"s3:GetObject",
	"arn:aws:s3:::bucket/key.txt",
	NULL,
};

/* An exact-size copy, no terminator (malloc(0) is fine: never read). */
static char *memdup_exact(const char *s, size_t len)
{
	char *p = malloc(len ? len : 1);

	if (p && len)
		memcpy(p, s, len);
	return p;
}

static char *strndup_nul(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

static struct authz_policy *load(const char *text, size_t len, enum authz_policy_kind kind)
{
	struct diag_list dl;
	struct authz_policy *p;
	char *copy = memdup_exact(text, len);

	if (!copy)
		return NULL;
	diag_list_init(&dl);
	p = authz_policy_load(copy, len, "fuzz.json", kind, "fuzz", &dl);
	if (!p && !dl.errors)
		__builtin_trap();
	diag_list_clear(&dl);
	free(copy);
	return p;
}

static struct fuzz_key *find_key(struct fuzz_case *c, const char *key, size_t keylen)
{
	for (size_t i = 0; i < c->nkeys; i++)
		if (c->keys[i].keylen == keylen && !strncasecmp(c->keys[i].key, key, keylen) &&
		    !memchr(key, '\0', keylen))
			return &c->keys[i];
	return NULL;
}

/* One context line: "k=v", "k[]=v" or "k[]". */
static void add_context(struct fuzz_case *c, const char *line, size_t len)
{
	const char *eq = memchr(line, '=', len);
	size_t keylen = eq ? (size_t)(eq - line) : len;
	bool list = keylen >= 2 && line[keylen - 2] == '[' && line[keylen - 1] == ']';
	struct fuzz_key *k;

	if (!eq && !list)
		return;
	if (list)
		keylen -= 2;
	if (memchr(line, '\0', keylen))
		return; /* keys are compared as text; keep "at most one entry per key" */
	k = find_key(c, line, keylen);
	if (!k) {
		if (c->nkeys >= FUZZ_EVAL_KEYS_MAX)
			return;
		k = &c->keys[c->nkeys];
		k->key = memdup_exact(line, keylen);
		k->values = calloc(FUZZ_EVAL_VALUES_MAX, sizeof(*k->values));
		if (!k->key || !k->values) {
			free(k->key);
			free(k->values);
			return;
		}
		k->keylen = keylen;
		k->nvalues = 0;
		k->multi = list;
		c->nkeys++;
	} else {
		k->multi = true;
	}
	if (!eq || c->nvalues >= FUZZ_EVAL_VALUES_MAX || k->nvalues >= FUZZ_EVAL_VALUES_MAX)
		return;
	{
		size_t vlen = len - keylen - (list ? 2 : 0) - 1;
		char *v = memdup_exact(eq + 1, vlen);

		if (!v)
			return;
		k->values[k->nvalues].s = v;
		k->values[k->nvalues].len = vlen;
		k->nvalues++;
		c->nvalues++;
	}
}

static void parse_request(struct fuzz_case *c, const char *s, size_t len)
{
	size_t n = 0;

	while (len) {
		const char *nl = memchr(s, '\n', len);
		size_t l = nl ? (size_t)(nl - s) : len;

		if (n < 4) {
			if (!c->field_set[n]) {
				c->field_set[n] = true;
				if (l == 1 && s[0] == '~')
					c->field_null[n] = true;
				else
					c->fields[n] = strndup_nul(s, l);
			}
		} else {
			add_context(c, s, l);
		}
		n++;
		s += l;
		len -= l;
		if (nl) {
			s++;
			len--;
		}
	}
}

static void add_section(struct fuzz_case *c, const char *tag, size_t taglen, const char *body,
			size_t len)
{
#define TAG_IS(t) (taglen == sizeof(t) - 1 && !memcmp(tag, t, taglen))
	if (TAG_IS("identity")) {
		if (c->nidentity < FUZZ_EVAL_POLICIES_MAX &&
		    (c->identity[c->nidentity] = load(body, len, AUTHZ_POLICY_IDENTITY)))
			c->nidentity++;
	} else if (TAG_IS("session")) {
		if (c->nsession < FUZZ_EVAL_POLICIES_MAX &&
		    (c->session[c->nsession] = load(body, len, AUTHZ_POLICY_IDENTITY)))
			c->nsession++;
	} else if (TAG_IS("boundary")) {
		if (!c->boundary)
			c->boundary = load(body, len, AUTHZ_POLICY_IDENTITY);
	} else if (TAG_IS("resource")) {
		if (!c->resource)
			c->resource = load(body, len, AUTHZ_POLICY_RESOURCE);
	} else if (TAG_IS("trust")) {
		if (!c->resource) {
			c->resource = load(body, len, AUTHZ_POLICY_TRUST);
			c->trust = c->resource != NULL;
		}
	} else if (TAG_IS("request")) {
		parse_request(c, body, len);
	}
#undef TAG_IS
}

static void parse(struct fuzz_case *c, const char *s, size_t len)
{
	const char *tag = "identity";
	size_t taglen = 8;

	if (len && s[0] == '%') {
		/* Leading tag: treat as if preceded by a newline. */
		const char *nl = memchr(s, '\n', len);

		tag = s + 1;
		taglen = nl ? (size_t)(nl - tag) : len - 1;
		s += 1 + taglen + (nl ? 1 : 0);
		len -= 1 + taglen + (nl ? 1 : 0);
	}
	for (;;) {
		const char *next = memmem(s, len, "\n%", 2);
		size_t blen = next ? (size_t)(next - s) : len;

		add_section(c, tag, taglen, s, blen);
		if (!next)
			break;
		tag = next + 2;
		len -= blen + 2;
		s = tag;
		{
			const char *nl = memchr(tag, '\n', len);

			taglen = nl ? (size_t)(nl - tag) : len;
			s += taglen + (nl ? 1 : 0);
			len -= taglen + (nl ? 1 : 0);
		}
	}
}

static void case_free(struct fuzz_case *c)
{
	for (size_t i = 0; i < c->nidentity; i++)
		authz_policy_unref(c->identity[i]);
	for (size_t i = 0; i < c->nsession; i++)
		authz_policy_unref(c->session[i]);
	authz_policy_unref(c->boundary);
	authz_policy_unref(c->resource);
	for (size_t i = 0; i < 4; i++)
		free(c->fields[i]);
	for (size_t i = 0; i < c->nkeys; i++) {
		for (size_t j = 0; j < c->keys[i].nvalues; j++)
			free((char *)c->keys[i].values[j].s);
		free(c->keys[i].values);
		free(c->keys[i].key);
	}
}

/* Request field @i: "~" is NULL, a missing line the default. */
static const char *field(const struct fuzz_case *c, size_t i)
{
	if (c->field_null[i])
		return NULL;
	return c->fields[i] ? c->fields[i] : default_fields[i];
}

/* Text the engine must refuse: over @max bytes, or not UTF-8. */
static bool refusable(const char *s, size_t len, size_t max)
{
	return len > max || !gh_utf8_valid(s, len);
}

/* Keys and values of the context that must be refused (the counts stay far below the caps). */
static bool context_refusable(const struct authz_request *req)
{
	for (size_t i = 0; i < req->ncontext; i++) {
		const struct authz_ctx_entry *e = &req->context[i];

		if (refusable(e->key, e->keylen, AUTHZ_REQ_KEY_MAX))
			return true;
		for (size_t k = 0; k < e->nvalues; k++)
			if (refusable(e->values[k].s, e->values[k].len, AUTHZ_REQ_VALUE_MAX))
				return true;
	}
	return false;
}

/* The request must be refused exactly when it is malformed or over a cap, saying where. */
static void check_return(const struct authz_request *req, int r)
{
	bool bad = !req->principal || !req->action || !req->resource;
	struct diag d;

	if (!bad) {
		const char *colon = strchr(req->action, ':');
		const char *acct = req->resource_account;

		bad = !colon || colon == req->action ||
		      refusable(req->action, strlen(req->action), AUTHZ_REQ_ACTION_MAX) ||
		      refusable(req->principal, strlen(req->principal), AUTHZ_REQ_STRING_MAX) ||
		      refusable(req->resource, strlen(req->resource), AUTHZ_REQ_STRING_MAX) ||
		      (acct && refusable(acct, strlen(acct), AUTHZ_REQ_STRING_MAX)) ||
		      context_refusable(req);
	}
	if (r != 0 && r != -EINVAL && r != -E2BIG)
		__builtin_trap();
	if (bad != (r != 0))
		__builtin_trap();
	if (authz_request_check(req, &d) != r || (r && !d.message[0]))
		__builtin_trap();
}

static bool in_list(struct authz_policy *const *list, size_t n, size_t i, const void *p)
{
	return i < n && list[i] == p;
}

static void check_result(const struct authz_policy_set *set, const struct authz_result *res)
{
	size_t want;

	if ((unsigned)res->decision >= _AUTHZ_DECISION_MAX ||
	    (unsigned)res->reason >= _AUTHZ_REASON_MAX)
		__builtin_trap();
	if ((res->decision == AUTHZ_EXPLICIT_DENY) != (res->reason == AUTHZ_REASON_EXPLICIT_DENY))
		__builtin_trap();
	/* A decision is made by a statement, except an implicit deny. */
	if (res->decision != AUTHZ_IMPLICIT_DENY && res->nmatched_total == 0)
		__builtin_trap();
	want = res->nmatched_total < AUTHZ_RESULT_MATCHED_MAX ? res->nmatched_total
							      : AUTHZ_RESULT_MATCHED_MAX;
	if (res->nmatched != want || res->nmissing > AUTHZ_RESULT_MISSING_MAX)
		__builtin_trap();
	for (size_t i = 0; i < res->nmatched; i++) {
		const struct authz_match *m = &res->matched[i];
		bool ok;

		/* explicit deny lists Deny statements only; otherwise Allows only */
		if ((res->decision == AUTHZ_EXPLICIT_DENY) != (m->effect == AUTHZ_EFFECT_DENY))
			__builtin_trap();
		switch (m->slot) {
		case AUTHZ_SLOT_IDENTITY:
			ok = in_list(set->identity, set->nidentity, m->slot_index, m->policy);
			break;
		case AUTHZ_SLOT_SESSION:
			ok = in_list(set->session, set->nsession, m->slot_index, m->policy);
			break;
		case AUTHZ_SLOT_BOUNDARY: ok = m->policy == set->boundary && m->policy; break;
		case AUTHZ_SLOT_RESOURCE: ok = m->policy == set->resource && m->policy; break;
		default: ok = false; break;
		}
		if (!ok || m->index >= authz_policy_statement_count(m->policy))
			__builtin_trap();
	}
	for (size_t i = 0; i < res->nmissing; i++)
		if (!res->missing[i])
			__builtin_trap();
}

static bool same_result(const struct authz_result *a, const struct authz_result *b)
{
	if (a->decision != b->decision || a->reason != b->reason || a->nmatched != b->nmatched ||
	    a->nmatched_total != b->nmatched_total || a->nmissing != b->nmissing)
		return false;
	for (size_t i = 0; i < a->nmatched; i++)
		if (a->matched[i].policy != b->matched[i].policy ||
		    a->matched[i].slot != b->matched[i].slot ||
		    a->matched[i].index != b->matched[i].index ||
		    a->matched[i].slot_index != b->matched[i].slot_index ||
		    a->matched[i].effect != b->matched[i].effect)
			return false;
	for (size_t i = 0; i < a->nmissing; i++)
		if (a->missing[i] != b->missing[i])
			return false;
	return true;
}

/*
 * An identity policy's statements match the same way alone or in a set
 * (identity policies have no Principal), so:
 *  - a Deny of identity[i] that matched in the set makes identity[i] alone
 *    an explicit deny, and identity[i] alone denying makes the set deny;
 *  - when the set allows because of identity policies, an identity policy
 *    with a matched Allow allows alone, unless alone it lacks a resource
 *    policy that must allow (a trust policy, a KMS key policy).
 */
static void check_alone(const struct authz_policy_set *set, const struct authz_request *req,
			const struct authz_result *res)
{
	for (size_t i = 0; i < set->nidentity; i++) {
		struct authz_policy_set one = { .identity = &set->identity[i], .nidentity = 1 };
		struct authz_result r1;
		bool deny_listed = false, allow_listed = false;

		if (authz_evaluate(&one, req, &r1) != 0)
			__builtin_trap();
		check_result(&one, &r1);
		for (size_t j = 0; j < res->nmatched; j++) {
			const struct authz_match *m = &res->matched[j];

			if (m->slot != AUTHZ_SLOT_IDENTITY || m->slot_index != i)
				continue;
			deny_listed |= m->effect == AUTHZ_EFFECT_DENY;
			allow_listed |= m->effect == AUTHZ_EFFECT_ALLOW;
		}
		if (r1.decision == AUTHZ_EXPLICIT_DENY && res->decision != AUTHZ_EXPLICIT_DENY)
			__builtin_trap();
		if (deny_listed && r1.decision != AUTHZ_EXPLICIT_DENY)
			__builtin_trap();
		if (res->reason == AUTHZ_REASON_IDENTITY_ALLOW && allow_listed &&
		    r1.decision != AUTHZ_ALLOW && r1.reason != AUTHZ_REASON_TRUST &&
		    r1.reason != AUTHZ_REASON_KEY_POLICY)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_case *c;
	struct authz_policy_set set;
	struct authz_request req;
	struct authz_result res, again;
	int r;

	if (size > FUZZ_EVAL_INPUT_MAX)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c)
		return 0;
	parse(c, (const char *)data, size);

	for (size_t i = 0; i < c->nkeys; i++)
		authz_ctx_entry_init(&c->ctx[i], c->keys[i].key, c->keys[i].keylen,
				     c->keys[i].values, c->keys[i].nvalues, c->keys[i].multi);
	req = (struct authz_request){
		.principal = field(c, 0),
		.action = field(c, 1),
		.resource = field(c, 2),
		.resource_account = field(c, 3),
		.context = c->nkeys ? c->ctx : NULL,
		.ncontext = c->nkeys,
	};
	set = (struct authz_policy_set){
		.identity = c->identity,
		.nidentity = c->nidentity,
		.boundary = c->boundary,
		.session = c->session,
		.nsession = c->nsession,
		.resource = c->resource,
		.resource_must_allow = c->trust,
	};

	r = authz_evaluate(&set, &req, &res);
	check_return(&req, r);
	if (r == 0) {
		check_result(&set, &res);
		if (authz_evaluate(&set, &req, &again) != 0 || !same_result(&res, &again))
			__builtin_trap();
		check_alone(&set, &req, &res);
		(void)authz_decision_name(res.decision);
		(void)authz_reason_text(res.reason);
	}
	case_free(c);
	free(c);
	return 0;
}
