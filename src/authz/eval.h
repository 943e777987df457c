/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Evaluation (eval.c): the IAM logic over the request context and conditions. */
#ifndef GH_AUTHZ_EVAL_H
#define GH_AUTHZ_EVAL_H

#include <gatehouse/authz.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz/policy.h"

/*
 * Evaluate @req, which passed authz_request_check(), into *@r: for a caller
 * that must check the request before it uses it itself (the store matches
 * the resource against its resource policies first).
 */
void az_eval_request(const struct authz_policy_set *set, const struct authz_request *req,
		     struct authz_result *r);

#endif
