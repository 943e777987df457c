/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The compiled form of a policy: what load.c builds and eval.c reads.  All
 * of it lives in the policy's arena and never changes after loading.
 */
#ifndef GH_AUTHZ_POLICY_H
#define GH_AUTHZ_POLICY_H

#include <gatehouse/authz.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "authz/pattern.h"
#include "common/arena.h"
#include "common/cidr.h"

/* Base condition operators; "Not" forms are a flag on the base. */
enum cond_op {
	COND_STRING_EQUALS,
	COND_STRING_EQUALS_IC,
	COND_STRING_LIKE,
	COND_NUMERIC_EQ,
	COND_NUMERIC_LT,
	COND_NUMERIC_LE,
	COND_NUMERIC_GT,
	COND_NUMERIC_GE,
	COND_DATE_EQ,
	COND_DATE_LT,
	COND_DATE_LE,
	COND_DATE_GT,
	COND_DATE_GE,
	COND_BOOL,
	COND_BINARY_EQUALS,
	COND_IP_ADDRESS,
	COND_ARN_EQUALS,
	COND_ARN_LIKE,
	COND_NULL,
	_COND_OP_MAX,
};

enum cond_set {
	COND_SET_NONE,
	COND_SET_ANY, /* ForAnyValue: */
	COND_SET_ALL, /* ForAllValues: */
};

/* An ARN split at its first five colons; each part a glob. */
#define ARN_PARTS 6

/**
 * struct cond_value - one value listed for a condition key
 * @text: the value as written (raw; what equality operators compare)
 * @len: bytes in @text
 * @t: the value with policy variables, or NULL (then the typed value is set)
 * @g: String/ArnLike: the value as a glob (Arn: whole-string when not an ARN)
 * @arn: Arn operators: the parts of an ARN value
 * @arn_ok: the value has all six ARN parts
 * @num: Numeric operators
 * @ms: Date operators: milliseconds since the epoch
 * @b: Bool, Null
 * @cidr: IpAddress
 */
struct cond_value {
	const char *text;
	uint32_t len;
	const struct tmpl *t;
	struct glob g;
	struct glob arn[ARN_PARTS];
	bool arn_ok;
	double num;
	int64_t ms;
	bool b;
	struct gh_cidr cidr;
};

/**
 * struct cond - one key under one operator
 * @op: base operator
 * @negated: a "Not" operator (StringNotEquals, NotIpAddress, ...)
 * @if_exists: "...IfExists": holds when the key is absent
 * @set: ForAnyValue / ForAllValues qualifier
 * @key: the key as written in the policy (reported when missing)
 * @keylen: bytes in @key
 * @hash: case-insensitive hash of @key
 * @values: values, ORed
 * @nvalues: their number
 * @multi_key: @key is one AWS documents as multivalued (aws:TagKeys, ...)
 */
struct cond {
	uint8_t op;
	bool negated;
	bool if_exists;
	uint8_t set;
	bool multi_key;
	const char *key;
	uint32_t keylen;
	uint32_t hash;
	struct cond_value *values;
	uint32_t nvalues;
};

/**
 * struct resource_pat - one Resource / NotResource entry
 * @g: the pattern as a glob (when @t is NULL)
 * @t: the pattern with policy variables (glob form), or NULL
 */
struct resource_pat {
	struct glob g;
	const struct tmpl *t;
};

enum principal_kind {
	PRINCIPAL_ANY,	     /* "*" or {"AWS": "*"} */
	PRINCIPAL_ACCOUNT,   /* an account id or arn:aws:iam::<id>:root */
	PRINCIPAL_ARN,	     /* a user, role, session or other IAM ARN */
	PRINCIPAL_SERVICE,   /* {"Service": "ec2.amazonaws.com"} */
	PRINCIPAL_FEDERATED, /* {"Federated": ...} */
	PRINCIPAL_CANONICAL, /* {"CanonicalUser": ...} */
	_PRINCIPAL_KIND_MAX,
};

/**
 * struct principal_pat - one principal named in a statement
 * @kind: what it names
 * @text: the value (ARN, service name, ...); ACCOUNT: the 12-digit id
 * @len: bytes in @text
 */
struct principal_pat {
	uint8_t kind;
	const char *text;
	uint32_t len;
};

/**
 * struct stmt - one compiled statement
 * @sid: the Sid or NULL
 * @sid_hash: gh_hash_str() of @sid (finding a Sid used twice compares these first)
 * @index: position in the policy's Statement array
 * @effect: Allow or Deny
 * @not_action, @not_resource, @not_principal: the Not forms
 * @has_resource: Resource/NotResource present (trust policies may omit it)
 * @has_principal: Principal/NotPrincipal present
 * @actions: lower-cased action patterns
 * @resources, @principals, @conds: the other elements
 */
struct stmt {
	const char *sid;
	uint32_t index;
	uint32_t sid_hash;
	uint8_t effect;
	bool not_action, not_resource, not_principal;
	bool has_resource, has_principal;
	struct glob *actions;
	uint32_t nactions;
	struct resource_pat *resources;
	uint32_t nresources;
	struct principal_pat *principals;
	uint32_t nprincipals;
	struct cond *conds;
	uint32_t nconds;
};

/**
 * struct action_bucket - statements naming one service in their actions
 * @svc: service prefix, lower case ("s3"); NULL for an empty slot
 * @svclen: bytes in @svc
 * @hash: hash of @svc
 * @stmts: statement indexes, ascending
 * @n: their number
 */
struct action_bucket {
	const char *svc;
	uint32_t svclen;
	uint32_t hash;
	uint32_t *stmts;
	uint32_t n;
};

/**
 * struct action_index - which statements can match a request's action
 * @buckets: open-addressing table by service, @mask + 1 slots
 * @mask: table size - 1 (a power of two)
 * @generic: statements that must always be checked (NotAction, wildcard
 *	service such as "*" or "s3*:Get*"), ascending
 * @ngeneric: their number
 */
struct action_index {
	struct action_bucket *buckets;
	uint32_t mask;
	uint32_t *generic;
	uint32_t ngeneric;
};

/**
 * struct authz_policy - a compiled policy document
 * @refs: reference count
 * @arena: owns everything below
 * @name: name in results
 * @kind: identity, resource or trust
 * @variables: Version 2012-10-17 (variables substituted)
 * @stmts: statements in document order
 * @nstmts: their number
 * @index: statements by action service
 */
struct authz_policy {
	atomic_uint refs;
	struct arena arena;
	const char *name;
	enum authz_policy_kind kind;
	bool variables;
	struct stmt *stmts;
	uint32_t nstmts;
	struct action_index index;
};

/* Build @p's action index (load.c, after the statements). Returns 0/-ENOMEM. */
int az_action_index_build(struct authz_policy *p);

#endif
