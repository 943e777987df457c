/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_fw_ref_diff: differential fuzzing of the firewall compiler against
 * the reference packet classifier (tests/ref/fw_ref.c).
 *
 * The input bytes are choices (one a byte, 0 past the end) that build a
 * rule set from vocabularies of real pieces: two to four security groups
 * (by GroupId or GroupName), each with inbound and outbound permissions
 * (tcp, udp, icmp, icmpv6, -1, a protocol number; port ranges and ICMP
 * type/code with -1; IPv4 and IPv6 CIDRs, prefix lists, group references,
 * the group itself), an inventory of two hosts with interfaces, addresses
 * and groups, and prefix lists; then packets (direction, interface,
 * family, peer at CIDR edges or an inventory address, protocol, port).
 * Every host is compiled; for every packet fw_compiled_allows() must equal
 * fw_ref_allows().  A rule set the loader refuses is skipped
 * (fuzz_fw_rules checks refusals).
 */
#include <gatehouse/fw.h>
#include <arpa/inet.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_choices.h"
#include "fw_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const group_ids[] = { "sg-0a", "sg-0b", "sg-0c", "sg-0d" };
static const char *const group_names[] = { "alpha", "beta", "gamma", "delta" };
static const char *const cidrs4[] = { "10.0.0.0/8",   "10.1.2.3/32", "0.0.0.0/0",
				      "192.0.2.0/24", "10.1.0.0/16", "203.0.113.128/25" };
static const char *const cidrs6[] = { "2001:db8::/32", "::/0", "2001:db8:1::10/128",
				      "2001:db8:1::/48", "fd00::/8" };
static const char *const addrs4[] = { "10.1.2.3", "10.1.9.9", "192.0.2.10", "10.2.0.1" };
static const char *const addrs6[] = { "2001:db8:1::10", "2001:db8:2::1", "fd00::5" };
static const char *const protos[] = { "tcp", "udp", "icmp", "icmpv6", "-1", "47", "6", "58" };
static const long ports[] = { 0, 1, 22, 80, 443, 1024, 8080, 65535 };
static const long icmp[] = { -1, 0, 3, 8, 128, 129, 255 };

static json_t *permission(struct src *s, unsigned self)
{
	json_t *p = json_object(), *r4 = json_array(), *r6 = json_array(), *pl = json_array(),
	       *gp = json_array();
	const char *proto = PICK(s, protos);
	unsigned npeers = 1 + pick(s, 3);

	json_object_set_new(p, "IpProtocol", json_string(proto));
	if (!strcmp(proto, "tcp") || !strcmp(proto, "udp") || !strcmp(proto, "6")) {
		long a = PICK(s, ports), b = PICK(s, ports);

		json_object_set_new(p, "FromPort", json_integer(a < b ? a : b));
		json_object_set_new(p, "ToPort", json_integer(a < b ? b : a));
	} else if (!strcmp(proto, "icmp") || !strcmp(proto, "icmpv6") || !strcmp(proto, "58")) {
		long t = PICK(s, icmp), c = t == -1 ? -1 : PICK(s, icmp);

		json_object_set_new(p, "FromPort", json_integer(t));
		json_object_set_new(p, "ToPort", json_integer(c));
	}
	for (unsigned i = 0; i < npeers; i++) {
		switch (pick(s, 5)) {
		case 0: {
			json_t *r = json_object();

			json_object_set_new(r, "CidrIp", json_string(PICK(s, cidrs4)));
			json_array_append_new(r4, r);
			break;
		}
		case 1: {
			json_t *r = json_object();

			json_object_set_new(r, "CidrIpv6", json_string(PICK(s, cidrs6)));
			json_array_append_new(r6, r);
			break;
		}
		case 2: {
			json_t *r = json_object();

			json_object_set_new(r, "PrefixListId",
					    json_string(pick(s, 2) ? "pl-0a" : "pl-0b"));
			json_array_append_new(pl, r);
			break;
		}
		default: {
			json_t *r = json_object();

			json_object_set_new(r, "GroupId",
					    json_string(group_ids[pick(s, 2) ? self : pick(s, 2)]));
			json_array_append_new(gp, r);
			break;
		}
		}
	}
	json_object_set_new(p, "IpRanges", r4);
	json_object_set_new(p, "Ipv6Ranges", r6);
	json_object_set_new(p, "PrefixListIds", pl);
	json_object_set_new(p, "UserIdGroupPairs", gp);
	return p;
}

static json_t *build_rules(struct src *s, unsigned *ret_ngroups)
{
	json_t *doc = json_object(), *groups = json_array(), *hosts = json_array(),
	       *lists = json_array();
	unsigned ngroups = 2 + pick(s, 3);

	for (unsigned g = 0; g < ngroups; g++) {
		json_t *grp = json_object(), *in = json_array(), *out = json_array();
		unsigned nin = pick(s, 4), nout = pick(s, 3);

		json_object_set_new(grp, "GroupId", json_string(group_ids[g]));
		json_object_set_new(grp, "GroupName", json_string(group_names[g]));
		for (unsigned i = 0; i < nin; i++)
			json_array_append_new(in, permission(s, g));
		for (unsigned i = 0; i < nout; i++)
			json_array_append_new(out, permission(s, g));
		json_object_set_new(grp, "IpPermissions", in);
		json_object_set_new(grp, "IpPermissionsEgress", out);
		json_array_append_new(groups, grp);
	}
	for (unsigned h = 0; h < 2; h++) {
		json_t *host = json_object(), *ifs = json_array();
		char name[16];

		snprintf(name, sizeof(name), "host-%u", h);
		json_object_set_new(host, "Name", json_string(name));
		for (unsigned i = 0, n = 1 + pick(s, 2); i < n; i++) {
			json_t *itf = json_object(), *addrs = json_array(), *sgs = json_array();
			char ifname[16];

			snprintf(ifname, sizeof(ifname), "eth%u", i);
			json_object_set_new(itf, "Name", json_string(ifname));
			json_array_append_new(addrs, json_string(addrs4[(h * 2 + i) % 4]));
			if (pick(s, 2))
				json_array_append_new(addrs, json_string(addrs6[(h + i) % 3]));
			for (unsigned k = 0, nk = 1 + pick(s, 2); k < nk; k++) {
				unsigned g = pick(s, ngroups);

				json_array_append_new(sgs,
						      json_string(pick(s, 3) ? group_ids[g]
									     : group_names[g]));
			}
			json_object_set_new(itf, "Addresses", addrs);
			json_object_set_new(itf, "SecurityGroups", sgs);
			json_array_append_new(ifs, itf);
		}
		json_object_set_new(host, "Interfaces", ifs);
		json_array_append_new(hosts, host);
	}
	for (unsigned l = 0; l < 2; l++) {
		json_t *pl = json_object(), *c = json_array();

		json_object_set_new(pl, "PrefixListId", json_string(l ? "pl-0b" : "pl-0a"));
		json_array_append_new(c, json_string(PICK(s, cidrs4)));
		json_array_append_new(c, json_string(PICK(s, cidrs6)));
		json_object_set_new(pl, "Cidrs", c);
		json_array_append_new(lists, pl);
	}
	json_object_set_new(doc, "SecurityGroups", groups);
	json_object_set_new(doc, "Hosts", hosts);
	json_object_set_new(doc, "PrefixLists", lists);
	*ret_ngroups = ngroups;
	return doc;
}

/* A peer: an inventory address, or near a CIDR of the vocabulary. */
static int peer(struct src *s, uint8_t out[16])
{
	static const char *const v4[] = { "10.1.2.3",  "10.1.9.9",	"192.0.2.10",
					  "10.2.0.1",  "10.0.0.0",	"10.255.255.255",
					  "11.0.0.0",  "9.255.255.255", "192.0.2.255",
					  "192.0.3.0", "203.0.113.128", "203.0.113.127",
					  "10.1.2.4",  "8.8.8.8" };
	static const char *const v6[] = { "2001:db8:1::10",
					  "2001:db8:2::1",
					  "fd00::5",
					  "2001:db8::",
					  "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
					  "2001:db9::",
					  "2001:db8:1::11",
					  "fe80::1",
					  "::1" };

	memset(out, 0, 16);
	if (pick(s, 2)) {
		inet_pton(AF_INET, PICK(s, v4), out);
		return 4;
	}
	inet_pton(AF_INET6, PICK(s, v6), out);
	return 6;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t pkt_protos[] = { 6, 17, 1, 58, 47 };
	struct src s = { data, size };
	unsigned ngroups;
	json_t *doc = build_rules(&s, &ngroups), *rules = json_array();
	char *text = json_dumps(doc, JSON_COMPACT);
	const char *names[1] = { "fuzz.json" };
	const char *texts[1] = { text };
	size_t lens[1] = { text ? strlen(text) : 0 };
	struct fw_ruleset *rs = NULL;
	struct diag_list dl;

	diag_list_init(&dl);
	json_array_append(rules, doc);
	if (!text || fw_ruleset_load_buffers(1, names, texts, lens, &rs, &dl) < 0)
		goto done;
	for (size_t h = 0; fw_ruleset_host_name(rs, h); h++) {
		const char *host = fw_ruleset_host_name(rs, h);
		struct fw_compiled *c = NULL;

		if (fw_compile(rs, host, &c, &dl) < 0)
			continue;
		for (unsigned k = 0; k < 24; k++) {
			uint8_t a[16];
			int fam = peer(&s, a);
			uint8_t proto = PICK(&s, pkt_protos);
			bool in = pick(&s, 2);
			const char *ifname = pick(&s, 4) ? "eth0" : "eth1";
			uint16_t port;
			bool e, r;

			if (proto == 1 || proto == 58)
				port = (uint16_t)((unsigned)PICK(&s, icmp) << 8 | pick(&s, 3) * 8);
			else
				port = (uint16_t)PICK(&s, ports);
			/* Neighbour discovery is allowed outside the security groups. */
			if (proto == 58 && (port >> 8) >= 133 && (port >> 8) <= 137)
				continue;
			e = fw_compiled_allows(c, in, ifname, fam, a, proto, port);
			r = fw_ref_allows(rules, host, in, ifname, fam, a, proto, port);
			if (e != r) {
				char addr[64];

				inet_ntop(fam == 4 ? AF_INET : AF_INET6, a, addr, sizeof(addr));
				fprintf(stderr,
					"fuzz_fw_ref_diff: %s %s %s peer %s proto %u port %u: "
					"compiled %s, reference %s\n  rules: %s\n",
					host, ifname, in ? "in" : "out", addr, proto, port,
					e ? "allows" : "denies", r ? "allows" : "denies", text);
				__builtin_trap();
			}
		}
		fw_compiled_free(c);
	}
done:
	fw_ruleset_free(rs);
	diag_list_clear(&dl);
	free(text);
	json_decref(doc);
	json_decref(rules);
	(void)ngroups;
	return 0;
}
