/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 128-bit addresses and ranges of the IR (addr.c). */
#ifndef GH_FW_ADDR_H
#define GH_FW_ADDR_H

#include <stddef.h>
#include <stdint.h>

#include "common/cidr.h"

/* 128-bit address as two halves; IPv4 uses the low 32 bits of @lo. */
struct fw_addr {
	uint64_t hi, lo;
};

/* @b: 4 (@family 4) or 16 bytes in network order. */
struct fw_addr fw_addr_from_bytes(int family, const uint8_t *b);
void fw_addr_to_bytes(int family, struct fw_addr a, uint8_t *b);
int fw_addr_cmp(struct fw_addr a, struct fw_addr b);
/* The highest address of @family. */
struct fw_addr fw_addr_max(int family);
/* First and last address of @c. */
void fw_cidr_range(const struct gh_cidr *c, struct fw_addr *lo, struct fw_addr *hi);
/* "10.0.0.0/8", "10.0.0.1", or "10.0.0.1-10.0.0.9". */
void fw_range_format(int family, struct fw_addr lo, struct fw_addr hi, char *buf, size_t size);

#endif
