/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gen_cases: a `gatehouse simulate` JSON Lines stream from the generator
 * (gen.c), for the end-to-end measurement of scripts/bench.sh against the
 * peer: --small cases of a small policy set and --heavy cases of gen.c's
 * heavy set (50 policies of 20 statements), one heavy case after every
 * small/heavy small ones.  --per-set K cases share one policy set (a new
 * set, from the next seed, every K cases of a shape), as a stream of one
 * principal's requests does; --per-set 1 gives every case its own
 * policies, so no two lines repeat a document.  Same options, same bytes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "gen.h"

struct shape {
	struct gen_profile prof;
	unsigned ncases;
	uint64_t seed;
	struct gen_set set;
	unsigned used; /* cases written from @set; a new set when it reaches per_set */
	bool have;
};

static unsigned long opt_num(const char *a, const char *v)
{
	char *end;
	unsigned long n;

	if (!v) {
		fprintf(stderr, "gen_cases: %s needs a value\n", a);
		exit(2);
	}
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || end == v || n > 1000000) {
		fprintf(stderr, "gen_cases: bad %s: %s\n", a, v);
		exit(2);
	}
	return n;
}

/* The next case of @sh to stdout, drawing a new set every @per_set cases. */
static int write_next(struct shape *sh, unsigned per_set)
{
	if (sh->have && sh->used == per_set) {
		gen_free(&sh->set);
		sh->have = false;
	}
	if (!sh->have) {
		if (gen_make(&sh->prof, sh->seed++, &sh->set) < 0)
			return -ENOMEM;
		sh->have = true;
		sh->used = 0;
	}
	/* The "id" is the request's index in its set: answers are matched by line. */
	gen_write_case(stdout, &sh->set, sh->used++);
	putchar('\n');
	return 0;
}

int main(int argc, char **argv)
{
	struct shape small = { .prof = { "small", 3, 5, 0 }, .ncases = 3000 };
	struct shape heavy = { .prof = *gen_profile_find("heavy"), .ncases = 150 };
	unsigned long seed = 1, per_set = 10;

	/* Every option takes a value: options and values come in pairs. */
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--seed"))
			seed = opt_num(a, v);
		else if (!strcmp(a, "--small"))
			small.ncases = (unsigned)opt_num(a, v);
		else if (!strcmp(a, "--heavy"))
			heavy.ncases = (unsigned)opt_num(a, v);
		else if (!strcmp(a, "--per-set"))
			per_set = opt_num(a, v);
		else if (!strcmp(a, "--small-policies"))
			small.prof.npolicies = (unsigned)opt_num(a, v);
		else if (!strcmp(a, "--small-statements"))
			small.prof.nstmts = (unsigned)opt_num(a, v);
		else {
			fprintf(stderr, "usage: gen_cases [--seed N] [--small N] [--heavy N] "
					"[--per-set K] [--small-policies P] "
					"[--small-statements S]\n");
			return 2;
		}
	}
	if (!per_set || !small.prof.npolicies || !small.prof.nstmts) {
		fprintf(stderr, "gen_cases: --per-set, --small-policies and --small-statements "
				"must be at least 1\n");
		return 2;
	}
	/* Requests per set: as many as one set serves. */
	small.prof.nrequests = heavy.prof.nrequests = (unsigned)per_set;
	/* Distinct seed ranges per shape, so the two never share a set. */
	small.seed = seed * 1000000;
	heavy.seed = seed * 1000000 + 500000;

	unsigned every = heavy.ncases ? (small.ncases + heavy.ncases) / heavy.ncases : 0;
	unsigned ns = 0, nh = 0;

	for (unsigned id = 0; ns < small.ncases || nh < heavy.ncases; id++) {
		bool h =
		    nh < heavy.ncases && (ns == small.ncases || (every && id % every == every - 1));
		int r = h ? write_next(&heavy, (unsigned)per_set)
			  : write_next(&small, (unsigned)per_set);

		if (r < 0) {
			fprintf(stderr, "gen_cases: out of memory\n");
			return 1;
		}
		h ? nh++ : ns++;
	}
	if (small.have)
		gen_free(&small.set);
	if (heavy.have)
		gen_free(&heavy.set);
	return fflush(stdout) == 0 ? 0 : 1;
}
