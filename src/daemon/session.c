/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sessions: what a bearer token stands for.  A token is 192 bits from
 * getrandom(), shown once, when the session is opened; the table keeps
 * only its SHA-256, so a memory or state-file dump gives no usable token,
 * and compares hashes with CRYPTO_memcmp (constant time).
 *
 * A role session's authz_session points into the store it was made on.
 * Sessions outlive reloads, so each keeps one per store generation: on the
 * first request after a reload it is made again on the new store, as of
 * the time the role was assumed (same MFA facts, same trust check); if the
 * role is gone, or its new trust policy no longer allows it, the session
 * ends.  The one in use is reference counted, so a request that started
 * on the old store finishes with the old session.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/str.h"
#include "daemon/daemon.h"

#define TOKEN_BYTES 24
#define TOKEN_PREFIX "ghs_"
#define NBUCKETS 16384u
/* The state file: 100,000 sessions of ~400 bytes. */
#define STATE_FILE_MAX (64u << 20)

struct gd_role_session {
	atomic_int refs;
	struct authz_store *store;
	struct authz_session *s;
};

struct sess {
	struct sess *next;
	unsigned char hash[SHA256_DIGEST_LENGTH];
	struct gd_session_info info;
	struct gd_role_session *role;
};

struct gd_sessions {
	pthread_mutex_t lock;
	struct sess *b[NBUCKETS];
	size_t n;
	size_t adds;
	char *state_path;
};

const struct authz_session *gd_role_session_get(const struct gd_role_session *r)
{
	return r->s;
}

void gd_role_session_unref(struct gd_role_session *r)
{
	if (!r || atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	authz_session_free(r->s);
	authz_store_unref(r->store);
	free(r);
}

static struct gd_role_session *role_session_new(struct authz_store *store, struct authz_session *s)
{
	struct gd_role_session *r = calloc(1, sizeof(*r));

	if (!r) {
		authz_session_free(s);
		return NULL;
	}
	atomic_init(&r->refs, 1);
	r->store = authz_store_ref(store);
	r->s = s;
	return r;
}

struct gd_sessions *gd_sessions_new(const char *state_path)
{
	struct gd_sessions *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (state_path && !(t->state_path = strdup(state_path))) {
		free(t);
		return NULL;
	}
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

static void sess_free(struct sess *e)
{
	gd_role_session_unref(e->role);
	free(e);
}

struct gd_sessions *gd_sessions_free(struct gd_sessions *t)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < NBUCKETS; i++)
		for (struct sess *e = t->b[i], *next; e; e = next) {
			next = e->next;
			sess_free(e);
		}
	pthread_mutex_destroy(&t->lock);
	free(t->state_path);
	free(t);
	return NULL;
}

static void hash_token(const char *token, unsigned char out[SHA256_DIGEST_LENGTH])
{
	SHA256((const unsigned char *)token, strlen(token), out);
}

static size_t bucket(const unsigned char *h)
{
	return ((size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16) % NBUCKETS;
}

/* The entry for @h and the link that points to it. */
static struct sess **lookup(struct gd_sessions *t, const unsigned char *h)
{
	struct sess **pp = &t->b[bucket(h)];

	for (; *pp; pp = &(*pp)->next)
		if (CRYPTO_memcmp((*pp)->hash, h, SHA256_DIGEST_LENGTH) == 0)
			return pp;
	return NULL;
}

static void unlink_entry(struct gd_sessions *t, struct sess **pp)
{
	struct sess *e = *pp;

	*pp = e->next;
	t->n--;
	sess_free(e);
}

/* Drop expired sessions (every 256 additions: a sweep is O(n)). */
static void sweep(struct gd_sessions *t, int64_t now_ms)
{
	for (size_t i = 0; i < NBUCKETS; i++)
		for (struct sess **pp = &t->b[i]; *pp;) {
			if ((*pp)->info.expires_ms <= now_ms)
				unlink_entry(t, pp);
			else
				pp = &(*pp)->next;
		}
}

static int insert(struct gd_sessions *t, const unsigned char *h, const struct gd_session_info *info,
		  struct gd_role_session *role)
{
	struct sess *e;

	if (t->n >= GD_SESSIONS_MAX)
		return -ENOSPC;
	if (lookup(t, h))
		return -EEXIST;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	memcpy(e->hash, h, sizeof(e->hash));
	e->info = *info;
	e->role = role;
	e->next = t->b[bucket(h)];
	t->b[bucket(h)] = e;
	t->n++;
	return 0;
}

int gd_sessions_add(struct gd_sessions *t, const struct gd_session_info *info,
		    struct authz_store *store, struct authz_session *rs, char token[64])
{
	unsigned char raw[TOKEN_BYTES], h[SHA256_DIGEST_LENGTH];
	struct gd_role_session *role = NULL;
	size_t off = GH_LIT_LEN(TOKEN_PREFIX);
	int r;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		authz_session_free(rs);
		return -EIO;
	}
	memcpy(token, TOKEN_PREFIX, off);
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(token + off + 2 * i, 3, "%02x", raw[i]);
	explicit_bzero(raw, sizeof(raw));
	hash_token(token, h);
	if (rs && !(role = role_session_new(store, rs)))
		return -ENOMEM;
	pthread_mutex_lock(&t->lock);
	if (++t->adds % 256 == 0)
		sweep(t, info->issued_ms);
	r = insert(t, h, info, role);
	pthread_mutex_unlock(&t->lock);
	if (r < 0)
		gd_role_session_unref(role);
	return r;
}

int gd_sessions_find(struct gd_sessions *t, const char *token, int64_t now_ms,
		     struct authz_store *store, gd_role_rebuild_fn rebuild, void *ctx,
		     struct gd_session_info *ret, struct gd_role_session **ret_role)
{
	unsigned char h[SHA256_DIGEST_LENGTH];
	struct sess **pp, *e;
	int r = 0;

	*ret_role = NULL;
	hash_token(token, h);
	pthread_mutex_lock(&t->lock);
	pp = lookup(t, h);
	if (!pp) {
		r = -ENOENT;
		goto out;
	}
	e = *pp;
	if (e->info.expires_ms <= now_ms) {
		unlink_entry(t, pp);
		r = -ETIME;
		goto out;
	}
	*ret = e->info;
	if (!e->info.role[0])
		goto out;
	if (!e->role || e->role->store != store) {
		struct authz_session *s = rebuild(ctx, store, &e->info);
		struct gd_role_session *nr = s ? role_session_new(store, s) : NULL;

		if (!nr) {
			/* The role is gone or no longer trusts the user: the session ends. */
			unlink_entry(t, pp);
			r = -ENOENT;
			goto out;
		}
		gd_role_session_unref(e->role);
		e->role = nr;
	}
	atomic_fetch_add(&e->role->refs, 1);
	*ret_role = e->role;
out:
	pthread_mutex_unlock(&t->lock);
	return r;
}

int gd_sessions_revoke(struct gd_sessions *t, const char *token, uid_t uid, uid_t self_uid)
{
	unsigned char h[SHA256_DIGEST_LENGTH];
	struct sess **pp;
	int r = 0;

	hash_token(token, h);
	pthread_mutex_lock(&t->lock);
	pp = lookup(t, h);
	if (!pp)
		r = -ENOENT;
	else if (uid != 0 && uid != self_uid && uid != (*pp)->info.owner_uid)
		r = -EPERM;
	else
		unlink_entry(t, pp);
	pthread_mutex_unlock(&t->lock);
	return r;
}

size_t gd_sessions_count(struct gd_sessions *t)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	n = t->n;
	pthread_mutex_unlock(&t->lock);
	return n;
}

/* ---- the state file ---------------------------------------------------------- */

static void hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static bool unhex(const char *s, unsigned char *out, size_t n)
{
	if (!s || strlen(s) != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1 || !strchr("0123456789abcdef", s[2 * i]) ||
		    !strchr("0123456789abcdef", s[2 * i + 1]))
			return false;
		out[i] = (unsigned char)v;
	}
	return true;
}

static void put_step(void *ctx, const char *user, uint64_t step)
{
	json_object_set_new(ctx, user, json_integer((json_int_t)step));
}

static json_t *state_json(struct gd_sessions *t, struct gd_totp *totp, int64_t now_ms)
{
	json_t *root = json_object(), *arr = json_array(), *steps = json_object();
	bool ok = root && arr && steps;

	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; ok && i < NBUCKETS; i++)
		for (struct sess *e = t->b[i]; ok && e; e = e->next) {
			const struct gd_session_info *in = &e->info;
			char h[2 * SHA256_DIGEST_LENGTH + 1];

			if (in->expires_ms <= now_ms)
				continue;
			hex(e->hash, sizeof(e->hash), h);
			ok = json_array_append_new(arr,
						   json_pack("{ss ss ss ss sb sI sI sI sI ss}",
							     "token_sha256", h, "user", in->user,
							     "role", in->role, "session_name",
							     in->session_name, "mfa", in->mfa,
							     "mfa_ms", (json_int_t)in->mfa_ms,
							     "issued_ms", (json_int_t)in->issued_ms,
							     "expires_ms",
							     (json_int_t)in->expires_ms,
							     "owner_uid", (json_int_t)in->owner_uid,
							     "assume_context",
							     in->assume_context)) == 0;
		}
	pthread_mutex_unlock(&t->lock);
	if (ok)
		gd_totp_each(totp, put_step, steps);
	if (!ok || json_object_set_new(root, "version", json_integer(1)) ||
	    json_object_set_new(root, "sessions", arr) ||
	    json_object_set_new(root, "totp_last_step", steps)) {
		json_decref(root);
		return NULL;
	}
	return root;
}

int gd_sessions_save_state(struct gd_sessions *t, struct gd_totp *totp, int64_t now_ms)
{
	char tmp[4096];
	json_t *root;
	char *text;
	size_t len, off = 0;
	int fd, r = 0;

	if (!t->state_path)
		return 0;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", t->state_path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	root = state_json(t, totp, now_ms);
	text = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	/* Temp file, fsync, rename: a crash leaves the old file or the new, never half. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		free(text);
		return -errno;
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		off += (size_t)n;
	}
	if (!r && fsync(fd) < 0)
		r = -errno;
	close(fd);
	free(text);
	if (!r && rename(tmp, t->state_path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

static int load_entry(struct gd_sessions *t, json_t *v, int64_t now_ms)
{
	struct gd_session_info in = { 0 };
	unsigned char h[SHA256_DIGEST_LENGTH];
	const char *hash = NULL, *user = NULL, *role = NULL, *name = NULL, *actx = NULL;
	json_int_t mfa_ms, issued, expires, owner;
	int mfa;
	json_error_t je;

	if (json_unpack_ex(v, &je, JSON_STRICT, "{ss ss ss ss sb sI sI sI sI ss}", "token_sha256",
			   &hash, "user", &user, "role", &role, "session_name", &name, "mfa", &mfa,
			   "mfa_ms", &mfa_ms, "issued_ms", &issued, "expires_ms", &expires,
			   "owner_uid", &owner, "assume_context", &actx) < 0 ||
	    !unhex(hash, h, sizeof(h)))
		return -EINVAL;
	if (gh_strlcpy(in.user, user, sizeof(in.user)) >= sizeof(in.user) ||
	    gh_strlcpy(in.role, role, sizeof(in.role)) >= sizeof(in.role) ||
	    gh_strlcpy(in.session_name, name, sizeof(in.session_name)) >= sizeof(in.session_name) ||
	    gh_strlcpy(in.assume_context, actx, sizeof(in.assume_context)) >=
		sizeof(in.assume_context))
		return -EINVAL;
	in.mfa = mfa;
	in.mfa_ms = mfa_ms;
	in.issued_ms = issued;
	in.expires_ms = expires;
	in.owner_uid = (uid_t)owner;
	if (expires <= now_ms)
		return 0;
	return insert(t, h, &in, NULL) == -ENOMEM ? -ENOMEM : 0;
}

int gd_sessions_load_state(struct gd_sessions *t, struct gd_totp *totp, int64_t now_ms, char *msg,
			   size_t msgsize)
{
	json_error_t je;
	json_t *root, *arr, *steps, *v;
	const char *key;
	size_t i;
	int r = 0;

	msg[0] = '\0';
	if (!t->state_path || access(t->state_path, F_OK) < 0)
		return 0;
	root = json_load_file(t->state_path, JSON_REJECT_DUPLICATES, &je);
	arr = json_object_get(root, "sessions");
	steps = json_object_get(root, "totp_last_step");
	if (!root || !json_is_array(arr) || !json_is_object(steps) ||
	    json_integer_value(json_object_get(root, "version")) != 1) {
		r = -EINVAL;
		if (!root)
			snprintf(msg, msgsize, "%s:%d:%d: %s", t->state_path, je.line, je.column,
				 je.text);
		else
			snprintf(msg, msgsize, "%s: not a gatehoused state file (version 1)",
				 t->state_path);
	}
	pthread_mutex_lock(&t->lock);
	json_array_foreach(r ? NULL : arr, i, v) {
		r = load_entry(t, v, now_ms);
		if (r < 0) {
			snprintf(msg, msgsize, "%s: sessions[%zu] is malformed", t->state_path, i);
			break;
		}
	}
	pthread_mutex_unlock(&t->lock);
	if (!r)
		json_object_foreach(steps, key, v)
			gd_totp_set_last_step(totp, key, (uint64_t)json_integer_value(v));
	json_decref(root);
	if (r < 0) {
		char aside[4096];

		/* Set aside, not deleted: someone may want to see what was wrong with it. */
		snprintf(aside, sizeof(aside), "%s.corrupt-%lld", t->state_path,
			 (long long)(now_ms / 1000));
		if (rename(t->state_path, aside) == 0) {
			size_t l = strlen(msg);

			snprintf(msg + l, msgsize - l, "; moved to %s, starting without sessions",
				 aside);
		}
		/* Start clean: nothing of a corrupt file is trusted. */
		pthread_mutex_lock(&t->lock);
		for (size_t b = 0; b < NBUCKETS; b++)
			while (t->b[b])
				unlink_entry(t, &t->b[b]);
		pthread_mutex_unlock(&t->lock);
	}
	return r;
}
