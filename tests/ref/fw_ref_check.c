/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw_ref_check RULES_DIR [PACKETS_PER_INTERFACE]: every host of the rules
 * directory compiled by gh_fw, then packets classified by the compiled
 * ruleset's own evaluator (fw_compiled_allows) and by the reference
 * (fw_ref.c) must agree.  Packets: both directions, both families, tcp,
 * udp, icmp, icmpv6 and another protocol, at every port edge the rules
 * name (from-1, from, to, to+1) and at random, from peers at every CIDR's
 * edges, every inventory address, and at random (seeded).  ICMPv6
 * neighbour discovery (types 133-137) is left out: it is allowed by rules
 * outside the security groups.  Exit 0 agreement, 1 a disagreement, 2 usage.
 */
#include <gatehouse/fw.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_ref.h"

struct vals {
	long v[4096];
	size_t n;
};

static void add(struct vals *s, long v)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == v)
			return;
	if (s->n < sizeof(s->v) / sizeof(s->v[0]))
		s->v[s->n++] = v;
}

struct addrs {
	uint8_t a[2048][16];
	int fam[2048];
	size_t n;
};

static void add_addr(struct addrs *s, int fam, const uint8_t *b)
{
	if (s->n >= 2048)
		return;
	memset(s->a[s->n], 0, 16);
	memcpy(s->a[s->n], b, fam == 4 ? 4 : 16);
	s->fam[s->n++] = fam;
}

/* A CIDR's first and last address and the neighbours just outside. */
static void cidr_edges(struct addrs *s, const char *cidr)
{
	uint8_t lo[16], hi[16];
	char addr[64];
	const char *slash = strchr(cidr, '/');
	size_t alen = slash ? (size_t)(slash - cidr) : strlen(cidr);
	int fam, n, bits;

	if (alen >= sizeof(addr))
		return;
	memcpy(addr, cidr, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, lo) == 1)
		fam = 4, n = 4;
	else if (inet_pton(AF_INET6, addr, lo) == 1)
		fam = 6, n = 16;
	else
		return;
	bits = slash ? (int)strtol(slash + 1, NULL, 10) : n * 8;
	memcpy(hi, lo, 16);
	for (int i = bits; i < n * 8; i++) {
		lo[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
		hi[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	}
	add_addr(s, fam, lo);
	add_addr(s, fam, hi);
	for (int i = n - 1; i >= 0 && lo[i]-- == 0; i--)
		;
	for (int i = n - 1; i >= 0 && ++hi[i] == 0; i--)
		;
	add_addr(s, fam, lo);
	add_addr(s, fam, hi);
}

/* Walk every string under @v: CIDRs and addresses give peers, ports give port edges. */
static void harvest(json_t *v, const char *key, struct addrs *peers, struct vals *ports)
{
	const char *k;
	json_t *e;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, k, e)
			harvest(e, k, peers, ports);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			harvest(e, key, peers, ports);
	} else if (json_is_string(v) && key &&
		   (strchr(json_string_value(v), '.') || strchr(json_string_value(v), ':'))) {
		cidr_edges(peers, json_string_value(v));
	} else if (json_is_integer(v) && key && strstr(key, "Port")) {
		long p = (long)json_integer_value(v);

		add(ports, p - 1);
		add(ports, p);
		add(ports, p + 1);
	}
}

static json_t *load_rules(const char *dir)
{
	json_t *rules = json_array();
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		size_t len = strlen(ents[i]->d_name);
		char path[4096];

		if (len > 5 && !strcmp(ents[i]->d_name + len - 5, ".json")) {
			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			json_array_append_new(rules, json_load_file(path, 0, NULL));
		}
		free(ents[i]);
	}
	free(ents);
	return rules;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

int main(int argc, char **argv)
{
	static struct addrs peers;
	static struct vals ports;
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6,
					  47 };
	struct fw_ruleset *rs = NULL;
	struct diag_list dl;
	json_t *rules;
	unsigned long checked = 0, allowed = 0, bad = 0;
	long nrandom = argc > 2 ? strtol(argv[2], NULL, 10) : 200;

	if (argc < 2) {
		fprintf(stderr, "usage: fw_ref_check RULES_DIR [RANDOM_PACKETS]\n");
		return 2;
	}
	diag_list_init(&dl);
	if (fw_ruleset_load_dir(argv[1], &rs, &dl) < 0) {
		diag_list_print(stderr, &dl);
		return 2;
	}
	rules = load_rules(argv[1]);
	harvest(rules, NULL, &peers, &ports);
	for (long i = 0; i < 8; i++)
		add(&ports, i * 8191);
	for (size_t h = 0; fw_ruleset_host_name(rs, h); h++) {
		const char *host = fw_ruleset_host_name(rs, h);
		struct fw_compiled *c = NULL;

		if (fw_compile(rs, host, &c, &dl) < 0) {
			diag_list_print(stderr, &dl);
			return 2;
		}
		for (size_t ifi = 0; fw_compiled_iface(c, ifi); ifi++) {
			const char *ifname = fw_compiled_iface(c, ifi);

			for (size_t pi = 0; pi < peers.n + (size_t)nrandom; pi++) {
				uint8_t peer[16];
				int fam;

				if (pi < peers.n) {
					memcpy(peer, peers.a[pi], 16);
					fam = peers.fam[pi];
				} else {
					fam = next() % 2 ? 4 : 6;
					for (int b = 0; b < 16; b++)
						peer[b] = (uint8_t)next();
				}
				for (size_t pr = 0; pr < sizeof(protos); pr++) {
					for (size_t po = 0; po < ports.n + 4; po++) {
						uint16_t port = po < ports.n ? (uint16_t)ports.v[po]
									     : (uint16_t)next();
						bool icmp = protos[pr] == IPPROTO_ICMP ||
							    protos[pr] == IPPROTO_ICMPV6;

						if (icmp && po < ports.n)
							port =
							    (uint16_t)((ports.v[po] & 0xff) << 8 |
								       (next() % 4
									    ? 0
									    : next() & 0xff));
						if (protos[pr] == IPPROTO_ICMPV6 &&
						    (port >> 8) >= 133 && (port >> 8) <= 137)
							continue;
						if (po >= ports.n || ports.v[po] < 0 ||
						    ports.v[po] > 65535) {
							if (!icmp && po < ports.n)
								continue;
						}
						for (int dir = 0; dir < 2; dir++) {
							bool e =
							    fw_compiled_allows(c, dir, ifname, fam,
									       peer, protos[pr],
									       port);
							bool r = fw_ref_allows(rules, host, dir,
									       ifname, fam, peer,
									       protos[pr], port);
							char text[64];

							checked++;
							allowed += r;
							if (e == r)
								continue;
							if (bad++ < 20) {
								inet_ntop(fam == 4 ? AF_INET
										   : AF_INET6,
									  peer, text, sizeof(text));
								fprintf(stderr,
									"%s %s %s peer %s proto %u "
									"port/type-code %u: "
									"compiled %s, "
									"reference %s\n",
									host, ifname,
									dir ? "in" : "out", text,
									protos[pr], port,
									e ? "allows" : "denies",
									r ? "allows" : "denies");
							}
						}
					}
				}
			}
		}
		fw_compiled_free(c);
	}
	printf("fw_ref_check: %lu packets, %lu allowed by the reference, %lu disagreements\n",
	       checked, allowed, bad);
	json_decref(rules);
	fw_ruleset_free(rs);
	diag_list_clear(&dl);
	return bad ? 1 : 0;
}
