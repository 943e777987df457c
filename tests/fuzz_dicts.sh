#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Every fuzz harness fuzz/NAME.c has its dictionary fuzz/NAME.dict, or
# fuzz/README.md says "`NAME` has none" and why (scripts/fuzz.sh would
# otherwise skip the dictionary silently).  Usage: tests/fuzz_dicts.sh REPO_ROOT
cd "$1" || exit 2
rc=0
for c in fuzz/fuzz_*.c; do
	n=$(basename "$c" .c)
	[ -f "fuzz/$n.dict" ] && continue
	grep -q "\`$n\` has none" fuzz/README.md && continue
	echo "fuzz/$n.dict is missing and fuzz/README.md does not say why" >&2
	rc=1
done
exit $rc
