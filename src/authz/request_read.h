/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a request from JSON (request_read.c): the one reader of the
 * fields every request has, shared by `simulate` cases, `eval --batch`
 * lines and authz_request_read(); above the request check (request.c),
 * beneath simulate.c and batch.c.
 */
#ifndef GH_AUTHZ_REQUEST_READ_H
#define GH_AUTHZ_REQUEST_READ_H

#include <gatehouse/authz.h>
#include <jansson.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/json.h"

/*
 * The fields every request read from JSON has, for a gh_json_walk() whose
 * @out is the struct authz_request they go to; "id" and "context" are the
 * caller's (simulate requires an id, a context goes to an arena).
 */
/* An initializer in a macro, kept as written: */
/* clang-format off */
#define AZ_REQUEST_FIELD(key, kind, required, member) \
	{ key, kind, required, offsetof(struct authz_request, member), NULL }
#define AZ_REQUEST_FIELDS                                             \
	AZ_REQUEST_FIELD("principal", GH_J_TEXT, true, principal),    \
	AZ_REQUEST_FIELD("action", GH_J_TEXT, true, action),          \
	AZ_REQUEST_FIELD("resource", GH_J_TEXT, true, resource),      \
	AZ_REQUEST_FIELD("resource_account", GH_J_STRING, false, resource_account)
/* A member read by someone else: only known, so that it is not an unknown key. */
#define AZ_FIELD_KEEP(key) { key, GH_J_ANY, false, GH_JFIELD_KEEP, NULL }
/* clang-format on */

/*
 * The request's "context" object @ctx (at key "context" of the root) into
 * entries allocated in @arena: each key a string, number or boolean, or an
 * array of them (multi-valued), within AUTHZ_REQ_KEYS_MAX keys and
 * AUTHZ_REQ_KEY_VALUES_MAX values a key.  Strings are borrowed from @ctx.
 * @ctx NULL (no "context"): no entries.  Returns 0, -EINVAL (reported) or
 * -ENOMEM.
 */
int az_request_read_context(json_t *ctx, struct arena *arena, struct authz_ctx_entry **ret,
			    size_t *ret_n, const struct gh_jsrc *src, struct diag_list *diags);

#endif
