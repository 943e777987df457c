/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One simulate case: parse the case, compile its policies, build the
 * request, evaluate, write the answer.  Everything of a case is freed
 * before the next; a bad case gives an error object, never a stop.
 */
#include <gatehouse/simulate.h>

#include <errno.h>
#include <pthread.h>
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
#include "common/jregion.h"
#include "common/macro.h"
#include "common/str.h"

/**
 * struct sim - one case being run
 * @src: the case's text
 * @memo: speeds up locating its errors (a heavy case is 200 KiB of text)
 * @root: the parsed case
 * @diags: problems found
 * @arena: the context's values
 * @identity, @session: compiled policies (owned)
 * @set: the policy set handed to the engine
 * @req: the request
 * @spans: where each element of "policies" is in @src's text, and its cache
 *	set (doc_set()): case_read() leaves them out of @root
 * @nspans: elements of "policies" seen (may exceed the array's size)
 * @docs: those read, for the ones not in the cache (owned)
 * @cached: those found in the cache (owned references)
 * @span_memo: locates errors inside one of those elements
 * @known: the cached policy policy_known() found for the element being
 *	read (a reference, handed to policy_found())
 * @in_region: @root, @docs and their values were made in this thread's
 *	jansson region (gh_jregion_begin()), which takes them all back at
 *	once: they need no json_decref() walk
 */
struct sim {
	struct gh_jsrc src;
	struct gh_locate_memo memo;
	json_t *root;
	struct diag_list diags;
	struct arena arena;
	struct authz_policy_set set;
	struct authz_request req;
	size_t nspans;
	struct gh_locate_memo span_memo;
	struct authz_policy *known;
	bool in_region;
	/* The arrays below are written before they are read: not cleared (sim_new()). */
	struct authz_policy *identity[AUTHZ_CASE_POLICIES_MAX];
	struct authz_policy *session[AUTHZ_CASE_POLICIES_MAX];
	struct authz_policy *scp[AUTHZ_CASE_POLICIES_MAX];
	struct authz_policy *rcp[AUTHZ_CASE_POLICIES_MAX];
	struct {
		size_t start, end, set;
	} spans[AUTHZ_CASE_POLICIES_MAX];
	json_t *docs[AUTHZ_CASE_POLICIES_MAX];
	struct authz_policy *cached[AUTHZ_CASE_POLICIES_MAX];
};

/*
 * Each thread keeps its last case's state for its next case: a malloc()
 * and free() of 70 KiB a case made glibc consolidate its heap every time,
 * which cost more than a cached case's evaluation.  The key frees a
 * thread's spare when the thread ends.
 */
static pthread_key_t sim_spare;
static pthread_once_t sim_spare_once = PTHREAD_ONCE_INIT;
static bool sim_spare_ok;

static void sim_spare_init(void)
{
	sim_spare_ok = pthread_key_create(&sim_spare, free) == 0;
}

/*
 * A case's state, its fields cleared up to the arrays: clearing all of
 * them (70 KiB) cost more than a cached case's whole evaluation.
 */
static struct sim *sim_new(void)
{
	struct sim *s = NULL;

	pthread_once(&sim_spare_once, sim_spare_init);
	if (sim_spare_ok && (s = pthread_getspecific(sim_spare)))
		pthread_setspecific(sim_spare, NULL);
	else
		s = malloc(sizeof(*s));
	if (s)
		memset(s, 0, offsetof(struct sim, identity));
	return s;
}

/* Done with @s (sim_free()'d): kept as the thread's spare, else freed. */
static void sim_done(struct sim *s)
{
	if (s && sim_spare_ok && !pthread_getspecific(sim_spare) &&
	    pthread_setspecific(sim_spare, s) == 0)
		return;
	free(s);
}

#define sim_error(s, p, ...) gh_jdiag(&(s)->diags, DIAG_ERROR, &(s)->src, (p), __VA_ARGS__)

/*
 * The document cache.  A stream of cases mostly repeats its policies (one
 * principal's set, request after request), and compiling them is most of
 * a case's cost, so the identity policies of "policies" that compiled
 * without an error are kept, keyed by their exact bytes (a hit compares
 * the whole text, the hash only picks the set).  Four ways to a set, the
 * least recently used one replaced: direct-mapped, two documents of one
 * principal's set that hashed alike took each other's slot in every case
 * (an eighth of the benchmark stream's compiles).  Bounded (slots, bytes
 * per document, bytes in all).  A document with an error is never kept,
 * so every error is found and located again, in its own case, exactly as
 * without the cache.  Compiled policies are immutable and
 * reference-counted, so cases on other threads may share them; the mutex
 * guards only the slots.
 */
#define DOC_CACHE_WAYS 4
#define DOC_CACHE_SETS 256 /* 1024 slots in all */
#define DOC_CACHE_TEXT_MAX (64 * 1024)
#define DOC_CACHE_BYTES_MAX (16 * 1024 * 1024) /* of text: compiled sizes follow it */

/* @used: when it was last found or filled, on doc_cache_clock (0: empty) */
struct doc_slot {
	char *text;
	size_t len;
	struct authz_policy *pol;
	uint64_t used;
};

static struct doc_slot doc_cache[DOC_CACHE_SETS * DOC_CACHE_WAYS];
static size_t doc_cache_bytes;	 /* text held in doc_cache */
static uint64_t doc_cache_clock; /* stamps the slots as they are used */
static pthread_mutex_t doc_cache_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * A multiply-xor hash of @text eight bytes at a time (a byte-wise hash
 * costs as much as reading the text; this only picks a set, the whole
 * text is compared on a hit).
 */
static uint64_t doc_hash(const char *text, size_t len)
{
	uint64_t h = len, w;
	size_t i = 0;

	for (; i + sizeof(w) <= len; i += sizeof(w)) {
		memcpy(&w, text + i, sizeof(w));
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ (unsigned char)text[i]) * 0x100000001b3ull;
	return h ^ h >> 32;
}

/* The set of @text: the first of its DOC_CACHE_WAYS slots. */
static size_t doc_set(const char *text, size_t len)
{
	return (size_t)(doc_hash(text, len) % DOC_CACHE_SETS) * DOC_CACHE_WAYS;
}

/*
 * Where to look for a document before its end is known: the skip reader
 * asks (policy_known()) at an element's first byte, and reading the
 * element to find its end is the very cost a hit saves.  So the slots of
 * cached documents are also filed by a hash of the first DOC_HINT_BYTES
 * bytes of the case's text from the element on (fewer at the text's end),
 * a few ways deep, as documents of one principal's sets often begin
 * alike.  A hint is only a place to try: the slot's whole text is compared.
 */
#define DOC_HINTS 4096
#define DOC_HINT_WAYS 4
#define DOC_HINT_BYTES 256

static size_t doc_hint[DOC_HINTS][DOC_HINT_WAYS]; /* slot + 1; 0: none (under doc_cache_lock) */

/* The hint bucket of an element whose bytes from its first one are @at (@avail of them). */
static size_t *doc_hint_bucket(const char *at, size_t avail)
{
	return doc_hint[doc_hash(at, avail < DOC_HINT_BYTES ? avail : DOC_HINT_BYTES) % DOC_HINTS];
}

/* File @slot under the element at @at (@avail bytes of the case from there); most recent first. */
static void doc_hint_put(const char *at, size_t avail, size_t slot)
{
	size_t *b = doc_hint_bucket(at, avail), w;

	pthread_mutex_lock(&doc_cache_lock);
	for (w = 0; w < DOC_HINT_WAYS - 1 && b[w] != slot + 1; w++)
		;
	memmove(b + 1, b, w * sizeof(*b));
	b[0] = slot + 1;
	pthread_mutex_unlock(&doc_cache_lock);
}

/*
 * A new reference to the policy compiled from exactly @text (in @set), or
 * NULL; *@ret_slot says where it was found.
 */
static struct authz_policy *doc_cache_get(size_t set, const char *text, size_t len,
					  size_t *ret_slot)
{
	struct authz_policy *pol = NULL;

	pthread_mutex_lock(&doc_cache_lock);
	for (size_t w = 0; w < DOC_CACHE_WAYS && !pol; w++) {
		struct doc_slot *d = &doc_cache[set + w];

		if (d->pol && d->len == len && !memcmp(d->text, text, len)) {
			pol = authz_policy_ref(d->pol);
			d->used = ++doc_cache_clock;
			*ret_slot = set + w;
		}
	}
	pthread_mutex_unlock(&doc_cache_lock);
	return pol;
}

/*
 * Keep @pol (borrowed; the cache takes its own reference) as @text's in
 * @set, in its empty or least recently used slot (*@ret_slot); best
 * effort: false when it was not kept.
 */
static bool doc_cache_put(size_t set, const char *text, size_t len, struct authz_policy *pol,
			  size_t *ret_slot)
{
	char *copy = len <= DOC_CACHE_TEXT_MAX ? malloc(len ? len : 1) : NULL;
	struct authz_policy *old = NULL;
	struct doc_slot *d = &doc_cache[set];
	char *oldtext = NULL;
	bool kept;

	if (!copy)
		return false;
	memcpy(copy, text, len);
	pthread_mutex_lock(&doc_cache_lock);
	for (size_t w = 1; w < DOC_CACHE_WAYS; w++)
		if (doc_cache[set + w].used < d->used)
			d = &doc_cache[set + w];
	if (doc_cache_bytes - d->len + len <= DOC_CACHE_BYTES_MAX) {
		doc_cache_bytes = doc_cache_bytes - d->len + len;
		old = d->pol;
		oldtext = d->text;
		*d = (struct doc_slot){ copy, len, authz_policy_ref(pol), ++doc_cache_clock };
		*ret_slot = (size_t)(d - doc_cache);
		copy = NULL;
	}
	pthread_mutex_unlock(&doc_cache_lock);
	kept = !copy;
	authz_policy_unref(old);
	free(oldtext);
	free(copy);
	return kept;
}

/*
 * The skip reader's question before it reads an element of "policies":
 * does it begin with the exact text of a cached document (one its hint
 * bucket names)?  Then that text is the element (a cached text is an
 * object, and an object ends at its own brace), valid at this very path
 * (only elements of "policies" are cached, and only after they were read
 * without an error), and compiled: its policy is kept for policy_found(),
 * and the element is neither read nor hashed whole.
 */
static size_t policy_known(void *ctx, const size_t *index, const char *at, size_t avail)
{
	struct sim *s = ctx;
	const size_t *b = doc_hint_bucket(at, avail);
	size_t len = 0;

	/* Only an element policy_found() keeps can take a reference. */
	if (index[1] >= AUTHZ_CASE_POLICIES_MAX)
		return 0;
	pthread_mutex_lock(&doc_cache_lock);
	for (size_t w = 0; w < DOC_HINT_WAYS && b[w] && !len; w++) {
		struct doc_slot *d = &doc_cache[b[w] - 1];

		if (d->pol && d->len && d->len <= avail && d->text[0] == '{' &&
		    !memcmp(d->text, at, d->len)) {
			s->known = authz_policy_ref(d->pol);
			d->used = ++doc_cache_clock;
			len = d->len;
		}
	}
	pthread_mutex_unlock(&doc_cache_lock);
	return len;
}

/*
 * The skip reader's report of one element of "policies": one policy_known()
 * found (@doc NULL), or one it did not, read as @doc (a reference taken).
 */
static int policy_built(void *ctx, const size_t *index, size_t start, size_t end, json_t *doc)
{
	struct sim *s = ctx;

	if (index[1] < AUTHZ_CASE_POLICIES_MAX) {
		/* "policies" named twice: its first array's element here is replaced. */
		if (index[1] < s->nspans) {
			authz_policy_unref(s->cached[index[1]]);
			json_decref(s->docs[index[1]]);
		}
		s->spans[index[1]].start = start;
		s->spans[index[1]].end = end;
		s->spans[index[1]].set = 0; /* looked up again only when not known */
		s->docs[index[1]] = doc;
		s->cached[index[1]] = s->known;
		s->known = NULL;
	} else {
		json_decref(doc);
	}
	if (index[1] >= s->nspans)
		s->nspans = index[1] + 1;
	return 0;
}

static int policy_found(void *ctx, const size_t *index, size_t start, size_t end)
{
	return policy_built(ctx, index, start, end, NULL);
}

/* Drop what case_read() kept of the elements of "policies". */
static void span_docs_free(struct sim *s)
{
	for (size_t i = 0; i < s->nspans && i < AUTHZ_CASE_POLICIES_MAX; i++) {
		if (!s->in_region)
			json_decref(s->docs[i]);
		s->docs[i] = NULL;
		s->cached[i] = authz_policy_unref(s->cached[i]);
	}
	s->nspans = 0;
}

/* Element @i of "policies" as a source of its own, located within the case's text. */
static struct gh_jsrc span_src(struct sim *s, size_t i)
{
	return (struct gh_jsrc){
		.name = s->src.name,
		.text = s->src.text + s->spans[i].start,
		.len = s->spans[i].end - s->spans[i].start,
		.skip = 2,
		.memo = &s->span_memo,
		.outer = &s->src,
		.unlocated_warnings = true,
		.bare_warnings = true,
	};
}

/*
 * Read the case, leaving the elements of "policies" out of its tree (their
 * spans go to s->spans): a document found in the cache is never built at
 * all, the others are built into s->docs in the same pass.  When the case
 * is not valid JSON (a document's duplicate key or number out of range
 * included), or has too many policies, the case is read whole, as before,
 * so that what is reported is exactly the same.
 */
static json_t *case_read(struct sim *s)
{
	static const char *const path[] = { "policies", NULL };
	const struct gh_jskip skip = {
		.path = path,
		.depth = ARRAY_SIZE(path),
		.found = policy_found,
		.ctx = s,
		.known = policy_known,
		.built = policy_built,
	};
	const struct gh_jread_opts opts = { .skip = &skip };
	struct gh_jread_err err;
	json_t *root = gh_json_read(s->src.text, s->src.len, &opts, &err), *arr;
	bool whole = !root || s->nspans > AUTHZ_CASE_POLICIES_MAX;
	size_t slot;

	/* A skipped element is left out of its array: an array with some left is not ours. */
	arr = root ? json_object_get(root, "policies") : NULL;
	if (s->nspans && (!json_is_array(arr) || json_array_size(arr)))
		whole = true;
	for (size_t i = 0; !whole && i < s->nspans; i++) {
		struct gh_jsrc sub = span_src(s, i);

		if (s->cached[i])
			continue; /* policy_known() */
		s->spans[i].set = doc_set(sub.text, sub.len);
		/* Cached, but not under the hint of its first bytes (a bucket shared). */
		if ((s->cached[i] = doc_cache_get(s->spans[i].set, sub.text, sub.len, &slot))) {
			doc_hint_put(sub.text, s->src.len - s->spans[i].start, slot);
			json_decref(s->docs[i]);
			s->docs[i] = NULL;
		}
	}
	if (!whole)
		return root;
	json_decref(root);
	span_docs_free(s);
	return gh_json_parse(&s->src, &s->diags);
}

/* "policies" read as spans (case_read()): from the cache, else compiled from s->docs. */
static size_t compile_spans(struct sim *s, struct authz_policy **out)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nspans; i++) {
		struct gh_jsrc sub = span_src(s, i);
		size_t errors = s->diags.errors;
		struct authz_policy *pol = s->cached[i];
		struct gh_jpath p = { 0 };
		char name[64];
		size_t slot;

		s->cached[i] = NULL; /* the reference moves to @out */
		if (!pol) {
			gh_jpath_key(&p, "policies");
			gh_jpath_index(&p, i);
			snprintf(name, sizeof(name), "policies[%zu]", i);
			pol = az_policy_compile(s->docs[i], &sub, &p, AUTHZ_POLICY_IDENTITY, name,
						&s->diags);
			if (pol && s->diags.errors == errors &&
			    doc_cache_put(s->spans[i].set, sub.text, sub.len, pol, &slot))
				doc_hint_put(sub.text, s->src.len - s->spans[i].start, slot);
		}
		if (pol)
			out[n++] = pol;
	}
	return n;
}

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
	struct authz_ctx_entry *ctx;
	json_t *v;

	if (gh_json_walk(s->root, &case_schema, &s->req, &s->src, &s->diags) < 0)
		return;
	s->set.identity = s->identity;
	s->set.nidentity = s->nspans
			       ? compile_spans(s, s->identity)
			       : compile_list(s, "policies", s->identity, AUTHZ_POLICY_IDENTITY);
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
	if (az_request_read_context(json_object_get(s->root, "context"), &s->arena, &ctx,
				    &s->req.ncontext, &s->src, &s->diags) == -ENOMEM)
		diag_add(&s->diags, DIAG_ERROR, s->src.name, "", 0, 0, "out of memory");
	s->req.context = ctx;
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
	span_docs_free(s);
	authz_policy_unref(s->known);
	gh_arena_clear(&s->arena);
	diag_list_clear(&s->diags);
	if (!s->in_region)
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

/*
 * The answer to the loaded case, malloc'ed; NULL when out of memory.  A
 * decision is written as text directly (az_output_result_text()); an
 * error, the rare answer, is built with jansson.
 */
static char *answer(struct sim *s, json_t *id, int first_line)
{
	struct authz_result r;
	struct diag d;
	json_t *out;
	char *ret = NULL;
	bool ok;

	if (!s->diags.errors && authz_evaluate_diag(&s->set, &s->req, &r, &d) == 0)
		return az_output_result_text(id, &r, true);
	out = json_object();
	ok = out && json_object_set(out, "id", id ? id : json_null()) == 0;
	if (ok && s->diags.errors)
		ok = az_output_errors(out, &s->diags, first_line);
	else if (ok)
		ok = az_output_error(out, &d, first_line);
	if (ok)
		ret = az_output_dump(out);
	json_decref(out);
	return ret;
}

char *authz_simulate(const char *text, size_t len, const char *source, int first_line)
{
	struct sim *s = sim_new();
	json_t *id, *salvaged = NULL;
	char *ret;

	if (!s)
		return NULL;
	/* Only errors are answered: warnings are not worth a walk of the text, nor words. */
	s->src = (struct gh_jsrc){ .name = source,
				   .text = text,
				   .len = len,
				   .memo = &s->memo,
				   .unlocated_warnings = true,
				   .bare_warnings = true };
	diag_list_init(&s->diags);
	/* The case's trees live and die with the case: made in this thread's region. */
	s->in_region = gh_jregion_begin();
	s->root = case_read(s);
	id = s->root && json_is_object(s->root) ? json_object_get(s->root, "id") : NULL;
	if (!s->root)
		id = salvage_id(&s->src, &salvaged);
	gh_jregion_end();
	if (s->root)
		load_case(s);
	ret = answer(s, id, first_line);
	json_decref(salvaged);
	sim_free(s);
	sim_done(s);
	gh_jregion_reset();
	return ret;
}
