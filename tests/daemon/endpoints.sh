#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Every endpoint of gatehoused, on the example store (policies/), over a
# real Unix socket: answers, errors, MFA sessions and their clock, role
# sessions, /v1/check, AuthZEN, OPA, metrics, the decision log.
#   tests/daemon/endpoints.sh GATEHOUSED SRC_DIR
GATEHOUSED="$1"
SRC="$2"
. "$SRC/tests/daemon/lib.sh"

daemon_start --mfa-secrets "$TMP/mfa.json" --decision-log "$TMP/decisions.log"

# ---- /health, 404, 405 --------------------------------------------------------
req GET /health
expect_status 200 "health"
expect_json '[.status, .store.users, .store.roles]' '["ok",4,2]' "health body"
req GET /nope
expect_status 404 "unknown path"
expect_json '.error.code' '"not_found"' "unknown path code"
req GET /v1/authorize
expect_status 405 "GET on /v1/authorize"

# ---- /v1/authorize by principal -------------------------------------------------
HOME_OBJ='"resource": "arn:aws:s3:::corp-home/home/alice/notes.txt"'
req POST /v1/authorize "{\"principal\": \"alice\", \"action\": \"s3:GetObject\", $HOME_OBJ, \"context\": {$CORP}}"
expect_status 200 "alice reads her home"
expect_json 'del(.decision_id)' '{"decision":"allow","reason":"allowed","explanation":"an identity-based policy allows it","matched":[{"policy":"arn:aws:iam::111122223333:policy/developers-home","sid":"OwnHomeFolder","index":1,"effect":"Allow"}],"missing_context":[],"principal":"arn:aws:iam::111122223333:user/eng/alice"}' "alice allow answer"
expect_json '.decision_id | test("^[0-9a-f]{16}-[0-9a-f]{12}$")' 'true' "decision_id shape"
req POST /v1/authorize "{\"principal\": \"arn:aws:iam::111122223333:user/eng/alice\", \"action\": \"s3:GetObject\", $HOME_OBJ, \"context\": {\"aws:SourceIp\": \"203.0.113.7\"}}"
expect_json '[.decision, .reason, .matched[0].sid]' '["deny","explicit_deny","DenyOutsideCorpNetwork"]' "alice from outside, by ARN"
req POST /v1/authorize "{\"principal\": \"erin\", \"action\": \"s3:GetObject\", $HOME_OBJ, \"context\": {$CORP}}"
expect_json '[.decision, .reason]' '["deny","implicit_deny"]' "erin cut by her boundary"
req POST /v1/authorize "{\"principal\": \"carol\", \"action\": \"iam:CreateUser\", \"resource\": \"arn:aws:iam::111122223333:user/dave\", \"context\": {$CORP}}"
expect_json '[.decision, .missing_context]' '["deny",["aws:MultiFactorAuthPresent","aws:MultiFactorAuthAge"]]' "carol without MFA"

# Keys the daemon derives, in any letter case: refused, never decided.
for key in aws:username AWS:USERNAME aws:userid aws:PrincipalArn aws:PrincipalTag/team \
	aws:principaltag/TEAM aws:MultiFactorAuthPresent aws:multifactorauthage AWS:MultiFactorAuthAge \
	aws:PrincipalAccount aws:CurrentTime; do
	req POST /v1/authorize "{\"principal\": \"carol\", \"action\": \"iam:CreateUser\", \"resource\": \"arn:aws:iam::111122223333:user/dave\", \"context\": {$CORP, \"$key\": \"true\"}}"
	expect_status 400 "caller-supplied $key"
	expect_json '[.error.code, .error.path]' "[\"derived_key\",\"context.$key\"]" "caller-supplied $key: code"
done

# Malformed requests: a 4xx with a JSON error naming what is wrong.
req POST /v1/authorize '{"principal": "nobody", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}'
expect_status 404 "unknown principal"
expect_json '.error.code' '"unknown_principal"' "unknown principal code"
req POST /v1/authorize '{"principal": "alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"'
expect_status 400 "cut JSON"
expect_json '.error.code' '"invalid_json"' "cut JSON code"
req POST /v1/authorize '{"principal": "alice", "principal": "bob", "action": "s3:GetObject", "resource": "x"}'
expect_status 400 "duplicate JSON key"
req POST /v1/authorize '[1,2]'
expect_status 400 "array body"
req POST /v1/authorize ''
expect_status 400 "empty body"
req POST /v1/authorize '{"principal": "alice", "action": "s3:GetObject", "resource": "x", "contxt": {}}'
expect_json '[.error.code, .error.path]' '["unknown_key","contxt"]' "unknown key"
req POST /v1/authorize '{"principal": "alice", "session": "ghs_x", "action": "s3:GetObject", "resource": "x"}'
expect_status 400 "principal and session"
req POST /v1/authorize '{"principal": "alice", "resource": "x"}'
expect_json '[.error.code, .error.path]' '["invalid_request","action"]' "no action"
req POST /v1/authorize '{"principal": "alice", "action": "GetObject", "resource": "x"}'
expect_status 400 "action without service"
req POST /v1/authorize '{"principal": "alice", "action": "s3:GetObject", "resource": "x", "context": {"k": {"a": 1}}}'
expect_json '[.error.code, .error.path]' '["invalid_context","context.k"]' "object as a context value"
req POST /v1/authorize '{"principal": "alice", "action": "s3:GetObject", "resource": "x", "context": {"aws:SourceIp": "10.1.2.3", "AWS:SOURCEIP": "10.1.2.3"}}'
expect_json '.error.code' '"duplicate_key"' "a key twice in two letter cases"
req POST /v1/authorize '{"principal": "alice", "action": "s3:GetObject", "resource": "x", "context": {"k": ["a", {}]}}'
expect_json '[.error.code, .error.path]' '["invalid_context","context.k[1]"]' "an object in a list of values"
req POST /v1/authorize '{"principal": "alice", "action": "s3:GetObject", "resource": "x", "context": 7}'
expect_status 400 "context not an object"

# ---- sessions: TOTP, replay, wrong and expired codes, MFA age on the test clock --------
CARE='"action": "iam:CreateUser", "resource": "arn:aws:iam::111122223333:user/dave"'
req POST /v1/sessions '{"user": "carol"}'
expect_status 200 "session without MFA"
NOMFA="$(jq -r .token <<<"$BODY")"
expect_json '[.mfa, (.token | test("^ghs_[0-9a-f]{48}$"))]' '[false,true]' "session without MFA: token"
req POST /v1/authorize "{\"session\": \"$NOMFA\", $CARE, \"context\": {$CORP}}"
expect_json '[.decision, .missing_context]' '["deny",["aws:MultiFactorAuthPresent","aws:MultiFactorAuthAge"]]' "no-MFA session has no MFA keys"

CODE="$(totp $SECRET_CAROL)"
req POST /v1/sessions "{\"user\": \"carol\", \"mfa_code\": \"$CODE\", \"duration_seconds\": 7200}"
expect_status 200 "session with a valid code"
MFA="$(jq -r .token <<<"$BODY")"
expect_json '[.mfa, .expires_at, .principal]' "[true,\"$(date -u -d "@$((NOW + 7200))" +%Y-%m-%dT%H:%M:%S.000Z)\",\"arn:aws:iam::111122223333:user/carol\"]" "MFA session answer"
req POST /v1/sessions "{\"user\": \"carol\", \"mfa_code\": \"$CODE\"}"
expect_status 401 "replayed code"
expect_json '.error.code' '"mfa_replayed"' "replayed code: code"
WRONG=$(printf '%06d' $(((10#$CODE + 1) % 1000000)))
req POST /v1/sessions "{\"user\": \"carol\", \"mfa_code\": \"$WRONG\"}"
expect_json '.error.code' '"mfa_refused"' "wrong code"
req POST /v1/sessions "{\"user\": \"carol\", \"mfa_code\": \"$(totp $SECRET_CAROL -3)\"}"
expect_json '.error.code' '"mfa_refused"' "expired code (90 s old)"
req POST /v1/sessions '{"user": "carol", "mfa_code": "12345"}'
expect_status 400 "five-digit code"
req POST /v1/sessions "{\"user\": \"alice\", \"mfa_code\": \"$CODE\"}"
expect_json '.error.code' '"mfa_refused"' "user without a secret"
req POST /v1/sessions '{"user": "mallory"}'
expect_status 404 "unknown user"
req POST /v1/sessions '{"user": "ops-admin"}'
expect_status 404 "a role is not a user"
req POST /v1/sessions '{"user": "carol", "duration_seconds": 60}'
expect_status 400 "duration below 900 s"

req POST /v1/authorize "{\"session\": \"$MFA\", $CARE, \"context\": {$CORP}}"
expect_json '[.decision, .matched[0].sid]' '["allow","AdminWithFreshMFA"]' "MFA session allows carol"
req POST /v1/authorize "{\"session\": \"$MFA\", $CARE, \"context\": {$CORP, \"aws:MultiFactorAuthAge\": \"1\"}}"
expect_json '.error.code' '"derived_key"' "MFA session: caller MFA key still refused"
T0=$NOW
clock_set $((T0 + 3599))
req POST /v1/authorize "{\"session\": \"$MFA\", $CARE, \"context\": {$CORP}}"
expect_json '.decision' '"allow"' "MFA age 3599 s < 3600"
clock_set $((T0 + 3600))
req POST /v1/authorize "{\"session\": \"$MFA\", $CARE, \"context\": {$CORP}}"
expect_json '[.decision, .reason]' '["deny","implicit_deny"]' "MFA age 3600 s: limit crossed"
# A code of the next step is fresh again (the step, not the code, is what is used up).
clock_set $((T0 + 3660))
req POST /v1/sessions "{\"user\": \"carol\", \"mfa_code\": \"$(totp $SECRET_CAROL)\", \"duration_seconds\": 900}"
expect_status 200 "a later code"
SHORT="$(jq -r .token <<<"$BODY")"
clock_set $((NOW + 901))
req POST /v1/authorize "{\"session\": \"$SHORT\", $CARE, \"context\": {$CORP}}"
expect_status 401 "expired session"
expect_json '.error.code' '"session_expired"' "expired session code"
req POST /v1/authorize "{\"session\": \"ghs_000000000000000000000000000000000000000000000000\", $CARE}"
expect_status 401 "unknown token"

# Revocation.
req POST /v1/sessions '{"user": "alice"}'
REV="$(jq -r .token <<<"$BODY")"
req DELETE "/v1/sessions/$REV"
expect_status 200 "revoke"
req POST /v1/authorize "{\"session\": \"$REV\", \"action\": \"s3:GetObject\", $HOME_OBJ, \"context\": {$CORP}}"
expect_json '.error.code' '"invalid_session"' "revoked session"
req DELETE "/v1/sessions/$REV"
expect_status 404 "revoke twice"

# ---- role sessions ----------------------------------------------------------------
TERM_I='"action": "ec2:TerminateInstances", "resource": "arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc0000000000001"'
req POST /v1/sessions "{\"user\": \"bob\", \"role\": \"ops-admin\", \"session_name\": \"bob\", \"context\": {$CORP}}"
expect_status 403 "bob assumes ops-admin without MFA"
expect_json '.error.code' '"assume_role_denied"' "assume without MFA: code"
req POST /v1/sessions "{\"user\": \"bob\", \"mfa_code\": \"$(totp $SECRET_BOB)\", \"role\": \"ops-admin\", \"session_name\": \"bob\", \"context\": {$CORP}}"
expect_status 200 "bob assumes ops-admin with MFA"
expect_json '.principal' '"arn:aws:sts::111122223333:assumed-role/ops-admin/bob"' "role session ARN"
ROLE="$(jq -r .token <<<"$BODY")"
req POST /v1/authorize "{\"session\": \"$ROLE\", $TERM_I, \"context\": {$CORP}}"
expect_json '[.decision, .principal]' '["allow","arn:aws:sts::111122223333:assumed-role/ops-admin/bob"]' "role session decides as the role"
req POST /v1/sessions "{\"user\": \"alice\", \"role\": \"report-writer\", \"session_name\": \"nightly\", \"context\": {$CORP}}"
expect_status 200 "alice assumes report-writer (named in its trust policy)"
RW="$(jq -r .token <<<"$BODY")"
req POST /v1/authorize "{\"session\": \"$RW\", \"action\": \"s3:PutObject\", \"resource\": \"arn:aws:s3:::corp-reports/2026/11.csv\", \"context\": {$CORP, \"aws:SecureTransport\": \"false\"}}"
expect_json '[.decision, .matched[0].sid]' '["deny","RequireTLS"]' "report-writer over plain HTTP"
req POST /v1/sessions '{"user": "alice", "role": "no-such-role", "session_name": "x"}'
expect_status 404 "unknown role"
req POST /v1/sessions '{"user": "alice", "role": "report-writer", "context": {"aws:MultiFactorAuthPresent": "true"}}'
expect_json '.error.code' '"derived_key"' "assume-role context with an MFA key"
req POST /v1/sessions "{\"user\": \"alice\", \"context\": {$CORP}}"
expect_status 400 "a context without a role"

# ---- /v1/check ----------------------------------------------------------------------
check() { # TOKEN ACTION RESOURCE [curl args]: sets STATUS, REASON
	local tok="$1" act="$2" res="$3"
	shift 3
	local hdrs=()
	[[ -n $tok ]] && hdrs+=(-H "Authorization: Bearer $tok")
	[[ -n $act ]] && hdrs+=(-H "X-Gatehouse-Action: $act")
	[[ -n $res ]] && hdrs+=(-H "X-Gatehouse-Resource: $res")
	local out
	out="$(curl -s -D - -o /dev/null --unix-socket "$SOCK" "${hdrs[@]}" "$@" http://gh/v1/check)"
	STATUS="$(sed -n 's/^HTTP\/1.1 \([0-9]*\).*/\1/p' <<<"$out" | tr -d '\r')"
	REASON="$(sed -n 's/^X-Gatehouse-Reason: //Ip' <<<"$out" | tr -d '\r')"
	BODY="$out"
}
clock_set $((NOW + 60))
req POST /v1/sessions "{\"user\": \"carol\", \"mfa_code\": \"$(totp $SECRET_CAROL)\"}"
CHK="$(jq -r .token <<<"$BODY")"
req POST /v1/sessions '{"user": "carol"}'
NOMFA="$(jq -r .token <<<"$BODY")"
check "" iam:CreateUser arn:aws:iam::111122223333:user/dave
expect_status 401 "check without a token"
[[ $REASON == missing_token ]] && ok || bad "check without a token: reason $REASON"
check ghs_nope iam:CreateUser arn:aws:iam::111122223333:user/dave
expect_status 401 "check with an unknown token"
check "$CHK" iam:CreateUser arn:aws:iam::111122223333:user/dave -H 'X-Gatehouse-Source-Ip: 10.1.2.3'
expect_status 200 "check allowed"
[[ $REASON == allowed ]] && ok || bad "check allowed: reason $REASON"
out="$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" -H "Authorization: bearer $CHK" \
	-H 'X-Gatehouse-Action: iam:CreateUser' -H 'X-Gatehouse-Resource: arn:aws:iam::111122223333:user/dave' \
	-H 'X-Gatehouse-Source-Ip: 10.1.2.3' http://gh/v1/check)"
[[ $out == 200 ]] && ok || bad "check: the auth scheme is case-insensitive (RFC 7235), got $out"
check "$CHK" iam:CreateUser arn:aws:iam::111122223333:user/dave
expect_status 403 "check from outside the corporate network"
[[ $REASON == explicit_deny ]] && ok || bad "check explicit deny: reason $REASON"
check "$NOMFA" iam:CreateUser arn:aws:iam::111122223333:user/dave -H 'X-Gatehouse-Source-Ip: 10.1.2.3'
expect_status 403 "check without MFA"
[[ $REASON == implicit_deny ]] && ok || bad "check implicit deny: reason $REASON"
check "$CHK" "" "" -H 'X-Original-URI: /admin/users?x=1' -H 'X-Original-Method: DELETE' -H 'X-Gatehouse-Source-Ip: 10.1.2.3'
expect_status 200 "check with the default mapping"
check "$CHK" iam:CreateUser ""
expect_status 400 "check with an action but no resource"
check "$SHORT" iam:CreateUser arn:aws:iam::111122223333:user/dave
expect_status 401 "check with an expired session"

# ---- batch --------------------------------------------------------------------------
req POST /v1/authorize/batch "{\"requests\": [
  {\"principal\": \"alice\", \"action\": \"s3:GetObject\", $HOME_OBJ, \"context\": {$CORP}},
  {\"principal\": \"nobody\", \"action\": \"s3:GetObject\", $HOME_OBJ},
  {\"principal\": \"erin\", \"action\": \"s3:GetObject\", $HOME_OBJ, \"context\": {$CORP}},
  {\"session\": \"$CHK\", $CARE, \"context\": {$CORP}}]}"
expect_status 200 "batch"
expect_json '[.results[] | (.decision // .error.code)]' '["allow","unknown_principal","deny","allow"]' "batch results in order"
req POST /v1/authorize/batch '{"requests": [{"principal": "alice", "action": "s3:GetObject", "resource": "x", "context": {"aws:userid": "u"}}, {"principal": "alice", "actoin": "s3:GetObject"}, {"principal": 5}]}'
expect_json '[.results[].error.path]' '["requests[0].context.aws:userid","requests[1].actoin","requests[2].principal"]' "batch error paths"
req POST /v1/authorize/batch '{"requests": {}}'
expect_status 400 "batch of an object"

# ---- AuthZEN --------------------------------------------------------------------------
req GET /.well-known/authzen-configuration
expect_json '.' '{"policy_decision_point":"http://gh","access_evaluation_endpoint":"http://gh/access/v1/evaluation","access_evaluations_endpoint":"http://gh/access/v1/evaluations"}' "AuthZEN configuration"
INST='"arn:aws:ec2:eu-west-1:111122223333:instance/i-0b1ue000000000001"'
req POST /access/v1/evaluation "{\"subject\": {\"type\": \"user\", \"id\": \"bob\"}, \"action\": {\"name\": \"StopInstances\"}, \"resource\": {\"type\": \"ec2\", \"id\": $INST, \"properties\": {\"team\": \"red\"}}, \"context\": {$CORP}}"
expect_status 200 "AuthZEN evaluation"
expect_json '[.decision, .context.reason, .context.matched[0].sid]' '[true,"allowed","TeamInstances"]' "AuthZEN: name prefixed by type, properties as resource tags"
req POST /access/v1/evaluation "{\"subject\": {\"type\": \"user\", \"id\": \"bob\", \"properties\": {\"aws:PrincipalTag/team\": \"blue\", \"team\": \"blue\"}}, \"action\": {\"name\": \"ec2:StopInstances\"}, \"resource\": {\"type\": \"ec2\", \"id\": $INST, \"properties\": {\"team\": \"blue\"}}, \"context\": {$CORP}}"
expect_json '[.decision, .context.reason]' '[false,"implicit_deny"]' "AuthZEN: subject properties never trusted"
req POST /access/v1/evaluation "{\"subject\": {\"type\": \"session\", \"id\": \"$CHK\"}, \"action\": {\"name\": \"can_read\"}, \"resource\": {\"type\": \"todo\", \"id\": \"42\"}, \"context\": {$CORP}}"
expect_json '[.decision, .context.principal]' '[true,"arn:aws:iam::111122223333:user/carol"]' "AuthZEN: session subject, todo:can_read on arn:gatehouse:todo:::42"
req POST /access/v1/evaluation '{"subject": {"type": "group", "id": "x"}, "action": {"name": "a"}, "resource": {"type": "t", "id": "1"}}'
expect_status 400 "AuthZEN: unknown subject type"
req POST /access/v1/evaluation '{"subject": {"type": "user", "id": "alice"}, "action": {"name": "a"}, "resource": {"type": "t", "id": "1", "properties": {"n": 3}}}'
expect_json '.error.code' '"invalid_property"' "AuthZEN: a number property"
EVS="{\"subject\": {\"type\": \"user\", \"id\": \"alice\"}, \"context\": {$CORP}, \"evaluations\": [
  {\"action\": {\"name\": \"s3:GetObject\"}, \"resource\": {\"type\": \"s3\", \"id\": \"arn:aws:s3:::corp-home/home/alice/a\"}},
  {\"action\": {\"name\": \"s3:GetObject\"}, \"resource\": {\"type\": \"s3\", \"id\": \"arn:aws:s3:::corp-home/home/bob/a\"}},
  {\"subject\": {\"type\": \"user\", \"id\": \"bob\"}, \"action\": {\"name\": \"s3:GetObject\"}, \"resource\": {\"type\": \"s3\", \"id\": \"arn:aws:s3:::corp-home/home/bob/a\"}}]"
req POST /access/v1/evaluations "$EVS}"
expect_json '[.evaluations[].decision]' '[true,false,true]' "evaluations, execute_all by default"
req POST /access/v1/evaluations "$EVS, \"options\": {\"evaluations_semantic\": \"execute_all\"}}"
expect_json '[.evaluations[].decision]' '[true,false,true]' "evaluations, execute_all"
req POST /access/v1/evaluations "$EVS, \"options\": {\"evaluations_semantic\": \"deny_on_first_deny\"}}"
expect_json '[.evaluations[].decision]' '[true,false]' "evaluations, deny_on_first_deny"
req POST /access/v1/evaluations "$EVS, \"options\": {\"evaluations_semantic\": \"permit_on_first_permit\"}}"
expect_json '[.evaluations[].decision]' '[true]' "evaluations, permit_on_first_permit"
req POST /access/v1/evaluations "$EVS, \"options\": {\"evaluations_semantic\": \"most_of_them\"}}"
expect_status 400 "evaluations, unknown semantic"
req POST /access/v1/evaluations "{\"subject\": {\"type\": \"user\", \"id\": \"alice\"}, \"evaluations\": [{\"action\": {\"name\": \"s3:GetObject\"}, \"resource\": {\"type\": \"s3\", \"id\": \"x\"}, \"context\": {\"aws:username\": \"bob\"}}]}"
expect_json '[.evaluations[0].decision, .evaluations[0].context.error.code, .evaluations[0].context.error.path]' '[false,"derived_key","evaluations[0].context.aws:username"]' "evaluations: an error is a deny with the error"
req POST /access/v1/evaluations "{\"subject\": {\"type\": \"user\", \"id\": \"alice\"}, \"action\": {\"name\": \"s3:GetObject\"}, \"resource\": {\"type\": \"s3\", \"id\": \"arn:aws:s3:::corp-home/home/alice/a\"}, \"context\": {$CORP}}"
expect_json '.decision' 'true' "evaluations without a list: one evaluation"

# ---- OPA ------------------------------------------------------------------------------
req POST /v1/data/gatehouse/authorize "{\"input\": {\"principal\": \"alice\", \"action\": \"s3:GetObject\", $HOME_OBJ, \"context\": {$CORP}}}"
expect_json '[.result.decision, .result.reason, (.decision_id | length > 0), (.result | has("decision_id"))]' '["allow","allowed",true,false]' "OPA shape"
req POST /v1/data/gatehouse/authorize '{"principal": "alice"}'
expect_status 400 "OPA without input"

# ---- metrics and the decision log ---------------------------------------------------------
req GET /metrics
expect_status 200 "metrics"
for line in 'gatehoused_requests_total{route="authorize",status="200"}' \
	'gatehoused_requests_total{route="authorize",status="400"}' \
	'gatehoused_requests_total{route="check",status="401"}' \
	'gatehoused_decisions_total{decision="allow"}' 'gatehoused_reloads_total{result="ok"} 1' \
	'gatehoused_sessions_open' 'gatehoused_decision_log_drops_total 0' \
	'gatehoused_request_duration_seconds_bucket{le="+Inf"}' 'gatehoused_mfa_checks_total{result="refused"}'; do
	grep -qF "$line" <<<"$BODY" && ok || bad "metrics: no $line"
done
sleep 0.2
LOG="$TMP/decisions.log"
n_allow=$(grep -c '"decision":"allow"' "$LOG" || true)
[[ $n_allow -ge 5 ]] && ok || bad "decision log: $n_allow allow lines"
head -n 1 "$LOG" | jq -e 'has("time") and has("decision_id") and has("principal") and has("action") and has("resource") and has("decision") and has("reason") and has("matched") and has("latency_us")' >/dev/null && ok || bad "decision log fields: $(head -n 1 "$LOG")"
# logrotate: move the file, SIGUSR1, the next decision goes to a new file.
mv "$LOG" "$LOG.1"
kill -USR1 "$DAEMON_PID"
sleep 0.2
req POST /v1/authorize "{\"principal\": \"alice\", \"action\": \"s3:GetObject\", $HOME_OBJ, \"context\": {$CORP}}"
sleep 0.3
[[ -s $LOG ]] && jq -e '.principal == "arn:aws:iam::111122223333:user/eng/alice"' "$LOG" >/dev/null && ok || bad "decision log not reopened on SIGUSR1"

finish
