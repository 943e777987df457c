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
 *
 * An organization file, in either layout, also gives the organization's
 * service and resource control policies: "Policies", each the "Policy" of
 * `aws organizations describe-policy` with the "Targets" of
 * `list-targets-for-policy` merged in.  Each account's are gathered from
 * its path once everything is read (az_store_org_finish): its root's, each
 * OU's, its own.
 */
#include <errno.h>
#include <stddef.h>
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
	return seg >= 1 && seg <= STORE_ORG_OU_DEPTH_MAX + 1;
}

static void bad_org_id(struct store_loader *l, const char *org_id, const struct gh_jsrc *src,
		       struct gh_jpath *p)
{
	gh_jpath_key(p, "Id");
	az_store_err(l, src, p,
		     "\"%s\" is not an organization id (\"o-\" and 10 to 32 of a-z, 0-9)", org_id);
	gh_jpath_pop(p);
}

int az_store_org_add(struct store_loader *l, const char *account, const char *org_id,
		     const char *org_path, const struct gh_jsrc *src, struct gh_jpath *p)
{
	struct store_account *a = gh_strmap_get(&l->s->accounts, account);

	bool bad_id = !valid_org_id(org_id);
	bool bad_path = org_path && !valid_org_path(org_path, org_id);

	if (bad_id)
		bad_org_id(l, org_id, src, p);
	if (bad_path && !bad_id) {
		gh_jpath_key(p, "Path");
		az_store_err(l, src, p,
			     "\"%s\" is not a path in organization %s (\"%s/r-.../\" then "
			     "\"ou-.../\" for each organizational unit, at most %d)",
			     org_path, org_id, org_id, STORE_ORG_OU_DEPTH_MAX);
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
	a->src = src;
	a->path = *p;
	return gh_strmap_put(&l->s->accounts, a->id, a, NULL);
}

/* {"Id": "o-...", "Path": "..."}: Id required, Path optional, both strings. */
struct org_place {
	const char *id, *path;
};

static const struct gh_jfield place_fields[] = {
	{ "Id", GH_J_STRING, true, offsetof(struct org_place, id), NULL },
	{ "Path", GH_J_STRING, false, offsetof(struct org_place, path), NULL },
};

/* An identities file's Organization: these members only. */
static const struct gh_jschema native_org_schema = { "Organization", "Organization", place_fields,
						     ARRAY_SIZE(place_fields) };

/* describe-organization's and list-accounts' output: AWS's other members passed over. */
static const struct gh_jschema org_schema = { "Organization", NULL, place_fields,
					      ARRAY_SIZE(place_fields) };

static const struct gh_jschema account_schema = { "an account", NULL, place_fields,
						  ARRAY_SIZE(place_fields) };

int az_store_org_native(struct store_loader *l, const char *account, json_t *org,
			const struct gh_jsrc *src, struct gh_jpath *p)
{
	struct org_place o = { 0 };
	int r;

	gh_jpath_key(p, "Organization");
	r = az_store_walk(l, org, &native_org_schema, &o, src, p);
	if (r == 0)
		r = az_store_org_add(l, account, o.id, o.path, src, p);
	gh_jpath_pop(p);
	return r;
}

bool az_store_org_is(json_t *root)
{
	/* "Policies" alone is an account export's: an organization file names its Organization. */
	return json_object_get(root, "Accounts") ||
	       (json_object_get(root, "Organization") && json_object_get(root, "Policies") &&
		!json_object_get(root, "UserDetailList") &&
		!json_object_get(root, "RoleDetailList") &&
		!json_object_get(root, "GroupDetailList"));
}

static bool is_account_id(const char *s)
{
	return strlen(s) == 12 && strspn(s, "0123456789") == 12;
}

/* Organization.MasterAccountId: the management account, which no SCP or RCP applies to. */
static int add_org(struct store_loader *l, json_t *org, const char *org_id,
		   const struct gh_jsrc *src, struct gh_jpath *p)
{
	json_t *m = json_object_get(org, "MasterAccountId");
	const char *mgmt = json_string_value(m);
	struct store_org *o = gh_strmap_get(&l->s->orgs, org_id);

	if (m && (!mgmt || !is_account_id(mgmt))) {
		gh_jpath_key(p, "MasterAccountId");
		az_store_err(l, src, p, "MasterAccountId must be a 12-digit account id");
		gh_jpath_pop(p);
		return -EINVAL;
	}
	if (o) {
		if (mgmt && o->management && strcmp(mgmt, o->management)) {
			gh_jpath_key(p, "MasterAccountId");
			az_store_err(l, src, p,
				     "the management account of %s is %s according to %s: an "
				     "organization has one",
				     org_id, o->management, o->where);
			gh_jpath_pop(p);
			return -EINVAL;
		}
		if (mgmt && !o->management && !(o->management = az_store_strdup(l, mgmt)))
			return -ENOMEM;
		return 0;
	}
	o = gh_arena_alloc(&l->s->arena, sizeof(*o));
	if (!o || !(o->id = az_store_strdup(l, org_id)) ||
	    (mgmt && !(o->management = az_store_strdup(l, mgmt))) ||
	    !(o->where = az_store_strdup(l, src->name)))
		return -ENOMEM;
	return gh_strmap_put(&l->s->orgs, o->id, o, NULL);
}

/* A root ("r-" and 4 to 32 of a-z, 0-9), an OU ("ou-" ...) or an account (12 digits). */
static bool valid_target(const char *t)
{
	if (gh_starts_with(t, "r-"))
		return id_chars(t + 2, strlen(t) - 2, 4, 32, false);
	if (gh_starts_with(t, "ou-"))
		return id_chars(t + 3, strlen(t) - 3, 4, 68, true);
	return is_account_id(t);
}

/* Attach @pol (of @type) to target @id. */
static int attach(struct store_loader *l, const char *id, enum org_policy_type type,
		  struct authz_policy *pol, const struct gh_jsrc *src, struct gh_jpath *p)
{
	struct org_target *t = gh_strmap_get(&l->s->targets, id);
	int r;

	if (!t) {
		const char *key = az_store_strdup(l, id);

		t = gh_arena_alloc(&l->s->arena, sizeof(*t));
		if (!key || !t)
			return -ENOMEM;
		r = gh_strmap_put(&l->s->targets, key, t, NULL);
		if (r < 0)
			return r;
		t->src = src;
		t->path = *p;
	}
	for (uint32_t i = 0; i < t->n[type]; i++)
		if (t->att[type][i] == pol)
			return 0; /* listed twice: attached once */
	/* AWS's quota, so that an organization's real output always fits: over it, refused. */
	if (t->n[type] >= STORE_ORG_ATTACHED_MAX) {
		az_store_err(l, src, p,
			     "more than %d %s attached to %s (AWS Organizations' quota): "
			     "refused, not cut",
			     STORE_ORG_ATTACHED_MAX,
			     type == ORG_SCP ? "service control policies"
					     : "resource control policies",
			     id);
		return -EINVAL;
	}
	t->att[type][t->n[type]++] = pol;
	return 0;
}

/* Policy types of AWS Organizations that authorize nothing (tag, backup, ... policies). */
static bool other_policy_type(const char *type)
{
	static const char *const others[] = {
		"TAG_POLICY",	  "BACKUP_POLICY",	    "AISERVICES_OPT_OUT_POLICY",
		"CHATBOT_POLICY", "DECLARATIVE_POLICY_EC2", "SECURITYHUB_POLICY",
	};

	for (size_t i = 0; i < ARRAY_SIZE(others); i++)
		if (!strcmp(type, others[i]))
			return true;
	return false;
}

/*
 * {"PolicySummary": {"Arn", "Name", "Type", ...}, "Content": document,
 * "Targets": [{"TargetId", ...}]}: compiled (an SCP as an identity policy,
 * an RCP as a resource policy) and named by its ARN; of organization @org_id.
 */
static int add_policy(struct store_loader *l, json_t *pol, const char *org_id,
		      const struct gh_jsrc *src, struct gh_jpath *p)
{
	static const char *const keys[] = { "PolicySummary", "Content", "Targets" };
	json_t *sum = json_object_get(pol, "PolicySummary"), *targets, *t;
	const char *arn, *type, *where;
	enum org_policy_type kind;
	struct authz_policy *compiled;
	struct doc_at d;
	size_t i;
	int r = 0;

	if (!json_is_object(pol)) {
		az_store_err(l, src, p, "expected an object (describe-policy's \"Policy\")");
		return 0;
	}
	l->errors += gh_json_check_keys(pol, keys, ARRAY_SIZE(keys), "a policy", src, p, l->diags);
	gh_jpath_key(p, "PolicySummary");
	arn = json_string_value(json_object_get(sum, "Arn"));
	type = json_string_value(json_object_get(sum, "Type"));
	if (!json_is_object(sum) || !arn || !type) {
		az_store_err(l, src, p,
			     "needs \"PolicySummary\" with \"Arn\" and \"Type\" (strings)");
		gh_jpath_pop(p);
		return 0;
	}
	gh_jpath_key(p, "Type");
	if (!strcmp(type, "SERVICE_CONTROL_POLICY")) {
		kind = ORG_SCP;
	} else if (!strcmp(type, "RESOURCE_CONTROL_POLICY")) {
		kind = ORG_RCP;
	} else {
		if (!other_policy_type(type))
			az_store_err(l, src, p,
				     "unknown policy type \"%s\" (SERVICE_CONTROL_POLICY, "
				     "RESOURCE_CONTROL_POLICY, or one that authorizes nothing "
				     "and is ignored: TAG_POLICY, BACKUP_POLICY, ...)",
				     type);
		gh_jpath_pop(p);
		gh_jpath_pop(p);
		return 0;
	}
	gh_jpath_pop(p);
	gh_jpath_key(p, "Arn");
	if ((where = gh_strmap_get(&l->s->org_policies, arn))) {
		az_store_err(l, src, p, "policy %s is defined twice (also in %s)", arn, where);
		gh_jpath_pop(p);
		gh_jpath_pop(p);
		return 0;
	}
	gh_jpath_pop(p);
	gh_jpath_pop(p);
	if (!(arn = az_store_strdup(l, arn)) || !(where = az_store_strdup(l, src->name)) ||
	    gh_strmap_put(&l->s->org_policies, arn, (void *)where, NULL) < 0)
		return -ENOMEM;
	if (!az_store_document(l, pol, "Content", false, src, p, &d))
		return 0;
	compiled =
	    az_store_compile(l, d.doc, d.src, &d.path,
			     kind == ORG_SCP ? AUTHZ_POLICY_IDENTITY : AUTHZ_POLICY_RESOURCE, arn);
	az_store_doc_done(l, &d, src);
	targets = json_object_get(pol, "Targets");
	gh_jpath_key(p, "Targets");
	if (!json_is_array(targets))
		az_store_err(l, src, p,
			     "Targets must be an array (list-targets-for-policy's "
			     "\"Targets\": [{\"TargetId\": \"r-...\" or \"ou-...\" or an "
			     "account id}])");
	json_array_foreach(targets, i, t) {
		const char *id = json_string_value(json_object_get(t, "TargetId"));

		gh_jpath_index(p, i);
		if (!id) {
			az_store_err(l, src, p, "a target needs \"TargetId\" (a string)");
		} else if (!valid_target(id)) {
			gh_jpath_key(p, "TargetId");
			az_store_err(l, src, p,
				     "\"%s\" is not a root (\"r-...\"), an organizational unit "
				     "(\"ou-...\") or an account id",
				     id);
			gh_jpath_pop(p);
		} else if (compiled) {
			r = attach(l, id, kind, compiled, src, p);
		}
		gh_jpath_pop(p);
		if (r == -ENOMEM)
			return r;
	}
	gh_jpath_pop(p);
	return 0;
}

/* One of "Accounts": {"Id": account, "Path": its path in organization @org_id}. */
static int add_account(struct store_loader *l, json_t *a, const char *org_id,
		       const struct gh_jsrc *src, struct gh_jpath *p)
{
	struct org_place o = { 0 };
	int r = az_store_walk(l, a, &account_schema, &o, src, p);

	if (r < 0)
		return r == -ENOMEM ? r : 0;
	if (is_account_id(o.id))
		return az_store_org_add(l, o.id, org_id, o.path, src, p);
	gh_jpath_key(p, "Id");
	az_store_err(l, src, p, "\"%s\" is not a 12-digit account id", o.id);
	gh_jpath_pop(p);
	return 0;
}

/*
 * @each for every element of array member @key of @root (absent: none),
 * at its path; another type is reported as @what says.
 */
static int each_element(struct store_loader *l, json_t *root, const char *key, const char *what,
			const char *org_id,
			int (*each)(struct store_loader *, json_t *, const char *,
				    const struct gh_jsrc *, struct gh_jpath *),
			const struct gh_jsrc *src)
{
	json_t *arr = json_object_get(root, key), *v;
	struct gh_jpath p = { 0 };
	size_t i;

	gh_jpath_key(&p, key);
	if (arr && !json_is_array(arr)) {
		az_store_err(l, src, &p, "%s must be an array of %s", key, what);
		return 0;
	}
	json_array_foreach(arr, i, v) {
		gh_jpath_index(&p, i);
		if (each(l, v, org_id, src, &p) == -ENOMEM)
			return -ENOMEM;
		gh_jpath_pop(&p);
	}
	return 0;
}

int az_store_org_declare(struct store_loader *l, json_t *root, const struct gh_jsrc *src)
{
	static const char *const keys[] = { "Organization", "Accounts", "Policies" };
	json_t *org = json_object_get(root, "Organization");
	struct gh_jpath p = { 0 };
	struct org_place o = { 0 };
	const char *org_id;

	if (!json_is_object(org)) {
		az_store_err(l, src, &p,
			     "an organization file needs \"Organization\" (as `aws "
			     "organizations describe-organization` prints it) next to "
			     "\"Accounts\"");
		return 0;
	}
	l->errors += gh_json_check_keys(root, keys, ARRAY_SIZE(keys), "an organization file", src,
					&p, l->diags);
	gh_jpath_key(&p, "Organization");
	if (az_store_walk(l, org, &org_schema, &o, src, &p) < 0)
		return 0;
	org_id = o.id;
	if (!valid_org_id(org_id)) {
		bad_org_id(l, org_id, src, &p);
		return 0;
	}
	if (add_org(l, org, org_id, src, &p) == -ENOMEM ||
	    each_element(l, root, "Accounts",
			 "{\"Id\": account, \"Path\": its path in the "
			 "organization}",
			 org_id, add_account, src) == -ENOMEM)
		return -ENOMEM;
	return each_element(l, root, "Policies",
			    "describe-policy's \"Policy\" objects, each with "
			    "list-targets-for-policy's \"Targets\"",
			    org_id, add_policy, src);
}

/* Add @pol to @list (room for it) unless there already; returns the new count. */
static uint32_t add_once(struct authz_policy **list, uint32_t n, struct authz_policy *pol)
{
	for (uint32_t i = 0; i < n; i++)
		if (list[i] == pol)
			return n;
	list[n] = pol;
	return n + 1;
}

/* The level named @id ("r-...", "ou-..." or the account) of account @a. */
static int add_level(struct store_loader *l, struct store_account *a, const char *id, size_t len)
{
	char key[80];
	const struct org_target *t;
	struct authz_org_level *lv;
	const char *what = gh_starts_with(id, "r-")    ? "root"
			   : gh_starts_with(id, "ou-") ? "OU"
						       : "account";
	char *name;

	snprintf(key, sizeof(key), "%.*s", (int)len, id);
	if (!(t = gh_strmap_get(&l->s->targets, key)))
		return 0;
	for (uint32_t i = 0; i < t->n[ORG_RCP]; i++)
		a->nrcp = add_once(a->rcp, a->nrcp, t->att[ORG_RCP][i]);
	/* No SCP attached: as with FullAWSAccess, which AWS attaches to every level. */
	if (!t->n[ORG_SCP])
		return 0;
	lv = &a->levels[a->nlevels++];
	name = gh_arena_alloc(&l->s->arena, strlen(what) + strlen(key) + 2);
	if (!name)
		return -ENOMEM;
	snprintf(name, strlen(what) + strlen(key) + 2, "%s %s", what, key);
	lv->name = name;
	lv->policies = t->att[ORG_SCP];
	lv->n = t->n[ORG_SCP];
	for (uint32_t i = 0; i < t->n[ORG_SCP]; i++)
		a->nscp = add_once(a->scp, a->nscp, t->att[ORG_SCP][i]);
	return 0;
}

/* @a's levels: its root, each OU of its path, itself. */
static int account_levels(struct store_loader *l, struct store_account *a)
{
	struct arena *ar = &l->s->arena;
	const struct store_org *o = gh_strmap_get(&l->s->orgs, a->org_id);
	const size_t max = STORE_ORG_LEVELS_MAX * STORE_ORG_ATTACHED_MAX;
	const char *seg, *slash;
	int r = 0;

	a->management = o && o->management && !strcmp(o->management, a->id);
	if (!a->org_path) {
		gh_jdiag(l->diags, DIAG_ERROR, a->src, &a->path,
			 "account %s needs its \"Path\" in organization %s: the organization's "
			 "policies attached to its root and OUs apply to it",
			 a->id, a->org_id);
		l->errors++;
		return 0;
	}
	a->scp = gh_arena_array(ar, max, sizeof(*a->scp));
	a->rcp = gh_arena_array(ar, max, sizeof(*a->rcp));
	a->levels = gh_arena_array(ar, STORE_ORG_LEVELS_MAX, sizeof(*a->levels));
	if (!a->scp || !a->rcp || !a->levels)
		return -ENOMEM;
	/* "o-.../" first, then "r-.../", "ou-.../" ...: checked by valid_org_path. */
	seg = strchr(a->org_path, '/') + 1;
	for (; r >= 0 && (slash = strchr(seg, '/')); seg = slash + 1)
		r = add_level(l, a, seg, (size_t)(slash - seg));
	return r < 0 ? r : add_level(l, a, a->id, strlen(a->id));
}

int az_store_org_finish(struct store_loader *l)
{
	const struct strmap *m = &l->s->accounts;

	const struct strmap *t = &l->s->targets;

	/* No organization policy anywhere: nothing is capped, and a path is not needed. */
	if (!t->n)
		return 0;
	for (uint32_t i = 0; m->slots && i <= m->mask; i++)
		if (m->slots[i].key && account_levels(l, m->slots[i].value) < 0)
			return -ENOMEM;
	/* Attached to an account that nothing places in the organization: it would apply to nobody.
	 */
	for (uint32_t i = 0; t->slots && i <= t->mask; i++) {
		const struct org_target *x = t->slots[i].value;

		if (t->slots[i].key && is_account_id(t->slots[i].key) &&
		    !gh_strmap_get(m, t->slots[i].key)) {
			gh_jdiag(l->diags, DIAG_ERROR, x->src, &x->path,
				 "account %s is a target, but no file places it in the "
				 "organization (\"Accounts\" of an organization file, or an "
				 "identities file's \"Organization\")",
				 t->slots[i].key);
			l->errors++;
		}
	}
	return 0;
}
