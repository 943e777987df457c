/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Golden IAM cases (tests/authz/<case>/): run case.json through the same
 * function as `gatehouse simulate` and compare with expect.json:
 * "decision" exactly, "matched" exactly when given, "missing_context" as a
 * set when given, "error" path/line/column exactly and message as a
 * substring.  Prints a diff-like report and exits 1 on a mismatch.
 */
#include <gatehouse/simulate.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"

static json_t *load(const char *dir, const char *name, char **ret_text, size_t *ret_len)
{
	char path[4096];
	struct diag_list dl;
	struct gh_jsrc src;
	json_t *v;

	diag_list_init(&dl);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (gh_file_read(path, ret_text, ret_len, &dl) < 0) {
		diag_list_print(stderr, &dl);
		diag_list_clear(&dl);
		return NULL;
	}
	src = (struct gh_jsrc){ path, *ret_text, *ret_len };
	v = json_loadb(src.text, src.len, 0, NULL);
	if (!v)
		fprintf(stderr, "%s: not valid JSON\n", path);
	diag_list_clear(&dl);
	return v;
}

static int fail(const char *what, json_t *want, json_t *got)
{
	char *w = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY);
	char *g = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	fprintf(stderr, "%s differs\n  want: %s\n  got:  %s\n", what, w ? w : "?",
		g ? g : "(absent)");
	free(w);
	free(g);
	return 1;
}

static int str_cmp(const void *a, const void *b)
{
	return strcasecmp(json_string_value(*(json_t *const *)a),
			  json_string_value(*(json_t *const *)b));
}

/* Compare two arrays of strings as sets (keys are case-insensitive). */
static bool same_set(json_t *a, json_t *b)
{
	size_t n = json_array_size(a);
	json_t **x, **y;
	bool same = true;

	if (!json_is_array(a) || !json_is_array(b) || n != json_array_size(b))
		return false;
	x = calloc(n + 1, sizeof(*x));
	y = calloc(n + 1, sizeof(*y));
	for (size_t i = 0; i < n; i++) {
		x[i] = json_array_get(a, i);
		y[i] = json_array_get(b, i);
		if (!json_is_string(x[i]) || !json_is_string(y[i]))
			same = false;
	}
	if (same) {
		qsort(x, n, sizeof(*x), str_cmp);
		qsort(y, n, sizeof(*y), str_cmp);
		for (size_t i = 0; i < n && same; i++)
			same = !strcasecmp(json_string_value(x[i]), json_string_value(y[i]));
	}
	free(x);
	free(y);
	return same;
}

static int compare_error(json_t *want, json_t *got)
{
	const char *k;
	json_t *v;
	int bad = 0;

	if (!json_is_object(got))
		return fail("error", want, got);
	json_object_foreach(want, k, v) {
		json_t *g = json_object_get(got, k);

		if (!strcmp(k, "message")) {
			if (!json_is_string(g) || !strstr(json_string_value(g), json_string_value(v)))
				bad |= fail("error.message (substring)", v, g);
		} else if (!g || !json_equal(v, g)) {
			char what[64];

			snprintf(what, sizeof(what), "error.%s", k);
			bad |= fail(what, v, g);
		}
	}
	return bad;
}

int main(int argc, char **argv)
{
	char *ctext = NULL, *etext = NULL, *out;
	size_t clen, elen;
	json_t *c, *want, *got, *v;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: golden_authz CASE_DIR\n");
		return 2;
	}
	c = load(argv[1], "case.json", &ctext, &clen);
	want = load(argv[1], "expect.json", &etext, &elen);
	if (!c || !want)
		return 1;
	out = authz_simulate(ctext, clen, "case.json", 1);
	got = out ? json_loads(out, 0, NULL) : NULL;
	if (!got) {
		fprintf(stderr, "simulate gave no JSON: %s\n", out ? out : "(null)");
		return 1;
	}
	printf("%s\n", out);
	if (!json_equal(json_object_get(got, "id"), json_object_get(c, "id")))
		bad |= fail("id", json_object_get(c, "id"), json_object_get(got, "id"));
	if ((v = json_object_get(want, "error")))
		bad |= compare_error(v, json_object_get(got, "error"));
	else if (json_object_get(got, "error"))
		bad |= fail("error (none expected)", json_null(), json_object_get(got, "error"));
	if ((v = json_object_get(want, "decision")) &&
	    !json_equal(v, json_object_get(got, "decision")))
		bad |= fail("decision", v, json_object_get(got, "decision"));
	if ((v = json_object_get(want, "matched")) &&
	    !json_equal(v, json_object_get(got, "matched")))
		bad |= fail("matched", v, json_object_get(got, "matched"));
	if ((v = json_object_get(want, "missing_context")) &&
	    !same_set(v, json_object_get(got, "missing_context")))
		bad |= fail("missing_context (as a set)", v, json_object_get(got, "missing_context"));
	free(out);
	free(ctext);
	free(etext);
	json_decref(c);
	json_decref(want);
	json_decref(got);
	return bad;
}
