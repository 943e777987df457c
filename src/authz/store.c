/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading a store directory: read every *.json below it, classify each
 * file by its top-level keys (policy document, identities file, account
 * export), declare every name, resolve every reference, then build each
 * principal's policy set.  All or nothing: a single error frees it all.
 */
#include <dirent.h>
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "authz/load.h"
#include "authz/store.h"
#include "common/macro.h"
#include "common/str.h"

/* ---- loader bookkeeping -------------------------------------------------- */

static int grow(void **arr, size_t *cap, size_t n, size_t size)
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

struct authz_policy *store_keep(struct store_loader *l, struct authz_policy *p)
{
	struct authz_store *s = l->s;

	if (!p)
		return NULL;
	if (grow((void **)&s->compiled, &s->capcompiled, s->ncompiled, sizeof(*s->compiled)) < 0) {
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

struct gh_jsrc *store_source(struct store_loader *l, const char *name, char *text, size_t len)
{
	bool memo = len >= STORE_MEMO_MIN;
	size_t extra = (memo ? sizeof(struct gh_locate_memo) : 0), nlen = strlen(name) + 1;
	struct gh_jsrc *src = calloc(1, sizeof(*src) + extra + nlen);

	if (!src || grow((void **)&l->texts, &l->captexts, l->ntexts, sizeof(char *)) < 0 ||
	    grow((void **)&l->srcs, &l->capsrcs, l->nsrcs, sizeof(*l->srcs)) < 0) {
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

void store_source_drop(struct store_loader *l, const struct gh_jsrc *src)
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

struct gh_jsrc *store_subsource(struct store_loader *l, const struct gh_jsrc *outer, size_t start,
				size_t len, unsigned skip)
{
	struct gh_jsrc *src = calloc(1, sizeof(*src));

	if (!src || grow((void **)&l->srcs, &l->capsrcs, l->nsrcs, sizeof(*l->srcs)) < 0) {
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

char *store_strdup(struct store_loader *l, const char *s)
{
	return s ? arena_strdup(&l->s->arena, s) : NULL;
}

struct authz_policy *store_compile(struct store_loader *l, json_t *doc, const struct gh_jsrc *src,
				   const struct gh_jpath *path, enum authz_policy_kind kind,
				   const char *name)
{
	size_t before = l->diags->errors;
	struct authz_policy *p = authz_policy_compile(doc, src, path, kind, name, l->diags);

	l->errors += l->diags->errors - before;
	return store_keep(l, p);
}

/* ---- managed policy documents -------------------------------------------- */

int store_add_doc(struct store_loader *l, const char *name, const char *arn, json_t *doc,
		  const struct gh_jsrc *src, const struct gh_jpath *path)
{
	struct store_doc *d = arena_alloc(&l->s->arena, sizeof(*d));
	void *old = NULL;
	int r;

	if (!d || !(d->name = store_strdup(l, name)) || !(d->arn = store_strdup(l, arn)))
		return -ENOMEM;
	d->doc = doc;
	d->src = src;
	d->path = *path;
	r = strmap_put(&l->s->docs_by_arn, d->arn, d, &old);
	if (r == -EEXIST) {
		const struct store_doc *o = old;

		store_err(l, src, path, "policy %s is defined twice (also in %s)", arn,
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
	    strmap_put(&l->s->docs_by_name, d->name, d, &old) == -EEXIST)
		((struct store_doc *)old)->ambiguous = true;
	l->s->stats.policies++;
	return 0;
}

struct authz_policy *store_doc_policy(struct store_loader *l, const char *ref,
				      const struct gh_jsrc *src, const struct gh_jpath *path)
{
	struct store_doc *d = store_doc_find(l, ref, src, path);

	/* No document: it failed to compile once already, reported then. */
	if (!d || !d->doc)
		return d ? d->identity : NULL;
	if (!d->identity)
		d->identity = store_compile(l, d->doc, d->src, &d->path, AUTHZ_POLICY_IDENTITY,
					    d->arn);
	return d->identity;
}

void store_doc_forget(struct store_loader *l, const char *arn)
{
	struct store_doc *d = strmap_get(&l->s->docs_by_arn, arn);

	if (d)
		d->doc = NULL;
}

struct store_doc *store_doc_find(struct store_loader *l, const char *ref, const struct gh_jsrc *src,
				 const struct gh_jpath *path)
{
	struct store_doc *d = strmap_get(&l->s->docs_by_arn, ref);

	if (!d && (d = strmap_get(&l->s->docs_by_name, ref)) && d->ambiguous) {
		store_err(l, src, path, "more than one policy is named %s: refer to it by its ARN",
			  ref);
		return NULL;
	}
	if (!d) {
		store_err(l, src, path,
			  "no policy named %s in the store%s", ref,
			  gh_starts_with(ref, "arn:aws:iam::aws:policy/")
				  ? " (an AWS-managed policy must be provided: put its document in "
				    "aws-managed/<name>.json, or use an export that contains it)"
				  : "");
		return NULL;
	}
	return d;
}

/* ---- principals ------------------------------------------------------------ */

static const char *const kind_name[_ENTITY_KIND_MAX] = {
	[ENTITY_USER] = "user",
	[ENTITY_GROUP] = "group",
	[ENTITY_ROLE] = "role",
};

int store_add_principal(struct store_loader *l, struct authz_principal *p,
			const struct gh_jsrc *src, const struct gh_jpath *path)
{
	struct authz_store *s = l->s;
	struct strmap *names = p->kind == ENTITY_GROUP ? &s->groups : &s->by_name;
	char key[512];
	const char *k = p->name;
	int r;

	if (p->kind == ENTITY_ROLE) {
		/* Users and roles share one map: roles under "role/NAME". */
		if ((size_t)snprintf(key, sizeof(key), "role/%s", p->name) >= sizeof(key)) {
			store_err(l, src, path, "role name too long");
			return -E2BIG;
		}
		k = store_strdup(l, key);
		if (!k)
			return -ENOMEM;
	}
	r = strmap_put(names, k, p, NULL);
	if (r == 0 && p->kind != ENTITY_GROUP)
		r = strmap_put(&s->by_arn, p->arn, p, NULL);
	if (r == -EEXIST) {
		store_err(l, src, path, "%s %s is defined twice", kind_name[p->kind], p->name);
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

int store_add_binding(struct store_loader *l, struct glob *pats, uint32_t npats,
		      struct authz_policy *policy, const char *account)
{
	struct authz_store *s = l->s;

	if (grow((void **)&s->bindings, &s->capbindings, s->nbindings, sizeof(*s->bindings)) < 0)
		return -ENOMEM;
	s->bindings[s->nbindings++] = (struct resource_binding){ pats, npats, policy, account };
	s->stats.resource_policies++;
	return 0;
}

/* ---- files ------------------------------------------------------------------ */

struct file_list {
	struct store_file *v;
	size_t n, cap;
};

/* scandir's entries by name, bytewise (not strcoll: the order must not depend on the locale). */
static int name_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct dirent *const *)a)->d_name,
		      (*(const struct dirent *const *)b)->d_name);
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static enum file_kind classify(json_t *root)
{
	if (!json_is_object(root))
		return FILE_UNKNOWN;
	if (json_object_get(root, "Statement"))
		return FILE_DOCUMENT;
	if (store_export_is(root))
		return FILE_EXPORT;
	if (store_org_is(root))
		return FILE_ORGANIZATION;
	if (store_native_is(root))
		return FILE_NATIVE;
	return FILE_UNKNOWN;
}

/* Take @text (malloc'ed, given away) as the store file @path. */
static int add_text(struct store_loader *l, struct file_list *fl, const char *path,
		    const char *name, char *text, size_t len, bool aws_managed)
{
	struct gh_jskip skip;
	struct store_file *f;
	size_t before;

	if (fl->n >= STORE_FILES_MAX) {
		free(text);
		diag_add(l->diags, DIAG_ERROR, path, "", 0, 0, "more than %d files in the store",
			 STORE_FILES_MAX);
		l->errors++;
		return -E2BIG;
	}
	if (grow((void **)&fl->v, &fl->cap, fl->n, sizeof(*fl->v)) < 0) {
		free(text);
		return -ENOMEM;
	}
	f = &fl->v[fl->n];
	memset(f, 0, sizeof(*f));
	f->src = store_source(l, path, text, len);
	if (!f->src)
		return -ENOMEM;
	f->aws_managed = aws_managed;
	f->stem = has_suffix(name, ".json") ? arena_strndup(&l->s->arena, name, strlen(name) - 5)
					    : arena_strdup(&l->s->arena, name);
	if (!f->stem)
		return -ENOMEM;
	fl->n++;
	before = l->diags->errors;
	store_export_skip(f, &skip);
	f->root = gh_json_parse_opts(f->src, &(struct gh_jread_opts){ .skip = &skip }, l->diags);
	l->errors += l->diags->errors - before;
	f->kind = f->root ? classify(f->root) : FILE_UNKNOWN;
	if (f->root && f->kind == FILE_UNKNOWN) {
		struct gh_jpath p = { 0 };

		store_err(l, f->src, &p,
			  "not a policy document (no \"Statement\"), an identities file (Account, "
			  "Users, Groups, Roles, ResourcePolicies) or an account export "
			  "(UserDetailList, GroupDetailList, RoleDetailList, Policies)");
	}
	return 0;
}

static int read_file(struct store_loader *l, struct file_list *fl, const char *path,
		     const char *name, bool aws_managed)
{
	char *text;
	size_t len;

	if (gh_file_read(path, &text, &len, l->diags) < 0) {
		l->errors++;
		return 0;
	}
	return add_text(l, fl, path, name, text, len, aws_managed);
}

/*
 * The folders read so far, by device and inode: each is read once, so that
 * a symbolic link back up the tree (`ln -s . again`) or a second link to
 * one folder is not walked again (a loop of two links made 2^18 paths).
 */
struct dir_seen {
	struct {
		dev_t dev;
		ino_t ino;
	} *v;
	size_t n, cap;
};

/* Folders in one store: a store is a few dozen; this bounds the walk's work. */
#define STORE_DIRS_MAX 10000

/* Record folder @st; 1 when it was read before, 0, or -errno (reported). */
static int dir_seen_add(struct store_loader *l, struct dir_seen *seen, const char *path,
			const struct stat *st)
{
	for (size_t i = 0; i < seen->n; i++)
		if (seen->v[i].dev == st->st_dev && seen->v[i].ino == st->st_ino)
			return 1;
	if (seen->n >= STORE_DIRS_MAX) {
		diag_add(l->diags, DIAG_ERROR, path, "", 0, 0, "more than %d folders in the store",
			 STORE_DIRS_MAX);
		l->errors++;
		return -E2BIG;
	}
	if (grow((void **)&seen->v, &seen->cap, seen->n, sizeof(*seen->v)) < 0)
		return -ENOMEM;
	seen->v[seen->n].dev = st->st_dev;
	seen->v[seen->n].ino = st->st_ino;
	seen->n++;
	return 0;
}

/* Every *.json below @dir, in name order (so errors and "first match" are stable). */
static int scan_dir(struct store_loader *l, struct file_list *fl, struct dir_seen *seen,
		    const char *dir, int depth, bool aws_managed)
{
	struct dirent **names;
	int n, r = 0;

	if (depth > STORE_DEPTH_MAX) {
		diag_add(l->diags, DIAG_ERROR, dir, "", 0, 0,
			 "folders nested too deep (more than %d levels)", STORE_DEPTH_MAX);
		l->errors++;
		return -ELOOP;
	}
	n = scandir(dir, &names, NULL, NULL);
	if (n < 0) {
		r = -errno;
		diag_add(l->diags, DIAG_ERROR, dir, "", 0, 0, "cannot read the directory: %s",
			 strerror(-r));
		l->errors++;
		return r;
	}
	qsort(names, (size_t)n, sizeof(*names), name_cmp);
	/* Out of memory, or over the folder cap: stop, and say so once. */
	for (int i = 0; i < n && r != -ENOMEM && r != -E2BIG; i++) {
		const char *name = names[i]->d_name;
		char path[4096];
		struct stat st;

		if (name[0] == '.')
			continue;
		/* Nothing below the store is skipped unsaid: a file not read is an error. */
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
			diag_add(l->diags, DIAG_ERROR, dir, "", 0, 0,
				 "a path below this folder is longer than %zu bytes",
				 sizeof(path) - 1);
			l->errors++;
			continue;
		}
		if (stat(path, &st) < 0) {
			int err = errno;
			bool link = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);

			diag_add(l->diags, DIAG_ERROR, path, "", 0, 0, "cannot read%s: %s",
				 link ? " where this symbolic link points" : "", strerror(err));
			l->errors++;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			r = dir_seen_add(l, seen, path, &st);
			if (r == 1)
				diag_add(l->diags, DIAG_WARNING, path, "", 0, 0,
					 "a folder already read (reached again through a symbolic "
					 "link): skipped, each folder is read once");
			else if (r == 0)
				r = scan_dir(l, fl, seen, path, depth + 1,
					     aws_managed || !strcmp(name, "aws-managed"));
		} else if (S_ISREG(st.st_mode) && has_suffix(name, ".json")) {
			r = read_file(l, fl, path, name, aws_managed);
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r == -ENOMEM || r == -E2BIG ? r : 0;
}

/* The store's folder @dir and every folder below it, each once. */
static int scan_store(struct store_loader *l, struct file_list *fl, const char *dir)
{
	struct dir_seen seen = { 0 };
	struct stat st;
	int r;

	if (stat(dir, &st) < 0) {
		r = -errno;
		diag_add(l->diags, DIAG_ERROR, dir, "", 0, 0, "cannot read the directory: %s",
			 strerror(-r));
		l->errors++;
		return r;
	}
	r = dir_seen_add(l, &seen, dir, &st);
	if (r >= 0)
		r = scan_dir(l, fl, &seen, dir, 0, false);
	free(seen.v);
	return r;
}

/* The default account: the first identities file's "Account", else an export's. */
static void pick_account(struct store_loader *l, const struct file_list *fl)
{
	for (size_t i = 0; i < fl->n && !l->s->account; i++) {
		json_t *a = fl->v[i].kind == FILE_NATIVE ? json_object_get(fl->v[i].root, "Account")
							 : NULL;

		if (json_is_string(a))
			l->s->account = store_strdup(l, json_string_value(a));
	}
	if (!l->s->account)
		l->s->account = STORE_DEFAULT_ACCOUNT;
}

static int add_documents(struct store_loader *l, const struct file_list *fl)
{
	for (size_t i = 0; i < fl->n; i++) {
		const struct store_file *f = &fl->v[i];
		struct gh_jpath root = { 0 };
		char arn[600];
		int r;

		if (f->kind != FILE_DOCUMENT)
			continue;
		if (f->aws_managed)
			r = snprintf(arn, sizeof(arn), "arn:aws:iam::aws:policy/%s", f->stem);
		else
			r = snprintf(arn, sizeof(arn), "arn:aws:iam::%s:policy/%s", l->s->account,
				     f->stem);
		if (r < 0 || (size_t)r >= sizeof(arn)) {
			store_err(l, f->src, &root, "file name too long for a policy name");
			continue;
		}
		r = store_add_doc(l, f->stem, arn, f->root, f->src, &root);
		if (r == -ENOMEM)
			return r;
	}
	return 0;
}

static int each_file(struct store_loader *l, const struct file_list *fl,
		     int (*native)(struct store_loader *, json_t *, const struct gh_jsrc *),
		     int (*export)(struct store_loader *, const struct store_file *))
{
	for (size_t i = 0; i < fl->n; i++) {
		const struct store_file *f = &fl->v[i];
		int r = 0;

		if (f->kind == FILE_NATIVE)
			r = native(l, f->root, f->src);
		else if (f->kind == FILE_EXPORT)
			r = export(l, f);
		if (r == -ENOMEM)
			return r;
	}
	return 0;
}

/* Organization files: read before principals are finished, which derive from them. */
static int add_organizations(struct store_loader *l, const struct file_list *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		if (fl->v[i].kind == FILE_ORGANIZATION &&
		    store_org_declare(l, fl->v[i].root, fl->v[i].src) == -ENOMEM)
			return -ENOMEM;
	return 0;
}

/* Documents nobody references are still checked: an error there is an error. */
static int check_unreferenced(struct store_loader *l)
{
	const struct strmap *m = &l->s->docs_by_arn;

	for (uint32_t i = 0; m->slots && i <= m->mask; i++) {
		struct store_doc *d = m->slots[i].value;

		if (m->slots[i].key && !d->identity) {
			json_t *stmts = json_object_get(d->doc, "Statement");
			bool principal = false;

			/* A bucket or trust policy kept as a file is validated as such. */
			for (size_t k = 0; k < (json_is_array(stmts) ? json_array_size(stmts) : 1); k++) {
				json_t *st = json_is_array(stmts) ? json_array_get(stmts, k) : stmts;

				principal |= json_is_object(st) && (json_object_get(st, "Principal") ||
								     json_object_get(st, "NotPrincipal"));
			}
			if (!principal)
				store_doc_policy(l, d->arn, d->src, &d->path);
		}
	}
	return 0;
}

static int finish_principals(struct store_loader *l)
{
	const struct strmap *m = &l->s->by_arn;

	for (uint32_t i = 0; m->slots && i <= m->mask; i++)
		if (m->slots[i].key && store_principal_finish(l, m->slots[i].value) < 0)
			return -ENOMEM;
	return 0;
}

static void loader_done(struct store_loader *l, struct file_list *fl)
{
	for (size_t i = 0; i < fl->n; i++) {
		json_decref(fl->v[i].root);
		free(fl->v[i].spans);
	}
	free(fl->v);
	for (size_t i = 0; i < l->ntexts; i++)
		free(l->texts[i]);
	free(l->texts);
	for (size_t i = 0; i < l->nsrcs; i++)
		free(l->srcs[i]);
	free(l->srcs);
}

/* Forget the documents' JSON (freed with the files): only compiled forms stay. */
static void drop_documents(struct authz_store *s)
{
	const struct strmap *m = &s->docs_by_arn;

	for (uint32_t i = 0; m->slots && i <= m->mask; i++) {
		struct store_doc *d = m->slots[i].value;

		if (m->slots[i].key) {
			d->doc = NULL;
			d->src = NULL;
		}
	}
}

static struct authz_store *store_new(void)
{
	struct authz_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	atomic_init(&s->refs, 1);
	strmap_init(&s->by_name, &s->arena);
	strmap_init(&s->by_arn, &s->arena);
	strmap_init(&s->groups, &s->arena);
	strmap_init(&s->docs_by_name, &s->arena);
	strmap_init(&s->docs_by_arn, &s->arena);
	strmap_init(&s->accounts, &s->arena);
	return s;
}

/* Every stage over the files read; the store, or NULL when anything failed. */
static struct authz_store *store_build(struct store_loader *l, struct file_list *fl, int r,
				       const char *what)
{
	if (r >= 0) {
		pick_account(l, fl);
		r = add_documents(l, fl);
	}
	if (r >= 0)
		r = each_file(l, fl, store_native_declare, store_export_declare);
	if (r >= 0)
		r = add_organizations(l, fl);
	if (r >= 0)
		r = each_file(l, fl, store_native_resolve, store_export_resolve);
	if (r >= 0)
		r = check_unreferenced(l);
	if (r >= 0 && !l->errors)
		r = finish_principals(l);
	if (r == -ENOMEM) {
		diag_add(l->diags, DIAG_ERROR, what, "", 0, 0, "out of memory");
		l->errors++;
	}
	drop_documents(l->s);
	loader_done(l, fl);
#ifdef __GLIBC__
	/*
	 * The files' text and JSON trees are gone; what is left is a few
	 * arenas.  Hand the freed heap back (a 30 MiB export leaves ~80 MiB of
	 * free heap that glibc would otherwise keep).
	 */
	malloc_trim(0);
#endif
	if (l->errors)
		return authz_store_unref(l->s);
	return l->s;
}

struct authz_store *authz_store_load(const char *dir, struct diag_list *diags)
{
	struct store_loader l = { .s = store_new(), .diags = diags };
	struct file_list fl = { 0 };

	if (!l.s) {
		diag_add(diags, DIAG_ERROR, dir, "", 0, 0, "out of memory");
		return NULL;
	}
	return store_build(&l, &fl, scan_store(&l, &fl, dir), dir);
}

struct authz_store *store_load_texts(const char *const *names, char **texts, const size_t *lens,
				     size_t n, struct diag_list *diags)
{
	struct store_loader l = { .s = store_new(), .diags = diags };
	struct file_list fl = { 0 };
	int r = l.s ? 0 : -ENOMEM;

	/* add_text takes each text, even when it fails; the rest are freed here. */
	for (size_t i = 0; i < n; i++) {
		if (r == -ENOMEM)
			free(texts[i]);
		else
			r = add_text(&l, &fl, names[i], names[i], texts[i], lens[i], false);
		texts[i] = NULL;
	}
	if (!l.s) {
		diag_add(diags, DIAG_ERROR, "<texts>", "", 0, 0, "out of memory");
		return NULL;
	}
	return store_build(&l, &fl, r, "<texts>");
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
	arena_clear(&s->arena);
	free(s);
	return NULL;
}

void authz_store_stats(const struct authz_store *s, struct authz_store_stats *ret)
{
	*ret = s->stats;
}

const struct authz_principal *authz_store_find(const struct authz_store *s, const char *name)
{
	const struct authz_principal *p = strmap_get(&s->by_name, name);
	size_t len;
	char key[512];

	if (p)
		return p;
	if (gh_starts_with(name, "arn:"))
		return strmap_get(&s->by_arn, name);
	/* Roles share the map under "role/NAME"; asked per request, so no snprintf. */
	len = strlen(name);
	if (len >= sizeof(key) - GH_LIT_LEN("role/"))
		return NULL;
	memcpy(key, "role/", GH_LIT_LEN("role/"));
	memcpy(key + GH_LIT_LEN("role/"), name, len + 1);
	return strmap_get(&s->by_name, key);
}

const char *authz_principal_arn(const struct authz_principal *p)
{
	return p->arn;
}

bool authz_principal_is_role(const struct authz_principal *p)
{
	return p->kind == ENTITY_ROLE;
}
