/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reference evaluator (ref_eval.h).  Everything is re-read from the
 * JSON tree on every request, every wildcard is matched by one dynamic
 * programme over whole characters, every variable is substituted where it
 * is used.  Clarity over speed everywhere: this is the yardstick.
 *
 * AWS sources, by section below:
 *  - wildcards: "IAM JSON policy elements: Action / Resource" (`*` any run
 *    of characters, `?` one character; actions case-insensitive);
 *  - variables: "IAM policy elements: Variables and tags" (`${key}`,
 *    `${key, 'default'}`, `${*}` `${?}` `${$}`; Version 2012-10-17 only; "If
 *    AWS cannot resolve a variable, this might cause the entire statement
 *    to be invalid");
 *  - conditions: "IAM JSON policy elements: Condition operators" and
 *    "Single-valued vs. multivalued context keys";
 *  - deciding: "Policy evaluation logic" (same account, cross-account,
 *    permission boundaries, session policies, resource-based policies,
 *    "role trust policies and KMS key policies are exceptions").
 */
#include "ref_eval.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/json.h"

static const char *const defect_names[] = {
#define REF_NAME(name, text) #name,
	REF_DEFECTS(REF_NAME)
#undef REF_NAME
};
static const char *const defect_texts[] = {
#define REF_TEXT(name, text) text,
	REF_DEFECTS(REF_TEXT)
#undef REF_TEXT
};

const char *ref_defect_name(enum ref_defect_bit b)
{
	return (unsigned)b < _REF_DEFECT_MAX ? defect_names[b] : "?";
}

const char *ref_defect_text(enum ref_defect_bit b)
{
	return (unsigned)b < _REF_DEFECT_MAX ? defect_texts[b] : "?";
}

const char *ref_decision_name(enum ref_decision d)
{
	switch (d) {
	case REF_ALLOW: return "allow";
	case REF_EXPLICIT_DENY: return "explicit_deny";
	default: return "implicit_deny";
	}
}

/* ---- text with a "literal" flag per byte ------------------------------- */

/**
 * struct text - policy text after variable substitution
 * @s: the bytes (NUL-terminated)
 * @lit: per byte, 1 when it came from a substituted value or ${*} ${?}:
 *	a `*` or `?` there is the character itself, not a wildcard
 * @len: bytes
 */
struct text {
	char *s;
	unsigned char *lit;
	size_t len, cap;
};

static bool text_put(struct text *t, const char *s, size_t n, unsigned char lit)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *ns = realloc(t->s, cap);
		unsigned char *nl;

		if (!ns)
			return false;
		t->s = ns;
		nl = realloc(t->lit, cap);
		if (!nl)
			return false;
		t->lit = nl;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	memset(t->lit + t->len, lit, n);
	t->len += n;
	t->s[t->len] = '\0';
	return true;
}

static void text_free(struct text *t)
{
	free(t->s);
	free(t->lit);
	*t = (struct text){ 0 };
}

/* ---- the request --------------------------------------------------------- */

enum ptype { P_OTHER, P_ROOT, P_USER, P_ROLE, P_SESSION };

/**
 * struct ref - one case being evaluated
 * @principal, @action, @resource: from the case
 * @context: the case's context object, or NULL
 * @has_boundary: the case has a permission boundary
 * @ptype, @paccount, @prole: what the principal ARN says
 * @touched: REF_DEFECT() bits met so far
 * @oom: an allocation failed
 */
struct ref {
	const char *principal, *action, *resource, *resource_account;
	const json_t *context;
	bool has_boundary;
	enum ptype ptype;
	char paccount[64], prole[256];
	unsigned touched;
	bool oom;
};

/* The six parts of an ARN: "arn", partition, service, region, account, resource. */
struct arn {
	const char *part[6];
	size_t len[6];
};

/* Split at the first five colons; the resource part keeps any further colons. */
static bool arn_split(const char *s, size_t len, struct arn *a)
{
	size_t start = 0, n = 0;

	if (len < 4 || strncmp(s, "arn:", 4))
		return false;
	for (size_t i = 0; i < len && n < 5; i++) {
		if (s[i] == ':') {
			a->part[n] = s + start;
			a->len[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	if (n < 5)
		return false;
	a->part[5] = s + start;
	a->len[5] = len - start;
	return true;
}

static bool part_is(const struct arn *a, int i, const char *lit)
{
	return a->len[i] == strlen(lit) && !strncmp(a->part[i], lit, a->len[i]);
}

static void read_principal(struct ref *r)
{
	struct arn a;
	const char *res;

	r->ptype = P_OTHER;
	if (!arn_split(r->principal, strlen(r->principal), &a) || a.len[4] >= sizeof(r->paccount))
		return;
	memcpy(r->paccount, a.part[4], a.len[4]);
	r->paccount[a.len[4]] = '\0';
	res = a.part[5];
	if (part_is(&a, 2, "iam")) {
		if (!strcmp(res, "root"))
			r->ptype = P_ROOT;
		else if (!strncmp(res, "user/", 5))
			r->ptype = P_USER;
		else if (!strncmp(res, "role/", 5))
			r->ptype = P_ROLE;
	} else if (part_is(&a, 2, "sts") && !strncmp(res, "assumed-role/", 13)) {
		const char *name = res + 13, *slash = strchr(name, '/');
		size_t n = slash ? (size_t)(slash - name) : strlen(name);

		if (n < sizeof(r->prole)) {
			r->ptype = P_SESSION;
			memcpy(r->prole, name, n);
			r->prole[n] = '\0';
		}
	}
}

/* A context key, looked up case-insensitively (keys are; values are not). */
static const json_t *ctx_get(const struct ref *r, const char *key, size_t keylen)
{
	const char *k;
	const json_t *v;

	if (!r->context)
		return NULL;
	json_object_foreach((json_t *)r->context, k, v)
		if (strlen(k) == keylen && !strncasecmp(k, key, keylen))
			return v;
	return NULL;
}

/* A scalar context or policy value as text ("true", "12", "a"). */
static const char *scalar(const json_t *v, char buf[GH_JSON_SCALAR_MAX], size_t *len)
{
	return gh_json_scalar_text(v, buf, len);
}

/* ---- policy variables ---------------------------------------------------- */

static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/*
 * Substitute the variables of @s (when @vars: Version 2012-10-17) into
 * *@out.  A variable resolves to its key's single value; a key that is
 * absent or multivalued ("a multivalued key cannot be a policy variable")
 * takes the default, else the variable is unresolved: returns false.
 */
static bool expand(struct ref *r, const char *s, bool vars, struct text *out)
{
	size_t len = strlen(s), i = 0;
	bool resolved = true;

	out->len = 0;
	if (!text_put(out, "", 0, 0))
		goto oom;
	while (i < len) {
		const char *open = vars ? strstr(s + i, "${") : NULL;
		const char *close = open ? strchr(open, '}') : NULL;
		const char *k, *ke, *comma, *val = NULL;
		char buf[GH_JSON_SCALAR_MAX];
		size_t vlen = 0;

		if (!close) {
			if (!text_put(out, s + i, len - i, 0))
				goto oom;
			break;
		}
		if (!text_put(out, s + i, (size_t)(open - (s + i)), 0))
			goto oom;
		i = (size_t)(close + 1 - s);
		k = open + 2;
		comma = memchr(k, ',', (size_t)(close - k));
		ke = comma ? comma : close;
		trim(&k, &ke);
		if (ke - k == 1 && (*k == '*' || *k == '?' || *k == '$')) {
			if (!text_put(out, k, 1, 1))
				goto oom;
			continue;
		}
		{
			const json_t *v = ctx_get(r, k, (size_t)(ke - k));

			if (v && !json_is_array(v))
				val = scalar(v, buf, &vlen);
		}
		if (!val && comma) {
			const char *d = comma + 1, *de = close;

			trim(&d, &de);
			if (de - d >= 2 && *d == '\'' && de[-1] == '\'') {
				val = d + 1;
				vlen = (size_t)(de - d - 2);
			}
		}
		if (!val) {
			resolved = false;
			continue;
		}
		if (!text_put(out, val, vlen, 1))
			goto oom;
	}
	return resolved;
oom:
	r->oom = true;
	return false;
}

/* ---- wildcards ----------------------------------------------------------- */

/* One character of UTF-8 at @s (of @len > 0 bytes): its code point and size. */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1;
	uint32_t c;

	if (n > len)
		n = 1;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			n = 1;
	c = n == 1 ? s[0] : (uint32_t)(s[0] & (0x7f >> n));
	for (size_t i = 1; i < n; i++)
		c = c << 6 | (s[i] & 0x3f);
	*cp = c;
	return n;
}

static uint32_t fold(uint32_t c, bool nocase)
{
	return nocase && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

enum { G_CHAR, G_STAR, G_ONE };

/*
 * Does @p (bytes @p_off.. of length @plen, flags in @p->lit) match all of
 * @s?  `*` is any run of characters, `?` exactly one character; a dynamic
 * programme over characters, so nothing can blow up.
 */
static bool glob(struct ref *r, const struct text *p, size_t p_off, size_t plen, const char *s,
		 size_t slen, bool nocase)
{
	uint32_t *pc = calloc(plen + 1, sizeof(*pc)), *sc = calloc(slen + 1, sizeof(*sc));
	unsigned char *pk = calloc(plen + 1, 1);
	bool *row = calloc(slen + 1, sizeof(*row)), *next = calloc(slen + 1, sizeof(*next));
	size_t np = 0, ns = 0;
	bool ret = false, qmark = false, wide = false;

	if (!pc || !sc || !pk || !row || !next) {
		r->oom = true;
		goto out;
	}
	for (size_t i = 0; i < plen;) {
		const unsigned char *b = (const unsigned char *)p->s + p_off + i;
		size_t n = utf8_next(b, plen - i, &pc[np]);

		pk[np] = G_CHAR;
		if (!p->lit[p_off + i] && *b == '*')
			pk[np] = G_STAR;
		if (!p->lit[p_off + i] && *b == '?')
			pk[np] = G_ONE, qmark = true;
		np++;
		i += n;
	}
	for (size_t i = 0; i < slen;) {
		size_t n = utf8_next((const unsigned char *)s + i, slen - i, &sc[ns++]);

		wide |= n > 1;
		i += n;
	}
	if (qmark && wide)
		r->touched |= REF_DEFECT(QMARK_UTF8);
	/* row[j]: the pattern so far matches the first j characters of s. */
	row[0] = true;
	for (size_t i = 0; i < np; i++) {
		next[0] = row[0] && pk[i] == G_STAR;
		for (size_t j = 1; j <= ns; j++) {
			if (pk[i] == G_STAR)
				next[j] = row[j] || next[j - 1];
			else if (pk[i] == G_ONE)
				next[j] = row[j - 1];
			else
				next[j] =
				    row[j - 1] && fold(pc[i], nocase) == fold(sc[j - 1], nocase);
		}
		memcpy(row, next, (ns + 1) * sizeof(*row));
	}
	ret = row[ns];
out:
	free(pc);
	free(sc);
	free(pk);
	free(row);
	free(next);
	return ret;
}

static bool glob_text(struct ref *r, const struct text *p, const char *s, bool nocase)
{
	return glob(r, p, 0, p->len, s, strlen(s), nocase);
}

/* A pattern with no variables: every `*` and `?` is a wildcard. */
static bool glob_plain(struct ref *r, const char *pat, const char *s, bool nocase)
{
	struct text t = { 0 };
	bool ret;

	if (!text_put(&t, pat, strlen(pat), 0)) {
		r->oom = true;
		return false;
	}
	ret = glob_text(r, &t, s, nocase);
	text_free(&t);
	return ret;
}

/* ---- typed values -------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Numeric: an integer or a decimal ("-12", "0.5"). */
static bool parse_number(const char *s, double *ret)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (!is_digit(*p))
		return false;
	while (is_digit(*p))
		p++;
	if (*p == '.') {
		if (!is_digit(*++p))
			return false;
		while (is_digit(*p))
			p++;
	}
	if (*p)
		return false;
	*ret = strtod(s, NULL);
	return true;
}

static bool digits(const char **p, int n, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit((*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*ret = v;
	return true;
}

static bool leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(long y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Days from 1970-01-01, counted the long way. */
static long days_since_epoch(long y, int m, int d)
{
	long days = 0;

	for (long k = 1970; k < y; k++)
		days += leap(k) ? 366 : 365;
	for (long k = y; k < 1970; k++)
		days -= leap(k) ? 366 : 365;
	for (int k = 1; k < m; k++)
		days += month_days(y, k);
	return days + d - 1;
}

/*
 * Date: epoch seconds ("1764504000") or ISO 8601: a date, optionally a
 * time (hh:mm[:ss[.fff]]) and a zone (Z, +hh:mm, +hhmm, +hh).  Milliseconds.
 */
static bool parse_date(const char *s, long long *ret)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, zh = 0, zm = 0, sign = 1;
	long long ms = 0;

	if (*p == '-' || is_digit(*p)) {
		const char *q = p + (*p == '-');
		size_t n = strspn(q, "0123456789");

		if (n && !q[n]) {
			if (n > 12)
				return false;
			*ret = strtoll(s, NULL, 10) * 1000;
			return true;
		}
	}
	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
	    !digits(&p, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
		return false;
	if (*p == 'T' || *p == 't') {
		p++;
		if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
			return false;
		if (*p == ':') {
			p++;
			if (!digits(&p, 2, &sec))
				return false;
			if (*p == '.') {
				long long scale = 100;

				if (!is_digit(*++p))
					return false;
				for (; is_digit(*p); p++, scale /= 10)
					ms += (*p - '0') * scale;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return false;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (!digits(&p, 2, &zh))
			return false;
		if (*p == ':')
			p++;
		if (*p && !digits(&p, 2, &zm))
			return false;
		if (zh > 23 || zm > 59)
			return false;
	}
	if (*p)
		return false;
	*ret = (days_since_epoch(y, mo, d) * 86400LL + h * 3600LL + mi * 60LL + sec) * 1000 + ms -
	       sign * (zh * 3600LL + zm * 60LL) * 1000;
	return true;
}

static bool parse_bool(const char *s, bool *ret)
{
	if (!strcasecmp(s, "true"))
		*ret = true;
	else if (!strcasecmp(s, "false"))
		*ret = false;
	else
		return false;
	return true;
}

/**
 * struct net - an address or a CIDR block
 * @v6: family
 * @b: the address bytes (4 or 16 used)
 * @bits: prefix length
 */
struct net {
	bool v6;
	unsigned char b[16];
	int bits;
};

/* "::ffff:a.b.c.d" is the IPv4 address a.b.c.d (RFC 4291 2.5.5.2). */
static void unmap(struct ref *r, struct net *n)
{
	static const unsigned char prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (!n->v6 || memcmp(n->b, prefix, 12) || n->bits < 96)
		return;
	r->touched |= REF_DEFECT(MAPPED_V4);
	memmove(n->b, n->b + 12, 4);
	n->v6 = false;
	n->bits -= 96;
}

static bool parse_net(struct ref *r, const char *s, bool cidr, struct net *n)
{
	char addr[64];
	const char *slash = cidr ? strchr(s, '/') : NULL;
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);

	if (alen >= sizeof(addr))
		return false;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, n->b) == 1)
		n->v6 = false;
	else if (inet_pton(AF_INET6, addr, n->b) == 1)
		n->v6 = true;
	else
		return false;
	n->bits = n->v6 ? 128 : 32;
	if (slash) {
		const char *q = slash + 1;
		int v = 0;

		if (!*q || strspn(q, "0123456789") != strlen(q) || strlen(q) > 3)
			return false;
		for (; *q; q++)
			v = v * 10 + (*q - '0');
		if (v > n->bits)
			return false;
		n->bits = v;
	}
	unmap(r, n);
	return true;
}

static bool net_contains(const struct net *block, const struct net *a)
{
	if (block->v6 != a->v6)
		return false;
	for (int i = 0; i < block->bits; i++) {
		int mask = 0x80 >> (i % 8);

		if ((block->b[i / 8] & mask) != (a->b[i / 8] & mask))
			return false;
	}
	return true;
}

/* ---- condition operators --------------------------------------------------- */

enum base {
	B_STR_EQ,
	B_STR_EQ_IC,
	B_STR_LIKE,
	B_NUM,
	B_DATE,
	B_BOOL,
	B_BINARY,
	B_IP,
	B_ARN,
	B_NULL,
};

enum cmp { C_EQ, C_LT, C_LE, C_GT, C_GE };

static const struct op {
	const char *name;
	enum base base;
	enum cmp cmp;
	bool negated;
} ops[] = {
	{ "StringEquals", B_STR_EQ, C_EQ, false },
	{ "StringNotEquals", B_STR_EQ, C_EQ, true },
	{ "StringEqualsIgnoreCase", B_STR_EQ_IC, C_EQ, false },
	{ "StringNotEqualsIgnoreCase", B_STR_EQ_IC, C_EQ, true },
	{ "StringLike", B_STR_LIKE, C_EQ, false },
	{ "StringNotLike", B_STR_LIKE, C_EQ, true },
	{ "NumericEquals", B_NUM, C_EQ, false },
	{ "NumericNotEquals", B_NUM, C_EQ, true },
	{ "NumericLessThan", B_NUM, C_LT, false },
	{ "NumericLessThanEquals", B_NUM, C_LE, false },
	{ "NumericGreaterThan", B_NUM, C_GT, false },
	{ "NumericGreaterThanEquals", B_NUM, C_GE, false },
	{ "DateEquals", B_DATE, C_EQ, false },
	{ "DateNotEquals", B_DATE, C_EQ, true },
	{ "DateLessThan", B_DATE, C_LT, false },
	{ "DateLessThanEquals", B_DATE, C_LE, false },
	{ "DateGreaterThan", B_DATE, C_GT, false },
	{ "DateGreaterThanEquals", B_DATE, C_GE, false },
	{ "Bool", B_BOOL, C_EQ, false },
	{ "BinaryEquals", B_BINARY, C_EQ, false },
	{ "IpAddress", B_IP, C_EQ, false },
	{ "NotIpAddress", B_IP, C_EQ, true },
	{ "ArnEquals", B_ARN, C_EQ, false },
	{ "ArnLike", B_ARN, C_EQ, false },
	{ "ArnNotEquals", B_ARN, C_EQ, true },
	{ "ArnNotLike", B_ARN, C_EQ, true },
	{ "Null", B_NULL, C_EQ, false },
};

enum set { SET_NONE, SET_ANY, SET_ALL };

/*
 * Keys AWS documents as multivalued ("AWS global condition context keys"
 * and the services' tag keys): a plain operator on them does not hold.
 */
static bool documented_multivalued(const char *key)
{
	static const char *const keys[] = {
		"aws:TagKeys",
		"aws:CalledVia",
		"aws:PrincipalOrgPaths",
		"aws:PrincipalServiceNamesList",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcasecmp(key, keys[i]))
			return true;
	return false;
}

static bool ordered(enum cmp c, int sign)
{
	switch (c) {
	case C_EQ: return sign == 0;
	case C_LT: return sign < 0;
	case C_LE: return sign <= 0;
	case C_GT: return sign > 0;
	default: return sign >= 0;
	}
}

/*
 * ArnEquals / ArnLike: "each of the six colon-delimited components of the
 * ARN is checked separately", wildcards within a part (never across the
 * colons between the first five).  A listed value that is not a six-part
 * ARN has no components to check: it matches nothing, except a lone `*`.
 */
static bool arn_value_match(struct ref *r, const struct text *pat, const char *s)
{
	struct arn pa, sa;
	bool wild = false;

	for (size_t i = 0; i < pat->len; i++)
		wild |= !pat->lit[i] && (pat->s[i] == '*' || pat->s[i] == '?');
	if (!arn_split(pat->s, pat->len, &pa))
		return pat->len == 1 && pat->s[0] == '*' && !pat->lit[0];
	if (!arn_split(s, strlen(s), &sa))
		return false;
	for (int i = 0; i < 6; i++)
		if (wild && sa.len[i] == 0)
			r->touched |= REF_DEFECT(ARN_EMPTY_PART);
	for (int i = 0; i < 6; i++)
		if (!glob(r, pat, (size_t)(pa.part[i] - pat->s), pa.len[i], sa.part[i], sa.len[i],
			  false))
			return false;
	return true;
}

/* Does request value @s match the listed (substituted) value @v under @op? */
static bool value_match(struct ref *r, const struct op *op, const struct text *v, const char *s)
{
	switch (op->base) {
	case B_STR_EQ:
	case B_BINARY: return !strcmp(v->s, s) && strlen(s) == v->len;
	case B_STR_EQ_IC: return !strcasecmp(v->s, s) && strlen(s) == v->len;
	case B_STR_LIKE: return glob_text(r, v, s, false);
	case B_NUM: {
		double a, b;

		return parse_number(s, &a) && parse_number(v->s, &b) &&
		       ordered(op->cmp, (a > b) - (a < b));
	}
	case B_DATE: {
		long long a, b;

		return parse_date(s, &a) && parse_date(v->s, &b) &&
		       ordered(op->cmp, (a > b) - (a < b));
	}
	case B_BOOL: {
		bool a, b;

		return parse_bool(s, &a) && parse_bool(v->s, &b) && a == b;
	}
	case B_IP: {
		struct net a, block;

		return parse_net(r, s, false, &a) && parse_net(r, v->s, true, &block) &&
		       net_contains(&block, &a);
	}
	case B_ARN: return arn_value_match(r, v, s);
	default: return false;
	}
}

/* The listed values of a condition key, each substituted: an array of texts. */
struct listed {
	struct text *v;
	size_t n;
};

static void listed_free(struct listed *l)
{
	for (size_t i = 0; i < l->n; i++)
		text_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Substitute every listed value; false when a variable does not resolve. */
static bool listed_load(struct ref *r, const json_t *vals, bool vars, struct listed *l)
{
	size_t n = json_is_array(vals) ? json_array_size(vals) : 1;
	bool ok = true;

	l->v = calloc(n + 1, sizeof(*l->v));
	l->n = 0;
	if (!l->v) {
		r->oom = true;
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_is_array(vals) ? json_array_get(vals, i) : vals;
		char buf[GH_JSON_SCALAR_MAX], *z;
		size_t len;
		const char *t = scalar(e, buf, &len);

		if (!t)
			return false;
		z = strndup(t, len);
		if (!z) {
			r->oom = true;
			return false;
		}
		ok &= expand(r, z, vars, &l->v[l->n++]);
		free(z);
	}
	return ok;
}

static bool any_listed(struct ref *r, const struct op *op, const struct listed *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (value_match(r, op, &l->v[i], s))
			return true;
	return false;
}

/*
 * One key under one operator (AWS "Condition operators", "...IfExists",
 * "Null", "Single-valued vs. multivalued context keys").
 */
static bool key_holds(struct ref *r, const struct op *op, enum set set, bool ifexists,
		      const char *key, const struct listed *l)
{
	const json_t *v = ctx_get(r, key, strlen(key));
	size_t n = !v ? 0 : json_is_array(v) ? json_array_size(v) : 1;
	bool any = false, all = true;

	if (op->base == B_NULL) {
		/* Null: "true" holds when the key is absent (a key with no value is too). */
		for (size_t i = 0; i < l->n; i++) {
			bool want;

			if (parse_bool(l->v[i].s, &want) && want == (n == 0))
				return true;
		}
		return false;
	}
	if (!v) {
		if (set == SET_ANY) {
			/* ForAnyValue is false on an absent key; IfExists does not change that. */
			if (ifexists)
				r->touched |= REF_DEFECT(ANY_IFEXISTS_ABSENT);
			return false;
		}
		if (ifexists || set == SET_ALL)
			return true;
		return op->negated;
	}
	if (set == SET_NONE && (json_is_array(v) || documented_multivalued(key))) {
		/* "Multivalued context keys require a condition set operator." */
		r->touched |= REF_DEFECT(MULTI_NO_SET);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
		char buf[GH_JSON_SCALAR_MAX], *s;
		size_t len;
		const char *t = scalar(e, buf, &len);
		bool m;

		if (!t || !(s = strndup(t, len)))
			return false;
		m = any_listed(r, op, l, s);
		free(s);
		if (set != SET_NONE && op->negated)
			m = !m;
		any |= m;
		all &= m;
	}
	if (set == SET_ANY)
		return any;
	if (set == SET_ALL)
		return all;
	return op->negated ? !any : any;
}

static const struct op *op_find(const char *name, enum set *set, bool *ifexists)
{
	char base[128];
	size_t n;

	*set = SET_NONE;
	if (!strncasecmp(name, "ForAnyValue:", 12))
		*set = SET_ANY, name += 12;
	else if (!strncasecmp(name, "ForAllValues:", 13))
		*set = SET_ALL, name += 13;
	n = strlen(name);
	*ifexists = n > 8 && !strcasecmp(name + n - 8, "IfExists");
	if (*ifexists)
		n -= 8;
	if (n >= sizeof(base))
		return NULL;
	memcpy(base, name, n);
	base[n] = '\0';
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcasecmp(base, ops[i].name))
			return &ops[i];
	return NULL;
}

/*
 * The Condition block: operators ANDed, keys ANDed, values ORed.  Every
 * value is substituted first: an unresolved variable anywhere (but in an
 * ...IfExists condition whose key is absent) makes the statement not
 * apply (*unresolved).  Returns -EINVAL for an operator the
 * reference does not know.
 */
static int conditions_hold(struct ref *r, const json_t *cond, bool vars, bool *unresolved)
{
	const char *opname, *key;
	const json_t *keys, *vals;
	bool all = true;

	if (!cond)
		return 1;
	json_object_foreach((json_t *)cond, opname, keys) {
		enum set set;
		bool ifexists;
		const struct op *op = op_find(opname, &set, &ifexists);

		if (!op || !json_is_object(keys))
			return -EINVAL;
		json_object_foreach((json_t *)keys, key, vals) {
			struct listed l;

			/*
			 * An ...IfExists condition on an absent key holds without
			 * its values being compared: AWS recommends IfExists "to
			 * prevent variables from causing invalid statements".
			 */
			if (!listed_load(r, vals, vars, &l) &&
			    !(ifexists && !ctx_get(r, key, strlen(key)))) {
				*unresolved = true;
				listed_free(&l);
				continue;
			}
			all &= key_holds(r, op, set, ifexists, key, &l);
			listed_free(&l);
		}
	}
	return all;
}

/* ---- statements ---------------------------------------------------------- */

/* How a statement's Principal names the requester, weakest first. */
enum pmatch {
	PM_NONE,
	PM_ACCOUNT, /* its account: the account then delegates to identity policies */
	PM_ROLE,   /* the role of a session (or "*" for a role): boundary and session still apply */
	PM_DIRECT, /* the principal itself */
};

static bool is_account_id(const char *s)
{
	return strlen(s) == 12 && strspn(s, "0123456789") == 12;
}

/* One value of a Principal's "AWS" list. */
static enum pmatch aws_principal(const struct ref *r, const char *v, bool exclude)
{
	struct arn a;
	const char *acct = NULL;
	char buf[64];

	if (!strcmp(v, "*"))
		return r->ptype == P_SESSION || r->ptype == P_ROLE ? PM_ROLE : PM_DIRECT;
	if (is_account_id(v)) {
		acct = v;
	} else if (arn_split(v, strlen(v), &a) && part_is(&a, 5, "root") &&
		   a.len[4] < sizeof(buf)) {
		memcpy(buf, a.part[4], a.len[4]);
		buf[a.len[4]] = '\0';
		if (is_account_id(buf))
			acct = buf;
	}
	if (acct) {
		/* "arn:aws:iam::123456789012:root" and "123456789012" mean the account. */
		if (strcmp(acct, r->paccount))
			return PM_NONE;
		if (r->ptype == P_ROOT)
			return PM_DIRECT;
		return exclude ? PM_NONE : PM_ACCOUNT;
	}
	if (!strcmp(v, r->principal))
		return r->ptype == P_ROLE ? PM_ROLE : PM_DIRECT;
	/* A role's ARN grants its sessions (limited like the role's own permissions). */
	if (!exclude && r->ptype == P_SESSION && arn_split(v, strlen(v), &a) &&
	    part_is(&a, 2, "iam") && a.len[4] == strlen(r->paccount) &&
	    !strncmp(a.part[4], r->paccount, a.len[4]) && !strncmp(a.part[5], "role/", 5)) {
		const char *last = strrchr(a.part[5], '/') + 1;

		if (!strcmp(last, r->prole))
			return PM_ROLE;
	}
	return PM_NONE;
}

static enum pmatch principal_value(const struct ref *r, const char *type, const char *v,
				   bool exclude)
{
	if (!strcmp(type, "AWS"))
		return aws_principal(r, v, exclude);
	return !strcmp(v, r->principal) ? PM_DIRECT : PM_NONE;
}

static enum pmatch principal_match(const struct ref *r, const json_t *st, bool deny)
{
	const json_t *p = json_object_get(st, "Principal");
	const json_t *np = json_object_get(st, "NotPrincipal");
	const json_t *el = p ? p : np, *vals;
	enum pmatch best = PM_NONE;
	const char *type;

	if (!el)
		return PM_DIRECT; /* identity policies: the principal is whoever holds them */
	if (json_is_string(el)) {
		best = aws_principal(r, "*", np != NULL);
	} else {
		json_object_foreach((json_t *)el, type, vals) {
			size_t n = json_is_array(vals) ? json_array_size(vals) : 1;

			for (size_t i = 0; i < n; i++) {
				const json_t *e =
				    json_is_array(vals) ? json_array_get(vals, i) : vals;
				enum pmatch m =
				    principal_value(r, type, json_string_value(e), np != NULL);

				if (m > best)
					best = m;
			}
		}
	}
	if (!np)
		return best;
	/*
	 * AWS: "NotPrincipal with a Deny effect will always deny any IAM
	 * principal that has a permissions boundary policy attached".
	 */
	if (deny && r->has_boundary)
		return PM_DIRECT;
	return best == PM_NONE ? PM_DIRECT : PM_NONE;
}

/* Does any pattern of Action / NotAction match (case-insensitively)? */
static bool action_matches(struct ref *r, const json_t *st)
{
	const json_t *a = json_object_get(st, "Action");
	const json_t *na = json_object_get(st, "NotAction");
	const json_t *list = a ? a : na;
	size_t n = json_is_array(list) ? json_array_size(list) : 1;
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_is_array(list) ? json_array_get(list, i) : list;

		any |= glob_plain(r, json_string_value(e), r->action, true);
	}
	return a ? any : !any;
}

/* Resource / NotResource after substitution; *unresolved when a variable does not resolve. */
static bool resource_matches(struct ref *r, const json_t *st, bool vars, bool *unresolved)
{
	const json_t *res = json_object_get(st, "Resource");
	const json_t *nres = json_object_get(st, "NotResource");
	const json_t *list = res ? res : nres;
	size_t n = json_is_array(list) ? json_array_size(list) : 1;
	bool any = false;

	if (!list)
		return true; /* a trust policy may name no resource */
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_is_array(list) ? json_array_get(list, i) : list;
		struct text t = { 0 };

		if (expand(r, json_string_value(e), vars, &t))
			any |= glob_text(r, &t, r->resource, false);
		else
			*unresolved = true;
		text_free(&t);
	}
	return res ? any : !any;
}

/**
 * struct slot - what the statements of one part of the policy set said
 * @present: the part exists (a boundary, at least one session policy)
 * @allow: an Allow statement applied
 * @pm: resource part: the strongest principal match among applying Allows
 * @caps: an organization policy (SCP, RCP): its Allows only cap what the
 *	others grant, so they are not listed among the matches
 */
struct slot {
	bool present, allow, caps;
	enum pmatch pm;
};

struct answer {
	struct ref_match allow[REF_MATCHED_MAX], deny[REF_MATCHED_MAX];
	size_t nallow, ndeny;
	bool denied;
};

static void add_match(struct ref_match *list, size_t *n, const char *policy, size_t index,
		      bool deny)
{
	if (*n >= REF_MATCHED_MAX)
		return;
	snprintf(list[*n].policy, sizeof(list[*n].policy), "%s", policy);
	list[*n].index = index;
	list[*n].deny = deny;
	(*n)++;
}

/* Walk every statement of @doc (named @name) into @slot and @ans. */
static int eval_policy(struct ref *r, const json_t *doc, const char *name, struct slot *slot,
		       struct answer *ans)
{
	const json_t *ver = json_object_get(doc, "Version");
	const json_t *stmts = json_object_get(doc, "Statement");
	bool vars = json_is_string(ver) && !strcmp(json_string_value(ver), "2012-10-17");
	size_t n = json_is_array(stmts) ? json_array_size(stmts) : 1;

	slot->present = true;
	for (size_t i = 0; i < n; i++) {
		const json_t *st = json_is_array(stmts) ? json_array_get(stmts, i) : stmts;
		const char *effect = json_string_value(json_object_get(st, "Effect"));
		bool deny = effect && !strcmp(effect, "Deny"), unresolved = false;
		enum pmatch pm;
		int c;

		if (!json_is_object(st) || !effect)
			return -EINVAL;
		if (!action_matches(r, st))
			continue;
		if (!resource_matches(r, st, vars, &unresolved) && !unresolved)
			continue;
		pm = unresolved ? PM_NONE : principal_match(r, st, deny);
		if (!unresolved && pm == PM_NONE)
			continue;
		c = unresolved
			? 0
			: conditions_hold(r, json_object_get(st, "Condition"), vars, &unresolved);
		if (c < 0)
			return c;
		if (unresolved) {
			/* The statement is invalid for this request: neither its Allow nor its
			 * Deny. */
			r->touched |= REF_DEFECT(UNRESOLVED_VAR);
			continue;
		}
		if (!c)
			continue;
		if (deny) {
			ans->denied = true;
			add_match(ans->deny, &ans->ndeny, name, i, true);
		} else {
			slot->allow = true;
			if (pm > slot->pm)
				slot->pm = pm;
			if (!slot->caps)
				add_match(ans->allow, &ans->nallow, name, i, false);
		}
	}
	return 0;
}

/* "policies" or "session_policies": each document, named as simulate names it. */
static int eval_list(struct ref *r, const json_t *c, const char *key, struct slot *slot,
		     struct answer *ans)
{
	const json_t *arr = json_object_get(c, key), *doc;
	size_t i;

	json_array_foreach((json_t *)arr, i, doc) {
		char name[40];
		int ret;

		snprintf(name, sizeof(name), "%s[%zu]", key, i);
		ret = eval_policy(r, doc, name, slot, ans);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The account that owns the resource: given, else the ARN's, else the principal's. */
static bool same_account(const struct ref *r)
{
	struct arn a;
	char acct[64] = "";

	if (r->resource_account) {
		snprintf(acct, sizeof(acct), "%s", r->resource_account);
	} else if (arn_split(r->resource, strlen(r->resource), &a) && a.len[4] &&
		   a.len[4] < sizeof(acct)) {
		memcpy(acct, a.part[4], a.len[4]);
		acct[a.len[4]] = '\0';
	}
	if (!acct[0] || !r->paccount[0])
		return true;
	return !strcmp(acct, r->paccount);
}

static bool lower_prefix(const char *s, const char *lit)
{
	return !strncasecmp(s, lit, strlen(lit));
}

static void decide(struct ref *r, const struct slot sl[4], bool has_resource_policy,
		   struct ref_result *res)
{
	const struct slot *id = &sl[0], *bound = &sl[1], *sess = &sl[2], *rp = &sl[3];
	bool bound_ok = !bound->present || bound->allow;
	bool sess_ok = !sess->present || sess->allow;
	bool id_ok = id->allow && bound_ok && sess_ok;
	enum pmatch rpm = rp->allow ? rp->pm : PM_NONE;
	bool assume = lower_prefix(r->action, "sts:AssumeRole") && strstr(r->resource, ":iam::") &&
		      strstr(r->resource, ":role/");
	bool kms = lower_prefix(r->action, "kms:") && !strncmp(r->resource, "arn:", 4) &&
		   strstr(r->resource, ":kms:") && strstr(r->resource, ":key/");

	res->decision = REF_IMPLICIT_DENY;
	/*
	 * "Role trust policies and KMS key policies are exceptions": they must
	 * allow.  A simulate case without the trust policy is answered from
	 * the identity side, as AWS's policy simulator does.
	 */
	if (assume && !has_resource_policy) {
		r->touched |= REF_DEFECT(ASSUMEROLE_NO_TRUST);
		if (id_ok) {
			res->decision = REF_ALLOW;
			res->reason = REF_REASON_IDENTITY_ALLOW_UNVERIFIED;
		} else {
			res->reason = !id->allow  ? REF_REASON_NO_ALLOW
				      : !bound_ok ? REF_REASON_BOUNDARY
						  : REF_REASON_SESSION;
		}
		return;
	}
	if ((assume || kms) && rpm == PM_NONE) {
		res->reason = kms ? REF_REASON_KEY_POLICY : REF_REASON_TRUST;
		return;
	}
	if (!same_account(r)) {
		/* Cross-account: the identity side and the resource policy must both allow. */
		if (id_ok && rpm != PM_NONE) {
			res->decision = REF_ALLOW;
			res->reason = REF_REASON_CROSS_ACCOUNT_ALLOW;
		} else {
			res->reason = id_ok ? REF_REASON_CROSS_ACCOUNT_NO_RESOURCE
					    : REF_REASON_CROSS_ACCOUNT_NO_IDENTITY;
		}
		return;
	}
	if (rpm == PM_DIRECT || (rpm == PM_ROLE && bound_ok && sess_ok)) {
		res->decision = REF_ALLOW;
		res->reason = REF_REASON_RESOURCE_ALLOW;
	} else if (id_ok) {
		res->decision = REF_ALLOW;
		res->reason = REF_REASON_IDENTITY_ALLOW;
	} else if (!id->allow && rpm != PM_ROLE) {
		res->reason = REF_REASON_NO_ALLOW;
	} else {
		res->reason = !bound_ok ? REF_REASON_BOUNDARY : REF_REASON_SESSION;
	}
}

/*
 * AWS Organizations, "Service control policies (SCPs)" and "Resource
 * control policies (RCPs)": every one of the case's @key list must allow
 * the request (each applies on its own, like each level of the
 * organization); a Deny in any is an explicit deny (recorded in @ans);
 * they never grant.  True when each one allows (or there are none).
 */
static int org_policies_allow(struct ref *r, const json_t *c, const char *key, struct answer *ans,
			      bool *all)
{
	const json_t *arr = json_object_get(c, key), *doc;
	size_t i;

	*all = true;
	json_array_foreach((json_t *)arr, i, doc) {
		struct slot one = { .caps = true };
		char name[40];
		int ret;

		snprintf(name, sizeof(name), "%s[%zu]", key, i);
		ret = eval_policy(r, doc, name, &one, ans);
		if (ret < 0)
			return ret;
		*all &= one.allow;
	}
	return 0;
}

/*
 * RCPs "apply only to" the services of AWS Organizations' "List of AWS
 * services that support RCPs": the action's service prefix decides.
 */
static bool rcp_applies(const char *action)
{
	static const char *const services[] = {
		"s3",  "sts",  "kms",  "sqs",	   "secretsmanager",
		"ecr", "aoss", "logs", "dynamodb", "cognito-identity",
	};
	const char *colon = strchr(action, ':');
	size_t n = colon ? (size_t)(colon - action) : 0;

	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (n == strlen(services[i]) && !strncasecmp(action, services[i], n))
			return true;
	return false;
}

static const char *string_of(const json_t *c, const char *key)
{
	const json_t *v = json_object_get(c, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int ref_eval(const json_t *c, struct ref_result *res)
{
	struct ref r = { 0 };
	struct slot sl[4] = { { 0 } };
	struct answer *ans = calloc(1, sizeof(*ans));
	bool scp_ok = true, rcp_ok = true;
	const json_t *v;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	if (!ans)
		return -ENOMEM;
	r.principal = string_of(c, "principal");
	r.action = string_of(c, "action");
	r.resource = string_of(c, "resource");
	r.resource_account = string_of(c, "resource_account");
	r.context = json_object_get(c, "context");
	r.has_boundary = json_object_get(c, "permission_boundary") != NULL;
	if (!r.principal || !r.action || !r.resource) {
		ret = -EINVAL;
		goto out;
	}
	read_principal(&r);
	/* In the order simulate lists matches: identity, boundary, session, resource. */
	ret = eval_list(&r, c, "policies", &sl[0], ans);
	if (ret == 0 && (v = json_object_get(c, "permission_boundary")))
		ret = eval_policy(&r, v, "permission_boundary", &sl[1], ans);
	if (ret == 0)
		ret = eval_list(&r, c, "session_policies", &sl[2], ans);
	if (ret == 0 && (v = json_object_get(c, "resource_policy")))
		ret = eval_policy(&r, v, "resource_policy", &sl[3], ans);
	if (ret == 0)
		ret = org_policies_allow(&r, c, "service_control_policies", ans, &scp_ok);
	if (ret == 0 && rcp_applies(r.action))
		ret = org_policies_allow(&r, c, "resource_control_policies", ans, &rcp_ok);
	if (ret < 0)
		goto out;
	if (r.oom) {
		ret = -ENOMEM;
		goto out;
	}
	if (ans->denied) {
		res->decision = REF_EXPLICIT_DENY;
		res->reason = REF_REASON_EXPLICIT_DENY;
	} else {
		decide(&r, sl, json_object_get(c, "resource_policy") != NULL, res);
		/* They cap what the others allowed; an implicit deny keeps its own rule. */
		if (res->decision == REF_ALLOW && (!scp_ok || !rcp_ok)) {
			res->decision = REF_IMPLICIT_DENY;
			res->reason = !scp_ok ? REF_REASON_SCP : REF_REASON_RCP;
		}
	}
	/* "You don't need permission to perform this operation", and a Deny does not stop it. */
	if (!strcasecmp(r.action, "sts:GetCallerIdentity")) {
		r.touched |= REF_DEFECT(GET_CALLER_IDENTITY);
		res->decision = REF_ALLOW;
		res->reason = REF_REASON_NO_PERMISSION_NEEDED;
		/* No statement decided it, so none is listed. */
		ans->nallow = 0;
	}
	if (res->decision == REF_EXPLICIT_DENY) {
		memcpy(res->matched, ans->deny, ans->ndeny * sizeof(ans->deny[0]));
		res->nmatched = ans->ndeny;
	} else {
		memcpy(res->matched, ans->allow, ans->nallow * sizeof(ans->allow[0]));
		res->nmatched = ans->nallow;
	}
	res->touched = r.touched;
out:
	free(ans);
	return ret;
}
