/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Netlink socket of the firewall half (nl.c). */
#ifndef GH_FW_NL_H
#define GH_FW_NL_H

#include <stddef.h>
#include <stdint.h>

#include "fw/internal.h"

struct mnl_socket;
struct nlmsghdr;
struct fw_tx;

struct fw_nl {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
};

/* Open and bind a NETLINK_NETFILTER socket.  Returns 0 or -errno (diagnosed). */
int fw_nl_open(struct fw_nl *n, struct diag_list *dl);
void fw_nl_close(struct fw_nl *n);

/*
 * Send @tx (BEGIN ... [END]) with one sendmsg and read every ack.  Returns 0
 * or the first kernel error (-errno), each error diagnosed with the object
 * and security-group rule it came from.
 */
int fw_nl_send_batch(struct fw_nl *n, struct fw_tx *tx, size_t *ret_bytes, struct diag_list *dl);

/* Send request @req and run @cb on each reply until done.  0 or -errno. */
int fw_nl_dump(struct fw_nl *n, struct nlmsghdr *req, int (*cb)(const struct nlmsghdr *, void *),
	       void *data);

#endif
