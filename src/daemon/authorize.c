/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * POST /v1/authorize, POST /v1/authorize/batch and OPA's
 * POST /v1/data/gatehouse/authorize: one body shape,
 *   {"principal": NAME|ARN | "session": TOKEN, "action", "resource", "context": {...}}
 * answered {"decision", "reason", "matched", "missing_context", "decision_id"}.
 */
#include <stdio.h>
#include <string.h>

#include "common/macro.h"
#include "common/str.h"
#include "daemon/daemon.h"

static const char *const request_keys[] = { "principal", "session", "action", "resource",
					    "context" };

/* @o (at @where) into a call; strings borrowed from @o. */
static int parse_request(json_t *o, const char *where, struct gd_call *c, struct gd_ctxb *cb,
			 struct gd_err *err)
{
	const char *key;
	json_t *v;

	memset(c, 0, sizeof(*c));
	if (!json_is_object(o))
		return gd_fail(err, 400, "invalid_request", where, "a request is an object, not %s",
			       json_is_array(o) ? "an array" : "a scalar");
	json_object_foreach(o, key, v) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(request_keys); i++)
			if (strcmp(key, request_keys[i]) == 0)
				break;
		if (i == ARRAY_SIZE(request_keys))
			return gd_fail(err, 400, "unknown_key", "",
				       "unknown key \"%s\" (expected principal or session, action, "
				       "resource, context)",
				       key),
			       gd_err_at(err, where, key);
		if (i < 4 && !json_is_string(v))
			return gd_fail(err, 400, "invalid_request", "", "%s is a string", key),
			       gd_err_at(err, where, key);
	}
	c->principal = json_string_value(json_object_get(o, "principal"));
	c->session = json_string_value(json_object_get(o, "session"));
	c->action = json_string_value(json_object_get(o, "action"));
	c->resource = json_string_value(json_object_get(o, "resource"));
	if (gd_ctxb_add_object(cb, json_object_get(o, "context"), "", err) < 0)
		return gd_err_at(err, where, "context");
	return 0;
}

/* One request object to a decision in *@dd; -1 with *@err. */
static int decide_one(struct gd *d, struct authz_store *s, json_t *o, const char *where,
		      struct gd_ctxb *cb, struct gd_decision *dd, struct gd_err *err)
{
	struct gd_call c;

	gd_ctxb_reset(cb);
	if (parse_request(o, where, &c, cb, err) < 0 || gd_decide(d, s, &c, cb, dd, err) < 0)
		return -1;
	return 0;
}

/* The same as an answer object; NULL with *@err. */
static json_t *answer_one(struct gd *d, struct authz_store *s, json_t *o, const char *where,
			  struct gd_ctxb *cb, struct gd_decision *dd, struct gd_err *err)
{
	if (decide_one(d, s, o, where, cb, dd, err) < 0)
		return NULL;
	return gd_answer_json(dd);
}

/* The answer to a batch's request @i that failed with @err. */
static void batch_error(struct gd_buf *b, struct gd_err *err, size_t i)
{
	char where[32];

	/* The item's place, formatted only when it failed. */
	snprintf(where, sizeof(where), "requests[%zu]", i);
	gd_err_at(err, where, NULL);
	gd_answer_json_text(b, json_pack("{so*}", "error", gd_err_json(err)));
}

/* Body, store and scratch space of one request, released together. */
struct work {
	json_t *body;
	struct authz_store *s;
	struct gd_ctxb *cb;
	struct gd_decision dd;
};

static bool work_start(struct gd *d, const struct http_request *req, struct http_response *res,
		       struct work *w)
{
	memset(w, 0, sizeof(*w));
	if (!(w->body = gd_body(req, res)))
		return false;
	if (!(w->s = gd_store_or_503(d, res)))
		return false;
	if (!(w->cb = gd_ctxb_new())) {
		gd_error(res, 500, "internal", NULL, "out of memory");
		return false;
	}
	return true;
}

static void work_done(struct work *w)
{
	json_decref(w->body);
	authz_store_unref(w->s);
	gd_ctxb_free(w->cb);
}

/*
 * The /v1/authorize and batch bodies that reqread.c reads: @r->n answers
 * (a batch's in {"results": [...]}), decided in order on one store.
 */
static void answer_read(struct gd *d, const struct gd_reqs *r, bool batch,
			struct http_response *res)
{
	struct authz_store *s = gd_store_or_503(d, res);
	struct gd_ctxb *cb = s ? gd_ctxb_new() : NULL;
	struct gd_buf b = { 0 };
	struct gd_decision dd;
	struct gd_turn t;
	struct gd_err err;

	if (s && !cb)
		gd_error(res, 500, "internal", NULL, "out of memory");
	if (!cb) {
		authz_store_unref(s);
		return;
	}
	gd_turn_start(d, &t, r->n);
	/* An answer is 300 to 400 bytes with a match or two. */
	gd_buf_reserve(&b, r->n * 512);
	if (batch)
		GD_BUF_LIT(&b, "{\"results\":[");
	for (size_t i = 0; i < r->n; i++) {
		const struct gd_ritem *it = &r->items[i];

		if (i)
			GD_BUF_LIT(&b, ",");
		gd_ctxb_reset(cb);
		if (gd_reqs_context(r, it, cb, &err) < 0 ||
		    gd_decide_in(d, &t, s, &it->c, cb, &dd, &err) < 0) {
			if (!batch) {
				gd_err_answer(res, &err);
				break;
			}
			batch_error(&b, &err, i);
		} else {
			gd_answer_write(&b, &dd);
		}
	}
	gd_turn_end(d, &t);
	if (batch)
		GD_BUF_LIT(&b, "]}");
	if (res->body)
		free(b.s); /* the error answered */
	else
		gd_buf_answer(res, 200, &b);
	gd_ctxb_free(cb);
	authz_store_unref(s);
}

/* Read by reqread.c and answered: true; false: read it as a tree. */
static bool answer_fast(struct gd *d, const struct http_request *req, bool batch,
			struct http_response *res)
{
	struct gd_reqs r;

	if (d->tree_only || !gd_reqs_read(&r, req->body, req->body_len, batch))
		return false;
	answer_read(d, &r, batch, res);
	gd_reqs_done(&r);
	return true;
}

void gd_authorize(struct gd *d, const struct http_request *req, struct http_response *res)
{
	struct gd_buf b = { 0 };
	struct gd_err err;
	struct work w;

	if (answer_fast(d, req, false, res))
		return;
	if (work_start(d, req, res, &w)) {
		if (decide_one(d, w.s, w.body, "", w.cb, &w.dd, &err) < 0) {
			gd_err_answer(res, &err);
		} else {
			gd_answer_write(&b, &w.dd);
			gd_buf_answer(res, 200, &b);
		}
	}
	work_done(&w);
}

void gd_opa(struct gd *d, const struct http_request *req, struct http_response *res)
{
	struct gd_err err;
	struct work w;
	json_t *a, *input;

	if (work_start(d, req, res, &w)) {
		input = json_object_get(w.body, "input");
		if (!input || json_object_size(w.body) != 1) {
			gd_error(res, 400, "invalid_request", "input",
				 "OPA's body is {\"input\": {...}} with the /v1/authorize request");
		} else if ((a = answer_one(d, w.s, input, "input", w.cb, &w.dd, &err))) {
			json_object_del(a, "decision_id");
			gd_json(res, 200,
				json_pack("{so ss}", "result", a, "decision_id", w.dd.id));
		} else {
			gd_err_answer(res, &err);
		}
	}
	work_done(&w);
}

void gd_authorize_batch(struct gd *d, const struct http_request *req, struct http_response *res)
{
	struct gd_err err;
	struct work w;
	json_t *reqs, *x;
	size_t i;

	if (answer_fast(d, req, true, res))
		return;
	if (!work_start(d, req, res, &w)) {
		work_done(&w);
		return;
	}
	reqs = json_object_get(w.body, "requests");
	if (!json_is_array(reqs) || json_object_size(w.body) != 1) {
		gd_error(res, 400, "invalid_request", "requests",
			 "the body is {\"requests\": [...]}, a list of /v1/authorize requests");
	} else if (json_array_size(reqs) > GD_BATCH_MAX) {
		gd_error(res, 413, "too_many_requests", "requests",
			 "more than %d requests in one batch", GD_BATCH_MAX);
	} else {
		struct gd_buf b = { 0 };

		/* One store for the whole batch: a reload in between does not split it. */
		GD_BUF_LIT(&b, "{\"results\":[");
		json_array_foreach(reqs, i, x) {
			if (i)
				GD_BUF_LIT(&b, ",");
			if (decide_one(d, w.s, x, "", w.cb, &w.dd, &err) < 0) {
				batch_error(&b, &err, i);
			} else {
				gd_answer_write(&b, &w.dd);
			}
		}
		GD_BUF_LIT(&b, "]}");
		gd_buf_answer(res, 200, &b);
	}
	work_done(&w);
}
