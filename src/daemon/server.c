/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTP/1.1 by libmicrohttpd (fuzzed upstream; ~115,000 hello-world
 * requests/s on one core here), on a Unix socket we bind ourselves.  This
 * file only turns libmicrohttpd's calls into a struct http_request and a
 * struct http_response back: every decision is in gd_handle(), which the
 * fuzzer drives without a socket.
 *
 * Caps: request line and headers share GD_HEADER_MEM per connection
 * (libmicrohttpd answers 431 beyond it), bodies GD_BODY_MAX (413, from
 * Content-Length before reading, or once a chunked body passes it),
 * GD_CONNECTIONS_MAX connections, GD_IDLE_SECONDS of silence.
 */
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/server.h"

/* Headers kept per request; more are ignored (none of ours is past the first few). */
#define HEADERS_MAX 64

struct gd_server {
	struct MHD_Daemon *mhd;
	struct gd *d;
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
 * @too_big: the body passed GD_BODY_MAX: the rest is read and dropped
 */
struct conn {
	bool peer_known;
	uid_t uid;
	gid_t gid;
	char *body;
	size_t len, cap;
	bool started, too_big;
};

struct header_list {
	struct http_header h[HEADERS_MAX];
	size_t n;
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

static enum MHD_Result too_big(struct MHD_Connection *con)
{
	struct http_response res = { 0 };

	gd_error(&res, 413, "body_too_large", NULL, "a request body is at most %u bytes",
		 GD_BODY_MAX);
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
		if (cl && strtoull(cl, NULL, 10) > GD_BODY_MAX)
			return too_big(con);
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (p->too_big || n > GD_BODY_MAX - p->len) {
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
	if (p->too_big)
		return too_big(con);
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

	if (!s)
		return NULL;
	s->d = d;
	s->mhd =
	    MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO, 0,
			     NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, listen_fd,
			     MHD_OPTION_THREAD_POOL_SIZE, threads ? threads : 1,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)GD_HEADER_MEM,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)GD_CONNECTIONS_MAX,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)GD_IDLE_SECONDS,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
			     MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_END);
	if (!s->mhd) {
		free(s);
		return NULL;
	}
	return s;
}

struct gd_server *gd_server_stop(struct gd_server *s)
{
	if (!s)
		return NULL;
	MHD_stop_daemon(s->mhd);
	free(s);
	return NULL;
}
