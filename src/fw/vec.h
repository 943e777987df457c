/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Growable arrays of the firewall half, each with a ceiling (vec.c). */
#ifndef GH_FW_VEC_H
#define GH_FW_VEC_H

#include <stddef.h>

#include "common/macro.h"

/*
 * Grow *@p (an array of @size-byte items with capacity *@cap) to hold at
 * least @need items.  Returns 0 or -ENOMEM (or -E2BIG past @max items).
 */
int fw_vec_reserve(void **p, size_t *cap, size_t need, size_t size, size_t max);
#define FW_VEC_PUSH(arr, n, cap, max)                                                              \
	fw_vec_reserve((void **)&(arr), &(cap), (n) + 1, sizeof(*(arr)), (max))

#endif
