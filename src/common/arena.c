/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "common/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * 16 KiB chunks: a typical policy compiles to a few KiB, so most fit in one;
 * larger requests get a chunk of their own.
 */
#define ARENA_CHUNK_SIZE (16u << 10)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, off;
	alignas(max_align_t) unsigned char data[];
};

/* @size bytes aligned for any type, not cleared (a copy overwrites them anyway). */
static void *arena_take(struct arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	struct arena_chunk *c = a->head;
	size_t off;

	if (size > SIZE_MAX / 2)
		return NULL;
	size = (size + align - 1) & ~(align - 1);
	if (!size)
		size = align;
	if (!c || c->size - c->off < size) {
		size_t csize = size > ARENA_CHUNK_SIZE ? size : ARENA_CHUNK_SIZE;

		c = malloc(sizeof(*c) + csize);
		if (!c)
			return NULL;
		c->size = csize;
		c->off = 0;
		/* A big one-off chunk goes behind the head so the head keeps its room. */
		if (a->head && csize > ARENA_CHUNK_SIZE) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	off = c->off;
	c->off += size;
	a->used += size;
	return c->data + off;
}

void *gh_arena_alloc(struct arena *a, size_t size)
{
	void *p = arena_take(a, size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *gh_arena_array(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return gh_arena_alloc(a, n * size);
}

char *gh_arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *d = len < SIZE_MAX ? arena_take(a, len + 1) : NULL;

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

char *gh_arena_strdup(struct arena *a, const char *s)
{
	return gh_arena_strndup(a, s, strlen(s));
}

void gh_arena_clear(struct arena *a)
{
	struct arena_chunk *c = a->head;

	while (c) {
		struct arena_chunk *next = c->next;

		free(c);
		c = next;
	}
	a->head = NULL;
	a->used = 0;
}
