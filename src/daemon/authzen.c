/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OpenID AuthZEN Authorization API 1.0, so that AuthZEN gateways and
 * SDKs work unchanged.  The mapping to an IAM request (README, "AuthZEN"):
 *   subject {"type": "user"|"role", "id"}  the principal (name or ARN)
 *   subject {"type": "session", "id"}      a session token
 *   subject.properties                     ignored: never trusted
 *   action.name                            the IAM action; without ":" it is
 *                                          "<resource.type>:<name>"
 *   resource.id                            the ARN if it starts with "arn:",
 *                                          else "arn:gatehouse:<type>:::<id>"
 *   resource.properties                    aws:ResourceTag/<name> each
 *   context                                the request context
 * Answer: {"decision": true|false, "context": {"reason", "matched", ...}}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/str.h"
#include "daemon/daemon.h"

/* Room for "<type>:<name>" and "arn:gatehouse:<type>:::<id>". */
#define AUTHZEN_NAME_MAX 2048

struct evaluation {
	char action[AUTHZEN_NAME_MAX];
	char resource[AUTHZEN_NAME_MAX];
};

static const char *str_at(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* One evaluation from its subject, action, resource and context objects. */
static int evaluate(struct gd *d, struct authz_store *s, json_t *subject, json_t *action,
		    json_t *resource, json_t *context, const char *where, struct gd_ctxb *cb,
		    struct gd_decision *dd, struct gd_err *err)
{
	struct gd_call c = { 0 };
	struct evaluation ev;
	const char *stype, *sid, *aname, *rtype, *rid, *key;
	char path[160];
	json_t *v;

	gd_ctxb_reset(cb);
	stype = str_at(subject, "type");
	sid = str_at(subject, "id");
	aname = str_at(action, "name");
	rtype = str_at(resource, "type");
	rid = str_at(resource, "id");
	snprintf(path, sizeof(path), "%ssubject", where);
	if (!stype || !sid)
		return gd_fail(err, 400, "invalid_request", path,
			       "subject is {\"type\": \"user\"|\"role\"|\"session\", \"id\": ...}");
	if (strcmp(stype, "user") == 0 || strcmp(stype, "role") == 0)
		c.principal = sid;
	else if (strcmp(stype, "session") == 0)
		c.session = sid;
	else
		return gd_fail(err, 400, "invalid_request", path,
			       "subject type \"%s\": gatehoused knows user, role and session",
			       stype);
	snprintf(path, sizeof(path), "%saction", where);
	if (!aname || !*aname)
		return gd_fail(err, 400, "invalid_request", path, "action is {\"name\": ...}");
	snprintf(path, sizeof(path), "%sresource", where);
	if (!rtype || !rid)
		return gd_fail(err, 400, "invalid_request", path,
			       "resource is {\"type\": ..., \"id\": ...}");
	if (strchr(aname, ':')) {
		if (gh_strlcpy(ev.action, aname, sizeof(ev.action)) >= sizeof(ev.action))
			return gd_fail(err, 400, "invalid_request", path, "action name too long");
	} else if ((size_t)snprintf(ev.action, sizeof(ev.action), "%s:%s", rtype, aname) >=
		   sizeof(ev.action)) {
		return gd_fail(err, 400, "invalid_request", path, "action name too long");
	}
	if (gh_starts_with(rid, "arn:")) {
		if (gh_strlcpy(ev.resource, rid, sizeof(ev.resource)) >= sizeof(ev.resource))
			return gd_fail(err, 400, "invalid_request", path, "resource id too long");
	} else if ((size_t)snprintf(ev.resource, sizeof(ev.resource), "arn:gatehouse:%s:::%s",
				    rtype, rid) >= sizeof(ev.resource)) {
		return gd_fail(err, 400, "invalid_request", path, "resource id too long");
	}
	c.action = ev.action;
	c.resource = ev.resource;
	json_object_foreach(json_object_get(resource, "properties"), key, v) {
		char p[sizeof(err->path)];

		snprintf(p, sizeof(p), "%sresource.properties.%s", where, key);
		if (gd_ctxb_add_tag(cb, key, v, p, err) < 0)
			return -1;
	}
	snprintf(path, sizeof(path), "%scontext", where);
	if (gd_ctxb_add_object(cb, context, path, err) < 0)
		return -1;
	return gd_decide(d, s, &c, cb, dd, err);
}

static json_t *decision_json(const struct gd_decision *dd)
{
	json_t *missing = json_array();

	for (size_t i = 0; missing && i < dd->r.nmissing; i++)
		json_array_append_new(missing, json_string(dd->r.missing[i]));
	return json_pack("{sb s{ss ss so* so* ss ss}}", "decision", dd->r.decision == AUTHZ_ALLOW,
			 "context", "reason", gd_reason(dd->r.decision), "explanation",
			 authz_reason_text(dd->r.reason), "matched", gd_matched_json(&dd->r),
			 "missing_context", missing, "decision_id", dd->id, "principal",
			 dd->principal);
}

/* An evaluation that could not be made: denied, with the error (AuthZEN 1.0, 7.2). */
static json_t *error_json(const struct gd_err *err)
{
	return json_pack("{sb s{so* si}}", "decision", false, "context", "error", gd_err_json(err),
			 "status", err->status);
}

struct az {
	json_t *body;
	struct authz_store *s;
	struct gd_ctxb *cb;
	struct gd_decision dd;
	struct gd_err err;
};

static bool az_start(struct gd *d, const struct http_request *req, struct http_response *res,
		     struct az *a)
{
	memset(a, 0, sizeof(*a));
	if (!(a->body = gd_body(req, res)) || !(a->s = gd_store_or_503(d, res)))
		return false;
	if (!(a->cb = gd_ctxb_new())) {
		gd_error(res, 500, "internal", NULL, "out of memory");
		return false;
	}
	return true;
}

static void az_done(struct az *a)
{
	json_decref(a->body);
	authz_store_unref(a->s);
	gd_ctxb_free(a->cb);
}

/* The body of @a as one evaluation, answered as one (also "evaluations" without a list). */
static void answer_one(struct gd *d, struct az *a, struct http_response *res)
{
	json_t *b = a->body;

	if (evaluate(d, a->s, json_object_get(b, "subject"), json_object_get(b, "action"),
		     json_object_get(b, "resource"), json_object_get(b, "context"), "", a->cb,
		     &a->dd, &a->err) < 0)
		gd_err_answer(res, &a->err);
	else
		gd_json(res, 200, decision_json(&a->dd));
}

void gd_authzen_evaluation(struct gd *d, const struct http_request *req, struct http_response *res)
{
	struct az a;

	if (az_start(d, req, res, &a))
		answer_one(d, &a, res);
	az_done(&a);
}

enum semantic { EXECUTE_ALL, DENY_ON_FIRST_DENY, PERMIT_ON_FIRST_PERMIT };

void gd_authzen_evaluations(struct gd *d, const struct http_request *req, struct http_response *res)
{
	static const char *const parts[] = { "subject", "action", "resource", "context" };
	enum semantic sem = EXECUTE_ALL;
	json_t *b, *evs, *x, *out, *opt;
	const char *sname;
	struct az a;
	size_t i;

	if (!az_start(d, req, res, &a)) {
		az_done(&a);
		return;
	}
	b = a.body;
	evs = json_object_get(b, "evaluations");
	opt = json_object_get(json_object_get(b, "options"), "evaluations_semantic");
	sname = json_string_value(opt);
	if (opt && !sname)
		sname = "";
	if (sname && strcmp(sname, "deny_on_first_deny") == 0)
		sem = DENY_ON_FIRST_DENY;
	else if (sname && strcmp(sname, "permit_on_first_permit") == 0)
		sem = PERMIT_ON_FIRST_PERMIT;
	else if (sname && strcmp(sname, "execute_all") != 0) {
		gd_error(res, 400, "invalid_request", "options.evaluations_semantic",
			 "evaluations_semantic is execute_all, deny_on_first_deny or "
			 "permit_on_first_permit");
		goto out;
	}
	if (evs && !json_is_array(evs)) {
		gd_error(res, 400, "invalid_request", "evaluations", "evaluations is a list");
		goto out;
	}
	if (json_array_size(evs) > GD_BATCH_MAX) {
		gd_error(res, 413, "too_many_requests", "evaluations",
			 "more than %d evaluations in one request", GD_BATCH_MAX);
		goto out;
	}
	/* No evaluations: the request is one evaluation, answered as one (AuthZEN 1.0, 7.1). */
	if (json_array_size(evs) == 0) {
		answer_one(d, &a, res);
		goto out;
	}
	out = json_array();
	json_array_foreach(evs, i, x) {
		json_t *p[4], *one;
		char where[40];
		bool allow = false;

		/* Each of the four parts: the evaluation's own, else the request's default. */
		for (size_t k = 0; k < 4; k++) {
			p[k] = json_object_get(x, parts[k]);
			if (!p[k])
				p[k] = json_object_get(b, parts[k]);
		}
		snprintf(where, sizeof(where), "evaluations[%zu].", i);
		if (!json_is_object(x)) {
			gd_fail(&a.err, 400, "invalid_request", where,
				"an evaluation is an object");
			one = error_json(&a.err);
		} else if (evaluate(d, a.s, p[0], p[1], p[2], p[3], where, a.cb, &a.dd, &a.err) <
			   0) {
			one = error_json(&a.err);
		} else {
			one = decision_json(&a.dd);
			allow = a.dd.r.decision == AUTHZ_ALLOW;
		}
		json_array_append_new(out, one);
		/* An error counts as a deny: fail closed. */
		if ((sem == DENY_ON_FIRST_DENY && !allow) ||
		    (sem == PERMIT_ON_FIRST_PERMIT && allow))
			break;
	}
	gd_json(res, 200, json_pack("{so*}", "evaluations", out));
out:
	az_done(&a);
}

void gd_authzen_config(struct gd *d, const struct http_request *req, struct http_response *res)
{
	const char *host = http_header(req, "Host");
	char base[300];

	(void)d;
	/* Over a Unix socket there is no authority of our own: the caller's Host, as given. */
	snprintf(base, sizeof(base), "http://%s",
		 host && *host && !strpbrk(host, "/\"\\ ") ? host : "localhost");
	gd_json(res, 200,
		json_pack("{s:s+ s:s+ s:s+}", "policy_decision_point", base, "",
			  "access_evaluation_endpoint", base, "/access/v1/evaluation",
			  "access_evaluations_endpoint", base, "/access/v1/evaluations"));
}
