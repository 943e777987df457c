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

double bench_timer_overhead_ns(unsigned n)
{
	double *d = calloc(n, sizeof(*d)), med;

	if (!d)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t t0 = bench_now_ns(), t1 = bench_now_ns();

		d[i] = (double)(t1 - t0);
	}
	qsort(d, n, sizeof(*d), bench_cmp_double);
	med = d[n / 2];
	free(d);
	return med;
}

uint64_t bench_hist_quantile(const uint32_t *hist, uint64_t total, double q)
{
	uint64_t want = (uint64_t)(q * (double)total), acc = 0;

	if (want >= total)
		want = total - 1;
	for (uint32_t i = 0; i < BENCH_LAT_BINS; i++) {
		acc += hist[i];
		if (acc > want)
			return i;
	}
	return BENCH_LAT_BINS - 1;
}

int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}
