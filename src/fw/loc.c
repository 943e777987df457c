/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Naming nodes of the loaded ruleset in diagnostics: JSON paths rebuilt
 * from struct fw_loc, located in their source text (line and column), and
 * group labels.
 */
#include <stdarg.h>

#include "common/str.h"
#include "fw/internal.h"

struct fw_loc fw_loc_key(const struct fw_loc *l, const char *key)
{
	struct fw_loc r = *l;

	if (r.depth < FW_LOC_DEPTH) {
		r.c[r.depth].key = key;
		r.c[r.depth].index = 0;
		r.depth++;
	}
	return r;
}

struct fw_loc fw_loc_index(const struct fw_loc *l, size_t index)
{
	struct fw_loc r = *l;

	if (r.depth < FW_LOC_DEPTH) {
		r.c[r.depth].key = NULL;
		r.c[r.depth].index = (uint32_t)index;
		r.depth++;
	}
	return r;
}

struct diag *fw_diag(struct diag_list *dl, enum diag_severity sev, const struct fw_ruleset *rs,
		     const struct fw_loc *loc, const char *fmt, ...)
{
	struct gh_jpath p = { 0 };
	struct gh_jsrc src = { .name = "<input>" };
	struct gh_locate_memo *memo = NULL;
	char path[GH_DIAG_PATH_MAX], msg[GH_DIAG_MSG_MAX];
	int line = 0, col = 0;
	va_list ap;

	if (loc && rs && loc->src < rs->nsrcs) {
		src.name = rs->srcs[loc->src].name;
		src.text = rs->srcs[loc->src].text;
		src.len = rs->srcs[loc->src].len;
		memo = rs->srcs[loc->src].memo;
	}
	if (loc)
		for (unsigned i = 0; i < loc->depth; i++) {
			if (loc->c[i].key)
				gh_jpath_key(&p, loc->c[i].key);
			else
				gh_jpath_index(&p, loc->c[i].index);
		}
	gh_jpath_format(&p, path, sizeof(path));
	if (src.text)
		gh_json_locate(src.text, src.len, &p, &line, &col, memo);
	va_start(ap, fmt);
	gh_vsnprintf_ellipsis(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return diag_add(dl, sev, src.name, path, line, col, "%s", msg);
}

const char *const fw_peer_arrays[4] = { "IpRanges", "Ipv6Ranges", "PrefixListIds",
					"UserIdGroupPairs" };

struct fw_loc fw_peer_loc(const struct fw_perm *p, const struct fw_peer *peer)
{
	struct fw_loc a = fw_loc_key(&p->loc, fw_peer_arrays[peer->array & 3]);

	return fw_loc_index(&a, peer->index);
}

const char *fw_group_label(const struct fw_group *g)
{
	return g->id ? g->id : g->name ? g->name : "?";
}
