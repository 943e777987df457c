/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Comments of nft objects: text for people that nft's scanner cannot misread. */
#include <stdarg.h>

#include "common/str.h"
#include "fw/internal.h"

const char *fw_comment(struct arena *a, const char *fmt, ...)
{
	char buf[FW_COMMENT_MAX];
	va_list ap;

	va_start(ap, fmt);
	gh_vsnprintf_ellipsis(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/*
	 * nft's scanner has no escapes in quoted strings: a quote (or a
	 * newline) from a Description would end the comment and turn the rest
	 * into syntax.  Replace them, and non-ASCII bytes too, so that a cut
	 * never leaves half a UTF-8 sequence; comments are for people.
	 */
	for (char *p = buf; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20 ||
		    (unsigned char)*p >= 0x7f)
			*p = '_';
	return gh_arena_strdup(a, buf);
}
