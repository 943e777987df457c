#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Documentation tests: every shell example with output in the given Markdown
# files is run and its output compared, so that the documentation cannot
# drift from the program.
#
#   tests/doctest.sh [--mode plain|daemon|netns] [--list] GATEHOUSE GATEHOUSED ROOT FILE...
#
# The convention (README.md, "Documentation tests"):
#   - a fenced block (``` ... ```, indented or not) whose first line starts
#     with "$ " is an example; each "$ " line is a command (a line ending in
#     "\" continues it), the lines up to the next "$ " its expected output,
#     stdout and stderr together as a terminal shows them; trailing blank
#     lines are ignored;
#   - a line "..." (alone, indented or not) in the output stands for any
#     number of lines;
#   - the commands of a block run one after another in one directory, where
#     policies/ and rules/ are the repository's; "$?" is the status of the
#     previous command; "$ cat FILE" of a file that is not there shows the
#     file: the test writes the expected output to FILE first;
#   - what varies per run is normalised on both sides before comparing:
#     session tokens (ghs_...) to ghs_<TOKEN>, decision ids to <ID>, an HTTP
#     Date header to <DATE>, durations ("0.4 s", "12.5 ms", "load_ms":3) to
#     <T>, request counts ("(142050 requests in") to <N>, expiry times to
#     <TIME>;
#   - the line before the opening fence may mark the block:
#       <!-- doctest: daemon -->   run against a gatehoused this script starts
#                                  on $SOCK (policies/ as its store; --mode daemon)
#       <!-- doctest: netns -->    needs root in a new network namespace with an
#                                  eth0 (--mode netns, run in unshare -n)
#       <!-- doctest: skip REASON --> not run; REASON is printed, and must be
#                                  given (what checks it instead)
#
# Each mode runs only its blocks and exits 77 (skipped) when it has none or
# what it needs is missing.  --list prints the blocks and their marks.
set -uo pipefail

mode=plain
list=0
while [[ ${1:-} == --* ]]; do
	case "$1" in
	--mode) mode="$2"; shift 2 ;;
	--list) list=1; shift ;;
	*) echo "doctest: unknown option $1" >&2; exit 2 ;;
	esac
done
if (($# < 4)); then
	echo "usage: tests/doctest.sh [--mode plain|daemon|netns] [--list] GATEHOUSE GATEHOUSED ROOT FILE..." >&2
	exit 2
fi
# --mode netns: into a new network namespace (never the host's ruleset), with
# an eth0 (a veth) as the examples' hosts have, before anything else.
if [[ $mode == netns && -z ${GH_DOCTEST_IN_NETNS:-} ]]; then
	if [[ $(id -u) != 0 ]] || ! command -v unshare >/dev/null || ! command -v ip >/dev/null; then
		echo "doctest: skipped: the netns examples need root, unshare and ip" >&2
		exit 77
	fi
	unshare -n true 2>/dev/null || { echo "doctest: skipped: unshare -n refused" >&2; exit 77; }
	GH_DOCTEST_IN_NETNS=1 exec unshare -n sh -c 'ip link set lo up && ip link add eth0 type veth peer name eth0-peer &&
		ip link set eth0 up && exec "$0" "$@"' "$0" --mode netns "$@"
fi
gh="$(realpath "$1")"
ghd="$2"
root="$(realpath "$3")"
shift 3

work="$(mktemp -d "${TMPDIR:-/tmp}/gh-doctest.XXXXXX")"
daemon_pid=""
cleanup() {
	if [[ -n $daemon_pid ]]; then
		kill -TERM "$daemon_pid" 2>/dev/null
		wait "$daemon_pid" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT
ln -s "$root/policies" "$work/policies"
# fw apply records the kernel's ruleset generation: in the work dir, not /run.
export GATEHOUSE_FW_STATE="$work/fw-apply.state"
ln -s "$root/rules" "$work/rules"
# Examples may name a golden store of the tests (tests/store/...).
ln -s "$root/tests" "$work/tests"
mkdir "$work/bin"
ln -s "$gh" "$work/bin/gatehouse"
[[ -x $ghd ]] && ln -s "$(realpath "$ghd")" "$work/bin/gatehoused"
export PATH="$work/bin:$PATH"
export SOCK="$work/gatehoused.sock"
# Commands run without a terminal's SSH session, in the C locale.
unset SSH_CONNECTION
export LC_ALL=C

pass=0
fail=0
skip=0
ran=0

normalise() {
	tr -d '\r' | sed -E \
		-e 's/ghs_[0-9a-f]{48}/ghs_<TOKEN>/g' \
		-e 's/[0-9a-f]{16}-[0-9a-f]{12}/<ID>/g' \
		-e 's/^Date: .*/Date: <DATE>/' \
		-e 's/"expires_at":"[^"]*"/"expires_at":"<TIME>"/g' \
		-e 's/"load_ms":[0-9]+/"load_ms":<T>/g' \
		-e 's/[0-9]+(\.[0-9]+)? (s|ms)\b/<T> \2/g' \
		-e 's/\([0-9]+ requests in/(<N> requests in/g' \
		-e 's/after <T> s\)/after <T> s)/g'
}

# matches EXPECTED ACTUAL: ACTUAL is EXPECTED, where a line "..." stands for any lines.
matches() {
	local -a exp act
	mapfile -t exp <"$1"
	mapfile -t act <"$2"
	match_from 0 0
}
match_from() {
	local i="$1" j="$2"
	while ((i < ${#exp[@]})); do
		if [[ ${exp[i]} =~ ^[[:space:]]*\.\.\.$ ]]; then
			local k
			for ((k = j; k <= ${#act[@]}; k++)); do
				match_from $((i + 1)) "$k" && return 0
			done
			return 1
		fi
		((j < ${#act[@]})) || return 1
		[[ ${exp[i]} == "${act[j]}" ]] || return 1
		i=$((i + 1))
		j=$((j + 1))
	done
	((j == ${#act[@]}))
}

daemon_up() {
	[[ -n $daemon_pid ]] && return 0
	if [[ ! -x $ghd ]] || ! command -v curl >/dev/null; then
		echo "doctest: skipped: the daemon examples need gatehoused and curl" >&2
		exit 77
	fi
	(cd "$work" && exec gatehoused --policies policies --socket "$SOCK") >"$work/daemon.log" 2>&1 &
	daemon_pid=$!
	for _ in $(seq 1 200); do
		curl -sf --unix-socket "$SOCK" http://localhost/health >/dev/null 2>&1 && return 0
		kill -0 "$daemon_pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "doctest: gatehoused did not start:" >&2
	cat "$work/daemon.log" >&2
	exit 1
}

# run_block FILE LINE: the example in the lines of $block (indentation removed).
run_block() {
	local where="$1:$2" cmd="" prev=0 n=0 i
	local -a cmds=() outs=()
	for ((i = 0; i < ${#block[@]}; i++)); do
		local l="${block[i]}"
		if [[ $l == '$ '* ]]; then
			cmd="${l#\$ }"
			while [[ $cmd == *\\ ]] && ((i + 1 < ${#block[@]})); do
				i=$((i + 1))
				cmd+=$'\n'"${block[i]}"
			done
			cmds+=("$cmd")
			outs+=("")
			n=${#cmds[@]}
		elif ((n)); then
			outs[n - 1]+="$l"$'\n'
		fi
	done
	for ((i = 0; i < ${#cmds[@]}; i++)); do
		local c="${cmds[i]}"
		printf '%s' "${outs[i]}" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$work/expect.raw"
		if [[ $c =~ ^cat\ ([^ ]+)$ && ! -e $work/${BASH_REMATCH[1]} ]]; then
			mkdir -p "$(dirname "$work/${BASH_REMATCH[1]}")"
			cp "$work/expect.raw" "$work/${BASH_REMATCH[1]}"
		fi
		(cd "$work" && { (exit "$prev"); eval "$c"; }) >"$work/actual.raw" 2>&1 </dev/null
		prev=$?
		normalise <"$work/expect.raw" >"$work/expect"
		normalise <"$work/actual.raw" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$work/actual"
		ran=$((ran + 1))
		if matches "$work/expect" "$work/actual"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL: $where: \$ ${c%%$'\n'*}" >&2
			diff -u --label documented --label actual "$work/expect" "$work/actual" | sed 's/^/  /' >&2
		fi
	done
}

for file in "$@"; do
	[[ $file == /* ]] || file="$root/$file"
	rel="${file#"$root"/}"
	mapfile -t lines <"$file"
	mark=""
	for ((ln = 0; ln < ${#lines[@]}; ln++)); do
		line="${lines[ln]}"
		if [[ $line =~ ^[[:space:]]*\<!--\ doctest:\ (.*)\ --\>[[:space:]]*$ ]]; then
			mark="${BASH_REMATCH[1]}"
			continue
		fi
		if [[ ! $line =~ ^([[:space:]]*)\`\`\`[a-z]*$ ]]; then
			[[ -n ${line// /} ]] && mark=""
			continue
		fi
		indent="${BASH_REMATCH[1]}"
		start=$((ln + 1))
		block=()
		for ((ln = ln + 1; ln < ${#lines[@]}; ln++)); do
			[[ ${lines[ln]} =~ ^[[:space:]]*\`\`\`$ ]] && break
			block+=("${lines[ln]#"$indent"}")
		done
		this="$mark"
		mark=""
		[[ ${block[0]:-} == '$ '* ]] || continue
		kind="${this%% *}"
		[[ -z $kind ]] && kind=plain
		if ((list)); then
			echo "$rel:$start: ${this:-plain}"
			continue
		fi
		case "$kind" in
		skip)
			reason="${this#skip}"
			if [[ -z ${reason// /} ]]; then
				echo "FAIL: $rel:$start: <!-- doctest: skip --> without a reason" >&2
				fail=$((fail + 1))
			elif [[ $mode == plain ]]; then
				echo "skipped: $rel:$start:${reason}" >&2
				skip=$((skip + 1))
			fi
			;;
		plain | daemon | netns)
			[[ $kind == "$mode" ]] || continue
			[[ $kind == daemon ]] && daemon_up
			run_block "$rel" "$start"
			;;
		*)
			echo "FAIL: $rel:$start: unknown doctest mark '$this'" >&2
			fail=$((fail + 1))
			;;
		esac
	done
done
((list)) && exit 0
echo "doctest ($mode): $pass passed, $fail failed, $skip blocks skipped with a reason" >&2
((fail == 0)) || exit 1
((ran > 0)) || exit 77
exit 0
