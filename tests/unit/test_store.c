/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the identity store through its public API
 * (include/gatehouse/store.h), as a daemon uses it: a session assumed
 * once, then requests made with it later, each with the caller's context.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <gatehouse/store.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW_MS INT64_C(1796040000000) /* 2026-11-30T12:00:00Z */

static const char identities[] =
    "{\"Account\": \"111122223333\",\n"
    " \"Organization\": {\"Id\": \"o-a1b2c3d4e5\",\n"
    "                  \"Path\": \"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/\"},\n"
    " \"Users\": [{\"Name\": \"alice\"}],\n"
    " \"Roles\": [{\"Name\": \"mfa-role\",\n"
    "   \"Trust\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\",\n"
    "     \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:user/alice\"},\n"
    "     \"Action\": \"sts:AssumeRole\"}]},\n"
    "   \"InlinePolicies\": {\"NeedsMFA\": {\"Version\": \"2012-10-17\", \"Statement\": [\n"
    "     {\"Effect\": \"Allow\", \"Action\": \"ec2:*\", \"Resource\": \"*\",\n"
    "      \"Condition\": {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"},\n"
    "                     \"NumericLessThan\": {\"aws:MultiFactorAuthAge\": \"3600\"}}},\n"
    "     {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\",\n"
    "      \"Condition\": {\"StringEquals\": {\"aws:PrincipalOrgID\": \"o-a1b2c3d4e5\"}}}]}}}]}\n";

/* A store directory with the one identities file, loaded; removed again at teardown. */
struct fixture {
	char dir[64];
	struct authz_store *s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct diag_list dl;
	char path[128];
	FILE *fp;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-store-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/identities.json", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(identities, fp);
	fclose(fp);
	diag_list_init(&dl);
	f->s = authz_store_load(f->dir, &dl);
	diag_list_print(stderr, &dl);
	diag_list_clear(&dl);
	assert_non_null(f->s);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];

	snprintf(path, sizeof(path), "%s/identities.json", f->dir);
	unlink(path);
	rmdir(f->dir);
	authz_store_unref(f->s);
	free(f);
	return 0;
}

/* Assume mfa-role as alice with @ctx; the session, or NULL when refused (*ret_r says why). */
static struct authz_session *assume(const struct authz_store *s, const struct authz_ctx_entry *ctx,
				    size_t n, int *ret_r)
{
	struct authz_session *sess = NULL;
	struct authz_result r;
	struct diag d;

	*ret_r = authz_store_assume_role(s, authz_store_find(s, "alice"), "mfa-role", "later", NULL,
					 0, ctx, n, NOW_MS, &r, &sess, &d);
	if (*ret_r == 0)
		assert_int_equal(r.decision, AUTHZ_ALLOW);
	return sess;
}

static enum authz_decision ask(const struct authz_store *s, const struct authz_session *sess,
			       const char *action, const struct authz_ctx_entry *ctx, size_t n,
			       int64_t now_ms)
{
	struct authz_query q = {
		.session = sess,
		.action = action,
		.resource = "*",
		.context = ctx,
		.ncontext = n,
		.now_ms = now_ms,
	};
	struct authz_result r;
	struct diag d;

	assert_int_equal(authz_store_evaluate(s, &q, &r, &d), 0);
	return r.decision;
}

static void entry(struct authz_ctx_entry *e, const char *key, const struct authz_value *v, size_t n)
{
	authz_ctx_entry_init(e, key, strlen(key), v, n, n > 1);
}

/* a session made without MFA never gains it from a later request. */
static void test_session_mfa_is_fixed_at_assume(void **state)
{
	struct fixture *f = *state;
	static const struct authz_value yes[2] = { { "true", 4 }, { "true", 4 } };
	static const struct authz_value fresh = { "10", 2 };
	static const char *const spellings[] = {
		"aws:MultiFactorAuthPresent",
		"AWS:MULTIFACTORAUTHPRESENT",
		"aws:multifactorauthpresent",
	};
	struct authz_ctx_entry ctx[2];
	struct authz_session *sess;
	int r;

	sess = assume(f->s, NULL, 0, &r);
	assert_int_equal(r, 0);
	assert_non_null(sess);
	for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		entry(&ctx[0], spellings[i], yes, 1);
		entry(&ctx[1], "aws:MultiFactorAuthAge", &fresh, 1);
		assert_int_equal(ask(f->s, sess, "ec2:RunInstances", ctx, 2, NOW_MS),
				 AUTHZ_IMPLICIT_DENY);
		entry(&ctx[0], spellings[i], yes, 2); /* multi-valued */
		assert_int_equal(ask(f->s, sess, "ec2:RunInstances", ctx, 2, NOW_MS),
				 AUTHZ_IMPLICIT_DENY);
	}
	authz_session_free(sess);

	/* With MFA when assumed: allowed while fresh, denied an hour later, whatever the caller
	 * says. */
	entry(&ctx[0], "aws:MultiFactorAuthPresent", yes, 1);
	entry(&ctx[1], "aws:MultiFactorAuthAge", &fresh, 1);
	sess = assume(f->s, ctx, 2, &r);
	assert_non_null(sess);
	assert_int_equal(ask(f->s, sess, "ec2:RunInstances", NULL, 0, NOW_MS), AUTHZ_ALLOW);
	assert_int_equal(ask(f->s, sess, "ec2:RunInstances", ctx, 2, NOW_MS + 3600 * 1000),
			 AUTHZ_IMPLICIT_DENY);
	authz_session_free(sess);
}

/* an MFA age too large for milliseconds saturates; it never wraps. */
static void test_mfa_age_saturates(void **state)
{
	struct fixture *f = *state;
	static const struct authz_value yes = { "true", 4 };
	static const char *const ages[] = {
		"100000000000000000",
		"9223372036854775.807",
		"9223372036854776",
		"1000000000000000000000",
	};
	/* Times after the (saturated) MFA check; one before it is clamped to age 0, below. */
	static const int64_t nows[] = {
		NOW_MS, 0, INT64_MIN / 2, INT64_MAX / 2, INT64_MAX,
	};
	struct authz_ctx_entry ctx[2];
	struct authz_value age;
	struct authz_session *sess;
	int r;

	for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
		age = (struct authz_value){ ages[i], strlen(ages[i]) };
		entry(&ctx[0], "aws:MultiFactorAuthPresent", &yes, 1);
		entry(&ctx[1], "aws:MultiFactorAuthAge", &age, 1);
		sess = assume(f->s, ctx, 2, &r);
		assert_non_null(sess);
		for (size_t k = 0; k < sizeof(nows) / sizeof(nows[0]); k++)
			assert_int_equal(ask(f->s, sess, "ec2:RunInstances", NULL, 0, nows[k]),
					 AUTHZ_IMPLICIT_DENY);
		/* The clock's far ends format without overflow (UBSan would abort). */
		ask(f->s, sess, "ec2:RunInstances", NULL, 0, INT64_MIN);
		authz_session_free(sess);
	}
	/* Not a number of seconds: refused, with the key's path. */
	age = (struct authz_value){ "-5", 2 };
	entry(&ctx[1], "aws:MultiFactorAuthAge", &age, 1);
	assert_null(assume(f->s, ctx, 2, &r));
	assert_int_equal(r, -EINVAL);
}

/* @src into @dst: as it is (@upper 0), upper-cased (1) or lower-cased (-1). */
static void recase(char *dst, const char *src, int upper)
{
	for (; (*dst = *src); src++, dst++)
		if (upper > 0 && *src >= 'a' && *src <= 'z')
			*dst = (char)(*src - 'a' + 'A');
		else if (upper < 0 && *src >= 'A' && *src <= 'Z')
			*dst = (char)(*src - 'A' + 'a');
}

/*
 * Every key that describes the principal or its session
 * comes from gatehouse, in any letter case; the daemon relies on this list.
 */
static void test_principal_keys_are_derived(void **state)
{
	static const char *const derived[] = {
		"aws:username",
		"aws:userid",
		"aws:PrincipalArn",
		"aws:PrincipalAccount",
		"aws:PrincipalType",
		"aws:PrincipalTag/team",
		"aws:PrincipalOrgID",
		"aws:PrincipalOrgPaths",
		"aws:PrincipalIsAWSService",
		"aws:PrincipalServiceName",
		"aws:PrincipalServiceNamesList",
		"aws:SourceIdentity",
		"aws:FederatedProvider",
		"aws:AssumedRoot",
		"aws:TokenIssueTime",
		"aws:ViaAWSService",
		"aws:CalledVia",
		"aws:CalledViaFirst",
		"aws:CalledViaLast",
		"aws:Ec2InstanceSourceVpc",
		"aws:Ec2InstanceSourcePrivateIPv4",
		"aws:ChatbotSourceArn",
		"aws:CurrentTime",
		"aws:EpochTime",
		"aws:ResourceAccount",
		"aws:ResourceOrgID",
		"aws:ResourceOrgPaths",
	};
	static const char *const caller[] = {
		"aws:SourceIp",
		"aws:SecureTransport",
		"aws:MultiFactorAuthPresent",
		"aws:MultiFactorAuthAge",
		"aws:RequestTag/team",
		"aws:ResourceTag/team",
		"s3:prefix",
		"aws:PrincipalTag",
		"aws:userids",
		"aws:PrincipalOrg",
	};
	struct fixture *f = *state;
	static const struct authz_value v = { "o-a1b2c3d4e5", 12 };
	struct authz_ctx_entry ctx;
	struct authz_query q = {
		.principal = authz_store_find(f->s, "alice"),
		.action = "s3:GetObject",
		.resource = "arn:aws:s3:::b/k",
		.context = &ctx,
		.ncontext = 1,
		.now_ms = NOW_MS,
	};
	struct authz_result r;
	struct diag d;
	char key[64];

	for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++) {
		for (int upper = -1; upper <= 1; upper++) {
			size_t n = strlen(derived[i]);

			recase(key, derived[i], upper);
			if (!authz_key_is_derived(key, n))
				fail_msg("%s is not refused", key);
			entry(&ctx, key, &v, 1);
			assert_int_equal(authz_store_evaluate(f->s, &q, &r, &d), -EPERM);
		}
	}
	for (size_t i = 0; i < sizeof(caller) / sizeof(caller[0]); i++)
		if (authz_key_is_derived(caller[i], strlen(caller[i])))
			fail_msg("%s is refused", caller[i]);
}

/* aws:PrincipalOrgID comes from the store: alice's account is in o-a1b2c3d4e5, for sessions too. */
static void test_org_id_from_store(void **state)
{
	struct fixture *f = *state;
	struct authz_session *sess;
	int r;

	sess = assume(f->s, NULL, 0, &r);
	assert_non_null(sess);
	assert_int_equal(ask(f->s, sess, "s3:GetObject", NULL, 0, NOW_MS), AUTHZ_ALLOW);
	authz_session_free(sess);
}

/* sts:AssumeRole asked directly is the trust step of authz_store_assume_role. */
static void test_assume_role_asked_directly(void **state)
{
	struct fixture *f = *state;
	const struct authz_principal *alice = authz_store_find(f->s, "alice");
	struct authz_query q = {
		.principal = alice,
		.action = "sts:AssumeRole",
		.resource = "arn:aws:iam::111122223333:role/mfa-role",
		.now_ms = NOW_MS,
	};
	struct authz_session *sess = NULL;
	struct authz_result direct, assumed;
	struct diag d;

	assert_int_equal(authz_store_evaluate(f->s, &q, &direct, &d), 0);
	assert_int_equal(authz_store_assume_role(f->s, alice, "mfa-role", "s1", NULL, 0, NULL, 0,
						 NOW_MS, &assumed, &sess, &d),
			 0);
	assert_int_equal(direct.decision, AUTHZ_ALLOW);
	assert_int_equal(direct.decision, assumed.decision);
	assert_int_equal(direct.reason, assumed.reason);
	assert_int_equal(direct.nmatched, assumed.nmatched);
	authz_session_free(sess);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_session_mfa_is_fixed_at_assume, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mfa_age_saturates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_principal_keys_are_derived, setup, teardown),
		cmocka_unit_test_setup_teardown(test_org_id_from_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assume_role_asked_directly, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
