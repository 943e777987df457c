/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GET /v1/check: the reverse proxies' question (nginx auth_request, Traefik
 * ForwardAuth, Envoy ext_authz over HTTP).  The answer is in the status:
 * 200 allow, 403 deny, 401 no usable token, 5xx when the daemon cannot
 * decide (the proxy then refuses: fail closed); the reason in the
 * X-Gatehouse-Reason header.
 *
 *   Authorization: Bearer TOKEN        the session
 *   X-Gatehouse-Action: s3:GetObject   the action, else "http:<METHOD>"
 *   X-Gatehouse-Resource: ARN          the resource, else
 *                                      "arn:gatehouse:http:::<path>"
 *   X-Gatehouse-Source-Ip: 10.1.2.3    aws:SourceIp (the proxy sets it
 *                                      from the client's address)
 * METHOD comes from X-Original-Method, X-Forwarded-Method or the request's
 * own; the path from X-Original-URI or X-Forwarded-Uri, query cut off.
 */
#include <stdio.h>
#include <string.h>

#include "common/str.h"
#include "daemon/daemon.h"

#define CHECK_NAME_MAX 2048

static void answer(struct http_response *res, int status, const char *reason, const char *id)
{
	gd_json(res, status, json_pack("{ss ss}", "reason", reason, "decision_id", id));
	gh_strlcpy(res->reason, reason, sizeof(res->reason));
	gh_strlcpy(res->decision_id, id, sizeof(res->decision_id));
}

/* The default mapping: action http:<METHOD>, resource the original path. */
static bool default_names(const struct http_request *req, char *action, char *resource)
{
	const char *m = http_header(req, "X-Original-Method");
	const char *uri = http_header(req, "X-Original-URI");
	size_t plen;

	if (!m)
		m = http_header(req, "X-Forwarded-Method");
	if (!m)
		m = req->method;
	if (!uri)
		uri = http_header(req, "X-Forwarded-Uri");
	if (!uri || uri[0] != '/')
		return false;
	plen = strcspn(uri, "?#");
	return (size_t)snprintf(action, CHECK_NAME_MAX, "http:%s", m) < CHECK_NAME_MAX &&
	       (size_t)snprintf(resource, CHECK_NAME_MAX, "arn:gatehouse:http:::%.*s", (int)plen,
				uri) < CHECK_NAME_MAX;
}

void gd_check(struct gd *d, const struct http_request *req, struct http_response *res)
{
	const char *auth = http_header(req, "Authorization");
	const char *action = http_header(req, "X-Gatehouse-Action");
	const char *resource = http_header(req, "X-Gatehouse-Resource");
	const char *ip = http_header(req, "X-Gatehouse-Source-Ip");
	char abuf[CHECK_NAME_MAX], rbuf[CHECK_NAME_MAX];
	struct gd_call c = { 0 };
	struct authz_store *s;
	struct gd_ctxb *cb;
	struct gd_decision dd;
	struct gd_err err;
	json_t *ctx = NULL;

	if (!auth || !gh_prefix_lit(auth, strlen(auth), "Bearer ") ||
	    !auth[GH_LIT_LEN("Bearer ")]) {
		answer(res, 401, "missing_token", "");
		return;
	}
	c.session = auth + GH_LIT_LEN("Bearer ");
	if (!action != !resource || (!action && !default_names(req, abuf, rbuf))) {
		gd_error(res, 400, "invalid_request", NULL,
			 "give both X-Gatehouse-Action and X-Gatehouse-Resource, or neither and "
			 "X-Original-URI (or X-Forwarded-Uri) for the default mapping");
		return;
	}
	c.action = action ? action : abuf;
	c.resource = resource ? resource : rbuf;
	s = gd_store_get(&d->store, NULL);
	cb = gd_ctxb_new();
	if (ip)
		ctx = json_pack("{ss}", "aws:SourceIp", ip);
	if (!s || !cb || (ip && !ctx)) {
		answer(res, s ? 500 : 503, s ? "internal" : "not_ready", "");
	} else if (gd_ctxb_add_object(cb, ctx, "X-Gatehouse-Source-Ip", &err) < 0 ||
		   gd_decide(d, s, &c, cb, &dd, &err) < 0) {
		if (err.status == 401)
			answer(res, 401, err.code, "");
		else
			gd_err_answer(res, &err);
	} else if (dd.r.decision == AUTHZ_ALLOW) {
		answer(res, 200, "allowed", dd.id);
	} else {
		answer(res, 403, gd_reason(dd.r.decision), dd.id);
	}
	json_decref(ctx);
	gd_ctxb_free(cb);
	authz_store_unref(s);
}
