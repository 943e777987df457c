/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehouse eval --policies DIR: requests by principals of an identity
 * store, one from the command line or JSON Lines with --batch.
 */
#include <gatehouse/store.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "eval.h"
#include "util.h"

static int64_t clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct batch_data {
	const struct authz_store *store;
	int64_t now_ms;
};

static char *batch_answer(const char *line, size_t len, int lineno, void *data)
{
	const struct batch_data *b = data;

	return authz_store_batch(b->store, line, len, "<stdin>", lineno, b->now_ms);
}

/*
 * A user's ARN includes its path (user/eng/alice): when @arn names a user or
 * role of @s by its last component but without its path, say which ARN it has.
 */
static void print_not_found(const struct eval_args *a, const struct authz_store *s)
{
	const char *arn = a->req.principal, *slash = strrchr(arn, '/');
	const struct authz_principal *p = NULL;

	if (CLI_STARTS_WITH(arn, "arn:") && slash && slash[1])
		p = authz_store_find(s, slash + 1);
	if (p && strcmp(authz_principal_arn(p), arn))
		fprintf(stderr,
			"gatehouse eval: no user or role %s in %s; did you mean %s? (an ARN "
			"includes the path)\n",
			arn, a->store_dir, authz_principal_arn(p));
	else
		fprintf(stderr, "gatehouse eval: no user or role %s in %s\n", arn, a->store_dir);
}

/*
 * The trust policy of a role that trusts its account allows the request,
 * yet it is denied: the account delegates to IAM policies, and none of the
 * caller's allows sts:AssumeRole.  "no statement allows it" above an Allow
 * line would read as a contradiction: say which half is missing.
 */
static void print_trust_delegation(const struct authz_result *r)
{
	if (r->decision != AUTHZ_IMPLICIT_DENY || r->reason != AUTHZ_REASON_NO_ALLOW)
		return;
	for (size_t i = 0; i < r->nmatched; i++)
		if (r->matched[i].slot == AUTHZ_SLOT_RESOURCE &&
		    r->matched[i].effect == AUTHZ_EFFECT_ALLOW) {
			puts("  the trust policy delegates to the account, and no identity-based "
			     "policy allows sts:AssumeRole on the role");
			return;
		}
}

static int one(struct eval_args *a, const struct authz_store *s, int64_t now_ms)
{
	const struct authz_principal *p = authz_store_find(s, a->req.principal);
	struct authz_query q = {
		.principal = p,
		.action = a->req.action,
		.resource = a->req.resource,
		.context = a->ctx,
		.ncontext = a->req.ncontext,
		.now_ms = now_ms,
		.resource_account = a->req.resource_account,
	};
	struct authz_session *sess = NULL;
	struct authz_result r;
	struct diag d;
	int rc;

	if (!p) {
		print_not_found(a, s);
		return CLI_EXIT_REFUSED;
	}
	if (a->assume_role) {
		if (authz_store_assume_role(s, p, a->assume_role, a->session_name, a->session,
					    a->nsession, a->ctx, a->req.ncontext, now_ms, &r, &sess,
					    &d) < 0) {
			eval_print_refusal(&d);
			return CLI_EXIT_REFUSED;
		}
		printf("sts:AssumeRole %s: ", a->assume_role);
		eval_print_result(a, &r);
		print_trust_delegation(&r);
		if (!sess)
			return CLI_EXIT_DENY;
		printf("session %s: ", authz_session_arn(sess));
		q.session = sess;
	}
	if (authz_store_evaluate(s, &q, &r, &d) < 0) {
		eval_print_refusal(&d);
		authz_session_free(sess);
		return CLI_EXIT_REFUSED;
	}
	eval_print_result(a, &r);
	rc = r.decision == AUTHZ_ALLOW ? CLI_EXIT_OK : CLI_EXIT_DENY;
	authz_session_free(sess);
	return rc;
}

int eval_store(struct eval_args *a)
{
	struct diag_list dl;
	struct authz_store *s;
	int64_t now_ms = clock_ms();
	int rc;

	if (a->now && !authz_parse_time(a->now, &now_ms)) {
		fprintf(stderr,
			"gatehouse eval: --now needs a date (ISO 8601 such as "
			"2026-11-30T12:00:00Z, or epoch seconds), got '%s'\n",
			a->now);
		return CLI_EXIT_USAGE;
	}
	diag_list_init(&dl);
	s = authz_store_load(a->store_dir, &dl);
	/* Warnings are check's business (as in diff): shown only when the store does not load. */
	if (!s)
		diag_list_print(stderr, &dl);
	diag_list_clear(&dl);
	if (!s)
		return CLI_EXIT_REFUSED;
	if (!a->batch)
		eval_warn_request(a);
	if (a->batch) {
		struct batch_data b = { s, now_ms };

		rc = cli_jsonl(batch_answer, &b, 1);
	} else {
		rc = one(a, s, now_ms);
	}
	authz_store_unref(s);
	return rc;
}
