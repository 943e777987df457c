/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * FNV-1a, 64 bits: a fast non-cryptographic hash for tables of names and
 * for fingerprints compared with our own earlier output (never with
 * attacker-chosen values that a collision would reward).
 */
#ifndef GH_HASH_H
#define GH_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The FNV-1a 64 offset basis: the hash of no bytes, where a hash starts. */
#define GH_FNV1A64_INIT UINT64_C(0xcbf29ce484222325)

/* @h continued over @n bytes at @p (start with GH_FNV1A64_INIT). */
static inline uint64_t gh_fnv1a64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/* FNV-1a 64 of the string @s (its NUL not included). */
static inline uint64_t gh_fnv1a64_str(const char *s)
{
	return gh_fnv1a64(GH_FNV1A64_INIT, s, strlen(s));
}

#endif
