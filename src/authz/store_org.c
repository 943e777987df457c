/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which AWS Organizations organization, and where in it, an account is:
 * what aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:ResourceOrgID and
 * aws:ResourceOrgPaths are derived from (README.md, "The identity store").
 *
 * The native layout gives it in the identities file:
 *
 *   {"Account": "111122223333",
 *    "Organization": {"Id": "o-a1b2c3d4e5", "Path": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"}}
 *
 * and an account export, which knows nothing of organizations, gets an
 * organization file next to it: `aws organizations describe-organization`
 * output with `list-accounts` output merged in, each account given its
 * path (only "Id" and "Path" are read; AWS's other fields are ignored):
 *
 *   {"Organization": {"Id": "o-a1b2c3d4e5", "MasterAccountId": "...", ...},
 *    "Accounts": [{"Id": "111122223333", "Path": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"}]}
 */
#include <errno.h>
#include <string.h>

#include "authz/store.h"
#include "common/macro.h"
#include "common/str.h"

/* AWS: an organization id is "o-" and 10 to 32 of [a-z0-9]; a root "r-" and 4 to 32. */
static bool id_chars(const char *s, size_t len, size_t min, size_t max, bool dash)
{
	if (len < min || len > max)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      (dash && s[i] == '-')))
			return false;
	return true;
}

static bool valid_org_id(const char *id)
{
	return gh_starts_with(id, "o-") && id_chars(id + 2, strlen(id) - 2, 10, 32, false);
}

/* "o-id/r-root/" then any "ou-.../" segments, as aws:PrincipalOrgPaths holds it. */
static bool valid_org_path(const char *path, const char *org_id)
{
	size_t idlen = strlen(org_id), seg = 0;
	const char *p = path, *slash;

	if (strncmp(path, org_id, idlen) || path[idlen] != '/')
		return false;
	for (p = path + idlen + 1; *p; p = slash + 1, seg++) {
		slash = strchr(p, '/');
		if (!slash)
			return false; /* every segment ends in "/" */
		if (seg == 0 ? !(gh_starts_with(p, "r-") &&
				 id_chars(p + 2, (size_t)(slash - p) - 2, 4, 32, false))
			     : !(gh_starts_with(p, "ou-") &&
				 id_chars(p + 3, (size_t)(slash - p) - 3, 4, 68, true)))
			return false;
	}
	return seg >= 1;
}

int az_store_org_add(struct store_loader *l, const char *account, const char *org_id,
		     const char *org_path, const struct gh_jsrc *src, struct gh_jpath *p)
{
	struct store_account *a = gh_strmap_get(&l->s->accounts, account);

	bool bad_id = !valid_org_id(org_id);
	bool bad_path = org_path && !valid_org_path(org_path, org_id);

	if (bad_id) {
		gh_jpath_key(p, "Id");
		az_store_err(l, src, p,
			     "\"%s\" is not an organization id (\"o-\" and 10 to 32 of "
			     "a-z, 0-9)",
			     org_id);
		gh_jpath_pop(p);
	}
	if (bad_path && !bad_id) {
		gh_jpath_key(p, "Path");
		az_store_err(l, src, p,
			     "\"%s\" is not a path in organization %s (\"%s/r-.../\" then "
			     "\"ou-.../\" for each organizational unit)",
			     org_path, org_id, org_id);
		gh_jpath_pop(p);
	}
	if (bad_id || bad_path)
		return -EINVAL;
	if (a) {
		bool same_path = a->org_path && org_path ? !strcmp(a->org_path, org_path)
							 : a->org_path == org_path;

		if (strcmp(a->org_id, org_id) || !same_path) {
			az_store_err(l, src, p,
				     "account %s is in organization %s%s%s according to %s: "
				     "an account has one place",
				     account, a->org_id, a->org_path ? " at " : "",
				     a->org_path ? a->org_path : "", a->where);
			return -EINVAL;
		}
		return 0;
	}
	a = gh_arena_alloc(&l->s->arena, sizeof(*a));
	if (!a || !(a->id = az_store_strdup(l, account)) ||
	    !(a->org_id = az_store_strdup(l, org_id)) ||
	    (org_path && !(a->org_path = az_store_strdup(l, org_path))) ||
	    !(a->where = az_store_strdup(l, src->name)))
		return -ENOMEM;
	if (!org_path)
		a->org_path = NULL;
	return gh_strmap_put(&l->s->accounts, a->id, a, NULL);
}

/* {"Id": "o-...", "Path": "..."}: Id required, Path optional, both strings. */
static bool org_strings(struct store_loader *l, json_t *obj, const struct gh_jsrc *src,
			struct gh_jpath *p, const char **ret_id, const char **ret_path)
{
	json_t *id = json_object_get(obj, "Id"), *path = json_object_get(obj, "Path");

	if (!json_is_string(id) || (path && !json_is_string(path))) {
		az_store_err(l, src, p, "needs \"Id\" (a string) and may have \"Path\" (a string)");
		return false;
	}
	*ret_id = json_string_value(id);
	*ret_path = path ? json_string_value(path) : NULL;
	return true;
}

int az_store_org_native(struct store_loader *l, const char *account, json_t *org,
			const struct gh_jsrc *src, struct gh_jpath *p)
{
	static const char *const keys[] = { "Id", "Path" };
	const char *id, *path;
	int r;

	gh_jpath_key(p, "Organization");
	if (!json_is_object(org)) {
		az_store_err(l, src, p,
			     "Organization must be an object {\"Id\": \"o-...\", \"Path\": "
			     "\"o-.../r-.../\"}");
		gh_jpath_pop(p);
		return -EINVAL;
	}
	/* Reported, and the rest still checked. */
	l->errors +=
	    gh_json_check_keys(org, keys, ARRAY_SIZE(keys), "Organization", src, p, l->diags);
	r = org_strings(l, org, src, p, &id, &path) ? az_store_org_add(l, account, id, path, src, p)
						    : -EINVAL;
	gh_jpath_pop(p);
	return r;
}

bool az_store_org_is(json_t *root)
{
	return json_object_get(root, "Accounts") != NULL;
}

int az_store_org_declare(struct store_loader *l, json_t *root, const struct gh_jsrc *src)
{
	json_t *org = json_object_get(root, "Organization");
	json_t *accounts = json_object_get(root, "Accounts");
	struct gh_jpath p = { 0 };
	const char *org_id, *ignored;
	json_t *a;
	size_t i;

	if (!json_is_object(org)) {
		az_store_err(l, src, &p,
			     "an organization file needs \"Organization\" (as `aws "
			     "organizations describe-organization` prints it) next to "
			     "\"Accounts\"");
		return 0;
	}
	gh_jpath_key(&p, "Organization");
	if (!org_strings(l, org, src, &p, &org_id, &ignored))
		return 0;
	gh_jpath_pop(&p);
	gh_jpath_key(&p, "Accounts");
	if (!json_is_array(accounts)) {
		az_store_err(l, src, &p,
			     "Accounts must be an array of {\"Id\": account, \"Path\": "
			     "its path in the organization}");
		return 0;
	}
	json_array_foreach(accounts, i, a) {
		const char *acct, *path;

		gh_jpath_index(&p, i);
		if (!json_is_object(a)) {
			az_store_err(l, src, &p, "expected an object");
		} else if (org_strings(l, a, src, &p, &acct, &path)) {
			if (strlen(acct) != 12 || strspn(acct, "0123456789") != 12) {
				gh_jpath_key(&p, "Id");
				az_store_err(l, src, &p, "\"%s\" is not a 12-digit account id",
					     acct);
				gh_jpath_pop(&p);
			} else if (az_store_org_add(l, acct, org_id, path, src, &p) == -ENOMEM)
				return -ENOMEM;
		}
		gh_jpath_pop(&p);
	}
	return 0;
}
