#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main job on the bundled examples: set up, validate every policy under
# policies/, then evaluate the example requests documented in
# policies/README.md, printing each decision with its reasons.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
gh=build/bin/gatehouse
acct=111122223333

echo "== gatehouse check policies/"
"$gh" check policies/

n=0
example() {
	local title="$1"; shift
	n=$((n + 1))
	printf '\n== %d. %s\n$ gatehouse eval %s\n' "$n" "$title" "$*"
	# Exit 3 means "denied": an answer, not a failure.
	"$gh" eval "$@" --explain || [[ $? == 3 ]]
}

example "Alice reads her own home folder" \
	--policy policies/developers-home.json --principal arn:aws:iam::$acct:user/alice \
	--action s3:GetObject --resource arn:aws:s3:::corp-home/home/alice/notes.txt \
	--context aws:username=alice

example "Alice reads Bob's home folder (no statement allows it)" \
	--policy policies/developers-home.json --principal arn:aws:iam::$acct:user/alice \
	--action s3:GetObject --resource arn:aws:s3:::corp-home/home/bob/notes.txt \
	--context aws:username=alice

example "Alice sends to her team's queue (aws:PrincipalTag/team in the resource)" \
	--policy policies/developers-home.json --principal arn:aws:iam::$acct:user/alice \
	--action sqs:SendMessage --resource arn:aws:sqs:eu-west-1:$acct:blue-builds \
	--context aws:username=alice --context aws:PrincipalTag/team=blue

example "An admin without MFA (the MFA keys are absent, as in AWS)" \
	--policy policies/admins-require-mfa.json --principal arn:aws:iam::$acct:user/carol \
	--action iam:CreateUser --resource arn:aws:iam::$acct:user/dave

example "The same admin 10 minutes after a TOTP check" \
	--policy policies/admins-require-mfa.json --principal arn:aws:iam::$acct:user/carol \
	--action iam:CreateUser --resource arn:aws:iam::$acct:user/dave \
	--context aws:MultiFactorAuthPresent=true --context aws:MultiFactorAuthAge=600

example "The guardrail wins over the admin's allow (explicit deny)" \
	--policy policies/admins-require-mfa.json --policy policies/guardrail-deny.json \
	--principal arn:aws:iam::$acct:user/carol --action cloudtrail:StopLogging \
	--resource arn:aws:cloudtrail:eu-west-1:$acct:trail/org \
	--context aws:MultiFactorAuthPresent=true --context aws:MultiFactorAuthAge=600 \
	--context aws:SourceIp=10.1.2.3

example "An auditor bounded to read-only: the boundary cuts an admin allow" \
	--policy policies/admins-require-mfa.json --boundary policies/readonly-boundary.json \
	--principal arn:aws:iam::$acct:user/erin --action ec2:TerminateInstances \
	--resource arn:aws:ec2:eu-west-1:$acct:instance/i-0abc \
	--context aws:MultiFactorAuthPresent=true --context aws:MultiFactorAuthAge=60

example "The report-writer role session writes a report (granted by the bucket policy)" \
	--resource-policy policies/bucket-reports.json \
	--principal arn:aws:sts::$acct:assumed-role/report-writer/nightly \
	--action s3:PutObject --resource arn:aws:s3:::corp-reports/2026/11.csv \
	--context aws:SecureTransport=true

example "The same write over plain HTTP (the bucket policy's Deny)" \
	--resource-policy policies/bucket-reports.json \
	--principal arn:aws:sts::$acct:assumed-role/report-writer/nightly \
	--action s3:PutObject --resource arn:aws:s3:::corp-reports/2026/11.csv \
	--context aws:SecureTransport=false
