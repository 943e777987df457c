/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The output of `aws iam get-account-authorization-details`, as the AWS CLI
 * prints it (policy documents as JSON objects) or as the raw API returns
 * it (documents as URL-encoded JSON strings).  A real export carries many
 * fields we do not use (RoleLastUsed, InstanceProfileList, Marker, ...):
 * those are ignored; the fields we use are checked strictly.  Only a
 * managed policy's default version counts.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/store.h"
#include "common/jregion.h"
#include "common/macro.h"
#include "common/str.h"

/*
 * The members we read, object by object, each a table for the schema
 * walker (gh_json_walk_at through az_store_walk): AWS's other members are
 * passed over (keys_name NULL), those listed are checked, each problem
 * reported at its own path.
 */

/* Policies[i], as declaring reads it. */
struct policy_members {
	const char *name, *arn, *default_id;
	json_t *versions;
};

#define POLICY_FIELD(key, kind, required, member)                                                  \
	{                                                                                          \
		key, kind, required, offsetof(struct policy_members, member), NULL                 \
	}

static const struct gh_jfield policy_fields[] = {
	POLICY_FIELD("PolicyName", GH_J_TEXT, true, name),
	POLICY_FIELD("Arn", GH_J_TEXT, true, arn),
	POLICY_FIELD("DefaultVersionId", GH_J_STRING, false, default_id),
	POLICY_FIELD("PolicyVersionList", GH_J_ARRAY, true, versions),
};

static const struct gh_jschema policy_schema = { "a managed policy", NULL, policy_fields,
						 ARRAY_SIZE(policy_fields) };

/* Policies[i].PolicyVersionList[j]; its Document is read from its own bytes (read_document). */
struct version_members {
	const char *id;
	json_t *is_default;
};

static const struct gh_jfield version_fields[] = {
	{ "VersionId", GH_J_STRING, false, offsetof(struct version_members, id), NULL },
	{ "IsDefaultVersion", GH_J_BOOL, false, offsetof(struct version_members, is_default),
	  NULL },
};

static const struct gh_jschema version_schema = { "a policy version", NULL, version_fields,
						  ARRAY_SIZE(version_fields) };

/* A user's, group's or role's names, as declaring reads them. */
struct entity_names {
	const char *name, *arn, *id, *path;
};

/* @kind: "User", "Group" or "Role"; the name's field first, the id's third (declare_entity). */
#define NAME_FIELDS(kind)                                                                          \
	{ kind "Name", GH_J_TEXT, true, offsetof(struct entity_names, name), NULL },               \
	    { "Arn", GH_J_TEXT, true, offsetof(struct entity_names, arn), NULL },                  \
	    { kind "Id", GH_J_STRING_OR_NULL, false, offsetof(struct entity_names, id), NULL },    \
	{                                                                                          \
		"Path", GH_J_STRING_OR_NULL, false, offsetof(struct entity_names, path), NULL      \
	}

static const struct gh_jfield user_names[] = { NAME_FIELDS("User") };
static const struct gh_jfield group_names[] = { NAME_FIELDS("Group") };
static const struct gh_jfield role_names[] = { NAME_FIELDS("Role") };

/*
 * What resolving reads of an entity: its name and ARN (checked when it was
 * declared) to find it, then its policies, tags, groups, boundary, trust.
 */
struct entity_members {
	json_t *name, *arn;
	json_t *inline_list, *attached, *tags, *groups, *boundary, *trust;
};

#define MEMBER(key, kind, required, member)                                                        \
	{                                                                                          \
		key, kind, required, offsetof(struct entity_members, member), NULL                 \
	}
#define POLICY_MEMBERS(kind)                                                                       \
	MEMBER(kind "Name", GH_J_ANY, false, name), MEMBER("Arn", GH_J_ANY, false, arn),           \
	    MEMBER(kind "PolicyList", GH_J_ARRAY_OR_NULL, false, inline_list),                     \
	    MEMBER("AttachedManagedPolicies", GH_J_ARRAY_OR_NULL, false, attached)

static const struct gh_jfield user_members[] = {
	POLICY_MEMBERS("User"),
	MEMBER("Tags", GH_J_ARRAY_OR_NULL, false, tags),
	MEMBER("GroupList", GH_J_ARRAY_OR_NULL, false, groups),
	MEMBER("PermissionsBoundary", GH_J_ANY, false, boundary),
};
static const struct gh_jfield group_members[] = { POLICY_MEMBERS("Group") };
static const struct gh_jfield role_members[] = {
	POLICY_MEMBERS("Role"),
	MEMBER("Tags", GH_J_ARRAY_OR_NULL, false, tags),
	MEMBER("PermissionsBoundary", GH_J_ANY, false, boundary),
	MEMBER("AssumeRolePolicyDocument", GH_J_ANY, true, trust),
};

/* UserPolicyList[i] (and the group's and role's). */
struct inline_members {
	const char *name;
};

static const struct gh_jfield inline_fields[] = {
	{ "PolicyName", GH_J_TEXT, true, offsetof(struct inline_members, name), NULL },
	/* Read by az_store_document: an object, or its URL-encoded text. */
	{ "PolicyDocument", GH_J_ANY, true, GH_JFIELD_KEEP, NULL },
};

static const struct gh_jschema inline_schema = { "an inline policy", NULL, inline_fields,
						 ARRAY_SIZE(inline_fields) };

/* AttachedManagedPolicies[i]; PermissionsBoundary. */
struct arn_member {
	const char *arn;
};

static const struct gh_jfield attached_fields[] = {
	{ "PolicyArn", GH_J_TEXT, true, offsetof(struct arn_member, arn), NULL },
};

static const struct gh_jschema attached_schema = { "an attached policy", NULL, attached_fields,
						   ARRAY_SIZE(attached_fields) };

static const struct gh_jfield boundary_fields[] = {
	{ "PermissionsBoundaryArn", GH_J_TEXT, true, offsetof(struct arn_member, arn), NULL },
};

static const struct gh_jschema boundary_schema = { "a permissions boundary", NULL, boundary_fields,
						   ARRAY_SIZE(boundary_fields) };

/* In the order the AWS CLI prints them. */
static const struct {
	const char *list;
	enum entity_kind kind;
	struct gh_jschema names, members;
} sections[] = {
	{ "UserDetailList",
	  ENTITY_USER,
	  { "a user", NULL, user_names, ARRAY_SIZE(user_names) },
	  { "a user", NULL, user_members, ARRAY_SIZE(user_members) } },
	{ "GroupDetailList",
	  ENTITY_GROUP,
	  { "a group", NULL, group_names, ARRAY_SIZE(group_names) },
	  { "a group", NULL, group_members, ARRAY_SIZE(group_members) } },
	{ "RoleDetailList",
	  ENTITY_ROLE,
	  { "a role", NULL, role_names, ARRAY_SIZE(role_names) },
	  { "a role", NULL, role_members, ARRAY_SIZE(role_members) } },
};

/* The state of one walk over an export's top level. */
struct export_walk {
	struct store_loader *l;
	const struct store_file *f;
};

static int declare_policies(void *out, json_t *list, struct gh_jpath *p);
static int declare_section(void *out, json_t *list, struct gh_jpath *p);
static int resolve_section(void *out, json_t *list, struct gh_jpath *p);

/*
 * The top level: declaring reads the managed policies, then the sections
 * (each list's shape checked); resolving reads the sections again, their
 * shapes reported already.
 */
static const struct gh_jfield declare_fields[] = {
	{ "Policies", GH_J_ARRAY_OR_NULL, false, GH_JFIELD_KEEP, declare_policies },
	{ "UserDetailList", GH_J_ARRAY, false, GH_JFIELD_KEEP, declare_section },
	{ "GroupDetailList", GH_J_ARRAY, false, GH_JFIELD_KEEP, declare_section },
	{ "RoleDetailList", GH_J_ARRAY, false, GH_JFIELD_KEEP, declare_section },
};

static const struct gh_jschema declare_schema = { "an account export", NULL, declare_fields,
						  ARRAY_SIZE(declare_fields) };

static const struct gh_jfield resolve_fields[] = {
	{ "UserDetailList", GH_J_ANY, false, GH_JFIELD_KEEP, resolve_section },
	{ "GroupDetailList", GH_J_ANY, false, GH_JFIELD_KEEP, resolve_section },
	{ "RoleDetailList", GH_J_ANY, false, GH_JFIELD_KEEP, resolve_section },
};

static const struct gh_jschema resolve_schema = { "an account export", NULL, resolve_fields,
						  ARRAY_SIZE(resolve_fields) };

bool az_store_export_is(json_t *root)
{
	for (size_t i = 0; i < ARRAY_SIZE(declare_fields); i++)
		if (json_object_get(root, declare_fields[i].key))
			return true;
	return false;
}

/* ---- reading --------------------------------------------------------------- */

static const char *const skip_path[] = { "Policies", NULL, "PolicyVersionList", NULL, "Document" };

/* The reader met a version's Document: remember where it is. */
static int skipped(void *ctx, const size_t *index, size_t start, size_t end)
{
	struct store_file *f = ctx;
	struct doc_span *last = f->nspans ? &f->spans[f->nspans - 1] : NULL;

	/* Unbuilt, so not in the object to catch a second "Document": catch it here. */
	if (last && last->policy == index[1] && last->version == index[3])
		return -EEXIST;
	if (f->nspans == f->capspans) {
		size_t cap = f->capspans ? f->capspans * 2 : 64;
		struct doc_span *v = realloc_multiply(f->spans, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		f->spans = v;
		f->capspans = cap;
	}
	f->spans[f->nspans++] = (struct doc_span){ index[1], index[3], start, end };
	return 0;
}

void az_store_export_skip(struct store_file *f, struct gh_jskip *ret)
{
	*ret = (struct gh_jskip){
		.path = skip_path,
		.depth = ARRAY_SIZE(skip_path),
		.found = skipped,
		.ctx = f,
	};
}

static int span_cmp(const void *key, const void *elem)
{
	const struct doc_span *a = key, *b = elem;

	if (a->policy != b->policy)
		return a->policy < b->policy ? -1 : 1;
	return a->version < b->version ? -1 : a->version > b->version;
}

/*
 * Read the Document of the version at @p (Policies[i].PolicyVersionList[j])
 * from its bytes into *@ret_doc (a new reference; NULL when it has none).
 * Returns the source to locate its diagnostics in (its own bytes, so a
 * warning costs a walk of one document, not of the file), the file's when
 * it has no Document, NULL on error (reported).
 */
static const struct gh_jsrc *read_document(struct store_loader *l, const struct store_file *f,
					   const struct gh_jpath *p, json_t **ret_doc)
{
	struct doc_span key = { .policy = p->c[1].index, .version = p->c[3].index };
	/* No spans at all is a NULL array: bsearch() must not see it. */
	const struct doc_span *sp =
	    f->nspans ? bsearch(&key, f->spans, f->nspans, sizeof(*sp), span_cmp) : NULL;
	const struct gh_jsrc *sub;
	size_t before = l->diags->errors;
	char where[GH_DIAG_PATH_MAX];
	json_t *doc;

	*ret_doc = NULL;
	if (!sp)
		return f->src;
	sub = az_store_subsource(l, f->src, sp->start, sp->end - sp->start, p->depth + 1);
	if (!sub) {
		/* An error, so that the load fails rather than lose a policy. */
		az_store_err(l, f->src, p, "out of memory");
		return NULL;
	}
	doc = gh_json_parse_opts(sub, &(struct gh_jread_opts){ .any = true }, l->diags);
	l->errors += l->diags->errors - before;
	if (!doc) {
		struct gh_jpath at = *p;

		/* The reader knows no path: name the document's. */
		gh_jpath_key(&at, "Document");
		gh_jpath_format(&at, where, sizeof(where));
		if (l->diags->n && l->diags->items[l->diags->n - 1].path[0] == '\0')
			gh_strlcpy(l->diags->items[l->diags->n - 1].path, where,
				   sizeof(l->diags->items[0].path));
		return NULL;
	}
	*ret_doc = doc;
	return sub;
}

/* ---- declaring ---------------------------------------------------------------- */

/*
 * The index of @m's default version in its PolicyVersionList (at @p): the
 * one marked IsDefaultVersion, or without marks, the one whose VersionId is
 * the policy's DefaultVersionId.  -1 when none, -EINVAL when a version is
 * malformed (each reported).
 */
static ssize_t default_version(struct store_loader *l, const struct policy_members *m,
			       const struct gh_jsrc *src, struct gh_jpath *p)
{
	ssize_t found = -1;
	bool bad = false;
	json_t *v;
	size_t i;

	json_array_foreach(m->versions, i, v) {
		struct version_members vm = { 0 };

		gh_jpath_index(p, i);
		bad |= az_store_walk(l, v, &version_schema, &vm, src, p) < 0;
		gh_jpath_pop(p);
		if (found < 0 &&
		    (json_is_true(vm.is_default) ||
		     (!vm.is_default && vm.id && m->default_id && !strcmp(vm.id, m->default_id))))
			found = (ssize_t)i;
	}
	return bad ? -EINVAL : found;
}

/*
 * Policies[i]: read, register and compile the default version's document,
 * then drop its JSON: a policy's tree lives only while it is compiled, and
 * its place in the jansson region (store_load.c) is taken back for the
 * next one.  Nothing made in between outlives it: the version's object is
 * not touched (the document is read beside it), and the store keeps its
 * compiled form and copies of the names.
 */
static int declare_policy(struct store_loader *l, const struct store_file *f, json_t *pol,
			  struct gh_jpath *p)
{
	const struct gh_jsrc *src = f->src, *dsrc;
	struct policy_members m = { 0 };
	bool shaped = az_store_walk(l, pol, &policy_schema, &m, src, p) == 0;
	struct gh_jregion_mark mark;
	ssize_t i;
	json_t *doc;
	struct doc_at d;
	int r = 0;

	if (!m.name || !m.arn)
		return 0;
	gh_jpath_key(p, "PolicyVersionList");
	i = shaped ? default_version(l, &m, src, p) : -EINVAL;
	if (i == -1)
		az_store_err(l, src, p, "policy %s has no default version in PolicyVersionList",
			     m.arn);
	if (i < 0) {
		/* Reported: registered without a document, so references to it are not. */
		r = az_store_add_doc(l, m.name, m.arn, NULL, src, p);
		gh_jpath_pop(p);
		return r == -ENOMEM ? -ENOMEM : 0;
	}
	gh_jpath_index(p, (size_t)i);
	gh_jregion_mark(&mark);
	dsrc = read_document(l, f, p, &doc);
	if (dsrc && az_store_document_value(l, doc, "Document", true, dsrc, p, &d)) {
		r = az_store_add_doc(l, m.name, m.arn, d.doc, d.src, &d.path);
		/*
		 * Every policy of an export is a managed (identity) policy:
		 * compile it now, in file order, and keep only what is compiled.
		 */
		if (r == 0) {
			az_store_doc_policy(l, m.arn, src, p);
			az_store_doc_forget(l, m.arn);
		}
		az_store_doc_done(l, &d, dsrc);
	} else {
		/*
		 * Its document is reported already: the policy still exists,
		 * without a compiled form, so that references to it are not
		 * reported again as "no policy named ...".
		 */
		r = az_store_add_doc(l, m.name, m.arn, NULL, src, p);
	}
	gh_jregion_drop(doc);
	gh_jregion_rewind(&mark);
	gh_jpath_pop(p);
	gh_jpath_pop(p);
	return r == -ENOMEM ? -ENOMEM : 0;
}

static int declare_policies(void *out, json_t *list, struct gh_jpath *p)
{
	struct export_walk *w = out;
	json_t *pol;
	size_t i;

	json_array_foreach(list, i, pol) {
		int r;

		gh_jpath_index(p, i);
		r = declare_policy(w->l, w->f, pol, p);
		gh_jpath_pop(p);
		if (r < 0)
			return r;
	}
	/* Compiled, named in the store's arena: the policies' JSON is not needed again. */
	json_array_clear(list);
	return 0;
}

/* The account field of an IAM ARN (12 digits), copied into @buf (13 bytes). */
static bool arn_account(const char *arn, char buf[static 13])
{
	const char *p = arn;

	if (strncmp(arn, "arn:", 4))
		return false;
	for (int i = 0; i < 4; i++) {
		p = strchr(p, ':');
		if (!p)
			return false;
		p++;
	}
	if (strspn(p, "0123456789") != 12 || p[12] != ':')
		return false;
	memcpy(buf, p, 12);
	buf[12] = '\0';
	return true;
}

/* Section @k's entity @obj at @p: 0, or -ENOMEM (problems reported). */
static int declare_entity(struct store_loader *l, json_t *obj, size_t k, const struct gh_jsrc *src,
			  struct gh_jpath *p)
{
	const struct gh_jschema *sc = &sections[k].names;
	/* NAME_FIELDS: the name's member, then the ARN's, then the id's. */
	const char *namekey = sc->fields[0].key, *idkey = sc->fields[2].key;
	struct entity_names m = { 0 };
	struct az_entity e;
	char account[13];

	if (az_store_walk(l, obj, sc, &m, src, p) < 0 ||
	    !az_store_check_name(l, namekey, m.name, src, p))
		return 0;
	if (m.id && !az_store_check_name(l, idkey, m.id, src, p))
		return 0;
	if (!arn_account(m.arn, account)) {
		gh_jpath_key(p, "Arn");
		az_store_err(l, src, p,
			     "\"%s\" is not an IAM ARN (arn:aws:iam::<12-digit account>:...)",
			     m.arn);
		gh_jpath_pop(p);
		return 0;
	}
	e = (struct az_entity){ .kind = sections[k].kind,
				.name = m.name,
				.arn = m.arn,
				.account = account,
				.path = m.path ? m.path : "/",
				.id = m.id ? m.id : m.name };
	return az_store_add_principal(l, &e, src, p) == -ENOMEM ? -ENOMEM : 0;
}

/* The section whose list the walker hands over at @p (the path names its member). */
static size_t section_at(const struct gh_jpath *p)
{
	size_t k = 0;

	while (k + 1 < ARRAY_SIZE(sections) && strcmp(sections[k].list, p->c[p->depth - 1].key))
		k++;
	return k;
}

typedef int entity_fn(struct store_loader *l, json_t *obj, size_t k, const struct gh_jsrc *src,
		      struct gh_jpath *p);

/* @fn for each element of the section list @list the walker hands over at @p. */
static int each_entity(void *out, json_t *list, struct gh_jpath *p, entity_fn *fn)
{
	struct export_walk *w = out;
	size_t k = section_at(p), i;
	json_t *e;

	json_array_foreach(list, i, e) {
		int r;

		gh_jpath_index(p, i);
		r = fn(w->l, e, k, w->f->src, p);
		gh_jpath_pop(p);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The top level of @f through @sc: 0, or -ENOMEM (problems reported). */
static int walk_export(struct store_loader *l, const struct store_file *f,
		       const struct gh_jschema *sc)
{
	struct export_walk w = { l, f };
	struct gh_jpath p = { 0 };

	return az_store_walk(l, f->root, sc, &w, f->src, &p) == -ENOMEM ? -ENOMEM : 0;
}

static int declare_section(void *out, json_t *list, struct gh_jpath *p)
{
	return each_entity(out, list, p, declare_entity);
}

int az_store_export_declare(struct store_loader *l, const struct store_file *f)
{
	return walk_export(l, f, &declare_schema);
}

/* ---- resolving ---------------------------------------------------------------- */

/* Inline policies (@m's UserPolicyList...) then AttachedManagedPolicies. */
static int resolve_policies(struct store_loader *l, struct az_entity *e,
			    const struct entity_members *m, const char *inline_key,
			    const struct gh_jsrc *src, struct gh_jpath *p)
{
	static const char *const kind_word[_ENTITY_KIND_MAX] = { "user", "group", "role" };
	size_t n = json_array_size(m->inline_list) + json_array_size(m->attached), i;
	json_t *v;

	e->own = gh_arena_array(&l->s->arena, n + 1, sizeof(*e->own));
	if (!e->own)
		return -ENOMEM;
	gh_jpath_key(p, inline_key);
	json_array_foreach(m->inline_list, i, v) {
		struct inline_members im = { 0 };
		struct doc_at d;
		/* Both names are at most 128 bytes (az_store_check_name). */
		char name[512];
		struct authz_policy *x;

		gh_jpath_index(p, i);
		if (az_store_walk(l, v, &inline_schema, &im, src, p) == 0 &&
		    az_store_check_name(l, "PolicyName", im.name, src, p) &&
		    az_store_document(l, v, "PolicyDocument", true, src, p, &d)) {
			snprintf(name, sizeof(name), "inline:%s/%s/%s", kind_word[e->kind], e->name,
				 im.name);
			x = az_store_compile(l, d.doc, d.src, &d.path, AUTHZ_POLICY_IDENTITY, name);
			az_store_doc_done(l, &d, src);
			if (x)
				e->own[e->nown++] = x;
		}
		gh_jpath_pop(p);
	}
	gh_jpath_pop(p);
	gh_jpath_key(p, "AttachedManagedPolicies");
	json_array_foreach(m->attached, i, v) {
		struct arn_member am = { 0 };
		struct authz_policy *x;

		gh_jpath_index(p, i);
		if (az_store_walk(l, v, &attached_schema, &am, src, p) == 0) {
			gh_jpath_key(p, "PolicyArn");
			x = az_store_doc_policy(l, am.arn, src, p);
			if (x)
				e->own[e->nown++] = x;
			gh_jpath_pop(p);
		}
		gh_jpath_pop(p);
	}
	gh_jpath_pop(p);
	return 0;
}

static void resolve_boundary(struct store_loader *l, struct az_entity *e, json_t *b,
			     const struct gh_jsrc *src, struct gh_jpath *p)
{
	struct arn_member m = { 0 };

	gh_jpath_key(p, "PermissionsBoundary");
	if (az_store_walk(l, b, &boundary_schema, &m, src, p) == 0) {
		gh_jpath_key(p, "PermissionsBoundaryArn");
		e->boundary = az_store_doc_policy(l, m.arn, src, p);
		gh_jpath_pop(p);
	}
	gh_jpath_pop(p);
}

static int resolve_entity(struct store_loader *l, json_t *obj, size_t k, const struct gh_jsrc *src,
			  struct gh_jpath *p)
{
	const struct gh_jschema *sc = &sections[k].members;
	struct entity_members m = { 0 };
	struct az_entity *e;
	struct doc_at d;
	/* The role's name is at most 128 bytes (az_store_check_name). */
	char tname[512];
	int r;

	/* Not an object: reported when it was declared. */
	if (!json_is_object(obj))
		return 0;
	az_store_walk(l, obj, sc, &m, src, p);
	if (!json_is_string(m.arn) || !json_is_string(m.name))
		return 0;
	e = sections[k].kind == ENTITY_GROUP
		? gh_strmap_get(&l->s->groups, json_string_value(m.name))
		: gh_strmap_get(&l->s->by_arn, json_string_value(m.arn));
	/* A name defined twice is an error already: resolve the first only. */
	if (!e || e->resolved)
		return 0;
	e->resolved = true;
	/* POLICY_MEMBERS: the inline list's member is the third. */
	if (resolve_policies(l, e, &m, sc->fields[2].key, src, p) < 0)
		return -ENOMEM;
	if (e->kind == ENTITY_GROUP)
		return 0;
	gh_jpath_key(p, "Tags");
	r = az_store_resolve_tags(l, e, m.tags, src, p);
	gh_jpath_pop(p);
	if (r < 0)
		return r;
	if (e->kind == ENTITY_USER) {
		gh_jpath_key(p, "GroupList");
		r = az_store_resolve_groups(l, e, m.groups, "is not in the export", src, p);
		gh_jpath_pop(p);
		if (r < 0)
			return r;
	}
	if (m.boundary)
		resolve_boundary(l, e, m.boundary, src, p);
	if (m.trust && az_store_document(l, obj, "AssumeRolePolicyDocument", true, src, p, &d)) {
		snprintf(tname, sizeof(tname), "trust:role/%s", e->name);
		e->trust = az_store_compile(l, d.doc, d.src, &d.path, AUTHZ_POLICY_TRUST, tname);
		az_store_doc_done(l, &d, src);
	}
	return 0;
}

static int resolve_section(void *out, json_t *list, struct gh_jpath *p)
{
	return each_entity(out, list, p, resolve_entity);
}

int az_store_export_resolve(struct store_loader *l, const struct store_file *f)
{
	return walk_export(l, f, &resolve_schema);
}
