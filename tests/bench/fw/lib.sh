# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared by the namespace benchmarks (run.sh, guests.sh), sourced as
# . "$(dirname "$0")/lib.sh"; sets here (their directory), and provides:
#   bench_start WHAT [BUILD_DIR] [SECONDS_PER_RATE]
#       sets build, secs, GH (bin/gatehouse), RR (the udp_rr client/server,
#       compiled), W (a work directory), P (the prefix of the benchmark's
#       namespaces); needs root, nft and cc, else says "WHAT skipped" and
#       exits 0 (a benchmark, not a test); at exit, the background processes
#       listed in $W/pids are killed, the namespaces deleted, W removed.
#   bench_netns NS...
#       new namespaces with their loopback up; when the first cannot be
#       made there are none to have: "skipped", exit 0.
# Nothing runs in the caller's namespace but ip netns and the compile.

here=$(cd "$(dirname "$0")" && pwd)

bench_start() {
	what=$1
	build=$(cd "${2:-${GH_BUILD_DIR:-build}}" && pwd) || exit 2
	secs=${3:-2}
	GH=$build/bin/gatehouse
	RR=$build/bench-fw-udp_rr
	[ "$(id -u)" = 0 ] || { echo "$what skipped: needs root (ip netns)"; exit 0; }
	[ -x "$GH" ] || { echo "no $GH: build first"; exit 2; }
	command -v nft >/dev/null || { echo "$what skipped: needs nft"; exit 0; }
	cc -O2 -Wall -o "$RR" "$here/udp_rr.c" || exit 2
	P=ghb$$
	W=$(mktemp -d)
	BENCH_NS=""
	trap bench_cleanup EXIT
	trap 'exit 1' INT TERM
	# fw apply's record of the generation it left (README "Applying") in
	# the work directory, not /run/gatehouse: these namespaces are throwaway.
	export GATEHOUSE_FW_STATE=$W/fw-apply.state
}

# Server PIDs go to a file: a measuring block that runs in a pipeline (a
# subshell) could not hand a variable back to this trap.
bench_cleanup() {
	[ -f "$W/pids" ] && kill $(cat "$W/pids") 2>/dev/null
	for ns in $BENCH_NS; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$W"
}

bench_netns() { # NS...
	for ns in "$@"; do
		if ! ip netns add "$ns"; then
			[ -z "$BENCH_NS" ] && { echo "$what skipped: no network namespaces"; exit 0; }
			exit 1
		fi
		BENCH_NS="$BENCH_NS $ns"
		ip -n "$ns" link set lo up
	done
}
