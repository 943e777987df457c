#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The command line as scripts use it: exit statuses and one answer line per
# input line.  Usage: tests/cli.sh GATEHOUSE REPO_ROOT
set -u
gh="$1"
root="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
pass=0

expect_rc() {
	local want="$1" what="$2"
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [[ $rc == "$want" ]]; then
		pass=$((pass + 1))
	else
		echo "FAIL: $what: exit $rc, want $want" >&2
		sed 's/^/  /' "$tmp/err" >&2
		fail=$((fail + 1))
	fi
}

alice=(--policies "$root/policies" --principal alice --context aws:SourceIp=10.1.2.3)
expect_rc 0 "check a store" "$gh" check "$root/policies"
printf '{"Statement": {"Effect": "Permit", "Action": "s3:*", "Resource": "*"}}' >"$tmp/bad.json"
expect_rc 1 "check a bad policy" "$gh" check "$tmp/bad.json"
grep -q 'bad.json:1:26: error: Effect must be' "$tmp/err" && pass=$((pass + 1)) ||
	{ echo "FAIL: check names file:line:col" >&2; fail=$((fail + 1)); }
expect_rc 0 "eval allow" "$gh" eval "${alice[@]}" --action s3:GetObject \
	--resource arn:aws:s3:::corp-home/home/alice/a
expect_rc 3 "eval deny" "$gh" eval "${alice[@]}" --action s3:GetObject \
	--resource arn:aws:s3:::corp-home/home/bob/a
expect_rc 1 "eval with a derived key" "$gh" eval "${alice[@]}" --action s3:GetObject \
	--resource x --context aws:username=bob
expect_rc 1 "eval an unknown principal" "$gh" eval --policies "$root/policies" \
	--principal nobody --action s3:GetObject --resource x
expect_rc 2 "eval without an action" "$gh" eval "${alice[@]}" --resource x
expect_rc 1 "eval on a store that does not load" "$gh" eval --policies "$tmp" --batch

# Requests over a cap (README, "Limits") or not UTF-8: refused, naming the field.
printf '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
 "Condition": {"IpAddress": {"aws:SourceIp": ["::/0"]}}}}' >"$tmp/ip.json"
long="arn:aws:s3:::b/$(head -c 2040 /dev/zero | tr '\0' a)"
expect_rc 2 "eval a resource over the cap" "$gh" eval --policy "$tmp/ip.json" \
	--principal arn:aws:iam::111122223333:user/a --action s3:GetObject --resource "$long"
grep -q 'resource is longer than 2048 bytes \[at resource\]' "$tmp/err" && pass=$((pass + 1)) ||
	{ echo "FAIL: eval names the resource over the cap" >&2; fail=$((fail + 1)); }
expect_rc 2 "eval a context value not UTF-8" "$gh" eval --policy "$tmp/ip.json" \
	--principal arn:aws:iam::111122223333:user/a --action s3:GetObject --resource x \
	--context "aws:SourceIp=$(printf '\xff')"
grep -q 'not valid UTF-8 \[at context.aws:SourceIp\]' "$tmp/err" && pass=$((pass + 1)) ||
	{ echo "FAIL: eval names the context value not UTF-8" >&2; fail=$((fail + 1)); }
# An IPv6 range over the IPv4-mapped addresses, no IPv4 range: check warns.
expect_rc 0 "check warns of ::/0" "$gh" check "$tmp/ip.json"
grep -q 'ip.json:2:46: warning: "::/0" spans the IPv4-mapped range' "$tmp/out" "$tmp/err" &&
	pass=$((pass + 1)) || { echo "FAIL: check warns of ::/0" >&2; fail=$((fail + 1)); }

# JSON Lines: one answer per non-blank line, bad lines included, exit 0.
printf '%s\n' '{"id": 1, "principal": "alice", "action": "s3:GetObject", "resource": "x"}' \
	'not json' '' '{"id": 3}' >"$tmp/in"
expect_rc 0 "eval --batch" sh -c "\"$gh\" eval --policies \"$root/policies\" --batch <\"$tmp/in\""
[[ $(wc -l <"$tmp/out") == 3 ]] && pass=$((pass + 1)) ||
	{ echo "FAIL: eval --batch: $(wc -l <"$tmp/out") answers for 3 lines" >&2; fail=$((fail + 1)); }
expect_rc 0 "simulate" sh -c "\"$gh\" simulate <\"$tmp/in\""
[[ $(grep -c '"error"' "$tmp/out") == 2 ]] && pass=$((pass + 1)) ||
	{ echo "FAIL: simulate: want 2 error answers" >&2; fail=$((fail + 1)); }

echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
