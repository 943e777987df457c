/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage: a table as canonical lines, from the IR (through the same nftnl
 * rule builder as apply) and from the kernel (decoded back), so that both
 * sort and compare line by line.  Counter values are left out: they always
 * differ.
 */
#include <errno.h>
#include <linux/netfilter.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/str.h"
#include "fw/emit.h"
#include "fw/kernel_decode.h"
#include "fw/kernel_read.h"
#include "fw/nftnl_cleanup.h"
#include "fw/table_lines.h"

int fw_lines_add(struct fw_lines *l, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int k;

	va_start(ap, fmt);
	k = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (k < 0)
		return -ENOMEM;
	if (FW_VEC_PUSH(l->v, l->n, l->cap, SIZE_MAX / sizeof(char *)) < 0) {
		free(s);
		return -ENOMEM;
	}
	l->v[l->n++] = s;
	return 0;
}

void fw_lines_free(struct fw_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* How libnftnl ends a lookup that the kernel dumps with flags 0. */
#define LOOKUP_NO_FLAGS "0x0 "

/* Expressions of a rule as text, counter values left out (they always differ). */
static void rule_text(struct nftnl_rule *r, char *buf, size_t size)
{
	_cleanup_(nftnl_expr_iter_destroyp) struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	size_t off = 0;

	buf[0] = '\0';
	if (!it)
		return;
	while ((e = nftnl_expr_iter_next(it)) && off < size) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		int k;

		if (!strcmp(name, "counter")) {
			k = snprintf(buf + off, size - off, "[counter] ");
		} else {
			char tmp[512];

			size_t tl;

			nftnl_expr_snprintf(tmp, sizeof(tmp), e, NFTNL_OUTPUT_DEFAULT, 0);
			/* The kernel dumps lookup flags 0, which we never send. */
			tl = strlen(tmp);
			if (!strcmp(name, "lookup") && tl >= GH_LIT_LEN(LOOKUP_NO_FLAGS) &&
			    !strcmp(tmp + tl - GH_LIT_LEN(LOOKUP_NO_FLAGS), LOOKUP_NO_FLAGS))
				tmp[tl - GH_LIT_LEN(LOOKUP_NO_FLAGS)] = '\0';
			k = snprintf(buf + off, size - off, "[%s %s] ", name, tmp);
		}
		if (k < 0)
			break;
		off += (size_t)k;
	}
}

static int rule_line(struct fw_lines *l, unsigned opts, const char *chain, size_t k,
		     const char *text, const char *comment)
{
	if (opts & FW_LINES_NO_INDEX)
		return fw_lines_add(l, "chain %s rule %s comment \"%s\"", chain, text, comment);
	return fw_lines_add(l, "chain %s rule %zu %s comment \"%s\"", chain, k, text, comment);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names of the membership sets of @c, sorted (NULL-safe with @n 0). */
static const char **member_names(const struct fw_compiled *c, size_t *n)
{
	const char **v = calloc(c->nsets + 1, sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < c->nsets; i++)
		if (c->sets[i].membership)
			v[(*n)++] = c->sets[i].name;
	qsort(v, *n, sizeof(*v), cmp_name);
	return v;
}

static bool is_member_name(const char **names, size_t n, const char *name)
{
	return n && bsearch(&name, names, n, sizeof(*names), cmp_name);
}

int fw_lines_of_ir(const struct fw_compiled *c, struct fw_lines *l, unsigned opts)
{
	int r = fw_lines_add(l, "table comment \"%s\"", c->comment);

	for (size_t i = 0; i < c->nsets && r >= 0; i++) {
		const struct fw_set *s = &c->sets[i];

		r = fw_lines_add(l, "set %s type %s flags 0x%x comment \"%s\"", s->name,
				 fw_set_type_text(s), fw_set_flags(s), s->comment);
		if ((opts & FW_LINES_NO_MEMBERS) && s->membership)
			continue;
		for (size_t k = 0; k < s->nelems && r >= 0; k++) {
			char buf[256];

			fw_elem_format(s, &s->elems[k], c, buf, sizeof(buf));
			if (s->kind == FW_SK_IFNAME_VMAP)
				r = fw_lines_add(l, "set %s element %s : jump %s comment \"%s\"",
						 s->name, buf, c->chains[s->elems[k].chain].name,
						 s->elems[k].comment);
			else
				r = fw_lines_add(l, "set %s element %s comment \"%s\"", s->name,
						 buf, s->elems[k].comment);
		}
	}
	for (size_t i = 0; i < c->nchains && r >= 0; i++) {
		const struct fw_chain *ch = &c->chains[i];

		r = fw_lines_add(l, "chain %s%s comment \"%s\"", ch->name,
				 !ch->base ? ""
				 : ch->fwd ? " hook forward prio 0 type filter policy accept"
				 : ch->in  ? " hook input prio 0 type filter policy drop"
					   : " hook output prio 0 type filter policy drop",
				 ch->comment);
		for (size_t k = 0; k < ch->nrules && r >= 0; k++) {
			struct nftnl_rule *nr = fw_rule_build(c, ch, &ch->rules[k]);
			char text[4096];

			if (!nr)
				return -ENOMEM;
			rule_text(nr, text, sizeof(text));
			nftnl_rule_free(nr);
			r = rule_line(l, opts, ch->name, k, text, ch->rules[k].comment);
		}
	}
	return r;
}

/*
 * The lines of kernel set @st: its own, and one per element unless @hide and
 * it is a membership set (named in @member, @nmember of them).
 */
static int set_lines_of_kernel(struct nftnl_set *st, bool hide, const char **member, size_t nmember,
			       struct fw_lines *l)
{
	_cleanup_(fw_kset_done) struct fw_kset k = { 0 };
	char cbuf[FW_COMMENT_MAX + 1];
	int r = fw_kset_load(st, &k);

	fw_kernel_comment(FW_KOBJ_SET, st, cbuf, sizeof(cbuf));
	if (r < 0)
		return r;
	if (!k.known)
		return fw_lines_add(l, "set %s type (not one of gatehouse's) comment \"%s\"",
				    nftnl_set_get_str(st, NFTNL_SET_NAME), cbuf);
	r = fw_lines_add(l, "set %s type %s flags 0x%x comment \"%s\"", k.s.name,
			 fw_set_type_text(&k.s), nftnl_set_get_u32(st, NFTNL_SET_FLAGS), cbuf);
	if (hide && is_member_name(member, nmember, k.s.name))
		return r;
	for (size_t e = 0; e < k.s.nelems && r >= 0; e++) {
		char buf[256];
		const struct fw_elem *fe = &k.s.elems[e];

		fw_elem_format(&k.s, fe, NULL, buf, sizeof(buf));
		if (k.s.kind == FW_SK_IFNAME_VMAP) {
			r = fw_lines_add(l, "set %s element %s : jump %s comment \"%s\"", k.s.name,
					 buf, fe->chain_name ? fe->chain_name : "?", fe->comment);
		} else {
			r = fw_lines_add(l, "set %s element %s comment \"%s\"", k.s.name, buf,
					 fe->comment);
		}
	}
	return r;
}

/* " hook input prio 0 type filter policy drop" of base chain @ch, into @buf. */
static const char *chain_hook_text(struct nftnl_chain *ch, char *buf, size_t size)
{
	uint32_t hook = nftnl_chain_get_u32(ch, NFTNL_CHAIN_HOOKNUM);

	snprintf(buf, size, " hook %s prio %d type %s%s",
		 hook == NF_INET_LOCAL_IN    ? "input"
		 : hook == NF_INET_LOCAL_OUT ? "output"
		 : hook == NF_INET_FORWARD   ? "forward"
					     : "(another hook)",
		 nftnl_chain_get_s32(ch, NFTNL_CHAIN_PRIO),
		 nftnl_chain_is_set(ch, NFTNL_CHAIN_TYPE)
		     ? nftnl_chain_get_str(ch, NFTNL_CHAIN_TYPE)
		     : "?",
		 nftnl_chain_get_u32(ch, NFTNL_CHAIN_POLICY) == NF_DROP ? " policy drop"
									: " policy accept");
	return buf;
}

/* The lines of kernel chain @ch and of its rules in @s. */
static int chain_lines_of_kernel(const struct fw_snapshot *s, struct nftnl_chain *ch, unsigned opts,
				 struct fw_lines *l)
{
	const char *name = nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME);
	char hook[160], cbuf[FW_COMMENT_MAX + 1];
	size_t k = 0;
	int r = fw_lines_add(l, "chain %s%s comment \"%s\"", name,
			     nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM)
				 ? chain_hook_text(ch, hook, sizeof(hook))
				 : "",
			     fw_kernel_comment(FW_KOBJ_CHAIN, ch, cbuf, sizeof(cbuf)));

	for (size_t j = 0; j < s->nrules && r >= 0; j++) {
		char text[4096];

		if (strcmp(nftnl_rule_get_str(s->rules[j], NFTNL_RULE_CHAIN), name))
			continue;
		rule_text(s->rules[j], text, sizeof(text));
		r = rule_line(l, opts, name, k++, text,
			      fw_kernel_comment(FW_KOBJ_RULE, s->rules[j], cbuf, sizeof(cbuf)));
	}
	return r;
}

int fw_lines_of_kernel(const struct fw_snapshot *s, const struct fw_compiled *c, unsigned opts,
		       struct fw_lines *l)
{
	bool hide = opts & FW_LINES_NO_MEMBERS;
	char cbuf[FW_COMMENT_MAX + 1];
	size_t nmember = 0;
	_cleanup_free_ const char **member = hide ? member_names(c, &nmember) : NULL;
	int r = fw_lines_add(l, "table comment \"%s\"",
			     fw_kernel_comment(FW_KOBJ_TABLE, s->table, cbuf, sizeof(cbuf)));

	if (hide && !member)
		return -ENOMEM;
	for (size_t i = 0; i < s->nsets && r >= 0; i++)
		r = set_lines_of_kernel(s->sets[i], hide, member, nmember, l);
	for (size_t i = 0; i < s->nchains && r >= 0; i++)
		r = chain_lines_of_kernel(s, s->chains[i], opts, l);
	return r;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void fw_lines_sort(struct fw_lines *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(char *), cmp_line);
}

long fw_lines_diff(const struct fw_lines *want, const struct fw_lines *have, struct fw_lines *out)
{
	size_t a = 0, b = 0;
	long nd = 0;

	while (a < want->n || b < have->n) {
		int cm = a >= want->n ? 1 : b >= have->n ? -1 : strcmp(want->v[a], have->v[b]);
		int r = 0;

		if (!cm) {
			a++;
			b++;
			continue;
		}
		nd++;
		if (out)
			r = cm < 0 ? fw_lines_add(out, "+ %s", want->v[a])
				   : fw_lines_add(out, "- %s", have->v[b]);
		if (r < 0)
			return r;
		if (cm < 0)
			a++;
		else
			b++;
	}
	return nd;
}

long fw_lines_diff_table(const struct fw_compiled *c, const struct fw_snapshot *s, unsigned opts,
			 struct fw_lines *out)
{
	_cleanup_(fw_lines_free) struct fw_lines want = { 0 };
	_cleanup_(fw_lines_free) struct fw_lines have = { 0 };
	int r = fw_lines_of_ir(c, &want, opts);

	if (r >= 0 && s)
		r = fw_lines_of_kernel(s, c, opts, &have);
	if (r < 0)
		return r;
	fw_lines_sort(&want);
	fw_lines_sort(&have);
	return fw_lines_diff(&want, &have, out);
}
