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

#include "common/str.h"
#include "fw/nl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

void fw_nl_status_done(struct fw_nl_status *st)
{
	free(st->nacks);
	memset(st, 0, sizeof(*st));
}

static int failed(struct fw_nl_status *st, enum fw_nl_step step, int error)
{
	if (st->step == FW_NL_OK) {
		st->step = step;
		st->error = error;
	}
	return error;
}

int fw_nl_open(struct fw_nl *n, struct fw_nl_status *st)
{
	int one = 1;

	memset(n, 0, sizeof(*n));
	n->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!n->nl)
		return failed(st, FW_NL_SOCKET, -errno);
	if (mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int r = -errno;

		mnl_socket_close(n->nl);
		n->nl = NULL;
		return failed(st, FW_NL_BIND, r);
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

/* Receive buffer per ack: an skb's overhead, not the ack's size, rounded up. */
#define FW_NL_ACK_TRUESIZE 2048u

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
	struct fw_nl_status *st;
	size_t nmsgs;
};

/* Keep refusal @e (extended ack attributes of @nlh included) in @st. */
static void keep_nack(struct fw_nl_status *st, size_t nmsgs, const struct nlmsghdr *nlh,
		      const struct nlmsgerr *e)
{
	struct fw_nl_nack *k;

	failed(st, FW_NL_NACKED, e->error);
	if (FW_VEC_PUSH(st->nacks, st->nnacks, st->cnacks, nmsgs + 1) < 0)
		return;
	k = &st->nacks[st->nnacks++];
	memset(k, 0, sizeof(*k));
	k->error = e->error;
	k->seq = e->msg.nlmsg_seq;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		const struct nlattr *attr;
		size_t hdr = sizeof(*e);

		/* With NETLINK_CAP_ACK the original message is not echoed. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			hdr += e->msg.nlmsg_len - sizeof(e->msg);
		mnl_attr_for_each(attr, nlh, hdr) {
			if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
				gh_strlcpy(k->msg, mnl_attr_get_str(attr), sizeof(k->msg));
			if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_OFFS &&
			    mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
				k->off = mnl_attr_get_u32(attr);
				k->has_off = true;
			}
		}
	}
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
	a->st->acks++;
	if (e->error)
		keep_nack(a->st, a->nmsgs, nlh, e);
	return MNL_CB_OK;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_OK;
}

/* Send @b in one sendmsg; its size into @st->bytes.  0 or -errno. */
static int send_all(struct fw_nl *n, struct nftnl_batch *b, size_t nmsgs, struct fw_nl_status *st)
{
	int fd = mnl_socket_get_fd(n->nl);
	int niov = nftnl_batch_iovec_len(b);
	_cleanup_free_ struct iovec *iov = calloc((size_t)niov, sizeof(*iov));
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	struct msghdr msg = { 0 };
	size_t total = 0;

	if (!iov)
		return -ENOMEM;
	nftnl_batch_iovec(b, iov, (uint32_t)niov);
	for (int i = 0; i < niov; i++)
		total += iov[i].iov_len;
	st->bytes = total;
	/* One sendmsg for the whole batch needs a send buffer at least its size. */
	sockbuf(fd, SO_SNDBUF, SO_SNDBUFFORCE, total + 65536);
	/* Room for one ack per message, all queued before we read any: what
	 * counts is each ack's skb truesize (about 1 KiB for a capped ack on
	 * 6.18), not its 36 bytes of payload; 256 per ack made a batch of
	 * ~6,000 messages fail with ENOBUFS (tests/netns/fw_bridge.sh). */
	sockbuf(fd, SO_RCVBUF, SO_RCVBUFFORCE, nmsgs * FW_NL_ACK_TRUESIZE + (1u << 20));
	msg.msg_name = &snl;
	msg.msg_namelen = sizeof(snl);
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)niov;
	if (sendmsg(fd, &msg, 0) < 0)
		return failed(st, FW_NL_SEND, -errno);
	return 0;
}

int fw_nl_send_batch(struct fw_nl *n, struct nftnl_batch *b, size_t nmsgs, struct fw_nl_status *st)
{
	size_t bufsz = MNL_SOCKET_BUFFER_SIZE * 16;
	_cleanup_free_ char *buf = NULL;
	struct ack_ctx a = { st, nmsgs };
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = ack_cb };
	int fd = mnl_socket_get_fd(n->nl);
	int r = send_all(n, b, nmsgs, st);

	if (r < 0)
		return r;
	buf = malloc(bufsz);
	if (!buf)
		return -ENOMEM;
	/*
	 * The kernel handles the batch inside sendmsg: every ack is queued by
	 * now.  Read until each message is acked, or nothing is left.
	 */
	while (st->acks < nmsgs) {
		ssize_t len = recv(fd, buf, bufsz, st->acks ? MSG_DONTWAIT : 0);

		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			r = -errno;
			break;
		}
		/* Acks are NLMSG_ERROR messages: a control callback, not a data one. */
		mnl_cb_run2(buf, (size_t)len, 0, n->portid, noop_cb, &a, ctl, ARRAY_SIZE(ctl));
	}
	if (r < 0)
		st->recv_error = r;
	if (st->step == FW_NL_NACKED)
		return st->error;
	if (r < 0)
		return failed(st, FW_NL_RECV, r);
	if (st->acks < nmsgs)
		return failed(st, FW_NL_ACKS_MISSING, -EPROTO);
	return 0;
}

int fw_nl_dump(struct fw_nl *n, struct nlmsghdr *req, int (*cb)(const struct nlmsghdr *, void *),
	       void *data)
{
	size_t bufsz = MNL_SOCKET_BUFFER_SIZE * 16;
	_cleanup_free_ char *buf = malloc(bufsz);
	uint32_t seq = req->nlmsg_seq;

	if (!buf)
		return -ENOMEM;
	if (mnl_socket_sendto(n->nl, req, req->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(n->nl, buf, bufsz);
		int r;

		if (len < 0)
			return -errno;
		r = mnl_cb_run(buf, (size_t)len, seq, n->portid, cb ? cb : noop_cb, data);
		if (r <= 0)
			return r < 0 ? -errno : 0;
	}
}
