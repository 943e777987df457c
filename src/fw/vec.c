/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Growable arrays with a ceiling: FW_VEC_PUSH and what it calls. */
#include <errno.h>
#include <stdlib.h>

#include "fw/vec.h"

int fw_vec_reserve(void **p, size_t *cap, size_t need, size_t size, size_t max)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	if (need > max)
		return -E2BIG;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap < need)
		ncap = need;
	if (ncap > max)
		ncap = max;
	np = realloc_multiply(*p, ncap, size);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}
