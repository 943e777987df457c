/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every cap on untrusted input, named, with its reason.  Input over a cap is
 * an error (-E2BIG with a diagnostic), never silently truncated.
 */
#ifndef GH_LIMITS_H
#define GH_LIMITS_H

/*
 * Largest input file we read: an account authorization export of a large
 * organisation is tens of MiB; nothing legitimate comes near 256 MiB.
 */
#define GH_FILE_MAX (256u << 20)
/*
 * From this size on, a file's buffer is faulted in by one call before it is
 * read (gh_file_read): below it the traps are few and the call costs more.
 */
#define GH_FILE_POPULATE_MIN (1u << 20)

/*
 * JSON nesting we accept.  A policy is at most 6 deep (Condition → operator →
 * key → values), an account export about 10 with embedded documents.
 * jansson's own cap is 2048; ours is far lower so our walks stay shallow.
 */
#define GH_JSON_DEPTH_MAX 32

/* Members one object schema lists (gh_json_walk): a request has ten. */
#define GH_JSCHEMA_FIELDS_MAX 32

/* Diagnostics kept per load: enough to be useful, bounded for hostile input. */
#define GH_DIAG_MAX 200

/* Text lengths in a diagnostic; longer text is cut with "..." (messages only). */
#define GH_DIAG_SOURCE_MAX 256
#define GH_DIAG_PATH_MAX 256
#define GH_DIAG_MSG_MAX 320

#endif
