/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a request from JSON: its context object (shared by simulate.c
 * and batch.c), and authz_request_read(), the same reader for a program
 * that gets a request as JSON text (the daemon).
 */
#include "authz/request_read.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "authz/limits.h"
#include "common/macro.h"

int az_request_read_context(json_t *ctx, struct arena *arena, struct authz_ctx_entry **ret,
			    size_t *ret_n, const struct gh_jsrc *src, struct diag_list *diags)
{
	struct authz_ctx_entry *entries;
	struct gh_jpath p = { 0 };
	const char *key;
	size_t n = 0;
	json_t *v;

	*ret = NULL;
	*ret_n = 0;
	if (!ctx)
		return 0;
	gh_jpath_key(&p, "context");
	if (!json_is_object(ctx) || json_object_size(ctx) > AUTHZ_REQ_KEYS_MAX) {
		gh_jdiag(diags, DIAG_ERROR, src, &p, "context must be an object of at most %d keys",
			 AUTHZ_REQ_KEYS_MAX);
		return -EINVAL;
	}
	entries = gh_arena_array(arena, json_object_size(ctx) + 1, sizeof(*entries));
	if (!entries)
		return -ENOMEM;
	json_object_foreach(ctx, key, v) {
		size_t nv = json_is_array(v) ? json_array_size(v) : 1;
		struct authz_value *vals = gh_arena_array(arena, nv + 1, sizeof(*vals));
		bool ok = vals && nv <= AUTHZ_REQ_KEY_VALUES_MAX;

		for (size_t i = 0; ok && i < nv; i++) {
			char num[GH_JSON_SCALAR_MAX];
			const char *t =
			    gh_json_scalar_text(json_is_array(v) ? json_array_get(v, i) : v, num,
						&vals[i].len);

			/* Strings stay in the request's tree; printed numbers need a home. */
			vals[i].s = t == num ? gh_arena_strndup(arena, num, vals[i].len) : t;
			ok = vals[i].s != NULL;
		}
		if (!ok) {
			gh_jpath_key(&p, key);
			gh_jdiag(diags, DIAG_ERROR, src, &p,
				 "context value of %s must be a string, "
				 "number, boolean or an array of them",
				 key);
			return -EINVAL;
		}
		authz_ctx_entry_init(&entries[n++], key, strlen(key), vals, nv, json_is_array(v));
	}
	*ret = entries;
	*ret_n = n;
	return 0;
}

/**
 * struct authz_request_doc - a request read from JSON
 * @root: the parsed text (the request's strings point into it)
 * @arena: the context entries and printed numbers
 * @req: the request
 * @src: the text, while reading
 * @diags: where problems go, while reading
 */
struct authz_request_doc {
	json_t *root;
	struct arena arena;
	struct authz_request req;
	struct gh_jsrc src;
	struct diag_list *diags;
};

static int read_context(void *out, json_t *v, struct gh_jpath *p)
{
	struct authz_request_doc *d = container_of(out, struct authz_request_doc, req);
	struct authz_ctx_entry *entries = NULL;
	int r =
	    az_request_read_context(v, &d->arena, &entries, &d->req.ncontext, &d->src, d->diags);

	d->req.context = entries;
	return r == -ENOMEM ? r : 0;
}

/* The fields of authz_request_read(), as simulate reads them, into the doc's req. */
static const struct gh_jfield request_fields[] = {
	AZ_FIELD_KEEP("id"),
	AZ_REQUEST_FIELDS,
	{ "context", GH_J_ANY, false, GH_JFIELD_KEEP, read_context },
};

static const struct gh_jschema request_schema = {
	"a request",
	"a request",
	request_fields,
	ARRAY_SIZE(request_fields),
};

struct authz_request_doc *authz_request_read(const char *text, size_t len, const char *source,
					     struct diag_list *diags)
{
	struct authz_request_doc *d = calloc(1, sizeof(*d));
	size_t errors = diags->errors;

	if (!d) {
		diag_add(diags, DIAG_ERROR, source, "", 0, 0, "out of memory");
		return NULL;
	}
	d->src = (struct gh_jsrc){ .name = source, .text = text, .len = len };
	d->diags = diags;
	d->root = gh_json_parse(&d->src, diags);
	if (d->root && gh_json_walk(d->root, &request_schema, &d->req, &d->src, diags) == -ENOMEM)
		diag_add(diags, DIAG_ERROR, source, "", 0, 0, "out of memory");
	d->diags = NULL;
	d->src.text = NULL; /* the caller's, and only needed to locate errors */
	if (!d->root || diags->errors > errors)
		return authz_request_doc_free(d);
	return d;
}

const struct authz_request *authz_request_doc_request(const struct authz_request_doc *d)
{
	return &d->req;
}

struct authz_request_doc *authz_request_doc_free(struct authz_request_doc *d)
{
	if (d) {
		gh_arena_clear(&d->arena);
		json_decref(d->root);
		free(d);
	}
	return NULL;
}
