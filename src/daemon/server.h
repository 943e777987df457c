/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libmicrohttpd over a listening Unix socket, handing each request to gd_handle(). */
#ifndef GH_DAEMON_SERVER_H
#define GH_DAEMON_SERVER_H

#include "daemon/daemon.h"

struct gd_server;

/* Serve on @listen_fd (bound, listening) with @threads threads; NULL on failure. */
struct gd_server *gd_server_start(struct gd *d, int listen_fd, unsigned threads);
struct gd_server *gd_server_stop(struct gd_server *s);

#endif
