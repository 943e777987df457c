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

#include <gatehouse/simulate.h>
#include <jansson.h>
#include <stdlib.h>

#include "authz/limits.h"
#include "authz/output.h"
#include "authz/pattern.h"
#include "authz/policy.h"
#include "authz/value.h"
#include "common/macro.h"

static bool gm(const char *pat, const char *s)
{
	struct glob g;

	az_glob_compile(&g, pat, strlen(pat));
	return az_glob_match(&g, s, strlen(s));
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

/* A 2-, 3- and 4-byte UTF-8 character: "?" must take each whole. */
static const char *const wide[] = { "\xc3\xa9" /* é */, "\xe2\x82\xac" /* € */,
				    "\xf0\x9f\x98\x80" /* U+1F600 */ };

/* @tmpl with every "@" replaced by @c, into @buf. */
static const char *with(char *buf, size_t size, const char *tmpl, const char *c)
{
	size_t o = 0, clen = strlen(c);

	for (; *tmpl; tmpl++) {
		const char *piece = *tmpl == '@' ? c : tmpl;
		size_t n = *tmpl == '@' ? clen : 1;

		assert_true(o + n < size);
		memcpy(buf + o, piece, n);
		o += n;
	}
	buf[o] = '\0';
	return buf;
}

static void test_glob_question_takes_whole_characters(void **state)
{
	/* Pattern and subject, "@" standing for the character; "?" is one character. */
	static const struct {
		const char *pat, *subj;
		bool want;
	} cases[] = {
		/* GLOB_GENERAL: "?" alone, after "*" (backtracking), before "*". */
		{ "?", "@", true },
		{ "??", "@", false },
		{ "?", "@@", false },
		{ "*??xy", "@xy", false },
		{ "*??xy", "a@xy", true },
		{ "*??xy", "@@xy", true },
		{ "*?", "@", true },
		{ "*??", "@", false },
		{ "?*", "@", true },
		{ "x*??y", "x@y", false },
		{ "x*??y", "x@@y", true },
		{ "*a*??b", "a@b", false },
		{ "*a*??b", "a@@b", true },
		{ "*@?", "a@@", true },
		{ "*@??", "a@@", false },
		/* An escaped "?" is the literal character only. */
		{ "a\\?", "a@", false },
		/* GLOB_EXACT, GLOB_PREFIX, GLOB_ANY with the character in them. */
		{ "k@", "k@", true },
		{ "k@", "k@@", false },
		{ "k@*", "k@@", true },
		{ "k@*", "k", false },
		{ "*", "@", true },
	};
	char s[64], t[64];

	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
			if (gm(with(t, sizeof(t), cases[k].pat, wide[i]),
			       with(s, sizeof(s), cases[k].subj, wide[i])) != cases[k].want)
				fail_msg("\"%s\" against \"%s\" with a %zu-byte character: want %d",
					 cases[k].pat, cases[k].subj, i + 2, cases[k].want);
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

/* A random glob-form pattern or text of up to @max pieces, from a small alphabet with UTF-8. */
static size_t rand_glob(unsigned *seed, char *buf, size_t max, bool pattern)
{
	static const char *const pieces[] = { "a", "b", "a",   "\xc3\xa9", "\xe2\x82\xac",
					      "*", "?", "\\*", "\\?",	   "\\\\",
					      "\\" };
	size_t n = (size_t)rand_r(seed) % (max + 1), o = 0;
	size_t npieces = pattern ? sizeof(pieces) / sizeof(pieces[0]) : 5;

	for (size_t i = 0; i < n; i++) {
		const char *pc = pieces[(size_t)rand_r(seed) % npieces];

		/* A lone backslash only last: elsewhere it would escape what follows. */
		if (!strcmp(pc, "\\") && i + 1 < n)
			pc = "b";
		memcpy(buf + o, pc, strlen(pc));
		o += strlen(pc);
	}
	if (!pattern && n && rand_r(seed) % 4 == 0) { /* texts with the pattern's specials */
		size_t at = (size_t)rand_r(seed) % o;

		if (!(buf[at] & 0x80)) /* texts are UTF-8 (authz_request_check) */
			buf[at] = "*?\\"[rand_r(seed) % 3];
	}
	return o;
}

/* A text that pattern @p matches, built by filling its wildcards at random. */
static size_t instantiate(unsigned *seed, const char *p, size_t plen, char *buf)
{
	static const char *const fill[] = { "a", "b", "\xc3\xa9", "\xe2\x82\xac", "*" };
	size_t o = 0;

	for (size_t i = 0; i < plen; i++) {
		int reps = p[i] == '*' ? rand_r(seed) % 4 : 1;

		if (p[i] != '*' && p[i] != '?') {
			if (p[i] == '\\' && i + 1 < plen)
				i++;
			buf[o++] = p[i];
			continue;
		}
		while (reps-- > 0) {
			const char *f = fill[(size_t)rand_r(seed) % 5];

			memcpy(buf + o, f, strlen(f));
			o += strlen(f);
		}
	}
	return o;
}

/*
 * The segment matcher (what long hostile patterns are handed to) gives the
 * greedy loop's answer on every pattern and text: many random pairs,
 * UTF-8, escapes and stars, plus the shapes that force the hand-over.
 */
static void test_glob_matchers_agree(void **state)
{
	char p[512], s[512];
	unsigned seed = 12345;
	size_t matched = 0;

	for (int i = 0; i < 400000; i++) {
		size_t plen = rand_glob(&seed, p, 12, true), slen;

		if (i % 2) { /* a text it matches, often changed a little */
			slen = instantiate(&seed, p, plen, s);
			if (slen && rand_r(&seed) % 2)
				s[(size_t)rand_r(&seed) % slen] &= 0x7f;
			if (slen && rand_r(&seed) % 4 == 0)
				slen -= (size_t)rand_r(&seed) % 2;
		} else {
			slen = rand_glob(&seed, s, 14, false);
		}
		int g = az_glob_match_greedy(p, plen, s, slen, SIZE_MAX);
		int m = az_glob_match_segments(p, plen, s, slen);

		if (g != m)
			fail_msg("pattern \"%.*s\" text \"%.*s\": greedy %d, segments %d",
				 (int)plen, p, (int)slen, s, g, m);
		assert_int_equal(az_glob_match_general(p, plen, s, slen), g);
		matched += (size_t)g;
	}
	/* Both answers occur often: the pairs test something. */
	print_message("%zu of 400000 pairs match\n", matched);
	assert_true(matched > 20000 && matched < 380000);
}

static void test_glob_long_hostile_patterns(void **state)
{
	static char p[AUTHZ_SUBST_MAX + 1], s[AUTHZ_REQ_STRING_MAX + 1];
	size_t plen = 0, slen = AUTHZ_REQ_STRING_MAX;

	/*
	 * "*a?a?...a?b*" (512 "a?") against 2,048 "a": each of the greedy
	 * loop's 1,024 restarts goes 1,024 bytes deep before it fails.
	 */
	p[plen++] = '*';
	for (int i = 0; i < 512; i++) {
		p[plen++] = 'a';
		p[plen++] = '?';
	}
	p[plen++] = 'b';
	p[plen++] = '*';
	memset(s, 'a', slen);
	assert_int_equal(az_glob_match_greedy(p, plen, s, slen, 4 * (plen + slen) + 256), -1);
	assert_false(az_glob_match_general(p, plen, s, slen));
	assert_int_equal(az_glob_match_greedy(p, plen, s, slen, SIZE_MAX), 0);
	/* A "b" at the end of the text: now it matches, and both matchers say so. */
	s[slen - 1] = 'b';
	assert_true(az_glob_match_general(p, plen, s, slen));
	assert_int_equal(az_glob_match_greedy(p, plen, s, slen, SIZE_MAX), 1);
}

static void test_tmpl(void **state)
{
	struct arena a = ARENA_INIT;
	struct tmpl *t;
	const char *msg;

	assert_int_equal(az_tmpl_parse(&a, "plain", 5, true, &t, &msg), 0);
	assert_null(t);
	assert_int_equal(az_tmpl_parse(&a, "home/${aws:username}/*", 22, true, &t, &msg), 0);
	assert_non_null(t);
	assert_int_equal(t->nsegs, 3);
	assert_true(t->segs[1].var);
	assert_memory_equal(t->segs[1].text, "aws:username", 12);
	assert_null(t->segs[1].def);

	const char *d = "${aws:PrincipalTag/team , 'no ne'}";
	assert_int_equal(az_tmpl_parse(&a, d, strlen(d), true, &t, &msg), 0);
	assert_int_equal(t->nsegs, 1);
	assert_string_equal(t->segs[0].text, "aws:PrincipalTag/team");
	assert_string_equal(t->segs[0].def, "no ne");

	/* ${*} is a literal star: escaped in glob form. */
	assert_int_equal(az_tmpl_parse(&a, "a${*}b", 6, true, &t, &msg), 0);
	assert_string_equal(t->segs[1].text, "\\*");
	assert_int_equal(az_tmpl_parse(&a, "a${*}b", 6, false, &t, &msg), 0);
	assert_string_equal(t->segs[1].text, "*");

	assert_int_equal(az_tmpl_parse(&a, "x${aws:username", 15, true, &t, &msg), -EINVAL);
	assert_int_equal(az_tmpl_parse(&a, "${}", 3, true, &t, &msg), -EINVAL);
	assert_int_equal(az_tmpl_parse(&a, "${k, nope}", 10, true, &t, &msg), -EINVAL);
	gh_arena_clear(&a);
}

static void test_values(void **state)
{
	double n;
	int64_t ms;
	bool b;
	uint32_t st[6], ln[6];

	assert_true(az_value_parse_number("10", 2, &n) && n == 10);
	assert_true(az_value_parse_number("-2.5", 4, &n) && n == -2.5);
	assert_false(az_value_parse_number("1e3", 3, &n));
	assert_false(az_value_parse_number("abc", 3, &n));
	assert_false(az_value_parse_number("1.", 2, &n));
	assert_false(az_value_parse_number("", 0, &n));

	assert_true(az_value_parse_date("1970-01-02", 10, &ms) && ms == 86400000);
	assert_true(az_value_parse_date("2026-11-30T17:58:05Z", 20, &ms) && ms == 1796061485000);
	assert_true(az_value_parse_date("2026-11-30T18:58:05+01:00", 25, &ms) &&
		    ms == 1796061485000);
	assert_true(az_value_parse_date("2026-11-30T17:58:05.250Z", 24, &ms) &&
		    ms == 1796061485250);
	assert_true(az_value_parse_date("1796061485", 10, &ms) && ms == 1796061485000);
	assert_false(az_value_parse_date("2026-02-30", 10, &ms));
	assert_false(az_value_parse_date("2026-13-01", 10, &ms));
	assert_false(az_value_parse_date("2026-11-30T25:00:00Z", 20, &ms));
	assert_false(az_value_parse_date("yesterday", 9, &ms));
	assert_true(az_value_parse_date("2024-02-29", 10, &ms));
	assert_false(az_value_parse_date("2023-02-29", 10, &ms));

	assert_true(az_value_parse_bool("TRUE", 4, &b) && b);
	assert_true(az_value_parse_bool("false", 5, &b) && !b);
	assert_false(az_value_parse_bool("yes", 3, &b));

	assert_true(az_value_is_base64("QmluYXJ5", 8));
	assert_true(az_value_is_base64("QQ==", 4));
	assert_false(az_value_is_base64("QQ=", 3));
	assert_false(az_value_is_base64("Q=Q=", 4));

	assert_true(az_value_split_arn("arn:aws:s3:::b/k:x", 18, st, ln));
	assert_int_equal(ln[3], 0);
	assert_int_equal(ln[4], 0);
	assert_int_equal(st[5], 13);
	assert_int_equal(ln[5], 5); /* the resource keeps its own colons */
	assert_false(az_value_split_arn("arn:aws:s3", 10, st, ln));
	assert_false(az_value_split_arn("urn:a:b:c:d:e", 13, st, ln));
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
	const char *text =
	    "{\n"
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
	    "{\"Sid\": \"A\", \"Effect\": \"Allow\", \"NotAction\": \"iam:*\", \"Resource\": "
	    "\"*\"},"
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
 * A variable that some principals never have, a multivalued key
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
	const char *text =
	    "{\"Version\": \"2012-10-17\", \"Statement\": ["
	    "{\"Effect\": \"Allow\", \"Action\": [\"S3:Get*\", \"s3:List*\"], \"Resource\": \"*\"},"
	    "{\"Effect\": \"Allow\", \"Action\": \"ec2:*\", \"Resource\": \"*\"},"
	    "{\"Effect\": \"Deny\", \"NotAction\": \"iam:*\", \"Resource\": \"*\"},"
	    "{\"Effect\": \"Allow\", \"Action\": [\"s3:Put*\", \"*:Describe*\"], \"Resource\": "
	    "\"*\"},"
	    "{\"Effect\": \"Allow\", \"Action\": [\"ec2:Run*\", \"s3:Delete*\"], \"Resource\": "
	    "\"*\"}]}";
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

/* The decision for @action on @resource with one context key @k = @v under @policy. */
static enum authz_decision decide(const char *policy, const char *action, const char *resource,
				  const char *k, const char *v)
{
	struct diag_list dl;
	struct authz_policy *p = load(policy, AUTHZ_POLICY_IDENTITY, &dl);
	struct authz_policy_set set = { .identity = &p, .nidentity = 1 };
	struct authz_value val = { v, strlen(v) };
	struct authz_ctx_entry e;
	struct authz_request req = {
		"arn:aws:iam::111122223333:user/a", action, resource, NULL, &e, 1
	};
	struct authz_result r;

	assert_non_null(p);
	authz_ctx_entry_init(&e, k, strlen(k), &val, 1, false);
	assert_int_equal(authz_evaluate(&set, &req, &r), 0);
	authz_policy_unref(p);
	diag_list_clear(&dl);
	return r.decision;
}

/* "?" after "*" in actions, resources, StringLike and ArnLike: one whole character each. */
static void test_evaluate_question_takes_whole_characters(void **state)
{
	static const char *const policies[] = {
		"{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
		"\"Action\": \"s3:get*??x\", \"Resource\": \"*\"}}",
		"{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
		"\"Action\": \"*\", \"Resource\": \"arn:aws:s3:::b/*??x\"}}",
		"{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
		"\"Action\": \"*\", \"Resource\": \"*\", "
		"\"Condition\": {\"StringLike\": {\"k\": \"get*??x\"}}}}",
		"{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
		"\"Action\": \"*\", \"Resource\": \"*\", "
		"\"Condition\": {\"ArnLike\": {\"k\": \"arn:aws:s3:::b/*??x\"}}}}",
	};
	char one[64], two[64], arn1[64], arn2[64];

	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++) {
		with(one, sizeof(one), "s3:get@x", wide[i]);
		with(two, sizeof(two), "s3:get@@x", wide[i]);
		with(arn1, sizeof(arn1), "arn:aws:s3:::b/@x", wide[i]);
		with(arn2, sizeof(arn2), "arn:aws:s3:::b/@@x", wide[i]);
		assert_int_equal(decide(policies[0], one, "r", "k", ""), AUTHZ_IMPLICIT_DENY);
		assert_int_equal(decide(policies[0], two, "r", "k", ""), AUTHZ_ALLOW);
		assert_int_equal(decide(policies[1], "s3:x", arn1, "k", ""), AUTHZ_IMPLICIT_DENY);
		assert_int_equal(decide(policies[1], "s3:x", arn2, "k", ""), AUTHZ_ALLOW);
		assert_int_equal(decide(policies[2], "s3:x", "r", "k", one + 3),
				 AUTHZ_IMPLICIT_DENY);
		assert_int_equal(decide(policies[2], "s3:x", "r", "k", two + 3), AUTHZ_ALLOW);
		assert_int_equal(decide(policies[3], "s3:x", "r", "k", arn1), AUTHZ_IMPLICIT_DENY);
		assert_int_equal(decide(policies[3], "s3:x", "r", "k", arn2), AUTHZ_ALLOW);
	}
}

/*
 * An organization's SCPs by level (AWS Organizations, "SCP evaluation"):
 * at every level one attached SCP must allow, not every SCP; the result
 * names the level that capped.  An organization's RCPs count by their
 * Denies only.
 */
static void test_evaluate_org_levels(void **state)
{
#define ORG_DOC(effect, action)                                                                    \
	"{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"" effect                      \
	"\", \"Action\": \"" action "\", \"Resource\": \"*\"}}"
	struct diag_list dl[5];
	struct authz_policy *id = load(ORG_DOC("Allow", "*"), AUTHZ_POLICY_IDENTITY, &dl[0]);
	struct authz_policy *full = load(ORG_DOC("Allow", "*"), AUTHZ_POLICY_IDENTITY, &dl[1]);
	struct authz_policy *ec2 = load(ORG_DOC("Allow", "ec2:*"), AUTHZ_POLICY_IDENTITY, &dl[2]);
	struct authz_policy *s3 = load(ORG_DOC("Allow", "s3:*"), AUTHZ_POLICY_IDENTITY, &dl[3]);
	struct authz_policy *rcp = load("{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": "
					"\"Allow\", \"Principal\": \"*\", \"Action\": \"sqs:*\", "
					"\"Resource\": \"*\"}}",
					AUTHZ_POLICY_RESOURCE, &dl[4]);
	struct authz_policy *root[] = { full }, *account[] = { ec2, full }, *ou[] = { s3 };
	struct authz_policy *scp[] = { full, ec2, s3 };
	const struct authz_org_level levels[] = {
		{ "root r-ab12", root, 1 },
		{ "OU ou-ab12-11111111", ou, 1 },
		{ "account 111122223333", account, 2 },
	};
	struct authz_policy_set set = {
		.identity = &id,
		.nidentity = 1,
		.scp = scp,
		.nscp = 3,
		.scp_levels = levels,
		.nscp_levels = 3,
	};
	struct authz_request req = { "arn:aws:iam::111122223333:user/a",
				     "s3:GetObject",
				     "arn:aws:s3:::b/k",
				     NULL,
				     NULL,
				     0 };
	struct authz_result r;

	(void)state;
	assert_non_null(id && full && ec2 && s3 && rcp);
	/* ec2 at the account does not allow s3, FullAWSAccess beside it does. */
	assert_int_equal(authz_evaluate(&set, &req, &r), 0);
	assert_int_equal(r.decision, AUTHZ_ALLOW);
	assert_null(r.capped);
	/* The OU allows only s3. */
	req.action = "ec2:RunInstances";
	assert_int_equal(authz_evaluate(&set, &req, &r), 0);
	assert_int_equal(r.decision, AUTHZ_IMPLICIT_DENY);
	assert_int_equal(r.reason, AUTHZ_REASON_SCP_LEVEL);
	assert_ptr_equal(r.capped, &levels[1]);
	/* A flat list (simulate's): every one must allow. */
	set.scp_levels = NULL;
	set.nscp_levels = 0;
	req.action = "s3:GetObject";
	assert_int_equal(authz_evaluate(&set, &req, &r), 0);
	assert_int_equal(r.reason, AUTHZ_REASON_SCP);
	assert_null(r.capped);
	/* An organization's RCP that allows nothing of an s3 request does not cap it. */
	set.nscp = 0;
	set.rcp = &rcp;
	set.nrcp = 1;
	assert_int_equal(authz_evaluate(&set, &req, &r), 0);
	assert_int_equal(r.reason, AUTHZ_REASON_RCP);
	set.rcp_deny_only = true;
	assert_int_equal(authz_evaluate(&set, &req, &r), 0);
	assert_int_equal(r.decision, AUTHZ_ALLOW);
	authz_policy_unref(id);
	authz_policy_unref(full);
	authz_policy_unref(ec2);
	authz_policy_unref(s3);
	authz_policy_unref(rcp);
	for (size_t i = 0; i < ARRAY_SIZE(dl); i++)
		diag_list_clear(&dl[i]);
#undef ORG_DOC
}

/* An IPv6 range over the IPv4-mapped addresses cannot match them: `check` says so. */
static void test_load_warns_mapped_range_asymmetry(void **state)
{
	const char *tmpl = "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": "
			   "\"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": "
			   "{\"IpAddress\": {\"aws:SourceIp\": [\"@\"]}}}}";
	static const char *const spans[] = { "::/0", "::fffe:0:0/95" };
	/* Mapped ranges are IPv4; an IPv4 range beside "::/0" says IPv4 is handled. */
	static const char *const fine[] = { "::ffff:198.51.100.0/120", "::ffff:0:0/96",
					    "2001:db8::/32", "198.51.100.0/24",
					    "0.0.0.0/0\", \"::/0" };
	struct diag_list dl;
	struct authz_policy *p;
	char text[512];

	for (size_t i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
		with(text, sizeof(text), tmpl, spans[i]);
		assert_non_null(p = load(text, AUTHZ_POLICY_IDENTITY, &dl));
		assert_int_equal(dl.warnings, 1);
		assert_non_null(find_diag(&dl, "IPv4-mapped range ::ffff:0:0/96"));
		assert_string_equal(dl.items[0].path, "Statement.Condition.IpAddress.aws:SourceIp");
		authz_policy_unref(p);
		diag_list_clear(&dl);
	}
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		with(text, sizeof(text), tmpl, fine[i]);
		assert_non_null(p = load(text, AUTHZ_POLICY_IDENTITY, &dl));
		assert_int_equal(dl.warnings, 0);
		authz_policy_unref(p);
		diag_list_clear(&dl);
	}
}

/* What authz_request_check() says about @req: its code, and the path into *d. */
static int check(const struct authz_request *req, struct diag *d)
{
	struct authz_policy_set set = { 0 };
	struct authz_result r;
	int ret = authz_request_check(req, d);

	/* Evaluation refuses the same requests for the same reason. */
	assert_int_equal(authz_evaluate(&set, req, &r), ret);
	return ret;
}

/*
 * @buf (@cap + 1 bytes of text, NUL-terminated) cut at @cap in *@field is
 * accepted; one byte more is refused at @path.
 */
static void cap_edge(struct authz_request *req, const char **field, char *buf, size_t cap,
		     const char *path)
{
	const char *was = *field;
	struct diag d;

	*field = buf;
	buf[cap] = '\0';
	assert_int_equal(check(req, &d), 0);
	buf[cap] = 'x';
	assert_int_equal(check(req, &d), -E2BIG);
	assert_string_equal(d.path, path);
	*field = was;
}

static void test_request_caps(void **state)
{
	static char big[AUTHZ_REQ_STRING_MAX + 2], action[AUTHZ_REQ_ACTION_MAX + 2];
	static struct authz_value vals[AUTHZ_REQ_KEY_VALUES_MAX + 1];
	static struct authz_ctx_entry ents[AUTHZ_REQ_KEYS_MAX + 1];
	struct authz_request req = { "arn:aws:iam::1:user/a", "s3:GetObject", "r", NULL, NULL, 0 };
	struct diag d;

	assert_int_equal(check(&req, &d), 0);
	/* action, principal, resource, resource_account: at the cap, and one past. */
	memset(action, 'a', sizeof(action) - 1);
	memcpy(action, "s3:", 3);
	memset(big, 'b', sizeof(big) - 1);
	cap_edge(&req, &req.action, action, AUTHZ_REQ_ACTION_MAX, "action");
	cap_edge(&req, &req.principal, big, AUTHZ_REQ_STRING_MAX, "principal");
	cap_edge(&req, &req.resource, big, AUTHZ_REQ_STRING_MAX, "resource");
	assert_int_equal(check(&req, &d), 0);
	req.resource = big;
	assert_int_equal(check(&req, &d), -E2BIG);
	assert_string_equal(d.message, "resource is longer than 2048 bytes");
	req.resource = "r";
	cap_edge(&req, &req.resource_account, big, AUTHZ_REQ_STRING_MAX, "resource_account");
	/* UTF-8 is fine (the slow path); not UTF-8: a stray byte, a character cut short. */
	req.resource = "arn:aws:s3:::b/\xe2\x82\xac";
	assert_int_equal(check(&req, &d), 0);
	req.resource = "arn:aws:s3:::b/\xff";
	assert_int_equal(check(&req, &d), -EINVAL);
	assert_string_equal(d.path, "resource");
	req.resource = "arn:aws:s3:::b/\xe2\x82";
	assert_int_equal(check(&req, &d), -EINVAL);
	req.resource = "r";

	/* Context: a value, values of a key, keys, all values, a key's length. */
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		vals[i] = (struct authz_value){ "v", 1 };
	vals[1] = (struct authz_value){ big, AUTHZ_REQ_VALUE_MAX + 1 };
	authz_ctx_entry_init(&ents[0], "aws:TagKeys", 11, vals, 2, true);
	req.context = ents;
	req.ncontext = 1;
	assert_int_equal(check(&req, &d), -E2BIG);
	assert_string_equal(d.path, "context.aws:TagKeys[1]");
	authz_ctx_entry_init(&ents[0], "k", 1, &vals[1], 1, false);
	assert_int_equal(check(&req, &d), -E2BIG);
	assert_string_equal(d.path, "context.k");
	vals[1] = (struct authz_value){ "\xc3", 1 };
	assert_int_equal(check(&req, &d), -EINVAL);
	assert_string_equal(d.path, "context.k");
	vals[1] = (struct authz_value){ "v", 1 };
	authz_ctx_entry_init(&ents[0], "k", 1, vals, AUTHZ_REQ_KEY_VALUES_MAX, true);
	assert_int_equal(check(&req, &d), 0);
	authz_ctx_entry_init(&ents[0], "k", 1, vals, AUTHZ_REQ_KEY_VALUES_MAX + 1, true);
	assert_int_equal(check(&req, &d), -E2BIG);
	assert_string_equal(d.path, "context.k");
	for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
		authz_ctx_entry_init(&ents[i], "k", 1, vals, 1, false);
	req.ncontext = AUTHZ_REQ_KEYS_MAX;
	assert_int_equal(check(&req, &d), 0);
	req.ncontext = AUTHZ_REQ_KEYS_MAX + 1;
	assert_int_equal(check(&req, &d), -E2BIG);
	assert_string_equal(d.path, "context");
	for (size_t i = 0; i < 5; i++)
		authz_ctx_entry_init(&ents[i], "k", 1, vals, AUTHZ_REQ_VALUES_MAX / 4, true);
	req.ncontext = 4;
	assert_int_equal(check(&req, &d), 0);
	req.ncontext = 5;
	assert_int_equal(check(&req, &d), -E2BIG);
	authz_ctx_entry_init(&ents[0], big, AUTHZ_REQ_KEY_MAX + 1, vals, 1, false);
	req.ncontext = 1;
	assert_int_equal(check(&req, &d), -E2BIG);
	assert_string_equal(d.path, "context");
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

/* authz_request_read: the request reader simulate and batch share, public for the daemon. */
static void test_request_read(void **state)
{
	static const char good[] =
	    "{\"principal\": \"arn:aws:iam::111122223333:user/alice\", \"action\": "
	    "\"s3:GetObject\",\n"
	    " \"resource\": \"arn:aws:s3:::b/k\", \"context\": {\"aws:SecureTransport\": true,"
	    " \"aws:TagKeys\": [\"a\", \"b\"]}}";
	static const char bad[] = "{\"principal\": \"p\",\n \"action\": 7, \"resource\": \"r\","
				  " \"colour\": 1}";
	struct authz_request_doc *d;
	const struct authz_request *req;
	struct diag_list dl;

	diag_list_init(&dl);
	d = authz_request_read(good, strlen(good), "good.json", &dl);
	assert_non_null(d);
	assert_int_equal(dl.errors, 0);
	req = authz_request_doc_request(d);
	assert_string_equal(req->action, "s3:GetObject");
	assert_null(req->resource_account);
	assert_int_equal(req->ncontext, 2);
	assert_string_equal(req->context[0].values[0].s, "true");
	assert_true(req->context[1].multi);
	assert_int_equal(req->context[1].nvalues, 2);
	d = authz_request_doc_free(d);

	assert_null(authz_request_read(bad, strlen(bad), "bad.json", &dl));
	assert_int_equal(dl.errors, 2);
	/* Every error located: the unknown key, then the action that is not a string. */
	assert_string_equal(dl.items[0].path, "colour");
	assert_string_equal(dl.items[1].path, "action");
	assert_int_equal(dl.items[1].line, 2);
	assert_int_equal(dl.items[1].column, 12);
	diag_list_clear(&dl);
}

/* One simulate answer, parsed; the caller decrefs. */
static json_t *sim(const char *line, int first_line)
{
	char *out = authz_simulate(line, strlen(line), "<stdin>", first_line);
	json_t *j;

	assert_non_null(out);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	free(out);
	return j;
}

static void assert_decision(json_t *j, const char *want)
{
	assert_string_equal(json_string_value(json_object_get(j, "decision")), want);
	json_decref(j);
}

static void assert_error(json_t *j, const char *message, const char *path, int line, int col)
{
	json_t *e = json_object_get(j, "error");

	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "message")), message);
	assert_string_equal(json_string_value(json_object_get(e, "path")), path);
	assert_int_equal(json_integer_value(json_object_get(e, "line")), line);
	assert_int_equal(json_integer_value(json_object_get(e, "column")), col);
	json_decref(j);
}

/*
 * A stream of simulate cases repeating their policies: the document cache
 * (simulate.c) answers the repeats, and what is reported stays what a case
 * read alone gets: a cached document decides for other requests, a
 * document with an error is located again in each case, and an element of
 * "policies" that is not valid JSON on its own (a duplicate key, which the
 * skip reader does not see) is reported as the whole case's JSON error.
 */
static void test_simulate_stream(void **state)
{
#define OK_DOC                                                                                     \
	"{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": "       \
	"\"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]}"
#define BAD_DOC                                                                                    \
	"{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Maybe\", \"Action\": "       \
	"\"s3:GetObject\", \"Resource\": \"*\"}]}"
#define REQ(action)                                                                                \
	"\"principal\": \"arn:aws:iam::111122223333:user/alice\", \"action\": \"" action           \
	"\", \"resource\": \"arn:aws:s3:::b/k\""
	(void)state;
	for (int round = 0; round < 2; round++) {
		assert_decision(sim("{\"id\": 1, \"policies\": [" OK_DOC
				    "], " REQ("s3:GetObject") "}",
				    1),
				"allow");
		assert_decision(sim("{\"id\": 2, \"policies\": [" OK_DOC
				    "], " REQ("s3:PutObject") "}",
				    2),
				"implicit_deny");
		/* The error is in the second document, on the case's third line. */
		for (int first = 3; first <= 4; first++)
			assert_error(sim("{\"id\": 3,\n\"policies\": [" OK_DOC ",\n" BAD_DOC
					 "], " REQ("s3:GetObject") "}",
					 first),
				     "Effect must be \"Allow\" or \"Deny\", not \"Maybe\"",
				     "policies[1].Statement[0].Effect", first + 2, 52);
		/* A duplicate key inside a document: the case is not valid JSON. */
		assert_error(sim("{\"id\": 4, \"policies\": [" OK_DOC
				 ", {\"Version\": \"2012-10-17\", "
				 "\"Version\": \"2012-10-17\"}], " REQ("s3:GetObject") "}",
				 5),
			     "invalid JSON: duplicate object key", "", 5, 171);
		/* A cached document, then the case's own syntax error. */
		assert_error(sim("{\"id\": 5, \"policies\": [" OK_DOC
				 "], " REQ("s3:GetObject") ",}",
				 6),
			     "invalid JSON: expected a string as the object key", "", 6, 256);
	}
#undef OK_DOC
#undef BAD_DOC
#undef REQ
}

/*
 * The references simulate.c takes on cached documents are all given back:
 * a case naming "policies" twice (its first array's documents found in
 * the cache, then its second's at the same indices) and one with more
 * documents than a case may have, every one cached.  Thousands of other
 * documents then push those out of the cache, so a reference still held
 * is a leak that LeakSanitizer reports (the ASan build).
 */
static void test_simulate_cache_refs(void **state)
{
/* Longer than the bytes simulate.c files a document under, so it is found by them. */
#define PAD                                                                                        \
	"padpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpad"     \
	"padpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpad"     \
	"padpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpad"     \
	"padpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpadpad"
#define DOC(res)                                                                                   \
	"{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": "       \
	"\"s3:GetObject\", \"Resource\": [\"arn:aws:s3:::" res "/*\", \"arn:aws:s3:::" res "-" PAD \
	"/*\"]}]}"
#define REQ                                                                                        \
	"\"principal\": \"arn:aws:iam::111122223333:user/alice\", \"action\": \"s3:GetObject\", "  \
	"\"resource\": \"arn:aws:s3:::b/k\""
	size_t cap = (AUTHZ_CASE_POLICIES_MAX + 1) * (sizeof(DOC("b")) + 2) + 512, n;
	char *many = malloc(cap), one[1024];

	(void)state;
	assert_non_null(many);
	assert_decision(sim("{\"id\": 1, \"policies\": [" DOC("b") "], " REQ "}", 1), "allow");
	assert_error(sim("{\"id\": 2, \"policies\": [" DOC("b") "], \"policies\": [" DOC(
			     "b") ", " DOC("b") "], " REQ "}",
			 1),
		     "invalid JSON: duplicate object key", "", 1, 505);
	n = (size_t)snprintf(many, cap, "{\"id\": 3, \"policies\": [");
	for (size_t i = 0; i <= AUTHZ_CASE_POLICIES_MAX; i++)
		n += (size_t)snprintf(many + n, cap - n, "%s" DOC("b"), i ? ", " : "");
	snprintf(many + n, cap - n, "], " REQ "}");
	assert_error(sim(many, 1), "policies holds too many policies", "policies", 1, 23);
	free(many);
	for (int i = 0; i < 8192; i++) {
		snprintf(one, sizeof(one), "{\"id\": 4, \"policies\": [" DOC("b%d") "], " REQ "}",
			 i, i);
		json_decref(sim(one, 1));
	}
#undef PAD
#undef DOC
#undef REQ
}

/*
 * az_output_result_text() writes what az_output_result() and
 * az_output_dump() build with jansson, byte for byte: every string escape
 * (each control character, '"', '\\', '/', non-ASCII), a missing sid, and
 * ids of every JSON type.
 */
static void test_output_result_text(void **state)
{
	static const char *const sids[] = { "P0S1", "a\"b\\c/d\u00e9\u2028", "\x7f", NULL };
	json_t *ids[] = { NULL,
			  json_integer(-9223372036854775807LL - 1),
			  json_string("x\"\n\x1f\u00e9"),
			  json_real(1.5),
			  json_true(),
			  json_null(),
			  json_pack("{s[iifs]so}", "a", 1, 2, 0.25, "z", "b", json_false()) };
	char ctl[32 * 2], all[160];
	struct authz_result r = { .decision = AUTHZ_ALLOW, .reason = AUTHZ_REASON_IDENTITY_ALLOW };

	(void)state;
	/* Every control character, and the bytes around them. */
	for (int c = 1; c < 32; c++) {
		ctl[2 * (c - 1)] = (char)c;
		ctl[2 * (c - 1) + 1] = 'x';
	}
	ctl[62] = '\0';
	snprintf(all, sizeof(all), "%s\"\\/\u00e9", ctl);
	for (size_t k = 0; k < ARRAY_SIZE(sids) + 1; k++) {
		const char *sid = k < ARRAY_SIZE(sids) ? sids[k] : all;

		r.nmatched = 2;
		r.matched[0] = (struct authz_match){ .slot = AUTHZ_SLOT_IDENTITY,
						     .slot_index = 3,
						     .index = 7,
						     .sid = sid,
						     .effect = AUTHZ_EFFECT_ALLOW };
		r.matched[1] = (struct authz_match){ .slot = AUTHZ_SLOT_SESSION,
						     .slot_index = 0,
						     .index = 0,
						     .sid = sid,
						     .effect = AUTHZ_EFFECT_DENY };
		r.nmissing = 2;
		r.missing[0] = "aws:username";
		r.missing[1] = sid ? sid : "aws:SourceIp";
		for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
			json_t *out = json_object();
			char *want, *got;

			assert_non_null(out);
			assert_int_equal(json_object_set(out, "id", ids[i] ? ids[i] : json_null()),
					 0);
			assert_true(az_output_result(out, &r, true));
			want = az_output_dump(out);
			got = az_output_result_text(ids[i], &r, true);
			assert_non_null(want);
			assert_non_null(got);
			assert_string_equal(got, want);
			free(want);
			free(got);
			json_decref(out);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		json_decref(ids[i]);
}

/*
 * simulate records warnings bare (gh_jsrc.bare_warnings), but each still
 * holds its place in the case's diagnostics, whose cap (GH_DIAG_MAX) then
 * leaves no room for an error's text: as before, 205 warnings and an
 * error answer "invalid case", 150 and an error answer the error.
 */
static void test_simulate_warnings_fill_the_cap(void **state)
{
#define WARN_STMT "{\"Effect\": \"Allow\", \"NotAction\": \"s3:x\", \"Resource\": \"*\"}, "
#define BAD_STMT "{\"Effect\": \"Maybe\", \"Action\": \"s3:x\", \"Resource\": \"*\"}"
	static const size_t counts[] = { 205, 150 };
	size_t cap = 205 * sizeof(WARN_STMT) + 1024;
	char *line = malloc(cap);

	(void)state;
	assert_non_null(line);
	for (size_t k = 0; k < ARRAY_SIZE(counts); k++) {
		size_t n = (size_t)snprintf(line, cap,
					    "{\"id\": 1, \"policies\": [{\"Version\": "
					    "\"2012-10-17\", \"Statement\": [");
		json_t *j, *e;

		for (size_t i = 0; i < counts[k]; i++)
			n += (size_t)snprintf(line + n, cap - n, "%s", WARN_STMT);
		snprintf(line + n, cap - n,
			 "%s]}], \"principal\": \"arn:aws:iam::111122223333:user/a\", "
			 "\"action\": \"s3:x\", \"resource\": \"arn:aws:s3:::b\"}",
			 BAD_STMT);
		j = sim(line, 1);
		e = json_object_get(j, "error");
		if (counts[k] == 205) {
			assert_string_equal(json_string_value(json_object_get(e, "message")),
					    "invalid case");
			json_decref(j);
		} else {
			assert_error(j, "Effect must be \"Allow\" or \"Deny\", not \"Maybe\"",
				     "policies[0].Statement[150].Effect", 1, 8925);
		}
	}
	free(line);
#undef WARN_STMT
#undef BAD_STMT
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_glob_question_takes_whole_characters),
		cmocka_unit_test(test_glob_worst_case_is_bounded),
		cmocka_unit_test(test_glob_matchers_agree),
		cmocka_unit_test(test_glob_long_hostile_patterns),
		cmocka_unit_test(test_tmpl),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_load_reports_every_error_located),
		cmocka_unit_test(test_load_kinds),
		cmocka_unit_test(test_load_warnings),
		cmocka_unit_test(test_load_warnings_keys),
		cmocka_unit_test(test_action_index),
		cmocka_unit_test(test_evaluate_rejects_bad_request),
		cmocka_unit_test(test_evaluate_question_takes_whole_characters),
		cmocka_unit_test(test_evaluate_org_levels),
		cmocka_unit_test(test_load_warns_mapped_range_asymmetry),
		cmocka_unit_test(test_request_caps),
		cmocka_unit_test(test_request_read),
		cmocka_unit_test(test_simulate_stream),
		cmocka_unit_test(test_simulate_cache_refs),
		cmocka_unit_test(test_output_result_text),
		cmocka_unit_test(test_simulate_warnings_fill_the_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
