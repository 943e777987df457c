/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage 5b: IR -> libnftnl objects in one netlink batch, and what each
 * message of the batch came from (so a kernel error names the rule).
 */
#ifndef GH_FW_EMIT_H
#define GH_FW_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw/internal.h"

struct nftnl_batch;
struct nlmsghdr;
struct nftnl_rule;
struct nftnl_set;
struct nftnl_set_elem;

/**
 * struct fw_msginfo - one message of a batch, for error reports
 * @seq: its netlink sequence number
 * @type: NFT_MSG_* type
 * @what: what it creates ("set in_eth0_tcp4", "rule in chain input"), static or
 *	  owned by the IR
 * @comment: comment of the object (names the group and rule), or NULL
 * @set: for element messages, the IR set (NULL otherwise)
 * @elems: IR indexes of the elements in the message, in order
 * @elem_off: offset of each element's attribute nest in the message
 * @nelems: number of elements
 */
struct fw_msginfo {
	uint32_t seq;
	uint16_t type;
	const char *what;
	const char *comment;
	const struct fw_set *set;
	uint32_t *elems;
	uint32_t *elem_off;
	size_t nelems;
};

/**
 * struct fw_tx - a batch being built
 * @b: libnftnl's paged batch buffer
 * @seq: next sequence number
 * @msgs: one entry per message between BEGIN and END
 * @nmsgs: entries in @msgs
 * @elements: set elements in the batch (interval ends counted once)
 */
struct fw_tx {
	struct nftnl_batch *b;
	uint32_t seq;
	struct fw_msginfo *msgs;
	size_t nmsgs, cmsgs;
	size_t elements;
};

int fw_tx_init(struct fw_tx *tx, uint32_t seq);
void fw_tx_done(struct fw_tx *tx);
int fw_tx_begin(struct fw_tx *tx);
int fw_tx_end(struct fw_tx *tx);
/*
 * Start a message of @type in @tx (NLM_F_ACK added to @flags) and record
 * what it is for error reports (@what, @comment: static or owned by the
 * IR).  Returns its header for the payload, or NULL (-ENOMEM).  Call
 * fw_tx_update() once the payload is in.
 */
struct nlmsghdr *fw_tx_msg_start(struct fw_tx *tx, uint16_t type, uint16_t flags, const char *what,
				 const char *comment);
/* The same for an object of nfproto @family (NFPROTO_INET, NFPROTO_BRIDGE). */
struct nlmsghdr *fw_tx_msg_start_family(struct fw_tx *tx, uint16_t type, uint16_t flags,
					uint8_t family, const char *what, const char *comment);
/* Account for the message just built.  0 or -ENOMEM. */
int fw_tx_update(struct fw_tx *tx);
/* The message with sequence number @seq, or NULL. */
const struct fw_msginfo *fw_tx_find(const struct fw_tx *tx, uint32_t seq);

/**
 * struct fw_emit_opts - how fw_emit_table() builds the batch
 * @dup_element: test hook (FW_APPLY_FAULT_DUP_ELEMENT): add the first
 *		 element of the first non-membership set twice, so that the
 *		 kernel refuses the batch
 * @drop_bridge: delete table bridge gatehouse, which the kernel holds and
 *		 @c has none of (no bridged guest port any more)
 */
struct fw_emit_opts {
	bool dup_element;
	bool drop_bridge;
};

/*
 * Replace our table: create-if-missing, delete, create, then every chain,
 * set, element and rule of @c, all in @tx (between begin and end); @o may
 * be NULL (no options).
 */
int fw_emit_table(struct fw_tx *tx, const struct fw_compiled *c, const struct fw_emit_opts *o);

/*
 * Add (@add) or delete elements @idx[0..n) of set @set of @c (membership
 * update).  Each element is sent with its interval end.
 */
int fw_emit_elems(struct fw_tx *tx, const struct fw_compiled *c, size_t set, const uint32_t *idx,
		  size_t n, bool add);

/* The nftnl rule of IR rule @r in chain @ch (caller frees). */
struct nftnl_rule *fw_rule_build(const struct fw_compiled *c, const struct fw_chain *ch,
				 const struct fw_rule *r);

/* How an element's interval end is sent (fw_elem_key()'s return value). */
enum fw_keyend {
	FW_KEYEND_NONE, /* a single value (maps) */
	FW_KEYEND_ATTR, /* concatenations: NFTA_SET_ELEM_KEY_END */
	FW_KEYEND_ELEM, /* single-field intervals: a second element flagged INTERVAL_END */
	FW_KEYEND_OPEN, /* single-field interval reaching the maximum: no end element */
};

/*
 * Key bytes of @e in set @s into @key (*@klen bytes) and, for intervals, the
 * end into @kend (*@kelen bytes); returns how the end is to be sent.
 */
enum fw_keyend fw_elem_key(const struct fw_set *s, const struct fw_elem *e, uint8_t *key,
			   uint32_t *klen, uint8_t *kend, uint32_t *kelen);

/* NFPROTO_BRIDGE for an object of table bridge gatehouse, else NFPROTO_INET. */
uint8_t fw_family(bool bridge);

/* Priority of the bridge base chains: nft's "filter" in the bridge family,
 * before br_netfilter (0) passes IP frames to the inet hooks. */
#define FW_BRIDGE_PRIO (-200)

/* NFT_SET_* flags of set @s as we create it. */
uint32_t fw_set_flags(const struct fw_set *s);

/* Key length of set @s in the kernel. */
uint32_t fw_set_key_len(const struct fw_set *s);

/* Decode a kernel element key of set @s back into @e (addresses and keys). */
void fw_elem_from_key(const struct fw_set *s, const uint8_t *key, uint32_t klen,
		      const uint8_t *kend, uint32_t kelen, struct fw_elem *e);

/* nft's datatype id of the key of @s (for nft list to print it). */
uint32_t fw_set_key_type(const struct fw_set *s);
/* Inverse: kind and family of a set of ours from its key type; false if unknown. */
bool fw_set_kind_from_type(uint32_t type, uint8_t *kind, uint8_t *family);

/*
 * Print the batch fw_emit_table() builds for @c (begin to end, sequence
 * numbers from 1) as text, message by message, parsed back with libnftnl
 * (payload.c; golden tests' expect.payload).  Returns 0, -ENOMEM, -EINVAL
 * (a message libnftnl cannot parse) or -EIO.
 */
#include <stdio.h>
int fw_payload_dump(const struct fw_compiled *c, FILE *f);

/* Table userdata type holding the structure hash (nft ignores unknown types). */
#define FW_UDATA_TABLE_HASH 0x47

#endif
