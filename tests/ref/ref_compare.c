/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Comparing a `gatehouse simulate` answer with the reference's (ref_compare.h). */
#include "ref_compare.h"

#include <gatehouse/authz.h>

#include <stdio.h>
#include <string.h>

/* The engine's reason for each of the reference's (same rules, its own words). */
static const int reason_map[_REF_REASON_MAX] = {
	[REF_REASON_EXPLICIT_DENY] = AUTHZ_REASON_EXPLICIT_DENY,
	[REF_REASON_IDENTITY_ALLOW] = AUTHZ_REASON_IDENTITY_ALLOW,
	[REF_REASON_RESOURCE_ALLOW] = AUTHZ_REASON_RESOURCE_ALLOW,
	[REF_REASON_CROSS_ACCOUNT_ALLOW] = AUTHZ_REASON_CROSS_ACCOUNT_ALLOW,
	[REF_REASON_NO_ALLOW] = AUTHZ_REASON_NO_ALLOW,
	[REF_REASON_BOUNDARY] = AUTHZ_REASON_BOUNDARY,
	[REF_REASON_SESSION] = AUTHZ_REASON_SESSION,
	[REF_REASON_CROSS_ACCOUNT_NO_RESOURCE] = AUTHZ_REASON_CROSS_ACCOUNT_NO_RESOURCE,
	[REF_REASON_CROSS_ACCOUNT_NO_IDENTITY] = AUTHZ_REASON_CROSS_ACCOUNT_NO_IDENTITY,
	[REF_REASON_TRUST] = AUTHZ_REASON_TRUST,
	[REF_REASON_KEY_POLICY] = AUTHZ_REASON_KEY_POLICY,
	[REF_REASON_IDENTITY_ALLOW_UNVERIFIED] = AUTHZ_REASON_IDENTITY_ALLOW_UNVERIFIED,
	[REF_REASON_NO_PERMISSION_NEEDED] = AUTHZ_REASON_NO_PERMISSION_NEEDED,
	[REF_REASON_SCP] = AUTHZ_REASON_SCP,
	[REF_REASON_RCP] = AUTHZ_REASON_RCP,
};

void ref_compare(json_t *out, const struct ref_result *ref, char *why, size_t size)
{
	const char *dec = json_string_value(json_object_get(out, "decision"));
	const char *reason = json_string_value(json_object_get(out, "reason"));
	json_t *matched = json_object_get(out, "matched"), *m;
	int want_reason = reason_map[ref->reason];
	size_t i;

	why[0] = '\0';
	if (!dec || strcmp(dec, ref_decision_name(ref->decision))) {
		snprintf(why, size, "decision: engine %s, reference %s", dec ? dec : "(none)",
			 ref_decision_name(ref->decision));
		return;
	}
	if (!reason || want_reason < 0 || strcmp(reason, authz_reason_text(want_reason))) {
		snprintf(why, size, "reason: engine \"%s\", reference rule %d",
			 reason ? reason : "", (int)ref->reason);
		return;
	}
	if (json_array_size(matched) != ref->nmatched) {
		snprintf(why, size, "matched: engine lists %zu statements, reference %zu",
			 json_array_size(matched), ref->nmatched);
		return;
	}
	json_array_foreach(matched, i, m) {
		const char *pol = json_string_value(json_object_get(m, "policy"));
		json_int_t idx = json_integer_value(json_object_get(m, "index"));

		if (!pol || strcmp(pol, ref->matched[i].policy) || idx < 0 ||
		    (size_t)idx != ref->matched[i].index) {
			snprintf(why, size,
				 "matched[%zu]: engine %s statement %lld, reference %s "
				 "statement %zu",
				 i, pol ? pol : "?", (long long)idx, ref->matched[i].policy,
				 ref->matched[i].index);
			return;
		}
	}
}
