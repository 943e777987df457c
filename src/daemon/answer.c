/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The /v1/authorize answer written straight into text.  Building it as a
 * jansson tree and dumping that cost more than the decision itself (a
 * dozen allocations per answer; a batch of 100 spent most of its time
 * there), so the hot answers are written here; the rest still go through
 * jansson.  The text is what jansson would print (compact, same key order,
 * same escapes), so the two are interchangeable for clients.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/daemon.h"

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

void gd_buf_put(struct gd_buf *b, const char *s, size_t n)
{
	if (!grow(b, n + 1))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Bytes jansson escapes in a string: control characters, '"', '\\' (NUL ends the string). */
static const unsigned char escaped[256] = {
	[0x00 ... 0x1f] = 1,
	['"'] = 1,
	['\\'] = 1,
};

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
	for (;;) {
		const char *run = s;
		unsigned char ch;

		/* Runs of plain text, copied whole: most strings are one run. */
		while (!escaped[(unsigned char)*s])
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
		const char *name = authz_policy_name(m->policy);

		if (m->slot == AUTHZ_SLOT_SESSION) {
			snprintf(label, sizeof(label), "session_policies[%u]", m->slot_index);
			name = label;
		}
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
