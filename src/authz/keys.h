/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What is known of AWS's global condition keys, for load-time warnings. */
#ifndef GH_AUTHZ_KEYS_H
#define GH_AUTHZ_KEYS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * False only for an "aws:" key that is not one of AWS's global condition
 * keys (a typo such as aws:SoruceIp).  Service keys ("s3:prefix") and
 * keys of other prefixes are taken as known: we cannot list every service.
 */
bool az_key_is_known(const char *key, size_t len);
/* A known single-valued / multi-valued global key. */
bool az_key_is_singlevalued(const char *key, size_t len);
bool az_key_is_multivalued(const char *key, size_t len);
/*
 * The principals that never carry global key @key in a request ("role
 * sessions, the root user and federated users" for aws:username), or NULL.
 */
const char *az_key_never_present_for(const char *key, size_t len);

#endif
