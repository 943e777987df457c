/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage 1: JSON documents -> ruleset model.  Strict: unknown keys, wrong
 * types, bad CIDRs, ports or protocols are errors located by file, line,
 * column and JSON path.  Every error of a document is reported (as pfctl
 * does), then the caller loads nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/str.h"
#include "fw/internal.h"

struct ld {
	struct fw_ruleset *rs;
	struct diag_list *dl;
	uint32_t src;
};

#define LD_ERR(ld, loc, ...) fw_diag((ld)->dl, DIAG_ERROR, (ld)->rs, (loc), __VA_ARGS__)
#define LD_WARN(ld, loc, ...) fw_diag((ld)->dl, DIAG_WARNING, (ld)->rs, (loc), __VA_ARGS__)

/*
 * Keys an object may have; anything else is an error (a typo such as
 * "IpRange" would otherwise silently drop a peer).  Keys are matched
 * exactly, as AWS's output spells them.
 */
static bool check_keys(struct ld *ld, json_t *obj, const struct fw_loc *loc,
		       const char *const *allowed, const char *what)
{
	const char *key;
	json_t *v;
	bool ok = true;

	json_object_foreach(obj, key, v) {
		bool found = false;

		for (size_t i = 0; allowed[i]; i++)
			if (!strcmp(key, allowed[i])) {
				found = true;
				break;
			}
		if (!found) {
			/* The key name is not static: locate through a copy of it in the arena. */
			const char *k = gh_arena_strdup(&ld->rs->arena, key);
			struct fw_loc kl = fw_loc_key(loc, k ? k : "?");

			LD_ERR(ld, &kl, "unknown key \"%s\" in %s", key, what);
			ok = false;
		}
	}
	return ok;
}

/* A name-like string: non-empty, at most FW_NAME_LEN_MAX bytes, no control characters. */
static const char *get_name(struct ld *ld, json_t *obj, const char *key, const struct fw_loc *loc,
			    bool required)
{
	json_t *v = json_object_get(obj, key);
	struct fw_loc kl = fw_loc_key(loc, key);
	const char *s;
	size_t n;

	if (!v) {
		if (required)
			LD_ERR(ld, loc, "missing \"%s\"", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		LD_ERR(ld, &kl, "\"%s\" must be a string, not %s", key, gh_json_type_name(v));
		return NULL;
	}
	s = json_string_value(v);
	n = json_string_length(v);
	if (n == 0) {
		LD_ERR(ld, &kl, "\"%s\" must not be empty", key);
		return NULL;
	}
	if (n > FW_NAME_LEN_MAX) {
		LD_ERR(ld, &kl, "\"%s\" is %zu bytes long; at most %d allowed", key, n,
		       FW_NAME_LEN_MAX);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			LD_ERR(ld, &kl, "\"%s\" contains a control character", key);
			return NULL;
		}
	return gh_arena_strdup(&ld->rs->arena, s);
}

/* Optional free text (Description): any string. */
static void check_text(struct ld *ld, json_t *obj, const char *key, const struct fw_loc *loc)
{
	json_t *v = json_object_get(obj, key);
	struct fw_loc kl = fw_loc_key(loc, key);

	if (v && !json_is_string(v))
		LD_ERR(ld, &kl, "\"%s\" must be a string, not %s", key, gh_json_type_name(v));
}

/* An optional array member; NULL (and no error) when absent. */
static json_t *get_array(struct ld *ld, json_t *obj, const char *key, const struct fw_loc *loc,
			 bool *bad)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return NULL;
	if (!json_is_array(v)) {
		struct fw_loc kl = fw_loc_key(loc, key);

		LD_ERR(ld, &kl, "\"%s\" must be an array, not %s", key, gh_json_type_name(v));
		*bad = true;
		return NULL;
	}
	return v;
}

static int add_ref(struct ld *ld, const char *name, uint8_t kind, uint32_t *target,
		   const struct fw_loc *loc)
{
	struct fw_ruleset *rs = ld->rs;
	int r = FW_VEC_PUSH(rs->refs, rs->nrefs, rs->crefs, FW_REFS_MAX);

	/* Reported here: a reference dropped without a word would load a
	 * ruleset missing a rule's peer or an interface's group. */
	if (r == -E2BIG)
		LD_ERR(ld, loc, "too many group and prefix-list references (at most %zu)",
		       FW_REFS_MAX);
	else if (r < 0)
		LD_ERR(ld, loc, "out of memory");
	if (r < 0)
		return r;
	rs->refs[rs->nrefs++] = (struct fw_pending_ref){ name, kind, target, *loc };
	return 0;
}

/*
 * CIDR of family @fam (4/6; 0: either), strictly: a prefix is required,
 * and host bits set under the mask are an error (10.0.0.1/8 is usually a
 * typo for /32), never cleared without a word.
 */
static bool parse_cidr(struct ld *ld, json_t *v, int fam, const struct fw_loc *loc,
		       struct gh_cidr *ret)
{
	const char *msg = NULL;
	int r;

	if (!json_is_string(v)) {
		LD_ERR(ld, loc, "expected a CIDR string, not %s", gh_json_type_name(v));
		return false;
	}
	r = gh_cidr_parse(json_string_value(v), 0, ret, &msg);
	if (r < 0) {
		LD_ERR(ld, loc, "invalid CIDR \"%s\": %s", json_string_value(v), msg);
		return false;
	}
	if (r > 0) {
		struct gh_cidr m = *ret;
		char buf[64];

		gh_cidr_mask(&m);
		gh_cidr_format(&m, buf, sizeof(buf));
		LD_ERR(ld, loc,
		       "CIDR \"%s\" has host bits set (network is %s; for one address use /%d)",
		       json_string_value(v), buf, ret->family == GH_INET4 ? 32 : 128);
		return false;
	}
	if (fam == 4 && ret->family != GH_INET4) {
		LD_ERR(ld, loc, "\"%s\" is not an IPv4 CIDR (IPv6 goes in Ipv6Ranges[].CidrIpv6)",
		       json_string_value(v));
		return false;
	}
	if (fam == 6 && ret->family != GH_INET6) {
		LD_ERR(ld, loc, "\"%s\" is not an IPv6 CIDR (IPv4 goes in IpRanges[].CidrIp)",
		       json_string_value(v));
		return false;
	}
	return true;
}

/* A protocol number "0" to "255" (decimal digits only), or -1. */
static int proto_number(const char *s)
{
	int n = 0;

	if (!*s || strlen(s) > 3)
		return -1;
	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		n = n * 10 + (*c - '0');
	}
	return n > 255 ? -1 : n;
}

static bool parse_protocol(struct ld *ld, json_t *perm, const struct fw_loc *loc, struct fw_perm *p)
{
	static const struct {
		const char *name;
		uint8_t proto, num;
	} names[] = {
		{ "tcp", FW_P_TCP, 6 },	       { "udp", FW_P_UDP, 17 }, { "icmp", FW_P_ICMP, 1 },
		{ "icmpv6", FW_P_ICMPV6, 58 }, { "-1", FW_P_ALL, 0 },
	};
	json_t *v = json_object_get(perm, "IpProtocol");
	struct fw_loc kl = fw_loc_key(loc, "IpProtocol");
	const char *s;
	int n;

	if (!v) {
		LD_ERR(ld, loc, "missing \"IpProtocol\"");
		return false;
	}
	if (!json_is_string(v)) {
		LD_ERR(ld, &kl,
		       "\"IpProtocol\" must be a string (\"tcp\", \"udp\", \"icmp\", "
		       "\"icmpv6\", \"-1\" or a protocol number), not %s",
		       gh_json_type_name(v));
		return false;
	}
	s = json_string_value(v);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (gh_eq_nocase(s, strlen(s), names[i].name, strlen(names[i].name))) {
			p->proto = names[i].proto;
			p->protonum = names[i].num;
			return true;
		}
	n = proto_number(s);
	if (n < 0) {
		LD_ERR(ld, &kl,
		       "unknown protocol \"%s\" (expected tcp, udp, icmp, icmpv6, -1, or 0 to 255)",
		       s);
		return false;
	}
	switch (n) {
	case 6: p->proto = FW_P_TCP; break;
	case 17: p->proto = FW_P_UDP; break;
	case 1: p->proto = FW_P_ICMP; break;
	case 58: p->proto = FW_P_ICMPV6; break;
	default: p->proto = FW_P_OTHER; break;
	}
	p->protonum = (uint8_t)n;
	return true;
}

/* FromPort/ToPort as an integer in [min, max]; *present false when absent. */
static bool get_port(struct ld *ld, json_t *perm, const char *key, const struct fw_loc *loc,
		     long min, long max, const char *what, long *ret, bool *present)
{
	json_t *v = json_object_get(perm, key);
	struct fw_loc kl = fw_loc_key(loc, key);
	json_int_t n;

	*present = v != NULL;
	if (!v)
		return true;
	if (!json_is_integer(v)) {
		LD_ERR(ld, &kl, "\"%s\" must be an integer, not %s", key, gh_json_type_name(v));
		return false;
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		LD_ERR(ld, &kl, "%s %" JSON_INTEGER_FORMAT " out of range (%ld to %ld)", what, n,
		       min, max);
		return false;
	}
	*ret = (long)n;
	return true;
}

static bool parse_ports(struct ld *ld, json_t *perm, const struct fw_loc *loc, struct fw_perm *p)
{
	long from = -1, to = -1;
	bool hf, ht, ok = true;

	switch (p->proto) {
	case FW_P_TCP:
	case FW_P_UDP:
		ok &= get_port(ld, perm, "FromPort", loc, 0, 65535, "port", &from, &hf);
		ok &= get_port(ld, perm, "ToPort", loc, 0, 65535, "port", &to, &ht);
		if (!ok)
			return false;
		if (!hf || !ht) {
			LD_ERR(ld, loc, "a %s rule needs \"FromPort\" and \"ToPort\" (0 to 65535)",
			       p->proto == FW_P_TCP ? "tcp" : "udp");
			return false;
		}
		if (from > to) {
			struct fw_loc kl = fw_loc_key(loc, "FromPort");

			LD_ERR(ld, &kl, "FromPort %ld is greater than ToPort %ld", from, to);
			return false;
		}
		break;
	case FW_P_ICMP:
	case FW_P_ICMPV6:
		/* FromPort is the ICMP type, ToPort the code; -1 = any. */
		ok &= get_port(ld, perm, "FromPort", loc, -1, 255, "ICMP type", &from, &hf);
		ok &= get_port(ld, perm, "ToPort", loc, -1, 255, "ICMP code", &to, &ht);
		if (!ok)
			return false;
		if (from == -1 && to != -1) {
			struct fw_loc kl = fw_loc_key(loc, "ToPort");

			LD_ERR(ld, &kl, "ICMP code %ld given without an ICMP type (FromPort is -1)",
			       to);
			return false;
		}
		break;
	default:
		/* Ignored for "-1" and other protocols (as AWS does), but typed. */
		ok &= get_port(ld, perm, "FromPort", loc, -1, 65535, "port", &from, &hf);
		ok &= get_port(ld, perm, "ToPort", loc, -1, 65535, "port", &to, &ht);
		from = to = -1;
		break;
	}
	p->lo = (int32_t)from;
	p->hi = (int32_t)to;
	return ok;
}

static const char *const range_keys[] = { "CidrIp", "Description", NULL };
static const char *const range6_keys[] = { "CidrIpv6", "Description", NULL };
static const char *const plist_ref_keys[] = { "PrefixListId", "Description", NULL };
static const char *const pair_keys[] = {
	"GroupId",	 "GroupName",	"UserId", "VpcId", "VpcPeeringConnectionId",
	"PeeringStatus", "Description", NULL
};

/* An IpRanges (@v6 false) or Ipv6Ranges entry @e at @el into @peer; false if refused. */
static bool parse_range_peer(struct ld *ld, json_t *e, bool v6, const struct fw_loc *el,
			     struct fw_peer *peer)
{
	const char *key = v6 ? "CidrIpv6" : "CidrIp";
	json_t *c = json_object_get(e, key);
	struct fw_loc cl = fw_loc_key(el, key);

	check_keys(ld, e, el, v6 ? range6_keys : range_keys,
		   v6 ? "an Ipv6Ranges entry" : "an IpRanges entry");
	if (!c) {
		LD_ERR(ld, el, "missing \"%s\"", key);
		return false;
	}
	if (!parse_cidr(ld, c, v6 ? 6 : 4, &cl, &peer->cidr))
		return false;
	peer->kind = FW_PEER_CIDR;
	return true;
}

/* A PrefixListIds entry @e at @el into @peer (a reference resolved later). */
static bool parse_plist_peer(struct ld *ld, json_t *e, const struct fw_loc *el,
			     struct fw_peer *peer)
{
	struct fw_loc rl = fw_loc_key(el, "PrefixListId");
	const char *name;

	check_keys(ld, e, el, plist_ref_keys, "a PrefixListIds entry");
	name = get_name(ld, e, "PrefixListId", el, true);
	if (!name)
		return false;
	peer->kind = FW_PEER_PLIST;
	return add_ref(ld, name, FW_PEER_PLIST, &peer->ref, &rl) >= 0;
}

/* A UserIdGroupPairs entry @e at @el into @peer (a reference resolved later). */
static bool parse_pair_peer(struct ld *ld, json_t *e, const struct fw_loc *el, struct fw_peer *peer)
{
	const char *gid, *gname;
	struct fw_loc rl;

	check_keys(ld, e, el, pair_keys, "a UserIdGroupPairs entry");
	for (const char *const *kk = pair_keys + 2; *kk; kk++)
		check_text(ld, e, *kk, el);
	gid = get_name(ld, e, "GroupId", el, false);
	gname = get_name(ld, e, "GroupName", el, false);
	if (!gid && !gname) {
		LD_ERR(ld, el, "a group pair needs \"GroupId\" or \"GroupName\"");
		return false;
	}
	peer->kind = FW_PEER_GROUP;
	rl = fw_loc_key(el, gid ? "GroupId" : "GroupName");
	return add_ref(ld, gid ? gid : gname, FW_PEER_GROUP, &peer->ref, &rl) >= 0;
}

/* Entry @j of peer array @i (fw_peer_arrays) at @el into @peer; false if refused. */
static bool parse_peer(struct ld *ld, json_t *e, size_t i, size_t j, const struct fw_loc *el,
		       struct fw_peer *peer)
{
	if (!json_is_object(e)) {
		LD_ERR(ld, el, "expected an object, not %s", gh_json_type_name(e));
		return false;
	}
	check_text(ld, e, "Description", el);
	peer->array = (uint8_t)i;
	peer->index = (uint32_t)j;
	switch (i) {
	case 0:
	case 1: return parse_range_peer(ld, e, i == 1, el, peer);
	case 2: return parse_plist_peer(ld, e, el, peer);
	default: return parse_pair_peer(ld, e, el, peer);
	}
}

static void parse_perm(struct ld *ld, json_t *perm, const struct fw_loc *loc, struct fw_perm *p)
{
	static const char *const perm_keys[] = { "IpProtocol",	     "FromPort",   "ToPort",
						 "IpRanges",	     "Ipv6Ranges", "PrefixListIds",
						 "UserIdGroupPairs", NULL };
	const char *const *arrays = fw_peer_arrays;
	json_t *arr[ARRAY_SIZE(fw_peer_arrays)];
	size_t total = 0, k = 0;
	bool bad = false;

	if (!json_is_object(perm)) {
		LD_ERR(ld, loc, "a permission must be an object, not %s", gh_json_type_name(perm));
		return;
	}
	check_keys(ld, perm, loc, perm_keys, "a permission");
	if (parse_protocol(ld, perm, loc, p))
		parse_ports(ld, perm, loc, p);
	for (size_t i = 0; i < ARRAY_SIZE(fw_peer_arrays); i++) {
		arr[i] = get_array(ld, perm, arrays[i], loc, &bad);
		total += arr[i] ? json_array_size(arr[i]) : 0;
	}
	if (total > FW_PEERS_PER_PERM_MAX) {
		LD_ERR(ld, loc, "%zu peers in one permission; at most %d allowed", total,
		       FW_PEERS_PER_PERM_MAX);
		return;
	}
	p->peers = gh_arena_array(&ld->rs->arena, total, sizeof(*p->peers));
	if (!p->peers) {
		LD_ERR(ld, loc, "out of memory");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fw_peer_arrays); i++) {
		struct fw_loc al = fw_loc_key(loc, arrays[i]);
		size_t j;
		json_t *e;

		if (!arr[i])
			continue;
		json_array_foreach(arr[i], j, e) {
			struct fw_loc el = fw_loc_index(&al, j);

			if (parse_peer(ld, e, i, j, &el, &p->peers[k]))
				k++;
		}
	}
	p->npeers = k;
}

/* The Tags of security group @g (each a Key and a Value, both text). */
static void check_tags(struct ld *ld, json_t *g, const struct fw_loc *loc, bool *bad)
{
	static const char *const tag_keys[] = { "Key", "Value", NULL };
	json_t *tags = get_array(ld, g, "Tags", loc, bad);
	struct fw_loc tl = fw_loc_key(loc, "Tags");
	size_t i;
	json_t *t;

	if (!tags)
		return;
	json_array_foreach(tags, i, t) {
		struct fw_loc el = fw_loc_index(&tl, i);

		if (!json_is_object(t)) {
			LD_ERR(ld, &el, "a tag must be an object, not %s", gh_json_type_name(t));
			continue;
		}
		check_keys(ld, t, &el, tag_keys, "a tag");
		check_text(ld, t, "Key", &el);
		check_text(ld, t, "Value", &el);
	}
}

/*
 * The IpPermissions (@egress: IpPermissionsEgress) of group @g, number @gi,
 * appended to the ruleset's permissions.  False past FW_PERMS_MAX.
 */
static bool parse_perms(struct ld *ld, json_t *g, const struct fw_loc *loc, uint32_t gi,
			bool egress, bool *bad)
{
	const char *key = egress ? "IpPermissionsEgress" : "IpPermissions";
	struct fw_ruleset *rs = ld->rs;
	json_t *arr = get_array(ld, g, key, loc, bad);
	struct fw_loc al = fw_loc_key(loc, key);
	size_t i;
	json_t *perm;

	if (!arr)
		return true;
	json_array_foreach(arr, i, perm) {
		struct fw_loc pl = fw_loc_index(&al, i);
		struct fw_perm *p;

		if (FW_VEC_PUSH(rs->perms, rs->nperms, rs->cperms, FW_PERMS_MAX) < 0) {
			LD_ERR(ld, &pl, "too many rules (at most %d)", FW_PERMS_MAX);
			return false;
		}
		p = &rs->perms[rs->nperms++];
		memset(p, 0, sizeof(*p));
		p->group = gi;
		p->egress = egress;
		p->index = (uint32_t)i;
		p->loc = pl;
		parse_perm(ld, perm, &pl, p);
		if (egress)
			rs->groups[gi].nout++;
		else
			rs->groups[gi].nin++;
	}
	return true;
}

static void parse_group(struct ld *ld, json_t *g, const struct fw_loc *loc)
{
	static const char *const group_keys[] = { "Description", "GroupName", "IpPermissions",
						  "OwnerId",	 "GroupId",   "IpPermissionsEgress",
						  "VpcId",	 "Tags",      "SecurityGroupArn",
						  NULL };
	struct fw_ruleset *rs = ld->rs;
	struct fw_group *grp;
	bool bad = false;
	uint32_t gi;

	if (!json_is_object(g)) {
		LD_ERR(ld, loc, "a security group must be an object, not %s", gh_json_type_name(g));
		return;
	}
	check_keys(ld, g, loc, group_keys, "a security group");
	if (FW_VEC_PUSH(rs->groups, rs->ngroups, rs->cgroups, FW_GROUPS_MAX) < 0) {
		LD_ERR(ld, loc, "too many security groups (at most %d)", FW_GROUPS_MAX);
		return;
	}
	gi = (uint32_t)rs->ngroups;
	grp = &rs->groups[rs->ngroups++];
	memset(grp, 0, sizeof(*grp));
	grp->loc = *loc;
	grp->id = get_name(ld, g, "GroupId", loc, false);
	grp->name = get_name(ld, g, "GroupName", loc, false);
	if (!grp->id && !grp->name && !json_object_get(g, "GroupId") &&
	    !json_object_get(g, "GroupName"))
		LD_ERR(ld, loc, "a security group needs \"GroupId\" or \"GroupName\"");
	check_text(ld, g, "Description", loc);
	check_text(ld, g, "OwnerId", loc);
	check_text(ld, g, "VpcId", loc);
	check_text(ld, g, "SecurityGroupArn", loc);
	check_tags(ld, g, loc, &bad);
	grp->first_perm = rs->nperms;
	for (int d = 0; d < 2; d++)
		if (!parse_perms(ld, g, loc, gi, d == 1, &bad))
			return;
	grp->nperms = rs->nperms - grp->first_perm;
}

/*
 * Why @name cannot be an interface name as the kernel and nft read it, or
 * NULL.  Every name we accept means the same thing to the kernel (netlink
 * carries it literally), in the nft text we render, and to an operator:
 *   - the kernel's dev_valid_name(): 1 to IFNAMSIZ - 1 bytes, not "." or
 *     "..", no '/', ':' or whitespace;
 *   - '%': the kernel takes "eth%d" as a template and names the device
 *     "eth0", so no device ever has that name;
 *   - '*': nft reads a trailing '*' as a wildcard ("eth*" is every eth
 *     interface, and with an interval set it would match them all), and
 *     '\\*' as a literal star: a name with a star means one thing over
 *     netlink and another as text;
 *   - quotes, backslashes, control and non-ASCII bytes: nft's quoted
 *     strings have no escapes.
 */
#define FW_STR_(x) #x
#define FW_STR(x) FW_STR_(x)
static const char *ifname_problem(const char *name)
{
	size_t n = strlen(name);

	if (n > FW_IFNAME_MAX)
		return "longer than " FW_STR(FW_IFNAME_MAX) " bytes, IFNAMSIZ - 1";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "\".\" and \"..\" are reserved";
	for (const char *c = name; *c; c++) {
		if (*c == '*')
			return "nft reads '*' as a wildcard matching many interfaces";
		if (*c == '%')
			return "the kernel reads '%' as a name template (\"eth%d\" becomes "
			       "\"eth0\")";
		if (*c == '/' || *c == ':' || *c == '"' || *c == '\\' ||
		    (unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			return "no '/', ':', quote, backslash, space, control or non-ASCII "
			       "character";
	}
	return NULL;
}

/*
 * An arena array of @size-byte items for the entries of JSON array @arr at
 * @loc, refused past @max ("N @things; at most @max @per") or without
 * memory, with the error reported; NULL then.
 */
static void *entries_array(struct ld *ld, json_t *arr, size_t max, size_t size,
			   const struct fw_loc *loc, const char *things, const char *per)
{
	void *v;

	if (json_array_size(arr) > max) {
		LD_ERR(ld, loc, "%zu %s; at most %zu %s", json_array_size(arr), things, max, per);
		return NULL;
	}
	v = gh_arena_array(&ld->rs->arena, json_array_size(arr), size);
	if (!v)
		LD_ERR(ld, loc, "out of memory");
	return v;
}

/**
 * struct entries - how to read a JSON array of an object into an arena array
 * @key: the array's key (locations)
 * @max: most entries allowed
 * @size: bytes of one item
 * @things: what the entries are, and @per: per what (the cap's message)
 * @entry: reads entry @e at @el into item @k of @v; false when refused
 *	   (reported), and then the next entry takes item @k
 */
struct entries {
	const char *key;
	size_t max, size;
	const char *things, *per;
	bool (*entry)(struct ld *ld, json_t *e, const struct fw_loc *el, void *v, size_t k);
};

/*
 * Read array @arr (NULL: absent) of the object at @loc as @d says into
 * *@ret_v, *@ret_n items kept.  False when refused whole (over the cap, no
 * memory: reported).
 */
static bool read_entries(struct ld *ld, json_t *arr, const struct fw_loc *loc,
			 const struct entries *d, void **ret_v, size_t *ret_n)
{
	struct fw_loc al = fw_loc_key(loc, d->key);
	size_t i, k = 0;
	json_t *e;
	void *v;

	if (!arr)
		return true;
	v = entries_array(ld, arr, d->max, d->size, &al, d->things, d->per);
	if (!v)
		return false;
	json_array_foreach(arr, i, e) {
		struct fw_loc el = fw_loc_index(&al, i);

		if (d->entry(ld, e, &el, v, k))
			k++;
	}
	*ret_v = v;
	*ret_n = k;
	return true;
}

/* An interface address (no prefix length); a repeat is a warning. */
static bool addr_entry(struct ld *ld, json_t *a, const struct fw_loc *el, void *v, size_t k)
{
	struct gh_cidr *addrs = v;

	if (!json_is_string(a)) {
		LD_ERR(ld, el, "an address must be a string, not %s", gh_json_type_name(a));
		return false;
	}
	if (gh_addr_parse(json_string_value(a), &addrs[k]) < 0 ||
	    strchr(json_string_value(a), '/')) {
		LD_ERR(ld, el, "\"%s\" is not an IPv4 or IPv6 address (no prefix length)",
		       json_string_value(a));
		return false;
	}
	for (size_t j = 0; j < k; j++)
		if (!memcmp(&addrs[j], &addrs[k], sizeof(addrs[k])))
			LD_WARN(ld, el, "address \"%s\" listed twice", json_string_value(a));
	return true;
}

/* An interface's security group: a reference resolved later. */
static bool iface_group_entry(struct ld *ld, json_t *g, const struct fw_loc *el, void *v, size_t k)
{
	uint32_t *groups = v;
	const char *name;

	if (!json_is_string(g) || !json_string_length(g) ||
	    json_string_length(g) > FW_NAME_LEN_MAX) {
		LD_ERR(ld, el, "a security group reference must be a GroupId or GroupName string");
		return false;
	}
	name = gh_arena_strdup(&ld->rs->arena, json_string_value(g));
	if (!name) {
		LD_ERR(ld, el, "out of memory");
		return false;
	}
	return add_ref(ld, name, FW_PEER_GROUP, &groups[k], el) >= 0;
}

static const struct entries addr_entries = {
	"Addresses", FW_ADDRS_PER_IFACE_MAX, sizeof(struct gh_cidr),
	"addresses", "per interface",	     addr_entry
};
static const struct entries iface_group_entries = { "SecurityGroups", FW_GROUPS_MAX,
						    sizeof(uint32_t), "security groups",
						    "per interface",  iface_group_entry };

/* Interface name @key of @obj (required or not), checked as Linux checks it; NULL if absent or bad.
 */
static const char *get_ifname(struct ld *ld, json_t *obj, const char *key, const struct fw_loc *loc,
			      bool required)
{
	const char *name = get_name(ld, obj, key, loc, required);
	const char *why = name ? ifname_problem(name) : NULL;

	if (why) {
		struct fw_loc nl = fw_loc_key(loc, key);

		LD_ERR(ld, &nl, "\"%s\" is not a valid Linux interface name (%s)", name, why);
		return NULL;
	}
	return name;
}

/*
 * An interface of a host, or with @guest a guest's port, which may also
 * name the bridge it is a member of ("Bridge"; absent: the host routes).
 */
static void parse_iface(struct ld *ld, json_t *ifc, const struct fw_loc *loc, bool guest,
			struct fw_iface *out)
{
	static const char *const iface_keys[] = { "Name", "Addresses", "SecurityGroups", NULL };
	static const char *const port_keys[] = { "Name", "Addresses", "SecurityGroups", "Bridge",
						 NULL };
	void *v = NULL;
	bool bad = false;

	out->loc = *loc;
	if (!json_is_object(ifc)) {
		LD_ERR(ld, loc, "an interface must be an object, not %s", gh_json_type_name(ifc));
		return;
	}
	check_keys(ld, ifc, loc, guest ? port_keys : iface_keys, "an interface");
	out->name = get_ifname(ld, ifc, "Name", loc, true);
	if (guest)
		out->bridge = get_ifname(ld, ifc, "Bridge", loc, false);
	if (!read_entries(ld, get_array(ld, ifc, "Addresses", loc, &bad), loc, &addr_entries, &v,
			  &out->naddrs))
		return;
	out->addrs = v;
	v = NULL;
	read_entries(ld, get_array(ld, ifc, "SecurityGroups", loc, &bad), loc, &iface_group_entries,
		     &v, &out->ngroups);
	out->groups = v;
}

/* Is the port or interface at @i of @host named like one before it?  Reported. */
static void check_dup_iface(struct ld *ld, struct fw_host *host, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (host->ifaces[i].name && host->ifaces[j].name &&
		    !strcmp(host->ifaces[i].name, host->ifaces[j].name)) {
			struct fw_loc nl = fw_loc_key(&host->ifaces[i].loc, "Name");

			LD_ERR(ld, &nl, "duplicate interface \"%s\" on this host%s",
			       host->ifaces[i].name,
			       host->ifaces[j].guest || host->ifaces[i].guest
				   ? " (guest ports and the host's interfaces share one namespace)"
				   : "");
			return;
		}
}

/* A "Bridge" naming a guest port of its host is a mistake, not a bridge: reported. */
static void check_bridges(struct ld *ld, const struct fw_host *host)
{
	for (size_t i = host->nifaces - host->nguest_ports; i < host->nifaces; i++) {
		const struct fw_iface *p = &host->ifaces[i];

		for (size_t j = host->nifaces - host->nguest_ports; p->bridge && j < host->nifaces;
		     j++)
			if (host->ifaces[j].name && !strcmp(host->ifaces[j].name, p->bridge)) {
				struct fw_loc bl = fw_loc_key(&p->loc, "Bridge");

				LD_ERR(ld, &bl,
				       "\"%s\" is a guest port of this host, not a bridge its "
				       "guest ports can be members of",
				       p->bridge);
				break;
			}
	}
}

/* Guest ports of a "Guests" array (before it is read, to size the host's ports). */
static size_t guest_port_count(json_t *guests)
{
	size_t n = 0, i;
	json_t *g;

	json_array_foreach(guests, i, g) {
		json_t *ifcs = json_is_object(g) ? json_object_get(g, "Interfaces") : NULL;

		if (json_is_array(ifcs))
			n += json_array_size(ifcs);
	}
	return n;
}

/*
 * Guest @gi of host @host: {"Name": "vm-101", "Interfaces": [...]}; its
 * ports go to @host's ifaces from *@next on.
 */
static void parse_guest(struct ld *ld, struct fw_host *host, json_t *g, const struct fw_loc *loc,
			size_t *next)
{
	static const char *const guest_keys[] = { "Name", "Interfaces", NULL };
	struct fw_loc il = fw_loc_key(loc, "Interfaces");
	const char *name;
	json_t *ifcs, *ifc;
	bool bad = false;
	size_t i;

	if (!json_is_object(g)) {
		LD_ERR(ld, loc, "a guest must be an object, not %s", gh_json_type_name(g));
		return;
	}
	check_keys(ld, g, loc, guest_keys, "a guest");
	name = get_name(ld, g, "Name", loc, true);
	ifcs = get_array(ld, g, "Interfaces", loc, &bad);
	if (!ifcs) {
		if (!bad)
			LD_ERR(ld, loc, "missing \"Interfaces\"");
		return;
	}
	if (json_array_size(ifcs) > FW_PORTS_PER_GUEST_MAX) {
		LD_ERR(ld, &il, "%zu interfaces; at most %d per guest", json_array_size(ifcs),
		       FW_PORTS_PER_GUEST_MAX);
		return;
	}
	json_array_foreach(ifcs, i, ifc) {
		struct fw_loc el = fw_loc_index(&il, i);
		struct fw_iface *port = &host->ifaces[*next];

		parse_iface(ld, ifc, &el, true, port);
		port->guest = name ? name : "?";
		/* Empty, not refused: a refused address is its own error. */
		if (port->name && json_is_object(ifc) &&
		    !json_array_size(json_object_get(ifc, "Addresses")))
			LD_WARN(ld, &el,
				"guest port \"%s\" has no addresses: anti-spoofing drops "
				"everything it sends",
				port->name);
		check_dup_iface(ld, host, (*next)++);
	}
}

/* The "Guests" of a host, after its interfaces (@host->nifaces of them so far). */
static void parse_guests(struct ld *ld, struct fw_host *host, json_t *guests,
			 const struct fw_loc *loc)
{
	struct fw_loc gl = fw_loc_key(loc, "Guests");
	size_t i, next = host->nifaces;
	json_t *g;

	json_array_foreach(guests, i, g) {
		struct fw_loc el = fw_loc_index(&gl, i);
		const char *name =
		    json_is_object(g) ? json_string_value(json_object_get(g, "Name")) : NULL;

		for (size_t j = 0; name && j < i; j++) {
			json_t *prev = json_array_get(guests, j);
			const char *pname = json_is_object(prev)
						? json_string_value(json_object_get(prev, "Name"))
						: NULL;

			if (pname && !strcmp(pname, name)) {
				struct fw_loc nl = fw_loc_key(&el, "Name");

				LD_ERR(ld, &nl, "duplicate guest \"%s\" on this host", name);
				break;
			}
		}
		parse_guest(ld, host, g, &el, &next);
	}
	host->nguest_ports = next - host->nifaces;
	host->nifaces = next;
	check_bridges(ld, host);
}

static void parse_host(struct ld *ld, json_t *h, const struct fw_loc *loc)
{
	static const char *const host_keys[] = { "Name", "Interfaces", "Guests", NULL };
	struct fw_ruleset *rs = ld->rs;
	struct fw_host *host;
	json_t *ifcs, *guests;
	size_t nports = 0;
	bool bad = false;

	if (!json_is_object(h)) {
		LD_ERR(ld, loc, "a host must be an object, not %s", gh_json_type_name(h));
		return;
	}
	check_keys(ld, h, loc, host_keys, "a host");
	if (FW_VEC_PUSH(rs->hosts, rs->nhosts, rs->chosts, FW_HOSTS_MAX) < 0) {
		LD_ERR(ld, loc, "too many hosts (at most %d)", FW_HOSTS_MAX);
		return;
	}
	host = &rs->hosts[rs->nhosts++];
	memset(host, 0, sizeof(*host));
	host->loc = *loc;
	host->name = get_name(ld, h, "Name", loc, true);
	ifcs = get_array(ld, h, "Interfaces", loc, &bad);
	guests = get_array(ld, h, "Guests", loc, &bad);
	if (!ifcs) {
		if (!bad)
			LD_ERR(ld, loc, "missing \"Interfaces\"");
		return;
	}
	if (guests) {
		struct fw_loc gl = fw_loc_key(loc, "Guests");

		nports = guest_port_count(guests);
		if (json_array_size(guests) > FW_GUESTS_PER_HOST_MAX) {
			LD_ERR(ld, &gl, "%zu guests; at most %d per host", json_array_size(guests),
			       FW_GUESTS_PER_HOST_MAX);
			guests = NULL;
		} else if (nports > FW_GUEST_PORTS_PER_HOST_MAX) {
			LD_ERR(ld, &gl, "%zu guest interfaces; at most %d per host", nports,
			       FW_GUEST_PORTS_PER_HOST_MAX);
			guests = NULL;
		}
		if (!guests)
			nports = 0;
	}
	if (json_array_size(ifcs) > FW_IFACES_PER_HOST_MAX) {
		LD_ERR(ld, loc, "%zu interfaces; at most %d per host", json_array_size(ifcs),
		       FW_IFACES_PER_HOST_MAX);
		return;
	}
	host->ifaces =
	    gh_arena_array(&rs->arena, json_array_size(ifcs) + nports, sizeof(*host->ifaces));
	if (!host->ifaces) {
		LD_ERR(ld, loc, "out of memory");
		return;
	}
	{
		struct fw_loc il = fw_loc_key(loc, "Interfaces");
		size_t i;
		json_t *ifc;

		json_array_foreach(ifcs, i, ifc) {
			struct fw_loc el = fw_loc_index(&il, i);

			parse_iface(ld, ifc, &el, false, &host->ifaces[i]);
			check_dup_iface(ld, host, i);
		}
		host->nifaces = json_array_size(ifcs);
	}
	if (guests)
		parse_guests(ld, host, guests, loc);
}

static void parse_plist(struct ld *ld, json_t *pl, const struct fw_loc *loc)
{
	static const char *const plist_keys[] = { "PrefixListId", "Cidrs", NULL };
	struct fw_ruleset *rs = ld->rs;
	struct fw_plist *p;
	json_t *cidrs;
	bool bad = false;

	if (!json_is_object(pl)) {
		LD_ERR(ld, loc, "a prefix list must be an object, not %s", gh_json_type_name(pl));
		return;
	}
	check_keys(ld, pl, loc, plist_keys, "a prefix list");
	if (FW_VEC_PUSH(rs->plists, rs->nplists, rs->cplists, FW_PLISTS_MAX) < 0) {
		LD_ERR(ld, loc, "too many prefix lists (at most %d)", FW_PLISTS_MAX);
		return;
	}
	p = &rs->plists[rs->nplists++];
	memset(p, 0, sizeof(*p));
	p->loc = *loc;
	p->id = get_name(ld, pl, "PrefixListId", loc, true);
	cidrs = get_array(ld, pl, "Cidrs", loc, &bad);
	if (!cidrs) {
		if (!bad)
			LD_ERR(ld, loc, "missing \"Cidrs\"");
		return;
	}
	p->cidrs = entries_array(ld, cidrs, FW_PLIST_CIDRS_MAX, sizeof(*p->cidrs), loc, "CIDRs",
				 "per prefix list");
	if (!p->cidrs)
		return;
	{
		struct fw_loc cl = fw_loc_key(loc, "Cidrs");
		size_t i;
		json_t *c;

		json_array_foreach(cidrs, i, c) {
			struct fw_loc el = fw_loc_index(&cl, i);

			if (parse_cidr(ld, c, 0, &el, &p->cidrs[p->ncidrs]))
				p->ncidrs++;
		}
	}
}

void fw_load_document(struct fw_ruleset *rs, uint32_t src, json_t *root, struct diag_list *dl)
{
	static const char *const top_keys[] = { "SecurityGroups", "Hosts", "PrefixLists", NULL };
	static const char *const sections[] = { "SecurityGroups", "Hosts", "PrefixLists" };
	struct ld ld = { rs, dl, src };
	struct fw_loc root_loc = { .src = src };
	bool any = false, bad = false;

	if (!json_is_object(root)) {
		LD_ERR(&ld, &root_loc,
		       "expected an object with \"SecurityGroups\", \"Hosts\" or "
		       "\"PrefixLists\", not %s",
		       gh_json_type_name(root));
		return;
	}
	check_keys(&ld, root, &root_loc, top_keys, "a rules file");
	for (size_t s = 0; s < ARRAY_SIZE(sections); s++) {
		json_t *arr = get_array(&ld, root, sections[s], &root_loc, &bad);
		struct fw_loc al = fw_loc_key(&root_loc, sections[s]);
		size_t i;
		json_t *e;

		if (!arr)
			continue;
		any = true;
		json_array_foreach(arr, i, e) {
			struct fw_loc el = fw_loc_index(&al, i);

			if (s == 0)
				parse_group(&ld, e, &el);
			else if (s == 1)
				parse_host(&ld, e, &el);
			else
				parse_plist(&ld, e, &el);
		}
	}
	if (!any && !bad)
		LD_WARN(&ld, &root_loc,
			"no \"SecurityGroups\", \"Hosts\" or \"PrefixLists\": file ignored");
}

/* Add document @name to @rs; it takes @text (@len bytes, NUL-terminated), on failure too. */
static int add_source(struct fw_ruleset *rs, const char *name, char *text, size_t len)
{
	_cleanup_free_ char *owned = text;
	int r = FW_VEC_PUSH(rs->srcs, rs->nsrcs, rs->csrcs, FW_FILES_MAX);

	if (r < 0)
		return r;
	rs->srcs[rs->nsrcs].name = strdup(name);
	rs->srcs[rs->nsrcs].len = len;
	rs->srcs[rs->nsrcs].memo = calloc(1, sizeof(struct gh_locate_memo));
	if (!rs->srcs[rs->nsrcs].name || !rs->srcs[rs->nsrcs].memo) {
		free(rs->srcs[rs->nsrcs].name);
		free(rs->srcs[rs->nsrcs].memo);
		return -ENOMEM;
	}
	rs->srcs[rs->nsrcs].text = TAKE_PTR(owned);
	/* Start the memo at offset 0 = line 1, column 1 (a zeroed memo would
	 * count lines from 0). */
	rs->srcs[rs->nsrcs].memo->text = text;
	rs->srcs[rs->nsrcs].memo->lc_line = 1;
	rs->srcs[rs->nsrcs].memo->lc_col = 1;
	rs->nsrcs++;
	return 0;
}

static int load_sources(struct fw_ruleset *rs, struct diag_list *dl)
{
	for (size_t i = 0; i < rs->nsrcs; i++) {
		struct gh_jsrc src = { .name = rs->srcs[i].name,
				       .text = rs->srcs[i].text,
				       .len = rs->srcs[i].len };
		json_t *root = gh_json_parse(&src, dl);

		if (!root)
			continue;
		fw_load_document(rs, (uint32_t)i, root, dl);
		json_decref(root);
	}
	/* Resolve even after errors, so that unknown references and duplicates
	 * are reported in the same run (fw_resolve stops before membership). */
	fw_resolve(rs, dl);
	return dl->errors ? -EINVAL : 0;
}

struct fw_ruleset *fw_ruleset_free(struct fw_ruleset *rs)
{
	if (!rs)
		return NULL;
	for (size_t i = 0; i < rs->nsrcs; i++) {
		free(rs->srcs[i].name);
		free(rs->srcs[i].text);
		free(rs->srcs[i].memo);
	}
	for (size_t i = 0; i < rs->ngroups; i++)
		free(rs->groups[i].members);
	free(rs->srcs);
	free(rs->groups);
	free(rs->perms);
	free(rs->hosts);
	free(rs->plists);
	free(rs->refs);
	gh_arena_clear(&rs->arena);
	free(rs);
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_json_suffix(const char *n)
{
	size_t l = strlen(n);

	return l > 5 && !strcmp(n + l - 5, ".json") && n[0] != '.';
}

/**
 * struct names - file names, each malloc'd
 * @v: the names (@n of them, capacity @cap)
 */
struct names {
	char **v;
	size_t n, cap;
};

static void names_done(struct names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fw_ruleset *, fw_ruleset_free)

/* The *.json files of @dir, sorted, into @l.  0 or -errno, diagnosed. */
static int list_json_files(const char *dir, struct names *l, struct diag_list *dl)
{
	_cleanup_(closedirp) DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		int r = -errno;

		diag_add(dl, DIAG_ERROR, dir, "", 0, 0, "cannot open rules directory: %s",
			 strerror(-r));
		return r;
	}
	while ((e = readdir(d))) {
		if (!has_json_suffix(e->d_name))
			continue;
		if (FW_VEC_PUSH(l->v, l->n, l->cap, FW_FILES_MAX) < 0) {
			diag_add(dl, DIAG_ERROR, dir, "", 0, 0, "more than %d .json files",
				 FW_FILES_MAX);
			return -E2BIG;
		}
		l->v[l->n] = strdup(e->d_name);
		if (!l->v[l->n])
			return -ENOMEM;
		l->n++;
	}
	if (!l->n) {
		diag_add(dl, DIAG_ERROR, dir, "", 0, 0, "no .json files in the rules directory");
		return -ENOENT;
	}
	qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	return 0;
}

/*
 * Read file @name of @dir into @rs.  An unreadable file is diagnosed, its
 * -errno put in *@unreadable, and 0 returned: the caller reads on, to
 * report every error in one run.  Returns 0 or -errno for what stops it.
 */
static int read_source(struct fw_ruleset *rs, const char *dir, const char *name, int *unreadable,
		       struct diag_list *dl)
{
	char path[4096];
	char *text = NULL;
	size_t len = 0;
	int r;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		diag_add(dl, DIAG_ERROR, name, "", 0, 0, "path too long");
		return -ENAMETOOLONG;
	}
	r = gh_file_read(path, &text, &len, dl);
	if (r < 0) {
		*unreadable = r;
		return 0;
	}
	return add_source(rs, path, text, len);
}

int fw_ruleset_load_dir(const char *dir, struct fw_ruleset **ret, struct diag_list *dl)
{
	_cleanup_(fw_ruleset_freep) struct fw_ruleset *rs = NULL;
	_cleanup_(names_done) struct names l = { 0 };
	int r = list_json_files(dir, &l, dl), unreadable = 0;

	if (r < 0)
		return r;
	rs = calloc(1, sizeof(*rs));
	if (!rs)
		return -ENOMEM;
	for (size_t i = 0; i < l.n; i++) {
		r = read_source(rs, dir, l.v[i], &unreadable, dl);
		if (r < 0)
			return r;
	}
	if (unreadable < 0)
		return unreadable;
	r = load_sources(rs, dl);
	if (r >= 0)
		*ret = TAKE_PTR(rs);
	return r;
}

int fw_ruleset_load_buffers(size_t n, const char *const *names, const char *const *texts,
			    const size_t *lens, struct fw_ruleset **ret, struct diag_list *dl)
{
	_cleanup_(fw_ruleset_freep) struct fw_ruleset *rs = calloc(1, sizeof(*rs));
	int r;

	if (!rs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		/* gh_json_locate and jansson want a NUL-terminated copy. */
		char *t = malloc(lens[i] + 1);

		if (!t)
			return -ENOMEM;
		memcpy(t, texts[i], lens[i]);
		t[lens[i]] = '\0';
		r = add_source(rs, names[i], t, lens[i]);
		if (r < 0)
			return r;
	}
	r = load_sources(rs, dl);
	if (r >= 0)
		*ret = TAKE_PTR(rs);
	return r;
}

void fw_ruleset_stats(const struct fw_ruleset *rs, size_t *ret_groups, size_t *ret_rules,
		      size_t *ret_hosts)
{
	*ret_groups = rs->ngroups;
	*ret_rules = rs->nperms;
	*ret_hosts = rs->nhosts;
}

const char *fw_ruleset_host_name(const struct fw_ruleset *rs, size_t i)
{
	return i < rs->nhosts ? rs->hosts[i].name : NULL;
}
