/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gh_frame: hand-made Ethernet frames for the bridged-guest test, which
 * needs what a well-behaved IP stack never sends (a gratuitous ARP or an
 * unsolicited neighbour advertisement for another guest's address, an IP
 * packet to one guest's MAC carrying another guest's address), and a
 * sniffer to see whether such a frame arrived.  Exit 0 when sent (or
 * sniffed, the count on stdout), 2 on usage or socket errors.
 *
 *   gh_frame garp IFNAME IP              ARP reply to ff:ff:ff:ff:ff:ff claiming IP
 *   gh_frame na IFNAME SRC6 TARGET6      unsolicited neighbour advertisement
 *                                        (override) to ff02::1 claiming TARGET6
 *   gh_frame udp IFNAME DSTMAC SRC DST PORT [SPORT]  one IPv4 UDP datagram to DSTMAC
 *                                        (from SPORT, default 40000)
 *   gh_frame sniff IFNAME PORT SECONDS   count IPv4 UDP frames to PORT
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A packet socket on @ifname, its index and MAC into @ifindex and @mac; -1 on error. */
static int open_if(const char *ifname, int *ifindex, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));

	if (fd < 0 || strlen(ifname) >= sizeof(ifr.ifr_name))
		return -1;
	memcpy(ifr.ifr_name, ifname, strlen(ifname) + 1);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	*ifindex = (int)if_nametoindex(ifname);
	return *ifindex ? fd : -1;
}

static int send_frame(int fd, int ifindex, const uint8_t *f, size_t n)
{
	struct sockaddr_ll sl = { .sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6 };

	memcpy(sl.sll_addr, f, 6);
	if (sendto(fd, f, n, 0, (struct sockaddr *)&sl, sizeof(sl)) != (ssize_t)n) {
		perror("sendto");
		return 2;
	}
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static int garp(int fd, int ifindex, const uint8_t mac[6], const char *ip)
{
	uint8_t f[42] = { 0 }, a[4];

	if (inet_pton(AF_INET, ip, a) != 1)
		return 2;
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	put16(f + 12, ETH_P_ARP);
	put16(f + 14, 1);      /* Ethernet */
	put16(f + 16, 0x0800); /* IPv4 */
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, 2); /* reply */
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, a, 4);
	memset(f + 32, 0xff, 6);
	memcpy(f + 38, a, 4);
	return send_frame(fd, ifindex, f, sizeof(f));
}

static int na(int fd, int ifindex, const uint8_t mac[6], const char *src, const char *target)
{
	/* Ethernet 14, IPv6 40, NA 24, target link-layer address option 8. */
	uint8_t f[86] = { 0 }, *ip = f + 14, *icmp = f + 54, pseudo[40] = { 0 };
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	uint32_t s;

	if (inet_pton(AF_INET6, src, ip + 8) != 1 || inet_pton(AF_INET6, target, icmp + 8) != 1)
		return 2;
	f[0] = 0x33;
	f[1] = 0x33;
	f[5] = 1;
	memcpy(f + 6, mac, 6);
	put16(f + 12, ETH_P_IPV6);
	ip[0] = 0x60;
	put16(ip + 4, 32);
	ip[6] = 58; /* ICMPv6 */
	ip[7] = 255;
	memcpy(ip + 24, all_nodes, 16);
	icmp[0] = 136;
	icmp[4] = 0x20; /* override */
	icmp[24] = 2;	/* target link-layer address */
	icmp[25] = 1;
	memcpy(icmp + 26, mac, 6);
	memcpy(pseudo, ip + 8, 32);
	pseudo[35] = 32;
	pseudo[39] = 58;
	s = sum16(pseudo, sizeof(pseudo), 0);
	put16(icmp + 2, fold(sum16(icmp, 32, s)));
	return send_frame(fd, ifindex, f, sizeof(f));
}

static int udp_send(int fd, int ifindex, const uint8_t mac[6], const char *dmac, const char *src,
		    const char *dst, const char *port, const char *sport)
{
	uint8_t f[14 + 20 + 8 + 4] = { 0 }, *ip = f + 14, *u = f + 34;
	long p = strtol(port, NULL, 10), sp = strtol(sport, NULL, 10);

	if (sp <= 0 || sp > 65535 || parse_mac(dmac, f) < 0 ||
	    inet_pton(AF_INET, src, ip + 12) != 1 || inet_pton(AF_INET, dst, ip + 16) != 1 ||
	    p <= 0 || p > 65535)
		return 2;
	memcpy(f + 6, mac, 6);
	put16(f + 12, ETH_P_IP);
	ip[0] = 0x45;
	put16(ip + 2, 32);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	put16(u, (uint16_t)sp);
	put16(u + 2, (uint16_t)p);
	put16(u + 4, 12);
	memcpy(u + 8, "gh!\n", 4);
	return send_frame(fd, ifindex, f, sizeof(f)); /* UDP checksum 0: none (IPv4) */
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int sniff(int fd, const char *port, const char *seconds)
{
	long p = strtol(port, NULL, 10);
	double end = now() + strtod(seconds, NULL);
	unsigned count = 0;
	uint8_t f[2048];

	for (double t = now(); t < end; t = now()) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pf, 1, (int)((end - t) * 1000) + 1) != 1)
			continue;
		n = recv(fd, f, sizeof(f), 0);
		if (n >= 42 && f[12] == 0x08 && f[13] == 0x00 && f[23] == IPPROTO_UDP &&
		    (f[14] & 0x0f) == 5 && (f[36] << 8 | f[37]) == p)
			count++;
	}
	printf("%u\n", count);
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t mac[6];
	int ifindex, fd;

	if (argc < 4) {
		fputs("usage: gh_frame garp IFNAME IP | na IFNAME SRC6 TARGET6 | "
		      "udp IFNAME DSTMAC SRC DST PORT [SPORT] | sniff IFNAME PORT SECONDS\n",
		      stderr);
		return 2;
	}
	fd = open_if(argv[2], &ifindex, mac);
	if (fd < 0) {
		perror(argv[2]);
		return 2;
	}
	if (!strcmp(argv[1], "garp") && argc == 4)
		return garp(fd, ifindex, mac, argv[3]);
	if (!strcmp(argv[1], "na") && argc == 5)
		return na(fd, ifindex, mac, argv[3], argv[4]);
	if (!strcmp(argv[1], "udp") && (argc == 7 || argc == 8))
		return udp_send(fd, ifindex, mac, argv[3], argv[4], argv[5], argv[6],
				argc == 8 ? argv[7] : "40000");
	if (!strcmp(argv[1], "sniff") && argc == 5)
		return sniff(fd, argv[3], argv[4]);
	fputs("gh_frame: bad arguments\n", stderr);
	return 2;
}
