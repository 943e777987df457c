/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Golden IAM cases (tests/authz/<case>/): run case.json through the same
 * function as `gatehouse simulate` and compare with expect.json as a whole
 * answer (golden_compare: every key, "missing_context" as a set).  Prints
 * each difference and exits 1 on a mismatch.
 */
#include <gatehouse/simulate.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"

static json_t *load(const char *dir, const char *name, char **ret_text, size_t *ret_len)
{
	char path[4096];
	json_t *v;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	*ret_text = golden_slurp(path, ret_len);
	if (!*ret_text)
		return NULL;
	v = json_loadb(*ret_text, *ret_len, 0, NULL);
	if (!v)
		fprintf(stderr, "%s: not valid JSON\n", path);
	return v;
}

int main(int argc, char **argv)
{
	char *ctext = NULL, *etext = NULL, *out;
	size_t clen, elen;
	json_t *c, *want, *got;
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
	bad = golden_compare(want, got, json_object_get(c, "id"));
	free(out);
	free(ctext);
	free(etext);
	json_decref(c);
	json_decref(want);
	json_decref(got);
	return bad;
}
