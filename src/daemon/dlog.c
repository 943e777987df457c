/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decision log: one JSON line per decision, written by a thread of its
 * own.  Requests put their line in a bounded queue and go on; when the
 * queue is full (the disk is slow or gone) the line is dropped and counted
 * (gatehoused_decision_log_drops_total), so no request ever waits for the
 * disk.  SIGUSR1 asks the writer to reopen the file, after logrotate moved
 * it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "daemon/daemon.h"

/**
 * struct gd_dlog - the log
 * @q: ring of queued lines, @head the oldest, @n how many
 * @reopen: the writer reopens the file before its next write
 * @stop: the writer writes what is queued and ends
 */
struct gd_dlog {
	char *path;
	int fd;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *q[GD_DLOG_QUEUE];
	size_t head, n;
	bool reopen, stop;
	atomic_uint_fast64_t *drops;
};

static int open_log(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
}

/* Write @n lines, each followed by a newline, in as few writes as IOV_MAX allows. */
static void write_lines(int fd, char **lines, size_t n)
{
	static const char nl = '\n';
	struct iovec iov[128];
	size_t i = 0;

	while (i < n) {
		size_t k = 0;

		for (; i < n && k + 2 <= sizeof(iov) / sizeof(iov[0]); i++) {
			iov[k].iov_base = lines[i];
			iov[k++].iov_len = strlen(lines[i]);
			iov[k].iov_base = (void *)&nl;
			iov[k++].iov_len = 1;
		}
		/* A short or failed write loses those lines; the log is best effort. */
		if (fd >= 0 && writev(fd, iov, (int)k) < 0 && errno == EINTR)
			(void)writev(fd, iov, (int)k);
	}
}

static void *writer(void *arg)
{
	struct gd_dlog *l = arg;
	char *batch[256];

	pthread_mutex_lock(&l->lock);
	for (;;) {
		size_t n = 0;
		bool reopen;

		while (!l->n && !l->stop && !l->reopen)
			pthread_cond_wait(&l->cond, &l->lock);
		while (l->n && n < sizeof(batch) / sizeof(batch[0])) {
			batch[n++] = l->q[l->head];
			l->head = (l->head + 1) % GD_DLOG_QUEUE;
			l->n--;
		}
		reopen = l->reopen;
		l->reopen = false;
		bool done = l->stop && !l->n;

		pthread_mutex_unlock(&l->lock);
		write_lines(l->fd, batch, n);
		for (size_t i = 0; i < n; i++)
			free(batch[i]);
		if (reopen) {
			int fd = open_log(l->path);

			/* Keep writing to the old file if the new one cannot be opened. */
			if (fd >= 0) {
				close(l->fd);
				l->fd = fd;
			}
		}
		pthread_mutex_lock(&l->lock);
		if (done)
			break;
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

struct gd_dlog *gd_dlog_open(const char *path, atomic_uint_fast64_t *drops)
{
	struct gd_dlog *l = calloc(1, sizeof(*l));

	if (!l || !(l->path = strdup(path))) {
		free(l);
		errno = ENOMEM;
		return NULL;
	}
	l->drops = drops;
	l->fd = open_log(path);
	if (l->fd < 0) {
		int e = errno;

		free(l->path);
		free(l);
		errno = e;
		return NULL;
	}
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	if (pthread_create(&l->thread, NULL, writer, l) != 0) {
		close(l->fd);
		free(l->path);
		free(l);
		errno = EAGAIN;
		return NULL;
	}
	return l;
}

void gd_dlog_push(struct gd_dlog *l, char *line)
{
	if (!line) {
		atomic_fetch_add_explicit(l->drops, 1, memory_order_relaxed);
		return;
	}
	pthread_mutex_lock(&l->lock);
	if (l->n == GD_DLOG_QUEUE || l->stop) {
		pthread_mutex_unlock(&l->lock);
		free(line);
		atomic_fetch_add_explicit(l->drops, 1, memory_order_relaxed);
		return;
	}
	l->q[(l->head + l->n) % GD_DLOG_QUEUE] = line;
	l->n++;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

void gd_dlog_reopen(struct gd_dlog *l)
{
	pthread_mutex_lock(&l->lock);
	l->reopen = true;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

struct gd_dlog *gd_dlog_close(struct gd_dlog *l)
{
	if (!l)
		return NULL;
	pthread_mutex_lock(&l->lock);
	l->stop = true;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
	pthread_join(l->thread, NULL);
	close(l->fd);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->cond);
	free(l->path);
	free(l);
	return NULL;
}
