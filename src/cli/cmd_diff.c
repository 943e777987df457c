/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehouse diff OLD NEW: the requests whose decision differs between two
 * versions of an identity store; an exit status that can gate CI.
 */
#include <gatehouse/diff.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "util.h"

/* Exit statuses of diff (relied on): 3 access widened, 4 access only narrowed. */
enum {
	DIFF_EXIT_WIDENED = 3,
	DIFF_EXIT_NARROWED = 4,
};

/* --principal given at most this many times. */
#define DIFF_PRINCIPALS_MAX 256

static void usage(FILE *f)
{
	fputs("usage: gatehouse diff [--json] [--principal P]... [--seconds N] [--seed N] [--all]\n"
	      "                      [--now TIME] OLD NEW\n"
	      "\n"
	      "Search for requests whose decision differs between OLD and NEW (two store\n"
	      "directories, or two identity-policy files) and print each: principal, action,\n"
	      "resource, context, the old and new decision and the statements behind each.\n"
	      "Newly granted access first, then access lost.\n"
	      "\n"
	      "  --json          one JSON object a line\n"
	      "  --principal P   only this principal (user or role name; repeatable)\n"
	      "  --seconds N     time budget of the search (default 30)\n"
	      "  --seed N        seed of the sampling where the space is too large (default 1)\n"
	      "  --all           also list requests that stay denied but change between\n"
	      "                  explicit and implicit deny\n"
	      "  --now TIME      the requests' time (default: now)\n"
	      "\n"
	      "Exit status: 0 no decision changed in what was explored, 1 an input was\n"
	      "refused, 2 usage, 3 some request is allowed by NEW and not by OLD (access\n"
	      "widened), 4 access only narrowed.\n",
	      f);
}

static void print_result(const char *side, json_t *r)
{
	json_t *m;
	size_t i;

	printf("  %s: %s: %s\n", side, json_string_value(json_object_get(r, "decision")),
	       json_string_value(json_object_get(r, "reason")));
	json_array_foreach(json_object_get(r, "matched"), i, m) {
		json_t *sid = json_object_get(m, "sid");

		printf("    %s statement %lld%s%s%s in %s\n",
		       json_string_value(json_object_get(m, "effect")),
		       (long long)json_integer_value(json_object_get(m, "index")),
		       json_is_string(sid) ? " (Sid " : "",
		       json_is_string(sid) ? json_string_value(sid) : "",
		       json_is_string(sid) ? ")" : "",
		       json_string_value(json_object_get(m, "policy")));
	}
}

static void report(json_t *c, void *data)
{
	bool json = *(bool *)data;
	json_t *role = json_object_get(c, "assume_role"), *v;
	const char *k;
	char *text;

	if (json) {
		text = json_dumps(c, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text)
			puts(text);
		free(text);
		return;
	}
	printf("%s: %s%s%s %s %s", json_string_value(json_object_get(c, "change")),
	       json_string_value(json_object_get(c, "principal")), role ? " as " : "",
	       role ? json_string_value(role) : "", json_string_value(json_object_get(c, "action")),
	       json_string_value(json_object_get(c, "resource")));
	json_object_foreach(json_object_get(c, "context"), k, v) {
		text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		printf(" %s=%s", k, text ? text : "?");
		free(text);
	}
	putchar('\n');
	print_result("old", json_object_get(c, "old"));
	print_result("new", json_object_get(c, "new"));
}

static bool parse_number(const char *s, double max, double *ret)
{
	char *end;
	double v = strtod(s, &end);

	if (!*s || *end || v < 0 || v > max)
		return false;
	*ret = v;
	return true;
}

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "principal", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "all", no_argument, NULL, 'a' },
		{ "now", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *principals[DIFF_PRINCIPALS_MAX];
	struct authz_diff_opts o = { .principals = principals, .seconds = 30, .seed = 1 };
	struct authz_diff_summary sum;
	struct diag_list dl;
	char old_buf[4096], new_buf[4096];
	bool json = false;
	double seed;
	int c, r;

	o.now_ms = (int64_t)time(NULL) * 1000;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'a': o.all = true; break;
		case 'p':
			if (o.nprincipals == DIFF_PRINCIPALS_MAX) {
				fprintf(stderr, "gatehouse diff: more than %d --principal\n",
					DIFF_PRINCIPALS_MAX);
				return CLI_EXIT_USAGE;
			}
			principals[o.nprincipals++] = optarg;
			break;
		case 's':
			if (!parse_number(optarg, 86400, &o.seconds)) {
				fprintf(stderr,
					"gatehouse diff: --seconds wants 0 to 86400, not '%s'\n",
					optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'S':
			if (!parse_number(optarg, 1e15, &seed) || seed != (double)(uint64_t)seed) {
				fprintf(stderr,
					"gatehouse diff: --seed wants a whole number, not '%s'\n",
					optarg);
				return CLI_EXIT_USAGE;
			}
			o.seed = (uint64_t)seed;
			break;
		case 'N':
			if (!authz_parse_time(optarg, &o.now_ms)) {
				fprintf(stderr,
					"gatehouse diff: --now wants ISO 8601 or epoch seconds, "
					"not '%s'\n",
					optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return CLI_EXIT_OK;
		default: return cli_bad_option("gatehouse diff", c, argv, longopts);
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	diag_list_init(&dl);
	r = authz_diff(cli_trim_dir(argv[optind], old_buf, sizeof(old_buf)),
		       cli_trim_dir(argv[optind + 1], new_buf, sizeof(new_buf)), &o, report, &json,
		       &sum, &dl);
	/* Warnings are check's business: a diff shows diagnostics only when a side does not load.
	 */
	if (r < 0)
		diag_list_print(stderr, &dl);
	diag_list_clear(&dl);
	if (r < 0) {
		if (r == -ENOMEM)
			fprintf(stderr, "gatehouse diff: out of memory\n");
		return CLI_EXIT_REFUSED;
	}
	fflush(stdout);
	fprintf(stderr,
		"diff: explored %zu principals, %zu actions, %zu resources, %zu condition values "
		"(%zu requests in %.1f s), %s; %zu granted, %zu revoked",
		sum.principals, sum.actions, sum.resources, sum.values, sum.requests, sum.seconds,
		sum.exhaustive ? "exhaustive for that space"
			       : "NOT exhaustive (sampled, or the time budget ran out)",
		sum.granted, sum.revoked);
	if (sum.first_granted_s >= 0)
		fprintf(stderr, " (the first granted after %.2f s)", sum.first_granted_s);
	fputc('\n', stderr);
	if (sum.granted)
		return DIFF_EXIT_WIDENED;
	return sum.revoked ? DIFF_EXIT_NARROWED : CLI_EXIT_OK;
}
