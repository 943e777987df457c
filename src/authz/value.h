/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Typed values of condition operators, parsed the same way from a policy
 * (once, at load) and from a request (at evaluation, into locals).
 */
#ifndef GH_AUTHZ_VALUE_H
#define GH_AUTHZ_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Integers and decimals: "-?digits(.digits)?"; false otherwise. */
bool az_value_parse_number(const char *s, size_t len, double *ret);

/*
 * ISO 8601 ("2026-11-30", "2026-11-30T17:58:05Z", with fraction or a
 * "+01:00" offset; no zone means UTC) or epoch seconds ("1764525485").
 * *ret is milliseconds since the epoch.
 */
bool az_value_parse_date(const char *s, size_t len, int64_t *ret);

/* "true" / "false", any case. */
bool az_value_parse_bool(const char *s, size_t len, bool *ret);

/* Standard base64 with padding. */
bool az_value_is_base64(const char *s, size_t len);

/*
 * Split an ARN at its first five colons into six parts (partition ...
 * resource).  Returns false when it has fewer than five colons or does not
 * start with "arn:".  @starts/@lens receive offsets and lengths.
 */
bool az_value_split_arn(const char *s, size_t len, uint32_t starts[6], uint32_t lens[6]);

/* An IAM name: @min to @max of letters, digits and "+=,.@_-" (users, roles, sessions). */
bool az_value_is_iam_name(const char *s, size_t min, size_t max);

#endif
