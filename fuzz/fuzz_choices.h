/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The input of the fuzzers that build a structure from choices
 * (fuzz_ref_diff, fuzz_fw_ref_diff): the bytes, read one choice at a time,
 * each picking among n things; past the end every choice is 0, so a short
 * input still builds a whole (small) case.
 */
#ifndef GH_FUZZ_CHOICES_H
#define GH_FUZZ_CHOICES_H

#include <stddef.h>
#include <stdint.h>

/* The bytes not read yet. */
struct src {
	const uint8_t *p;
	size_t n;
};

/* The next choice among @n (0 when @n is 0 or the bytes are used up). */
static inline unsigned pick(struct src *s, unsigned n)
{
	unsigned v;

	if (!s->n)
		return 0;
	v = *s->p++;
	s->n--;
	return n ? v % n : 0;
}

/* One element of the array @arr (not a pointer), chosen. */
#define PICK(s, arr) ((arr)[pick((s), sizeof(arr) / sizeof((arr)[0]))])

#endif
