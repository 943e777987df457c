/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage: a table as canonical lines, from the IR (through the same nftnl
 * rule builder as apply) and from the kernel (decoded back), so that both
 * sort and compare line by line.  Counter values are left out: they always
 * differ.
 */
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter_bridge.h>
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
#include "fw/rule_nft.h"
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

/*
 * Each line is its canonical text (what compares and sorts), FW_LINE_SHOW,
 * then the same object in nft syntax (what is printed): the nft text is a
 * function of the canonical one, so it changes no comparison.
 */
#define FW_LINE_SHOW "\x1f"
#define NFT_T "%s " FW_TABLE_NAME

/*
 * Lines of table bridge gatehouse start with "bridge " (canonical and nft
 * text alike), those of table inet gatehouse with nothing / "inet ".
 */
static const char *tpre(bool bridge)
{
	return bridge ? "bridge " : "";
}

static const char *tfam(bool bridge)
{
	return bridge ? "bridge" : "inet";
}

/* Rule @nr, @k-th of @chain, as a line. */
static int rule_line(struct fw_lines *l, unsigned opts, bool bridge, const char *chain, size_t k,
		     struct nftnl_rule *nr, const char *comment)
{
	char text[4096], nft[4096], pos[32] = "";

	rule_text(nr, text, sizeof(text));
	fw_rule_nft(nr, nft, sizeof(nft));
	if (!(opts & FW_LINES_NO_INDEX))
		snprintf(pos, sizeof(pos), "%zu ", k);
	return fw_lines_add(l,
			    "%schain %s rule %s%s comment \"%s\"" FW_LINE_SHOW "rule " NFT_T
			    " %s %s%s%s comment \"%s\"",
			    tpre(bridge), chain, pos, text, comment, tfam(bridge), chain,
			    pos[0] ? "index " : "", pos, nft, comment);
}

/* Set @name's line: @type NULL for a type that is not one of ours. */
static int set_line(struct fw_lines *l, bool bridge, const char *name, const char *type,
		    uint32_t flags, const char *comment)
{
	if (!type)
		return fw_lines_add(l,
				    "%sset %s type (not one of gatehouse's) comment "
				    "\"%s\"" FW_LINE_SHOW "set " NFT_T
				    " %s { comment \"%s\" } # a key type gatehouse never writes",
				    tpre(bridge), name, comment, tfam(bridge), name, comment);
	return fw_lines_add(l,
			    "%sset %s type %s flags 0x%x comment \"%s\"" FW_LINE_SHOW "%s " NFT_T
			    " %s { type %s;%s%s%s comment \"%s\" }",
			    tpre(bridge), name, type, flags, comment,
			    flags & NFT_SET_MAP ? "map" : "set", tfam(bridge), name, type,
			    flags & NFT_SET_INTERVAL ? " flags interval;" : "",
			    flags & NFT_SET_CONSTANT ? " flags constant;" : "",
			    flags & NFT_SET_TIMEOUT ? " flags timeout;" : "", comment);
}

/* An element line: @elem formatted, @jump the chain of a verdict map's (or NULL). */
static int elem_line(struct fw_lines *l, bool bridge, const char *set, const char *elem,
		     const char *jump, const char *comment)
{
	if (jump)
		return fw_lines_add(l,
				    "%sset %s element %s : jump %s comment \"%s\"" FW_LINE_SHOW
				    "element " NFT_T " %s { %s comment \"%s\" : jump %s }",
				    tpre(bridge), set, elem, jump, comment, tfam(bridge), set, elem,
				    comment, jump);
	return fw_lines_add(l,
			    "%sset %s element %s comment \"%s\"" FW_LINE_SHOW "element " NFT_T
			    " %s { %s comment \"%s\" }",
			    tpre(bridge), set, elem, comment, tfam(bridge), set, elem, comment);
}

/*
 * A chain line; @hook NULL for a regular chain, else its hook name with
 * @prio, @type and policy @drop.
 */
static int chain_line(struct fw_lines *l, bool bridge, const char *name, const char *hook, int prio,
		      const char *type, bool drop, const char *comment)
{
	char prio_text[16];
	/* nft's "filter" priority: 0 in the inet family, -200 in the bridge family. */
	bool filter = prio == (bridge ? FW_BRIDGE_PRIO : 0);

	if (!hook)
		return fw_lines_add(l,
				    "%schain %s comment \"%s\"" FW_LINE_SHOW "chain " NFT_T
				    " %s { comment \"%s\" }",
				    tpre(bridge), name, comment, tfam(bridge), name, comment);
	snprintf(prio_text, sizeof(prio_text), "%d", prio);
	return fw_lines_add(l,
			    "%schain %s hook %s prio %d type %s policy %s comment "
			    "\"%s\"" FW_LINE_SHOW "chain " NFT_T
			    " %s { type %s hook %s priority %s; policy %s; comment \"%s\" }",
			    tpre(bridge), name, hook, prio, type, drop ? "drop" : "accept", comment,
			    tfam(bridge), name, type, hook, filter ? "filter" : prio_text,
			    drop ? "drop" : "accept", comment);
}

static int table_line(struct fw_lines *l, bool bridge, const char *comment)
{
	return fw_lines_add(l,
			    "%stable comment \"%s\"" FW_LINE_SHOW "table " NFT_T
			    " { comment \"%s\" }",
			    tpre(bridge), comment, tfam(bridge), comment);
}

const char *fw_line_text(const char *line)
{
	const char *show = strstr(line, FW_LINE_SHOW);

	return show ? show + GH_LIT_LEN(FW_LINE_SHOW) : line;
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
	int r = table_line(l, false, c->comment);

	if (r >= 0 && c->bridge_comment)
		r = table_line(l, true, c->bridge_comment);
	for (size_t i = 0; i < c->nsets && r >= 0; i++) {
		const struct fw_set *s = &c->sets[i];

		r = set_line(l, s->bridge, s->name, fw_set_type_text(s), fw_set_flags(s),
			     s->comment);
		if ((opts & FW_LINES_NO_MEMBERS) && s->membership)
			continue;
		for (size_t k = 0; k < s->nelems && r >= 0; k++) {
			char buf[256];

			fw_elem_format(s, &s->elems[k], c, buf, sizeof(buf));
			r = elem_line(l, s->bridge, s->name, buf,
				      fw_set_is_vmap(s) ? c->chains[s->elems[k].chain].name : NULL,
				      s->elems[k].comment);
		}
	}
	for (size_t i = 0; i < c->nchains && r >= 0; i++) {
		const struct fw_chain *ch = &c->chains[i];

		r = chain_line(l, ch->bridge, ch->name, ch->base ? fw_chain_hook_name(ch) : NULL,
			       ch->bridge ? FW_BRIDGE_PRIO : 0, "filter",
			       ch->base && !ch->fwd && !ch->bridge, ch->comment);
		for (size_t k = 0; k < ch->nrules && r >= 0; k++) {
			struct nftnl_rule *nr = fw_rule_build(c, ch, &ch->rules[k]);

			if (!nr)
				return -ENOMEM;
			r = rule_line(l, opts, ch->bridge, ch->name, k, nr, ch->rules[k].comment);
			nftnl_rule_free(nr);
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
	bool bridge = nftnl_set_get_u32(st, NFTNL_SET_FAMILY) == NFPROTO_BRIDGE;

	fw_kernel_comment(FW_KOBJ_SET, st, cbuf, sizeof(cbuf));
	if (r < 0)
		return r;
	if (!k.known)
		return set_line(l, bridge, nftnl_set_get_str(st, NFTNL_SET_NAME), NULL, 0, cbuf);
	r = set_line(l, bridge, k.s.name, fw_set_type_text(&k.s),
		     nftnl_set_get_u32(st, NFTNL_SET_FLAGS), cbuf);
	/* Membership sets are inet only. */
	if (hide && !bridge && is_member_name(member, nmember, k.s.name))
		return r;
	for (size_t e = 0; e < k.s.nelems && r >= 0; e++) {
		char buf[256];
		const struct fw_elem *fe = &k.s.elems[e];

		fw_elem_format(&k.s, fe, NULL, buf, sizeof(buf));
		r = elem_line(l, bridge, k.s.name, buf,
			      fw_set_is_vmap(&k.s) ? (fe->chain_name ? fe->chain_name : "?") : NULL,
			      fe->comment);
	}
	return r;
}

/* The hook name of base chain @ch (of table bridge gatehouse: @bridge). */
static const char *chain_hook_name(struct nftnl_chain *ch, bool bridge)
{
	uint32_t hook = nftnl_chain_get_u32(ch, NFTNL_CHAIN_HOOKNUM);

	if (bridge)
		return hook == NF_BR_PRE_ROUTING    ? "prerouting"
		       : hook == NF_BR_POST_ROUTING ? "postrouting"
						    : "(another hook)";
	return hook == NF_INET_LOCAL_IN	   ? "input"
	       : hook == NF_INET_LOCAL_OUT ? "output"
	       : hook == NF_INET_FORWARD   ? "forward"
					   : "(another hook)";
}

/* The lines of kernel chain @ch and of its rules in @s. */
static int chain_lines_of_kernel(const struct fw_snapshot *s, struct nftnl_chain *ch, unsigned opts,
				 struct fw_lines *l)
{
	const char *name = nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME);
	char cbuf[FW_COMMENT_MAX + 1];
	size_t k = 0;
	bool base = nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM);
	uint32_t family = nftnl_chain_get_u32(ch, NFTNL_CHAIN_FAMILY);
	bool bridge = family == NFPROTO_BRIDGE;
	int r = chain_line(l, bridge, name, base ? chain_hook_name(ch, bridge) : NULL,
			   nftnl_chain_get_s32(ch, NFTNL_CHAIN_PRIO),
			   nftnl_chain_is_set(ch, NFTNL_CHAIN_TYPE)
			       ? nftnl_chain_get_str(ch, NFTNL_CHAIN_TYPE)
			       : "?",
			   nftnl_chain_get_u32(ch, NFTNL_CHAIN_POLICY) == NF_DROP,
			   fw_kernel_comment(FW_KOBJ_CHAIN, ch, cbuf, sizeof(cbuf)));

	for (size_t j = 0; j < s->nrules && r >= 0; j++) {
		if (strcmp(nftnl_rule_get_str(s->rules[j], NFTNL_RULE_CHAIN), name) ||
		    nftnl_rule_get_u32(s->rules[j], NFTNL_RULE_FAMILY) != family)
			continue;
		r = rule_line(l, opts, bridge, name, k++, s->rules[j],
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
	int r =
	    table_line(l, false, fw_kernel_comment(FW_KOBJ_TABLE, s->table, cbuf, sizeof(cbuf)));

	if (r >= 0 && s->btable)
		r = table_line(l, true,
			       fw_kernel_comment(FW_KOBJ_TABLE, s->btable, cbuf, sizeof(cbuf)));
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
			r = cm < 0 ? fw_lines_add(out, "+ %s", fw_line_text(want->v[a]))
				   : fw_lines_add(out, "- %s", fw_line_text(have->v[b]));
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
