/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Dispatch: method and path to a handler.  Every answer, errors included,
 * is JSON (but /metrics), and every request is counted by route and status.
 * This is the function the server and the fuzzer both call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/macro.h"
#include "common/str.h"
#include "daemon/daemon.h"

static void health(struct gd *d, struct http_response *res)
{
	uint64_t gen;
	struct authz_store *s = gd_store_get(&d->store, &gen);
	struct authz_store_stats st = { 0 };

	if (!s) {
		gd_json(res, 503, json_pack("{ss}", "status", "loading"));
		return;
	}
	authz_store_stats(s, &st);
	authz_store_unref(s);
	gd_json(res, 200,
		json_pack("{ss sI s{sI sI sI sI} sI}", "status", "ok", "generation",
			  (json_int_t)gen, "store", "users", (json_int_t)st.users, "groups",
			  (json_int_t)st.groups, "roles", (json_int_t)st.roles, "policies",
			  (json_int_t)st.policies, "sessions_open",
			  (json_int_t)gd_sessions_count(d->sessions)));
}

static void metrics(struct gd *d, struct http_response *res)
{
	struct authz_store *s = gd_store_get(&d->store, NULL);
	char *text = gd_metrics_render(&d->metrics, gd_sessions_count(d->sessions), s != NULL);

	authz_store_unref(s);
	if (!text) {
		gd_error(res, 500, "internal", NULL, "out of memory");
		return;
	}
	free(res->body);
	res->body = text;
	res->len = strlen(text);
	res->status = 200;
	res->content_type = "text/plain; version=0.0.4";
}

int gd_reload(struct gd *d, json_t **ret_json)
{
	struct diag_list dl;
	/*
	 * Whether a store was served, not a reference to it: held across the
	 * reload, that reference made this function, not the swap, free the
	 * old store, after gd_store_reload() had handed the freed heap back.
	 */
	struct authz_store *before = gd_store_get(&d->store, NULL);
	bool had_store = before != NULL;
	int64_t ms = 0;
	int r;

	authz_store_unref(before);
	diag_list_init(&dl);
	r = gd_store_reload(&d->store, &dl, &ms);
	atomic_fetch_add(r < 0 ? &d->metrics.reloads_failed : &d->metrics.reloads_ok, 1);
	/* The daemon logs where it decides: one line, then every diagnostic. */
	fprintf(stderr, "gatehoused: reload of %s %s in %lld ms (%zu errors, %zu warnings)\n",
		d->store.dir,
		r >= 0	    ? "ok"
		: had_store ? "FAILED, still serving the previous store"
			    : "FAILED",
		(long long)ms, dl.errors, dl.warnings);
	diag_list_print(stderr, &dl);
	if (ret_json) {
		json_t *diags = json_array();

		for (size_t i = 0; diags && i < dl.n; i++) {
			const struct diag *g = &dl.items[i];
			json_t *o = json_pack("{ss ss ss si si ss}", "severity",
					      g->severity == DIAG_ERROR ? "error" : "warning",
					      "source", g->source, "path", g->path, "line", g->line,
					      "column", g->column, "message", g->message);

			json_array_append_new(diags, o);
		}
		*ret_json = json_pack("{ss sI so}", "status", r < 0 ? "failed" : "ok", "load_ms",
				      (json_int_t)ms, "diagnostics", diags ? diags : json_array());
	}
	diag_list_clear(&dl);
	return r;
}

/* Reload and revoking others' sessions: root or the daemon's own uid (SO_PEERCRED). */
static bool privileged(const struct gd *d, const struct http_request *req)
{
	return req->peer_known && (req->uid == 0 || req->uid == d->self_uid);
}

static void reload(struct gd *d, const struct http_request *req, struct http_response *res)
{
	json_t *j = NULL;
	int r;

	if (!privileged(d, req)) {
		gd_error(res, 403, "forbidden", NULL,
			 "reload is for root and the daemon's own user (uid %u)",
			 (unsigned)d->self_uid);
		return;
	}
	r = gd_reload(d, &j);
	gd_json(res, r < 0 ? 409 : 200, j);
}

struct route {
	const char *method; /* NULL: any */
	const char *path;
	bool prefix;
	enum gd_route id;
};

static const struct route routes[] = {
	{ "POST", "/v1/authorize", false, GD_ROUTE_AUTHORIZE },
	{ "POST", "/v1/authorize/batch", false, GD_ROUTE_AUTHORIZE_BATCH },
	{ "POST", "/v1/sessions", false, GD_ROUTE_SESSIONS },
	{ "DELETE", "/v1/sessions/", true, GD_ROUTE_SESSION_DELETE },
	/* nginx's auth_request keeps the original method: any method is a check. */
	{ NULL, "/v1/check", false, GD_ROUTE_CHECK },
	{ "POST", "/access/v1/evaluation", false, GD_ROUTE_AUTHZEN_EVALUATION },
	{ "POST", "/access/v1/evaluations", false, GD_ROUTE_AUTHZEN_EVALUATIONS },
	{ "GET", "/.well-known/authzen-configuration", false, GD_ROUTE_AUTHZEN_CONFIG },
	{ "POST", "/v1/data/gatehouse/authorize", false, GD_ROUTE_OPA },
	{ "GET", "/health", false, GD_ROUTE_HEALTH },
	{ "GET", "/metrics", false, GD_ROUTE_METRICS },
	{ "POST", "/v1/reload", false, GD_ROUTE_RELOAD },
};

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The route of @req, or NULL; *@path_known when some route has its path. */
static const struct route *find_route(const struct http_request *req, bool *path_known)
{
	*path_known = false;
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		const struct route *r = &routes[i];
		bool match = r->prefix ? strncmp(req->path, r->path, strlen(r->path)) == 0 &&
					     req->path[strlen(r->path)]
				       : strcmp(req->path, r->path) == 0;

		if (!match)
			continue;
		*path_known = true;
		if (!r->method || strcmp(r->method, req->method) == 0 ||
		    (strcmp(r->method, "GET") == 0 && strcmp(req->method, "HEAD") == 0))
			return r;
	}
	return NULL;
}

bool gd_request_slow(const struct http_request *req)
{
	bool path_known;
	const struct route *rt = find_route(req, &path_known);

	return rt && rt->id == GD_ROUTE_RELOAD;
}

void gd_handle(struct gd *d, const struct http_request *req, struct http_response *res)
{
	int64_t t0 = mono_us();
	bool path_known;
	const struct route *rt = find_route(req, &path_known);
	enum gd_route id = GD_ROUTE_OTHER;

	memset(res, 0, sizeof(*res));
	if (rt)
		id = rt->id;
	switch (rt ? rt->id : GD_ROUTE_OTHER) {
	case GD_ROUTE_AUTHORIZE: gd_authorize(d, req, res); break;
	case GD_ROUTE_AUTHORIZE_BATCH: gd_authorize_batch(d, req, res); break;
	case GD_ROUTE_SESSIONS: gd_sessions_open(d, req, res); break;
	case GD_ROUTE_SESSION_DELETE:
		gd_sessions_delete(d, req, req->path + strlen(rt->path), res);
		break;
	case GD_ROUTE_CHECK: gd_check(d, req, res); break;
	case GD_ROUTE_AUTHZEN_EVALUATION: gd_authzen_evaluation(d, req, res); break;
	case GD_ROUTE_AUTHZEN_EVALUATIONS: gd_authzen_evaluations(d, req, res); break;
	case GD_ROUTE_AUTHZEN_CONFIG: gd_authzen_config(d, req, res); break;
	case GD_ROUTE_OPA: gd_opa(d, req, res); break;
	case GD_ROUTE_HEALTH: health(d, res); break;
	case GD_ROUTE_METRICS: metrics(d, res); break;
	case GD_ROUTE_RELOAD: reload(d, req, res); break;
	default:
		if (path_known)
			gd_error(res, 405, "method_not_allowed", NULL, "%s is not allowed on %s",
				 req->method, req->path);
		else
			gd_error(res, 404, "not_found", NULL, "no such endpoint: %s", req->path);
		break;
	}
	gd_metrics_request(&d->metrics, id, res->status, mono_us() - t0);
}
