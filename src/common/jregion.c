/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A per-thread region for short-lived jansson values (see jregion.h for why). */
#include "common/jregion.h"

#include <jansson.h>
#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GH_JREGION_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define GH_JREGION_ASAN 1
#endif
#ifdef GH_JREGION_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/*
 * Blocks double from 256 KiB (a small case's tree is a few tens of KiB, a
 * case of 50 policies a few MiB), so a free() asks about a handful of
 * ranges at most; the first 8 MiB of them are kept from task to task.
 * They stop doubling at 4 MiB: a block's pages are all filled in when it
 * is mapped, and the tree of a 30 MiB account export in blocks doubling to
 * 32 MiB held 20 MiB more at its peak (now at most 4 MiB more).
 */
#define BLOCK_FIRST (256u << 10)
#define BLOCK_MAX (4u << 20)
#define BLOCKS_MAX 64
#define KEEP_BYTES (8u << 20)
#define ALIGN alignof(max_align_t)

/**
 * struct region - one thread's region
 * @next, @limit: the free bytes of the block being carved while the
 *	region is active; both NULL while not, so that the one test of
 *	region_malloc() sends a value to malloc() then
 * @b: blocks, each twice the size of the one before
 * @n: blocks held
 * @cur: the block being carved
 * @paused: where @next was when the region was last made inactive, or NULL
 * @active: new jansson values of this thread come from here
 * @spilled: a value was malloc'ed while @active (the region could not
 *	grow) since the last reset: gh_jregion_drop() must then walk trees
 */
struct region {
	unsigned char *next, *limit;
	struct {
		unsigned char *base;
		size_t size;
	} b[BLOCKS_MAX];
	unsigned n, cur;
	unsigned char *paused;
	bool active, spilled;
};

static _Thread_local struct region region;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key; /* frees a thread's blocks when it ends */
static bool installed;

/*
 * A block is mapped, its pages filled in by the one call (MAP_POPULATE):
 * a trap for each page as values were first written there cost more than
 * the values' malloc() had.  NULL when it cannot be had.
 */
static unsigned char *block_map(size_t size)
{
	void *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return m == MAP_FAILED ? NULL : m;
}

static void blocks_free(struct region *r, unsigned from)
{
	for (unsigned i = from; i < r->n; i++) {
		/* Clean for whatever is mapped there next (a thread's stack, a file). */
		UNPOISON(r->b[i].base, r->b[i].size);
		munmap(r->b[i].base, r->b[i].size);
	}
	r->n = from;
}

static void region_exit(void *r)
{
	blocks_free(r, 0);
}

/* Carve from block @i. */
static void carve(struct region *r, unsigned i)
{
	r->cur = i;
	r->next = r->b[i].base;
	r->limit = r->b[i].base + r->b[i].size;
}

/* Add a block of at least @size bytes and carve from it; false when none can be had. */
static bool region_grow(struct region *r, size_t size)
{
	size_t bsize = r->n ? r->b[r->n - 1].size * 2 : BLOCK_FIRST;

	if (bsize > BLOCK_MAX)
		bsize = BLOCK_MAX;
	if (r->n == BLOCKS_MAX)
		return false;
	while (bsize < size)
		bsize *= 2;
	r->b[r->n].base = block_map(bsize);
	if (!r->b[r->n].base)
		return false;
	/* The first block: have the thread's end free them all. */
	if (!r->n && pthread_setspecific(exit_key, r) != 0) {
		munmap(r->b[0].base, bsize);
		return false;
	}
	POISON(r->b[r->n].base, bsize);
	r->b[r->n].size = bsize;
	carve(r, r->n++);
	return true;
}

static size_t aligned(size_t size)
{
	return size ? (size + ALIGN - 1) & ~(ALIGN - 1) : ALIGN;
}

/*
 * Not in what is left of the block: the next block with room, or malloc().
 * Kept out of line, so that region_malloc()'s common case saves no
 * registers.
 */
__attribute__((noinline)) static void *region_next(struct region *r, size_t size)
{
	size_t need = aligned(size);

	if (!r->active)
		return malloc(size);
	if (size > SIZE_MAX / 4) {
		r->spilled = true;
		return malloc(size);
	}
	/* The blocks after the current one are empty (kept from an earlier task). */
	while (r->cur + 1 < r->n && r->b[r->cur + 1].size < need)
		r->cur++;
	if (r->cur + 1 < r->n)
		carve(r, r->cur + 1);
	else if (!region_grow(r, need)) {
		r->spilled = true;
		return malloc(size); /* an ordinary value, which free() takes back */
	}
	r->next += need;
	UNPOISON(r->next - need, need);
	return r->next - need;
}

static void *region_malloc(size_t size)
{
	struct region *r = &region;
	size_t need = aligned(size);

	if (size <= SIZE_MAX / 4 && need <= (size_t)(r->limit - r->next)) {
		r->next += need;
		UNPOISON(r->next - need, need);
		return r->next - need;
	}
	return region_next(r, size);
}

static bool in_region(const struct region *r, const void *p)
{
	for (unsigned i = 0; i < r->n; i++)
		if ((uintptr_t)p - (uintptr_t)r->b[i].base < r->b[i].size)
			return true;
	return false;
}

static void region_free(void *p)
{
	if (!in_region(&region, p))
		free(p); /* else taken back by gh_jregion_reset() */
}

static void install(void)
{
	json_malloc_t m;
	json_free_t f;

	json_get_alloc_funcs(&m, &f);
	if (m != malloc || f != free || pthread_key_create(&exit_key, region_exit) != 0)
		return;
	json_set_alloc_funcs(region_malloc, region_free);
	installed = true;
}

bool gh_jregion_begin(void)
{
	struct region *r = &region;

	pthread_once(&install_once, install);
	if (!installed || r->active)
		return installed;
	r->active = true;
	if (r->paused) {
		r->next = r->paused;
		r->limit = r->b[r->cur].base + r->b[r->cur].size;
	} else if (r->n) {
		carve(r, 0);
	}
	return true;
}

void gh_jregion_end(void)
{
	struct region *r = &region;

	if (!r->active)
		return;
	r->paused = r->next;
	r->active = false;
	r->next = r->limit = NULL;
}

void gh_jregion_reset(void)
{
	struct region *r = &region;
	size_t kept = 0;
	unsigned n = 0;

	while (n < r->n && kept + r->b[n].size <= KEEP_BYTES) {
		POISON(r->b[n].base, r->b[n].size);
		kept += r->b[n++].size;
	}
	blocks_free(r, n);
	r->spilled = false;
	r->paused = NULL;
	r->cur = 0;
	if (r->active && r->n)
		carve(r, 0);
	else
		r->next = r->limit = NULL;
}

void gh_jregion_release(void)
{
	struct region *r = &region;

	blocks_free(r, 0);
	r->spilled = false;
	r->paused = NULL;
	r->cur = 0;
	r->next = r->limit = NULL;
}

void gh_jregion_drop(json_t *v)
{
	const struct region *r = &region;

	if (v && (r->spilled || !in_region(r, v)))
		json_decref(v);
}

bool gh_jregion_active(void)
{
	return region.active;
}

void gh_jregion_mark(struct gh_jregion_mark *ret)
{
	*ret = (struct gh_jregion_mark){ region.cur, region.next, region.active };
}

void gh_jregion_rewind(const struct gh_jregion_mark *m)
{
	struct region *r = &region;
	/* Active without a block at the mark: everything since is in the blocks from the first. */
	unsigned cur = m->next ? m->cur : 0;

	if (!m->active || !r->active || !r->n)
		return;
	for (unsigned i = cur + 1; i <= r->cur && i < r->n; i++)
		POISON(r->b[i].base, r->b[i].size);
	carve(r, cur);
	if (m->next)
		r->next = m->next;
	POISON(r->next, (size_t)(r->limit - r->next));
}
