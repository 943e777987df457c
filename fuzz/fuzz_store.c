/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The identity-store loaders (native identities files, account exports
 * with JSON or URL-encoded documents, policy documents): the input is up
 * to 8 files separated by lines "====", loaded as one store.  A store that
 * loads answers a few batch requests.  Invariants: a load that fails
 * reported an error; every answer is JSON with an id.
 */
#include <gatehouse/store.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/store.h"

#define FUZZ_FILES_MAX 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const requests[] = {
	"{\"id\":1,\"principal\":\"alice\",\"action\":\"s3:GetObject\","
	"\"resource\":\"arn:aws:s3:::b/alice/k\",\"context\":{\"aws:SourceIp\":\"10.0.0.1\"}}",
	"{\"id\":2,\"principal\":\"alice\",\"assume_role\":\"r\",\"session_name\":\"ss\","
	"\"action\":\"ec2:StopInstances\",\"resource\":\"*\","
	"\"context\":{\"aws:MultiFactorAuthPresent\":\"true\",\"aws:MultiFactorAuthAge\":\"5\"}}",
	"{\"id\":3,\"principal\":\"arn:aws:iam::111122223333:user/"
	"alice\",\"action\":\"iam:GetUser\","
	"\"resource\":\"arn:aws:iam::111122223333:user/alice\"}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *names[FUZZ_FILES_MAX] = { "f0.json", "f1.json", "f2.json", "f3.json",
					      "f4.json", "f5.json", "f6.json", "aws.json" };
	char *texts[FUZZ_FILES_MAX];
	size_t lens[FUZZ_FILES_MAX], n = 0, off = 0;
	struct diag_list dl;
	struct authz_store *s;

	while (off <= size && n < FUZZ_FILES_MAX) {
		const uint8_t *sep = memmem(data + off, size - off, "\n====\n", 6);
		size_t len = sep ? (size_t)(sep - (data + off)) : size - off;

		texts[n] = malloc(len + 1);
		if (!texts[n])
			break;
		memcpy(texts[n], data + off, len);
		texts[n][len] = '\0';
		lens[n++] = len;
		if (!sep)
			break;
		off += len + 6;
	}
	diag_list_init(&dl);
	s = az_store_load_texts(names, texts, lens, n, &dl);
	if (!s && dl.errors == 0)
		__builtin_trap();
	for (size_t i = 0; s && i < sizeof(requests) / sizeof(requests[0]); i++) {
		char *out = authz_store_batch(s, requests[i], strlen(requests[i]), "<fuzz>", 1,
					      1796126400000LL);
		json_t *v = out ? json_loads(out, 0, NULL) : NULL;

		if (out && (!v || !json_object_get(v, "id")))
			__builtin_trap();
		json_decref(v);
		free(out);
	}
	authz_store_unref(s);
	diag_list_clear(&dl);
	return 0;
}
