/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehoused's shared state and the pieces that make it.  One context
 * object (struct gd), no mutable globals: the request handler is called by
 * libmicrohttpd's threads (server.c) and by the fuzzer (fuzz_daemon_request.c)
 * alike, with nothing but a struct gd and a struct http_request.
 *
 * Modules, one job each, from the bottom up (a file uses only those above it):
 *   clock.c      the time of a request (and the tests' clock)
 *   metrics.c    counters and the Prometheus text
 *   totp.c       --mfa-secrets, RFC 6238 through liboath, replay refusal
 *   session.c    the session table and tokens, the --state file
 *   reload.c     the current store: load off to the side, swap, refcounts
 *   dlog.c       the decision log: bounded queue, a writer thread, SIGUSR1 reopen
 *   answer.c     JSON answers and errors; the hot answers written as text, not trees
 *   context.c    the request context being built: caller keys, resource tags, MFA facts
 *   reqread.c    request bodies: /v1/authorize's read in one pass without a tree, any as a tree
 *   decide.c     one decision: query -> result -> log line
 *   authorize.c  /v1/authorize, /v1/authorize/batch, OPA's /v1/data/gatehouse/authorize
 *   authzen.c    the AuthZEN Authorization API: evaluation(s), configuration
 *   check.c      GET /v1/check for reverse proxies
 *   session_api.c  POST and DELETE /v1/sessions: TOTP check, role assumption
 *   route.c      method + path -> endpoint, per-route metrics, /health, /metrics, reload
 *   server.c     libmicrohttpd over the Unix socket: bytes -> http_request
 *   config.c     the settings, from the flags and from --config FILE
 *   main.c       options, start-up, signals
 */
#ifndef GH_DAEMON_H
#define GH_DAEMON_H

#include <gatehouse/store.h>
#include <jansson.h>

#include "common/str.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Caps on what a caller can make the daemon hold (each with its reason).
 * The first four are defaults that --max-body, --max-header,
 * --max-connections and --idle-timeout (or the configuration file) change:
 * struct gd_caps.  A request body: a batch of 1,000 requests of ~500 bytes is 500 KiB; 1 MiB
 * leaves room and keeps a hostile body from costing more.
 */
#define GD_BODY_MAX (1u << 20)
/* Request line plus headers: nginx's default large_client_header_buffers is 4 x 8 KiB. */
#define GD_HEADER_MEM (32u << 10)
/* Open connections: beyond this libmicrohttpd refuses new ones until some close. */
#define GD_CONNECTIONS_MAX 1024
/* Seconds a connection may sit idle (or half-sent) before it is closed. */
#define GD_IDLE_SECONDS 30
/* Requests in one batch (AuthZEN evaluations too). */
#define GD_BATCH_MAX 1024
/* Caller context keys per request; gatehouse's own query caps the total at 64. */
#define GD_CONTEXT_MAX 48
/* Values per request over all its keys (a multi-valued key has several). */
#define GD_VALUES_MAX 256
/* A session lasts 15 minutes to 12 hours (AWS STS's range), one hour by default. */
#define GD_SESSION_MIN_S 900
#define GD_SESSION_MAX_S 43200
#define GD_SESSION_DEFAULT_S 3600
/* Open sessions: each costs ~1 KiB; past this, opening one is refused (503). */
#define GD_SESSIONS_MAX 100000
/* The caller context of a role assumption, kept with the session (compact JSON). */
#define GD_ASSUME_CONTEXT_MAX 1024
/* Decision-log lines queued for the writer before new ones are dropped. */
#define GD_DLOG_QUEUE 8192

/* ---- clock.c ---------------------------------------------------------------- */

/*
 * struct gd_clock - where "now" comes from
 * @test_file: with the hidden --test-clock FILE option (tests only), now is
 *	the number of seconds in FILE, read at each call, so that tests move
 *	time (MFA age, expiry, TOTP steps) without sleeping; NULL in service
 */
struct gd_clock {
	const char *test_file;
};

/* Milliseconds since the epoch. */
int64_t gd_clock_now_ms(const struct gd_clock *c);

/* ---- metrics.c -------------------------------------------------------------- */

enum gd_route {
	GD_ROUTE_AUTHORIZE,
	GD_ROUTE_AUTHORIZE_BATCH,
	GD_ROUTE_SESSIONS,
	GD_ROUTE_SESSION_DELETE,
	GD_ROUTE_CHECK,
	GD_ROUTE_AUTHZEN_EVALUATION,
	GD_ROUTE_AUTHZEN_EVALUATIONS,
	GD_ROUTE_AUTHZEN_CONFIG,
	GD_ROUTE_OPA,
	GD_ROUTE_HEALTH,
	GD_ROUTE_METRICS,
	GD_ROUTE_RELOAD,
	GD_ROUTE_OTHER,
	_GD_ROUTE_MAX,
};

/* The HTTP statuses the daemon answers with, counted one by one. */
#define GD_STATUSES 13
#define GD_LATENCY_BUCKETS 12

/*
 * The counters every request adds to, one set per shard, each shard on
 * cache lines of its own; a thread adds to one shard, and GET /metrics
 * sums them.  With one set, the cache lines of four counters went from
 * core to core at every request once the two workers both served
 * (0.5 µs of a request's 5).
 */
#define GD_METRIC_SHARDS 8
struct gd_metrics_shard {
	atomic_uint_fast64_t requests[_GD_ROUTE_MAX][GD_STATUSES];
	atomic_uint_fast64_t decisions[_AUTHZ_DECISION_MAX];
	atomic_uint_fast64_t latency[GD_LATENCY_BUCKETS + 1]; /* last: +Inf */
	atomic_uint_fast64_t latency_sum_us;
	/* Counters of two shards are a cache line apart (struct gd is calloc'ed: 16-byte aligned).
	 */
	char pad[64];
};

struct gd_metrics {
	struct gd_metrics_shard shard[GD_METRIC_SHARDS];
	atomic_uint_fast64_t reloads_ok, reloads_failed;
	atomic_uint_fast64_t dlog_drops;
	atomic_uint_fast64_t mfa_ok, mfa_refused;
};

void gd_metrics_request(struct gd_metrics *m, enum gd_route r, int status, int64_t us);
/* @n more decisions of outcome @d. */
void gd_metrics_decisions(struct gd_metrics *m, enum authz_decision d, uint64_t n);
/* The Prometheus text, malloc'ed; NULL when out of memory. */
char *gd_metrics_render(struct gd_metrics *m, size_t sessions_open, bool store_loaded);

/* ---- totp.c ----------------------------------------------------------------- */

struct gd_totp;

/*
 * Load @path, a JSON object {"user": "BASE32SECRET"}.  Refused (NULL, with
 * a message in @err) when it is group- or world-readable, not a regular
 * file, not JSON of that shape, or a secret is not base32.
 */
struct gd_totp *gd_totp_load(const char *path, char *err, size_t errsize);
struct gd_totp *gd_totp_free(struct gd_totp *t);

enum gd_totp_verdict {
	GD_TOTP_OK,
	GD_TOTP_NO_SECRET, /* no secret for the user */
	GD_TOTP_MALFORMED, /* not six digits */
	GD_TOTP_WRONG,	   /* no match within +-1 step */
	GD_TOTP_REPLAYED,  /* matched a step already used (or an older one) */
};

/*
 * Check @code for @user at @now_s (RFC 6238: HMAC-SHA-1, 6 digits, 30 s,
 * +-1 step).  A code is accepted once: its step must be later than the
 * last step accepted for the user.  Thread-safe.
 */
enum gd_totp_verdict gd_totp_check(struct gd_totp *t, const char *user, const char *code,
				   int64_t now_s);
/* The last step accepted per user, for the state file, and back. */
void gd_totp_set_last_step(struct gd_totp *t, const char *user, uint64_t step);
/* Call @f for each user with a last step. */
void gd_totp_each(struct gd_totp *t, void (*f)(void *ctx, const char *user, uint64_t step),
		  void *ctx);

/* ---- reload.c --------------------------------------------------------------- */

/*
 * struct gd_store - the store being served
 * @lock: guards @cur for the swap (held for a pointer copy and a ref)
 * @cur: the current store, or NULL before the first load
 * @generation: bumped at each swap
 * @reload_lock: one reload at a time
 * @trim_due: a store was swapped out since the last gd_store_trim()
 */
struct gd_store {
	pthread_mutex_t lock;
	struct authz_store *cur;
	uint64_t generation;
	pthread_mutex_t reload_lock;
	const char *dir;
	atomic_bool trim_due;
};

/* The current store with a reference the caller drops, or NULL. */
struct authz_store *gd_store_get(struct gd_store *st, uint64_t *ret_generation);

/*
 * Load @st->dir off to the side and swap it in.  On failure the old store
 * stays.  Returns 0 or -errno; every diagnostic goes to @diags.
 */
int gd_store_reload(struct gd_store *st, struct diag_list *diags, int64_t *ret_ms);

/*
 * After a reload, hand the freed heap back to the system once more: a
 * request that still held the old store when the reload trimmed freed it
 * later (RSS stayed 40 MiB up after a reload of a 30 MiB export under
 * load).  The main thread calls it every second; it does nothing unless a
 * reload happened since.
 */
void gd_store_trim(struct gd_store *st);

/* ---- dlog.c ----------------------------------------------------------------- */

struct gd_dlog;

/* Open @path for appending and start the writer thread.  NULL with errno. */
struct gd_dlog *gd_dlog_open(const char *path, atomic_uint_fast64_t *drops);
/* Queue one line (without newline; taken over, freed by the writer).  Never waits. */
void gd_dlog_push(struct gd_dlog *l, char *line);
/* Ask the writer to reopen the file (logrotate moved it). */
void gd_dlog_reopen(struct gd_dlog *l);
/* Write what is queued, stop the thread, close. */
struct gd_dlog *gd_dlog_close(struct gd_dlog *l);

/* ---- session.c -------------------------------------------------------------- */

struct gd_sessions;

/*
 * struct gd_session_info - what a token stands for (copied out of the table)
 * @user: the user who opened it
 * @role: the role assumed, "" for a user session
 * @session_name: the role session's name
 * @mfa: a TOTP code was checked when it was opened
 * @mfa_ms: when
 * @issued_ms, @expires_ms: lifetime
 * @owner_uid: who opened it (SO_PEERCRED)
 * @assume_context: a role session's caller context for sts:AssumeRole,
 *	compact JSON ("" for none): the role is assumed again, with it, on
 *	each new store
 */
struct gd_session_info {
	char user[128];
	char role[256];
	char session_name[65];
	bool mfa;
	int64_t mfa_ms;
	int64_t issued_ms, expires_ms;
	uid_t owner_uid;
	char assume_context[GD_ASSUME_CONTEXT_MAX];
};

struct gd_role_session;

const struct authz_session *gd_role_session_get(const struct gd_role_session *r);
void gd_role_session_unref(struct gd_role_session *r);

struct gd_sessions *gd_sessions_new(const char *state_path);
struct gd_sessions *gd_sessions_free(struct gd_sessions *t);

/*
 * Add a session; *@token gets its text (the only copy: the table keeps a
 * SHA-256 of it).  @rs (taken over) is the role session for a role.
 * Returns 0, -ENOSPC at GD_SESSIONS_MAX, -ENOMEM.
 */
int gd_sessions_add(struct gd_sessions *t, const struct gd_session_info *info,
		    struct authz_store *store, struct authz_session *rs, char token[64]);

/*
 * Find @token, valid at @now_ms.  0 and *@ret filled; -ENOENT unknown or
 * revoked, -ETIME expired.  For a role session on @store, *@ret_role gets
 * a referenced role session (rebuilt by @rebuild when the store changed);
 * -ENOENT also when it cannot be rebuilt (the role is gone).
 */
typedef struct authz_session *(*gd_role_rebuild_fn)(void *ctx, const struct authz_store *s,
						    const struct gd_session_info *info);
int gd_sessions_find(struct gd_sessions *t, const char *token, int64_t now_ms,
		     struct authz_store *store, gd_role_rebuild_fn rebuild, void *ctx,
		     struct gd_session_info *ret, struct gd_role_session **ret_role);

/* Revoke @token: 0, -ENOENT, or -EPERM when @uid may not (not its owner, root or @self_uid). */
int gd_sessions_revoke(struct gd_sessions *t, const char *token, uid_t uid, uid_t self_uid);
size_t gd_sessions_count(struct gd_sessions *t);

/*
 * The --state file: load (a corrupt one is renamed to PATH.corrupt-<time>
 * and reported in @msg, not fatal) and save (temp file, fsync, rename).
 */
int gd_sessions_load_state(struct gd_sessions *t, struct gd_totp *totp, int64_t now_ms, char *msg,
			   size_t msgsize);
int gd_sessions_save_state(struct gd_sessions *t, struct gd_totp *totp, int64_t now_ms);

/* ---- the daemon ------------------------------------------------------------- */

/**
 * struct gd_caps - the caps a deployment sets (server.c enforces them)
 * @body_max: bytes of a request body (GD_BODY_MAX)
 * @header_mem: bytes of a request line and headers (GD_HEADER_MEM)
 * @connections_max: open connections (GD_CONNECTIONS_MAX)
 * @idle_seconds: of silence before a connection is closed (GD_IDLE_SECONDS)
 */
struct gd_caps {
	size_t body_max;
	size_t header_mem;
	unsigned connections_max;
	unsigned idle_seconds;
};

/**
 * struct gd - the daemon
 * @clock: where time comes from
 * @store: the store served
 * @sessions: open sessions
 * @totp: TOTP secrets, or NULL without --mfa-secrets
 * @dlog: decision log, or NULL without --decision-log
 * @metrics: counters
 * @self_uid: the uid the daemon runs as (after dropping privileges)
 * @id_prefix: random per start, the first half of each decision_id
 * @next_id: the second half
 * @state_lock: serialises writes of the --state file
 * @caps: the caps on connections and requests
 * @tree_only: read every body as a jansson tree, never with reqread.c
 *	(the tests compare the two readers' answers)
 */
struct gd {
	struct gd_clock clock;
	struct gd_store store;
	struct gd_sessions *sessions;
	struct gd_totp *totp;
	struct gd_dlog *dlog;
	struct gd_metrics metrics;
	uid_t self_uid;
	char id_prefix[17];
	atomic_uint_fast64_t next_id;
	pthread_mutex_t state_lock;
	struct gd_caps caps;
	bool tree_only;
};

/* ---- requests, answers, errors: the types every file below shares -------- */

struct http_header {
	const char *name;
	const char *value;
};

/**
 * struct http_request - one parsed request (all borrowed)
 * @method, @path: "POST", "/v1/authorize" (no query string)
 * @headers: every header, in order
 * @body: the body (NUL-terminated), @body_len bytes
 * @peer_known: @uid/@gid come from SO_PEERCRED
 */
struct http_request {
	const char *method;
	const char *path;
	const struct http_header *headers;
	size_t nheaders;
	const char *body;
	size_t body_len;
	bool peer_known;
	uid_t uid;
	gid_t gid;
};

/**
 * struct http_response - the answer
 * @status: HTTP status
 * @content_type: static text
 * @body: malloc'ed, @len bytes
 * @reason: X-Gatehouse-Reason header for /v1/check, "" for none
 * @decision_id: X-Gatehouse-Decision-Id header, "" for none
 */
struct http_response {
	int status;
	const char *content_type;
	char *body;
	size_t len;
	char reason[32];
	char decision_id[40];
};

/**
 * struct gd_err - why a request is refused (answered as {"error": ...})
 * @status: HTTP status (4xx for the caller's mistakes, 5xx for ours)
 * @code: a stable word ("invalid_json", "derived_key", "unknown_principal", ...)
 * @path: JSON path of the offending value ("context.aws:username"), or ""
 * @msg: what is wrong and what was expected
 */
struct gd_err {
	int status;
	char code[32];
	char path[192];
	char msg[400];
};

/**
 * struct gd_call - who asks what
 * @principal: a user or role name or ARN, or NULL
 * @session: a session token, or NULL (exactly one of the two)
 */
struct gd_call {
	const char *principal;
	const char *session;
	const char *action;
	const char *resource;
};

/**
 * struct gd_decision - a decision and its names
 * @r: the engine's result
 * @id: decision_id
 * @principal: the ARN decided for (a user, a role, an assumed-role session)
 */
struct gd_decision {
	struct authz_result r;
	char id[40];
	char principal[600];
};

/* ---- answer.c: JSON answers and errors, answers written as text ---------- */

/* Answer @status with {"error": {"code", "message", "path"}}. */
void gd_error(struct http_response *res, int status, const char *code, const char *path,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Answer @status with the compact JSON of @v (stolen). */
void gd_json(struct http_response *res, int status, json_t *v);

int gd_fail(struct gd_err *e, int status, const char *code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void gd_err_answer(struct http_response *res, const struct gd_err *e);
/*
 * Put @where and @key in front of a failure's path, which is relative to
 * the value that failed ("", "[2]", "aws:SourceIp"): paths are formatted
 * only when something fails, never per key of every request.  Returns -1.
 */
int gd_err_at(struct gd_err *err, const char *where, const char *key);
json_t *gd_err_json(const struct gd_err *e);

/* "allowed", "explicit_deny", "implicit_deny". */
const char *gd_reason(enum authz_decision dec);
/* [{"policy", "sid", "index", "effect"}, ...] */
json_t *gd_matched_json(const struct authz_result *r);
/* {"decision", "reason", "explanation", "matched", "missing_context", "decision_id", "principal"}
 */
json_t *gd_answer_json(const struct gd_decision *dd);

/* A growable text with a ceiling; @failed once it could not grow. */
struct gd_buf {
	char *s;
	size_t len, cap;
	bool failed;
};

void gd_buf_put(struct gd_buf *b, const char *s, size_t n);
/* Room for @n more bytes, made at once (a batch's answer grew by doubling: a copy each time). */
void gd_buf_reserve(struct gd_buf *b, size_t n);
/* Append a string literal, its length taken from the literal (never typed by hand). */
#define GD_BUF_LIT(b, lit) gd_buf_put((b), "" lit, GH_LIT_LEN(lit))
void gd_buf_str(struct gd_buf *b, const char *s);
/* The gd_answer_json() object as text, without building it. */
void gd_answer_write(struct gd_buf *b, const struct gd_decision *dd);
/*
 * A decision-log line, as jansson would print {"time", "decision_id",
 * "principal", "action", "resource", "decision", "reason", "matched",
 * "latency_us"}: written on the request thread, so not built as a tree.
 */
void gd_log_line_write(struct gd_buf *b, const char *when, const struct gd_decision *dd,
		       const char *action, const char *resource, uint64_t latency_us);
/* @v (stolen) as compact text. */
void gd_answer_json_text(struct gd_buf *b, json_t *v);
/* Answer @status with @b's text (taken over; a failed buffer is a 500). */
void gd_buf_answer(struct http_response *res, int status, struct gd_buf *b);

/* Milliseconds since the epoch as "2026-12-01T14:37:16.123Z". */
void gd_iso_time(int64_t ms, char buf[32]);
/* For a role session after a reload: the session made again on @s. */
/* ---- context.c: the request context being built -------------------------- */

/* The request context being built: the caller's keys, resource tags, the daemon's MFA facts. */
struct gd_ctxb;
struct gd_ctxb *gd_ctxb_new(void);
void gd_ctxb_free(struct gd_ctxb *cb);
void gd_ctxb_reset(struct gd_ctxb *cb);
/* The context built so far, *@ret_n entries: what a query or a role assumption takes. */
const struct authz_ctx_entry *gd_ctxb_entries(const struct gd_ctxb *cb, size_t *ret_n);
/*
 * Every member of object @obj as a caller key (@where names it in errors,
 * "context").  A key the daemon derives (authz_key_is_derived) or an MFA
 * key (authz_key_is_mfa) is refused, in any letter case: 400 derived_key.
 */
int gd_ctxb_add_object(struct gd_ctxb *cb, json_t *obj, const char *where, struct gd_err *err);
/*
 * One caller key of @where with its values' texts (given as a list when
 * @list), with gd_ctxb_add_object()'s checks and errors for one member;
 * the texts are borrowed.
 */
int gd_ctxb_add_texts(struct gd_ctxb *cb, const char *key, size_t klen, const struct authz_value *v,
		      size_t nv, bool list, const char *where, struct gd_err *err);
/* aws:ResourceTag/<name> = @v (a string or a list of strings). */
int gd_ctxb_add_tag(struct gd_ctxb *cb, const char *name, json_t *v, const char *where,
		    struct gd_err *err);
/* The daemon's MFA facts: aws:MultiFactorAuthPresent, and aws:MultiFactorAuthAge as of @now_ms. */
void gd_ctxb_add_mfa(struct gd_ctxb *cb, int64_t mfa_ms, int64_t now_ms);

/* ---- reqread.c: request bodies; /v1/authorize's read without a tree ------ */

/* A context member read: its key (NUL-terminated) and values r->v[@v0, @v0 + @nv). */
struct gd_rmember {
	const char *key;
	size_t klen;
	size_t v0, nv;
	bool list;
};

/* A request read: its call and context members r->m[@m0, @m0 + @nm). */
struct gd_ritem {
	struct gd_call c;
	size_t m0, nm;
};

/**
 * struct gd_reqs - the requests of one body, every string in @text (the
 * body's copy, decoded in place) or @nums (numbers as a tree's value prints)
 * @items: @n requests, in order
 * @m, @v: their context members and values
 * @item_room, @m_room, @v_room: where @items, @m and @v start, so that
 *	a single request with a small context allocates nothing but @text
 */
struct gd_reqs {
	char *text, *nums;
	size_t nnums, numcap;
	struct gd_ritem *items;
	size_t n, cap;
	struct gd_rmember *m;
	size_t nm, mcap;
	struct authz_value *v;
	size_t nv, vcap;
	struct gd_ritem item_room[1];
	struct gd_rmember m_room[8];
	struct authz_value v_room[16];
};

/*
 * Read @len bytes of @text, a /v1/authorize body or, with @batch, a
 * /v1/authorize/batch body.  False (nothing held) when the body is outside
 * what this reader reads (reqread.c says what): read it as a tree then.
 */
bool gd_reqs_read(struct gd_reqs *r, const char *text, size_t len, bool batch);
/* The context of @it into @cb, checked as gd_ctxb_add_object() checks it ("context..." paths). */
int gd_reqs_context(const struct gd_reqs *r, const struct gd_ritem *it, struct gd_ctxb *cb,
		    struct gd_err *err);
void gd_reqs_done(struct gd_reqs *r);

/* A header's value (name compared case-insensitively), or NULL. */
const char *http_header(const struct http_request *req, const char *name);

/* The body as a JSON object, or NULL with the 400 answered. */
json_t *gd_body(const struct http_request *req, struct http_response *res);

/* ---- decide.c: one decision, shared by every decision endpoint ----------- */

/**
 * struct gd_turn - what the decisions of one request share, taken once
 * for all of them: the time, a block of decision ids, and the counts
 * added to the metrics at the end (the id counter and the metrics are
 * atomics both workers write: once per decision, their cache lines
 * bounced between the cores at every decision of a batch)
 * @now_ms: the time of every decision in the request (one store, one time)
 * @next_id, @end_id: the ids left, [@next_id, @end_id)
 * @counts: decisions by outcome, not yet in the metrics
 */
struct gd_turn {
	int64_t now_ms;
	uint64_t next_id, end_id;
	uint64_t counts[_AUTHZ_DECISION_MAX];
};

/*
 * Start a turn of up to @n decisions: @n ids are taken at once (those of
 * requests that fail are left unused); past them, or with @n 0, each
 * decision takes its id from the counter.
 */
void gd_turn_start(struct gd *d, struct gd_turn *t, size_t n);
/* Add the turn's counts to the metrics. */
void gd_turn_end(struct gd *d, struct gd_turn *t);

/*
 * Decide @c on @s with the context in @cb (to which the daemon's MFA facts
 * are added for an MFA session), as part of @t.  Counts the decision and
 * logs it.  Returns 0, or -1 with *@err.
 */
int gd_decide_in(struct gd *d, struct gd_turn *t, struct authz_store *s, const struct gd_call *c,
		 struct gd_ctxb *cb, struct gd_decision *out, struct gd_err *err);

/* The same, a turn of its own. */
int gd_decide(struct gd *d, struct authz_store *s, const struct gd_call *c, struct gd_ctxb *cb,
	      struct gd_decision *out, struct gd_err *err);

/* The current store, or NULL with the 503 answered. */
struct authz_store *gd_store_or_503(struct gd *d, struct http_response *res);
/* For a role session after a reload: the session made again on @s. */
struct authz_session *gd_role_rebuild(void *ctx, const struct authz_store *s,
				      const struct gd_session_info *info);

/* ---- the endpoints ------------------------------------------------------------ */

void gd_authorize(struct gd *d, const struct http_request *req, struct http_response *res);
void gd_authorize_batch(struct gd *d, const struct http_request *req, struct http_response *res);
void gd_opa(struct gd *d, const struct http_request *req, struct http_response *res);
void gd_check(struct gd *d, const struct http_request *req, struct http_response *res);
void gd_authzen_evaluation(struct gd *d, const struct http_request *req, struct http_response *res);
void gd_authzen_evaluations(struct gd *d, const struct http_request *req,
			    struct http_response *res);
void gd_authzen_config(struct gd *d, const struct http_request *req, struct http_response *res);
void gd_sessions_open(struct gd *d, const struct http_request *req, struct http_response *res);
void gd_sessions_delete(struct gd *d, const struct http_request *req, const char *token,
			struct http_response *res);

/* ---- route.c: one request in, one answer out; lifecycle ------------------ */

/* Handle @req into @res (res->body is the caller's to free).  Never fails: errors are answers. */
void gd_handle(struct gd *d, const struct http_request *req, struct http_response *res);
/*
 * Whether @req takes long enough (a reload: a large store loads in 150 ms)
 * that the server runs it off the thread serving other connections.
 */
bool gd_request_slow(const struct http_request *req);

/* Reload now (SIGHUP, POST /v1/reload): log, metric; the answer in *@ret_json if asked. */
int gd_reload(struct gd *d, json_t **ret_json);

#endif
