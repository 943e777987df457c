/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One decision, as every decision endpoint makes it: the caller's context
 * checked (no key the daemon derives, no MFA key: MFA facts come from the
 * daemon's own TOTP check, never from the caller), the principal or session
 * resolved, the daemon's MFA facts added, the store asked, the decision
 * counted and logged.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int gd_fail(struct gd_err *e, int status, const char *code, const char *path, const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	gh_strlcpy(e->code, code, sizeof(e->code));
	gh_strlcpy_ellipsis(e->path, path ? path : "", sizeof(e->path));
	va_start(ap, fmt);
	gh_vsnprintf_ellipsis(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	gh_utf8_sanitize(e->path);
	gh_utf8_sanitize(e->msg);
	return -1;
}

json_t *gd_err_json(const struct gd_err *e)
{
	json_t *o = json_pack("{ss ss}", "code", e->code, "message", e->msg);

	if (o && e->path[0])
		json_object_set_new(o, "path", json_string(e->path));
	return o;
}

void gd_err_answer(struct http_response *res, const struct gd_err *e)
{
	json_t *o = gd_err_json(e);

	gd_json(res, e->status, o ? json_pack("{so}", "error", o) : NULL);
}

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

void gd_ctxb_reset(struct gd_ctxb *cb)
{
	cb->n = cb->nv = cb->nkeytext = cb->ncaller = cb->ntags = 0;
}

int gd_err_at(struct gd_err *err, const char *where, const char *key)
{
	char rel[sizeof(err->path)];
	size_t n;

	gh_strlcpy(rel, err->path, sizeof(rel));
	n = (size_t)snprintf(err->path, sizeof(err->path), "%s%s%s", where,
			     key && *where ? "." : "", key ? key : "");
	if (n < sizeof(err->path) && rel[0] &&
	    (size_t)snprintf(err->path + n, sizeof(err->path) - n, "%s%s",
			     n && rel[0] != '[' && rel[0] != '.' ? "." : "",
			     rel) >= sizeof(err->path) - n)
		n = sizeof(err->path); /* cut: marked below */
	if (n >= sizeof(err->path))
		memcpy(err->path + sizeof(err->path) - 4, "...", 4);
	gh_utf8_sanitize(err->path);
	return -1;
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
static void add_mfa(struct gd_ctxb *cb, int64_t mfa_ms, int64_t now_ms)
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

struct authz_session *gd_role_rebuild(void *ctx, const struct authz_store *s,
				      const struct gd_session_info *info)
{
	const struct authz_principal *p = authz_store_find(s, info->user);
	struct gd_ctxb *cb;
	struct authz_session *sess = NULL;
	struct authz_result r;
	struct diag err;
	struct gd_err gerr;
	json_t *actx = NULL;

	(void)ctx;
	if (!p || authz_principal_is_role(p) || !(cb = gd_ctxb_new()))
		return NULL;
	if (info->assume_context[0]) {
		actx = json_loads(info->assume_context, 0, NULL);
		if (!actx || gd_ctxb_add_object(cb, actx, "context", &gerr) < 0) {
			json_decref(actx);
			gd_ctxb_free(cb);
			return NULL;
		}
	}
	if (info->mfa)
		add_mfa(cb, info->mfa_ms, info->issued_ms);
	/* As of when the role was assumed: same time, same MFA facts. */
	if (authz_store_assume_role(s, p, info->role, info->session_name, NULL, 0, cb->e, cb->n,
				    info->issued_ms, &r, &sess, &err) < 0 ||
	    r.decision != AUTHZ_ALLOW)
		sess = authz_session_free(sess);
	json_decref(actx); /* after the assumption: the context borrowed its strings */
	gd_ctxb_free(cb);
	return sess;
}

const char *gd_reason(enum authz_decision dec)
{
	switch (dec) {
	case AUTHZ_ALLOW: return "allowed";
	case AUTHZ_EXPLICIT_DENY: return "explicit_deny";
	default: return "implicit_deny";
	}
}

json_t *gd_matched_json(const struct authz_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->nmatched; i++) {
		const struct authz_match *m = &r->matched[i];
		char label[48];
		const char *name = authz_policy_name(m->policy);

		/* The daemon sends no session policies; a library that adds some is named by slot.
		 */
		if (m->slot == AUTHZ_SLOT_SESSION) {
			snprintf(label, sizeof(label), "session_policies[%u]", m->slot_index);
			name = label;
		}
		if (json_array_append_new(a, json_pack("{ss so si ss}", "policy", name, "sid",
						       m->sid ? json_string(m->sid) : json_null(),
						       "index", (int)m->index, "effect",
						       authz_effect_name(m->effect))) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *gd_answer_json(const struct gd_decision *dd)
{
	json_t *missing = json_array();

	for (size_t i = 0; missing && i < dd->r.nmissing; i++)
		json_array_append_new(missing, json_string(dd->r.missing[i]));
	return json_pack("{ss ss ss so* so* ss ss}", "decision",
			 dd->r.decision == AUTHZ_ALLOW ? "allow" : "deny", "reason",
			 gd_reason(dd->r.decision), "explanation", authz_reason_text(dd->r.reason),
			 "matched", gd_matched_json(&dd->r), "missing_context", missing,
			 "decision_id", dd->id, "principal", dd->principal);
}

void gd_iso_time(int64_t ms, char buf[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void log_decision(struct gd *d, const struct gd_call *c, const struct gd_decision *dd,
			 int64_t now_ms, int64_t us)
{
	struct gd_buf b = { 0 };
	char when[32];

	gd_iso_time(now_ms, when);
	gd_log_line_write(&b, when, dd, c->action, c->resource, us > 0 ? (uint64_t)us : 0);
	if (b.failed) {
		free(b.s);
		b.s = NULL;
	}
	gd_dlog_push(d->dlog, b.s);
}

/* "<16 hex of the start>-<12 hex of the counter>", without printf (it showed in profiles). */
static void format_id(char id[40], const char prefix[17], uint64_t n)
{
	static const char hex[] = "0123456789abcdef";

	memcpy(id, prefix, 16);
	id[16] = '-';
	for (int i = 12; i > 0; i--, n >>= 4)
		id[16 + i] = hex[n & 15];
	id[29] = '\0';
}

int gd_decide(struct gd *d, struct authz_store *s, const struct gd_call *c, struct gd_ctxb *cb,
	      struct gd_decision *out, struct gd_err *err)
{
	/* The decision's own latency is for the log only: no clock read without one. */
	int64_t t0 = d->dlog ? mono_us() : 0, now_ms = gd_clock_now_ms(&d->clock);
	struct authz_query q = { 0 }; /* zeroed: fields added to the query later stay unset */
	struct gd_role_session *role = NULL;
	struct gd_session_info info;
	struct diag why;
	int r;

	if (!c->action || !c->resource)
		return gd_fail(err, 400, "invalid_request", c->action ? "resource" : "action",
			       "a request needs an action and a resource");
	if (!!c->principal == !!c->session)
		return gd_fail(err, 400, "invalid_request", "",
			       "a request names exactly one of principal and session");
	if (c->principal) {
		q.principal = authz_store_find(s, c->principal);
		if (!q.principal)
			return gd_fail(err, 404, "unknown_principal", "principal",
				       "no user or role %s in the store", c->principal);
		gh_strlcpy(out->principal, authz_principal_arn(q.principal),
			   sizeof(out->principal));
	} else {
		r = gd_sessions_find(d->sessions, c->session, now_ms, s, gd_role_rebuild, d, &info,
				     &role);
		if (r == -ETIME)
			return gd_fail(err, 401, "session_expired", "session",
				       "the session has expired");
		if (r < 0)
			return gd_fail(err, 401, "invalid_session", "session",
				       "no such session (unknown, revoked or ended by a reload)");
		if (role) {
			q.session = gd_role_session_get(role);
			gh_strlcpy(out->principal, authz_session_arn(q.session),
				   sizeof(out->principal));
		} else {
			q.principal = authz_store_find(s, info.user);
			if (!q.principal)
				return gd_fail(err, 401, "invalid_session", "session",
					       "the session's user %s is no longer in the store",
					       info.user);
			gh_strlcpy(out->principal, authz_principal_arn(q.principal),
				   sizeof(out->principal));
			/* A role session keeps the facts fixed when it was assumed. */
			if (info.mfa)
				add_mfa(cb, info.mfa_ms, now_ms);
		}
	}
	q.action = c->action;
	q.resource = c->resource;
	q.context = cb->e;
	q.ncontext = cb->n;
	q.now_ms = now_ms;
	r = authz_store_evaluate(s, &q, &out->r, &why);
	gd_role_session_unref(role);
	if (r < 0)
		return gd_fail(err, 400, r == -EPERM ? "derived_key" : "invalid_request", why.path,
			       "%s", why.message);
	format_id(out->id, d->id_prefix, atomic_fetch_add(&d->next_id, 1));
	gd_metrics_decision(&d->metrics, out->r.decision);
	if (d->dlog)
		log_decision(d, c, out, now_ms, mono_us() - t0);
	return 0;
}

json_t *gd_body(const struct http_request *req, struct http_response *res)
{
	struct gh_jread_err je;
	json_t *v;

	if (!req->body_len) {
		gd_error(res, 400, "invalid_json", NULL, "the request needs a JSON object body");
		return NULL;
	}
	v = gh_json_read(req->body, req->body_len, NULL, &je);
	if (!v) {
		gd_error(res, 400, "invalid_json", NULL, "body, byte %zu: %s", je.offset, je.text);
		return NULL;
	}
	if (!json_is_object(v)) {
		gd_error(res, 400, "invalid_json", NULL, "the body is a JSON object, not %s",
			 gh_json_type_name(v));
		json_decref(v);
		return NULL;
	}
	return v;
}

struct authz_store *gd_store_or_503(struct gd *d, struct http_response *res)
{
	struct authz_store *s = gd_store_get(&d->store, NULL);

	if (!s)
		gd_error(res, 503, "not_ready", NULL, "no store loaded yet");
	return s;
}
