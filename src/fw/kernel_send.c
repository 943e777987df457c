/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage: send a batch and word what happened.  A refusal names its message
 * by sequence number and, with an extended ack, the attribute at fault: the
 * batch's records (struct fw_msginfo) turn that into the set element or
 * object and the security-group rules in its comment.
 */
#include <errno.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <string.h>

#include "fw/kernel_send.h"

/* Element of message @m at attribute offset @off: its IR index, or -1. */
static long elem_at(const struct fw_msginfo *m, uint32_t off)
{
	long hit = -1;

	for (size_t i = 0; i < m->nelems; i++)
		if (m->elem_off[i] && m->elem_off[i] <= off)
			hit = (long)i;
	return hit;
}

static void word_nack(const struct fw_tx *tx, const struct fw_nl_nack *k, struct diag_list *dl)
{
	const struct fw_msginfo *m = fw_tx_find(tx, k->seq);
	const char *sep = k->msg[0] ? ": " : "";

	if (!m) {
		diag_add(dl, DIAG_ERROR, "kernel", "", 0, 0, "%s%s%s", strerror(-k->error), sep,
			 k->msg);
		return;
	}
	if (m->set && k->has_off) {
		long i = elem_at(m, k->off);

		if (i >= 0) {
			const struct fw_elem *el = &m->set->elems[m->elems[i]];
			char buf[256];

			fw_elem_format(m->set, el, NULL, buf, sizeof(buf));
			diag_add(dl, DIAG_ERROR, "kernel", "", 0, 0,
				 "%s: set %s element { %s } from %s%s%s", strerror(-k->error),
				 m->set->name, buf, el->comment, sep, k->msg);
			return;
		}
	}
	diag_add(dl, DIAG_ERROR, "kernel", "", 0, 0, "%s: %s%s%s%s%s%s", strerror(-k->error),
		 m->type == NFT_MSG_NEWRULE    ? "rule in chain "
		 : m->type == NFT_MSG_NEWCHAIN ? "chain "
		 : m->type == NFT_MSG_NEWSET   ? "set "
		 : m->set		       ? "elements of set "
					       : "",
		 m->what ? m->what : "?", m->comment ? " (" : "", m->comment ? m->comment : "",
		 m->comment ? ")" : "", k->msg);
}

int fw_kernel_open(struct fw_nl *n, struct diag_list *dl)
{
	_cleanup_(fw_nl_status_done) struct fw_nl_status st = { 0 };
	int r = fw_nl_open(n, &st);

	if (st.step == FW_NL_SOCKET)
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0, "cannot open a netfilter socket: %s",
			 strerror(-r));
	else if (st.step == FW_NL_BIND)
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0, "cannot bind: %s", strerror(-r));
	return r;
}

int fw_kernel_send(struct fw_nl *n, const struct fw_tx *tx, size_t *ret_bytes, struct diag_list *dl)
{
	_cleanup_(fw_nl_status_done) struct fw_nl_status st = { 0 };
	int r = fw_nl_send_batch(n, tx->b, tx->nmsgs, &st);

	if (st.step == FW_NL_SEND) {
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0, "sendmsg of a %zu-byte batch: %s",
			 st.bytes, strerror(-st.error));
		return r;
	}
	if (ret_bytes && st.bytes)
		*ret_bytes = st.bytes;
	for (size_t i = 0; i < st.nnacks; i++)
		word_nack(tx, &st.nacks[i], dl);
	/* The kernel ran the batch inside sendmsg: without its acks, whether it
	 * committed is unknown (it may well have). */
	if (st.recv_error)
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0,
			 "reading acks: %s (the batch was sent and may have been committed: fw "
			 "diff shows what the kernel holds)",
			 strerror(-st.recv_error));
	if (st.step == FW_NL_ACKS_MISSING)
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0,
			 "only %zu of %zu messages acknowledged", st.acks, tx->nmsgs);
	return r;
}
