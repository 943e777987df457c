/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "authz/keys.h"

#include <string.h>

#include "common/macro.h"
#include "common/str.h"

/*
 * AWS global condition context keys (IAM User Guide, "AWS global condition
 * context keys").  A trailing "/" marks a prefix (aws:PrincipalTag/<key>).
 */
static const struct {
	const char *name;
	bool multi;
} global_keys[] = {
	{ "aws:AssumedRoot", false },
	{ "aws:CalledVia", true },
	{ "aws:CalledViaFirst", false },
	{ "aws:CalledViaLast", false },
	{ "aws:ChatbotSourceArn", false },
	{ "aws:CurrentTime", false },
	{ "aws:Ec2InstanceSourcePrivateIPv4", false },
	{ "aws:Ec2InstanceSourceVpc", false },
	{ "aws:EpochTime", false },
	{ "aws:FederatedProvider", false },
	{ "aws:MultiFactorAuthAge", false },
	{ "aws:MultiFactorAuthPresent", false },
	{ "aws:PrincipalAccount", false },
	{ "aws:PrincipalArn", false },
	{ "aws:PrincipalIsAWSService", false },
	{ "aws:PrincipalOrgID", false },
	{ "aws:PrincipalOrgPaths", true },
	{ "aws:PrincipalServiceName", false },
	{ "aws:PrincipalServiceNamesList", true },
	{ "aws:PrincipalTag/", false },
	{ "aws:PrincipalType", false },
	{ "aws:Referer", false },
	{ "aws:RequestedRegion", false },
	{ "aws:RequestTag/", false },
	{ "aws:ResourceAccount", false },
	{ "aws:ResourceOrgID", false },
	{ "aws:ResourceOrgPaths", true },
	{ "aws:ResourceTag/", false },
	{ "aws:SecureTransport", false },
	{ "aws:SourceAccount", false },
	{ "aws:SourceArn", false },
	{ "aws:SourceIdentity", false },
	{ "aws:SourceIp", false },
	{ "aws:SourceOrgID", false },
	{ "aws:SourceOrgPaths", true },
	{ "aws:SourceVpc", false },
	{ "aws:SourceVpcArn", false },
	{ "aws:SourceVpce", false },
	{ "aws:TagKeys", true },
	{ "aws:TokenIssueTime", false },
	{ "aws:UserAgent", false },
	{ "aws:userid", false },
	{ "aws:username", false },
	{ "aws:ViaAWSService", false },
	{ "aws:VpceAccount", false },
	{ "aws:VpceOrgID", false },
	{ "aws:VpceOrgPaths", true },
	{ "aws:VpcSourceIp", false },
};

/* Index of @key in global_keys, or -1 (case-insensitive, prefixes too). */
static int find(const char *key, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(global_keys); i++) {
		const char *n = global_keys[i].name;
		size_t nlen = strlen(n);

		if (n[nlen - 1] == '/') {
			if (len > nlen && gh_eq_nocase(key, nlen, n, nlen))
				return (int)i;
		} else if (gh_eq_nocase(key, len, n, nlen)) {
			return (int)i;
		}
	}
	return -1;
}

bool authz_key_is_known(const char *key, size_t len)
{
	if (len < 4 || !gh_eq_nocase(key, 4, "aws:", 4))
		return true;
	return find(key, len) >= 0;
}

bool authz_key_is_singlevalued(const char *key, size_t len)
{
	int i = find(key, len);

	return i >= 0 && !global_keys[i].multi;
}

bool authz_key_is_multivalued(const char *key, size_t len)
{
	int i = find(key, len);

	return i >= 0 && global_keys[i].multi;
}

/*
 * Keys present only for some principal types (IAM User Guide, "AWS global
 * condition context keys", each key's "Availability").
 */
const char *authz_key_never_present_for(const char *key, size_t len)
{
	static const struct {
		const char *name, *who;
	} only_some[] = {
		{ "aws:username", "role sessions, the root user and federated users (IAM users only)" },
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
