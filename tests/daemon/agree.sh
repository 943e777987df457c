#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `gatehouse eval --policies DIR --batch` and gatehoused agree: every
# request of the golden store cases (tests/store/*/requests.jsonl) that a
# daemon caller can send (no MFA or other derived keys, no role assumption,
# no "now") gets the same decision, statements and missing keys from both,
# at the same time (--now and the daemon's test clock).
#   tests/daemon/agree.sh GATEHOUSED SRC_DIR GATEHOUSE
GATEHOUSED="$1"
SRC="$2"
GATEHOUSE="$3"
. "$SRC/tests/daemon/lib.sh"

sendable='select(has("id") and (keys - ["id","principal","action","resource","context"]) == [])
  | select((.context // {}) | keys | all(test("^aws:(multifactor|username$|userid$|principal|currenttime$|epochtime$|tokenissuetime$|sourceidentity)"; "i") | not))'
ncases=0
nreq=0
for dir in "$SRC"/tests/store/*/; do
	[[ -d $dir/policies && -f $dir/requests.jsonl && ! -f $dir/expect.err ]] || continue
	jq -c "$sendable" "$dir/requests.jsonl" >"$TMP/req.jsonl"
	[[ -s $TMP/req.jsonl ]] || continue
	"$GATEHOUSE" eval --policies "$dir/policies" --batch --now "$NOW" <"$TMP/req.jsonl" >"$TMP/eval.jsonl" 2>/dev/null || true
	STORE="$dir/policies"
	daemon_start
	jq -cs '{requests: map(del(.id))}' "$TMP/req.jsonl" >"$TMP/batch.json"
	curl -s --unix-socket "$SOCK" --data-binary @"$TMP/batch.json" http://gh/v1/authorize/batch |
		jq -c '.results[]' >"$TMP/daemon.jsonl"
	daemon_stop
	# One line per request from each side, in the daemon's terms.
	jq -c 'if .error then "refused" else
		{decision: (if .decision == "allow" then "allow" else "deny" end),
		 reason: (if .decision == "allow" then "allowed" else .decision end),
		 matched, missing_context} end' "$TMP/eval.jsonl" >"$TMP/a"
	jq -c 'if .error then "refused" else {decision, reason, matched, missing_context} end' \
		"$TMP/daemon.jsonl" >"$TMP/b"
	if diff "$TMP/a" "$TMP/b" >"$TMP/diff"; then
		ok
	else
		bad "$(basename "$dir"): eval and daemon differ:"
		cat "$TMP/diff" >&2
	fi
	ncases=$((ncases + 1))
	nreq=$((nreq + $(wc -l <"$TMP/req.jsonl")))
done
echo "$nreq requests of $ncases cases compared" >&2
((nreq >= 100)) && ok || bad "only $nreq requests compared"
finish
