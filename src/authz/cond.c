/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Condition operators.  The request's values are parsed once per condition
 * into a struct reqval, then compared with each listed value; a request
 * value that does not parse as the operator's type matches nothing.
 */
#include <errno.h>
#include <string.h>

#include "authz/cond.h"
#include "authz/value.h"
#include "common/str.h"

/**
 * struct reqval - one request value, parsed for the operator
 */
struct reqval {
	const char *s;
	size_t len;
	bool ok; /* parsed as the operator's type */
	double num;
	int64_t ms;
	bool b;
	struct gh_cidr addr;
	uint32_t arn_start[ARN_PARTS], arn_len[ARN_PARTS];
	bool arn_ok;
};

static void reqval_parse(const struct cond *c, const struct authz_value *v, struct reqval *rv)
{
	rv->s = v->s;
	rv->len = v->len;
	switch (c->op) {
	case COND_NUMERIC_EQ ... COND_NUMERIC_GE:
		rv->ok = az_value_parse_number(v->s, v->len, &rv->num);
		break;
	case COND_DATE_EQ ... COND_DATE_GE:
		rv->ok = az_value_parse_date(v->s, v->len, &rv->ms);
		break;
	case COND_BOOL: rv->ok = az_value_parse_bool(v->s, v->len, &rv->b); break;
	case COND_IP_ADDRESS: {
		char buf[64];

		rv->ok = v->len < sizeof(buf);
		if (rv->ok) {
			memcpy(buf, v->s, v->len);
			buf[v->len] = '\0';
			rv->ok = gh_addr_parse(buf, &rv->addr) == 0;
		}
		break;
	}
	case COND_ARN_EQUALS:
	case COND_ARN_LIKE:
		rv->arn_ok = az_value_split_arn(v->s, v->len, rv->arn_start, rv->arn_len);
		rv->ok = true;
		break;
	default: rv->ok = true; break;
	}
}

static int cmp_num(double a, double b)
{
	return a < b ? -1 : a > b;
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

/* Ordered comparison result against the operator: EQ, LT, LE, GT, GE. */
static bool ordered(int op_offset, int cmp)
{
	switch (op_offset) {
	case 0: return cmp == 0;
	case 1: return cmp < 0;
	case 2: return cmp <= 0;
	case 3: return cmp > 0;
	default: return cmp >= 0;
	}
}

/*
 * AWS ("ARN condition operators"): each of the six colon-delimited parts is
 * matched separately (the resource part, the rest, may hold colons), so a
 * wildcard never crosses the first five colons.  A listed value that is not
 * an ARN matches nothing, except "*" which matches every value.
 */
static bool arn_match(const struct cond_value *lv, const struct reqval *rv)
{
	if (!lv->arn_ok)
		return lv->g.kind == GLOB_ANY;
	if (!rv->arn_ok)
		return false;
	for (int i = 0; i < ARN_PARTS; i++)
		if (!az_glob_match(&lv->arn[i], rv->s + rv->arn_start[i], rv->arn_len[i]))
			return false;
	return true;
}

/*
 * A listed value with policy variables: substitute, then parse it as the
 * typed value would have been at load.  Returns false when it cannot be
 * resolved or parsed (the value then matches nothing).
 */
static bool value_expand(const struct cond *c, const struct cond_value *lv, struct eval_ctx *ec,
			 char *buf, size_t size, struct cond_value *out)
{
	bool glob = c->op == COND_STRING_LIKE || c->op == COND_ARN_LIKE || c->op == COND_ARN_EQUALS;
	int n = az_tmpl_expand(lv->t, glob, ec, buf, size);
	uint32_t st[ARN_PARTS], ln[ARN_PARTS];

	if (n < 0) {
		if (n == -E2BIG)
			ec->error = true;
		return false;
	}
	memset(out, 0, sizeof(*out));
	out->text = buf;
	out->len = (uint32_t)n;
	az_glob_compile(&out->g, buf, (size_t)n);
	switch (c->op) {
	case COND_NUMERIC_EQ ... COND_NUMERIC_GE:
		return az_value_parse_number(buf, (size_t)n, &out->num);
	case COND_DATE_EQ ... COND_DATE_GE: return az_value_parse_date(buf, (size_t)n, &out->ms);
	case COND_BOOL: return az_value_parse_bool(buf, (size_t)n, &out->b);
	case COND_IP_ADDRESS: {
		const char *msg;

		if (gh_cidr_parse(buf, GH_CIDR_BARE_OK | GH_CIDR_UNMAP_V4, &out->cidr, &msg) < 0)
			return false;
		gh_cidr_mask(&out->cidr);
		return true;
	}
	case COND_ARN_EQUALS:
	case COND_ARN_LIKE:
		out->arn_ok = az_value_split_arn(buf, (size_t)n, st, ln);
		for (int i = 0; out->arn_ok && i < ARN_PARTS; i++)
			az_glob_compile(&out->arn[i], buf + st[i], ln[i]);
		return true;
	default: return true;
	}
}

static bool value_match(const struct cond *c, const struct cond_value *lv, const struct reqval *rv)
{
	switch (c->op) {
	case COND_STRING_EQUALS:
	case COND_BINARY_EQUALS: return rv->len == lv->len && !memcmp(rv->s, lv->text, rv->len);
	case COND_STRING_EQUALS_IC: return gh_eq_nocase(rv->s, rv->len, lv->text, lv->len);
	case COND_STRING_LIKE: return az_glob_match(&lv->g, rv->s, rv->len);
	case COND_NUMERIC_EQ ... COND_NUMERIC_GE:
		return ordered(c->op - COND_NUMERIC_EQ, cmp_num(rv->num, lv->num));
	case COND_DATE_EQ ... COND_DATE_GE:
		return ordered(c->op - COND_DATE_EQ, cmp_i64(rv->ms, lv->ms));
	case COND_BOOL: return rv->b == lv->b;
	case COND_IP_ADDRESS: return gh_cidr_contains(&lv->cidr, &rv->addr);
	case COND_ARN_EQUALS:
	case COND_ARN_LIKE: return arn_match(lv, rv);
	default: return false;
	}
}

/* Does request value @rv match any listed value (before negation)? */
static bool any_listed(const struct cond *c, const struct reqval *rv, struct eval_ctx *ec)
{
	if (!rv->ok)
		return false;
	for (uint32_t i = 0; i < c->nvalues; i++) {
		const struct cond_value *lv = &c->values[i];
		struct cond_value tmp;
		char buf[AUTHZ_SUBST_MAX];

		if (lv->t) {
			if (!value_expand(c, lv, ec, buf, sizeof(buf), &tmp))
				continue;
			lv = &tmp;
		}
		if (value_match(c, lv, rv))
			return true;
	}
	return false;
}

/* Null: {"key": "true"} holds when the key is absent (or has no value). */
static bool null_holds(const struct cond *c, const struct authz_ctx_entry *e)
{
	bool absent = !e || e->nvalues == 0;

	for (uint32_t i = 0; i < c->nvalues; i++)
		if (c->values[i].b == absent)
			return true;
	return false;
}

bool az_cond_holds(const struct cond *c, struct eval_ctx *ec)
{
	const struct authz_ctx_entry *e = az_ctx_lookup(ec, c->key, c->keylen, c->hash);
	bool any = false, all = true;

	if (c->op == COND_NULL)
		return null_holds(c, e);
	if (!e) {
		/* IfExists does not rescue ForAnyValue: it is false on an absent key. */
		if (c->set == COND_SET_ANY) {
			if (!c->if_exists)
				az_ctx_missing(ec, c->key);
			return false;
		}
		if (c->if_exists)
			return true;
		az_ctx_missing(ec, c->key);
		if (c->set == COND_SET_ALL)
			return true;
		return c->negated;
	}
	/*
	 * AWS: "Multivalued context keys require a condition set operator."
	 * Without one, a key AWS documents as multivalued, or any key the
	 * request gives as a list, matches nothing, negated operators and
	 * IfExists included (what the AWS policy simulator answers).
	 */
	if (c->set == COND_SET_NONE && (c->multi_key || e->multi))
		return false;
	for (size_t i = 0; i < e->nvalues; i++) {
		struct reqval rv = { 0 };
		bool m;

		reqval_parse(c, &e->values[i], &rv);
		m = any_listed(c, &rv, ec);
		if (c->set != COND_SET_NONE && c->negated)
			m = !m;
		any |= m;
		all &= m;
		if (c->set == COND_SET_ALL ? !all : any)
			break;
	}
	switch (c->set) {
	case COND_SET_ANY: return any;
	case COND_SET_ALL: return all;
	default:
		/* A plain operator: some value matches (negated: none does). */
		return c->negated ? !any : any;
	}
}
