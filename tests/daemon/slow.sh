#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A reload runs off the thread that serves the other connections: with one
# worker (--threads 1) and a store that takes a while to load (bench_store's
# 1,000-user export, 30 MiB), GET /health on other connections, one after
# the other for as long as POST /v1/reload has not answered, are answered
# while it is loading: at least 5 of them end within its load time (the
# reply's load_ms, counted back from when the reply came).  A worker held by
# the reload would answer at most the one waiting, after it.  (The worker
# suspends the reload's connection and a thread of its own runs it.)  Not
# "N checks after a fixed sleep": the load got faster than that sleep.
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
# Health checks until the reload has answered: each one's status and end time (ns).
: >"$TMP/health.log"
while kill -0 "$reloading" 2>/dev/null; do
	code=$(curl -s --unix-socket "$SOCK" -o /dev/null -w '%{http_code}' http://gh/health)
	echo "$code $(date +%s%N)" >>"$TMP/health.log"
done
wait "$reloading"

[[ -s $TMP/health.log && $(grep -vc '^200 ' "$TMP/health.log") == 0 ]] && ok ||
	bad "health during the reload: $(cut -d' ' -f1 "$TMP/health.log" | sort | uniq -c)"
BODY="$(cat "$TMP/reload.out")"
expect_json '.status' '"ok"' "the reload"
end=$(cat "$TMP/reload.end")
ms=$(jq .load_ms <<<"$BODY")
during=$(awk -v lo=$((end - ms * 1000000)) -v hi="$end" '$2 > lo && $2 < hi' "$TMP/health.log" | wc -l)
if ((during >= 5)); then
	ok
else
	bad "the health checks waited for the reload: $during answered in its $ms ms of loading"
fi
finish
