#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Connections are spread over the worker threads: 16 keep-alive
# connections opened at once on a daemon with --threads 2 end up 8 and 8
# (give or take one), not all on the thread that woke first.  Each worker
# polls its connections with an epoll instance of its own, so the kernel's
# /proc/PID/fdinfo of each epoll file says which worker has which socket.
#   tests/daemon/workers.sh GATEHOUSED SRC_DIR
GATEHOUSED="$1"
SRC="$2"
. "$SRC/tests/daemon/lib.sh"

daemon_start --threads 2
N=16
for _ in $(seq 1 "$N"); do
	(printf 'GET /health HTTP/1.1\r\nHost: gh\r\n\r\n'; sleep 8) 2>/dev/null |
		socat -t 9 - "UNIX-CONNECT:$SOCK" >/dev/null 2>&1 &
done

# Sockets each epoll instance watches (connections; the listening socket
# too where a worker polls it), once all N connections are in.
counts() {
	local fd target n
	for fd in /proc/"$DAEMON_PID"/fd/*; do
		target="$(readlink "$fd" 2>/dev/null)" || continue
		[[ $target == "anon_inode:[eventpoll]" ]] || continue
		n=0
		while read -r key tfd _; do
			[[ $key == tfd: ]] || continue
			[[ $(readlink "/proc/$DAEMON_PID/fd/$tfd" 2>/dev/null) == socket:* ]] && n=$((n + 1))
		done <"/proc/$DAEMON_PID/fdinfo/${fd##*/}"
		echo "$n"
	done
}
total=0
for _ in $(seq 1 100); do
	mapfile -t per < <(counts)
	total=0
	for n in "${per[@]}"; do total=$((total + n)); done
	((total >= N)) && break
	sleep 0.05
done
((${#per[@]} >= 2)) && ok || bad "expected an epoll instance per worker, found ${#per[@]}"
min="${per[0]}" max="${per[0]}"
for n in "${per[@]}"; do
	((n < min)) && min=$n
	((n > max)) && max=$n
done
# Each worker's share, give or take the listening socket and one odd connection.
echo "per worker: ${per[*]}" >&2
((max - min <= 2)) && ok || bad "connections per worker ${per[*]}: not spread"

# No system call per answer beyond the receive and the send: libmicrohttpd
# set TCP_NODELAY and TCP_CORK on each answer of a connection it was
# handed, and Linux refused both on a Unix socket (two failed setsockopt
# calls per request).  Counted with strace over 50 requests on one
# connection, where strace may trace the daemon (not in every container).
check_setsockopt() {
	local tracer calls urls=()
	timeout 20 strace -f -c -e trace=setsockopt -p "$DAEMON_PID" -o "$TMP/strace" 2>/dev/null &
	tracer=$!
	sleep 0.5
	if ! kill -0 "$tracer" 2>/dev/null; then
		echo "strace cannot trace the daemon here: setsockopt calls not counted" >&2
		return
	fi
	for i in $(seq 1 50); do urls+=("http://gh/health?n=$i"); done
	curl -s --unix-socket "$SOCK" "${urls[@]}" >/dev/null
	sleep 0.2
	kill -INT "$tracer" 2>/dev/null || true
	wait "$tracer" 2>/dev/null || true
	calls="$(awk '$NF == "setsockopt" { print $4 }' "$TMP/strace")"
	((${calls:-0} < 10)) && ok || bad "setsockopt called $calls times for 50 requests"
}
command -v strace >/dev/null && check_setsockopt
finish
