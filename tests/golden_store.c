/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Golden identity-store cases (tests/store/<case>/): load <case>/policies
 * (from inside <case>, so file names read "policies/identities.json"),
 * then either
 *  - expect.err: the store must NOT load, and its diagnostics, printed as
 *    `gatehouse eval` prints them (file:line:col: severity: message
 *    [at path]), must be the lines of expect.err, whole and in order; or
 *  - requests.jsonl + expect.jsonl: each request answered as by
 *    `gatehouse eval --batch` is the whole answer on the same line of
 *    expect.jsonl (golden_compare).
 * The clock is fixed at 2026-11-30T12:00:00Z unless a request says "now".
 */
#include <gatehouse/store.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "golden.h"

#define GOLDEN_NOW_MS 1796126400000LL /* 2026-11-30T12:00:00Z */

/* The next line of *@text (cut in place), or NULL at its end. */
static char *next_line(char **text)
{
	char *line = *text, *nl;

	if (!line || !*line)
		return NULL;
	nl = strchr(line, '\n');
	*text = nl ? nl + 1 : line + strlen(line);
	if (nl)
		*nl = '\0';
	return line;
}

static int bad_store(void)
{
	char *want = golden_slurp("expect.err", NULL), *got = NULL, *w, *g, *wp, *gp;
	struct diag_list dl;
	struct authz_store *s;
	size_t gotlen = 0;
	FILE *f;
	int bad = 0, n = 0;

	diag_list_init(&dl);
	s = authz_store_load("policies", &dl);
	f = open_memstream(&got, &gotlen);
	if (!f || !want)
		return 1;
	diag_list_print(f, &dl);
	fclose(f);
	fputs(got, stdout);
	if (s) {
		fprintf(stderr, "the store loaded, but expect.err says it must not\n");
		bad = 1;
	}
	/* Whole lines, in order: a line that is only "error:" no longer passes. */
	wp = want;
	gp = got;
	do {
		w = next_line(&wp);
		g = next_line(&gp);
		n++;
		if ((w || g) && (!w || !g || strcmp(w, g))) {
			fprintf(stderr, "diagnostic %d differs\n  want: %s\n  got:  %s\n", n,
				w ? w : "(none)", g ? g : "(none)");
			bad = 1;
		}
	} while (w || g);
	authz_store_unref(s);
	diag_list_clear(&dl);
	free(want);
	free(got);
	return bad;
}

static int good_store(void)
{
	char *reqs = golden_slurp("requests.jsonl", NULL),
	     *exps = golden_slurp("expect.jsonl", NULL);
	char *rsave = NULL, *esave = NULL, *r, *e;
	struct diag_list dl;
	struct authz_store *s;
	int bad = 0, lineno = 0;

	diag_list_init(&dl);
	s = authz_store_load("policies", &dl);
	diag_list_print(stderr, &dl);
	if (!s || !reqs || !exps) {
		fprintf(stderr, "the store (or requests.jsonl, expect.jsonl) did not load\n");
		return 1;
	}
	r = strtok_r(reqs, "\n", &rsave);
	e = strtok_r(exps, "\n", &esave);
	for (; r && e; r = strtok_r(NULL, "\n", &rsave), e = strtok_r(NULL, "\n", &esave)) {
		char *out =
		    authz_store_batch(s, r, strlen(r), "requests.jsonl", ++lineno, GOLDEN_NOW_MS);
		json_t *req = json_loads(r, 0, NULL), *want = json_loads(e, 0, NULL);
		json_t *got = out ? json_loads(out, 0, NULL) : NULL;

		printf("%s\n", out ? out : "(out of memory)");
		if (!req || !want || !got) {
			fprintf(stderr, "line %d: unreadable request, expectation or answer\n",
				lineno);
			bad = 1;
		} else if (golden_compare(want, got, json_object_get(req, "id"))) {
			fprintf(stderr, "line %d differs (request %s)\n", lineno, r);
			bad = 1;
		}
		json_decref(req);
		json_decref(want);
		json_decref(got);
		free(out);
	}
	if (r || e) {
		fprintf(stderr, "requests.jsonl and expect.jsonl differ in length\n");
		bad = 1;
	}
	authz_store_unref(s);
	diag_list_clear(&dl);
	free(reqs);
	free(exps);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc != 2 || chdir(argv[1]) < 0) {
		fprintf(stderr, "usage: golden_store CASE_DIR\n");
		return 2;
	}
	return access("expect.err", F_OK) == 0 ? bad_store() : good_store();
}
