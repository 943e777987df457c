/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehouse check [--kind K] [--quiet] PATH...: validate policy files (a
 * directory means every *.json below it) and print errors and warnings as
 * a compiler does.  Exit 0 when no file has an error, 1 otherwise.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/util.h"

/* Directory nesting we follow under one argument (symlink loops end here). */
#define CHECK_DEPTH_MAX 16

struct check {
	enum authz_policy_kind kind;
	bool quiet;
	size_t files, errors, warnings;
};

static void check_file(struct check *c, const char *path)
{
	struct diag_list dl;
	struct authz_policy *p;

	diag_list_init(&dl);
	p = cli_policy_load_file(path, c->kind, NULL, &dl);
	if (!c->quiet || dl.errors)
		diag_list_print(stderr, &dl);
	c->files++;
	c->errors += dl.errors;
	c->warnings += dl.warnings;
	authz_policy_unref(p);
	diag_list_clear(&dl);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int check_path(struct check *c, const char *path, int depth);

/* Every *.json below @path, in name order so output is stable. */
static int check_dir(struct check *c, const char *path, int depth)
{
	struct dirent **names;
	int n = scandir(path, &names, NULL, NULL), r = 0;

	if (n < 0) {
		perror(path);
		return -1;
	}
	qsort(names, (size_t)n, sizeof(*names), name_cmp);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char child[4096];
		struct stat st;

		if (name[0] == '.' ||
		    (size_t)snprintf(child, sizeof(child), "%s/%s", path, name) >= sizeof(child) ||
		    stat(child, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) ? check_path(c, child, depth + 1) < 0 : 0)
			r = -1;
		else if (S_ISREG(st.st_mode) && has_suffix(name, ".json"))
			check_file(c, child);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

static int check_path(struct check *c, const char *path, int depth)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		check_file(c, path);
		return 0;
	}
	if (depth > CHECK_DEPTH_MAX) {
		fprintf(stderr, "%s: directories nested too deep\n", path);
		return -1;
	}
	return check_dir(c, path, depth);
}

static void usage(FILE *f)
{
	fputs("usage: gatehouse check [--kind auto|identity|resource|trust] [--quiet] PATH...\n"
	      "\n"
	      "Validate IAM policy documents. A directory means every *.json below it.\n"
	      "Errors and warnings are printed as FILE:LINE:COL: error: MESSAGE [at JSON.PATH].\n"
	      "\n"
	      "  --kind K   how to read the policies (default auto: a document whose\n"
	      "             statements name a Principal is resource-based, or a trust\n"
	      "             policy when its actions are sts:AssumeRole*)\n"
	      "  --quiet    print only files with errors\n"
	      "\n"
	      "Exit status: 0 no errors (warnings allowed), 1 errors, 2 usage.\n",
	      f);
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct check c = { .kind = CLI_KIND_AUTO };
	int opt, failed = 0;

	while ((opt = getopt_long(argc, argv, "k:qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			if (!cli_parse_kind(optarg, &c.kind)) {
				fprintf(stderr, "gatehouse check: unknown kind '%s'\n", optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'q':
			c.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return CLI_EXIT_OK;
		default:
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++)
		if (check_path(&c, argv[i], 0) < 0)
			failed = 1;
	fprintf(stderr, "%zu file%s checked: %zu error%s, %zu warning%s\n", c.files,
		c.files == 1 ? "" : "s", c.errors, c.errors == 1 ? "" : "s", c.warnings,
		c.warnings == 1 ? "" : "s");
	return c.errors || failed ? CLI_EXIT_REFUSED : CLI_EXIT_OK;
}
