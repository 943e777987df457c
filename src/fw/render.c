/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage 5a: IR -> nft text, for people, dry runs and golden tests (nft -c -f
 * accepts it).  Never executed by gatehouse: apply builds netlink objects
 * from the same IR (emit.c), and the namespace tests check both load to
 * the same kernel state.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <string.h>

#include "fw/emit.h"
#include "fw/internal.h"
#include "fw/match.h"

const char *fw_set_type_text(const struct fw_set *s)
{
	bool v6 = s->family == 6;

	switch (s->kind) {
	case FW_SK_ADDR: return v6 ? "ipv6_addr" : "ipv4_addr";
	case FW_SK_ADDR_PORT: return v6 ? "ipv6_addr . inet_service" : "ipv4_addr . inet_service";
	case FW_SK_ADDR_ICMP:
		return v6 ? "ipv6_addr . icmpv6_type . icmpv6_code"
			  : "ipv4_addr . icmp_type . icmp_code";
	case FW_SK_ADDR_PROTO: return v6 ? "ipv6_addr . inet_proto" : "ipv4_addr . inet_proto";
	case FW_SK_PORT: return "inet_service";
	case FW_SK_ICMP: return v6 ? "icmpv6_type . icmpv6_code" : "icmp_type . icmp_code";
	case FW_SK_PROTO: return "inet_proto";
	case FW_SK_IFNAME_VMAP: return "ifname : verdict";
	case FW_SK_ADDR_VMAP: return v6 ? "ipv6_addr : verdict" : "ipv4_addr : verdict";
	}
	return "?";
}

static void range_text(uint32_t lo, uint32_t hi, char *buf, size_t size)
{
	if (lo == hi)
		snprintf(buf, size, "%u", lo);
	else
		snprintf(buf, size, "%u-%u", lo, hi);
}

void fw_elem_format(const struct fw_set *s, const struct fw_elem *e, const struct fw_compiled *c,
		    char *buf, size_t size)
{
	char a[100] = "", k1[24], k2[24];

	if (s->kind == FW_SK_IFNAME_VMAP) {
		snprintf(buf, size, "\"%s\"", e->ifname);
		return;
	}
	if (s->kind <= FW_SK_ADDR_PROTO || s->kind == FW_SK_ADDR_VMAP)
		fw_range_format(s->family, e->alo, e->ahi, a, sizeof(a));
	range_text(e->k1lo, e->k1hi, k1, sizeof(k1));
	range_text(e->k2lo, e->k2hi, k2, sizeof(k2));
	switch (s->kind) {
	case FW_SK_ADDR:
	case FW_SK_ADDR_VMAP: snprintf(buf, size, "%s", a); break;
	case FW_SK_ADDR_PORT:
	case FW_SK_ADDR_PROTO: snprintf(buf, size, "%s . %s", a, k1); break;
	case FW_SK_ADDR_ICMP: snprintf(buf, size, "%s . %s . %s", a, k1, k2); break;
	case FW_SK_ICMP: snprintf(buf, size, "%s . %s", k1, k2); break;
	default: snprintf(buf, size, "%s", k1); break;
	}
}

static void render_set(FILE *f, const struct fw_compiled *c, const struct fw_set *s)
{
	bool map = fw_set_is_vmap(s);

	if (s->taddr)
		fprintf(f, "\tset %s {\n\t\ttypeof @th,64,128\n", s->name);
	else
		fprintf(f, "\t%s %s {\n\t\ttype %s\n", map ? "map" : "set", s->name,
			fw_set_type_text(s));
	if (!map && !s->exact)
		fputs("\t\tflags interval\n", f);
	fprintf(f, "\t\tcomment \"%s\"\n", s->comment);
	if (s->nelems) {
		fputs("\t\telements = { ", f);
		for (size_t i = 0; i < s->nelems; i++) {
			const struct fw_elem *e = &s->elems[i];
			char buf[256];

			if (s->taddr)
				snprintf(buf, sizeof(buf),
					 "0x%016" PRIx64 "%016" PRIx64 "-0x%016" PRIx64
					 "%016" PRIx64,
					 e->alo.hi, e->alo.lo, e->ahi.hi, e->ahi.lo);
			else
				fw_elem_format(s, e, c, buf, sizeof(buf));
			fprintf(f, "%s%s comment \"%s\"", i ? ",\n\t\t\t     " : "", buf,
				e->comment);
			if (map)
				fprintf(f, " : jump %s", c->chains[e->chain].name);
		}
		fputs(" }\n", f);
	}
	fputs("\t}\n\n", f);
}

static void render_chain(FILE *f, const struct fw_compiled *c, const struct fw_chain *ch)
{
	fprintf(f, "\tchain %s {\n", ch->name);
	if (ch->base)
		fprintf(f, "\t\ttype filter hook %s priority filter; policy %s;\n",
			fw_chain_hook_name(ch), ch->fwd || ch->bridge ? "accept" : "drop");
	fprintf(f, "\t\tcomment \"%s\"\n", ch->comment);
	for (size_t i = 0; i < ch->nrules; i++) {
		const struct fw_rule *r = &ch->rules[i];
		const struct fw_match_ops *ops = &fw_match_ops[r->match];
		char m[600];
		const char *sep = "";

		ops->render(m, sizeof(m), c, r);
		fprintf(f, "\t\t%s", m);
		if (m[0])
			sep = " ";
		if (r->counter) {
			fprintf(f, "%scounter", sep);
			sep = " ";
		}
		if (ops->verdict >= 0)
			fprintf(f, "%s%s", sep,
				r->drop			    ? "drop"
				: r->ret		    ? "return"
				: ops->verdict == NF_ACCEPT ? "accept"
							    : "drop");
		fprintf(f, " comment \"%s\"\n", r->comment);
	}
	fputs("\t}\n", f);
}

const char *fw_chain_hook_name(const struct fw_chain *ch)
{
	if (ch->bridge)
		return ch->in ? "prerouting" : "postrouting";
	return ch->fwd ? "forward" : ch->in ? "input" : "output";
}

/* One table: the sets and chains of @c in it (@bridge: table bridge gatehouse). */
static void render_table(const struct fw_compiled *c, bool bridge, FILE *f)
{
	bool first = true;

	fprintf(f, "table %s %s {\n\tcomment \"%s\"\n\n", bridge ? "bridge" : "inet", FW_TABLE_NAME,
		bridge ? c->bridge_comment : c->comment);
	for (size_t i = 0; i < c->nsets; i++)
		if (c->sets[i].bridge == bridge)
			render_set(f, c, &c->sets[i]);
	for (size_t i = 0; i < c->nchains; i++) {
		if (c->chains[i].bridge != bridge)
			continue;
		if (!first)
			fputc('\n', f);
		first = false;
		render_chain(f, c, &c->chains[i]);
	}
	fputs("}\n", f);
}

int fw_render(const struct fw_compiled *c, FILE *f)
{
	render_table(c, false, f);
	if (c->bridge_comment) {
		fputc('\n', f);
		render_table(c, true, f);
	}
	return ferror(f) ? -EIO : 0;
}
