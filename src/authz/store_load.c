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
#include "common/jregion.h"
#include "common/macro.h"
#include "common/str.h"

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
	/* Before exports: an organization file's "Policies" are its SCPs and RCPs. */
	if (az_store_org_is(root))
		return FILE_ORGANIZATION;
	if (az_store_export_is(root))
		return FILE_EXPORT;
	if (az_store_native_is(root))
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
	if (az_store_grow((void **)&fl->v, &fl->cap, fl->n, sizeof(*fl->v)) < 0) {
		free(text);
		return -ENOMEM;
	}
	f = &fl->v[fl->n];
	memset(f, 0, sizeof(*f));
	f->src = az_store_source(l, path, text, len);
	if (!f->src)
		return -ENOMEM;
	f->aws_managed = aws_managed;
	f->stem = has_suffix(name, ".json") ? gh_arena_strndup(&l->s->arena, name, strlen(name) - 5)
					    : gh_arena_strdup(&l->s->arena, name);
	if (!f->stem)
		return -ENOMEM;
	fl->n++;
	before = l->diags->errors;
	az_store_export_skip(f, &skip);
	f->root = gh_json_parse_opts(f->src, &(struct gh_jread_opts){ .skip = &skip }, l->diags);
	l->errors += l->diags->errors - before;
	f->kind = f->root ? classify(f->root) : FILE_UNKNOWN;
	if (f->root && f->kind == FILE_UNKNOWN) {
		struct gh_jpath p = { 0 };

		az_store_err(l, f->src, &p,
			     "not a policy document (no \"Statement\"), an identities file "
			     "(Account, "
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
	} * v;
	size_t n, cap;
};

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
	if (az_store_grow((void **)&seen->v, &seen->cap, seen->n, sizeof(*seen->v)) < 0)
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
		json_t *a =
		    fl->v[i].kind == FILE_NATIVE ? json_object_get(fl->v[i].root, "Account") : NULL;

		if (json_is_string(a))
			l->s->account = az_store_strdup(l, json_string_value(a));
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
			az_store_err(l, f->src, &root, "file name too long for a policy name");
			continue;
		}
		r = az_store_add_doc(l, f->stem, arn, f->root, f->src, &root);
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
		    az_store_org_declare(l, fl->v[i].root, fl->v[i].src) == -ENOMEM)
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
			for (size_t k = 0; k < (json_is_array(stmts) ? json_array_size(stmts) : 1);
			     k++) {
				json_t *st =
				    json_is_array(stmts) ? json_array_get(stmts, k) : stmts;

				principal |=
				    json_is_object(st) && (json_object_get(st, "Principal") ||
							   json_object_get(st, "NotPrincipal"));
			}
			if (!principal)
				az_store_doc_policy(l, d->arn, d->src, &d->path);
		}
	}
	return 0;
}

static int finish_principals(struct store_loader *l)
{
	const struct strmap *m = &l->s->by_arn;

	for (uint32_t i = 0; m->slots && i <= m->mask; i++)
		if (m->slots[i].key && az_store_principal_finish(l, m->slots[i].value) < 0)
			return -ENOMEM;
	return 0;
}

static void loader_done(struct store_loader *l, struct file_list *fl, bool region)
{
	for (size_t i = 0; i < fl->n; i++) {
		/* In this load's own region, the trees go with it (region_end()). */
		if (region)
			gh_jregion_drop(fl->v[i].root);
		else
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

/*
 * The files' JSON trees come from this thread's jansson region
 * (common/jregion.h) while the store is loaded: none outlives the load (the
 * store keeps compiled policies and its own copies of names), and a tree of
 * a 30 MiB export was a million malloc()s and as many free()s, a third of
 * the load's instructions.  True when this load started the region, and
 * so ends it; a caller already in its own region keeps it.
 */
static bool region_begin(void)
{
	return !gh_jregion_active() && gh_jregion_begin();
}

static void region_end(bool began)
{
	if (!began)
		return;
	gh_jregion_end();
	/* A reload is seconds or hours apart: the blocks are not kept for the next. */
	gh_jregion_release();
}

/* Every stage over the files read; the store, or NULL when anything failed. */
static struct authz_store *store_build(struct store_loader *l, struct file_list *fl, int r,
				       const char *what, bool region)
{
	if (r >= 0) {
		pick_account(l, fl);
		r = add_documents(l, fl);
	}
	if (r >= 0)
		r = each_file(l, fl, az_store_native_declare, az_store_export_declare);
	if (r >= 0)
		r = add_organizations(l, fl);
	if (r >= 0)
		r = each_file(l, fl, az_store_native_resolve, az_store_export_resolve);
	if (r >= 0)
		r = az_store_org_finish(l);
	if (r >= 0)
		r = check_unreferenced(l);
	if (r >= 0 && !l->errors)
		r = finish_principals(l);
	if (r == -ENOMEM) {
		diag_add(l->diags, DIAG_ERROR, what, "", 0, 0, "out of memory");
		l->errors++;
	}
	drop_documents(l->s);
	loader_done(l, fl, region);
	region_end(region);
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
	struct store_loader l = { .s = az_store_new(), .diags = diags };
	struct file_list fl = { 0 };
	bool region;

	if (!l.s) {
		diag_add(diags, DIAG_ERROR, dir, "", 0, 0, "out of memory");
		return NULL;
	}
	region = region_begin();
	return store_build(&l, &fl, scan_store(&l, &fl, dir), dir, region);
}

struct authz_store *az_store_load_texts(const char *const *names, char **texts, const size_t *lens,
					size_t n, struct diag_list *diags)
{
	struct store_loader l = { .s = az_store_new(), .diags = diags };
	struct file_list fl = { 0 };
	int r = l.s ? 0 : -ENOMEM;
	bool region = l.s && region_begin();

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
	return store_build(&l, &fl, r, "<texts>", region);
}
