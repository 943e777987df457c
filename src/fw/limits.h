/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Caps of the firewall half, each with its reason.  Input over a hard cap is
 * an error (-E2BIG with a diagnostic), never silently truncated; AWS's own
 * quotas are warnings that quote the AWS figure.
 */
#ifndef GH_FW_LIMITS_H
#define GH_FW_LIMITS_H

/* Files in a rules directory: a real account export is a handful. */
#define FW_FILES_MAX 1024

/*
 * Hard caps on object counts.  AWS allows 10,000 groups per region and
 * 1,000 rules per group; the benchmark compiles 50,000 rules.  The caps sit
 * well above both so legitimate input never meets them, and bound memory
 * and time for hostile input.
 */
#define FW_GROUPS_MAX 100000
#define FW_PERMS_MAX 1000000
#define FW_PEERS_PER_PERM_MAX 100000
#define FW_HOSTS_MAX 100000
#define FW_IFACES_PER_HOST_MAX 64
/* Guests: a dense hypervisor or container host runs a few hundred to a few
 * thousand; each guest port is two chains and two verdict-map elements. */
#define FW_GUESTS_PER_HOST_MAX 4096
#define FW_PORTS_PER_GUEST_MAX 16
#define FW_GUEST_PORTS_PER_HOST_MAX 4096
#define FW_ADDRS_PER_IFACE_MAX 256
#define FW_PLISTS_MAX 10000
#define FW_PLIST_CIDRS_MAX 100000
/* Group and prefix-list references waiting for resolution: four per rule. */
#define FW_REFS_MAX ((size_t)FW_PERMS_MAX * 4)

/*
 * Work of normalising one set, counted as boxes visited per elementary
 * address interval.  Real rulesets need about one per box (50,000 rules:
 * ~10^5); thousands of mutually overlapping ranges with distinct ports are
 * quadratic.  Past this budget the set is refused.  Everything else the
 * normaliser does is n log n in the boxes, so the budget bounds its time:
 * about 0.4 s here (tests/bench/fw/normalize.sh).
 */
#define FW_NORMALIZE_WORK_MAX 100000000ull

/* Elements of one compiled set (a kernel set of 1M elements is ~100 MiB). */
#define FW_SET_ELEMS_MAX 2000000

/* AWS quotas, reported as warnings (EC2 VPC quotas, defaults). */
#define FW_AWS_RULES_PER_GROUP 60 /* inbound, and separately outbound */
#define FW_AWS_GROUPS_PER_IFACE 5 /* default; adjustable to 16 */

/* JSON path components of the deepest node we locate:
 * SecurityGroups[i].IpPermissions[j].UserIdGroupPairs[k].GroupId */
#define FW_LOC_DEPTH 8

/* Names: GroupId/GroupName/Host/PrefixListId length (AWS: 255). */
#define FW_NAME_LEN_MAX 255

/* nft comments are stored as 128-byte userdata (NFTNL_UDATA_COMMENT_MAXLEN);
 * longer text is cut with "..." (comments are for people only). */
#define FW_COMMENT_MAX 128

/* Linux interface names: IFNAMSIZ - 1. */
#define FW_IFNAME_MAX 15

/*
 * Exact elements (one address, one port) beyond this many move from the
 * interval set (pipapo: per-packet cost grows with its element count) to a
 * hash set beside it (constant cost).  Below it one small set is as fast.
 */
#define FW_EXACT_MIN 16

/* Set element origins named in one element comment before "+N more". */
#define FW_ORIGINS_MAX 4

#endif
