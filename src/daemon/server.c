/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTP/1.1 by libmicrohttpd (fuzzed upstream; ~115,000 hello-world
 * requests/s on one core here), on a Unix socket we bind ourselves.  This
 * file only turns libmicrohttpd's calls into a struct http_request and a
 * struct http_response back: every decision is in gd_handle(), which the
 * fuzzer drives without a socket.
 *
 * Caps (struct gd_caps): request line and headers share header_mem per
 * connection (libmicrohttpd answers 431 beyond it), bodies body_max (413,
 * from Content-Length before reading, or once a chunked body passes it),
 * connections_max connections, idle_seconds of silence.
 */
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/server.h"
#include "daemon/workers.h"

/* Headers kept per request; more are ignored (none of ours is past the first few). */
#define HEADERS_MAX 64

/**
 * struct gd_server - the workers (workers.h) and the slow thread
 * @slow: the thread that runs slow requests (struct job), and its queue
 */
struct gd_server {
	struct gd *d;
	struct gd_workers *workers;
	struct slow {
		pthread_mutex_t lock;
		pthread_cond_t cond;
		struct job *head, **tail;
		bool stop, started;
		pthread_t thread;
	} slow;
};

/* A body buffer larger than this is freed after its request, not kept for the next one. */
#define BODY_KEEP (64u << 10)

/**
 * struct conn - one connection's state, from its start to its close
 * (MHD_OPTION_NOTIFY_CONNECTION), reused by each request on it: a
 * keep-alive connection costs no allocation and no system call per
 * request beyond libmicrohttpd's own
 * @peer_known, @uid, @gid: SO_PEERCRED, asked once (a socket's peer
 *	credentials are those of connect() and never change)
 * @body: the body of the request being received, NUL-terminated
 * @started: on_request() saw the request's headers
 * @too_big: the body passed the cap: the rest is read and dropped
 */
struct conn {
	bool peer_known;
	uid_t uid;
	gid_t gid;
	char *body;
	size_t len, cap;
	bool started, too_big;
	struct job *job;
};

struct header_list {
	struct http_header h[HEADERS_MAX];
	size_t n;
};

/**
 * struct job - a slow request (gd_request_slow(): a reload) run by the
 * slow thread, not the worker: the worker suspends the connection and
 * goes on with its others (a reload of a large store took 150 ms, during
 * which every connection of that worker waited), and the slow thread
 * resumes it with the answer
 * @req: the request; its strings are libmicrohttpd's and the connection's,
 *	alive while the request is (a suspended request is)
 * @hl: the headers @req points to
 * @res: the answer, for on_request() once the connection is resumed
 */
struct job {
	struct job *next;
	struct MHD_Connection *con;
	struct http_request req;
	struct header_list hl;
	struct http_response res;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
				      const char *value)
{
	struct header_list *l = cls;

	(void)kind;
	if (l->n < HEADERS_MAX && key) {
		l->h[l->n].name = key;
		l->h[l->n].value = value ? value : "";
		l->n++;
	}
	return MHD_YES;
}

static enum MHD_Result send_answer(struct MHD_Connection *con, struct http_response *res)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	r = MHD_create_response_from_buffer(res->len, res->body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(res->body);
		return MHD_NO;
	}
	res->body = NULL;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				res->content_type ? res->content_type : "application/json");
	if (res->reason[0])
		MHD_add_response_header(r, "X-Gatehouse-Reason", res->reason);
	if (res->decision_id[0])
		MHD_add_response_header(r, "X-Gatehouse-Decision-Id", res->decision_id);
	if (res->status == 401)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	ok = MHD_queue_response(con, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ok;
}

/*
 * Queue @req for the slow thread and suspend its connection: true; false
 * when it cannot (out of memory, or the server stopping), and the worker
 * answers it itself.
 */
static bool slow_submit(struct gd_server *s, struct MHD_Connection *con, struct conn *p,
			const struct http_request *req, const struct header_list *hl)
{
	struct job *j = calloc(1, sizeof(*j));
	bool queued = false;

	if (!j)
		return false;
	j->con = con;
	j->hl = *hl;
	j->req = *req;
	j->req.headers = j->hl.h;
	pthread_mutex_lock(&s->slow.lock);
	if (s->slow.started && !s->slow.stop) {
		p->job = j;
		MHD_suspend_connection(con);
		*s->slow.tail = j;
		s->slow.tail = &j->next;
		pthread_cond_signal(&s->slow.cond);
		queued = true;
	}
	pthread_mutex_unlock(&s->slow.lock);
	if (!queued)
		free(j);
	return queued;
}

/* Run the queued jobs until told to stop, and those queued before. */
static void *slow_thread(void *arg)
{
	struct gd_server *s = arg;

	pthread_mutex_lock(&s->slow.lock);
	for (;;) {
		struct job *j;

		while (!s->slow.head && !s->slow.stop)
			pthread_cond_wait(&s->slow.cond, &s->slow.lock);
		if (!(j = s->slow.head))
			break;
		s->slow.head = j->next;
		if (!s->slow.head)
			s->slow.tail = &s->slow.head;
		pthread_mutex_unlock(&s->slow.lock);
		gd_handle(s->d, &j->req, &j->res);
		/* libmicrohttpd's lock in the resume orders the answer before the worker reads it.
		 */
		MHD_resume_connection(j->con);
		pthread_mutex_lock(&s->slow.lock);
	}
	pthread_mutex_unlock(&s->slow.lock);
	return NULL;
}

static void on_connection(void *cls, struct MHD_Connection *con, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct conn *c = *socket_context;

	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (c)
			free(c->body);
		free(c);
		*socket_context = NULL;
		return;
	}
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct ucred uc;
	socklen_t len = sizeof(uc);

	/* Out of memory: no context, and on_request() closes the connection. */
	c = calloc(1, sizeof(*c));
	if (c && ci && getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0 &&
	    len == sizeof(uc)) {
		c->peer_known = true;
		c->uid = uc.uid;
		c->gid = uc.gid;
	}
	*socket_context = c;
}

static enum MHD_Result too_big(const struct gd_server *srv, struct MHD_Connection *con)
{
	struct http_response res = { 0 };

	gd_error(&res, 413, "body_too_large", NULL, "a request body is at most %zu bytes",
		 srv->d->caps.body_max);
	return send_answer(con, &res);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct gd_server *srv = cls;
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *p = ci ? ci->socket_context : NULL;
	struct header_list hl = { .n = 0 };
	struct http_request req = { 0 };
	struct http_response res;

	(void)version;
	if (!p)
		return MHD_NO;
	if (!p->started) {
		const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);

		/* on_completed() resets the connection's state for its next request. */
		*con_cls = p;
		p->started = true;
		/* Refused before a byte of it is read. */
		if (cl && strtoull(cl, NULL, 10) > srv->d->caps.body_max)
			return too_big(srv, con);
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (p->too_big || n > srv->d->caps.body_max - p->len) {
			p->too_big = true;
			return MHD_YES;
		}
		if (p->len + n + 1 > p->cap) {
			size_t cap = p->cap ? p->cap : 4096;
			char *b;

			while (cap < p->len + n + 1)
				cap *= 2;
			b = realloc(p->body, cap);
			if (!b)
				return MHD_NO;
			p->body = b;
			p->cap = cap;
		}
		memcpy(p->body + p->len, upload_data, n);
		p->len += n;
		p->body[p->len] = '\0';
		return MHD_YES;
	}
	if (p->job) {
		/* Resumed: the slow thread's answer. */
		struct job *j = p->job;
		enum MHD_Result r = send_answer(con, &j->res);

		p->job = NULL;
		free(j);
		return r;
	}
	if (p->too_big)
		return too_big(srv, con);
	MHD_get_connection_values(con, MHD_HEADER_KIND, collect_header, &hl);
	req.method = method;
	req.path = url;
	req.headers = hl.h;
	req.nheaders = hl.n;
	req.body = p->len ? p->body : "";
	req.body_len = p->len;
	req.peer_known = p->peer_known;
	req.uid = p->uid;
	req.gid = p->gid;
	if (gd_request_slow(&req) && slow_submit(srv, con, p, &req, &hl))
		return MHD_YES;
	gd_handle(srv->d, &req, &res);
	return send_answer(con, &res);
}

static void on_completed(void *cls, struct MHD_Connection *con, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct conn *p = *con_cls;

	(void)cls;
	(void)con;
	(void)toe;
	if (p) {
		if (p->job) {
			/* Ended (the peer went away) before the answer of the slow thread was sent.
			 */
			free(p->job->res.body);
			free(p->job);
			p->job = NULL;
		}
		p->len = 0;
		p->started = p->too_big = false;
		if (p->cap > BODY_KEEP) {
			free(p->body);
			p->body = NULL;
			p->cap = 0;
		}
		*con_cls = NULL;
	}
}

struct gd_server *gd_server_start(struct gd *d, int listen_fd, unsigned threads)
{
	struct gd_server *s = calloc(1, sizeof(*s));
	const struct MHD_OptionItem opts[] = {
		{ MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)d->caps.header_mem, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)d->caps.idle_seconds, NULL },
		{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL },
		{ MHD_OPTION_END, 0, NULL },
	};

	if (!s)
		return NULL;
	s->d = d;
	pthread_mutex_init(&s->slow.lock, NULL);
	pthread_cond_init(&s->slow.cond, NULL);
	s->slow.tail = &s->slow.head;
	if (pthread_create(&s->slow.thread, NULL, slow_thread, s) != 0)
		return gd_server_stop(s);
	s->slow.started = true;
	s->workers =
	    gd_workers_start(listen_fd, threads, d->caps.connections_max, MHD_ALLOW_SUSPEND_RESUME,
			     opts, on_request, s, on_connection, NULL);
	if (!s->workers)
		return gd_server_stop(s);
	return s;
}

struct gd_server *gd_server_stop(struct gd_server *s)
{
	if (!s)
		return NULL;
	if (s->workers)
		gd_workers_quiesce(s->workers);
	/* The queued slow requests are answered first: no connection stays suspended. */
	if (s->slow.started) {
		pthread_mutex_lock(&s->slow.lock);
		s->slow.stop = true;
		pthread_cond_signal(&s->slow.cond);
		pthread_mutex_unlock(&s->slow.lock);
		pthread_join(s->slow.thread, NULL);
	}
	s->workers = gd_workers_stop(s->workers);
	pthread_cond_destroy(&s->slow.cond);
	pthread_mutex_destroy(&s->slow.lock);
	free(s);
	return NULL;
}
