/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for src/common: diagnostics, JSON locations, CIDRs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/cidr.h"
#include "common/json.h"
#include "common/jregion.h"
#include "common/str.h"

static void test_locate_nested(void **state)
{
	const char *text = "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\"},\n"
			   "    {\"Effect\": \"Alow\", \"Action\": \"s3:*\"}\n  ]\n}\n";
	struct gh_jpath p = { 0 };
	int line, col;

	gh_jpath_key(&p, "Statement");
	gh_jpath_index(&p, 1);
	gh_jpath_key(&p, "Effect");
	gh_json_locate(text, strlen(text), &p, &line, &col, NULL);
	assert_int_equal(line, 4);
	assert_int_equal(col, 16);

	char buf[64];
	gh_jpath_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "Statement[1].Effect");
}

/* A memo must give the same answers as a fresh walk, in and out of order. */
static void test_locate_memo(void **state)
{
	const char *text =
	    "{\"L\": [\n {\"a\": 1},\n {\"a\": 2},\n {\"a\": 3, \"b\": [7,\n 8]}\n]}";
	static const size_t order[] = { 0, 2, 1, 2, 0 };
	struct gh_locate_memo memo = { 0 };

	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		struct gh_jpath p = { 0 };
		int l1, c1, l2, c2;

		gh_jpath_key(&p, "L");
		gh_jpath_index(&p, order[k]);
		gh_jpath_key(&p, "a");
		gh_json_locate(text, strlen(text), &p, &l1, &c1, &memo);
		gh_json_locate(text, strlen(text), &p, &l2, &c2, NULL);
		assert_int_equal(l1, l2);
		assert_int_equal(c1, c2);
		assert_int_equal(l1, (int)order[k] + 2);
	}
	struct gh_jpath q = { 0 };
	int l, c;

	gh_jpath_key(&q, "L");
	gh_jpath_index(&q, 2);
	gh_jpath_key(&q, "b");
	gh_jpath_index(&q, 1);
	gh_json_locate(text, strlen(text), &q, &l, &c, &memo);
	assert_int_equal(l, 5);
	assert_int_equal(c, 2);
}

static void test_locate_escaped_key_and_utf8(void **state)
{
	const char *text = "{\"a\\\"b\": 1, \"é\": [true, \"x\"]}";
	struct gh_jpath p = { 0 };
	int line, col;

	gh_jpath_key(&p, "é");
	gh_jpath_index(&p, 1);
	gh_json_locate(text, strlen(text), &p, &line, &col, NULL);
	assert_int_equal(line, 1);
	/* Columns count characters: "é" is one. */
	assert_int_equal(col, 25);
}

static void test_parse_rejects_duplicates_and_depth(void **state)
{
	struct diag_list dl;
	char deep[200];
	struct gh_jsrc src = { .name = "x.json", .text = "{\"a\": 1,\n \"a\": 2}", .len = 17 };

	diag_list_init(&dl);
	assert_null(gh_json_parse(&src, &dl));
	assert_int_equal(dl.errors, 1);
	assert_int_equal(dl.items[0].line, 2);
	assert_non_null(strstr(dl.items[0].message, "duplicate"));
	diag_list_clear(&dl);

	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	src.text = deep;
	src.len = sizeof(deep);
	assert_null(gh_json_parse(&src, &dl));
	assert_int_equal(dl.errors, 1);
	assert_int_equal(dl.items[0].column, GH_JSON_DEPTH_MAX + 1);
	diag_list_clear(&dl);
}

/* What a walk over the kinds reads: a string's text, any other kind's value, null as absent. */
struct walked {
	const char *s;
	json_t *b, *a, *n;
};

static const struct gh_jfield walked_fields[] = {
	{ "s", GH_J_TEXT, true, offsetof(struct walked, s), NULL },
	{ "b", GH_J_BOOL, false, offsetof(struct walked, b), NULL },
	{ "a", GH_J_ARRAY, true, offsetof(struct walked, a), NULL },
	{ "n", GH_J_ARRAY_OR_NULL, false, offsetof(struct walked, n), NULL },
};

static const struct gh_jschema walked_schema = { "a thing", "a thing", walked_fields,
						 sizeof(walked_fields) / sizeof(walked_fields[0]) };

static int walk_text(const char *text, struct walked *ret, struct diag_list *dl)
{
	struct gh_jsrc src = { .name = "w.json", .text = text, .len = strlen(text) };
	json_t *root = gh_json_parse(&src, dl);
	int r;

	assert_non_null(root);
	*ret = (struct walked){ 0 };
	r = gh_json_walk(root, &walked_schema, ret, &src, dl);
	/* The values are borrowed from the tree: compare before it goes. */
	if (r == 0) {
		assert_string_equal(ret->s, "x");
		assert_true(json_is_true(ret->b));
		assert_int_equal(json_array_size(ret->a), 2);
		assert_null(ret->n);
	}
	json_decref(root);
	return r;
}

static void test_walk_kinds(void **state)
{
	struct diag_list dl;
	struct walked w;

	diag_list_init(&dl);
	assert_int_equal(walk_text("{\"s\": \"x\", \"b\": true, \"a\": [1, 2], \"n\": null}", &w,
				   &dl),
			 0);
	assert_int_equal(dl.n, 0);

	assert_int_equal(walk_text("{\"s\": \"x\",\n \"b\": \"true\",\n \"a\": null,\n \"n\": {}}",
				   &w, &dl),
			 3);
	assert_int_equal(dl.n, 3);
	assert_string_equal(dl.items[0].message, "\"b\" must be true or false, not a string");
	assert_string_equal(dl.items[0].path, "b");
	assert_int_equal(dl.items[0].line, 2);
	assert_string_equal(dl.items[1].message, "a must be an array, not null");
	assert_int_equal(dl.items[1].line, 3);
	assert_string_equal(dl.items[2].message, "n must be an array, not an object");
	assert_string_equal(dl.items[2].path, "n");
	diag_list_clear(&dl);

	assert_int_equal(walk_text("{\"s\": \"x\", \"b\": false}", &w, &dl), 1);
	assert_string_equal(dl.items[0].message, "a thing needs \"a\"");
	diag_list_clear(&dl);
}

static void test_diag_cap_counts_dropped(void **state)
{
	struct diag_list dl;

	diag_list_init(&dl);
	for (int i = 0; i < GH_DIAG_MAX + 5; i++)
		diag_add(&dl, DIAG_ERROR, "f", "", 1, 1, "e%d", i);
	assert_int_equal(dl.n, GH_DIAG_MAX);
	assert_int_equal(dl.errors, GH_DIAG_MAX + 5);
	assert_int_equal(dl.dropped, 5);
	diag_list_clear(&dl);
}

static void test_cidr(void **state)
{
	struct gh_cidr c, a;
	const char *msg;

	assert_int_equal(gh_cidr_parse("10.0.0.0/8", 0, &c, &msg), 0);
	assert_int_equal(c.family, GH_INET4);
	assert_int_equal(c.plen, 8);
	assert_int_equal(gh_cidr_parse("10.0.0.1/8", 0, &c, &msg), 1);
	assert_int_equal(gh_cidr_parse("10.0.0.0/33", 0, &c, &msg), -EINVAL);
	assert_int_equal(gh_cidr_parse("::/129", 0, &c, &msg), -EINVAL);
	assert_int_equal(gh_cidr_parse("10.0.0.0/", 0, &c, &msg), -EINVAL);
	assert_int_equal(gh_cidr_parse("10.0.0.0/+8", 0, &c, &msg), -EINVAL);
	assert_int_equal(gh_cidr_parse("10.0.0.1", 0, &c, &msg), -EINVAL);
	assert_int_equal(gh_cidr_parse("10.0.0.1", GH_CIDR_BARE_OK, &c, &msg), 0);
	assert_int_equal(c.plen, 32);
	assert_int_equal(gh_cidr_parse("2001:db8::/32", 0, &c, &msg), 0);
	assert_int_equal(gh_addr_parse("2001:db8:1::5", &a), 0);
	assert_true(gh_cidr_contains(&c, &a));
	assert_int_equal(gh_addr_parse("2001:db9::5", &a), 0);
	assert_false(gh_cidr_contains(&c, &a));

	/* IPv4-mapped IPv6 is its IPv4 address; families never cross. */
	assert_int_equal(gh_cidr_parse("10.1.0.0/16", 0, &c, &msg), 0);
	assert_int_equal(gh_addr_parse("::ffff:10.1.2.3", &a), 0);
	assert_true(gh_cidr_contains(&c, &a));
	assert_int_equal(gh_cidr_parse("::/0", 0, &c, &msg), 0);
	assert_int_equal(gh_addr_parse("10.1.2.3", &a), 0);
	assert_false(gh_cidr_contains(&c, &a));

	char buf[64];
	assert_int_equal(gh_cidr_parse("192.168.1.77/20", 0, &c, &msg), 1);
	gh_cidr_mask(&c);
	gh_cidr_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "192.168.0.0/20");
}

/* A mapped prefix and a mapped address are normalised the same way: both IPv4. */
static void test_cidr_unmaps_v4_mapped_prefixes(void **state)
{
	const unsigned f = GH_CIDR_BARE_OK | GH_CIDR_UNMAP_V4;
	struct gh_cidr c, a;
	const char *msg;
	char buf[64];

	assert_int_equal(gh_cidr_parse("::ffff:198.51.100.0/120", f, &c, &msg), 0);
	assert_int_equal(c.family, GH_INET4);
	gh_cidr_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "198.51.100.0/24");
	assert_int_equal(gh_addr_parse("198.51.100.7", &a), 0);
	assert_true(gh_cidr_contains(&c, &a));
	assert_int_equal(gh_addr_parse("::ffff:198.51.100.7", &a), 0);
	assert_true(gh_cidr_contains(&c, &a));
	assert_int_equal(gh_addr_parse("198.51.101.7", &a), 0);
	assert_false(gh_cidr_contains(&c, &a));
	assert_false(gh_cidr_spans_v4mapped(&c));
	/* A bare mapped address, all of the mapped range, host bits. */
	assert_int_equal(gh_cidr_parse("::ffff:198.51.100.7", f, &c, &msg), 0);
	gh_cidr_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "198.51.100.7/32");
	assert_int_equal(gh_cidr_parse("::ffff:0:0/96", f, &c, &msg), 0);
	gh_cidr_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "0.0.0.0/0");
	assert_int_equal(gh_cidr_parse("::ffff:198.51.100.1/120", f, &c, &msg), 1);
	gh_cidr_mask(&c);
	gh_cidr_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "198.51.100.0/24");
	/* Without the flag (security groups' CidrIpv6) a mapped prefix stays IPv6. */
	assert_int_equal(gh_cidr_parse("::ffff:198.51.100.0/120", 0, &c, &msg), 0);
	assert_int_equal(c.family, GH_INET6);
	/* Shorter IPv6 prefixes over the mapped range cannot match it: reported. */
	assert_int_equal(gh_cidr_parse("::/0", f, &c, &msg), 0);
	assert_true(gh_cidr_spans_v4mapped(&c));
	assert_int_equal(gh_cidr_parse("::fffe:0:0/95", f, &c, &msg), 0);
	assert_true(gh_cidr_spans_v4mapped(&c));
	assert_int_equal(gh_cidr_parse("2001:db8::/32", f, &c, &msg), 0);
	assert_false(gh_cidr_spans_v4mapped(&c));
	assert_int_equal(gh_cidr_parse("::1", f, &c, &msg), 0);
	assert_false(gh_cidr_spans_v4mapped(&c));
}

static void test_utf8_valid(void **state)
{
	assert_true(gh_utf8_valid("", 0));
	assert_true(gh_utf8_valid("ascii", 5));
	assert_true(gh_utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
	assert_false(gh_utf8_valid("\xe2\x82", 2));	    /* cut short */
	assert_false(gh_utf8_valid("\x82", 1));		    /* stray continuation */
	assert_false(gh_utf8_valid("\xc0\xaf", 2));	    /* overlong "/" */
	assert_false(gh_utf8_valid("\xed\xa0\x80", 3));	    /* surrogate */
	assert_false(gh_utf8_valid("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
	/* The count is what is checked: a valid prefix of an invalid buffer. */
	assert_true(gh_utf8_valid("ab\xff", 2));
	/* A stray byte anywhere in any length: every word and tail case of gh_or_bytes. */
	for (size_t n = 1; n <= 24; n++) {
		char buf[24];

		memset(buf, 'a', n);
		assert_true(gh_utf8_valid(buf, n));
		for (size_t at = 0; at < n; at++) {
			buf[at] = '\xff';
			assert_false(gh_utf8_valid(buf, n));
			assert_true(gh_or_bytes(buf, n) & GH_HIGH_BITS);
			buf[at] = 'a';
		}
	}
}

static void test_str(void **state)
{
	char buf[8];

	assert_int_equal(gh_strlcpy(buf, "abcdefghij", sizeof(buf)), 10);
	assert_string_equal(buf, "abcdefg");
	gh_strlcpy_ellipsis(buf, "abcdefghij", sizeof(buf));
	assert_string_equal(buf, "abcd...");
	assert_true(gh_eq_nocase("AwS:SourceIP", 12, "aws:sourceip", 12));

	/* gh_find_lit: memmem(3) on counted strings, the needle's bytes nowhere else. */
	{
		static const char *const hay[] = { "", "$", "${", "a${", "$$${b", "ab$", "x${y${" };

		for (size_t i = 0; i < sizeof(hay) / sizeof(hay[0]); i++) {
			size_t n = strlen(hay[i]);

			assert_ptr_equal(gh_find_lit(hay[i], n, "${"), memmem(hay[i], n, "${", 2));
			assert_ptr_equal(gh_find_lit(hay[i], n, "$"), memmem(hay[i], n, "$", 1));
			/* One byte short: a needle at the very end is not found. */
			if (n)
				assert_ptr_equal(gh_find_lit(hay[i], n - 1, "${"),
						 memmem(hay[i], n - 1, "${", 2));
		}
	}

	/* A cut never splits a UTF-8 sequence: "é" is 2 bytes. */
	char small[6];
	gh_strlcpy(small, "abcdé", sizeof(small));
	assert_string_equal(small, "abcd");
	gh_strlcpy_ellipsis(small, "aééééé", sizeof(small));
	assert_string_equal(small, "a...");

	char bad[] = "ok\xc3\x28 \xe2\x82 \xf0\x9f\x98\x80 \xc0\xaf é";
	gh_utf8_sanitize(bad);
	assert_string_equal(bad, "ok?( ?? \xf0\x9f\x98\x80 ?? é");
	assert_int_equal(gh_hash_nocase("ABC", 3), gh_hash_nocase("abc", 3));
}

/* A value of @n bytes of text, checked whole (its bytes were not reused). */
static json_t *text_value(size_t n, char c)
{
	char *t = malloc(n);
	json_t *v;

	assert_non_null(t);
	memset(t, c, n);
	v = json_stringn(t, n);
	free(t);
	assert_non_null(v);
	return v;
}

static void assert_text(const json_t *v, size_t n, char c)
{
	assert_int_equal(json_string_length(v), n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(json_string_value(v)[i], c);
}

/* A thread's own region: its blocks are freed when it ends (LeakSanitizer checks). */
static void *region_thread(void *arg)
{
	json_t *v;

	(void)arg;
	assert_true(gh_jregion_begin());
	v = text_value(300 << 10, 't');
	gh_jregion_end();
	assert_text(v, 300 << 10, 't');
	gh_jregion_reset();
	return NULL;
}

/*
 * gh_jregion: values made while the region is active come from it (the
 * first one after a reset is where the first one before was), stay valid
 * across an end and a begin, and go at the reset; values made outside it,
 * before or after, are malloc'ed and freed as ever, also while it is
 * active; a value bigger than a block gets one of its own.
 */
static void test_jregion(void **state)
{
	json_t *before = text_value(40, 'b'), *a, *a2, *big, *outside, *c;
	pthread_t t;

	(void)state;
	assert_true(gh_jregion_begin());
	a = text_value(10, 'a');
	json_decref(before); /* not the region's: free()d */
	gh_jregion_end();
	outside = text_value(20, 'o');
	assert_true(gh_jregion_begin());
	big = text_value(3 << 20, 'g');
	c = json_pack("{s[iis]}", "k", 1, 2, "x");
	assert_non_null(c);
	gh_jregion_end();
	assert_text(a, 10, 'a');
	assert_text(big, 3 << 20, 'g');
	assert_int_equal(json_integer_value(json_array_get(json_object_get(c, "k"), 1)), 2);
	json_decref(c); /* the region's: nothing to do */
	gh_jregion_reset();
	assert_true(gh_jregion_begin());
	a2 = text_value(10, 'z');
	gh_jregion_end();
	assert_ptr_equal(a, a2);
	assert_text(outside, 20, 'o');
	json_decref(outside);
	gh_jregion_reset();
	assert_int_equal(pthread_create(&t, NULL, region_thread, NULL), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
}

/*
 * gh_jregion_mark/_rewind: what was made since the mark is taken back, also
 * past a block's end (the next value is where the first after the mark
 * was), what was made before stays; gh_jregion_drop leaves a region value
 * to the region and frees a malloc'ed one (LeakSanitizer checks);
 * gh_jregion_release hands every block back and the region starts anew.
 */
static void test_jregion_mark(void **state)
{
	struct gh_jregion_mark m;
	json_t *kept, *first, *big, *again, *outside = text_value(30, 'o');

	(void)state;
	assert_false(gh_jregion_active());
	assert_true(gh_jregion_begin());
	assert_true(gh_jregion_active());
	kept = text_value(10, 'k');
	gh_jregion_mark(&m);
	first = text_value(100, 'f');
	big = text_value(5 << 20, 'g'); /* past the first blocks */
	gh_jregion_drop(big);
	gh_jregion_drop(first);
	gh_jregion_drop(outside); /* malloc'ed before: freed */
	gh_jregion_rewind(&m);
	again = text_value(100, 'a');
	assert_ptr_equal(again, first);
	assert_text(kept, 10, 'k');
	gh_jregion_end();
	assert_false(gh_jregion_active());
	gh_jregion_release();
	assert_true(gh_jregion_begin());
	kept = text_value(10, 'n');
	gh_jregion_end();
	assert_text(kept, 10, 'n');
	gh_jregion_release();
}

/*
 * gh_lower() and gh_eq_nocase() work eight bytes at a time: every byte,
 * and every pair of bytes, at each place of a word and in the tail, as
 * gh_tolower() byte by byte says.
 */
static void test_nocase_every_byte(void **state)
{
	char a[11], b[11], low[11];

	(void)state;
	for (size_t at = 0; at < sizeof(a); at++) {
		for (int x = 0; x < 256; x++) {
			memset(a, 'Q', sizeof(a));
			a[at] = (char)x;
			gh_lower(low, a, sizeof(a));
			for (size_t i = 0; i < sizeof(a); i++)
				assert_int_equal(low[i], gh_tolower(a[i]));
			for (int y = 0; y < 256; y++) {
				memcpy(b, a, sizeof(b));
				b[at] = (char)y;
				assert_int_equal(gh_eq_nocase(a, sizeof(a), b, sizeof(b)),
						 gh_tolower((char)x) == gh_tolower((char)y));
			}
		}
	}
}

static void test_diag_suggest(void **state)
{
	static const char *const keys[] = { "policies", "socket", "socket-mode", "max-body" };

	(void)state;
	assert_string_equal(diag_suggest("polices", keys, 4), "policies");
	assert_string_equal(diag_suggest("socket-mod", keys, 4), "socket-mode");
	assert_string_equal(diag_suggest("max_body", keys, 4), "max-body");
	/* Too far from every candidate: no guess. */
	assert_null(diag_suggest("threads", keys, 4));
	assert_null(diag_suggest("x", keys, 0));
	/* Longer than the distance's table: never a typo of an option. */
	assert_null(diag_suggest("policiespoliciespoliciespoliciespoliciespoliciespoliciespolicies",
				 keys, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_locate_nested),
		cmocka_unit_test(test_locate_escaped_key_and_utf8),
		cmocka_unit_test(test_locate_memo),
		cmocka_unit_test(test_parse_rejects_duplicates_and_depth),
		cmocka_unit_test(test_walk_kinds),
		cmocka_unit_test(test_diag_cap_counts_dropped),
		cmocka_unit_test(test_cidr_unmaps_v4_mapped_prefixes),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_jregion),
		cmocka_unit_test(test_jregion_mark),
		cmocka_unit_test(test_nocase_every_byte),
		cmocka_unit_test(test_diag_suggest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
