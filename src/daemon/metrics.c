/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Counters, all atomic (no lock on the request path), and their
 * Prometheus text exposition for GET /metrics.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/macro.h"
#include "daemon/daemon.h"

/* The statuses counted one by one; anything else lands in the last slot. */
static const int statuses[GD_STATUSES] = { 200, 204, 400, 401, 403, 404, 405,
					   409, 413, 415, 500, 503, 0 };

/* Latency bucket bounds in microseconds. */
static const int64_t bounds_us[GD_LATENCY_BUCKETS] = {
	50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 500000, 2000000,
};

static const char *const route_names[_GD_ROUTE_MAX] = {
	[GD_ROUTE_AUTHORIZE] = "authorize",
	[GD_ROUTE_AUTHORIZE_BATCH] = "authorize_batch",
	[GD_ROUTE_SESSIONS] = "sessions",
	[GD_ROUTE_SESSION_DELETE] = "session_delete",
	[GD_ROUTE_CHECK] = "check",
	[GD_ROUTE_AUTHZEN_EVALUATION] = "authzen_evaluation",
	[GD_ROUTE_AUTHZEN_EVALUATIONS] = "authzen_evaluations",
	[GD_ROUTE_AUTHZEN_CONFIG] = "authzen_configuration",
	[GD_ROUTE_OPA] = "opa",
	[GD_ROUTE_HEALTH] = "health",
	[GD_ROUTE_METRICS] = "metrics",
	[GD_ROUTE_RELOAD] = "reload",
	[GD_ROUTE_OTHER] = "other",
};

/* This thread's shard: threads take shards in turn, on first use. */
static struct gd_metrics_shard *my_shard(struct gd_metrics *m)
{
	static atomic_uint next;
	static _Thread_local unsigned ix = UINT_MAX;

	if (ix == UINT_MAX)
		ix = atomic_fetch_add(&next, 1) % GD_METRIC_SHARDS;
	return &m->shard[ix];
}

void gd_metrics_request(struct gd_metrics *mm, enum gd_route r, int status, int64_t us)
{
	struct gd_metrics_shard *m = my_shard(mm);
	size_t i, b;

	for (i = 0; i < GD_STATUSES - 1 && statuses[i] != status; i++)
		;
	atomic_fetch_add_explicit(&m->requests[r][i], 1, memory_order_relaxed);
	for (b = 0; b < GD_LATENCY_BUCKETS && us > bounds_us[b]; b++)
		;
	atomic_fetch_add_explicit(&m->latency[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->latency_sum_us, (uint_fast64_t)(us > 0 ? us : 0),
				  memory_order_relaxed);
}

void gd_metrics_decisions(struct gd_metrics *m, enum authz_decision d, uint64_t n)
{
	if (d < _AUTHZ_DECISION_MAX)
		atomic_fetch_add_explicit(&my_shard(m)->decisions[d], n, memory_order_relaxed);
}

/* A growable text with a ceiling (the exposition is a few KiB). */
struct text {
	char *s;
	size_t len, cap;
	bool failed;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->failed = true;
			return;
		}
		if ((size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		if (t->cap > (1u << 20)) {
			t->failed = true;
			return;
		}
		char *s = realloc(t->s, t->cap * 2);

		if (!s) {
			t->failed = true;
			return;
		}
		t->s = s;
		t->cap *= 2;
	}
}

#define LOAD(x) ((unsigned long long)atomic_load_explicit(&(x), memory_order_relaxed))
/* The sum of a per-request counter over the shards. */
#define SUM(field)                                                                                 \
	({                                                                                         \
		unsigned long long sum_ = 0;                                                       \
		for (size_t s_ = 0; s_ < GD_METRIC_SHARDS; s_++)                                   \
			sum_ += LOAD(m->shard[s_].field);                                          \
		sum_;                                                                              \
	})

char *gd_metrics_render(struct gd_metrics *m, size_t sessions_open, bool store_loaded)
{
	struct text t = { .s = malloc(8192), .cap = 8192 };
	unsigned long long cum = 0;

	if (!t.s)
		return NULL;
	t.s[0] = '\0';
	put(&t, "# HELP gatehoused_requests_total HTTP requests answered, by route and status.\n"
		"# TYPE gatehoused_requests_total counter\n");
	for (size_t r = 0; r < _GD_ROUTE_MAX; r++)
		for (size_t i = 0; i < GD_STATUSES; i++) {
			unsigned long long n = SUM(requests[r][i]);

			if (!n)
				continue;
			if (statuses[i])
				put(&t,
				    "gatehoused_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
				    route_names[r], statuses[i], n);
			else
				put(&t,
				    "gatehoused_requests_total{route=\"%s\",status=\"other\"} "
				    "%llu\n",
				    route_names[r], n);
		}
	put(&t, "# HELP gatehoused_decisions_total Authorization decisions, by outcome.\n"
		"# TYPE gatehoused_decisions_total counter\n");
	for (size_t d = 0; d < _AUTHZ_DECISION_MAX; d++)
		put(&t, "gatehoused_decisions_total{decision=\"%s\"} %llu\n",
		    authz_decision_name((enum authz_decision)d), SUM(decisions[d]));
	put(&t,
	    "# HELP gatehoused_request_duration_seconds Time from a whole request to its answer.\n"
	    "# TYPE gatehoused_request_duration_seconds histogram\n");
	for (size_t b = 0; b <= GD_LATENCY_BUCKETS; b++) {
		cum += SUM(latency[b]);
		if (b < GD_LATENCY_BUCKETS)
			put(&t, "gatehoused_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
			    (double)bounds_us[b] / 1e6, cum);
		else
			put(&t, "gatehoused_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
			    cum);
	}
	put(&t,
	    "gatehoused_request_duration_seconds_sum %.6f\n"
	    "gatehoused_request_duration_seconds_count %llu\n",
	    (double)SUM(latency_sum_us) / 1e6, cum);
	put(&t,
	    "# HELP gatehoused_reloads_total Store reloads, by result.\n"
	    "# TYPE gatehoused_reloads_total counter\n"
	    "gatehoused_reloads_total{result=\"ok\"} %llu\n"
	    "gatehoused_reloads_total{result=\"failed\"} %llu\n",
	    LOAD(m->reloads_ok), LOAD(m->reloads_failed));
	put(&t,
	    "# HELP gatehoused_sessions_open Sessions open now.\n"
	    "# TYPE gatehoused_sessions_open gauge\n"
	    "gatehoused_sessions_open %zu\n",
	    sessions_open);
	put(&t,
	    "# HELP gatehoused_mfa_checks_total TOTP codes checked, by result.\n"
	    "# TYPE gatehoused_mfa_checks_total counter\n"
	    "gatehoused_mfa_checks_total{result=\"ok\"} %llu\n"
	    "gatehoused_mfa_checks_total{result=\"refused\"} %llu\n",
	    LOAD(m->mfa_ok), LOAD(m->mfa_refused));
	put(&t,
	    "# HELP gatehoused_decision_log_drops_total Decision-log lines dropped (queue full).\n"
	    "# TYPE gatehoused_decision_log_drops_total counter\n"
	    "gatehoused_decision_log_drops_total %llu\n",
	    LOAD(m->dlog_drops));
	put(&t,
	    "# HELP gatehoused_store_loaded 1 when a store is being served.\n"
	    "# TYPE gatehoused_store_loaded gauge\n"
	    "gatehoused_store_loaded %d\n",
	    store_loaded ? 1 : 0);
	if (t.failed) {
		free(t.s);
		return NULL;
	}
	return t.s;
}
