/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One simulate case: parse the case, compile its policies, build the
 * request, evaluate, write the answer.  Everything of a case is freed
 * before the next; a bad case gives an error object, never a stop.
 */
#include <gatehouse/simulate.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/limits.h"
#include "authz/load.h"
#include "authz/output.h"
#include "common/arena.h"
#include "common/macro.h"
#include "common/str.h"

/* Context keys of one request, and values per key: the engine's caps, checked before allocating. */
#define SIM_CONTEXT_KEYS_MAX AUTHZ_REQ_KEYS_MAX
#define SIM_CONTEXT_VALUES_MAX AUTHZ_REQ_KEY_VALUES_MAX
/* Identity and session policies in one case. */
#define SIM_POLICIES_MAX 1024

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
	struct authz_policy *identity[SIM_POLICIES_MAX];
	struct authz_policy *session[SIM_POLICIES_MAX];
	struct authz_policy *scp[SIM_POLICIES_MAX];
	struct authz_policy *rcp[SIM_POLICIES_MAX];
	struct authz_policy_set set;
	struct authz_request req;
};

static const char *const case_keys[] = {
	"id",	     "policies", "permission_boundary", "session_policies", "resource_policy",
	"principal", "action",	 "resource",		"context",	    "resource_account",
	"service_control_policies", "resource_control_policies",
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
	if (json_array_size(arr) > SIM_POLICIES_MAX) {
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

static const char *required_string(struct sim *s, const char *key)
{
	json_t *v = json_object_get(s->root, key);
	struct gh_jpath p = { 0 };

	if (v && json_is_string(v) && json_string_length(v) > 0)
		return json_string_value(v);
	if (v)
		gh_jpath_key(&p, key);
	sim_error(s, &p, "\"%s\" must be a non-empty string", key);
	return NULL;
}

/* A context value as text: strings as they are, numbers and booleans printed. */
static bool context_value(struct sim *s, json_t *v, struct authz_value *out)
{
	char num[GH_JSON_SCALAR_MAX];
	const char *text = gh_json_scalar_text(v, num, &out->len);

	if (!text)
		return false;
	/* Strings stay in the case's tree; printed numbers need a home. */
	out->s = text == num ? gh_arena_strndup(&s->arena, num, out->len) : text;
	return out->s != NULL;
}

static int build_context(struct sim *s)
{
	json_t *ctx = json_object_get(s->root, "context"), *v;
	struct authz_ctx_entry *entries;
	struct gh_jpath p = { 0 };
	const char *key;
	size_t n = 0;

	if (!ctx)
		return 0;
	gh_jpath_key(&p, "context");
	if (!json_is_object(ctx) || json_object_size(ctx) > SIM_CONTEXT_KEYS_MAX) {
		sim_error(s, &p, "context must be an object of at most %d keys", SIM_CONTEXT_KEYS_MAX);
		return -EINVAL;
	}
	entries = gh_arena_array(&s->arena, json_object_size(ctx) + 1, sizeof(*entries));
	if (!entries)
		return -ENOMEM;
	json_object_foreach(ctx, key, v) {
		size_t nv = json_is_array(v) ? json_array_size(v) : 1;
		struct authz_value *vals = gh_arena_array(&s->arena, nv + 1, sizeof(*vals));
		bool ok = vals && nv <= SIM_CONTEXT_VALUES_MAX;

		for (size_t i = 0; ok && i < nv; i++)
			ok = context_value(s, json_is_array(v) ? json_array_get(v, i) : v, &vals[i]);
		if (!ok) {
			gh_jpath_key(&p, key);
			sim_error(s, &p, "context value of %s must be a string, number, boolean "
					 "or an array of them", key);
			return -EINVAL;
		}
		authz_ctx_entry_init(&entries[n++], key, strlen(key), vals, nv, json_is_array(v));
	}
	s->req.context = entries;
	s->req.ncontext = n;
	return 0;
}

static void load_case(struct sim *s)
{
	json_t *v;

	if (!json_is_object(s->root)) {
		struct gh_jpath p = { 0 };

		sim_error(s, &p, "a case must be a JSON object");
		return;
	}
	{
		struct gh_jpath p = { 0 };

		gh_json_check_keys(s->root, case_keys, ARRAY_SIZE(case_keys), "a simulate case",
				   &s->src, &p, &s->diags);
	}
	if (!json_object_get(s->root, "id")) {
		struct gh_jpath p = { 0 };

		sim_error(s, &p, "a case needs an \"id\"");
	}
	s->req.principal = required_string(s, "principal");
	s->req.action = required_string(s, "action");
	s->req.resource = required_string(s, "resource");
	v = json_object_get(s->root, "resource_account");
	if (v) {
		if (json_is_string(v)) {
			s->req.resource_account = json_string_value(v);
		} else {
			struct gh_jpath p = { 0 };

			gh_jpath_key(&p, "resource_account");
			sim_error(s, &p, "resource_account must be a string");
		}
	}
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
		s->set.boundary = compile_one(s, v, "permission_boundary", 0, false,
					      AUTHZ_POLICY_IDENTITY);
	/*
	 * A resource_policy whose statements name a Principal and allow
	 * sts:AssumeRole* is the trust policy of the role named by "resource"
	 * (Resource is optional there), as `check --kind auto` reads it.
	 * Without one, a role's trust policy is not known: the identity side
	 * decides, as in AWS's policy simulator (eval.c, decide()).
	 */
	if ((v = json_object_get(s->root, "resource_policy"))) {
		bool trust = az_policy_guess_kind(v) == AUTHZ_POLICY_TRUST;

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
