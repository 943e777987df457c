/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage 2: resolve names (group and prefix-list references), duplicate ids,
 * group membership (every address of every interface carrying a group, both
 * families, across the inventory) and AWS quotas (warnings).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fw/internal.h"

#define RS_ERR(dl, rs, loc, ...) fw_diag((dl), DIAG_ERROR, (rs), (loc), __VA_ARGS__)
#define RS_WARN(dl, rs, loc, ...) fw_diag((dl), DIAG_WARNING, (rs), (loc), __VA_ARGS__)

struct name_idx {
	const char *name;
	uint32_t idx;
};

static int cmp_name_idx(const void *a, const void *b)
{
	const struct name_idx *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sorted index of non-NULL names; *ret_n entries. */
static struct name_idx *index_names(size_t n, const char *(*get)(const void *, size_t),
				    const void *arr, size_t *ret_n)
{
	struct name_idx *ix = malloc_multiply(n, sizeof(*ix));
	size_t k = 0;

	if (!ix)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *s = get(arr, i);

		if (s)
			ix[k++] = (struct name_idx){ s, (uint32_t)i };
	}
	qsort(ix, k, sizeof(*ix), cmp_name_idx);
	*ret_n = k;
	return ix;
}

/* First entry named @name, and how many share it. */
static const struct name_idx *lookup(const struct name_idx *ix, size_t n, const char *name,
				     size_t *ret_count)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ix[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*ret_count = 0;
	if (lo >= n || strcmp(ix[lo].name, name))
		return NULL;
	for (size_t i = lo; i < n && !strcmp(ix[i].name, name); i++)
		(*ret_count)++;
	return &ix[lo];
}

static const char *group_id(const void *a, size_t i)
{
	return ((const struct fw_group *)a)[i].id;
}

static const char *group_name(const void *a, size_t i)
{
	return ((const struct fw_group *)a)[i].name;
}

static const char *plist_id(const void *a, size_t i)
{
	return ((const struct fw_plist *)a)[i].id;
}

static const char *host_name(const void *a, size_t i)
{
	return ((const struct fw_host *)a)[i].name;
}

/* Report entries sharing a name (the second and later ones). */
static void report_dups(struct fw_ruleset *rs, struct diag_list *dl, const struct name_idx *ix,
			size_t n, const struct fw_loc *(*loc)(const struct fw_ruleset *, uint32_t),
			enum diag_severity sev, const char *what)
{
	for (size_t i = 1; i < n; i++)
		if (!strcmp(ix[i].name, ix[i - 1].name))
			fw_diag(dl, sev, rs, loc(rs, ix[i].idx), "duplicate %s \"%s\"%s", what,
				ix[i].name,
				sev == DIAG_WARNING ? " (references by this name are ambiguous)"
						    : "");
}

static const struct fw_loc *group_loc(const struct fw_ruleset *rs, uint32_t i)
{
	return &rs->groups[i].loc;
}

static const struct fw_loc *plist_loc(const struct fw_ruleset *rs, uint32_t i)
{
	return &rs->plists[i].loc;
}

static const struct fw_loc *host_loc(const struct fw_ruleset *rs, uint32_t i)
{
	return &rs->hosts[i].loc;
}

static void resolve_refs(struct fw_ruleset *rs, struct diag_list *dl)
{
	size_t nid = 0, nname = 0, npl = 0, nh = 0;
	_cleanup_free_ struct name_idx *byid = index_names(rs->ngroups, group_id, rs->groups, &nid);
	_cleanup_free_ struct name_idx *byname =
	    index_names(rs->ngroups, group_name, rs->groups, &nname);
	_cleanup_free_ struct name_idx *pls = index_names(rs->nplists, plist_id, rs->plists, &npl);
	_cleanup_free_ struct name_idx *hosts = index_names(rs->nhosts, host_name, rs->hosts, &nh);

	if (!byid || !byname || !pls || !hosts) {
		diag_add(dl, DIAG_ERROR, "", "", 0, 0, "out of memory");
		return;
	}
	report_dups(rs, dl, byid, nid, group_loc, DIAG_ERROR, "GroupId");
	report_dups(rs, dl, byname, nname, group_loc, DIAG_WARNING, "GroupName");
	report_dups(rs, dl, pls, npl, plist_loc, DIAG_ERROR, "PrefixListId");
	report_dups(rs, dl, hosts, nh, host_loc, DIAG_ERROR, "host Name");

	for (size_t i = 0; i < rs->nrefs; i++) {
		struct fw_pending_ref *ref = &rs->refs[i];
		const struct name_idx *hit;
		size_t cnt;

		if (ref->kind == FW_PEER_PLIST) {
			hit = lookup(pls, npl, ref->name, &cnt);
			if (!hit) {
				RS_ERR(dl, rs, &ref->loc,
				       "unknown prefix list \"%s\" (define it under "
				       "\"PrefixLists\")",
				       ref->name);
				continue;
			}
			*ref->target = hit->idx;
			continue;
		}
		/* A group is named by GroupId, or else by a GroupName that is unique. */
		hit = lookup(byid, nid, ref->name, &cnt);
		if (!hit) {
			hit = lookup(byname, nname, ref->name, &cnt);
			if (hit && cnt > 1) {
				RS_ERR(dl, rs, &ref->loc,
				       "group name \"%s\" is ambiguous (%zu groups); use a GroupId",
				       ref->name, cnt);
				continue;
			}
		}
		if (!hit) {
			RS_ERR(dl, rs, &ref->loc, "unknown security group \"%s\"", ref->name);
			continue;
		}
		*ref->target = hit->idx;
	}
}

static int add_member(struct fw_group *g, uint32_t host, uint32_t iface, const struct gh_cidr *a)
{
	int r = FW_VEC_PUSH(g->members, g->nmembers, g->cmembers,
			    (size_t)FW_HOSTS_MAX *
				(FW_IFACES_PER_HOST_MAX + FW_GUEST_PORTS_PER_HOST_MAX));

	if (r < 0)
		return r;
	g->members[g->nmembers++] = (struct fw_member){ host, iface, *a };
	return 0;
}

static void resolve_members(struct fw_ruleset *rs, struct diag_list *dl)
{
	for (uint32_t h = 0; h < rs->nhosts; h++) {
		struct fw_host *host = &rs->hosts[h];

		for (uint32_t i = 0; i < host->nifaces; i++) {
			struct fw_iface *ifc = &host->ifaces[i];
			struct fw_loc gl = fw_loc_key(&ifc->loc, "SecurityGroups");

			if (ifc->ngroups > FW_AWS_GROUPS_PER_IFACE)
				RS_WARN(dl, rs, &gl,
					"%zu security groups on one interface; AWS allows %d by "
					"default (16 at most)",
					ifc->ngroups, FW_AWS_GROUPS_PER_IFACE);
			for (size_t k = 0; k < ifc->ngroups; k++) {
				bool dup = false;

				for (size_t j = 0; j < k; j++)
					dup |= ifc->groups[j] == ifc->groups[k];
				if (dup) {
					struct fw_loc el = fw_loc_index(&gl, k);

					RS_WARN(dl, rs, &el, "security group listed twice");
					continue;
				}
				for (size_t a = 0; a < ifc->naddrs; a++)
					if (add_member(&rs->groups[ifc->groups[k]], h, i,
						       &ifc->addrs[a]) < 0) {
						RS_ERR(dl, rs, &ifc->loc, "out of memory");
						return;
					}
			}
		}
	}
}

/* Peers that cannot match their rule's family: reported, then dropped at
 * compile time (never widened to the other family). */
static void check_families(struct fw_ruleset *rs, struct diag_list *dl)
{
	for (size_t i = 0; i < rs->nperms; i++) {
		const struct fw_perm *p = &rs->perms[i];

		if (p->proto != FW_P_ICMP && p->proto != FW_P_ICMPV6)
			continue;
		for (size_t k = 0; k < p->npeers; k++) {
			const struct fw_peer *peer = &p->peers[k];
			struct fw_loc pl;

			if (peer->kind != FW_PEER_CIDR)
				continue;
			pl = fw_peer_loc(p, peer);
			if (p->proto == FW_P_ICMP && peer->cidr.family == GH_INET6)
				RS_WARN(dl, rs, &pl,
					"protocol icmp (ICMP for IPv4) never matches an IPv6 "
					"range; "
					"ignored (use icmpv6)");
			if (p->proto == FW_P_ICMPV6 && peer->cidr.family == GH_INET4)
				RS_WARN(dl, rs, &pl,
					"protocol icmpv6 never matches an IPv4 range; ignored "
					"(use icmp)");
		}
	}
}

static void check_quotas(struct fw_ruleset *rs, struct diag_list *dl)
{
	for (size_t g = 0; g < rs->ngroups; g++) {
		const struct fw_group *grp = &rs->groups[g];
		size_t n[2] = { 0, 0 };

		/* AWS counts each peer (CIDR, group, prefix list) of a permission. */
		for (size_t i = 0; i < grp->nperms; i++) {
			const struct fw_perm *p = &rs->perms[grp->first_perm + i];

			n[p->egress] += p->npeers ? p->npeers : 1;
		}
		for (int d = 0; d < 2; d++)
			if (n[d] > FW_AWS_RULES_PER_GROUP)
				RS_WARN(dl, rs, &grp->loc,
					"%zu %s rules in %s; AWS allows %d per group by default "
					"(loaded anyway)",
					n[d], d ? "outbound" : "inbound", fw_group_label(grp),
					FW_AWS_RULES_PER_GROUP);
	}
}

struct ent {
	struct gh_cidr a;
	const struct fw_loc *loc;
	size_t host;
	bool bridged; /* a bridged guest port's */
};

static int cmp_ent(const void *x, const void *y)
{
	return memcmp(&((const struct ent *)x)->a, &((const struct ent *)y)->a,
		      sizeof(struct gh_cidr));
}

static void check_addresses(struct fw_ruleset *rs, struct diag_list *dl)
{
	/* Same address on two interfaces: membership becomes ambiguous. */
	_cleanup_free_ struct ent *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t h = 0; h < rs->nhosts; h++)
		for (size_t i = 0; i < rs->hosts[h].nifaces; i++) {
			const struct fw_iface *ifc = &rs->hosts[h].ifaces[i];

			for (size_t a = 0; a < ifc->naddrs; a++) {
				if (FW_VEC_PUSH(v, n, cap, SIZE_MAX / sizeof(*v)) < 0)
					return; /* out of memory: the check is a warning */
				v[n].a = ifc->addrs[a];
				v[n].loc = &ifc->loc;
				v[n].host = h;
				v[n].bridged = ifc->bridge != NULL;
				n++;
			}
		}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_ent);
	for (size_t i = 1; i < n; i++)
		if (!memcmp(&v[i].a, &v[i - 1].a, sizeof(v[i].a))) {
			char buf[64];
			bool two_bridged = false;

			/* A bridged guest is found by its addresses (the inet forward
			 * chain's address maps): one port per address and host. */
			for (size_t j = i; j-- > 0 && !memcmp(&v[j].a, &v[i].a, sizeof(v[i].a));)
				two_bridged |=
				    v[i].bridged && v[j].bridged && v[i].host == v[j].host;
			gh_cidr_format(&v[i].a, buf, sizeof(buf));
			if (two_bridged)
				RS_ERR(dl, rs, v[i].loc,
				       "address %s is on two bridged guest ports of this host: the "
				       "firewall tells bridged guests apart by their addresses",
				       buf);
			else
				RS_WARN(dl, rs, v[i].loc,
					"address %s is on more than one interface", buf);
		}
}

void fw_resolve(struct fw_ruleset *rs, struct diag_list *dl)
{
	resolve_refs(rs, dl);
	if (dl->errors)
		return;
	resolve_members(rs, dl);
	check_families(rs, dl);
	check_quotas(rs, dl);
	check_addresses(rs, dl);
	free(rs->refs);
	rs->refs = NULL;
	rs->nrefs = rs->crefs = 0;
}
