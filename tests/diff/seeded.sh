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
	echo "ok   $name ($(sed -n 's/^diff: explored .*(\([0-9]* requests\)).*/\1/p' "$tmp/err"))"
}

check unchanged 0 "" ""
# s3:Get* -> s3:* in ReadOnlyAccess: erin's boundary caps s3 to what she had: no decision changes.
check readonly-s3-wildcard-capped-by-boundary 0 aws-managed/ReadOnlyAccess.json 's/"s3:Get\*"/"s3:*"/'
check action-wildcard-widened 3 readonly-boundary.json 's/"iam:Get\*"/"iam:*"/'
check mfa-condition-dropped 3 ops-admin-trust.json '/"Bool": {"aws:MultiFactorAuthPresent": "true"},/d'
check deny-statement-removed 3 guardrail-deny.json 's/"Action": \["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "s3:DeleteBucket"\]/"Action": "ghdiff:Nothing"/'
check notresource-added 3 developers-home.json '16s/"Resource"/"NotResource"/'
check boundary-loosened 3 readonly-boundary.json 's/"s3:GetBucket\*"/"s3:Get*"/'
check group-membership-added 3 identities.json 's/"Groups": \["Everyone", "Developers"\],/"Groups": ["Everyone", "Developers", "Admins"],/'
check trust-opened-to-another-account 3 ops-admin-trust.json 's|"AWS": "arn:aws:iam::111122223333:root"|"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]|'
check stringequals-to-stringlike-star 3 developers-home.json 's/{"StringEquals": {"aws:ResourceTag\/team": "${aws:PrincipalTag\/team}"}}/{"StringLike": {"aws:ResourceTag\/team": "*"}}/'
check access-narrowed 4 developers-home.json '16s|home/${aws:username}/\*|home/${aws:username}/public/*|'

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
