#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# gatehouse diff on seeded edits of the bundled policies/ (copied at test
# time): each edit that widens access must be found, with a witness that
# gatehouse eval agrees with, and exit 3; an edit that only narrows exits
# 4; a store against itself, or an edit that changes no decision, reports
# nothing and exits 0.
#
#   seeded.sh GATEHOUSE SRC_DIR
set -u
gh="$1"
src="$2"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/gh-diff.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
fails=0
now=2026-11-30T12:00:00Z

# check NAME WANT_EXIT FILE SED_SCRIPT: edit a copy of policies/FILE, diff old -> new.
check() {
	name="$1" want="$2" file="$3" script="$4"
	rm -rf "$tmp/old" "$tmp/new"
	cp -R "$src/policies" "$tmp/old"
	cp -R "$src/policies" "$tmp/new"
	if [ -n "$file" ]; then
		sed -i "$script" "$tmp/new/$file"
		if cmp -s "$tmp/old/$file" "$tmp/new/$file"; then
			echo "FAIL $name: the edit changed nothing (fix the test)"; fails=$((fails + 1)); return
		fi
	fi
	"$gh" diff --json --seconds 30 --now "$now" "$tmp/old" "$tmp/new" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL $name: exit $got, want $want"; cat "$tmp/err"; head -n 3 "$tmp/out"
		fails=$((fails + 1)); return
	fi
	case "$want" in
	0) if [ -s "$tmp/out" ]; then echo "FAIL $name: reported changes"; head -n 3 "$tmp/out"
		fails=$((fails + 1)); return; fi ;;
	3) if ! grep -q '^{"change": *"granted"' "$tmp/out"; then echo "FAIL $name: no granted line"
		fails=$((fails + 1)); return; fi ;;
	4) if grep -q '"granted"' "$tmp/out" || ! grep -q '"revoked"' "$tmp/out"; then
		echo "FAIL $name: want revoked lines only"; fails=$((fails + 1)); return; fi ;;
	esac
	grep -q '^diff: explored ' "$tmp/err" || { echo "FAIL $name: no summary line"; fails=$((fails + 1)); return; }
	echo "ok   $name ($(sed -n 's/^diff: explored .*(\([0-9]* requests in [0-9.]* s\)).*/\1/p' "$tmp/err"))"
}

# shellcheck disable=SC2034
while IFS='	' read -r name want file script; do
	case "$name" in '#'*|'') continue ;; esac
	[ "$file" = - ] && file=""
	[ "$script" = - ] && script=""
	check "$name" "$want" "$file" "$script"
done <"$src/tests/diff/seeded-edits.tsv"

# A witness is true: the granted request, asked with gatehouse eval on NEW, is allowed.
rm -rf "$tmp/old" "$tmp/new"
cp -R "$src/policies" "$tmp/old"; cp -R "$src/policies" "$tmp/new"
sed -i 's/"s3:GetBucket\*"/"s3:Get*"/' "$tmp/new/readonly-boundary.json"
"$gh" diff --principal erin --seconds 30 --now "$now" "$tmp/old" "$tmp/new" >"$tmp/out" 2>/dev/null
set -- $(sed -n 's/^granted: \([^ ]*\) \([^ ]*\) \([^ ]*\).*/\1 \2 \3/p' "$tmp/out" | head -n 1)
if [ $# -ne 3 ]; then
	echo "FAIL witness: no granted line for erin"; fails=$((fails + 1))
else
	ctx="$(sed -n '1s/^granted: [^ ]* [^ ]* [^ ]*//p' "$tmp/out" | sed 's/ \([^= ]*\)="\([^"]*\)"/ --context \1=\2/g')"
	# shellcheck disable=SC2086
	"$gh" eval --policies "$tmp/new" --principal "$1" --action "$2" --resource "$3" --now "$now" $ctx >/dev/null
	n=$?
	# shellcheck disable=SC2086
	"$gh" eval --policies "$tmp/old" --principal "$1" --action "$2" --resource "$3" --now "$now" $ctx >/dev/null
	o=$?
	if [ "$n" != 0 ] || [ "$o" != 3 ]; then
		echo "FAIL witness: eval says old exit $o, new exit $n (want 3 and 0)"; fails=$((fails + 1))
	else
		echo "ok   witness: $1 $2 $3 is denied by OLD and allowed by NEW"
	fi
fi
exit $((fails > 0))
