/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for src/common/jread.c: every accept and reject rule with the
 * offset of the error, the skip feature, and documents compared with what
 * json_loadb(JSON_REJECT_DUPLICATES) builds.
 *
 * Every text is read from an exact-size heap copy, so that a read past the
 * end of the text is an ASan error in the sanitizer build.
 *
 * Where jread and jansson 2.14 differ on purpose:
 * - nesting deeper than GH_JSON_DEPTH_MAX: jread refuses, jansson reads up
 *   to 2048 levels;
 * - a NUL byte just after a number or a literal ("[1\0]"): jansson drops it
 *   when it ungets the byte that ended the token (its stream buffer reads
 *   a NUL as "empty") and accepts the text; jread refuses it, as RFC 8259
 *   says.  A NUL byte is never valid JSON outside or inside a string.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <float.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jread.h"

#ifndef GH_SOURCE_DIR
#define GH_SOURCE_DIR "."
#endif

/* A text given as a literal, embedded NUL bytes included. */
#define LIT(s) s, sizeof(s) - 1

/* @len bytes of @s, printable, for failure messages (cut when long). */
static const char *show(const char *s, size_t len)
{
	static char buf[400];
	size_t o = 0, i;

	for (i = 0; i < len && o + 8 < sizeof(buf); i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\\x%02x", c);
	}
	if (i < len)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "...");
	buf[o] = '\0';
	return buf;
}

/* gh_json_read() on an exact-size heap copy of @text. */
static json_t *rd(const char *text, size_t len, const struct gh_jread_opts *o,
		  struct gh_jread_err *err)
{
	char *copy = malloc(len ? len : 1);
	json_t *v;

	assert_non_null(copy);
	memcpy(copy, text, len);
	/* Recognisable when a refusal leaves the error unset. */
	err->offset = (size_t)-1;
	snprintf(err->text, sizeof(err->text), "(error not set)");
	v = gh_json_read(copy, len, o, err);
	free(copy);
	return v;
}

static json_t *jansson(const char *text, size_t len, bool any, json_error_t *je)
{
	return json_loadb(text, len, JSON_REJECT_DUPLICATES | (any ? JSON_DECODE_ANY : 0), je);
}

/*
 * @text must be read, by jread and by jansson (JSON_DECODE_ANY with @any),
 * to equal trees.  Returns jread's tree.
 */
static json_t *accept_text(const char *text, size_t len, bool any)
{
	struct gh_jread_opts o = { .any = any };
	struct gh_jread_err err;
	json_error_t je;
	json_t *v = rd(text, len, &o, &err), *j;

	if (!v) {
		print_error("refused: %s\n  at %zu: %s\n", show(text, len), err.offset, err.text);
		fail();
	}
	j = jansson(text, len, any, &je);
	if (!j) {
		print_error("jansson refuses: %s\n  %s\n", show(text, len), je.text);
		fail();
	}
	if (!json_equal(v, j)) {
		print_error("trees differ: %s\n", show(text, len));
		fail();
	}
	json_decref(j);
	return v;
}

static void accept_ok(const char *text, size_t len, bool any)
{
	json_decref(accept_text(text, len, any));
}

/*
 * @text must be refused at byte @off with an error containing @msg; by
 * jansson too when @jansson_too.
 */
static void reject_text(const char *text, size_t len, bool any, bool jansson_too, size_t off,
			const char *msg)
{
	struct gh_jread_opts o = { .any = any };
	struct gh_jread_err err;
	json_error_t je;
	json_t *v = rd(text, len, &o, &err), *j;

	if (v) {
		json_decref(v);
		print_error("accepted: %s\n", show(text, len));
		fail();
	}
	if (err.offset != off || !strstr(err.text, msg)) {
		print_error("%s\n  refused at %zu: \"%s\"\n  expected at %zu: \"%s\"\n",
			    show(text, len), err.offset, err.text, off, msg);
		fail();
	}
	if (!jansson_too)
		return;
	j = jansson(text, len, any, &je);
	if (j) {
		json_decref(j);
		print_error("jansson accepts: %s\n", show(text, len));
		fail();
	}
}

#define ACCEPT(s) accept_ok(LIT(s), false)
#define ACCEPT_ANY(s) accept_ok(LIT(s), true)
#define REJECT(s, off, msg) reject_text(LIT(s), false, true, off, msg)
#define REJECT_ANY(s, off, msg) reject_text(LIT(s), true, true, off, msg)
/* Refused by jread only (see the top of the file for why). */
#define REJECT_OURS(s, off, msg) reject_text(LIT(s), false, false, off, msg)

/* The one string of the one-element array @text, which must be @want (@n bytes). */
static void string_is(const char *text, size_t len, const char *want, size_t n)
{
	json_t *v = accept_text(text, len, false), *s = json_array_get(v, 0);

	assert_true(json_is_string(s));
	assert_int_equal(json_string_length(s), n);
	assert_memory_equal(json_string_value(s), want, n);
	json_decref(v);
}

#define STRING_IS(s, want) string_is(LIT(s), LIT(want))

/* ["<@body>"]: accepted (@off == -1) or refused at @off with @msg. */
static void string_body(const char *body, size_t n, size_t off, const char *msg)
{
	char text[64];

	assert_true(n + 4 <= sizeof(text));
	memcpy(text, "[\"", 2);
	memcpy(text + 2, body, n);
	memcpy(text + 2 + n, "\"]", 2);
	if (off == (size_t)-1)
		string_is(text, n + 4, body, n);
	else
		reject_text(text, n + 4, false, true, off, msg);
}

#define UTF8_OK(s) string_body(LIT(s), (size_t)-1, NULL)
#define UTF8_BAD(s, off) string_body(LIT(s), off, "invalid UTF-8")

static void test_string_escapes(void **state)
{
	STRING_IS("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", "\"\\/\b\f\n\r\t");
	STRING_IS("[\"a\\nb\\\\\"]", "a\nb\\");
	STRING_IS("[\"\"]", "");
	STRING_IS("[\"\x7f\"]", "\x7f"); /* DEL is not a control character in JSON */
	ACCEPT("{\"k\\\"ey\": \"v\\\\al\", \"\\/\": \"\\/\"}");

	REJECT("[\"\\a\"]", 2, "invalid escape");
	REJECT("[\"\\U0041\"]", 2, "invalid escape");
	REJECT("[\"\\'\"]", 2, "invalid escape");
	REJECT("[\"\\x41\"]", 2, "invalid escape");
	REJECT("[\"ab\\ \"]", 4, "invalid escape");
	REJECT("[\"\\\0\"]", 2, "invalid escape");
	REJECT("{\"\\q\": 1}", 2, "invalid escape");
	/* A backslash that is the last byte of the text. */
	REJECT("[\"\\", 2, "invalid escape");
	/* \" does not close the string. */
	REJECT("[\"\\\"]", 1, "unterminated string");
	REJECT("[\"abc", 1, "unterminated string");
	REJECT("[\"", 1, "unterminated string");
	REJECT("[{\"abc", 2, "unterminated string");
	REJECT("{\"a\": \"b\\\"}", 6, "unterminated string");
}

static void test_string_unicode_escapes(void **state)
{
	STRING_IS("[\"\\u0041\\u00e9\\u20AC\\uFfFf\"]", "A\xc3\xa9\xe2\x82\xac\xef\xbf\xbf");
	STRING_IS("[\"\\u0001\\u001f\\u007f\\u0080\\u07ff\\u0800\"]",
		  "\x01\x1f\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80");
	STRING_IS("[\"\\ud7ff\\ue000\"]", "\xed\x9f\xbf\xee\x80\x80");
	/* Surrogate pairs: the lowest, an emoji, the highest. */
	STRING_IS("[\"\\uD800\\uDC00\"]", "\xf0\x90\x80\x80");
	STRING_IS("[\"x\\ud83d\\ude00y\"]", "x\xf0\x9f\x98\x80y");
	STRING_IS("[\"\\udbff\\udfff\"]", "\xf4\x8f\xbf\xbf");
	ACCEPT("{\"\\ud83d\\ude00\": \"\\u00e9\"}");

	/* A high surrogate alone, or followed by anything but a low one. */
	REJECT("[\"\\ud83d\"]", 2, "a high surrogate without a low one");
	REJECT("[\"ab\\ud83dcd\"]", 4, "a high surrogate without a low one");
	REJECT("[\"\\ud83d\\u0041\"]", 2, "a high surrogate without a low one");
	REJECT("[\"\\ud83d\\ud83d\\ude00\"]", 2, "a high surrogate without a low one");
	REJECT("[\"\\ud83d\\n\"]", 2, "a high surrogate without a low one");
	REJECT("[\"\\ud83d\\uZZZZ\"]", 2, "a high surrogate without a low one");
	REJECT("[\"\\ud83d\\ude0\"]", 2, "a high surrogate without a low one");
	REJECT("[\"\\ud83d\\", 2, "a high surrogate without a low one");
	/* A low surrogate alone, or before a high one. */
	REJECT("[\"\\ude00\"]", 2, "a low surrogate alone");
	REJECT("[\"x\\uDFFF\"]", 3, "a low surrogate alone");
	REJECT("[\"\\udc00\\ud800\"]", 2, "a low surrogate alone");
	REJECT("{\"\\udc00\": 1}", 2, "a low surrogate alone");

	/* Four hex digits, exactly. */
	REJECT("[\"\\u12G4\"]", 2, "four hex digits");
	REJECT("[\"\\u12\"]", 2, "four hex digits");
	REJECT("[\"\\u\"]", 2, "four hex digits");
	REJECT("[\"a\\u-123\"]", 3, "four hex digits");
	REJECT("[\"\\u123", 2, "four hex digits");

	/* \u0000 would cut a C string: refused in values and keys. */
	REJECT("[\"\\u0000\"]", 2, "\\u0000 is not allowed");
	REJECT("[\"ab\\u0000cd\"]", 4, "\\u0000 is not allowed");
	REJECT("{\"\\u0000\": 1}", 2, "\\u0000 is not allowed");
	REJECT("{\"a\": \"\\u0000\"}", 7, "\\u0000 is not allowed");
}

static void test_string_control_characters(void **state)
{
	REJECT("[\"a\tb\"]", 3, "control character");
	REJECT("[\"\n\"]", 2, "control character");
	REJECT("[\"\r\"]", 2, "control character");
	REJECT("[\"\x01\"]", 2, "control character");
	REJECT("[\"abc\x1f\"]", 5, "control character");
	REJECT("{\"k\x08\": 1}", 3, "control character");
	/* The same characters escaped are fine. */
	STRING_IS("[\"a\\tb\\u0009\\u001F\"]", "a\tb\t\x1f");
}

static void test_string_utf8(void **state)
{
	/* The edges of each sequence length. */
	UTF8_OK("\xc2\x80");
	UTF8_OK("\xdf\xbf");
	UTF8_OK("\xe0\xa0\x80");
	UTF8_OK("\xed\x9f\xbf"); /* U+D7FF, just below the surrogates */
	UTF8_OK("\xee\x80\x80"); /* U+E000, just above */
	UTF8_OK("\xef\xbf\xbf");
	UTF8_OK("\xf0\x90\x80\x80");
	UTF8_OK("\xf3\xbf\xbf\xbf");
	UTF8_OK("\xf4\x8f\xbf\xbf"); /* U+10FFFF */
	UTF8_OK("a\xc3\xa9"
		"b\xe2\x82\xac"
		"c\xf0\x9f\x98\x80");

	/* Overlong forms. */
	UTF8_BAD("\xc0\x80", 2);
	UTF8_BAD("\xc0\xaf", 2);
	UTF8_BAD("\xc1\xbf", 2);
	UTF8_BAD("\xe0\x80\x80", 2);
	UTF8_BAD("\xe0\x9f\xbf", 2);
	UTF8_BAD("\xf0\x80\x80\x80", 2);
	UTF8_BAD("\xf0\x8f\xbf\xbf", 2);
	/* UTF-16 surrogates encoded in UTF-8 (also as a CESU-8 pair). */
	UTF8_BAD("\xed\xa0\x80", 2);
	UTF8_BAD("\xed\xbf\xbf", 2);
	UTF8_BAD("\xed\xa0\xbd\xed\xb8\x80", 2);
	/* Past U+10FFFF, and bytes that never start a sequence. */
	UTF8_BAD("\xf4\x90\x80\x80", 2);
	UTF8_BAD("\xf5\x80\x80\x80", 2);
	UTF8_BAD("\xf7\xbf\xbf\xbf", 2);
	UTF8_BAD("\xf8\x88\x80\x80\x80", 2);
	UTF8_BAD("\xfc\x84\x80\x80\x80\x80", 2);
	UTF8_BAD("\xfe", 2);
	UTF8_BAD("\xff", 2);
	/* Truncated sequences. */
	UTF8_BAD("\xc3", 2);
	UTF8_BAD("\xe2\x82", 2);
	UTF8_BAD("\xf0\x9f\x98", 2);
	UTF8_BAD("ab\xf0\x9f\x98"
		 "c",
		 4);
	UTF8_BAD("\xe2"
		 "ab",
		 2);
	/* Stray continuation bytes. */
	UTF8_BAD("\x80", 2);
	UTF8_BAD("\xbf", 2);
	UTF8_BAD("a\x80", 3);
	UTF8_BAD("\xc3\xa9\xa9", 4);
	UTF8_BAD("\xe2\x82\xac\x80", 5);
	UTF8_BAD("\xc3\xa9\xff", 4);

	/* A sequence cut by the end of the text. */
	REJECT("[\"\xe2\x82", 2, "invalid UTF-8");
	REJECT("[\"\xf0\x9f\x98", 2, "invalid UTF-8");
	/* In a key. */
	REJECT("{\"\xff\": 1}", 2, "invalid UTF-8");
	REJECT("{\"ok\": 1, \"k\xed\xa0\x80\": 2}", 12, "invalid UTF-8");
	/* Outside a string, even valid UTF-8 is no token. */
	REJECT("[\xc3\xa9]", 1, "invalid token");
	REJECT("[\xff]", 1, "invalid token");
}

/* The one element of @text: an integer @want. */
static void integer_is(const char *text, size_t len, json_int_t want)
{
	json_t *v = accept_text(text, len, false), *n = json_array_get(v, 0);

	assert_true(json_is_integer(n));
	assert_true(json_integer_value(n) == want);
	json_decref(v);
}

/* The one element of @text: a real @want. */
static void real_is(const char *text, size_t len, double want)
{
	json_t *v = accept_text(text, len, false), *n = json_array_get(v, 0);

	assert_true(json_is_real(n));
	assert_true(json_real_value(n) == want);
	json_decref(v);
}

#define INTEGER_IS(s, want) integer_is(LIT(s), want)
#define REAL_IS(s, want) real_is(LIT(s), want)

static void test_numbers(void **state)
{
	INTEGER_IS("[0]", 0);
	INTEGER_IS("[-0]", 0);
	INTEGER_IS("[7]", 7);
	INTEGER_IS("[-123]", -123);
	INTEGER_IS("[1234567890]", 1234567890);
	REAL_IS("[-0.0]", 0.0);
	REAL_IS("[0.5]", 0.5);
	REAL_IS("[-0.25]", -0.25);
	REAL_IS("[1.0]", 1.0);
	REAL_IS("[1e5]", 1e5);
	REAL_IS("[1E5]", 1e5);
	REAL_IS("[1e+5]", 1e5);
	REAL_IS("[1e-5]", 1e-5);
	REAL_IS("[-1.5E+3]", -1500.0);
	REAL_IS("[0e0]", 0.0);
	REAL_IS("[0.1]", 0.1);
	REAL_IS("[10e010]", 1e11);
	ACCEPT("[0,-0,0.0,-0.0,1,-1,1.5,-1.5,1e1,1E-1,1e+1,0e-0]");
	ACCEPT(" {\"a\" : -1.25e-3 , \"b\":0}");

	/* Leading zeros. */
	REJECT("[01]", 1, "leading zero");
	REJECT("[-01]", 1, "leading zero");
	REJECT("[00]", 1, "leading zero");
	REJECT("[-00.5]", 1, "leading zero");
	REJECT("{\"n\": 007}", 6, "leading zero");
	/* A '.' needs digits on both sides. */
	REJECT("[1.]", 1, "no digit after '.'");
	REJECT("[0.]", 1, "no digit after '.'");
	REJECT("[1.e5]", 1, "no digit after '.'");
	REJECT("[-1.]", 1, "no digit after '.'");
	REJECT("[.5]", 1, "invalid token");
	REJECT("[-.5]", 1, "invalid number");
	/* An exponent needs digits. */
	REJECT("[1e]", 1, "no digit in the exponent");
	REJECT("[1E+]", 1, "no digit in the exponent");
	REJECT("[1e-]", 1, "no digit in the exponent");
	REJECT("[1.5e+-5]", 1, "no digit in the exponent");
	REJECT("[1e", 1, "no digit in the exponent");
	/* Signs and forms JSON does not have. */
	REJECT("[-]", 1, "invalid number");
	REJECT("[- 1]", 1, "invalid number");
	REJECT("[-a]", 1, "invalid number");
	REJECT("[-", 1, "invalid number");
	REJECT("[+1]", 1, "invalid token");
	REJECT("[Infinity]", 1, "invalid token");
	REJECT("[-Infinity]", 1, "invalid number");
	REJECT("[NaN]", 1, "invalid token");
	/* A number ends at the first byte that cannot continue it. */
	REJECT("[0x10]", 2, "expected ',' or ']'");
	REJECT("[1.5.2]", 4, "expected ',' or ']'");
	REJECT("[1e5e5]", 4, "expected ',' or ']'");
	REJECT("[12a]", 3, "expected ',' or ']'");
	REJECT("[1 2]", 3, "expected ',' or ']'");
	REJECT("[1-2]", 2, "expected ',' or ']'");
}

static void test_integer_limits(void **state)
{
	INTEGER_IS("[9223372036854775807]", LLONG_MAX);
	INTEGER_IS("[-9223372036854775808]", LLONG_MIN);
	INTEGER_IS("[9223372036854775806]", LLONG_MAX - 1);
	INTEGER_IS("[-9223372036854775807]", LLONG_MIN + 1);
	INTEGER_IS("[1000000000000000000]", 1000000000000000000LL);

	REJECT("[9223372036854775808]", 1, "too big integer");
	REJECT("[-9223372036854775809]", 1, "too big negative integer");
	REJECT("[9223372036854775810]", 1, "too big integer");
	REJECT("[10000000000000000000]", 1, "too big integer");
	REJECT("[18446744073709551615]", 1, "too big integer");
	REJECT("[18446744073709551616]", 1, "too big integer");
	REJECT("[-18446744073709551616]", 1, "too big negative integer");
	REJECT("[99999999999999999999999999999999]", 1, "too big integer");
	REJECT("[-99999999999999999999999999999999]", 1, "too big negative integer");
	REJECT("{\"a\": 1, \"b\": 9223372036854775808}", 14, "too big integer");
	/* The same digits as a real are fine. */
	REAL_IS("[9223372036854775808.0]", 9223372036854775808.0);
	REAL_IS("[-9223372036854775809e0]", -9223372036854775809.0);
	REAL_IS("[99999999999999999999999999999999.5]", 99999999999999999999999999999999.5);
}

static void test_reals(void **state)
{
	char big[600];

	REAL_IS("[1.7976931348623157e308]", DBL_MAX);
	REAL_IS("[-1.7976931348623157e308]", -DBL_MAX);
	REAL_IS("[2.2250738585072014e-308]", DBL_MIN);
	REAL_IS("[4.9e-324]", 4.9e-324);
	/* Underflow is not an error: it reads as 0 (or a denormal). */
	REAL_IS("[1e-400]", 0.0);
	REAL_IS("[-1e-400]", -0.0);
	REAL_IS("[1e-99999999999999999999]", 0.0);

	REJECT("[1e400]", 1, "real number overflow");
	REJECT("[-1e400]", 1, "real number overflow");
	REJECT("[1.8e308]", 1, "real number overflow");
	REJECT("[1e99999999999999999999]", 1, "real number overflow");
	REJECT("{\"x\": [0.5, 1e309]}", 12, "real number overflow");

	/* A real longer than any buffer guess. */
	big[0] = '[';
	memset(big + 1, '7', 500);
	memcpy(big + 501, ".5e-200]", 8);
	accept_ok(big, 509, false);
}

static void test_literals(void **state)
{
	json_t *v = accept_text(LIT("[true, false, null]"), false);

	assert_true(json_is_true(json_array_get(v, 0)));
	assert_true(json_is_false(json_array_get(v, 1)));
	assert_true(json_is_null(json_array_get(v, 2)));
	json_decref(v);
	ACCEPT("{\"t\":true,\"f\":false,\"n\":null}");

	REJECT("[tru]", 1, "invalid token");
	REJECT("[t]", 1, "invalid token");
	REJECT("[fals]", 1, "invalid token");
	REJECT("[nul", 1, "invalid token");
	REJECT("[True]", 1, "invalid token");
	REJECT("[NULL]", 1, "invalid token");
	REJECT("[undefined]", 1, "invalid token");
	REJECT("{\"a\": nul}", 6, "invalid token");
	/* A literal ends where its word does: the next byte must fit. */
	REJECT("[nulls]", 5, "expected ',' or ']'");
	REJECT("[truefalse]", 5, "expected ',' or ']'");
	REJECT("{\"a\": falsey}", 11, "expected ',' or '}'");
	REJECT_ANY("nulls", 4, "end of text expected");
	REJECT_ANY("tru", 0, "invalid token");
}

static void test_structure(void **state)
{
	ACCEPT("[]");
	ACCEPT("{}");
	ACCEPT("[[],{},[[]],{\"a\":{}}]");
	ACCEPT(" \t\r\n[ \t\r\n1 \t\r\n, \n{ \"a\" : [ ] , \"b\" :{}}\t] \r\n");

	/* Trailing and missing commas. */
	REJECT("[1,]", 3, "invalid token");
	REJECT("[1,,2]", 3, "invalid token");
	REJECT("[,1]", 1, "invalid token");
	REJECT("[,]", 1, "invalid token");
	REJECT("{\"a\":1,}", 7, "expected a string as the object key");
	REJECT("{\"a\":1,,\"b\":2}", 7, "expected a string as the object key");
	REJECT("{,}", 1, "expected a string as the object key");
	REJECT("{\"a\":1 \"b\":2}", 7, "expected ',' or '}'");
	REJECT("[[1] [2]]", 5, "expected ',' or ']'");
	/* Colons. */
	REJECT("{\"a\" 1}", 5, "expected ':'");
	REJECT("{\"a\"}", 4, "expected ':'");
	REJECT("{\"a\",1}", 4, "expected ':'");
	REJECT("{\"a\"::1}", 5, "invalid token");
	REJECT("{\"a\":}", 5, "invalid token");
	REJECT("[\"a\":1]", 4, "expected ',' or ']'");
	/* Keys are strings. */
	REJECT("{1:2}", 1, "expected a string as the object key");
	REJECT("{a:1}", 1, "expected a string as the object key");
	REJECT("{'a':1}", 1, "expected a string as the object key");
	REJECT("{null:1}", 1, "expected a string as the object key");
	REJECT("{\"a\":1, [] : 2}", 8, "expected a string as the object key");
	/* Mismatched and missing closers. */
	REJECT("[1}", 2, "expected ',' or ']'");
	REJECT("{\"a\":1]", 6, "expected ',' or '}'");
	REJECT("[{]}", 2, "expected a string as the object key");
	REJECT("[", 1, "unexpected end of the text");
	REJECT("[ \n", 3, "unexpected end of the text");
	REJECT("[1", 2, "expected ',' or ']'");
	REJECT("[1,", 3, "unexpected end of the text");
	REJECT("{", 1, "expected a string as the object key");
	REJECT("{\"a\":", 5, "unexpected end of the text");
	REJECT("{\"a\":1", 6, "expected ',' or '}'");
	REJECT("{\"a\":1,", 7, "expected a string as the object key");
	REJECT("[[[[]]]", 7, "expected ',' or ']'");
	/* Text after the value. */
	REJECT("[]x", 2, "end of text expected");
	REJECT("[] x", 3, "end of text expected");
	REJECT("{}{}", 2, "end of text expected");
	REJECT("[]]", 2, "end of text expected");
	REJECT("[] ,", 3, "end of text expected");
	REJECT("[]\n\n[]", 4, "end of text expected");
	REJECT("{\"a\":1}}", 7, "end of text expected");
	/* Whitespace is space, tab, CR and LF only; no comments. */
	REJECT("[\f1]", 1, "invalid token");
	REJECT("[\v1]", 1, "invalid token");
	REJECT("[\xc2\xa0"
	       "1]",
	       1, "invalid token");
	REJECT("[1 /* c */]", 3, "expected ',' or ']'");
	REJECT("[1] // c", 4, "end of text expected");
	REJECT("[<1>]", 1, "invalid token");
}

static void test_top_level(void **state)
{
	struct gh_jread_err err;
	json_t *v;

	/* Empty, whitespace only. */
	REJECT("", 0, "'[' or '{' expected");
	REJECT(" \t\n\r", 4, "'[' or '{' expected");
	REJECT_ANY("", 0, "unexpected end of the text");
	REJECT_ANY(" \t\n\r", 4, "unexpected end of the text");
	/* A UTF-8 byte order mark is not whitespace. */
	REJECT("\xef\xbb\xbf[]", 0, "'[' or '{' expected");
	REJECT("]", 0, "'[' or '{' expected");
	REJECT("}", 0, "'[' or '{' expected");

	/* A scalar at the top: refused without opts.any... */
	REJECT("\"a\"", 0, "'[' or '{' expected");
	REJECT("1", 0, "'[' or '{' expected");
	REJECT("-1.5", 0, "'[' or '{' expected");
	REJECT("true", 0, "'[' or '{' expected");
	REJECT("false", 0, "'[' or '{' expected");
	REJECT("null", 0, "'[' or '{' expected");
	REJECT("  1", 2, "'[' or '{' expected");
	/* ...and with no options at all... */
	v = rd(LIT("1"), NULL, &err);
	assert_null(v);
	assert_int_equal(err.offset, 0);
	v = rd(LIT(" [1] "), NULL, &err);
	assert_non_null(v);
	json_decref(v);
	/* ...accepted with it, as JSON_DECODE_ANY reads it. */
	ACCEPT_ANY("\"a\"");
	ACCEPT_ANY("\"\\u00e9\\n\"");
	ACCEPT_ANY("1");
	ACCEPT_ANY("-0");
	ACCEPT_ANY("-1.5e3");
	ACCEPT_ANY("9223372036854775807");
	ACCEPT_ANY("true");
	ACCEPT_ANY("false");
	ACCEPT_ANY("null");
	ACCEPT_ANY(" \n 1 \t ");
	ACCEPT_ANY("[1]");
	ACCEPT_ANY("{\"a\":1}");
	REJECT_ANY("1 2", 2, "end of text expected");
	REJECT_ANY("\"a\" \"b\"", 4, "end of text expected");
	REJECT_ANY("1,", 1, "end of text expected");
	REJECT_ANY("01", 0, "leading zero");
	REJECT_ANY("1e400", 0, "real number overflow");
	REJECT_ANY("-9223372036854775809", 0, "too big negative integer");
	REJECT_ANY("\"abc", 0, "unterminated string");
	REJECT_ANY("'a'", 0, "invalid token");
}

static void test_duplicate_keys(void **state)
{
	REJECT("{\"a\":1,\"a\":2}", 7, "duplicate object key");
	REJECT("{\"a\":1,\"b\":2,\"a\":3}", 13, "duplicate object key");
	REJECT("{\"x\":null, \"x\":null}", 11, "duplicate object key");
	/* Keys compare decoded: an escape is the character it stands for. */
	REJECT("{\"a\":1,\"\\u0061\":2}", 7, "duplicate object key");
	REJECT("{\"\\u0061\":1,\"a\":2}", 12, "duplicate object key");
	REJECT("{\"\xc3\xa9\":1,\"\\u00e9\":2}", 8, "duplicate object key");
	REJECT("{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}", 18, "duplicate object key");
	REJECT("{\"a/b\":1,\"a\\/b\":2}", 9, "duplicate object key");
	/* In a nested object. */
	REJECT("{\"a\":{\"b\":1,\"b\":{}}}", 12, "duplicate object key");
	REJECT("[{}, {\"k\": [], \"k\": []}]", 15, "duplicate object key");

	/* Not duplicates: case, spaces, other objects, prefixes. */
	ACCEPT("{\"a\":1,\"A\":2,\"a \":3,\"\\u0041\\u0061\":4,\"ab\":5,\"\":6}");
	ACCEPT("[{\"a\":1},{\"a\":1}]");
	ACCEPT("{\"a\":{\"a\":{\"a\":1}}}");
	/* An escaped key, then an escaped value: the key must not be overwritten. */
	ACCEPT("{\"\\u0061b\":\"\\u0063d\",\"\\n\":\"\\t\"}");
}

/* @n levels of [ ... ] around @inner. */
static char *nest_arrays(unsigned n, const char *inner, size_t *ret_len)
{
	size_t il = strlen(inner), len = 2 * n + il;
	char *s = malloc(len + 1);

	assert_non_null(s);
	memset(s, '[', n);
	memcpy(s + n, inner, il);
	memset(s + n + il, ']', n);
	s[len] = '\0';
	*ret_len = len;
	return s;
}

static void test_depth(void **state)
{
	char obj[400], *s;
	size_t len, o = 0;

	assert_int_equal(GH_JSON_DEPTH_MAX, 32);

	s = nest_arrays(32, "", &len);
	accept_ok(s, len, false);
	free(s);
	s = nest_arrays(32, "1,\"x\",{}", &len);
	reject_text(s, len, false, false, 38, "nested deeper than 32 levels");
	free(s);
	s = nest_arrays(31, "1,\"x\",{}", &len);
	accept_ok(s, len, false);
	free(s);
	s = nest_arrays(33, "", &len);
	reject_text(s, len, false, false, 32, "nested deeper than 32 levels");
	reject_text(s, len, true, false, 32, "nested deeper than 32 levels");
	free(s);
	s = nest_arrays(2000, "", &len);
	reject_text(s, len, false, false, 32, "nested deeper than 32 levels");
	free(s);

	/* Objects count the same; the offset is the first '{' too deep. */
	for (int i = 0; i < 32; i++)
		o += (size_t)snprintf(obj + o, sizeof(obj) - o, "{\"a\":");
	memcpy(obj + o, "1", 1);
	memset(obj + o + 1, '}', 32);
	accept_ok(obj, o + 33, false);
	memcpy(obj + o, "{}", 2);
	memset(obj + o + 2, '}', 32);
	reject_text(obj, o + 34, false, false, o, "nested deeper than 32 levels");

	/* Brackets in strings do not nest. */
	s = nest_arrays(32, "\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{\"", &len);
	accept_ok(s, len, false);
	free(s);
}

static void test_nul_byte(void **state)
{
	/* jansson accepts these two (it drops the NUL after a token): */
	REJECT_OURS("[1\0]", 2, "expected ',' or ']'");
	REJECT_OURS("[true\0]", 5, "expected ',' or ']'");
	REJECT_OURS("{\"a\":null\0}", 9, "expected ',' or '}'");
	reject_text(LIT("1\0"), true, false, 1, "end of text expected");
	/* ...and refuses these. */
	REJECT("[\0]", 1, "invalid token");
	REJECT("[]\0", 2, "end of text expected");
	REJECT("\0[]", 0, "'[' or '{' expected");
	REJECT("[\"a\0b\"]", 3, "control character");
	REJECT("{\"a\0\":1}", 3, "control character");
	REJECT("[1,\0 2]", 3, "invalid token");
}

/* The text is the @len bytes given, not up to a NUL: what follows is not read. */
static void test_text_length(void **state)
{
	struct gh_jread_err err;
	json_t *v = rd("[1]garbage", 3, NULL, &err);

	assert_non_null(v);
	json_decref(v);
	reject_text("[12345]", 3, false, true, 3, "expected ',' or ']'");
	reject_text("[\"ab\"]", 4, false, true, 1, "unterminated string");
	reject_text("[true]", 4, false, true, 1, "invalid token");
	reject_text("[1e5]", 3, false, true, 1, "no digit in the exponent");
	reject_text("[1.5]", 3, false, true, 1, "no digit after '.'");
	reject_text("[\"\\u0041\"]", 6, false, true, 2, "four hex digits");
	reject_text("[\"\\ud83d\\ude00\"]", 12, false, true, 2, "a high surrogate without");
	reject_text("[\"\xc3\xa9\"]", 3, false, true, 2, "invalid UTF-8");
	reject_text("[\"\xf0\x9f\x98\x80\"]", 5, false, true, 2, "invalid UTF-8");
	reject_text("{\"a\":1}", 6, false, true, 6, "expected ',' or '}'");
	reject_text("{\"a\":1}", 0, false, true, 0, "'[' or '{' expected");
}

/* Strings long enough to grow the reader's buffer, escaped and not. */
static void test_long_strings(void **state)
{
	size_t n = 3 * 20000 + 64, o = 0;
	char *s = malloc(n);

	assert_non_null(s);
	o += (size_t)snprintf(s + o, n - o, "{\"");
	for (int i = 0; i < 5000; i++)
		o += (size_t)snprintf(s + o, n - o, "\\n\xc3\xa9");
	o += (size_t)snprintf(s + o, n - o, "\": [\"");
	for (int i = 0; i < 5000; i++)
		o += (size_t)snprintf(s + o, n - o, "ab\\\"");
	o += (size_t)snprintf(s + o, n - o, "\", \"x\"]}");
	accept_ok(s, o, false);
	free(s);
}

/* What a skip callback was told (the first 8 indices: our paths are shorter). */
#define SEEN_MAX 256
#define SEEN_DEPTH 8

struct seen {
	unsigned n;
	struct {
		size_t idx[SEEN_DEPTH];
		size_t start, end;
	} v[SEEN_MAX];
	unsigned fail_at; /* 1-based call that fails, 0 for none */
	int fail_with;
};

static int record(void *ctx, const size_t *idx, size_t start, size_t end)
{
	struct seen *s = ctx;

	assert_true(s->n < SEEN_MAX);
	memcpy(s->v[s->n].idx, idx, sizeof(s->v[s->n].idx));
	s->v[s->n].start = start;
	s->v[s->n].end = end;
	s->n++;
	return s->n == s->fail_at ? s->fail_with : 0;
}

/* Read @text skipping @path; NULL with *@err on refusal. */
static json_t *rd_skip(const char *text, size_t len, const char *const *path, unsigned depth,
		       struct seen *seen, struct gh_jread_err *err)
{
	struct gh_jskip skip = { .path = path, .depth = depth, .found = record, .ctx = seen };
	struct gh_jread_opts o = { .skip = &skip };

	return rd(text, len, &o, err);
}

/* Call @i of @seen reported [@start, @start + strlen(@span)) = @span. */
static void span_is(const char *text, const struct seen *seen, unsigned i, const char *span)
{
	const char *at = strstr(text, span);

	assert_non_null(at);
	assert_true(i < seen->n);
	assert_int_equal(seen->v[i].start, (size_t)(at - text));
	assert_int_equal(seen->v[i].end, (size_t)(at - text) + strlen(span));
}

/* Delete the member at @path (@n keys or array indices) of @root. */
static void del_at(json_t *root, const char *const *path, unsigned n)
{
	json_t *v = root;

	for (unsigned i = 0; i + 1 < n; i++) {
		if (json_is_array(v))
			v = json_array_get(v, (size_t)strtoul(path[i], NULL, 10));
		else
			v = json_object_get(v, path[i]);
		assert_non_null(v);
	}
	assert_int_equal(json_object_del(v, path[n - 1]), 0);
}

static const char export_doc[] =
    "{\"Policies\": [\n"
    "  {\"Name\": \"p0\", \"PolicyVersionList\": [\n"
    "    {\"Document\": {\"Statement\": [1, 2]}, \"VersionId\": \"v1\"},\n"
    "    {\"VersionId\": \"v2\", \"Document\" :  [ \"x\" ] \n}\n"
    "  ]},\n"
    "  {\"Name\": \"p1\", \"PolicyVersionList\": []},\n"
    "  {\"Name\": \"p2\", \"PolicyVersionList\": [{\"Document\": \"only\"}],\n"
    "   \"Document\": 7},\n"
    "  {\"Name\": \"p3\", \"PolicyVersionList\": {\"Document\": 8}}\n"
    "], \"Document\": \"top\"}\n";

static const char *const export_path[] = { "Policies", NULL, "PolicyVersionList", NULL,
					   "Document" };

static void test_skip_export_path(void **state)
{
	struct seen seen = { 0 };
	struct gh_jread_err err;
	json_error_t je;
	json_t *v = rd_skip(LIT(export_doc), export_path, 5, &seen, &err), *want;

	assert_non_null(v);
	assert_int_equal(seen.n, 3);
	/* Policies[0].PolicyVersionList[0], [0][1], [2][0]. */
	assert_int_equal(seen.v[0].idx[1], 0);
	assert_int_equal(seen.v[0].idx[3], 0);
	assert_int_equal(seen.v[1].idx[1], 0);
	assert_int_equal(seen.v[1].idx[3], 1);
	assert_int_equal(seen.v[2].idx[1], 2);
	assert_int_equal(seen.v[2].idx[3], 0);
	/* Spans: the value's bytes, no whitespace around them. */
	span_is(export_doc, &seen, 0, "{\"Statement\": [1, 2]}");
	span_is(export_doc, &seen, 1, "[ \"x\" ]");
	span_is(export_doc, &seen, 2, "\"only\"");

	/* The skipped members are absent, everything else is there. */
	want = json_loadb(LIT(export_doc), JSON_REJECT_DUPLICATES, &je);
	assert_non_null(want);
	del_at(want, (const char *const[]){ "Policies", "2", "PolicyVersionList", "0", "Document" },
	       5);
	del_at(want, (const char *const[]){ "Policies", "0", "PolicyVersionList", "1", "Document" },
	       5);
	del_at(want, (const char *const[]){ "Policies", "0", "PolicyVersionList", "0", "Document" },
	       5);
	assert_true(json_equal(v, want));
	assert_null(json_object_get(
	    json_array_get(json_object_get(json_array_get(json_object_get(v, "Policies"), 0),
					   "PolicyVersionList"),
			   0),
	    "Document"));
	assert_non_null(json_object_get(v, "Document"));
	json_decref(want);
	json_decref(v);
}

/*
 * Strings are scanned eight bytes at a time: every byte value at every
 * place of a word (and past the last whole word) is accepted exactly when
 * it stands for itself, and a refused one is named at its own offset.
 */
static void test_string_every_byte(void **state)
{
	struct gh_jread_err err;
	char text[32];

	(void)state;
	for (unsigned b = 0; b < 256; b++) {
		for (unsigned pos = 0; pos < 20; pos++) {
			bool plain = b >= 0x20 && b < 0x80 && b != '"' && b != '\\';
			json_t *v;

			memset(text, 'a', sizeof(text));
			memcpy(text, "[\"", 2);
			text[2 + pos] = (char)b;
			memcpy(text + 22, "\"]", 2);
			v = rd(text, 24, NULL, &err);
			if (plain) {
				assert_non_null(v);
				assert_int_equal(json_string_length(json_array_get(v, 0)), 20);
				assert_int_equal((unsigned char)json_string_value(
						     json_array_get(v, 0))[pos],
						 b);
				json_decref(v);
			} else {
				assert_null(v);
				/* A '"' ends the string early; a last '\\' escapes the closing one.
				 */
				if (b != '"' && !(b == '\\' && pos == 19))
					assert_int_equal(err.offset, 2 + pos);
			}
		}
	}
}

/* A known text for test_skip_known: its bytes and the calls it saw. */
struct known {
	const char *text;
	unsigned calls;
	size_t index[2];
	size_t avail;
};

static struct known known_text;

static size_t known_cb(void *ctx, const size_t *index, const char *at, size_t avail)
{
	size_t n = strlen(known_text.text);

	(void)ctx;
	known_text.calls++;
	memcpy(known_text.index, index, sizeof(known_text.index));
	known_text.avail = avail;
	return n <= avail && !memcmp(at, known_text.text, n) ? n : 0;
}

/*
 * gh_jskip.known: a span the caller knows is stepped over unread (here a
 * control byte in it proves nothing looked), and still reported to
 * found(); the other elements are read and checked as ever.
 */
static void test_skip_known(void **state)
{
	static const char *const a_all[] = { "a", NULL };
	static const char text[] = "{\"a\": [{\"b\": \"\x01\"}, {\"c\": 2}], \"z\": 1}";
	struct gh_jskip skip = { .path = a_all, .depth = 2, .found = record, .known = known_cb };
	struct gh_jread_opts o = { .skip = &skip };
	struct gh_jread_err err;
	struct seen seen = { 0 };
	json_t *v;

	(void)state;
	skip.ctx = &seen;
	known_text = (struct known){ .text = "{\"b\": \"\x01\"}" };
	v = rd(LIT(text), &o, &err);
	assert_non_null(v);
	assert_int_equal(known_text.calls, 2);
	assert_int_equal(known_text.index[1], 1);
	assert_int_equal(known_text.avail, strlen(strstr(text, "{\"c\"")));
	assert_int_equal(seen.n, 2);
	span_is(text, &seen, 0, "{\"b\": \"\x01\"}");
	span_is(text, &seen, 1, "{\"c\": 2}");
	json_decref(v);

	/* Not known: the same element is read, and refused. */
	memset(&seen, 0, sizeof(seen));
	known_text = (struct known){ .text = "{\"c\": 2}" };
	assert_null(rd(LIT(text), &o, &err));
	assert_string_equal(err.text, "control character in a string (escape it)");
	assert_int_equal(err.offset, (size_t)(strchr(text, '\x01') - text));
}

/* gh_jskip.built: the elements built, kept here in order. */
static json_t *built_docs[4];

static int record_built(void *ctx, const size_t *index, size_t start, size_t end, json_t *v)
{
	struct seen *s = ctx;

	assert_true(s->n < sizeof(built_docs) / sizeof(built_docs[0]));
	built_docs[s->n] = v;
	return record(ctx, index, start, end);
}

/*
 * gh_jskip.built: an element @known does not know is built in the same
 * pass, checked as any value (a duplicate key refuses the whole text),
 * and handed over with its span; a known one still goes to found().
 */
static void test_skip_built(void **state)
{
	static const char *const a_all[] = { "a", NULL };
	static const char text[] = "{\"a\": [{\"b\": 1}, {\"c\": [2, \"x\"]}], \"z\": 1}";
	struct gh_jskip skip = {
		.path = a_all, .depth = 2, .found = record, .known = known_cb, .built = record_built
	};
	struct gh_jread_opts o = { .skip = &skip };
	struct gh_jread_err err;
	struct seen seen = { 0 };
	json_t *v, *want;

	(void)state;
	skip.ctx = &seen;
	memset(built_docs, 0, sizeof(built_docs));
	known_text = (struct known){ .text = "{\"b\": 1}" };
	v = rd(LIT(text), &o, &err);
	assert_non_null(v);
	assert_int_equal(seen.n, 2);
	span_is(text, &seen, 0, "{\"b\": 1}");
	span_is(text, &seen, 1, "{\"c\": [2, \"x\"]}");
	assert_null(built_docs[0]);
	want = json_loads("{\"c\": [2, \"x\"]}", 0, NULL);
	assert_true(json_equal(built_docs[1], want));
	json_decref(want);
	json_decref(built_docs[1]);
	want = json_loads("{\"a\": [], \"z\": 1}", 0, NULL);
	assert_true(json_equal(v, want));
	json_decref(want);
	json_decref(v);

	/* Built, so checked whole: its duplicate key refuses the text. */
	memset(&seen, 0, sizeof(seen));
	assert_null(rd(LIT("{\"a\": [{\"c\": 1, \"c\": 2}]}"), &o, &err));
	assert_string_equal(err.text, "duplicate object key");
	assert_int_equal(seen.n, 0);
}

static void test_skip_elements(void **state)
{
	static const char *const a_all[] = { "a", NULL };
	static const char *const all[] = { NULL };
	static const char *const all_all[] = { NULL, NULL };
	static const char *const a_b[] = { "a", "b" };
	static const char *const doc[] = { "Document" };
	struct gh_jread_err err;
	struct seen seen = { 0 };
	json_t *v;

	/* Every element of "a". */
	v = rd_skip(LIT("{\"a\": [10, {\"b\": 1}, \"s\"], \"b\": [1]}"), a_all, 2, &seen, &err);
	assert_non_null(v);
	assert_int_equal(seen.n, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(seen.v[i].idx[1], i);
	span_is("{\"a\": [10, {\"b\": 1}, \"s\"], \"b\": [1]}", &seen, 0, "10");
	span_is("{\"a\": [10, {\"b\": 1}, \"s\"], \"b\": [1]}", &seen, 1, "{\"b\": 1}");
	span_is("{\"a\": [10, {\"b\": 1}, \"s\"], \"b\": [1]}", &seen, 2, "\"s\"");
	{
		json_t *want = json_loads("{\"a\": [], \"b\": [1]}", 0, NULL);

		assert_true(json_equal(v, want));
		json_decref(want);
	}
	json_decref(v);

	/* Every element of the top array. */
	memset(&seen, 0, sizeof(seen));
	v = rd_skip(LIT("[1, [2], {\"c\": 3}]"), all, 1, &seen, &err);
	assert_non_null(v);
	assert_true(json_is_array(v));
	assert_int_equal(json_array_size(v), 0);
	assert_int_equal(seen.n, 3);
	span_is("[1, [2], {\"c\": 3}]", &seen, 2, "{\"c\": 3}");
	json_decref(v);

	/* Two wildcards: each index is reported. */
	memset(&seen, 0, sizeof(seen));
	v = rd_skip(LIT("[[1,2],[],[3]]"), all_all, 2, &seen, &err);
	assert_non_null(v);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.v[0].idx[0], 0);
	assert_int_equal(seen.v[0].idx[1], 0);
	assert_int_equal(seen.v[1].idx[0], 0);
	assert_int_equal(seen.v[1].idx[1], 1);
	assert_int_equal(seen.v[2].idx[0], 2);
	assert_int_equal(seen.v[2].idx[1], 0);
	{
		json_t *want = json_loads("[[],[],[]]", 0, NULL);

		assert_true(json_equal(v, want));
		json_decref(want);
	}
	json_decref(v);

	/* Only a.b: not b at the top, not x.b. */
	memset(&seen, 0, sizeof(seen));
	v = rd_skip(LIT("{\"b\":1,\"a\":{\"b\":[2],\"c\":3},\"x\":{\"b\":4}}"), a_b, 2, &seen,
		    &err);
	assert_non_null(v);
	assert_int_equal(seen.n, 1);
	span_is("{\"b\":1,\"a\":{\"b\":[2],\"c\":3},\"x\":{\"b\":4}}", &seen, 0, "[2]");
	{
		json_t *want = json_loads("{\"b\":1,\"a\":{\"c\":3},\"x\":{\"b\":4}}", 0, NULL);

		assert_true(json_equal(v, want));
		json_decref(want);
	}
	json_decref(v);

	/* A key matches decoded; a prefix or an extension does not. */
	memset(&seen, 0, sizeof(seen));
	v = rd_skip(LIT("{\"Doc\": 1, \"Docu\\u006dent\": {\"k\": 1}, \"Documents\": 2}"), doc, 1,
		    &seen, &err);
	assert_non_null(v);
	assert_int_equal(seen.n, 1);
	assert_int_equal(json_object_size(v), 2);
	assert_null(json_object_get(v, "Document"));
	json_decref(v);

	/* Whitespace-only container bodies, and a scalar top with opts.any. */
	memset(&seen, 0, sizeof(seen));
	v = rd_skip(LIT("[ \n ]"), all, 1, &seen, &err);
	assert_non_null(v);
	assert_int_equal(seen.n, 0);
	json_decref(v);
}

/* A path that matches nothing builds everything, as if there were none. */
static void test_skip_no_match(void **state)
{
	static const char *const nope[] = { "Nope", NULL };
	static const char *const name_on_array[] = { "Policies", "PolicyVersionList" };
	static const char *const wildcard_on_object[] = { NULL };
	/* Statement is [1, 2]: no element of 1 or 2 to match. */
	static const char *const in_scalar[] = { "Policies", NULL,	 "PolicyVersionList",
						 NULL,	     "Document", "Statement",
						 NULL,	     NULL };
	struct {
		const char *const *path;
		unsigned depth;
	} paths[] = {
		{ nope, 2 },	  { name_on_array, 2 }, { wildcard_on_object, 1 },
		{ in_scalar, 8 }, { export_path, 0 },	{ NULL, 0 },
	};
	json_t *want = json_loadb(LIT(export_doc), JSON_REJECT_DUPLICATES, NULL);

	assert_non_null(want);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct seen seen = { 0 };
		struct gh_jread_err err;
		json_t *v = rd_skip(LIT(export_doc), paths[i].path, paths[i].depth, &seen, &err);

		assert_non_null(v);
		assert_int_equal(seen.n, 0);
		assert_true(json_equal(v, want));
		json_decref(v);
	}

	/* No callback, or a path deeper than any text can be: no skipping. */
	{
		struct gh_jskip skip = { .path = export_path, .depth = 5 };
		struct gh_jread_opts o = { .skip = &skip };
		struct gh_jread_err err;
		json_t *v = rd(LIT(export_doc), &o, &err);

		assert_non_null(v);
		assert_true(json_equal(v, want));
		json_decref(v);
	}
	{
		static const char *const long_path[GH_JSON_DEPTH_MAX + 1];
		struct seen seen = { 0 };
		struct gh_jread_err err;
		json_t *v = rd_skip(LIT("[[1]]"), long_path, GH_JSON_DEPTH_MAX + 1, &seen, &err);

		assert_non_null(v);
		assert_int_equal(seen.n, 0);
		json_decref(v);
	}
	json_decref(want);
}

/* @text, read skipping "a", is refused at @off with @msg, after @calls callbacks. */
static void skip_reject(const char *text, size_t len, size_t off, const char *msg, unsigned calls)
{
	static const char *const a[] = { "a" };
	struct seen seen = { 0 };
	struct gh_jread_err err;
	json_t *v = rd_skip(text, len, a, 1, &seen, &err);

	if (v || err.offset != off || !strstr(err.text, msg)) {
		print_error("%s\n  %s at %zu: \"%s\"\n  expected at %zu: \"%s\"\n", show(text, len),
			    v ? "accepted" : "refused", err.offset, err.text, off, msg);
		fail();
	}
	assert_int_equal(seen.n, calls);
}

/* @text, read skipping "a", is accepted with "a" absent. */
static void skip_accept(const char *text, size_t len)
{
	static const char *const a[] = { "a" };
	struct seen seen = { 0 };
	struct gh_jread_err err;
	json_t *v = rd_skip(text, len, a, 1, &seen, &err);

	if (!v) {
		print_error("%s\n  refused at %zu: %s\n", show(text, len), err.offset, err.text);
		fail();
	}
	assert_int_equal(seen.n, 1);
	assert_null(json_object_get(v, "a"));
	assert_int_equal(json_object_size(v), 1);
	json_decref(v);
}

/* A skipped value is checked for syntax, not for what building would refuse. */
static void test_skip_checks_syntax(void **state)
{
	char deep[128];
	size_t n;

	skip_reject(LIT("{\"a\": [1,], \"b\": 2}"), 9, "invalid token", 0);
	skip_reject(LIT("{\"a\": {\"x\" 1}, \"b\": 2}"), 11, "expected ':'", 0);
	skip_reject(LIT("{\"a\": {\"x\": 1,}, \"b\": 2}"), 14, "expected a string as the object",
		    0);
	skip_reject(LIT("{\"a\": \"\xff\", \"b\": 2}"), 7, "invalid UTF-8", 0);
	skip_reject(LIT("{\"a\": \"\\u0000\", \"b\": 2}"), 7, "\\u0000 is not allowed", 0);
	skip_reject(LIT("{\"a\": \"\\ud800\", \"b\": 2}"), 7, "a high surrogate without", 0);
	skip_reject(LIT("{\"a\": \"\\q\", \"b\": 2}"), 7, "invalid escape", 0);
	skip_reject(LIT("{\"a\": \"x\ty\", \"b\": 2}"), 8, "control character", 0);
	skip_reject(LIT("{\"a\": 01, \"b\": 2}"), 6, "leading zero", 0);
	skip_reject(LIT("{\"a\": 1., \"b\": 2}"), 6, "no digit after '.'", 0);
	skip_reject(LIT("{\"a\": tru, \"b\": 2}"), 6, "invalid token", 0);
	skip_reject(LIT("{\"a\": [1, 2"), 11, "expected ',' or ']'", 0);
	skip_reject(LIT("{\"a\": "), 6, "unexpected end of the text", 0);
	skip_reject(LIT("{\"a\": \"abc"), 6, "unterminated string", 0);
	skip_reject(LIT("{\"a\": [1] 2, \"b\": 2}"), 10, "expected ',' or '}'", 1);

	/* The depth cap holds in a skipped value: the top object is level 1. */
	n = (size_t)snprintf(deep, sizeof(deep), "{\"a\": ");
	memset(deep + n, '[', 31);
	memset(deep + n + 31, ']', 31);
	memcpy(deep + n + 62, ", \"b\": 2}", 9);
	skip_accept(deep, n + 71);
	memset(deep + n, '[', 32);
	memset(deep + n + 32, ']', 32);
	memcpy(deep + n + 64, ", \"b\": 2}", 9);
	skip_reject(deep, n + 73, n + 31, "nested deeper than 32 levels", 0);

	/* Not built, so not looked at: duplicate keys, numbers out of range. */
	skip_accept(LIT("{\"a\": {\"x\": 1, \"x\": 2}, \"b\": 2}"));
	skip_accept(LIT("{\"a\": 1e400, \"b\": 2}"));
	skip_accept(LIT("{\"a\": [99999999999999999999, -99999999999999999999], \"b\": 2}"));
	/* The rest of the text is checked as usual. */
	skip_reject(LIT("{\"a\": 1, \"b\": 1e400}"), 14, "real number overflow", 1);
	skip_reject(LIT("{\"a\": 1, \"b\": {\"x\": 1, \"x\": 2}}"), 23, "duplicate object key", 1);
}

static void test_skip_callback_errors(void **state)
{
	static const char *const a[] = { "a" };
	static const char *const a_all[] = { "a", NULL };
	static const struct {
		int ret;
		const char *msg;
	} rets[] = {
		{ -EEXIST, "duplicate object key" },
		{ -ENOMEM, "out of memory" },
		{ -EINVAL, "out of memory" },
	};

	for (size_t i = 0; i < sizeof(rets) / sizeof(rets[0]); i++) {
		struct seen seen = { .fail_at = 1, .fail_with = rets[i].ret };
		struct gh_jread_err err;
		json_t *v = rd_skip(LIT("{\"x\": 1, \"a\": [5], \"y\": {}}"), a, 1, &seen, &err);

		assert_null(v);
		assert_int_equal(seen.n, 1);
		assert_int_equal(err.offset, 14);
		assert_string_equal(err.text, rets[i].msg);

		/* The second of three elements. */
		memset(&seen, 0, sizeof(seen));
		seen.fail_at = 2;
		seen.fail_with = rets[i].ret;
		v = rd_skip(LIT("{\"a\":[1, [22], 3]}"), a_all, 2, &seen, &err);
		assert_null(v);
		assert_int_equal(seen.n, 2);
		assert_int_equal(err.offset, 9);
		assert_string_equal(err.text, rets[i].msg);
	}

	/* Only the callback can see a skipped member given twice. */
	{
		struct seen seen = { .fail_at = 2, .fail_with = -EEXIST };
		struct gh_jread_err err;
		json_t *v = rd_skip(LIT("{\"a\": 1, \"b\": 2, \"a\": [3]}"), a, 1, &seen, &err);

		assert_null(v);
		assert_int_equal(err.offset, 22);
		assert_string_equal(err.text, "duplicate object key");
	}
	/* A positive return is no error. */
	{
		struct seen seen = { .fail_at = 1, .fail_with = 1 };
		struct gh_jread_err err;
		json_t *v = rd_skip(LIT("{\"a\": 1, \"b\": 2}"), a, 1, &seen, &err);

		assert_non_null(v);
		assert_int_equal(json_object_size(v), 1);
		json_decref(v);
	}
}

/*
 * Remove from @v the values at @path (from component @m on), as a read
 * skipping @path leaves them out.  Returns how many were removed.
 */
static size_t strip(json_t *v, const char *const *path, unsigned depth, unsigned m)
{
	size_t n = 0;
	json_t *c;

	if (path[m]) {
		if (!json_is_object(v) || !(c = json_object_get(v, path[m])))
			return 0;
		if (m + 1 < depth)
			return strip(c, path, depth, m + 1);
		json_object_del(v, path[m]);
		return 1;
	}
	if (!json_is_array(v))
		return 0;
	if (m + 1 == depth) {
		n = json_array_size(v);
		json_array_clear(v);
		return n;
	}
	for (size_t i = 0; i < json_array_size(v); i++)
		n += strip(json_array_get(v, i), path, depth, m + 1);
	return n;
}

/* The value of @root at @path, with @idx for its wildcards. */
static json_t *at_path(json_t *root, const char *const *path, unsigned depth, const size_t *idx)
{
	for (unsigned i = 0; i < depth && root; i++)
		root = path[i] ? json_object_get(root, path[i]) : json_array_get(root, idx[i]);
	return root;
}

/*
 * @full, read from @text without skipping, read again skipping @path: the
 * same tree with the values at @path left out, each reported once with
 * its bytes.
 */
static void check_skip(const char *text, size_t len, json_t *full, const char *const *path,
		       unsigned depth)
{
	struct seen seen = { 0 };
	struct gh_jread_err err;
	json_t *v = rd_skip(text, len, path, depth, &seen, &err), *want;
	size_t n;

	assert_true(depth <= SEEN_DEPTH);
	if (!v) {
		print_error("refused with a skip: %s\n  at %zu: %s\n", show(text, len), err.offset,
			    err.text);
		fail();
	}
	want = json_deep_copy(full);
	assert_non_null(want);
	n = strip(want, path, depth, 0);
	assert_int_equal(seen.n, n);
	if (!json_equal(v, want)) {
		print_error("skipped tree differs: %s\n", show(text, len));
		fail();
	}
	for (unsigned i = 0; i < seen.n; i++) {
		struct gh_jread_opts any = { .any = true };
		json_t *part =
		    rd(text + seen.v[i].start, seen.v[i].end - seen.v[i].start, &any, &err);

		assert_non_null(part);
		assert_true(json_equal(part, at_path(full, path, depth, seen.v[i].idx)));
		json_decref(part);
	}
	json_decref(want);
	json_decref(v);
}

/* Valid documents: read as jansson reads them. */
static const char *const documents[] = {
	"[]",
	"{}",
	"[[[[[]]]]]",
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
	"\"Resource\":[\"arn:aws:s3:::b\",\"arn:aws:s3:::b/*\"],\"Condition\":{\"Bool\":"
	"{\"aws:SecureTransport\":\"true\"},\"NumericLessThan\":{\"s3:max-keys\":10}}}]}",
	"{\"a\":[1,2.5,-3e2,true,false,null,\"s\",{},[]],\"b\":{\"c\":{\"d\":{\"e\":[]}}}}",
	"[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"\\u0001x\"]",
	"[\"\\u00e9\\u00E9\xc3\xa9\",\"\\ud83d\\ude00\xf0\x9f\x98\x80\",\"\\uffff\"]",
	"[0,-0,1,-1,9223372036854775807,-9223372036854775808,4611686018427387904]",
	"[0.0,-0.0,1.5,1e10,1E-10,1e+10,2.2250738585072014e-308,1.7976931348623157e308,5e-324]",
	"[1e-400,-1e-400,123456789012345678901234567890.0,0.1,0.2,0.30000000000000004]",
	"[1.0000000000000002,9007199254740993,9007199254740993.0,1e23,8.98846567431158e307]",
	"{\"\":\"\",\" \":\" \",\"\\n\":\"\\n\",\"\\u0020\\u0021\":[\"\\u007f\"]}",
	"  \n\t\r[ 1 ,\n2 ,\t3\r]  \n",
	"{ \"a\" : { \"b\" : [ { \"c\" : null } ] } }",
	"[\"<script>\",\"&amp;\",\"'\",\"\\\"\",\"]\",\"}\",\"[\",\"{\",\":\",\",\"]",
	"{\"arn\":\"arn:aws:iam::111122223333:role/ops-admin\",\"tags\":{\"team\":\"ops\"}}",
	"[\"\xe4\xb8\xad\xe6\x96\x87\",\"\xd7\xa2\xd7\x91\",\"\xf0\x90\x8d\x88\"]",
	"[\"\xef\xbb\xbf\"]", /* a BOM in a string is a character like any other */
	"{\"a\":1,\"A\":1,\"\\u0041b\":1,\"ab\":1}",
	"[[1,[2,[3,[4,[5,[6,[7,[8,[9,[10,[11,[12,[13,[14,[15,[16]]]]]]]]]]]]]]]]]",
	"{\"Statement\":{\"Effect\":\"Deny\",\"NotAction\":\"iam:*\",\"NotResource\":\"*\"}}",
	"{\"PolicyDocument\":\"%7B%22Version%22%3A%222012-10-17%22%7D\"}",
	"[true,false,null,true,false,null]",
	"[\"\\/\\/\",\"a\\\\\\\\b\",\"\\\\u0041\"]",
	"[{\"a\":[{\"b\":1},{\"b\":2,\"c\":[{\"b\":3}]}]}]",
	"{\"a\":[{\"b\":1,\"c\":2},{\"c\":3},4,{\"b\":{\"b\":5}}],\"b\":[{\"b\":6}]}",
};

static void test_compare_documents(void **state)
{
	static const char *const a_b[] = { "a", NULL, "b" };

	for (size_t i = 0; i < sizeof(documents) / sizeof(documents[0]); i++) {
		const char *d = documents[i];
		json_t *v = accept_text(d, strlen(d), false);
		check_skip(d, strlen(d), v, a_b, 3);
		json_decref(v);
	}
}

/* Random valid documents: a small generator, deterministic. */
struct gen {
	uint64_t s;
	char *p;
	size_t n, cap;
	unsigned keyno;
};

static uint64_t rnd(struct gen *g)
{
	uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned pick(struct gen *g, unsigned n)
{
	return (unsigned)(rnd(g) % n);
}

static void put(struct gen *g, const char *s, size_t n)
{
	if (g->n + n > g->cap) {
		g->cap = (g->n + n) * 2;
		g->p = realloc(g->p, g->cap);
		assert_non_null(g->p);
	}
	memcpy(g->p + g->n, s, n);
	g->n += n;
}

static void puts_(struct gen *g, const char *s)
{
	put(g, s, strlen(s));
}

static void ws_(struct gen *g)
{
	static const char *const w[] = { "", "", "", " ", "\n", "\t", "\r\n  ", " \n\t\r" };

	puts_(g, w[pick(g, 8)]);
}

/* One code point, valid in a string: U+0001 to U+10FFFF but surrogates. */
static unsigned code_point(struct gen *g)
{
	static const unsigned top[] = { 0x80, 0x800, 0x10000, 0x110000 };
	unsigned cp;

	do
		cp = 1 + pick(g, top[pick(g, 4)] - 1);
	while (cp >= 0xd800 && cp <= 0xdfff);
	return cp;
}

static void gen_string(struct gen *g, const char *fixed)
{
	char b[16];

	puts_(g, "\"");
	if (fixed) {
		puts_(g, fixed);
		puts_(g, "\"");
		return;
	}
	for (unsigned i = pick(g, 8); i; i--) {
		unsigned cp = code_point(g);

		switch (pick(g, 6)) {
		case 0: {
			static const char *const e[] = { "\\\"", "\\\\", "\\/", "\\b",
							 "\\f",	 "\\n",	 "\\r", "\\t" };

			puts_(g, e[pick(g, 8)]);
			break;
		}
		case 1: /* \u escape, a pair above U+FFFF */
			if (cp < 0x10000) {
				snprintf(b, sizeof(b), pick(g, 2) ? "\\u%04x" : "\\u%04X", cp);
			} else {
				cp -= 0x10000;
				snprintf(b, sizeof(b), "\\u%04x\\u%04X", 0xd800 + (cp >> 10),
					 0xdc00 + (cp & 0x3ff));
			}
			puts_(g, b);
			break;
		case 2: /* raw UTF-8 */
			if (cp < 0x20 || cp == '"' || cp == '\\')
				cp = 'x';
			if (cp < 0x80) {
				b[0] = (char)cp;
				put(g, b, 1);
			} else if (cp < 0x800) {
				b[0] = (char)(0xc0 | cp >> 6);
				b[1] = (char)(0x80 | (cp & 0x3f));
				put(g, b, 2);
			} else if (cp < 0x10000) {
				b[0] = (char)(0xe0 | cp >> 12);
				b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
				b[2] = (char)(0x80 | (cp & 0x3f));
				put(g, b, 3);
			} else {
				b[0] = (char)(0xf0 | cp >> 18);
				b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
				b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
				b[3] = (char)(0x80 | (cp & 0x3f));
				put(g, b, 4);
			}
			break;
		default:
			b[0] = (char)(' ' + pick(g, 95));
			if (b[0] == '"' || b[0] == '\\')
				b[0] = 'q';
			put(g, b, 1);
		}
	}
	puts_(g, "\"");
}

static void gen_number(struct gen *g)
{
	char b[80];
	long long i = (long long)rnd(g);

	switch (pick(g, 6)) {
	case 0: snprintf(b, sizeof(b), "%d", (int)pick(g, 200) - 100); break;
	case 1: /* near the ends of json_int_t */
		snprintf(b, sizeof(b), "%lld",
			 pick(g, 2) ? LLONG_MAX - (long long)pick(g, 4)
				    : LLONG_MIN + (long long)pick(g, 4));
		break;
	case 2: snprintf(b, sizeof(b), "%lld", i >> pick(g, 63)); break;
	case 3: /* digits '.' digits */
		snprintf(b, sizeof(b), "%s%u.%0*u", pick(g, 2) ? "-" : "", pick(g, 100000),
			 (int)(1 + pick(g, 5)), pick(g, 100000));
		break;
	case 4: /* with an exponent, in range (or underflowing) */
		snprintf(b, sizeof(b), "%s%u%s%c%s%d", pick(g, 2) ? "-" : "", pick(g, 10),
			 pick(g, 2) ? ".25" : "", pick(g, 2) ? 'e' : 'E',
			 pick(g, 3)   ? ""
			 : pick(g, 2) ? "+"
				      : "-",
			 (int)pick(g, 300));
		break;
	default:
		snprintf(b, sizeof(b), "%.17g", (double)i / (double)(1 + pick(g, 1000000)));
		if (!strpbrk(b, ".e"))
			memcpy(b + strlen(b), ".5", 3);
	}
	puts_(g, b);
}

static void gen_value(struct gen *g, unsigned depth);

static void gen_object(struct gen *g, unsigned depth)
{
	/* "a" and "b" at most once each (the skip path uses them), others unique. */
	bool used_a = false, used_b = false;
	char key[32];

	puts_(g, "{");
	ws_(g);
	for (unsigned i = pick(g, 5); i; i--) {
		unsigned k = pick(g, 5);

		if (k == 0 && !used_a) {
			used_a = true;
			gen_string(g, pick(g, 4) ? "a" : "\\u0061");
		} else if (k == 1 && !used_b) {
			used_b = true;
			gen_string(g, "b");
		} else {
			snprintf(key, sizeof(key), "k%u", g->keyno++);
			gen_string(g, key);
		}
		ws_(g);
		puts_(g, ":");
		ws_(g);
		gen_value(g, depth);
		ws_(g);
		if (i > 1) {
			puts_(g, ",");
			ws_(g);
		}
	}
	puts_(g, "}");
}

static void gen_array(struct gen *g, unsigned depth)
{
	puts_(g, "[");
	ws_(g);
	for (unsigned i = pick(g, 5); i; i--) {
		gen_value(g, depth);
		ws_(g);
		if (i > 1) {
			puts_(g, ",");
			ws_(g);
		}
	}
	puts_(g, "]");
}

/* A value @depth containers deep: containers below GH_JSON_DEPTH_MAX only. */
static void gen_value(struct gen *g, unsigned depth)
{
	unsigned k = pick(g, depth < 4 ? 4 : 9);

	if (depth < GH_JSON_DEPTH_MAX && k < 2)
		return k ? gen_object(g, depth + 1) : gen_array(g, depth + 1);
	switch (pick(g, 5)) {
	case 0: gen_string(g, NULL); break;
	case 1:
	case 2: gen_number(g); break;
	default: {
		static const char *const lit[] = { "true", "false", "null" };

		puts_(g, lit[pick(g, 3)]);
	}
	}
}

static void test_compare_random(void **state)
{
	static const char *const a_b[] = { "a", NULL, "b" };
	static const char *const a[] = { "a" };
	struct gen g = { .s = 20240611 };
	unsigned skipped = 0;

	for (int i = 0; i < 3000; i++) {
		json_t *v;

		g.n = 0;
		ws_(&g);
		if (pick(&g, 2))
			gen_object(&g, 1);
		else
			gen_array(&g, 1);
		ws_(&g);
		v = accept_text(g.p, g.n, false);
		check_skip(g.p, g.n, v, a_b, 3);
		check_skip(g.p, g.n, v, a, 1);
		skipped += json_object_get(v, "a") != NULL;
		json_decref(v);
	}
	/* The generator reaches the skip path. */
	assert_true(skipped > 100);
	free(g.p);
}

/* Every JSON file of the repository reads as jansson reads it. */
static unsigned files_read;

static int compare_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	static const char *const a_b[] = { "a", NULL, "b" };
	struct gh_jread_err err;
	json_error_t je;
	size_t len = strlen(path);
	char *text;
	FILE *f;
	json_t *v, *j;

	if (type != FTW_F || len < 5 || strcmp(path + len - 5, ".json"))
		return 0;
	f = fopen(path, "rb");
	assert_non_null(f);
	text = malloc((size_t)st->st_size + 1);
	assert_non_null(text);
	len = fread(text, 1, (size_t)st->st_size, f);
	fclose(f);
	v = rd(text, len, NULL, &err);
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!v != !j || (v && !json_equal(v, j))) {
		print_error("%s: jread %s (%s), jansson %s (%s)\n", path, v ? "reads" : "refuses",
			    err.text, j ? "reads" : "refuses", je.text);
		fail();
	}
	if (v) {
		check_skip(text, len, v, export_path, 5);
		check_skip(text, len, v, a_b, 3);
	}
	files_read += v != NULL;
	json_decref(v);
	json_decref(j);
	free(text);
	return 0;
}

static void test_compare_repository_files(void **state)
{
	static const char *const dirs[] = { "policies", "rules", "tests/authz", "tests/store",
					    "tests/fw" };
	char path[4096];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", GH_SOURCE_DIR, dirs[i]);
		nftw(path, compare_file, 16, FTW_PHYS);
	}
	/* The policies, the case documents and the account exports are there. */
	print_message("%u JSON files of the repository read as jansson reads them\n", files_read);
	assert_true(files_read > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string_escapes),
		cmocka_unit_test(test_string_unicode_escapes),
		cmocka_unit_test(test_string_control_characters),
		cmocka_unit_test(test_string_utf8),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_integer_limits),
		cmocka_unit_test(test_reals),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_top_level),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_text_length),
		cmocka_unit_test(test_long_strings),
		cmocka_unit_test(test_skip_export_path),
		cmocka_unit_test(test_skip_elements),
		cmocka_unit_test(test_skip_known),
		cmocka_unit_test(test_skip_built),
		cmocka_unit_test(test_string_every_byte),
		cmocka_unit_test(test_skip_no_match),
		cmocka_unit_test(test_skip_checks_syntax),
		cmocka_unit_test(test_skip_callback_errors),
		cmocka_unit_test(test_compare_documents),
		cmocka_unit_test(test_compare_random),
		cmocka_unit_test(test_compare_repository_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
