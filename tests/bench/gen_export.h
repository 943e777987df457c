/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A seeded generator of a whole organisation in the format of
 * `aws iam get-account-authorization-details` (README.md, "The identity
 * store"): users, groups, roles and customer-managed policies with their
 * versions, as the AWS CLI prints it (documents as JSON objects, indent 4)
 * or as the raw API returns it (documents as URL-encoded JSON strings).
 *
 * The policy documents come from gen.c's generator.  The "core" users
 * (alice, bob, carol, dave, erin, frank: gen.c's request principals) each
 * get exactly the ten documents of a caller-supplied set (bench_authz's
 * "typical" profile): four attached to the user, two to each of its three
 * groups, no inline policy and no boundary, so the benchmark evaluates
 * gen.c's requests by those users with the same policies bench_authz uses.
 */
#ifndef GH_BENCH_GEN_EXPORT_H
#define GH_BENCH_GEN_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gen.h"

/* The core users' policy layout. */
#define GEN_ORG_CORE_POLICIES 10
#define GEN_ORG_CORE_DIRECT 4
#define GEN_ORG_CORE_GROUPS 3
/* Permission-boundary policies among the customer-managed ones. */
#define GEN_ORG_BOUNDARIES 5

/**
 * struct gen_org_shape - how big an organisation
 * @name: "full", "tiny"
 * @users, @groups, @roles: entities (users include the core users)
 * @policies: customer-managed policies (the core set and the boundaries
 *	included)
 * @stmts: statements per generated policy (the core set has its own)
 */
struct gen_org_shape {
	const char *name;
	unsigned users, groups, roles, policies, stmts;
};

extern const struct gen_org_shape gen_org_full, gen_org_tiny;

/* The core users (the principals of gen.c's requests) and their team tags. */
extern const char *const gen_org_core_users[];
extern const char *const gen_org_core_teams[];
extern const size_t gen_org_ncore_users;
/* The core users' groups. */
extern const char *const gen_org_core_groups[GEN_ORG_CORE_GROUPS];

/**
 * struct gen_org_info - what was written
 * @users, @groups, @roles: entities
 * @policies: customer-managed policies
 * @aws_policies: AWS-managed policies (attached, so in the export)
 * @versions: policy versions in all
 * @statements: statements of the default versions
 * @inline_policies: inline policies of users, groups and roles
 * @user_boundaries, @role_boundaries: entities with a permission boundary
 * @bytes: size of the file
 */
struct gen_org_info {
	unsigned users, groups, roles, policies, aws_policies, versions, statements;
	unsigned inline_policies, user_boundaries, role_boundaries;
	size_t bytes;
};

/*
 * Write the organisation of @shape and @seed to @f, the core users' ten
 * policies being @core's documents (at least GEN_ORG_CORE_POLICIES).  The
 * same arguments give a byte-identical file.  @urlencode: documents as
 * URL-encoded strings (the raw API form).  Returns 0, -EINVAL for a shape
 * too small for the core, -ENOMEM or -EIO.
 */
int gen_org_write(FILE *f, const struct gen_org_shape *shape, uint64_t seed,
		  const struct gen_set *core, bool urlencode, struct gen_org_info *info);

#endif
