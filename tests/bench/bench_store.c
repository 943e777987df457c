/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_store: the identity store on a generated organisation in the
 * format of `aws iam get-account-authorization-details` (gen_export.c):
 * how long authz_store_load takes on it in both encodings (documents as
 * JSON objects, as the AWS CLI prints them, and URL-encoded, as the raw API
 * returns them), how much memory the loaded store takes, and how fast it
 * decides for a user in 3 groups with 10 attached policies, resolving the
 * principal by name for every decision.  See tests/bench/README.md.
 *
 *   bench_store [--org full|tiny] [--seed N] [--seconds S] [--runs N]
 *               [--requests N] [--work-dir DIR] [--encoding cli|raw|both]
 *               [--write-only] [--count-allocs] [--smoke]
 *
 * The export is written under --work-dir (default: bench-store/ next to
 * the executable, so in the build tree) as DIR/cli/ and DIR/raw/.  Prints a
 * table and one JSON line per measurement ({"bench": "store", "measure":
 * "load" | "eval", ...}).  --count-allocs only counts evaluation's
 * allocations and exits 1 if there were any.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gatehouse/authz.h>
#include <gatehouse/store.h>

#include "authz/policy.h" /* arena byte counts, for the memory report */
#include "authz/store.h"  /* a principal's groups, policies and derived keys */
#include "bench_util.h"
#include "common/macro.h"
#include "gen.h"
#include "gen_export.h"

#define ENC_CLI 1u
#define ENC_RAW 2u
#define RUNS_MAX 50

static const char *const enc_name[] = { "", "cli", "raw" };

struct opts {
	const struct gen_org_shape *org;
	uint64_t seed;
	double seconds;
	uint64_t runs;
	uint64_t requests;
	const char *work_dir;
	unsigned encodings;
	bool write_only;
	bool count_allocs_only;
	bool smoke;
};

/**
 * struct gen_report - what the generating child sends back, per encoding
 */
struct gen_report {
	int err;
	double ms;
	struct gen_org_info info;
};

/**
 * struct load_result - one encoding's loading
 */
struct load_result {
	unsigned enc;
	struct gen_report gen;
	unsigned runs;
	double ms_median, ms_min, ms_max;
	long rss_before_kib, rss_kib, hwm_kib, rss_trimmed_kib;
	bool hwm_reset;
	unsigned warnings;
	size_t store_bytes;
	long load_allocs;
	struct authz_store_stats stats;
	unsigned compiled;
};

/**
 * struct eval_result - evaluation through the store
 */
struct eval_result {
	unsigned requests, principals, groups_min, groups_max, pols_min, pols_max;
	double decisions_per_s, paired_decisions_per_s, engine_decisions_per_s;
	double timer_overhead_ns;
	uint64_t p50_ns, p99_ns, p999_ns, max_ns, nlatency;
	long allocs;
	uint64_t allocs_decisions;
	unsigned mix[_AUTHZ_DECISION_MAX];
	unsigned errors, mismatches;
};

/* ---- files ------------------------------------------------------------------------ */

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		buf[i] = path[i];
	}
	return 0;
}

/* bench-store/ next to this executable (the build tree's bin/). */
static int default_work_dir(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	if ((size_t)snprintf(buf, size, "%s/bench-store", exe) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int enc_dir(const struct opts *o, unsigned enc, char *buf, size_t size)
{
	if ((size_t)snprintf(buf, size, "%s/%s", o->work_dir, enc_name[enc]) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* Write the export of @enc; the child's work. */
static void write_export(const struct opts *o, const struct gen_set *core, unsigned enc,
			 struct gen_report *rep)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	uint64_t t0 = bench_now_ns();
	FILE *f;

	memset(rep, 0, sizeof(*rep));
	rep->err = enc_dir(o, enc, dir, sizeof(dir));
	if (!rep->err)
		rep->err = mkdir_p(dir);
	if (rep->err)
		return;
	snprintf(path, sizeof(path), "%s/account-authorization-details.json", dir);
	f = fopen(path, "we");
	if (!f) {
		rep->err = -errno;
		return;
	}
	rep->err = gen_org_write(f, o->org, o->seed, core, enc == ENC_RAW, &rep->info);
	if (fclose(f) != 0 && !rep->err)
		rep->err = -EIO;
	rep->ms = (double)(bench_now_ns() - t0) / 1e6;
}

/*
 * Generate both exports in a child process, so the generator's memory is
 * not in this process's RSS when the store is measured.
 */
static int generate(const struct opts *o, const struct gen_set *core, struct gen_report rep[3])
{
	int fds[2], status;
	pid_t pid;
	ssize_t n;

	memset(rep, 0, 3 * sizeof(*rep));
	if (pipe(fds) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		close(fds[0]);
		for (unsigned enc = ENC_CLI; enc <= ENC_RAW; enc++)
			if (o->encodings & enc)
				write_export(o, core, enc, &rep[enc]);
		n = write(fds[1], rep, 3 * sizeof(*rep));
		_exit(n == (ssize_t)(3 * sizeof(*rep)) ? 0 : 1);
	}
	close(fds[1]);
	n = read(fds[0], rep, 3 * sizeof(*rep));
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) ||
	    n != (ssize_t)(3 * sizeof(*rep)))
		return -EIO;
	for (unsigned enc = ENC_CLI; enc <= ENC_RAW; enc++)
		if ((o->encodings & enc) && rep[enc].err)
			return rep[enc].err;
	return 0;
}

/* ---- loading ----------------------------------------------------------------------- */

/* Reset VmHWM to the current RSS (Linux >= 4.0); false when refused. */
static bool reset_hwm(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, "5\n", 2) == 2;
	close(fd);
	return ok;
}

static struct authz_store *load(const char *dir, unsigned *ret_warnings)
{
	struct diag_list dl;
	struct authz_store *s;

	diag_list_init(&dl);
	s = authz_store_load(dir, &dl);
	if (!s || dl.errors) {
		fprintf(stderr, "bench_store: loading %s failed:\n", dir);
		diag_list_print(stderr, &dl);
		s = authz_store_unref(s);
	}
	if (ret_warnings)
		*ret_warnings = (unsigned)(dl.n - dl.errors);
	diag_list_clear(&dl);
	return s;
}

/* Bytes the store holds in its arenas: its own and each compiled policy's. */
static size_t store_bytes(const struct authz_store *s)
{
	size_t n = s->arena.used + s->ncompiled * sizeof(*s->compiled);

	for (size_t i = 0; i < s->ncompiled; i++)
		n += s->compiled[i]->arena.used;
	return n;
}

static int measure_load(const struct opts *o, unsigned enc, struct load_result *r)
{
	char dir[PATH_MAX];
	double ms[RUNS_MAX];
	unsigned runs = (unsigned)o->runs;
	int err;

	err = enc_dir(o, enc, dir, sizeof(dir));
	if (err < 0)
		return err;
	r->enc = enc;
	r->runs = runs;
	r->hwm_reset = reset_hwm();
	r->rss_before_kib = bench_status_kib("VmRSS");
	for (unsigned k = 0; k < runs; k++) {
		struct authz_store *s;
		uint64_t t0, t1;

		bench_alloc_count = 0;
		bench_alloc_counting = true;
		t0 = bench_now_ns();
		s = load(dir, k ? NULL : &r->warnings);
		t1 = bench_now_ns();
		bench_alloc_counting = false;
		if (!s)
			return -EINVAL;
		ms[k] = (double)(t1 - t0) / 1e6;
		if (!k) {
			/* the first load, with the store still held: its memory */
			r->rss_kib = bench_status_kib("VmRSS");
			r->hwm_kib = bench_status_kib("VmHWM");
			r->load_allocs = bench_alloc_counter_works() ? (long)bench_alloc_count : -1;
			r->store_bytes = store_bytes(s);
			r->compiled = (unsigned)s->ncompiled;
			authz_store_stats(s, &r->stats);
			/* what of that RSS is freed heap glibc keeps (the loader's JSON trees) */
			malloc_trim(0);
			r->rss_trimmed_kib = bench_status_kib("VmRSS");
		}
		authz_store_unref(s);
	}
	qsort(ms, runs, sizeof(ms[0]), bench_cmp_double);
	r->ms_median = runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
	r->ms_min = ms[0];
	r->ms_max = ms[runs - 1];
	return 0;
}

/*
 * Measure in a child process, so that each encoding starts from the same
 * small process (what an earlier load left in the heap would count too).
 */
static int measure_load_child(const struct opts *o, unsigned enc, struct load_result *r)
{
	int fds[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe(fds) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int err;

		close(fds[0]);
		err = measure_load(o, enc, r);
		n = write(fds[1], r, sizeof(*r));
		_exit(!err && n == (ssize_t)sizeof(*r) ? 0 : 1);
	}
	close(fds[1]);
	n = read(fds[0], r, sizeof(*r));
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) ||
	    n != (ssize_t)sizeof(*r))
		return -EIO;
	return 0;
}

/* ---- evaluation -------------------------------------------------------------------- */

/* The store's view of gen.c's requests: principal by name, caller keys only. */
struct queries {
	const char **names;
	struct authz_query *q;
	struct authz_ctx_entry *ctx;
	struct authz_value *vals;
	unsigned n;
};

/* "2024-09-14T17:30:00Z" in ms since the epoch; -1 when not that shape. */
static int64_t parse_time_ms(const char *s)
{
	int y, m, d, hh, mm, ss;
	int64_t era, yoe, doy, doe, days;
	char z;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &m, &d, &hh, &mm, &ss, &z) != 7 || z != 'Z')
		return -1;
	/* days_from_civil (H. Hinnant) */
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - 719468;
	return ((days * 86400) + hh * 3600 + mm * 60 + ss) * 1000;
}

/* 2026-11-30T12:00:00Z: requests without a time get this one. */
#define DEFAULT_NOW_MS 1796040000000ll

static int queries_build(const struct gen_set *s, struct queries *ret)
{
	size_t nctx = 0, nvals = 0, ci = 0, vi = 0;
	unsigned n = s->nreqs;

	for (unsigned i = 0; i < n; i++) {
		nctx += s->reqs[i].nctx;
		for (unsigned k = 0; k < s->reqs[i].nctx; k++)
			nvals += s->reqs[i].ctx[k].nvals;
	}
	ret->names = calloc(n ? n : 1, sizeof(*ret->names));
	ret->q = calloc(n ? n : 1, sizeof(*ret->q));
	ret->ctx = calloc(nctx ? nctx : 1, sizeof(*ret->ctx));
	ret->vals = calloc(nvals ? nvals : 1, sizeof(*ret->vals));
	if (!ret->names || !ret->q || !ret->ctx || !ret->vals)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		const struct gen_request *g = &s->reqs[i];
		struct authz_query *q = &ret->q[i];
		const char *slash = strrchr(g->principal, '/');

		ret->names[i] = slash ? slash + 1 : g->principal;
		q->action = g->action;
		q->resource = g->resource;
		q->context = &ret->ctx[ci];
		q->now_ms = DEFAULT_NOW_MS;
		for (unsigned k = 0; k < g->nctx; k++) {
			const struct gen_ctx *c = &g->ctx[k];
			struct authz_value *v = &ret->vals[vi];

			/* the store derives these from the principal and the clock */
			if (!strcmp(c->key, "aws:CurrentTime") && c->nvals == 1 &&
			    parse_time_ms(c->vals[0]) >= 0)
				q->now_ms = parse_time_ms(c->vals[0]);
			if (authz_key_is_derived(c->key, strlen(c->key)))
				continue;
			for (unsigned j = 0; j < c->nvals; j++)
				ret->vals[vi++] =
				    (struct authz_value){ c->vals[j], strlen(c->vals[j]) };
			authz_ctx_entry_init(&ret->ctx[ci++], c->key, strlen(c->key), v, c->nvals,
					     c->multi);
			q->ncontext++;
		}
	}
	ret->n = n;
	return 0;
}

static void queries_free(struct queries *q)
{
	free(q->names);
	free(q->q);
	free(q->ctx);
	free(q->vals);
	memset(q, 0, sizeof(*q));
}

/* One decision as a caller does it: the principal by name, then evaluate. */
static inline int decide(const struct authz_store *s, const char *name, struct authz_query *q,
			 struct authz_result *ar, struct diag *err)
{
	q->principal = authz_store_find(s, name);
	if (!q->principal)
		return -ENOENT;
	return authz_store_evaluate(s, q, ar, err);
}

static volatile unsigned sink;

/*
 * The engine alone on the same decisions, for comparison: the core
 * documents compiled on their own (authz_policy_load, as bench_authz) and
 * each request given the context the store derives for its principal.
 * Counts decisions that differ from the store's in res->mismatches, then
 * times both in turn (res->paired_decisions_per_s, ->engine_decisions_per_s).
 */
static int engine_compare(const struct opts *o, const struct gen_set *core,
			  const struct authz_store *s, const struct queries *qs,
			  const enum authz_decision *want, struct eval_result *res)
{
	struct authz_policy *pols[GEN_ORG_CORE_POLICIES] = { 0 };
	struct authz_policy_set set = { .identity = pols, .nidentity = GEN_ORG_CORE_POLICIES };
	struct authz_request *reqs = calloc(qs->n, sizeof(*reqs));
	struct authz_ctx_entry *ctx = NULL;
	struct authz_value *tv = NULL;
	char(*times)[2][64] = NULL;
	struct diag_list dl;
	struct authz_result ar;
	uint64_t t0, t1, n, deadline, store_ns = 0, engine_ns = 0;
	size_t nctx = 0, ci = 0;
	int err = 0;

	diag_list_init(&dl);
	for (unsigned i = 0; i < qs->n; i++) {
		const struct authz_principal *p = authz_store_find(s, qs->names[i]);

		nctx += (p ? p->e.nderived : 0) + 2 + qs->q[i].ncontext;
	}
	ctx = calloc(nctx ? nctx : 1, sizeof(*ctx));
	tv = calloc(2 * (size_t)qs->n + 1, sizeof(*tv));
	times = calloc(qs->n + 1, sizeof(*times));
	if (!reqs || !ctx || !tv || !times) {
		err = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < GEN_ORG_CORE_POLICIES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "core[%u]", i);
		pols[i] = authz_policy_load(core->docs[i], core->doclens[i], name,
					    AUTHZ_POLICY_IDENTITY, name, &dl);
		if (!pols[i]) {
			diag_list_print(stderr, &dl);
			err = -EINVAL;
			goto out;
		}
	}
	for (unsigned i = 0; i < qs->n; i++) {
		const struct authz_principal *p = authz_store_find(s, qs->names[i]);
		const struct authz_query *q = &qs->q[i];
		int64_t secs = q->now_ms / 1000, days = secs / 86400, rem = secs % 86400;
		/* civil_from_days (H. Hinnant) */
		int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
		int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
		int64_t m = mp < 10 ? mp + 3 : mp - 9;

		if (!p)
			continue;
		y += m <= 2;
		reqs[i].principal = p->e.arn;
		reqs[i].action = q->action;
		reqs[i].resource = q->resource;
		reqs[i].context = &ctx[ci];
		for (uint32_t k = 0; k < p->e.nderived; k++)
			ctx[ci++] = p->e.derived[k];
		snprintf(times[i][0], sizeof(times[i][0]), "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y,
			 (int)m, (int)d, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
		snprintf(times[i][1], sizeof(times[i][1]), "%lld", (long long)secs);
		tv[2 * i] = (struct authz_value){ times[i][0], strlen(times[i][0]) };
		tv[2 * i + 1] = (struct authz_value){ times[i][1], strlen(times[i][1]) };
		authz_ctx_entry_init(&ctx[ci++], "aws:CurrentTime", 15, &tv[2 * i], 1, false);
		authz_ctx_entry_init(&ctx[ci++], "aws:EpochTime", 13, &tv[2 * i + 1], 1, false);
		for (size_t k = 0; k < q->ncontext; k++)
			ctx[ci++] = q->context[k];
		reqs[i].ncontext = (size_t)(&ctx[ci] - reqs[i].context);
	}
	for (unsigned i = 0; i < qs->n; i++) {
		if (!reqs[i].principal || authz_evaluate(&set, &reqs[i], &ar) < 0 ||
		    ar.decision != want[i])
			res->mismatches++;
	}
	if (o->count_allocs_only)
		goto out;
	/*
	 * Paired: a pass through the store, then a pass of the engine alone,
	 * in turn, so both see the same machine (others' load moves the
	 * numbers by tens of percent here).
	 */
	n = 0;
	deadline = bench_now_ns() + (uint64_t)(o->seconds * 1e9);
	do {
		struct diag derr;

		t0 = bench_now_ns();
		for (unsigned i = 0; i < qs->n; i++) {
			decide(s, qs->names[i], &qs->q[i], &ar, &derr);
			sink += ar.decision;
		}
		t1 = bench_now_ns();
		store_ns += t1 - t0;
		for (unsigned i = 0; i < qs->n; i++) {
			authz_evaluate(&set, &reqs[i], &ar);
			sink += ar.decision;
		}
		t0 = bench_now_ns();
		engine_ns += t0 - t1;
		n += qs->n;
	} while (t0 < deadline);
	res->paired_decisions_per_s = (double)n / ((double)store_ns / 1e9);
	res->engine_decisions_per_s = (double)n / ((double)engine_ns / 1e9);
out:
	for (unsigned i = 0; i < GEN_ORG_CORE_POLICIES; i++)
		authz_policy_unref(pols[i]);
	diag_list_clear(&dl);
	free(reqs);
	free(ctx);
	free(tv);
	free(times);
	return err;
}

static int measure_eval(const struct opts *o, const struct gen_set *core, unsigned enc,
			struct eval_result *res)
{
	struct authz_store *s = NULL;
	struct queries qs = { 0 };
	enum authz_decision *want = NULL;
	uint32_t *hist = NULL;
	struct authz_result ar;
	struct diag derr;
	char dir[PATH_MAX];
	uint64_t t0, t1, n, deadline, budget = (uint64_t)(o->seconds * 1e9);
	int err;

	memset(res, 0, sizeof(*res));
	res->groups_min = res->pols_min = UINT32_MAX;
	err = enc_dir(o, enc, dir, sizeof(dir));
	if (err < 0)
		return err;
	s = load(dir, NULL);
	if (!s)
		return -EINVAL;
	err = queries_build(core, &qs);
	if (err < 0)
		goto out;
	res->requests = qs.n;
	want = calloc(qs.n ? qs.n : 1, sizeof(*want));
	if (!want) {
		err = -ENOMEM;
		goto out;
	}

	/* the principals asked about: each must be a user in 3 groups with 10 policies */
	for (size_t u = 0; u < gen_org_ncore_users; u++) {
		const struct authz_principal *p = authz_store_find(s, gen_org_core_users[u]);

		if (!p) {
			fprintf(stderr, "bench_store: no user %s in the store\n",
				gen_org_core_users[u]);
			err = -ENOENT;
			goto out;
		}
		res->principals++;
		if (p->e.ngroups < res->groups_min)
			res->groups_min = p->e.ngroups;
		if (p->e.ngroups > res->groups_max)
			res->groups_max = p->e.ngroups;
		if (p->e.npolicies < res->pols_min)
			res->pols_min = p->e.npolicies;
		if (p->e.npolicies > res->pols_max)
			res->pols_max = p->e.npolicies;
	}
	if (res->groups_min != GEN_ORG_CORE_GROUPS || res->groups_max != GEN_ORG_CORE_GROUPS ||
	    res->pols_min != GEN_ORG_CORE_POLICIES || res->pols_max != GEN_ORG_CORE_POLICIES) {
		fprintf(stderr,
			"bench_store: the core users are not in %d groups with %d policies\n",
			GEN_ORG_CORE_GROUPS, GEN_ORG_CORE_POLICIES);
		err = -EINVAL;
		goto out;
	}

	/* one pass: the decision mix and warm caches; then count allocations */
	for (unsigned i = 0; i < qs.n; i++) {
		if (decide(s, qs.names[i], &qs.q[i], &ar, &derr) < 0) {
			if (!res->errors)
				fprintf(stderr, "bench_store: request %u (%s %s %s): %s: %s\n", i,
					qs.names[i], qs.q[i].action, qs.q[i].resource, derr.path,
					derr.message);
			res->errors++;
			want[i] = _AUTHZ_DECISION_MAX;
			continue;
		}
		res->mix[ar.decision]++;
		want[i] = ar.decision;
	}
	bench_alloc_count = 0;
	bench_alloc_counting = true;
	for (unsigned i = 0; i < qs.n; i++)
		decide(s, qs.names[i], &qs.q[i], &ar, &derr);
	bench_alloc_counting = false;
	res->allocs = bench_alloc_counter_works() ? (long)bench_alloc_count : -1;
	res->allocs_decisions = qs.n;
	err = engine_compare(o, core, s, &qs, want, res);
	if (err < 0 || o->count_allocs_only)
		goto out;

	/* throughput: whole passes over the requests until the time is up */
	n = 0;
	bench_alloc_count = 0;
	bench_alloc_counting = true;
	t0 = bench_now_ns();
	deadline = t0 + budget;
	do {
		for (unsigned i = 0; i < qs.n; i++) {
			decide(s, qs.names[i], &qs.q[i], &ar, &derr);
			sink += ar.decision;
		}
		n += qs.n;
		t1 = bench_now_ns();
	} while (t1 < deadline);
	bench_alloc_counting = false;
	if (bench_alloc_counter_works()) {
		res->allocs += (long)bench_alloc_count;
		res->allocs_decisions += n;
	}
	res->decisions_per_s = (double)n / ((double)(t1 - t0) / 1e9);

	/* latency: each decision timed alone, the timer's own cost taken off */
	hist = calloc(BENCH_LAT_BINS, sizeof(*hist));
	if (!hist) {
		err = -ENOMEM;
		goto out;
	}
	res->timer_overhead_ns = bench_timer_overhead_ns(o->smoke ? 1000 : 200000);
	n = 0;
	deadline = bench_now_ns() + budget;
	do {
		for (unsigned i = 0; i < qs.n; i++) {
			uint64_t a = bench_now_ns(), b;

			decide(s, qs.names[i], &qs.q[i], &ar, &derr);
			b = bench_now_ns();
			sink += ar.decision;
			bench_lat_add(hist, &res->max_ns, res->timer_overhead_ns, a, b);
		}
		n += qs.n;
	} while (bench_now_ns() < deadline);
	res->nlatency = n;
	res->p50_ns = bench_hist_quantile(hist, n, 0.50);
	res->p99_ns = bench_hist_quantile(hist, n, 0.99);
	res->p999_ns = bench_hist_quantile(hist, n, 0.999);
	err = 0;
out:
	free(hist);
	free(want);
	queries_free(&qs);
	authz_store_unref(s);
	return err;
}

/* ---- reporting --------------------------------------------------------------------- */

static void print_load_json(const struct opts *o, const struct load_result *r)
{
	const struct gen_org_info *g = &r->gen.info;

	printf("{\"bench\": \"store\", \"measure\": \"load\", \"encoding\": \"%s\", "
	       "\"org\": \"%s\", "
	       "\"seed\": %llu, \"file_bytes\": %zu, \"generate_ms\": %.1f, "
	       "\"generated\": {\"users\": %u, \"groups\": %u, \"roles\": %u, "
	       "\"customer_policies\": %u, \"aws_policies\": %u, \"versions\": %u, "
	       "\"default_statements\": %u, \"inline_policies\": %u, \"user_boundaries\": %u, "
	       "\"role_boundaries\": %u}, "
	       "\"stats\": {\"users\": %zu, \"groups\": %zu, \"roles\": %zu, \"policies\": %zu, "
	       "\"resource_policies\": %zu}, \"compiled_policies\": %u, "
	       "\"runs\": %u, \"load_ms\": %.2f, \"load_ms_min\": %.2f, \"load_ms_max\": %.2f, "
	       "\"rss_before_kib\": %ld, \"rss_kib\": %ld, \"rss_delta_kib\": %ld, "
	       "\"vmhwm_kib\": %ld, \"vmhwm_reset\": %s, \"rss_after_malloc_trim_kib\": %ld, "
	       "\"store_bytes\": %zu, \"load_allocs\": %ld, \"load_warnings\": %u}\n",
	       enc_name[r->enc], o->org->name, (unsigned long long)o->seed, g->bytes, r->gen.ms,
	       g->users, g->groups, g->roles, g->policies, g->aws_policies, g->versions,
	       g->statements, g->inline_policies, g->user_boundaries, g->role_boundaries,
	       r->stats.users, r->stats.groups, r->stats.roles, r->stats.policies,
	       r->stats.resource_policies, r->compiled, r->runs, r->ms_median, r->ms_min, r->ms_max,
	       r->rss_before_kib, r->rss_kib, r->rss_kib - r->rss_before_kib, r->hwm_kib,
	       r->hwm_reset ? "true" : "false", r->rss_trimmed_kib, r->store_bytes, r->load_allocs,
	       r->warnings);
}

static double allocs_per(const struct eval_result *r)
{
	return (double)r->allocs / (double)(r->allocs_decisions ? r->allocs_decisions : 1);
}

static void print_eval_json(const struct opts *o, unsigned enc, const struct eval_result *r)
{
	double store_ns = r->paired_decisions_per_s > 0 ? 1e9 / r->paired_decisions_per_s : 0;
	double engine_ns = r->engine_decisions_per_s > 0 ? 1e9 / r->engine_decisions_per_s : 0;

	printf("{\"bench\": \"store\", \"measure\": \"eval\", \"encoding\": \"%s\", "
	       "\"org\": \"%s\", "
	       "\"seed\": %llu, \"principals\": [",
	       enc_name[enc], o->org->name, (unsigned long long)o->seed);
	for (size_t u = 0; u < gen_org_ncore_users; u++)
		printf("%s\"%s\"", u ? ", " : "", gen_org_core_users[u]);
	printf("], \"groups_per_principal\": %u, \"policies_per_principal\": %u, "
	       "\"requests\": %u, \"resolution\": \"authz_store_find by name + "
	       "authz_store_evaluate per decision\", \"decisions_per_s\": %.0f, "
	       "\"p50_ns\": %llu, \"p99_ns\": %llu, \"p999_ns\": %llu, \"max_ns\": %llu, "
	       "\"latency_samples\": %llu, \"timer_overhead_ns\": %.1f, "
	       "\"timer\": \"clock_gettime(CLOCK_MONOTONIC), overhead subtracted\", "
	       "\"allocs\": %ld, \"allocs_per_decision\": ",
	       r->groups_min, r->pols_min, r->requests, r->decisions_per_s,
	       (unsigned long long)r->p50_ns, (unsigned long long)r->p99_ns,
	       (unsigned long long)r->p999_ns, (unsigned long long)r->max_ns,
	       (unsigned long long)r->nlatency, r->timer_overhead_ns, r->allocs);
	if (r->allocs < 0)
		printf("null");
	else
		printf("%g", allocs_per(r));
	printf(", \"allocs_decisions\": %llu, \"paired_decisions_per_s\": %.0f, "
	       "\"engine_decisions_per_s\": %.0f, "
	       "\"store_overhead_ns\": %.1f, \"engine_mismatches\": %u, \"mix\": {\"allow\": %u, "
	       "\"explicit_deny\": %u, \"implicit_deny\": %u, \"error\": %u}}\n",
	       (unsigned long long)r->allocs_decisions, r->paired_decisions_per_s,
	       r->engine_decisions_per_s, store_ns && engine_ns ? store_ns - engine_ns : 0,
	       r->mismatches, r->mix[AUTHZ_ALLOW], r->mix[AUTHZ_EXPLICIT_DENY],
	       r->mix[AUTHZ_IMPLICIT_DENY], r->errors);
}

static void print_table(const struct opts *o, const struct load_result *l, size_t nl,
			const struct eval_result *e)
{
	const struct gen_org_info *g = nl ? &l[0].gen.info : NULL;

	printf("\ngatehouse identity store, single thread: generated AWS account export "
	       "(org %s, seed %llu)\n",
	       o->org->name, (unsigned long long)o->seed);
	if (g)
		printf("org: %u users, %u groups, %u roles, %u customer-managed + %u AWS-managed "
		       "policies, %u versions, %u statements in default versions, %u inline "
		       "policies, %u+%u boundaries (users+roles)\n",
		       g->users, g->groups, g->roles, g->policies, g->aws_policies, g->versions,
		       g->statements, g->inline_policies, g->user_boundaries, g->role_boundaries);
	printf("%-8s %8s %10s %19s %9s %9s %9s %9s %9s %6s\n", "encoding", "file", "load p50",
	       "(min..max)", "RSS", "trimmed", "VmHWM", "store", "allocs", "warn");
	for (size_t i = 0; i < nl; i++) {
		char mm[40];

		snprintf(mm, sizeof(mm), "(%.1f..%.1f)", l[i].ms_min, l[i].ms_max);
		printf("%-8s %6.1fMi %8.1fms %19s %7.1fMi %7.1fMi %7.1fMi %7.1fMi %9ld %6u\n",
		       enc_name[l[i].enc], (double)l[i].gen.info.bytes / 1048576.0, l[i].ms_median,
		       mm, (double)l[i].rss_kib / 1024.0, (double)l[i].rss_trimmed_kib / 1024.0,
		       (double)l[i].hwm_kib / 1024.0, (double)l[i].store_bytes / 1048576.0,
		       l[i].load_allocs, l[i].warnings);
	}
	if (nl)
		printf("load: authz_store_load, median of %u runs, each encoding in a fresh "
		       "process; RSS: VmRSS with the store held (whole process, %.1f MiB "
		       "before); trimmed: the same after malloc_trim(0); VmHWM: peak while "
		       "loading%s; store: the store's and its compiled policies' arenas; warn: "
		       "warnings of the load\n",
		       l[0].runs, (double)l[0].rss_before_kib / 1024.0,
		       l[0].hwm_reset ? "" : " (could not be reset: includes generation)");
	if (!e)
		return;
	printf("\n%-22s %12s %8s %8s %9s %12s %12s %9s %s\n", "principal", "decisions/s", "p50",
	       "p99", "allocs/d", "paired", "engine/s", "overhead", "mix allow/xdeny/ideny/err");
	{
		char allocs[32], who[64];
		double store_ns =
		    e->paired_decisions_per_s > 0 ? 1e9 / e->paired_decisions_per_s : 0;
		double engine_ns =
		    e->engine_decisions_per_s > 0 ? 1e9 / e->engine_decisions_per_s : 0;

		if (e->allocs < 0)
			snprintf(allocs, sizeof(allocs), "n/a");
		else
			snprintf(allocs, sizeof(allocs), "%g", allocs_per(e));
		snprintf(who, sizeof(who), "%u users, %ug/%upol", e->principals, e->groups_min,
			 e->pols_min);
		printf("%-22s %12.0f %6lluns %6lluns %9s %12.0f %12.0f %7.0fns %u/%u/%u/%u\n", who,
		       e->decisions_per_s, (unsigned long long)e->p50_ns,
		       (unsigned long long)e->p99_ns, allocs, e->paired_decisions_per_s,
		       e->engine_decisions_per_s, store_ns && engine_ns ? store_ns - engine_ns : 0,
		       e->mix[AUTHZ_ALLOW], e->mix[AUTHZ_EXPLICIT_DENY],
		       e->mix[AUTHZ_IMPLICIT_DENY], e->errors);
	}
	printf("decisions: authz_store_find(name) + authz_store_evaluate per decision on the "
	       "%s store, %u requests (bench_authz's \"typical\" ones, same seed) by ",
	       enc_name[o->encodings & ENC_RAW ? ENC_RAW : ENC_CLI], e->requests);
	for (size_t u = 0; u < gen_org_ncore_users; u++)
		printf("%s%s", u ? ", " : "", gen_org_core_users[u]);
	printf("; paired, engine/s: the store and authz_evaluate alone on the same 10 policies "
	       "with the same derived context, a pass of each in turn (%u decisions differ), "
	       "overhead the difference per decision; latency: clock_gettime minus its own "
	       "median cost (%.1f ns)\n\n",
	       e->mismatches, e->timer_overhead_ns);
}

static void usage(FILE *f)
{
	fputs("usage: bench_store [--org full|tiny] [--seed N] [--seconds S] [--runs N]\n"
	      "                   [--requests N] [--work-dir DIR] [--encoding cli|raw|both]\n"
	      "                   [--write-only] [--count-allocs] [--smoke]\n",
	      f);
}

int main(int argc, char **argv)
{
	struct opts o = { .org = &gen_org_full,
			  .seed = 1,
			  .seconds = 1.0,
			  .runs = 5,
			  .encodings = ENC_CLI | ENC_RAW };
	struct gen_profile prof = *gen_profile_find("typical");
	struct gen_report rep[3];
	struct load_result lr[2];
	struct eval_result er;
	struct gen_set core;
	char work[PATH_MAX];
	size_t nl = 0;
	int err, rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok = true;

		if (!strcmp(a, "--org") && v) {
			o.org = !strcmp(v, "full")   ? &gen_org_full
				: !strcmp(v, "tiny") ? &gen_org_tiny
						     : NULL;
			ok = o.org, i++;
		} else if (!strcmp(a, "--seed")) {
			ok = bench_parse_u64(v, &o.seed), i++;
		} else if (!strcmp(a, "--seconds")) {
			ok = bench_parse_seconds(v, &o.seconds), i++;
		} else if (!strcmp(a, "--runs")) {
			ok = bench_parse_u64(v, &o.runs) && o.runs >= 1 && o.runs <= RUNS_MAX, i++;
		} else if (!strcmp(a, "--requests")) {
			ok = bench_parse_u64(v, &o.requests) && o.requests > 0 &&
			     o.requests <= 1000000,
			i++;
		} else if (!strcmp(a, "--work-dir") && v) {
			o.work_dir = v, i++;
		} else if (!strcmp(a, "--encoding") && v) {
			o.encodings = !strcmp(v, "cli")	   ? ENC_CLI
				      : !strcmp(v, "raw")  ? ENC_RAW
				      : !strcmp(v, "both") ? ENC_CLI | ENC_RAW
							   : 0;
			ok = o.encodings, i++;
		} else if (!strcmp(a, "--write-only")) {
			o.write_only = true;
		} else if (!strcmp(a, "--count-allocs")) {
			o.count_allocs_only = true;
		} else if (!strcmp(a, "--smoke")) {
			o.smoke = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			ok = false;
		}
		if (!ok) {
			fprintf(stderr, "bench_store: bad argument: %s\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (o.smoke) {
		o.seconds = 0.01;
		o.runs = 1;
		o.org = &gen_org_tiny;
		if (!o.requests)
			o.requests = 64;
	}
	if (!o.work_dir) {
		err = default_work_dir(work, sizeof(work));
		if (err < 0) {
			fprintf(stderr, "bench_store: no --work-dir and no executable path: %s\n",
				strerror(-err));
			return 2;
		}
		o.work_dir = work;
	}
	if (o.requests)
		prof.nrequests = (unsigned)o.requests;

	/* bench_authz's "typical" set and requests: the core users' policies */
	err = gen_make(&prof, o.seed, &core);
	if (!err)
		err = generate(&o, &core, rep);
	if (err < 0) {
		fprintf(stderr, "bench_store: generating the export under %s failed: %s\n",
			o.work_dir, strerror(-err));
		gen_free(&core);
		return 1;
	}
	if (o.write_only) {
		for (unsigned enc = ENC_CLI; enc <= ENC_RAW; enc++)
			if (o.encodings & enc)
				printf("%s/%s/account-authorization-details.json: %zu bytes\n",
				       o.work_dir, enc_name[enc], rep[enc].info.bytes);
		gen_free(&core);
		return 0;
	}

	for (unsigned enc = ENC_CLI; enc <= ENC_RAW && !o.count_allocs_only; enc++) {
		if (!(o.encodings & enc))
			continue;
		memset(&lr[nl], 0, sizeof(lr[nl]));
		lr[nl].gen = rep[enc];
		err = measure_load_child(&o, enc, &lr[nl]);
		if (err < 0) {
			gen_free(&core);
			return 1;
		}
		print_load_json(&o, &lr[nl]);
		fflush(stdout);
		nl++;
	}

	err = measure_eval(&o, &core, o.encodings & ENC_RAW ? ENC_RAW : ENC_CLI, &er);
	gen_free(&core);
	if (err < 0) {
		fprintf(stderr, "bench_store: evaluation failed: %s\n", strerror(-err));
		return 1;
	}
	if (er.errors || er.mismatches) {
		fprintf(stderr,
			"bench_store: %u requests failed, %u decisions differ from the "
			"engine's alone\n",
			er.errors, er.mismatches);
		rc = 1;
	}
	if (o.count_allocs_only) {
		printf("store: %ld allocations in %llu decisions%s\n", er.allocs,
		       (unsigned long long)er.allocs_decisions,
		       bench_alloc_counter_works() ? "" : " (counter unavailable in this build)");
		return er.allocs > 0 ? 1 : rc;
	}
	print_eval_json(&o, o.encodings & ENC_RAW ? ENC_RAW : ENC_CLI, &er);
	print_table(&o, lr, nl, &er);
	return rc;
}
