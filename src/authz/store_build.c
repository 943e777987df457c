/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The store builder: the store object, and what the format readers
 * (store_native.c, store_export.c, store_org.c) call to read a policy
 * document given as an object or as (URL-encoded) JSON text, to add
 * documents, principals and resource policies to the store, and to finish
 * each principal's policy set and derived keys.  Beneath the readers and the directory
 * loader (store_load.c); principal resolution (principal.c) reads what
 * it built.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/load.h"
#include "authz/store.h"
#include "authz/value.h"
#include "common/jregion.h"
#include "common/macro.h"
#include "common/str.h"

/* ---- loader bookkeeping -------------------------------------------------- */

int az_store_grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc_multiply(*arr, ncap, size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

struct authz_policy *az_store_keep(struct store_loader *l, struct authz_policy *p)
{
	struct authz_store *s = l->s;

	if (!p)
		return NULL;
	if (az_store_grow((void **)&s->compiled, &s->capcompiled, s->ncompiled,
			  sizeof(*s->compiled)) < 0) {
		/* An error, or the store would load without this policy. */
		diag_add(l->diags, DIAG_ERROR, "", "", 0, 0, "out of memory");
		l->errors++;
		authz_policy_unref(p);
		return NULL;
	}
	s->compiled[s->ncompiled++] = p;
	return p;
}

/* Texts past this size get a locate memo: a file of an export, not a small document. */
#define STORE_MEMO_MIN (64u << 10)

struct gh_jsrc *az_store_source(struct store_loader *l, const char *name, char *text, size_t len)
{
	bool memo = len >= STORE_MEMO_MIN;
	size_t extra = (memo ? sizeof(struct gh_locate_memo) : 0), nlen = strlen(name) + 1;
	struct gh_jsrc *src = calloc(1, sizeof(*src) + extra + nlen);

	if (!src ||
	    az_store_grow((void **)&l->texts, &l->captexts, l->ntexts, sizeof(char *)) < 0 ||
	    az_store_grow((void **)&l->srcs, &l->capsrcs, l->nsrcs, sizeof(*l->srcs)) < 0) {
		free(src);
		free(text);
		return NULL;
	}
	l->texts[l->ntexts++] = text;
	/* The memo, then the name, live right after the source, freed with it. */
	*src = (struct gh_jsrc){
		.name = memcpy((char *)(src + 1) + extra, name, nlen),
		.text = text,
		.len = len,
		.memo = memo ? (struct gh_locate_memo *)(src + 1) : NULL,
	};
	l->srcs[l->nsrcs++] = src;
	return src;
}

void az_store_source_drop(struct store_loader *l, const struct gh_jsrc *src)
{
	/* Sources are dropped soon after they are made: search from the end. */
	for (size_t i = l->ntexts; i-- > 0;) {
		if (l->texts[i] == src->text) {
			free(l->texts[i]);
			l->texts[i] = NULL;
			break;
		}
	}
	for (size_t i = l->nsrcs; i-- > 0;) {
		if (l->srcs[i] == src) {
			l->srcs[i]->text = NULL;
			l->srcs[i]->len = 0;
			break;
		}
	}
}

struct gh_jsrc *az_store_subsource(struct store_loader *l, const struct gh_jsrc *outer,
				   size_t start, size_t len, unsigned skip)
{
	struct gh_jsrc *src = calloc(1, sizeof(*src));

	if (!src || az_store_grow((void **)&l->srcs, &l->capsrcs, l->nsrcs, sizeof(*l->srcs)) < 0) {
		free(src);
		return NULL;
	}
	*src = (struct gh_jsrc){
		.name = outer->name,
		.text = outer->text + start,
		.len = len,
		.skip = skip,
		.outer = outer,
	};
	l->srcs[l->nsrcs++] = src;
	return src;
}

char *az_store_strdup(struct store_loader *l, const char *s)
{
	return s ? gh_arena_strdup(&l->s->arena, s) : NULL;
}

struct authz_policy *az_store_compile(struct store_loader *l, json_t *doc,
				      const struct gh_jsrc *src, const struct gh_jpath *path,
				      enum authz_policy_kind kind, const char *name)
{
	size_t before = l->diags->errors;
	struct authz_policy *p = az_policy_compile(doc, src, path, kind, name, l->diags);

	l->errors += l->diags->errors - before;
	return az_store_keep(l, p);
}

/* ---- managed policy documents -------------------------------------------- */

int az_store_add_doc(struct store_loader *l, const char *name, const char *arn, json_t *doc,
		     const struct gh_jsrc *src, const struct gh_jpath *path)
{
	struct store_doc *d = gh_arena_alloc(&l->s->arena, sizeof(*d));
	void *old = NULL;
	int r;

	if (!d || !(d->name = az_store_strdup(l, name)) || !(d->arn = az_store_strdup(l, arn)))
		return -ENOMEM;
	d->doc = doc;
	d->src = src;
	d->path = *path;
	r = gh_strmap_put(&l->s->docs_by_arn, d->arn, d, &old);
	if (r == -EEXIST) {
		const struct store_doc *o = old;

		az_store_err(l, src, path, "policy %s is defined twice (also in %s)", arn,
			     o->src->name);
		return r;
	}
	if (r < 0)
		return r;
	/*
	 * Short names resolve to the store's own policies, not AWS-managed ones.
	 * Two of them with one name (two accounts) make the name ambiguous: a
	 * reference must then use the ARN.
	 */
	if (!gh_starts_with(arn, "arn:aws:iam::aws:") &&
	    gh_strmap_put(&l->s->docs_by_name, d->name, d, &old) == -EEXIST)
		((struct store_doc *)old)->ambiguous = true;
	l->s->stats.policies++;
	return 0;
}

struct authz_policy *az_store_doc_policy(struct store_loader *l, const char *ref,
					 const struct gh_jsrc *src, const struct gh_jpath *path)
{
	struct store_doc *d = az_store_doc_find(l, ref, src, path);

	/* No document: it failed to compile once already, reported then. */
	if (!d || !d->doc)
		return d ? d->identity : NULL;
	if (!d->identity)
		d->identity =
		    az_store_compile(l, d->doc, d->src, &d->path, AUTHZ_POLICY_IDENTITY, d->arn);
	return d->identity;
}

void az_store_doc_forget(struct store_loader *l, const char *arn)
{
	struct store_doc *d = gh_strmap_get(&l->s->docs_by_arn, arn);

	if (d)
		d->doc = NULL;
}

struct store_doc *az_store_doc_find(struct store_loader *l, const char *ref,
				    const struct gh_jsrc *src, const struct gh_jpath *path)
{
	struct store_doc *d = gh_strmap_get(&l->s->docs_by_arn, ref);

	if (!d && (d = gh_strmap_get(&l->s->docs_by_name, ref)) && d->ambiguous) {
		az_store_err(l, src, path,
			     "more than one policy is named %s: refer to it by its ARN", ref);
		return NULL;
	}
	if (!d) {
		az_store_err(l, src, path, "no policy named %s in the store%s", ref,
			     gh_starts_with(ref, "arn:aws:iam::aws:policy/")
				 ? " (an AWS-managed policy must be provided: put its document in "
				   "aws-managed/<name>.json, or use an export that contains it)"
				 : "");
		return NULL;
	}
	return d;
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
	return az_store_document_value(l, json_object_get(obj, key), key, url_encoded, src, p, ret);
}

bool az_store_document_value(struct store_loader *l, json_t *v, const char *key, bool url_encoded,
			     const struct gh_jsrc *src, struct gh_jpath *p, struct doc_at *ret)
{
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
	/* Its tree was made while the store loads: in the jansson region, taken back with it. */
	gh_jregion_drop(d->doc);
	d->doc = NULL;
	if (d->src != src)
		az_store_source_drop(l, d->src);
}

/* ---- principals ------------------------------------------------------------ */

static const char *const kind_name[_ENTITY_KIND_MAX] = {
	[ENTITY_USER] = "user",
	[ENTITY_GROUP] = "group",
	[ENTITY_ROLE] = "role",
};

int az_store_add_principal(struct store_loader *l, const struct az_entity *names,
			   const struct gh_jsrc *src, const struct gh_jpath *path)
{
	struct authz_store *s = l->s;
	struct strmap *map = names->kind == ENTITY_GROUP ? &s->groups : &s->by_name;
	struct az_entity *p = gh_arena_alloc(&s->arena, sizeof(*p));
	char key[512];
	const char *k;
	int r;

	if (!p)
		return -ENOMEM;
	p->kind = names->kind;
	p->name = az_store_strdup(l, names->name);
	p->path = az_store_strdup(l, names->path);
	p->arn = az_store_strdup(l, names->arn);
	p->account = az_store_strdup(l, names->account);
	p->id = az_store_strdup(l, names->id);
	p->max_session = 3600;
	if (!p->name || !p->path || !p->arn || !p->account || !p->id)
		return -ENOMEM;
	k = p->name;

	if (p->kind == ENTITY_ROLE) {
		/* Users and roles share one map: roles under "role/NAME". */
		if ((size_t)snprintf(key, sizeof(key), "role/%s", p->name) >= sizeof(key)) {
			az_store_err(l, src, path, "role name too long");
			return -E2BIG;
		}
		k = az_store_strdup(l, key);
		if (!k)
			return -ENOMEM;
	}
	r = gh_strmap_put(map, k, p, NULL);
	if (r == 0 && p->kind != ENTITY_GROUP)
		r = gh_strmap_put(&s->by_arn, p->arn, p, NULL);
	if (r == -EEXIST) {
		az_store_err(l, src, path, "%s %s is defined twice", kind_name[p->kind], p->name);
		return r;
	}
	if (r < 0)
		return r;
	if (p->kind == ENTITY_USER)
		s->stats.users++;
	else if (p->kind == ENTITY_GROUP)
		s->stats.groups++;
	else
		s->stats.roles++;
	return 0;
}

int az_store_add_binding(struct store_loader *l, struct glob *pats, uint32_t npats,
			 struct authz_policy *policy, const char *account)
{
	struct authz_store *s = l->s;

	if (az_store_grow((void **)&s->bindings, &s->capbindings, s->nbindings,
			  sizeof(*s->bindings)) < 0)
		return -ENOMEM;
	s->bindings[s->nbindings++] = (struct resource_binding){ pats, npats, policy, account };
	s->stats.resource_policies++;
	return 0;
}

struct authz_store *az_store_new(void)
{
	struct authz_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	atomic_init(&s->refs, 1);
	gh_strmap_init(&s->by_name, &s->arena);
	gh_strmap_init(&s->by_arn, &s->arena);
	gh_strmap_init(&s->groups, &s->arena);
	gh_strmap_init(&s->docs_by_name, &s->arena);
	gh_strmap_init(&s->docs_by_arn, &s->arena);
	gh_strmap_init(&s->accounts, &s->arena);
	gh_strmap_init(&s->orgs, &s->arena);
	gh_strmap_init(&s->targets, &s->arena);
	gh_strmap_init(&s->org_policies, &s->arena);
	return s;
}

bool az_store_check_name(struct store_loader *l, const char *key, const char *name,
			 const struct gh_jsrc *src, struct gh_jpath *p)
{
	const char *what = key ? key : "the inline policy name";
	size_t len = strlen(name);

	if (az_value_is_iam_name(name, 1, 128))
		return true;
	if (key)
		gh_jpath_key(p, key);
	if (len < 1 || len > 128)
		az_store_err(l, src, p, "%s is %zu characters long; IAM allows 1 to 128", what,
			     len);
	else
		az_store_err(l, src, p,
			     "%s \"%s\" has a character IAM does not allow (letters, "
			     "digits and +=,.@_- only)",
			     what, name);
	if (key)
		gh_jpath_pop(p);
	return false;
}

/*
 * Check that @e's @n groups (or tags, when @tags) are within the store's
 * cap (STORE_GROUPS_MAX, STORE_TAGS_MAX).  Over it is an error at @p, never
 * a cut: a Deny in the group past the cap, or a condition on the tag past
 * it, would be lost.  False when over.
 */
static bool check_count(struct store_loader *l, const struct az_entity *e, bool tags, size_t n,
			const struct gh_jsrc *src, struct gh_jpath *p)
{
	if (n <= (tags ? STORE_TAGS_MAX : STORE_GROUPS_MAX))
		return true;
	if (tags)
		az_store_err(l, src, p,
			     "%s %s has %zu tags; at most %d are allowed (AWS allows 50)",
			     e->kind == ENTITY_ROLE ? "role" : "user", e->name, n, STORE_TAGS_MAX);
	else
		az_store_err(l, src, p,
			     "user %s is in %zu groups; at most %d are allowed (AWS allows 10)",
			     e->name, n, STORE_GROUPS_MAX);
	return false;
}

int az_store_walk(struct store_loader *l, json_t *obj, const struct gh_jschema *sc, void *out,
		  const struct gh_jsrc *src, struct gh_jpath *p)
{
	size_t errors = l->diags->errors;
	int r = gh_json_walk_at(obj, sc, out, src, p, l->diags);

	l->errors += l->diags->errors - errors;
	return r > 0 ? -EINVAL : r;
}

int az_store_resolve_groups(struct store_loader *l, struct az_entity *e, json_t *names,
			    const char *absent, const struct gh_jsrc *src, struct gh_jpath *p)
{
	json_t *v;
	size_t i;

	if (!names || !check_count(l, e, false, json_array_size(names), src, p))
		return 0;
	e->groups = gh_arena_array(&l->s->arena, json_array_size(names) + 1, sizeof(*e->groups));
	if (!e->groups)
		return -ENOMEM;
	json_array_foreach(names, i, v) {
		struct az_entity *g =
		    json_is_string(v) ? gh_strmap_get(&l->s->groups, json_string_value(v)) : NULL;

		gh_jpath_index(p, i);
		if (!json_is_string(v))
			az_store_err(l, src, p, "a group name must be a string, not %s",
				     gh_json_type_name(v));
		else if (!g)
			az_store_err(l, src, p, "user %s is in group %s, which %s", e->name,
				     json_string_value(v), absent);
		else
			e->groups[e->ngroups++] = g;
		gh_jpath_pop(p);
	}
	return 0;
}

/* One tag as an export writes it: {"Key": "k", "Value": "v"}. */
struct tag_member {
	const char *key, *value;
};

static const struct gh_jfield tag_fields[] = {
	{ "Key", GH_J_TEXT, true, offsetof(struct tag_member, key), NULL },
	{ "Value", GH_J_STRING, true, offsetof(struct tag_member, value), NULL },
};

static const struct gh_jschema tag_schema = { "a tag", NULL, tag_fields, ARRAY_SIZE(tag_fields) };

/* Tag @key = @v of @e, copied into the store. */
static int add_tag(struct store_loader *l, struct az_entity *e, const char *key, const char *v)
{
	e->tags[e->ntags].key = az_store_strdup(l, key);
	e->tags[e->ntags].value = az_store_strdup(l, v);
	if (!e->tags[e->ntags].key || !e->tags[e->ntags].value)
		return -ENOMEM;
	e->ntags++;
	return 0;
}

int az_store_resolve_tags(struct store_loader *l, struct az_entity *e, json_t *tags,
			  const struct gh_jsrc *src, struct gh_jpath *p)
{
	size_t n = json_is_array(tags) ? json_array_size(tags) : json_object_size(tags), i;
	const char *key;
	json_t *v;
	int r = 0;

	if (!tags || !check_count(l, e, true, n, src, p))
		return 0;
	e->tags = gh_arena_array(&l->s->arena, n + 1, sizeof(*e->tags));
	if (!e->tags)
		return -ENOMEM;
	json_object_foreach(tags, key, v) {
		if (json_is_string(v)) {
			r = add_tag(l, e, key, json_string_value(v));
		} else {
			gh_jpath_key(p, key);
			az_store_err(l, src, p, "a tag value must be a string, not %s",
				     gh_json_type_name(v));
			gh_jpath_pop(p);
		}
		if (r < 0)
			return r;
	}
	json_array_foreach(tags, i, v) {
		struct tag_member t = { 0 };

		gh_jpath_index(p, i);
		r = az_store_walk(l, v, &tag_schema, &t, src, p);
		gh_jpath_pop(p);
		if (r == 0 && add_tag(l, e, t.key, t.value) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* ---- built at load ---------------------------------------------------------- */

static bool add_policy_once(struct az_entity *p, struct authz_policy *x)
{
	for (uint32_t i = 0; i < p->npolicies; i++)
		if (p->policies[i] == x)
			return false;
	p->policies[p->npolicies++] = x;
	return true;
}

/* Derived key @key = @value into @e/@v (strings live in the store's arena). */
void az_store_derive(struct authz_ctx_entry *e, struct authz_value *v, const char *key,
		     const char *value)
{
	v->s = value;
	v->len = strlen(value);
	authz_ctx_entry_init(e, key, strlen(key), v, 1, false);
}

/* The organization keys of an account the store places in one (none otherwise). */
static size_t derive_org(struct authz_ctx_entry *e, struct authz_value *v,
			 const struct store_account *a, const char *id_key, const char *paths_key)
{
	size_t n = 0;

	if (!a)
		return 0;
	az_store_derive(&e[n], &v[n], id_key, a->org_id), n++;
	if (a->org_path) {
		/* Multivalued (an account has one path, AWS lists it as a set). */
		az_store_derive(&e[n], &v[n], paths_key, a->org_path);
		e[n++].multi = true;
	}
	return n;
}

/* The tags of @p as aws:PrincipalTag/<k> keys, after @n entries. */
static int derive_tags(struct arena *a, const struct az_entity *p, struct authz_ctx_entry *e,
		       struct authz_value *v, size_t n)
{
	for (uint32_t i = 0; i < p->ntags && n < DERIVED_MAX; i++) {
		size_t klen = strlen(p->tags[i].key);
		static const char prefix[] = "aws:PrincipalTag/";
		char *key = gh_arena_alloc(a, sizeof(prefix) + klen);

		if (!key)
			return -ENOMEM;
		memcpy(key, prefix, sizeof(prefix) - 1);
		memcpy(key + sizeof(prefix) - 1, p->tags[i].key, klen + 1);
		az_store_derive(&e[n], &v[n], key, p->tags[i].value);
		n++;
	}
	return (int)n;
}

int az_store_principal_finish(struct store_loader *l, struct az_entity *p)
{
	struct arena *a = &l->s->arena;
	struct authz_value *v;
	size_t total = p->nown, n = 0;
	int r;

	for (uint32_t g = 0; g < p->ngroups; g++)
		total += p->groups[g]->nown;
	p->policies = gh_arena_array(a, total + 1, sizeof(*p->policies));
	p->derived = gh_arena_array(a, DERIVED_MAX, sizeof(*p->derived));
	v = gh_arena_array(a, DERIVED_MAX, sizeof(*v));
	if (!p->policies || !p->derived || !v)
		return -ENOMEM;
	/* A user's own policies, then its groups' in order; a policy attached twice counts once. */
	for (uint32_t i = 0; i < p->nown; i++)
		add_policy_once(p, p->own[i]);
	for (uint32_t g = 0; g < p->ngroups; g++)
		for (uint32_t i = 0; i < p->groups[g]->nown; i++)
			add_policy_once(p, p->groups[g]->own[i]);
	if (p->kind == ENTITY_USER)
		az_store_derive(&p->derived[n], &v[n], "aws:username", p->name), n++;
	az_store_derive(&p->derived[n], &v[n], "aws:userid", p->id), n++;
	az_store_derive(&p->derived[n], &v[n], "aws:PrincipalArn", p->arn), n++;
	az_store_derive(&p->derived[n], &v[n], "aws:PrincipalAccount", p->account), n++;
	az_store_derive(&p->derived[n], &v[n], "aws:PrincipalType",
			p->kind == ENTITY_USER ? "User" : "AssumedRole"),
	    n++;
	/* AWS sets both in every request: no store principal is an AWS service or calls via one. */
	az_store_derive(&p->derived[n], &v[n], "aws:PrincipalIsAWSService", "false"), n++;
	az_store_derive(&p->derived[n], &v[n], "aws:ViaAWSService", "false"), n++;
	p->org = gh_strmap_get(&l->s->accounts, p->account);
	n += derive_org(&p->derived[n], &v[n], p->org, "aws:PrincipalOrgID",
			"aws:PrincipalOrgPaths");
	r = derive_tags(a, p, p->derived, v, n);
	if (r < 0)
		return r;
	p->nderived = (uint32_t)r;
	return 0;
}

struct authz_store *authz_store_ref(struct authz_store *s)
{
	if (s)
		atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	return s;
}

struct authz_store *authz_store_unref(struct authz_store *s)
{
	if (!s || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return NULL;
	for (size_t i = 0; i < s->ncompiled; i++)
		authz_policy_unref(s->compiled[i]);
	free(s->compiled);
	free(s->bindings);
	gh_arena_clear(&s->arena);
	free(s);
	return NULL;
}

void authz_store_stats(const struct authz_store *s, struct authz_store_stats *ret)
{
	*ret = s->stats;
}

/* A user by name, a role by name ("role/NAME" in the same map), or either by ARN. */
static const struct az_entity *find(const struct authz_store *s, const char *name)
{
	const struct az_entity *p = gh_strmap_get(&s->by_name, name);
	size_t len;
	char key[512];

	if (p)
		return p;
	if (gh_starts_with(name, "arn:"))
		return gh_strmap_get(&s->by_arn, name);
	/* Roles share the map under "role/NAME"; asked per request, so no snprintf. */
	len = strlen(name);
	if (len >= sizeof(key) - GH_LIT_LEN("role/"))
		return NULL;
	memcpy(key, "role/", GH_LIT_LEN("role/"));
	memcpy(key + GH_LIT_LEN("role/"), name, len + 1);
	return gh_strmap_get(&s->by_name, key);
}

const struct authz_principal *authz_store_find(const struct authz_store *s, const char *name)
{
	return az_principal(find(s, name));
}

const char *authz_principal_arn(const struct authz_principal *p)
{
	return p->e.arn;
}

bool authz_principal_is_role(const struct authz_principal *p)
{
	return p->e.kind == ENTITY_ROLE;
}
