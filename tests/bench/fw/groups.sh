#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Benchmark regression case of set and chain naming (not a test).  One group
# with N rules, each allowing tcp 22 from its own peer group: the host gets
# three sets per peer group (members IPv4 and IPv6, ports), 24,002 sets at
# N = 8,000.  Each new set name was checked against every set made before
# it (0.84 s here at N = 8,000, best of 3, quadratic); names in use are
# hashed now: 0.05 s.
#
#   tests/bench/fw/groups.sh [BUILD_DIR] [N]
#
# Unprivileged.  Prints the in-library load + compile time of "fw compile
# --stats" (best of 3).
set -u
build=$(cd "${1:-${GH_BUILD_DIR:-build}}" && pwd) || exit 2
n=${2:-8000}
GH=$build/bin/gatehouse
[ -x "$GH" ] || { echo "no $GH: build first"; exit 2; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

awk -v n="$n" 'BEGIN {
	printf "{\"SecurityGroups\": [{\"GroupId\": \"sg-x\", \"IpPermissions\": [\n"
	for (i = 0; i < n; i++)
		printf "{\"IpProtocol\": \"tcp\", \"FromPort\": 22, \"ToPort\": 22, \"UserIdGroupPairs\": [{\"GroupId\": \"sg-g%d\"}]}%s\n", i, i + 1 < n ? "," : ""
	printf "]}"
	for (i = 0; i < n; i++)
		printf ",\n{\"GroupId\": \"sg-g%d\"}", i
	printf "], \"Hosts\": [{\"Name\": \"h\", \"Interfaces\": [{\"Name\": \"eth0\", \"Addresses\": [\"10.0.0.1\"], \"SecurityGroups\": [\"sg-x\"]}]}]}\n"
}' >"$W/sg.json"

best=""
for k in 1 2 3; do
	"$GH" fw compile --stats --rules "$W" --host h >/dev/null 2>"$W/err" || { cat "$W/err"; exit 1; }
	ms=$(sed -n 's/.*load+compile \([0-9.]*\) ms.*/\1/p' "$W/err")
	if [ -z "$best" ] || awk -v a="$ms" -v b="$best" 'BEGIN { exit !(a < b) }'; then
		best=$ms
		objs=$(sed -n 's/.*-> \(.*\); load.*/\1/p' "$W/err")
	fi
done
echo "group-peer worst case: $n rules from $n peer groups: load+compile $best ms; $objs"
