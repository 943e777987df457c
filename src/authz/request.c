/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <gatehouse/authz.h>

#include "common/str.h"

void authz_ctx_entry_init(struct authz_ctx_entry *e, const char *key, size_t keylen,
			  const struct authz_value *values, size_t nvalues, bool multi)
{
	e->key = key;
	e->keylen = keylen;
	e->hash = gh_hash_nocase(key, keylen);
	e->values = values;
	e->nvalues = nvalues;
	e->multi = multi;
}
