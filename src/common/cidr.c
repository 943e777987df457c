/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "common/cidr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/str.h"

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* ::ffff:0:0/96, the IPv4-mapped IPv6 addresses (RFC 4291, 2.5.5.2). */
static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* An IPv6 prefix inside ::ffff:0:0/96 as the IPv4 prefix it carries. */
static void unmap_v4(struct gh_cidr *c)
{
	if (c->family != GH_INET6 || c->plen < 96 || memcmp(c->addr, v4mapped, sizeof(v4mapped)))
		return;
	memmove(c->addr, c->addr + 12, 4);
	memset(c->addr + 4, 0, 12);
	c->family = GH_INET4;
	c->plen = (uint8_t)(c->plen - 96);
}

int gh_addr_parse(const char *s, struct gh_cidr *ret)
{
	struct gh_cidr c = { 0 };

	if (inet_pton(AF_INET, s, c.addr) == 1) {
		c.family = GH_INET4;
		c.plen = 32;
	} else if (inet_pton(AF_INET6, s, c.addr) == 1) {
		c.family = GH_INET6;
		c.plen = 128;
		unmap_v4(&c);
	} else {
		return -EINVAL;
	}
	*ret = c;
	return 0;
}

bool gh_cidr_spans_v4mapped(const struct gh_cidr *c)
{
	struct gh_cidr first = { .family = GH_INET6, .plen = 128 };

	memcpy(first.addr, v4mapped, sizeof(v4mapped));
	return c->family == GH_INET6 && c->plen <= 96 && gh_cidr_contains(c, &first);
}

static bool host_bits_set(const struct gh_cidr *c)
{
	unsigned bits = c->family == GH_INET4 ? 32 : 128;

	for (unsigned i = c->plen; i < bits; i++)
		if (c->addr[i / 8] & (0x80 >> (i % 8)))
			return true;
	return false;
}

void gh_cidr_mask(struct gh_cidr *c)
{
	unsigned bits = c->family == GH_INET4 ? 32 : 128;

	for (unsigned i = c->plen; i < bits; i++)
		c->addr[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
}

int gh_cidr_parse(const char *s, unsigned flags, struct gh_cidr *ret, const char **reterr_msg)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	struct gh_cidr c = { 0 };
	unsigned long plen;
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);

	if (alen == 0 || alen >= sizeof(addr)) {
		*reterr_msg = "expected an IPv4 or IPv6 address";
		return -EINVAL;
	}
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, c.addr) == 1) {
		c.family = GH_INET4;
	} else if (inet_pton(AF_INET6, addr, c.addr) == 1) {
		c.family = GH_INET6;
	} else {
		*reterr_msg = "not a valid IPv4 or IPv6 address";
		return -EINVAL;
	}
	if (!slash) {
		if (!(flags & GH_CIDR_BARE_OK)) {
			*reterr_msg = "expected a CIDR block with a prefix length (\"/n\")";
			return -EINVAL;
		}
		plen = c.family == GH_INET4 ? 32 : 128;
	} else {
		if (!all_digits(slash + 1) || strlen(slash + 1) > 3) {
			*reterr_msg = "prefix length must be a decimal number";
			return -EINVAL;
		}
		plen = strtoul(slash + 1, NULL, 10);
		if (plen > (c.family == GH_INET4 ? 32u : 128u)) {
			*reterr_msg = c.family == GH_INET4 ? "IPv4 prefix length must be 0 to 32"
							   : "IPv6 prefix length must be 0 to 128";
			return -EINVAL;
		}
	}
	c.plen = (uint8_t)plen;
	if (flags & GH_CIDR_UNMAP_V4)
		unmap_v4(&c);
	*ret = c;
	if (host_bits_set(&c)) {
		*reterr_msg = "host bits are set under the prefix length";
		return 1;
	}
	return 0;
}

bool gh_cidr_contains(const struct gh_cidr *net, const struct gh_cidr *a)
{
	unsigned full = net->plen / 8, rest = net->plen % 8;

	if (net->family != a->family)
		return false;
	if (memcmp(net->addr, a->addr, full))
		return false;
	if (rest) {
		uint8_t m = (uint8_t)(0xff << (8 - rest));

		if ((net->addr[full] & m) != (a->addr[full] & m))
			return false;
	}
	return true;
}

void gh_cidr_format(const struct gh_cidr *c, char *buf, unsigned size)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(c->family == GH_INET4 ? AF_INET : AF_INET6, c->addr, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, c->plen);
}
