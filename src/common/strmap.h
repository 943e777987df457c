/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A string-keyed hash map in an arena (open addressing, linear probing):
 * names of users, roles, policies.  Keys are borrowed and must outlive
 * the map; values are opaque pointers.  No removal: maps are built at load
 * and read-only afterwards.
 */
#ifndef GH_STRMAP_H
#define GH_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"

struct strmap_slot {
	const char *key;
	uint32_t hash;
	void *value;
};

/**
 * struct strmap - the map
 * @slots: the table, @mask + 1 slots (NULL before the first insert)
 * @mask: size - 1
 * @n: keys stored
 * @arena: where the table lives (old tables stay there until it is freed)
 */
struct strmap {
	struct strmap_slot *slots;
	uint32_t mask;
	uint32_t n;
	struct arena *arena;
};

static inline void gh_strmap_init(struct strmap *m, struct arena *a)
{
	m->slots = NULL;
	m->mask = 0;
	m->n = 0;
	m->arena = a;
}

/*
 * Insert @key -> @value.  Returns 0, -EEXIST (then *ret_old, when
 * non-NULL, is the value already there), or -ENOMEM.
 */
int gh_strmap_put(struct strmap *m, const char *key, void *value, void **ret_old);
/* The value of @key, or NULL. */
void *gh_strmap_get(const struct strmap *m, const char *key);

#endif
