/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef GH_TESTS_GOLDEN_H
#define GH_TESTS_GOLDEN_H

#include <jansson.h>
#include <stddef.h>

/*
 * Compare answer @got with expectation @want as whole objects: every key
 * of either must be in the other with an equal value ("missing_context"
 * compared as a set of strings, everything else with json_equal), and the
 * answer's "id" must be @req_id, the request's (NULL: absent, answered as
 * null).  Prints each difference; returns 0 when they agree.
 */
int golden_compare(json_t *want, json_t *got, json_t *req_id);

/*
 * The whole file at @path, NUL-terminated, its length in *@ret_len (may
 * be NULL); NULL with a message on stderr when it cannot be read.  The
 * runners use the public API only, so they read files themselves.
 */
char *golden_slurp(const char *path, size_t *ret_len);

#endif
