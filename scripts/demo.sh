#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main job on the bundled examples: set up, validate the example
# organisation under policies/, then evaluate the walkthrough of
# policies/README.md against it (gatehouse eval --policies policies), printing
# each decision with its reasons.
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
