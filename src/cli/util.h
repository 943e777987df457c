/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the subcommands. */
#ifndef GH_CLI_UTIL_H
#define GH_CLI_UTIL_H

#include <gatehouse/authz.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Elements of an array (not a pointer). */
#define CLI_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* @s starts with the literal @lit (its length counted by the compiler). */
#define CLI_STARTS_WITH(s, lit) (strncmp((s), "" lit, sizeof(lit) - 1) == 0)

/* Parse a --kind value: "identity", "resource", "trust", "auto"; false when unknown. */
bool cli_parse_kind(const char *s, enum authz_policy_kind *ret);

/*
 * Longest input line of the JSON Lines commands: a simulate case carries
 * its policies inline, and AWS's largest documents are tens of KiB; 16 MiB
 * leaves room for many.
 */
#define CLI_LINE_MAX (16u << 20)

/* One line's answer, malloc'ed (NULL: out of memory); must be thread-safe when threads > 1. */
typedef char *cli_answer_fn(const char *line, size_t len, int lineno, void *data);

/* Most threads cli_jsonl() uses. */
#define CLI_THREADS_MAX 64

/*
 * Run a JSON Lines filter: each non-blank line of stdin through @answer,
 * one output line each, in order.  Over-long lines get an error line.
 * With @threads > 1 and stdin a regular file of more than a few hundred
 * KiB, that many threads answer chunks of it (the output is the same).
 * Returns an exit code.
 */
int cli_jsonl(cli_answer_fn *answer, void *data, unsigned threads);

/*
 * Report the option getopt_long() refused (it returned '?' or ':' with an
 * optstring that starts with ':' and opterr 0) as one line, with "did you
 * mean" from @opts, and return CLI_EXIT_USAGE.  @cmd is "gatehouse eval".
 */
int cli_bad_option(const char *cmd, int ch, char **argv, const struct option *opts);

/*
 * @dir without its trailing slashes ("rules/" -> "rules", "/" stays), in
 * @buf of @size bytes; @dir itself when it does not fit.  Paths the
 * libraries join onto it then read "rules/x.json", not "rules//x.json".
 */
const char *cli_trim_dir(const char *dir, char *buf, size_t size);

#endif
