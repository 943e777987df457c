#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# gatehoused --config FILE: the settings of the flags as "key = value"
# lines; flags win over the file; every error in the file is reported as
# FILE:LINE:COL, an unknown key with the closest known one, and the daemon
# does not start (exit 2).  The caps (--max-body, --max-connections,
# --idle-timeout) are enforced whichever way they are set.
#   tests/daemon/config.sh GATEHOUSED SRC_DIR
GATEHOUSED="$1"
SRC="$2"
. "$SRC/tests/daemon/lib.sh"

GOOD="{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::corp-home/home/alice/a\", \"context\": {$CORP}}"
# A body of ~3,000 bytes: the good request with padding in two context values.
printf -v pad '%*s' 1400 ''
pad="${pad// /x}"
BIG="{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::corp-home/home/alice/a\", \"context\": {$CORP, \"pad1\": \"$pad\", \"pad2\": \"$pad\"}}"

# expect_lines FILE WANT-FILE WHAT: whole lines, in order.
expect_lines() {
	if diff -u "$2" "$1" >"$TMP/diff"; then ok; else bad "$3: $(cat "$TMP/diff")"; fi
}
mode_of() { stat -c '%a' "$1"; }

# 1. Everything from the file; comments, blanks, spaces and a trailing comment.
cat >"$TMP/gatehoused.conf" <<CONF
# gatehoused settings
policies = $SRC/policies

	socket=$SOCK   # after a blank, '#' starts a comment
socket-mode = 0600
max-body = 2048
threads = 2
CONF
daemon_run --config "$TMP/gatehoused.conf"
req POST /v1/authorize "$GOOD"
expect_json '.decision' '"allow"' "policies and socket from the file"
[[ $(mode_of "$SOCK") == 600 ]] && ok || bad "socket-mode from the file: $(mode_of "$SOCK")"
req POST /v1/authorize "$BIG"
expect_status 413 "max-body = 2048: a 3,000-byte body"
expect_json '.error.message' '"a request body is at most 2048 bytes"' "max-body in the message"
daemon_stop

# 2. Flags win over the file.
daemon_run --config "$TMP/gatehoused.conf" --socket-mode 0640 --max-body 4096
[[ $(mode_of "$SOCK") == 640 ]] && ok || bad "--socket-mode over the file: $(mode_of "$SOCK")"
req POST /v1/authorize "$BIG"
expect_status 200 "--max-body 4096 over the file's 2048"
daemon_stop

# 3. -t with the store named by the file.
if "$GATEHOUSED" --config "$TMP/gatehoused.conf" -t 2>"$TMP/t.err"; then ok; else bad "-t with --config: $(cat "$TMP/t.err")"; fi

# The example shipped for the systemd unit reads (its store named by a flag: flags win).
if "$GATEHOUSED" --config "$SRC/scripts/systemd/gatehoused.conf" --policies "$SRC/policies" -t \
	2>"$TMP/t.err"; then ok; else bad "scripts/systemd/gatehoused.conf: $(cat "$TMP/t.err")"; fi

# 4. Every error of a file, each at its line and column; nothing starts.
cat >"$TMP/bad.conf" <<CONF
policies = $SRC/policies
socket = $SOCK
# typos
polices = x
max_body = 5
threads = 0
socket-mode = 999
socket = /elsewhere
what
 = x
max-connections =
CONF
cat >"$TMP/bad.want" <<WANT
gatehoused: $TMP/bad.conf:4:1: unknown key 'polices': did you mean 'policies'?
gatehoused: $TMP/bad.conf:5:1: unknown key 'max_body': did you mean 'max-body'?
gatehoused: $TMP/bad.conf:6:11: threads wants 1 to 64, got '0'
gatehoused: $TMP/bad.conf:7:15: socket-mode wants an octal mode such as 0660, got '999'
gatehoused: $TMP/bad.conf:8:1: socket given twice (first on line 2)
gatehoused: $TMP/bad.conf:9:5: expected '=' after the key
gatehoused: $TMP/bad.conf:10:2: expected a key (letters, digits and '-'), got '='
gatehoused: $TMP/bad.conf:11:18: max-connections wants 1 to 65536, got ''
WANT
rc=0
"$GATEHOUSED" --config "$TMP/bad.conf" 2>"$TMP/bad.err" || rc=$?
((rc == 2)) && ok || bad "a bad file: exit $rc, want 2"
expect_lines "$TMP/bad.err" "$TMP/bad.want" "a bad file's errors"
[[ ! -S $SOCK ]] && ok || bad "a bad file: the socket was created"

# 5. The file itself: missing, a directory, binary, too long.
printf 'policies = x\0\n' >"$TMP/nul.conf"
head -c 70000 /dev/zero | tr '\0' '#' >"$TMP/long.conf"
cat >"$TMP/files.want" <<WANT
gatehoused: --config $TMP/none.conf: No such file or directory
gatehoused: --config $TMP: Is a directory
gatehoused: $TMP/nul.conf:1:13: a NUL byte: not a text file
gatehoused: --config $TMP/long.conf: longer than 64 KiB: not a configuration file
WANT
: >"$TMP/files.err"
for f in "$TMP/none.conf" "$TMP" "$TMP/nul.conf" "$TMP/long.conf"; do
	rc=0
	"$GATEHOUSED" --config "$f" 2>>"$TMP/files.err" || rc=$?
	((rc == 2)) && ok || bad "--config $f: exit $rc, want 2"
done
expect_lines "$TMP/files.err" "$TMP/files.want" "unreadable files"

# 6. Flags: did you mean, and the caps' ranges.
cat >"$TMP/flags.want" <<WANT
gatehoused: unknown option --polices: did you mean --policies? (try 'gatehoused --help')
gatehoused: unknown option --max-conections: did you mean --max-connections? (try 'gatehoused --help')
gatehoused: --max-body wants 1024 to 16777216 bytes, got '100'
gatehoused: --idle-timeout wants 1 to 86400, got '-1'
gatehoused: --config needs a value (try 'gatehoused --help')
WANT
: >"$TMP/flags.err"
for args in "--polices x" "--max-conections=3" "--max-body 100" "--idle-timeout -1" "--config"; do
	rc=0
	# shellcheck disable=SC2086 # the words are the options
	"$GATEHOUSED" $args 2>>"$TMP/flags.err" || rc=$?
	((rc == 2)) && ok || bad "gatehoused $args: exit $rc, want 2"
done
expect_lines "$TMP/flags.err" "$TMP/flags.want" "bad flags"

# 7. max-connections: one held open, the next is closed unanswered; once
#    the first closes, the daemon answers again.
cat >"$TMP/one.conf" <<CONF
policies = $SRC/policies
socket = $SOCK
max-connections = 1
idle-timeout = 1
CONF
daemon_run --config "$TMP/one.conf"
sleep 0.2 # the health checks' connection is closed
(printf 'GET /health HTTP/1.1\r\nHost: gh\r\n\r\n'; sleep 0.8) | socat -t 1 - "UNIX-CONNECT:$SOCK" >/dev/null 2>&1 &
held=$!
sleep 0.3
STATUS="$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" http://gh/health || true)"
expect_status 000 "max-connections = 1: a second connection"
wait "$held" || true
sleep 0.2
req GET /health
expect_status 200 "max-connections = 1: after the first closed"

# 8. idle-timeout = 1: a silent connection is closed by the daemon, not
#    by the client (which would wait 10 s).
(sleep 10) | socat -t 0.1 - "UNIX-CONNECT:$SOCK" >/dev/null 2>&1 &
idle=$!
for _ in $(seq 1 60); do
	kill -0 "$idle" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$idle" 2>/dev/null; then
	bad "idle-timeout = 1: the connection is still open after 6 s"
	kill "$idle" 2>/dev/null || true
else
	ok
fi
finish
