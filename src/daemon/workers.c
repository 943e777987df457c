/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libmicrohttpd daemons fed by one acceptor: workers.h says why. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/workers.h"

#define WORKERS_MAX 64

/**
 * struct worker - one libmicrohttpd daemon with one thread of its own
 * @open: its connections: counted up when the acceptor hands one over
 *	(the worker sees it later: a burst of connect()s would otherwise all
 *	go to the same worker), down when it closes (on_connection())
 */
struct worker {
	struct MHD_Daemon *mhd;
	atomic_uint open;
	struct gd_workers *all;
};

/**
 * struct gd_workers - the daemons and the thread that hands them connections
 * @stop: a pipe; writing to it ends the acceptor
 */
struct gd_workers {
	struct worker w[WORKERS_MAX];
	unsigned n, max_connections;
	int listen_fd;
	int stop[2];
	pthread_t acceptor;
	bool accepting;
	MHD_NotifyConnectionCallback notify;
	void *notify_cls;
};

/*
 * libmicrohttpd (0.9.75) cannot be told that a connection handed to it by
 * MHD_add_connection() is not TCP: it sets TCP_NODELAY and TCP_CORK on it
 * around every answer, and Linux refuses both on a Unix socket with
 * EOPNOTSUPP, which it does not take as "not TCP" (it does ENOPROTOOPT).
 * Two failed system calls per request.  Every socket of the programs that
 * use this file is a Unix socket, so a TCP option is refused here, without
 * a system call, with ENOPROTOOPT.  This definition takes the place of
 * libc's for the whole program (the executable's symbols come first);
 * every other option goes to the kernel.
 */
__attribute__((visibility("default"))) int setsockopt(int fd, int level, int name,
						      const void *value, socklen_t len)
{
	if (level == IPPROTO_TCP) {
		errno = ENOPROTOOPT;
		return -1;
	}
	return (int)syscall(SYS_setsockopt, fd, level, name, value, len);
}

static void on_connection(void *cls, struct MHD_Connection *con, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct worker *w = cls;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
		atomic_fetch_sub(&w->open, 1);
	if (w->all->notify)
		w->all->notify(w->all->notify_cls, con, socket_context, toe);
}

/* The worker with the fewest connections (the first of equals); *@total gets them all. */
static struct worker *least_loaded(struct gd_workers *s, unsigned *total)
{
	struct worker *best = &s->w[0];

	*total = 0;
	for (unsigned i = 0; i < s->n; i++) {
		unsigned n = atomic_load(&s->w[i].open);

		*total += n;
		if (n < atomic_load(&best->open))
			best = &s->w[i];
	}
	return best;
}

/*
 * Accept what is pending: false when accept() failed for want of
 * something (descriptors, memory) that waiting may bring back.  Past
 * max_connections a new connection is closed at once, as libmicrohttpd's
 * own limit does (each daemon's limit is the whole, never reached: the
 * counts here are never below its own).
 */
static bool accept_pending(struct gd_workers *s)
{
	for (;;) {
		struct sockaddr_un sa;
		socklen_t len = sizeof(sa);
		int fd = accept4(s->listen_fd, (struct sockaddr *)&sa, &len,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct worker *w;
		unsigned total;

		if (fd < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
			       errno == ECONNABORTED;
		w = least_loaded(s, &total);
		if (total >= s->max_connections) {
			close(fd);
			continue;
		}
		atomic_fetch_add(&w->open, 1);
		/* Refused: libmicrohttpd closed it and will not report it closed. */
		if (MHD_add_connection(w->mhd, fd, (struct sockaddr *)&sa, len) != MHD_YES)
			atomic_fetch_sub(&w->open, 1);
	}
}

static void *acceptor(void *arg)
{
	struct gd_workers *s = arg;
	struct pollfd p[2] = { { .fd = s->stop[0], .events = POLLIN },
			       { .fd = s->listen_fd, .events = POLLIN } };
	bool ok = true;

	for (;;) {
		/* Out of descriptors: the stop pipe alone for 100 ms, not a busy loop. */
		if (poll(p, ok ? 2 : 1, ok ? -1 : 100) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		ok = accept_pending(s);
	}
	return NULL;
}

struct gd_workers *gd_workers_start(int listen_fd, unsigned n, unsigned max_connections,
				    unsigned flags, const struct MHD_OptionItem *opts,
				    MHD_AccessHandlerCallback handler, void *cls,
				    MHD_NotifyConnectionCallback notify, void *notify_cls)
{
	static const struct MHD_OptionItem none[] = { { MHD_OPTION_END, 0, NULL } };
	struct gd_workers *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->listen_fd = listen_fd;
	s->max_connections = max_connections;
	s->notify = notify;
	s->notify_cls = notify_cls;
	s->stop[0] = s->stop[1] = -1;
	n = n ? (n < WORKERS_MAX ? n : WORKERS_MAX) : 1;
	for (s->n = 0; s->n < n; s->n++) {
		struct worker *w = &s->w[s->n];

		w->all = s;
		w->mhd =
		    MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
					 MHD_USE_TURBO | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC |
					 flags,
				     0, NULL, NULL, handler, cls, MHD_OPTION_CONNECTION_LIMIT,
				     max_connections, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
				     w, MHD_OPTION_ARRAY, opts ? opts : none, MHD_OPTION_END);
		if (!w->mhd)
			return gd_workers_stop(s);
	}
	if (pipe2(s->stop, O_CLOEXEC) < 0 || pthread_create(&s->acceptor, NULL, acceptor, s) != 0)
		return gd_workers_stop(s);
	s->accepting = true;
	return s;
}

void gd_workers_quiesce(struct gd_workers *s)
{
	if (!s->accepting)
		return;
	(void)!write(s->stop[1], "", 1);
	pthread_join(s->acceptor, NULL);
	s->accepting = false;
}

struct gd_workers *gd_workers_stop(struct gd_workers *s)
{
	if (!s)
		return NULL;
	gd_workers_quiesce(s);
	for (unsigned i = 0; i < s->n; i++)
		MHD_stop_daemon(s->w[i].mhd);
	for (int i = 0; i < 2; i++)
		if (s->stop[i] >= 0)
			close(s->stop[i]);
	free(s);
	return NULL;
}
