/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by the benchmarks: clocks, /proc numbers, options. */
#ifndef GH_BENCH_UTIL_H
#define GH_BENCH_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/*
 * splitmix64: small, fast, and the same everywhere, so a seed gives the
 * same policy sets and exports on every machine.
 */
struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline unsigned rng_below(struct rng *r, unsigned n)
{
	return (unsigned)(rng_next(r) % n);
}

/* True with @pct percent probability. */
static inline bool rng_pct(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

#define PICK(r, arr) ((arr)[rng_below((r), ARRAY_SIZE(arr))])

/* CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A "VmRSS:"-style field of /proc/self/status in KiB; -1 when unknown. */
long bench_status_kib(const char *field);

/* Parse an unsigned decimal/hex number; false on junk or overflow. */
bool bench_parse_u64(const char *s, uint64_t *ret);
/* Parse a positive decimal number of seconds ("0.5"); false on junk. */
bool bench_parse_seconds(const char *s, double *ret);

/* Median cost of one clock_gettime pair, in ns, measured now over @n pairs. */
double bench_timer_overhead_ns(unsigned n);

/* Latency histogram: 1 ns bins up to BENCH_LAT_BINS-1, the last bin overflows. */
#define BENCH_LAT_BINS (1u << 20)
/*
 * Count one timed decision, [@a, @b] from bench_now_ns(), less the timer's
 * own @overhead_ns, into @hist and *@max_ns.  Inline: it runs between two
 * timed decisions.
 */
static inline void bench_lat_add(uint32_t *hist, uint64_t *max_ns, double overhead_ns, uint64_t a,
				 uint64_t b)
{
	double adj = (double)(b - a) - overhead_ns;
	uint64_t d = adj > 0 ? (uint64_t)(adj + 0.5) : 0;

	if (d > *max_ns)
		*max_ns = d;
	hist[d < BENCH_LAT_BINS ? d : BENCH_LAT_BINS - 1]++;
}
/* The @q quantile (0..1) of a histogram of @total samples. */
uint64_t bench_hist_quantile(const uint32_t *hist, uint64_t total, double q);
/* qsort comparator of doubles. */
int bench_cmp_double(const void *a, const void *b);

/*
 * Allocation counter (alloc_count.c): while bench_alloc_counting is true,
 * every malloc/calloc/realloc/aligned_alloc/posix_memalign of the process
 * adds one to bench_alloc_count.  Not in sanitizer builds, which own malloc:
 * bench_alloc_counter_works() says whether it counts.
 */
extern bool bench_alloc_counting;
extern unsigned long bench_alloc_count;
bool bench_alloc_counter_works(void);

#endif
