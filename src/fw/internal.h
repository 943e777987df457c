/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal model of the firewall half: the loaded ruleset (security groups,
 * hosts, prefix lists, each node with its source location) and the nftables
 * IR of one host.  Not installed; only src/fw, tests/fw and fuzz include it.
 */
#ifndef GH_FW_INTERNAL_H
#define GH_FW_INTERNAL_H

#include <gatehouse/fw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/cidr.h"
#include "common/json.h"
#include "common/macro.h"
#include "fw/addr.h"
#include "fw/limits.h"
#include "fw/vec.h"

/* ---- source locations (loc.c) ---- */

/**
 * struct fw_loc - where a node came from, rebuilt into a JSON path on demand
 * @src: index into the ruleset's sources
 * @depth: path components in use
 * @c: components; @key is a static string, or NULL for an array index
 */
struct fw_loc {
	uint32_t src;
	uint8_t depth;
	struct {
		const char *key;
		uint32_t index;
	} c[FW_LOC_DEPTH];
};

/* @l plus one component (key or index). */
struct fw_loc fw_loc_key(const struct fw_loc *l, const char *key);
struct fw_loc fw_loc_index(const struct fw_loc *l, size_t index);

/**
 * struct fw_src - one input document
 * @name: file name for diagnostics
 * @text: its text (kept until the ruleset is freed, to locate late errors)
 * @len: bytes in @text
 * @memo: makes locating many diagnostics in one large text one pass, not one each
 */
struct fw_src {
	char *name;
	char *text;
	size_t len;
	struct gh_locate_memo *memo;
};

/* ---- the loaded ruleset ---- */

enum fw_proto {
	FW_P_ALL, /* "-1": every protocol, ports ignored */
	FW_P_TCP,
	FW_P_UDP,
	FW_P_ICMP,
	FW_P_ICMPV6,
	FW_P_OTHER, /* a protocol number; ports ignored */
	_FW_P_MAX,
};

enum fw_peer_kind {
	FW_PEER_CIDR,
	FW_PEER_GROUP,
	FW_PEER_PLIST,
	_FW_PEER_MAX,
};

/**
 * struct fw_peer - one source (ingress) or destination (egress) of a rule
 * @kind: CIDR, group or prefix list
 * @ref: group or prefix-list index (resolved)
 * @cidr: the CIDR (FW_PEER_CIDR)
 * @array: which array of its permission it is in (index into fw_peer_arrays)
 * @index: its index there; with the permission's location, that locates it
 *	   (a full struct fw_loc per peer would double the memory of a large
 *	   ruleset)
 */
struct fw_peer {
	uint8_t kind;
	uint8_t array;
	uint32_t ref;
	uint32_t index;
	struct gh_cidr cidr;
};

/* "IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs". */
extern const char *const fw_peer_arrays[4];

/**
 * struct fw_perm - one IpPermissions / IpPermissionsEgress entry
 * @group: owning group index
 * @egress: from IpPermissionsEgress
 * @index: index in its array (names the rule: "in[2]")
 * @proto: enum fw_proto
 * @protonum: IP protocol number (FW_P_OTHER; also set for tcp/udp/icmp)
 * @lo: first port, or ICMP type (-1: any)
 * @hi: last port, or ICMP code (-1: any)
 * @peers: resolved peers
 * @npeers: number of @peers
 * @loc: location of the permission object
 */
struct fw_perm {
	uint32_t group;
	bool egress;
	uint32_t index;
	uint8_t proto;
	uint8_t protonum;
	int32_t lo, hi;
	struct fw_peer *peers;
	size_t npeers;
	struct fw_loc loc;
};

/* Location of @peer of permission @p. */
struct fw_loc fw_peer_loc(const struct fw_perm *p, const struct fw_peer *peer);

/**
 * struct fw_member - one address carrying a group
 * @host: host index
 * @iface: interface index in that host
 * @addr: the address (/32 or /128)
 */
struct fw_member {
	uint32_t host, iface;
	struct gh_cidr addr;
};

/**
 * struct fw_group - a security group
 * @id: GroupId (may be NULL when only GroupName is given)
 * @name: GroupName (may be NULL)
 * @first_perm: index of its first permission in the ruleset's @perms
 * @nperms: permissions (ingress and egress)
 * @members: addresses of every interface carrying it
 * @nmembers: number of @members
 * @loc: location of the group object
 */
struct fw_group {
	const char *id, *name;
	size_t first_perm, nperms;
	size_t nin, nout;
	struct fw_member *members;
	size_t nmembers, cmembers;
	struct fw_loc loc;
};

/*
 * An interface of a host, or the host-side port (tap, veth, vnet) of one of
 * its guests (@guest names the guest then).  Guest ports follow the host's
 * own interfaces in the host's @ifaces, so that membership and address
 * checks cover both alike.
 */
struct fw_iface {
	const char *name;
	const char *guest;
	/* A guest port that is a member of this bridge ("Bridge"), or NULL
	 * (routed): bridged ports are filtered through table bridge gatehouse
	 * and, by address, in the inet forward chain (compile.c). */
	const char *bridge;
	struct gh_cidr *addrs;
	size_t naddrs;
	uint32_t *groups;
	size_t ngroups;
	struct fw_loc loc;
};

struct fw_host {
	const char *name;
	struct fw_iface *ifaces;
	size_t nifaces;
	size_t nguest_ports; /* the last @nguest_ports of @ifaces are guest ports */
	struct fw_loc loc;
};

struct fw_plist {
	const char *id;
	struct gh_cidr *cidrs;
	size_t ncidrs;
	struct fw_loc loc;
};

/* Names waiting for resolution (kept until resolve). */
struct fw_pending_ref {
	const char *name;
	uint8_t kind; /* FW_PEER_GROUP or FW_PEER_PLIST; group refs of interfaces too */
	uint32_t *target;
	struct fw_loc loc;
};

struct fw_ruleset {
	struct arena arena;
	struct fw_src *srcs;
	size_t nsrcs, csrcs;
	struct fw_group *groups;
	size_t ngroups, cgroups;
	struct fw_perm *perms;
	size_t nperms, cperms;
	struct fw_host *hosts;
	size_t nhosts, chosts;
	struct fw_plist *plists;
	size_t nplists, cplists;
	struct fw_pending_ref *refs;
	size_t nrefs, crefs;
};

/* Add a located diagnostic about the node at @loc. */
struct diag *fw_diag(struct diag_list *dl, enum diag_severity sev, const struct fw_ruleset *rs,
		     const struct fw_loc *loc, const char *fmt, ...) GH_PRINTF(5, 6);

/* Parse one document into @rs (stage 1); errors are reported, not fatal. */
void fw_load_document(struct fw_ruleset *rs, uint32_t src, json_t *root, struct diag_list *dl);
/* Resolve names, memberships, limits (stage 2). */
void fw_resolve(struct fw_ruleset *rs, struct diag_list *dl);

/* "sg-0web" or the name when there is no id. */
const char *fw_group_label(const struct fw_group *g);

/* ---- the IR of one host ---- */

enum fw_setkind {
	FW_SK_ADDR,	   /* membership: ip[6] addr */
	FW_SK_ADDR_PORT,   /* addr . inet_service */
	FW_SK_ADDR_ICMP,   /* addr . icmp[v6] type . icmp[v6] code */
	FW_SK_ADDR_PROTO,  /* addr . inet_proto */
	FW_SK_PORT,	   /* inet_service (ports of a group-peer rule) */
	FW_SK_ICMP,	   /* icmp[v6] type . code (group-peer) */
	FW_SK_PROTO,	   /* inet_proto (group-peer) */
	FW_SK_IFNAME_VMAP, /* ifname : verdict */
	FW_SK_ADDR_VMAP,   /* ip[6] addr : verdict (a bridged guest's addresses -> its chain) */
	_FW_SK_MAX,
};

/**
 * struct fw_elem - one set element, disjoint from every other of its set
 * @alo: first address (unused by sets without an address)
 * @ahi: last address
 * @k1lo: first value of the second field (port, protocol, ICMP type)
 * @k1hi: last value of it
 * @k2lo: first ICMP code
 * @k2hi: last ICMP code
 * @ifname: interface (vmap)
 * @chain: jump target chain index in the compiled ruleset (vmap)
 * @chain_name: jump target chain by name, for an element decoded from the
 *		kernel (vmap; @chain means nothing there), or NULL
 * @comment: the security-group rules (or members) it came from
 */
struct fw_elem {
	struct fw_addr alo, ahi;
	uint32_t k1lo, k1hi;
	uint16_t k2lo, k2hi;
	const char *ifname;
	uint32_t chain;
	const char *chain_name;
	const char *comment;
};

/**
 * struct fw_origin - a security-group rule, as fw stats names it
 * @group: its group's label (GroupId, else GroupName), owned by the compiled arena
 * @index: its index in IpPermissions or IpPermissionsEgress
 * @egress: from IpPermissionsEgress
 */
struct fw_origin {
	const char *group;
	uint32_t index;
	bool egress;
};

/**
 * struct fw_set - a named set or map
 * @name: nft name
 * @kind: enum fw_setkind
 * @family: 4 or 6 for address sets, 0 otherwise; icmp sets: 4 or 6 too
 * @membership: a group-membership set (updated alone on membership change)
 * @bridge: in table bridge gatehouse (bridged guest ports' frames)
 * @exact: single values only (no ranges): a hash set, O(1) per packet
 * @comment: what it holds, and for which groups
 * @elems: elements in sorted order
 * @nelems: number of @elems
 */
struct fw_set {
	const char *name;
	uint8_t kind;
	uint8_t family;
	bool membership;
	bool exact;
	bool bridge; /* in table bridge gatehouse, not table inet gatehouse */
	/* Looked up with a neighbour advertisement's target address: nft 1.0.6
	 * has no "icmpv6 taddr", so fw compile prints it "typeof @th,64,128"
	 * with its elements as numbers (the kernel holds ipv6_addr keys). */
	bool taddr;
	const char *comment;
	/* The security-group rules whose peers are in it, for fw stats. */
	const struct fw_origin *origins;
	size_t norigins;
	struct fw_elem *elems;
	size_t nelems, celems;
};

/* Is @s a verdict map (by interface name or by address)? */
static inline bool fw_set_is_vmap(const struct fw_set *s)
{
	return s->kind == FW_SK_IFNAME_VMAP || s->kind == FW_SK_ADDR_VMAP;
}

enum fw_match {
	FW_M_CT_OK,	  /* ct state established,related accept */
	FW_M_CT_INVALID,  /* ct state invalid drop */
	FW_M_LOOPBACK,	  /* iif/oif "lo" accept */
	FW_M_ND,	  /* ICMPv6 ND/RA, hop limit 255 */
	FW_M_DHCP4,	  /* DHCPv4 client traffic */
	FW_M_DHCP6,	  /* DHCPv6 client traffic */
	FW_M_VMAP,	  /* iifname/oifname vmap @map */
	FW_M_DROP,	  /* counter drop */
	FW_M_SET,	  /* addr . key @set accept */
	FW_M_GROUP_SET,	  /* addr @group key @set accept */
	FW_M_SPOOF,	  /* ip[6] saddr != @set counter drop (a guest port's own addresses) */
	FW_M_FAMILY_DROP, /* meta nfproto ipv4|ipv6 counter drop (a port without that family) */
	FW_M_LOG,	  /* limit, log prefix "gh in eth0" group N (before a default deny) */
	FW_M_ADDR_VMAP,	  /* ip[6] saddr|daddr vmap @map (bridged guests, by address) */
	FW_M_OWN,	  /* ip[6] saddr|daddr @set accept (bridge: a port's own addresses) */
	FW_M_ARP_OWN,	  /* arp (Ethernet, IPv4) sender ip @set accept (bridge) */
	FW_M_ARP,	  /* meta protocol arp accept (bridge, towards a guest port) */
	FW_M_NA_GUARD,	  /* icmpv6 neighbour advert target != @set drop (bridge) */
	FW_M_JUMP,	  /* jump to chain index @set (bridge: the rules all ports share) */
	_FW_M_MAX,
};

/**
 * struct fw_rule - one nft rule
 * @match: enum fw_match
 * @in: in an inbound chain (saddr, iif) or outbound (daddr, oif)
 * @family: 4, 6 or 0 (both)
 * @proto: enum fw_proto of the set rule
 * @set: set index (FW_M_SET, FW_M_VMAP; the key set of FW_M_GROUP_SET)
 * @gset: membership set index (FW_M_GROUP_SET)
 * @counter: has a counter
 * @ret: return instead of accept: a guest's egress rule, after which the
 *	 forward chain still checks the destination guest's ingress
 * @comment: where it came from
 */
struct fw_rule {
	uint8_t match;
	bool in;
	uint8_t family;
	uint8_t proto;
	uint32_t set, gset;
	bool counter;
	bool ret;
	bool bridge; /* in table bridge gatehouse: its family test reads differently */
	bool drop;   /* verdict drop, not the match's own (a guest's DHCP server messages) */
	const char *comment;
	const char *prefix; /* FW_M_LOG: the log prefix (arena) */
	uint16_t group;	    /* FW_M_LOG: the NFLOG group */
};

/*
 * A chain; a base chain hooks input (@in), output, or forward (@fwd: guest
 * traffic, policy accept, since what touches no guest port is not ours).
 */
struct fw_chain {
	const char *name;
	const char *ifname; /* the interface or guest port of an interface chain, or NULL */
	bool base;
	bool in;
	bool fwd;
	/* In table bridge gatehouse; a base chain there hooks prerouting (@in:
	 * frames from guest ports) or postrouting (frames to them). */
	bool bridge;
	const char *comment;
	struct fw_rule *rules;
	size_t nrules, crules;
};

/* Names in use (sets and chains), hashed: open addressing, at most half full. */
struct fw_nameset {
	const char **slot;
	size_t cap, n;
};

struct fw_compiled {
	struct arena arena;
	struct fw_nameset names;
	const char *host;
	const char *comment;
	struct fw_set *sets;
	size_t nsets, csets;
	struct fw_chain *chains;
	size_t nchains, cchains;
	/* Hash of everything but membership elements, stored in the table
	 * (FW_UDATA_TABLE_HASH): which rules the table was last written from,
	 * so apply can tell an edit by hand (same hash) from a change of
	 * rules.  Never trusted to say what the table holds (apply.c). */
	uint64_t structure_hash;
	int log_group; /* NFLOG group of default-deny drops, or -1 */
	/* Comment of table bridge gatehouse, NULL when there is none (no bridged guest port). */
	const char *bridge_comment;
	/* The guest ports in inventory order: port and bridge (NULL: routed),
	 * copied into the arena (the ruleset may be freed first). */
	struct {
		const char *name, *bridge;
	} * gports;
	size_t ngports;
};

/* Default-deny drops logged: at most this many packets a second per
 * interface and direction (then this burst), so a flood cannot fill a disk. */
#define FW_LOG_RATE 10
#define FW_LOG_BURST 20

/* Normalise boxes into disjoint elements of @set (stage 3). */
struct fw_box {
	struct fw_addr lo, hi;
	uint32_t klo, khi;
	uint32_t origin;
};
int fw_normalize(struct fw_compiled *c, struct fw_set *set, struct fw_box *boxes, size_t n,
		 const struct fw_ruleset *rs, bool icmp);

/* Comment text safe for nft (no quotes, no control characters), capped (comment.c). */
const char *fw_comment(struct arena *a, const char *fmt, ...) GH_PRINTF(2, 3);

/* Names of the key types in nft syntax, per kind and family (render.c). */
const char *fw_set_type_text(const struct fw_set *s);

/* The hook of base chain @ch in nft's words ("input", "prerouting", ...) (render.c). */
const char *fw_chain_hook_name(const struct fw_chain *ch);

/* Element as nft text, without its comment (render.c). */
void fw_elem_format(const struct fw_set *s, const struct fw_elem *e, const struct fw_compiled *c,
		    char *buf, size_t size);

#endif
