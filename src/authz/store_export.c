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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/store.h"
#include "common/macro.h"
#include "common/str.h"

static const char *const export_keys[] = {
	"UserDetailList",
	"GroupDetailList",
	"RoleDetailList",
	"Policies",
};

bool az_store_export_is(json_t *root)
{
	for (size_t i = 0; i < ARRAY_SIZE(export_keys); i++)
		if (json_object_get(root, export_keys[i]))
			return true;
	return false;
}

/* A required string member, reported when missing or mistyped. */
static const char *need_string(struct store_loader *l, json_t *obj, const char *key,
			       const struct gh_jsrc *src, struct gh_jpath *p)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_string(v) && json_string_length(v))
		return json_string_value(v);
	if (v)
		gh_jpath_key(p, key);
	az_store_err(l, src, p, "%s must be a non-empty string", key);
	if (v)
		gh_jpath_pop(p);
	return NULL;
}

/*
 * An optional array member: NULL when absent or null, and when present
 * with another type (reported: a GroupList that is not read must fail the
 * load, or a group's Deny would be lost).
 */
static json_t *opt_array(struct store_loader *l, json_t *obj, const char *key,
			 const struct gh_jsrc *src, struct gh_jpath *p)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v) || json_is_array(v))
		return json_is_array(v) ? v : NULL;
	gh_jpath_key(p, key);
	az_store_err(l, src, p, "%s must be an array, not %s", key, gh_json_type_name(v));
	gh_jpath_pop(p);
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 3986 percent-decoding into a new buffer: 0, -EINVAL when malformed, -ENOMEM. */
static int url_decode(const char *s, size_t len, char **ret, size_t *ret_len)
{
	char *out = malloc(len + 1), *o = out;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		if (i + 2 >= len || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0) {
			free(out);
			return -EINVAL;
		}
		*o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
		i += 2;
	}
	*o = '\0';
	*ret = out;
	*ret_len = (size_t)(o - out);
	return 0;
}

bool az_store_document(struct store_loader *l, json_t *obj, const char *key, bool url_encoded,
		       const struct gh_jsrc *src, struct gh_jpath *p, struct doc_at *ret)
{
	json_t *v = json_object_get(obj, key);
	char where[GH_DIAG_PATH_MAX], name[GH_DIAG_SOURCE_MAX + GH_DIAG_PATH_MAX + 32];
	struct gh_jsrc *dsrc;
	size_t before, len;
	char *text;
	int r;

	gh_jpath_key(p, key);
	if (json_is_object(v)) {
		*ret = (struct doc_at){ json_incref(v), src, *p };
		gh_jpath_pop(p);
		return true;
	}
	if (!json_is_string(v)) {
		az_store_err(l, src, p, "%s must be a policy document (an object, or %s)", key,
			     url_encoded ? "a URL-encoded JSON string"
					 : "its JSON text as a string");
		gh_jpath_pop(p);
		return false;
	}
	if (url_encoded) {
		r = url_decode(json_string_value(v), json_string_length(v), &text, &len);
	} else {
		len = json_string_length(v);
		text = malloc(len + 1);
		r = text ? 0 : -ENOMEM;
		if (text)
			memcpy(text, json_string_value(v), len + 1);
	}
	if (r == -EINVAL)
		az_store_err(l, src, p,
			     "%s is not valid URL-encoded text (a '%%' not followed by two "
			     "hex digits)",
			     key);
	if (r == 0) {
		gh_jpath_format(p, where, sizeof(where));
		snprintf(name, sizeof(name), "%s (%s %s)", src->name,
			 url_encoded ? "URL-decoded" : "the JSON text of", where);
		dsrc = az_store_source(l, name, text, len);
		r = dsrc ? 0 : -ENOMEM;
	}
	if (r == -ENOMEM)
		az_store_err(l, src, p, "out of memory");
	if (r < 0) {
		gh_jpath_pop(p);
		return false;
	}
	/* Reported at its path in the export, located in its decoded text. */
	dsrc->skip = p->depth;
	before = l->diags->errors;
	ret->doc = gh_json_parse(dsrc, l->diags);
	l->errors += l->diags->errors - before;
	if (!ret->doc) {
		/* The parser knows no path: name the document's. */
		if (l->diags->n && l->diags->items[l->diags->n - 1].path[0] == '\0')
			gh_strlcpy(l->diags->items[l->diags->n - 1].path, where,
				   sizeof(l->diags->items[0].path));
		gh_jpath_pop(p);
		return false;
	}
	ret->src = dsrc;
	ret->path = *p;
	gh_jpath_pop(p);
	return true;
}

/* A document compiled: drop its tree, and its decoded text if it had one. */
void az_store_doc_done(struct store_loader *l, struct doc_at *d, const struct gh_jsrc *src)
{
	json_decref(d->doc);
	d->doc = NULL;
	if (d->src != src)
		az_store_source_drop(l, d->src);
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
 * Read the Document of version @v (at @p: Policies[i].PolicyVersionList[j])
 * from its bytes into @v.  Returns the source to locate its diagnostics in
 * (its own bytes, so a warning costs a walk of one document, not of the
 * file), the file's when it has no Document, NULL on error (reported).
 */
static const struct gh_jsrc *read_document(struct store_loader *l, const struct store_file *f,
					   json_t *v, const struct gh_jpath *p)
{
	struct doc_span key = { .policy = p->c[1].index, .version = p->c[3].index };
	/* No spans at all is a NULL array: bsearch() must not see it. */
	const struct doc_span *sp =
	    f->nspans ? bsearch(&key, f->spans, f->nspans, sizeof(*sp), span_cmp) : NULL;
	const struct gh_jsrc *sub;
	size_t before = l->diags->errors;
	char where[GH_DIAG_PATH_MAX];
	json_t *doc;

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
	if (json_object_set_new(v, "Document", doc) < 0) {
		az_store_err(l, f->src, p, "out of memory");
		return NULL;
	}
	return sub;
}

/* ---- declaring ---------------------------------------------------------------- */

/* The index of policy @pol's default version in its PolicyVersionList, or -1. */
static ssize_t default_version(json_t *pol)
{
	json_t *versions = json_object_get(pol, "PolicyVersionList"), *v;
	json_t *defid = json_object_get(pol, "DefaultVersionId");
	size_t i;

	json_array_foreach(versions, i, v) {
		json_t *isdef = json_object_get(v, "IsDefaultVersion");
		json_t *vid = json_object_get(v, "VersionId");

		if (json_is_true(isdef) ||
		    (!isdef && json_is_string(defid) && json_equal(vid, defid)))
			return (ssize_t)i;
	}
	return -1;
}

/*
 * Policies[i]: read, register and compile the default version's document,
 * then drop its JSON: a policy's tree lives only while it is compiled.
 */
static int declare_policy(struct store_loader *l, const struct store_file *f, json_t *pol,
			  struct gh_jpath *p)
{
	const struct gh_jsrc *src = f->src, *dsrc;
	const char *name = need_string(l, pol, "PolicyName", src, p);
	const char *arn = need_string(l, pol, "Arn", src, p);
	ssize_t i = default_version(pol);
	json_t *v = json_array_get(json_object_get(pol, "PolicyVersionList"), (size_t)i);
	struct doc_at d;
	int r = 0;

	if (!name || !arn)
		return 0;
	gh_jpath_key(p, "PolicyVersionList");
	if (i < 0) {
		az_store_err(l, src, p, "policy %s has no default version in PolicyVersionList",
			     arn);
		r = az_store_add_doc(l, name, arn, NULL, src, p);
		gh_jpath_pop(p);
		return r == -ENOMEM ? -ENOMEM : 0;
	}
	gh_jpath_index(p, (size_t)i);
	dsrc = read_document(l, f, v, p);
	if (dsrc && az_store_document(l, v, "Document", true, dsrc, p, &d)) {
		r = az_store_add_doc(l, name, arn, d.doc, d.src, &d.path);
		/*
		 * Every policy of an export is a managed (identity) policy:
		 * compile it now, in file order, and keep only what is compiled.
		 */
		if (r == 0) {
			az_store_doc_policy(l, arn, src, p);
			az_store_doc_forget(l, arn);
		}
		az_store_doc_done(l, &d, dsrc);
	} else {
		/*
		 * Its document is reported already: the policy still exists,
		 * without a compiled form, so that references to it are not
		 * reported again as "no policy named ...".
		 */
		r = az_store_add_doc(l, name, arn, NULL, src, p);
	}
	json_object_del(v, "Document");
	gh_jpath_pop(p);
	gh_jpath_pop(p);
	return r == -ENOMEM ? -ENOMEM : 0;
}

/* In the order the AWS CLI prints them. */
static const struct {
	const char *list, *name, *id;
	enum entity_kind kind;
} sections[] = {
	{ "UserDetailList", "UserName", "UserId", ENTITY_USER },
	{ "GroupDetailList", "GroupName", "GroupId", ENTITY_GROUP },
	{ "RoleDetailList", "RoleName", "RoleId", ENTITY_ROLE },
};

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

static int declare_entity(struct store_loader *l, json_t *obj, enum entity_kind kind,
			  const char *namekey, const char *idkey, const struct gh_jsrc *src,
			  struct gh_jpath *p)
{
	const char *name = need_string(l, obj, namekey, src, p);
	const char *arn = need_string(l, obj, "Arn", src, p);
	json_t *id = json_object_get(obj, idkey), *path = json_object_get(obj, "Path");
	struct az_entity e;
	char account[13];

	if (!name || !arn || !az_store_check_name(l, namekey, name, src, p))
		return 0;
	if (json_is_string(id) && !az_store_check_name(l, idkey, json_string_value(id), src, p))
		return 0;
	if (!arn_account(arn, account)) {
		gh_jpath_key(p, "Arn");
		az_store_err(l, src, p,
			     "\"%s\" is not an IAM ARN (arn:aws:iam::<12-digit account>:...)", arn);
		gh_jpath_pop(p);
		return 0;
	}
	e = (struct az_entity){ .kind = kind,
				.name = name,
				.arn = arn,
				.account = account,
				.path = json_is_string(path) ? json_string_value(path) : "/",
				.id = json_is_string(id) ? json_string_value(id) : name };
	return az_store_add_principal(l, &e, src, p) == -ENOMEM ? -ENOMEM : 0;
}

int az_store_export_declare(struct store_loader *l, const struct store_file *f)
{
	const struct gh_jsrc *src = f->src;
	json_t *root = f->root, *list, *e;
	struct gh_jpath p = { 0 };
	size_t i;

	list = opt_array(l, root, "Policies", src, &p);
	gh_jpath_key(&p, "Policies");
	json_array_foreach(list, i, e) {
		gh_jpath_index(&p, i);
		if (json_is_object(e) && declare_policy(l, f, e, &p) < 0)
			return -ENOMEM;
		gh_jpath_pop(&p);
	}
	gh_jpath_pop(&p);
	/* Compiled, named in the store's arena: the policies' JSON is not needed again. */
	json_array_clear(list);
	for (size_t k = 0; k < ARRAY_SIZE(sections); k++) {
		list = json_object_get(root, sections[k].list);
		gh_jpath_key(&p, sections[k].list);
		if (list && !json_is_array(list))
			az_store_err(l, src, &p, "%s must be an array", sections[k].list);
		json_array_foreach(list, i, e) {
			gh_jpath_index(&p, i);
			if (!json_is_object(e))
				az_store_err(l, src, &p, "expected an object");
			else if (declare_entity(l, e, sections[k].kind, sections[k].name,
						sections[k].id, src, &p) < 0)
				return -ENOMEM;
			gh_jpath_pop(&p);
		}
		gh_jpath_pop(&p);
	}
	return 0;
}

/* ---- resolving ---------------------------------------------------------------- */

/* Inline policies (UserPolicyList...) then AttachedManagedPolicies. */
static int resolve_policies(struct store_loader *l, struct az_entity *e, json_t *obj,
			    const char *inline_key, const struct gh_jsrc *src, struct gh_jpath *p)
{
	static const char *const kind_word[_ENTITY_KIND_MAX] = { "user", "group", "role" };
	json_t *inl = opt_array(l, obj, inline_key, src, p);
	json_t *att = opt_array(l, obj, "AttachedManagedPolicies", src, p);
	size_t n = json_array_size(inl) + json_array_size(att), i;
	json_t *v;

	e->own = gh_arena_array(&l->s->arena, n + 1, sizeof(*e->own));
	if (!e->own)
		return -ENOMEM;
	gh_jpath_key(p, inline_key);
	json_array_foreach(inl, i, v) {
		const char *pname;
		struct doc_at d;
		/* Both names are at most 128 bytes (az_store_check_name). */
		char name[512];
		struct authz_policy *x;

		gh_jpath_index(p, i);
		pname = need_string(l, v, "PolicyName", src, p);
		if (pname && az_store_check_name(l, "PolicyName", pname, src, p) &&
		    az_store_document(l, v, "PolicyDocument", true, src, p, &d)) {
			snprintf(name, sizeof(name), "inline:%s/%s/%s", kind_word[e->kind], e->name,
				 pname);
			x = az_store_compile(l, d.doc, d.src, &d.path, AUTHZ_POLICY_IDENTITY, name);
			az_store_doc_done(l, &d, src);
			if (x)
				e->own[e->nown++] = x;
		}
		gh_jpath_pop(p);
	}
	gh_jpath_pop(p);
	gh_jpath_key(p, "AttachedManagedPolicies");
	json_array_foreach(att, i, v) {
		const char *arn;
		struct authz_policy *x;

		gh_jpath_index(p, i);
		arn = need_string(l, v, "PolicyArn", src, p);
		if (arn) {
			gh_jpath_key(p, "PolicyArn");
			x = az_store_doc_policy(l, arn, src, p);
			if (x)
				e->own[e->nown++] = x;
			gh_jpath_pop(p);
		}
		gh_jpath_pop(p);
	}
	gh_jpath_pop(p);
	return 0;
}

static int resolve_user(struct store_loader *l, struct az_entity *e, json_t *obj,
			const struct gh_jsrc *src, struct gh_jpath *p)
{
	json_t *groups = opt_array(l, obj, "GroupList", src, p);
	int r;

	gh_jpath_key(p, "GroupList");
	r = az_store_resolve_groups(l, e, groups, "is not in the export", src, p);
	gh_jpath_pop(p);
	return r;
}

static int resolve_tags(struct store_loader *l, struct az_entity *e, json_t *obj,
			const struct gh_jsrc *src, struct gh_jpath *p)
{
	json_t *tags = opt_array(l, obj, "Tags", src, p);
	int r;

	gh_jpath_key(p, "Tags");
	r = az_store_resolve_tags(l, e, tags, src, p);
	gh_jpath_pop(p);
	return r;
}

static void resolve_boundary(struct store_loader *l, struct az_entity *e, json_t *obj,
			     const struct gh_jsrc *src, struct gh_jpath *p)
{
	json_t *b = json_object_get(obj, "PermissionsBoundary");
	const char *arn;

	if (!b)
		return;
	gh_jpath_key(p, "PermissionsBoundary");
	arn = need_string(l, b, "PermissionsBoundaryArn", src, p);
	if (arn) {
		gh_jpath_key(p, "PermissionsBoundaryArn");
		e->boundary = az_store_doc_policy(l, arn, src, p);
		gh_jpath_pop(p);
	}
	gh_jpath_pop(p);
}

static int resolve_entity(struct store_loader *l, json_t *obj, size_t section,
			  const struct gh_jsrc *src, struct gh_jpath *p)
{
	static const char *const inline_key[] = { "UserPolicyList", "GroupPolicyList",
						  "RolePolicyList" };
	json_t *arn = json_object_get(obj, "Arn"),
	       *name = json_object_get(obj, sections[section].name);
	struct az_entity *e;
	struct doc_at d;
	/* The role's name is at most 128 bytes (az_store_check_name). */
	char tname[512];

	if (!json_is_string(arn) || !json_is_string(name))
		return 0;
	e = sections[section].kind == ENTITY_GROUP
		? gh_strmap_get(&l->s->groups, json_string_value(name))
		: gh_strmap_get(&l->s->by_arn, json_string_value(arn));
	/* A name defined twice is an error already: resolve the first only. */
	if (!e || e->resolved)
		return 0;
	e->resolved = true;
	if (resolve_policies(l, e, obj, inline_key[section], src, p) < 0)
		return -ENOMEM;
	if (e->kind == ENTITY_GROUP)
		return 0;
	if (resolve_tags(l, e, obj, src, p) < 0 ||
	    (e->kind == ENTITY_USER && resolve_user(l, e, obj, src, p) < 0))
		return -ENOMEM;
	resolve_boundary(l, e, obj, src, p);
	if (e->kind == ENTITY_ROLE &&
	    az_store_document(l, obj, "AssumeRolePolicyDocument", true, src, p, &d)) {
		snprintf(tname, sizeof(tname), "trust:role/%s", e->name);
		e->trust = az_store_compile(l, d.doc, d.src, &d.path, AUTHZ_POLICY_TRUST, tname);
		az_store_doc_done(l, &d, src);
	}
	return 0;
}

int az_store_export_resolve(struct store_loader *l, const struct store_file *f)
{
	const struct gh_jsrc *src = f->src;
	json_t *root = f->root;
	struct gh_jpath p = { 0 };

	for (size_t k = 0; k < ARRAY_SIZE(sections); k++) {
		json_t *list = json_object_get(root, sections[k].list), *e;
		size_t i;

		gh_jpath_key(&p, sections[k].list);
		json_array_foreach(list, i, e) {
			gh_jpath_index(&p, i);
			if (json_is_object(e) && resolve_entity(l, e, k, src, &p) < 0)
				return -ENOMEM;
			gh_jpath_pop(&p);
		}
		gh_jpath_pop(&p);
	}
	return 0;
}
