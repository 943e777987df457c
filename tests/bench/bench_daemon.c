/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehoused under load, over its Unix socket (wrk cannot speak to one):
 * a load generator speaking HTTP/1.1 with keep-alive on N connections,
 * one request in flight on each, in one thread with poll().  In one run:
 *   hello       a libmicrohttpd hello-world server (the same library, the
 *               same thread count, gatehoused's workers and acceptor of
 *               src/daemon/workers.c), the ceiling the daemon is compared to
 *   authorize   POST /v1/authorize, closed loop: requests/s (in turns with
 *               hello, ten of each, so that both see the same load)
 *   fixed-rate  POST /v1/authorize at a fixed rate (default 50,000/s): p50,
 *               p99, counted from when each request was due, not sent (no
 *               coordinated omission)
 *   batch       POST /v1/authorize/batch of 100 requests: decisions/s
 * Output: one JSON line per measure (tests/bench/README.md).
 *
 *   bench_daemon --gatehoused PATH --policies DIR [--seconds S] [--conns N]
 *                [--threads T] [--rate R] [--only MEASURE] [--pin]
 *                [--sessions N [--session-user NAME]] [--reloads R] [--smoke]
 *   bench_daemon --socket PATH [...]
 *
 * --socket PATH talks to a gatehoused started by the caller (under perf,
 * taskset, a store of its own) instead of starting one.
 * --sessions and --reloads, last: open N sessions of NAME (default alice),
 * then reload R times while /v1/authorize runs on 4 other connections, and
 * report each reload's load time (least and most), the requests answered
 * and failed during the reloads, RSS before and after, and its peak.
 * --only runs one measure (the others' load off the machine: instruction
 * counts of the daemon per request, perf); --pin puts the servers on CPU 1
 * and the generator on CPU 0, so that they do not take each other's core.
 */
#include <errno.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "common/str.h"
#include "daemon/workers.h"

#define CONNS_MAX 256
#define BUF_MAX (1u << 20)
/* Turns taken by hello and authorize (see main()). */
#define TURNS 10
/* Latency bins of 1 µs up to 100 ms; the last bin overflows. */
#define US_BINS 100000

struct conn {
	int fd;
	char *in;
	size_t len;
	bool busy;
	uint64_t due_ns; /* when its request was due (fixed rate) or sent */
};

struct load {
	const char *sock;
	const char *req;
	size_t reqlen;
	unsigned nconns;
	double seconds;
	double rate; /* 0: closed loop */
	uint64_t done, failed;
	uint32_t *hist;
	/* When set: run until it is false, not for @seconds (load beside the reloads). */
	atomic_bool *running;
};

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A whole answer in @c->in?  Its length, 0 when incomplete; sets *@ok for 200. */
static size_t answer_len(const struct conn *c, bool *ok)
{
	static const char eoh[] = "\r\n\r\n", clh[] = "Content-Length:";
	const char *end = memmem(c->in, c->len, eoh, sizeof(eoh) - 1), *cl;
	size_t head, body = 0;

	if (!end)
		return 0;
	head = (size_t)(end - c->in) + sizeof(eoh) - 1;
	cl = memmem(c->in, head, clh, sizeof(clh) - 1);
	if (cl)
		body = strtoul(cl + sizeof(clh) - 1, NULL, 10);
	if (c->len < head + body)
		return 0;
	/* "HTTP/1.1 200 ": the status is at byte 9. */
	*ok = c->len > 12 && memcmp(c->in + 9, "200 ", GH_LIT_LEN("200 ")) == 0;
	return head + body;
}

static bool send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static int run(struct load *l)
{
	struct conn c[CONNS_MAX] = { 0 };
	struct pollfd pfd[CONNS_MAX];
	uint64_t start = bench_now_ns(), stop = start + (uint64_t)(l->seconds * 1e9);
	uint64_t interval = l->rate > 0 ? (uint64_t)(1e9 / l->rate) : 0, next_due = start;

	for (unsigned i = 0; i < l->nconns; i++) {
		c[i].fd = connect_unix(l->sock);
		c[i].in = malloc(BUF_MAX);
		if (c[i].fd < 0 || !c[i].in) {
			fprintf(stderr, "bench_daemon: cannot connect to %s\n", l->sock);
			return -1;
		}
	}
	for (;;) {
		uint64_t now = bench_now_ns();

		if (l->running ? !atomic_load(l->running) : now >= stop)
			break;
		/* Send: closed loop on every idle connection; fixed rate when due. */
		for (unsigned i = 0; i < l->nconns; i++) {
			if (c[i].busy)
				continue;
			if (interval) {
				if (next_due > now)
					break;
				c[i].due_ns = next_due;
				next_due += interval;
			} else {
				c[i].due_ns = now;
			}
			if (!send_all(c[i].fd, l->req, l->reqlen))
				return -1;
			c[i].busy = true;
		}
		bool idle = false;

		for (unsigned i = 0; i < l->nconns; i++) {
			pfd[i].fd = c[i].busy ? c[i].fd : -1;
			pfd[i].events = POLLIN;
			idle |= !c[i].busy;
		}
		/* Sleep until an answer comes or, with an idle connection, the next request is due:
		 * a spinning generator would take the daemon's CPU on a small machine. */
		uint64_t wait_ns = 100000000;

		now = bench_now_ns();
		if (interval && idle)
			wait_ns = next_due > now ? next_due - now : 0;
		struct timespec ts = { .tv_sec = (time_t)(wait_ns / 1000000000u),
				       .tv_nsec = (long)(wait_ns % 1000000000u) };

		if (ppoll(pfd, l->nconns, &ts, NULL) < 0 && errno != EINTR)
			return -1;
		for (unsigned i = 0; i < l->nconns; i++) {
			ssize_t r;
			size_t n;
			bool ok = false;

			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(c[i].fd, c[i].in + c[i].len, BUF_MAX - c[i].len);
			if (r <= 0)
				return -1;
			c[i].len += (size_t)r;
			n = answer_len(&c[i], &ok);
			if (!n)
				continue;
			memmove(c[i].in, c[i].in + n, c[i].len - n);
			c[i].len -= n;
			c[i].busy = false;
			l->done++;
			if (!ok)
				l->failed++;
			if (l->hist) {
				uint64_t us = (bench_now_ns() - c[i].due_ns) / 1000;

				l->hist[us < US_BINS ? us : US_BINS - 1]++;
			}
		}
	}
	for (unsigned i = 0; i < l->nconns; i++) {
		close(c[i].fd);
		free(c[i].in);
	}
	return 0;
}

static uint64_t quantile_us(const uint32_t *hist, uint64_t total, double q)
{
	uint64_t want = (uint64_t)(q * (double)total), seen = 0;

	for (uint64_t i = 0; i < US_BINS; i++) {
		seen += hist[i];
		if (seen > want)
			return i;
	}
	return US_BINS;
}

/* ---- the hello-world peer ------------------------------------------------------- */

static enum MHD_Result hello(void *cls, struct MHD_Connection *con, const char *url,
			     const char *method, const char *version, const char *data,
			     size_t *size, void **ctx)
{
	static const char body[] = "{\"hello\":\"world\"}\n";
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)cls, (void)url, (void)method, (void)version, (void)data;
	if (!*ctx) {
		*ctx = (void *)1;
		return MHD_YES;
	}
	if (*size) {
		*size = 0;
		return MHD_YES;
	}
	r = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(con, 200, r);
	MHD_destroy_response(r);
	return ret;
}

/* With --pin: the servers on CPU 1, the generator on CPU 0. */
static int pin_cpu = -1;

static void pin(int cpu)
{
	cpu_set_t set;

	if (pin_cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		perror("bench_daemon: sched_setaffinity");
}

static pid_t start_hello(const char *path, unsigned threads)
{
	pid_t pid = fork();

	if (pid == 0) {
		pin(1);
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		sigset_t set;
		int sig;

		memcpy(sa.sun_path, path, strlen(path) + 1);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    listen(fd, 4096) < 0)
			_exit(1);
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		/* gatehoused's workers and acceptor (src/daemon/workers.c): connections spread
		 * alike. */
		struct gd_workers *w =
		    gd_workers_start(fd, threads, 1024, 0, NULL, hello, NULL, NULL, NULL);

		if (!w)
			_exit(1);
		sigwait(&set, &sig);
		gd_workers_stop(w);
		_exit(0);
	}
	return pid;
}

static pid_t start_daemon(const char *bin, const char *policies, const char *sock, unsigned threads)
{
	char t[16];
	pid_t pid;

	snprintf(t, sizeof(t), "%u", threads);
	pid = fork();
	if (pid == 0) {
		pin(1);
		execl(bin, bin, "--policies", policies, "--socket", sock, "--threads", t,
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* @field ("VmRSS", "VmHWM") of process @pid in KiB, -1 when unknown. */
static long status_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t n = strlen(field);
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':' &&
		    sscanf(line + n + 1, "%ld", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

/*
 * @req sent @n times on one connection, one at a time: how many were
 * answered 200.  With @ms, the "load_ms" of each answer (POST /v1/reload's)
 * goes to @ms[i], -1 where there is none.
 */
static long repeat_ms(const char *sock, const char *req, size_t len, long n, long *ms)
{
	struct conn c = { .fd = connect_unix(sock), .in = malloc(BUF_MAX) };
	long ok = 0;

	for (long i = 0; c.fd >= 0 && c.in && i < n; i++) {
		size_t got = 0;
		bool is200 = false;

		if (!send_all(c.fd, req, len))
			break;
		while (!(got = answer_len(&c, &is200))) {
			ssize_t r = read(c.fd, c.in + c.len, BUF_MAX - c.len);

			if (r <= 0)
				goto out;
			c.len += (size_t)r;
		}
		if (ms) {
			const char *k =
			    memmem(c.in, got, "\"load_ms\":", GH_LIT_LEN("\"load_ms\":"));

			ms[i] = k ? strtol(k + GH_LIT_LEN("\"load_ms\":"), NULL, 10) : -1;
		}
		memmove(c.in, c.in + got, c.len - got);
		c.len -= got;
		ok += is200;
	}
out:
	if (c.fd >= 0)
		close(c.fd);
	free(c.in);
	return ok;
}

static long repeat(const char *sock, const char *req, size_t len, long n)
{
	return repeat_ms(sock, req, len, n, NULL);
}

/* /v1/authorize on @l's connections, closed loop, until l->running goes false. */
static void *load_thread(void *arg)
{
	struct load *l = arg;

	if (run(l) < 0)
		l->failed++;
	return NULL;
}

/*
 * Wait (up to 10 s) until @path answers GET /health with 200: the daemon
 * listens before its store is in (a 30 MiB export takes a few hundred ms).
 */
static bool wait_socket(const char *path)
{
	static const char health[] = "GET /health HTTP/1.1\r\nHost: bench\r\n\r\n";

	for (int i = 0; i < 400; i++) {
		if (repeat(path, health, sizeof(health) - 1, 1) == 1)
			return true;
		usleep(25000);
	}
	return false;
}

static const char one_body[] =
    "{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": "
    "\"arn:aws:s3:::corp-home/home/alice/notes.txt\", \"context\": {\"aws:SourceIp\": "
    "\"10.1.2.3\"}}";

static char *http_post(const char *path, const char *body, size_t *ret_len)
{
	size_t n = strlen(body) + 256;
	char *s = malloc(n);

	if (!s)
		return NULL;
	*ret_len = (size_t)snprintf(s, n,
				    "POST %s HTTP/1.1\r\nHost: bench\r\nContent-Type: "
				    "application/json\r\nContent-Length: %zu\r\n\r\n%s",
				    path, strlen(body), body);
	return s;
}

static bool wanted(const char *only, const char *measure)
{
	return !only || !strcmp(only, measure);
}

static void report(const char *measure, const struct load *l, double per_req, const char *extra)
{
	printf("{\"bench\": \"daemon\", \"measure\": \"%s\", \"conns\": %u, \"seconds\": %.2f, "
	       "\"requests\": %llu, \"failed\": %llu, \"requests_per_s\": %.0f, "
	       "\"decisions_per_s\": %.0f%s}\n",
	       measure, l->nconns, l->seconds, (unsigned long long)l->done,
	       (unsigned long long)l->failed, (double)l->done / l->seconds,
	       (double)l->done * per_req / l->seconds, extra);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *bin = NULL, *policies = NULL, *only = NULL, *sock = NULL;
	const char *session_user = "alice";
	long sessions = 0, reloads = 0;
	double seconds = 2, rate = 50000;
	unsigned conns = 16, threads = 1;
	char dir[] = "/tmp/gh-bench-daemon.XXXXXX", dsock[108], hsock[64], extra[160];
	pid_t dpid, hpid;
	struct load l;
	uint64_t v;
	double hello_rate;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--gatehoused") && next)
			bin = argv[++i];
		else if (!strcmp(a, "--policies") && next)
			policies = argv[++i];
		else if (!strcmp(a, "--seconds") && next && bench_parse_seconds(next, &seconds))
			i++;
		else if (!strcmp(a, "--conns") && next && bench_parse_u64(next, &v) && v &&
			 v <= CONNS_MAX)
			conns = (unsigned)v, i++;
		else if (!strcmp(a, "--threads") && next && bench_parse_u64(next, &v) && v &&
			 v <= 64)
			threads = (unsigned)v, i++;
		else if (!strcmp(a, "--rate") && next && bench_parse_u64(next, &v) && v)
			rate = (double)v, i++;
		else if (!strcmp(a, "--socket") && next)
			sock = argv[++i];
		else if (!strcmp(a, "--sessions") && next && bench_parse_u64(next, &v) &&
			 v <= 100000)
			sessions = (long)v, i++;
		else if (!strcmp(a, "--session-user") && next)
			session_user = argv[++i];
		else if (!strcmp(a, "--reloads") && next && bench_parse_u64(next, &v) && v <= 100)
			reloads = (long)v, i++;
		else if (!strcmp(a, "--only") && next)
			only = argv[++i];
		else if (!strcmp(a, "--pin"))
			pin_cpu = 0;
		else if (!strcmp(a, "--smoke"))
			seconds = 0.1, rate = 1000;
		else {
			fprintf(stderr,
				"usage: bench_daemon --gatehoused PATH --policies DIR "
				"[--seconds S] [--conns N] [--threads T] [--rate R] "
				"[--only MEASURE] [--pin] [--sessions N [--session-user NAME]] "
				"[--reloads R] [--smoke]\n"
				"       bench_daemon --socket PATH [...]\n");
			return 2;
		}
	}
	if ((!sock && (!bin || !policies)) || !mkdtemp(dir))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	snprintf(dsock, sizeof(dsock), "%s/d.sock", dir);
	snprintf(hsock, sizeof(hsock), "%s/h.sock", dir);
	pin(0);
	hpid = start_hello(hsock, threads);
	if (sock)
		gh_strlcpy(dsock, sock, sizeof(dsock));
	dpid = sock ? 0 : start_daemon(bin, policies, dsock, threads);
	if (!wait_socket(hsock) || !wait_socket(dsock)) {
		fprintf(stderr, "bench_daemon: the servers did not start\n");
		goto out;
	}

	/*
	 * The generator sleeps until the next request is due (every 20 us at
	 * 50,000/s); with the default 50 us of timer slack it would wake late
	 * and send in bursts, whose wait counts as latency (the servers,
	 * started before, keep the default).
	 */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

	/* GET with no body: the cheapest request, for the library's ceiling. */
	/*
	 * hello and authorize in turns of a tenth of the time each, summed: on
	 * a machine shared with other work the load moves within seconds, and
	 * the ratio of the two is only meaningful when both saw the same.
	 */
	struct load h = { .sock = hsock,
			  .req = "GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n",
			  .nconns = conns,
			  .seconds = seconds };
	struct load a = { .sock = dsock, .nconns = conns, .seconds = seconds };
	char *req = http_post("/v1/authorize", one_body, &a.reqlen);
	size_t reqlen = a.reqlen;

	h.reqlen = strlen(h.req);
	a.req = req;
	if (!req)
		goto out;
	for (int turn = 0; turn < TURNS; turn++) {
		struct load *both[] = { &h, &a };

		for (int k = 0; k < 2; k++) {
			l = *both[k];
			l.seconds = seconds / TURNS;
			l.done = l.failed = 0;
			if (wanted(only, k ? "authorize" : "hello") && run(&l) < 0)
				goto out;
			both[k]->done += l.done;
			both[k]->failed += l.failed;
		}
	}
	hello_rate = (double)h.done / seconds;
	if (wanted(only, "hello"))
		report("hello", &h, 0, "");
	if (wanted(only, "authorize")) {
		snprintf(extra, sizeof(extra), ", \"of_hello\": %.3f",
			 hello_rate > 0 ? (double)a.done / seconds / hello_rate : 0);
		report("authorize", &a, 1, extra);
	}

	l = (struct load){ .sock = dsock,
			   .req = req,
			   .reqlen = reqlen,
			   .nconns = conns,
			   .seconds = seconds,
			   .rate = rate,
			   .hist = calloc(US_BINS, 4) };
	if (wanted(only, "fixed-rate")) {
		if (!l.hist || run(&l) < 0)
			goto out;
		snprintf(extra, sizeof(extra),
			 ", \"rate\": %.0f, \"p50_us\": %llu, \"p99_us\": %llu, \"p999_us\": %llu",
			 rate, (unsigned long long)quantile_us(l.hist, l.done, 0.5),
			 (unsigned long long)quantile_us(l.hist, l.done, 0.99),
			 (unsigned long long)quantile_us(l.hist, l.done, 0.999));
		report("fixed-rate", &l, 1, extra);
	}
	free(l.hist);
	free(req);

	/* A batch of 100: decisions/s through one request. */
	if (wanted(only, "batch")) {
		size_t cap = 100 * (sizeof(one_body) + 2) + 32, off = 0;
		char *body = malloc(cap);

		if (!body)
			goto out;
		off += (size_t)snprintf(body + off, cap - off, "{\"requests\": [");
		for (int i = 0; i < 100; i++)
			off +=
			    (size_t)snprintf(body + off, cap - off, "%s%s", i ? "," : "", one_body);
		snprintf(body + off, cap - off, "]}");
		l = (struct load){ .sock = dsock, .nconns = conns, .seconds = seconds };
		req = http_post("/v1/authorize/batch", body, &l.reqlen);
		free(body);
		l.req = req;
		if (!req || run(&l) < 0)
			goto out;
		report("batch", &l, 100, ", \"batch\": 100");
		free(req);
	}
	if (dpid)
		printf("{\"bench\": \"daemon\", \"measure\": \"rss\", \"gatehoused_kib\": %ld}\n",
		       status_kib(dpid, "VmRSS"));
	/* Sessions opened, then reloads: RSS before and after, and its peak. */
	if (dpid && (sessions || reloads)) {
		char body[192];
		size_t len;
		long opened, reloaded, before;

		snprintf(body, sizeof(body), "{\"user\": \"%s\"}", session_user);
		req = http_post("/v1/sessions", body, &len);
		opened = req ? repeat(dsock, req, len, sessions) : 0;
		free(req);
		before = status_kib(dpid, "VmRSS");
		/*
		 * The reloads under load: /v1/authorize on 4 connections in a
		 * thread of its own for as long as they last; each reload's own
		 * load time is its answer's load_ms.
		 */
		atomic_bool running = true;
		struct load bg = { .sock = dsock, .nconns = 4, .running = &running };
		long *ms = calloc((size_t)reloads + 1, sizeof(*ms)), lo = -1, hi = -1;
		pthread_t bt;
		bool bg_started;
		uint64_t t0, t1;

		bg.req = http_post("/v1/authorize", one_body, &bg.reqlen);
		bg_started = bg.req && pthread_create(&bt, NULL, load_thread, &bg) == 0;
		req = http_post("/v1/reload", "", &len);
		t0 = bench_now_ns();
		reloaded = req && ms ? repeat_ms(dsock, req, len, reloads, ms) : 0;
		t1 = bench_now_ns();
		free(req);
		atomic_store(&running, false);
		if (bg_started)
			pthread_join(bt, NULL);
		free((char *)bg.req);
		for (long i = 0; i < reloaded; i++) {
			lo = lo < 0 || ms[i] < lo ? ms[i] : lo;
			hi = ms[i] > hi ? ms[i] : hi;
		}
		free(ms);
		/* RSS after: past the daemon's once-a-second second trim (gd_store_trim()). */
		usleep(1200000);
		printf("{\"bench\": \"daemon\", \"measure\": \"reload\", \"sessions\": %ld, "
		       "\"reloads\": %ld, \"load_ms_min\": %ld, \"load_ms_max\": %ld, "
		       "\"seconds_during\": %.3f, \"requests_during\": %llu, "
		       "\"failed_during\": %llu, "
		       "\"rss_kib_before\": %ld, \"rss_kib_after\": %ld, \"hwm_kib\": %ld}\n",
		       opened, reloaded, lo, hi, (double)(t1 - t0) / 1e9,
		       (unsigned long long)bg.done, (unsigned long long)bg.failed, before,
		       status_kib(dpid, "VmRSS"), status_kib(dpid, "VmHWM"));
	}
	rc = 0;
out:
	if (dpid) {
		kill(dpid, SIGTERM);
		waitpid(dpid, NULL, 0);
		unlink(dsock);
	}
	kill(hpid, SIGTERM);
	waitpid(hpid, NULL, 0);
	unlink(hsock);
	rmdir(dir);
	return rc;
}
