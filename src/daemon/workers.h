/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libmicrohttpd daemons of one thread each, and one thread that accepts on
 * the listening socket and gives each connection to the daemon with the
 * fewest.  gatehoused serves with it (server.c), and bench_daemon's
 * hello-world peer too, so that the two spread connections alike.
 *
 * Why not libmicrohttpd's own thread pool: there every worker polls the
 * listening socket and keeps what it accepts, and the first to wake takes
 * a whole burst of connect()s.  A client opening 16 keep-alive connections
 * at once got all 16 on one thread about half of the time, and the other
 * core sat idle for as long as they lived (README.md, "Speed").
 */
#ifndef GH_DAEMON_WORKERS_H
#define GH_DAEMON_WORKERS_H

#include <microhttpd.h>

struct gd_workers;

/**
 * gd_workers_start - serve @listen_fd (bound, listening, non-blocking)
 * @n: daemons (threads), 1 to 64
 * @max_connections: open connections over all; one more is closed at once
 * @flags: MHD_USE_* flags beyond epoll, turbo and an internal thread
 * @opts: options for each daemon, ended by MHD_OPTION_END
 * @handler, @cls: libmicrohttpd's access handler
 * @notify, @notify_cls: told of each connection's start and close, as
 *	MHD_OPTION_NOTIFY_CONNECTION would be (NULL for none)
 *
 * NULL on failure.
 */
struct gd_workers *gd_workers_start(int listen_fd, unsigned n, unsigned max_connections,
				    unsigned flags, const struct MHD_OptionItem *opts,
				    MHD_AccessHandlerCallback handler, void *cls,
				    MHD_NotifyConnectionCallback notify, void *notify_cls);

/* Stop accepting: the connections open go on being served. */
void gd_workers_quiesce(struct gd_workers *w);

/* Quiesce if not yet, stop every daemon (closing its connections), free. */
struct gd_workers *gd_workers_stop(struct gd_workers *w);

#endif
