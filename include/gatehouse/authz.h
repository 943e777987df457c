/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IAM policy engine: load AWS IAM policy documents, compile each once
 * into an immutable form, and evaluate requests with AWS's evaluation logic
 * (explicit deny, then allow, else implicit deny), saying why.
 *
 *   struct diag_list dl;
 *   struct authz_policy *p = authz_policy_load(text, len, "file.json",
 *                                              AUTHZ_POLICY_IDENTITY, "mine", &dl);
 *   struct authz_policy_set set = { .identity = &p, .nidentity = 1 };
 *   struct authz_result res;
 *   authz_evaluate(&set, &req, &res);
 *   p = authz_policy_unref(p);
 *
 * Compiled policies are immutable and reference counted, so one can be
 * shared by many principals and by threads.  Evaluation allocates nothing:
 * requests and results are caller-owned plain structs.
 */
#ifndef GATEHOUSE_AUTHZ_H
#define GATEHOUSE_AUTHZ_H

#include <gatehouse/diag.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a policy is used decides what it may contain (Principal, Resource). */
enum authz_policy_kind {
	AUTHZ_POLICY_IDENTITY, /* identity, permission boundary, session: no Principal */
	AUTHZ_POLICY_RESOURCE, /* resource-based: Principal and Resource required */
	AUTHZ_POLICY_TRUST,    /* role trust policy: Principal required, Resource optional */
	/*
	 * Read the document to decide, as `gatehouse check --kind auto` does:
	 * resource-based when a statement names a Principal (or NotPrincipal),
	 * a role trust policy when those statements are about sts:AssumeRole*,
	 * identity-based otherwise.
	 */
	AUTHZ_POLICY_AUTO,
	_AUTHZ_POLICY_KIND_MAX,
};

struct authz_policy;

/*
 * Load and compile one policy document from @len bytes of JSON @text.
 * @source names the text in diagnostics (a file name); @name is the policy's
 * name in results ("policies[0]", an ARN); both are copied.  Every problem
 * is added to @diags (errors with line, column and JSON path; warnings for
 * valid but likely-wrong constructs).  Returns a new policy with one
 * reference, or NULL when there was any error (or on out-of-memory, with a
 * diagnostic).
 */
GH_EXPORT struct authz_policy *authz_policy_load(const char *text, size_t len, const char *source,
						 enum authz_policy_kind kind, const char *name,
						 struct diag_list *diags);

/*
 * authz_policy_load() of the file at @path (at most 256 MiB); a file that
 * cannot be read is an error in @diags naming it.  @name NULL: the path.
 */
GH_EXPORT struct authz_policy *authz_policy_load_file(const char *path, enum authz_policy_kind kind,
						      const char *name, struct diag_list *diags);

/* Reference counting; unref takes NULL and returns NULL. */
GH_EXPORT struct authz_policy *authz_policy_ref(struct authz_policy *p);
GH_EXPORT struct authz_policy *authz_policy_unref(struct authz_policy *p);

GH_EXPORT const char *authz_policy_name(const struct authz_policy *p);
GH_EXPORT size_t authz_policy_statement_count(const struct authz_policy *p);

/**
 * struct authz_value - one context value (borrowed text)
 */
struct authz_value {
	const char *s;
	size_t len;
};

/**
 * struct authz_ctx_entry - one request context key and its values
 * @key: key as given (case-insensitive), borrowed
 * @keylen: bytes in @key
 * @hash: gh's case-insensitive hash of @key; fill with authz_ctx_entry_init()
 * @values: the values (borrowed); a single-valued key has one
 * @nvalues: number of values (0: present but empty, as an empty list)
 * @multi: the key was given as a list (multi-valued)
 */
struct authz_ctx_entry {
	const char *key;
	size_t keylen;
	uint32_t hash;
	const struct authz_value *values;
	size_t nvalues;
	bool multi;
};

GH_EXPORT void authz_ctx_entry_init(struct authz_ctx_entry *e, const char *key, size_t keylen,
				    const struct authz_value *values, size_t nvalues, bool multi);

/**
 * struct authz_request - what is asked (all borrowed, NUL-terminated)
 * @principal: the caller's ARN, or a service/federated principal name
 * @action: "service:Action"
 * @resource: the resource ARN
 * @resource_account: owner of the resource when its ARN has no account
 *	(S3); NULL: the ARN's account, else the principal's
 * @context: context keys; at most one entry per key
 * @ncontext: entries in @context
 */
struct authz_request {
	const char *principal;
	const char *action;
	const char *resource;
	const char *resource_account;
	const struct authz_ctx_entry *context;
	size_t ncontext;
};

/**
 * struct authz_org_level - one level of an organization between its root
 * and an account (the root, an OU, the account itself) and the
 * organization policies attached there (borrowed)
 * @name: what it is: "root r-ab12", "OU ou-ab12-11111111", "account 111122223333"
 * @policies: the policies attached there, each also in the set's list
 * @n: entries in @policies
 */
struct authz_org_level {
	const char *name;
	struct authz_policy *const *policies;
	size_t n;
};

/**
 * struct authz_policy_set - the policies that apply to one request (borrowed)
 * @identity: identity-based policies (a user's own and its groups', a role's)
 * @boundary: the principal's permission boundary, or NULL
 * @session: session policies of a role session (none: no narrowing)
 * @resource: the resource's resource-based policy, or NULL
 * @resource_must_allow: the resource policy must allow sts:AssumeRole*
 *	in any case, as a role's trust policy (set it when the resource
 *	policy is one; other actions are not held to it; sts:AssumeRole* on
 *	a role ARN and kms:* on a key ARN get it anyway)
 * @scp: service control policies of the principal's account (AWS
 *	Organizations): each must allow, a Deny in any is an explicit deny;
 *	they never grant
 * @nscp: entries in @scp
 * @rcp: resource control policies of the resource's account, the same for
 *	the resource side
 * @nrcp: entries in @rcp
 * @scp_levels: NULL: each of @scp must allow (a level of its own each);
 *	else the organization's levels, root first, and at each of them one
 *	of its attached policies must allow (AWS Organizations, "SCP
 *	evaluation": "the permissions must be allowed at every level");
 *	@scp then lists each policy once, for its Denies
 * @nscp_levels: entries in @scp_levels
 * @rcp_deny_only: only the Denies of @rcp count, as for an organization's
 *	RCPs (AWS attaches RCPFullAWSAccess to every root, OU and account,
 *	and it cannot be detached: every level allows)
 * @resource_policy_unknown: the caller does not know the resource's own
 *	policy (authz_simulate without "resource_policy"): when @resource is
 *	NULL and that policy would be a role's trust policy, the identity
 *	side alone decides, as in AWS's policy simulator
 */
struct authz_policy_set {
	struct authz_policy *const *identity;
	size_t nidentity;
	struct authz_policy *boundary;
	struct authz_policy *const *session;
	size_t nsession;
	struct authz_policy *resource;
	bool resource_must_allow;
	bool resource_policy_unknown;
	struct authz_policy *const *scp;
	size_t nscp;
	struct authz_policy *const *rcp;
	size_t nrcp;
	const struct authz_org_level *scp_levels;
	size_t nscp_levels;
	bool rcp_deny_only;
};

enum authz_decision {
	AUTHZ_IMPLICIT_DENY,
	AUTHZ_EXPLICIT_DENY,
	AUTHZ_ALLOW,
	_AUTHZ_DECISION_MAX,
};

/* Why: which rule of the evaluation logic decided. */
enum authz_reason {
	AUTHZ_REASON_EXPLICIT_DENY,		/* a Deny statement matched */
	AUTHZ_REASON_IDENTITY_ALLOW,		/* identity allow (within boundary/session) */
	AUTHZ_REASON_RESOURCE_ALLOW,		/* the resource policy allows the principal */
	AUTHZ_REASON_CROSS_ACCOUNT_ALLOW,	/* both sides of a cross-account request allow */
	AUTHZ_REASON_NO_ALLOW,			/* no statement allows */
	AUTHZ_REASON_BOUNDARY,			/* allowed, but not by the permission boundary */
	AUTHZ_REASON_SESSION,			/* allowed, but not by the session policies */
	AUTHZ_REASON_CROSS_ACCOUNT_NO_RESOURCE, /* cross-account: resource policy does not allow */
	AUTHZ_REASON_CROSS_ACCOUNT_NO_IDENTITY, /* cross-account: identity side does not allow */
	AUTHZ_REASON_TRUST,			/* the role's trust policy does not allow it */
	AUTHZ_REASON_KEY_POLICY,		/* the KMS key policy does not allow it */
	AUTHZ_REASON_IDENTITY_ALLOW_UNVERIFIED, /* identity allow; trust policy not given */
	AUTHZ_REASON_NO_PERMISSION_NEEDED,	/* sts:GetCallerIdentity */
	AUTHZ_REASON_SCP,			/* a service control policy allows nothing of it */
	AUTHZ_REASON_RCP,			/* a resource control policy allows nothing of it */
	AUTHZ_REASON_SCP_LEVEL, /* no SCP attached at one level of the organization allows it */
	_AUTHZ_REASON_MAX,
};

enum authz_effect {
	AUTHZ_EFFECT_ALLOW,
	AUTHZ_EFFECT_DENY,
	_AUTHZ_EFFECT_MAX,
};

/* Which slot of the policy set a matched statement came from. */
enum authz_slot {
	AUTHZ_SLOT_IDENTITY,
	AUTHZ_SLOT_BOUNDARY,
	AUTHZ_SLOT_SESSION,
	AUTHZ_SLOT_RESOURCE,
	AUTHZ_SLOT_SCP, /* service control policies: never grant */
	AUTHZ_SLOT_RCP, /* resource control policies: never grant */
	_AUTHZ_SLOT_MAX,
};

/*
 * Caps on what a result lists.  A result lives on the caller's stack; more
 * matches than this are counted in @nmatched_total but not listed.
 */
#define AUTHZ_RESULT_MATCHED_MAX 32
#define AUTHZ_RESULT_MISSING_MAX 16

/**
 * struct authz_match - a statement that decided
 * @policy: the policy (borrowed from the set)
 * @slot: which part of the set it came from
 * @index: statement index in the policy (0-based)
 * @slot_index: position of the policy in its slot (identity[i], session[i])
 * @sid: the statement's Sid or NULL (borrowed from @policy)
 * @effect: Allow or Deny
 */
struct authz_match {
	const struct authz_policy *policy;
	enum authz_slot slot;
	uint32_t index;
	uint32_t slot_index;
	const char *sid;
	enum authz_effect effect;
};

/**
 * struct authz_result - a decision and its reasons
 * @decision: allow, explicit deny or implicit deny
 * @reason: which rule decided
 * @matched: for an explicit deny, the Deny statements that matched; else
 *	the Allow statements that matched
 * @nmatched: entries in @matched
 * @nmatched_total: matches found (may exceed AUTHZ_RESULT_MATCHED_MAX)
 * @missing: context keys, as spelled in the policies, that a condition of
 *	an otherwise matching statement needed and the request lacked
 *	(borrowed from the policies)
 * @nmissing: entries in @missing
 * @levels, @nlevels: the set's @scp_levels (borrowed), to say where an
 *	SCP in @matched is attached
 * @capped: for AUTHZ_REASON_SCP_LEVEL, the level of the organization
 *	where no attached policy allows it (one of @levels), else NULL
 */
struct authz_result {
	enum authz_decision decision;
	enum authz_reason reason;
	struct authz_match matched[AUTHZ_RESULT_MATCHED_MAX];
	size_t nmatched;
	size_t nmatched_total;
	const char *missing[AUTHZ_RESULT_MISSING_MAX];
	size_t nmissing;
	const struct authz_org_level *levels;
	size_t nlevels;
	const struct authz_org_level *capped;
};

/*
 * Evaluate @req against @set into *@ret.  Returns 0, or what
 * authz_request_check() refuses the request for; a run-time matching
 * problem never allows: it denies.
 */
GH_EXPORT int authz_evaluate(const struct authz_policy_set *set, const struct authz_request *req,
			     struct authz_result *ret);

/*
 * authz_evaluate(), saying why a request is refused in *@reterr (may be
 * NULL); *@ret is set on success only.
 */
GH_EXPORT int authz_evaluate_diag(const struct authz_policy_set *set,
				  const struct authz_request *req, struct authz_result *ret,
				  struct diag *reterr);

/*
 * Check @req before evaluation (authz_evaluate does): principal, action
 * and resource present, an action "service:ActionName", every string and
 * context key and value valid UTF-8 and within the caps of README's
 * "Limits" (src/authz/limits.h), as many keys and values as those allow.
 * Returns 0, -EINVAL (malformed) or -E2BIG (over a cap), with *@reterr
 * (when not NULL) naming the field as a JSON path: "resource",
 * "context.aws:SourceIp", "context.aws:TagKeys[2]".
 */
GH_EXPORT int authz_request_check(const struct authz_request *req, struct diag *reterr);

/*
 * False for a key under "aws:" that AWS does not define (a typo such as
 * aws:SoruceIp: no request carries it); true for every other key.  The
 * warning check gives for a policy's condition key, for callers' keys.
 */
GH_EXPORT bool authz_key_is_known(const char *key, size_t len);

/*
 * Parse a time as IAM's Date operators do: ISO 8601 ("2026-11-30",
 * "2026-11-30T12:00:00Z", fractions, "+01:00" offsets) or epoch seconds,
 * into milliseconds since the epoch.  False when it is neither.
 */
GH_EXPORT bool authz_parse_time(const char *s, int64_t *ret_ms);

GH_EXPORT const char *authz_decision_name(enum authz_decision d); /* "allow", ... */
GH_EXPORT const char *authz_effect_name(enum authz_effect e);	  /* "Allow", "Deny" */
GH_EXPORT const char *authz_reason_text(enum authz_reason r);	  /* a sentence */

/*
 * A request read from JSON text: {"principal": ..., "action": ...,
 * "resource": ..., "resource_account": ..., "context": {"key": value or
 * [values]}, "id": any}, checked as `gatehouse simulate` checks a case's
 * request (no unknown keys; context values strings, numbers or booleans).
 * Returns the request, owning its strings, or NULL with every problem in
 * @diags, located (line, column, JSON path in @source).  @text is not kept.
 */
struct authz_request_doc;
GH_EXPORT struct authz_request_doc *authz_request_read(const char *text, size_t len,
						       const char *source, struct diag_list *diags);
/* The request, valid until the doc is freed; ready for authz_evaluate(). */
GH_EXPORT const struct authz_request *authz_request_doc_request(const struct authz_request_doc *d);
/* Takes NULL; returns NULL. */
GH_EXPORT struct authz_request_doc *authz_request_doc_free(struct authz_request_doc *d);

#endif
