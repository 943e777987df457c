/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the firewall compiler stages, without a kernel: loading,
 * the semantics of the compiled IR (evaluated by fw_compiled_allows), the
 * disjointness of normalised elements (randomised against a brute-force
 * oracle), and the netlink key encoding round trip.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "fw/emit.h"
#include "fw/internal.h"
#include "fw/rule_nft.h"

static const char *const INV =
    "{\"Hosts\": ["
    "{\"Name\": \"db\", \"Interfaces\": [{\"Name\": \"eth0\", \"Addresses\": [\"10.0.3.10\", "
    "\"2001:db8:3::10\"], \"SecurityGroups\": [\"sg-db\"]}]},"
    "{\"Name\": \"app\", \"Interfaces\": [{\"Name\": \"eth0\", \"Addresses\": [\"10.0.2.10\", "
    "\"2001:db8:2::10\"], \"SecurityGroups\": [\"sg-app\"]}]}"
    "]}";

static const char *const SG =
    "{\"SecurityGroups\": ["
    "{\"GroupId\": \"sg-db\", \"IpPermissions\": ["
    " {\"IpProtocol\": \"tcp\", \"FromPort\": 5432, \"ToPort\": 5432, "
    "  \"UserIdGroupPairs\": [{\"GroupId\": \"sg-app\"}]},"
    " {\"IpProtocol\": \"tcp\", \"FromPort\": 1000, \"ToPort\": 2000, "
    "  \"IpRanges\": [{\"CidrIp\": \"192.0.2.0/24\"}]},"
    " {\"IpProtocol\": \"icmp\", \"FromPort\": 8, \"ToPort\": -1, "
    "  \"IpRanges\": [{\"CidrIp\": \"10.0.0.0/8\"}], \"Ipv6Ranges\": [{\"CidrIpv6\": \"::/0\"}]}"
    "], \"IpPermissionsEgress\": ["
    " {\"IpProtocol\": \"udp\", \"FromPort\": 53, \"ToPort\": 53, "
    "  \"IpRanges\": [{\"CidrIp\": \"10.0.0.2/32\"}]}"
    "]},"
    "{\"GroupId\": \"sg-app\"}"
    "]}";

static struct fw_ruleset *load2(const char *a, const char *b, struct diag_list *dl)
{
	const char *names[] = { "sg.json", "inv.json" };
	const char *texts[] = { a, b };
	size_t lens[] = { strlen(a), strlen(b) };
	struct fw_ruleset *rs = NULL;

	diag_list_init(dl);
	if (fw_ruleset_load_buffers(2, names, texts, lens, &rs, dl) < 0)
		return NULL;
	return rs;
}

static bool allows(const struct fw_compiled *c, bool in, const char *peer, uint8_t proto,
		   uint16_t port)
{
	uint8_t a[16];
	int fam = strchr(peer, ':') ? 6 : 4;

	assert_int_equal(inet_pton(fam == 6 ? AF_INET6 : AF_INET, peer, a), 1);
	return fw_compiled_allows(c, in, "eth0", fam, a, proto, port);
}

static void test_semantics(void **state)
{
	struct diag_list dl;
	struct fw_ruleset *rs = load2(SG, INV, &dl);
	struct fw_compiled *c = NULL;

	assert_non_null(rs);
	assert_int_equal(dl.errors, 0);
	assert_int_equal(fw_compile(rs, "db", &c, &dl), 0);
	/* Group members, both families; non-members not. */
	assert_true(allows(c, true, "10.0.2.10", IPPROTO_TCP, 5432));
	assert_true(allows(c, true, "2001:db8:2::10", IPPROTO_TCP, 5432));
	assert_false(allows(c, true, "10.0.2.11", IPPROTO_TCP, 5432));
	assert_false(allows(c, true, "10.0.2.10", IPPROTO_TCP, 5433));
	assert_false(allows(c, true, "10.0.2.10", IPPROTO_UDP, 5432));
	/* Port range edges. */
	assert_false(allows(c, true, "192.0.2.7", IPPROTO_TCP, 999));
	assert_true(allows(c, true, "192.0.2.7", IPPROTO_TCP, 1000));
	assert_true(allows(c, true, "192.0.2.7", IPPROTO_TCP, 2000));
	assert_false(allows(c, true, "192.0.2.7", IPPROTO_TCP, 2001));
	assert_false(allows(c, true, "192.0.3.7", IPPROTO_TCP, 1500));
	/* ICMP echo from 10/8; never widened to IPv6 (icmp with ::/0 is ignored). */
	assert_true(allows(c, true, "10.1.2.3", IPPROTO_ICMP, 8 << 8 | 0));
	assert_false(allows(c, true, "10.1.2.3", IPPROTO_ICMP, 0 << 8 | 0));
	assert_false(allows(c, true, "2001:db8::1", IPPROTO_ICMPV6, 128 << 8));
	assert_false(allows(c, true, "2001:db8::1", IPPROTO_ICMP, 8 << 8));
	/* Egress: only DNS to one resolver. */
	assert_true(allows(c, false, "10.0.0.2", IPPROTO_UDP, 53));
	assert_false(allows(c, false, "10.0.0.3", IPPROTO_UDP, 53));
	assert_false(allows(c, false, "10.0.0.2", IPPROTO_TCP, 53));
	/* The warning about icmp + IPv6 range is there. */
	assert_int_equal(dl.warnings, 1);
	fw_compiled_free(c);
	fw_ruleset_free(rs);
	diag_list_clear(&dl);
}

static void test_errors_located(void **state)
{
	const char *bad = "{\"SecurityGroups\": [{\"GroupId\": \"sg-1\", \"IpPermissions\": [\n"
			  " {\"IpProtocol\": \"tcp\", \"FromPort\": 22, \"ToPort\": 22, "
			  "\"IpRanges\": [{\"CidrIp\": \"10.0.0.1/8\"}]}]}]}";
	struct diag_list dl;
	struct fw_ruleset *rs = load2(bad, "{\"Hosts\": []}", &dl);

	assert_null(rs);
	assert_int_equal(dl.errors, 1);
	assert_int_equal(dl.items[0].line, 2);
	assert_true(dl.items[0].column > 1);
	assert_string_equal(dl.items[0].path,
			    "SecurityGroups[0].IpPermissions[0].IpRanges[0].CidrIp");
	assert_non_null(strstr(dl.items[0].message, "host bits"));
	diag_list_clear(&dl);
}

/*
 * An interface listing more security groups than FW_GROUPS_MAX is refused
 * with an error at its SecurityGroups array (it used to load with none of
 * its groups, silently).
 */
static void test_iface_groups_over_cap(void **state)
{
	static const char head[] = "{\"Hosts\": [{\"Name\": \"h\", \"Interfaces\": [{\"Name\": "
				   "\"eth0\", \"Addresses\": [\"10.0.0.1\"], \"SecurityGroups\": [";
	static const char ref[] = "\"sg-1\",";
	size_t n = (size_t)FW_GROUPS_MAX + 1, len = 0;
	char *inv = malloc(sizeof(head) + n * (sizeof(ref) - 1) + 16);
	struct diag_list dl;
	struct fw_ruleset *rs;

	assert_non_null(inv);
	memcpy(inv, head, sizeof(head) - 1);
	len = sizeof(head) - 1;
	for (size_t i = 0; i < n; i++) {
		memcpy(inv + len, ref, sizeof(ref) - 1);
		len += sizeof(ref) - 1;
	}
	memcpy(inv + len - 1, "]}]}]}", sizeof("]}]}]}"));
	rs = load2("{\"SecurityGroups\": [{\"GroupId\": \"sg-1\"}]}", inv, &dl);
	assert_null(rs);
	assert_int_equal(dl.errors, 1);
	assert_string_equal(dl.items[0].path, "Hosts[0].Interfaces[0].SecurityGroups");
	assert_non_null(strstr(dl.items[0].message, "security groups; at most"));
	diag_list_clear(&dl);
	free(inv);
}

static void test_unknown_host(void **state)
{
	struct diag_list dl;
	struct fw_ruleset *rs = load2(SG, INV, &dl);
	struct fw_compiled *c = NULL;

	assert_non_null(rs);
	assert_int_equal(fw_compile(rs, "nope", &c, &dl), -ENOENT);
	assert_null(c);
	fw_ruleset_free(rs);
	diag_list_clear(&dl);
}

/* Random boxes: normalised elements are disjoint and cover exactly the union. */
static void test_normalize_random(void **state)
{
	unsigned seed = 12345;

	for (int round = 0; round < 200; round++) {
		struct fw_compiled c = { 0 };
		struct fw_set s = { .name = "t", .kind = FW_SK_ADDR_PORT, .family = 4 };
		struct fw_box boxes[12];
		size_t n = 1 + (size_t)(rand_r(&seed) % 12);
		struct fw_ruleset rs = { 0 };
		struct fw_group g = { .id = "sg-x" };
		struct fw_perm p = { 0 };

		rs.groups = &g;
		rs.ngroups = 1;
		rs.perms = &p;
		rs.nperms = 1;
		for (size_t i = 0; i < n; i++) {
			/* Small universe (addresses 0..31, ports 0..15) for a brute-force oracle.
			 */
			uint32_t a = (uint32_t)rand_r(&seed) % 32, b = (uint32_t)rand_r(&seed) % 32;
			uint32_t k1 = (uint32_t)rand_r(&seed) % 16,
				 k2 = (uint32_t)rand_r(&seed) % 16;

			boxes[i].lo = (struct fw_addr){ 0, a < b ? a : b };
			boxes[i].hi = (struct fw_addr){ 0, a < b ? b : a };
			boxes[i].klo = k1 < k2 ? k1 : k2;
			boxes[i].khi = k1 < k2 ? k2 : k1;
			boxes[i].origin = 0;
		}
		{
			bool want[32][16] = { { false } };

			for (size_t i = 0; i < n; i++)
				for (uint64_t a = boxes[i].lo.lo; a <= boxes[i].hi.lo; a++)
					for (uint32_t k = boxes[i].klo; k <= boxes[i].khi; k++)
						want[a][k] = true;
			assert_int_equal(fw_normalize(&c, &s, boxes, n, &rs, false), 0);
			for (uint64_t a = 0; a < 32; a++)
				for (uint32_t k = 0; k < 16; k++) {
					int hits = 0;

					for (size_t e = 0; e < s.nelems; e++)
						hits += a >= s.elems[e].alo.lo &&
							a <= s.elems[e].ahi.lo &&
							k >= s.elems[e].k1lo &&
							k <= s.elems[e].k1hi;
					assert_int_equal(hits, want[a][k] ? 1 : 0);
				}
		}
		free(s.elems);
		gh_arena_clear(&c.arena);
	}
}

/* ICMP (type, code) flattened and split back: exact cover, disjoint. */
static void test_normalize_icmp(void **state)
{
	struct fw_compiled c = { 0 };
	struct fw_set s = { .name = "t", .kind = FW_SK_ICMP, .family = 4 };
	struct fw_ruleset rs = { 0 };
	struct fw_group g = { .id = "sg-x" };
	struct fw_perm p = { 0 };
	struct fw_box b[3] = {
		{ { 0, 0 }, { 0, 0 }, 3 << 8 | 5, 3 << 8 | 255, 0 }, /* type 3, codes 5.. */
		{ { 0, 0 }, { 0, 0 }, 4 << 8, 6 << 8 | 255, 0 },     /* types 4-6 */
		{ { 0, 0 }, { 0, 0 }, 7 << 8, 7 << 8 | 3, 0 },	     /* type 7, codes 0-3 */
	};

	rs.groups = &g;
	rs.perms = &p;
	assert_int_equal(fw_normalize(&c, &s, b, 3, &rs, true), 0);
	assert_int_equal(s.nelems, 3);
	assert_int_equal(s.elems[0].k1lo, 3);
	assert_int_equal(s.elems[0].k2lo, 5);
	assert_int_equal(s.elems[1].k1lo, 4);
	assert_int_equal(s.elems[1].k1hi, 6);
	assert_int_equal(s.elems[1].k2hi, 255);
	assert_int_equal(s.elems[2].k1lo, 7);
	assert_int_equal(s.elems[2].k2hi, 3);
	free(s.elems);
	gh_arena_clear(&c.arena);
}

/* Netlink key encoding decodes back to the element (as show/diff read it). */
static void test_key_roundtrip(void **state)
{
	struct fw_set s6 = { .kind = FW_SK_ADDR_ICMP, .family = 6 };
	struct fw_elem e = { .k1lo = 128, .k1hi = 129, .k2lo = 0, .k2hi = 255 }, d = { 0 };
	uint8_t key[64], kend[64];
	uint32_t kl, kel;
	uint8_t kind, fam;

	e.alo = (struct fw_addr){ 0x20010db800000000ull, 0 };
	e.ahi = (struct fw_addr){ 0x20010db8ffffffffull, ~0ull };
	assert_int_equal(fw_elem_key(&s6, &e, key, &kl, kend, &kel), FW_KEYEND_ATTR);
	assert_int_equal(kl, 24);
	fw_elem_from_key(&s6, key, kl, kend, kel, &d);
	assert_memory_equal(&d.alo, &e.alo, sizeof(e.alo));
	assert_memory_equal(&d.ahi, &e.ahi, sizeof(e.ahi));
	assert_int_equal(d.k1hi, 129);
	assert_int_equal(d.k2hi, 255);
	assert_true(fw_set_kind_from_type(fw_set_key_type(&s6), &kind, &fam));
	assert_int_equal(kind, FW_SK_ADDR_ICMP);
	assert_int_equal(fam, 6);
}

/* Every rule of a compiled host survives build -> netlink -> parse (as libnftnl's own tests). */
static void test_rule_roundtrip(void **state)
{
	struct diag_list dl;
	struct fw_ruleset *rs = load2(SG, INV, &dl);
	struct fw_compiled *c = NULL;
	size_t checked = 0;

	assert_non_null(rs);
	assert_int_equal(fw_compile(rs, "db", &c, &dl), 0);
	for (size_t i = 0; i < c->nchains; i++)
		for (size_t k = 0; k < c->chains[i].nrules; k++) {
			struct nftnl_rule *a =
			    fw_rule_build(c, &c->chains[i], &c->chains[i].rules[k]);
			struct nftnl_rule *b = nftnl_rule_alloc();
			static char buf[16384];
			char ta[4096], tb[4096];
			struct nlmsghdr *nlh;

			assert_non_null(a);
			assert_non_null(b);
			nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_INET, 0, 1);
			nftnl_rule_nlmsg_build_payload(nlh, a);
			assert_int_equal(nftnl_rule_nlmsg_parse(nlh, b), 0);
			nftnl_rule_snprintf(ta, sizeof(ta), a, NFTNL_OUTPUT_DEFAULT, 0);
			nftnl_rule_snprintf(tb, sizeof(tb), b, NFTNL_OUTPUT_DEFAULT, 0);
			assert_string_equal(ta, tb);
			/* Every rule carries a comment, and ends in a verdict or a vmap. */
			assert_true(nftnl_rule_is_set(b, NFTNL_RULE_USERDATA));
			assert_true(strstr(ta, "immediate") || strstr(ta, "dreg 0"));
			nftnl_rule_free(a);
			nftnl_rule_free(b);
			checked++;
		}
	assert_true(checked > 10);
	fw_compiled_free(c);
	fw_ruleset_free(rs);
	diag_list_clear(&dl);
}

/* A bridged guest port: its bridge table reads back as nft text, its sets hold its addresses. */
static void test_bridged_port(void **state)
{
	static const char *const inv =
	    "{\"Hosts\": [{\"Name\": \"hv\", \"Interfaces\": [], \"Guests\": [{\"Name\": "
	    "\"vm-1\", \"Interfaces\": [{\"Name\": \"tap1\", \"Bridge\": \"br0\", "
	    "\"Addresses\": [\"10.0.1.11\", \"fd00::11\", \"fe80::11\"], \"SecurityGroups\": "
	    "[\"sg-app\"]}]}]}]}";
	struct diag_list dl;
	struct fw_ruleset *rs = load2(SG, inv, &dl);
	struct fw_compiled *c = NULL;
	size_t bridge_rules = 0;
	bool arp = false, ether = false;

	assert_non_null(rs);
	assert_int_equal(fw_compile(rs, "hv", &c, &dl), 0);
	assert_true(fw_compiled_has_bridge(c));
	assert_string_equal(fw_compiled_guest_bridge(c, 0), "br0");
	for (size_t i = 0; i < c->nchains; i++)
		for (size_t k = 0; c->chains[i].bridge && k < c->chains[i].nrules; k++) {
			struct nftnl_rule *nr =
			    fw_rule_build(c, &c->chains[i], &c->chains[i].rules[k]);
			char t[4096];

			assert_non_null(nr);
			fw_rule_nft(nr, t, sizeof(t));
			/* Named fields, never raw link or network header loads. */
			assert_null(strstr(t, "@ll,"));
			assert_null(strstr(t, "@nh,"));
			arp |= strstr(t, "arp saddr ip @port_tap1_4") != NULL;
			ether |= strstr(t, "ether type ip6 ip6 saddr @port_tap1_6") != NULL;
			nftnl_rule_free(nr);
			bridge_rules++;
		}
	assert_true(arp && ether);
	assert_int_equal(bridge_rules, 12 + 3 + 4 + 2);
	for (size_t i = 0; i < c->nsets; i++) {
		const struct fw_set *s = &c->sets[i];

		/* The listed link-local address is inside fe80::/10: one element. */
		if (!strcmp(s->name, "nd_tap1")) {
			assert_true(s->bridge && s->taddr);
			assert_int_equal(s->nelems, 2);
			assert_true(s->elems[1].alo.hi == 0xfe80000000000000ull &&
				    s->elems[1].ahi.hi == 0xfebfffffffffffffull);
		}
		/* Both IPv6 addresses name the port's egress chain. */
		if (!strcmp(s->name, "guest_src_6")) {
			assert_int_equal(s->kind, FW_SK_ADDR_VMAP);
			assert_int_equal(s->nelems, 2);
			assert_string_equal(c->chains[s->elems[0].chain].name, "out_tap1");
			assert_string_equal(c->chains[s->elems[1].chain].name, "out_tap1");
		}
	}
	fw_compiled_free(c);
	fw_ruleset_free(rs);
	diag_list_clear(&dl);
}

/* The dup-element test hook is the caller's option, never read from the environment. */
static void test_fault_hook_is_an_option(void **state)
{
	struct diag_list dl;
	struct fw_ruleset *rs = load2(SG, INV, &dl);
	struct fw_compiled *c = NULL;
	struct fw_emit_opts dup = { .dup_element = true };
	struct fw_stats st;
	struct fw_tx tx;

	assert_non_null(rs);
	assert_int_equal(fw_compile(rs, "db", &c, &dl), 0);
	fw_compiled_stats(c, &st);
	assert_true(st.elements > 0);
	assert_int_equal(setenv("GATEHOUSE_FW_FAULT", "dup-element", 1), 0);
	assert_int_equal(fw_tx_init(&tx, 1), 0);
	assert_int_equal(fw_emit_table(&tx, c, NULL), 0);
	assert_int_equal(tx.elements, st.elements);
	fw_tx_done(&tx);
	assert_int_equal(unsetenv("GATEHOUSE_FW_FAULT"), 0);
	assert_int_equal(fw_tx_init(&tx, 1), 0);
	assert_int_equal(fw_emit_table(&tx, c, &dup), 0);
	assert_int_equal(tx.elements, st.elements + 1);
	fw_tx_done(&tx);
	fw_compiled_free(c);
	fw_ruleset_free(rs);
	diag_list_clear(&dl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_semantics),
		cmocka_unit_test(test_errors_located),
		cmocka_unit_test(test_iface_groups_over_cap),
		cmocka_unit_test(test_unknown_host),
		cmocka_unit_test(test_normalize_random),
		cmocka_unit_test(test_normalize_icmp),
		cmocka_unit_test(test_key_roundtrip),
		cmocka_unit_test(test_rule_roundtrip),
		cmocka_unit_test(test_bridged_port),
		cmocka_unit_test(test_fault_hook_is_an_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
