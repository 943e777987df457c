/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Comparing an answer with its expectation, for the golden runners.  The
 * comparison is whole: a key the answer has and the expectation leaves out
 * is a difference, as is the reverse, so an expectation cannot pass by
 * saying less than the tool prints.
 */
#include "golden.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, json_t *want, json_t *got)
{
	char *w = want ? json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	char *g = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	fprintf(stderr, "%s differs\n  want: %s\n  got:  %s\n", what, w ? w : "(absent)",
		g ? g : "(absent)");
	free(w);
	free(g);
	return 1;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
		      json_string_value(*(json_t *const *)b));
}

/*
 * Compare two arrays of strings as sets: the order of missing_context is
 * not part of the answer, its spelling is (keys as written in the policy).
 */
static bool same_set(json_t *a, json_t *b)
{
	size_t n = json_array_size(a);
	json_t **x, **y;
	bool same = true;

	if (!json_is_array(a) || !json_is_array(b) || n != json_array_size(b))
		return false;
	x = calloc(n + 1, sizeof(*x));
	y = calloc(n + 1, sizeof(*y));
	if (!x || !y)
		same = false;
	for (size_t i = 0; same && i < n; i++) {
		x[i] = json_array_get(a, i);
		y[i] = json_array_get(b, i);
		if (!json_is_string(x[i]) || !json_is_string(y[i]))
			same = false;
	}
	if (same) {
		qsort(x, n, sizeof(*x), str_cmp);
		qsort(y, n, sizeof(*y), str_cmp);
		for (size_t i = 0; i < n && same; i++)
			same = !strcmp(json_string_value(x[i]), json_string_value(y[i]));
	}
	free(x);
	free(y);
	return same;
}

int golden_compare(json_t *want, json_t *got, json_t *req_id)
{
	const char *k;
	json_t *v;
	int bad = 0;

	if (!json_is_object(want) || !json_is_object(got))
		return fail("answer (both must be objects)", want, got);
	/* A request without an id is answered with "id": null. */
	if (!req_id)
		req_id = json_null();
	if (!json_equal(json_object_get(got, "id"), req_id))
		bad |= fail("id (the request's)", req_id, json_object_get(got, "id"));
	json_object_foreach(got, k, v) {
		json_t *w = json_object_get(want, k);
		bool same = !strcmp(k, "missing_context") ? same_set(w, v) : json_equal(w, v);

		if (!same)
			bad |= fail(k, w, v);
	}
	json_object_foreach(want, k, v) {
		if (!json_object_get(got, k))
			bad |= fail(k, v, NULL);
	}
	return bad;
}

char *golden_slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(path);
		return NULL;
	}
	do {
		if (cap - len < 4096) {
			char *t = realloc(text, cap = cap ? cap * 2 : 65536);

			if (!t) {
				free(text);
				fclose(f);
				fprintf(stderr, "%s: out of memory\n", path);
				return NULL;
			}
			text = t;
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		perror(path);
		free(text);
		text = NULL;
	} else {
		text[len] = '\0';
		if (ret_len)
			*ret_len = len;
	}
	fclose(f);
	return text;
}
