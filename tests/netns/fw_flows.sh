#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fw apply --log-drops and fw flows in throwaway network namespaces: host
# "t1" of tests/netns/boot (tcp 80 from 10.0.9.0/24 only) gets its ruleset
# with drops logged to NFLOG group 7, a peer sends what the rules drop, and
# fw flows must print one JSON line per dropped packet with its fields.
# Exit 77 (skipped) without namespaces or without libnetfilter_log.
#
#   fw_flows.sh GATEHOUSE GH_PROBE RULES_DIR
set -u
. "$(dirname "$0")/lib.sh"
nl_start ghfl "$@"
T=$P-t1
C=$P-peer
nl_pair $T $C 10.0.9.1/24 10.0.9.2/24

# (ip netns exec execs its command: $! and timeout reach gatehouse itself.)
ip netns exec $T timeout 0.3 "$GH" fw flows --group 7 --count 1 >/dev/null 2>$TMP/probe.err
if grep -q 'built without libnetfilter_log' $TMP/probe.err; then
	echo "SKIP: gatehouse built without libnetfilter_log"; exit 77
fi

check "apply --log-drops 7" run $T "$GH" fw apply --log-drops 7 --rules "$RULES" --host t1
check "the drop is logged, rate-limited" sh -c \
	"ip netns exec $T nft list chain inet gatehouse in_eth0 | grep -q 'limit rate 10/second burst 20 packets log prefix \"gh in eth0\" group 7'"
check "fw diff with the same option: no difference" run $T "$GH" fw diff --log-drops 7 --rules "$RULES" --host t1
run $T "$GH" fw diff --rules "$RULES" --host t1 >/dev/null
check "fw diff without it: differs (exit 3)" [ $? = 3 ]

# Other drops show up too (the target's own MLD reports, egress): count
# only the peer's three, then stop the reader.
ip netns exec $T "$GH" fw flows --group 7 >$TMP/flows.jsonl 2>$TMP/flows.err &
FLOWS=$!
PIDS="$PIDS $FLOWS"
sleep 0.5
run $C "$PROBE" udp 10.0.9.1 5353
run $C "$PROBE" icmp 10.0.9.1
run $C timeout 2 socat -T1 - TCP:10.0.9.1:22,connect-timeout=0.5,sourceport=40022 </dev/null >/dev/null 2>&1
sleep 1
kill $FLOWS
check "three lines from the peer" [ "$(grep -c '"src":"10.0.9.2"' $TMP/flows.jsonl)" = 3 ]
cat $TMP/flows.jsonl $TMP/flows.err
check "udp line" grep -q '"interface":"eth0","direction":"ingress","protocol":"udp","src":"10.0.9.2","dst":"10.0.9.1","sport":[0-9]*,"dport":5353,"action":"REJECT"}' $TMP/flows.jsonl
check "icmp line" grep -q '"interface":"eth0","direction":"ingress","protocol":"icmp","src":"10.0.9.2","dst":"10.0.9.1","action":"REJECT"}' $TMP/flows.jsonl
check "tcp line" grep -q '"protocol":"tcp","src":"10.0.9.2","dst":"10.0.9.1","sport":40022,"dport":22,"action":"REJECT"}' $TMP/flows.jsonl
ip netns exec $T "$GH" fw flows --group 7 --count 1 >$TMP/one.jsonl 2>&1 &
ONE=$!
sleep 0.3
run $C "$PROBE" icmp 10.0.9.1
sleep 0.5
check "--count 1: exits after one line" sh -c "! kill -0 $ONE 2>/dev/null && [ \$(wc -l <$TMP/one.jsonl) = 1 ]"
kill $ONE 2>/dev/null
check "times in UTC" grep -q '^{"time":"20[0-9-]*T[0-9:]*\.[0-9]*Z"' $TMP/flows.jsonl

echo "== a flood is logged at most 10/s (+20 burst) per interface and direction"
ip netns exec $T "$GH" fw flows --group 7 >$TMP/flood.jsonl 2>/dev/null &
FL2=$!
PIDS="$PIDS $FL2"
sleep 0.5
i=0
while [ $i -lt 100 ]; do run $C "$PROBE" udp 10.0.9.1 6000 >/dev/null 2>&1 & i=$((i + 1)); done
sleep 2
kill $FL2 2>/dev/null
n=$(wc -l <$TMP/flood.jsonl)
echo "100 dropped datagrams in about 1 s: $n logged"
check "logged at most 20 + 10 per second" [ "$n" -le 45 ]
check "and some were" [ "$n" -ge 10 ]
check "all counted by the drop's counter" sh -c \
	"ip netns exec $T nft list chain inet gatehouse in_eth0 | grep 'default deny' | grep -Eq 'packets (1[0-9][0-9]|[2-9][0-9][0-9])'"

exit $FAIL
