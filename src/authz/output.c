/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON answers of `gatehouse simulate` and `gatehouse eval --batch`:
 * one shape for both (README.md, "gatehouse simulate").
 */
#include "authz/output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/str.h"

/*
 * Output is built with jansson, whose every call can fail for memory: each
 * helper returns false then, and authz_simulate() answers NULL rather
 * than a partial object.
 */
bool az_output_put(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v) == 0; /* set_new frees v on failure */
}

static json_t *error_object(const struct diag *d, int first_line)
{
	json_t *e = json_object();
	bool ok = e && az_output_put(e, "message", json_string(d->message)) &&
		  az_output_put(e, "path", json_string(d->path));

	if (ok && d->line > 0)
		ok = az_output_put(e, "line", json_integer(d->line + first_line - 1)) &&
		     az_output_put(e, "column", json_integer(d->column));
	if (!ok) {
		json_decref(e);
		return NULL;
	}
	return e;
}

bool az_output_errors(json_t *out, const struct diag_list *dl, int first_line)
{
	json_t *all = json_array();
	bool ok = all != NULL;

	for (size_t i = 0; ok && i < dl->n; i++) {
		if (dl->items[i].severity != DIAG_ERROR)
			continue;
		if (!json_object_get(out, "error"))
			ok = az_output_put(out, "error", error_object(&dl->items[i], first_line));
		ok = ok && json_array_append_new(all, error_object(&dl->items[i], first_line)) == 0;
	}
	/* Every error text was dropped (over the cap, or out of memory). */
	if (ok && !json_object_get(out, "error"))
		ok = az_output_put(out, "error", json_pack("{ss}", "message", "invalid case"));
	if (ok && json_array_size(all) > 1)
		return az_output_put(out, "errors", all);
	json_decref(all);
	return ok;
}

/* "policies[0]" ... in simulate's terms, else the policy's own name. */
static const char *policy_label(const struct authz_match *m, bool slot_names, char *buf,
				size_t size)
{
	if (!slot_names && m->slot != AUTHZ_SLOT_SESSION)
		return authz_policy_name(m->policy);
	switch (m->slot) {
	case AUTHZ_SLOT_BOUNDARY: return "permission_boundary";
	case AUTHZ_SLOT_RESOURCE: return "resource_policy";
	default:
		snprintf(buf, size, "%s[%u]",
			 m->slot == AUTHZ_SLOT_SESSION ? "session_policies"
			 : m->slot == AUTHZ_SLOT_SCP   ? "service_control_policies"
			 : m->slot == AUTHZ_SLOT_RCP   ? "resource_control_policies"
						       : "policies",
			 m->slot_index);
		return buf;
	}
}

bool az_output_result(json_t *out, const struct authz_result *r, bool slot_names)
{
	json_t *matched = json_array(), *missing = json_array();
	bool ok = matched && missing &&
		  az_output_put(out, "decision", json_string(authz_decision_name(r->decision))) &&
		  az_output_put(out, "reason", json_string(authz_reason_text(r->reason)));

	for (size_t i = 0; ok && i < r->nmatched; i++) {
		const struct authz_match *m = &r->matched[i];
		char buf[64];

		ok = json_array_append_new(matched,
					   json_pack("{ss so si ss}", "policy",
						     policy_label(m, slot_names, buf, sizeof(buf)),
						     "sid",
						     m->sid ? json_string(m->sid) : json_null(),
						     "index", (int)m->index, "effect",
						     authz_effect_name(m->effect))) == 0;
	}
	for (size_t i = 0; ok && i < r->nmissing; i++)
		ok = json_array_append_new(missing, json_string(r->missing[i])) == 0;
	if (!ok) {
		json_decref(matched);
		json_decref(missing);
		return false;
	}
	if (!az_output_put(out, "matched", matched)) {
		json_decref(missing);
		return false;
	}
	return az_output_put(out, "missing_context", missing);
}

bool az_output_error(json_t *out, const struct diag *d, int first_line)
{
	return az_output_put(out, "error", error_object(d, first_line));
}

/*
 * Serialise into one buffer sized first: json_dumps() grows a buffer as it
 * goes and, out of memory, can return text with a piece missing.
 */
char *az_output_dump(const json_t *out)
{
	const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
	size_t n = json_dumpb(out, NULL, 0, flags);
	char *buf = n ? malloc(n + 1) : NULL;

	if (!buf || json_dumpb(out, buf, n, flags) != n) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/*
 * ---- The same answer written as text ----
 *
 * Why: building the answer as a jansson object and dumping it cost more
 * than reading, evaluating and everything else of a cached case (about 35
 * thousand instructions an answer, for 150 bytes).  What is written here
 * is what jansson writes with az_output_dump()'s flags: no white space,
 * members in the order set, strings escaped as jansson's dump_string()
 * does ('"', '\\' and the control characters; "\\u%04X" for those without
 * a short escape; '/' and non-ASCII bytes as they are), integers in
 * decimal.  tests/unit checks it against jansson.
 */

/* A growing text; @failed once out of memory, and then it stays so. */
struct obuf {
	char *p;
	size_t n, cap;
	bool failed;
};

static bool obuf_grow(struct obuf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->failed)
		return false;
	while (cap - b->n < more + 1)
		cap *= 2;
	if (cap == b->cap)
		return true;
	p = realloc(b->p, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static void obuf_put(struct obuf *b, const char *s, size_t len)
{
	if (!obuf_grow(b, len))
		return;
	memcpy(b->p + b->n, s, len);
	b->n += len;
}

/* @lit: a string literal (GH_LIT_LEN refuses a pointer). */
#define obuf_lit(b, lit) obuf_put((b), (lit), GH_LIT_LEN(lit))

/* @s as a JSON string, escaped as jansson escapes it. */
static void obuf_string(struct obuf *b, const char *s)
{
	size_t len = strlen(s);
	const char *run = s;

	/* At worst every byte becomes "\\u00XX" (six), and two quotes. */
	if (!obuf_grow(b, 6 * len + 2))
		return;
	b->p[b->n++] = '"';
	for (const char *c = s; c < s + len; c++) {
		unsigned char ch = (unsigned char)*c;
		const char *esc;

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		memcpy(b->p + b->n, run, (size_t)(c - run));
		b->n += (size_t)(c - run);
		run = c + 1;
		switch (ch) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default: b->n += (size_t)snprintf(b->p + b->n, 7, "\\u%04X", ch); continue;
		}
		memcpy(b->p + b->n, esc, 2);
		b->n += 2;
	}
	memcpy(b->p + b->n, run, (size_t)(s + len - run));
	b->n += (size_t)(s + len - run);
	b->p[b->n++] = '"';
}

/* @v in decimal, as "%lld" prints it (snprintf() cost more than the rest of an answer). */
static void obuf_int(struct obuf *b, long long v)
{
	char num[24], *e = num + sizeof(num), *d = e;
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

	do
		*--d = (char)('0' + u % 10);
	while ((u /= 10));
	if (v < 0)
		*--d = '-';
	obuf_put(b, d, (size_t)(e - d));
}

/* The case's "id": any JSON value, written by jansson but for the usual integer or string. */
static void obuf_id(struct obuf *b, const json_t *id)
{
	const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
	size_t n;

	if (!id) {
		obuf_lit(b, "null");
	} else if (json_is_integer(id)) {
		obuf_int(b, (long long)json_integer_value(id));
	} else if (json_is_string(id) &&
		   !memchr(json_string_value(id), 0, json_string_length(id))) {
		obuf_string(b, json_string_value(id));
	} else if ((n = json_dumpb(id, NULL, 0, flags)) && obuf_grow(b, n)) {
		if (json_dumpb(id, b->p + b->n, n, flags) == n)
			b->n += n;
		else
			b->failed = true;
	} else {
		b->failed = true;
	}
}

char *az_output_result_text(const json_t *id, const struct authz_result *r, bool slot_names)
{
	struct obuf b = { 0 };

	obuf_lit(&b, "{\"id\":");
	obuf_id(&b, id);
	obuf_lit(&b, ",\"decision\":");
	obuf_string(&b, authz_decision_name(r->decision));
	obuf_lit(&b, ",\"reason\":");
	obuf_string(&b, authz_reason_text(r->reason));
	obuf_lit(&b, ",\"matched\":[");
	for (size_t i = 0; i < r->nmatched; i++) {
		const struct authz_match *m = &r->matched[i];
		char buf[64];

		if (i)
			obuf_lit(&b, ",");
		obuf_lit(&b, "{\"policy\":");
		obuf_string(&b, policy_label(m, slot_names, buf, sizeof(buf)));
		obuf_lit(&b, ",\"sid\":");
		if (m->sid)
			obuf_string(&b, m->sid);
		else
			obuf_lit(&b, "null");
		obuf_lit(&b, ",\"index\":");
		obuf_int(&b, (int)m->index);
		obuf_lit(&b, ",\"effect\":");
		obuf_string(&b, authz_effect_name(m->effect));
		obuf_lit(&b, "}");
	}
	obuf_lit(&b, "],\"missing_context\":[");
	for (size_t i = 0; i < r->nmissing; i++) {
		if (i)
			obuf_lit(&b, ",");
		obuf_string(&b, r->missing[i]);
	}
	obuf_lit(&b, "]}");
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	b.p[b.n] = '\0';
	return b.p;
}
