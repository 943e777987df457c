/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gh_probe: one ICMP or ICMPv6 echo request, exit 0 when the reply comes
 * within a second, 1 when not, 2 on usage or socket errors.  The namespace
 * tests use it instead of ping(8), which a minimal Debian lacks.
 *
 *   gh_probe icmp 10.0.0.1
 *   gh_probe icmp6 fd00::1
 *   gh_probe udp ADDRESS PORT       one datagram, waits for any reply
 *   gh_probe udp-echo PORT          dual-stack UDP echo server (runs until killed)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int icmp_main(int argc, char **argv);

/* A port number 0..65535, or -1. */
static long parse_port(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return (*s && !*end && v >= 0 && v <= 65535) ? v : -1;
}

static unsigned short csum(const void *p, size_t n)
{
	const unsigned char *b = p;
	unsigned long s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (unsigned long)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (unsigned long)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((unsigned short)~s);
}

static int udp_echo(const char *port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	int fd = socket(AF_INET6, SOCK_DGRAM, 0), zero = 0;
	unsigned char buf[2048];

	sa.sin6_port = htons((unsigned short)parse_port(port));
	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("udp-echo");
		return 2;
	}
	for (;;) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

		if (n > 0)
			sendto(fd, "ok\n", 3, 0, (struct sockaddr *)&from, fl);
	}
}

static int udp_probe(const char *addr, const char *port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int fd;
	char buf[64];
	struct pollfd p;

	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)parse_port(port));
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			return 2;
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)parse_port(port));
		if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
			return 2;
		sl = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0)
		return 2;
	if (send(fd, "hi", 2, 0) != 2)
		return 1;
	p.fd = fd;
	p.events = POLLIN;
	if (poll(&p, 1, 1000) != 1 || recv(fd, buf, sizeof(buf), 0) <= 0)
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "udp-echo"))
		return udp_echo(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "udp"))
		return udp_probe(argv[2], argv[3]);
	return icmp_main(argc, argv);
}

static int icmp_main(int argc, char **argv)
{
	struct sockaddr_storage ss = { 0 };
	unsigned char pkt[64] = { 0 }, buf[2048];
	bool v6;
	socklen_t sl;
	int fd, id = getpid() & 0xffff;
	struct timespec t0, t1;

	if (argc != 3 || (strcmp(argv[1], "icmp") && strcmp(argv[1], "icmp6"))) {
		fputs("usage: gh_probe icmp|icmp6 ADDRESS | udp ADDRESS PORT | udp-echo PORT\n",
		      stderr);
		return 2;
	}
	v6 = !strcmp(argv[1], "icmp6");
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, argv[2], &s6->sin6_addr) != 1)
			return 2;
		sl = sizeof(*s6);
		fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
		pkt[0] = ICMP6_ECHO_REQUEST; /* the kernel computes the ICMPv6 checksum */
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		if (inet_pton(AF_INET, argv[2], &s4->sin_addr) != 1)
			return 2;
		sl = sizeof(*s4);
		fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
		pkt[0] = ICMP_ECHO;
	}
	if (fd < 0) {
		perror("socket");
		return 2;
	}
	pkt[4] = (unsigned char)(id >> 8);
	pkt[5] = (unsigned char)id;
	pkt[7] = 1;
	if (!v6) {
		unsigned short c = csum(pkt, sizeof(pkt));

		memcpy(pkt + 2, &c, 2);
	}
	if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, sl) < 0) {
		/* EPERM: our own output chain dropped it, which is an answer too. */
		return errno == EPERM ? 1 : 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		long ms;
		ssize_t n;
		unsigned char *icmp;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = 1000 - ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (ms <= 0 || poll(&p, 1, (int)ms) <= 0)
			return 1;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			continue;
		/* Raw IPv4 sockets include the IP header; IPv6 ones do not. */
		icmp = v6 ? buf : buf + ((buf[0] & 0xf) * 4);
		if (icmp + 8 > buf + n)
			continue;
		if ((v6 ? icmp[0] == ICMP6_ECHO_REPLY : icmp[0] == ICMP_ECHOREPLY) &&
		    icmp[4] == (unsigned char)(id >> 8) && icmp[5] == (unsigned char)id)
			return 0;
	}
}
