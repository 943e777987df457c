/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bench_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long bench_status_kib(const char *field)
{
	size_t flen = strlen(field);
	char line[256];
	long kib = -1;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, flen) && line[flen] == ':') {
			char *end;

			errno = 0;
			kib = strtol(line + flen + 1, &end, 10);
			if (errno || end == line + flen + 1)
				kib = -1;
			break;
		}
	}
	fclose(f);
	return kib;
}

bool bench_parse_u64(const char *s, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*ret = v;
	return true;
}

bool bench_parse_seconds(const char *s, double *ret)
{
	double v;
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v > 0) || v > 3600)
		return false;
	*ret = v;
	return true;
}
