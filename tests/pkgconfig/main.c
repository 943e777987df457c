/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A program outside the tree that links the INSTALLED policy engine
 * through pkg-config (run.sh builds it): it sees include/gatehouse/ only.
 * It loads a policy with the AUTO kind and checks two decisions.
 */
#include <gatehouse/authz.h>
#include <stdio.h>
#include <string.h>

static const char policy[] =
    "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
    " \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::reports/*\"}]}";

static enum authz_decision ask(struct authz_policy *p, const char *action)
{
	struct authz_policy_set set = { .identity = &p, .nidentity = 1 };
	struct authz_request req = {
		.principal = "arn:aws:iam::111122223333:user/alice",
		.action = action,
		.resource = "arn:aws:s3:::reports/q3.csv",
	};
	struct authz_result r;

	if (authz_evaluate(&set, &req, &r) < 0)
		return (enum authz_decision) - 1;
	return r.decision;
}

int main(void)
{
	struct diag_list dl;
	struct authz_policy *p;
	int bad = 0;

	diag_list_init(&dl);
	p = authz_policy_load(policy, strlen(policy), "inline", AUTHZ_POLICY_AUTO, "mine", &dl);
	diag_list_print(stderr, &dl);
	diag_list_clear(&dl);
	if (!p)
		return 1;
	if (ask(p, "s3:GetObject") != AUTHZ_ALLOW)
		bad = fprintf(stderr, "s3:GetObject: not allowed\n");
	if (ask(p, "s3:PutObject") != AUTHZ_IMPLICIT_DENY)
		bad = fprintf(stderr, "s3:PutObject: not an implicit deny\n");
	printf("s3:GetObject: %s, s3:PutObject: %s\n", authz_decision_name(ask(p, "s3:GetObject")),
	       authz_decision_name(ask(p, "s3:PutObject")));
	authz_policy_unref(p);
	return bad ? 1 : 0;
}
