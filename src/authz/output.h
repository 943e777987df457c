/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building answers: each helper returns false when jansson runs out of
 * memory, and callers then answer NULL rather than a partial object.
 */
#ifndef GH_AUTHZ_OUTPUT_H
#define GH_AUTHZ_OUTPUT_H

#include <gatehouse/authz.h>
#include <jansson.h>
#include <stdbool.h>

/* json_object_set_new that reports failure (and frees @v then). */
bool az_output_put(json_t *o, const char *key, json_t *v);
/* "error" (the first error of @dl) and "errors" (all, when several). */
bool az_output_errors(json_t *out, const struct diag_list *dl, int first_line);
/* "error" from one diagnostic. */
bool az_output_error(json_t *out, const struct diag *d, int first_line);
/*
 * "decision", "reason", "matched", "missing_context".  Policies are named
 * by their slot ("policies[0]", as in simulate) when @slot_names, else by
 * their own names (store policies: ARNs, "inline:user/alice/X", ...).
 */
bool az_output_result(json_t *out, const struct authz_result *r, bool slot_names);
/* Compact JSON text, malloc'ed; NULL when out of memory. */
char *az_output_dump(const json_t *out);
/*
 * {"id": @id (NULL: null), then az_output_result()'s members}, as compact
 * text, malloc'ed: byte for byte what az_output_result() and
 * az_output_dump() give, written directly.  NULL when out of memory.
 */
char *az_output_result_text(const json_t *id, const struct authz_result *r, bool slot_names);

#endif
