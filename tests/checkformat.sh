#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The C sources are as clang-format 14 writes them with .clang-format: any
# deviation fails, printed as clang-format's warnings (fix: clang-format -i
# FILE).  Usage: tests/checkformat.sh [REPO_ROOT].  Exit 77 (skipped) when
# clang-format 14 is not installed.
set -euo pipefail
root="${1:-$(dirname "$0")/..}"
cd "$root"

cf=""
for c in clang-format-14 clang-format; do
	if command -v "$c" >/dev/null && "$c" --version | grep -q 'version 14\.'; then
		cf="$c"
		break
	fi
done
if [[ -z $cf ]]; then
	echo "checkformat: clang-format 14 not found: skipped" >&2
	exit 77
fi

files=$(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 'tests/*.c' 'tests/*.h' 'fuzz/*.c' \
	2>/dev/null || find src include tests fuzz -name '*.[ch]')
# shellcheck disable=SC2086 # one word per file name
"$cf" --dry-run --Werror $files
