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

/* @s as a JSON string, escaped as jansson escapes (UTF-8 passes through). */
void gd_buf_str(struct gd_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *run = s;

	GD_BUF_LIT(b, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char esc[7];
		size_t n = 2;

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		gd_buf_put(b, run, (size_t)(s - run));
		run = s + 1;
		esc[0] = '\\';
		switch (ch) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", GH_LIT_LEN("u00"));
			esc[4] = hex[ch >> 4];
			esc[5] = hex[ch & 15];
			n = 6;
		}
		gd_buf_put(b, esc, n);
	}
	gd_buf_put(b, run, (size_t)(s - run));
	GD_BUF_LIT(b, "\"");
}

void gd_answer_write(struct gd_buf *b, const struct gd_decision *dd)
{
	const struct authz_result *r = &dd->r;
	char num[24];

	GD_BUF_LIT(b, "{\"decision\":");
	gd_buf_str(b, r->decision == AUTHZ_ALLOW ? "allow" : "deny");
	GD_BUF_LIT(b, ",\"reason\":");
	gd_buf_str(b, gd_reason(r->decision));
	GD_BUF_LIT(b, ",\"explanation\":");
	gd_buf_str(b, authz_reason_text(r->reason));
	GD_BUF_LIT(b, ",\"matched\":[");
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
		snprintf(num, sizeof(num), "%u", m->index);
		GD_BUF_LIT(b, ",\"index\":");
		gd_buf_put(b, num, strlen(num));
		GD_BUF_LIT(b, ",\"effect\":");
		gd_buf_str(b, authz_effect_name(m->effect));
		GD_BUF_LIT(b, "}");
		if (i + 1 < r->nmatched)
			GD_BUF_LIT(b, ",");
	}
	GD_BUF_LIT(b, "],\"missing_context\":[");
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
