/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A request, checked once before evaluation: every reader (simulate, eval
 * --batch, eval's flags, the daemon) hands its request to authz_evaluate()
 * or authz_store_evaluate(), and both come through authz_request_check().
 * The caps (authz/limits.h) bound what one evaluation can cost: the glob
 * matcher is O(pattern x subject), and every subject is one of these
 * strings.  Valid UTF-8 is required because "?" matches one character.
 */
#include <gatehouse/authz.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "authz/limits.h"
#include "authz/request.h"
#include "common/limits.h"
#include "common/str.h"

void authz_ctx_entry_init(struct authz_ctx_entry *e, const char *key, size_t keylen,
			  const struct authz_value *values, size_t nvalues, bool multi)
{
	e->key = key;
	e->keylen = keylen;
	e->hash = gh_hash_nocase(key, keylen);
	e->values = values;
	e->nvalues = nvalues;
	e->multi = multi;
}

int az_refuse(struct diag *reterr, int r, const char *path, const char *fmt, ...)
{
	va_list ap;

	if (!reterr)
		return r;
	memset(reterr, 0, sizeof(*reterr));
	reterr->severity = DIAG_ERROR;
	gh_strlcpy_ellipsis(reterr->path, path, sizeof(reterr->path));
	va_start(ap, fmt);
	gh_vsnprintf_ellipsis(reterr->message, sizeof(reterr->message), fmt, ap);
	va_end(ap);
	return r;
}

/* @len bytes of @s: 0 when at most @max bytes of valid UTF-8, else -E2BIG or -EINVAL. */
static int check_text(const char *s, size_t len, size_t max)
{
	if (len > max)
		return -E2BIG;
	return gh_utf8_valid(s, len) ? 0 : -EINVAL;
}

/* Say what check_text() found (@r < 0) about the text at @path. */
static int refuse_text(struct diag *reterr, int r, const char *path, size_t max)
{
	if (r == -E2BIG)
		return az_refuse(reterr, r, path, "%s is longer than %zu bytes", path, max);
	return az_refuse(reterr, r, path, "%s is not valid UTF-8", path);
}

/* A NUL-terminated member; strnlen so that a huge one costs no more than the cap. */
static int check_string(const char *s, size_t max, const char *path, struct diag *reterr)
{
	int r = check_text(s, strnlen(s, max + 1), max);

	return r < 0 ? refuse_text(reterr, r, path, max) : 0;
}

/*
 * Value @k of @e refused for @r, or with @k SIZE_MAX the key's values as a
 * whole; the path is built only now, off the common path.
 */
static int refuse_value(struct diag *reterr, int r, const struct authz_ctx_entry *e, size_t k)
{
	char path[GH_DIAG_PATH_MAX];

	if (e->multi && k != SIZE_MAX)
		snprintf(path, sizeof(path), "context.%.*s[%zu]", (int)e->keylen, e->key, k);
	else
		snprintf(path, sizeof(path), "context.%.*s", (int)e->keylen, e->key);
	if (k != SIZE_MAX)
		return refuse_text(reterr, r, path, AUTHZ_REQ_VALUE_MAX);
	if (e->nvalues > AUTHZ_REQ_KEY_VALUES_MAX)
		return az_refuse(reterr, r, path, "%s has %zu values, more than %d", path,
				 e->nvalues, AUTHZ_REQ_KEY_VALUES_MAX);
	return az_refuse(reterr, r, path, "the context has more than %d values in all",
			 AUTHZ_REQ_VALUES_MAX);
}

static int check_context(const struct authz_request *req, struct diag *reterr)
{
	size_t total = 0;
	int r;

	if (req->ncontext > AUTHZ_REQ_KEYS_MAX)
		return az_refuse(reterr, -E2BIG, "context",
				 "the context has %zu keys, more than %d", req->ncontext,
				 AUTHZ_REQ_KEYS_MAX);
	for (size_t i = 0; i < req->ncontext; i++) {
		const struct authz_ctx_entry *e = &req->context[i];

		/* The key names the path: check it before quoting it. */
		if (e->keylen > AUTHZ_REQ_KEY_MAX)
			return az_refuse(reterr, -E2BIG, "context",
					 "a context key is longer than %d bytes",
					 AUTHZ_REQ_KEY_MAX);
		if (!gh_utf8_valid(e->key, e->keylen))
			return az_refuse(reterr, -EINVAL, "context",
					 "a context key is not valid UTF-8");
		total += e->nvalues;
		if (e->nvalues > AUTHZ_REQ_KEY_VALUES_MAX || total > AUTHZ_REQ_VALUES_MAX)
			return refuse_value(reterr, -E2BIG, e, SIZE_MAX);
		for (size_t k = 0; k < e->nvalues; k++) {
			r = check_text(e->values[k].s, e->values[k].len, AUTHZ_REQ_VALUE_MAX);
			if (r < 0)
				return refuse_value(reterr, r, e, k);
		}
	}
	return 0;
}

/*
 * The common case in one pass, without decoding or reporting: every member
 * present, within its cap, an action with a service, and nothing but ASCII
 * (all bytes ORed).  Anything else goes to check_all(), which says what.
 */
static bool plainly_fine(const struct authz_request *req)
{
	uint64_t bytes = 0;
	size_t n, total = 0;
	const char *colon;

	if (!req->principal || !req->action || !req->resource || req->ncontext > AUTHZ_REQ_KEYS_MAX)
		return false;
	n = strnlen(req->action, AUTHZ_REQ_ACTION_MAX + 1);
	colon = memchr(req->action, ':', n);
	if (n > AUTHZ_REQ_ACTION_MAX || !colon || colon == req->action)
		return false;
	bytes |= gh_or_bytes(req->action, n);
	n = strnlen(req->principal, AUTHZ_REQ_STRING_MAX + 1);
	bytes |= gh_or_bytes(req->principal, n);
	if (n > AUTHZ_REQ_STRING_MAX)
		return false;
	n = strnlen(req->resource, AUTHZ_REQ_STRING_MAX + 1);
	bytes |= gh_or_bytes(req->resource, n);
	if (n > AUTHZ_REQ_STRING_MAX)
		return false;
	if (req->resource_account) {
		n = strnlen(req->resource_account, AUTHZ_REQ_STRING_MAX + 1);
		bytes |= gh_or_bytes(req->resource_account, n);
		if (n > AUTHZ_REQ_STRING_MAX)
			return false;
	}
	for (size_t i = 0; i < req->ncontext; i++) {
		const struct authz_ctx_entry *e = &req->context[i];

		total += e->nvalues;
		if (e->keylen > AUTHZ_REQ_KEY_MAX || e->nvalues > AUTHZ_REQ_KEY_VALUES_MAX ||
		    total > AUTHZ_REQ_VALUES_MAX)
			return false;
		bytes |= gh_or_bytes(e->key, e->keylen);
		for (size_t k = 0; k < e->nvalues; k++) {
			if (e->values[k].len > AUTHZ_REQ_VALUE_MAX)
				return false;
			bytes |= gh_or_bytes(e->values[k].s, e->values[k].len);
		}
	}
	return !(bytes & GH_HIGH_BITS);
}

/* Every check, in order, reporting the first problem: the request was not plainly fine. */
static int check_all(const struct authz_request *req, struct diag *reterr)
{
	const char *colon;
	int r;

	if (!req->principal || !req->action || !req->resource)
		return az_refuse(reterr, -EINVAL, "",
				 "a request needs a principal, an action and a resource");
	r = check_string(req->action, AUTHZ_REQ_ACTION_MAX, "action", reterr);
	if (r < 0)
		return r;
	colon = strchr(req->action, ':');
	if (!colon || colon == req->action)
		return az_refuse(reterr, -EINVAL, "action",
				 "action must be \"service:ActionName\"");
	r = check_string(req->principal, AUTHZ_REQ_STRING_MAX, "principal", reterr);
	if (r == 0)
		r = check_string(req->resource, AUTHZ_REQ_STRING_MAX, "resource", reterr);
	if (r == 0 && req->resource_account)
		r = check_string(req->resource_account, AUTHZ_REQ_STRING_MAX, "resource_account",
				 reterr);
	if (r == 0)
		r = check_context(req, reterr);
	return r;
}

int authz_request_check(const struct authz_request *req, struct diag *reterr)
{
	return plainly_fine(req) ? 0 : check_all(req, reterr);
}
