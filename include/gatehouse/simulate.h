/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `gatehouse simulate`: one self-contained case in, one decision out, in
 * the JSON shapes documented in README.md ("gatehouse simulate").  Like AWS's
 * simulate-custom-policy, the context is taken as given.  It uses the same
 * engine as everything else: az_policy_compile + authz_evaluate.
 */
#ifndef GATEHOUSE_SIMULATE_H
#define GATEHOUSE_SIMULATE_H

#include <gatehouse/export.h>
#include <stddef.h>

/*
 * Run the case in @len bytes of JSON @text.  @source names it in error
 * messages; @first_line is the line of @text's first byte in that source
 * (1 for a file, N for the Nth line of a stream), so error lines point into
 * the caller's input.  Returns the output object as compact JSON text
 * without a newline, malloc'ed (the caller frees): a decision, or an
 * "error" object when the case or one of its policies does not load.
 * Returns NULL only when out of memory.
 */
GH_EXPORT char *authz_simulate(const char *text, size_t len, const char *source, int first_line);

#endif
