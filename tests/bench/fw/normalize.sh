#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Benchmark regression case of the set normaliser (not a test: nothing fails
# on a slow number).  One group of 40,000 rules shaped to spend the whole
# normalisation budget (FW_NORMALIZE_WORK_MAX boxes visited): WIDE rules
# from 0.0.0.0/0, each to its own port, cover every elementary address
# interval cut by the NARROW rules (consecutive /32s).  Each interval then
# has WIDE active boxes.  Sorting those again on every interval made this
# group take 2.1 s here (7.3 s under ASan) instead of the budget's fraction
# of a second; the key order is now sorted once: 0.35 s.
#
#   tests/bench/fw/normalize.sh [BUILD_DIR] [WIDE] [NARROW]
#
# Unprivileged.  Prints the in-library load + compile time of "fw compile
# --stats" (best of 3) and the wall time.
set -u
build=$(cd "${1:-${GH_BUILD_DIR:-build}}" && pwd) || exit 2
wide=${2:-1300}
narrow=${3:-38700}
GH=$build/bin/gatehouse
[ -x "$GH" ] || { echo "no $GH: build first"; exit 2; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

awk -v w="$wide" -v nn="$narrow" 'BEGIN {
	printf "{\"SecurityGroups\": [{\"GroupId\": \"sg-wide\", \"IpPermissions\": [\n"
	for (i = 0; i < w; i++)
		printf "{\"IpProtocol\": \"tcp\", \"FromPort\": %d, \"ToPort\": %d, \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}]},\n", 1 + 2 * i, 1 + 2 * i
	for (i = 0; i < nn; i++)
		printf "{\"IpProtocol\": \"tcp\", \"FromPort\": 60000, \"ToPort\": 60000, \"IpRanges\": [{\"CidrIp\": \"10.%d.%d.%d/32\"}]}%s\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256, i + 1 < nn ? "," : ""
	printf "]}], \"Hosts\": [{\"Name\": \"h\", \"Interfaces\": [{\"Name\": \"eth0\", \"Addresses\": [\"10.255.0.1\"], \"SecurityGroups\": [\"sg-wide\"]}]}]}\n"
}' >"$W/sg.json"

best=""
for k in 1 2 3; do
	t0=$(date +%s%N)
	"$GH" fw compile --stats --rules "$W" --host h >/dev/null 2>"$W/err" || { cat "$W/err"; exit 1; }
	t1=$(date +%s%N)
	ms=$(sed -n 's/.*load+compile \([0-9.]*\) ms.*/\1/p' "$W/err")
	wall=$(( (t1 - t0) / 1000000 ))
	if [ -z "$best" ] || awk -v a="$ms" -v b="$best" 'BEGIN { exit !(a < b) }'; then
		best=$ms
		bwall=$wall
		objs=$(sed -n 's/.*-> \(.*\); load.*/\1/p' "$W/err")
	fi
done
echo "normalise worst case: $((wide + narrow)) rules ($wide wide x $narrow narrow): load+compile $best ms, wall $bwall ms; $objs"
