/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One simulate case: parse the case, compile its policies, build the
 * request, evaluate, write the answer.  Everything of a case is freed
 * before the next; a bad case gives an error object, never a stop.
 */
#include <gatehouse/simulate.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/limits.h"
#include "authz/load.h"
#include "authz/output.h"
#include "authz/request_read.h"
#include "authz/value.h"
#include "common/arena.h"
#include "common/macro.h"
#include "common/str.h"

/**
 * struct sim - one case being run
 * @src: the case's text
 * @root: the parsed case
 * @diags: problems found
 * @arena: the context's values
 * @identity, @session: compiled policies (owned)
 * @set: the policy set handed to the engine
 * @req: the request
 */
struct sim {
	struct gh_jsrc src;
	json_t *root;
	struct diag_list diags;
	struct arena arena;
	struct authz_policy *identity[AUTHZ_CASE_POLICIES_MAX];
	struct authz_policy *session[AUTHZ_CASE_POLICIES_MAX];
	struct authz_policy *scp[AUTHZ_CASE_POLICIES_MAX];
	struct authz_policy *rcp[AUTHZ_CASE_POLICIES_MAX];
	struct authz_policy_set set;
	struct authz_request req;
};

#define sim_error(s, p, ...) gh_jdiag(&(s)->diags, DIAG_ERROR, &(s)->src, (p), __VA_ARGS__)

static struct authz_policy *compile_one(struct sim *s, json_t *doc, const char *key, size_t index,
					bool indexed, enum authz_policy_kind kind)
{
	struct gh_jpath p = { 0 };
	char name[64];

	gh_jpath_key(&p, key);
	if (indexed) {
		gh_jpath_index(&p, index);
		snprintf(name, sizeof(name), "%s[%zu]", key, index);
	} else {
		gh_strlcpy(name, key, sizeof(name));
	}
	return az_policy_compile(doc, &s->src, &p, kind, name, &s->diags);
}

/* "policies", "session_policies", ...: an array of @kind documents into @out. */
static size_t compile_list(struct sim *s, const char *key, struct authz_policy **out,
			   enum authz_policy_kind kind)
{
	json_t *arr = json_object_get(s->root, key), *doc;
	struct gh_jpath p = { 0 };
	size_t i, n = 0;

	if (!arr)
		return 0;
	gh_jpath_key(&p, key);
	if (!json_is_array(arr)) {
		sim_error(s, &p, "%s must be an array of policy documents", key);
		return 0;
	}
	if (json_array_size(arr) > AUTHZ_CASE_POLICIES_MAX) {
		sim_error(s, &p, "%s holds too many policies", key);
		return 0;
	}
	json_array_foreach(arr, i, doc) {
		struct authz_policy *pol = compile_one(s, doc, key, i, true, kind);

		if (pol)
			out[n++] = pol;
	}
	return n;
}

/* A case: the request's fields (checked here, in this order), then what load_case reads. */
static const struct gh_jfield case_fields[] = {
	{ "id", GH_J_ANY, true, GH_JFIELD_KEEP, NULL },
	AZ_REQUEST_FIELDS,
	AZ_FIELD_KEEP("policies"),
	AZ_FIELD_KEEP("permission_boundary"),
	AZ_FIELD_KEEP("session_policies"),
	AZ_FIELD_KEEP("resource_policy"),
	AZ_FIELD_KEEP("context"),
	AZ_FIELD_KEEP("service_control_policies"),
	AZ_FIELD_KEEP("resource_control_policies"),
};

static const struct gh_jschema case_schema = {
	"a case",
	"a simulate case",
	case_fields,
	ARRAY_SIZE(case_fields),
};

static int build_context(struct sim *s)
{
	json_t *ctx = json_object_get(s->root, "context");
	struct authz_ctx_entry *entries = NULL;
	int r;

	if (!ctx)
		return 0;
	r = az_request_read_context(ctx, &s->arena, &entries, &s->req.ncontext, &s->src, &s->diags);
	s->req.context = entries;
	return r;
}

/* "arn:<partition>:iam::<account>:role/...": the only resource that has a trust policy. */
static bool is_role_arn(const char *arn)
{
	uint32_t st[6], ln[6];

	if (!arn || !az_value_split_arn(arn, strlen(arn), st, ln))
		return false;
	return gh_eq_lit_case(arn + st[2], ln[2], "iam") && ln[3] == 0 &&
	       gh_prefix_lit_case(arn + st[5], ln[5], "role/");
}

static void load_case(struct sim *s)
{
	json_t *v;

	if (gh_json_walk(s->root, &case_schema, &s->req, &s->src, &s->diags) < 0)
		return;
	s->set.identity = s->identity;
	s->set.nidentity = compile_list(s, "policies", s->identity, AUTHZ_POLICY_IDENTITY);
	s->set.session = s->session;
	s->set.nsession = compile_list(s, "session_policies", s->session, AUTHZ_POLICY_IDENTITY);
	/* SCPs are written as identity policies, RCPs as resource policies (Principal "*"). */
	s->set.scp = s->scp;
	s->set.nscp = compile_list(s, "service_control_policies", s->scp, AUTHZ_POLICY_IDENTITY);
	s->set.rcp = s->rcp;
	s->set.nrcp = compile_list(s, "resource_control_policies", s->rcp, AUTHZ_POLICY_RESOURCE);
	if ((v = json_object_get(s->root, "permission_boundary")))
		s->set.boundary =
		    compile_one(s, v, "permission_boundary", 0, false, AUTHZ_POLICY_IDENTITY);
	/*
	 * A resource_policy whose statements name a Principal and allow
	 * sts:AssumeRole* is the trust policy of the role named by "resource"
	 * (Resource is optional there), as `check --kind auto` reads it; only
	 * a role has a trust policy, so on any other resource it is that
	 * resource's own policy.  Without one, a role's trust policy is not
	 * known: the identity side decides, as in AWS's policy simulator
	 * (eval.c, decide()).
	 */
	if ((v = json_object_get(s->root, "resource_policy"))) {
		bool trust =
		    az_policy_guess_kind(v) == AUTHZ_POLICY_TRUST && is_role_arn(s->req.resource);

		s->set.resource = compile_one(s, v, "resource_policy", 0, false,
					      trust ? AUTHZ_POLICY_TRUST : AUTHZ_POLICY_RESOURCE);
		s->set.resource_must_allow = trust;
	} else {
		s->set.resource_policy_unknown = true;
	}
	if (build_context(s) == -ENOMEM)
		diag_add(&s->diags, DIAG_ERROR, s->src.name, "", 0, 0, "out of memory");
}

static void sim_free(struct sim *s)
{
	for (size_t i = 0; i < s->set.nidentity; i++)
		authz_policy_unref(s->identity[i]);
	for (size_t i = 0; i < s->set.nsession; i++)
		authz_policy_unref(s->session[i]);
	for (size_t i = 0; i < s->set.nscp; i++)
		authz_policy_unref(s->scp[i]);
	for (size_t i = 0; i < s->set.nrcp; i++)
		authz_policy_unref(s->rcp[i]);
	authz_policy_unref(s->set.boundary);
	authz_policy_unref(s->set.resource);
	gh_arena_clear(&s->arena);
	diag_list_clear(&s->diags);
	json_decref(s->root);
}

/*
 * A case refused for a duplicate key is still valid JSON: answer with its
 * id so that the caller can match the error to its case.
 */
static json_t *salvage_id(const struct gh_jsrc *src, json_t **ret_root)
{
	json_t *id;

	*ret_root = json_loadb(src->text, src->len, 0, NULL);
	id = json_is_object(*ret_root) ? json_object_get(*ret_root, "id") : NULL;
	return id;
}

/* Evaluate the loaded case into @out; false when out of memory. */
static bool answer(struct sim *s, json_t *out, int first_line)
{
	struct authz_result r;
	struct diag d;

	if (s->diags.errors)
		return az_output_errors(out, &s->diags, first_line);
	if (authz_evaluate_diag(&s->set, &s->req, &r, &d) == 0)
		return az_output_result(out, &r, true);
	return az_output_error(out, &d, first_line);
}

char *authz_simulate(const char *text, size_t len, const char *source, int first_line)
{
	struct sim *s = calloc(1, sizeof(*s));
	json_t *out = json_object(), *id, *salvaged = NULL;
	char *ret = NULL;
	bool ok;

	if (!s || !out)
		goto done;
	s->src = (struct gh_jsrc){ .name = source, .text = text, .len = len };
	diag_list_init(&s->diags);
	s->root = gh_json_parse(&s->src, &s->diags);
	id = s->root && json_is_object(s->root) ? json_object_get(s->root, "id") : NULL;
	if (!s->root)
		id = salvage_id(&s->src, &salvaged);
	ok = json_object_set(out, "id", id ? id : json_null()) == 0;
	json_decref(salvaged);
	if (ok && s->root)
		load_case(s);
	if (ok && answer(s, out, first_line))
		ret = az_output_dump(out);
done:
	if (s)
		sim_free(s);
	free(s);
	json_decref(out);
	return ret;
}
