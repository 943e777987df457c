/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the subcommands. */
#ifndef GH_CLI_UTIL_H
#define GH_CLI_UTIL_H

#include <gatehouse/authz.h>
#include <stdbool.h>

/* --kind values; AUTO picks resource-based when a statement names a Principal. */
#define CLI_KIND_AUTO _AUTHZ_POLICY_KIND_MAX

/* Parse "identity", "resource", "trust", "auto"; false when unknown. */
bool cli_parse_kind(const char *s, enum authz_policy_kind *ret);

/*
 * Read and compile the policy file @path.  @kind may be CLI_KIND_AUTO.
 * The policy is named @name (NULL: the path).  Diagnostics go to @diags.
 */
struct authz_policy *cli_policy_load_file(const char *path, enum authz_policy_kind kind,
					  const char *name, struct diag_list *diags);

#endif
