#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Source checks, as curl's checksrc: no banned calls (unbounded or
# truncating string functions, shelling out), and an SPDX line in every
# source file.  Usage: tests/checksrc.sh [REPO_ROOT]
set -euo pipefail
root="${1:-$(dirname "$0")/..}"
cd "$root"

status=0
banned='\b(sprintf|vsprintf|strcpy|strcat|strncpy|strncat|strtok|atoi|atol|gets|system|popen)[[:space:]]*\('
files=$(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 'fuzz/*.c' 'tests/*.c' 'tests/*.h' 2>/dev/null ||
	find src include fuzz tests -name '*.[ch]')
for f in $files; do
	[[ -f $f ]] || continue
	if grep -nE "$banned" "$f" | grep -vE '^\s*[0-9]+:\s*(\*|/\*)'; then
		echo "$f: banned call (see tests/checksrc.sh)" >&2
		status=1
	fi
	if ! head -n 2 "$f" | grep -q 'SPDX-License-Identifier: GPL-2.0-or-later'; then
		echo "$f: missing SPDX line" >&2
		status=1
	fi
done
# The command line is a client of the libraries' public API: system headers,
# <gatehouse/...> and its own headers, never src/'s internals (its build gives
# it no -Isrc; a relative "../common/x.h" would still reach them).
if grep -nE '^#[[:space:]]*include[[:space:]]*"[^"]*/' src/cli/*.[ch]; then
	echo "src/cli: a header outside include/gatehouse/ and src/cli/ (see tests/checksrc.sh)" >&2
	status=1
fi
# A script's --help is a usage() heredoc, never lines A to B of the script
# printed by sed (they go wrong as soon as the header moves).
scripts=$(git ls-files 'scripts/*' 'tests/*.sh' 'fuzz/*.sh' 2>/dev/null || find scripts tests fuzz -name '*.sh')
for f in $scripts; do
	[[ -f $f ]] || continue
	if grep -nE "sed -n ['\"]?[0-9]+,[0-9]+p" "$f"; then
		echo "$f: --help by sed -n 'A,Bp': write a usage() heredoc (see tests/checksrc.sh)" >&2
		status=1
	fi
done
exit $status
