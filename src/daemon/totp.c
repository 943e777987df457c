/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, one step either
 * side for clock drift) through liboath, not a SHA-1 of our own.  The
 * secrets file is a JSON object {"user": "BASE32"}; like sshd with its host
 * keys, we refuse one that others can read.  A code is accepted once: the
 * step it matched must be later than the last step accepted for that user,
 * so a code seen over a shoulder or in a log cannot be used again, nor can
 * an older one.
 */
#include <errno.h>
#include <fcntl.h>
#include <liboath/oath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/str.h"
#include "daemon/daemon.h"

/* A secrets file is a few hundred bytes per user; 1 MiB is 10,000 users. */
#define TOTP_FILE_MAX (1u << 20)
#define TOTP_STEP_S 30
#define TOTP_WINDOW 1

struct totp_user {
	char *name;
	char *secret; /* decoded bytes */
	size_t len;
	uint64_t last_step;
};

struct gd_totp {
	pthread_mutex_t lock;
	struct totp_user *users;
	size_t n;
};

struct gd_totp *gd_totp_free(struct gd_totp *t)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->n; i++) {
		free(t->users[i].name);
		if (t->users[i].secret)
			explicit_bzero(t->users[i].secret, t->users[i].len);
		free(t->users[i].secret);
	}
	free(t->users);
	pthread_mutex_destroy(&t->lock);
	free(t);
	return NULL;
}

static char *read_secret_file(const char *path, size_t *ret_len, char *err, size_t errsize)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return NULL;
	}
	/* fstat on the open file: what is checked is what is read. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsize, "%s: not a regular file", path);
		goto fail;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errsize,
			 "%s: mode %04o lets others read or change TOTP secrets; chmod 0600 it",
			 path, (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	if (st.st_size > TOTP_FILE_MAX) {
		snprintf(err, errsize, "%s: larger than %u bytes", path, TOTP_FILE_MAX);
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, errsize, "%s: out of memory", path);
		goto fail;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errsize, "%s: read failed", path);
			goto fail;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	*ret_len = len;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

struct gd_totp *gd_totp_load(const char *path, char *err, size_t errsize)
{
	struct gd_totp *t = NULL;
	json_error_t je;
	json_t *root = NULL, *v;
	const char *key;
	size_t len;
	char *text = read_secret_file(path, &len, err, errsize);

	if (!text)
		return NULL;
	if (oath_init() != OATH_OK) {
		snprintf(err, errsize, "liboath failed to initialise");
		goto out;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	explicit_bzero(text, len);
	if (!root || !json_is_object(root)) {
		if (root)
			snprintf(err, errsize,
				 "%s: want a JSON object {\"user\": \"BASE32 secret\"}", path);
		else
			snprintf(err, errsize, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		goto out;
	}
	t = calloc(1, sizeof(*t));
	if (!t || !(t->users = calloc(json_object_size(root) + 1, sizeof(*t->users)))) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	pthread_mutex_init(&t->lock, NULL);
	json_object_foreach(root, key, v) {
		struct totp_user *u = &t->users[t->n];
		const char *s = json_string_value(v);

		if (!s || !*s) {
			snprintf(err, errsize, "%s: at %s: want a base32 secret string", path, key);
			goto fail;
		}
		if (oath_base32_decode(s, strlen(s), &u->secret, &u->len) != OATH_OK ||
		    u->len < 10) {
			snprintf(err, errsize,
				 "%s: at %s: not a base32 secret of at least 80 bits (RFC 4226)",
				 path, key);
			goto fail;
		}
		if (!(u->name = strdup(key))) {
			snprintf(err, errsize, "out of memory");
			goto fail;
		}
		t->n++;
	}
	goto out;
fail:
	t = gd_totp_free(t);
out:
	json_decref(root);
	free(text);
	return t;
}

static struct totp_user *find(const struct gd_totp *t, const char *user)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (t->users[i].name && strcmp(t->users[i].name, user) == 0)
			return &t->users[i];
	return NULL;
}

enum gd_totp_verdict gd_totp_check(struct gd_totp *t, const char *user, const char *code,
				   int64_t now_s)
{
	struct totp_user *u = find(t, user);
	enum gd_totp_verdict v;
	uint64_t step = 0;
	int pos = 0, r;

	if (!u)
		return GD_TOTP_NO_SECRET;
	if (strlen(code) != 6 || strspn(code, "0123456789") != 6)
		return GD_TOTP_MALFORMED;
	pthread_mutex_lock(&t->lock);
	r = oath_totp_validate4(u->secret, u->len, (time_t)now_s, TOTP_STEP_S, 0, TOTP_WINDOW, &pos,
				&step, 0, code);
	if (r < 0)
		v = GD_TOTP_WRONG;
	else if (step <= u->last_step)
		v = GD_TOTP_REPLAYED;
	else {
		u->last_step = step;
		v = GD_TOTP_OK;
	}
	pthread_mutex_unlock(&t->lock);
	return v;
}

static uint64_t last_step(struct gd_totp *t, const char *user)
{
	struct totp_user *u = find(t, user);
	uint64_t s;

	if (!u)
		return 0;
	pthread_mutex_lock(&t->lock);
	s = u->last_step;
	pthread_mutex_unlock(&t->lock);
	return s;
}

void gd_totp_set_last_step(struct gd_totp *t, const char *user, uint64_t step)
{
	struct totp_user *u = find(t, user);

	if (!u)
		return;
	pthread_mutex_lock(&t->lock);
	if (step > u->last_step)
		u->last_step = step;
	pthread_mutex_unlock(&t->lock);
}

void gd_totp_each(struct gd_totp *t, void (*f)(void *ctx, const char *user, uint64_t step),
		  void *ctx)
{
	for (size_t i = 0; t && i < t->n; i++) {
		uint64_t s = last_step(t, t->users[i].name);

		if (s)
			f(ctx, t->users[i].name, s);
	}
}
