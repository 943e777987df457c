/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One decision, as every decision endpoint makes it: the caller's context
 * (checked as context.c builds it), the principal or session resolved, the
 * daemon's MFA facts added, the store asked, the decision counted and
 * logged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/str.h"
#include "daemon/daemon.h"

struct authz_session *gd_role_rebuild(void *ctx, const struct authz_store *s,
				      const struct gd_session_info *info)
{
	const struct authz_principal *p = authz_store_find(s, info->user);
	struct gd_ctxb *cb;
	const struct authz_ctx_entry *entries;
	size_t nentries;
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
		gd_ctxb_add_mfa(cb, info->mfa_ms, info->issued_ms);
	/* As of when the role was assumed: same time, same MFA facts. */
	entries = gd_ctxb_entries(cb, &nentries);
	if (authz_store_assume_role(s, p, info->role, info->session_name, NULL, 0, entries,
				    nentries, info->issued_ms, &r, &sess, &err) < 0 ||
	    r.decision != AUTHZ_ALLOW)
		sess = authz_session_free(sess);
	json_decref(actx); /* after the assumption: the context borrowed its strings */
	gd_ctxb_free(cb);
	return sess;
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

void gd_turn_start(struct gd *d, struct gd_turn *t, size_t n)
{
	*t = (struct gd_turn){ .now_ms = gd_clock_now_ms(&d->clock) };
	if (n) {
		t->next_id = atomic_fetch_add(&d->next_id, n);
		t->end_id = t->next_id + n;
	}
}

void gd_turn_end(struct gd *d, struct gd_turn *t)
{
	for (size_t i = 0; i < _AUTHZ_DECISION_MAX; i++)
		if (t->counts[i])
			gd_metrics_decisions(&d->metrics, (enum authz_decision)i, t->counts[i]);
}

int gd_decide(struct gd *d, struct authz_store *s, const struct gd_call *c, struct gd_ctxb *cb,
	      struct gd_decision *out, struct gd_err *err)
{
	struct gd_turn t;
	int r;

	/* No id taken ahead: a refused request takes none. */
	gd_turn_start(d, &t, 0);
	r = gd_decide_in(d, &t, s, c, cb, out, err);
	gd_turn_end(d, &t);
	return r;
}

int gd_decide_in(struct gd *d, struct gd_turn *t, struct authz_store *s, const struct gd_call *c,
		 struct gd_ctxb *cb, struct gd_decision *out, struct gd_err *err)
{
	/* The decision's own latency is for the log only: no clock read without one. */
	int64_t t0 = d->dlog ? mono_us() : 0, now_ms = t->now_ms;
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
				gd_ctxb_add_mfa(cb, info.mfa_ms, now_ms);
		}
	}
	q.action = c->action;
	q.resource = c->resource;
	q.context = gd_ctxb_entries(cb, &q.ncontext);
	q.now_ms = now_ms;
	r = authz_store_evaluate(s, &q, &out->r, &why);
	gd_role_session_unref(role);
	if (r < 0)
		return gd_fail(err, 400, r == -EPERM ? "derived_key" : "invalid_request", why.path,
			       "%s", why.message);
	format_id(out->id, d->id_prefix,
		  t->next_id < t->end_id ? t->next_id++ : atomic_fetch_add(&d->next_id, 1));
	if (out->r.decision < _AUTHZ_DECISION_MAX)
		t->counts[out->r.decision]++;
	if (d->dlog)
		log_decision(d, c, out, now_ms, mono_us() - t0);
	return 0;
}

struct authz_store *gd_store_or_503(struct gd *d, struct http_response *res)
{
	struct authz_store *s = gd_store_get(&d->store, NULL);

	if (!s)
		gd_error(res, 503, "not_ready", NULL, "no store loaded yet");
	return s;
}
