#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Reload: a broken store (cut JSON, a dangling group) is refused while the
# old one keeps answering; reloads under load fail no request; sessions
# live across reloads (a role session is made again on the new store, and
# ends when its role is gone); only root or the daemon's user may reload.
#   tests/daemon/reload.sh GATEHOUSED SRC_DIR
GATEHOUSED="$1"
SRC="$2"
. "$SRC/tests/daemon/lib.sh"

STORE="$TMP/store"
cp -r "$SRC/policies" "$STORE"
daemon_start --mfa-secrets "$TMP/mfa.json"
GOOD="{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::corp-home/home/alice/a\", \"context\": {$CORP}}"

req POST /v1/sessions "{\"user\": \"bob\", \"mfa_code\": \"$(totp $SECRET_BOB)\", \"role\": \"ops-admin\", \"session_name\": \"bob\", \"context\": {$CORP}}"
ROLE="$(jq -r .token <<<"$BODY")"
req POST /v1/sessions '{"user": "alice"}'
USER_TOK="$(jq -r .token <<<"$BODY")"
TERM_I='"action": "ec2:TerminateInstances", "resource": "arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc0000000000001"'

# A cut file: refused with its diagnostics, the old store still answers.
cp "$STORE/developers-home.json" "$TMP/dh.json"
head -c 200 "$TMP/dh.json" >"$STORE/developers-home.json"
req POST /v1/reload
expect_status 409 "reload of a cut file"
expect_json '[.status, (.diagnostics | length > 0), (.diagnostics[0].source | endswith("developers-home.json")), (.diagnostics[0].line > 0)]' '["failed",true,true,true]' "cut file: diagnostics with file and line"
req POST /v1/authorize "$GOOD"
expect_json '.decision' '"allow"' "old store answers after a failed reload"
cp "$TMP/dh.json" "$STORE/developers-home.json"

# A dangling group reference, through SIGHUP this time.
cp "$STORE/identities.json" "$TMP/ids.json"
jq '.Users[0].Groups += ["NoSuchGroup"]' "$TMP/ids.json" >"$STORE/identities.json"
kill -HUP "$DAEMON_PID"
sleep 0.5
grep -q 'reload of .* FAILED, still serving the previous store' "$TMP/daemon.log" && ok || bad "SIGHUP with a dangling group: no log line"
grep -q 'NoSuchGroup' "$TMP/daemon.log" && ok || bad "SIGHUP: the diagnostic names the group"
req GET /metrics
grep -q 'gatehoused_reloads_total{result="failed"} 2' <<<"$BODY" && ok || bad "metrics: 2 failed reloads"
req POST /v1/authorize "$GOOD"
expect_json '.decision' '"allow"' "old store answers after a failed SIGHUP"
cp "$TMP/ids.json" "$STORE/identities.json"
req POST /v1/reload
expect_status 200 "reload of the repaired store"
req GET /health
expect_json '.generation' '2' "generation after a good reload"

# Sessions across the reload: the role session is made again on the new store.
req POST /v1/authorize "{\"session\": \"$ROLE\", $TERM_I, \"context\": {$CORP}}"
expect_json '[.decision, .principal]' '["allow","arn:aws:sts::111122223333:assumed-role/ops-admin/bob"]' "role session after a reload"
req POST /v1/authorize "{\"session\": \"$USER_TOK\", \"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::corp-home/home/alice/a\", \"context\": {$CORP}}"
expect_json '.decision' '"allow"' "user session after a reload"

# Reloads under load: none of 4,000 requests fails.
loaders=()
for i in 1 2; do
	curl -s --unix-socket "$SOCK" -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' \
		--data-binary "$GOOD" "http://gh/v1/authorize?n=[1-2000]" >"$TMP/load.$i" &
	loaders+=($!)
done
for i in $(seq 1 15); do
	kill -HUP "$DAEMON_PID"
	req POST /v1/reload
	sleep 0.05
done
wait "${loaders[@]}"
total=$(cat "$TMP"/load.* | wc -l)
failed=$(cat "$TMP"/load.* | grep -vc '^200$' || true)
[[ $total == 4000 && $failed == 0 ]] && ok || bad "reload under load: $failed of $total requests failed"
req GET /metrics
grep -q 'gatehoused_reloads_total{result="failed"} 2$' <<<"$BODY" && ok || bad "reloads under load failed: $(grep reloads_total <<<"$BODY")"

# The role removed: its session ends at its next request.
jq 'del(.Roles[0])' "$TMP/ids.json" >"$STORE/identities.json"
rm "$STORE/ops-admin-trust.json" "$STORE/ops-admin-permissions.json"
jq '.Groups |= map(select(.Name != "OnCall")) | .Users |= map(.Groups -= ["OnCall"]) | del(.Roles[0])' "$TMP/ids.json" >"$STORE/identities.json"
rm "$STORE/assume-ops-admin.json"
req POST /v1/reload
expect_status 200 "reload without ops-admin"
req POST /v1/authorize "{\"session\": \"$ROLE\", $TERM_I, \"context\": {$CORP}}"
expect_status 401 "role session whose role is gone"

# Peer credentials: another uid may not reload (root only: setpriv needs it).
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null; then
	chmod 0666 "$SOCK"
	chmod 0755 "$TMP"
	STATUS="$(setpriv --reuid 65534 --regid 65534 --clear-groups curl -s -o /dev/null -w '%{http_code}' \
		--unix-socket "$SOCK" -X POST http://gh/v1/reload)"
	expect_status 403 "reload by uid 65534"
	STATUS="$(setpriv --reuid 65534 --regid 65534 --clear-groups curl -s -o /dev/null -w '%{http_code}' \
		--unix-socket "$SOCK" -X DELETE "http://gh/v1/sessions/$USER_TOK")"
	expect_status 403 "revoking root's session as uid 65534"
	OWN="$(setpriv --reuid 65534 --regid 65534 --clear-groups curl -s --unix-socket "$SOCK" \
		--data-binary '{"user": "erin"}' http://gh/v1/sessions | jq -r .token)"
	STATUS="$(setpriv --reuid 65534 --regid 65534 --clear-groups curl -s -o /dev/null -w '%{http_code}' \
		--unix-socket "$SOCK" -X DELETE "http://gh/v1/sessions/$OWN")"
	expect_status 200 "revoking one's own session as uid 65534"
	chmod 0700 "$TMP"
fi
finish
