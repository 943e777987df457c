/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The identity store's insides, in layers: the builder (store_build.c)
 * beneath the format readers (store_native.c, store_export.c,
 * store_org.c), beneath the directory loader (store_load.c); principal
 * resolution and evaluation (principal.c) read the built store.
 */
#ifndef GH_AUTHZ_STORE_H
#define GH_AUTHZ_STORE_H

#include <gatehouse/store.h>
#include <jansson.h>
#include <stdatomic.h>

#include "authz/limits.h"
#include "authz/pattern.h"
#include "common/arena.h"
#include "common/json.h"
#include "common/strmap.h"

/* Default account of a native layout that names none. */
#define STORE_DEFAULT_ACCOUNT "000000000000"
/* Derived keys of one principal or session: nine at most (az_store_principal_finish), one per tag.
 */
#define DERIVED_MAX (12 + STORE_TAGS_MAX)

enum entity_kind {
	ENTITY_USER,
	ENTITY_GROUP,
	ENTITY_ROLE,
	_ENTITY_KIND_MAX,
};

struct tag {
	const char *key;
	const char *value;
};

/**
 * struct az_entity - a user, group or role of the store, as loaded (a
 * group is an entity, never a principal: nothing asks as a group)
 * @kind: user, group or role
 * @name, @path, @id, @arn, @account: identity ("/" path by default)
 * @tags: principal tags
 * @groups: a user's groups
 * @own: inline and attached policies of this entity
 * @boundary: permission boundary, or NULL
 * @trust: a role's trust policy
 * @max_session: a role's maximum session duration, seconds
 * @policies: what applies to a request: @own, then each group's
 *	(users), without repeats
 * @derived: context keys derived from the principal (username, userid,
 *	PrincipalArn, PrincipalAccount, PrincipalType, PrincipalTag/...)
 * @org: its account, when the store places it in an organization
 * @resolved: its references were resolved (a name defined twice, an
 *	error already, must not be resolved twice into arrays sized once)
 */
struct az_entity {
	enum entity_kind kind;
	const char *name, *path, *id, *arn, *account;
	struct tag *tags;
	uint32_t ntags;
	struct az_entity **groups;
	uint32_t ngroups;
	struct authz_policy **own;
	uint32_t nown;
	struct authz_policy *boundary;
	struct authz_policy *trust;
	uint32_t max_session;
	struct authz_policy **policies;
	uint32_t npolicies;
	struct authz_ctx_entry *derived;
	uint32_t nderived;
	const struct store_account *org;
	bool resolved;
};

/**
 * struct authz_principal - what the public API hands out: a user or a
 * role (authz_store_find finds nothing else), which is its entity @e
 */
struct authz_principal {
	struct az_entity e;
};

/* The principal that user or role @e is. */
static inline const struct authz_principal *az_principal(const struct az_entity *e)
{
	return (const struct authz_principal *)e;
}

/**
 * struct store_doc - a managed policy document, while loading and after
 * @name: the file stem (native) or PolicyName (export)
 * @arn: the policy's ARN
 * @doc: the parsed document (loading only)
 * @src: its text, for diagnostics (loading only)
 * @path: its JSON path in @src
 * @identity: compiled as an identity policy, once, when first referenced
 * @ambiguous: another document has the same short name
 */
struct store_doc {
	const char *name;
	const char *arn;
	json_t *doc;
	const struct gh_jsrc *src;
	struct gh_jpath path;
	struct authz_policy *identity;
	bool ambiguous;
};

/**
 * struct resource_binding - a resource-based policy and what it covers
 * @pats: resource ARN patterns
 * @npats: their number
 * @policy: the compiled policy
 * @account: the account of the identities file that holds it: the owner
 *	of a covered resource whose ARN names no account (S3)
 */
struct resource_binding {
	struct glob *pats;
	uint32_t npats;
	struct authz_policy *policy;
	const char *account;
};

/* AWS Organizations' quotas: policies of one type attached to one root, OU or account; OU depth. */
#define STORE_ORG_ATTACHED_MAX 5
#define STORE_ORG_OU_DEPTH_MAX 5
/* Levels between the root and an account: the root, the OUs, the account. */
#define STORE_ORG_LEVELS_MAX (STORE_ORG_OU_DEPTH_MAX + 2)

enum org_policy_type {
	ORG_SCP,
	ORG_RCP,
	_ORG_POLICY_TYPE_MAX,
};

/**
 * struct org_target - a root, an OU or an account, and what is attached there
 * @att: the service control and resource control policies attached (by type)
 * @n: their numbers
 * @src, @path: its first attachment (loading only)
 */
struct org_target {
	struct authz_policy *att[_ORG_POLICY_TYPE_MAX][STORE_ORG_ATTACHED_MAX];
	uint32_t n[_ORG_POLICY_TYPE_MAX];
	const struct gh_jsrc *src;
	struct gh_jpath path;
};

/**
 * struct store_org - an organization an organization file describes
 * @id: "o-..."
 * @management: its management account (MasterAccountId), or NULL
 * @where: the file that said so
 */
struct store_org {
	const char *id, *management, *where;
};

/**
 * struct store_account - what the store knows of one account
 * @id: the 12-digit account id
 * @org_id: its AWS Organizations id ("o-..."), or NULL
 * @org_path: its path in the organization ("o-.../r-.../ou-.../"), or NULL
 * @where: the file that gave the organization (a second file that says
 *	otherwise is an error that names it)
 * @src, @path: where (loading only)
 * @management: it is its organization's management account, which no
 *	SCP or RCP applies to
 * @scp, @nscp: the SCPs of its root, OUs and itself, each once
 * @levels, @nlevels: those levels that have SCPs attached, root first
 * @rcp, @nrcp: the RCPs of its root, OUs and itself, each once
 */
struct store_account {
	const char *id;
	const char *org_id, *org_path;
	const char *where;
	const struct gh_jsrc *src;
	struct gh_jpath path;
	bool management;
	struct authz_policy **scp;
	uint32_t nscp;
	struct authz_org_level *levels;
	uint32_t nlevels;
	struct authz_policy **rcp;
	uint32_t nrcp;
};

/**
 * struct authz_store - a loaded store
 * @refs: reference count
 * @arena: principals, names, maps
 * @account: default account
 * @by_name: users by name, then roles by name ("role/NAME" keys for roles)
 * @by_arn: users and roles by ARN
 * @groups: groups by name
 * @docs_by_name, @docs_by_arn: managed policy documents
 * @bindings: resource-based policies, in file order
 * @accounts: struct store_account by account id, for accounts with an
 *	organization
 * @orgs: struct store_org by organization id, for organization files
 * @targets: struct org_target by target id (r-..., ou-..., account), for
 *	organization policies
 * @org_policies: the organization policies' files, by ARN (loading only:
 *	a policy defined twice is an error)
 * @compiled: every compiled policy (the store holds one reference each)
 * @stats: counts
 */
struct authz_store {
	atomic_uint refs;
	struct arena arena;
	const char *account;
	struct strmap by_name, by_arn, groups, docs_by_name, docs_by_arn, accounts;
	struct strmap orgs, targets, org_policies;
	struct resource_binding *bindings;
	size_t nbindings, capbindings;
	struct authz_policy **compiled;
	size_t ncompiled, capcompiled;
	struct authz_store_stats stats;
};

enum file_kind {
	FILE_DOCUMENT,
	FILE_NATIVE,
	FILE_EXPORT,
	FILE_ORGANIZATION,
	FILE_UNKNOWN,
};

/**
 * struct doc_span - a policy version's Document, left unread at first
 * @policy, @version: where: Policies[@policy].PolicyVersionList[@version]
 * @start, @end: its bytes in the file
 *
 * Only a managed policy's default version counts, and an export holds up
 * to five versions of each: the file is read with every version's
 * Document checked as JSON but not built, then the default version's is
 * read from its bytes, compiled and dropped, one policy at a time.
 */
struct doc_span {
	size_t policy, version;
	size_t start, end;
};

/**
 * struct store_file - one file of the store directory, while loading
 * @src: its text and name
 * @root: its JSON (an export's without its version documents)
 * @kind: what @root is
 * @stem: its name without ".json" (a policy document's name)
 * @aws_managed: below a folder named aws-managed
 * @spans: an export's version documents, in file order
 * @nspans, @capspans: used and allocated
 */
struct store_file {
	const struct gh_jsrc *src;
	json_t *root;
	enum file_kind kind;
	char *stem;
	bool aws_managed;
	struct doc_span *spans;
	size_t nspans, capspans;
};

/**
 * struct store_loader - one load in progress
 * @s: the store being built
 * @diags: where problems go
 * @errors: errors so far (diags->errors counts those of earlier work too)
 * @texts: texts to free at the end (file contents, decoded documents)
 * @srcs: their sources
 */
struct store_loader {
	struct authz_store *s;
	struct diag_list *diags;
	size_t errors;
	char **texts;
	size_t ntexts, captexts;
	struct gh_jsrc **srcs;
	size_t nsrcs, capsrcs;
};

#define az_store_err(l, src, path, ...)                                                            \
	((l)->errors++, gh_jdiag((l)->diags, DIAG_ERROR, (src), (path), __VA_ARGS__))

/* ---- the builder (store_build.c) ---- */

/* An empty store with one reference; NULL on OOM. */
struct authz_store *az_store_new(void);
/* Room for element @n of *@arr (capacity *@cap, elements of @size bytes): 0 or -ENOMEM. */
int az_store_grow(void **arr, size_t *cap, size_t n, size_t size);
/* Keep @p: the store unrefs it when freed.  Returns @p, or NULL on OOM (p unref'd, an error). */
struct authz_policy *az_store_keep(struct store_loader *l, struct authz_policy *p);
/* A text (and its source) that must live until loading ends, or until dropped. */
struct gh_jsrc *az_store_source(struct store_loader *l, const char *name, char *text, size_t len);
/* Free @src's text now (a decoded document, once compiled); @src stays, without text. */
void az_store_source_drop(struct store_loader *l, const struct gh_jsrc *src);
/*
 * The @len bytes at @start of @outer's text as a source of their own, for
 * a value at a path of @skip components (located in these bytes, lines
 * counted in @outer).
 */
struct gh_jsrc *az_store_subsource(struct store_loader *l, const struct gh_jsrc *outer,
				   size_t start, size_t len, unsigned skip);
/* Forget the document of policy @arn once compiled: only the compiled form stays. */
void az_store_doc_forget(struct store_loader *l, const char *arn);
char *az_store_strdup(struct store_loader *l, const char *s);

/* Register a managed policy document. Returns 0, or -errno (reported). */
int az_store_add_doc(struct store_loader *l, const char *name, const char *arn, json_t *doc,
		     const struct gh_jsrc *src, const struct gh_jpath *path);
/* The document that reference @ref (a name or an ARN) names; reported when none. */
struct store_doc *az_store_doc_find(struct store_loader *l, const char *ref,
				    const struct gh_jsrc *src, const struct gh_jpath *path);
/* The identity-compiled policy of document reference @ref (name or ARN). */
struct authz_policy *az_store_doc_policy(struct store_loader *l, const char *ref,
					 const struct gh_jsrc *src, const struct gh_jpath *path);
/* Compile @doc (borrowed) as @kind named @name; diagnostics located at @path. */
struct authz_policy *az_store_compile(struct store_loader *l, json_t *doc,
				      const struct gh_jsrc *src, const struct gh_jpath *path,
				      enum authz_policy_kind kind, const char *name);
/*
 * Add a principal (user, group, role) of @names->kind, with its name,
 * path, arn, account and id (each copied into the store; the rest starts
 * empty, an hour's sessions); duplicates are reported (-EEXIST).
 */
int az_store_add_principal(struct store_loader *l, const struct az_entity *names,
			   const struct gh_jsrc *src, const struct gh_jpath *path);
int az_store_add_binding(struct store_loader *l, struct glob *pats, uint32_t npats,
			 struct authz_policy *policy, const char *account);

/*
 * Check that @name, the value of member @key (NULL: an inline policy's
 * name, a key at @p), is an IAM name or id the store keeps whole: 1 to 128 of letters,
 * digits and +=,.@_- (AWS's limit for names and unique ids).  This also
 * bounds every name built from it (inline:role/<role>/<policy>, a
 * session's ARN, aws:userid).  False when not, reported at @p.
 */
bool az_store_check_name(struct store_loader *l, const char *key, const char *name,
			 const struct gh_jsrc *src, struct gh_jpath *p);

/*
 * gh_json_walk_at for a store file, its problems counted as the loader's
 * errors: 0 when every member of @sc is as it says, -EINVAL (reported),
 * or a handler's negative return.
 */
int az_store_walk(struct store_loader *l, json_t *obj, const struct gh_jschema *sc, void *out,
		  const struct gh_jsrc *src, struct gh_jpath *p);

/*
 * The groups of user @e: @names (the JSON array at @p, or NULL for none),
 * each the name of a declared group; @absent ends the message for one
 * that is not ("which does not exist").  Over STORE_GROUPS_MAX is an error,
 * never a cut (a Deny in the group past the cap would be lost).  0 or
 * -ENOMEM; problems are reported and counted.
 */
int az_store_resolve_groups(struct store_loader *l, struct az_entity *e, json_t *names,
			    const char *absent, const struct gh_jsrc *src, struct gh_jpath *p);

/*
 * The tags of @e from @tags at @p (NULL: none): an object of "key":
 * "value" (the native format) or an array of {"Key": k, "Value": v} (an
 * export).  Over STORE_TAGS_MAX is an error, never a cut.  0 or -ENOMEM.
 */
int az_store_resolve_tags(struct store_loader *l, struct az_entity *e, json_t *tags,
			  const struct gh_jsrc *src, struct gh_jpath *p);

/* Derived key @key = @value into @e/@v (both strings borrowed: the store's or a session's). */
void az_store_derive(struct authz_ctx_entry *e, struct authz_value *v, const char *key,
		     const char *value);
/* Fill @p->policies and @p->derived once everything is resolved. */
int az_store_principal_finish(struct store_loader *l, struct az_entity *p);

/**
 * struct doc_at - a policy document and where its diagnostics point
 * @doc: the document (a reference of its own)
 * @src: its source: the file's, or a decoded document's own
 * @path: its path in the file
 */
struct doc_at {
	json_t *doc;
	const struct gh_jsrc *src;
	struct gh_jpath path;
};

/*
 * The document at member @key of @obj: a JSON object as it is, or a
 * string: URL-encoded JSON when @url_encoded (an IAM export's), else JSON
 * text (an Organizations policy's Content), decoded and parsed (its
 * diagnostics then point into that text, named after the file and the
 * path).  ret->doc is a new reference: drop it with az_store_doc_done()
 * once compiled.  False when there is none (reported).
 */
bool az_store_document(struct store_loader *l, json_t *obj, const char *key, bool url_encoded,
		       const struct gh_jsrc *src, struct gh_jpath *p, struct doc_at *ret);
/* The same for @v, the value of that member @key (NULL: there is none). */
bool az_store_document_value(struct store_loader *l, json_t *v, const char *key, bool url_encoded,
			     const struct gh_jsrc *src, struct gh_jpath *p, struct doc_at *ret);
/* A document compiled: drop its tree, and its decoded text if it had one (@src: the file's). */
void az_store_doc_done(struct store_loader *l, struct doc_at *d, const struct gh_jsrc *src);

/* ---- the format readers (store_org.c, store_native.c, store_export.c) ---- */

/*
 * Account @account is in organization @org_id at @org_path (NULL: not
 * given), as the file @src says at @jpath.  Checks both shapes; an account
 * given twice must be given the same.  Returns 0, -EINVAL (reported) or
 * -ENOMEM.
 */
int az_store_org_add(struct store_loader *l, const char *account, const char *org_id,
		     const char *org_path, const struct gh_jsrc *src, struct gh_jpath *jpath);
/* An identities file's "Organization" (@org, at key Organization of @jpath) for @account. */
int az_store_org_native(struct store_loader *l, const char *account, json_t *org,
			const struct gh_jsrc *src, struct gh_jpath *jpath);
/*
 * An organization file (README.md, "Organizations"): accounts and their
 * organization, and its service and resource control policies with their
 * targets.
 */
bool az_store_org_is(json_t *root);
int az_store_org_declare(struct store_loader *l, json_t *root, const struct gh_jsrc *src);
/*
 * Once every file is read: each account's SCPs by level and its RCPs,
 * from its path; its management account.  Returns 0, or -ENOMEM.
 */
int az_store_org_finish(struct store_loader *l);

/*
 * Two passes over each identities file or export: first every name is
 * declared (so a user may name a group of a later file), then references
 * are resolved.
 */
int az_store_native_declare(struct store_loader *l, json_t *root, const struct gh_jsrc *src);
int az_store_native_resolve(struct store_loader *l, json_t *root, const struct gh_jsrc *src);
int az_store_export_declare(struct store_loader *l, const struct store_file *f);
int az_store_export_resolve(struct store_loader *l, const struct store_file *f);
/* How @f is first read: an export's version documents are skipped, into @f->spans. */
void az_store_export_skip(struct store_file *f, struct gh_jskip *ret);

/* Top-level keys that make a file an identities file / an export. */
bool az_store_native_is(json_t *root);
bool az_store_export_is(json_t *root);

/* ---- the directory loader (store_load.c) ---- */

/*
 * Build a store from @n in-memory files (each text malloc'ed; all are
 * taken, even on failure), as if read from a directory: for the fuzzer
 * and tests.
 */
struct authz_store *az_store_load_texts(const char *const *names, char **texts, const size_t *lens,
					size_t n, struct diag_list *diags);

#endif
