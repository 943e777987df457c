#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Start-up and restart: --state keeps sessions and used TOTP steps across a
# restart, a corrupt state file is set aside; the socket's mode and group;
# a TOTP secrets file others can read is refused; --user drops privileges.
#   tests/daemon/state.sh GATEHOUSED SRC_DIR
GATEHOUSED="$1"
SRC="$2"
. "$SRC/tests/daemon/lib.sh"

STATE="$TMP/state.json"
CARE='"action": "iam:CreateUser", "resource": "arn:aws:iam::111122223333:user/dave"'
daemon_start --mfa-secrets "$TMP/mfa.json" --state "$STATE"
[[ $(stat -c %a "$SOCK") == 660 ]] && ok || bad "socket mode $(stat -c %a "$SOCK"), want 660"
CODE="$(totp $SECRET_CAROL)"
req POST /v1/sessions "{\"user\": \"carol\", \"mfa_code\": \"$CODE\", \"duration_seconds\": 7200}"
TOK="$(jq -r .token <<<"$BODY")"
req POST /v1/sessions "{\"user\": \"bob\", \"mfa_code\": \"$(totp $SECRET_BOB)\", \"role\": \"ops-admin\", \"session_name\": \"bob\", \"context\": {$CORP}}"
ROLE="$(jq -r .token <<<"$BODY")"
[[ $(stat -c %a "$STATE") == 600 ]] && ok || bad "state file mode $(stat -c %a "$STATE")"
grep -q "$TOK" "$STATE" && bad "the state file holds a token in clear" || ok
daemon_stop

T0=$NOW
clock_set $((T0 + 600))
daemon_start --mfa-secrets "$TMP/mfa.json" --state "$STATE"
req POST /v1/authorize "{\"session\": \"$TOK\", $CARE, \"context\": {$CORP}}"
expect_json '[.decision, .matched[0].sid]' '["allow","AdminWithFreshMFA"]' "MFA session after a restart"
req POST /v1/authorize "{\"session\": \"$ROLE\", \"action\": \"ec2:RebootInstances\", \"resource\": \"arn:aws:ec2:eu-west-1:111122223333:instance/i-1\", \"context\": {$CORP}}"
expect_json '[.decision, .principal]' '["allow","arn:aws:sts::111122223333:assumed-role/ops-admin/bob"]' "role session after a restart"
clock_set $T0
req POST /v1/sessions "{\"user\": \"carol\", \"mfa_code\": \"$CODE\"}"
expect_json '.error.code' '"mfa_replayed"' "a code used before the restart"
clock_set $((T0 + 3600))
req POST /v1/authorize "{\"session\": \"$TOK\", $CARE, \"context\": {$CORP}}"
expect_json '.decision' '"deny"' "MFA age counted from the TOTP check, across the restart"
daemon_stop

# A corrupt state file: reported, set aside, the daemon serves without sessions.
printf '{"version": 1, "sessions": [{"token_sha256": "zz"' >"$STATE"
daemon_start --mfa-secrets "$TMP/mfa.json" --state "$STATE"
grep -q 'state.*moved to .*corrupt' "$TMP/daemon.log" && ok || bad "corrupt state: no report"
ls "$TMP"/state.json.corrupt-* >/dev/null 2>&1 && ok || bad "corrupt state not set aside"
req POST /v1/authorize "{\"session\": \"$TOK\", $CARE, \"context\": {$CORP}}"
expect_status 401 "sessions of a corrupt state file are gone"
daemon_stop

# Socket mode and group.
daemon_start --socket-mode 0600 --socket-group "$(id -gn)"
[[ $(stat -c %a "$SOCK") == 600 && $(stat -c %G "$SOCK") == "$(id -gn)" ]] && ok || bad "socket $(stat -c '%a %G' "$SOCK")"
daemon_stop
if "$GATEHOUSED" --policies "$SRC/policies" --socket "$SOCK" --socket-mode 999 2>"$TMP/err"; then
	bad "--socket-mode 999 accepted"
else
	grep -q 'octal' "$TMP/err" && ok || bad "--socket-mode 999: $(cat "$TMP/err")"
fi

# A secrets file that others can read is refused at start.
chmod 0644 "$TMP/mfa.json"
if "$GATEHOUSED" --policies "$SRC/policies" --socket "$SOCK" --mfa-secrets "$TMP/mfa.json" 2>"$TMP/err"; then
	bad "a 0644 secrets file was accepted"
else
	grep -q 'chmod 0600' "$TMP/err" && ok || bad "0644 secrets: $(cat "$TMP/err")"
fi
chmod 0600 "$TMP/mfa.json"
printf '{"carol": "not base32!"}' >"$TMP/bad.json"
chmod 0600 "$TMP/bad.json"
if "$GATEHOUSED" --policies "$SRC/policies" --socket "$SOCK" --mfa-secrets "$TMP/bad.json" 2>"$TMP/err"; then
	bad "a bad secret was accepted"
else
	grep -q 'at carol: not a base32 secret' "$TMP/err" && ok || bad "bad secret: $(cat "$TMP/err")"
fi
# A broken store at start: the daemon says why and exits 1.
mkdir "$TMP/broken"
printf '{"Version": "2012-10-17", "Statement": [' >"$TMP/broken/p.json"
set +e
"$GATEHOUSED" --policies "$TMP/broken" --socket "$SOCK" 2>"$TMP/err"
rc=$?
set -e
[[ $rc == 1 ]] && grep -q 'p.json:1:' "$TMP/err" && ok || bad "broken store at start: rc $rc, $(cat "$TMP/err")"
# There is no previous store at start: the log must not claim one is served.
grep -q 'previous store' "$TMP/err" && bad "broken store at start: $(cat "$TMP/err")" || ok

# --user: bound as root, serving as nobody.
if [[ $(id -u) == 0 ]]; then
	chmod 0755 "$TMP"
	daemon_start --user nobody
	[[ $(awk '/^Uid:/ {print $2 $3 $4 $5}' "/proc/$DAEMON_PID/status") == 65534655346553465534 ]] && ok ||
		bad "--user nobody: $(grep Uid "/proc/$DAEMON_PID/status")"
	req GET /health
	expect_status 200 "serving as nobody"
	req POST /v1/reload
	expect_status 200 "root may still reload (SO_PEERCRED uid 0)"
	daemon_stop
	chmod 0700 "$TMP"
fi
finish
