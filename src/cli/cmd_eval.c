/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehouse eval: evaluate one request against policy files and print the
 * decision; --explain adds every statement that matched and every missing
 * context key.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/util.h"
#include "common/macro.h"

/* Policies and context values on one command line. */
#define EVAL_POLICIES_MAX 64
#define EVAL_CONTEXT_MAX 64

enum {
	EVAL_EXIT_DENY = 3, /* evaluated: implicit or explicit deny */
};

struct eval_args {
	struct authz_policy *identity[EVAL_POLICIES_MAX];
	size_t nidentity;
	struct authz_policy *session[EVAL_POLICIES_MAX];
	size_t nsession;
	struct authz_policy *boundary, *resource;
	struct authz_request req;
	/* --context k=v: keys given twice become multi-valued */
	struct authz_ctx_entry ctx[EVAL_CONTEXT_MAX];
	struct authz_value vals[EVAL_CONTEXT_MAX][EVAL_CONTEXT_MAX];
	bool explain;
	struct diag_list diags;
};

static void usage(FILE *f)
{
	fputs("usage: gatehouse eval --policy FILE... [--boundary FILE] [--session-policy FILE...]\n"
	      "                      [--resource-policy FILE] --principal ARN --action ACTION\n"
	      "                      --resource ARN [--context KEY=VALUE...]\n"
	      "                      [--resource-account ID] [--explain]\n"
	      "\n"
	      "Evaluate one request with AWS's evaluation logic and print the decision.\n"
	      "\n"
	      "  --policy FILE           identity-based policy (repeatable)\n"
	      "  --boundary FILE         permission boundary\n"
	      "  --session-policy FILE   session policy (repeatable)\n"
	      "  --resource-policy FILE  the resource's resource-based policy\n"
	      "  --context KEY=VALUE     request context; a key given twice is multi-valued\n"
	      "  --resource-account ID   owner of a resource whose ARN has no account (S3)\n"
	      "  --explain               list the statements that decided and missing keys\n"
	      "\n"
	      "The context is taken as given (nothing derived from the principal or clock).\n"
	      "Exit status: 0 allow, 3 deny (implicit or explicit), 1 a policy did not load,\n"
	      "2 usage.\n",
	      f);
}

static int add_policy(struct eval_args *a, const char *path, enum authz_policy_kind kind,
		      struct authz_policy **slot)
{
	*slot = cli_policy_load_file(path, kind, path, &a->diags);
	return *slot ? 0 : -1;
}

static int add_context(struct eval_args *a, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t klen;

	if (!eq || eq == kv) {
		fprintf(stderr, "gatehouse eval: --context needs KEY=VALUE, got '%s'\n", kv);
		return -1;
	}
	klen = (size_t)(eq - kv);
	for (size_t i = 0; i < a->req.ncontext; i++) {
		struct authz_ctx_entry *e = &a->ctx[i];

		if (e->keylen == klen && !strncasecmp(e->key, kv, klen)) {
			if (e->nvalues >= EVAL_CONTEXT_MAX)
				return -1;
			a->vals[i][e->nvalues++] = (struct authz_value){ eq + 1, strlen(eq + 1) };
			e->multi = true;
			return 0;
		}
	}
	if (a->req.ncontext >= EVAL_CONTEXT_MAX) {
		fprintf(stderr, "gatehouse eval: more than %d context keys\n", EVAL_CONTEXT_MAX);
		return -1;
	}
	a->vals[a->req.ncontext][0] = (struct authz_value){ eq + 1, strlen(eq + 1) };
	authz_ctx_entry_init(&a->ctx[a->req.ncontext], kv, klen, a->vals[a->req.ncontext], 1,
			     false);
	a->req.ncontext++;
	return 0;
}

static void print_result(const struct eval_args *a, const struct authz_result *r)
{
	printf("%s: %s\n", authz_decision_name(r->decision), authz_reason_text(r->reason));
	if (!a->explain)
		return;
	for (size_t i = 0; i < r->nmatched; i++) {
		const struct authz_match *m = &r->matched[i];

		printf("  %s statement %u%s%s%s in %s\n", authz_effect_name(m->effect), m->index,
		       m->sid ? " (Sid " : "", m->sid ? m->sid : "", m->sid ? ")" : "",
		       authz_policy_name(m->policy));
	}
	if (r->nmatched_total > r->nmatched)
		printf("  ... and %zu more statements\n", r->nmatched_total - r->nmatched);
	for (size_t i = 0; i < r->nmissing; i++)
		printf("  missing context key: %s\n", r->missing[i]);
}

static void eval_args_free(struct eval_args *a)
{
	for (size_t i = 0; i < a->nidentity; i++)
		authz_policy_unref(a->identity[i]);
	for (size_t i = 0; i < a->nsession; i++)
		authz_policy_unref(a->session[i]);
	authz_policy_unref(a->boundary);
	authz_policy_unref(a->resource);
	diag_list_clear(&a->diags);
	free(a);
}

static int parse_args(struct eval_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "boundary", required_argument, NULL, 'b' },
		{ "session-policy", required_argument, NULL, 's' },
		{ "resource-policy", required_argument, NULL, 'r' },
		{ "principal", required_argument, NULL, 'P' },
		{ "action", required_argument, NULL, 'a' },
		{ "resource", required_argument, NULL, 'R' },
		{ "context", required_argument, NULL, 'c' },
		{ "resource-account", required_argument, NULL, 'A' },
		{ "explain", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int opt, bad = 0;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (a->nidentity >= EVAL_POLICIES_MAX)
				return CLI_EXIT_USAGE;
			if (add_policy(a, optarg, AUTHZ_POLICY_IDENTITY,
				       &a->identity[a->nidentity]) < 0)
				bad = 1;
			else
				a->nidentity++;
			break;
		case 's':
			if (a->nsession >= EVAL_POLICIES_MAX)
				return CLI_EXIT_USAGE;
			if (add_policy(a, optarg, AUTHZ_POLICY_IDENTITY,
				       &a->session[a->nsession]) < 0)
				bad = 1;
			else
				a->nsession++;
			break;
		case 'b':
			a->boundary = authz_policy_unref(a->boundary);
			bad |= add_policy(a, optarg, AUTHZ_POLICY_IDENTITY, &a->boundary) < 0;
			break;
		case 'r':
			a->resource = authz_policy_unref(a->resource);
			bad |= add_policy(a, optarg, AUTHZ_POLICY_RESOURCE, &a->resource) < 0;
			break;
		case 'P': a->req.principal = optarg; break;
		case 'a': a->req.action = optarg; break;
		case 'R': a->req.resource = optarg; break;
		case 'A': a->req.resource_account = optarg; break;
		case 'c':
			if (add_context(a, optarg) < 0)
				return CLI_EXIT_USAGE;
			break;
		case 'e': a->explain = true; break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (!a->req.principal || !a->req.action || !a->req.resource || optind < argc) {
		fputs("gatehouse eval: --principal, --action and --resource are required\n", stderr);
		return CLI_EXIT_USAGE;
	}
	return bad ? CLI_EXIT_REFUSED : 0;
}

int cmd_eval(int argc, char **argv)
{
	struct eval_args *a = calloc(1, sizeof(*a));
	struct authz_policy_set set;
	struct authz_result r;
	int rc;

	if (!a)
		return CLI_EXIT_REFUSED;
	diag_list_init(&a->diags);
	a->req.context = a->ctx;
	rc = parse_args(a, argc, argv);
	diag_list_print(stderr, &a->diags);
	if (rc) {
		eval_args_free(a);
		return rc < 0 ? CLI_EXIT_OK : rc;
	}
	set = (struct authz_policy_set){
		.identity = a->identity,
		.nidentity = a->nidentity,
		.boundary = a->boundary,
		.session = a->session,
		.nsession = a->nsession,
		.resource = a->resource,
	};
	if (authz_evaluate(&set, &a->req, &r) < 0) {
		fprintf(stderr, "gatehouse eval: --action must be \"service:ActionName\"\n");
		eval_args_free(a);
		return CLI_EXIT_USAGE;
	}
	print_result(a, &r);
	eval_args_free(a);
	return r.decision == AUTHZ_ALLOW ? CLI_EXIT_OK : EVAL_EXIT_DENY;
}
