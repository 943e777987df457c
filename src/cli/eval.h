/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gatehouse eval: shared between policy-file mode and identity-store mode. */
#ifndef GH_CLI_EVAL_H
#define GH_CLI_EVAL_H

#include <gatehouse/authz.h>
#include <stdbool.h>

/* Policies and context values on one command line. */
#define EVAL_POLICIES_MAX 64
#define EVAL_CONTEXT_MAX 64

struct eval_args {
	struct authz_policy *identity[EVAL_POLICIES_MAX];
	size_t nidentity;
	struct authz_policy *session[EVAL_POLICIES_MAX];
	size_t nsession;
	struct authz_policy *boundary, *resource;
	struct authz_request req;
	/* --context k=v: keys given twice become multi-valued */
	struct authz_ctx_entry ctx[EVAL_CONTEXT_MAX];
	struct authz_value vals[EVAL_CONTEXT_MAX][EVAL_CONTEXT_MAX];
	bool explain;
	struct diag_list diags;
	/* identity-store mode (--policies DIR) */
	const char *store_dir;
	char dir_buf[4096]; /* store_dir without trailing slashes, when it had some */
	bool batch;
	const char *now;
	const char *assume_role;
	const char *session_name;
};

/* Print a decision, and with --explain its statements and missing keys. */
void eval_print_result(const struct eval_args *a, const struct authz_result *r);
/*
 * A refused request, its JSON path named as the flag that set it
 * ("[at assume_role]" is --assume-role, "context.aws:SourceIp" is
 * --context aws:SourceIp).
 */
void eval_print_refusal(const struct diag *d);
/*
 * Warn, as check does for policies, of a request that is valid but likely
 * wrong: a resource that is not an ARN, a --context key under aws: that
 * AWS does not define (a typo such as aws:SoruceIp).
 */
void eval_warn_request(const struct eval_args *a);
/* --policies DIR: load the store, answer one request or --batch. */
int eval_store(struct eval_args *a);

#endif
