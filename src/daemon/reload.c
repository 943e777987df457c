/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The store being served, swapped whole on reload (nginx's ngx_init_cycle):
 * the new store is loaded and validated off to the side while the old one
 * answers; only a store that loaded without errors replaces it.  Requests
 * hold a reference for their whole life, so one that started on the old
 * store finishes on it; the old store is freed by its last request.
 */
#include <errno.h>
#include <malloc.h>
#include <time.h>

#include "daemon/daemon.h"

struct authz_store *gd_store_get(struct gd_store *st, uint64_t *ret_generation)
{
	struct authz_store *s;

	pthread_mutex_lock(&st->lock);
	s = authz_store_ref(st->cur);
	if (ret_generation)
		*ret_generation = st->generation;
	pthread_mutex_unlock(&st->lock);
	return s;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int gd_store_reload(struct gd_store *st, struct diag_list *diags, int64_t *ret_ms)
{
	struct authz_store *s, *old;
	int64_t t0;

	pthread_mutex_lock(&st->reload_lock);
	t0 = mono_ms();
	s = authz_store_load(st->dir, diags);
	if (ret_ms)
		*ret_ms = mono_ms() - t0;
	if (!s) {
		pthread_mutex_unlock(&st->reload_lock);
		return -EINVAL;
	}
	pthread_mutex_lock(&st->lock);
	old = st->cur;
	st->cur = s;
	st->generation++;
	pthread_mutex_unlock(&st->lock);
	pthread_mutex_unlock(&st->reload_lock);
	authz_store_unref(old);
#ifdef __GLIBC__
	/*
	 * The old store is freed here unless a request still holds it (for
	 * microseconds): hand its heap back, or glibc keeps it and RSS after
	 * three reloads of a 30 MiB export is 2.4 times that of one load.
	 */
	malloc_trim(0);
#endif
	/* A request that held it frees it later, after the trim: the next gd_store_trim() trims
	 * again. */
	atomic_store(&st->trim_due, true);
	return 0;
}

void gd_store_trim(struct gd_store *st)
{
	if (!atomic_exchange(&st->trim_due, false))
		return;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}
