/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "util.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

bool cli_parse_kind(const char *s, enum authz_policy_kind *ret)
{
	static const struct {
		const char *name;
		enum authz_policy_kind kind;
	} kinds[] = {
		{ "identity", AUTHZ_POLICY_IDENTITY },
		{ "resource", AUTHZ_POLICY_RESOURCE },
		{ "trust", AUTHZ_POLICY_TRUST },
		{ "auto", AUTHZ_POLICY_AUTO },
	};

	for (size_t i = 0; i < CLI_ARRAY_SIZE(kinds); i++) {
		if (!strcmp(s, kinds[i].name)) {
			*ret = kinds[i].kind;
			return true;
		}
	}
	return false;
}

/*
 * Lines read in large chunks: a byte at a time through getc() was a
 * quarter of `gatehouse simulate`'s time.  A line that ends inside the
 * buffer is handed out in place; a longer one is moved to the front and
 * the buffer grown, up to CLI_LINE_MAX bytes of it.
 */
#define CLI_READ_CHUNK (256u << 10)

/**
 * struct line_reader - the lines of stdin
 * @f: read from here into @buf...
 * @buf, @cap: ...which holds @cap bytes (and one more, for a NUL)
 * @head, @tail: unread bytes: @buf[@head, @tail), or @map[@head, @tail)
 * @eof: @f has no more
 * @map: stdin mapped instead (map_stdin()), or NULL
 */
struct line_reader {
	FILE *f;
	char *buf;
	size_t cap;
	size_t head, tail;
	bool eof;
	const char *map;
};

/* The mapping of stdin, for on_sigbus(): set once, before any page of it is touched. */
static const char *mapped_stdin;
static size_t mapped_stdin_len;

/*
 * A mapped file cut shorter while it is read (opened again with ">", a
 * log rotation copying and truncating) makes the next touch of a page
 * past its new end SIGBUS.  That is a changed input, not a crash: say so
 * and stop, answers written so far left in place.  A SIGBUS outside the
 * mapping is someone else's: the default action, with the same signal.
 */
static void on_sigbus(int sig, siginfo_t *si, void *uctx)
{
	static const char msg[] = "gatehouse: standard input was truncated while it was read "
				  "(replace a file by renaming a new one over it)\n";
	const char *at = si->si_addr;

	(void)uctx;
	if (mapped_stdin && at >= mapped_stdin && at < mapped_stdin + mapped_stdin_len) {
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
			/* nothing more to say */
		}
		_exit(CLI_EXIT_REFUSED);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Stdin that is a regular file is mapped, not read: the kernel's copy of
 * a 44 MB benchmark stream into the buffer was a tenth of `gatehouse
 * simulate`'s time.  From where its offset is (nothing has read stdin
 * before), to its size when the command starts.  False for a pipe, a
 * terminal, an empty file, or one that cannot be mapped: those are read.
 */
static bool map_stdin(struct line_reader *lr)
{
	struct stat st;
	off_t at;
	void *m;

	if (fstat(STDIN_FILENO, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uintmax_t)st.st_size > SIZE_MAX)
		return false;
	at = lseek(STDIN_FILENO, 0, SEEK_CUR);
	if (at < 0 || at >= st.st_size)
		return false;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, STDIN_FILENO, 0);
	if (m == MAP_FAILED)
		return false;
	mapped_stdin = m;
	mapped_stdin_len = (size_t)st.st_size;
	{
		struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGBUS, &sa, NULL);
	}
	lr->map = m;
	lr->head = (size_t)at;
	lr->tail = (size_t)st.st_size;
	return true;
}

/* Done with a mapped stdin: its offset is left at the end, as reading it would. */
static void unmap_stdin(struct line_reader *lr)
{
	mapped_stdin = NULL;
	munmap((void *)lr->map, lr->tail);
	lseek(STDIN_FILENO, (off_t)lr->tail, SEEK_SET);
}

/* The next line of a mapped stdin, in place (no NUL): as read_line(). */
static long map_line(struct line_reader *lr, const char **ret, bool *ret_too_long)
{
	const char *start = lr->map + lr->head, *nl;
	size_t avail = lr->tail - lr->head, len;

	if (!avail)
		return -1;
	nl = memchr(start, '\n', avail);
	len = nl ? (size_t)(nl - start) : avail;
	lr->head += nl ? len + 1 : len;
	*ret_too_long = len > CLI_LINE_MAX;
	*ret = start;
	return *ret_too_long ? 0 : (long)len;
}

/*
 * More bytes after the unread ones, moved to the front and the buffer
 * grown as needed.  False when nothing came: at the end (lr->eof), or out
 * of memory to grow.
 */
static bool fill(struct line_reader *lr)
{
	size_t n;

	if (lr->head) {
		memmove(lr->buf, lr->buf + lr->head, lr->tail - lr->head);
		lr->tail -= lr->head;
		lr->head = 0;
	}
	if (lr->cap - lr->tail < CLI_READ_CHUNK) {
		size_t ncap = lr->tail + 2 * CLI_READ_CHUNK;
		char *b = realloc(lr->buf, ncap + 1); /* + 1: room for a line's NUL */

		if (!b)
			return false;
		lr->buf = b;
		lr->cap = ncap;
	}
	n = fread(lr->buf + lr->tail, 1, lr->cap - lr->tail, lr->f);
	lr->tail += n;
	lr->eof = n == 0;
	return n > 0;
}

/*
 * The next line, without its '\n', in place in *@ret (NUL-terminated when
 * read, not when mapped): at most CLI_LINE_MAX bytes; the rest of a longer
 * one is read and dropped, never kept, and *@ret_too_long is set (so is a
 * line there is no memory for).  Returns the length, or -1 at the end.
 */
static long read_line(struct line_reader *lr, const char **ret, bool *ret_too_long)
{
	size_t scanned = 0; /* unread bytes already searched for '\n' */
	bool drop = false;

	if (lr->map)
		return map_line(lr, ret, ret_too_long);
	for (;;) {
		char *start = lr->buf + lr->head, *nl;
		size_t avail = lr->tail - lr->head, len;

		nl = memchr(start + scanned, '\n', avail - scanned);
		if (nl || (lr->eof && (avail || drop))) {
			len = nl ? (size_t)(nl - start) : avail;
			lr->head += nl ? len + 1 : len;
			*ret_too_long = drop || len > CLI_LINE_MAX;
			if (*ret_too_long)
				len = 0;
			start[len] = '\0'; /* on the '\n', or past the bytes (fill()'s + 1) */
			*ret = start;
			return (long)len;
		}
		if (lr->eof)
			return -1;
		if (avail > CLI_LINE_MAX) {
			/* Too long already: keep none of it, read on to its end. */
			drop = true;
			lr->head = lr->tail;
			avail = 0;
		}
		scanned = avail;
		if (!fill(lr) && !lr->eof) {
			/* No memory to grow: the line is dropped as too long. */
			drop = true;
			lr->head = lr->tail;
			scanned = 0;
		}
	}
}

/* One input line's answer (none for a blank line) on @out. */
static void answer_one(const char *line, size_t len, bool too_long, int lineno, FILE *out,
		       cli_answer_fn *answer, void *data)
{
	char *o;

	while (len && line[len - 1] == '\r')
		len--;
	if (too_long) {
		fprintf(out,
			"{\"id\":null,\"error\":{\"message\":\"line longer than %u bytes\","
			"\"path\":\"\",\"line\":%d,\"column\":1}}\n",
			CLI_LINE_MAX, lineno);
		return;
	}
	if (len == 0)
		return; /* blank lines separate nothing: skip them */
	o = answer(line, len, lineno, data);
	/* Out of memory for this line only: say so, and go on with the next. */
	fputs(o ? o : "{\"id\":null,\"error\":{\"message\":\"out of memory\"}}", out);
	fputc('\n', out);
	free(o);
}

/* The answers of the lines of [@p, @end), the first numbered @lineno + 1, on @out. */
static void answer_lines(const char *p, const char *end, int lineno, FILE *out,
			 cli_answer_fn *answer, void *data)
{
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);

		answer_one(p, len, len > CLI_LINE_MAX, ++lineno, out, answer, data);
		p = nl ? nl + 1 : end;
	}
}

/*
 * A mapped stdin answered by several threads.  The main thread cuts the
 * map into chunks of whole lines (CLI_PAR_CHUNK bytes and up to the next
 * newline), numbering lines as it goes; workers answer a chunk each into
 * a memory stream; the main thread writes the chunks out in input order.
 * At most CLI_PAR_SLOTS chunks are in flight, so memory stays bounded
 * whatever the input's size.  The library's evaluation is thread-safe
 * (simulate's document cache is shared under a lock).
 */
#define CLI_PAR_CHUNK (4u << 20)
#define CLI_PAR_SLOTS 16

/**
 * struct chunk - some whole lines of the input and their answers
 * @lineno: the number of the line before its first
 * @out, @outlen: the answers (open_memstream()), or NULL when the stream
 *	could not be made: the main thread answers the chunk itself
 */
struct chunk {
	const char *p, *end;
	int lineno;
	char *out;
	size_t outlen;
	bool done;
};

/**
 * struct pool - chunks in a ring, under @lock
 * @head: the next chunk to write out; @taken: the next to answer;
 *	@tail: the next to cut (head <= taken <= tail <= head + CLI_PAR_SLOTS)
 * @work: a chunk was cut, or @stop; @done: a chunk was answered
 */
struct pool {
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct chunk ring[CLI_PAR_SLOTS];
	size_t head, taken, tail;
	bool stop;
	cli_answer_fn *answer;
	void *data;
};

static void *worker(void *arg)
{
	struct pool *pl = arg;

	pthread_mutex_lock(&pl->lock);
	for (;;) {
		struct chunk *c;
		FILE *f;

		while (pl->taken == pl->tail && !pl->stop)
			pthread_cond_wait(&pl->work, &pl->lock);
		if (pl->taken == pl->tail)
			break;
		c = &pl->ring[pl->taken++ % CLI_PAR_SLOTS];
		pthread_mutex_unlock(&pl->lock);
		f = open_memstream(&c->out, &c->outlen);
		if (f) {
			answer_lines(c->p, c->end, c->lineno, f, pl->answer, pl->data);
			if (fclose(f) != 0) {
				free(c->out);
				c->out = NULL;
			}
		} else {
			c->out = NULL;
		}
		pthread_mutex_lock(&pl->lock);
		c->done = true;
		pthread_cond_signal(&pl->done);
	}
	pthread_mutex_unlock(&pl->lock);
	return NULL;
}

/* Cut the chunk at *@pos of [.., @end) into @c, lines numbered from *@lineno; both advanced. */
static void cut_chunk(struct chunk *c, const char **pos, const char *end, int *lineno)
{
	const char *e = end, *nl;

	if ((size_t)(end - *pos) > CLI_PAR_CHUNK) {
		nl = memchr(*pos + CLI_PAR_CHUNK, '\n', (size_t)(end - *pos - CLI_PAR_CHUNK));
		e = nl ? nl + 1 : end;
	}
	*c = (struct chunk){ .p = *pos, .end = e, .lineno = *lineno };
	for (const char *q = *pos; q < e && (nl = memchr(q, '\n', (size_t)(e - q))); q = nl + 1)
		++*lineno;
	if (e > *pos && e[-1] != '\n')
		++*lineno; /* the last line, without a newline */
	*pos = e;
}

/* The answers of the mapped [@p, @end) by @threads workers, in order on stdout. */
static void answer_parallel(const char *p, const char *end, unsigned threads, cli_answer_fn *answer,
			    void *data)
{
	struct pool pl = { .answer = answer, .data = data };
	pthread_t tid[CLI_THREADS_MAX];
	unsigned started = 0;
	int lineno = 0;

	pthread_mutex_init(&pl.lock, NULL);
	pthread_cond_init(&pl.work, NULL);
	pthread_cond_init(&pl.done, NULL);
	for (; started < threads; started++)
		if (pthread_create(&tid[started], NULL, worker, &pl) != 0)
			break;
	pthread_mutex_lock(&pl.lock);
	for (;;) {
		struct chunk *c = &pl.ring[pl.head % CLI_PAR_SLOTS];

		if (pl.head < pl.tail && (c->done || !started)) {
			pthread_mutex_unlock(&pl.lock);
			if (c->out)
				fwrite(c->out, 1, c->outlen, stdout);
			else /* no memory stream (or no worker): answered here */
				answer_lines(c->p, c->end, c->lineno, stdout, answer, data);
			free(c->out);
			pthread_mutex_lock(&pl.lock);
			pl.head++;
			continue;
		}
		if (p < end && pl.tail - pl.head < CLI_PAR_SLOTS) {
			c = &pl.ring[pl.tail % CLI_PAR_SLOTS];
			pthread_mutex_unlock(&pl.lock);
			cut_chunk(c, &p, end, &lineno); /* a free slot: no worker sees it yet */
			pthread_mutex_lock(&pl.lock);
			pl.tail++;
			if (!started)
				pl.taken = pl.tail;
			pthread_cond_signal(&pl.work);
			continue;
		}
		if (p == end && pl.head == pl.tail)
			break;
		pthread_cond_wait(&pl.done, &pl.lock);
	}
	pl.stop = true;
	pthread_cond_broadcast(&pl.work);
	pthread_mutex_unlock(&pl.lock);
	while (started)
		pthread_join(tid[--started], NULL);
	pthread_cond_destroy(&pl.done);
	pthread_cond_destroy(&pl.work);
	pthread_mutex_destroy(&pl.lock);
}

int cli_jsonl(cli_answer_fn *answer, void *data, unsigned threads)
{
	struct line_reader lr = { .f = stdin };
	const char *line;
	long n;
	int lineno = 0;
	bool too_long;

	/* The buffer's first size: a line that needs more grows it (fill()). */
	lr.cap = 2 * CLI_READ_CHUNK;
	lr.buf = map_stdin(&lr) ? NULL : malloc(lr.cap + 1);
	if (!lr.map && !lr.buf) {
		fputs("gatehouse: out of memory\n", stderr);
		return CLI_EXIT_REFUSED;
	}
	if (lr.map && threads > 1 && lr.tail - lr.head > 2 * CLI_PAR_CHUNK) {
		answer_parallel(lr.map + lr.head, lr.map + lr.tail,
				threads < CLI_THREADS_MAX ? threads : CLI_THREADS_MAX, answer,
				data);
		lr.head = lr.tail;
	}
	while ((n = read_line(&lr, &line, &too_long)) != -1)
		answer_one(line, (size_t)n, too_long, ++lineno, stdout, answer, data);
	if (lr.map)
		unmap_stdin(&lr);
	free(lr.buf);
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_REFUSED;
}

int cli_bad_option(const char *cmd, int ch, char **argv, const struct option *opts)
{
	const char *arg = argv[optind - 1];
	const char *names[64], *s;
	char word[64];
	size_t n = 0;

	if (ch != ':' && optopt) {
		/* An unknown short option: getopt may still be inside a cluster such as -xq. */
		snprintf(word, sizeof(word), "-%c", optopt);
		arg = word;
	} else {
		/* "--polices=x" is the option --polices. */
		size_t len = strcspn(arg, "=");

		snprintf(word, sizeof(word), "%.*s", (int)(len < 63 ? len : 63), arg);
		arg = word;
	}
	if (ch == ':') {
		fprintf(stderr, "%s: %s needs a value (try '%s --help')\n", cmd, arg, cmd);
		return CLI_EXIT_USAGE;
	}
	for (; opts->name && n < CLI_ARRAY_SIZE(names); opts++)
		names[n++] = opts->name;
	s = arg[0] == '-' && arg[1] == '-' ? diag_suggest(arg + 2, names, n) : NULL;
	if (s)
		fprintf(stderr, "%s: unknown option %s: did you mean --%s? (try '%s --help')\n",
			cmd, arg, s, cmd);
	else
		fprintf(stderr, "%s: unknown option %s (try '%s --help')\n", cmd, arg, cmd);
	return CLI_EXIT_USAGE;
}

const char *cli_trim_dir(const char *dir, char *buf, size_t size)
{
	size_t len = strlen(dir);

	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (len == strlen(dir) || len >= size)
		return dir;
	memcpy(buf, dir, len);
	buf[len] = '\0';
	return buf;
}
