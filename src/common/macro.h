/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers shared by every module: cleanup attributes, ownership
 * hand-off, bounds.  C11 plus the GNU attributes gcc and clang both have.
 */
#ifndef GH_MACRO_H
#define GH_MACRO_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The struct of type @type whose member @member is at @ptr. */
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* A macro's value as a string literal: GH_STR(GH_JSON_DEPTH_MAX) is "32". */
#define GH_XSTR(x) #x
#define GH_STR(x) GH_XSTR(x)

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

static inline void freep(void *p)
{
	free(*(void **)p);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)

/*
 * A cleanup function for pointers of @type freed with @func (which takes
 * NULL or not: it is only called on non-NULL), named @func followed by p,
 * as systemd's DEFINE_TRIVIAL_CLEANUP_FUNC:
 * DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_set *, nftnl_set_free) makes
 * _cleanup_(nftnl_set_freep).
 */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                    \
	static inline void func##p(type *p)                                                        \
	{                                                                                          \
		if (*p)                                                                            \
			func(*p);                                                                  \
	}

/* Hand ownership out of a cleanup variable: returns it and clears it. */
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _take_tmp = (p);                                                     \
		(p) = NULL;                                                                        \
		_take_tmp;                                                                         \
	})

/* malloc(n * size) with the multiplication checked; NULL on overflow. */
static inline void *malloc_multiply(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return malloc((n && size) ? n * size : 1);
}

static inline void *realloc_multiply(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return realloc(p, (n && size) ? n * size : 1);
}

#define new0(t, n) ((t *)calloc((n) ? (n) : 1, sizeof(t)))

#define GH_PRINTF(a, b) __attribute__((format(printf, a, b)))

#endif
