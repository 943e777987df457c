/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "authz/value.h"

#include <gatehouse/authz.h>

#include <stdlib.h>
#include <string.h>

#include "common/str.h"

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

bool az_value_parse_number(const char *s, size_t len, double *ret)
{
	char buf[64];
	size_t i = 0, digits = 0;

	if (len == 0 || len >= sizeof(buf))
		return false;
	if (s[0] == '-')
		i++;
	for (; i < len && digit(s[i]); i++)
		digits++;
	if (!digits)
		return false;
	if (i < len && s[i] == '.') {
		size_t frac = 0;

		for (i++; i < len && digit(s[i]); i++)
			frac++;
		if (!frac)
			return false;
	}
	if (i != len)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	*ret = strtod(buf, NULL);
	return true;
}

/* Read exactly @n digits at *p into *ret. */
static bool num(const char **p, const char *end, int n, int *ret)
{
	int v = 0;

	if (end - *p < n)
		return false;
	for (int i = 0; i < n; i++) {
		if (!digit((*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*ret = v;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's method). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dim[m - 1];
}

static bool parse_epoch(const char *s, size_t len, int64_t *ret)
{
	int64_t v = 0;
	size_t i = s[0] == '-';

	/* 12 digits of seconds reach the year 33658: plenty, and no overflow. */
	if (len == i || len - i > 12)
		return false;
	for (size_t k = i; k < len; k++) {
		if (!digit(s[k]))
			return false;
		v = v * 10 + (s[k] - '0');
	}
	*ret = (i ? -v : v) * 1000;
	return true;
}

static bool parse_zone(const char *p, const char *end, int64_t *ret_offset_ms)
{
	int hh, mm = 0, sign;

	*ret_offset_ms = 0;
	if (p == end)
		return true; /* no zone: UTC */
	if (*p == 'Z' || *p == 'z')
		return p + 1 == end;
	if (*p != '+' && *p != '-')
		return false;
	sign = *p++ == '-' ? -1 : 1;
	if (!num(&p, end, 2, &hh))
		return false;
	if (p < end && *p == ':')
		p++;
	if (p < end && !num(&p, end, 2, &mm))
		return false;
	if (p != end || hh > 23 || mm > 59)
		return false;
	*ret_offset_ms = sign * ((int64_t)hh * 3600 + mm * 60) * 1000;
	return true;
}

bool az_value_parse_date(const char *s, size_t len, int64_t *ret)
{
	const char *p = s, *end = s + len;
	int y, mo, d, h = 0, mi = 0, sec = 0;
	int64_t ms = 0, zone;

	if (len == 0)
		return false;
	if (!memchr(s, '-', len) || (s[0] == '-' && !memchr(s + 1, '-', len - 1)))
		return parse_epoch(s, len, ret);
	if (!num(&p, end, 4, &y) || p == end || *p++ != '-' || !num(&p, end, 2, &mo) || p == end ||
	    *p++ != '-' || !num(&p, end, 2, &d))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return false;
	if (p < end && (*p == 'T' || *p == 't')) {
		p++;
		if (!num(&p, end, 2, &h) || p == end || *p++ != ':' || !num(&p, end, 2, &mi))
			return false;
		if (p < end && *p == ':') {
			p++;
			if (!num(&p, end, 2, &sec))
				return false;
			if (p < end && *p == '.') {
				int scale = 100;

				if (++p == end || !digit(*p))
					return false;
				for (; p < end && digit(*p); p++, scale /= 10)
					ms += (*p - '0') * scale;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return false;
	}
	if (!parse_zone(p, end, &zone))
		return false;
	*ret = (days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + mi * 60 + sec) * 1000 + ms -
	       zone;
	return true;
}

bool az_value_parse_bool(const char *s, size_t len, bool *ret)
{
	if (gh_eq_lit(s, len, "true"))
		*ret = true;
	else if (gh_eq_lit(s, len, "false"))
		*ret = false;
	else
		return false;
	return true;
}

bool az_value_is_base64(const char *s, size_t len)
{
	size_t pad = 0;

	if (len % 4)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '=') {
			pad++;
			continue;
		}
		if (pad)
			return false; /* data after padding */
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || digit(c) || c == '+' ||
		      c == '/'))
			return false;
	}
	return pad <= 2;
}

bool az_value_split_arn(const char *s, size_t len, uint32_t starts[6], uint32_t lens[6])
{
	size_t part = 0, start = 0;

	if (!gh_prefix_lit_case(s, len, "arn:"))
		return false;
	for (size_t i = 0; i < len && part < 5; i++) {
		if (s[i] == ':') {
			starts[part] = (uint32_t)start;
			lens[part] = (uint32_t)(i - start);
			part++;
			start = i + 1;
		}
	}
	if (part < 5)
		return false;
	starts[5] = (uint32_t)start;
	lens[5] = (uint32_t)(len - start);
	return true;
}

bool authz_parse_time(const char *s, int64_t *ret_ms)
{
	return az_value_parse_date(s, strlen(s), ret_ms);
}

bool az_value_is_iam_name(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || digit(*s) ||
		      strchr("+=,.@_-", *s)))
			return false;
	return true;
}
