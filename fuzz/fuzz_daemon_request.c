/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehoused's request handling without a socket: the input is one request
 * as text,
 *     METHOD PATH\n
 *     Name: value\n        (headers, up to 32)
 *     \n
 *     body
 * handed to gd_handle(), the function the server calls for every request,
 * on the example store (policies/).  Invariants: the status is 200-599;
 * every answer but /metrics is JSON; a 200 from /v1/authorize has a
 * decision.  Sessions opened by one input are used by later ones (tokens
 * are random, so only through the table's misses and expiry paths).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/daemon.h"

#define FUZZ_HEADERS_MAX 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gd *daemon_once(void)
{
	static struct gd *d;
	struct diag_list dl;

	if (d)
		return d;
	d = calloc(1, sizeof(*d));
	if (!d)
		abort();
	d->store.dir = GH_SOURCE_DIR "/policies";
	pthread_mutex_init(&d->store.lock, NULL);
	pthread_mutex_init(&d->store.reload_lock, NULL);
	pthread_mutex_init(&d->state_lock, NULL);
	gh_strlcpy(d->id_prefix, "0123456789abcdef", sizeof(d->id_prefix));
	d->sessions = gd_sessions_new(NULL);
	diag_list_init(&dl);
	if (!d->sessions || gd_store_reload(&d->store, &dl, NULL) < 0) {
		diag_list_print(stderr, &dl);
		abort();
	}
	diag_list_clear(&dl);
	return d;
}

/* Cut the next line off @p (NUL-terminating it in place); NULL at the end. */
static char *next_line(char **p)
{
	char *line = *p, *nl;

	if (!line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = NULL;
	}
	return line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gd *d = daemon_once();
	struct http_header h[FUZZ_HEADERS_MAX];
	struct http_request req = { 0 };
	struct http_response res;
	char *text = malloc(size + 1), *p, *line, *sp;
	json_t *j;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	p = text;
	line = next_line(&p);
	sp = line ? strchr(line, ' ') : NULL;
	if (!sp) {
		free(text);
		return 0;
	}
	*sp = '\0';
	req.method = line;
	req.path = sp + 1;
	while ((line = next_line(&p)) && *line && req.nheaders < FUZZ_HEADERS_MAX) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		h[req.nheaders].name = line;
		h[req.nheaders].value = colon[1] == ' ' ? colon + 2 : colon + 1;
		req.nheaders++;
	}
	req.headers = h;
	/* The body is the rest, NUL bytes and all (the server hands over a length). */
	req.body = p ? p : "";
	req.body_len = p ? size - (size_t)(p - text) : 0;
	gd_handle(d, &req, &res);
	if (res.status < 200 || res.status > 599 || !res.body)
		abort();
	if (strcmp(res.content_type, "application/json") == 0) {
		j = json_loadb(res.body, res.len, 0, NULL);
		if (!j)
			abort();
		if (res.status == 200 && strcmp(req.path, "/v1/authorize") == 0 &&
		    !json_is_string(json_object_get(j, "decision")))
			abort();
		json_decref(j);
	}
	free(res.body);
	free(text);
	return 0;
}
