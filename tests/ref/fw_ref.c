/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A reference packet classifier over the security-group model (fw_ref.h),
 * from the EC2 User Guide ("Security group rules") and SEMANTICS.md Part 2:
 * the first packet of a flow through an interface is allowed when any rule
 * of any group of that interface, in that direction, matches its protocol,
 * port (or ICMP type and code) and peer (a CIDR of its family, a prefix
 * list, or an address of any interface that carries the referenced group).
 * It reads the rules directory's JSON trees as they are, on every packet.
 */
#include "fw_ref.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Every object of @rules (an array of parsed files) under @key, in file order. */
#define EACH_FILE_ARRAY(rules, key, i, f, j, e)                                                    \
	json_array_foreach((rules), i, f)                                                          \
		json_array_foreach(json_object_get(f, key), j, e)

static bool prefix_match(int family, const uint8_t *a, const char *cidr)
{
	uint8_t net[16];
	char addr[64];
	const char *slash = strchr(cidr, '/');
	size_t alen = slash ? (size_t)(slash - cidr) : strlen(cidr);
	int bits = family == 4 ? 32 : 128;

	if (alen >= sizeof(addr))
		return false;
	memcpy(addr, cidr, alen);
	addr[alen] = '\0';
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, addr, net) != 1)
		return false; /* the other family */
	if (slash)
		bits = (int)strtol(slash + 1, NULL, 10);
	for (int i = 0; i < bits; i++) {
		int m = 0x80 >> (i % 8);

		if ((net[i / 8] & m) != (a[i / 8] & m))
			return false;
	}
	return true;
}

/* A group named by GroupId or GroupName. */
static json_t *group_find(json_t *rules, const char *ref)
{
	size_t i, j;
	json_t *f, *g;

	EACH_FILE_ARRAY(rules, "SecurityGroups", i, f, j, g)
	{
		const char *id = json_string_value(json_object_get(g, "GroupId"));
		const char *name = json_string_value(json_object_get(g, "GroupName"));

		if ((id && !strcmp(id, ref)) || (name && !strcmp(name, ref)))
			return g;
	}
	return NULL;
}

/* Does interface @itf carry group @want and have address @a? */
static bool iface_member(json_t *rules, json_t *itf, json_t *want, int family, const uint8_t *a)
{
	json_t *sg, *addr;
	size_t l, m;
	bool carries = false;

	json_array_foreach(json_object_get(itf, "SecurityGroups"), l, sg)
		carries |= group_find(rules, json_string_value(sg)) == want;
	if (!carries)
		return false;
	json_array_foreach(json_object_get(itf, "Addresses"), m, addr) {
		uint8_t b[16];

		if (inet_pton(family == 4 ? AF_INET : AF_INET6, json_string_value(addr), b) == 1 &&
		    !memcmp(b, a, family == 4 ? 4 : 16))
			return true;
	}
	return false;
}

/*
 * Does any interface that carries group @ref have address @a?  A host's own
 * interfaces and its guests' (a guest's addresses are members of its groups
 * like any host's).
 */
static bool group_member(json_t *rules, const char *ref, int family, const uint8_t *a)
{
	json_t *want = group_find(rules, ref), *f, *h, *itf, *guest;
	size_t i, j, k, g;

	EACH_FILE_ARRAY(rules, "Hosts", i, f, j, h)
	{
		json_array_foreach(json_object_get(h, "Interfaces"), k, itf)
			if (iface_member(rules, itf, want, family, a))
				return true;
		json_array_foreach(json_object_get(h, "Guests"), g, guest)
			json_array_foreach(json_object_get(guest, "Interfaces"), k, itf)
				if (iface_member(rules, itf, want, family, a))
					return true;
	}
	return false;
}

static bool peer_match(json_t *rules, json_t *perm, int family, const uint8_t *a)
{
	json_t *r, *f, *pl, *c;
	size_t i, j, k, l;

	json_array_foreach(json_object_get(perm, family == 4 ? "IpRanges" : "Ipv6Ranges"), i, r)
		if (prefix_match(family, a,
				 json_string_value(
				     json_object_get(r, family == 4 ? "CidrIp" : "CidrIpv6"))))
			return true;
	json_array_foreach(json_object_get(perm, "PrefixListIds"), i, r) {
		const char *id = json_string_value(json_object_get(r, "PrefixListId"));

		EACH_FILE_ARRAY(rules, "PrefixLists", j, f, k, pl)
		{
			if (strcmp(json_string_value(json_object_get(pl, "PrefixListId")), id))
				continue;
			json_array_foreach(json_object_get(pl, "Cidrs"), l, c)
				if (prefix_match(family, a, json_string_value(c)))
					return true;
		}
	}
	json_array_foreach(json_object_get(perm, "UserIdGroupPairs"), i, r) {
		json_t *id = json_object_get(r, "GroupId");

		if (!id)
			id = json_object_get(r, "GroupName");
		if (group_member(rules, json_string_value(id), family, a))
			return true;
	}
	return false;
}

static long port_of(json_t *perm, const char *key, long absent)
{
	json_t *v = json_object_get(perm, key);

	return json_is_integer(v) ? (long)json_integer_value(v) : absent;
}

/* Protocol and ports (ICMP: FromPort the type, ToPort the code, -1 any). */
static bool proto_match(json_t *perm, int family, uint8_t proto, uint16_t port)
{
	const char *p = json_string_value(json_object_get(perm, "IpProtocol"));
	long from = port_of(perm, "FromPort", -1), to = port_of(perm, "ToPort", -1);
	int num;

	if (!strcmp(p, "-1"))
		return true;
	if (!strcasecmp(p, "tcp"))
		num = IPPROTO_TCP;
	else if (!strcasecmp(p, "udp"))
		num = IPPROTO_UDP;
	else if (!strcasecmp(p, "icmp"))
		num = IPPROTO_ICMP;
	else if (!strcasecmp(p, "icmpv6"))
		num = IPPROTO_ICMPV6;
	else
		num = (int)strtol(p, NULL, 10);
	if (num != proto)
		return false;
	/* ICMP is IPv4's, ICMPv6 IPv6's. */
	if ((num == IPPROTO_ICMP && family != 4) || (num == IPPROTO_ICMPV6 && family != 6))
		return false;
	if (num == IPPROTO_TCP || num == IPPROTO_UDP)
		return port >= from && port <= to;
	if (num == IPPROTO_ICMP || num == IPPROTO_ICMPV6)
		return (from == -1 || (port >> 8) == from) && (to == -1 || (port & 0xff) == to);
	return true;
}

bool fw_ref_allows(json_t *rules, const char *host, bool dir_in, const char *ifname, int family,
		   const uint8_t *peer, uint8_t proto, uint16_t port)
{
	json_t *f, *h, *itf, *sg, *perm;
	size_t i, j, k, l, m;

	if (!strcmp(ifname, "lo"))
		return true; /* AWS provides loopback out of band */
	EACH_FILE_ARRAY(rules, "Hosts", i, f, j, h)
	{
		if (strcmp(json_string_value(json_object_get(h, "Name")), host))
			continue;
		json_array_foreach(json_object_get(h, "Interfaces"), k, itf) {
			if (strcmp(json_string_value(json_object_get(itf, "Name")), ifname))
				continue;
			json_array_foreach(json_object_get(itf, "SecurityGroups"), l, sg) {
				json_t *g = group_find(rules, json_string_value(sg));

				json_array_foreach(json_object_get(g, dir_in
									  ? "IpPermissions"
									  : "IpPermissionsEgress"),
						   m, perm)
					if (proto_match(perm, family, proto, port) &&
					    peer_match(rules, perm, family, peer))
						return true;
			}
		}
	}
	return false;
}
