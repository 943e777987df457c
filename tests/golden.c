/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Comparing an answer with its expectation, for the golden runners. */
#include "golden.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

int golden_compare(json_t *want, json_t *got, json_t *want_id)
{
	json_t *v;
	int bad = 0;

	/* A request without an id is answered with "id": null. */
	if (!want_id)
		want_id = json_null();
	if (!json_equal(json_object_get(got, "id"), want_id))
		bad |= fail("id", want_id, json_object_get(got, "id"));
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
	return bad;
}
