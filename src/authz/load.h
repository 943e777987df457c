/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Compiling policy documents already read into jansson values (simulate, stores). */
#ifndef GH_AUTHZ_LOAD_H
#define GH_AUTHZ_LOAD_H

#include <gatehouse/authz.h>
#include <jansson.h>

#include "common/json.h"

/*
 * Compile @doc (borrowed), a value inside the text of @src at path @base
 * (NULL: the root), so that diagnostics carry the full path and the line
 * and column in @src's text.  Same result as authz_policy_load().
 */
struct authz_policy *az_policy_compile(json_t *doc, const struct gh_jsrc *src,
				       const struct gh_jpath *base, enum authz_policy_kind kind,
				       const char *name, struct diag_list *diags);

/*
 * How to read @doc when the caller does not say: a document whose statements
 * name a Principal is resource-based, or a role trust policy when they are
 * about sts:AssumeRole*; otherwise identity-based.
 */
enum authz_policy_kind az_policy_guess_kind(json_t *doc);

#endif
