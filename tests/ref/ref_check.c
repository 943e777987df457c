/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ref_check: the production engine against the reference evaluator.
 *
 *   ref_check [--golden DIR]... [--generated PROFILE SEEDS REQUESTS]... [FILE.jsonl]...
 *   ref_check --expect FILE.jsonl
 *
 * Every case (DIR/<case>/case.json; generated cases from tests/bench/gen.c,
 * seeds 1..SEEDS, the first REQUESTS of each; simulate lines of a file) is
 * answered by `authz_simulate()` and by ref_eval(); decision, reason and
 * matched statements must be equal.  A case the engine refuses is counted,
 * not compared.  A disagreement is tolerated only when the case went
 * through a known-defect class (known_disagreements.h); any other fails
 * the run.  Exit status: 0 agreement, 1 a disagreement, 2 usage or I/O.
 *
 * --expect checks the reference against answers AWS documents, on lines
 * {"about", "decision", "case"}: the classes where the engine was wrong
 * (issues 8 and 9).  The engine's answer is shown and compared as above (a
 * disagreement tolerated only while its defect is listed as known: none
 * is now), so the engine is held to the documented answers too.
 */
#include <gatehouse/authz.h>
#include <gatehouse/simulate.h>

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "known_disagreements.h"
#include "ref_compare.h"
#include "ref_eval.h"

struct tally {
	unsigned compared, refused, agreed, tolerated, failed;
	unsigned per_class[_REF_DEFECT_MAX];
};

static void print_classes(FILE *f, unsigned touched)
{
	for (int b = 0; b < _REF_DEFECT_MAX; b++)
		if (touched & (1u << b))
			fprintf(f, "    known-defect class %s (%s)%s\n", ref_defect_name(b),
				ref_defect_text(b),
				REF_KNOWN_DISAGREEMENTS & (1u << b) ? ""
								    : ": fixed, not tolerated");
}

static int check_case(const char *text, size_t len, const char *label, struct tally *t)
{
	char *line = authz_simulate(text, len, label, 1);
	json_t *out = line ? json_loads(line, 0, NULL) : NULL;
	json_t *c = json_loadb(text, len, 0, NULL);
	struct ref_result ref;
	char why[512];
	int r;

	if (!out || !c) {
		fprintf(stderr, "%s: %s\n", label, !line ? "out of memory" : "unreadable case");
		t->failed++;
		goto done;
	}
	if (json_object_get(out, "error")) {
		t->refused++;
		goto done;
	}
	t->compared++;
	r = ref_eval(c, &ref);
	if (r < 0) {
		fprintf(stderr,
			"%s: the engine answered a case the reference cannot read (%s)\n"
			"  engine: %s\n",
			label, strerror(-r), line);
		t->failed++;
		goto done;
	}
	ref_compare(out, &ref, why, sizeof(why));
	if (!why[0]) {
		t->agreed++;
	} else if (ref.touched & REF_KNOWN_DISAGREEMENTS) {
		t->tolerated++;
		for (int b = 0; b < _REF_DEFECT_MAX; b++)
			if (ref.touched & REF_KNOWN_DISAGREEMENTS & (1u << b))
				t->per_class[b]++;
	} else {
		t->failed++;
		fprintf(stderr,
			"%s: engine and reference disagree: %s\n  engine:    %s\n"
			"  reference: %s, rule %d, %zu matched\n",
			label, why, line, ref_decision_name(ref.decision), (int)ref.reason,
			ref.nmatched);
		print_classes(stderr, ref.touched);
	}
done:
	json_decref(out);
	json_decref(c);
	free(line);
	return 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int check_golden(const char *dir, struct tally *t)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	if (n < 0) {
		fprintf(stderr, "ref_check: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		size_t len;
		char *text;

		snprintf(path, sizeof(path), "%s/%s/case.json", dir, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && (text = read_file(path, &len))) {
			check_case(text, len, path, t);
			free(text);
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
}

static int check_generated(const char *profile, unsigned seeds, unsigned nreq, struct tally *t)
{
	const struct gen_profile *p = gen_profile_find(profile);

	if (!p) {
		fprintf(stderr, "ref_check: unknown generator profile '%s'\n", profile);
		return -1;
	}
	for (unsigned seed = 1; seed <= seeds; seed++) {
		struct gen_set s;

		if (gen_make(p, seed, &s) < 0)
			return -1;
		for (unsigned i = 0; i < s.nreqs && i < nreq; i++) {
			char *buf = NULL, label[96];
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);

			if (!f)
				break;
			gen_write_case(f, &s, i);
			fclose(f);
			snprintf(label, sizeof(label), "gen %s seed %u request %u", profile, seed,
				 i);
			check_case(buf, len, label, t);
			free(buf);
		}
		gen_free(&s);
	}
	return 0;
}

static int check_lines(const char *path, struct tally *t)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, label[4200];
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;

	if (!f) {
		fprintf(stderr, "ref_check: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		snprintf(label, sizeof(label), "%s:%u", path, lineno);
		check_case(line, (size_t)n, label, t);
	}
	free(line);
	fclose(f);
	return 0;
}

/* The reference against documented answers, and the engine against the reference. */
static int check_expect(const char *path)
{
	struct tally t = { 0 };
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0, bad = 0, total = 0;

	if (!f) {
		fprintf(stderr, "ref_check: %s: %s\n", path, strerror(errno));
		return 2;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		json_t *e = json_loadb(line, (size_t)n, 0, NULL), *c = json_object_get(e, "case");
		const char *want = json_string_value(json_object_get(e, "decision"));
		char *text = c ? json_dumps(c, JSON_COMPACT) : NULL;
		char *engine = text ? authz_simulate(text, strlen(text), path, 1) : NULL;
		struct ref_result ref;

		lineno++;
		if (!c || !want || ref_eval(c, &ref) < 0) {
			fprintf(stderr,
				"%s:%u: not a {\"about\", \"decision\", \"case\"} line the "
				"reference reads\n",
				path, lineno);
			bad++;
		} else if (strcmp(want, ref_decision_name(ref.decision))) {
			fprintf(stderr, "%s:%u: the reference answers %s, AWS documents %s (%s)\n",
				path, lineno, ref_decision_name(ref.decision), want,
				json_string_value(json_object_get(e, "about")));
			bad++;
		} else {
			printf("ok %s: %s (engine: %s)\n",
			       json_string_value(json_object_get(c, "id")), want,
			       engine ? engine : "?");
		}
		if (text)
			check_case(text, strlen(text), path, &t);
		total++;
		free(engine);
		free(text);
		json_decref(e);
	}
	free(line);
	fclose(f);
	printf("ref_check: %u documented answers, %u wrong; the engine: %u agree, %u tolerated, "
	       "%u disagree\n",
	       total, bad, t.agreed, t.tolerated, t.failed);
	return bad || t.failed || !total ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct tally t = { 0 };

	if (argc == 3 && !strcmp(argv[1], "--expect"))
		return check_expect(argv[2]);
	for (int i = 1; i < argc; i++) {
		int r;

		if (!strcmp(argv[i], "--golden") && i + 1 < argc) {
			r = check_golden(argv[++i], &t);
		} else if (!strcmp(argv[i], "--generated") && i + 3 < argc) {
			r = check_generated(argv[i + 1], (unsigned)strtoul(argv[i + 2], NULL, 10),
					    (unsigned)strtoul(argv[i + 3], NULL, 10), &t);
			i += 3;
		} else if (argv[i][0] == '-') {
			fprintf(stderr,
				"usage: ref_check [--golden DIR] [--generated PROFILE SEEDS "
				"REQUESTS] [FILE.jsonl]...\n");
			return 2;
		} else {
			r = check_lines(argv[i], &t);
		}
		if (r < 0)
			return 2;
	}
	printf("ref_check: %u cases compared (%u refused by the engine): %u agree, %u tolerated, "
	       "%u disagree\n",
	       t.compared, t.refused, t.agreed, t.tolerated, t.failed);
	for (int b = 0; b < _REF_DEFECT_MAX; b++)
		if (t.per_class[b])
			printf("  tolerated as %s: %u (%s)\n", ref_defect_name(b), t.per_class[b],
			       ref_defect_text(b));
	if (t.compared == 0) {
		fprintf(stderr, "ref_check: nothing was compared\n");
		return 1;
	}
	return t.failed ? 1 : 0;
}
