/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "authz/keys.h"

#include <gatehouse/store.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "common/macro.h"
#include "common/str.h"

/*
 * Who may give a key in a store request.  AWS groups its global keys by
 * what they describe (IAM User Guide, "AWS global condition context keys"):
 * the principal, the role session, the network, the resource, the request.
 * The principal's and the session's come from the credentials, never from
 * the caller: gatehouse derives them from the store (KEY_DERIVED) or knows
 * they are absent for every principal it has (KEY_ABSENT: no AWS service
 * principals, federation, EC2 instance credentials, source identities or
 * root sessions), and refuses both from a caller.  The MFA keys are the
 * caller's to state in a simulation (the trust step of --assume-role needs
 * them); a daemon that checks MFA refuses them (authz_key_is_mfa()).
 */
enum key_origin {
	KEY_CALLER,  /* the request's: the caller states it */
	KEY_DERIVED, /* gatehouse derives it from the store, the request or the clock */
	KEY_ABSENT,  /* describes a kind of principal or session gatehouse never has */
};

/*
 * AWS global condition context keys.  A trailing "/" marks a prefix
 * (aws:PrincipalTag/<key>).  The length comes from the literal.
 */
/* An initializer in a macro, kept as written: */
/* clang-format off */
#define KEY(name, multi, origin) { name, GH_LIT_LEN(name), multi, origin }
/* clang-format on */
static const struct {
	const char *name;
	size_t len;
	bool multi;
	enum key_origin origin;
} global_keys[] = {
	KEY("aws:AssumedRoot", false, KEY_ABSENT),
	/* Set when an AWS service forwards the request: none ever does to gatehouse. */
	KEY("aws:CalledVia", true, KEY_ABSENT),
	KEY("aws:CalledViaFirst", false, KEY_ABSENT),
	KEY("aws:CalledViaLast", false, KEY_ABSENT),
	KEY("aws:ChatbotSourceArn", false, KEY_ABSENT),
	KEY("aws:CurrentTime", false, KEY_DERIVED),
	KEY("aws:Ec2InstanceSourcePrivateIPv4", false, KEY_ABSENT),
	KEY("aws:Ec2InstanceSourceVpc", false, KEY_ABSENT),
	KEY("aws:EpochTime", false, KEY_DERIVED),
	KEY("aws:FederatedProvider", false, KEY_ABSENT),
	KEY("aws:MultiFactorAuthAge", false, KEY_CALLER),
	KEY("aws:MultiFactorAuthPresent", false, KEY_CALLER),
	KEY("aws:PrincipalAccount", false, KEY_DERIVED),
	KEY("aws:PrincipalArn", false, KEY_DERIVED),
	KEY("aws:PrincipalIsAWSService", false, KEY_DERIVED),
	KEY("aws:PrincipalOrgID", false, KEY_DERIVED),
	KEY("aws:PrincipalOrgPaths", true, KEY_DERIVED),
	KEY("aws:PrincipalServiceName", false, KEY_ABSENT),
	KEY("aws:PrincipalServiceNamesList", true, KEY_ABSENT),
	KEY("aws:PrincipalTag/", false, KEY_DERIVED),
	KEY("aws:PrincipalType", false, KEY_DERIVED),
	KEY("aws:Referer", false, KEY_CALLER),
	KEY("aws:RequestedRegion", false, KEY_CALLER),
	KEY("aws:RequestTag/", false, KEY_CALLER),
	KEY("aws:ResourceAccount", false, KEY_DERIVED),
	KEY("aws:ResourceOrgID", false, KEY_DERIVED),
	KEY("aws:ResourceOrgPaths", true, KEY_DERIVED),
	KEY("aws:ResourceTag/", false, KEY_CALLER),
	KEY("aws:SecureTransport", false, KEY_CALLER),
	KEY("aws:SourceAccount", false, KEY_CALLER),
	KEY("aws:SourceArn", false, KEY_CALLER),
	KEY("aws:SourceIdentity", false, KEY_ABSENT),
	KEY("aws:SourceIp", false, KEY_CALLER),
	KEY("aws:SourceOrgID", false, KEY_CALLER),
	KEY("aws:SourceOrgPaths", true, KEY_CALLER),
	KEY("aws:SourceVpc", false, KEY_CALLER),
	KEY("aws:SourceVpcArn", false, KEY_CALLER),
	KEY("aws:SourceVpce", false, KEY_CALLER),
	KEY("aws:TagKeys", true, KEY_CALLER),
	KEY("aws:TokenIssueTime", false, KEY_DERIVED),
	KEY("aws:UserAgent", false, KEY_CALLER),
	KEY("aws:userid", false, KEY_DERIVED),
	KEY("aws:username", false, KEY_DERIVED),
	KEY("aws:ViaAWSService", false, KEY_DERIVED),
	KEY("aws:VpceAccount", false, KEY_CALLER),
	KEY("aws:VpceOrgID", false, KEY_CALLER),
	KEY("aws:VpceOrgPaths", true, KEY_CALLER),
	KEY("aws:VpcSourceIp", false, KEY_CALLER),
};
#undef KEY

/*
 * Which entries have each length, and which are prefixes: every caller key
 * of every request is looked up, and the lengths leave a candidate or two
 * to compare instead of the whole list.  Built once (a daemon asks from
 * many threads).
 */
#define KEY_LEN_MAX 64
_Static_assert(ARRAY_SIZE(global_keys) <= 64, "a key set is a uint64_t");
static uint64_t by_len[KEY_LEN_MAX], prefixes, not_caller;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static void index_build(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(global_keys); i++) {
		size_t len = global_keys[i].len;

		if (global_keys[i].origin != KEY_CALLER)
			not_caller |= UINT64_C(1) << i;
		if (global_keys[i].name[len - 1] == '/')
			prefixes |= UINT64_C(1) << i;
		else if (len < KEY_LEN_MAX)
			by_len[len] |= UINT64_C(1) << i;
	}
}

/* Index of @key among the entries of @set, or -1 (case-insensitive, prefixes too). */
static int find_in(const char *key, size_t len, uint64_t set)
{
	const size_t at = GH_LIT_LEN("aws:");
	uint64_t cand;
	char first;

	if (len <= at || !gh_prefix_lit(key, len, "aws:"))
		return -1;
	pthread_once(&index_once, index_build);
	first = gh_tolower(key[at]);
	cand = ((len < KEY_LEN_MAX ? by_len[len] : 0) | prefixes) & set;
	for (; cand; cand &= cand - 1) {
		int i = __builtin_ctzll(cand);
		const char *n = global_keys[i].name;
		size_t nlen = global_keys[i].len;

		/* The letter after "aws:" first: a call to compare is dearer than the loop. */
		if (gh_tolower(n[at]) == first && nlen <= len &&
		    gh_eq_nocase(key + at, nlen - at, n + at, nlen - at) &&
		    (nlen == len || n[nlen - 1] == '/'))
			return i;
	}
	return -1;
}

static int find(const char *key, size_t len)
{
	return find_in(key, len, UINT64_MAX);
}

bool az_key_is_known(const char *key, size_t len)
{
	if (!gh_prefix_lit(key, len, "aws:"))
		return true;
	return find(key, len) >= 0;
}

bool authz_key_is_known(const char *key, size_t len)
{
	return az_key_is_known(key, len);
}

bool az_key_is_singlevalued(const char *key, size_t len)
{
	int i = find(key, len);

	return i >= 0 && !global_keys[i].multi;
}

bool az_key_is_multivalued(const char *key, size_t len)
{
	int i = find(key, len);

	return i >= 0 && global_keys[i].multi;
}

bool authz_key_is_derived(const char *key, size_t len)
{
	/* Asked of every caller key: only the entries a caller may not give are candidates. */
	pthread_once(&index_once, index_build);
	return find_in(key, len, not_caller) >= 0;
}

bool authz_key_is_mfa(const char *key, size_t len)
{
	return gh_eq_lit(key, len, "aws:MultiFactorAuthPresent") ||
	       gh_eq_lit(key, len, "aws:MultiFactorAuthAge");
}

/*
 * Keys present only for some principal types (IAM User Guide, "AWS global
 * condition context keys", each key's "Availability").
 */
const char *az_key_never_present_for(const char *key, size_t len)
{
	static const struct {
		const char *name, *who;
	} only_some[] = {
		{ "aws:username",
		  "role sessions, the root user and federated users (IAM users only)" },
		{ "aws:TokenIssueTime", "IAM users and the root user with long-term credentials" },
		{ "aws:FederatedProvider", "IAM users and role sessions not federated through an "
					   "identity provider" },
		{ "aws:SourceIdentity", "principals that never set a source identity (IAM users)" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(only_some); i++)
		if (gh_eq_nocase(key, len, only_some[i].name, strlen(only_some[i].name)))
			return only_some[i].who;
	return NULL;
}
