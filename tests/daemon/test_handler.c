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
	char *want;

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
	json_t *j = gd_answer_json(&dd);

	want = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	CHECK(want && b.s && strcmp(want, b.s) == 0);
	if (want && b.s && strcmp(want, b.s))
		fprintf(stderr, "want %s\n got %s\n", want, b.s);
	free(want);
	free(b.s);
	authz_policy_unref(p);
	diag_list_clear(&dl);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/gh-test-handler.XXXXXX";

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		return 1;
	test_no_store();
	test_totp_vectors(dir);
	test_answer_text();
	rmdir(dir);
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
