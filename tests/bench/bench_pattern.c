/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_pattern: the engine's hand-written IAM wildcard matcher
 * (src/authz/pattern.c) against PCRE2 with JIT, on the action and resource
 * patterns of the generated policy sets and the requests' actions and ARNs.
 * The evidence behind README's "hand matcher, not PCRE2" note, either way.
 *
 *   bench_pattern [--seed N] [--seconds S] [--requests N] [--smoke]
 *
 * Each IAM pattern becomes an anchored regex ("^" + escaped literal text,
 * "*" as ".*", "?" as "." + "\z", PCRE2_UTF | PCRE2_DOTALL), compiled once
 * and JIT-compiled, matched with pcre2_jit_match under a match context
 * with match and depth limits.  Every pair is checked to give the same
 * answer both ways.  Prints a table and one JSON line per class.
 *
 * Then the worst case: the pattern and the subject that
 * cost the glob matcher most at the caps of src/authz/limits.h, one "*"
 * followed by a near-miss ("*aaa...ab" against "aaa...a").  Each start of
 * the "*" costs the near-miss's length until one reaches the subject's
 * end, so a near-miss of half the subject is the most expensive: about
 * (subject / 2)^2 steps.  Timed per call, with authz_evaluate() on that
 * statement; and the reproducer, a 1 MiB resource, which
 * authz_evaluate() must refuse before matching.  A regression here is a
 * number in the report, not a flaky timed test.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/limits.h"
#include "authz/pattern.h"
#include "bench_util.h"
#include "common/macro.h"
#include "common/str.h"
#include "gen.h"

#define PAIRS_PER_REQUEST 4

struct cpat {
	const struct gen_pattern *gp;
	struct glob g;
	pcre2_code *re;
	pcre2_match_data *md;
};

struct pair {
	const struct cpat *p;
	const char *s;
	size_t len;
};

/*
 * Classes of pairs: all of them, by kind, those whose pattern needs the
 * general matcher (no exact/prefix fast path), and the first HOT_PAIRS of
 * those alone, a working set small enough to stay in the caches.
 */
enum pclass { PC_ALL, PC_ACTION, PC_RESOURCE, PC_GENERAL, PC_GENERAL_HOT, _PC_MAX };
static const char *const pclass_names[_PC_MAX] = { "all", "action", "resource", "general",
						   "general-hot" };
#define HOT_PAIRS 200

struct plist {
	struct pair *v;
	size_t n, cap;
};

static int plist_add(struct plist *l, struct pair p)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 1024;
		struct pair *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = p;
	return 0;
}

/* Glob form (as pattern.h describes) to an anchored regex. */
static int glob_to_regex(const char *p, size_t len, char *out, size_t size)
{
	size_t o = 0;

#define PUT(c)                                                                                     \
	do {                                                                                       \
		if (o + 1 >= size)                                                                 \
			return -E2BIG;                                                             \
		out[o++] = (c);                                                                    \
	} while (0)
	PUT('^');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '*') {
			PUT('.');
			PUT('*');
			continue;
		}
		if (c == '?') {
			PUT('.');
			continue;
		}
		if (c == '\\' && i + 1 < len)
			c = (unsigned char)p[++i];
		if (c < 0x80 &&
		    !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			PUT('\\');
		PUT((char)c);
	}
	PUT('\\');
	PUT('z');
#undef PUT
	out[o] = '\0';
	return (int)o;
}

static pcre2_match_context *mctx;

static bool re_match(const struct cpat *c, const char *s, size_t len)
{
	return pcre2_jit_match(c->re, (PCRE2_SPTR)s, len, 0, 0, c->md, mctx) > 0;
}

enum variant { V_GLOB, V_GENERAL, V_PCRE2, _V_MAX };
static const char *const variant_names[_V_MAX] = { "az_glob_match", "az_glob_match_general",
						   "pcre2_jit_match" };

static volatile size_t sink;

/* @n bytes: @prefix, then 'a' to the end; @last replaces the final byte when not 0. */
static char *near_miss(const char *prefix, size_t n, char last)
{
	char *s = malloc(n + 1);
	size_t plen = strlen(prefix);

	if (!s)
		return NULL;
	memcpy(s, prefix, plen);
	memset(s + plen, 'a', n - plen);
	if (last)
		s[n - 1] = last;
	s[n] = '\0';
	return s;
}

/* Into *@ret_ns: ns per evaluation of @expr, repeated for at least @seconds. */
#define TIME_CALLS(seconds, ret_ns, expr)                                                          \
	do {                                                                                       \
		uint64_t t0_ = bench_now_ns(), t1_, n_ = 0;                                        \
		uint64_t end_ = t0_ + (uint64_t)((seconds)*1e9);                                   \
		do {                                                                               \
			sink += (size_t)(expr);                                                    \
			n_++;                                                                      \
			t1_ = bench_now_ns();                                                      \
		} while (t1_ < end_);                                                              \
		*(ret_ns) = (double)(t1_ - t0_) / (double)n_;                                      \
	} while (0)

/*
 * The worst case at the caps, and the 1 MiB reproducer refused.
 * Returns 0, or 1 when something answers wrong.
 */
static int worst_case(double seconds)
{
	char *pat = near_miss("arn:aws:s3:::b/*", AUTHZ_REQ_STRING_MAX / 2 + 16, 'b');
	char *subj = near_miss("arn:aws:s3:::b/", AUTHZ_REQ_STRING_MAX, 0);
	char *huge = near_miss("arn:aws:s3:::b/", 1u << 20, 0);
	char *anyp = near_miss("arn:aws:s3:::b/*", AUTHZ_REQ_STRING_MAX / 2 + 16, 'b');
	char doc[AUTHZ_PATTERN_MAX + 256];
	struct authz_policy *p = NULL;
	struct authz_result r;
	struct diag_list dl;
	struct glob g;
	double match_ns = 0, eval_ns = 0, refuse_ns = 0, greedy_ns = 0, any_ns = 0,
	       any_greedy_ns = 0;
	size_t n;
	int rc = 1;

	diag_list_init(&dl);
	if (!pat || !subj || !huge || !anyp)
		goto out;
	/*
	 * The "?" variant, "*a?a?...a?b*": every other byte of the tail a
	 * "?", and a last "*" so that the segment is searched for, not
	 * anchored at the end.
	 */
	n = strlen(anyp);
	for (size_t i = strlen("arn:aws:s3:::b/*") + 1; i + 2 < n; i += 2)
		anyp[i] = '?';
	anyp[n - 2] = 'b';
	anyp[n - 1] = '*';
	snprintf(doc, sizeof(doc),
		 "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
		 "\"Action\": \"s3:GetObject\", \"Resource\": \"%s\"}}",
		 pat);
	p = authz_policy_load(doc, strlen(doc), "worst.json", AUTHZ_POLICY_IDENTITY, "worst", &dl);
	if (!p) {
		diag_list_print(stderr, &dl);
		goto out;
	}
	{
		struct authz_policy_set set = { .identity = &p, .nidentity = 1 };
		struct authz_request capped = {
			"arn:aws:iam::111122223333:user/a", "s3:GetObject", subj, NULL, NULL, 0
		};
		struct authz_request big = capped;

		big.resource = huge;
		az_glob_compile(&g, pat, strlen(pat));
		if (g.kind != GLOB_GENERAL || az_glob_match(&g, subj, strlen(subj)) ||
		    authz_evaluate(&set, &capped, &r) != 0 || r.decision != AUTHZ_IMPLICIT_DENY ||
		    authz_evaluate(&set, &big, &r) != -E2BIG) {
			fprintf(stderr, "bench_pattern: the worst case answers wrong\n");
			goto out;
		}
		if (az_glob_match_general(anyp, strlen(anyp), subj, strlen(subj)) ||
		    az_glob_match_greedy(anyp, strlen(anyp), subj, strlen(subj), SIZE_MAX) != 0) {
			fprintf(stderr, "bench_pattern: the \"?\" worst case answers wrong\n");
			goto out;
		}
		TIME_CALLS(seconds, &match_ns, az_glob_match(&g, subj, strlen(subj)));
		TIME_CALLS(seconds, &greedy_ns,
			   az_glob_match_greedy(pat, strlen(pat), subj, strlen(subj), SIZE_MAX));
		TIME_CALLS(seconds, &any_ns,
			   az_glob_match_general(anyp, strlen(anyp), subj, strlen(subj)));
		TIME_CALLS(seconds, &any_greedy_ns,
			   az_glob_match_greedy(anyp, strlen(anyp), subj, strlen(subj), SIZE_MAX));
		TIME_CALLS(seconds, &eval_ns, authz_evaluate(&set, &capped, &r));
		TIME_CALLS(seconds, &refuse_ns, authz_evaluate(&set, &big, &r));
	}
	printf("worst case at the caps: a %zu-byte \"*aaa...ab\" against a %zu-byte resource: "
	       "az_glob_match %.0f ns/call (the greedy loop alone: %.0f), authz_evaluate %.0f ns; "
	       "\"*a?a?...a?b*\" %.0f ns (greedy alone: %.0f); a 1 MiB resource is refused in "
	       "%.0f ns\n\n",
	       strlen(pat), strlen(subj), match_ns, greedy_ns, eval_ns, any_ns, any_greedy_ns,
	       refuse_ns);
	printf("{\"bench\": \"pattern-worst\", \"pattern_bytes\": %zu, \"subject_bytes\": %zu, "
	       "\"glob_match_ns\": %.0f, \"greedy_only_ns\": %.0f, \"authz_evaluate_ns\": %.0f, "
	       "\"any_glob_match_ns\": %.0f, \"any_greedy_only_ns\": %.0f, "
	       "\"refuse_1mib_resource_ns\": %.0f}\n",
	       strlen(pat), strlen(subj), match_ns, greedy_ns, eval_ns, any_ns, any_greedy_ns,
	       refuse_ns);
	rc = 0;
out:
	authz_policy_unref(p);
	diag_list_clear(&dl);
	free(pat);
	free(subj);
	free(huge);
	free(anyp);
	return rc;
}

/* ns per match of @v over @l, whole passes for at least @seconds. */
static double time_variant(enum variant v, const struct plist *l, double seconds)
{
	uint64_t t0 = bench_now_ns(), t1, deadline = t0 + (uint64_t)(seconds * 1e9), n = 0;
	size_t hits = 0;

	do {
		for (size_t i = 0; i < l->n; i++) {
			const struct pair *p = &l->v[i];

			switch (v) {
			case V_GLOB: hits += az_glob_match(&p->p->g, p->s, p->len); break;
			case V_GENERAL:
				hits += az_glob_match_general(p->p->gp->text,
							      strlen(p->p->gp->text), p->s, p->len);
				break;
			default: hits += re_match(p->p, p->s, p->len); break;
			}
		}
		n += l->n;
		t1 = bench_now_ns();
	} while (t1 < deadline);
	sink += hits;
	return (double)(t1 - t0) / (double)n;
}

/* The time strlen adds to V_GENERAL (the engine keeps lengths). */
static double time_strlen(const struct plist *l, double seconds)
{
	uint64_t t0 = bench_now_ns(), t1, deadline = t0 + (uint64_t)(seconds * 1e9), n = 0;
	size_t acc = 0;

	do {
		for (size_t i = 0; i < l->n; i++)
			acc += strlen(l->v[i].p->gp->text);
		n += l->n;
		t1 = bench_now_ns();
	} while (t1 < deadline);
	sink += acc;
	return (double)(t1 - t0) / (double)n;
}

int main(int argc, char **argv)
{
	uint64_t seed = 1, nreq = 0;
	double seconds = 0.5, compile_glob_ns = 0, compile_re_ns = 0, general_strlen_ns;
	bool smoke = false;
	struct gen_set sets[4];
	size_t nsets = 0, npats = 0, nsvc = gen_nservices();
	struct cpat *pats = NULL;
	struct plist lists[_PC_MAX] = { 0 };
	size_t **by_svc = NULL, *nby_svc = NULL, mismatches = 0, matches = 0;
	char **lowered = NULL;
	double res_ns[_PC_MAX][_V_MAX] = { { 0 } };
	size_t res_hit[_PC_MAX] = { 0 };
	size_t nlowered = 0;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok = true;

		if (!strcmp(a, "--seed"))
			ok = bench_parse_u64(v, &seed), i++;
		else if (!strcmp(a, "--seconds"))
			ok = bench_parse_seconds(v, &seconds), i++;
		else if (!strcmp(a, "--requests"))
			ok = bench_parse_u64(v, &nreq) && nreq > 0 && nreq <= 1000000, i++;
		else if (!strcmp(a, "--smoke"))
			smoke = true;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			puts("usage: bench_pattern [--seed N] [--seconds S] [--requests N] "
			     "[--smoke]");
			return 0;
		} else
			ok = false;
		if (!ok) {
			fprintf(stderr, "bench_pattern: bad argument: %s\n", a);
			return 2;
		}
	}
	if (smoke) {
		seconds = 0.005;
		if (!nreq)
			nreq = 64;
	}

	/* patterns and subjects of every profile */
	for (size_t i = 0; i < gen_nprofiles && nsets < ARRAY_SIZE(sets); i++) {
		struct gen_profile p = gen_profiles[i];

		if (nreq)
			p.nrequests = (unsigned)nreq;
		if (gen_make(&p, seed, &sets[nsets]) < 0)
			goto oom;
		npats += sets[nsets++].npats;
	}
	pats = calloc(npats, sizeof(*pats));
	by_svc = calloc(nsvc, sizeof(*by_svc));
	nby_svc = calloc(nsvc, sizeof(*nby_svc));
	if (!pats || !by_svc || !nby_svc)
		goto oom;
	mctx = pcre2_match_context_create(NULL);
	if (!mctx)
		goto oom;
	pcre2_set_match_limit(mctx, 100000);
	pcre2_set_depth_limit(mctx, 1000);

	npats = 0;
	for (size_t si = 0; si < nsets; si++) {
		for (unsigned k = 0; k < sets[si].npats; k++) {
			struct cpat *c = &pats[npats];
			const char *t = sets[si].pats[k].text;
			char re[2 * AUTHZ_SUBST_MAX + 16];
			int errcode, rlen;
			PCRE2_SIZE erroff;
			uint64_t t0, t1, t2;

			c->gp = &sets[si].pats[k];
			t0 = bench_now_ns();
			az_glob_compile(&c->g, t, strlen(t));
			t1 = bench_now_ns();
			rlen = glob_to_regex(t, strlen(t), re, sizeof(re));
			if (rlen < 0) {
				fprintf(stderr, "bench_pattern: pattern too long: %s\n", t);
				goto out;
			}
			c->re = pcre2_compile((PCRE2_SPTR)re, (size_t)rlen,
					      PCRE2_UTF | PCRE2_DOTALL | PCRE2_NO_AUTO_CAPTURE,
					      &errcode, &erroff, NULL);
			if (!c->re || pcre2_jit_compile(c->re, PCRE2_JIT_COMPLETE) != 0) {
				fprintf(stderr, "bench_pattern: PCRE2 rejects %s (from %s)\n", re,
					t);
				goto out;
			}
			c->md = pcre2_match_data_create_from_pattern(c->re, NULL);
			t2 = bench_now_ns();
			if (!c->md)
				goto oom;
			compile_glob_ns += (double)(t1 - t0);
			compile_re_ns += (double)(t2 - t1);
			npats++;
		}
	}
	/* patterns per service: a request is matched against its own service's */
	for (size_t i = 0; i < npats; i++)
		nby_svc[pats[i].gp->svc]++;
	for (size_t s = 0; s < nsvc; s++) {
		by_svc[s] = calloc(nby_svc[s] ? nby_svc[s] : 1, sizeof(**by_svc));
		if (!by_svc[s])
			goto oom;
		nby_svc[s] = 0;
	}
	for (size_t i = 0; i < npats; i++)
		by_svc[pats[i].gp->svc][nby_svc[pats[i].gp->svc]++] = i;

	for (size_t si = 0; si < nsets; si++)
		nlowered += sets[si].nreqs;
	lowered = calloc(nlowered ? nlowered : 1, sizeof(*lowered));
	if (!lowered)
		goto oom;
	nlowered = 0;
	{
		uint64_t r = seed * 0x9e3779b97f4a7c15ull + 1;

		for (size_t si = 0; si < nsets; si++) {
			for (unsigned k = 0; k < sets[si].nreqs; k++) {
				const struct gen_request *q = &sets[si].reqs[k];
				size_t alen = strlen(q->action), nact = 0, nres = 0;
				char *act = malloc(alen + 1);

				if (!act)
					goto oom;
				gh_lower(act, q->action, alen);
				act[alen] = '\0';
				lowered[nlowered++] = act;
				if (!nby_svc[q->svc])
					continue;
				/* same-service patterns, drawn by a fixed LCG */
				for (unsigned tries = 0; tries < 64 && (nact < PAIRS_PER_REQUEST ||
									nres < PAIRS_PER_REQUEST);
				     tries++) {
					const struct cpat *c;
					struct pair p;

					r = r * 6364136223846793005ull + 1442695040888963407ull;
					c = &pats[by_svc[q->svc][(r >> 33) % nby_svc[q->svc]]];
					if (c->gp->action ? nact >= PAIRS_PER_REQUEST
							  : nres >= PAIRS_PER_REQUEST)
						continue;
					p.p = c;
					p.s = c->gp->action ? act : q->resource;
					p.len = c->gp->action ? alen : strlen(q->resource);
					if (c->gp->action)
						nact++;
					else
						nres++;
					if (plist_add(&lists[PC_ALL], p) < 0 ||
					    plist_add(&lists[c->gp->action ? PC_ACTION
									   : PC_RESOURCE],
						      p) < 0 ||
					    (c->g.kind == GLOB_GENERAL &&
					     plist_add(&lists[PC_GENERAL], p) < 0))
						goto oom;
				}
			}
		}
	}

	for (size_t i = 0; i < lists[PC_GENERAL].n && i < HOT_PAIRS; i++)
		if (plist_add(&lists[PC_GENERAL_HOT], lists[PC_GENERAL].v[i]) < 0)
			goto oom;

	/* both matchers must agree on every pair */
	for (size_t i = 0; i < lists[PC_ALL].n; i++) {
		const struct pair *p = &lists[PC_ALL].v[i];
		bool a = az_glob_match(&p->p->g, p->s, p->len), b = re_match(p->p, p->s, p->len);

		matches += a;
		if (a != b && mismatches++ < 5)
			fprintf(stderr,
				"bench_pattern: disagree on %s vs %.*s: glob %d, pcre2 %d\n",
				p->p->gp->text, (int)p->len, p->s, a, b);
	}

	general_strlen_ns = time_strlen(&lists[PC_ALL], smoke ? seconds : 0.1);
	printf("\nIAM wildcard matching: gatehouse glob matcher vs PCRE2 JIT (seed %llu)\n",
	       (unsigned long long)seed);
	printf("%zu patterns; compile: glob %.0f ns/pattern, PCRE2 compile+JIT %.0f ns/pattern\n",
	       npats, compile_glob_ns / (double)(npats ? npats : 1),
	       compile_re_ns / (double)(npats ? npats : 1));
	printf("%-11s %8s %7s %12s %14s %12s %11s %11s\n", "class", "pairs", "match%", "glob ns",
	       "general ns", "pcre2 ns", "pcre2/glob", "pcre2/gen");
	for (int c = 0; c < _PC_MAX; c++) {
		const struct plist *l = &lists[c];
		double *ns = res_ns[c];

		if (!l->n)
			continue;
		for (size_t i = 0; i < l->n; i++)
			res_hit[c] += az_glob_match(&l->v[i].p->g, l->v[i].s, l->v[i].len);
		for (int v = 0; v < _V_MAX; v++)
			ns[v] = time_variant((enum variant)v, l, seconds);
		/* the engine keeps pattern lengths: take the bench's strlen off */
		ns[V_GENERAL] -= general_strlen_ns;
		printf("%-11s %8zu %6.1f%% %12.1f %14.1f %12.1f %10.2fx %10.2fx\n", pclass_names[c],
		       l->n, 100.0 * (double)res_hit[c] / (double)l->n, ns[V_GLOB], ns[V_GENERAL],
		       ns[V_PCRE2], ns[V_PCRE2] / ns[V_GLOB], ns[V_PCRE2] / ns[V_GENERAL]);
	}
	printf("glob ns: az_glob_match() as the engine calls it (exact/prefix fast paths); general "
	       "ns: "
	       "az_glob_match_general() alone; pcre2 ns: pcre2_jit_match(); %zu of %zu pairs "
	       "disagree\n\n",
	       mismatches, lists[PC_ALL].n);
	for (int c = 0; c < _PC_MAX; c++) {
		const struct plist *l = &lists[c];
		const double *ns = res_ns[c];

		if (!l->n)
			continue;
		printf("{\"bench\": \"pattern\", \"class\": \"%s\", \"seed\": %llu, \"patterns\": "
		       "%zu, "
		       "\"pairs\": %zu, \"match_rate\": %.4f, \"%s_ns\": %.2f, \"%s_ns\": %.2f, "
		       "\"%s_ns\": %.2f, \"ratio_pcre2_over_glob\": %.3f, "
		       "\"ratio_pcre2_over_general\": %.3f, \"glob_compile_ns\": %.1f, "
		       "\"pcre2_compile_jit_ns\": %.1f, \"mismatches\": %zu}\n",
		       pclass_names[c], (unsigned long long)seed, npats, l->n,
		       (double)res_hit[c] / (double)l->n, variant_names[V_GLOB], ns[V_GLOB],
		       variant_names[V_GENERAL], ns[V_GENERAL], variant_names[V_PCRE2], ns[V_PCRE2],
		       ns[V_PCRE2] / ns[V_GLOB], ns[V_PCRE2] / ns[V_GENERAL],
		       compile_glob_ns / (double)(npats ? npats : 1),
		       compile_re_ns / (double)(npats ? npats : 1), mismatches);
	}
	(void)matches;
	rc = mismatches ? 1 : 0;
	rc |= worst_case(smoke ? seconds : seconds / 2);
	goto out;
oom:
	fprintf(stderr, "bench_pattern: out of memory\n");
	rc = 1;
out:
	for (size_t i = 0; i < nlowered; i++)
		free(lowered[i]);
	free(lowered);
	for (int c = 0; c < _PC_MAX; c++)
		free(lists[c].v);
	if (by_svc)
		for (size_t s = 0; s < nsvc; s++)
			free(by_svc[s]);
	free(by_svc);
	free(nby_svc);
	if (pats)
		for (size_t i = 0; i < npats; i++) {
			pcre2_match_data_free(pats[i].md);
			pcre2_code_free(pats[i].re);
		}
	free(pats);
	pcre2_match_context_free(mctx);
	for (size_t i = 0; i < nsets; i++)
		gen_free(&sets[i]);
	return rc;
}
