/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The request context of one evaluation: the request's parsed facts, its
 * context keys looked up by name, policy variables' values, and the keys
 * found missing.  Beneath matching (pattern.c), conditions (cond.c) and
 * evaluation (eval.c), which all read the request through it.
 */
#include <string.h>

#include "authz/context.h"
#include "authz/value.h"
#include "common/str.h"

const struct authz_ctx_entry *az_ctx_lookup(const struct eval_ctx *ec, const char *key,
					    size_t keylen, uint32_t hash)
{
	for (size_t i = 0; i < ec->req->ncontext; i++) {
		const struct authz_ctx_entry *e = &ec->req->context[i];

		if (e->hash == hash && gh_eq_nocase(e->key, e->keylen, key, keylen))
			return e;
	}
	return NULL;
}

const struct authz_value *az_ctx_variable(const struct eval_ctx *ec, const struct tmpl_seg *seg)
{
	const struct authz_ctx_entry *e = az_ctx_lookup(ec, seg->text, seg->len, seg->hash);

	if (!e || e->multi || e->nvalues != 1)
		return NULL;
	return &e->values[0];
}

void az_ctx_missing(struct eval_ctx *ec, const char *key)
{
	size_t len = strlen(key);

	for (size_t i = 0; i < ec->nmissing; i++)
		if (gh_eq_nocase(ec->missing[i], strlen(ec->missing[i]), key, len))
			return;
	if (ec->nmissing < AUTHZ_RESULT_MISSING_MAX)
		ec->missing[ec->nmissing++] = key;
}

/*
 * Split the principal ARN into what evaluation needs: its account, its
 * type, and for a role session the role's name.
 */
static void parse_principal(struct eval_ctx *ec, const char *p)
{
	uint32_t st[6], ln[6];
	const char *res;
	size_t plen = strlen(p);

	ec->ptype = PTYPE_OTHER;
	if (!az_value_split_arn(p, plen, st, ln))
		return;
	ec->paccount = p + st[4];
	ec->paccountlen = ln[4];
	res = p + st[5];
	if (gh_eq_lit_case(p + st[2], ln[2], "iam")) {
		if (!strcmp(res, "root"))
			ec->ptype = PTYPE_ROOT;
		else if (gh_starts_with(res, "user/"))
			ec->ptype = PTYPE_USER;
		else if (gh_starts_with(res, "role/"))
			ec->ptype = PTYPE_ROLE;
	} else if (gh_eq_lit_case(p + st[2], ln[2], "sts")) {
		if (gh_starts_with(res, "assumed-role/")) {
			const char *role = res + GH_LIT_LEN("assumed-role/"),
				   *slash = strchr(role, '/');

			ec->ptype = PTYPE_SESSION;
			ec->prole = role;
			ec->prolelen = slash ? (size_t)(slash - role) : strlen(role);
		} else if (gh_starts_with(res, "federated-user/")) {
			ec->ptype = PTYPE_FEDERATED;
		}
	}
}

/* @req passed authz_request_check(): present, within the caps, an action with a service. */
void az_ctx_init(struct eval_ctx *ec, const struct authz_request *req)
{
	size_t len = strlen(req->action);
	const char *colon = memchr(req->action, ':', len);

	memset(ec, 0, offsetof(struct eval_ctx, missing));
	ec->nmissing = 0;
	ec->has_boundary = false;
	ec->error = false;
	ec->req = req;
	gh_lower(ec->action, req->action, len);
	ec->action[len] = '\0';
	ec->actionlen = len;
	ec->svclen = (size_t)(colon - req->action);
	ec->svchash = gh_hash_nocase(ec->action, ec->svclen);
	ec->resourcelen = strlen(req->resource);
	parse_principal(ec, req->principal);
}
