/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sending to the kernel, worded (kernel_send.c): the transport (nl.c) says
 * which step failed and which messages the kernel refused; this names the
 * object and security-group rule each refused message came from.
 */
#ifndef GH_FW_KERNEL_SEND_H
#define GH_FW_KERNEL_SEND_H

#include <stddef.h>

#include "fw/emit.h"
#include "fw/nl.h"

/* Open the netfilter socket.  Returns 0 or -errno, diagnosed. */
int fw_kernel_open(struct fw_nl *n, struct diag_list *dl);

/*
 * Send @tx over @n and read every ack.  Returns 0 or the first kernel error
 * (-errno), each refusal diagnosed with the object and security-group rule
 * its message came from; the batch's size in *@ret_bytes once sent.
 */
int fw_kernel_send(struct fw_nl *n, const struct fw_tx *tx, size_t *ret_bytes,
		   struct diag_list *dl);

#endif
