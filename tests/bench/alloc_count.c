/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The benchmarks' allocation counter, one object linked into each bench
 * executable (an interposed malloc must be in the executable itself).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "bench_util.h"

/*
 * Allocation counter: malloc and friends are interposed here (the
 * executable's definitions win over libc's for every caller, jansson and
 * libc included) and forward to glibc's own entry points.  Not under a
 * sanitizer, which owns malloc itself: there the count is "unavailable".
 */
#if defined(__SANITIZE_ADDRESS__)
#define BENCH_COUNT_ALLOCS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define BENCH_COUNT_ALLOCS 0
#endif
#endif
#if !defined(BENCH_COUNT_ALLOCS) && defined(__GLIBC__)
#define BENCH_COUNT_ALLOCS 1
#endif
#ifndef BENCH_COUNT_ALLOCS
#define BENCH_COUNT_ALLOCS 0
#endif

bool bench_alloc_counting;
unsigned long bench_alloc_count;

bool bench_alloc_counter_works(void)
{
	return BENCH_COUNT_ALLOCS;
}

#if BENCH_COUNT_ALLOCS
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);
extern void __libc_free(void *p);

void *malloc(size_t size)
{
	if (bench_alloc_counting)
		bench_alloc_count++;
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	if (bench_alloc_counting)
		bench_alloc_count++;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	if (bench_alloc_counting)
		bench_alloc_count++;
	return __libc_realloc(p, size);
}

void *aligned_alloc(size_t align, size_t size)
{
	if (bench_alloc_counting)
		bench_alloc_count++;
	return __libc_memalign(align, size);
}

int posix_memalign(void **ret, size_t align, size_t size)
{
	void *p;

	if (bench_alloc_counting)
		bench_alloc_count++;
	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	p = __libc_memalign(align, size);
	if (!p)
		return ENOMEM;
	*ret = p;
	return 0;
}

void free(void *p)
{
	__libc_free(p);
}
#endif
