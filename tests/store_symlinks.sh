#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Symbolic links in a store directory (issue 8, item 7): a store is walked
# with each folder read once, so links back up the tree (`ln -s . l1`) cost
# nothing and change nothing; a link that points nowhere is an error.  The
# store is built here, at test time, because links do not belong in git.
# Before the fix, three such links ran past a minute: this test's CTest
# TIMEOUT (tests/CMakeLists.txt) turns that into a failure.
#
# Usage: tests/store_symlinks.sh GATEHOUSE REPO_ROOT
set -u
gh="$1"
root="$2"
case_dir="$root/tests/store/group-inheritance"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

check() {
	if [[ "$2" != "$3" ]]; then
		echo "FAIL: $1" >&2
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/  /' >&2
		fail=1
	fi
}

# The plain store and its answers, for comparison.
cp -r "$case_dir/policies" "$tmp/plain"
want=$("$gh" eval --policies "$tmp/plain" --batch <"$case_dir/requests.jsonl")

# The same store with three links to itself, one to its parent from a
# subfolder, and a second link to that subfolder.
cp -r "$case_dir/policies" "$tmp/s"
mkdir "$tmp/s/sub"
ln -s . "$tmp/s/l1"
ln -s . "$tmp/s/l2"
ln -s . "$tmp/s/l3"
ln -s .. "$tmp/s/sub/up"
ln -s sub "$tmp/s/sub-again"
got=$("$gh" eval --policies "$tmp/s" --batch <"$case_dir/requests.jsonl" 2>"$tmp/err")
rc=$?
check "exit status with links" 0 "$rc"
check "answers with links (nothing read twice, nothing lost)" "$want" "$got"
w="warning: a folder already read (reached again through a symbolic link): skipped, each folder is read once"
# In name order, bytewise ("sub" and what is below it before "sub-again").
check "warnings with links" "$tmp/s/l1: $w
$tmp/s/l2: $w
$tmp/s/l3: $w
$tmp/s/sub/up: $w
$tmp/s/sub-again: $w" "$("$gh" check "$tmp/s" 2>&1 | grep warning:)"
# eval leaves a store's warnings to check (they would precede every answer).
check "eval --policies prints no store warnings" "" "$(cat "$tmp/err")"

# A link to nothing is an error, not a file silently left out.
ln -s missing.json "$tmp/s/gone.json"
"$gh" check "$tmp/s" >/dev/null 2>"$tmp/err"
check "exit status with a dangling link" 1 "$?"
check "the dangling link is named" "$tmp/s/gone.json: error: cannot read where this symbolic link points: No such file or directory" \
	"$(grep error: "$tmp/err")"

[[ $fail == 0 ]] && echo "store symlinks: ok"
exit $fail
