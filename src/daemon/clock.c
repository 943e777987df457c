/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The time of a request.  In service: CLOCK_REALTIME.  With the hidden
 * --test-clock FILE option, which only the test suite passes: the seconds
 * written in FILE, read at each call, so that tests cross MFA-age limits,
 * expire sessions and step TOTP codes without sleeping.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon.h"

int64_t gd_clock_now_ms(const struct gd_clock *c)
{
	struct timespec ts;

	if (c->test_file) {
		char buf[64];
		int fd = open(c->test_file, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		char *end;
		double s;

		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = '\0';
			s = strtod(buf, &end);
			if (end != buf && s >= 0 && s < 1e11)
				return (int64_t)(s * 1000);
		}
		/* A test clock that cannot be read falls back to the real one. */
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
