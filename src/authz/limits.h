/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Caps on policy documents and on requests.  AWS's own are far lower (a
 * managed policy is at most 6,144 characters, a bucket policy 20 KiB, an
 * ARN 2,048 characters); ours only keep hostile input from costing
 * unbounded memory or time.  Input over a cap is refused with a
 * diagnostic naming it, never cut (README, "Limits").
 */
#ifndef GH_AUTHZ_LIMITS_H
#define GH_AUTHZ_LIMITS_H

/* ---- policies, checked at load ---- */

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
/*
 * A pattern or value after its policy variables are substituted, in bytes
 * (with the escapes substitution adds).  A longer result is a run-time
 * error that never allows.
 */
#define AUTHZ_SUBST_MAX 4096

/* ---- requests, checked by authz_request_check() before evaluation ---- */

/* "service:Action", in bytes: AWS's longest action names are about 60. */
#define AUTHZ_REQ_ACTION_MAX 255
/*
 * The principal, the resource and the resource account, in bytes: an ARN
 * is at most 2,048 characters in AWS (an S3 object key 1,024 bytes).
 */
#define AUTHZ_REQ_STRING_MAX 2048
/* A context key, in bytes: AWS's longest are tag keys, 128 characters past the prefix. */
#define AUTHZ_REQ_KEY_MAX 256
/* One context value, in bytes: the longest AWS sets are ARNs and user agents. */
#define AUTHZ_REQ_VALUE_MAX 2048
/* Context keys of one request, the store's derived keys included. */
#define AUTHZ_REQ_KEYS_MAX 256
/* Values of one context key (a multi-valued key such as aws:TagKeys). */
#define AUTHZ_REQ_KEY_VALUES_MAX 1024
/* Values of all keys of one request together. */
#define AUTHZ_REQ_VALUES_MAX 4096

/* ---- identity stores, checked at load ---- */

/* Files in one store directory, and nesting of its folders. */
#define STORE_FILES_MAX 100000
#define STORE_DEPTH_MAX 16
/* Folders in one store: a store is a few dozen; this bounds the walk's work. */
#define STORE_DIRS_MAX 10000
/* Tags of one principal (AWS: 50) and groups of one user (AWS: 10). */
#define STORE_TAGS_MAX 64
#define STORE_GROUPS_MAX 64

/* ---- the JSON Lines commands ---- */

/* Policies of one list (policies, session_policies, ...) of one simulate case. */
#define AUTHZ_CASE_POLICIES_MAX 1024
/* Session policies of one `eval --batch` line. */
#define AUTHZ_BATCH_SESSION_POLICIES_MAX 16

#endif
