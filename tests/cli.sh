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
grep -q 'resource is longer than 2048 bytes (--resource)' "$tmp/err" && pass=$((pass + 1)) ||
	{ echo "FAIL: eval names the resource over the cap" >&2; fail=$((fail + 1)); }
expect_rc 2 "eval a context value not UTF-8" "$gh" eval --policy "$tmp/ip.json" \
	--principal arn:aws:iam::111122223333:user/a --action s3:GetObject --resource x \
	--context "aws:SourceIp=$(printf '\xff')"
grep -q 'not valid UTF-8 (--context aws:SourceIp)' "$tmp/err" && pass=$((pass + 1)) ||
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

# The line cap (16 MiB, util.h CLI_LINE_MAX) read in chunks: a line of exactly
# the cap is answered, one byte more is refused naming its line, and the lines
# after it, one ending in CRLF and the last without a newline, keep their numbers.
cap=$((16 << 20))
pad() { printf '{"id": %s, "x": "' "$1"; head -c $(($2 - 17 - ${#1})) /dev/zero | tr '\0' a; printf '"}'; }
{ pad 1 $cap; echo; pad 2 $((cap + 1)); echo; printf '{"id": 3}\r\n\n{"id": 4}'; } >"$tmp/long"
expect_rc 0 "simulate long lines" sh -c "\"$gh\" simulate <\"$tmp/long\""
if [[ $(wc -l <"$tmp/out") == 4 ]] && head -1 "$tmp/out" | grep -q '^{"id":1,"error"' &&
	sed -n 2p "$tmp/out" | grep -qF '{"id":null,"error":{"message":"line longer than 16777216 bytes","path":"","line":2,"column":1}}' &&
	sed -n 3p "$tmp/out" | grep -q '^{"id":3,.*"line":3' && sed -n 4p "$tmp/out" | grep -q '^{"id":4,.*"line":5'; then
	pass=$((pass + 1))
else
	echo "FAIL: simulate long lines:" >&2
	cut -c 1-200 "$tmp/out" >&2
	fail=$((fail + 1))
fi

# Stdin that is a regular file is mapped (util.c, map_stdin), a pipe is read:
# the same answers either way, and a mapped file starts at stdin's offset.
same_as() {
	if cmp -s "$tmp/out" "$2"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $1: answers differ from $2" >&2
		fail=$((fail + 1))
	fi
}
cp "$tmp/out" "$tmp/mapped"
expect_rc 0 "simulate long lines, piped" sh -c "cat \"$tmp/long\" | \"$gh\" simulate"
same_as "simulate long lines, piped" "$tmp/mapped"
expect_rc 0 "simulate, piped, from line 2" sh -c "tail -n +2 \"$tmp/in\" | \"$gh\" simulate"
cp "$tmp/out" "$tmp/piped"
expect_rc 0 "simulate, mapped, from line 2" sh -c "{ read -r x; \"$gh\" simulate; } <\"$tmp/in\""
same_as "simulate, mapped, from line 2" "$tmp/piped"

# Threads (util.c, answer_parallel): a mapped file of more than two 4 MiB
# chunks answered by several threads gives the very answers of one thread
# and of a pipe, line numbers of errors included (chunks are cut at
# newlines; blank and CRLF lines, bad JSON, a padded line of ~1 KiB).
ok='{"id": 1, "policies": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}}], "principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/alice/k", "context": {"aws:username": "alice"}}'
bad='{"id": 2, "policies": [{"Statement": {"Effect": "Alow", "Action": "s3:*", "Resource": "*"}}], "action": "s3:GetObject", "resource": "x"}'
pad="{\"id\": 3, \"x\": \"$(head -c 1000 /dev/zero | tr '\0' a)\"}"
yes "$ok
$bad

$pad"$'\r'"
not json" | head -n 50000 >"$tmp/many"
expect_rc 0 "simulate --threads 1" sh -c "\"$gh\" simulate --threads 1 <\"$tmp/many\""
cp "$tmp/out" "$tmp/one"
expect_rc 0 "simulate --threads 3" sh -c "\"$gh\" simulate --threads 3 <\"$tmp/many\""
same_as "simulate --threads 3" "$tmp/one"
expect_rc 0 "simulate, piped (one thread)" sh -c "cat \"$tmp/many\" | \"$gh\" simulate"
same_as "simulate, piped (one thread)" "$tmp/one"
[[ $(wc -l <"$tmp/one") == 40000 ]] && tail -1 "$tmp/one" | grep -q '"line":50000,' &&
	pass=$((pass + 1)) || { echo "FAIL: simulate --threads: 40000 answers, the last of line 50000" >&2; fail=$((fail + 1)); }
expect_rc 2 "simulate --threads 0" "$gh" simulate --threads 0

# A mapped file cut short while it is read is a clear error, not a SIGBUS
# crash: the reader of the answers stalls (the pipe fills, simulate waits),
# the file is truncated, then the answers are drained.
for ((i = 0; i < 20000; i++)); do echo '{"id": 1}'; done >"$tmp/cut"
rc=$(
	{ "$gh" simulate <"$tmp/cut" 2>"$tmp/err"; echo $? >"$tmp/rc"; } |
		{ sleep 1; : >"$tmp/cut"; cat >/dev/null; }
	cat "$tmp/rc"
)
if [[ $rc == 1 ]] && grep -q 'standard input was truncated while it was read' "$tmp/err"; then
	pass=$((pass + 1))
else
	echo "FAIL: simulate on a file truncated meanwhile: exit $rc, want 1 and a message" >&2
	sed 's/^/  /' "$tmp/err" >&2
	fail=$((fail + 1))
fi

# expect_err WHAT REGEX: stderr of the last expect_rc has a line matching REGEX
# (grep -E), and, with ONE, only one line in all.
expect_err() {
	if grep -qE -- "$2" "$tmp/err"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $1: stderr has no line matching /$2/:" >&2
		sed 's/^/  /' "$tmp/err" >&2
		fail=$((fail + 1))
	fi
	if [[ ${3:-} == ONE && $(wc -l <"$tmp/err") != 1 ]]; then
		echo "FAIL: $1: $(wc -l <"$tmp/err") lines on stderr, want one" >&2
		fail=$((fail + 1))
	fi
}
expect_no_err() {
	if grep -qE -- "$2" "$tmp/err"; then
		echo "FAIL: $1: stderr matches /$2/" >&2
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
}

# A new user's mistakes: one line each, saying what to do.
expect_rc 2 "a typo'd command" "$gh" evl
expect_err "a typo'd command" "^gatehouse: unknown command 'evl': did you mean 'eval'\?" ONE
expect_rc 2 "a typo'd option" "$gh" eval --polices "$root/policies"
expect_err "a typo'd option" "^gatehouse eval: unknown option --polices: did you mean --policies\?" ONE
expect_rc 2 "a typo'd fw option" "$gh" fw apply --rules "$root/rules" --hots db-1
expect_err "a typo'd fw option" "did you mean --host\?" ONE
expect_rc 2 "a typo'd fw subcommand" "$gh" fw shwo
expect_err "a typo'd fw subcommand" "did you mean 'show'\?" ONE
expect_rc 2 "an option without its value" "$gh" check --kind
expect_err "an option without its value" "^gatehouse check: --kind needs a value" ONE
expect_rc 2 "eval with neither --policies nor --policy" "$gh" eval --principal alice \
	--action s3:GetObject --resource x
expect_err "eval with neither --policies nor --policy" "--policies DIR.*--policy FILE" ONE
expect_rc 2 "eval --now with policy files" "$gh" eval --policy "$tmp/ip.json" \
	--principal arn:aws:iam::111122223333:user/a --action s3:GetObject --resource x --now 2026-01-01
expect_err "eval --now with policy files" "--now goes with --policies"
for missing in principal action resource; do
	args=(--policies "$root/policies")
	for f in principal action resource; do
		[[ $f == "$missing" ]] || args+=("--$f" x)
	done
	expect_rc 2 "eval without --$missing" "$gh" eval "${args[@]}"
	expect_err "eval without --$missing" "^gatehouse eval: --$missing is required" ONE
done
expect_rc 2 "eval --assume-role without --session-name" "$gh" eval "${alice[@]}" \
	--action s3:GetObject --resource x --assume-role ops-admin
expect_err "eval --assume-role without --session-name" "--assume-role needs --session-name" ONE
expect_rc 1 "eval --assume-role of no role" "$gh" eval "${alice[@]}" --action s3:GetObject \
	--resource x --assume-role nope --session-name s
expect_err "eval --assume-role of no role" "no role nope in the store \(--assume-role\)"
expect_no_err "eval --assume-role of no role" "\[at assume_role\]"
expect_rc 1 "eval an ARN without the user's path" "$gh" eval --policies "$root/policies" \
	--principal arn:aws:iam::111122223333:user/alice --action s3:GetObject --resource x
expect_err "eval an ARN without the user's path" "did you mean arn:aws:iam::111122223333:user/eng/alice\?"
expect_rc 3 "eval warns of a resource that is no ARN and a typo'd key" "$gh" eval \
	--policies "$root/policies" --principal alice --action s3:GetObject --resource notanarn \
	--context aws:SoruceIp=10.1.2.3
expect_err "eval warns of a resource that is no ARN" 'warning: --resource "notanarn" is not an ARN'
expect_err "eval warns of a typo'd global key" 'warning: --context "aws:SoruceIp" is not a known AWS global condition key'
expect_rc 3 "row 11: a trust policy that delegates" "$gh" eval "${alice[@]}" \
	--action ec2:TerminateInstances --resource arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc0000000000001 \
	--assume-role ops-admin --session-name alice --context aws:MultiFactorAuthPresent=true \
	--context aws:MultiFactorAuthAge=300
grep -q 'the trust policy delegates to the account, and no identity-based policy allows sts:AssumeRole' \
	"$tmp/out" && pass=$((pass + 1)) || { echo "FAIL: row 11 explains the delegation" >&2; fail=$((fail + 1)); }

# check: an identities file, an empty directory, a path that does not exist, a trailing slash.
expect_rc 1 "check an identities file" "$gh" check "$root/policies/identities.json"
expect_err "check an identities file" "an identities file .* check its directory"
mkdir "$tmp/empty"
expect_rc 0 "check an empty directory" "$gh" check "$tmp/empty"
expect_err "check an empty directory" "empty: warning: no users, groups, roles or policies"
expect_err "check an empty directory counts it" "0 errors, 1 warning$"
expect_rc 1 "check a path that does not exist" "$gh" check "$tmp/nosuchdir"
expect_err "check a path that does not exist" "^0 policies checked: 1 error, 0 warnings$"
expect_rc 0 "check a store with a trailing slash" "$gh" check "$root/policies/"
expect_no_err "check a store with a trailing slash" "//"
if [[ -d $root/rules ]] && "$gh" fw --help >/dev/null 2>&1; then
	expect_rc 0 "fw check with a trailing slash" "$gh" fw check --rules "$root/rules/"
	grep -q "^$root/rules: OK" "$tmp/out" && pass=$((pass + 1)) ||
		{ echo "FAIL: fw check --rules DIR/ prints DIR" >&2; fail=$((fail + 1)); }
	expect_rc 1 "fw compile for an unknown host" "$gh" fw compile --rules "$root/rules" --host db-9
	expect_err "fw compile for an unknown host" "the hosts of the inventory are: .*db-1"
	# Without CAP_NET_ADMIN every netlink path says so, in a namespace of our own (root only).
	if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null && unshare -n true 2>/dev/null; then
		nocap=(unshare -n setpriv --inh-caps=-all --bounding-set=-net_admin "$gh" fw)
		for sub in "apply --check" apply "apply --confirm 5" diff show; do
			# shellcheck disable=SC2086 # $sub is the subcommand and its flags
			expect_rc 1 "fw $sub without CAP_NET_ADMIN" "${nocap[@]}" $sub --rules "$root/rules" --host db-1
			expect_err "fw $sub without CAP_NET_ADMIN" \
				"Operation not permitted: fw ${sub%% *} needs CAP_NET_ADMIN \(run as root\)"
			expect_no_err "fw $sub without CAP_NET_ADMIN" "kernel refused|netlink: error"
		done
	fi
	for sub in check compile apply diff show; do
		expect_rc 0 "fw $sub --help" "$gh" fw $sub --help
		grep -q "^Exit status:" "$tmp/out" && grep -q "^Privilege:" "$tmp/out" &&
			pass=$((pass + 1)) || { echo "FAIL: fw $sub --help: no exit status or privilege" >&2; fail=$((fail + 1)); }
	done
	for flag in --check --full --force --confirm --kill-removed --stats; do
		"$gh" fw apply --help | grep -q -- "^  $flag" && pass=$((pass + 1)) ||
			{ echo "FAIL: fw apply --help does not document $flag" >&2; fail=$((fail + 1)); }
	done
fi
expect_rc 0 "eval --help" "$gh" eval --help
for flag in --principal --action --resource --policies --policy; do
	grep -q -- "^  $flag" "$tmp/out" && pass=$((pass + 1)) ||
		{ echo "FAIL: eval --help does not describe $flag" >&2; fail=$((fail + 1)); }
done
expect_rc 0 "gatehouse --help" "$gh" --help
grep -q "eval .*identity store" "$tmp/out" && pass=$((pass + 1)) ||
	{ echo "FAIL: gatehouse --help does not say eval works on stores" >&2; fail=$((fail + 1)); }

echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
