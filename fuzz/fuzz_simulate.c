/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_simulate: the input is one `gatehouse simulate` case line.  Whatever
 * it holds, the answer must be one line of valid JSON (parsed back with
 * jansson, strictly: UTF-8, no duplicate keys), an object whose "id" is the
 * case's id (null when the case has none or is not an object), and either
 * an "error" object with a string "message" or a decision with its
 * "reason", "matched" and "missing_context".  Anything else traps.
 *
 * The input is passed as is (not NUL-terminated): authz_simulate() takes a
 * length, so reading past it is a bug that ASan reports.
 */
#include <gatehouse/simulate.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Cases larger than this teach the fuzzer nothing new; keep runs fast. */
#define FUZZ_SIMULATE_MAX (64u << 10)

static void check_error(json_t *err)
{
	json_t *v;

	if (!json_is_object(err) || !json_is_string(json_object_get(err, "message")))
		__builtin_trap();
	v = json_object_get(err, "path");
	if (v && !json_is_string(v))
		__builtin_trap();
	v = json_object_get(err, "line");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 1))
		__builtin_trap();
	v = json_object_get(err, "column");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 0))
		__builtin_trap();
}

static void check_decision(json_t *out)
{
	static const char *const decisions[] = { "allow", "explicit_deny", "implicit_deny" };
	json_t *d = json_object_get(out, "decision"), *matched, *missing, *m;
	const char *ds;
	size_t i;
	bool known = false;

	if (!json_is_string(d) || !json_is_string(json_object_get(out, "reason")))
		__builtin_trap();
	ds = json_string_value(d);
	for (i = 0; i < sizeof(decisions) / sizeof(decisions[0]); i++)
		known |= !strcmp(ds, decisions[i]);
	if (!known)
		__builtin_trap();
	matched = json_object_get(out, "matched");
	missing = json_object_get(out, "missing_context");
	if (!json_is_array(matched) || !json_is_array(missing))
		__builtin_trap();
	json_array_foreach(matched, i, m) {
		json_t *sid = json_object_get(m, "sid");
		const char *eff = json_string_value(json_object_get(m, "effect"));

		if (!json_is_object(m) || !json_is_string(json_object_get(m, "policy")) ||
		    !json_is_integer(json_object_get(m, "index")) || !sid ||
		    !(json_is_string(sid) || json_is_null(sid)) || !eff)
			__builtin_trap();
		/* explicit deny lists the Deny statements, otherwise the Allows */
		if (strcmp(eff, !strcmp(ds, "explicit_deny") ? "Deny" : "Allow"))
			__builtin_trap();
	}
	if (strcmp(ds, "implicit_deny") && json_array_size(matched) == 0)
		__builtin_trap();
	json_array_foreach(missing, i, m)
		if (!json_is_string(m))
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out;
	json_t *res, *id, *in, *want;
	json_error_t err;

	if (size > FUZZ_SIMULATE_MAX)
		return 0;
	out = authz_simulate((const char *)data, size, "<fuzz>", 1);
	if (!out)
		__builtin_trap(); /* NULL only when out of memory */
	if (strchr(out, '\n'))
		__builtin_trap(); /* one case, one output line */
	res = json_loads(out, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(res))
		__builtin_trap();
	id = json_object_get(res, "id");
	if (!id)
		__builtin_trap();

	/* The id is echoed whenever the case is a JSON object that has one. */
	in = json_loadb((const char *)data, size, 0, NULL);
	want = json_is_object(in) ? json_object_get(in, "id") : NULL;
	if (want ? !json_equal(id, want) : !json_is_null(id))
		__builtin_trap();
	json_decref(in);

	if (json_object_get(res, "error")) {
		check_error(json_object_get(res, "error"));
		if (json_object_get(res, "decision"))
			__builtin_trap();
	} else {
		check_decision(res);
	}
	json_decref(res);
	free(out);
	return 0;
}
