/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehouse check [--kind K] [--quiet] PATH...: validate policy files and
 * identity stores (a directory) and print errors and warnings as a
 * compiler does.  Exit 0 when nothing has an error, 1 otherwise.
 */
#include <gatehouse/store.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "util.h"

struct check {
	enum authz_policy_kind kind;
	bool quiet;
	size_t files, errors, warnings;
};

/*
 * A policy document whose errors are all at the top-level keys of an
 * identities file (Users, Groups, Roles, ...) is one: it is a part of a
 * store, whose references resolve only with the rest of its directory.
 */
static bool is_identities_file(const struct diag_list *dl)
{
	static const char *const keys[] = {
		"Account", "Organization", "Users", "Groups", "Roles", "ResourcePolicies",
	};
	bool any = false;

	for (size_t i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->items[i];
		bool known = false;

		if (d->severity != DIAG_ERROR)
			continue;
		if (!d->path[0])
			continue; /* "a policy document needs a Statement" */
		for (size_t k = 0; k < CLI_ARRAY_SIZE(keys); k++)
			known |= !strcmp(d->path, keys[k]);
		if (!known)
			return false;
		any = true;
	}
	return any;
}

static void check_file(struct check *c, const char *path)
{
	struct diag_list dl;
	struct authz_policy *p;

	diag_list_init(&dl);
	p = authz_policy_load_file(path, c->kind, NULL, &dl);
	c->files++;
	if (is_identities_file(&dl)) {
		fprintf(stderr,
			"%s: error: an identities file (Users, Groups, Roles), not a policy: check "
			"its directory, which is the store (gatehouse check DIR)\n",
			path);
		c->errors++;
		goto out;
	}
	if (!c->quiet || dl.errors)
		diag_list_print(stderr, &dl);
	c->errors += dl.errors;
	c->warnings += dl.warnings;
out:
	authz_policy_unref(p);
	diag_list_clear(&dl);
}

/*
 * A directory is an identity store: every *.json below it, loaded as
 * `gatehouse eval --policies DIR` would (references resolved, all or
 * nothing).
 */
static int check_store(struct check *c, const char *dir)
{
	struct authz_store_stats st;
	struct authz_store *s;
	struct diag_list dl;

	diag_list_init(&dl);
	s = authz_store_load(dir, &dl);
	if (!c->quiet || dl.errors)
		diag_list_print(stderr, &dl);
	c->errors += dl.errors;
	c->warnings += dl.warnings;
	if (s) {
		authz_store_stats(s, &st);
		c->files += st.policies;
		if (!st.users && !st.groups && !st.roles && !st.policies && !st.resource_policies) {
			/* Likely a wrong path: a store with nothing in it allows nothing. */
			fprintf(stderr,
				"%s: warning: no users, groups, roles or policies (no *.json below "
				"it?)\n",
				dir);
			c->warnings++;
		}
		if (!c->quiet)
			fprintf(stderr,
				"%s: %zu users, %zu groups, %zu roles, %zu managed policies, "
				"%zu resource policies\n",
				dir, st.users, st.groups, st.roles, st.policies,
				st.resource_policies);
	}
	authz_store_unref(s);
	diag_list_clear(&dl);
	return 0;
}

static int check_path(struct check *c, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "%s: error: %s\n", path, strerror(errno));
		c->errors++;
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return check_store(c, path);
	check_file(c, path);
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: gatehouse check [--kind auto|identity|resource|trust] [--quiet] PATH...\n"
	      "\n"
	      "Validate IAM policy documents (a file) and identity stores (a directory:\n"
	      "every *.json below it, references resolved, as eval --policies loads it).\n"
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
	struct check c = { .kind = AUTHZ_POLICY_AUTO };
	int opt, failed = 0;

	while ((opt = getopt_long(argc, argv, ":k:qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			if (!cli_parse_kind(optarg, &c.kind)) {
				fprintf(stderr, "gatehouse check: unknown kind '%s'\n", optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'q': c.quiet = true; break;
		case 'h': usage(stdout); return CLI_EXIT_OK;
		default: return cli_bad_option("gatehouse check", opt, argv, opts);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		char buf[4096];

		if (check_path(&c, cli_trim_dir(argv[i], buf, sizeof(buf))) < 0)
			failed = 1;
	}
	fprintf(stderr, "%zu polic%s checked: %zu error%s, %zu warning%s\n", c.files,
		c.files == 1 ? "y" : "ies", c.errors, c.errors == 1 ? "" : "s", c.warnings,
		c.warnings == 1 ? "" : "s");
	return c.errors || failed ? CLI_EXIT_REFUSED : CLI_EXIT_OK;
}
