/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bump allocator: everything of one compiled object (a policy, a ruleset)
 * lives in one arena and is freed in one call, as nginx's pools.  No
 * individual frees; allocation failures return NULL.
 */
#ifndef GH_ARENA_H
#define GH_ARENA_H

#include <stddef.h>

struct arena_chunk;

/**
 * struct arena - chunks of memory handed out in order
 * @head: newest chunk (a list through each chunk's @next)
 * @used: bytes handed out in total (for memory reports)
 */
struct arena {
	struct arena_chunk *head;
	size_t used;
};

/* An initializer in a macro, kept as written: */
/* clang-format off */
#define ARENA_INIT { NULL, 0 }
/* clang-format on */

/* @size bytes aligned for any type, zeroed; NULL on overflow or OOM. */
void *gh_arena_alloc(struct arena *a, size_t size);
/* @n elements of @size bytes, zeroed, the product checked. */
void *gh_arena_array(struct arena *a, size_t n, size_t size);
/* A NUL-terminated copy of @len bytes of @s. */
char *gh_arena_strndup(struct arena *a, const char *s, size_t len);
char *gh_arena_strdup(struct arena *a, const char *s);
/* Free every chunk; the arena is empty and reusable. */
void gh_arena_clear(struct arena *a);

#endif
