/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replay fuzz inputs without libFuzzer (as systemd's fuzz-main.c): every
 * argument is a file or a directory of files, each fed once to
 * LLVMFuzzerTestOneInput.  A crash fails the test; a missing directory is
 * fine (no reproducers committed yet).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	struct diag_list dl;
	char *text = NULL;
	size_t len = 0;

	diag_list_init(&dl);
	if (gh_file_read(path, &text, &len, &dl) < 0) {
		diag_list_print(stderr, &dl);
		diag_list_clear(&dl);
		return -1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)text, len);
	free(text);
	return 0;
}

int main(int argc, char **argv)
{
	size_t runs = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st) < 0) {
			if (errno == ENOENT)
				continue;
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) < 0)
				return 1;
			runs++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d) {
			perror(argv[i]);
			return 1;
		}
		while ((e = readdir(d))) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name) >=
			    sizeof(path))
				continue;
			if (run_file(path) < 0) {
				closedir(d);
				return 1;
			}
			runs++;
		}
		closedir(d);
	}
	printf("%zu inputs replayed, no crash\n", runs);
	return runs ? 0 : 1;
}
