/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage 4: the nftables IR of one host.
 *
 *   table inet gatehouse
 *     chain input/output   base chains, policy drop: conntrack, loopback,
 *                          ICMPv6 ND/RA, DHCP client, then one verdict map
 *                          jump per interface, then a counted drop
 *     chain in_<if>/out_<if>  a constant number of set lookups:
 *                          ip saddr . tcp dport @in_<if>_tcp4 accept, ...
 *                          and per referenced group:
 *                          ip saddr @grp_<g>_4 tcp dport @in_<if>_<g>_tcp accept
 *     set grp_<g>_4/_6     group membership (updated alone)
 *     chain forward        only with guests, policy accept (traffic touching
 *                          no guest port is not ours): conntrack, then
 *                          iifname vmap @fwd_out_ifaces (the source guest's
 *                          egress: anti-spoofing, rules that return, a
 *                          counted drop), then oifname vmap @fwd_in_ifaces
 *                          (the destination guest's ingress: rules that
 *                          accept, a counted drop).  Guest to guest on this
 *                          host passes both, as between two instances.
 *                          Bridged guest ports (br_netfilter names their
 *                          frames after the bridge) by address instead:
 *                          ip saddr vmap @guest_src_4 (egress), ip daddr
 *                          vmap @guest_dst_4 (ingress), and ip6 alike;
 *                          table bridge gatehouse binds each address to
 *                          its port (compile_bridge.c).
 *     set own_<port>_4/_6  a routed guest port's addresses: what it may send from
 *
 * Packet cost depends on the number of interfaces and of distinct groups
 * referenced as peers, never on the number of CIDR/port rules.  Every rule
 * is split per family: an IPv4 range only lands in an IPv4 set, ICMP only
 * in IPv4 sets, ICMPv6 only in IPv6 sets (never widened).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "fw/compile.h"
#include "fw/internal.h"

enum bucket {
	B_TCP,
	B_UDP,
	B_ICMP,
	B_PROTO,
	_B_MAX,
};

static const char *const bucket_name[_B_MAX] = { "tcp", "udp", "icmp", "proto" };

struct boxvec {
	struct fw_box *v;
	size_t n, cap;
	/* Groups whose rules are in it, for the set's comment (bitmap-free: small list). */
	uint32_t groups[8];
	uint8_t ngroups;
	bool more_groups;
};

/* Rules of one interface and direction, peers by family, before normalising. */
struct dirwork {
	struct boxvec cidr[2][_B_MAX]; /* [family 4/6][bucket] */
	struct {
		uint32_t group;
		struct boxvec key[_B_MAX]; /* icmp: [B_ICMP] holds both (split below) */
		struct boxvec icmp6;
	} * grefs;
	size_t ngrefs, cgrefs;
};

struct cctx {
	const struct fw_ruleset *rs;
	struct fw_compiled *c;
	struct diag_list *dl;
	uint32_t *grpset[2]; /* per group: membership set index + 1, per family */
	bool ret;	     /* building a guest's egress chain: its rules return (fw_rule.ret) */
	const char **glabel; /* per group: its label copied into the compiled arena, or NULL */
};

static void boxvec_note_group(struct boxvec *b, uint32_t g)
{
	for (unsigned i = 0; i < b->ngroups; i++)
		if (b->groups[i] == g)
			return;
	if (b->ngroups < ARRAY_SIZE(b->groups))
		b->groups[b->ngroups++] = g;
	else
		b->more_groups = true;
}

static int boxvec_add(struct boxvec *b, struct fw_addr lo, struct fw_addr hi, uint32_t klo,
		      uint32_t khi, uint32_t origin, uint32_t group)
{
	int r = FW_VEC_PUSH(b->v, b->n, b->cap, FW_SET_ELEMS_MAX);

	if (r < 0)
		return r;
	b->v[b->n++] = (struct fw_box){ lo, hi, klo, khi, origin };
	boxvec_note_group(b, group);
	return 0;
}

static void dirwork_free(struct dirwork *w)
{
	for (int f = 0; f < 2; f++)
		for (int b = 0; b < _B_MAX; b++)
			free(w->cidr[f][b].v);
	for (size_t i = 0; i < w->ngrefs; i++) {
		for (int b = 0; b < _B_MAX; b++)
			free(w->grefs[i].key[b].v);
		free(w->grefs[i].icmp6.v);
	}
	free(w->grefs);
	memset(w, 0, sizeof(*w));
}

/* "sg-0web, sg-0ssh" from a boxvec's group list. */
static const char *groups_text(const struct cctx *x, const uint32_t *g, unsigned n, bool more)
{
	char buf[FW_COMMENT_MAX];
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && off < sizeof(buf); i++) {
		int k = snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? ", " : "",
				 fw_group_label(&x->rs->groups[g[i]]));
		if (k < 0)
			break;
		off += (size_t)k;
	}
	if (more && off < sizeof(buf))
		snprintf(buf + off, sizeof(buf) - off, ", ...");
	return fw_comment(&x->c->arena, "%s", buf);
}

/* Key range of a permission in its bucket; ICMP flattened to type << 8 | code. */
static enum bucket perm_key(const struct fw_perm *p, uint32_t *lo, uint32_t *hi)
{
	switch (p->proto) {
	case FW_P_TCP:
	case FW_P_UDP:
		*lo = (uint32_t)p->lo;
		*hi = (uint32_t)p->hi;
		return p->proto == FW_P_TCP ? B_TCP : B_UDP;
	case FW_P_ICMP:
	case FW_P_ICMPV6:
		if (p->lo < 0) {
			*lo = 0;
			*hi = 0xffff;
		} else if (p->hi < 0) {
			*lo = (uint32_t)p->lo << 8;
			*hi = (uint32_t)p->lo << 8 | 0xff;
		} else {
			*lo = *hi = (uint32_t)p->lo << 8 | (uint32_t)p->hi;
		}
		return B_ICMP;
	case FW_P_OTHER: *lo = *hi = p->protonum; return B_PROTO;
	default:
		*lo = 0;
		*hi = 255;
		return B_PROTO;
	}
}

/* May a peer of family @fam (4/6) carry permission @p?  Never widen. */
static bool family_ok(const struct fw_perm *p, int fam)
{
	if (p->proto == FW_P_ICMP)
		return fam == 4;
	if (p->proto == FW_P_ICMPV6)
		return fam == 6;
	return true;
}

static int add_cidr(struct dirwork *w, const struct fw_perm *p, uint32_t origin,
		    const struct gh_cidr *cidr)
{
	int fam = cidr->family == GH_INET4 ? 4 : 6;
	struct fw_addr lo, hi;
	uint32_t klo, khi;
	enum bucket b = perm_key(p, &klo, &khi);

	if (!family_ok(p, fam))
		return 0;
	fw_cidr_range(cidr, &lo, &hi);
	return boxvec_add(&w->cidr[fam == 6][b], lo, hi, klo, khi, origin, p->group);
}

static int add_group_peer(struct dirwork *w, const struct fw_perm *p, uint32_t origin, uint32_t g)
{
	struct fw_addr zero = { 0, 0 };
	uint32_t klo, khi;
	enum bucket b = perm_key(p, &klo, &khi);
	size_t i;

	for (i = 0; i < w->ngrefs; i++)
		if (w->grefs[i].group == g)
			break;
	if (i == w->ngrefs) {
		int r = FW_VEC_PUSH(w->grefs, w->ngrefs, w->cgrefs, FW_GROUPS_MAX);

		if (r < 0)
			return r;
		memset(&w->grefs[i], 0, sizeof(w->grefs[i]));
		w->grefs[i].group = g;
		w->ngrefs++;
	}
	if (p->proto == FW_P_ICMPV6)
		return boxvec_add(&w->grefs[i].icmp6, zero, zero, klo, khi, origin, p->group);
	return boxvec_add(&w->grefs[i].key[b], zero, zero, klo, khi, origin, p->group);
}

static int collect(struct cctx *x, const struct fw_iface *ifc, bool in, struct dirwork *w)
{
	const struct fw_ruleset *rs = x->rs;

	for (size_t gi = 0; gi < ifc->ngroups; gi++) {
		const struct fw_group *g = &rs->groups[ifc->groups[gi]];
		bool dup = false;

		for (size_t j = 0; j < gi; j++)
			dup |= ifc->groups[j] == ifc->groups[gi];
		if (dup)
			continue;
		for (size_t pi = 0; pi < g->nperms; pi++) {
			uint32_t origin = (uint32_t)(g->first_perm + pi);
			const struct fw_perm *p = &rs->perms[origin];

			if (p->egress == in)
				continue;
			for (size_t k = 0; k < p->npeers; k++) {
				const struct fw_peer *peer = &p->peers[k];
				int r = 0;

				switch (peer->kind) {
				case FW_PEER_CIDR: r = add_cidr(w, p, origin, &peer->cidr); break;
				case FW_PEER_PLIST: {
					const struct fw_plist *pl = &rs->plists[peer->ref];

					for (size_t c = 0; c < pl->ncidrs && r >= 0; c++)
						r = add_cidr(w, p, origin, &pl->cidrs[c]);
					break;
				}
				case FW_PEER_GROUP:
					r = add_group_peer(w, p, origin, peer->ref);
					break;
				}
				if (r < 0)
					return r;
			}
		}
	}
	return 0;
}

static int cmp_member(const void *a, const void *b)
{
	const struct fw_member *x = a, *y = b;

	if (x->addr.family != y->addr.family)
		return x->addr.family < y->addr.family ? -1 : 1;
	return memcmp(x->addr.addr, y->addr.addr, 16);
}

/* grp_<g>_4 / grp_<g>_6: every address of every interface carrying @g. */
/*
 * The elements of membership set @s (family @fam) from the @n members @m of
 * its group, sorted: one per address, named after its host and interface.
 */
static int member_elems(struct cctx *x, struct fw_set *s, int fam, const struct fw_member *m,
			size_t n)
{
	struct fw_compiled *c = x->c;

	for (size_t i = 0; i < n; i++) {
		const struct fw_member *mm = &m[i];
		const struct fw_host *h = &x->rs->hosts[mm->host];
		const char *ifname = h->ifaces[mm->iface].name;
		struct fw_elem *e;
		int r;

		if (mm->addr.family != (fam == 4 ? GH_INET4 : GH_INET6))
			continue;
		/* One address on several interfaces: one element. */
		if (i && !cmp_member(&m[i - 1], mm))
			continue;
		r = FW_VEC_PUSH(s->elems, s->nelems, s->celems, FW_SET_ELEMS_MAX);
		if (r < 0)
			return r;
		e = &s->elems[s->nelems++];
		memset(e, 0, sizeof(*e));
		e->alo = e->ahi = fw_addr_from_bytes(fam, mm->addr.addr);
		if (h->ifaces[mm->iface].guest)
			e->comment =
			    fw_comment(&c->arena, "%s guest %s %s", h->name ? h->name : "?",
				       h->ifaces[mm->iface].guest, ifname ? ifname : "?");
		else
			e->comment = fw_comment(&c->arena, "%s %s", h->name ? h->name : "?",
						ifname ? ifname : "?");
		if (!e->comment)
			return -ENOMEM;
	}
	return 0;
}

/* The membership sets (IPv4, IPv6) of group @g, once per compile. */
static int membership_sets(struct cctx *x, uint32_t g)
{
	const struct fw_group *grp = &x->rs->groups[g];
	struct fw_compiled *c = x->c;
	_cleanup_free_ struct fw_member *m = NULL;
	int r = 0;

	if (x->grpset[0][g])
		return 0;
	m = malloc_multiply(grp->nmembers, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (grp->nmembers)
		memcpy(m, grp->members, grp->nmembers * sizeof(*m));
	qsort(m, grp->nmembers, sizeof(*m), cmp_member);
	for (int f = 0; f < 2 && r >= 0; f++) {
		int fam = f ? 6 : 4;
		char suffix[4] = { '_', f ? '6' : '4', 0 };
		size_t idx;
		struct fw_set *s =
		    fw_c_set_new(c, fw_c_ident(c, "grp_", fw_group_label(grp), suffix), FW_SK_ADDR,
				 (uint8_t)fam,
				 fw_comment(&c->arena, "members of %s%s%s%s (IPv%d)",
					    fw_group_label(grp), grp->name ? " (" : "",
					    grp->name ? grp->name : "", grp->name ? ")" : "", fam),
				 &idx);

		if (!s)
			return -ENOMEM;
		s->membership = true;
		x->grpset[f][g] = (uint32_t)idx + 1;
		r = member_elems(x, s, fam, m, grp->nmembers);
	}
	return r;
}

static const char *dir_word(bool in)
{
	return in ? "inbound" : "outbound";
}

static bool elem_is_point(const struct fw_elem *e)
{
	return !fw_addr_cmp(e->alo, e->ahi) && e->k1lo == e->k1hi && e->k2lo == e->k2hi;
}

/*
 * Move the exact elements of set @idx (the last one created) into a hash
 * set after it when there are at least FW_EXACT_MIN of them.
 */
static int split_exact(struct fw_compiled *c, size_t idx, const char *suffix, const char *ifname,
		       const char *pfx)
{
	size_t points = 0, keep = 0, xidx;
	struct fw_set *s = &c->sets[idx], *xs;
	char xsuffix[32];

	for (size_t i = 0; i < s->nelems; i++)
		points += elem_is_point(&s->elems[i]);
	if (points < FW_EXACT_MIN)
		return 0;
	snprintf(xsuffix, sizeof(xsuffix), "%s_exact", suffix);
	xs = fw_c_set_new(c, fw_c_ident(c, pfx, ifname, xsuffix), s->kind, s->family,
			  fw_comment(&c->arena, "%s (exact matches)", s->comment), &xidx);
	if (!xs)
		return -ENOMEM;
	s = &c->sets[idx]; /* set_new may have moved the array */
	xs->exact = true;
	/* Both halves keep every origin: a count over more than one is shared. */
	xs->origins = s->origins;
	xs->norigins = s->norigins;
	xs->elems = malloc_multiply(points, sizeof(*xs->elems));
	if (!xs->elems)
		return -ENOMEM;
	xs->celems = points;
	for (size_t i = 0; i < s->nelems; i++) {
		if (elem_is_point(&s->elems[i]))
			xs->elems[xs->nelems++] = s->elems[i];
		else
			s->elems[keep++] = s->elems[i];
	}
	s->nelems = keep;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The distinct origins of @bv's boxes as @s's origins (what fw stats maps counts to). */
static int set_origins(struct cctx *x, struct fw_set *s, const struct boxvec *bv)
{
	struct fw_compiled *c = x->c;
	_cleanup_free_ uint32_t *o = malloc_multiply(bv->n ? bv->n : 1, sizeof(*o));
	struct fw_origin *out;
	size_t n = 0;

	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < bv->n; i++)
		o[i] = bv->v[i].origin;
	if (bv->n)
		qsort(o, bv->n, sizeof(*o), cmp_u32);
	for (size_t i = 0; i < bv->n; i++)
		if (!n || o[n - 1] != o[i])
			o[n++] = o[i];
	out = gh_arena_array(&c->arena, n ? n : 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct fw_perm *p = &x->rs->perms[o[i]];

		if (!x->glabel[p->group]) {
			x->glabel[p->group] =
			    gh_arena_strdup(&c->arena, fw_group_label(&x->rs->groups[p->group]));
			if (!x->glabel[p->group])
				return -ENOMEM;
		}
		out[i] = (struct fw_origin){ x->glabel[p->group], p->index, p->egress };
	}
	s->origins = out;
	s->norigins = n;
	return 0;
}

/*
 * The set of CIDR peers of bucket @b and family @f (@bv, normalised), its
 * exact-match split, and a rule in @chain for each of them that holds
 * elements.
 */
static int cidr_sets(struct cctx *x, const struct fw_iface *ifc, bool in, size_t chain,
		     struct boxvec *bv, int b, int f)
{
	static const uint8_t kinds[_B_MAX] = { FW_SK_ADDR_PORT, FW_SK_ADDR_PORT, FW_SK_ADDR_ICMP,
					       FW_SK_ADDR_PROTO };
	struct fw_compiled *c = x->c;
	const char *pfx = in ? "in_" : "out_";
	char suffix[16];
	const char *gtext;
	struct fw_set *s;
	size_t idx;
	int r;

	snprintf(suffix, sizeof(suffix), "_%s%d", bucket_name[b], f ? 6 : 4);
	gtext = groups_text(x, bv->groups, bv->ngroups, bv->more_groups);
	s = fw_c_set_new(c, fw_c_ident(c, pfx, ifc->name, suffix), kinds[b], (uint8_t)(f ? 6 : 4),
			 fw_comment(&c->arena, "%s %s %s IPv%d: %s", dir_word(in), ifc->name,
				    b == B_ICMP ? (f ? "icmpv6" : "icmp") : bucket_name[b],
				    f ? 6 : 4, gtext ? gtext : ""),
			 &idx);
	if (!s)
		return -ENOMEM;
	r = set_origins(x, s, bv);
	if (r >= 0)
		r = fw_normalize(c, s, bv->v, bv->n, x->rs, b == B_ICMP);
	if (r >= 0)
		r = split_exact(c, idx, suffix, ifc->name, pfx);
	/* The interval set (if anything is left in it), then the exact one. */
	for (size_t k = idx; k < c->nsets && r >= 0; k++) {
		if (!c->sets[k].nelems)
			continue;
		r = fw_c_rule_add(c, chain,
				  (struct fw_rule){
				      .match = FW_M_SET,
				      .in = in,
				      .family = (uint8_t)(f ? 6 : 4),
				      .proto = (uint8_t)b,
				      .set = (uint32_t)k,
				      .counter = true,
				      .ret = x->ret,
				      .comment = fw_comment(&c->arena, "%s", c->sets[k].comment) });
	}
	return r;
}

/*
 * The key set of bucket @b (_B_MAX: the ICMPv6 keys) of rules whose peer is
 * group @g (@bv, normalised), and a rule in @chain per family matching it
 * with the group's membership set.
 */
static int group_sets(struct cctx *x, const struct fw_iface *ifc, bool in, size_t chain, uint32_t g,
		      struct boxvec *bv, int b)
{
	static const uint8_t kinds[_B_MAX] = { FW_SK_PORT, FW_SK_PORT, FW_SK_ICMP, FW_SK_PROTO };
	struct fw_compiled *c = x->c;
	const char *glabel = fw_group_label(&x->rs->groups[g]);
	uint8_t kind = b < _B_MAX ? kinds[b] : FW_SK_ICMP;
	int fam_only = b == B_ICMP ? 4 : b == _B_MAX ? 6 : 0;
	char suffix[80], raw[FW_IFNAME_MAX + FW_NAME_LEN_MAX + 4];
	const char *gtext;
	struct fw_set *s;
	size_t idx;
	int r;

	snprintf(suffix, sizeof(suffix), "_%s",
		 b == B_ICMP   ? "icmp4"
		 : b == _B_MAX ? "icmp6"
			       : bucket_name[b]);
	snprintf(raw, sizeof(raw), "%s_%s", ifc->name, glabel);
	gtext = groups_text(x, bv->groups, bv->ngroups, bv->more_groups);
	s = fw_c_set_new(c, fw_c_ident(c, in ? "in_" : "out_", raw, suffix), kind,
			 (uint8_t)fam_only,
			 fw_comment(&c->arena, "%s %s %s %s members of %s: %s", dir_word(in),
				    ifc->name, b == _B_MAX ? "icmpv6" : bucket_name[b],
				    in ? "from" : "to", glabel, gtext ? gtext : ""),
			 &idx);
	if (!s)
		return -ENOMEM;
	r = set_origins(x, s, bv);
	if (r >= 0)
		r = fw_normalize(c, s, bv->v, bv->n, x->rs, b == B_ICMP || b == _B_MAX);
	for (int f = 0; f < 2 && r >= 0; f++) {
		int fam = f ? 6 : 4;

		if (fam_only && fam_only != fam)
			continue;
		r = fw_c_rule_add(c, chain,
				  (struct fw_rule){ .match = FW_M_GROUP_SET,
						    .in = in,
						    .family = (uint8_t)fam,
						    .proto = (uint8_t)(b == _B_MAX ? B_ICMP : b),
						    .set = (uint32_t)idx,
						    .gset = x->grpset[f][g] - 1,
						    .counter = true,
						    .ret = x->ret,
						    .comment = fw_comment(&c->arena, "%s (IPv%d)",
									  s->comment, fam) });
	}
	return r;
}

/* The sets and rules of interface @ifc in direction @in, into @chain. */
static int build_dir(struct cctx *x, const struct fw_iface *ifc, bool in, size_t chain)
{
	_cleanup_(dirwork_free) struct dirwork w = { 0 };
	int r = collect(x, ifc, in, &w);

	for (int b = 0; b < _B_MAX && r >= 0; b++)
		for (int f = 0; f < 2 && r >= 0; f++)
			if (w.cidr[f][b].n)
				r = cidr_sets(x, ifc, in, chain, &w.cidr[f][b], b, f);
	for (size_t i = 0; i < w.ngrefs && r >= 0; i++) {
		uint32_t g = w.grefs[i].group;

		r = membership_sets(x, g);
		/* b == _B_MAX: the ICMPv6 keys. */
		for (int b = 0; b <= _B_MAX && r >= 0; b++) {
			struct boxvec *bv = b < _B_MAX ? &w.grefs[i].key[b] : &w.grefs[i].icmp6;

			if (bv->n)
				r = group_sets(x, ifc, in, chain, g, bv, b);
		}
	}
	return r;
}

/*
 * The default deny at the end of @chain: a counted drop, after a
 * rate-limited log rule when drops are logged.  @in: inbound (ingress);
 * @ifname: the interface, NULL for the base chains.
 */
static int deny_rules(struct cctx *x, size_t chain, bool in, const char *ifname,
		      const char *comment)
{
	struct fw_compiled *c = x->c;
	int r = 0;

	if (c->log_group >= 0)
		r = fw_c_rule_add(c, chain,
				  (struct fw_rule){
				      .match = FW_M_LOG,
				      .in = in,
				      .prefix = fw_comment(&c->arena, "gh %s %s", in ? "in" : "out",
							   ifname ? ifname : "*"),
				      .group = (uint16_t)c->log_group,
				      .comment = fw_comment(&c->arena, "log: %s", comment) });
	if (r >= 0)
		r = fw_c_rule_add(c, chain,
				  (struct fw_rule){ .match = FW_M_DROP,
						    .in = in,
						    .counter = true,
						    .comment = comment });
	return r;
}

static int base_chain(struct cctx *x, bool in, size_t vmap)
{
	struct fw_compiled *c = x->c;
	static const uint8_t fixed[] = { FW_M_CT_OK, FW_M_CT_INVALID, FW_M_LOOPBACK,
					 FW_M_ND,    FW_M_DHCP4,      FW_M_DHCP6 };
	static const char *const why[] = {
		"replies to allowed traffic (stateful, as security groups)",
		"invalid packets",
		"loopback (outside security groups)",
		"ICMPv6 neighbour discovery and router advertisements (outside security groups)",
		"DHCPv4 client (outside security groups)",
		"DHCPv6 client (outside security groups)",
	};
	size_t idx = c->nchains;
	struct fw_chain *ch =
	    fw_c_chain_new(c, in ? "input" : "output", true, in,
			   fw_comment(&c->arena,
				      "%s of host %s: what no security group allows is dropped",
				      dir_word(in), c->host));
	int r;

	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++) {
		r = fw_c_rule_add(c, idx,
				  (struct fw_rule){
				      .match = fixed[i],
				      .in = in,
				      .family =
					  (uint8_t)(fixed[i] == FW_M_ND || fixed[i] == FW_M_DHCP6
							? 6
						    : fixed[i] == FW_M_DHCP4 ? 4
									     : 0),
				      .comment = fw_comment(&c->arena, "%s", why[i]) });
		if (r < 0)
			return r;
	}
	r = fw_c_rule_add(c, idx,
			  (struct fw_rule){
			      .match = FW_M_VMAP,
			      .in = in,
			      .set = (uint32_t)vmap,
			      .comment = fw_comment(&c->arena, "security groups per %s interface",
						    in ? "input" : "output") });
	if (r < 0)
		return r;
	return deny_rules(x, idx, in, NULL, fw_comment(&c->arena, "default deny %s", dir_word(in)));
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	return gh_fnv1a64(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* Everything an element-only update cannot change. */
static uint64_t structure_hash(const struct fw_compiled *c)
{
	uint64_t h = GH_FNV1A64_INIT;

	h = hash_str(h, c->comment);
	if (c->bridge_comment)
		h = hash_str(h, c->bridge_comment);
	for (size_t i = 0; i < c->nsets; i++) {
		const struct fw_set *s = &c->sets[i];

		h = hash_str(h, s->name);
		h = hash_str(h, s->comment);
		h = gh_fnv1a64(h, &s->kind, 1);
		h = gh_fnv1a64(h, &s->family, 1);
		h = gh_fnv1a64(h, &s->membership, 1);
		h = gh_fnv1a64(h, &s->exact, 1);
		/* Hashed only when set: hosts without bridged guests keep their hash. */
		if (s->bridge)
			h = gh_fnv1a64(h, "bridge", 6);
		if (s->membership)
			continue;
		for (size_t k = 0; k < s->nelems; k++) {
			const struct fw_elem *e = &s->elems[k];

			h = gh_fnv1a64(h, &e->alo, sizeof(e->alo));
			h = gh_fnv1a64(h, &e->ahi, sizeof(e->ahi));
			h = gh_fnv1a64(h, &e->k1lo, sizeof(e->k1lo));
			h = gh_fnv1a64(h, &e->k1hi, sizeof(e->k1hi));
			h = gh_fnv1a64(h, &e->k2lo, sizeof(e->k2lo));
			h = gh_fnv1a64(h, &e->k2hi, sizeof(e->k2hi));
			h = hash_str(h, e->ifname);
			h = gh_fnv1a64(h, &e->chain, sizeof(e->chain));
			h = hash_str(h, e->comment);
		}
	}
	for (size_t i = 0; i < c->nchains; i++) {
		const struct fw_chain *ch = &c->chains[i];

		h = hash_str(h, ch->name);
		h = hash_str(h, ch->comment);
		if (ch->fwd)
			h = gh_fnv1a64(h, "forward", 7);
		if (ch->bridge)
			h = gh_fnv1a64(h, "bridge", 6);
		for (size_t k = 0; k < ch->nrules; k++) {
			const struct fw_rule *r = &ch->rules[k];
			uint8_t b[5] = { r->match, r->in, r->family, r->proto, r->counter };

			h = gh_fnv1a64(h, b, sizeof(b));
			/* Hashed only when set: hosts without guests keep their hash. */
			if (r->ret)
				h = gh_fnv1a64(h, "return", 6);
			if (r->drop)
				h = gh_fnv1a64(h, "drop", 4);
			if (r->match == FW_M_LOG) {
				h = hash_str(h, r->prefix);
				h = gh_fnv1a64(h, &r->group, sizeof(r->group));
			}
			h = gh_fnv1a64(h, &r->set, sizeof(r->set));
			h = gh_fnv1a64(h, &r->gset, sizeof(r->gset));
			h = hash_str(h, r->comment);
		}
	}
	return h;
}

static const struct fw_host *host_find(const struct fw_ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->nhosts; i++)
		if (rs->hosts[i].name && !strcmp(rs->hosts[i].name, name))
			return &rs->hosts[i];
	return NULL;
}

/*
 * The chain of @ifc in direction @in and its element in verdict map @vmap
 * (@max elements; SIZE_MAX: no map).
 */
static int iface_chain(struct cctx *x, const struct fw_iface *ifc, bool in, size_t vmap, size_t max,
		       size_t *ret_chain)
{
	struct fw_compiled *c = x->c;
	size_t chain = c->nchains;
	const char *gtext =
	    groups_text(x, ifc->groups, ifc->ngroups > 8 ? 8 : (unsigned)ifc->ngroups,
			ifc->ngroups > 8);
	struct fw_chain *ch;
	struct fw_set *m = vmap == SIZE_MAX ? NULL : &c->sets[vmap];
	struct fw_elem *e;
	int r;

	if (ifc->guest)
		ch = fw_c_chain_new(c, fw_c_ident(c, in ? "in_" : "out_", ifc->name, ""), false, in,
				    fw_comment(&c->arena, "%s of guest %s via %s: %s",
					       in ? "ingress" : "egress", ifc->guest, ifc->name,
					       ifc->ngroups ? gtext : "no security groups"));
	else
		ch = fw_c_chain_new(c, fw_c_ident(c, in ? "in_" : "out_", ifc->name, ""), false, in,
				    fw_comment(&c->arena, "%s via %s: %s", dir_word(in), ifc->name,
					       ifc->ngroups ? gtext : "no security groups"));
	if (!ch)
		return -ENOMEM;
	ch->ifname = gh_arena_strdup(&c->arena, ifc->name);
	if (!ch->ifname)
		return -ENOMEM;
	*ret_chain = chain;
	if (!m)
		return 0; /* a bridged port: reached by address (guest_addr_elems()) */
	r = FW_VEC_PUSH(m->elems, m->nelems, m->celems, max);
	if (r < 0)
		return r;
	e = &m->elems[m->nelems++];
	memset(e, 0, sizeof(*e));
	e->ifname = gh_arena_strdup(&c->arena, ifc->name);
	if (!e->ifname)
		return -ENOMEM;
	e->chain = (uint32_t)chain;
	e->comment = fw_comment(&c->arena, "%s", ifc->name);
	return e->comment ? 0 : -ENOMEM;
}

/* The chain of host interface @ifc in direction @in, its element in @vmap, and its rules. */
static int iface_dir(struct cctx *x, const struct fw_iface *ifc, bool in, size_t vmap)
{
	size_t chain;
	int r = iface_chain(x, ifc, in, vmap, FW_IFACES_PER_HOST_MAX, &chain);

	if (r >= 0)
		r = build_dir(x, ifc, in, chain);
	/* Dropped here rather than by the base chain's drop: the same verdict,
	 * counted per interface for fw stats. */
	if (r >= 0)
		r = deny_rules(x, chain, in, ifc->name,
			       fw_comment(&x->c->arena, "default deny %s via %s", dir_word(in),
					  ifc->name));
	return r;
}

/*
 * Anti-spoofing of routed guest port @ifc into its egress @chain, per
 * family: a source not among the port's own addresses (set own_<port>_4/_6)
 * is dropped; a port without addresses of a family sends none of it.
 */
static int spoof_rules(struct cctx *x, const struct fw_iface *ifc, size_t chain)
{
	struct fw_compiled *c = x->c;
	int r = 0;

	for (int f = 0; f < 2 && r >= 0; f++) {
		int fam = f ? 6 : 4;
		char suffix[4] = { '_', f ? '6' : '4', 0 };
		size_t idx = 0;
		struct fw_set *s = NULL;

		if (fw_c_port_has(ifc, fam)) {
			s = fw_c_set_new(
			    c, fw_c_ident(c, "own_", ifc->name, suffix), FW_SK_ADDR, (uint8_t)fam,
			    fw_comment(&c->arena, "addresses guest %s may send from via %s (IPv%d)",
				       ifc->guest, ifc->name, fam),
			    &idx);
			if (!s)
				return -ENOMEM;
			r = fw_c_port_addrs(c, s, ifc, fam);
			if (r < 0)
				return r;
		}
		r = fw_c_rule_add(c, chain,
				  (struct fw_rule){
				      .match = s ? FW_M_SPOOF : FW_M_FAMILY_DROP,
				      .in = false,
				      .family = (uint8_t)fam,
				      .set = (uint32_t)idx,
				      .counter = true,
				      .comment = fw_comment(&c->arena,
							    s ? "spoofed IPv%d source from %s"
							      : "IPv%d from %s, which has no IPv%d "
								"address",
							    fam, ifc->name, fam) });
	}
	return r;
}

/*
 * Bridged port @ifc's addresses into the address verdict maps @amap[4/6]
 * (guest_src_ or guest_dst_), jumping to @chain.  The bridge table lets
 * only this port send from them, so an address names the port.
 */
static int guest_addr_elems(struct cctx *x, const struct fw_iface *ifc, const size_t amap[2],
			    size_t chain)
{
	for (size_t a = 0; a < ifc->naddrs; a++) {
		int fam = ifc->addrs[a].family == GH_INET6 ? 6 : 4;
		int r;
		struct fw_elem *e =
		    fw_c_elem_new(&x->c->sets[amap[fam == 6]], FW_SET_ELEMS_MAX, &r);

		if (!e)
			return r;
		e->alo = e->ahi = fw_addr_from_bytes(fam, ifc->addrs[a].addr);
		e->chain = (uint32_t)chain;
		e->comment = fw_comment(&x->c->arena, "%s", ifc->name);
		if (!e->comment)
			return -ENOMEM;
	}
	return 0;
}

/*
 * Guest port @ifc: its egress chain (anti-spoofing when routed, then its
 * groups' egress rules, which return to the forward chain, then a counted
 * drop) and its ingress chain (rules that accept, then a counted drop);
 * reached through @vmap[in/out] by port name, or when bridged through
 * @amap[in/out][4/6] by address.
 */
static int guest_port(struct cctx *x, const struct fw_iface *ifc, const size_t vmap[2],
		      const size_t amap[2][2])
{
	struct fw_compiled *c = x->c;
	int r = 0;

	for (int d = 1; d >= 0 && r >= 0; d--) {
		bool in = d == 0;
		size_t chain;

		r = iface_chain(x, ifc, in, ifc->bridge ? SIZE_MAX : vmap[d],
				FW_GUEST_PORTS_PER_HOST_MAX, &chain);
		if (r >= 0 && ifc->bridge)
			r = guest_addr_elems(x, ifc, amap[d], chain);
		else if (r >= 0 && !in)
			r = spoof_rules(x, ifc, chain);
		x->ret = !in;
		if (r >= 0)
			r = build_dir(x, ifc, in, chain);
		x->ret = false;
		if (r >= 0)
			r = deny_rules(x, chain, in, ifc->name,
				       fw_comment(&c->arena, "default deny %s of guest %s via %s",
						  in ? "ingress" : "egress", ifc->guest,
						  ifc->name));
	}
	return r;
}

/*
 * Base chain forward: conntrack, then the source guest's egress, then the
 * destination's ingress: routed ports by interface name, bridged ones by
 * address (@amap, when there are any: br_netfilter names every bridged
 * frame after the bridge, never the port).
 */
static int forward_chain(struct cctx *x, const size_t vmap[2], const size_t amap[2][2],
			 bool bridged)
{
	struct fw_compiled *c = x->c;
	size_t idx = c->nchains;
	struct fw_chain *ch = fw_c_chain_new(c, "forward", true, false,
					     fw_comment(&c->arena,
							"traffic of the guests of host %s: each "
							"guest port is filtered "
							"by its guest's security groups",
							c->host));
	int r;

	if (!ch)
		return -ENOMEM;
	ch->fwd = true;
	r = fw_c_rule_add(c, idx,
			  (struct fw_rule){
			      .match = FW_M_CT_OK,
			      .comment = fw_comment(&c->arena, "replies to allowed traffic "
							       "(stateful, as security groups)") });
	if (r >= 0)
		r = fw_c_rule_add(c, idx,
				  (struct fw_rule){ .match = FW_M_CT_INVALID,
						    .comment =
							fw_comment(&c->arena, "invalid packets") });
	/* Between bridged guests, neighbour discovery passes this hook too, from
	 * the guests' own addresses: outside security groups, as on the host
	 * (hop limit 255 is never a routed packet; the bridge table checked
	 * who may claim what). */
	if (r >= 0 && bridged)
		r = fw_c_rule_add(c, idx,
				  (struct fw_rule){ .match = FW_M_ND,
						    .family = 6,
						    .comment =
							fw_comment(&c->arena,
								   "ICMPv6 neighbour discovery "
								   "between bridged guests "
								   "(outside security groups)") });
	for (int d = 1; d >= 0 && r >= 0; d--) {
		r = fw_c_rule_add(c, idx,
				  (struct fw_rule){
				      .match = FW_M_VMAP,
				      .in = d == 1, /* iifname: the sending guest's egress */
				      .set = (uint32_t)vmap[d],
				      .comment =
					  fw_comment(&c->arena, "security groups per guest %s port",
						     d ? "sending" : "receiving") });
		for (int f = 0; f < 2 && r >= 0 && bridged; f++)
			r = fw_c_rule_add(c, idx,
					  (struct fw_rule){
					      .match = FW_M_ADDR_VMAP,
					      .in = d == 1, /* saddr: the sending guest's egress */
					      .family = (uint8_t)(f ? 6 : 4),
					      .set = (uint32_t)amap[d][f],
					      .comment = fw_comment(&c->arena,
								    "security groups per %s "
								    "bridged guest address",
								    d ? "sending" : "receiving") });
	}
	return r;
}

/* The address verdict maps of bridged guests, [in/out][4/6], into @amap. */
static int guest_addr_maps(struct cctx *x, size_t amap[2][2])
{
	struct fw_compiled *c = x->c;

	for (int d = 0; d < 2; d++)
		for (int f = 0; f < 2; f++) {
			char name[16];
			struct fw_set *s;

			snprintf(name, sizeof(name), "guest_%s_%c", d ? "src" : "dst",
				 f ? '6' : '4');
			s = fw_c_set_new(c, gh_arena_strdup(&c->arena, name), FW_SK_ADDR_VMAP,
					 (uint8_t)(f ? 6 : 4),
					 fw_comment(&c->arena,
						    "%s chain per bridged guest address (IPv%d)",
						    d ? "egress" : "ingress", f ? 6 : 4),
					 &amap[d][f]);
			if (!s)
				return -ENOMEM;
			s->exact = true;
		}
	return 0;
}

/*
 * Sort the address maps, one element per address: an address on two
 * bridged ports of the host is refused when the ruleset is resolved
 * (resolve.c); a ruleset compiled despite errors keeps the first.
 */
static void guest_addr_maps_done(struct cctx *x, size_t amap[2][2])
{
	for (int d = 0; d < 2; d++)
		for (int f = 0; f < 2; f++) {
			struct fw_set *s = &x->c->sets[amap[d][f]];

			if (s->nelems > 1) /* an empty map has no element array */
				qsort(s->elems, s->nelems, sizeof(*s->elems), fw_c_cmp_elem_addr);
			s->nelems = fw_c_dedup_elems(s->elems, s->nelems);
		}
}

/* The guest ports of host @h: their verdict maps (into @vmap and @amap) and chains. */
static int guest_ports(struct cctx *x, const struct fw_host *h, size_t vmap[2], size_t amap[2][2],
		       bool bridged)
{
	struct fw_compiled *c = x->c;
	int r = 0;

	for (int d = 0; d < 2; d++)
		if (!fw_c_set_new(c, d == 0 ? "fwd_in_ifaces" : "fwd_out_ifaces", FW_SK_IFNAME_VMAP,
				  0,
				  fw_comment(&c->arena, "%s chain per guest port",
					     d == 0 ? "ingress" : "egress"),
				  &vmap[d]))
			return -ENOMEM;
	if (bridged)
		r = guest_addr_maps(x, amap);
	c->gports =
	    gh_arena_array(&c->arena, h->nguest_ports ? h->nguest_ports : 1, sizeof(*c->gports));
	if (!c->gports)
		return -ENOMEM;
	for (size_t i = h->nifaces - h->nguest_ports; i < h->nifaces && r >= 0; i++) {
		const struct fw_iface *ifc = &h->ifaces[i];

		c->gports[c->ngports].name = gh_arena_strdup(&c->arena, ifc->name);
		c->gports[c->ngports].bridge =
		    ifc->bridge ? gh_arena_strdup(&c->arena, ifc->bridge) : NULL;
		if (!c->gports[c->ngports++].name ||
		    (ifc->bridge && !c->gports[c->ngports - 1].bridge))
			return -ENOMEM;
		r = guest_port(x, ifc, vmap, amap);
	}
	if (r >= 0 && bridged)
		guest_addr_maps_done(x, amap);
	return r;
}

/* Everything of host @h into x->c. */
static int compile_host(struct cctx *x, const struct fw_host *h)
{
	struct fw_compiled *c = x->c;
	size_t vmap[2], gvmap[2], amap[2][2] = { { 0, 0 }, { 0, 0 } };
	bool bridged = false;
	int r;

	for (size_t i = h->nifaces - h->nguest_ports; i < h->nifaces; i++)
		bridged |= h->ifaces[i].bridge != NULL;

	c->host = gh_arena_strdup(&c->arena, h->name);
	c->comment = fw_comment(&c->arena, "gatehouse: security groups of host %s", h->name);
	if (!c->host || !c->comment)
		return -ENOMEM;
	/* Chains first (the vmaps jump to them), base chains last. */
	for (int d = 0; d < 2; d++) {
		bool in = d == 0;

		if (!fw_c_set_new(c, in ? "in_ifaces" : "out_ifaces", FW_SK_IFNAME_VMAP, 0,
				  fw_comment(&c->arena, "%s chain per interface", dir_word(in)),
				  &vmap[d]))
			return -ENOMEM;
	}
	for (size_t i = 0; i < h->nifaces - h->nguest_ports; i++)
		for (int d = 0; d < 2; d++) {
			r = iface_dir(x, &h->ifaces[i], d == 0, vmap[d]);
			if (r < 0)
				return r;
		}
	if (h->nguest_ports) {
		r = guest_ports(x, h, gvmap, amap, bridged);
		if (r < 0)
			return r;
	}
	for (int d = 0; d < 2; d++) {
		r = base_chain(x, d == 0, vmap[d]);
		if (r < 0)
			return r;
	}
	if (h->nguest_ports) {
		r = forward_chain(x, gvmap, amap, bridged);
		if (r < 0)
			return r;
	}
	if (bridged) {
		r = fw_compile_bridge(c, h);
		if (r < 0)
			return r;
	}
	c->structure_hash = structure_hash(c);
	return 0;
}

static void cctx_done(struct cctx *x)
{
	free(x->grpset[0]);
	free(x->grpset[1]);
	free(x->glabel);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct fw_compiled *, fw_compiled_free)

int fw_compile(const struct fw_ruleset *rs, const char *host, struct fw_compiled **ret,
	       struct diag_list *dl)
{
	return fw_compile_with(rs, host, NULL, ret, dl);
}

int fw_compile_with(const struct fw_ruleset *rs, const char *host, const struct fw_compile_opts *o,
		    struct fw_compiled **ret, struct diag_list *dl)
{
	const struct fw_host *h = host_find(rs, host);
	_cleanup_(fw_compiled_freep) struct fw_compiled *c = NULL;
	_cleanup_(cctx_done) struct cctx x = { rs, NULL, dl, { NULL, NULL }, false, NULL };
	int r;

	if (!h) {
		diag_add(dl, DIAG_ERROR, "--host", "", 0, 0, "no host \"%s\" in the inventory",
			 host);
		return -ENOENT;
	}
	if (o && (o->log_group < -1 || o->log_group > 65535)) {
		diag_add(dl, DIAG_ERROR, "--log-drops", "", 0, 0,
			 "an NFLOG group is 0 to 65535, not %d", o->log_group);
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (c)
		c->log_group = o ? o->log_group : -1;
	x.c = c;
	x.grpset[0] = calloc(rs->ngroups ? rs->ngroups : 1, sizeof(uint32_t));
	x.grpset[1] = calloc(rs->ngroups ? rs->ngroups : 1, sizeof(uint32_t));
	x.glabel = calloc(rs->ngroups ? rs->ngroups : 1, sizeof(*x.glabel));
	r = !c || !x.grpset[0] || !x.grpset[1] || !x.glabel ? -ENOMEM : compile_host(&x, h);
	if (r == -E2BIG)
		diag_add(dl, DIAG_ERROR, "", "", 0, 0,
			 "host %s: ruleset over the compiler's caps (too many elements, "
			 "or ranges overlapping too much to normalise)",
			 host);
	else if (r < 0)
		diag_add(dl, DIAG_ERROR, "", "", 0, 0, "host %s: %s", host, strerror(-r));
	if (r < 0)
		return r;
	*ret = TAKE_PTR(c);
	return 0;
}

struct fw_compiled *fw_compiled_free(struct fw_compiled *c)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < c->nsets; i++)
		free(c->sets[i].elems);
	for (size_t i = 0; i < c->nchains; i++)
		free(c->chains[i].rules);
	free(c->sets);
	free(c->chains);
	free(c->names.slot);
	gh_arena_clear(&c->arena);
	free(c);
	return NULL;
}

void fw_compiled_stats(const struct fw_compiled *c, struct fw_stats *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->sets = c->nsets;
	ret->chains = c->nchains;
	for (size_t i = 0; i < c->nsets; i++)
		ret->elements += c->sets[i].nelems;
	for (size_t i = 0; i < c->nchains; i++)
		ret->rules += c->chains[i].rules ? c->chains[i].nrules : 0;
}

const char *fw_compiled_guest_port(const struct fw_compiled *c, size_t i)
{
	return i < c->ngports ? c->gports[i].name : NULL;
}

const char *fw_compiled_guest_bridge(const struct fw_compiled *c, size_t i)
{
	return i < c->ngports ? c->gports[i].bridge : NULL;
}

bool fw_compiled_has_bridge(const struct fw_compiled *c)
{
	for (size_t i = 0; i < c->nchains; i++)
		if (c->chains[i].bridge)
			return true;
	return false;
}

const char *fw_compiled_iface(const struct fw_compiled *c, size_t i)
{
	for (size_t k = 0; k < c->nsets; k++)
		if (c->sets[k].kind == FW_SK_IFNAME_VMAP)
			return i < c->sets[k].nelems ? c->sets[k].elems[i].ifname : NULL;
	return NULL;
}
