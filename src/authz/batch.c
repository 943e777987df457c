/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `gatehouse eval --batch`: one request by a principal of a store per
 * line, answered in the shape of `gatehouse simulate`.  A bad line gets an
 * error answer; nothing of one line outlives it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "authz/limits.h"
#include "authz/load.h"
#include "authz/output.h"
#include "authz/request_read.h"
#include "authz/store.h"
#include "authz/value.h"
#include "common/arena.h"
#include "common/macro.h"
#include "common/str.h"

/**
 * struct batch - one line being answered
 */
struct batch {
	const struct authz_store *store;
	struct gh_jsrc src;
	json_t *root;
	struct diag_list diags;
	struct arena arena;
	struct authz_ctx_entry *ctx;
	size_t nctx;
	struct authz_policy *session[AUTHZ_BATCH_SESSION_POLICIES_MAX];
	size_t nsession;
	const char *principal, *now, *assume_role, *session_name;
	struct authz_query q;
};

#define berr(b, p, ...) gh_jdiag(&(b)->diags, DIAG_ERROR, &(b)->src, (p), __VA_ARGS__)

/* An initializer in a macro, kept as written: */
/* clang-format off */
#define LINE_FIELD(key, required, member)                                                         \
	{ key, GH_J_TEXT, required, offsetof(struct batch, member), NULL }
/* clang-format on */

/* A line: its fields, checked in this order (before errors are counted: none goes unseen). */
static const struct gh_jfield line_fields[] = {
	{ "id", GH_J_ANY, true, GH_JFIELD_KEEP, NULL },
	LINE_FIELD("principal", true, principal),
	LINE_FIELD("action", true, q.action),
	LINE_FIELD("resource", true, q.resource),
	LINE_FIELD("resource_account", false, q.resource_account),
	LINE_FIELD("now", false, now),
	LINE_FIELD("assume_role", false, assume_role),
	LINE_FIELD("session_name", false, session_name),
	AZ_FIELD_KEEP("context"),
	AZ_FIELD_KEEP("session_policies"),
};

static const struct gh_jschema line_schema = {
	"a request",
	"a request",
	line_fields,
	ARRAY_SIZE(line_fields),
};

static void read_session_policies(struct batch *b)
{
	json_t *arr = json_object_get(b->root, "session_policies"), *doc;
	struct gh_jpath p = { 0 };
	size_t i;

	if (!arr)
		return;
	gh_jpath_key(&p, "session_policies");
	if (!json_is_array(arr) || json_array_size(arr) > AUTHZ_BATCH_SESSION_POLICIES_MAX) {
		berr(b, &p, "session_policies must be an array of at most %d policy documents",
		     AUTHZ_BATCH_SESSION_POLICIES_MAX);
		return;
	}
	json_array_foreach(arr, i, doc) {
		char name[48];

		gh_jpath_index(&p, i);
		snprintf(name, sizeof(name), "session_policies[%zu]", i);
		b->session[b->nsession] =
		    az_policy_compile(doc, &b->src, &p, AUTHZ_POLICY_IDENTITY, name, &b->diags);
		if (b->session[b->nsession])
			b->nsession++;
		gh_jpath_pop(&p);
	}
}

static void read_line(struct batch *b)
{
	const char *principal = NULL, *now = NULL;
	struct gh_jpath p = { 0 };

	if (gh_json_walk(b->root, &line_schema, b, &b->src, &b->diags) < 0)
		return;
	principal = b->principal;
	now = b->now;
	if (!json_object_get(b->root, "assume_role") != !json_object_get(b->root, "session_name"))
		berr(b, &p, "\"assume_role\" and \"session_name\" go together");
	if (principal && !(b->q.principal = authz_store_find(b->store, principal))) {
		gh_jpath_key(&p, "principal");
		berr(b, &p, "no user or role %s in the store", principal);
		gh_jpath_pop(&p);
	}
	if (now && !az_value_parse_date(now, strlen(now), &b->q.now_ms)) {
		gh_jpath_key(&p, "now");
		berr(b, &p, "now must be a date (ISO 8601 or epoch seconds)");
		gh_jpath_pop(&p);
	}
	if (az_request_read_context(json_object_get(b->root, "context"), &b->arena, &b->ctx,
				    &b->nctx, &b->src, &b->diags) == -ENOMEM)
		diag_add(&b->diags, DIAG_ERROR, b->src.name, "", 0, 0, "out of memory");
	read_session_policies(b);
}

static bool answer(struct batch *b, json_t *out, int first_line)
{
	const char *role = b->assume_role, *name = b->session_name;
	struct authz_session *sess = NULL;
	struct authz_result r;
	struct diag d;
	bool ok;

	if (b->diags.errors)
		return az_output_errors(out, &b->diags, first_line);
	b->q.context = b->ctx;
	b->q.ncontext = b->nctx;
	if (role) {
		json_t *assume = json_object();

		if (authz_store_assume_role(b->store, b->q.principal, role, name, b->session,
					    b->nsession, b->ctx, b->nctx, b->q.now_ms, &r, &sess,
					    &d) < 0) {
			json_decref(assume);
			return az_output_error(out, &d, first_line);
		}
		ok = assume && az_output_result(assume, &r, false) &&
		     az_output_put(out, "assume_role", assume);
		if (!ok || !sess) {
			/* AssumeRole denied: that is the answer. */
			return ok && az_output_result(out, &r, false);
		}
		b->q.session = sess;
		ok = az_output_put(out, "session", json_string(authz_session_arn(sess)));
		if (!ok) {
			authz_session_free(sess);
			return false;
		}
	}
	if (authz_store_evaluate(b->store, &b->q, &r, &d) < 0)
		ok = az_output_error(out, &d, first_line);
	else
		ok = az_output_result(out, &r, false);
	authz_session_free(sess);
	return ok;
}

char *authz_store_batch(const struct authz_store *s, const char *text, size_t len,
			const char *source, int first_line, int64_t now_ms)
{
	struct batch *b = calloc(1, sizeof(*b));
	json_t *out = json_object(), *id;
	char *ret = NULL;

	if (!b || !out)
		goto done;
	b->store = s;
	b->src = (struct gh_jsrc){ .name = source, .text = text, .len = len };
	b->q.now_ms = now_ms;
	diag_list_init(&b->diags);
	b->root = gh_json_parse(&b->src, &b->diags);
	id = json_is_object(b->root) ? json_object_get(b->root, "id") : NULL;
	if (json_object_set(out, "id", id ? id : json_null()) < 0)
		goto done;
	if (b->root)
		read_line(b);
	if (answer(b, out, first_line))
		ret = az_output_dump(out);
done:
	if (b) {
		for (size_t i = 0; i < b->nsession; i++)
			authz_policy_unref(b->session[i]);
		gh_arena_clear(&b->arena);
		diag_list_clear(&b->diags);
		json_decref(b->root);
	}
	free(b);
	json_decref(out);
	return ret;
}
