/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehoused's pieces without a socket: the request handler before any
 * store is loaded (503s), TOTP against RFC 6238's own test vectors and
 * the once-only rule, the secrets file's permission check.
 *   test_handler SRC_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/jread.h"
#include "common/json.h"
#include "common/macro.h"
#include "daemon/daemon.h"

static int failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond);           \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static void handle(struct gd *d, const char *method, const char *path, const char *body,
		   struct http_response *res)
{
	struct http_request req = {
		.method = method, .path = path, .body = body, .body_len = strlen(body)
	};

	gd_handle(d, &req, res);
}

static void test_no_store(void)
{
	struct gd d = { 0 };
	struct http_response res;

	d.store.dir = "/nonexistent";
	pthread_mutex_init(&d.store.lock, NULL);
	pthread_mutex_init(&d.store.reload_lock, NULL);
	d.sessions = gd_sessions_new(NULL);
	handle(&d, "GET", "/health", "", &res);
	CHECK(res.status == 503);
	free(res.body);
	handle(&d, "POST", "/v1/authorize",
	       "{\"principal\": \"a\", \"action\": \"s3:GetObject\", \"resource\": \"x\"}", &res);
	CHECK(res.status == 503 && strstr(res.body, "\"not_ready\""));
	free(res.body);
	handle(&d, "GET", "/metrics", "", &res);
	CHECK(res.status == 200 && strstr(res.body, "gatehoused_store_loaded 0\n"));
	CHECK(strstr(res.body, "gatehoused_requests_total{route=\"health\",status=\"503\"} 1\n"));
	free(res.body);
	d.sessions = gd_sessions_free(d.sessions);
}

/* RFC 6238, Appendix B: the SHA-1 secret "12345678901234567890", last 6 of 8 digits. */
static void test_totp_vectors(const char *dir)
{
	char path[4096], err[512];
	struct gd_totp *t;
	FILE *f;

	snprintf(path, sizeof(path), "%s/secrets.json", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs("{\"rfc\": \"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\"}", f);
	fclose(f);
	chmod(path, 0640);
	t = gd_totp_load(path, err, sizeof(err));
	CHECK(t == NULL && strstr(err, "chmod 0600"));
	chmod(path, 0600);
	t = gd_totp_load(path, err, sizeof(err));
	CHECK(t != NULL);
	if (!t)
		return;
	CHECK(gd_totp_check(t, "rfc", "287082", 59) == GD_TOTP_OK);
	CHECK(gd_totp_check(t, "rfc", "287082", 59) == GD_TOTP_REPLAYED);
	CHECK(gd_totp_check(t, "rfc", "081804", 1111111109) == GD_TOTP_OK);
	/* One step late is within the window; an older step than the last used is not. */
	CHECK(gd_totp_check(t, "rfc", "005924", 1234567890 + 30) == GD_TOTP_OK);
	CHECK(gd_totp_check(t, "rfc", "081804", 1111111109) == GD_TOTP_REPLAYED);
	/* Two steps late: expired. */
	CHECK(gd_totp_check(t, "rfc", "279037", 2000000000 + 60) == GD_TOTP_WRONG);
	CHECK(gd_totp_check(t, "rfc", "279037", 2000000000) == GD_TOTP_OK);
	CHECK(gd_totp_check(t, "rfc", "27903", 2000000000) == GD_TOTP_MALFORMED);
	CHECK(gd_totp_check(t, "rfc", "27903a", 2000000000) == GD_TOTP_MALFORMED);
	CHECK(gd_totp_check(t, "nobody", "279037", 2000000000) == GD_TOTP_NO_SECRET);
	gd_totp_free(t);
	unlink(path);
}

/* @b's text is what jansson prints for @j (stolen); @b's text is freed. */
static void same_text(struct gd_buf *b, json_t *j)
{
	char *want = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(j);
	CHECK(want && b->s && strcmp(want, b->s) == 0);
	if (want && b->s && strcmp(want, b->s))
		fprintf(stderr, "want %s\n got %s\n", want, b->s);
	free(want);
	free(b->s);
}

/* The text writer prints what jansson prints for the same answer, escapes included. */
static void test_answer_text(void)
{
	static const char pol[] =
	    "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"S1\", "
	    "\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}";
	struct gd_decision dd = { 0 };
	struct gd_buf b = { 0 };
	struct diag_list dl;
	struct authz_policy *p;

	diag_list_init(&dl);
	/* A policy name with a quote and a backslash, to be escaped. */
	p = authz_policy_load(pol, sizeof(pol) - 1, "p.json", AUTHZ_POLICY_IDENTITY,
			      "arn:aws:iam::1:policy/\"q\"\\", &dl);
	CHECK(p != NULL);
	if (!p)
		return;
	dd.r.decision = AUTHZ_ALLOW;
	dd.r.reason = AUTHZ_REASON_IDENTITY_ALLOW;
	dd.r.matched[0] = (struct authz_match){ .policy = p, .index = 0, .sid = "S1" };
	dd.r.matched[1] = (struct authz_match){
		.policy = p, .index = 7, .sid = NULL, .effect = AUTHZ_EFFECT_DENY
	};
	dd.r.nmatched = 2;
	dd.r.missing[0] = "aws:Tag/\x01\t\u00e9";
	dd.r.nmissing = 1;
	memcpy(dd.id, "abc-1", 6);
	memcpy(dd.principal, "arn:aws:iam::1:user/\"x\"\n", 24);
	gd_answer_write(&b, &dd);
	same_text(&b, gd_answer_json(&dd));

	/* The decision-log line, against the object it used to be built as. */
	b = (struct gd_buf){ 0 };
	gd_log_line_write(&b, "2026-12-01T14:57:42.783Z", &dd, "s3:Get\"Object", "arn:\\x\x02", 17);
	same_text(&b, json_pack("{ss ss ss ss ss ss ss so sI}", "time", "2026-12-01T14:57:42.783Z",
				"decision_id", dd.id, "principal", dd.principal, "action",
				"s3:Get\"Object", "resource", "arn:\\x\x02", "decision", "allow",
				"reason", "allowed", "matched", gd_matched_json(&dd.r),
				"latency_us", (json_int_t)17));
	authz_policy_unref(p);
	diag_list_clear(&dl);
}

/*
 * gd_buf_str() escapes what jansson escapes, whichever of its two paths a
 * string takes (eight bytes at a time when nothing is escaped): every
 * ASCII byte at every place of strings of 1 to 24 bytes, among plain
 * letters and among two-byte UTF-8 characters.
 */
static void test_buf_str_escapes(void)
{
	static const char *const fills[] = { "a", "\u00e9" };
	unsigned bad = 0;

	for (size_t f = 0; f < 2; f++) {
		size_t flen = strlen(fills[f]);

		for (size_t n = 1; n <= 24; n++) {
			for (size_t at = 0; at < n; at++) {
				for (int ch = 1; ch < 0x80; ch++) {
					char s[64];
					size_t len = 0;
					struct gd_buf b = { 0 };
					json_t *j;
					char *want;

					for (size_t i = 0; i < n; i++) {
						if (i == at) {
							s[len++] = (char)ch;
						} else {
							memcpy(s + len, fills[f], flen);
							len += flen;
						}
					}
					s[len] = '\0';
					gd_buf_str(&b, s);
					j = json_string(s);
					want = json_dumps(j, JSON_ENCODE_ANY);
					json_decref(j);
					if (!want || !b.s || strcmp(want, b.s)) {
						if (!bad++)
							fprintf(stderr, "buf_str: want %s got %s\n",
								want, b.s);
					}
					free(want);
					free(b.s);
				}
			}
		}
	}
	CHECK(bad == 0);
}

/* The answers to @body on @path, read by reqread.c and as a tree, are the same bytes. */
static bool same_answers(struct gd *d, const char *path, const char *body, size_t len)
{
	struct http_request req = { .method = "POST", .path = path, .body = body, .body_len = len };
	struct http_response fast, tree;
	bool same;

	d->tree_only = false;
	atomic_store(&d->next_id, 0);
	gd_handle(d, &req, &fast);
	d->tree_only = true;
	atomic_store(&d->next_id, 0);
	gd_handle(d, &req, &tree);
	d->tree_only = false;
	same = fast.status == tree.status && fast.len == tree.len &&
	       !strcmp(fast.content_type, tree.content_type) &&
	       !memcmp(fast.body, tree.body, fast.len);
	if (!same)
		fprintf(stderr, "body %.*s\n fast %d %.*s\n tree %d %.*s\n", (int)len, body,
			fast.status, (int)fast.len, fast.body, tree.status, (int)tree.len,
			tree.body);
	free(fast.body);
	free(tree.body);
	return same;
}

static bool same_str(const char *a, json_t *b)
{
	return a ? json_is_string(b) && !strcmp(a, json_string_value(b)) : !b;
}

/* One request read by reqread.c holds what its tree holds: strings, keys, value texts. */
static bool item_as_tree(const struct gd_reqs *r, const struct gd_ritem *it, json_t *o)
{
	json_t *ctx = json_object_get(o, "context"), *v;
	const char *key;
	size_t i = 0;

	if (!same_str(it->c.principal, json_object_get(o, "principal")) ||
	    !same_str(it->c.session, json_object_get(o, "session")) ||
	    !same_str(it->c.action, json_object_get(o, "action")) ||
	    !same_str(it->c.resource, json_object_get(o, "resource")) ||
	    it->nm != (json_is_object(ctx) ? json_object_size(ctx) : 0))
		return false;
	json_object_foreach(json_is_object(ctx) ? ctx : NULL, key, v) {
		const struct gd_rmember *m = &r->m[it->m0 + i++];
		size_t n = json_is_array(v) ? json_array_size(v) : 1;

		if (strlen(key) != m->klen || strcmp(key, m->key) || m->list != json_is_array(v) ||
		    m->nv != n)
			return false;
		for (size_t k = 0; k < n; k++) {
			char buf[GH_JSON_SCALAR_MAX];
			size_t len;
			const char *t =
			    gh_json_scalar_text(json_is_array(v) ? json_array_get(v, k) : v, buf,
						&len);

			if (!t || len != r->v[m->v0 + k].len || memcmp(t, r->v[m->v0 + k].s, len) ||
			    r->v[m->v0 + k].s[len])
				return false;
		}
	}
	return true;
}

/*
 * When reqread.c reads @body, the tree reader reads it too, to the same
 * requests; returns whether reqread.c read it.
 */
static bool read_as_tree(const char *body, size_t len, bool batch)
{
	struct gh_jread_err je;
	struct gd_reqs r;
	json_t *t, *list;
	bool same = true;

	if (!gd_reqs_read(&r, body, len, batch))
		return false;
	t = gh_json_read(body, len, NULL, &je);
	list = batch ? json_object_get(t, "requests") : NULL;
	if (!t || (batch ? json_array_size(list) : 1) != r.n)
		same = false;
	for (size_t i = 0; same && i < r.n; i++)
		same = item_as_tree(&r, &r.items[i], batch ? json_array_get(list, i) : t);
	CHECK(same);
	if (!same)
		fprintf(stderr, "read otherwise than its tree: %.*s\n", (int)len, body);
	json_decref(t);
	gd_reqs_done(&r);
	return true;
}

/* Requests of every kind, one a line: the first group is read by reqread.c, the rest as a tree. */
static const char *const fast_bodies[] = {
	"{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": "
	"\"arn:aws:s3:::corp-home/home/alice/notes.txt\", \"context\": {\"aws:SourceIp\": "
	"\"10.1.2.3\"}}",
	" {\"action\":\"s3:ListBucket\",\"resource\":\"arn:aws:s3:::corp-home\",\"principal\":"
	"\"arn:aws:iam::111122223333:user/eng/alice\",\"context\":{\"s3:prefix\":[\"home/alice/\","
	"\"x\"],\"s3:max-keys\":10,\"n\":-0,\"r\":1.5,\"e\":1E3,\"f\":-2.5e-3,\"b\":true,"
	"\"c\":false,\"l\":[],\"m\":[1,true,\"s\"]}}\n",
	"{\"principal\": \"alice\", \"action\": \"s3:Get\\\"Object\\n\", \"resource\": "
	"\"arn:aws:s3:::corp-home\\/h\\\\\\t\\b\\f\\r\u00e9\", \"context\": null}",
	"{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": \"x\", "
	"\"context\": {}}",
	"{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": \"x\", "
	"\"context\": {\"aws:userid\": \"u\"}}",
	"{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": \"x\", "
	"\"context\": {\"AWS:UserName\": [\"u\"]}}",
	"{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": \"x\", "
	"\"context\": {\"aws:multifactorauthpresent\": true}}",
	"{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": \"x\", "
	"\"context\": {\"k\": 1, \"K\": 2}}",
	"{\"principal\": \"nobody\", \"action\": \"s3:GetObject\", \"resource\": \"x\"}",
	"{\"principal\": \"alice\", \"resource\": \"x\"}",
	"{\"principal\": \"alice\", \"action\": \"s3:GetObject\"}",
	"{\"principal\": \"alice\", \"session\": \"ghs_x\", \"action\": \"a:b\", \"resource\": "
	"\"x\"}",
	"{\"session\": \"ghs_0000\", \"action\": \"s3:GetObject\", \"resource\": \"x\"}",
	"{\"action\": \"s3:GetObject\", \"resource\": \"x\"}",
	"{}",
	"{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": \"x\", "
	"\"context\": {\"aws:RequestTag/x\": \"\xc3\xa9\"}}",
	NULL, /* the tree reader's from here */
	"{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": \"\\u00e9\"}",
	"{\"principal\": \"alice\", \"actoin\": \"s3:GetObject\"}",
	"{\"principal\": 5, \"action\": \"s3:GetObject\", \"resource\": \"x\"}",
	"{\"principal\": null, \"action\": \"s3:GetObject\", \"resource\": \"x\"}",
	"{\"principal\": \"alice\", \"action\": \"a:b\", \"resource\": \"x\", \"context\": []}",
	"{\"principal\": \"alice\", \"action\": \"a:b\", \"resource\": \"x\", \"context\": \"k\"}",
	"{\"principal\": \"alice\", \"action\": \"a:b\", \"resource\": \"x\", \"context\": {\"k\": "
	"{}}}",
	"{\"principal\": \"alice\", \"action\": \"a:b\", \"resource\": \"x\", \"context\": {\"k\": "
	"null}}",
	"{\"principal\": \"alice\", \"action\": \"a:b\", \"resource\": \"x\", \"context\": {\"k\": "
	"[[1]]}}",
	"{\"principal\": \"alice\", \"action\": \"a:b\", \"resource\": \"x\", \"context\": {\"k\": "
	"[null]}}",
	"{\"principal\": \"alice\", \"action\": \"a:b\", \"resource\": \"x\", \"context\": "
	"{\"k\": 12345678901234567890}}",
	"{\"principal\": \"alice\", \"action\": \"a:b\", \"resource\": \"x\", \"context\": "
	"{\"k\": 9223372036854775807, \"j\": -9223372036854775808}}",
	"{\"principal\": \"alice\", \"action\": \"a:b\", \"resource\": \"x\", \"context\": {\"k\": "
	"1e999}}",
	"{\"principal\": \"alice\", \"action\": \"a:b\", \"resource\": \"x\", \"context\": {\"k\": "
	"01}}",
	"{\"principal\": \"alice\", \"principal\": \"bob\", \"action\": \"a:b\", \"resource\": "
	"\"x\"}",
	"{\"principal\": \"alice\", \"action\": \"a:b\", \"resource\": \"x\", \"context\": {\"k\": "
	"1, \"k\": 2}}",
	"{\"principal\": \"alice\", \"action\": \"a:b\", \"resource\": \"x\",}",
	"{\"principal\": \"alice\", \"action\": \"a:b\", \"resource\": \"x\"",
	"{\"principal\": \"al\tice\", \"action\": \"a:b\", \"resource\": \"x\"}",
	"{\"principal\": \"al\xc3ice\", \"action\": \"a:b\", \"resource\": \"x\"}",
	"{\"principal\": \"al\\qice\", \"action\": \"a:b\", \"resource\": \"x\"}",
	"{\"principal\": \"alice\", \"action\": \"a:b\", \"resource\": \"x\"} x",
	"[{\"principal\": \"alice\", \"action\": \"a:b\", \"resource\": \"x\"}]",
	"\"alice\"",
	"",
	"{\"principal\": \"alice\", \"action\": \"a:b\", \"resource\": \"x\", \"context\": {\"k\": "
	"tru}}",
	"{\"requests\": []}",
};

/* Batches of each body above, alone and together; the batch bodies' own shapes. */
static void test_readers_agree(const char *src)
{
	static const char *const batch_shapes[] = {
		"{\"requests\": []}",
		" { \"requests\" : [ ] } ",
		"{\"requests\": {}}",
		"{\"requests\": [], \"x\": 1}",
		"{\"requests\": [1]}",
		"{\"requests\": [[]]}",
		"{\"request\": []}",
		"{\"requests\": [{}],}",
		"{}",
		"[]",
	};
	struct gd d = { 0 };
	struct diag_list dl;
	char path[4096], *all, *batch;
	size_t off = 0, n = ARRAY_SIZE(fast_bodies), cap = 1 << 16;
	bool fast = true;
	int nfast = 0;

	snprintf(path, sizeof(path), "%s/policies", src);
	d.store.dir = path;
	pthread_mutex_init(&d.store.lock, NULL);
	pthread_mutex_init(&d.store.reload_lock, NULL);
	memcpy(d.id_prefix, "0123456789abcdef", 17);
	d.sessions = gd_sessions_new(NULL);
	diag_list_init(&dl);
	CHECK(gd_store_reload(&d.store, &dl, NULL) == 0);
	diag_list_clear(&dl);
	all = malloc(cap);
	batch = malloc(cap);
	CHECK(all && batch);
	if (!all || !batch)
		return;
	off = (size_t)snprintf(all, cap, "{\"requests\": [");
	for (size_t i = 0; i < n; i++) {
		const char *b = fast_bodies[i];

		if (!b) {
			fast = false;
			continue;
		}
		/* Is it read where it is meant to be? (Else the comparison proves little.) */
		CHECK(read_as_tree(b, strlen(b), false) == fast);
		CHECK(same_answers(&d, "/v1/authorize", b, strlen(b)));
		snprintf(batch, cap, "{\"requests\": [%s]}", b);
		CHECK(same_answers(&d, "/v1/authorize/batch", batch, strlen(batch)));
		if (fast)
			off +=
			    (size_t)snprintf(all + off, cap - off, "%s%s", off > 15 ? "," : "", b);
	}
	snprintf(all + off, cap - off, "]}");
	CHECK(read_as_tree(all, strlen(all), true));
	CHECK(same_answers(&d, "/v1/authorize/batch", all, strlen(all)));
	for (size_t i = 0; i < ARRAY_SIZE(batch_shapes); i++)
		CHECK(same_answers(&d, "/v1/authorize/batch", batch_shapes[i],
				   strlen(batch_shapes[i])));
	/* Bodies mutated at random (a fixed seed): JSON's own bytes in, bytes out. */
	srand(11);
	for (int k = 0; k < 20000; k++) {
		static const char bytes[] = "{}[]\",:\\ 0-.eEtfnu\x01\xc3\xa9k";
		size_t len = strlen(all), at = (size_t)rand() % len;
		char *m = batch;

		memcpy(m, all, len + 1);
		for (int j = 1 + rand() % 3; j > 0; j--, at = (size_t)rand() % len) {
			char c = bytes[rand() % (int)(sizeof(bytes) - 1)];

			switch (rand() % 3) {
			case 0: m[at] = c; break;
			case 1: memmove(m + at, m + at + 1, len - at), len--; break;
			default: memmove(m + at + 1, m + at, len - at + 1), m[at] = c, len++;
			}
			if (!len)
				break;
		}
		nfast += read_as_tree(m, len, true);
		if (!same_answers(&d, "/v1/authorize/batch", m, len)) {
			CHECK(!"mutated batch");
			break;
		}
	}
	/* Both readers had their share of the mutated bodies. */
	CHECK(nfast > 1000 && nfast < 19000);
	free(all);
	free(batch);
	authz_store_unref(d.store.cur);
	d.sessions = gd_sessions_free(d.sessions);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/gh-test-handler.XXXXXX";

	if (argc != 2) {
		fprintf(stderr, "usage: test_daemon_handler SRC_DIR\n");
		return 2;
	}
	if (!mkdtemp(dir))
		return 1;
	test_no_store();
	test_totp_vectors(dir);
	test_answer_text();
	test_buf_str_escapes();
	test_readers_agree(argv[1]);
	rmdir(dir);
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
