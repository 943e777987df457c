/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The request context under construction, as every decision endpoint
 * builds it: the caller's keys checked (no key the daemon derives, no MFA
 * key: MFA facts come from the daemon's own TOTP check, never from the
 * caller), AuthZEN's resource properties as resource tags, and the
 * daemon's own MFA facts.  Below reqread.c (which adds the keys it read)
 * and decide.c (which adds the MFA facts of a session).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/str.h"
#include "daemon/daemon.h"

/* Resource tags an AuthZEN resource may carry beyond GD_CONTEXT_MAX caller keys. */
#define CTXB_TAGS_MAX 16
#define CTXB_ENTRIES (GD_CONTEXT_MAX + CTXB_TAGS_MAX + 2)
/* Room for the "aws:ResourceTag/<name>" keys built for AuthZEN resource properties. */
#define CTXB_KEYTEXT 2048

/**
 * struct gd_ctxb - a request context under construction (values borrowed
 * from the request's JSON tree, numbers printed into @num)
 * @mfa_age: text of the daemon's aws:MultiFactorAuthAge
 */
struct gd_ctxb {
	struct authz_ctx_entry e[CTXB_ENTRIES];
	struct authz_value v[GD_VALUES_MAX + 2];
	char num[GD_VALUES_MAX][GH_JSON_SCALAR_MAX];
	char keytext[CTXB_KEYTEXT];
	char mfa_age[24];
	size_t n, nv, nkeytext, ncaller, ntags;
};

/*
 * One gd_ctxb kept per thread between requests: it is 24 KiB, and its
 * malloc per request made glibc consolidate its fast bins each time
 * (a large request does).  Freed with the thread.
 */
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static bool spare_ok;

static void spare_init(void)
{
	spare_ok = pthread_key_create(&spare_key, free) == 0;
}

struct gd_ctxb *gd_ctxb_new(void)
{
	struct gd_ctxb *cb = NULL;

	pthread_once(&spare_once, spare_init);
	if (spare_ok && (cb = pthread_getspecific(spare_key)))
		pthread_setspecific(spare_key, NULL);
	/* Not calloc: 20 KiB zeroed per request showed in profiles; only the counts need it. */
	if (!cb)
		cb = malloc(sizeof(*cb));
	if (cb)
		gd_ctxb_reset(cb);
	return cb;
}

void gd_ctxb_free(struct gd_ctxb *cb)
{
	if (cb && spare_ok && !pthread_getspecific(spare_key) &&
	    pthread_setspecific(spare_key, cb) == 0)
		return;
	free(cb);
}

const struct authz_ctx_entry *gd_ctxb_entries(const struct gd_ctxb *cb, size_t *ret_n)
{
	*ret_n = cb->n;
	return cb->e;
}

void gd_ctxb_reset(struct gd_ctxb *cb)
{
	cb->n = cb->nv = cb->nkeytext = cb->ncaller = cb->ntags = 0;
}

/* Room for one more value in cb->v. */
static int value_room(struct gd_ctxb *cb, const char *path, struct gd_err *err)
{
	if (cb->nv >= GD_VALUES_MAX)
		return gd_fail(err, 400, "too_many_values", path,
			       "more than %d context values in one request", GD_VALUES_MAX);
	return 0;
}

/* One scalar into cb->v (numbers and booleans printed into cb->num). */
static int add_value(struct gd_ctxb *cb, json_t *v, const char *path, struct gd_err *err)
{
	const char *s;
	size_t len;

	if (value_room(cb, path, err) < 0)
		return -1;
	s = gh_json_scalar_text(v, cb->num[cb->nv], &len);
	if (!s)
		return gd_fail(err, 400, "invalid_context", path,
			       "a context value is a string, number, boolean or a list of them, "
			       "not %s",
			       gh_json_type_name(v));
	cb->v[cb->nv].s = s;
	cb->v[cb->nv].len = len;
	cb->nv++;
	return 0;
}

/* @key is not in @cb yet, in any letter case (the failure's path is relative: ""). */
static int new_key(struct gd_ctxb *cb, const char *key, size_t keylen, struct gd_err *err)
{
	for (size_t k = 0; k < cb->n; k++)
		if (gh_eq_nocase(cb->e[k].key, cb->e[k].keylen, key, keylen))
			return gd_fail(err, 400, "duplicate_key", "",
				       "context key given twice (keys ignore letter case)");
	return 0;
}

/* @key = @v (a scalar or a list of scalars), its text borrowed. */
static int add_entry(struct gd_ctxb *cb, const char *key, size_t keylen, json_t *v,
		     struct gd_err *err)
{
	size_t first = cb->nv, i;
	json_t *x;

	if (new_key(cb, key, keylen, err) < 0)
		return -1;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if (add_value(cb, x, "", err) < 0) {
				snprintf(err->path, sizeof(err->path), "[%zu]", i);
				return -1;
			}
		}
	} else if (add_value(cb, v, "", err) < 0) {
		return -1;
	}
	authz_ctx_entry_init(&cb->e[cb->n++], key, keylen, &cb->v[first], cb->nv - first,
			     json_is_array(v));
	return 0;
}

/* What a caller may not set, and the cap on how many keys it sets (@key of @where). */
static int caller_key(struct gd_ctxb *cb, const char *key, size_t klen, const char *where,
		      struct gd_err *err)
{
	if (authz_key_is_mfa(key, klen))
		return gd_fail(err, 400, "derived_key", "",
			       "%s comes from the daemon's own TOTP check (open a session "
			       "with POST /v1/sessions and an mfa_code); a caller cannot "
			       "set it",
			       key),
		       gd_err_at(err, where, key);
	if (authz_key_is_derived(key, klen))
		return gd_fail(err, 400, "derived_key", "",
			       "%s is derived by gatehouse from the principal and the clock; "
			       "a caller cannot set it",
			       key),
		       gd_err_at(err, where, key);
	if (cb->ncaller >= GD_CONTEXT_MAX)
		return gd_fail(err, 400, "too_many_keys", where, "more than %d context keys",
			       GD_CONTEXT_MAX);
	return 0;
}

int gd_ctxb_add_object(struct gd_ctxb *cb, json_t *obj, const char *where, struct gd_err *err)
{
	const char *key;
	json_t *v;

	if (!obj || json_is_null(obj))
		return 0;
	if (!json_is_object(obj))
		return gd_fail(err, 400, "invalid_context", where,
			       "context is an object of keys and values, not %s",
			       gh_json_type_name(obj));
	json_object_foreach(obj, key, v) {
		size_t klen = strlen(key);

		if (caller_key(cb, key, klen, where, err) < 0)
			return -1;
		if (add_entry(cb, key, klen, v, err) < 0)
			return gd_err_at(err, where, key);
		cb->ncaller++;
	}
	return 0;
}

int gd_ctxb_add_texts(struct gd_ctxb *cb, const char *key, size_t klen, const struct authz_value *v,
		      size_t nv, bool list, const char *where, struct gd_err *err)
{
	size_t first = cb->nv;

	if (caller_key(cb, key, klen, where, err) < 0)
		return -1;
	if (new_key(cb, key, klen, err) < 0)
		return gd_err_at(err, where, key);
	for (size_t i = 0; i < nv; i++) {
		if (value_room(cb, "", err) < 0) {
			if (list)
				snprintf(err->path, sizeof(err->path), "[%zu]", i);
			return gd_err_at(err, where, key);
		}
		cb->v[cb->nv++] = v[i];
	}
	authz_ctx_entry_init(&cb->e[cb->n++], key, klen, &cb->v[first], cb->nv - first, list);
	cb->ncaller++;
	return 0;
}

int gd_ctxb_add_tag(struct gd_ctxb *cb, const char *name, json_t *v, const char *where,
		    struct gd_err *err)
{
	static const char prefix[] = "aws:ResourceTag/";
	size_t nlen = strlen(name), klen = sizeof(prefix) - 1 + nlen;
	char *key;
	size_t i;
	json_t *x;

	if (cb->ntags >= CTXB_TAGS_MAX)
		return gd_fail(err, 400, "too_many_keys", where, "more than %d resource properties",
			       CTXB_TAGS_MAX);
	json_array_foreach(json_is_array(v) ? v : NULL, i, x)
		if (!json_is_string(x))
			v = NULL;
	if (!json_is_string(v) && !json_is_array(v))
		return gd_fail(err, 400, "invalid_property", where,
			       "a resource property is a string or a list of strings (it becomes "
			       "aws:ResourceTag/%s)",
			       name);
	if (klen + 1 > CTXB_KEYTEXT - cb->nkeytext)
		return gd_fail(err, 400, "too_many_keys", where,
			       "resource property names too long");
	key = cb->keytext + cb->nkeytext;
	memcpy(key, prefix, sizeof(prefix) - 1);
	memcpy(key + sizeof(prefix) - 1, name, nlen + 1);
	cb->nkeytext += klen + 1;
	if (add_entry(cb, key, klen, v, err) < 0)
		return gd_err_at(err, where, NULL);
	cb->ntags++;
	return 0;
}

/* The daemon's MFA facts: present, and the age of the TOTP check, now. */
void gd_ctxb_add_mfa(struct gd_ctxb *cb, int64_t mfa_ms, int64_t now_ms)
{
	static const char present[] = "aws:MultiFactorAuthPresent",
			  age[] = "aws:MultiFactorAuthAge";
	int64_t secs = now_ms > mfa_ms ? (now_ms - mfa_ms) / 1000 : 0;
	struct authz_value *v = &cb->v[GD_VALUES_MAX];

	snprintf(cb->mfa_age, sizeof(cb->mfa_age), "%lld", (long long)secs);
	v[0].s = "true";
	v[0].len = 4;
	v[1].s = cb->mfa_age;
	v[1].len = strlen(cb->mfa_age);
	authz_ctx_entry_init(&cb->e[cb->n++], present, sizeof(present) - 1, &v[0], 1, false);
	authz_ctx_entry_init(&cb->e[cb->n++], age, sizeof(age) - 1, &v[1], 1, false);
}
