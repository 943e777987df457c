#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main job on the bundled examples: set up, validate the example
# organisation under policies/, then evaluate the walkthrough of
# policies/README.md against it (gatehouse eval --policies policies), printing
# each decision with its reasons; then start gatehoused on policies/, open
# sessions with curl (one proven by a TOTP code that oathtool makes from a
# demo secret), show the decisions MFA changes, stop the daemon, exit 0.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
gh=build/bin/gatehouse
acct=111122223333
# Every request comes from inside the corporate network unless said otherwise
# (guardrail-deny denies everything else); MFA facts are the caller's context.
corp=(--context aws:SourceIp=10.1.2.3)
mfa_5min=(--context aws:MultiFactorAuthPresent=true --context aws:MultiFactorAuthAge=300)
mfa_10min=(--context aws:MultiFactorAuthPresent=true --context aws:MultiFactorAuthAge=600)
mfa_90min=(--context aws:MultiFactorAuthPresent=true --context aws:MultiFactorAuthAge=5400)

echo "== gatehouse check policies/"
"$gh" check policies/

n=0
example() {
	local title="$1"; shift
	n=$((n + 1))
	printf '\n== %d. %s\n$ gatehouse eval --policies policies %s --explain\n' "$n" "$title" "$*"
	# Exit 3 means "denied": an answer, not a failure.
	"$gh" eval --policies policies "$@" --explain || [[ $? == 3 ]]
}

example "Alice reads her own home folder (\${aws:username} via the Developers group)" \
	--principal alice --action s3:GetObject \
	--resource arn:aws:s3:::corp-home/home/alice/notes.txt "${corp[@]}"

example "Alice sends to her team's queue (\${aws:PrincipalTag/team} from her tags)" \
	--principal alice --action sqs:SendMessage \
	--resource arn:aws:sqs:eu-west-1:$acct:blue-builds "${corp[@]}"

example "Bob (team red) stops an instance of team blue" \
	--principal bob --action ec2:StopInstances \
	--resource arn:aws:ec2:eu-west-1:$acct:instance/i-0b1ue000000000001 \
	"${corp[@]}" --context aws:ResourceTag/team=blue

example "Alice reads her home folder from outside the network (the guardrail's Deny)" \
	--principal alice --action s3:GetObject \
	--resource arn:aws:s3:::corp-home/home/alice/notes.txt --context aws:SourceIp=203.0.113.7

example "Carol (Admins) without MFA (the MFA keys are absent, as in AWS)" \
	--principal carol --action iam:CreateUser --resource arn:aws:iam::$acct:user/dave "${corp[@]}"

example "Carol 10 minutes after a TOTP check" \
	--principal carol --action iam:CreateUser --resource arn:aws:iam::$acct:user/dave \
	"${corp[@]}" "${mfa_10min[@]}"

example "Carol stops the audit trail (the guardrail wins over the admin's allow)" \
	--principal carol --action cloudtrail:StopLogging \
	--resource arn:aws:cloudtrail:eu-west-1:$acct:trail/org "${corp[@]}" "${mfa_10min[@]}"

example "Erin (auditor) reads object data: ReadOnlyAccess allows, the boundary cuts it" \
	--principal erin --action s3:GetObject \
	--resource arn:aws:s3:::corp-home/home/alice/notes.txt "${corp[@]}"

example "Bob (OnCall) assumes ops-admin with fresh MFA and terminates an instance" \
	--principal bob --assume-role ops-admin --session-name bob \
	--action ec2:TerminateInstances --resource arn:aws:ec2:eu-west-1:$acct:instance/i-0abc0000000000001 \
	"${corp[@]}" "${mfa_5min[@]}"

example "The same with MFA 90 minutes old (the trust policy wants less than an hour)" \
	--principal bob --assume-role ops-admin --session-name bob \
	--action ec2:TerminateInstances --resource arn:aws:ec2:eu-west-1:$acct:instance/i-0abc0000000000001 \
	"${corp[@]}" "${mfa_90min[@]}"

example "Alice tries ops-admin with fresh MFA (the trust names the account: she needs an identity allow)" \
	--principal alice --assume-role ops-admin --session-name alice \
	--action ec2:TerminateInstances --resource arn:aws:ec2:eu-west-1:$acct:instance/i-0abc0000000000001 \
	"${corp[@]}" "${mfa_5min[@]}"

example "Alice as report-writer writes a report (trust names her, the bucket policy names the role)" \
	--principal alice --assume-role report-writer --session-name nightly \
	--action s3:PutObject --resource arn:aws:s3:::corp-reports/2026/11.csv \
	"${corp[@]}" --context aws:SecureTransport=true

example "The same write over plain HTTP (the bucket policy's Deny)" \
	--principal alice --assume-role report-writer --session-name nightly \
	--action s3:PutObject --resource arn:aws:s3:::corp-reports/2026/11.csv \
	"${corp[@]}" --context aws:SecureTransport=false

# Security groups: validate rules/ and print the nftables ruleset of the
# database host (compile runs unprivileged; `gatehouse fw apply` would load
# it, see README.md "Security groups").
printf '\n== gatehouse fw check --rules rules\n'
"$gh" fw check --rules rules
printf '\n== gatehouse fw compile --rules rules --host db-1\n'
"$gh" fw compile --rules rules --host db-1

# ---- gatehoused -------------------------------------------------------------
# The daemon on the same policies, on a socket in a temporary directory.  The
# demo's TOTP secrets (carol and bob) are made up; the file is 0600, as the
# daemon insists.  MFA facts now come from the daemon's TOTP check: a caller
# can no longer claim them.
demo="$(mktemp -d "${TMPDIR:-/tmp}/gatehoused-demo.XXXXXX")"
sock="$demo/gatehoused.sock"
carol_secret=JBSWY3DPEHPK3PXP
bob_secret=KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ
(umask 077 && printf '{"carol": "%s", "bob": "%s"}\n' "$carol_secret" "$bob_secret" >"$demo/mfa-secrets.json")
build/bin/gatehoused --policies policies --socket "$sock" --mfa-secrets "$demo/mfa-secrets.json" \
	--decision-log "$demo/decisions.log" 2>"$demo/gatehoused.log" &
daemon=$!
stop_daemon() {
	kill -TERM "$daemon" 2>/dev/null || true
	wait "$daemon" 2>/dev/null || true
	rm -rf "$demo"
}
trap stop_daemon EXIT
for _ in $(seq 1 100); do
	curl -sf --unix-socket "$sock" http://gatehouse/health >/dev/null 2>&1 && break
	sleep 0.05
done

# Show a curl command and its answer (also left in $out).
call() {
	local method="$1" path="$2" body="${3-}"
	printf '\n$ curl --unix-socket %s -X %s http://gatehouse%s%s\n' "\$SOCK" "$method" "$path" \
		"${body:+ -d '$body'}"
	if [[ -n $body ]]; then
		out="$(curl -s --unix-socket "$sock" -X "$method" -d "$body" "http://gatehouse$path")"
	else
		out="$(curl -s --unix-socket "$sock" -X "$method" "http://gatehouse$path")"
	fi
	printf '%s\n' "$out"
}
token() { sed -n 's/.*"token":"\([^"]*\)".*/\1/p'; }

printf '\n== gatehoused --policies policies --socket $SOCK --mfa-secrets %s\n' "$demo/mfa-secrets.json"
call GET /health
create='"action": "iam:CreateUser", "resource": "arn:aws:iam::'$acct':user/dave", "context": {"aws:SourceIp": "10.1.2.3"}'

printf '\n== Carol opens a session without MFA: the MFA keys are absent, the admin allow does not apply\n'
call POST /v1/sessions '{"user": "carol"}'
plain="$(token <<<"$out")"
call POST /v1/authorize "{\"session\": \"$plain\", $create}"

printf '\n== Carol opens a session with a TOTP code (oathtool --totp -b SECRET)\n'
code="$(oathtool --totp -b "$carol_secret")"
call POST /v1/sessions "{\"user\": \"carol\", \"mfa_code\": \"$code\"}"
mfa="$(token <<<"$out")"
call POST /v1/authorize "{\"session\": \"$mfa\", $create}"

printf '\n== The same code again: a TOTP code is accepted once\n'
call POST /v1/sessions "{\"user\": \"carol\", \"mfa_code\": \"$code\"}"

printf '\n== A caller cannot claim MFA itself\n'
call POST /v1/authorize '{"principal": "carol", "action": "iam:CreateUser", "resource": "arn:aws:iam::'$acct':user/dave", "context": {"aws:SourceIp": "10.1.2.3", "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "1"}}'

printf '\n== Bob assumes ops-admin: refused without MFA, allowed with a TOTP code\n'
assume='"role": "ops-admin", "session_name": "bob", "context": {"aws:SourceIp": "10.1.2.3"}'
call POST /v1/sessions "{\"user\": \"bob\", $assume}"
bcode="$(oathtool --totp -b "$bob_secret")"
call POST /v1/sessions "{\"user\": \"bob\", \"mfa_code\": \"$bcode\", $assume}"
role="$(token <<<"$out")"
call POST /v1/authorize "{\"session\": \"$role\", \"action\": \"ec2:TerminateInstances\", \"resource\": \"arn:aws:ec2:eu-west-1:$acct:instance/i-0abc0000000000001\", \"context\": {\"aws:SourceIp\": \"10.1.2.3\"}}"

printf '\n== A reverse proxy asks GET /v1/check (status and X-Gatehouse-Reason are the answer)\n'
for t in "$mfa" "$plain"; do
	printf '\n$ curl -i --unix-socket $SOCK http://gatehouse/v1/check -H "Authorization: Bearer %s..." ...\n' "${t:0:12}"
	curl -s -i --unix-socket "$sock" -H "Authorization: Bearer $t" -H 'X-Gatehouse-Action: iam:CreateUser' \
		-H "X-Gatehouse-Resource: arn:aws:iam::$acct:user/dave" -H 'X-Gatehouse-Source-Ip: 10.1.2.3' \
		http://gatehouse/v1/check | grep -E '^(HTTP|X-Gatehouse)' | tr -d '\r'
done

stop_daemon
trap - EXIT
printf '\n== gatehoused stopped\n'
