/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Condition operators (cond.c), above the request context, beneath evaluation. */
#ifndef GH_AUTHZ_COND_H
#define GH_AUTHZ_COND_H

#include <stdbool.h>

#include "authz/context.h"
#include "authz/policy.h"

/* Does condition @c hold for the request? (cond.c) */
bool az_cond_holds(const struct cond *c, struct eval_ctx *ec);

#endif
