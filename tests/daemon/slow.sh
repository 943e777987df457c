#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A reload runs off the thread that serves the other connections: with one
# worker (--threads 1) and a store that takes a while to load (bench_store's
# 1,000-user export, 30 MiB), 50 GET /health on another connection are all
# answered while POST /v1/reload is still loading.  (The worker suspends the
# reload's connection and a thread of its own runs it.)
#   tests/daemon/slow.sh GATEHOUSED SRC_DIR BENCH_STORE
GATEHOUSED="$1"
SRC="$2"
BENCH_STORE="$3"
. "$SRC/tests/daemon/lib.sh"

"$BENCH_STORE" --write-only --seed 1 --encoding cli --work-dir "$TMP/export" >/dev/null
STORE="$TMP/export/cli"
daemon_start --threads 1

# The reload, in the background; its end time (ns) in reload.end.
(
	curl -s -o "$TMP/reload.out" --unix-socket "$SOCK" -X POST http://gh/v1/reload
	date +%s%N >"$TMP/reload.end"
) &
reloading=$!
sleep 0.1
# 50 health checks on one keep-alive connection, meanwhile.
urls=()
for i in $(seq 1 50); do urls+=("http://gh/health?n=$i"); done
curl -s --unix-socket "$SOCK" -o /dev/null -w '%{http_code}\n' "${urls[@]}" >"$TMP/health.codes"
date +%s%N >"$TMP/health.end"
wait "$reloading"

[[ $(grep -c '^200$' "$TMP/health.codes") == 50 ]] && ok || bad "health during the reload: $(sort "$TMP/health.codes" | uniq -c)"
BODY="$(cat "$TMP/reload.out")"
expect_json '.status' '"ok"' "the reload"
if (($(cat "$TMP/health.end") < $(cat "$TMP/reload.end"))); then
	ok
else
	bad "the health checks waited for the reload ($(jq .load_ms <<<"$BODY") ms of loading)"
fi
finish
