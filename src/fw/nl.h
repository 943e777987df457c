/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Netlink transport of the firewall half (nl.c): one socket, a batch in one
 * sendmsg with every ack read, dumps.  It words nothing: failures come back
 * as -errno plus the step and the messages they concern, and the stage that
 * built the messages (kernel_send.c) says what they were.
 */
#ifndef GH_FW_NL_H
#define GH_FW_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw/internal.h"

struct mnl_socket;
struct nftnl_batch;
struct nlmsghdr;

struct fw_nl {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
};

/* Where a socket or a batch failed. */
enum fw_nl_step {
	FW_NL_OK,
	FW_NL_SOCKET,	    /* socket(2) */
	FW_NL_BIND,	    /* bind(2) */
	FW_NL_SEND,	    /* sendmsg(2) of the batch */
	FW_NL_RECV,	    /* reading the acks */
	FW_NL_ACKS_MISSING, /* fewer acks than messages, and nothing left to read */
	FW_NL_NACKED,	    /* the kernel refused messages (@nacks) */
	_FW_NL_STEP_MAX,
};

/* The kernel's extended-ack text kept per refusal (its messages are a few words). */
#define FW_NL_EXTACK_MAX 256

/**
 * struct fw_nl_nack - one message the kernel refused
 * @error: -errno
 * @seq: sequence number of that message
 * @off: with @has_off, offset in it of the attribute at fault (extended ack)
 * @msg: the kernel's text (extended ack), "" if none
 */
struct fw_nl_nack {
	int error;
	uint32_t seq;
	uint32_t off;
	bool has_off;
	char msg[FW_NL_EXTACK_MAX];
};

/**
 * struct fw_nl_status - how a socket open or a batch went
 * @step: the step that failed first (FW_NL_OK: none)
 * @error: its -errno (for FW_NL_NACKED, the first refusal's)
 * @bytes: bytes of the batch
 * @acks: acks read
 * @recv_error: -errno of reading the acks, also when refusals came first
 * @nacks: refusals in the order the kernel sent them
 * @nnacks: entries in @nacks
 */
struct fw_nl_status {
	enum fw_nl_step step;
	int error;
	size_t bytes, acks;
	int recv_error;
	struct fw_nl_nack *nacks;
	size_t nnacks, cnacks;
};

void fw_nl_status_done(struct fw_nl_status *st);

/* Open and bind a NETLINK_NETFILTER socket.  Returns 0 or -errno (step in @st). */
int fw_nl_open(struct fw_nl *n, struct fw_nl_status *st);
void fw_nl_close(struct fw_nl *n);

/*
 * Send batch @b (@nmsgs messages between BEGIN and END) with one sendmsg and
 * read every ack.  Returns 0, the first refusal's -errno, or the failed
 * step's -errno (-EPROTO for missing acks); @st says which and holds every
 * refusal.
 */
int fw_nl_send_batch(struct fw_nl *n, struct nftnl_batch *b, size_t nmsgs, struct fw_nl_status *st);

/* Send request @req and run @cb on each reply until done.  0 or -errno. */
int fw_nl_dump(struct fw_nl *n, struct nlmsghdr *req, int (*cb)(const struct nlmsghdr *, void *),
	       void *data);

#endif
