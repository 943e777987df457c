/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel objects back into IR terms (kernel_decode.c): set elements into
 * struct fw_elem with our key layouts, comments out of userdata.
 */
#ifndef GH_FW_KERNEL_DECODE_H
#define GH_FW_KERNEL_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw/internal.h"

struct nftnl_set;

/**
 * struct fw_kset - a kernel set decoded with our key layouts
 * @s: kind, family and name as an IR set; @s.elems in key order
 * @arena: element comments and names
 * @known: the key type is one of ours
 */
struct fw_kset {
	struct fw_set s;
	struct arena arena;
	bool known;
};

/*
 * Decode the elements of kernel set @st into @k (rbtree start/end pairs
 * joined).  Returns 0 or -ENOMEM; @k needs fw_kset_done() either way.
 */
int fw_kset_load(struct nftnl_set *st, struct fw_kset *k);
void fw_kset_done(struct fw_kset *k);

/* The comment of type @type in userdata @ud (@len bytes), into @buf ("" if none). */
const char *fw_udata_comment(const void *ud, uint32_t len, uint8_t type, char *buf, size_t size);

/* Kinds of kernel object that carry a comment. */
enum fw_kobj {
	FW_KOBJ_TABLE, /* struct nftnl_table */
	FW_KOBJ_CHAIN, /* struct nftnl_chain */
	FW_KOBJ_SET,   /* struct nftnl_set */
	FW_KOBJ_RULE,  /* struct nftnl_rule */
	_FW_KOBJ_MAX,
};

/* The comment of kernel object @obj of @kind, into @buf ("" if none). */
const char *fw_kernel_comment(enum fw_kobj kind, const void *obj, char *buf, size_t size);

#endif
