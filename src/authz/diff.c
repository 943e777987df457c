/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `gatehouse diff`: the requests whose decision differs between two
 * versions of an identity store (include/gatehouse/diff.h).
 *
 * Stages: load both sides; mine both versions' JSON for what they mention
 * (principal names, actions, resource patterns, condition keys and values,
 * other accounts named in trust policies); turn that into candidates;
 * walk principal x action x resource, and for each the contexts over the
 * keys that matter there; keep one witness per (principal, action,
 * resource) whose allow/deny differs, re-evaluated when it is reported.
 */
#include <gatehouse/diff.h>
#include <gatehouse/store.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "authz/output.h"
#include "authz/pattern.h"
#include "authz/store.h"
#include "common/str.h"

/* Contexts tried per (principal, action, resource): beyond it, a seeded sample. */
#define DIFF_CONTEXTS_MAX 4096
/* Folders nested below a store directory when mining it (the store loader's cap). */
#define DIFF_DEPTH_MAX 16
/* A principal that holds an identity-policy file given alone. */
#define DIFF_FILE_PRINCIPAL "arn:aws:iam::111122223333:user/policy-holder"

/* ---- growable string sets ------------------------------------------------ */

struct strset {
	char **v;
	size_t n, cap;
};

static int set_add_n(struct strset *s, const char *str, size_t len)
{
	char *copy;

	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->v[i]) == len && !memcmp(s->v[i], str, len))
			return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	copy = strndup(str, len);
	if (!copy)
		return -ENOMEM;
	s->v[s->n++] = copy;
	return 0;
}

static int set_add(struct strset *s, const char *str)
{
	return set_add_n(s, str, strlen(str));
}

static void set_free(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	*s = (struct strset){ 0 };
}

/**
 * struct keyvals - candidate values of one condition key
 * @key: the key as a policy spells it
 * @vals: values (each given single-valued, or as a one-value list when @multi)
 * @ifexists_actions: action patterns (lower-case) of the statements that use the key
 *	with IfExists or Null, which need nothing and so are never reported missing
 * @multi: AWS documents the key as multivalued, or a set operator uses it
 */
struct keyvals {
	char *key;
	struct strset vals, ifexists_actions;
	bool multi;
};

/**
 * struct mined - what either version mentions
 */
struct mined {
	struct strset actions, not_actions, resources, users, roles, external;
	struct keyvals *keys;
	size_t nkeys, capkeys;
	int err;
};

static struct keyvals *key_get(struct mined *m, const char *key)
{
	struct keyvals *k;

	for (size_t i = 0; i < m->nkeys; i++)
		if (!strcasecmp(m->keys[i].key, key))
			return &m->keys[i];
	if (m->nkeys == m->capkeys) {
		size_t cap = m->capkeys ? m->capkeys * 2 : 16;
		struct keyvals *v = realloc(m->keys, cap * sizeof(*v));

		if (!v)
			return NULL;
		m->keys = v;
		m->capkeys = cap;
	}
	k = &m->keys[m->nkeys];
	*k = (struct keyvals){ .key = strdup(key) };
	if (!k->key)
		return NULL;
	m->nkeys++;
	return k;
}

static void note(struct mined *m, int r)
{
	if (r < 0)
		m->err = r;
}

/* ---- boundary values of one condition value ------------------------------ */

/* Add @delta (+1 or -1) to a big-endian address of @n bytes. */
static void addr_step(unsigned char *b, int n, int delta)
{
	for (int i = n - 1; i >= 0; i--) {
		int v = b[i] + delta;

		b[i] = (unsigned char)v;
		if (v >= 0 && v <= 255)
			break;
	}
}

static void add_addr(struct mined *m, struct keyvals *k, int af, const unsigned char *b)
{
	char text[INET6_ADDRSTRLEN];

	if (inet_ntop(af, b, text, sizeof(text)))
		note(m, set_add(&k->vals, text));
}

/* A CIDR block: its first and last address, and the neighbours just outside. */
static void ip_values(struct mined *m, struct keyvals *k, const char *v)
{
	unsigned char lo[16], hi[16];
	char addr[64];
	const char *slash = strchr(v, '/');
	size_t alen = slash ? (size_t)(slash - v) : strlen(v);
	int af, n, bits;

	if (alen >= sizeof(addr))
		return;
	memcpy(addr, v, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, lo) == 1)
		af = AF_INET, n = 4;
	else if (inet_pton(AF_INET6, addr, lo) == 1)
		af = AF_INET6, n = 16;
	else
		return;
	bits = n * 8;
	if (slash) {
		char *end;
		long b = strtol(slash + 1, &end, 10);

		if (end == slash + 1 || *end || b < 0 || b > n * 8)
			return;
		bits = (int)b;
	}
	memcpy(hi, lo, 16);
	for (int i = bits; i < n * 8; i++) {
		lo[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
		hi[i / 8] |= (unsigned char)(0x80 >> (i % 8));
	}
	add_addr(m, k, af, lo);
	add_addr(m, k, af, hi);
	addr_step(lo, n, -1);
	addr_step(hi, n, +1);
	add_addr(m, k, af, lo);
	add_addr(m, k, af, hi);
}

static void time_value(struct mined *m, struct keyvals *k, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char text[64];

	if (gmtime_r(&t, &tm) && strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm))
		note(m, set_add(&k->vals, text));
}

/* A string or ARN pattern: one value that matches it, one that does not. */
static void string_values(struct mined *m, struct keyvals *k, const char *v, bool ignore_case)
{
	char buf[1024];
	size_t o = 0;

	for (const char *p = v; *p && o + 8 < sizeof(buf); p++) {
		if (*p == '*')
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "ghdiff");
		else if (*p == '?')
			buf[o++] = 'x';
		else
			buf[o++] = *p;
	}
	buf[o] = '\0';
	note(m, set_add(&k->vals, buf));
	if (ignore_case) {
		for (size_t i = 0; i < o; i++)
			buf[i] = (char)(buf[i] >= 'a' && buf[i] <= 'z' ? buf[i] - 32 : buf[i]);
		note(m, set_add(&k->vals, buf));
	}
	if (o + 8 < sizeof(buf)) {
		memcpy(buf + o, "-ghdiff", 8);
		note(m, set_add(&k->vals, buf));
	}
}

/* @stmt's Action patterns, lower-case ("*" for NotAction: it may match anything). */
static void statement_actions(struct mined *m, json_t *stmt, struct strset *into)
{
	json_t *a = json_object_get(stmt, "Action"), *e;
	size_t n = json_is_array(a) ? json_array_size(a) : 1;

	if (!a) {
		note(m, set_add(into, "*"));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char low[256];
		size_t len;

		e = json_is_array(a) ? json_array_get(a, i) : a;
		len = json_string_length(e);
		if (!json_is_string(e) || len >= sizeof(low))
			continue;
		gh_lower(low, json_string_value(e), len);
		note(m, set_add_n(into, low, len));
	}
}

static void cond_values(struct mined *m, json_t *stmt, const char *op, const char *key,
			const char *v)
{
	struct keyvals *k;
	double num;
	int64_t ms;
	char text[64];

	if (authz_key_is_derived(key, strlen(key)))
		return; /* the store derives it: a request cannot choose it */
	k = key_get(m, key);
	if (!k) {
		m->err = -ENOMEM;
		return;
	}
	if (strstr(op, "ForAnyValue:") || strstr(op, "ForAllValues:"))
		k->multi = true;
	if (strstr(op, "IfExists") || !strcmp(op, "Null"))
		statement_actions(m, stmt, &k->ifexists_actions);
	if (!strcmp(op, "Null")) {
		note(m, set_add(&k->vals, "ghdiff"));
	} else if (strstr(op, "Numeric")) {
		char *end;

		num = strtod(v, &end);
		if (*end)
			return;
		for (int d = -1; d <= 1; d++) {
			snprintf(text, sizeof(text), "%.15g", num + d);
			note(m, set_add(&k->vals, text));
		}
	} else if (strstr(op, "Date")) {
		if (!authz_parse_time(v, &ms))
			return;
		for (int d = -1; d <= 1; d++)
			time_value(m, k, ms + d * 1000);
	} else if (strstr(op, "IpAddress")) {
		ip_values(m, k, v);
	} else if (strstr(op, "Bool")) {
		note(m, set_add(&k->vals, "true"));
		note(m, set_add(&k->vals, "false"));
	} else if (!strstr(v, "${")) {
		string_values(m, k, v, strstr(op, "IgnoreCase") != NULL);
	}
}

/* ---- mining the JSON of both versions -------------------------------------- */

static void each_string(struct mined *m, json_t *v, struct strset *into)
{
	size_t i;
	json_t *e;

	if (json_is_string(v))
		note(m, set_add(into, json_string_value(v)));
	json_array_foreach(v, i, e)
		if (json_is_string(e))
			note(m, set_add(into, json_string_value(e)));
}

static void mine_condition(struct mined *m, json_t *stmt, json_t *cond)
{
	const char *op, *key;
	json_t *keys, *vals;

	json_object_foreach(cond, op, keys) {
		json_object_foreach(keys, key, vals) {
			char num[GH_JSON_SCALAR_MAX];
			size_t len, i, n = json_is_array(vals) ? json_array_size(vals) : 1;

			for (i = 0; i < n; i++) {
				json_t *e = json_is_array(vals) ? json_array_get(vals, i) : vals;
				const char *t = gh_json_scalar_text(e, num, &len);
				char *z = t ? strndup(t, len) : NULL;

				if (z)
					cond_values(m, stmt, op, key, z);
				free(z);
			}
		}
	}
}

/* Principals named by a trust or resource policy that no store holds: other accounts. */
static void mine_principal(struct mined *m, json_t *p)
{
	struct strset arns = { 0 };

	if (json_is_object(p))
		each_string(m, json_object_get(p, "AWS"), &arns);
	for (size_t i = 0; i < arns.n; i++) {
		const char *a = arns.v[i];
		char arn[256];

		if (strlen(a) == 12 && strspn(a, "0123456789") == 12) {
			snprintf(arn, sizeof(arn), "arn:aws:iam::%s:user/ghdiff-external", a);
			note(m, set_add(&m->external, arn));
		} else if (!strncmp(a, "arn:aws:iam::", 13) && strlen(a) > 13 + 12 &&
			   !strcmp(a + 13 + 12, ":root")) {
			snprintf(arn, sizeof(arn), "arn:aws:iam::%.12s:user/ghdiff-external",
				 a + 13);
			note(m, set_add(&m->external, arn));
		} else if (!strcmp(a, "*")) {
			note(m,
			     set_add(&m->external, "arn:aws:iam::999999999999:user/ghdiff-anyone"));
		} else {
			note(m, set_add(&m->external, a));
		}
	}
	set_free(&arns);
}

static void mine_json(struct mined *m, json_t *v, int depth)
{
	const char *k;
	json_t *e;
	size_t i;

	if (depth > 64)
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			mine_json(m, e, depth + 1);
		return;
	}
	if (!json_is_object(v))
		return;
	json_object_foreach(v, k, e) {
		if (!strcmp(k, "Action"))
			each_string(m, e, &m->actions);
		else if (!strcmp(k, "NotAction"))
			each_string(m, e, &m->not_actions);
		else if (!strcmp(k, "Resource") || !strcmp(k, "NotResource") ||
			 !strcmp(k, "Resources"))
			each_string(m, e, &m->resources);
		else if (!strcmp(k, "Condition") && json_is_object(e))
			mine_condition(m, v, e);
		else if (!strcmp(k, "Principal") || !strcmp(k, "NotPrincipal"))
			mine_principal(m, e);
		if ((!strcmp(k, "Users") || !strcmp(k, "UserDetailList") || !strcmp(k, "Roles") ||
		     !strcmp(k, "RoleDetailList")) &&
		    json_is_array(e)) {
			bool users = k[0] == 'U';
			json_t *ent;
			size_t j;

			json_array_foreach(e, j, ent) {
				json_t *name = json_object_get(ent, "Name");

				if (!name)
					name =
					    json_object_get(ent, users ? "UserName" : "RoleName");
				if (json_is_string(name))
					note(m, set_add(users ? &m->users : &m->roles,
							json_string_value(name)));
			}
		}
		mine_json(m, e, depth + 1);
	}
}

static void mine_path(struct mined *m, const char *path, int depth)
{
	struct stat st;
	DIR *d;
	struct dirent *de;

	if (depth > DIFF_DEPTH_MAX || stat(path, &st) < 0)
		return;
	if (S_ISREG(st.st_mode)) {
		json_t *root = json_load_file(path, 0, NULL);

		mine_json(m, root, 0);
		json_decref(root);
		return;
	}
	if (!S_ISDIR(st.st_mode) || !(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char sub[4096];

		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (de->d_type == DT_DIR || (n > 5 && !strcmp(de->d_name + n - 5, ".json")))
			mine_path(m, sub, depth + 1);
	}
	closedir(d);
}

static void mined_free(struct mined *m)
{
	set_free(&m->actions);
	set_free(&m->not_actions);
	set_free(&m->resources);
	set_free(&m->users);
	set_free(&m->roles);
	set_free(&m->external);
	for (size_t i = 0; i < m->nkeys; i++) {
		free(m->keys[i].key);
		set_free(&m->keys[i].vals);
		set_free(&m->keys[i].ifexists_actions);
	}
	free(m->keys);
}

/* ---- what changed between the versions --------------------------------- */

/* Mine @v as the value of @key (so that "Action": [...] counts as actions). */
static void mine_value(struct mined *m, const char *key, json_t *v)
{
	json_t *o = json_object();

	if (!o || json_object_set(o, key, v) < 0)
		m->err = -ENOMEM;
	else
		mine_json(m, o, 0);
	json_decref(o);
}

/* The name of an entity entry (a user, role or group of either layout), or NULL. */
static const char *entity_name(json_t *o)
{
	static const char *const keys[] = { "UserName", "RoleName", "GroupName", "Name" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(o, keys[i]);

		if (json_is_string(v))
			return json_string_value(v);
	}
	return NULL;
}

/*
 * Mine what differs between @a and @b into @f: a statement that changed
 * whole (both versions), a value that changed under its key; the names of
 * entries (users, roles, groups) with a change below them into @who.
 */
static void diff_json(struct mined *f, struct strset *who, const char *key, json_t *a, json_t *b,
		      int depth)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_equal(a, b) || depth > 64)
		return;
	if (json_is_object(a) && json_is_object(b)) {
		const char *na = entity_name(a), *nb = entity_name(b);

		if (json_object_get(a, "Effect") || json_object_get(b, "Effect")) {
			mine_json(f, a, 0);
			mine_json(f, b, 0);
			return;
		}
		if (na)
			note(f, set_add(who, na));
		if (nb)
			note(f, set_add(who, nb));
		json_object_foreach(a, k, v) {
			json_t *w = json_object_get(b, k);

			if (w)
				diff_json(f, who, k, v, w, depth + 1);
			else
				mine_value(f, k, v);
		}
		json_object_foreach(b, k, v)
			if (!json_object_get(a, k))
				mine_value(f, k, v);
		return;
	}
	if (json_is_array(a) && json_is_array(b) && json_array_size(a) == json_array_size(b)) {
		json_array_foreach(a, i, v)
			diff_json(f, who, key, v, json_array_get(b, i), depth + 1);
		return;
	}
	/* Scalars, or lists that grew or shrank: what they hold, under their key. */
	if (key) {
		mine_value(f, key, a);
		mine_value(f, key, b);
	}
	if (json_is_array(a) && json_is_array(b)) {
		json_array_foreach(a, i, v)
			if (json_is_object(v) && entity_name(v))
				note(f, set_add(who, entity_name(v)));
		json_array_foreach(b, i, v)
			if (json_is_object(v) && entity_name(v))
				note(f, set_add(who, entity_name(v)));
	}
}

/* Files below @dir (relative paths, *.json, not hidden) into @out. */
static void list_files(struct mined *m, const char *dir, const char *rel, int depth,
		       struct strset *out)
{
	char path[4096];
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "%s%s%s", dir, *rel ? "/" : "", rel);
	if (depth > DIFF_DEPTH_MAX || !(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		char sub[4096];
		size_t n = strlen(de->d_name);
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		/* A path this long does not load as a store either (its loader refuses it). */
		if ((size_t)snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
				     de->d_name) >= sizeof(sub) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, sub) >= sizeof(path) ||
		    stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			list_files(m, dir, sub, depth + 1, out);
		else if (n > 5 && !strcmp(de->d_name + n - 5, ".json"))
			note(m, set_add(out, sub));
	}
	closedir(d);
}

/* Pair the files of both versions by path and mine their differences. */
static void diff_paths(struct mined *f, struct strset *who, const char *old_path,
		       const char *new_path)
{
	struct strset files = { 0 };
	struct stat st;

	if (stat(old_path, &st) == 0 && S_ISDIR(st.st_mode)) {
		list_files(f, old_path, "", 0, &files);
		list_files(f, new_path, "", 0, &files);
	} else {
		note(f, set_add(&files, ""));
	}
	for (size_t i = 0; i < files.n; i++) {
		char a[4096], b[4096];
		json_t *ja, *jb;

		snprintf(a, sizeof(a), "%s%s%s", old_path, *files.v[i] ? "/" : "", files.v[i]);
		snprintf(b, sizeof(b), "%s%s%s", new_path, *files.v[i] ? "/" : "", files.v[i]);
		ja = json_load_file(a, 0, NULL);
		jb = json_load_file(b, 0, NULL);
		if (ja && jb)
			diff_json(f, who, NULL, ja, jb, 0);
		else
			mine_json(f, ja ? ja : jb, 0);
		json_decref(ja);
		json_decref(jb);
	}
	set_free(&files);
}

/* ---- candidates ------------------------------------------------------------ */

/*
 * Stands for the requester's user name in a resource made from a pattern
 * with ${aws:username}: filled in per principal (resource_for()).
 */
#define DIFF_USERNAME "\x01"

/* Fill each wildcard with a value that matches it ("ghdiff" for `*`, "x" for `?`). */
static void instantiate(struct mined *m, struct strset *into, const char *pat, const char *star)
{
	char buf[2048];
	size_t o = 0;

	for (const char *p = pat; *p && o + strlen(star) + 2 < sizeof(buf); p++) {
		if (*p == '$' && p[1] == '{') {
			const char *close = strchr(p, '}');

			if (close) {
				bool user = !strncasecmp(p + 2, "aws:username}", 13);

				o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s",
						      user ? DIFF_USERNAME : star);
				p = close;
				continue;
			}
		}
		if (*p == '*')
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s", star);
		else if (*p == '?')
			buf[o++] = 'x';
		else
			buf[o++] = *p;
	}
	buf[o] = '\0';
	note(m, set_add(into, buf));
}

static void build_actions(struct mined *m, struct strset *out)
{
	struct strset *lists[2] = { &m->actions, &m->not_actions };

	for (int l = 0; l < 2; l++) {
		for (size_t i = 0; i < lists[l]->n; i++) {
			const char *a = lists[l]->v[i];
			const char *colon = strchr(a, ':');

			if (!strcmp(a, "*")) {
				note(m, set_add(out, "ghdiff:GhDiffAction"));
				continue;
			}
			instantiate(m, out, a, "GhDiff");
			/* NotAction: another action of the same service too. */
			if (l == 1 && colon) {
				char buf[256];

				snprintf(buf, sizeof(buf), "%.*s:GhDiffOther", (int)(colon - a), a);
				note(m, set_add(out, buf));
			}
		}
	}
}

static void build_resources(struct mined *m, struct strset *out)
{
	for (size_t i = 0; i < m->resources.n; i++) {
		const char *r = m->resources.v[i];

		if (!strcmp(r, "*")) {
			note(m, set_add(out, "arn:aws:s3:::ghdiff-bucket/ghdiff"));
			continue;
		}
		instantiate(m, out, r, "ghdiff");
	}
}

/* ---- the two sides ---------------------------------------------------------- */

struct side {
	struct authz_store *store;
	struct authz_policy *policy;
};

/**
 * struct who - a requester
 * @name: a user or role name (or ARN)
 * @role: for a role session, the role that @name assumes
 * @external: a principal of another account asking sts:AssumeRole on @role
 */
struct who {
	const char *name, *role;
	bool external, user;
	int rank;
	size_t order;
};

static int side_load(const char *path, struct side *s, struct diag_list *diags)
{
	struct stat st;
	char *text;
	FILE *f;
	long n;

	if (stat(path, &st) < 0) {
		diag_add(diags, DIAG_ERROR, path, "", 0, 0, "%s", strerror(errno));
		return -EINVAL;
	}
	if (S_ISDIR(st.st_mode)) {
		s->store = authz_store_load(path, diags);
		return s->store ? 0 : -EINVAL;
	}
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0 ||
	    !(text = malloc((size_t)n + 1)) || fread(text, 1, (size_t)n, f) != (size_t)n) {
		diag_add(diags, DIAG_ERROR, path, "", 0, 0, "cannot read it: %s", strerror(errno));
		if (f)
			fclose(f);
		return -EINVAL;
	}
	fclose(f);
	s->policy = authz_policy_load(text, (size_t)n, path, AUTHZ_POLICY_IDENTITY, path, diags);
	free(text);
	return s->policy ? 0 : -EINVAL;
}

/* The decision of @w asking @action on @resource with @ctx; false when it cannot be asked. */
static bool side_eval(const struct side *s, struct authz_policy *allow_all, const struct who *w,
		      const char *action, const char *resource, const struct authz_ctx_entry *ctx,
		      size_t nctx, int64_t now, struct authz_result *r)
{
	const struct authz_principal *p;
	struct diag err;

	memset(r, 0, sizeof(*r));
	r->decision = AUTHZ_IMPLICIT_DENY;
	r->reason = AUTHZ_REASON_NO_ALLOW;
	if (s->policy) {
		struct authz_policy_set set = { .identity = &s->policy, .nidentity = 1 };
		struct authz_request req = { .principal = w->name,
					     .action = action,
					     .resource = resource,
					     .context = ctx,
					     .ncontext = nctx };

		return authz_evaluate(&set, &req, r) == 0;
	}
	if (w->external) {
		/* The other account's admin can grant its principal anything: the trust policy
		 * decides. */
		const struct authz_principal *role = authz_store_find(s->store, w->role);
		struct authz_policy *id[1] = { allow_all };
		struct authz_policy_set set = { .identity = id,
						.nidentity = 1,
						.resource_must_allow = true };
		struct authz_request req = { .principal = w->name,
					     .action = action,
					     .resource = resource,
					     .context = ctx,
					     .ncontext = nctx };

		if (!role || !authz_principal_is_role(role))
			return true; /* no such role on this side: denied */
		set.resource = role->e.trust;
		return authz_evaluate(&set, &req, r) == 0;
	}
	p = authz_store_find(s->store, w->name);
	if (!p)
		return true; /* no such principal on this side: denied */
	if (w->role) {
		struct authz_session *sess = NULL;
		struct authz_query q = { .action = action,
					 .resource = resource,
					 .context = ctx,
					 .ncontext = nctx,
					 .now_ms = now };
		int rc = authz_store_assume_role(s->store, p, w->role, "ghdiff", NULL, 0, ctx, nctx,
						 now, r, &sess, &err);

		if (rc == -ENOENT)
			return true;
		if (rc < 0)
			return false;
		if (r->decision != AUTHZ_ALLOW)
			return true; /* AssumeRole itself is denied */
		q.session = sess;
		rc = authz_store_evaluate(s->store, &q, r, &err);
		authz_session_free(sess);
		return rc == 0;
	}
	{
		struct authz_query q = { .principal = p,
					 .action = action,
					 .resource = resource,
					 .context = ctx,
					 .ncontext = nctx,
					 .now_ms = now };

		return authz_store_evaluate(s->store, &q, r, &err) == 0;
	}
}

/* ---- the search ---------------------------------------------------------------- */

/**
 * struct search - one diff run
 */
struct search {
	struct side old, new;
	struct authz_policy *allow_all;
	const struct authz_diff_opts *o;
	struct mined m;
	struct strset actions, resources;
	struct who *whos;
	size_t nwhos;
	json_t *granted, *revoked, *reclassified;
	struct mined focus;
	struct strset focus_who, focus_actions, focus_resources;
	uint64_t *done;
	size_t ndone, capdone;
	uint64_t rng;
	double start, deadline, first_granted;
	bool stopped, sampled;
	size_t requests;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static bool allowed(const struct authz_result *r)
{
	return r->decision == AUTHZ_ALLOW;
}

static json_t *context_json(const struct authz_ctx_entry *ctx, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < n; i++) {
		json_t *v;

		if (ctx[i].multi) {
			v = json_array();
			for (size_t j = 0; j < ctx[i].nvalues; j++)
				json_array_append_new(v, json_stringn(ctx[i].values[j].s,
								      ctx[i].values[j].len));
		} else {
			v = json_stringn(ctx[i].values[0].s, ctx[i].values[0].len);
		}
		json_object_set_new(o, ctx[i].key, v);
	}
	return o;
}

/* Kinds of change, as bits: a witness is kept per principal, action and kind. */
enum {
	CHANGE_GRANTED = 1,
	CHANGE_REVOKED = 2,
	CHANGE_RECLASSIFIED = 4,
};

static unsigned change_kind(const struct search *s, const struct authz_result *a,
			    const struct authz_result *b)
{
	if (!allowed(a) && allowed(b))
		return CHANGE_GRANTED;
	if (allowed(a) && !allowed(b))
		return CHANGE_REVOKED;
	return s->o->all && a->decision != b->decision ? CHANGE_RECLASSIFIED : 0;
}

/* Re-evaluate on both sides and keep the change, if it still is one. */
static void record(struct search *s, const struct who *w, const char *action, const char *resource,
		   const struct authz_ctx_entry *ctx, size_t n)
{
	static const char *const names[] = { [CHANGE_GRANTED] = "granted",
					     [CHANGE_REVOKED] = "revoked",
					     [CHANGE_RECLASSIFIED] = "reclassified" };
	struct authz_result a, b;
	json_t *c, *old, *new, *list;
	unsigned kind;

	if (!side_eval(&s->old, s->allow_all, w, action, resource, ctx, n, s->o->now_ms, &a) ||
	    !side_eval(&s->new, s->allow_all, w, action, resource, ctx, n, s->o->now_ms, &b))
		return;
	kind = change_kind(s, &a, &b);
	if (!kind)
		return;
	list = kind == CHANGE_GRANTED	? s->granted
	       : kind == CHANGE_REVOKED ? s->revoked
					: s->reclassified;
	c = json_object();
	old = json_object();
	new = json_object();
	if (!c || !old || !new || !az_output_result(old, &a, false) ||
	    !az_output_result(new, &b, false)) {
		json_decref(c);
		json_decref(old);
		json_decref(new);
		return;
	}
	json_object_set_new(c, "change", json_string(names[kind]));
	json_object_set_new(c, "principal", json_string(w->name));
	if (w->role)
		json_object_set_new(c, "assume_role", json_string(w->role));
	json_object_set_new(c, "action", json_string(action));
	json_object_set_new(c, "resource", json_string(resource));
	json_object_set_new(c, "context", context_json(ctx, n));
	json_object_set_new(c, "old", old);
	json_object_set_new(c, "new", new);
	json_array_append_new(list, c);
	if (kind == CHANGE_GRANTED && s->first_granted < 0)
		s->first_granted = now_s() - s->start;
}

/*
 * Evaluate one request on both sides; when it is a change of a kind in
 * @want, record it and return its kind bit.
 */
static unsigned try(struct search *s, const struct who *w, const char *action, const char *resource,
		    const struct authz_ctx_entry *ctx, size_t n, unsigned want,
		    struct authz_result *a, struct authz_result *b)
{
	unsigned kind;

	s->requests++;
	if (!side_eval(&s->old, s->allow_all, w, action, resource, ctx, n, s->o->now_ms, a) ||
	    !side_eval(&s->new, s->allow_all, w, action, resource, ctx, n, s->o->now_ms, b))
		return 0;
	kind = change_kind(s, a, b) & want;
	if (kind)
		record(s, w, action, resource, ctx, n);
	return kind;
}

static void add_relevant(struct search *s, const struct authz_result *r, struct keyvals **rel,
			 size_t *nrel)
{
	for (size_t i = 0; i < r->nmissing; i++) {
		for (size_t k = 0; k < s->m.nkeys; k++) {
			bool dup = false;

			if (strcasecmp(s->m.keys[k].key, r->missing[i]) || !s->m.keys[k].vals.n)
				continue;
			for (size_t j = 0; j < *nrel; j++)
				dup |= rel[j] == &s->m.keys[k];
			if (!dup)
				rel[(*nrel)++] = &s->m.keys[k];
		}
	}
}

/*
 * One (principal, action, resource): the contexts over the keys that
 * matter there, until a witness of each kind in @want is found.  Returns
 * the kinds found.
 */
static unsigned explore(struct search *s, const struct who *w, const char *action,
			const char *resource, unsigned want)
{
	struct authz_result a, b;
	struct keyvals *rel[AUTHZ_RESULT_MISSING_MAX * 2 + 64];
	struct authz_ctx_entry ctx[sizeof(rel) / sizeof(rel[0])];
	struct authz_value vals[sizeof(rel) / sizeof(rel[0])];
	size_t nrel = 0, total = 1, idx[sizeof(rel) / sizeof(rel[0])];
	unsigned found = try(s, w, action, resource, NULL, 0, want, &a, &b);
	bool sample;

	add_relevant(s, &a, rel, &nrel);
	add_relevant(s, &b, rel, &nrel);
	/* IfExists and Null keys of the statements that can match the action. */
	for (size_t k = 0; k < s->m.nkeys && nrel < 64; k++) {
		const struct keyvals *kv = &s->m.keys[k];
		char low[256];
		size_t len = strlen(action);

		if (!kv->ifexists_actions.n || len >= sizeof(low))
			continue;
		gh_lower(low, action, len);
		for (size_t i = 0; i < kv->ifexists_actions.n; i++) {
			const char *pat = kv->ifexists_actions.v[i];

			if (az_glob_match_general(pat, strlen(pat), low, len)) {
				struct authz_result fake = { .nmissing = 1 };

				fake.missing[0] = kv->key;
				add_relevant(s, &fake, rel, &nrel);
				break;
			}
		}
	}
	if (!nrel || found == want)
		return found;
	for (size_t i = 0; i < nrel && total <= DIFF_CONTEXTS_MAX; i++)
		total *= rel[i]->vals.n + 1;
	sample = total > DIFF_CONTEXTS_MAX;
	if (sample) {
		total = DIFF_CONTEXTS_MAX;
		s->sampled = true;
	}
	for (size_t t = 0; t < total; t++) {
		size_t n = 0, rest = t;

		/* Mixed-radix counter over (absent, value 1, ...) per key, or a random pick. */
		for (size_t i = 0; i < nrel; i++) {
			size_t radix = rel[i]->vals.n + 1;

			idx[i] = sample ? splitmix(&s->rng) % radix : rest % radix;
			rest /= radix;
			if (idx[i] == 0)
				continue;
			vals[n].s = rel[i]->vals.v[idx[i] - 1];
			vals[n].len = strlen(vals[n].s);
			authz_ctx_entry_init(&ctx[n], rel[i]->key, strlen(rel[i]->key), &vals[n], 1,
					     rel[i]->multi);
			n++;
		}
		found |= try(s, w, action, resource, ctx, n, want & ~found, &a, &b);
		if (found == want)
			break;
	}
	return found;
}

/* Is @name (a user or role name, or an external ARN) one of --principal's (names or ARNs)? */
static bool wanted(const struct search *s, const char *name)
{
	const struct authz_principal *p = NULL;

	if (!s->o->nprincipals)
		return true;
	if (s->new.store)
		p = authz_store_find(s->new.store, name);
	if (!p && s->old.store)
		p = authz_store_find(s->old.store, name);
	for (size_t i = 0; i < s->o->nprincipals; i++) {
		const char *want = s->o->principals[i];

		if (!strcmp(want, name) || (p && !strcmp(want, authz_principal_arn(p))))
			return true;
	}
	return false;
}

static bool in_focus(const struct search *s, const char *name)
{
	for (size_t i = 0; i < s->focus_who.n; i++)
		if (!strcmp(s->focus_who.v[i], name))
			return true;
	return false;
}

/*
 * Rank: principals whose entry changed first, then the other users and
 * roles, then role sessions (callers that changed first), then other
 * accounts: a change near what was edited is found first.
 */
static int add_who(struct search *s, const char *name, const char *role, bool external)
{
	struct who *w = realloc(s->whos, (s->nwhos + 1) * sizeof(*w));
	bool focus = in_focus(s, name) || (role && in_focus(s, role));

	if (!w)
		return -ENOMEM;
	s->whos = w;
	w[s->nwhos] = (struct who){ .name = name,
				    .role = role,
				    .external = external,
				    .rank = (role ? 2 : 0) + (focus ? 0 : 1),
				    .order = s->nwhos };
	s->nwhos++;
	return 0;
}

static int who_cmp(const void *x, const void *y)
{
	const struct who *a = x, *b = y;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* Is @arn a principal of @store's own account (whose principals the store lists)? */
static bool same_account(const struct authz_store *store, const char *arn)
{
	size_t n = strlen(store->account), skip = GH_LIT_LEN("arn:aws:iam::");

	return gh_starts_with(arn, "arn:aws:iam::") && !strncmp(arn + skip, store->account, n) &&
	       arn[skip + n] == ':';
}

static int build_whos(struct search *s)
{
	int r = 0;

	if (s->old.policy) {
		const char *name = s->o->nprincipals ? s->o->principals[0] : DIFF_FILE_PRINCIPAL;

		return add_who(s, name, NULL, false);
	}
	for (size_t u = 0; u < s->m.users.n && r == 0; u++) {
		if (!wanted(s, s->m.users.v[u]))
			continue;
		r = add_who(s, s->m.users.v[u], NULL, false);
		if (r == 0)
			s->whos[s->nwhos - 1].user = true;
		for (size_t k = 0; k < s->m.roles.n && r == 0; k++)
			r = add_who(s, s->m.users.v[u], s->m.roles.v[k], false);
	}
	for (size_t k = 0; k < s->m.roles.n && r == 0; k++)
		if (wanted(s, s->m.roles.v[k]))
			r = add_who(s, s->m.roles.v[k], NULL, false);
	/* Other accounts' principals named by a trust policy, asking for each role. */
	for (size_t e = 0; e < s->m.external.n && r == 0; e++) {
		const char *x = s->m.external.v[e];

		if (authz_store_find(s->old.store, x) || authz_store_find(s->new.store, x) ||
		    same_account(s->old.store, x) || same_account(s->new.store, x) || !wanted(s, x))
			continue;
		for (size_t k = 0; k < s->m.roles.n && r == 0; k++)
			r = add_who(s, x, s->m.roles.v[k], true);
	}
	if (r == 0 && s->nwhos)
		qsort(s->whos, s->nwhos, sizeof(*s->whos), who_cmp);
	return r;
}

/* The role's ARN on whichever side has it. */
static const char *role_arn(const struct search *s, const char *role)
{
	const struct authz_principal *p = authz_store_find(s->new.store, role);

	if (!p)
		p = authz_store_find(s->old.store, role);
	return p ? authz_principal_arn(p) : NULL;
}

static uint64_t done_key(size_t who, const char *action)
{
	uint64_t h = 1469598103934665603ull ^ ((uint64_t)who + 1) * 0x9e3779b97f4a7c15ull;

	for (const char *p = action; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h | 1; /* 0 marks an empty slot */
}

/* Has (@who, @action) a witness already?  With @add, note that it has; false on OOM. */
static bool done(struct search *s, size_t who, const char *action, bool add)
{
	uint64_t k = done_key(who, action);
	size_t i;

	if (add && (s->ndone + 1) * 2 > s->capdone) {
		size_t cap = s->capdone ? s->capdone * 2 : 1024;
		uint64_t *t = calloc(cap, sizeof(*t)), *old = s->done;

		if (!t)
			return false;
		for (size_t j = 0; j < s->capdone; j++) {
			if (!old[j])
				continue;
			for (i = old[j] & (cap - 1); t[i]; i = (i + 1) & (cap - 1))
				;
			t[i] = old[j];
		}
		free(old);
		s->done = t;
		s->capdone = cap;
	}
	if (!s->capdone)
		return false;
	for (i = k & (s->capdone - 1); s->done[i]; i = (i + 1) & (s->capdone - 1))
		if (s->done[i] == k)
			return true;
	if (add) {
		s->done[i] = k;
		s->ndone++;
	}
	return false;
}

/* @r for @w: a ${aws:username} part becomes the user's name (a session has none). */
static const char *resource_for(const struct who *w, const char *r, char *buf, size_t size)
{
	const char *u = strstr(r, DIFF_USERNAME);

	if (!u)
		return r;
	snprintf(buf, size, "%.*s%s%s", (int)(u - r), r, w->user ? w->name : "ghdiff",
		 u + strlen(DIFF_USERNAME));
	return buf;
}

/* The kinds of change (@who, @action) still lacks a witness for. */
static unsigned wanted_kinds(struct search *s, size_t who, const char *action)
{
	unsigned want = 0;
	char key[512];

	for (unsigned k = CHANGE_GRANTED; k <= CHANGE_RECLASSIFIED; k <<= 1) {
		if (k == CHANGE_RECLASSIFIED && !s->o->all)
			continue;
		snprintf(key, sizeof(key), "%u:%s", k, action);
		if (!done(s, who, key, false))
			want |= k;
	}
	return want;
}

static void mark_done(struct search *s, size_t who, const char *action, unsigned kinds)
{
	char key[512];

	for (unsigned k = CHANGE_GRANTED; k <= CHANGE_RECLASSIFIED; k <<= 1) {
		if (!(kinds & k))
			continue;
		snprintf(key, sizeof(key), "%u:%s", k, action);
		done(s, who, key, true);
	}
}

/* (@who, @action) over @resources until each kind has a witness. */
static void explore_action(struct search *s, size_t who, const char *action,
			   const struct strset *resources)
{
	const struct who *w = &s->whos[who];
	unsigned want = wanted_kinds(s, who, action);

	for (size_t r = 0; r < resources->n && want && !s->stopped; r++) {
		char buf[2048];
		const char *res = resource_for(w, resources->v[r], buf, sizeof(buf));
		unsigned found = explore(s, w, action, res, want);

		mark_done(s, who, action, found);
		want &= ~found;
		if (now_s() > s->deadline)
			s->stopped = true;
	}
}

/* Every principal (of the focus only, or all) x @actions x @resources, until the deadline. */
static void search_phase(struct search *s, const struct strset *actions,
			 const struct strset *resources, bool only_focus)
{
	for (size_t i = 0; i < s->nwhos && !s->stopped; i++) {
		const struct who *w = &s->whos[i];

		if (only_focus && w->rank % 2)
			continue;
		if (w->external) {
			const char *arn = role_arn(s, w->role);
			struct strset one = { .v = (char **)&arn, .n = 1 };

			if (arn)
				explore_action(s, i, "sts:AssumeRole", &one);
			continue;
		}
		for (size_t a = 0; a < actions->n && !s->stopped; a++)
			explore_action(s, i, actions->v[a], resources);
	}
}

/*
 * First what the edit touched (the statements that changed, the
 * principals whose entries changed), then everything, as time allows.
 */
static void search_run(struct search *s)
{
	const struct strset *fa = s->focus_actions.n ? &s->focus_actions : &s->actions;
	const struct strset *fr = s->focus_resources.n ? &s->focus_resources : &s->resources;

	if (s->focus_actions.n || s->focus_resources.n)
		search_phase(s, fa, fr, false);
	else if (s->focus_who.n)
		search_phase(s, &s->actions, &s->resources, true);
	search_phase(s, &s->actions, &s->resources, false);
}

static void report_all(json_t *list, void (*report)(json_t *, void *), void *data)
{
	size_t i;
	json_t *c;

	json_array_foreach(list, i, c)
		report(c, data);
}

int authz_diff(const char *old_path, const char *new_path, const struct authz_diff_opts *o,
	       void (*report)(json_t *change, void *data), void *data,
	       struct authz_diff_summary *ret, struct diag_list *diags)
{
	static const char allow_all[] = "{\"Version\": \"2012-10-17\", \"Statement\": "
					"{\"Effect\": \"Allow\", \"Action\": \"*\", "
					"\"Resource\": \"*\"}}";
	struct search *s = calloc(1, sizeof(*s));
	int r;

	memset(ret, 0, sizeof(*ret));
	if (!s)
		return -ENOMEM;
	s->o = o;
	s->rng = o->seed;
	s->start = now_s();
	s->first_granted = -1;
	r = side_load(old_path, &s->old, diags);
	if (side_load(new_path, &s->new, diags) < 0)
		r = -EINVAL;
	if (r == 0 && !s->old.policy != !s->new.policy) {
		diag_add(diags, DIAG_ERROR, new_path, "", 0, 0,
			 "OLD and NEW must both be store directories or both be policy files");
		r = -EINVAL;
	}
	if (r < 0)
		goto out;
	s->allow_all = authz_policy_load(allow_all, sizeof(allow_all) - 1, "diff",
					 AUTHZ_POLICY_IDENTITY, "allow-all", diags);
	mine_path(&s->m, old_path, 0);
	mine_path(&s->m, new_path, 0);
	build_actions(&s->m, &s->actions);
	build_resources(&s->m, &s->resources);
	diff_paths(&s->focus, &s->focus_who, old_path, new_path);
	build_actions(&s->focus, &s->focus_actions);
	build_resources(&s->focus, &s->focus_resources);
	s->granted = json_array();
	s->revoked = json_array();
	s->reclassified = json_array();
	r = s->m.err ? s->m.err : s->focus.err;
	if (r == 0 && (!s->allow_all || !s->granted || !s->revoked || !s->reclassified))
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && s->old.store && i < o->nprincipals; i++) {
		const char *x = o->principals[i];
		bool external = false;

		for (size_t e = 0; e < s->m.external.n; e++)
			external |= !strcmp(s->m.external.v[e], x);
		if (!authz_store_find(s->old.store, x) && !authz_store_find(s->new.store, x) &&
		    !external) {
			diag_add(diags, DIAG_ERROR, new_path, "", 0, 0,
				 "--principal %s: no such user or role in either version", x);
			r = -EINVAL;
		}
	}
	if (r == 0)
		r = build_whos(s);
	if (r < 0)
		goto out;
	s->deadline = s->start + o->seconds;
	search_run(s);
	report_all(s->granted, report, data);
	report_all(s->revoked, report, data);
	report_all(s->reclassified, report, data);
	ret->principals = s->nwhos;
	ret->actions = s->actions.n;
	ret->resources = s->resources.n;
	for (size_t i = 0; i < s->m.nkeys; i++)
		ret->values += s->m.keys[i].vals.n;
	ret->requests = s->requests;
	ret->exhaustive = !s->stopped && !s->sampled;
	ret->granted = json_array_size(s->granted);
	ret->revoked = json_array_size(s->revoked);
	ret->reclassified = json_array_size(s->reclassified);
	ret->first_granted_s = s->first_granted;
	ret->seconds = now_s() - s->start;
out:
	authz_store_unref(s->old.store);
	authz_store_unref(s->new.store);
	authz_policy_unref(s->old.policy);
	authz_policy_unref(s->new.policy);
	authz_policy_unref(s->allow_all);
	mined_free(&s->m);
	mined_free(&s->focus);
	set_free(&s->focus_who);
	set_free(&s->focus_actions);
	set_free(&s->focus_resources);
	free(s->done);
	set_free(&s->actions);
	set_free(&s->resources);
	free(s->whos);
	json_decref(s->granted);
	json_decref(s->revoked);
	json_decref(s->reclassified);
	free(s);
	return r;
}
