/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A reference IAM evaluator for tests: small and slow on purpose, written
 * from AWS's IAM User Guide ("Policy evaluation logic", "IAM JSON policy
 * elements", "Condition operators", "Policy variables") and
 * /work/shared/SEMANTICS.md, sharing nothing with src/authz/ but the JSON
 * reader.  It reads a `gatehouse simulate` case as a jansson tree and walks
 * the policy documents as they are on every request: no index, no compile
 * step, no cache.  Tests compare the production engine against it.
 *
 * It does not validate: it is only asked about cases the engine loaded.
 */
#ifndef GH_REF_EVAL_H
#define GH_REF_EVAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum ref_decision {
	REF_IMPLICIT_DENY,
	REF_EXPLICIT_DENY,
	REF_ALLOW,
	_REF_DECISION_MAX,
};

/* Which rule of the evaluation logic decided (same rules as the engine's reasons). */
enum ref_reason {
	REF_REASON_EXPLICIT_DENY,
	REF_REASON_IDENTITY_ALLOW,
	REF_REASON_RESOURCE_ALLOW,
	REF_REASON_CROSS_ACCOUNT_ALLOW,
	REF_REASON_NO_ALLOW,
	REF_REASON_BOUNDARY,
	REF_REASON_SESSION,
	REF_REASON_CROSS_ACCOUNT_NO_RESOURCE,
	REF_REASON_CROSS_ACCOUNT_NO_IDENTITY,
	REF_REASON_TRUST,
	REF_REASON_KEY_POLICY,
	REF_REASON_IDENTITY_ALLOW_UNVERIFIED, /* sts:AssumeRole*, the trust policy not given */
	REF_REASON_NO_PERMISSION_NEEDED,      /* sts:GetCallerIdentity */
	REF_REASON_SCP,			      /* allowed, but not by every SCP */
	REF_REASON_RCP,			      /* allowed, but not by every applying RCP */
	_REF_REASON_MAX,
};

/*
 * Classes of input on which the engine was wrong (issues 8
 * and 9).  The reference answers them correctly and says, in
 * ref_result.touched, which of them a case went through, so that a
 * comparison can tolerate a disagreement of that class only while the
 * defect is open (tests/ref/known_disagreements.h).
 */
#define REF_DEFECTS(X)                                                                             \
	X(QMARK_UTF8, "issue 8 defect 8: `?` must match one whole UTF-8 character")                \
	X(MAPPED_V4, "issue 8 defect 5: IPv4-mapped IPv6 addresses and CIDRs")                     \
	X(ARN_EMPTY_PART, "issue 9 defect 1: ArnLike/ArnNotLike with an empty ARN part")           \
	X(ASSUMEROLE_NO_TRUST,                                                                     \
	  "issue 9 defect 2: simulate's sts:AssumeRole without a trust policy evaluates the "      \
	  "identity side")                                                                         \
	X(UNRESOLVED_VAR,                                                                          \
	  "issue 9 defect 3: an unresolved policy variable makes the statement not apply")         \
	X(MULTI_NO_SET, "issue 9 defect 4: a multivalued key needs a set operator")                \
	X(ANY_IFEXISTS_ABSENT,                                                                     \
	  "issue 9 defect 5: ForAnyValue:...IfExists on an absent key is false")                   \
	X(GET_CALLER_IDENTITY, "issue 9 defect 6: sts:GetCallerIdentity is never denied")

enum ref_defect_bit {
#define REF_BIT(name, text) REF_DEFECT_BIT_##name,
	REF_DEFECTS(REF_BIT)
#undef REF_BIT
	    _REF_DEFECT_MAX,
};

#define REF_DEFECT(name) (1u << REF_DEFECT_BIT_##name)

/* The name ("QMARK_UTF8") and the description of a defect class. */
const char *ref_defect_name(enum ref_defect_bit b);
const char *ref_defect_text(enum ref_defect_bit b);

#define REF_MATCHED_MAX 32

/**
 * struct ref_match - a statement that decided
 * @policy: "policies[i]", "permission_boundary", "session_policies[i]" or
 *	"resource_policy", as simulate names them
 * @index: the statement's position in its policy
 * @deny: its Effect is Deny
 */
struct ref_match {
	char policy[40];
	size_t index;
	bool deny;
};

/**
 * struct ref_result - the reference's answer
 * @decision, @reason: what was decided and by which rule
 * @matched: for an explicit deny the Deny statements that matched, else
 *	the Allow statements that matched (in policy order)
 * @nmatched: entries listed (at most REF_MATCHED_MAX)
 * @touched: REF_DEFECT() bits of the known-defect classes this case
 *	exercised
 */
struct ref_result {
	enum ref_decision decision;
	enum ref_reason reason;
	struct ref_match matched[REF_MATCHED_MAX];
	size_t nmatched;
	unsigned touched;
};

/*
 * Evaluate the simulate case @c into *@ret.  Returns 0, or -EINVAL when
 * the case is not one the reference can read (it is meant for cases the
 * engine accepted, so that is a finding too).
 */
int ref_eval(const json_t *c, struct ref_result *ret);

const char *ref_decision_name(enum ref_decision d); /* "allow", ... as simulate prints */

#endif
