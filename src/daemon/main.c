/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehoused: authorization over a Unix socket (README.md, "gatehoused").
 *
 * Start-up, in order: options; TOTP secrets (refused if others can read
 * them); the socket, bound with a tight umask, then chmod/chown; the
 * decision log; privileges dropped (--user); sessions from --state; the
 * server; the store (GET /health says 503 until it is in).  Then the main
 * thread only waits for signals: SIGHUP reloads, SIGUSR1 reopens the
 * decision log, SIGTERM/SIGINT stop.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/str.h"
#include "daemon/daemon.h"
#include "daemon/server.h"

#ifndef GH_VERSION
#define GH_VERSION "0"
#endif

/* Pending connections the kernel keeps for us (SOMAXCONN's default). */
#define LISTEN_BACKLOG 4096

struct options {
	const char *policies, *socket, *mfa_secrets, *decision_log, *state, *user, *group;
	mode_t mode;
	unsigned threads;
	bool test_only;
	const char *test_clock;
};

static void usage(FILE *f)
{
	fputs("usage: gatehoused --policies DIR --socket PATH [--mfa-secrets FILE]\n"
	      "                  [--decision-log FILE] [--state FILE] [--user USER]\n"
	      "                  [--socket-mode MODE] [--socket-group GROUP] [--threads N]\n"
	      "       gatehoused --policies DIR -t      (check the store and exit)\n"
	      "See README.md, \"gatehoused\".\n",
	      f);
}

static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_MODE = 256, OPT_GROUP, OPT_TEST_CLOCK, OPT_VERSION };
	static const struct option longopts[] = {
		{ "policies", required_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "mfa-secrets", required_argument, NULL, 'm' },
		{ "decision-log", required_argument, NULL, 'l' },
		{ "state", required_argument, NULL, 'S' },
		{ "user", required_argument, NULL, 'u' },
		{ "socket-mode", required_argument, NULL, OPT_MODE },
		{ "socket-group", required_argument, NULL, OPT_GROUP },
		{ "threads", required_argument, NULL, 'j' },
		{ "test", no_argument, NULL, 't' },
		/* Tests only, not documented as an option: see clock.c. */
		{ "test-clock", required_argument, NULL, OPT_TEST_CLOCK },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ 0 },
	};
	char *end;
	unsigned long v;
	int c;

	*o = (struct options){ .mode = 0660, .threads = 2 };
	while ((c = getopt_long(argc, argv, "p:s:m:l:S:u:j:th", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': o->policies = optarg; break;
		case 's': o->socket = optarg; break;
		case 'm': o->mfa_secrets = optarg; break;
		case 'l': o->decision_log = optarg; break;
		case 'S': o->state = optarg; break;
		case 'u': o->user = optarg; break;
		case OPT_GROUP: o->group = optarg; break;
		case 't': o->test_only = true; break;
		case OPT_TEST_CLOCK: o->test_clock = optarg; break;
		case OPT_MODE:
			errno = 0;
			v = strtoul(optarg, &end, 8);
			if (errno || *end || end == optarg || v > 0777) {
				fprintf(stderr,
					"gatehoused: --socket-mode wants an octal mode such "
					"as 0660, got '%s'\n",
					optarg);
				return 2;
			}
			o->mode = (mode_t)v;
			break;
		case 'j':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || v < 1 || v > 64) {
				fprintf(stderr, "gatehoused: --threads wants 1 to 64, got '%s'\n",
					optarg);
				return 2;
			}
			o->threads = (unsigned)v;
			break;
		case 'h': usage(stdout); exit(0);
		case OPT_VERSION: puts("gatehoused " GH_VERSION); exit(0);
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gatehoused: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!o->policies || (!o->socket && !o->test_only)) {
		usage(stderr);
		return 2;
	}
	return 0;
}

/* Bind @path: a stale socket is replaced, anything else at the path is an error. */
static int bind_socket(const struct options *o, gid_t gid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd, r;

	if (gh_strlcpy(sa.sun_path, o->socket, sizeof(sa.sun_path)) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "gatehoused: socket path longer than %zu bytes: %s\n",
			sizeof(sa.sun_path) - 1, o->socket);
		return -1;
	}
	if (lstat(o->socket, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			fprintf(stderr, "gatehoused: %s exists and is not a socket\n", o->socket);
			return -1;
		}
		unlink(o->socket);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	/* Nobody may connect between bind and chmod: bind with 0600 at most. */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || chmod(o->socket, o->mode) < 0 ||
	    (o->group && chown(o->socket, (uid_t)-1, gid) < 0) || listen(fd, LISTEN_BACKLOG) < 0)
		goto fail;
	return fd;
fail:
	fprintf(stderr, "gatehoused: %s: %s\n", o->socket, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw) {
		fprintf(stderr, "gatehoused: --user %s: no such user\n", user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		fprintf(stderr, "gatehoused: cannot become %s: %s\n", user, strerror(errno));
		return -1;
	}
	/* If root can be regained, the drop did not happen. */
	if (pw->pw_uid != 0 && setuid(0) == 0) {
		fprintf(stderr, "gatehoused: privileges could not be dropped\n");
		return -1;
	}
	return 0;
}

static int check_only(const char *dir)
{
	struct diag_list dl;
	struct authz_store *s;

	diag_list_init(&dl);
	s = authz_store_load(dir, &dl);
	diag_list_print(stderr, &dl);
	diag_list_clear(&dl);
	fprintf(stderr, "gatehoused: %s: %s\n", dir, s ? "ok" : "refused");
	authz_store_unref(s);
	return s ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct gd *d;
	struct gd_server *srv = NULL;
	struct options o;
	sigset_t set;
	gid_t gid = (gid_t)-1;
	unsigned char rnd[8];
	char err[512];
	int fd = -1, rc = 1, r;

	r = parse_options(argc, argv, &o);
	if (r)
		return r;
	if (o.test_only)
		return check_only(o.policies);
	d = calloc(1, sizeof(*d));
	if (!d)
		return 1;
	d->clock.test_file = o.test_clock;
	d->store.dir = o.policies;
	pthread_mutex_init(&d->store.lock, NULL);
	pthread_mutex_init(&d->store.reload_lock, NULL);
	pthread_mutex_init(&d->state_lock, NULL);
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		goto out;
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(d->id_prefix + 2 * i, 3, "%02x", rnd[i]);

	if (o.mfa_secrets && !(d->totp = gd_totp_load(o.mfa_secrets, err, sizeof(err)))) {
		fprintf(stderr, "gatehoused: --mfa-secrets %s\n", err);
		goto out;
	}
	if (o.group) {
		struct group *g = getgrnam(o.group);

		if (!g) {
			fprintf(stderr, "gatehoused: --socket-group %s: no such group\n", o.group);
			goto out;
		}
		gid = g->gr_gid;
	}
	/* Signals are taken by sigwait in this thread; every other thread blocks them. */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	fd = bind_socket(&o, gid);
	if (fd < 0)
		goto out;
	if (o.decision_log && !(d->dlog = gd_dlog_open(o.decision_log, &d->metrics.dlog_drops))) {
		fprintf(stderr, "gatehoused: --decision-log %s: %s\n", o.decision_log,
			strerror(errno));
		goto out;
	}
	if (o.user && drop_privileges(o.user) < 0)
		goto out;
	d->self_uid = getuid();
	d->sessions = gd_sessions_new(o.state);
	if (!d->sessions)
		goto out;
	if (gd_sessions_load_state(d->sessions, d->totp, gd_clock_now_ms(&d->clock), err,
				   sizeof(err)) < 0)
		fprintf(stderr, "gatehoused: --state: %s\n", err);

	srv = gd_server_start(d, fd, o.threads);
	if (!srv) {
		fprintf(stderr, "gatehoused: cannot start the HTTP server on %s\n", o.socket);
		goto out;
	}
	if (gd_reload(d, NULL) < 0) {
		fprintf(stderr, "gatehoused: no store to serve; stopping\n");
		goto out;
	}
	fprintf(stderr, "gatehoused: serving %s on %s\n", o.policies, o.socket);
	for (;;) {
		int sig;

		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			gd_reload(d, NULL);
		} else if (sig == SIGUSR1) {
			if (d->dlog)
				gd_dlog_reopen(d->dlog);
		} else {
			fprintf(stderr, "gatehoused: stopping (%s)\n", strsignal(sig));
			break;
		}
	}
	rc = 0;
out:
	srv = gd_server_stop(srv);
	if (fd >= 0) {
		close(fd);
		unlink(o.socket);
	}
	d->dlog = gd_dlog_close(d->dlog);
	d->sessions = gd_sessions_free(d->sessions);
	d->totp = gd_totp_free(d->totp);
	authz_store_unref(d->store.cur);
	free(d);
	return rc;
}
