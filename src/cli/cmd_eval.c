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
#include <strings.h>

#include "cli.h"
#include "eval.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("usage: gatehouse eval --policies DIR --principal NAME|ARN --action ACTION\n"
	      "                      --resource ARN [--context KEY=VALUE...] [--now TIME]\n"
	      "                      [--assume-role ROLE --session-name NAME [--session-policy "
	      "FILE...]]\n"
	      "                      [--resource-account ID] [--explain]\n"
	      "       gatehouse eval --policies DIR --batch [--now TIME] < requests.jsonl\n"
	      "       gatehouse eval --policy FILE... [--boundary FILE] [--session-policy "
	      "FILE...]\n"
	      "                      [--resource-policy FILE] --principal ARN --action ACTION\n"
	      "                      --resource ARN [--context KEY=VALUE...]\n"
	      "                      [--resource-account ID] [--explain]\n"
	      "\n"
	      "Evaluate requests with AWS's evaluation logic and print the decision on stdout\n"
	      "(diagnostics and warnings on stderr).  Two modes: an identity store\n"
	      "(--policies DIR) or policy files (--policy FILE...); one of them is required.\n"
	      "\n"
	      "Every request:\n"
	      "  --principal NAME|ARN    who asks: with a store, a user's or role's name\n"
	      "                          (alice) or ARN, which includes the path\n"
	      "                          (arn:aws:iam::111122223333:user/eng/alice); with policy\n"
	      "                          files, an ARN, used as aws:PrincipalArn is not\n"
	      "  --action ACTION         service:Action, such as s3:GetObject\n"
	      "  --resource ARN          the resource's ARN, or *\n"
	      "  --context KEY=VALUE     request context; a key given twice is multi-valued\n"
	      "  --resource-account ID   owner of a resource whose ARN has no account (S3); with\n"
	      "                          --policies, only where the store does not place it\n"
	      "  --explain               list the statements that decided and missing keys\n"
	      "\n"
	      "With an identity store (--policies DIR): the principal's whole policy set\n"
	      "(its own, its groups', its boundary; the resource's policy) and context keys\n"
	      "derived from it (aws:username, aws:userid, aws:PrincipalArn, ...,\n"
	      "aws:PrincipalTag/*, aws:PrincipalOrgID, aws:ResourceAccount, aws:CurrentTime, ...;\n"
	      "README: \"Evaluation with principals\"), which --context may not set.\n"
	      "  --policies DIR          the identity store (README: \"The identity store\")\n"
	      "  --now TIME              the request's time (ISO 8601 or epoch seconds)\n"
	      "  --assume-role ROLE      first sts:AssumeRole (trust policy, MFA...), then the\n"
	      "                          request as the role session; needs --session-name NAME.\n"
	      "                          Without it, --principal ROLE evaluates the role's\n"
	      "                          policies as if a session of it asked\n"
	      "  --session-name NAME     the role session's name (with --assume-role)\n"
	      "  --session-policy FILE   session policy of the assumed role (repeatable)\n"
	      "  --batch                 JSON Lines requests on stdin, answers on stdout\n"
	      "\n"
	      "With policy files: only the policies given, and the context as given (nothing\n"
	      "derived: pass aws:username, aws:CurrentTime... with --context yourself).\n"
	      "  --policy FILE           identity-based policy (repeatable)\n"
	      "  --boundary FILE         permission boundary\n"
	      "  --session-policy FILE   session policy (repeatable)\n"
	      "  --resource-policy FILE  the resource's resource-based policy\n"
	      "\n"
	      "Exit status: 0 allow, 3 deny (implicit or explicit), 1 refused (a policy or\n"
	      "the store did not load, an unknown principal or role, a derived context key\n"
	      "given), 2 usage.  --batch exits 0 once the store loaded.\n",
	      f);
}

static int add_policy(struct eval_args *a, const char *path, enum authz_policy_kind kind,
		      struct authz_policy **slot)
{
	*slot = authz_policy_load_file(path, kind, path, &a->diags);
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

/* Which options go together: files or a store, one request or a batch. */
static int check_args(const struct eval_args *a, int argc)
{
	const char *why = NULL;

	if (optind < argc)
		why = "unexpected arguments";
	else if (!a->store_dir && !a->nidentity && !a->boundary && !a->resource && !a->nsession)
		why = "give --policies DIR (an identity store) or --policy FILE (policy files)";
	else if (a->store_dir && (a->nidentity || a->boundary || a->resource))
		why = "--policies (an identity store) and --policy/--boundary/--resource-policy "
		      "(policy files) do not mix";
	else if (a->batch && !a->store_dir)
		why = "--batch needs --policies DIR (for policy files, use gatehouse simulate)";
	else if (a->batch && (a->req.principal || a->req.action || a->req.resource ||
			      a->assume_role || a->req.resource_account))
		why = "--batch reads its requests from stdin (\"resource_account\" in a line)";
	else if (!a->batch && !a->req.principal)
		why = "--principal is required";
	else if (!a->batch && !a->req.action)
		why = "--action is required";
	else if (!a->batch && !a->req.resource)
		why = "--resource is required";
	else if (a->now && !a->store_dir)
		why = "--now goes with --policies DIR; with policy files nothing is derived: give "
		      "--context aws:CurrentTime=TIME";
	else if ((a->assume_role || a->session_name) && !a->store_dir)
		why = "--assume-role needs --policies DIR";
	else if (a->assume_role && !a->session_name)
		why = "--assume-role needs --session-name NAME";
	else if (!a->assume_role && a->session_name)
		why = "--session-name needs --assume-role ROLE";
	else if (a->nsession && !a->assume_role && a->store_dir)
		why = "--session-policy needs --assume-role";
	if (!why)
		return 0;
	fprintf(stderr, "gatehouse eval: %s (try --help)\n", why);
	return CLI_EXIT_USAGE;
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
		{ "policies", required_argument, NULL, 'D' },
		{ "batch", no_argument, NULL, 'B' },
		{ "now", required_argument, NULL, 'N' },
		{ "assume-role", required_argument, NULL, 'S' },
		{ "session-name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int opt, bad = 0;

	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
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
			if (add_policy(a, optarg, AUTHZ_POLICY_IDENTITY, &a->session[a->nsession]) <
			    0)
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
		case 'D':
			a->store_dir = cli_trim_dir(optarg, a->dir_buf, sizeof(a->dir_buf));
			break;
		case 'B': a->batch = true; break;
		case 'N': a->now = optarg; break;
		case 'S': a->assume_role = optarg; break;
		case 'n': a->session_name = optarg; break;
		case 'h': usage(stdout); return -1;
		default: return cli_bad_option("gatehouse eval", opt, argv, opts);
		}
	}
	if (bad)
		return CLI_EXIT_REFUSED;
	return check_args(a, argc);
}

int cmd_eval(int argc, char **argv)
{
	struct eval_args *a = calloc(1, sizeof(*a));
	struct authz_policy_set set;
	struct authz_result r;
	struct diag d;
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
	if (a->store_dir) {
		rc = eval_store(a);
		eval_args_free(a);
		return rc;
	}
	set = (struct authz_policy_set){
		.identity = a->identity,
		.nidentity = a->nidentity,
		.boundary = a->boundary,
		.session = a->session,
		.nsession = a->nsession,
		.resource = a->resource,
	};
	eval_warn_request(a);
	if (authz_evaluate_diag(&set, &a->req, &r, &d) < 0) {
		eval_print_refusal(&d);
		eval_args_free(a);
		return CLI_EXIT_USAGE;
	}
	eval_print_result(a, &r);
	eval_args_free(a);
	return r.decision == AUTHZ_ALLOW ? CLI_EXIT_OK : CLI_EXIT_DENY;
}
