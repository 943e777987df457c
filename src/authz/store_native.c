/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The native layout's identities file (README.md, "The identity store"):
 *
 *   {"Account": "111122223333",
 *    "Users": [{"Name": "alice", "Groups": ["Developers"], "Policies": [...],
 *               "InlinePolicies": {"N": {doc}}, "PermissionsBoundary": "p",
 *               "Tags": {"team": "blue"}, "Path": "/", "Id": "AIDA...", "MFADevice": "alice"}],
 *    "Groups": [{"Name": ..., "Policies": [...], "InlinePolicies": {...}, "Path": "/"}],
 *    "Roles": [{"Name": ..., "Trust": "doc name" | {doc}, "Policies": [...], ...,
 *               "MaxSessionDuration": 3600}],
 *    "ResourcePolicies": [{"Resources": ["arn:..."], "Policy": "doc name" | {doc}}]}
 *
 * Strict: unknown keys and wrong types are errors, each located.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "authz/limits.h"
#include "authz/store.h"
#include "authz/value.h"
#include "common/macro.h"
#include "common/str.h"

static const char *const top_keys[] = {
	"Account", "Organization", "Users", "Groups", "Roles", "ResourcePolicies",
};

/* What declaring a principal reads; the rest is read when it is resolved. */
struct entity_names {
	const char *name, *path, *id;
};

#define NAME_FIELD(key, required, member)                                                          \
	{                                                                                          \
		key, GH_J_STRING_OR_NULL, required, offsetof(struct entity_names, member), NULL    \
	}
#define KNOWN_FIELD(key)                                                                           \
	{                                                                                          \
		key, GH_J_ANY, false, GH_JFIELD_KEEP, NULL                                         \
	}
#define ENTITY_FIELDS                                                                              \
	NAME_FIELD("Name", true, name), NAME_FIELD("Path", false, path),                           \
	    NAME_FIELD("Id", false, id), KNOWN_FIELD("Policies"), KNOWN_FIELD("InlinePolicies")

static const struct gh_jfield user_fields[] = {
	ENTITY_FIELDS,	     KNOWN_FIELD("Groups"),    KNOWN_FIELD("PermissionsBoundary"),
	KNOWN_FIELD("Tags"), KNOWN_FIELD("MFADevice"),
};
static const struct gh_jfield group_fields[] = { ENTITY_FIELDS };
static const struct gh_jfield role_fields[] = {
	ENTITY_FIELDS,
	KNOWN_FIELD("Trust"),
	KNOWN_FIELD("PermissionsBoundary"),
	KNOWN_FIELD("Tags"),
	KNOWN_FIELD("MaxSessionDuration"),
};
static const char *const binding_keys[] = { "Resources", "Policy" };

static const struct {
	const char *list;
	enum entity_kind kind;
	struct gh_jschema schema;
} sections[] = {
	{ "Users", ENTITY_USER, { "a user", "Users", user_fields, ARRAY_SIZE(user_fields) } },
	{ "Groups", ENTITY_GROUP, { "a group", "Groups", group_fields, ARRAY_SIZE(group_fields) } },
	{ "Roles", ENTITY_ROLE, { "a role", "Roles", role_fields, ARRAY_SIZE(role_fields) } },
};

bool az_store_native_is(json_t *root)
{
	const char *key;
	json_t *v;

	json_object_foreach(root, key, v) {
		for (size_t i = 0; i < ARRAY_SIZE(top_keys); i++)
			if (!strcmp(key, top_keys[i]))
				return true;
	}
	return false;
}

/* Report keys of @obj not in @keys; returns how many. */
static size_t unknown_keys(struct store_loader *l, json_t *obj, const char *const *keys, size_t n,
			   const struct gh_jsrc *src, struct gh_jpath *p, const char *what)
{
	size_t bad = gh_json_check_keys(obj, keys, n, what, src, p, l->diags);

	l->errors += bad;
	return bad;
}

static bool valid_path(const char *path)
{
	size_t n = strlen(path);

	return n >= 1 && n <= 512 && path[0] == '/' && path[n - 1] == '/';
}

/* A stable, AWS-shaped id for principals that do not give one ("AIDA" + 16 hex). */
static const char *derived_id(struct store_loader *l, const char *prefix, const char *arn)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%s%08X%08X", prefix, gh_hash_nocase(arn, strlen(arn)),
		 gh_hash_nocase(arn, strlen(arn) / 2));
	return az_store_strdup(l, buf);
}

/* Returns 0, -EINVAL (reported) or -ENOMEM. */
static int declare_entity(struct store_loader *l, json_t *obj, size_t section, const char *account,
			  const struct gh_jsrc *src, struct gh_jpath *p)
{
	enum entity_kind kind = sections[section].kind;
	struct entity_names names = { 0 };
	static const char *const id_prefix[_ENTITY_KIND_MAX] = { "AIDA", "AGPA", "AROA" };
	static const char *const arn_kind[_ENTITY_KIND_MAX] = { "user", "group", "role" };
	struct az_entity e;
	const char *name, *path = "/", *id;
	/* account (12) + kind + path (at most 512) + name (at most 128) */
	char arn[1024];
	int n;

	n = az_store_walk(l, obj, &sections[section].schema, &names, src, p);
	if (n < 0)
		return n;
	name = names.name;
	id = names.id;
	if (names.path)
		path = names.path;
	if (!az_store_check_name(l, "Name", name, src, p))
		return -EINVAL;
	/* AWS's unique ids are at most 128 characters; aws:userid is built from it. */
	if (id && !az_store_check_name(l, "Id", id, src, p))
		return -EINVAL;
	if (!valid_path(path)) {
		gh_jpath_key(p, "Path");
		az_store_err(l, src, p,
			     "a path starts and ends with \"/\" and has at most 512 "
			     "characters");
		gh_jpath_pop(p);
		return -EINVAL;
	}
	n = snprintf(arn, sizeof(arn), "arn:aws:iam::%s:%s%s%s", account, arn_kind[kind], path,
		     name);
	if (n < 0 || (size_t)n >= sizeof(arn)) {
		az_store_err(l, src, p, "the %s's ARN would be longer than %zu bytes",
			     arn_kind[kind], sizeof(arn) - 1);
		return -EINVAL;
	}
	e = (struct az_entity){ .kind = kind,
				.name = name,
				.path = path,
				.arn = arn,
				.account = account,
				.id = id ? id : derived_id(l, id_prefix[kind], arn) };
	if (!e.id)
		return -ENOMEM;
	return az_store_add_principal(l, &e, src, p);
}

static const char *file_account(struct store_loader *l, json_t *root, const struct gh_jsrc *src)
{
	json_t *a = json_object_get(root, "Account");
	const char *s;

	if (!a)
		return l->s->account;
	s = json_is_string(a) ? json_string_value(a) : "";
	if (strlen(s) != 12 || strspn(s, "0123456789") != 12) {
		struct gh_jpath p = { 0 };

		gh_jpath_key(&p, "Account");
		az_store_err(l, src, &p, "Account must be a 12-digit account id as a string");
		return l->s->account;
	}
	return s;
}

int az_store_native_declare(struct store_loader *l, json_t *root, const struct gh_jsrc *src)
{
	struct gh_jpath p = { 0 };
	const char *account = file_account(l, root, src);

	unknown_keys(l, root, top_keys, ARRAY_SIZE(top_keys), src, &p, "an identities file");
	if (json_object_get(root, "Organization") &&
	    az_store_org_native(l, account, json_object_get(root, "Organization"), src, &p) ==
		-ENOMEM)
		return -ENOMEM;
	for (size_t k = 0; k < ARRAY_SIZE(sections); k++) {
		json_t *list = json_object_get(root, sections[k].list), *e;
		size_t i;

		if (!list)
			continue;
		gh_jpath_key(&p, sections[k].list);
		if (!json_is_array(list)) {
			az_store_err(l, src, &p, "%s must be an array", sections[k].list);
			gh_jpath_pop(&p);
			continue;
		}
		json_array_foreach(list, i, e) {
			gh_jpath_index(&p, i);
			if (declare_entity(l, e, k, account, src, &p) == -ENOMEM)
				return -ENOMEM;
			gh_jpath_pop(&p);
		}
		gh_jpath_pop(&p);
	}
	return 0;
}

/* ---- resolving ---------------------------------------------------------------- */

/* A policy reference or an inline document, compiled as @kind. */
static struct authz_policy *policy_ref(struct store_loader *l, json_t *v,
				       enum authz_policy_kind kind, const char *name,
				       const struct gh_jsrc *src, struct gh_jpath *p)
{
	if (json_is_object(v))
		return az_store_compile(l, v, src, p, kind, name);
	if (!json_is_string(v)) {
		az_store_err(l, src, p,
			     "expected a policy name, a policy ARN or a policy document, "
			     "not %s",
			     gh_json_type_name(v));
		return NULL;
	}
	if (kind == AUTHZ_POLICY_IDENTITY)
		return az_store_doc_policy(l, json_string_value(v), src, p);
	/* A trust or resource policy kept in a file: compiled here as what it is. */
	{
		struct store_doc *d = az_store_doc_find(l, json_string_value(v), src, p);

		if (d && !d->doc) {
			/* Compiled and dropped while its export was read: it is a managed policy.
			 */
			az_store_err(l, src, p,
				     "%s is a managed policy of an account export: it cannot "
				     "serve as a trust or resource policy",
				     d->arn);
			return NULL;
		}
		return d ? az_store_compile(l, d->doc, d->src, &d->path, kind, name) : NULL;
	}
}

static int resolve_policies(struct store_loader *l, struct az_entity *e, json_t *obj,
			    const struct gh_jsrc *src, struct gh_jpath *p)
{
	json_t *pol = json_object_get(obj, "Policies"),
	       *inl = json_object_get(obj, "InlinePolicies");
	size_t n = (json_is_array(pol) ? json_array_size(pol) : 0) +
		   (json_is_object(inl) ? json_object_size(inl) : 0);
	const char *key;
	json_t *v;
	size_t i;

	e->own = gh_arena_array(&l->s->arena, n + 1, sizeof(*e->own));
	if (!e->own)
		return -ENOMEM;
	if (pol) {
		gh_jpath_key(p, "Policies");
		if (!json_is_array(pol))
			az_store_err(l, src, p,
				     "Policies must be an array of policy names or ARNs");
		json_array_foreach(pol, i, v) {
			struct authz_policy *x;

			gh_jpath_index(p, i);
			x = policy_ref(l, v, AUTHZ_POLICY_IDENTITY, NULL, src, p);
			if (x && !json_is_object(v))
				e->own[e->nown++] = x;
			else if (json_is_object(v))
				az_store_err(l, src, p,
					     "Policies lists names or ARNs; put documents in "
					     "InlinePolicies");
			gh_jpath_pop(p);
		}
		gh_jpath_pop(p);
	}
	if (inl) {
		gh_jpath_key(p, "InlinePolicies");
		if (!json_is_object(inl))
			az_store_err(l, src, p,
				     "InlinePolicies must be an object of name: document");
		json_object_foreach(inl, key, v) {
			/* Both names are at most 128 bytes (az_store_check_name). */
			char name[512];
			struct authz_policy *x;

			gh_jpath_key(p, key);
			snprintf(name, sizeof(name), "inline:%s/%s/%s",
				 e->kind == ENTITY_USER	   ? "user"
				 : e->kind == ENTITY_GROUP ? "group"
							   : "role",
				 e->name, key);
			if (!json_is_object(v))
				az_store_err(l, src, p,
					     "an inline policy must be a policy document");
			else if (az_store_check_name(l, NULL, key, src, p) &&
				 (x = az_store_compile(l, v, src, p, AUTHZ_POLICY_IDENTITY, name)))
				e->own[e->nown++] = x;
			gh_jpath_pop(p);
		}
		gh_jpath_pop(p);
	}
	return 0;
}

/* A user's Groups or a user's or role's Tags (when @tags), resolved by the builder. */
static int resolve_member(struct store_loader *l, struct az_entity *e, json_t *obj, bool tags,
			  const struct gh_jsrc *src, struct gh_jpath *p)
{
	const char *key = tags ? "Tags" : "Groups";
	json_t *v = json_object_get(obj, key);
	int r = 0;

	if (!v)
		return 0;
	gh_jpath_key(p, key);
	if (tags ? !json_is_object(v) : !json_is_array(v))
		az_store_err(l, src, p, "%s must be %s, not %s", key,
			     tags ? "an object of \"key\": \"value\" pairs"
				  : "an array of group names",
			     gh_json_type_name(v));
	else if (tags)
		r = az_store_resolve_tags(l, e, v, src, p);
	else
		r = az_store_resolve_groups(l, e, v, "does not exist", src, p);
	gh_jpath_pop(p);
	return r;
}

static int resolve_role(struct store_loader *l, struct az_entity *e, json_t *obj,
			const struct gh_jsrc *src, struct gh_jpath *p)
{
	json_t *trust = json_object_get(obj, "Trust"),
	       *max = json_object_get(obj, "MaxSessionDuration");
	char name[512];

	snprintf(name, sizeof(name), "trust:role/%s", e->name);
	if (!trust) {
		az_store_err(l, src, p, "role %s needs a \"Trust\" policy (who may assume it)",
			     e->name);
	} else {
		gh_jpath_key(p, "Trust");
		e->trust = policy_ref(l, trust, AUTHZ_POLICY_TRUST, name, src, p);
		gh_jpath_pop(p);
	}
	if (max) {
		gh_jpath_key(p, "MaxSessionDuration");
		if (!json_is_integer(max) || json_integer_value(max) < 3600 ||
		    json_integer_value(max) > 43200)
			az_store_err(l, src, p, "MaxSessionDuration must be 3600 to 43200 seconds");
		else
			e->max_session = (uint32_t)json_integer_value(max);
		gh_jpath_pop(p);
	}
	return 0;
}

static int resolve_entity(struct store_loader *l, json_t *obj, enum entity_kind kind,
			  const struct gh_jsrc *src, struct gh_jpath *p)
{
	json_t *name = json_object_get(obj, "Name"), *b;
	struct az_entity *e;
	char key[512];

	if (!json_is_string(name))
		return 0; /* reported when declared */
	snprintf(key, sizeof(key), "%s%s", kind == ENTITY_ROLE ? "role/" : "",
		 json_string_value(name));
	e = gh_strmap_get(kind == ENTITY_GROUP ? &l->s->groups : &l->s->by_name, key);
	if (!e || e->kind != kind || e->resolved)
		return 0;
	e->resolved = true;
	if (resolve_policies(l, e, obj, src, p) < 0 ||
	    (kind == ENTITY_USER && resolve_member(l, e, obj, false, src, p) < 0) ||
	    (kind != ENTITY_GROUP && resolve_member(l, e, obj, true, src, p) < 0) ||
	    (kind == ENTITY_ROLE && resolve_role(l, e, obj, src, p) < 0))
		return -ENOMEM;
	b = json_object_get(obj, "PermissionsBoundary");
	if (b && !json_is_null(b)) {
		gh_jpath_key(p, "PermissionsBoundary");
		if (!json_is_string(b))
			az_store_err(l, src, p, "PermissionsBoundary must be a policy name or ARN");
		else
			e->boundary = az_store_doc_policy(l, json_string_value(b), src, p);
		gh_jpath_pop(p);
	}
	return 0;
}

static int resolve_binding(struct store_loader *l, json_t *obj, const char *account,
			   const struct gh_jsrc *src, struct gh_jpath *p)
{
	json_t *res = json_object_get(obj, "Resources"), *pol = json_object_get(obj, "Policy"), *v;
	size_t n = json_is_array(res) ? json_array_size(res) : 1, i;
	struct glob *pats;
	struct authz_policy *x;
	/* "resource:" and the first pattern, at most AUTHZ_PATTERN_MAX bytes (checked below). */
	char name[sizeof("resource:") + AUTHZ_PATTERN_MAX];

	if (!json_is_object(obj)) {
		az_store_err(l, src, p, "a resource policy entry must be an object");
		return 0;
	}
	unknown_keys(l, obj, binding_keys, ARRAY_SIZE(binding_keys), src, p,
		     "a resource policy entry");
	if (!res || !pol || !(json_is_string(res) || (json_is_array(res) && n > 0))) {
		az_store_err(l, src, p,
			     "a resource policy entry needs \"Resources\" (ARN patterns) and "
			     "\"Policy\" (a policy name or document)");
		return 0;
	}
	if (n > AUTHZ_LIST_MAX) {
		gh_jpath_key(p, "Resources");
		az_store_err(l, src, p, "Resources has %zu patterns; at most %d are allowed", n,
			     AUTHZ_LIST_MAX);
		gh_jpath_pop(p);
		return 0;
	}
	pats = gh_arena_array(&l->s->arena, n, sizeof(*pats));
	if (!pats)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		size_t glen;
		char *g;

		v = json_is_array(res) ? json_array_get(res, i) : res;
		if (!json_is_string(v) || !gh_starts_with(json_string_value(v), "arn:") ||
		    json_string_length(v) > AUTHZ_PATTERN_MAX) {
			gh_jpath_key(p, "Resources");
			if (json_is_array(res))
				gh_jpath_index(p, i);
			az_store_err(l, src, p,
				     "a resource pattern must be an ARN (wildcards "
				     "allowed) of at most %d bytes",
				     AUTHZ_PATTERN_MAX);
			if (json_is_array(res))
				gh_jpath_pop(p);
			gh_jpath_pop(p);
			return 0;
		}
		g = az_glob_escape_literal(&l->s->arena, json_string_value(v),
					   json_string_length(v), &glen);
		if (!g)
			return -ENOMEM;
		az_glob_compile(&pats[i], g, glen);
	}
	v = json_is_array(res) ? json_array_get(res, 0) : res;
	snprintf(name, sizeof(name), "resource:%s", json_string_value(v));
	gh_jpath_key(p, "Policy");
	x = policy_ref(l, pol, AUTHZ_POLICY_RESOURCE, name, src, p);
	gh_jpath_pop(p);
	if (x && az_store_add_binding(l, pats, (uint32_t)n, x, account) < 0)
		return -ENOMEM;
	return 0;
}

int az_store_native_resolve(struct store_loader *l, json_t *root, const struct gh_jsrc *src)
{
	/* Checked when declared; the file's account owns the resources of its policies. */
	json_t *acct = json_object_get(root, "Account");
	const char *account =
	    json_is_string(acct) ? az_store_strdup(l, json_string_value(acct)) : l->s->account;
	struct gh_jpath p = { 0 };
	json_t *list, *e;
	size_t i;

	for (size_t k = 0; k < ARRAY_SIZE(sections); k++) {
		list = json_object_get(root, sections[k].list);
		if (!json_is_array(list))
			continue;
		gh_jpath_key(&p, sections[k].list);
		json_array_foreach(list, i, e) {
			gh_jpath_index(&p, i);
			if (json_is_object(e) &&
			    resolve_entity(l, e, sections[k].kind, src, &p) < 0)
				return -ENOMEM;
			gh_jpath_pop(&p);
		}
		gh_jpath_pop(&p);
	}
	list = json_object_get(root, "ResourcePolicies");
	if (!list)
		return 0;
	if (!account)
		return -ENOMEM;
	gh_jpath_key(&p, "ResourcePolicies");
	if (!json_is_array(list)) {
		az_store_err(l, src, &p, "ResourcePolicies must be an array");
		return 0;
	}
	json_array_foreach(list, i, e) {
		gh_jpath_index(&p, i);
		if (resolve_binding(l, e, account, src, &p) < 0)
			return -ENOMEM;
		gh_jpath_pop(&p);
	}
	return 0;
}
