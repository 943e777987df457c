/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_authz: how fast the policy engine compiles and decides, single
 * thread, on generated policy sets (tests/bench/gen.c), and how much memory
 * the compiled set takes.  See tests/bench/README.md for how to read it.
 *
 *   bench_authz [--profile typical|heavy|all] [--seed N] [--seconds S]
 *               [--requests N] [--cases-dir DIR] [--peer-cases N]
 *               [--count-allocs] [--smoke]
 *
 * Prints a table and one JSON line per profile ({"bench": "authz", ...}).
 * With --cases-dir, writes DIR/<profile>.json: the policies, the first
 * --peer-cases requests and gatehouse's decision for each, for the peer.
 * --count-allocs only evaluates every request once with the allocation
 * counter on and exits 1 if evaluation allocated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gatehouse/authz.h>

#include "authz/policy.h" /* the arena's byte count, for the memory report */
#include "bench_util.h"
#include "common/macro.h"
#include "gen.h"

struct opts {
	const char *profile;
	uint64_t seed;
	double seconds;
	uint64_t requests;
	const char *cases_dir;
	uint64_t peer_cases;
	bool count_allocs_only;
	bool smoke;
};

/**
 * struct result - what one profile measured
 */
struct result {
	const struct gen_profile *prof;
	unsigned policies, statements, requests;
	double compile_ms;
	size_t arena_bytes;
	long rss_before_kib, rss_after_kib, hwm_kib;
	double decisions_per_s;
	double timer_overhead_ns;
	uint64_t p50_ns, p99_ns, p999_ns, max_ns;
	uint64_t nlatency;
	long allocs;
	uint64_t allocs_decisions;
	long compile_allocs;
	unsigned mix[_AUTHZ_DECISION_MAX];
	unsigned einval;
};

/* The engine's view of the generated requests. */
struct reqs {
	struct authz_request *req;
	struct authz_ctx_entry *ctx;
	struct authz_value *vals;
	unsigned n;
};

static int reqs_build(const struct gen_set *s, unsigned n, struct reqs *ret)
{
	size_t nctx = 0, nvals = 0, ci = 0, vi = 0;

	for (unsigned i = 0; i < n; i++) {
		nctx += s->reqs[i].nctx;
		for (unsigned k = 0; k < s->reqs[i].nctx; k++)
			nvals += s->reqs[i].ctx[k].nvals;
	}
	ret->req = calloc(n ? n : 1, sizeof(*ret->req));
	ret->ctx = calloc(nctx ? nctx : 1, sizeof(*ret->ctx));
	ret->vals = calloc(nvals ? nvals : 1, sizeof(*ret->vals));
	if (!ret->req || !ret->ctx || !ret->vals)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		const struct gen_request *g = &s->reqs[i];
		struct authz_request *r = &ret->req[i];

		r->principal = g->principal;
		r->action = g->action;
		r->resource = g->resource;
		r->context = &ret->ctx[ci];
		r->ncontext = g->nctx;
		for (unsigned k = 0; k < g->nctx; k++) {
			const struct gen_ctx *c = &g->ctx[k];
			struct authz_value *v = &ret->vals[vi];

			for (unsigned j = 0; j < c->nvals; j++)
				ret->vals[vi++] =
				    (struct authz_value){ c->vals[j], strlen(c->vals[j]) };
			authz_ctx_entry_init(&ret->ctx[ci++], c->key, strlen(c->key), v, c->nvals,
					     c->multi);
		}
	}
	ret->n = n;
	return 0;
}

static void reqs_free(struct reqs *r)
{
	free(r->req);
	free(r->ctx);
	free(r->vals);
	memset(r, 0, sizeof(*r));
}

static void policies_unref(struct authz_policy **pols, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		pols[i] = authz_policy_unref(pols[i]);
}

/* Load every document of @s into @pols; prints diagnostics on failure. */
static int compile_set(const struct gen_set *s, struct authz_policy **pols)
{
	struct diag_list dl;
	char name[32];
	int err = 0;

	diag_list_init(&dl);
	for (unsigned i = 0; i < s->ndocs; i++) {
		snprintf(name, sizeof(name), "policies[%u]", i);
		pols[i] = authz_policy_load(s->docs[i], s->doclens[i], name, AUTHZ_POLICY_IDENTITY,
					    name, &dl);
		if (!pols[i]) {
			err = -EINVAL;
			break;
		}
	}
	if (err < 0 || dl.errors) {
		diag_list_print(stderr, &dl);
		policies_unref(pols, s->ndocs);
		err = -EINVAL;
	}
	diag_list_clear(&dl);
	return err;
}

static volatile unsigned sink;

/* The statements that decided, as a JSON array of "policy/Sid" (malloc'ed). */
static char *matched_json(const struct authz_result *ar)
{
	char buf[1024];
	size_t o = 0;

	buf[o++] = '[';
	for (size_t i = 0; i < ar->nmatched && i < 8; i++) {
		const struct authz_match *m = &ar->matched[i];
		int n;

		if (m->sid)
			n = snprintf(buf + o, sizeof(buf) - o, "%s\"%s/%s\"", i ? ", " : "",
				     authz_policy_name(m->policy), m->sid);
		else
			n = snprintf(buf + o, sizeof(buf) - o, "%s\"%s/#%u\"", i ? ", " : "",
				     authz_policy_name(m->policy), m->index);
		if (n < 0 || (size_t)n >= sizeof(buf) - o - 2)
			break;
		o += (size_t)n;
	}
	buf[o++] = ']';
	buf[o] = '\0';
	return strdup(buf);
}

static int run_profile(const struct opts *o, const struct gen_profile *prof, struct result *res)
{
	struct authz_policy **pols = NULL;
	struct authz_policy_set set = { 0 };
	struct authz_result ar;
	struct gen_set gs;
	struct reqs rq = { 0 };
	struct gen_profile p = *prof;
	const char **decisions = NULL;
	char **matched = NULL;
	uint32_t *hist = NULL;
	double times[5];
	unsigned reps = o->smoke ? 1 : ARRAY_SIZE(times);
	uint64_t t0, t1, n, deadline, budget = (uint64_t)(o->seconds * 1e9);
	int err;

	memset(res, 0, sizeof(*res));
	res->prof = prof;
	if (o->requests)
		p.nrequests = (unsigned)o->requests;
	err = gen_make(&p, o->seed, &gs);
	if (err < 0)
		return err;
	pols = calloc(gs.ndocs, sizeof(*pols));
	if (!pols) {
		err = -ENOMEM;
		goto out;
	}
	res->policies = gs.ndocs;
	res->requests = gs.nreqs;

	/* compile: the whole set, several times; keep the last one */
	res->rss_before_kib = bench_status_kib("VmRSS");
	for (unsigned k = 0; k < reps; k++) {
		if (k)
			policies_unref(pols, gs.ndocs);
		bench_alloc_count = 0;
		bench_alloc_counting = true;
		t0 = bench_now_ns();
		err = compile_set(&gs, pols);
		t1 = bench_now_ns();
		bench_alloc_counting = false;
		res->compile_allocs = bench_alloc_counter_works() ? (long)bench_alloc_count : -1;
		if (err < 0)
			goto out;
		times[k] = (double)(t1 - t0) / 1e6;
	}
	qsort(times, reps, sizeof(times[0]), bench_cmp_double);
	res->compile_ms = times[reps / 2];
	res->rss_after_kib = bench_status_kib("VmRSS");
	res->hwm_kib = bench_status_kib("VmHWM");
	for (unsigned i = 0; i < gs.ndocs; i++) {
		res->arena_bytes += pols[i]->arena.used;
		res->statements += (unsigned)authz_policy_statement_count(pols[i]);
	}

	set.identity = pols;
	set.nidentity = gs.ndocs;
	/* as `gatehouse simulate` without "resource_policy", what the peer is given too */
	set.resource_policy_unknown = true;
	err = reqs_build(&gs, gs.nreqs, &rq);
	if (err < 0)
		goto out;

	/* one pass: the decision mix, and warm caches; then count allocations */
	decisions = calloc(rq.n, sizeof(*decisions));
	matched = calloc(rq.n, sizeof(*matched));
	if (!decisions || !matched) {
		err = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < rq.n; i++) {
		if (authz_evaluate(&set, &rq.req[i], &ar) < 0) {
			res->einval++;
			decisions[i] = "error";
			continue;
		}
		res->mix[ar.decision]++;
		decisions[i] = authz_decision_name(ar.decision);
		if (o->cases_dir && i < o->peer_cases)
			matched[i] = matched_json(&ar);
	}
	bench_alloc_count = 0;
	bench_alloc_counting = true;
	for (unsigned i = 0; i < rq.n; i++)
		authz_evaluate(&set, &rq.req[i], &ar);
	bench_alloc_counting = false;
	res->allocs = bench_alloc_counter_works() ? (long)bench_alloc_count : -1;
	res->allocs_decisions = rq.n;
	if (o->count_allocs_only)
		goto cases;

	/* throughput: whole passes over the requests until the time is up */
	n = 0;
	bench_alloc_count = 0;
	bench_alloc_counting = true;
	t0 = bench_now_ns();
	deadline = t0 + budget;
	do {
		for (unsigned i = 0; i < rq.n; i++) {
			authz_evaluate(&set, &rq.req[i], &ar);
			sink += ar.decision;
		}
		n += rq.n;
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
		for (unsigned i = 0; i < rq.n; i++) {
			uint64_t a = bench_now_ns(), b;

			authz_evaluate(&set, &rq.req[i], &ar);
			b = bench_now_ns();
			sink += ar.decision;
			bench_lat_add(hist, &res->max_ns, res->timer_overhead_ns, a, b);
		}
		n += rq.n;
	} while (bench_now_ns() < deadline);
	res->nlatency = n;
	res->p50_ns = bench_hist_quantile(hist, n, 0.50);
	res->p99_ns = bench_hist_quantile(hist, n, 0.99);
	res->p999_ns = bench_hist_quantile(hist, n, 0.999);

cases:
	if (o->cases_dir) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s.json", o->cases_dir, prof->name);
		f = fopen(path, "we");
		if (!f) {
			err = -errno;
			fprintf(stderr, "bench_authz: %s: %s\n", path, strerror(errno));
			goto out;
		}
		err = gen_write_json(f, &gs, prof->name, o->seed, decisions,
				     (const char *const *)matched,
				     (unsigned)(o->peer_cases < rq.n ? o->peer_cases : rq.n));
		if (fclose(f) != 0 && err >= 0)
			err = -EIO;
		if (err < 0) {
			fprintf(stderr, "bench_authz: writing %s failed\n", path);
			goto out;
		}
	}
	err = 0;
out:
	free(hist);
	free(decisions);
	if (matched)
		for (unsigned i = 0; i < rq.n; i++)
			free(matched[i]);
	free(matched);
	reqs_free(&rq);
	if (pols)
		policies_unref(pols, gs.ndocs);
	free(pols);
	gen_free(&gs);
	return err;
}

static void print_json(const struct opts *o, const struct result *r)
{
	double cold = r->compile_ms > 0 ? 1e3 / r->compile_ms : 0;

	printf("{\"bench\": \"authz\", \"profile\": \"%s\", \"seed\": %llu, \"policies\": %u, "
	       "\"statements\": %u, \"requests\": %u, \"compile_ms\": %.3f, "
	       "\"cold_decisions_per_s\": %.1f, \"arena_bytes\": %zu, \"rss_kib\": %ld, "
	       "\"rss_compiled_delta_kib\": %ld, \"vmhwm_kib\": %ld, \"decisions_per_s\": %.0f, "
	       "\"p50_ns\": %llu, \"p99_ns\": %llu, \"p999_ns\": %llu, \"max_ns\": %llu, "
	       "\"latency_samples\": %llu, \"timer_overhead_ns\": %.1f, "
	       "\"timer\": \"clock_gettime(CLOCK_MONOTONIC), overhead subtracted\", "
	       "\"compile_allocs\": %ld, \"allocs\": %ld, \"allocs_per_decision\": ",
	       r->prof->name, (unsigned long long)o->seed, r->policies, r->statements, r->requests,
	       r->compile_ms, cold, r->arena_bytes, r->rss_after_kib,
	       r->rss_after_kib - r->rss_before_kib, r->hwm_kib, r->decisions_per_s,
	       (unsigned long long)r->p50_ns, (unsigned long long)r->p99_ns,
	       (unsigned long long)r->p999_ns, (unsigned long long)r->max_ns,
	       (unsigned long long)r->nlatency, r->timer_overhead_ns, r->compile_allocs, r->allocs);
	if (r->allocs < 0)
		printf("null");
	else
		printf("%g",
		       (double)r->allocs / (double)(r->allocs_decisions ? r->allocs_decisions : 1));
	printf(", \"allocs_decisions\": %llu, \"mix\": {\"allow\": %u, \"explicit_deny\": %u, "
	       "\"implicit_deny\": %u, \"error\": %u}}\n",
	       (unsigned long long)r->allocs_decisions, r->mix[AUTHZ_ALLOW],
	       r->mix[AUTHZ_EXPLICIT_DENY], r->mix[AUTHZ_IMPLICIT_DENY], r->einval);
}

static void print_table(const struct result *r, size_t n)
{
	printf("\ngatehouse authz engine, single thread (seed-generated policy sets)\n");
	printf("%-8s %9s %10s %9s %9s %12s %8s %8s %9s %s\n", "profile", "stmts", "compile",
	       "arena", "RSS", "decisions/s", "p50", "p99", "allocs/d", "mix allow/xdeny/ideny");
	for (size_t i = 0; i < n; i++) {
		char allocs[32];

		if (r[i].allocs < 0)
			snprintf(allocs, sizeof(allocs), "n/a");
		else
			snprintf(allocs, sizeof(allocs), "%g",
				 (double)r[i].allocs /
				     (double)(r[i].allocs_decisions ? r[i].allocs_decisions : 1));
		printf("%-8s %4ux%-4u %8.2fms %7.0fKi %7ldKi %12.0f %6lluns %6lluns %9s %u/%u/%u\n",
		       r[i].prof->name, r[i].policies,
		       r[i].policies ? r[i].statements / r[i].policies : 0, r[i].compile_ms,
		       (double)r[i].arena_bytes / 1024, r[i].rss_after_kib, r[i].decisions_per_s,
		       (unsigned long long)r[i].p50_ns, (unsigned long long)r[i].p99_ns, allocs,
		       r[i].mix[AUTHZ_ALLOW], r[i].mix[AUTHZ_EXPLICIT_DENY],
		       r[i].mix[AUTHZ_IMPLICIT_DENY]);
	}
	if (n)
		printf("latency: clock_gettime(CLOCK_MONOTONIC) around each decision, minus the "
		       "timer's own median cost (%.1f ns, measured in this run)\n\n",
		       r[0].timer_overhead_ns);
}

static void usage(FILE *f)
{
	fputs("usage: bench_authz [--profile typical|heavy|all] [--seed N] [--seconds S]\n"
	      "                   [--requests N] [--cases-dir DIR] [--peer-cases N]\n"
	      "                   [--count-allocs] [--smoke]\n",
	      f);
}

int main(int argc, char **argv)
{
	struct opts o = { .profile = "all", .seed = 1, .seconds = 1.0, .peer_cases = 400 };
	struct result res[8];
	size_t nres = 0;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok = true;

		if (!strcmp(a, "--profile") && v)
			o.profile = v, i++;
		else if (!strcmp(a, "--seed"))
			ok = bench_parse_u64(v, &o.seed), i++;
		else if (!strcmp(a, "--seconds"))
			ok = bench_parse_seconds(v, &o.seconds), i++;
		else if (!strcmp(a, "--requests"))
			ok = bench_parse_u64(v, &o.requests) && o.requests > 0 &&
			     o.requests <= 1000000,
			i++;
		else if (!strcmp(a, "--cases-dir") && v)
			o.cases_dir = v, i++;
		else if (!strcmp(a, "--peer-cases"))
			ok = bench_parse_u64(v, &o.peer_cases), i++;
		else if (!strcmp(a, "--count-allocs"))
			o.count_allocs_only = true;
		else if (!strcmp(a, "--smoke"))
			o.smoke = true;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else
			ok = false;
		if (!ok) {
			fprintf(stderr, "bench_authz: bad argument: %s\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (o.smoke) {
		o.seconds = 0.01;
		if (!o.requests)
			o.requests = 64;
	}

	for (size_t i = 0; i < gen_nprofiles && nres < ARRAY_SIZE(res); i++) {
		const struct gen_profile *p = &gen_profiles[i];
		int err;

		if (strcmp(o.profile, "all") && strcmp(o.profile, p->name))
			continue;
		err = run_profile(&o, p, &res[nres]);
		if (err < 0) {
			fprintf(stderr, "bench_authz: profile %s failed: %s\n", p->name,
				strerror(-err));
			return 1;
		}
		if (o.count_allocs_only) {
			printf("%s: %ld allocations in %llu decisions%s\n", p->name,
			       res[nres].allocs, (unsigned long long)res[nres].allocs_decisions,
			       bench_alloc_counter_works()
				   ? ""
				   : " (counter unavailable in this build)");
			if (res[nres].allocs > 0)
				rc = 1;
		} else {
			print_json(&o, &res[nres]);
		}
		fflush(stdout);
		nres++;
	}
	if (!nres) {
		fprintf(stderr, "bench_authz: unknown profile %s\n", o.profile);
		return 2;
	}
	if (!o.count_allocs_only)
		print_table(res, nres);
	return rc;
}
