#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Golden gatehouse diff cases: tests/diff/<case>/ holds old.json and
# new.json (policy files) or old/ and new/ (stores), optionally args (extra
# options, one line), and the whole answer: expect.jsonl (stdout of
# --json) and expect.status (the exit status).
#
#   golden.sh GATEHOUSE CASE_DIR
set -u
gh="$1"
dir="$2"
out="$(mktemp)"
# Run inside the case: policies are named by the path given, so answers do not depend on it.
cd "$dir" || exit 1
if [ -e old.json ]; then old=old.json new=new.json; else old=old new=new; fi
args=""
[ -f args ] && args="$(cat args)"
trap 'rm -f "$out"' EXIT
# shellcheck disable=SC2086
"$gh" diff --json --now 2026-11-30T12:00:00Z $args "$old" "$new" >"$out" 2>/dev/null
status=$?
fail=0
if [ "$status" != "$(cat expect.status)" ]; then
	echo "exit status $status, want $(cat expect.status)"; fail=1
fi
if ! diff -u expect.jsonl "$out"; then fail=1; fi
exit $fail
