/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Policy JSON -> compiled policy.  Strict: unknown keys, wrong types, bad
 * values are errors, each located (file, line, column, JSON path).  Every
 * error of a document is reported; a document with any error loads nothing.
 * Warnings flag valid but likely-wrong constructs.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "authz/keys.h"
#include "authz/limits.h"
#include "authz/load.h"
#include "authz/policy.h"
#include "authz/value.h"
#include "common/macro.h"
#include "common/str.h"

/**
 * struct loader - state of one compilation
 * @p: the policy being built
 * @src: the document's text, for locations
 * @path: JSON path of the value being read
 * @diags: where problems go
 * @errors: errors found in this document
 */
struct loader {
	struct authz_policy *p;
	const struct gh_jsrc *src;
	struct gh_jpath path;
	struct diag_list *diags;
	size_t errors;
};

#define lerr(l, ...)                                                                               \
	((l)->errors++, gh_jdiag((l)->diags, DIAG_ERROR, (l)->src, &(l)->path, __VA_ARGS__))
#define lwarn(l, ...) gh_jdiag((l)->diags, DIAG_WARNING, (l)->src, &(l)->path, __VA_ARGS__)

static int oom(struct loader *l)
{
	lerr(l, "out of memory");
	return -ENOMEM;
}

/*
 * Call @fn on each string of a "string or non-empty array of strings"
 * element, with the path pointing at it.
 */
typedef int (*string_fn)(struct loader *l, const char *s, size_t len, void *data);

static int each_string(struct loader *l, json_t *v, const char *what, string_fn fn, void *data)
{
	size_t i;
	json_t *e;
	int r = 0;

	if (json_is_string(v))
		return fn(l, json_string_value(v), json_string_length(v), data);
	if (!json_is_array(v)) {
		lerr(l, "%s must be a string or an array of strings, not %s", what,
		     gh_json_type_name(v));
		return -EINVAL;
	}
	if (json_array_size(v) == 0) {
		lerr(l, "%s must not be an empty array", what);
		return -EINVAL;
	}
	if (json_array_size(v) > AUTHZ_LIST_MAX) {
		lerr(l, "%s has more than %d entries", what, AUTHZ_LIST_MAX);
		return -E2BIG;
	}
	json_array_foreach(v, i, e) {
		int k;

		gh_jpath_index(&l->path, i);
		if (!json_is_string(e)) {
			lerr(l, "%s entries must be strings, not %s", what, gh_json_type_name(e));
			k = -EINVAL;
		} else {
			k = fn(l, json_string_value(e), json_string_length(e), data);
		}
		gh_jpath_pop(&l->path);
		if (k == -ENOMEM)
			return k;
		if (k < 0)
			r = k;
	}
	return r;
}

static size_t list_len(json_t *v)
{
	return json_is_array(v) ? json_array_size(v) : 1;
}

static bool too_long(struct loader *l, size_t len)
{
	if (len <= AUTHZ_PATTERN_MAX)
		return false;
	lerr(l, "value is longer than %d bytes", AUTHZ_PATTERN_MAX);
	return true;
}

/* ---- Action / NotAction ------------------------------------------------ */

static int action_add(struct loader *l, const char *s, size_t len, void *data)
{
	struct stmt *st = data;
	const char *colon = memchr(s, ':', len);
	struct glob *g = &st->actions[st->nactions];
	char *low;
	size_t n;

	if (too_long(l, len))
		return -E2BIG;
	if (!(len == 1 && s[0] == '*') && (!colon || colon == s || colon == s + len - 1)) {
		lerr(l, "action \"%s\" must be \"service:ActionName\" (wildcards allowed) or \"*\"",
		     s);
		return -EINVAL;
	}
	/* memchr() thrice beats a loop testing each byte three ways. */
	if (memchr(s, ' ', len) || memchr(s, '\t', len) || memchr(s, '\\', len)) {
		lerr(l, "action \"%s\" contains a space or backslash", s);
		return -EINVAL;
	}
	/* Actions compare case-insensitively: fold once, here. */
	low = gh_arena_strndup(&l->p->arena, s, len);
	if (!low)
		return oom(l);
	gh_lower(low, low, len);
	n = len;
	az_glob_compile(g, low, n);
	st->nactions++;
	return 0;
}

/* ---- Resource / NotResource -------------------------------------------- */

/*
 * Variables that never resolve, or not for some principals: a statement
 * with an unresolved variable does not apply (eval.c), so say so at load.
 */
static void variable_warnings(struct loader *l, const struct tmpl *t)
{
	for (uint32_t i = 0; t && i < t->nsegs; i++) {
		const struct tmpl_seg *seg = &t->segs[i];
		const char *who;

		if (!seg->var)
			continue;
		if (az_key_is_multivalued(seg->text, seg->len))
			lwarn(l,
			      "%s is multi-valued and cannot be a policy variable: "
			      "${%s} never resolves",
			      seg->text, seg->text);
		else if (!seg->def && (who = az_key_never_present_for(seg->text, seg->len)))
			lwarn(l,
			      "${%s} never resolves for %s: a statement using it does not "
			      "apply to them (a default avoids that: ${%s, 'none'})",
			      seg->text, who, seg->text);
	}
}

static int resource_add(struct loader *l, const char *s, size_t len, void *data)
{
	struct stmt *st = data;
	struct resource_pat *rp = &st->resources[st->nresources];
	const char *msg = NULL;
	char *g;
	size_t glen;
	int r;

	if (too_long(l, len))
		return -E2BIG;
	if (!(len == 1 && s[0] == '*') && !gh_prefix_lit_case(s, len, "arn:")) {
		lerr(l,
		     "resource \"%s\" must be an ARN (arn:partition:service:region:account:"
		     "resource, wildcards allowed) or \"*\"",
		     s);
		return -EINVAL;
	}
	if (l->p->variables) {
		r = az_tmpl_parse(&l->p->arena, s, len, true, (struct tmpl **)&rp->t, &msg);
		if (r == -ENOMEM)
			return oom(l);
		if (r < 0) {
			lerr(l, "%s", msg);
			return r;
		}
		variable_warnings(l, rp->t);
	} else if (gh_find_lit(s, len, "${")) {
		lwarn(l, "policy variables are not substituted in Version 2008-10-17 (or without "
			 "Version): \"${\" is literal text here; use \"Version\": \"2012-10-17\"");
	}
	if (!rp->t) {
		g = az_glob_escape_literal(&l->p->arena, s, len, &glen);
		if (!g)
			return oom(l);
		az_glob_compile(&rp->g, g, glen);
	}
	st->nresources++;
	return 0;
}

/* ---- Principal / NotPrincipal ------------------------------------------ */

struct principal_add {
	struct stmt *st;
	enum principal_kind kind;
};

static bool is_account_id(const char *s, size_t len)
{
	if (len != 12)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int principal_add(struct loader *l, const char *s, size_t len, void *data)
{
	struct principal_add *pa = data;
	struct principal_pat *pp = &pa->st->principals[pa->st->nprincipals];
	uint32_t st[6], ln[6];

	if (too_long(l, len))
		return -E2BIG;
	pp->kind = (uint8_t)pa->kind;
	pp->text = s;
	pp->len = (uint32_t)len;
	if (pa->kind == PRINCIPAL_ARN) {
		if (len == 1 && s[0] == '*') {
			pp->kind = PRINCIPAL_ANY;
		} else if (is_account_id(s, len)) {
			pp->kind = PRINCIPAL_ACCOUNT;
		} else if (!az_value_split_arn(s, len, st, ln)) {
			lerr(l,
			     "AWS principal \"%s\" must be \"*\", a 12-digit account id or an ARN",
			     s);
			return -EINVAL;
		} else if (memchr(s, '*', len) || memchr(s, '?', len)) {
			lerr(l,
			     "wildcards are not allowed in a principal ARN (\"%s\"); use \"*\" "
			     "with a Condition on aws:PrincipalArn",
			     s);
			return -EINVAL;
		} else if (gh_eq_lit_case(s + st[5], ln[5], "root") &&
			   is_account_id(s + st[4], ln[4])) {
			pp->kind = PRINCIPAL_ACCOUNT;
			pp->text = s + st[4];
			pp->len = ln[4];
		}
	}
	pp->text = gh_arena_strndup(&l->p->arena, pp->text, pp->len);
	if (!pp->text)
		return oom(l);
	pa->st->nprincipals++;
	return 0;
}

static int load_principal(struct loader *l, struct stmt *st, json_t *v)
{
	static const struct {
		const char *name;
		enum principal_kind kind;
	} types[] = {
		{ "AWS", PRINCIPAL_ARN },
		{ "Service", PRINCIPAL_SERVICE },
		{ "Federated", PRINCIPAL_FEDERATED },
		{ "CanonicalUser", PRINCIPAL_CANONICAL },
	};
	size_t n = 0;
	const char *key;
	json_t *e;
	int r = 0;

	if (json_is_string(v)) {
		if (strcmp(json_string_value(v), "*")) {
			lerr(l,
			     "Principal must be \"*\" or an object such as {\"AWS\": \"arn:...\"}");
			return -EINVAL;
		}
		st->principals = gh_arena_alloc(&l->p->arena, sizeof(*st->principals));
		if (!st->principals)
			return oom(l);
		st->principals[0].kind = PRINCIPAL_ANY;
		st->principals[0].text = "*";
		st->principals[0].len = 1;
		st->nprincipals = 1;
		return 0;
	}
	if (!json_is_object(v)) {
		lerr(l, "Principal must be \"*\" or an object, not %s", gh_json_type_name(v));
		return -EINVAL;
	}
	json_object_foreach(v, key, e)
		n += list_len(e);
	st->principals = gh_arena_array(&l->p->arena, n ? n : 1, sizeof(*st->principals));
	if (!st->principals)
		return oom(l);
	json_object_foreach(v, key, e) {
		struct principal_add pa = { st, _PRINCIPAL_KIND_MAX };
		int k;

		for (size_t i = 0; i < ARRAY_SIZE(types); i++)
			if (!strcmp(key, types[i].name))
				pa.kind = types[i].kind;
		gh_jpath_key(&l->path, key);
		if (pa.kind == _PRINCIPAL_KIND_MAX) {
			lerr(l,
			     "unknown principal type \"%s\" (expected AWS, Service, Federated or "
			     "CanonicalUser)",
			     key);
			k = -EINVAL;
		} else {
			k = each_string(l, e, "a principal", principal_add, &pa);
		}
		gh_jpath_pop(&l->path);
		if (k == -ENOMEM)
			return k;
		if (k < 0)
			r = k;
	}
	if (n == 0) {
		lerr(l, "Principal must name at least one principal");
		r = -EINVAL;
	}
	return r;
}

/* ---- Condition ----------------------------------------------------------- */

/* An initializer in a macro, kept as written: */
/* clang-format off */
#define OPERATOR(name, op, negated) { name, GH_LIT_LEN(name), op, negated }
/* clang-format on */

static const struct {
	const char *name;
	size_t len; /* a length and a first byte tell most names apart */
	enum cond_op op;
	bool negated;
} operators[] = {
	OPERATOR("StringEquals", COND_STRING_EQUALS, false),
	OPERATOR("StringNotEquals", COND_STRING_EQUALS, true),
	OPERATOR("StringEqualsIgnoreCase", COND_STRING_EQUALS_IC, false),
	OPERATOR("StringNotEqualsIgnoreCase", COND_STRING_EQUALS_IC, true),
	OPERATOR("StringLike", COND_STRING_LIKE, false),
	OPERATOR("StringNotLike", COND_STRING_LIKE, true),
	OPERATOR("NumericEquals", COND_NUMERIC_EQ, false),
	OPERATOR("NumericNotEquals", COND_NUMERIC_EQ, true),
	OPERATOR("NumericLessThan", COND_NUMERIC_LT, false),
	OPERATOR("NumericLessThanEquals", COND_NUMERIC_LE, false),
	OPERATOR("NumericGreaterThan", COND_NUMERIC_GT, false),
	OPERATOR("NumericGreaterThanEquals", COND_NUMERIC_GE, false),
	OPERATOR("DateEquals", COND_DATE_EQ, false),
	OPERATOR("DateNotEquals", COND_DATE_EQ, true),
	OPERATOR("DateLessThan", COND_DATE_LT, false),
	OPERATOR("DateLessThanEquals", COND_DATE_LE, false),
	OPERATOR("DateGreaterThan", COND_DATE_GT, false),
	OPERATOR("DateGreaterThanEquals", COND_DATE_GE, false),
	OPERATOR("Bool", COND_BOOL, false),
	OPERATOR("BinaryEquals", COND_BINARY_EQUALS, false),
	OPERATOR("IpAddress", COND_IP_ADDRESS, false),
	OPERATOR("NotIpAddress", COND_IP_ADDRESS, true),
	OPERATOR("ArnEquals", COND_ARN_EQUALS, false),
	OPERATOR("ArnNotEquals", COND_ARN_EQUALS, true),
	OPERATOR("ArnLike", COND_ARN_LIKE, false),
	OPERATOR("ArnNotLike", COND_ARN_LIKE, true),
	OPERATOR("Null", COND_NULL, false),
};

/* "ForAnyValue:StringLikeIfExists" -> operator, set, IfExists. */
static bool parse_operator(const char *name, struct cond *c)
{
	size_t len = strlen(name);

	c->set = COND_SET_NONE;
	if (gh_starts_with(name, "ForAnyValue:")) {
		c->set = COND_SET_ANY;
		name += GH_LIT_LEN("ForAnyValue:"), len -= GH_LIT_LEN("ForAnyValue:");
	} else if (gh_starts_with(name, "ForAllValues:")) {
		c->set = COND_SET_ALL;
		name += GH_LIT_LEN("ForAllValues:"), len -= GH_LIT_LEN("ForAllValues:");
	}
	c->if_exists = len > 8 && !strcmp(name + len - 8, "IfExists");
	if (c->if_exists)
		len -= 8;
	for (size_t i = 0; i < ARRAY_SIZE(operators); i++) {
		if (operators[i].len == len && operators[i].name[0] == name[0] &&
		    !memcmp(operators[i].name, name, len)) {
			c->op = (uint8_t)operators[i].op;
			c->negated = operators[i].negated;
			/* Null tests presence: neither IfExists nor a set qualifier applies. */
			return !(c->op == COND_NULL && (c->if_exists || c->set != COND_SET_NONE));
		}
	}
	return false;
}

static const char *op_name(const char *full)
{
	const char *c = strchr(full, ':');

	return c ? c + 1 : full;
}

/*
 * Parse a value (no variables) as the operator's type into @cv.  @glen is
 * the length of @cv->g's glob-form text: @cv->g.len is not (a PREFIX glob
 * keeps its length without the trailing "*").
 */
static int value_typed(struct loader *l, const struct cond *c, const char *opname,
		       struct cond_value *cv, size_t glen)
{
	const char *msg;
	uint32_t st[ARN_PARTS], ln[ARN_PARTS];
	int r;

	switch (c->op) {
	case COND_NUMERIC_EQ ... COND_NUMERIC_GE:
		if (!az_value_parse_number(cv->text, cv->len, &cv->num)) {
			lerr(l, "%s needs a number (such as 10 or 2.5), not \"%s\"", opname,
			     cv->text);
			return -EINVAL;
		}
		return 0;
	case COND_DATE_EQ ... COND_DATE_GE:
		if (!az_value_parse_date(cv->text, cv->len, &cv->ms)) {
			lerr(l,
			     "%s needs a date (ISO 8601 such as \"2026-11-30T12:00:00Z\", or "
			     "epoch seconds), not \"%s\"",
			     opname, cv->text);
			return -EINVAL;
		}
		return 0;
	case COND_BOOL:
	case COND_NULL:
		if (!az_value_parse_bool(cv->text, cv->len, &cv->b)) {
			lerr(l, "%s needs \"true\" or \"false\", not \"%s\"", opname, cv->text);
			return -EINVAL;
		}
		return 0;
	case COND_BINARY_EQUALS:
		if (!az_value_is_base64(cv->text, cv->len)) {
			lerr(l, "BinaryEquals needs a base64 value, not \"%s\"", cv->text);
			return -EINVAL;
		}
		return 0;
	case COND_IP_ADDRESS:
		r = gh_cidr_parse(cv->text, GH_CIDR_BARE_OK | GH_CIDR_UNMAP_V4, &cv->cidr, &msg);
		if (r < 0) {
			lerr(l, "%s needs an IPv4 or IPv6 address or CIDR block: \"%s\": %s",
			     opname, cv->text, msg);
			return r;
		}
		if (r > 0) {
			lwarn(l,
			      "\"%s\" has host bits set; it is matched as the network it "
			      "belongs to (did you mean a /32 or /128?)",
			      cv->text);
			gh_cidr_mask(&cv->cidr);
		}
		return 0;
	case COND_ARN_EQUALS:
	case COND_ARN_LIKE:
		cv->arn_ok = az_value_split_arn(cv->g.text, glen, st, ln);
		if (!cv->arn_ok && !(cv->len == 1 && cv->text[0] == '*'))
			lwarn(l,
			      "%s value \"%s\" is not an ARN (arn:partition:service:region:"
			      "account:resource); it matches nothing",
			      opname, cv->text);
		for (int i = 0; cv->arn_ok && i < ARN_PARTS; i++)
			az_glob_compile(&cv->arn[i], cv->g.text + st[i], ln[i]);
		return 0;
	default: return 0;
	}
}

static int cond_value_load(struct loader *l, struct cond *c, const char *opname, json_t *v,
			   struct cond_value *cv)
{
	char num[GH_JSON_SCALAR_MAX];
	const char *text, *msg = NULL;
	size_t len, glen;
	char *g;
	int r;

	text = gh_json_scalar_text(v, num, &len);
	if (!text) {
		lerr(l, "a condition value must be a string, number or boolean, not %s",
		     gh_json_type_name(v));
		return -EINVAL;
	}
	if (too_long(l, len))
		return -E2BIG;
	/* The text is jansson's or on the stack: the policy keeps its own copy. */
	cv->text = gh_arena_strndup(&l->p->arena, text, len);
	cv->len = (uint32_t)len;
	if (!cv->text)
		return oom(l);
	text = cv->text;
	g = az_glob_escape_literal(&l->p->arena, text, len, &glen);
	if (!g)
		return oom(l);
	az_glob_compile(&cv->g, g, glen);
	if (l->p->variables) {
		bool glob =
		    c->op == COND_STRING_LIKE || c->op == COND_ARN_LIKE || c->op == COND_ARN_EQUALS;

		r = az_tmpl_parse(&l->p->arena, text, len, glob, (struct tmpl **)&cv->t, &msg);
		if (r == -ENOMEM)
			return oom(l);
		if (r < 0) {
			lerr(l, "%s", msg);
			return r;
		}
		variable_warnings(l, cv->t);
		if (cv->t)
			return 0; /* typed parse after substitution, at request time */
	}
	return value_typed(l, c, opname, cv, glen);
}

/*
 * An IPv6 range over ::ffff:0:0/96 ("::/0") with no IPv4 range beside it:
 * request addresses there are taken as IPv4 (gh_addr_parse), so it looks
 * like it covers them and does not.
 */
static void ip_mapped_warnings(struct loader *l, const struct cond *c)
{
	for (uint32_t i = 0; i < c->nvalues; i++)
		if (!c->values[i].t && c->values[i].cidr.family == GH_INET4)
			return;
	for (uint32_t i = 0; i < c->nvalues; i++)
		if (!c->values[i].t && gh_cidr_spans_v4mapped(&c->values[i].cidr))
			lwarn(l,
			      "\"%s\" spans the IPv4-mapped range ::ffff:0:0/96, but request "
			      "addresses there are matched as the IPv4 addresses they carry, "
			      "and no IPv4 range is listed: no IPv4 request matches (list "
			      "one, such as 0.0.0.0/0)",
			      c->values[i].text);
}

static void cond_key_warnings(struct loader *l, const struct cond *c, const char *opname,
			      const struct stmt *st)
{
	if (c->op == COND_IP_ADDRESS)
		ip_mapped_warnings(l, c);
	if (!az_key_is_known(c->key, c->keylen))
		lwarn(l,
		      "\"%s\" is not a known AWS global condition key (a typo?); a request "
		      "never carries it unless your caller sets it",
		      c->key);
	if (c->set != COND_SET_NONE && az_key_is_singlevalued(c->key, c->keylen))
		lwarn(l, "%s on single-valued key %s: set operators are for multi-valued keys%s",
		      c->set == COND_SET_ALL ? "ForAllValues" : "ForAnyValue", c->key,
		      c->set == COND_SET_ALL && st->effect == AUTHZ_EFFECT_ALLOW
			  ? " (ForAllValues is true when the key is absent)"
			  : "");
	if (c->set == COND_SET_NONE && c->op != COND_NULL && c->multi_key)
		lwarn(l,
		      "%s on multi-valued key %s without ForAllValues/ForAnyValue: a request "
		      "that carries the key never matches it (negated operators and IfExists "
		      "included); multivalued keys require a set operator",
		      opname, c->key);
	if (c->op == COND_BOOL && !c->if_exists && st->effect == AUTHZ_EFFECT_DENY &&
	    gh_eq_lit(c->key, c->keylen, "aws:MultiFactorAuthPresent")) {
		for (uint32_t i = 0; i < c->nvalues; i++)
			if (!c->values[i].t && !c->values[i].b)
				lwarn(l,
				      "Deny with %s {\"aws:MultiFactorAuthPresent\": \"false\"} "
				      "does not match requests made without MFA at all (the key "
				      "is absent then); use BoolIfExists",
				      opname);
	}
}

static int load_condition_key(struct loader *l, struct stmt *st, const char *opname,
			      const char *key, json_t *v)
{
	struct cond *c = &st->conds[st->nconds];
	size_t n = list_len(v);
	int r = 0;

	if (!parse_operator(opname, c))
		return -EINVAL; /* reported by the caller */
	c->key = gh_arena_strdup(&l->p->arena, key);
	c->keylen = (uint32_t)strlen(key);
	c->hash = gh_hash_nocase(key, c->keylen);
	if (!c->key)
		return oom(l);
	c->multi_key = az_key_is_multivalued(key, c->keylen);
	if (!c->keylen || strpbrk(key, " \t")) {
		lerr(l, "condition key \"%s\" is empty or contains a space", key);
		return -EINVAL;
	}
	if (json_is_array(v) && n == 0) {
		lerr(l, "the values of %s must not be an empty array", key);
		return -EINVAL;
	}
	if (n > AUTHZ_LIST_MAX) {
		lerr(l, "%s has more than %d values", key, AUTHZ_LIST_MAX);
		return -E2BIG;
	}
	c->values = gh_arena_array(&l->p->arena, n, sizeof(*c->values));
	if (!c->values)
		return oom(l);
	if (!json_is_array(v)) {
		r = cond_value_load(l, c, op_name(opname), v, &c->values[0]);
		c->nvalues = r < 0 ? 0 : 1;
	} else {
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e) {
			int k;

			gh_jpath_index(&l->path, i);
			k = cond_value_load(l, c, op_name(opname), e, &c->values[c->nvalues]);
			gh_jpath_pop(&l->path);
			if (k == -ENOMEM)
				return k;
			if (k < 0)
				r = k;
			else
				c->nvalues++;
		}
	}
	if (r < 0)
		return r;
	cond_key_warnings(l, c, opname, st);
	st->nconds++;
	return 0;
}

static int load_condition(struct loader *l, struct stmt *st, json_t *v)
{
	const char *opname, *key;
	json_t *keys, *e;
	size_t n = 0;
	int r = 0;

	if (!json_is_object(v)) {
		lerr(l, "Condition must be an object of operators, not %s", gh_json_type_name(v));
		return -EINVAL;
	}
	json_object_foreach(v, opname, keys)
		n += json_is_object(keys) ? json_object_size(keys) : 0;
	if (n > AUTHZ_CONDITIONS_MAX) {
		lerr(l, "Condition has more than %d keys", AUTHZ_CONDITIONS_MAX);
		return -E2BIG;
	}
	st->conds = gh_arena_array(&l->p->arena, n ? n : 1, sizeof(*st->conds));
	if (!st->conds)
		return oom(l);
	json_object_foreach(v, opname, keys) {
		struct cond probe;

		gh_jpath_key(&l->path, opname);
		if (!parse_operator(opname, &probe)) {
			lerr(l, "unknown condition operator \"%s\"", opname);
			r = -EINVAL;
		} else if (!json_is_object(keys)) {
			lerr(l, "%s must be an object of condition keys, not %s", opname,
			     gh_json_type_name(keys));
			r = -EINVAL;
		} else {
			json_object_foreach(keys, key, e) {
				int k;

				gh_jpath_key(&l->path, key);
				k = load_condition_key(l, st, opname, key, e);
				gh_jpath_pop(&l->path);
				if (k == -ENOMEM)
					return k;
				if (k < 0)
					r = k;
			}
		}
		gh_jpath_pop(&l->path);
	}
	return r;
}

/* ---- Statement ----------------------------------------------------------- */

/**
 * struct stmt_members - a statement's members, as the schema walk finds
 *	them (borrowed; NULL when absent)
 */
struct stmt_members {
	json_t *sid, *effect, *action, *not_action, *resource, *not_resource, *principal,
	    *not_principal, *condition;
};

/* An initializer in a macro, kept as written: */
/* clang-format off */
#define STMT_MEMBER(key, member)                                                                  \
	{ key, GH_J_ANY, false, offsetof(struct stmt_members, member), NULL }
/* clang-format on */

/* Every member is optional to the walk: each part below says what a statement needs. */
static const struct gh_jfield statement_fields[] = {
	STMT_MEMBER("Sid", sid),
	STMT_MEMBER("Effect", effect),
	STMT_MEMBER("Action", action),
	STMT_MEMBER("NotAction", not_action),
	STMT_MEMBER("Resource", resource),
	STMT_MEMBER("NotResource", not_resource),
	STMT_MEMBER("Principal", principal),
	STMT_MEMBER("NotPrincipal", not_principal),
	STMT_MEMBER("Condition", condition),
};

static const struct gh_jschema statement_schema = {
	"a statement",
	"a statement (expected Sid, Effect, Action, NotAction, Resource, NotResource, Principal, "
	"NotPrincipal, Condition)",
	statement_fields,
	ARRAY_SIZE(statement_fields),
};

/*
 * Read the one-of pair @a/@b (Action/NotAction, ...), their values @va and
 * @vb: exactly one when @required, at most one otherwise.  Returns the
 * value and sets *ret_not and *ret_key, or NULL (absent, or both:
 * reported).
 */
static json_t *one_of(struct loader *l, json_t *va, json_t *vb, const char *a, const char *b,
		      bool required, bool *ret_not, const char **ret_key, bool *ret_bad)
{
	*ret_bad = false;
	if (va && vb) {
		gh_jpath_key(&l->path, b);
		lerr(l, "a statement has either %s or %s, not both", a, b);
		gh_jpath_pop(&l->path);
		*ret_bad = true;
		return NULL;
	}
	if (!va && !vb) {
		if (required) {
			lerr(l, "statement is missing %s (or %s)", a, b);
			*ret_bad = true;
		}
		return NULL;
	}
	*ret_not = !va;
	*ret_key = va ? a : b;
	return va ? va : vb;
}

static int load_actions(struct loader *l, struct stmt *st, const struct stmt_members *m)
{
	const char *key;
	bool bad;
	json_t *v = one_of(l, m->action, m->not_action, "Action", "NotAction", true,
			   &st->not_action, &key, &bad);
	int r;

	if (!v)
		return -EINVAL;
	st->actions = gh_arena_array(&l->p->arena, list_len(v), sizeof(*st->actions));
	if (!st->actions)
		return oom(l);
	gh_jpath_key(&l->path, key);
	r = each_string(l, v, key, action_add, st);
	gh_jpath_pop(&l->path);
	if (r == 0 && st->not_action && st->effect == AUTHZ_EFFECT_ALLOW) {
		gh_jpath_key(&l->path, key);
		lwarn(l, "Allow with NotAction allows every other action of every service; "
			 "usually meant as Deny with NotAction, or as Allow with Action");
		gh_jpath_pop(&l->path);
	}
	return r;
}

static int load_resources(struct loader *l, struct stmt *st, const struct stmt_members *m)
{
	bool required = l->p->kind != AUTHZ_POLICY_TRUST;
	const char *key;
	bool bad;
	json_t *v = one_of(l, m->resource, m->not_resource, "Resource", "NotResource", required,
			   &st->not_resource, &key, &bad);
	int r;

	if (!v)
		return bad ? -EINVAL : 0;
	st->has_resource = true;
	st->resources = gh_arena_array(&l->p->arena, list_len(v), sizeof(*st->resources));
	if (!st->resources)
		return oom(l);
	gh_jpath_key(&l->path, key);
	r = each_string(l, v, key, resource_add, st);
	if (r == 0 && st->not_resource && st->effect == AUTHZ_EFFECT_ALLOW)
		lwarn(l, "Allow with NotResource allows the actions on every other resource; "
			 "check that this is meant");
	gh_jpath_pop(&l->path);
	return r;
}

static int load_principals(struct loader *l, struct stmt *st, const struct stmt_members *m)
{
	bool needs = l->p->kind != AUTHZ_POLICY_IDENTITY;
	const char *key;
	bool bad;
	json_t *v = one_of(l, m->principal, m->not_principal, "Principal", "NotPrincipal", needs,
			   &st->not_principal, &key, &bad);
	int r;

	if (!v)
		return bad ? -EINVAL : 0;
	gh_jpath_key(&l->path, key);
	if (!needs) {
		lerr(l,
		     "%s is not allowed in an identity-based policy (only in resource-based "
		     "and trust policies)",
		     key);
		r = -EINVAL;
	} else {
		st->has_principal = true;
		r = load_principal(l, st, v);
	}
	gh_jpath_pop(&l->path);
	return r;
}

static int load_effect(struct loader *l, struct stmt *st, const struct stmt_members *m)
{
	json_t *v = m->effect;
	int r = 0;

	if (!v) {
		lerr(l, "statement is missing Effect (\"Allow\" or \"Deny\")");
		return -EINVAL;
	}
	gh_jpath_key(&l->path, "Effect");
	if (json_is_string(v) && !strcmp(json_string_value(v), "Allow")) {
		st->effect = AUTHZ_EFFECT_ALLOW;
	} else if (json_is_string(v) && !strcmp(json_string_value(v), "Deny")) {
		st->effect = AUTHZ_EFFECT_DENY;
	} else {
		lerr(l, "Effect must be \"Allow\" or \"Deny\"%s%s%s",
		     json_is_string(v) ? ", not \"" : "",
		     json_is_string(v) ? json_string_value(v) : "", json_is_string(v) ? "\"" : "");
		r = -EINVAL;
	}
	gh_jpath_pop(&l->path);
	return r;
}

static int load_sid(struct loader *l, struct stmt *st, const struct stmt_members *m)
{
	json_t *v = m->sid;

	if (!v)
		return 0;
	gh_jpath_key(&l->path, "Sid");
	if (!json_is_string(v)) {
		lerr(l, "Sid must be a string, not %s", gh_json_type_name(v));
		gh_jpath_pop(&l->path);
		return -EINVAL;
	}
	st->sid = gh_arena_strdup(&l->p->arena, json_string_value(v));
	if (st->sid)
		st->sid_hash = gh_hash_str(st->sid);
	/* Every statement before this one: the hashes tell most apart without a call. */
	for (uint32_t i = 0; st->sid && i < l->p->nstmts; i++) {
		const struct stmt *o = &l->p->stmts[i];

		if (o->sid && o->sid_hash == st->sid_hash && !strcmp(o->sid, st->sid)) {
			lwarn(l,
			      "Sid \"%s\" is used by statement %u too; Sids should be unique in "
			      "a policy",
			      st->sid, i);
			break;
		}
	}
	gh_jpath_pop(&l->path);
	return st->sid ? 0 : oom(l);
}

static int load_statement(struct loader *l, json_t *obj, struct stmt *st)
{
	struct stmt_members m = { 0 };
	size_t errors = l->diags->errors;
	int r = 0, k;

	if (!json_is_object(obj)) {
		lerr(l, "a statement must be an object, not %s", gh_json_type_name(obj));
		return -EINVAL;
	}
	/* All optional, so the walk's only errors are unknown keys. */
	gh_json_walk_at(obj, &statement_schema, &m, l->src, &l->path, l->diags);
	if (l->diags->errors > errors) {
		l->errors++;
		r = -EINVAL;
	}
	/* Each part reports its own errors; keep going to report them all. */
	int (*parts[])(struct loader *, struct stmt *, const struct stmt_members *) = {
		load_sid, load_effect, load_actions, load_resources, load_principals,
	};
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		k = parts[i](l, st, &m);
		if (k == -ENOMEM)
			return k;
		if (k < 0)
			r = k;
	}
	if (m.condition) {
		gh_jpath_key(&l->path, "Condition");
		k = load_condition(l, st, m.condition);
		gh_jpath_pop(&l->path);
		if (k < 0)
			r = k;
	}
	return r;
}

/* ---- Document ------------------------------------------------------------ */

static int load_version(void *out, json_t *v, struct gh_jpath *p)
{
	struct loader *l = out;

	(void)p; /* l->path, at "Version" */
	if (json_is_string(v) && !strcmp(json_string_value(v), "2012-10-17"))
		l->p->variables = true;
	else if (!(json_is_string(v) && !strcmp(json_string_value(v), "2008-10-17")))
		lerr(l, "Version must be \"2012-10-17\" or \"2008-10-17\"");
	return 0;
}

/* Statement: one statement object or an array of them, at l->path. */
static int load_statements(void *out, json_t *stmts, struct gh_jpath *p)
{
	struct loader *l = out;
	size_t n;
	int r = 0;

	(void)p;
	n = list_len(stmts);
	if (!json_is_object(stmts) && !json_is_array(stmts)) {
		lerr(l, "Statement must be an object or an array of objects, not %s",
		     gh_json_type_name(stmts));
		r = -EINVAL;
	} else if (n == 0) {
		lerr(l, "Statement must hold at least one statement");
		r = -EINVAL;
	} else if (n > AUTHZ_STATEMENTS_MAX) {
		lerr(l, "more than %d statements", AUTHZ_STATEMENTS_MAX);
		r = -E2BIG;
	} else if (!(l->p->stmts = gh_arena_array(&l->p->arena, n, sizeof(*l->p->stmts)))) {
		r = oom(l);
	} else {
		for (size_t i = 0; i < n; i++) {
			json_t *s = json_is_array(stmts) ? json_array_get(stmts, i) : stmts;
			struct stmt *st = &l->p->stmts[i];
			int k;

			if (json_is_array(stmts))
				gh_jpath_index(&l->path, i);
			st->index = (uint32_t)i;
			k = load_statement(l, s, st);
			if (json_is_array(stmts))
				gh_jpath_pop(&l->path);
			l->p->nstmts++;
			if (k == -ENOMEM) {
				r = k;
				break;
			}
			if (k < 0)
				r = k;
		}
	}
	/* The last member: stopping the walk here skips nothing. */
	return r;
}

static const struct gh_jfield document_fields[] = {
	{ "Version", GH_J_ANY, false, GH_JFIELD_KEEP, load_version },
	{ "Id", GH_J_STRING, false, GH_JFIELD_KEEP, NULL },
	{ "Statement", GH_J_ANY, true, GH_JFIELD_KEEP, load_statements },
};

static const struct gh_jschema document_schema = { "a policy document",
						   "a policy document (expected Version, Id, "
						   "Statement)",
						   document_fields, ARRAY_SIZE(document_fields) };

static int load_document(struct loader *l, json_t *doc)
{
	size_t errors = l->diags->errors, mine = l->errors;
	int r;

	if (json_is_object(doc) && !json_object_get(doc, "Version"))
		lwarn(l, "no Version: the policy is read as Version 2008-10-17, where policy "
			 "variables are literal text; add \"Version\": \"2012-10-17\"");
	r = gh_json_walk_at(doc, &document_schema, l, l->src, &l->path, l->diags);
	/* Every error while walking went to l->diags: the walker's and lerr's. */
	l->errors = mine + (l->diags->errors - errors);
	if (r < 0)
		return r;
	return l->errors > mine ? -EINVAL : 0;
}

struct authz_policy *az_policy_compile(json_t *doc, const struct gh_jsrc *src,
				       const struct gh_jpath *base, enum authz_policy_kind kind,
				       const char *name, struct diag_list *diags)
{
	struct loader l = { .src = src, .diags = diags };
	struct authz_policy *p = calloc(1, sizeof(*p));

	if (base)
		l.path = *base;
	if (!p) {
		lerr(&l, "out of memory");
		return NULL;
	}
	atomic_init(&p->refs, 1);
	if (kind == AUTHZ_POLICY_AUTO)
		kind = az_policy_guess_kind(doc);
	p->kind = kind;
	l.p = p;
	p->name = gh_arena_strdup(&p->arena, name ? name : "");
	if (!p->name || load_document(&l, doc) < 0 || l.errors) {
		if (!l.errors)
			lerr(&l, "policy not loaded");
		return authz_policy_unref(p);
	}
	if (az_action_index_build(p) < 0) {
		lerr(&l, "out of memory");
		return authz_policy_unref(p);
	}
	return p;
}

struct authz_policy *authz_policy_load(const char *text, size_t len, const char *source,
				       enum authz_policy_kind kind, const char *name,
				       struct diag_list *diags)
{
	struct gh_jsrc src = { .name = source, .text = text, .len = len };
	json_t *doc = gh_json_parse(&src, diags);
	struct authz_policy *p;

	if (!doc)
		return NULL;
	p = az_policy_compile(doc, &src, NULL, kind, name, diags);
	json_decref(doc);
	return p;
}

struct authz_policy *authz_policy_load_file(const char *path, enum authz_policy_kind kind,
					    const char *name, struct diag_list *diags)
{
	_cleanup_free_ char *text = NULL;
	size_t len;

	if (gh_file_read(path, &text, &len, diags) < 0)
		return NULL;
	return authz_policy_load(text, len, path, kind, name ? name : path, diags);
}

struct authz_policy *authz_policy_ref(struct authz_policy *p)
{
	if (p)
		atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
	return p;
}

struct authz_policy *authz_policy_unref(struct authz_policy *p)
{
	if (p && atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) == 1) {
		gh_arena_clear(&p->arena);
		free(p);
	}
	return NULL;
}

const char *authz_policy_name(const struct authz_policy *p)
{
	return p->name;
}

size_t authz_policy_statement_count(const struct authz_policy *p)
{
	return p->nstmts;
}

/* The rule of `check --kind auto`, shared with authz_simulate's resource_policy. */
enum authz_policy_kind az_policy_guess_kind(json_t *doc)
{
	json_t *stmts = json_is_object(doc) ? json_object_get(doc, "Statement") : NULL;
	size_t n = json_is_array(stmts) ? json_array_size(stmts) : 1;
	bool principal = false, assume = false;

	for (size_t i = 0; stmts && i < n; i++) {
		json_t *s = json_is_array(stmts) ? json_array_get(stmts, i) : stmts;
		json_t *a = json_is_object(s) ? json_object_get(s, "Action") : NULL;

		if (!json_is_object(s))
			continue;
		principal |= json_object_get(s, "Principal") || json_object_get(s, "NotPrincipal");
		for (size_t k = 0; k < (json_is_array(a) ? json_array_size(a) : 1); k++) {
			json_t *e = json_is_array(a) ? json_array_get(a, k) : a;

			/* Action names are case-insensitive. */
			assume |= json_is_string(e) &&
				  gh_prefix_lit(json_string_value(e), json_string_length(e),
						"sts:AssumeRole");
		}
	}
	if (!principal)
		return AUTHZ_POLICY_IDENTITY;
	return assume ? AUTHZ_POLICY_TRUST : AUTHZ_POLICY_RESOURCE;
}
