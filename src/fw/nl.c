/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Netlink: one socket, one sendmsg per batch, acks matched to the batch's
 * messages by sequence number, extended acks to the element the kernel
 * refused.  Dumps only ever ask for our table (GETTABLE, GETSET and
 * GETRULE filtered by table, GETSETELEM by set); chains are the one dump the
 * kernel cannot filter by table, so we skip other tables' chains unread.
 */
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fw/emit.h"
#include "fw/nl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

int fw_nl_open(struct fw_nl *n, struct diag_list *dl)
{
	int one = 1;

	memset(n, 0, sizeof(*n));
	n->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!n->nl) {
		int r = -errno;

		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0, "cannot open a netfilter socket: %s",
			 strerror(-r));
		return r;
	}
	if (mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int r = -errno;

		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0, "cannot bind: %s", strerror(-r));
		mnl_socket_close(n->nl);
		n->nl = NULL;
		return r;
	}
	/* Errors name the attribute (extended ack) without echoing our message. */
	mnl_socket_setsockopt(n->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(n->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	n->portid = mnl_socket_get_portid(n->nl);
	/* Distinct runs get distinct sequence numbers (stale replies are ignored). */
	n->seq = (uint32_t)time(NULL) << 8;
	return 0;
}

void fw_nl_close(struct fw_nl *n)
{
	if (n->nl)
		mnl_socket_close(n->nl);
	n->nl = NULL;
}

/* Grow a socket buffer to @want bytes (FORCE needs CAP_NET_ADMIN, which apply has). */
static void sockbuf(int fd, int opt, int force, size_t want)
{
	int cur = 0;
	socklen_t len = sizeof(cur);
	int v = want > (size_t)INT32_MAX / 2 ? INT32_MAX / 2 : (int)want;

	if (getsockopt(fd, SOL_SOCKET, opt, &cur, &len) == 0 && cur >= v)
		return;
	if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, opt, &v, sizeof(v));
}

struct ack_ctx {
	const struct fw_tx *tx;
	struct diag_list *dl;
	size_t acks;
	int first_err;
};

/* Element of message @m at attribute offset @off: its IR index, or -1. */
static long elem_at(const struct fw_msginfo *m, uint32_t off)
{
	long hit = -1;

	for (size_t i = 0; i < m->nelems; i++)
		if (m->elem_off[i] && m->elem_off[i] <= off)
			hit = (long)i;
	return hit;
}

static void report_error(struct ack_ctx *a, const struct nlmsghdr *nlh, const struct nlmsgerr *e)
{
	const struct fw_msginfo *m = fw_tx_find(a->tx, e->msg.nlmsg_seq);
	const char *kmsg = NULL;
	uint32_t off = 0;
	bool have_off = false;

	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		const struct nlattr *attr;
		size_t hdr = sizeof(*e);

		/* With NETLINK_CAP_ACK the original message is not echoed. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			hdr += e->msg.nlmsg_len - sizeof(e->msg);
		mnl_attr_for_each(attr, nlh, hdr) {
			if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
				kmsg = mnl_attr_get_str(attr);
			if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_OFFS &&
			    mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
				off = mnl_attr_get_u32(attr);
				have_off = true;
			}
		}
	}
	if (!m) {
		diag_add(a->dl, DIAG_ERROR, "kernel", "", 0, 0, "%s%s%s", strerror(-e->error),
			 kmsg ? ": " : "", kmsg ? kmsg : "");
		return;
	}
	if (m->set && have_off) {
		long i = elem_at(m, off);

		if (i >= 0) {
			const struct fw_elem *el = &m->set->elems[m->elems[i]];
			char buf[256];

			fw_elem_format(m->set, el, NULL, buf, sizeof(buf));
			diag_add(a->dl, DIAG_ERROR, "kernel", "", 0, 0,
				 "%s: set %s element { %s } from %s%s%s", strerror(-e->error),
				 m->set->name, buf, el->comment, kmsg ? ": " : "", kmsg ? kmsg : "");
			return;
		}
	}
	diag_add(a->dl, DIAG_ERROR, "kernel", "", 0, 0, "%s: %s%s%s%s%s%s", strerror(-e->error),
		 m->type == NFT_MSG_NEWRULE ? "rule in chain " :
		 m->type == NFT_MSG_NEWCHAIN ? "chain " :
		 m->type == NFT_MSG_NEWSET ? "set " :
		 m->set ? "elements of set " : "",
		 m->what ? m->what : "?", m->comment ? " (" : "", m->comment ? m->comment : "",
		 m->comment ? ")" : "", kmsg ? kmsg : "");
}

static int ack_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ack_ctx *a = data;
	const struct nlmsgerr *e;

	if (nlh->nlmsg_type != NLMSG_ERROR)
		return MNL_CB_OK;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return MNL_CB_OK;
	e = mnl_nlmsg_get_payload(nlh);
	a->acks++;
	if (e->error) {
		if (!a->first_err)
			a->first_err = e->error;
		report_error(a, nlh, e);
	}
	return MNL_CB_OK;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_OK;
}

int fw_nl_send_batch(struct fw_nl *n, struct fw_tx *tx, size_t *ret_bytes, struct diag_list *dl)
{
	int fd = mnl_socket_get_fd(n->nl);
	int niov = nftnl_batch_iovec_len(tx->b);
	struct iovec *iov = calloc((size_t)niov, sizeof(*iov));
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	struct msghdr msg = { 0 };
	struct ack_ctx a = { tx, dl, 0, 0 };
	size_t total = 0;
	char *buf = NULL;
	size_t bufsz = MNL_SOCKET_BUFFER_SIZE * 16;
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = ack_cb };
	ssize_t sent;
	int r = 0;

	if (!iov)
		return -ENOMEM;
	nftnl_batch_iovec(tx->b, iov, (uint32_t)niov);
	for (int i = 0; i < niov; i++)
		total += iov[i].iov_len;
	/* One sendmsg for the whole batch needs a send buffer at least its size. */
	sockbuf(fd, SO_SNDBUF, SO_SNDBUFFORCE, total + 65536);
	/* Room for one ack per message (capped acks are small). */
	sockbuf(fd, SO_RCVBUF, SO_RCVBUFFORCE, tx->nmsgs * 256 + (1u << 20));
	msg.msg_name = &snl;
	msg.msg_namelen = sizeof(snl);
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)niov;
	sent = sendmsg(fd, &msg, 0);
	free(iov);
	if (sent < 0) {
		r = -errno;
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0, "sendmsg of a %zu-byte batch: %s",
			 total, strerror(-r));
		return r;
	}
	if (ret_bytes)
		*ret_bytes = total;
	buf = malloc(bufsz);
	if (!buf)
		return -ENOMEM;
	/*
	 * The kernel handles the batch inside sendmsg: every ack is queued by
	 * now.  Read until each message is acked, or nothing is left.
	 */
	while (a.acks < tx->nmsgs) {
		ssize_t len = recv(fd, buf, bufsz, a.acks ? MSG_DONTWAIT : 0);

		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			r = -errno;
			diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0, "reading acks: %s",
				 strerror(-r));
			break;
		}
		/* Acks are NLMSG_ERROR messages: a control callback, not a data one. */
		mnl_cb_run2(buf, (size_t)len, 0, n->portid, noop_cb, &a, ctl, ARRAY_SIZE(ctl));
	}
	free(buf);
	if (a.first_err)
		return a.first_err;
	if (r < 0)
		return r;
	if (a.acks < tx->nmsgs) {
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0,
			 "only %zu of %zu messages acknowledged", a.acks, tx->nmsgs);
		return -EPROTO;
	}
	return 0;
}

int fw_nl_dump(struct fw_nl *n, struct nlmsghdr *req, int (*cb)(const struct nlmsghdr *, void *),
	       void *data)
{
	size_t bufsz = MNL_SOCKET_BUFFER_SIZE * 16;
	char *buf = malloc(bufsz);
	uint32_t seq = req->nlmsg_seq;
	int r;

	if (!buf)
		return -ENOMEM;
	if (mnl_socket_sendto(n->nl, req, req->nlmsg_len) < 0) {
		r = -errno;
		goto out;
	}
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(n->nl, buf, bufsz);

		if (len < 0) {
			r = -errno;
			break;
		}
		r = mnl_cb_run(buf, (size_t)len, seq, n->portid, cb ? cb : noop_cb, data);
		if (r <= 0) {
			r = r < 0 ? -errno : 0;
			break;
		}
	}
out:
	free(buf);
	return r;
}
