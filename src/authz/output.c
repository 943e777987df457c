/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON answers of `gatehouse simulate` and `gatehouse eval --batch`:
 * one shape for both (README.md, "gatehouse simulate").
 */
#include "authz/output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Output is built with jansson, whose every call can fail for memory: each
 * helper returns false then, and authz_simulate() answers NULL rather
 * than a partial object.
 */
bool az_output_put(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v) == 0; /* set_new frees v on failure */
}

static json_t *error_object(const struct diag *d, int first_line)
{
	json_t *e = json_object();
	bool ok = e && az_output_put(e, "message", json_string(d->message)) &&
		  az_output_put(e, "path", json_string(d->path));

	if (ok && d->line > 0)
		ok = az_output_put(e, "line", json_integer(d->line + first_line - 1)) &&
		     az_output_put(e, "column", json_integer(d->column));
	if (!ok) {
		json_decref(e);
		return NULL;
	}
	return e;
}

bool az_output_errors(json_t *out, const struct diag_list *dl, int first_line)
{
	json_t *all = json_array();
	bool ok = all != NULL;

	for (size_t i = 0; ok && i < dl->n; i++) {
		if (dl->items[i].severity != DIAG_ERROR)
			continue;
		if (!json_object_get(out, "error"))
			ok = az_output_put(out, "error", error_object(&dl->items[i], first_line));
		ok = ok && json_array_append_new(all, error_object(&dl->items[i], first_line)) == 0;
	}
	/* Every error text was dropped (over the cap, or out of memory). */
	if (ok && !json_object_get(out, "error"))
		ok = az_output_put(out, "error", json_pack("{ss}", "message", "invalid case"));
	if (ok && json_array_size(all) > 1)
		return az_output_put(out, "errors", all);
	json_decref(all);
	return ok;
}

/* "policies[0]" ... in simulate's terms, else the policy's own name. */
static const char *policy_label(const struct authz_match *m, bool slot_names, char *buf,
				size_t size)
{
	if (!slot_names && m->slot != AUTHZ_SLOT_SESSION)
		return authz_policy_name(m->policy);
	switch (m->slot) {
	case AUTHZ_SLOT_BOUNDARY: return "permission_boundary";
	case AUTHZ_SLOT_RESOURCE: return "resource_policy";
	default:
		snprintf(buf, size, "%s[%u]",
			 m->slot == AUTHZ_SLOT_SESSION ? "session_policies"
			 : m->slot == AUTHZ_SLOT_SCP   ? "service_control_policies"
			 : m->slot == AUTHZ_SLOT_RCP   ? "resource_control_policies"
						       : "policies",
			 m->slot_index);
		return buf;
	}
}

bool az_output_result(json_t *out, const struct authz_result *r, bool slot_names)
{
	json_t *matched = json_array(), *missing = json_array();
	bool ok = matched && missing &&
		  az_output_put(out, "decision", json_string(authz_decision_name(r->decision))) &&
		  az_output_put(out, "reason", json_string(authz_reason_text(r->reason)));

	for (size_t i = 0; ok && i < r->nmatched; i++) {
		const struct authz_match *m = &r->matched[i];
		char buf[64];

		ok = json_array_append_new(matched,
					   json_pack("{ss so si ss}", "policy",
						     policy_label(m, slot_names, buf, sizeof(buf)),
						     "sid",
						     m->sid ? json_string(m->sid) : json_null(),
						     "index", (int)m->index, "effect",
						     authz_effect_name(m->effect))) == 0;
	}
	for (size_t i = 0; ok && i < r->nmissing; i++)
		ok = json_array_append_new(missing, json_string(r->missing[i])) == 0;
	if (!ok) {
		json_decref(matched);
		json_decref(missing);
		return false;
	}
	if (!az_output_put(out, "matched", matched)) {
		json_decref(missing);
		return false;
	}
	return az_output_put(out, "missing_context", missing);
}

bool az_output_error(json_t *out, const struct diag *d, int first_line)
{
	return az_output_put(out, "error", error_object(d, first_line));
}

/*
 * Serialise into one buffer sized first: json_dumps() grows a buffer as it
 * goes and, out of memory, can return text with a piece missing.
 */
char *az_output_dump(const json_t *out)
{
	const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
	size_t n = json_dumpb(out, NULL, 0, flags);
	char *buf = n ? malloc(n + 1) : NULL;

	if (!buf || json_dumpb(out, buf, n, flags) != n) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}
