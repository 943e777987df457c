/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Caps on policy documents.  AWS's own are far lower (a managed policy is
 * at most 6,144 characters, a bucket policy 20 KiB); ours only keep hostile
 * input from costing unbounded memory or time.
 */
#ifndef GH_AUTHZ_LIMITS_H
#define GH_AUTHZ_LIMITS_H

/* Statements in one policy: AWS fits ~100 in its largest documents. */
#define AUTHZ_STATEMENTS_MAX 10000
/* Entries of one Action/Resource/Principal list or values of one key. */
#define AUTHZ_LIST_MAX 10000
/* Condition operators per statement and keys per operator. */
#define AUTHZ_CONDITIONS_MAX 256
/*
 * One pattern or value, in bytes: an ARN is at most 2,048 characters in
 * AWS; this also bounds the glob matcher's worst case per call.
 */
#define AUTHZ_PATTERN_MAX 2048

#endif
