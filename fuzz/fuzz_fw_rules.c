/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the firewall half from untrusted rules text to the netlink batch:
 * load (strict JSON, located errors) -> resolve -> compile every host (at
 * most a few) -> render nft text -> evaluate a few flows -> build the
 * libnftnl batch (never sent).  The input is one or more documents
 * separated by a line "----" (security groups, inventory, prefix lists).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gatehouse/fw.h>

#include "fw/emit.h"
#include "fw/internal.h"

/* Hosts compiled per input: enough to reach every path, bounded for speed. */
#define FUZZ_HOSTS_MAX 4
#define FUZZ_DOCS_MAX 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const struct fw_compiled *c)
{
	static const uint8_t a4[16] = { 10, 0, 0, 1 };
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct fw_tx tx;
	FILE *f = fopen("/dev/null", "w");

	if (f) {
		fw_render(c, f);
		fclose(f);
	}
	fw_compiled_allows(c, true, "eth0", 4, a4, 6, 22);
	fw_compiled_allows(c, false, "eth0", 6, a6, 58, 128 << 8);
	fw_compiled_allows(c, true, "eth0", 4, a4, 1, 8 << 8);
	if (fw_tx_init(&tx, 1) < 0)
		return;
	if (fw_tx_begin(&tx) >= 0 && fw_emit_table(&tx, c, NULL) >= 0)
		fw_tx_end(&tx);
	fw_tx_done(&tx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *names[FUZZ_DOCS_MAX] = { "a.json", "b.json", "c.json", "d.json" };
	const char *texts[FUZZ_DOCS_MAX];
	size_t lens[FUZZ_DOCS_MAX], n = 0;
	const char *p = (const char *)data, *end = p + size;
	struct fw_ruleset *rs = NULL;
	struct diag_list dl;

	/* Split on "\n----\n". */
	while (n < FUZZ_DOCS_MAX) {
		const char *sep = NULL;

		for (const char *q = p; q + 6 <= end; q++)
			if (!memcmp(q, "\n----\n", 6)) {
				sep = q;
				break;
			}
		texts[n] = p;
		lens[n] = (size_t)((sep ? sep : end) - p);
		n++;
		if (!sep)
			break;
		p = sep + 6;
	}
	diag_list_init(&dl);
	if (fw_ruleset_load_buffers(n, names, texts, lens, &rs, &dl) == 0) {
		const char *host;

		for (size_t i = 0; i < FUZZ_HOSTS_MAX && (host = fw_ruleset_host_name(rs, i));
		     i++) {
			struct fw_compiled *c = NULL;

			if (fw_compile(rs, host, &c, &dl) == 0)
				exercise(c);
			fw_compiled_free(c);
		}
	}
	/* Printing the diagnostics exercises the locating code too. */
	{
		FILE *f = fopen("/dev/null", "w");

		if (f) {
			diag_list_print(f, &dl);
			fclose(f);
		}
	}
	diag_list_clear(&dl);
	fw_ruleset_free(rs);
	return 0;
}
