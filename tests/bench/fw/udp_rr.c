/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * UDP request/response rate, one new flow per request (a fresh socket, so
 * a fresh source port and conntrack entry): every request walks the input
 * chain, which is what the rule count can slow down.
 *
 *   udp_rr server PORT
 *   udp_rr client ADDRESS PORT SECONDS     prints "requests/s"
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char buf[64];

	if (argc == 3 && !strcmp(argv[1], "server")) {
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		sa.sin_port = htons((unsigned short)strtoul(argv[2], NULL, 10));
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			perror("bind");
			return 1;
		}
		for (;;) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t n =
			    recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

			if (n > 0)
				sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
		}
	}
	if (argc == 5 && !strcmp(argv[1], "client")) {
		double secs = strtod(argv[4], NULL), t0, t1;
		unsigned long ok = 0, lost = 0;

		sa.sin_port = htons((unsigned short)strtoul(argv[3], NULL, 10));
		if (inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1)
			return 2;
		t0 = now();
		do {
			int fd = socket(AF_INET, SOCK_DGRAM, 0);
			struct pollfd p = { fd, POLLIN, 0 };

			if (fd < 0)
				return 1;
			if (sendto(fd, "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)) == 1 &&
			    poll(&p, 1, 100) == 1 && recv(fd, buf, sizeof(buf), 0) > 0)
				ok++;
			else
				lost++;
			close(fd);
			t1 = now();
		} while (t1 - t0 < secs);
		printf("%.0f %lu\n", (double)ok / (t1 - t0), lost);
		return 0;
	}
	fputs("usage: udp_rr server PORT | udp_rr client ADDRESS PORT SECONDS\n", stderr);
	return 2;
}
