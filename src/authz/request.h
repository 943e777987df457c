/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Refusing a request: one writer of the caller's struct diag for the
 * engine's request paths (request.c, the store's principal.c).
 */
#ifndef GH_AUTHZ_REQUEST_H
#define GH_AUTHZ_REQUEST_H

#include <gatehouse/diag.h>

/* Fill *@reterr (when not NULL) with an error at JSON path @path, and return @r. */
int az_refuse(struct diag *reterr, int r, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
