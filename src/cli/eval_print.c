/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehouse eval's answer as text: the decision and its reason, and with
 * --explain the statements that decided and the missing context keys.
 * Both modes print through here (cmd_eval.c, eval_store.c).
 */
#include <stdio.h>
#include <string.h>

#include "eval.h"
#include "util.h"

/* ", service control policy at root r-ab12, OU ou-ab12-11111111": where SCP @p is attached. */
static void print_levels(const struct authz_result *r, const struct authz_policy *p)
{
	bool any = false;

	for (size_t i = 0; i < r->nlevels; i++)
		for (size_t k = 0; k < r->levels[i].n; k++)
			if (r->levels[i].policies[k] == p) {
				printf("%s%s", any ? ", " : " (service control policy at ",
				       r->levels[i].name);
				any = true;
			}
	if (any)
		printf(")");
}

void eval_print_result(const struct eval_args *a, const struct authz_result *r)
{
	printf("%s: %s\n", authz_decision_name(r->decision), authz_reason_text(r->reason));
	if (!a->explain)
		return;
	for (size_t i = 0; i < r->nmatched; i++) {
		const struct authz_match *m = &r->matched[i];

		printf("  %s statement %u%s%s%s in %s", authz_effect_name(m->effect), m->index,
		       m->sid ? " (Sid " : "", m->sid ? m->sid : "", m->sid ? ")" : "",
		       authz_policy_name(m->policy));
		if (m->slot == AUTHZ_SLOT_SCP)
			print_levels(r, m->policy);
		else if (m->slot == AUTHZ_SLOT_RCP)
			printf(" (resource control policy)");
		printf("\n");
	}
	if (r->capped) {
		printf("  capped at %s: no service control policy attached there allows it\n",
		       r->capped->name);
		for (size_t i = 0; i < r->capped->n; i++)
			printf("    attached there: %s\n",
			       authz_policy_name(r->capped->policies[i]));
	}
	if (r->nmatched_total > r->nmatched)
		printf("  ... and %zu more statements\n", r->nmatched_total - r->nmatched);
	for (size_t i = 0; i < r->nmissing; i++)
		printf("  missing context key: %s\n", r->missing[i]);
}

void eval_print_refusal(const struct diag *d)
{
	const char *p = d->path;
	size_t n = strcspn(p, ".[");
	char flag[64];

	if (!p[0]) {
		fprintf(stderr, "gatehouse eval: %s\n", d->message);
		return;
	}
	/* The request's fields are its flags: assume_role is --assume-role. */
	snprintf(flag, sizeof(flag), "--%.*s", (int)(n < 40 ? n : 40), p);
	for (char *c = flag; *c; c++)
		if (*c == '_')
			*c = '-';
	if (!strcmp(flag, "--session-policies"))
		snprintf(flag, sizeof(flag), "--session-policy");
	if (!strcmp(flag, "--context") && p[n] == '.')
		fprintf(stderr, "gatehouse eval: %s (--context %s)\n", d->message, p + n + 1);
	else
		fprintf(stderr, "gatehouse eval: %s (%s)\n", d->message, flag);
}

void eval_warn_request(const struct eval_args *a)
{
	const char *res = a->req.resource;
	int colons = 0;

	for (const char *c = res; c && *c; c++)
		colons += *c == ':';
	if (res && strcmp(res, "*") && (!CLI_STARTS_WITH(res, "arn:") || colons < 5))
		fprintf(stderr,
			"gatehouse eval: warning: --resource \"%s\" is not an ARN "
			"(arn:partition:service:region:account:resource); only a Resource of "
			"\"*\" matches it\n",
			res);
	for (size_t i = 0; i < a->req.ncontext; i++) {
		const struct authz_ctx_entry *e = &a->ctx[i];

		if (!authz_key_is_known(e->key, e->keylen))
			fprintf(stderr,
				"gatehouse eval: warning: --context \"%.*s\" is not a known AWS "
				"global condition key (a typo?); no AWS request carries it\n",
				(int)e->keylen, e->key);
	}
}
