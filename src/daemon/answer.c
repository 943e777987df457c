/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's answers: JSON answers and errors ({"error": {"code",
 * "message", "path"}}), the decision answer as a jansson tree, and the
 * same answer and the decision-log line written straight into text.
 * Building the answer as a tree and dumping that cost more than the
 * decision itself (a dozen allocations per answer; a batch of 100 spent
 * most of its time there), so the hot answers are written as text; the
 * rest still go through jansson.  The text is what jansson would print
 * (compact, same key order, same escapes), so the two are interchangeable
 * for clients.  The bottom of the daemon's request handling: it uses no
 * other file of src/daemon.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/str.h"
#include "daemon/daemon.h"

void gd_json(struct http_response *res, int status, json_t *v)
{
	const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
	size_t n = v ? json_dumpb(v, NULL, 0, flags) : 0;

	free(res->body);
	res->body = NULL;
	res->content_type = "application/json";
	if (n && (res->body = malloc(n + 2)) && json_dumpb(v, res->body, n, flags) == n) {
		res->body[n] = '\n';
		res->body[n + 1] = '\0';
		res->len = n + 1;
		res->status = status;
	} else {
		/* Out of memory: a fixed answer, never a partial one. */
		free(res->body);
		res->body =
		    strdup("{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}\n");
		res->len = res->body ? strlen(res->body) : 0;
		res->status = 500;
	}
	json_decref(v);
}

void gd_error(struct http_response *res, int status, const char *code, const char *path,
	      const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Messages quote caller input, and JSON must be valid UTF-8. */
	gh_utf8_sanitize(msg);
	json_t *e = json_pack("{ss ss}", "code", code, "message", msg);

	if (e && path && *path) {
		char p[256];

		gh_strlcpy(p, path, sizeof(p));
		gh_utf8_sanitize(p);
		json_object_set_new(e, "path", json_string(p));
	}
	gd_json(res, status, e ? json_pack("{so}", "error", e) : NULL);
}

int gd_fail(struct gd_err *e, int status, const char *code, const char *path, const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	gh_strlcpy(e->code, code, sizeof(e->code));
	gh_strlcpy_ellipsis(e->path, path ? path : "", sizeof(e->path));
	va_start(ap, fmt);
	gh_vsnprintf_ellipsis(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	gh_utf8_sanitize(e->path);
	gh_utf8_sanitize(e->msg);
	return -1;
}

json_t *gd_err_json(const struct gd_err *e)
{
	json_t *o = json_pack("{ss ss}", "code", e->code, "message", e->msg);

	if (o && e->path[0])
		json_object_set_new(o, "path", json_string(e->path));
	return o;
}

void gd_err_answer(struct http_response *res, const struct gd_err *e)
{
	json_t *o = gd_err_json(e);

	gd_json(res, e->status, o ? json_pack("{so}", "error", o) : NULL);
}

int gd_err_at(struct gd_err *err, const char *where, const char *key)
{
	char rel[sizeof(err->path)];
	size_t n;

	gh_strlcpy(rel, err->path, sizeof(rel));
	n = (size_t)snprintf(err->path, sizeof(err->path), "%s%s%s", where,
			     key && *where ? "." : "", key ? key : "");
	if (n < sizeof(err->path) && rel[0] &&
	    (size_t)snprintf(err->path + n, sizeof(err->path) - n, "%s%s",
			     n && rel[0] != '[' && rel[0] != '.' ? "." : "",
			     rel) >= sizeof(err->path) - n)
		n = sizeof(err->path); /* cut: marked below */
	if (n >= sizeof(err->path))
		memcpy(err->path + sizeof(err->path) - 4, "...", 4);
	gh_utf8_sanitize(err->path);
	return -1;
}

const char *gd_reason(enum authz_decision dec)
{
	switch (dec) {
	case AUTHZ_ALLOW: return "allowed";
	case AUTHZ_EXPLICIT_DENY: return "explicit_deny";
	default: return "implicit_deny";
	}
}

/*
 * The policy a match names.  The daemon sends no session policies; a
 * library that adds some is named by slot, in @label.
 */
static const char *match_name(const struct authz_match *m, char label[48])
{
	if (m->slot != AUTHZ_SLOT_SESSION)
		return authz_policy_name(m->policy);
	snprintf(label, 48, "session_policies[%u]", m->slot_index);
	return label;
}

json_t *gd_matched_json(const struct authz_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->nmatched; i++) {
		const struct authz_match *m = &r->matched[i];
		char label[48];
		const char *name = match_name(m, label);

		if (json_array_append_new(a, json_pack("{ss so si ss}", "policy", name, "sid",
						       m->sid ? json_string(m->sid) : json_null(),
						       "index", (int)m->index, "effect",
						       authz_effect_name(m->effect))) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *gd_answer_json(const struct gd_decision *dd)
{
	json_t *missing = json_array();

	for (size_t i = 0; missing && i < dd->r.nmissing; i++)
		json_array_append_new(missing, json_string(dd->r.missing[i]));
	return json_pack("{ss ss ss so* so* ss ss}", "decision",
			 dd->r.decision == AUTHZ_ALLOW ? "allow" : "deny", "reason",
			 gd_reason(dd->r.decision), "explanation", authz_reason_text(dd->r.reason),
			 "matched", gd_matched_json(&dd->r), "missing_context", missing,
			 "decision_id", dd->id, "principal", dd->principal);
}

void gd_iso_time(int64_t ms, char buf[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

/* A batch answer of GD_BATCH_MAX answers of a few KiB each stays far below. */
#define GD_BUF_CEILING (64u << 20)

static bool grow(struct gd_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 1024;
	char *s;

	if (b->failed)
		return false;
	if (more <= b->cap - b->len)
		return true;
	while (cap - b->len < more) {
		if (cap > GD_BUF_CEILING / 2) {
			b->failed = true;
			return false;
		}
		cap *= 2;
	}
	s = realloc(b->s, cap);
	if (!s) {
		b->failed = true;
		return false;
	}
	b->s = s;
	b->cap = cap;
	return true;
}

void gd_buf_reserve(struct gd_buf *b, size_t n)
{
	grow(b, n);
}

void gd_buf_put(struct gd_buf *b, const char *s, size_t n)
{
	if (!grow(b, n + 1))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* @s as a JSON string, escaped as jansson escapes (UTF-8 passes through). */
void gd_buf_str(struct gd_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *o;

	/* At most 6 bytes out per byte in ("\u001f"), plus the quotes and a NUL. */
	if (!grow(b, 6 * n + 3))
		return;
	o = b->s + b->len;
	*o++ = '"';
	/* Most strings of an answer (names, ARNs, ids) escape nothing: one copy. */
	if (gh_json_plain_len(s, n) == n) {
		memcpy(o, s, n);
		o += n;
		goto done;
	}
	for (;;) {
		const char *run = s;
		unsigned char ch;

		/* Runs of plain text, copied whole: most strings are one run. */
		while (!gh_json_escaped[(unsigned char)*s])
			s++;
		memcpy(o, run, (size_t)(s - run));
		o += s - run;
		ch = (unsigned char)*s++;
		if (!ch)
			break;
		*o++ = '\\';
		switch (ch) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			memcpy(o, "u00", GH_LIT_LEN("u00"));
			o += GH_LIT_LEN("u00");
			*o++ = hex[ch >> 4];
			*o++ = hex[ch & 15];
		}
	}
done:
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->s);
}

/* @v in decimal, without printf (it showed in profiles of batches). */
static void put_uint(struct gd_buf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	gd_buf_put(b, tmp + i, sizeof(tmp) - i);
}

/* "matched":[...] of a result, as gd_matched_json() builds it. */
static void put_matched(struct gd_buf *b, const struct authz_result *r)
{
	GD_BUF_LIT(b, "\"matched\":[");
	for (size_t i = 0; i < r->nmatched; i++) {
		const struct authz_match *m = &r->matched[i];
		char label[48];
		const char *name = match_name(m, label);

		GD_BUF_LIT(b, "{\"policy\":");
		gd_buf_str(b, name);
		GD_BUF_LIT(b, ",\"sid\":");
		if (m->sid)
			gd_buf_str(b, m->sid);
		else
			GD_BUF_LIT(b, "null");
		GD_BUF_LIT(b, ",\"index\":");
		put_uint(b, m->index);
		GD_BUF_LIT(b, ",\"effect\":");
		gd_buf_str(b, authz_effect_name(m->effect));
		GD_BUF_LIT(b, "}");
		if (i + 1 < r->nmatched)
			GD_BUF_LIT(b, ",");
	}
	GD_BUF_LIT(b, "]");
}

void gd_answer_write(struct gd_buf *b, const struct gd_decision *dd)
{
	const struct authz_result *r = &dd->r;

	GD_BUF_LIT(b, "{\"decision\":");
	gd_buf_str(b, r->decision == AUTHZ_ALLOW ? "allow" : "deny");
	GD_BUF_LIT(b, ",\"reason\":");
	gd_buf_str(b, gd_reason(r->decision));
	GD_BUF_LIT(b, ",\"explanation\":");
	gd_buf_str(b, authz_reason_text(r->reason));
	GD_BUF_LIT(b, ",");
	put_matched(b, r);
	GD_BUF_LIT(b, ",\"missing_context\":[");
	for (size_t i = 0; i < r->nmissing; i++) {
		if (i)
			GD_BUF_LIT(b, ",");
		gd_buf_str(b, r->missing[i]);
	}
	GD_BUF_LIT(b, "],\"decision_id\":");
	gd_buf_str(b, dd->id);
	GD_BUF_LIT(b, ",\"principal\":");
	gd_buf_str(b, dd->principal);
	GD_BUF_LIT(b, "}");
}

void gd_log_line_write(struct gd_buf *b, const char *when, const struct gd_decision *dd,
		       const char *action, const char *resource, uint64_t latency_us)
{
	GD_BUF_LIT(b, "{\"time\":");
	gd_buf_str(b, when);
	GD_BUF_LIT(b, ",\"decision_id\":");
	gd_buf_str(b, dd->id);
	GD_BUF_LIT(b, ",\"principal\":");
	gd_buf_str(b, dd->principal);
	GD_BUF_LIT(b, ",\"action\":");
	gd_buf_str(b, action);
	GD_BUF_LIT(b, ",\"resource\":");
	gd_buf_str(b, resource);
	GD_BUF_LIT(b, ",\"decision\":");
	gd_buf_str(b, dd->r.decision == AUTHZ_ALLOW ? "allow" : "deny");
	GD_BUF_LIT(b, ",\"reason\":");
	gd_buf_str(b, gd_reason(dd->r.decision));
	GD_BUF_LIT(b, ",");
	put_matched(b, &dd->r);
	GD_BUF_LIT(b, ",\"latency_us\":");
	put_uint(b, latency_us);
	GD_BUF_LIT(b, "}");
}

void gd_answer_json_text(struct gd_buf *b, json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	if (!s) {
		b->failed = true;
	} else {
		gd_buf_put(b, s, strlen(s));
		free(s);
	}
	json_decref(v);
}

void gd_buf_answer(struct http_response *res, int status, struct gd_buf *b)
{
	GD_BUF_LIT(b, "\n");
	free(res->body);
	res->body = NULL;
	if (b->failed) {
		free(b->s);
		gd_error(res, 500, "internal", NULL, "out of memory");
		return;
	}
	res->body = b->s;
	res->len = b->len;
	res->status = status;
	res->content_type = "application/json";
}
