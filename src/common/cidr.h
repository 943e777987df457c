/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict IPv4/IPv6 addresses and prefixes, shared by IAM's IpAddress
 * conditions and security-group ranges.  Both halves of "a.b.c.d/n" are
 * checked: the address by inet_pton, the length against the family's bits
 * (as pfctl's host() does); host bits set under the mask are reported, and
 * each caller decides whether that is an error.
 */
#ifndef GH_CIDR_H
#define GH_CIDR_H

#include <stdbool.h>
#include <stdint.h>

enum gh_family {
	GH_INET4 = 4,
	GH_INET6 = 6,
};

/**
 * struct gh_cidr - a network prefix
 * @family: GH_INET4 or GH_INET6
 * @plen: prefix length, 0..32 or 0..128
 * @addr: the address in network order; IPv4 uses the first 4 bytes
 */
struct gh_cidr {
	uint8_t family;
	uint8_t plen;
	uint8_t addr[16];
};

enum gh_cidr_flags {
	GH_CIDR_BARE_OK = 1 << 0, /* an address without "/n" is a /32 or /128 */
	/*
	 * An IPv4-mapped prefix ("::ffff:198.51.100.0/120", /96 or longer) is
	 * the IPv4 prefix it carries (198.51.100.0/24), as gh_addr_parse
	 * takes a mapped address: prefixes compared with parsed addresses
	 * need it, or a mapped prefix matches nothing.
	 */
	GH_CIDR_UNMAP_V4 = 1 << 1,
};

/*
 * Parse @s as @flags say.  Returns 0, 1 when valid but host bits are set under the mask
 * (the address in *ret is left as written), or -EINVAL with *reterr_msg set
 * to a static explanation.
 */
int gh_cidr_parse(const char *s, unsigned flags, struct gh_cidr *ret, const char **reterr_msg);

/* Clear the host bits of @c. */
void gh_cidr_mask(struct gh_cidr *c);

/*
 * Parse a bare address (IPv4, IPv6, or IPv4-mapped IPv6, which is taken as
 * the IPv4 address it carries).  Returns 0 or -EINVAL.
 */
int gh_addr_parse(const char *s, struct gh_cidr *ret);

/*
 * True when IPv6 prefix @c is shorter than /96 and covers the IPv4-mapped
 * range ::ffff:0:0/96 ("::/0"): the addresses it seems to hold there are
 * parsed as IPv4 (gh_addr_parse), so it does not match them.
 */
bool gh_cidr_spans_v4mapped(const struct gh_cidr *c);

/* True when address @a (a /32 or /128) lies inside network @net. */
bool gh_cidr_contains(const struct gh_cidr *net, const struct gh_cidr *a);

/* Print @c as "a.b.c.d/n" or "x::y/n" (always with the length). */
void gh_cidr_format(const struct gh_cidr *c, char *buf, unsigned size);

#endif
