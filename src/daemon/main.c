/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehoused: authorization over a Unix socket (README.md, "gatehoused").
 *
 * Start-up, in order: options; TOTP secrets (refused if others can read
 * them); the socket, bound with a tight umask, then chmod/chown; the
 * decision log; privileges dropped (--user); sessions from --state; the
 * server; the store (GET /health says 503 until it is in).  Then the main
 * thread only waits for signals: SIGHUP reloads, SIGUSR1 reopens the
 * decision log, SIGTERM/SIGINT stop; and once a second, after a reload,
 * trims the heap again (gd_store_trim()).
 */
#include <errno.h>
#include <gatehouse/diag.h>
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
#include "common/macro.h"
#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/server.h"

#ifndef GH_VERSION
#define GH_VERSION "0"
#endif

/* Pending connections the kernel keeps for us (SOMAXCONN's default). */
#define LISTEN_BACKLOG 4096

/**
 * struct options - the command line
 * @s: the settings, the configuration file's under the flags'
 * @config_text: the configuration file's text (@s's strings point into it)
 */
struct options {
	struct gd_options s;
	char *config_text;
	bool test_only;
	const char *test_clock;
};

static void usage(FILE *f)
{
	fputs("usage: gatehoused --policies DIR --socket PATH [--mfa-secrets FILE]\n"
	      "                  [--decision-log FILE] [--state FILE] [--user USER]\n"
	      "                  [--socket-mode MODE] [--socket-group GROUP] [--threads N]\n"
	      "                  [--max-body BYTES] [--max-header BYTES]\n"
	      "                  [--max-connections N] [--idle-timeout SECONDS]\n"
	      "                  [--config FILE]\n"
	      "       gatehoused --policies DIR -t      (check the store and exit)\n"
	      "\n"
	      "  --policies DIR          the identity store (what 'gatehouse eval' loads)\n"
	      "  --socket PATH           the Unix socket to serve on\n"
	      "  --mfa-secrets FILE      TOTP secrets {\"user\": \"BASE32\"}, readable by the "
	      "owner only\n"
	      "  --decision-log FILE     one JSON line per decision; reopened on SIGUSR1\n"
	      "  --state FILE            sessions kept across restarts\n"
	      "  --user USER             started as root: become USER after binding\n"
	      "  --socket-mode MODE      octal, default 0660\n"
	      "  --socket-group GROUP    the socket's group\n"
	      "  --threads N             worker threads, 1 to 64, default 2\n"
	      "  --max-body BYTES        request body cap, default 1048576\n"
	      "  --max-header BYTES      request line and headers per connection, default 32768\n"
	      "  --max-connections N     open connections, default 1024\n"
	      "  --idle-timeout SECONDS  a silent connection is closed after, default 30\n"
	      "  --config FILE           settings as 'key = value' lines, the keys being the\n"
	      "                          options above without their dashes, '#' comments;\n"
	      "                          flags win over the file; no file is read without it\n"
	      "  -t, --test              load and check the store, exit 0 or 1\n"
	      "See README.md, \"gatehoused\".\n",
	      f);
}

/* Long options' values for the settings: OPT_SETTING + enum gd_setting. */
enum { OPT_SETTING = 256, OPT_CONFIG = OPT_SETTING + _GD_SET_MAX, OPT_TEST_CLOCK, OPT_VERSION };

#define SETTING(name, id)                                                                          \
	{                                                                                          \
		name, required_argument, NULL, OPT_SETTING + (id)                                  \
	}
static const struct option longopts[] = {
	SETTING("policies", GD_SET_POLICIES),
	SETTING("socket", GD_SET_SOCKET),
	SETTING("mfa-secrets", GD_SET_MFA_SECRETS),
	SETTING("decision-log", GD_SET_DECISION_LOG),
	SETTING("state", GD_SET_STATE),
	SETTING("user", GD_SET_USER),
	SETTING("socket-mode", GD_SET_SOCKET_MODE),
	SETTING("socket-group", GD_SET_SOCKET_GROUP),
	SETTING("threads", GD_SET_THREADS),
	SETTING("max-body", GD_SET_MAX_BODY),
	SETTING("max-header", GD_SET_MAX_HEADER),
	SETTING("max-connections", GD_SET_MAX_CONNECTIONS),
	SETTING("idle-timeout", GD_SET_IDLE_TIMEOUT),
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "test", no_argument, NULL, 't' },
	/* Tests only, not documented as an option: see clock.c. */
	{ "test-clock", required_argument, NULL, OPT_TEST_CLOCK },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ 0 },
};

/* The short options, each a setting's. */
static const struct {
	char ch;
	enum gd_setting id;
} shorts[] = {
	{ 'p', GD_SET_POLICIES },     { 's', GD_SET_SOCKET }, { 'm', GD_SET_MFA_SECRETS },
	{ 'l', GD_SET_DECISION_LOG }, { 'S', GD_SET_STATE },  { 'u', GD_SET_USER },
	{ 'j', GD_SET_THREADS },
};

/* An option getopt_long() refused (@c is '?' or ':'), with the closest known one. */
static int bad_option(int c, char **argv)
{
	const char *arg = argv[optind - 1], *names[ARRAY_SIZE(longopts)], *near = NULL;
	char word[64];
	size_t n = 0;

	if (arg[0] == '-' && arg[1] == '-')
		/* "--polices=x" is the option --polices. */
		snprintf(word, sizeof(word), "%.*s", (int)strcspn(arg, "="), arg);
	else
		snprintf(word, sizeof(word), "-%c", optopt);
	if (c == ':') {
		fprintf(stderr, "gatehoused: %s needs a value (try 'gatehoused --help')\n", word);
		return 2;
	}
	for (const struct option *o = longopts; o->name; o++)
		if (o->val != OPT_TEST_CLOCK)
			names[n++] = o->name;
	if (word[0] == '-' && word[1] == '-')
		near = diag_suggest(word + 2, names, n);
	if (near)
		fprintf(stderr,
			"gatehoused: unknown option %s: did you mean --%s? (try 'gatehoused "
			"--help')\n",
			word, near);
	else
		fprintf(stderr, "gatehoused: unknown option %s (try 'gatehoused --help')\n", word);
	return 2;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	struct gd_options flags;
	const char *config = NULL;
	char msg[160];
	int c;

	*o = (struct options){ 0 };
	gd_options_init(&flags);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:s:m:l:S:u:j:th", longopts, NULL)) != -1) {
		int id = c >= OPT_SETTING && c < OPT_CONFIG ? c - OPT_SETTING : -1;

		for (size_t i = 0; i < ARRAY_SIZE(shorts); i++)
			if (c == shorts[i].ch)
				id = (int)shorts[i].id;
		if (id >= 0) {
			if (gd_option_set(&flags, (enum gd_setting)id, optarg, msg, sizeof(msg)) <
			    0) {
				fprintf(stderr, "gatehoused: --%s %s\n",
					gd_setting_name((enum gd_setting)id), msg);
				return 2;
			}
			continue;
		}
		switch (c) {
		case OPT_CONFIG: config = optarg; break;
		case 't': o->test_only = true; break;
		case OPT_TEST_CLOCK: o->test_clock = optarg; break;
		case 'h': usage(stdout); exit(0);
		case OPT_VERSION: puts("gatehoused " GH_VERSION); exit(0);
		default: return bad_option(c, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gatehoused: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	gd_options_init(&o->s);
	if (config && gd_config_read(config, &o->s, &o->config_text, stderr) < 0)
		return 2;
	/* Flags win over the file. */
	gd_options_merge(&o->s, &flags);
	if (!o->s.policies || (!o->s.socket && !o->test_only)) {
		usage(stderr);
		return 2;
	}
	return 0;
}

/* Bind @path: a stale socket is replaced, anything else at the path is an error. */
static int bind_socket(const struct gd_options *o, gid_t gid)
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
	if (!r && o.test_only)
		r = check_only(o.s.policies);
	d = r || o.test_only ? NULL : calloc(1, sizeof(*d));
	if (!d) {
		free(o.config_text);
		return r || o.test_only ? r : 1;
	}
	d->clock.test_file = o.test_clock;
	d->caps = o.s.caps;
	d->store.dir = o.s.policies;
	pthread_mutex_init(&d->store.lock, NULL);
	pthread_mutex_init(&d->store.reload_lock, NULL);
	pthread_mutex_init(&d->state_lock, NULL);
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		goto out;
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(d->id_prefix + 2 * i, 3, "%02x", rnd[i]);

	if (o.s.mfa_secrets && !(d->totp = gd_totp_load(o.s.mfa_secrets, err, sizeof(err)))) {
		fprintf(stderr, "gatehoused: --mfa-secrets %s\n", err);
		goto out;
	}
	if (o.s.group) {
		struct group *g = getgrnam(o.s.group);

		if (!g) {
			fprintf(stderr, "gatehoused: --socket-group %s: no such group\n",
				o.s.group);
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

	fd = bind_socket(&o.s, gid);
	if (fd < 0)
		goto out;
	if (o.s.decision_log &&
	    !(d->dlog = gd_dlog_open(o.s.decision_log, &d->metrics.dlog_drops))) {
		fprintf(stderr, "gatehoused: --decision-log %s: %s\n", o.s.decision_log,
			strerror(errno));
		goto out;
	}
	if (o.s.user && drop_privileges(o.s.user) < 0)
		goto out;
	d->self_uid = getuid();
	d->sessions = gd_sessions_new(o.s.state);
	if (!d->sessions)
		goto out;
	if (gd_sessions_load_state(d->sessions, d->totp, gd_clock_now_ms(&d->clock), err,
				   sizeof(err)) < 0)
		fprintf(stderr, "gatehoused: --state: %s\n", err);

	srv = gd_server_start(d, fd, o.s.threads);
	if (!srv) {
		fprintf(stderr, "gatehoused: cannot start the HTTP server on %s\n", o.s.socket);
		goto out;
	}
	if (gd_reload(d, NULL) < 0) {
		fprintf(stderr, "gatehoused: no store to serve; stopping\n");
		goto out;
	}
	fprintf(stderr, "gatehoused: serving %s on %s\n", o.s.policies, o.s.socket);
	for (;;) {
		const struct timespec second = { .tv_sec = 1 };
		siginfo_t si;
		int sig = sigtimedwait(&set, &si, &second);

		/* A second without a signal (or EINTR): the heap a late request freed. */
		if (sig < 0) {
			gd_store_trim(&d->store);
			continue;
		}
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
		unlink(o.s.socket);
	}
	d->dlog = gd_dlog_close(d->dlog);
	d->sessions = gd_sessions_free(d->sessions);
	d->totp = gd_totp_free(d->totp);
	authz_store_unref(d->store.cur);
	free(d);
	free(o.config_text);
	return rc;
}
