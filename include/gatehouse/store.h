/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The identity store: who asks.  Users, groups, roles, managed and inline
 * policies, permission boundaries and resource-based policies, loaded from
 * a directory in AWS's account-export format or gatehouse's native layout
 * (README.md, "The identity store"), then evaluated with each principal's
 * whole policy set and the request context derived from the principal.
 *
 *   struct authz_store *s = authz_store_load("policies", &diags);
 *   const struct authz_principal *alice = authz_store_find(s, "alice");
 *   struct authz_query q = { .principal = alice, .action = "s3:GetObject",
 *                            .resource = "arn:aws:s3:::b/k", .now_ms = now };
 *   authz_store_evaluate(s, &q, &result, &err);
 *
 * A loaded store is immutable and reference counted: a daemon swaps a new
 * one in on reload while requests finish on the old.
 */
#ifndef GATEHOUSE_STORE_H
#define GATEHOUSE_STORE_H

#include <gatehouse/authz.h>
#include <gatehouse/diag.h>
#include <stdint.h>

struct authz_store;
struct authz_principal; /* a user or a role of a store (borrowed from it) */
struct authz_session;	/* a role session (owned by its caller) */

/*
 * Load every *.json below @dir.  All or nothing: every problem goes to
 * @diags (file, line, column, JSON path) and NULL is returned if any is an
 * error.  Returns a store with one reference.
 */
GH_EXPORT struct authz_store *authz_store_load(const char *dir, struct diag_list *diags);
GH_EXPORT struct authz_store *authz_store_ref(struct authz_store *s);
GH_EXPORT struct authz_store *authz_store_unref(struct authz_store *s);

/* Counts, for reports. */
struct authz_store_stats {
	size_t users, groups, roles, policies, resource_policies;
};
GH_EXPORT void authz_store_stats(const struct authz_store *s, struct authz_store_stats *ret);

/*
 * A principal by user name, then role name, or by the user's or role's
 * ARN.  NULL when the store has none such.
 */
GH_EXPORT const struct authz_principal *authz_store_find(const struct authz_store *s,
							 const char *name);
GH_EXPORT const char *authz_principal_arn(const struct authz_principal *p);
GH_EXPORT bool authz_principal_is_role(const struct authz_principal *p);

/**
 * struct authz_query - one request by a principal of a store
 * @principal: a user (or a role itself); ignored when @session is set
 * @session: a role session from authz_store_assume_role(), or NULL
 * @action, @resource: what is asked
 * @resource_account: the owner of a resource whose ARN names no account
 *	(S3) and that no resource policy of the store covers; NULL: the
 *	caller's account.  Where the ARN or the store says whose the
 *	resource is, a different account is refused (-EINVAL).
 * @context: the caller's context keys (never the derived ones)
 * @ncontext: entries in @context
 * @now_ms: the request's time, milliseconds since the epoch
 */
struct authz_query {
	const struct authz_principal *principal;
	const struct authz_session *session;
	const char *action;
	const char *resource;
	const struct authz_ctx_entry *context;
	size_t ncontext;
	int64_t now_ms;
	const char *resource_account;
};

/*
 * Evaluate @q with the principal's whole policy set, the resource's policy
 * (for sts:AssumeRole* on a role of the store: its trust policy, as
 * authz_store_assume_role() does) and the derived context keys
 * (authz_key_is_derived(); for a session also its MFA facts).  The
 * resource's owner is its ARN's account, else the account of the store's
 * resource policy for it, else @q->resource_account, else the caller's.
 * Returns 0, or -EPERM when the caller supplied a derived key, -EINVAL for
 * a malformed request (a bad aws:MultiFactorAuthAge, a resource_account
 * that is no account id or contradicts the store) or -E2BIG for too many
 * context keys; then *reterr says why (path "context.KEY",
 * "resource_account" or "action").
 */
GH_EXPORT int authz_store_evaluate(const struct authz_store *s, const struct authz_query *q,
				   struct authz_result *ret, struct diag *reterr);

/*
 * sts:AssumeRole: may @caller (a user) assume @role (a role name or ARN)?
 * The trust policy is evaluated as the role's resource-based policy with
 * the caller as principal and the caller's context (MFA, source IP, ...);
 * when it names the account rather than the caller, the caller's identity
 * policies must allow sts:AssumeRole on the role too.  *ret_assume gets
 * that decision.  When allowed, *ret_session is a new session
 * "arn:aws:sts::<acct>:assumed-role/<role>/<session_name>" narrowed by
 * @session (borrowed, referenced) and keeping the caller's MFA facts;
 * free it with authz_session_free().  Returns 0 (look at
 * ret_assume->decision), -ENOENT for an unknown role, -EINVAL for a bad
 * session name, -EPERM for a derived key in @ctx, with *reterr set.
 */
GH_EXPORT int authz_store_assume_role(const struct authz_store *s,
				      const struct authz_principal *caller, const char *role,
				      const char *session_name, struct authz_policy *const *session,
				      size_t nsession, const struct authz_ctx_entry *ctx,
				      size_t nctx, int64_t now_ms, struct authz_result *ret_assume,
				      struct authz_session **ret_session, struct diag *reterr);
GH_EXPORT const char *authz_session_arn(const struct authz_session *s);
GH_EXPORT struct authz_session *authz_session_free(struct authz_session *s);

/*
 * One line of `gatehouse eval --batch`: {"id", "principal" (name or ARN),
 * "action", "resource", "context", and optionally "now" (ISO 8601 or
 * epoch seconds), "assume_role" + "session_name", "session_policies"}.
 * Returns the answer in the shape of `gatehouse simulate`, malloc'ed, or
 * NULL when out of memory.  @now_ms is the time when the line gives none.
 */
GH_EXPORT char *authz_store_batch(const struct authz_store *s, const char *text, size_t len,
				  const char *source, int first_line, int64_t now_ms);

/*
 * True for the keys a caller may not supply, in any letter case (a
 * request that has one is refused, -EPERM).  Derived by gatehouse:
 * aws:username, aws:userid, aws:PrincipalArn, aws:PrincipalAccount,
 * aws:PrincipalType, aws:PrincipalTag/<key>, aws:PrincipalOrgID,
 * aws:PrincipalOrgPaths, aws:PrincipalIsAWSService, aws:ViaAWSService,
 * aws:TokenIssueTime, aws:ResourceAccount, aws:ResourceOrgID,
 * aws:ResourceOrgPaths, aws:CurrentTime, aws:EpochTime.  Absent for every
 * principal of a store: aws:PrincipalServiceName,
 * aws:PrincipalServiceNamesList, aws:SourceIdentity, aws:FederatedProvider,
 * aws:AssumedRoot, aws:Ec2InstanceSourceVpc,
 * aws:Ec2InstanceSourcePrivateIPv4, aws:ChatbotSourceArn, aws:CalledVia,
 * aws:CalledViaFirst, aws:CalledViaLast.  The MFA keys are not among them
 * (authz_key_is_mfa()).  The list is src/authz/keys.c's.
 */
GH_EXPORT bool authz_key_is_derived(const char *key, size_t len);

/*
 * True for aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge (any letter
 * case).  A role session ignores the caller's: its MFA facts are fixed when
 * the role is assumed.  A daemon that checks MFA itself refuses them.
 */
GH_EXPORT bool authz_key_is_mfa(const char *key, size_t len);

#endif
