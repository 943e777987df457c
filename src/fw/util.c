/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Arena, growable arrays, addresses and comments shared by every stage. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/str.h"
#include "fw/internal.h"

/*
 * Chunks of 64 KiB: a 50,000-rule ruleset needs a few MiB, so a few dozen
 * mallocs instead of hundreds of thousands; bigger requests get their own.
 */
#define ARENA_CHUNK (64u << 10)

struct fw_arena_chunk {
	struct fw_arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

void *fw_arena_alloc(struct fw_arena *a, size_t size)
{
	struct fw_arena_chunk *ch = a->head;
	size_t al = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	void *p;

	if (al < size)
		return NULL;
	if (!ch || ch->size - ch->used < al) {
		size_t csize = al > ARENA_CHUNK ? al : ARENA_CHUNK;

		if (csize > SIZE_MAX - sizeof(*ch))
			return NULL;
		ch = malloc(sizeof(*ch) + csize);
		if (!ch)
			return NULL;
		ch->used = 0;
		ch->size = csize;
		/* Keep the partly used head in front when this is a big one-off. */
		if (a->head && csize > ARENA_CHUNK) {
			ch->next = a->head->next;
			a->head->next = ch;
		} else {
			ch->next = a->head;
			a->head = ch;
		}
	}
	p = (char *)ch->data + ch->used;
	ch->used += al;
	memset(p, 0, size);
	return p;
}

void *fw_arena_alloc_array(struct fw_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return fw_arena_alloc(a, (n && size) ? n * size : 1);
}

char *fw_arena_strdup(struct fw_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = fw_arena_alloc(a, n);

	if (p)
		memcpy(p, s, n);
	return p;
}

char *fw_arena_printf(struct fw_arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = fw_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void fw_arena_done(struct fw_arena *a)
{
	while (a->head) {
		struct fw_arena_chunk *n = a->head->next;

		free(a->head);
		a->head = n;
	}
}

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

struct fw_addr fw_addr_from_bytes(int family, const uint8_t *b)
{
	struct fw_addr a = { 0, 0 };

	if (family == 4) {
		a.lo = (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 | (uint64_t)b[2] << 8 | b[3];
		return a;
	}
	for (int i = 0; i < 8; i++) {
		a.hi = a.hi << 8 | b[i];
		a.lo = a.lo << 8 | b[8 + i];
	}
	return a;
}

void fw_addr_to_bytes(int family, struct fw_addr a, uint8_t *b)
{
	if (family == 4) {
		for (int i = 0; i < 4; i++)
			b[i] = (uint8_t)(a.lo >> (24 - 8 * i));
		return;
	}
	for (int i = 0; i < 8; i++) {
		b[i] = (uint8_t)(a.hi >> (56 - 8 * i));
		b[8 + i] = (uint8_t)(a.lo >> (56 - 8 * i));
	}
}

int fw_addr_cmp(struct fw_addr a, struct fw_addr b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

struct fw_addr fw_addr_max(int family)
{
	struct fw_addr m = { 0, 0xffffffffu };

	if (family == 6)
		m.hi = m.lo = UINT64_MAX;
	return m;
}

void fw_cidr_range(const struct gh_cidr *c, struct fw_addr *lo, struct fw_addr *hi)
{
	int fam = c->family == GH_INET4 ? 4 : 6;
	unsigned bits = fam == 4 ? 32 : 128, host = bits - c->plen;
	struct fw_addr a = fw_addr_from_bytes(fam, c->addr), m = { 0, 0 };

	/* m = host mask (low @host bits set). */
	if (host >= 64) {
		m.lo = UINT64_MAX;
		m.hi = host >= 128 ? UINT64_MAX : (host == 64 ? 0 : (UINT64_C(1) << (host - 64)) - 1);
	} else {
		m.lo = host ? (UINT64_C(1) << host) - 1 : 0;
	}
	lo->hi = a.hi & ~m.hi;
	lo->lo = a.lo & ~m.lo;
	hi->hi = lo->hi | m.hi;
	hi->lo = lo->lo | m.lo;
	if (fam == 4) {
		lo->hi = hi->hi = 0;
		hi->lo &= 0xffffffffu;
	}
}

/* Number of trailing zero bits of @a (128 when a == 0). */
static unsigned addr_ctz(struct fw_addr a)
{
	if (a.lo)
		return (unsigned)__builtin_ctzll(a.lo);
	if (a.hi)
		return 64 + (unsigned)__builtin_ctzll(a.hi);
	return 128;
}

static void addr_text(int family, struct fw_addr a, char *buf, size_t size)
{
	uint8_t b[16];

	fw_addr_to_bytes(family, a, b);
	if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, b, buf, (socklen_t)size))
		gh_strlcpy(buf, "?", size);
}

void fw_range_format(int family, struct fw_addr lo, struct fw_addr hi, char *buf, size_t size)
{
	unsigned bits = family == 4 ? 32 : 128;
	char a[64], b[64];

	addr_text(family, lo, a, sizeof(a));
	if (!fw_addr_cmp(lo, hi)) {
		snprintf(buf, size, "%s", a);
		return;
	}
	/* A prefix when lo is aligned and hi = lo | (2^k - 1). */
	for (unsigned k = 1; k <= bits; k++) {
		struct fw_addr m = { 0, 0 };

		if (k >= 64) {
			m.lo = UINT64_MAX;
			m.hi = k >= 128 ? UINT64_MAX : (k == 64 ? 0 : (UINT64_C(1) << (k - 64)) - 1);
		} else {
			m.lo = (UINT64_C(1) << k) - 1;
		}
		if (family == 4)
			m.hi = 0;
		if (addr_ctz(lo) >= k && (lo.hi | m.hi) == hi.hi && (lo.lo | m.lo) == hi.lo) {
			snprintf(buf, size, "%s/%u", a, bits - k);
			return;
		}
	}
	addr_text(family, hi, b, sizeof(b));
	snprintf(buf, size, "%s-%s", a, b);
}

const char *fw_comment(struct fw_arena *a, const char *fmt, ...)
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
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '_';
	return fw_arena_strdup(a, buf);
}

uint64_t fw_hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}
