/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's answer (a `gatehouse simulate` output object) against the
 * reference's: decision, reason (the engine's sentence for the same rule)
 * and matched statements, in order.  Used by ref_check and fuzz_ref_diff.
 */
#ifndef GH_REF_COMPARE_H
#define GH_REF_COMPARE_H

#include <jansson.h>
#include <stddef.h>

#include "ref_eval.h"

/* Leaves @why empty when they agree, else says what differs first. */
void ref_compare(json_t *out, const struct ref_result *ref, char *why, size_t size);

#endif
