#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Hostile input over the socket: a 5 MB body, a 100 KB header line, random
# bytes, half-sent requests held open on other connections.  Each gets a
# 4xx or a closed connection; the daemon keeps answering everyone else.
#   tests/daemon/robust.sh GATEHOUSED SRC_DIR
GATEHOUSED="$1"
SRC="$2"
. "$SRC/tests/daemon/lib.sh"

daemon_start
GOOD="{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::corp-home/home/alice/a\", \"context\": {$CORP}}"
alive() {
	req POST /v1/authorize "$GOOD"
	expect_json '.decision' '"allow"' "still answering after $1"
}

# Half-sent requests on other connections, held open for the whole test:
# headers cut in the middle, a body shorter than its Content-Length.
for i in 1 2 3 4 5; do
	(printf 'POST /v1/authorize HTTP/1.1\r\nHost: gh\r\nContent-Le'; sleep 10) 2>/dev/null |
		socat -t 12 - "UNIX-CONNECT:$SOCK" >/dev/null 2>&1 &
	(printf 'POST /v1/authorize HTTP/1.1\r\nHost: gh\r\nContent-Length: 500\r\n\r\n{"principal": "al'; sleep 10) 2>/dev/null |
		socat -t 12 - "UNIX-CONNECT:$SOCK" >/dev/null 2>&1 &
done
sleep 0.3
alive "ten half-sent requests"

# A 5 MB body: refused from its Content-Length, before it is read.
head -c 5000000 /dev/zero | tr '\0' 'a' >"$TMP/big"
STATUS="$(curl -s -o "$TMP/out" -w '%{http_code}' --unix-socket "$SOCK" -H 'Content-Type: application/json' \
	--data-binary @"$TMP/big" http://gh/v1/authorize || true)"
expect_status 413 "5 MB body"
BODY="$(cat "$TMP/out")"
expect_json '.error.code' '"body_too_large"' "5 MB body: code"
# The same, chunked (no Content-Length): cut off once past the cap.
STATUS="$(curl -s -o "$TMP/out" -w '%{http_code}' --unix-socket "$SOCK" -H 'Transfer-Encoding: chunked' \
	-H 'Content-Type: application/json' --data-binary @"$TMP/big" http://gh/v1/authorize || true)"
expect_status 413 "5 MB chunked body"
alive "a 5 MB body"

# A 100 KB header line.
printf -v longhdr 'X-Long: %*s' 100000 ''
longhdr="${longhdr// /x}"
STATUS="$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" -H "$longhdr" \
	--data-binary "$GOOD" http://gh/v1/authorize || true)"
[[ $STATUS == 431 || $STATUS == 413 || $STATUS == 400 ]] && ok || bad "100 KB header: status $STATUS"
alive "a 100 KB header"

# Random bytes, and bytes that are almost HTTP.
for i in $(seq 1 20); do
	head -c 4096 /dev/urandom | socat -t 2 - "UNIX-CONNECT:$SOCK" >/dev/null 2>&1 || true
done
printf 'GET /health HTTP/9.9\r\n\r\n' | socat -t 2 - "UNIX-CONNECT:$SOCK" >"$TMP/raw" 2>&1 || true
grep -q '^HTTP/1.1 505\|^HTTP/1.1 400' "$TMP/raw" && ok || bad "HTTP/9.9: $(head -n 1 "$TMP/raw")"
printf 'POST /v1/authorize HTTP/1.1\r\nHost: gh\r\nContent-Length: 3\r\n\r\n\xff\xfe\x00' |
	socat -t 2 - "UNIX-CONNECT:$SOCK" >"$TMP/raw" 2>&1 || true
grep -q '^HTTP/1.1 400' "$TMP/raw" && ok || bad "binary body: $(head -n 1 "$TMP/raw")"
grep -q '"invalid_json"' "$TMP/raw" && ok || bad "binary body: no invalid_json"
alive "random bytes"

# Deep nesting and a huge number of context keys.
deep="$(printf '[%.0s' $(seq 1 5000))"
req POST /v1/authorize "{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": \"x\", \"context\": {\"k\": $deep}}"
expect_status 400 "5,000 nested arrays"
keys="$(for i in $(seq 1 200); do printf '"k%d": "v",' "$i"; done)"
req POST /v1/authorize "{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": \"x\", \"context\": {${keys%,}}}"
expect_json '.error.code' '"too_many_keys"' "200 context keys"
vals="$(for i in $(seq 1 300); do printf '"v%d",' "$i"; done)"
req POST /v1/authorize "{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": \"x\", \"context\": {\"k\": [${vals%,}]}}"
expect_json '.error.code' '"too_many_values"' "300 values of one key"
batch="$(for i in $(seq 1 1100); do printf '%s,' "$GOOD"; done)"
printf '{"requests": [%s]}' "${batch%,}" >"$TMP/batch"
STATUS="$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" --data-binary @"$TMP/batch" http://gh/v1/authorize/batch)"
expect_status 413 "a batch of 1,100"
alive "oversized requests"

kill -0 "$DAEMON_PID" && ok || bad "the daemon died"
finish
