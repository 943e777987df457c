/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_ref_diff: differential fuzzing of the policy engine against the
 * reference evaluator (tests/ref/ref_eval.c).
 *
 * The input bytes drive a builder that picks, from vocabularies of
 * realistic pieces (actions, ARN patterns with wildcards and variables,
 * condition operators with typed values on each side of their boundaries,
 * principals of the same and of another account), a whole simulate case:
 * identity policies, a permission boundary, session policies, a resource
 * policy, a request and its context.  So nearly every input is a case the
 * engine loads, and the search is over meaning, not syntax.  Then:
 *
 *  - engine == reference on decision, reason and matched statements,
 *    except in a known-defect class (tests/ref/known_disagreements.h);
 *  - determinism: the same case answers the same twice;
 *  - adding a Deny statement never turns a deny into an allow;
 *  - removing an Allow statement never turns a deny into an allow;
 *  - a request matching a Deny (Action "*", Resource "*" added) is an
 *    explicit deny, for the engine and the reference;
 *  - `gatehouse diff` (authz_diff) of the first identity policy against
 *    itself reports nothing, and against itself plus a Deny statement
 *    reports no granted request.
 *
 * Any violation traps, after printing the case.
 */
#include <gatehouse/authz.h>
#include <gatehouse/diff.h>
#include <gatehouse/simulate.h>
#include <sys/mman.h>
#include <unistd.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_choices.h"
#include "known_disagreements.h"
#include "ref_compare.h"
#include "ref_eval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ACCT "111122223333"
#define OTHER "444455556666"

static const char *const principals[] = {
	"arn:aws:iam::" ACCT ":user/alice",
	"arn:aws:iam::" ACCT ":role/deploy",
	"arn:aws:sts::" ACCT ":assumed-role/deploy/s1",
	"arn:aws:iam::" OTHER ":user/bob",
	"arn:aws:iam::" ACCT ":root",
	"arn:aws:sts::" OTHER ":assumed-role/deploy/s2",
};

static const char *const actions[] = {
	"s3:GetObject",	    "s3:PutObject",	      "s3:ListBucket",
	"ec2:RunInstances", "iam:CreateUser",	      "sts:AssumeRole",
	"kms:Decrypt",	    "sts:GetCallerIdentity",  "S3:getobject",
	"s3:GetObjectAcl",  "ec2:TerminateInstances",
};

static const char *const action_patterns[] = {
	"*",
	"s3:*",
	"s3:Get*",
	"s3:?etObject",
	"S3:GETOBJECT",
	"ec2:*Instances",
	"iam:*",
	"sts:AssumeRole",
	"kms:*",
	"s3:GetObject",
	"s3:PutObject",
	"s3:*Object*",
	"ec2:RunInstances",
	"sts:*",
	"s3:List?ucket",
};

static const char *const resources[] = {
	"arn:aws:s3:::bucket/key.txt",
	"arn:aws:s3:::bucket",
	"arn:aws:s3:::bucket/home/alice/notes",
	"arn:aws:s3:::bucket/home/alice/\xe2\x82\xacxy",
	"arn:aws:ec2:eu-west-1:" ACCT ":instance/i-1",
	"arn:aws:iam::" ACCT ":role/deploy",
	"arn:aws:kms:eu-west-1:" ACCT ":key/k1",
	"arn:aws:s3:::other/x",
	"arn:aws:ec2:eu-west-1:" OTHER ":instance/i-2",
};

static const char *const resource_patterns[] = {
	"*",
	"arn:aws:s3:::bucket/*",
	"arn:aws:s3:::bucket",
	"arn:aws:s3:::bucket/home/${aws:username}/*",
	"arn:aws:s3:::b?cket/*",
	"arn:aws:s3:::bucket/*??xy",
	"arn:aws:ec2:*:" ACCT ":instance/*",
	"arn:aws:iam::" ACCT ":role/*",
	"arn:aws:kms:*:*:key/*",
	"arn:aws:s3:::*/key.txt",
	"arn:aws:s3:::bucket/home/${aws:PrincipalTag/team, 'none'}/*",
	"arn:aws:s3:::bucket/${*}",
	"arn:aws:ec2:eu-west-1:*:instance/i-?",
};

/* Condition keys, each with a type that picks its operators and values. */
enum vtype { T_STR, T_NUM, T_DATE, T_BOOL, T_IP, T_ARN, T_MULTI };

static const struct ckey {
	const char *key;
	enum vtype type;
} ckeys[] = {
	{ "aws:SourceIp", T_IP },
	{ "aws:MultiFactorAuthPresent", T_BOOL },
	{ "aws:MultiFactorAuthAge", T_NUM },
	{ "aws:CurrentTime", T_DATE },
	{ "aws:username", T_STR },
	{ "aws:PrincipalTag/team", T_STR },
	{ "aws:TagKeys", T_MULTI },
	{ "aws:PrincipalArn", T_ARN },
	{ "aws:SecureTransport", T_BOOL },
	{ "s3:prefix", T_STR },
	{ "AWS:UserName", T_STR },
};

static const char *const values[][8] = {
	[T_STR] = { "alice", "bob", "al*", "a?ice", "${aws:username}", "", "home/alice/", "Alice" },
	[T_NUM] = { "0", "3600", "3599", "3601", "-1", "1.5", "${aws:MultiFactorAuthAge}", "10" },
	[T_DATE] = { "2026-11-30T12:00:00Z", "2026-11-30T11:59:59Z", "2026-11-30T12:00:01Z",
		     "1764504000", "2026-11-30", "2026-11-30T13:00:00+01:00", "1764503999",
		     "2026-12-01T00:00:00.500Z" },
	[T_BOOL] = { "true", "false", "TRUE", "true", "false", "True", "false", "true" },
	[T_IP] = { "10.0.0.0/8", "10.1.2.3", "10.1.2.3/32", "192.0.2.0/24", "::ffff:10.0.0.0/104",
		   "2001:db8::/32", "0.0.0.0/0", "10.1.2.4" },
	[T_ARN] = { "arn:aws:iam::" ACCT ":role/*", "arn:aws:iam::" ACCT ":user/alice",
		    "arn:aws:iam::*:role/deploy", "arn:aws:iam::" ACCT ":role/d*",
		    "arn:aws:iam:*:" ACCT ":*", "arn:aws:iam::" ACCT ":role/deplo?",
		    "arn:aws:sts::" ACCT ":assumed-role/deploy/*", "*" },
	[T_MULTI] = { "team", "env", "cost", "t*", "team", "env", "", "Team" },
};

static const char *const context_values[][8] = {
	[T_STR] = { "alice", "bob", "al", "Alice", "home/alice/", "", "a?ice", "al*" },
	[T_NUM] = { "0", "3600", "3599", "3601", "60", "abc", "1.5", "100000" },
	[T_DATE] = { "2026-11-30T12:00:00Z", "2026-11-30T11:59:59Z", "2026-11-30T12:00:01Z",
		     "1764504000", "2026-11-30T12:00:00.500Z", "soon", "1764504001",
		     "2026-11-30T13:00:00+01:00" },
	[T_BOOL] = { "true", "false", "TRUE", "yes", "true", "false", "true", "false" },
	[T_IP] = { "10.1.2.3", "192.0.2.7", "10.1.2.4", "::ffff:10.1.2.3", "2001:db8::1",
		   "203.0.113.9", "not-an-ip", "10.255.255.255" },
	[T_ARN] = { "arn:aws:iam::" ACCT ":role/deploy", "arn:aws:iam::" ACCT ":user/alice",
		    "arn:aws:iam::" OTHER ":role/deploy", "arn:aws:iam::" ACCT ":role/admin",
		    "arn:aws:sts::" ACCT ":assumed-role/deploy/s1", "not-an-arn",
		    "arn:aws:iam::" ACCT ":role/deploy", "arn:aws:iam::" ACCT ":role/d" },
	[T_MULTI] = { "team", "env", "cost", "Team", "team", "env", "x", "" },
};

static const char *const ops[][6] = {
	[T_STR] = { "StringEquals", "StringNotEquals", "StringLike", "StringNotLike",
		    "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase" },
	[T_NUM] = { "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan",
		    "NumericEquals", "NumericNotEquals", "NumericGreaterThanEquals" },
	[T_DATE] = { "DateLessThan", "DateGreaterThan", "DateEquals", "DateNotEquals",
		     "DateLessThanEquals", "DateGreaterThanEquals" },
	[T_BOOL] = { "Bool", "Bool", "Bool", "Bool", "Bool", "Bool" },
	[T_IP] = { "IpAddress", "NotIpAddress", "IpAddress", "NotIpAddress", "IpAddress",
		   "NotIpAddress" },
	[T_ARN] = { "ArnLike", "ArnNotLike", "ArnEquals", "ArnNotEquals", "StringLike",
		    "StringEquals" },
	[T_MULTI] = { "StringEquals", "StringLike", "StringNotEquals", "StringNotLike",
		      "StringEquals", "StringLike" },
};

static json_t *one_or_list(struct src *s, const char *const *vocab, size_t n)
{
	unsigned k = pick(s, 3);
	json_t *arr;

	if (k == 0)
		return json_string(vocab[pick(s, (unsigned)n)]);
	arr = json_array();
	for (unsigned i = 0; i < k; i++)
		json_array_append_new(arr, json_string(vocab[pick(s, (unsigned)n)]));
	return arr;
}

#define ONE_OR_LIST(s, arr) one_or_list((s), (arr), sizeof(arr) / sizeof((arr)[0]))

static json_t *condition(struct src *s)
{
	json_t *cond = json_object();
	unsigned n = 1 + pick(s, 2);

	for (unsigned i = 0; i < n; i++) {
		const struct ckey *k = &PICK(s, ckeys);
		char op[96];
		unsigned form = pick(s, 10);
		json_t *keys;

		if (form == 0) {
			snprintf(op, sizeof(op), "Null");
		} else {
			snprintf(op, sizeof(op), "%s%s%s",
				 form == 1 || form == 7 ? "ForAnyValue:"
				 : form == 2		? "ForAllValues:"
							: "",
				 PICK(s, ops[k->type]), form == 3 || form == 7 ? "IfExists" : "");
		}
		keys = json_object_get(cond, op);
		if (!keys) {
			keys = json_object();
			json_object_set_new(cond, op, keys);
		}
		if (form == 0)
			json_object_set_new(keys, k->key,
					    json_string(pick(s, 2) ? "true" : "false"));
		else
			json_object_set_new(keys, k->key, ONE_OR_LIST(s, values[k->type]));
	}
	return cond;
}

static json_t *principal(struct src *s)
{
	static const char *const aws[] = {
		"*",
		ACCT,
		"arn:aws:iam::" ACCT ":root",
		"arn:aws:iam::" ACCT ":user/alice",
		"arn:aws:iam::" ACCT ":role/deploy",
		"arn:aws:sts::" ACCT ":assumed-role/deploy/s1",
		OTHER,
		"arn:aws:iam::" OTHER ":user/bob",
	};
	json_t *p;

	if (pick(s, 6) == 0)
		return json_string("*");
	p = json_object();
	json_object_set_new(p, "AWS", ONE_OR_LIST(s, aws));
	return p;
}

static json_t *statement(struct src *s, bool resource_policy)
{
	json_t *st = json_object();
	bool deny = pick(s, 3) == 0;

	json_object_set_new(st, "Effect", json_string(deny ? "Deny" : "Allow"));
	if (pick(s, 8) == 0)
		json_object_set_new(st, "Sid", json_string("S"));
	if (resource_policy)
		json_object_set_new(st, deny && pick(s, 4) == 0 ? "NotPrincipal" : "Principal",
				    principal(s));
	json_object_set_new(st, pick(s, 7) == 0 ? "NotAction" : "Action",
			    ONE_OR_LIST(s, action_patterns));
	json_object_set_new(st, pick(s, 7) == 0 ? "NotResource" : "Resource",
			    ONE_OR_LIST(s, resource_patterns));
	if (pick(s, 2))
		json_object_set_new(st, "Condition", condition(s));
	return st;
}

static json_t *policy(struct src *s, bool resource_policy)
{
	json_t *doc = json_object(), *stmts = json_array();
	unsigned n = 1 + pick(s, 3);

	if (pick(s, 8))
		json_object_set_new(doc, "Version", json_string("2012-10-17"));
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(stmts, statement(s, resource_policy));
	json_object_set_new(doc, "Statement", stmts);
	return doc;
}

static json_t *build_case(struct src *s)
{
	json_t *c = json_object(), *pols = json_array(), *ctx = json_object();
	unsigned n = pick(s, 4), flags = pick(s, 16);

	json_object_set_new(c, "id", json_integer(1));
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(pols, policy(s, false));
	json_object_set_new(c, "policies", pols);
	if (flags & 1)
		json_object_set_new(c, "permission_boundary", policy(s, false));
	if (flags & 2) {
		json_t *sess = json_array();

		json_array_append_new(sess, policy(s, false));
		json_object_set_new(c, "session_policies", sess);
	}
	if (flags & 4)
		json_object_set_new(c, "resource_policy", policy(s, true));
	json_object_set_new(c, "principal", json_string(PICK(s, principals)));
	json_object_set_new(c, "action", json_string(PICK(s, actions)));
	json_object_set_new(c, "resource", json_string(PICK(s, resources)));
	if (flags & 8)
		json_object_set_new(c, "resource_account", json_string(pick(s, 2) ? ACCT : OTHER));
	for (unsigned i = 0, nk = pick(s, 5); i < nk; i++) {
		const struct ckey *k = &PICK(s, ckeys);

		if (k->type == T_MULTI || pick(s, 6) == 0)
			json_object_set_new(ctx, k->key, ONE_OR_LIST(s, context_values[k->type]));
		else
			json_object_set_new(ctx, k->key,
					    json_string(PICK(s, context_values[k->type])));
	}
	json_object_set_new(c, "context", ctx);
	return c;
}

static void fail(const char *what, const json_t *c, const char *engine)
{
	char *text = json_dumps(c, JSON_COMPACT);

	fprintf(stderr, "fuzz_ref_diff: %s\n  case:   %s\n  engine: %s\n", what, text ? text : "?",
		engine ? engine : "?");
	free(text);
	__builtin_trap();
}

/* The engine's answer to @c: *ret_line (caller frees) and its decision, or NULL if refused. */
static const char *engine(const json_t *c, char **ret_line, json_t **ret_out)
{
	char *text = json_dumps(c, JSON_COMPACT);
	char *line = text ? authz_simulate(text, strlen(text), "fuzz", 1) : NULL;
	json_t *out = line ? json_loads(line, 0, NULL) : NULL;

	free(text);
	*ret_line = line;
	*ret_out = out;
	if (!out || json_object_get(out, "error"))
		return NULL;
	return json_string_value(json_object_get(out, "decision"));
}

/* A copy of @c with statement @st appended to identity policy 0 (added when none). */
static json_t *with_statement(const json_t *c, json_t *st)
{
	json_t *copy = json_deep_copy(c), *pols = json_object_get(copy, "policies"), *doc;

	if (json_array_size(pols) == 0) {
		doc = json_object();
		json_object_set_new(doc, "Version", json_string("2012-10-17"));
		json_object_set_new(doc, "Statement", json_array());
		json_array_append_new(pols, doc);
	}
	doc = json_array_get(pols, 0);
	json_array_append_new(json_object_get(doc, "Statement"), st);
	return copy;
}

static bool is_deny(const char *d)
{
	return d && strcmp(d, "allow");
}

static void metamorphic(const json_t *c, const char *dec, struct src *s)
{
	const char *action = json_string_value(json_object_get(c, "action"));
	bool gci = !strcasecmp(action, "sts:GetCallerIdentity");
	char *line = NULL;
	json_t *out = NULL, *copy, *st;
	const char *d;
	struct ref_result ref;

	/* A request matching a Deny is an explicit deny (sts:GetCallerIdentity excepted). */
	st = json_object();
	json_object_set_new(st, "Effect", json_string("Deny"));
	json_object_set_new(st, "Action", json_string("*"));
	json_object_set_new(st, "Resource", json_string("*"));
	copy = with_statement(c, st);
	d = engine(copy, &line, &out);
	if (d && !gci && strcmp(d, "explicit_deny"))
		fail("a request matching a Deny * is not an explicit deny", copy, line);
	if (d && ref_eval(copy, &ref) == 0 && !gci && ref.decision != REF_EXPLICIT_DENY)
		fail("reference: a request matching a Deny * is not an explicit deny", copy, line);
	json_decref(copy);
	json_decref(out);
	free(line);

	if (!is_deny(dec))
		return;
	/* Adding a Deny never turns a deny into an allow. */
	st = statement(s, false);
	json_object_set_new(st, "Effect", json_string("Deny"));
	copy = with_statement(c, st);
	d = engine(copy, &line, &out);
	if (d && !strcmp(d, "allow"))
		fail("adding a Deny turned a deny into an allow", copy, line);
	json_decref(copy);
	json_decref(out);
	free(line);

	/* Removing an Allow never turns a deny into an allow: drop each Allow in turn. */
	{
		static const char *const slots[] = { "policies", "session_policies" };

		for (size_t k = 0; k < 2; k++) {
			json_t *pols = json_object_get(c, slots[k]);

			for (size_t p = 0; p < json_array_size(pols); p++) {
				json_t *stmts =
				    json_object_get(json_array_get(pols, p), "Statement");

				for (size_t i = 0;
				     json_is_array(stmts) && i < json_array_size(stmts); i++) {
					json_t *e =
					    json_object_get(json_array_get(stmts, i), "Effect");

					if (strcmp(json_string_value(e), "Allow"))
						continue;
					copy = json_deep_copy(c);
					json_array_remove(
					    json_object_get(json_array_get(json_object_get(copy,
											   slots
											       [k]),
									   p),
							    "Statement"),
					    i);
					d = engine(copy, &line, &out);
					if (d && !strcmp(d, "allow"))
						fail("removing an Allow turned a deny into an "
						     "allow",
						     copy, line);
					json_decref(copy);
					json_decref(out);
					free(line);
				}
			}
		}
	}
}

/* @doc as a file that authz_diff() can open: a memfd, named by /proc/self/fd. */
static int doc_file(const json_t *doc, char path[64])
{
	char *text = json_dumps(doc, JSON_COMPACT);
	int fd = memfd_create("fuzz-policy", 0);
	size_t len = text ? strlen(text) : 0;

	if (fd < 0 || !text || write(fd, text, len) != (ssize_t)len) {
		if (fd >= 0)
			close(fd);
		free(text);
		return -1;
	}
	free(text);
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

static void count_change(json_t *change, void *data)
{
	size_t *granted = data;

	*granted += !strcmp(json_string_value(json_object_get(change, "change")), "granted");
}

/* diff(P, P) reports nothing; diff(P, P + Deny) grants nothing. */
static void diff_checks(const json_t *c, struct src *s)
{
	json_t *doc = json_array_get(json_object_get(c, "policies"), 0), *more, *st;
	struct authz_diff_opts o = { .seconds = 2, .seed = 1, .now_ms = 1764504000000 };
	struct authz_diff_summary sum;
	struct diag_list dl;
	char a[64], b[64];
	size_t granted = 0;
	int fa, fb;

	if (!doc)
		return;
	diag_list_init(&dl);
	fa = doc_file(doc, a);
	if (fa >= 0 && authz_diff(a, a, &o, count_change, &granted, &sum, &dl) == 0 &&
	    sum.granted + sum.revoked)
		fail("diff of a policy against itself reports changes", c, NULL);
	more = json_deep_copy(doc);
	st = statement(s, false);
	json_object_set_new(st, "Effect", json_string("Deny"));
	if (!json_is_array(json_object_get(more, "Statement"))) {
		json_t *arr = json_array();

		json_array_append(arr, json_object_get(more, "Statement"));
		json_object_set_new(more, "Statement", arr);
	}
	json_array_append_new(json_object_get(more, "Statement"), st);
	fb = doc_file(more, b);
	if (fa >= 0 && fb >= 0 && authz_diff(a, b, &o, count_change, &granted, &sum, &dl) == 0 &&
	    granted)
		fail("diff reports a request granted by adding a Deny", more, NULL);
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	json_decref(more);
	diag_list_clear(&dl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct src s = { data, size };
	json_t *c = build_case(&s), *out = NULL, *out2 = NULL;
	char *line = NULL, *line2 = NULL;
	const char *dec = engine(c, &line, &out);
	struct ref_result ref;
	char why[512];

	if (!dec)
		goto done; /* refused: fuzz_simulate checks refusals */
	/* Deterministic: the same case, the same answer, byte for byte. */
	engine(c, &line2, &out2);
	if (!line2 || strcmp(line, line2))
		fail("two runs of one case answer differently", c, line);
	if (ref_eval(c, &ref) < 0)
		fail("the reference cannot read a case the engine answered", c, line);
	ref_compare(out, &ref, why, sizeof(why));
	if (why[0] && !(ref.touched & REF_KNOWN_DISAGREEMENTS)) {
		fprintf(stderr, "fuzz_ref_diff: %s\n", why);
		fail("engine and reference disagree", c, line);
	}
	metamorphic(c, dec, &s);
	diff_checks(c, &s);
done:
	json_decref(c);
	json_decref(out);
	json_decref(out2);
	free(line);
	free(line2);
	return 0;
}
