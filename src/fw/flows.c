/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw flows: the default-deny drops that fw apply --log-drops GROUP sends
 * to an NFLOG group, read through libnetfilter_log and printed one JSON
 * line each, in the shape of an AWS VPC flow log record.  The rate is
 * capped in the kernel (FW_LOG_RATE per interface and direction), so a
 * flood cannot fill a disk.  Messages of the group that gatehouse did not
 * log (another rule using the same group) are skipped: their prefix is not
 * ours, and their text is not trusted into the output.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fw/internal.h"

#ifdef GH_HAVE_NFLOG
#include <arpa/inet.h>
#include <libnetfilter_log/libnetfilter_log.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

struct flows {
	FILE *f;
	long count, printed;
};

static const char *proto_name(uint8_t p, char *buf, size_t size)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	default: snprintf(buf, size, "%u", p); return buf;
	}
}

/* "gh in eth0" -> direction and interface (validated names only). */
static bool parse_prefix(const char *prefix, bool *in, char *ifname, size_t size)
{
	const char *p;
	size_t n;

	if (!prefix)
		return false;
	if (!strncmp(prefix, "gh in ", 6)) {
		*in = true;
		p = prefix + 6;
	} else if (!strncmp(prefix, "gh out ", 7)) {
		*in = false;
		p = prefix + 7;
	} else {
		return false;
	}
	n = strlen(p);
	if (!n || n >= size || n > FW_IFNAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || strchr("_.-*@+=", p[i])))
			return false;
	memcpy(ifname, p, n + 1);
	return true;
}

static int on_packet(struct nflog_g_handle *gh, struct nfgenmsg *nfmsg, struct nflog_data *nfa,
		     void *data)
{
	struct flows *fl = data;
	char ifname[FW_IFNAME_MAX + 1], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], pbuf[8];
	char when[40];
	unsigned char *pkt;
	int len = nflog_get_payload(nfa, (char **)&pkt);
	struct timeval tv;
	struct tm tm;
	bool in;
	uint8_t proto;
	size_t l4;
	int sport = -1, dport = -1;

	(void)gh;
	(void)nfmsg;
	if (!parse_prefix(nflog_get_prefix(nfa), &in, ifname, sizeof(ifname)) || len < 1)
		return 0;
	if ((pkt[0] >> 4) == 4 && len >= 20) {
		l4 = (size_t)(pkt[0] & 0xf) * 4;
		proto = pkt[9];
		inet_ntop(AF_INET, pkt + 12, src, sizeof(src));
		inet_ntop(AF_INET, pkt + 16, dst, sizeof(dst));
	} else if ((pkt[0] >> 4) == 6 && len >= 40) {
		/* The next header as given: extension headers are not walked. */
		l4 = 40;
		proto = pkt[6];
		inet_ntop(AF_INET6, pkt + 8, src, sizeof(src));
		inet_ntop(AF_INET6, pkt + 24, dst, sizeof(dst));
	} else {
		return 0;
	}
	if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP) && (size_t)len >= l4 + 4) {
		sport = pkt[l4] << 8 | pkt[l4 + 1];
		dport = pkt[l4 + 2] << 8 | pkt[l4 + 3];
	}
	if (nflog_get_timestamp(nfa, &tv) < 0)
		gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(fl->f,
		"{\"time\":\"%s.%03ldZ\",\"interface\":%s%s%s,\"direction\":\"%s\","
		"\"protocol\":\"%s\",\"src\":\"%s\",\"dst\":\"%s\"",
		when, (long)tv.tv_usec / 1000, strcmp(ifname, "*") ? "\"" : "",
		strcmp(ifname, "*") ? ifname : "null", strcmp(ifname, "*") ? "\"" : "",
		in ? "ingress" : "egress", proto_name(proto, pbuf, sizeof(pbuf)), src, dst);
	if (sport >= 0)
		fprintf(fl->f, ",\"sport\":%d,\"dport\":%d", sport, dport);
	fputs(",\"action\":\"REJECT\"}\n", fl->f);
	fflush(fl->f);
	fl->printed++;
	return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nflog_handle *, nflog_close)

int fw_flows(int group, long count, FILE *f, struct diag_list *dl)
{
	_cleanup_(nflog_closep) struct nflog_handle *h = nflog_open();
	struct flows fl = { f, count, 0 };
	struct nflog_g_handle *gh;
	char buf[65536];
	int fd;

	if (!h) {
		diag_add(dl, DIAG_ERROR, "nflog", "", 0, 0, "opening NFLOG: %s", strerror(errno));
		return -errno;
	}
	/* Needed by kernels before 3.17 only; refused harmlessly by later ones. */
	nflog_bind_pf(h, AF_INET);
	nflog_bind_pf(h, AF_INET6);
	gh = nflog_bind_group(h, (uint16_t)group);
	if (!gh) {
		int e = errno ? errno : EBUSY;

		diag_add(dl, DIAG_ERROR, "nflog", "", 0, 0,
			 "binding NFLOG group %d: %s (another reader of the group?)", group,
			 strerror(e));
		return -e;
	}
	if (nflog_set_mode(gh, NFULNL_COPY_PACKET, 128) < 0) {
		diag_add(dl, DIAG_ERROR, "nflog", "", 0, 0, "NFLOG copy mode: %s", strerror(errno));
		return -errno;
	}
	nflog_callback_register(gh, on_packet, &fl);
	fd = nflog_fd(h);
	while (!count || fl.printed < count) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS)
			continue; /* the reader fell behind: messages were lost, go on */
		if (n < 0) {
			diag_add(dl, DIAG_ERROR, "nflog", "", 0, 0, "reading NFLOG: %s",
				 strerror(errno));
			return -errno;
		}
		nflog_handle_packet(h, buf, (int)n);
	}
	nflog_unbind_group(gh);
	return 0;
}
#else
int fw_flows(int group, long count, FILE *f, struct diag_list *dl)
{
	(void)group;
	(void)count;
	(void)f;
	diag_add(dl, DIAG_ERROR, "nflog", "", 0, 0,
		 "gatehouse was built without libnetfilter_log (Debian: libnetfilter-log-dev)");
	return -ENOTSUP;
}
#endif
