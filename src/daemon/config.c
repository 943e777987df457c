/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehoused's settings: one table of what each is and what it accepts,
 * used by the flags (main.c) and the configuration file alike (config.h
 * says why the file is "key = value" lines).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gatehouse/diag.h>

#include "common/macro.h"
#include "common/str.h"
#include "daemon/config.h"

/* A configuration file is a few lines; past this it is not one. */
#define CONFIG_MAX (64u << 10)

enum kind {
	KIND_TEXT,  /* a path or a name, not empty */
	KIND_MODE,  /* an octal file mode */
	KIND_UINT,  /* unsigned, in [min, max] */
	KIND_BYTES, /* size_t, in [min, max] */
};

/**
 * struct setting - one setting
 * @min, @max: the range of a number, each with its reason below
 */
struct setting {
	const char *name;
	enum kind kind;
	size_t off;
	unsigned long long min, max;
};

#define OPT(f) offsetof(struct gd_options, f)

static const struct setting settings[_GD_SET_MAX] = {
	[GD_SET_POLICIES] = { "policies", KIND_TEXT, OPT(policies), 0, 0 },
	[GD_SET_SOCKET] = { "socket", KIND_TEXT, OPT(socket), 0, 0 },
	[GD_SET_MFA_SECRETS] = { "mfa-secrets", KIND_TEXT, OPT(mfa_secrets), 0, 0 },
	[GD_SET_DECISION_LOG] = { "decision-log", KIND_TEXT, OPT(decision_log), 0, 0 },
	[GD_SET_STATE] = { "state", KIND_TEXT, OPT(state), 0, 0 },
	[GD_SET_USER] = { "user", KIND_TEXT, OPT(user), 0, 0 },
	[GD_SET_SOCKET_MODE] = { "socket-mode", KIND_MODE, OPT(mode), 0, 0777 },
	[GD_SET_SOCKET_GROUP] = { "socket-group", KIND_TEXT, OPT(group), 0, 0 },
	/* More threads than this is more than any machine here has cores for. */
	[GD_SET_THREADS] = { "threads", KIND_UINT, OPT(threads), 1, 64 },
	/*
	 * A body: at least a single request with some context; at most 16 MiB,
	 * a batch of GD_BATCH_MAX requests of 16 KiB each.
	 */
	[GD_SET_MAX_BODY] = { "max-body", KIND_BYTES, OPT(caps.body_max), 1024, 16u << 20 },
	/*
	 * libmicrohttpd's memory per connection: the request line and headers,
	 * and its read and write buffers; below 8 KiB it cannot answer.
	 */
	[GD_SET_MAX_HEADER] = { "max-header", KIND_BYTES, OPT(caps.header_mem), 8u << 10,
				1u << 20 },
	/* Each connection is a file descriptor; beyond this, raise the limit on those first. */
	[GD_SET_MAX_CONNECTIONS] = { "max-connections", KIND_UINT, OPT(caps.connections_max), 1,
				     65536 },
	/* A day: a connection silent for longer is gone. */
	[GD_SET_IDLE_TIMEOUT] = { "idle-timeout", KIND_UINT, OPT(caps.idle_seconds), 1, 86400 },
};

const char *gd_setting_name(enum gd_setting id)
{
	return settings[id].name;
}

void gd_options_init(struct gd_options *o)
{
	*o = (struct gd_options){
		.mode = 0660,
		.threads = 2,
		.caps = { .body_max = GD_BODY_MAX,
			  .header_mem = GD_HEADER_MEM,
			  .connections_max = GD_CONNECTIONS_MAX,
			  .idle_seconds = GD_IDLE_SECONDS },
	};
}

/* @text as a number of @base, all of it, no sign: false when it is not one. */
static bool parse_number(const char *text, int base, unsigned long long *ret)
{
	char *end;

	if (!(text[0] >= '0' && text[0] <= '9'))
		return false;
	errno = 0;
	*ret = strtoull(text, &end, base);
	return !errno && !*end;
}

int gd_option_set(struct gd_options *o, enum gd_setting id, const char *text, char *err,
		  size_t errsize)
{
	const struct setting *s = &settings[id];
	void *field = (char *)o + s->off;
	unsigned long long v = 0;

	switch (s->kind) {
	case KIND_TEXT:
		if (!text[0]) {
			snprintf(err, errsize, "wants a value, got none");
			return -1;
		}
		*(const char **)field = text;
		break;
	case KIND_MODE:
		if (!parse_number(text, 8, &v) || v > s->max) {
			snprintf(err, errsize, "wants an octal mode such as 0660, got '%s'", text);
			return -1;
		}
		*(mode_t *)field = (mode_t)v;
		break;
	case KIND_UINT:
	case KIND_BYTES:
		if (!parse_number(text, 10, &v) || v < s->min || v > s->max) {
			snprintf(err, errsize, "wants %llu to %llu%s, got '%s'", s->min, s->max,
				 s->kind == KIND_BYTES ? " bytes" : "", text);
			return -1;
		}
		if (s->kind == KIND_UINT)
			*(unsigned *)field = (unsigned)v;
		else
			*(size_t *)field = (size_t)v;
		break;
	}
	o->set[id] = true;
	return 0;
}

void gd_options_merge(struct gd_options *base, const struct gd_options *over)
{
	static const size_t size[] = {
		[KIND_TEXT] = sizeof(const char *),
		[KIND_MODE] = sizeof(mode_t),
		[KIND_UINT] = sizeof(unsigned),
		[KIND_BYTES] = sizeof(size_t),
	};

	for (size_t i = 0; i < _GD_SET_MAX; i++) {
		if (!over->set[i])
			continue;
		memcpy((char *)base + settings[i].off, (const char *)over + settings[i].off,
		       size[settings[i].kind]);
		base->set[i] = true;
	}
}

/* The whole of @path, NUL-terminated, or NULL with errno (E2BIG past CONFIG_MAX). */
static char *slurp(const char *path, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	ssize_t r;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	if (!(text = malloc(CONFIG_MAX + 1)))
		goto fail;
	/* Read up to one byte past the cap, to tell a file of exactly CONFIG_MAX from a longer one.
	 */
	while (len <= CONFIG_MAX && (r = read(fd, text + len, CONFIG_MAX + 1 - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		len += (size_t)r;
	}
	if (len > CONFIG_MAX) {
		errno = E2BIG;
		goto fail;
	}
	close(fd);
	text[len] = '\0';
	*ret_len = len;
	return text;
fail:
	r = errno;
	free(text);
	close(fd);
	errno = (int)r;
	return NULL;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/**
 * struct reader - the file being read
 * @line: the line's number (1-based)
 * @first: the line each setting was given at, 0 when not yet
 */
struct reader {
	const char *path;
	FILE *errf;
	unsigned errors;
	unsigned line;
	unsigned first[_GD_SET_MAX];
};

static void fail(struct reader *r, const char *at, const char *line_start, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* One error, at @at on the current line (columns count bytes from 1). */
static void fail(struct reader *r, const char *at, const char *line_start, const char *fmt, ...)
{
	va_list ap;

	fprintf(r->errf, "gatehoused: %s:%u:%zu: ", r->path, r->line,
		(size_t)(at - line_start) + 1);
	va_start(ap, fmt);
	vfprintf(r->errf, fmt, ap);
	va_end(ap);
	fputc('\n', r->errf);
	r->errors++;
}

/* The setting named @key (@klen bytes), or _GD_SET_MAX. */
static enum gd_setting lookup(const char *key, size_t klen)
{
	for (size_t i = 0; i < _GD_SET_MAX; i++)
		if (strlen(settings[i].name) == klen && !memcmp(settings[i].name, key, klen))
			return (enum gd_setting)i;
	return _GD_SET_MAX;
}

static void unknown_key(struct reader *r, char *key, const char *line_start)
{
	const char *names[_GD_SET_MAX], *near;

	for (size_t i = 0; i < _GD_SET_MAX; i++)
		names[i] = settings[i].name;
	near = diag_suggest(key, names, _GD_SET_MAX);
	if (near)
		fail(r, key, line_start, "unknown key '%s': did you mean '%s'?", key, near);
	else
		fail(r, key, line_start,
		     "unknown key '%s' (the keys are the options of "
		     "'gatehoused --help', without their dashes)",
		     key);
}

/*
 * One line, NUL-terminated in place: blank, "# comment", or
 * "key = value" with an optional "# comment" after a blank.  The key and
 * value are cut out in place (the value's end gets a NUL).
 */
static void read_line(struct reader *r, char *s, struct gd_options *o)
{
	char *p = s, *key, *val, *end, saved, msg[160];
	enum gd_setting id;

	while (blank(*p))
		p++;
	if (!*p || *p == '#')
		return;
	key = p;
	while (key_char(*p))
		p++;
	if (p == key) {
		fail(r, p, s, "expected a key (letters, digits and '-'), got '%c'", *p);
		return;
	}
	end = p;
	while (blank(*p))
		p++;
	if (*p != '=') {
		fail(r, p, s, "expected '=' after the key");
		return;
	}
	p++;
	while (blank(*p))
		p++;
	val = p;
	/* The value ends at the line's end or at a '#' after a blank. */
	while (*p && !(*p == '#' && p > val && blank(p[-1])))
		p++;
	while (p > val && blank(p[-1]))
		p--;
	*p = '\0';
	saved = *end;
	*end = '\0';
	id = lookup(key, (size_t)(end - key));
	if (id == _GD_SET_MAX) {
		unknown_key(r, key, s);
		return;
	}
	*end = saved;
	if (r->first[id]) {
		fail(r, key, s, "%s given twice (first on line %u)", settings[id].name,
		     r->first[id]);
		return;
	}
	r->first[id] = r->line;
	if (gd_option_set(o, id, val, msg, sizeof(msg)) < 0)
		fail(r, val, s, "%s %s", settings[id].name, msg);
}

int gd_config_read(const char *path, struct gd_options *o, char **ret_text, FILE *errf)
{
	struct reader r = { .path = path, .errf = errf };
	struct gd_options tmp;
	size_t len;
	char *text = slurp(path, &len), *line, *nl;

	if (!text) {
		fprintf(errf, "gatehoused: --config %s: %s\n", path,
			errno == E2BIG ? "longer than 64 KiB: not a configuration file"
				       : strerror(errno));
		return -1;
	}
	gd_options_init(&tmp);
	for (line = text; line <= text + len; line = nl + 1) {
		r.line++;
		nl = memchr(line, '\n', (size_t)(text + len - line));
		if (!nl)
			nl = text + len;
		if (memchr(line, '\0', (size_t)(nl - line))) {
			fail(&r, (const char *)memchr(line, '\0', (size_t)(nl - line)), line,
			     "a NUL byte: not a text file");
			break;
		}
		*nl = '\0';
		read_line(&r, line, &tmp);
	}
	if (r.errors) {
		free(text);
		return -1;
	}
	gd_options_merge(o, &tmp);
	*ret_text = text;
	return 0;
}
