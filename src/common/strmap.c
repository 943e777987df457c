/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "common/strmap.h"

#include <errno.h>
#include <string.h>

#include "common/str.h"

static struct strmap_slot *find(const struct strmap *m, const char *key, uint32_t h)
{
	for (uint32_t i = h & m->mask;; i = (i + 1) & m->mask) {
		struct strmap_slot *s = &m->slots[i];

		if (!s->key || (s->hash == h && !strcmp(s->key, key)))
			return s;
	}
}

/* Keep the load under one half: probes stay short. */
static int grow(struct strmap *m)
{
	uint32_t size = m->slots ? (m->mask + 1) * 2 : 16;
	struct strmap_slot *old = m->slots;
	uint32_t oldsize = m->slots ? m->mask + 1 : 0;

	if (size < oldsize) /* wrapped: 2^31 slots */
		return -ENOMEM;
	m->slots = gh_arena_array(m->arena, size, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	m->mask = size - 1;
	for (uint32_t i = 0; i < oldsize; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].hash) = old[i];
	return 0;
}

int gh_strmap_put(struct strmap *m, const char *key, void *value, void **ret_old)
{
	uint32_t h = gh_hash_str(key);
	struct strmap_slot *s;

	if ((!m->slots || (m->n + 1) * 2 > m->mask + 1) && grow(m) < 0)
		return -ENOMEM;
	s = find(m, key, h);
	if (s->key) {
		if (ret_old)
			*ret_old = s->value;
		return -EEXIST;
	}
	*s = (struct strmap_slot){ key, h, value };
	m->n++;
	return 0;
}

void *gh_strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_slot *s;

	if (!m->slots)
		return NULL;
	s = find(m, key, gh_hash_str(key));
	return s->key ? s->value : NULL;
}
