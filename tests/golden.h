/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef GH_TESTS_GOLDEN_H
#define GH_TESTS_GOLDEN_H

#include <jansson.h>

/*
 * Compare answer @got with expectation @want: "decision" exactly,
 * "matched" exactly when given, "missing_context" as a set when given,
 * "error" path/line/column exactly and message as a substring; the id
 * must be @want_id.  Prints each difference; returns 0 when they agree.
 */
int golden_compare(json_t *want, json_t *got, json_t *want_id);

#endif
