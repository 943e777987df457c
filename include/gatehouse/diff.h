/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `gatehouse diff OLD NEW`: concrete requests whose decision differs
 * between two identity stores (or two identity-policy files).
 *
 * The candidates are built from what either version mentions: its
 * principals (users, roles, role sessions of every user in every role,
 * and principals of other accounts that a trust policy names), its actions
 * (and a fresh action matching each wildcard), its resource patterns (each
 * wildcard filled with a value that matches), and for every condition key
 * values on each side of every boundary (numbers +-1, dates +-1 s, CIDR
 * edges, strings equal/unequal, booleans, absent).  For each principal,
 * action and resource, the context keys that matter are those the
 * matching statements ask for (the engine's missing_context) plus the
 * IfExists/Null keys; their values are enumerated, or sampled (seeded)
 * when there are too many.  Every change is re-evaluated on both sides
 * before it is reported.
 */
#ifndef GATEHOUSE_DIFF_H
#define GATEHOUSE_DIFF_H

#include <gatehouse/authz.h>
#include <gatehouse/diag.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/**
 * struct authz_diff_opts - what to explore
 * @principals: only these principals (names or ARNs); none: all
 * @nprincipals: entries in @principals
 * @seconds: time budget from the start (loading included); the search
 *	stops (not exhaustive) past it
 * @seed: seed of the sampling (same seed, same requests)
 * @all: also report requests that stay denied but change between
 *	explicit and implicit deny
 * @now_ms: the requests' time
 */
struct authz_diff_opts {
	const char *const *principals;
	size_t nprincipals;
	double seconds;
	uint64_t seed;
	bool all;
	int64_t now_ms;
};

/**
 * struct authz_diff_summary - what was explored and found
 * @principals, @actions, @resources, @values: candidates (values: of all
 *	condition keys together)
 * @requests: requests evaluated (on both sides)
 * @exhaustive: every candidate combination was evaluated (nothing
 *	sampled, the time budget not reached)
 * @granted, @revoked, @reclassified: changes reported
 * @seconds: time the whole run took (loading both versions included)
 * @first_granted_s: when the first granted witness was found, in seconds
 *	from the start (loading included); negative when none was
 */
struct authz_diff_summary {
	size_t principals, actions, resources, values, requests;
	bool exhaustive;
	size_t granted, revoked, reclassified;
	double seconds, first_granted_s;
};

/*
 * Compare @old_path and @new_path (each a store directory or an identity
 * policy file).  @report is called with each change, a JSON object in the
 * shape of `gatehouse diff --json` (README.md), borrowed for the call;
 * granted changes come before revoked ones.  Returns 0, -EINVAL when an
 * input does not load (its problems in @diags), -ENOMEM.
 */
int authz_diff(const char *old_path, const char *new_path, const struct authz_diff_opts *opts,
	       void (*report)(json_t *change, void *data), void *data,
	       struct authz_diff_summary *ret, struct diag_list *diags);

#endif
