/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the policy engine's modules: wildcard matching, policy
 * variables, typed values, the loader's diagnostics and the action index.
 * Whole-decision behaviour is pinned by the golden cases in tests/authz/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "authz/pattern.h"
#include "authz/policy.h"
#include "authz/value.h"
#include "common/macro.h"

static bool gm(const char *pat, const char *s)
{
	struct glob g;

	glob_compile(&g, pat, strlen(pat));
	return glob_match(&g, s, strlen(s));
}

static void test_glob(void **state)
{
	assert_true(gm("*", ""));
	assert_true(gm("*", "anything"));
	assert_true(gm("s3:getobject", "s3:getobject"));
	assert_false(gm("s3:getobject", "s3:getobjects"));
	assert_true(gm("s3:get*", "s3:getobject"));
	assert_true(gm("s3:get*", "s3:get"));
	assert_false(gm("s3:get*", "s3:put"));
	assert_true(gm("arn:aws:s3:::b/*/x?z", "arn:aws:s3:::b/a/b/xyz"));
	assert_false(gm("arn:aws:s3:::b/*/x?z", "arn:aws:s3:::b/a/b/xz"));
	assert_true(gm("*a*b*c", "xxaxxbxxc"));
	assert_false(gm("*a*b*c", "xxaxxcxxb"));
	/* "?" is one character, not one byte. */
	assert_true(gm("caf?", "café"));
	assert_false(gm("caf??", "café"));
	/* A backslash makes the next byte literal (glob form). */
	assert_true(gm("a\\*b", "a*b"));
	assert_false(gm("a\\*b", "axb"));
	/* A "." is not special: IAM patterns are not regexes. */
	assert_false(gm("a.c", "abc"));
}

static void test_glob_worst_case_is_bounded(void **state)
{
	char pat[64], subj[4096];

	/* Many stars against a long near-miss: one backtrack point, no blow-up. */
	memcpy(pat, "*a*a*a*a*a*a*a*a*a*a*b", 23);
	memset(subj, 'a', sizeof(subj) - 1);
	subj[sizeof(subj) - 1] = '\0';
	assert_false(gm(pat, subj));
}

static void test_tmpl(void **state)
{
	struct arena a = ARENA_INIT;
	struct tmpl *t;
	const char *msg;

	assert_int_equal(tmpl_parse(&a, "plain", 5, true, &t, &msg), 0);
	assert_null(t);
	assert_int_equal(tmpl_parse(&a, "home/${aws:username}/*", 22, true, &t, &msg), 0);
	assert_non_null(t);
	assert_int_equal(t->nsegs, 3);
	assert_true(t->segs[1].var);
	assert_memory_equal(t->segs[1].text, "aws:username", 12);
	assert_null(t->segs[1].def);

	const char *d = "${aws:PrincipalTag/team , 'no ne'}";
	assert_int_equal(tmpl_parse(&a, d, strlen(d), true, &t, &msg), 0);
	assert_int_equal(t->nsegs, 1);
	assert_string_equal(t->segs[0].text, "aws:PrincipalTag/team");
	assert_string_equal(t->segs[0].def, "no ne");

	/* ${*} is a literal star: escaped in glob form. */
	assert_int_equal(tmpl_parse(&a, "a${*}b", 6, true, &t, &msg), 0);
	assert_string_equal(t->segs[1].text, "\\*");
	assert_int_equal(tmpl_parse(&a, "a${*}b", 6, false, &t, &msg), 0);
	assert_string_equal(t->segs[1].text, "*");

	assert_int_equal(tmpl_parse(&a, "x${aws:username", 15, true, &t, &msg), -EINVAL);
	assert_int_equal(tmpl_parse(&a, "${}", 3, true, &t, &msg), -EINVAL);
	assert_int_equal(tmpl_parse(&a, "${k, nope}", 10, true, &t, &msg), -EINVAL);
	arena_clear(&a);
}

static void test_values(void **state)
{
	double n;
	int64_t ms;
	bool b;
	uint32_t st[6], ln[6];

	assert_true(value_parse_number("10", 2, &n) && n == 10);
	assert_true(value_parse_number("-2.5", 4, &n) && n == -2.5);
	assert_false(value_parse_number("1e3", 3, &n));
	assert_false(value_parse_number("abc", 3, &n));
	assert_false(value_parse_number("1.", 2, &n));
	assert_false(value_parse_number("", 0, &n));

	assert_true(value_parse_date("1970-01-02", 10, &ms) && ms == 86400000);
	assert_true(value_parse_date("2026-11-30T17:58:05Z", 20, &ms) && ms == 1796061485000);
	assert_true(value_parse_date("2026-11-30T18:58:05+01:00", 25, &ms) &&
		    ms == 1796061485000);
	assert_true(value_parse_date("2026-11-30T17:58:05.250Z", 24, &ms) &&
		    ms == 1796061485250);
	assert_true(value_parse_date("1796061485", 10, &ms) && ms == 1796061485000);
	assert_false(value_parse_date("2026-02-30", 10, &ms));
	assert_false(value_parse_date("2026-13-01", 10, &ms));
	assert_false(value_parse_date("2026-11-30T25:00:00Z", 20, &ms));
	assert_false(value_parse_date("yesterday", 9, &ms));
	assert_true(value_parse_date("2024-02-29", 10, &ms));
	assert_false(value_parse_date("2023-02-29", 10, &ms));

	assert_true(value_parse_bool("TRUE", 4, &b) && b);
	assert_true(value_parse_bool("false", 5, &b) && !b);
	assert_false(value_parse_bool("yes", 3, &b));

	assert_true(value_is_base64("QmluYXJ5", 8));
	assert_true(value_is_base64("QQ==", 4));
	assert_false(value_is_base64("QQ=", 3));
	assert_false(value_is_base64("Q=Q=", 4));

	assert_true(value_split_arn("arn:aws:s3:::b/k:x", 18, st, ln));
	assert_int_equal(ln[3], 0);
	assert_int_equal(ln[4], 0);
	assert_int_equal(st[5], 13);
	assert_int_equal(ln[5], 5); /* the resource keeps its own colons */
	assert_false(value_split_arn("arn:aws:s3", 10, st, ln));
	assert_false(value_split_arn("urn:a:b:c:d:e", 13, st, ln));
}

static struct authz_policy *load(const char *text, enum authz_policy_kind kind,
				 struct diag_list *dl)
{
	diag_list_init(dl);
	return authz_policy_load(text, strlen(text), "p.json", kind, "p", dl);
}

static const struct diag *find_diag(const struct diag_list *dl, const char *needle)
{
	for (size_t i = 0; i < dl->n; i++)
		if (strstr(dl->items[i].message, needle))
			return &dl->items[i];
	return NULL;
}

static void test_load_reports_every_error_located(void **state)
{
	const char *text = "{\n"
			   " \"Version\": \"2012-10-17\",\n"
			   " \"Statement\": [\n"
			   "  {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n"
			   "  {\"Effect\": \"Permit\", \"Action\": \"s3*\", \"Resource\": \"bucket\",\n"
			   "   \"Condition\": {\"DateLessThan\": {\"aws:CurrentTime\": \"soon\"},\n"
			   "                 \"StringEqualz\": {\"aws:username\": \"a\"}}}\n"
			   " ]\n"
			   "}\n";
	struct diag_list dl;
	const struct diag *d;

	assert_null(load(text, AUTHZ_POLICY_IDENTITY, &dl));
	assert_int_equal(dl.errors, 5);
	d = find_diag(&dl, "Effect must be");
	assert_non_null(d);
	assert_string_equal(d->path, "Statement[1].Effect");
	assert_int_equal(d->line, 5);
	assert_int_equal(d->column, 14);
	assert_string_equal(d->source, "p.json");
	d = find_diag(&dl, "action \"s3*\"");
	assert_non_null(d);
	assert_string_equal(d->path, "Statement[1].Action");
	d = find_diag(&dl, "must be an ARN");
	assert_non_null(d);
	assert_string_equal(d->path, "Statement[1].Resource");
	d = find_diag(&dl, "needs a date");
	assert_non_null(d);
	assert_string_equal(d->path, "Statement[1].Condition.DateLessThan.aws:CurrentTime");
	assert_int_equal(d->line, 6);
	d = find_diag(&dl, "unknown condition operator \"StringEqualz\"");
	assert_non_null(d);
	assert_int_equal(d->line, 7);
	diag_list_clear(&dl);
}

static void test_load_kinds(void **state)
{
	const char *with_principal =
		"{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
		"\"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, "
		"\"Action\": \"sts:AssumeRole\"}}";
	struct diag_list dl;
	struct authz_policy *p;

	assert_null(load(with_principal, AUTHZ_POLICY_IDENTITY, &dl));
	assert_non_null(find_diag(&dl, "not allowed in an identity-based policy"));
	diag_list_clear(&dl);
	/* A resource policy needs a Resource; a trust policy does not. */
	assert_null(load(with_principal, AUTHZ_POLICY_RESOURCE, &dl));
	assert_non_null(find_diag(&dl, "missing Resource"));
	diag_list_clear(&dl);
	p = load(with_principal, AUTHZ_POLICY_TRUST, &dl);
	assert_non_null(p);
	assert_int_equal(dl.errors, 0);
	assert_int_equal(p->stmts[0].principals[0].kind, PRINCIPAL_ACCOUNT);
	assert_string_equal(p->stmts[0].principals[0].text, "111122223333");
	authz_policy_unref(p);
	diag_list_clear(&dl);
}

static void test_load_warnings(void **state)
{
	const char *text =
		"{\"Statement\": ["
		"{\"Sid\": \"A\", \"Effect\": \"Allow\", \"NotAction\": \"iam:*\", \"Resource\": \"*\"},"
		"{\"Sid\": \"A\", \"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\","
		" \"Condition\": {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"false\"},"
		"  \"IpAddress\": {\"aws:SoruceIp\": \"10.0.0.1/8\"},"
		"  \"ForAllValues:StringEquals\": {\"aws:username\": \"x\"}}}]}";
	struct diag_list dl;
	struct authz_policy *p = load(text, AUTHZ_POLICY_IDENTITY, &dl);

	assert_non_null(p);
	assert_int_equal(dl.errors, 0);
	assert_non_null(find_diag(&dl, "no Version"));
	assert_non_null(find_diag(&dl, "Allow with NotAction"));
	assert_non_null(find_diag(&dl, "Sid \"A\" is used by statement 0"));
	assert_non_null(find_diag(&dl, "use BoolIfExists"));
	assert_non_null(find_diag(&dl, "aws:SoruceIp\" is not a known"));
	assert_non_null(find_diag(&dl, "host bits set"));
	assert_non_null(find_diag(&dl, "ForAllValues on single-valued key"));
	assert_int_equal(dl.warnings, 7);
	authz_policy_unref(p);
	diag_list_clear(&dl);
}

/*
 * Issue 9: a variable that some principals never have, a multivalued key
 * without a set operator; not with a set operator or a default.
 */
static void test_load_warnings_keys(void **state)
{
	static const struct {
		const char *cond, *want;
	} cases[] = {
		{ "{\"StringEquals\": {\"aws:TagKeys\": \"a\"}}",
		  "StringEquals on multi-valued key aws:TagKeys without" },
		{ "{\"StringLike\": {\"s3:prefix\": \"${aws:username}/*\"}}",
		  "${aws:username} never resolves for role sessions" },
		{ "{\"ForAnyValue:StringEquals\": {\"aws:CalledVia\": \"x\"}}", NULL },
		{ "{\"StringLike\": {\"s3:prefix\": \"${aws:username, 'none'}/*\"}}", NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char text[512];
		struct diag_list dl;
		struct authz_policy *p;

		snprintf(text, sizeof(text),
			 "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
			 "\"Action\": \"s3:*\", \"Resource\": \"*\", \"Condition\": %s}}",
			 cases[i].cond);
		p = load(text, AUTHZ_POLICY_IDENTITY, &dl);
		assert_non_null(p);
		assert_int_equal(dl.warnings, cases[i].want ? 1 : 0);
		if (cases[i].want)
			assert_non_null(find_diag(&dl, cases[i].want));
		authz_policy_unref(p);
		diag_list_clear(&dl);
	}
}

static void test_action_index(void **state)
{
	const char *text = "{\"Version\": \"2012-10-17\", \"Statement\": ["
			   "{\"Effect\": \"Allow\", \"Action\": [\"S3:Get*\", \"s3:List*\"], \"Resource\": \"*\"},"
			   "{\"Effect\": \"Allow\", \"Action\": \"ec2:*\", \"Resource\": \"*\"},"
			   "{\"Effect\": \"Deny\", \"NotAction\": \"iam:*\", \"Resource\": \"*\"},"
			   "{\"Effect\": \"Allow\", \"Action\": [\"s3:Put*\", \"*:Describe*\"], \"Resource\": \"*\"},"
			   "{\"Effect\": \"Allow\", \"Action\": [\"ec2:Run*\", \"s3:Delete*\"], \"Resource\": \"*\"}]}";
	struct diag_list dl;
	struct authz_policy *p = load(text, AUTHZ_POLICY_IDENTITY, &dl);
	const struct action_index *ix;
	size_t s3 = 0, ec2 = 0;

	assert_non_null(p);
	ix = &p->index;
	/* NotAction and a wildcard service must be checked for every action. */
	assert_int_equal(ix->ngeneric, 2);
	assert_int_equal(ix->generic[0], 2);
	assert_int_equal(ix->generic[1], 3);
	for (uint32_t i = 0; i <= ix->mask; i++) {
		const struct action_bucket *b = &ix->buckets[i];

		if (!b->svc)
			continue;
		if (b->svclen == 2 && !memcmp(b->svc, "s3", 2)) {
			/* Lower-cased at load; statement 0 listed once for two s3 actions. */
			assert_int_equal(b->n, 2);
			assert_int_equal(b->stmts[0], 0);
			assert_int_equal(b->stmts[1], 4);
			s3++;
		} else if (b->svclen == 3 && !memcmp(b->svc, "ec2", 3)) {
			assert_int_equal(b->n, 2);
			assert_int_equal(b->stmts[0], 1);
			assert_int_equal(b->stmts[1], 4);
			ec2++;
		} else {
			fail_msg("unexpected service bucket");
		}
	}
	assert_int_equal(s3, 1);
	assert_int_equal(ec2, 1);
	authz_policy_unref(p);
	diag_list_clear(&dl);
}

static void test_evaluate_rejects_bad_request(void **state)
{
	struct authz_policy_set set = { 0 };
	struct authz_request req = { "arn:aws:iam::1:user/a", "noservice", "*", NULL, NULL, 0 };
	struct authz_result r;

	assert_int_equal(authz_evaluate(&set, &req, &r), -EINVAL);
	req.action = "s3:GetObject";
	assert_int_equal(authz_evaluate(&set, &req, &r), 0);
	assert_int_equal(r.decision, AUTHZ_IMPLICIT_DENY);
	assert_int_equal(r.reason, AUTHZ_REASON_NO_ALLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_glob_worst_case_is_bounded),
		cmocka_unit_test(test_tmpl),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_load_reports_every_error_located),
		cmocka_unit_test(test_load_kinds),
		cmocka_unit_test(test_load_warnings),
		cmocka_unit_test(test_load_warnings_keys),
		cmocka_unit_test(test_action_index),
		cmocka_unit_test(test_evaluate_rejects_bad_request),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
