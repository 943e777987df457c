/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The request context of one evaluation (context.c): the request's parsed
 * facts, the keys found missing, and a run-time error flag.  Lives on the
 * stack of authz_evaluate(); nothing is allocated.
 */
#ifndef GH_AUTHZ_CONTEXT_H
#define GH_AUTHZ_CONTEXT_H

#include <gatehouse/authz.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz/limits.h"
#include "authz/pattern.h"

enum principal_type {
	PTYPE_OTHER,	 /* a service, federated provider or unknown form */
	PTYPE_ROOT,	 /* arn:aws:iam::<acct>:root */
	PTYPE_USER,	 /* arn:aws:iam::<acct>:user/... */
	PTYPE_ROLE,	 /* arn:aws:iam::<acct>:role/... */
	PTYPE_SESSION,	 /* arn:aws:sts::<acct>:assumed-role/<role>/<session> */
	PTYPE_FEDERATED, /* arn:aws:sts::<acct>:federated-user/<name> */
};

/**
 * struct eval_ctx - one evaluation
 * @req: the request
 * @action: the action, lower-cased
 * @actionlen: bytes in @action
 * @svclen: bytes of the service prefix in @action (before ':')
 * @svchash: hash of the service prefix
 * @resourcelen: bytes in the resource
 * @ptype: what kind of principal asks
 * @paccount: the principal's account (into @req->principal), @paccountlen bytes
 * @prole: for a role session, the role's name, @prolelen bytes
 * @missing: keys reported missing (borrowed from policies)
 * @nmissing: entries in @missing
 * @has_boundary: the principal has a permission boundary
 * @error: a run-time problem happened (a value too long to substitute):
 *	the request is never allowed
 */
struct eval_ctx {
	const struct authz_request *req;
	char action[AUTHZ_REQ_ACTION_MAX + 1];
	size_t actionlen;
	size_t svclen;
	uint32_t svchash;
	size_t resourcelen;
	enum principal_type ptype;
	const char *paccount;
	size_t paccountlen;
	const char *prole;
	size_t prolelen;
	const char *missing[AUTHZ_RESULT_MISSING_MAX];
	size_t nmissing;
	bool has_boundary;
	bool error;
};

/* The request's entry for a key, or NULL. */
const struct authz_ctx_entry *az_ctx_lookup(const struct eval_ctx *ec, const char *key,
					    size_t keylen, uint32_t hash);

/*
 * A variable's value: the key's only value when it is present and
 * single-valued (a multi-valued key cannot be a policy variable), else
 * NULL.
 */
const struct authz_value *az_ctx_variable(const struct eval_ctx *ec, const struct tmpl_seg *seg);

/* Note that @key (NUL-terminated, borrowed) was needed and absent. */
void az_ctx_missing(struct eval_ctx *ec, const char *key);

/* Start the context of @req, which passed authz_request_check(). */
void az_ctx_init(struct eval_ctx *ec, const struct authz_request *req);

#endif
