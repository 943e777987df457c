/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehouse eval's answer as text: the decision and its reason, and with
 * --explain the statements that decided and the missing context keys.
 * Both modes print through here (cmd_eval.c, eval_store.c).
 */
#include <stdio.h>

#include "eval.h"

void eval_print_result(const struct eval_args *a, const struct authz_result *r)
{
	printf("%s: %s\n", authz_decision_name(r->decision), authz_reason_text(r->reason));
	if (!a->explain)
		return;
	for (size_t i = 0; i < r->nmatched; i++) {
		const struct authz_match *m = &r->matched[i];

		printf("  %s statement %u%s%s%s in %s\n", authz_effect_name(m->effect), m->index,
		       m->sid ? " (Sid " : "", m->sid ? m->sid : "", m->sid ? ")" : "",
		       authz_policy_name(m->policy));
	}
	if (r->nmatched_total > r->nmatched)
		printf("  ... and %zu more statements\n", r->nmatched_total - r->nmatched);
	for (size_t i = 0; i < r->nmissing; i++)
		printf("  missing context key: %s\n", r->missing[i]);
}
