/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Allocation-failure sweep (as jansson's test_chaos): fail the 1st, 2nd,
 * ... allocation of a policy load, of a simulate case and of an identity
 * store (an account export) until one runs through.  Every failure must come back as NULL with an
 * error, never a crash or a leak (the ASan build's leak checker runs at exit).
 *
 * Our code is linked with -Wl,--wrap for malloc/calloc/realloc; jansson
 * (a shared library) gets the same failing allocator through
 * json_set_alloc_funcs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gatehouse/authz.h>
#include <gatehouse/simulate.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "authz/store.h"
#include "common/macro.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

static long countdown = -1; /* fail when it reaches 0; -1: never */
static long failures;

static bool fail_now(void)
{
	if (countdown < 0)
		return false;
	if (countdown-- == 0) {
		failures++;
		return true;
	}
	return false;
}

void *__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	return fail_now() ? NULL : __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

static void *json_alloc(size_t n)
{
	return __wrap_malloc(n);
}

static const char policy[] =
    "{\"Version\": \"2012-10-17\", \"Statement\": ["
    "{\"Sid\": \"A\", \"Effect\": \"Allow\", \"Action\": [\"s3:Get*\", \"ec2:*\"],"
    " \"Resource\": \"arn:aws:s3:::b/${aws:username}/*\","
    " \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": [\"10.0.0.0/8\", \"::1\"]},"
    "  \"StringLike\": {\"aws:PrincipalTag/team\": \"${aws:username, 'x'}*\"},"
    "  \"DateLessThan\": {\"aws:CurrentTime\": \"2030-01-01T00:00:00Z\"}}},"
    "{\"Effect\": \"Deny\", \"NotAction\": \"iam:*\", \"NotResource\": \"*\"}]}";

static void test_load_sweep(void **state)
{
	long n;

	for (n = 0;; n++) {
		struct diag_list dl;
		struct authz_policy *p;

		diag_list_init(&dl);
		failures = 0;
		countdown = n;
		p = authz_policy_load(policy, strlen(policy), "p.json", AUTHZ_POLICY_IDENTITY, "p",
				      &dl);
		countdown = -1;
		if (!failures) {
			assert_non_null(p);
			authz_policy_unref(p);
			diag_list_clear(&dl);
			break;
		}
		/*
		 * jansson recovers from some failures on its own (a hash table that
		 * cannot grow); then the policy loads whole.  Otherwise: NULL, and
		 * the failure is counted as an error even if its text was dropped.
		 */
		if (p)
			authz_policy_unref(p);
		else
			assert_true(dl.errors > 0);
		diag_list_clear(&dl);
	}
	assert_true(n > 10);
}

static void test_simulate_sweep(void **state)
{
	char line[2048];
	long n;

	snprintf(line, sizeof(line),
		 "{\"id\": 1, \"policies\": [%s], \"principal\": \"arn:aws:iam::1:user/a\","
		 " \"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::b/a/k\","
		 " \"context\": {\"aws:username\": \"a\", \"aws:SourceIp\": \"10.1.1.1\","
		 " \"aws:TagKeys\": [\"x\", 1, true]}}",
		 policy);
	for (n = 0;; n++) {
		char *out;

		failures = 0;
		countdown = n;
		out = authz_simulate(line, strlen(line), "<t>", 1);
		countdown = -1;
		if (out) {
			json_t *v;

			/* Whatever failed inside, an answer is whole: an id and a verdict. */
			countdown = -1;
			v = json_loads(out, 0, NULL);
			assert_non_null(v);
			assert_non_null(json_object_get(v, "id"));
			assert_true(json_object_get(v, "decision") || json_object_get(v, "error"));
			json_decref(v);
			free(out);
		}
		if (!failures)
			break;
	}
	assert_true(n > 10);
}

/*
 * An export with what the store reader does on the side: version documents
 * skipped and read later (an old version, a default that is not the first),
 * a URL-encoded inline policy, a group, a role with a trust policy, and a
 * policy nobody attaches (which a failure must not quietly drop).
 */
static const char export_text[] =
    "{\"UserDetailList\": [{\"UserName\": \"alice\", \"UserId\": \"AIDA1\","
    " \"Arn\": \"arn:aws:iam::111122223333:user/alice\", \"GroupList\": [\"devs\"],"
    " \"UserPolicyList\": [{\"PolicyName\": \"own\", \"PolicyDocument\":"
    " \"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A"
    "%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22*%22%7D%5D%7D\"}],"
    " \"AttachedManagedPolicies\": [{\"PolicyName\": \"p1\","
    " \"PolicyArn\": \"arn:aws:iam::111122223333:policy/p1\"}],"
    " \"Tags\": [{\"Key\": \"team\", \"Value\": \"blue\"}]}],"
    " \"GroupDetailList\": [{\"GroupName\": \"devs\", \"GroupId\": \"AGPA1\","
    " \"Arn\": \"arn:aws:iam::111122223333:group/devs\", \"GroupPolicyList\": [],"
    " \"AttachedManagedPolicies\": [{\"PolicyName\": \"p2\","
    " \"PolicyArn\": \"arn:aws:iam::111122223333:policy/p2\"}]}],"
    " \"RoleDetailList\": [{\"RoleName\": \"ops\", \"RoleId\": \"AROA1\","
    " \"Arn\": \"arn:aws:iam::111122223333:role/ops\", \"AssumeRolePolicyDocument\":"
    " {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
    " \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"},"
    " \"Action\": \"sts:AssumeRole\"}]}, \"RolePolicyList\": [],"
    " \"AttachedManagedPolicies\": [{\"PolicyName\": \"p1\","
    " \"PolicyArn\": \"arn:aws:iam::111122223333:policy/p1\"}]}],"
    " \"Policies\": ["
    "{\"PolicyName\": \"p1\", \"Arn\": \"arn:aws:iam::111122223333:policy/p1\","
    " \"DefaultVersionId\": \"v2\", \"PolicyVersionList\": ["
    "{\"Document\": {\"Statement\": \"old\"}, \"VersionId\": \"v1\", \"IsDefaultVersion\": false},"
    "{\"Document\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
    " \"Action\": [\"ec2:Describe*\", \"s3:List*\"], \"Resource\": \"*\", \"Condition\":"
    " {\"StringEquals\": {\"aws:PrincipalTag/team\": \"${aws:username}\"}}}]},"
    " \"VersionId\": \"v2\", \"IsDefaultVersion\": true}]},"
    "{\"PolicyName\": \"p2\", \"Arn\": \"arn:aws:iam::111122223333:policy/p2\","
    " \"DefaultVersionId\": \"v1\", \"PolicyVersionList\": ["
    "{\"Document\": {\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Deny\","
    " \"Action\": \"iam:*\", \"Resource\": \"*\"}}, \"VersionId\": \"v1\","
    " \"IsDefaultVersion\": true}]},"
    "{\"PolicyName\": \"unused\", \"Arn\": \"arn:aws:iam::111122223333:policy/unused\","
    " \"DefaultVersionId\": \"v1\", \"PolicyVersionList\": ["
    "{\"Document\": {\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\","
    " \"Action\": \"sqs:*\", \"Resource\": \"*\"}}, \"VersionId\": \"v1\","
    " \"IsDefaultVersion\": true}]}]}";

/**
 * struct store_want - what a store of the sweep holds when it loads
 */
struct store_want {
	struct authz_store_stats stats;
	size_t compiled;
};

/*
 * Load the @n files @texts as a store, failing the 1st, 2nd, ... allocation
 * until a load runs through.  A store that loads is whole (@want), one that
 * does not says so with an error.
 */
static void sweep_store(const char *const *names, const char *const *texts, size_t n,
			const struct store_want *want)
{
	long k;

	for (k = 0;; k++) {
		char *copies[8];
		size_t lens[8];
		struct authz_store *s;
		struct diag_list dl;

		/* The loader takes the texts: copies made before the countdown starts. */
		assert_true(n <= ARRAY_SIZE(copies));
		for (size_t i = 0; i < n; i++) {
			lens[i] = strlen(texts[i]);
			copies[i] = malloc(lens[i] + 1);
			assert_non_null(copies[i]);
			memcpy(copies[i], texts[i], lens[i] + 1);
		}
		diag_list_init(&dl);
		failures = 0;
		countdown = k;
		s = az_store_load_texts(names, copies, lens, n, &dl);
		countdown = -1;
		if (s) {
			struct authz_store_stats st;

			authz_store_stats(s, &st);
			assert_memory_equal(&st, &want->stats, sizeof(st));
			assert_int_equal(s->ncompiled, want->compiled);
			authz_store_unref(s);
		} else {
			assert_true(failures > 0);
			assert_true(dl.errors > 0);
		}
		diag_list_clear(&dl);
		if (!failures)
			break;
	}
	assert_true(k > 50);
}

static void test_store_sweep(void **state)
{
	const char *name = "export.json", *text = export_text;
	/* Three managed policies, one inline, one trust policy. */
	const struct store_want want = { { .users = 1, .groups = 1, .roles = 1, .policies = 3 },
					 5 };

	sweep_store(&name, &text, 1, &want);
}

/* The native layout: an identities file, policy files, a resource policy, an inline trust. */
static const char native_ids[] =
    "{\"Account\": \"111122223333\","
    " \"Users\": [{\"Name\": \"alice\", \"Groups\": [\"devs\"], \"Tags\": {\"team\": \"blue\"},"
    " \"PermissionsBoundary\": \"bound\", \"Policies\": [\"home\"]}],"
    " \"Groups\": [{\"Name\": \"devs\", \"Policies\": [\"home\"]}],"
    " \"Roles\": [{\"Name\": \"ops\", \"Trust\": {\"Version\": \"2012-10-17\","
    " \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"111122223333\"},"
    " \"Action\": \"sts:AssumeRole\"}]}, \"Policies\": [\"bound\"]}],"
    " \"ResourcePolicies\": [{\"Resources\": [\"arn:aws:s3:::b\", \"arn:aws:s3:::b/*\"],"
    " \"Policy\": \"bucket\"}]}";
static const char native_home[] =
    "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
    " \"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:::b/${aws:username}/*\"}]}";
static const char native_bound[] =
    "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
    " \"Action\": [\"s3:*\", \"ec2:Describe*\"], \"Resource\": \"*\"}]}";
static const char native_bucket[] =
    "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
    " \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:role/ops\"},"
    " \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]}";

static void test_native_sweep(void **state)
{
	const char *names[] = { "identities.json", "home.json", "bound.json", "bucket.json" };
	const char *texts[] = { native_ids, native_home, native_bound, native_bucket };
	/* home, bound, the trust, the bucket policy */
	const struct store_want want = {
		{ .users = 1, .groups = 1, .roles = 1, .policies = 3, .resource_policies = 1 }, 4
	};

	sweep_store(names, texts, ARRAY_SIZE(texts), &want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_sweep),
		cmocka_unit_test(test_simulate_sweep),
		cmocka_unit_test(test_store_sweep),
		cmocka_unit_test(test_native_sweep),
	};

	json_set_alloc_funcs(json_alloc, free);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
