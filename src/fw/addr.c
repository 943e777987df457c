/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 128-bit addresses and ranges of the IR: conversions, order, text. */
#include <arpa/inet.h>
#include <stdio.h>

#include "common/str.h"
#include "fw/addr.h"

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
		m.hi =
		    host >= 128 ? UINT64_MAX : (host == 64 ? 0 : (UINT64_C(1) << (host - 64)) - 1);
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
			m.hi =
			    k >= 128 ? UINT64_MAX : (k == 64 ? 0 : (UINT64_C(1) << (k - 64)) - 1);
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
