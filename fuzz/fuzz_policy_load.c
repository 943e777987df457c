/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_policy_load: the input is one policy document.  Load it as each kind
 * (identity, resource, trust), then check what must hold whatever the text:
 *
 *  - a load that returns NULL added at least one error diagnostic;
 *  - a load that succeeds added no error, has a name and a statement count
 *    within the engine's cap, survives ref/unref, and evaluates fixed
 *    requests (alone and in every slot of a policy set) without crashing,
 *    with a decision and reason in range;
 *  - every diagnostic is NUL-terminated, valid UTF-8 text (diagnostics are
 *    put in JSON by gatehouse simulate; jansson refuses anything else).
 *
 * The input is passed as is (not NUL-terminated): authz_policy_load() takes
 * a length, so reading past it is a bug that ASan reports.
 */
#include <gatehouse/authz.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Policies larger than this teach the fuzzer nothing new; keep runs fast. */
#define FUZZ_POLICY_LOAD_MAX (64u << 10)

/* Same limit as src/authz/limits.h (not a public header). */
#define FUZZ_STATEMENTS_MAX 10000

static const struct authz_value v_true = { "true", 4 };
static const struct authz_value v_ip = { "203.0.113.7", 11 };
static const struct authz_value v_time = { "2024-06-01T12:00:00Z", 20 };
static const struct authz_value v_user = { "alice", 5 };
static const struct authz_value v_tags[] = { { "team", 4 }, { "cost-center", 11 } };

/*
 * Strict UTF-8 (no overlong forms, surrogates or code points past U+10FFFF),
 * as jansson wants it: diagnostics end up in JSON (gatehouse simulate).
 */
static bool is_utf8(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		unsigned c = *s++, n, cp, min;

		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1, cp = c & 0x1f, min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2, cp = c & 0x0f, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		for (; n; n--, s++) {
			if ((*s & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (*s & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

static void check_result(int r, const struct authz_result *res)
{
	if (r < 0)
		__builtin_trap(); /* every fixed request below is well-formed */
	if ((unsigned)res->decision >= _AUTHZ_DECISION_MAX ||
	    (unsigned)res->reason >= _AUTHZ_REASON_MAX)
		__builtin_trap();
	if (res->nmatched > AUTHZ_RESULT_MATCHED_MAX || res->nmatched > res->nmatched_total ||
	    res->nmissing > AUTHZ_RESULT_MISSING_MAX)
		__builtin_trap();
	if ((res->decision == AUTHZ_EXPLICIT_DENY) != (res->reason == AUTHZ_REASON_EXPLICIT_DENY))
		__builtin_trap();
	for (size_t i = 0; i < res->nmatched; i++) {
		const struct authz_match *m = &res->matched[i];

		if ((unsigned)m->slot >= _AUTHZ_SLOT_MAX ||
		    (unsigned)m->effect >= _AUTHZ_EFFECT_MAX)
			__builtin_trap();
		if (res->decision == AUTHZ_EXPLICIT_DENY && m->effect != AUTHZ_EFFECT_DENY)
			__builtin_trap();
		if (m->index >= authz_policy_statement_count(m->policy))
			__builtin_trap();
	}
	for (size_t i = 0; i < res->nmissing; i++)
		if (!res->missing[i] || strlen(res->missing[i]) > 100000)
			__builtin_trap();
	(void)authz_decision_name(res->decision);
	(void)authz_reason_text(res->reason);
}

static void evaluate_fixed(struct authz_policy *p)
{
	struct authz_ctx_entry ctx[5];
	struct authz_request reqs[] = {
		{
		    .principal = "arn:aws:iam::111122223333:user/alice",
		    .action = "s3:GetObject",
		    .resource = "arn:aws:s3:::bucket/home/alice/key.txt",
		},
		{
		    .principal = "arn:aws:sts::444455556666:assumed-role/Admin/session",
		    .action = "iam:CreateUser",
		    .resource = "arn:aws:iam::111122223333:user/bob",
		    .resource_account = "111122223333",
		},
		{
		    .principal = "ec2.amazonaws.com",
		    .action = "sts:AssumeRole",
		    .resource = "*",
		},
	};
	struct authz_policy *one[] = { p };
	struct authz_policy_set alone = { .identity = one, .nidentity = 1 };
	struct authz_policy_set all = {
		.identity = one,
		.nidentity = 1,
		.boundary = p,
		.session = one,
		.nsession = 1,
		.resource = p,
	};
	struct authz_result res;

	authz_ctx_entry_init(&ctx[0], "aws:SecureTransport", 19, &v_true, 1, false);
	authz_ctx_entry_init(&ctx[1], "aws:SourceIp", 12, &v_ip, 1, false);
	authz_ctx_entry_init(&ctx[2], "aws:CurrentTime", 15, &v_time, 1, false);
	authz_ctx_entry_init(&ctx[3], "aws:username", 12, &v_user, 1, false);
	authz_ctx_entry_init(&ctx[4], "aws:TagKeys", 11, v_tags, 2, true);
	reqs[0].context = ctx;
	reqs[0].ncontext = 5;
	reqs[1].context = ctx + 3;
	reqs[1].ncontext = 2;

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		check_result(authz_evaluate(&alone, &reqs[i], &res), &res);
		check_result(authz_evaluate(&all, &reqs[i], &res), &res);
	}
}

static void load_one(const char *text, size_t len, enum authz_policy_kind kind)
{
	struct diag_list dl;
	struct authz_policy *p;

	diag_list_init(&dl);
	p = authz_policy_load(text, len, "fuzz.json", kind, "fuzz", &dl);
	if (!p) {
		/* Refused: the caller must be told why. */
		if (dl.errors == 0)
			__builtin_trap();
	} else {
		if (dl.errors != 0)
			__builtin_trap();
		if (!authz_policy_name(p) || strcmp(authz_policy_name(p), "fuzz"))
			__builtin_trap();
		if (authz_policy_statement_count(p) > FUZZ_STATEMENTS_MAX)
			__builtin_trap();
		if (authz_policy_ref(p) != p)
			__builtin_trap();
		evaluate_fixed(p);
		if (authz_policy_unref(p) != NULL)
			__builtin_trap();
		evaluate_fixed(p); /* still one reference */
		p = authz_policy_unref(p);
	}
	if (dl.n > dl.cap || dl.errors + dl.warnings < dl.n)
		__builtin_trap();
	for (size_t i = 0; i < dl.n; i++) {
		const struct diag *d = &dl.items[i];

		if ((unsigned)d->severity >= _DIAG_SEVERITY_MAX || d->line < 0 || d->column < 0 ||
		    !memchr(d->message, '\0', sizeof(d->message)) ||
		    !memchr(d->path, '\0', sizeof(d->path)) ||
		    !memchr(d->source, '\0', sizeof(d->source)))
			__builtin_trap();
		if (!is_utf8(d->message) || !is_utf8(d->path) || !is_utf8(d->source))
			__builtin_trap();
	}
	diag_list_clear(&dl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_POLICY_LOAD_MAX)
		return 0;
	for (int k = 0; k < _AUTHZ_POLICY_KIND_MAX; k++)
		load_one((const char *)data, size, (enum authz_policy_kind)k);
	return 0;
}
