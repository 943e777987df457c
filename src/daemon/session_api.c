/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * POST /v1/sessions: a user, optionally proven by a TOTP code, opens a
 * session, optionally as a role (sts:AssumeRole with the user's MFA
 * facts).  DELETE /v1/sessions/TOKEN revokes one.
 *
 * MFA facts exist only for a session whose TOTP code the daemon checked
 * itself; without mfa_code the session has no MFA keys at all, as AWS
 * credentials that never did MFA.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/macro.h"
#include "common/str.h"
#include "daemon/daemon.h"

static const char *const open_keys[] = { "user", "mfa_code",	 "duration_seconds",
					 "role", "session_name", "context" };

static int parse_open(json_t *b, struct gd_session_info *in, const char **code, struct gd_err *err)
{
	const char *key, *user, *role, *name;
	json_t *v, *dur;

	json_object_foreach(b, key, v) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(open_keys); i++)
			if (strcmp(key, open_keys[i]) == 0)
				break;
		if (i == ARRAY_SIZE(open_keys))
			return gd_fail(err, 400, "unknown_key", key,
				       "unknown key \"%s\" (expected user, mfa_code, "
				       "duration_seconds, role, session_name, context)",
				       key);
		if (i != 2 && i != 5 && !json_is_string(v))
			return gd_fail(err, 400, "invalid_request", key, "%s is a string", key);
	}
	user = json_string_value(json_object_get(b, "user"));
	role = json_string_value(json_object_get(b, "role"));
	name = json_string_value(json_object_get(b, "session_name"));
	*code = json_string_value(json_object_get(b, "mfa_code"));
	dur = json_object_get(b, "duration_seconds");
	if (!user)
		return gd_fail(err, 400, "invalid_request", "user", "a session needs a user");
	if (dur && (!json_is_integer(dur) || json_integer_value(dur) < GD_SESSION_MIN_S ||
		    json_integer_value(dur) > GD_SESSION_MAX_S))
		return gd_fail(err, 400, "invalid_request", "duration_seconds",
			       "duration_seconds is a whole number from %d to %d", GD_SESSION_MIN_S,
			       GD_SESSION_MAX_S);
	if (name && !role)
		return gd_fail(err, 400, "invalid_request", "session_name",
			       "session_name goes with role");
	if (json_object_get(b, "context") && !role)
		return gd_fail(err, 400, "invalid_request", "context",
			       "context (for sts:AssumeRole) goes with role");
	if (role && json_object_get(b, "context")) {
		json_t *c = json_object_get(b, "context");
		struct gd_ctxb *cb = gd_ctxb_new();
		int r = cb ? gd_ctxb_add_object(cb, c, "context", err) : -1;

		gd_ctxb_free(cb);
		if (!cb)
			return gd_fail(err, 500, "internal", NULL, "out of memory");
		if (r < 0)
			return r;
		if (json_dumpb(c, in->assume_context, sizeof(in->assume_context) - 1,
			       JSON_COMPACT) >= sizeof(in->assume_context) - 1)
			return gd_fail(err, 400, "invalid_request", "context",
				       "the context for sts:AssumeRole is at most %d bytes of JSON",
				       GD_ASSUME_CONTEXT_MAX - 2);
	}
	if (gh_strlcpy(in->user, user, sizeof(in->user)) >= sizeof(in->user) ||
	    gh_strlcpy(in->role, role ? role : "", sizeof(in->role)) >= sizeof(in->role) ||
	    gh_strlcpy(in->session_name, name ? name : user, sizeof(in->session_name)) >=
		sizeof(in->session_name))
		return gd_fail(err, 400, "invalid_request", "", "a name is too long");
	in->expires_ms = (dur ? json_integer_value(dur) : GD_SESSION_DEFAULT_S) * 1000;
	return 0;
}

static int check_code(struct gd *d, const char *user, const char *code, int64_t now_ms,
		      struct gd_err *err)
{
	enum gd_totp_verdict v;

	if (!d->totp)
		return gd_fail(err, 400, "mfa_unavailable", "mfa_code",
			       "this daemon has no TOTP secrets (--mfa-secrets)");
	v = gd_totp_check(d->totp, user, code, now_ms / 1000);
	atomic_fetch_add(v == GD_TOTP_OK ? &d->metrics.mfa_ok : &d->metrics.mfa_refused, 1);
	switch (v) {
	case GD_TOTP_OK: return 0;
	case GD_TOTP_NO_SECRET:
		return gd_fail(err, 401, "mfa_refused", "mfa_code", "no TOTP secret for %s", user);
	case GD_TOTP_MALFORMED:
		return gd_fail(err, 400, "mfa_refused", "mfa_code", "a TOTP code is six digits");
	case GD_TOTP_REPLAYED:
		return gd_fail(err, 401, "mfa_replayed", "mfa_code",
			       "this code (or a later one) was already used; wait for the next");
	default: return gd_fail(err, 401, "mfa_refused", "mfa_code", "wrong or expired TOTP code");
	}
}

static void save_state(struct gd *d, int64_t now_ms)
{
	int r;

	pthread_mutex_lock(&d->state_lock);
	r = gd_sessions_save_state(d->sessions, d->totp, now_ms);
	pthread_mutex_unlock(&d->state_lock);
	if (r < 0)
		fprintf(stderr, "gatehoused: cannot write the state file: %s\n", strerror(-r));
}

/* Open the session in @in for @p on @s; answers into @res. */
static void open_session(struct gd *d, struct authz_store *s, const struct authz_principal *p,
			 struct gd_session_info *in, struct http_response *res)
{
	struct authz_session *rs = NULL;
	const char *arn = authz_principal_arn(p);
	struct gd_err err;
	char token[64], when[32];
	int r;

	if (in->role[0]) {
		rs = gd_role_rebuild(d, s, in);
		if (!rs) {
			/* Say why: run the assumption again for its answer. */
			if (!authz_store_find(s, in->role))
				gd_error(res, 404, "unknown_role", "role",
					 "no role %s in the store", in->role);
			else
				gd_error(res, 403, "assume_role_denied", "role",
					 "%s may not assume %s (trust policy, identity policies or "
					 "session name)",
					 in->user, in->role);
			return;
		}
		arn = authz_session_arn(rs);
	}
	r = gd_sessions_add(d->sessions, in, s, rs, token);
	if (r < 0) {
		gd_fail(&err, r == -ENOSPC ? 503 : 500, "internal", NULL,
			"cannot open a session: %s",
			r == -ENOSPC ? "too many open sessions" : strerror(-r));
		gd_err_answer(res, &err);
		return;
	}
	save_state(d, in->issued_ms);
	gd_iso_time(in->expires_ms, when);
	gd_json(res, 200,
		json_pack("{ss ss ss sb}", "token", token, "expires_at", when, "principal", arn,
			  "mfa", in->mfa));
}

void gd_sessions_open(struct gd *d, const struct http_request *req, struct http_response *res)
{
	struct gd_session_info in = { 0 };
	const struct authz_principal *p;
	struct authz_store *s = NULL;
	const char *code = NULL;
	struct gd_err err;
	json_t *b = gd_body(req, res);
	int64_t now_ms = gd_clock_now_ms(&d->clock);

	if (!b || !(s = gd_store_or_503(d, res)))
		goto out;
	if (parse_open(b, &in, &code, &err) < 0) {
		gd_err_answer(res, &err);
		goto out;
	}
	p = authz_store_find(s, in.user);
	if (!p || authz_principal_is_role(p)) {
		gd_error(res, 404, "unknown_principal", "user", "no user %s in the store", in.user);
		goto out;
	}
	if (code) {
		if (check_code(d, in.user, code, now_ms, &err) < 0) {
			gd_err_answer(res, &err);
			goto out;
		}
		in.mfa = true;
		in.mfa_ms = now_ms;
	}
	in.issued_ms = now_ms;
	in.expires_ms += now_ms;
	in.owner_uid = req->peer_known ? req->uid : (uid_t)-1;
	open_session(d, s, p, &in, res);
	/* A used code must stay used across a restart: the state file keeps its step. */
	if (code && res->status != 200)
		save_state(d, now_ms);
out:
	json_decref(b);
	authz_store_unref(s);
}

void gd_sessions_delete(struct gd *d, const struct http_request *req, const char *token,
			struct http_response *res)
{
	uid_t uid = req->peer_known ? req->uid : (uid_t)-1;
	int r = gd_sessions_revoke(d->sessions, token, uid, d->self_uid);

	if (r == -ENOENT) {
		gd_error(res, 404, "invalid_session", NULL, "no such session");
		return;
	}
	if (r == -EPERM) {
		gd_error(res, 403, "forbidden", NULL,
			 "only the session's owner, root and the daemon's user may revoke it");
		return;
	}
	save_state(d, gd_clock_now_ms(&d->clock));
	gd_json(res, 200, json_pack("{sb}", "revoked", true));
}
