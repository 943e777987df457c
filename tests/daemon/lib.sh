# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared by the gatehoused integration tests: start the real daemon on a
# socket in a temporary directory, talk to it with curl, check answers.
# Sourced; expects $GATEHOUSED (the binary) and $SRC (the repository).
#
# Time: the daemon runs with the hidden --test-clock FILE option, so tests
# set "now" (clock_set SECONDS) instead of sleeping; TOTP codes for that
# time come from oathtool --now.
set -euo pipefail

for tool in curl jq oathtool socat; do
	if ! command -v "$tool" >/dev/null; then
		echo "skipped: $tool is not installed (scripts/setup.sh installs it)" >&2
		exit 77
	fi
done

TMP="$(mktemp -d "${TMPDIR:-/tmp}/gh-daemon-test.XXXXXX")"
SOCK="$TMP/sock"
CLOCK="$TMP/clock"
DAEMON_PID=""
FAILS=0
CHECKS=0

cleanup() {
	local status=$?
	daemon_stop
	((FAILS == 0)) || status=1
	for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
	exit "$status"
}
trap cleanup EXIT

# TOTP secrets of the example users (base32), in a file only we can read.
SECRET_CAROL=JBSWY3DPEHPK3PXP
SECRET_BOB=KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ
(umask 077 && printf '{"carol": "%s", "bob": "%s"}\n' "$SECRET_CAROL" "$SECRET_BOB" >"$TMP/mfa.json")

NOW=1796000000
clock_set() { NOW="$1"; printf '%s\n' "$NOW" >"$CLOCK"; }
clock_set "$NOW"
# The code of @1 for the current test time, @2 steps of 30 s later (default 0).
totp() { oathtool --totp -b "$1" -N "@$((NOW + 30 * ${2:-0}))"; }

# daemon_start [OPTIONS...]: policies default to $STORE, socket $SOCK.
daemon_start() {
	daemon_run --policies "${STORE:-$SRC/policies}" --socket "$SOCK" "$@"
}

# daemon_run OPTIONS...: the daemon with these options only (and the test
# clock), serving on $SOCK (an option or the --config file says so).
daemon_run() {
	"$GATEHOUSED" --test-clock "$CLOCK" "$@" >>"$TMP/daemon.log" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 1 200); do
		if [[ -S $SOCK ]] && curl -sf --unix-socket "$SOCK" http://gh/health >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			echo "daemon exited early:" >&2
			cat "$TMP/daemon.log" >&2
			DAEMON_PID=""
			return 1
		fi
		sleep 0.05
	done
	echo "daemon did not answer /health" >&2
	return 1
}

# Stop the daemon; it must exit 0 (under ASan a leak or an error makes it fail).
daemon_stop() {
	local rc=0
	if [[ -n $DAEMON_PID ]]; then
		kill -TERM "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || rc=$?
		DAEMON_PID=""
		if ((rc != 0)); then
			bad "gatehoused exited with status $rc: $(tail -n 30 "$TMP/daemon.log")"
		fi
	fi
}

# req METHOD PATH [BODY] [curl args...]: sets STATUS and BODY.
req() {
	local method="$1" path="$2" data="${3-}"
	shift 3 2>/dev/null || shift $#
	local out
	if [[ -n $data ]]; then
		out="$(curl -s --unix-socket "$SOCK" -X "$method" -w '\n%{http_code}' \
			-H 'Content-Type: application/json' --data-binary "$data" "$@" "http://gh$path")"
	else
		out="$(curl -s --unix-socket "$SOCK" -X "$method" -w '\n%{http_code}' "$@" "http://gh$path")"
	fi
	STATUS="${out##*$'\n'}"
	BODY="${out%$'\n'*}"
}

ok() { CHECKS=$((CHECKS + 1)); }
bad() {
	CHECKS=$((CHECKS + 1))
	FAILS=$((FAILS + 1))
	echo "FAIL: $*" >&2
}

# expect_status WANT WHAT
expect_status() {
	if [[ $STATUS == "$1" ]]; then ok; else bad "$2: status $STATUS, want $1; body: $BODY"; fi
}

# expect_json JQ-FILTER WANT WHAT: the filter's compact output on BODY.
expect_json() {
	local got
	got="$(printf '%s' "$BODY" | jq -c "$1" 2>/dev/null || echo "<not JSON>")"
	if [[ $got == "$2" ]]; then ok; else bad "$3: $1 is $got, want $2; body: $BODY"; fi
}

finish() {
	daemon_stop
	echo "$CHECKS checks, $FAILS failed" >&2
	((FAILS == 0))
}

CORP='"aws:SourceIp": "10.1.2.3"'
