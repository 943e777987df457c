# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared by the namespace tests (sourced, after setting P, the prefix of
# every namespace the test creates).  Provides: nl_require (root and tools,
# else exit 77), nl_cleanup_add NS... (deleted at exit, with the
# background processes in $PIDS and $TMP), run, bg, check, expect, addr.
# Namespaces are only ever the test's own: nothing runs in the caller's.

# nl_start PREFIX GATEHOUSE GH_PROBE RULES_DIR: the arguments of the
# scripts that take these three, root, nft and socat; P is the prefix of
# the test's namespaces (PREFIX and our PID: parallel runs never collide).
nl_start() {
	P=$1$$
	GH=$2
	PROBE=$3
	RULES=$4
	nl_require nft socat
}

nl_require() { # TOOL...
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for ip netns"; exit 77; }
	for t in ip "$@"; do
		command -v $t >/dev/null 2>&1 || { echo "SKIP: $t not installed"; exit 77; }
	done
}

TMP=$(mktemp -d)
# fw apply's record of the generation it left (README "Applying") in the
# test's directory, not /run/gatehouse: these namespaces are throwaway.
export GATEHOUSE_FW_STATE=$TMP/fw-apply.state
PIDS=""
FAIL=0
NL_NS=""
nl_cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for ns in $NL_NS; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$TMP"
}
trap nl_cleanup EXIT
trap 'exit 1' INT TERM
nl_cleanup_add() { NL_NS="$NL_NS $*"; }

# nl_pair A B ADDR_A ADDR_B: namespaces A and B (A's creation failing is a
# skip), joined by a veth pair eth0 <-> eth0, with ADDR/LEN each.
nl_pair() {
	ip netns add "$1" 2>/dev/null || { echo "SKIP: cannot create a network namespace"; exit 77; }
	nl_cleanup_add "$1"
	ip netns add "$2" || exit 1
	nl_cleanup_add "$2"
	ip -n "$1" link set lo up
	ip -n "$2" link set lo up
	ip link add eth0 netns "$1" type veth peer name eth0 netns "$2" || exit 1
	ip -n "$1" addr add "$3" dev eth0
	ip -n "$2" addr add "$4" dev eth0
	ip -n "$1" link set eth0 up
	ip -n "$2" link set eth0 up
}

# nl_outside EXT HV V4NET V6NET: the outside, namespace EXT (made by the
# caller) on HV's eth0: HV is 192.168.50.1 and fd50::1, EXT has .2 to .4 and
# ::2 to ::4, and routes V4NET and V6NET (the guests) through HV.
nl_outside() {
	ip link add eth0 netns "$1" type veth peer name eth0 netns "$2" || exit 1
	ip -n "$2" addr add 192.168.50.1/24 dev eth0
	ip -n "$2" addr add fd50::1/64 dev eth0 nodad
	ip -n "$2" link set eth0 up
	for a in 2 3 4; do
		ip -n "$1" addr add 192.168.50.$a/24 dev eth0
		ip -n "$1" addr add fd50::$a/64 dev eth0 nodad
	done
	ip -n "$1" link set eth0 up
	ip -n "$1" route add "$3" via 192.168.50.1
	ip -n "$1" -6 route add "$4" via fd50::1
}

run() { ns=$1; shift; ip netns exec "$ns" "$@"; }
bg() { ns=$1; shift; ip netns exec "$ns" "$@" >/dev/null 2>&1 & PIDS="$PIDS $!"; }
addr() { case "$1" in *:*) echo "[$1]";; *) echo "$1";; esac; }

tcp() { # NS SRC DST PORT -> 0 when "ok" came back (SRC "-": the kernel's choice)
	b=""
	[ "$2" = - ] || b=",bind=$(addr "$2")"
	out=$(run "$1" timeout 4 socat -T2 - TCP:$(addr "$3"):$4,connect-timeout=0.7$b </dev/null 2>/dev/null)
	[ "$out" = ok ]
}

# nl_wait_for FILE TEXT: until TEXT is in FILE, up to 10 s (a flow that
# must be established before a re-apply: under load socat can take seconds
# to start, and a SYN after the re-apply is a new flow).
nl_wait_for() {
	for _ in $(seq 1 40); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.25
	done
	return 1
}

# nl_flow_survives HV EXT NS SRC DIR: a flow from SRC in NS to EXT's port
# 7000 (a listener appending to $TMP/flow.txt, started by the caller) is
# established, then HV applies DIR, whose rules no longer allow port 7000:
# the flow's second line, sent after the re-apply, still arrives, and a new
# connection to 7000 is dropped.
nl_flow_survives() {
	(echo first; until [ -e $TMP/applied ]; do sleep 0.1; done; echo second) |
		run "$3" socat -u - TCP:192.168.50.3:7000,bind="$4" >/dev/null 2>&1 &
	flow=$!
	PIDS="$PIDS $flow"
	check "the flow is established before the re-apply" nl_wait_for $TMP/flow.txt first
	check "apply without port 7000" run "$1" "$GH" fw apply --rules "$5" --host hv-1
	touch $TMP/applied
	wait $flow 2>/dev/null
	check "first and second line arrived" grep -q second $TMP/flow.txt
	bg "$2" socat TCP6-LISTEN:7000,ipv6only=0,reuseaddr,fork SYSTEM:"echo ok"
	sleep 0.5
	expect drop "new connection to 7000 after re-apply" tcp "$3" "$4" 192.168.50.3 7000
}

# expect pass|drop DESCRIPTION COMMAND...: a flow that should pass gets a
# second chance (a server still starting, a lost first ARP); a drop is
# never retried into a pass.
expect() {
	want=$1; what=$2; shift 2
	if "$@"; then got=pass; else got=drop; fi
	if [ "$got" = drop ] && [ "$want" = pass ]; then
		sleep 0.5
		if "$@"; then got=pass; fi
	fi
	if [ "$got" = "$want" ]; then
		echo "ok   $what: $got"
	else
		echo "FAIL $what: expected $want, got $got"; FAIL=1
	fi
}
check() { # DESCRIPTION COMMAND... (must succeed)
	what=$1; shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; FAIL=1; fi
}
