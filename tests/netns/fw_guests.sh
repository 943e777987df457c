#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Security groups of guests, proven with real packets in throwaway network
# namespaces.  "hv" is a hypervisor routing for three guests (vm-1, vm-2,
# vm-3: each a namespace on a veth pair whose host side tap1..tap3 is the
# guest port of the inventory in RULES, tests/netns/guests); "ext" is the
# outside, on hv's eth0, with a member address of sg-ops (192.168.50.2,
# fd50::2), a non-member (.3, ::3) and a spare (.4) that the membership
# test makes a guest of another hypervisor.  Only hv gets a ruleset; nothing
# runs in the caller's namespace.  Exit 77 (skipped) when namespaces are
# refused.
#
#   fw_guests.sh GATEHOUSE GH_PROBE RULES_DIR
set -u
. "$(dirname "$0")/lib.sh"
nl_start ghgu "$@"
HV=$P-hv
EXT=$P-ext
G1=$P-vm1
G2=$P-vm2
G3=$P-vm3
nl_cleanup_add $HV $EXT $G1 $G2 $G3

ip netns add $HV 2>/dev/null || { echo "SKIP: cannot create a network namespace"; exit 77; }
ip -n $HV link set lo up
ip netns exec $HV sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 || exit 1

# guest NS TAP V4 [V6]: a routed guest, its host-side port TAP in hv
guest() {
	ip netns add "$1" || exit 1
	ip -n "$1" link set lo up
	ip link add eth0 netns "$1" type veth peer name "$2" netns $HV || exit 1
	ip -n "$1" link set eth0 up
	ip -n $HV link set "$2" up
	ip -n "$1" addr add "$3/32" dev eth0
	ip -n "$1" route add 10.0.1.1 dev eth0
	ip -n "$1" route add default via 10.0.1.1
	ip -n $HV addr add 10.0.1.1/32 dev "$2"
	ip -n $HV route add "$3/32" dev "$2"
	if [ -n "${4:-}" ]; then
		ip -n "$1" addr add "$4/128" dev eth0 nodad
		ip -n "$1" -6 route add fd01::1 dev eth0
		ip -n "$1" -6 route add default via fd01::1
		ip -n $HV addr add fd01::1/128 dev "$2" nodad
		ip -n $HV -6 route add "$4/128" dev "$2"
	fi
}
guest $G1 tap1 10.0.1.11 fd01::11
guest $G2 tap2 10.0.1.12 fd01::12
guest $G3 tap3 10.0.1.13
# A source vm-1 does not own, for the spoofing test; hv routes it (the
# firewall, not routing, must stop it).  vm-1's tests bind their source.
ip -n $G1 addr add 10.0.1.99/32 dev eth0
ip -n $G1 addr add fd01::99/128 dev eth0 nodad
ip -n $HV route add 10.0.1.99/32 dev tap1
ip -n $HV -6 route add fd01::99/128 dev tap1

ip netns add $EXT || exit 1
ip -n $EXT link set lo up
nl_outside $EXT $HV 10.0.1.0/24 fd01::/64


for p in 80 8079 8080 8081 8082; do
	bg $G1 socat TCP6-LISTEN:$p,ipv6only=0,reuseaddr,fork SYSTEM:"echo ok"
done
for p in 22 5432 5433; do
	bg $G2 socat TCP6-LISTEN:$p,ipv6only=0,reuseaddr,fork SYSTEM:"echo ok"
done
bg $G3 socat TCP6-LISTEN:80,ipv6only=0,reuseaddr,fork SYSTEM:"echo ok"
bg $EXT socat TCP6-LISTEN:9000,ipv6only=0,reuseaddr,fork SYSTEM:"echo ok"
bg $EXT socat -u TCP6-LISTEN:7000,ipv6only=0,reuseaddr OPEN:$TMP/flow.txt,creat,append
sleep 1


echo "== baseline (no firewall): routing works, spoofed sources included"
expect pass "ext -> vm-1 tcp 8082" tcp $EXT 192.168.50.3 10.0.1.11 8082
expect pass "vm-2 -> vm-1 tcp 80" tcp $G2 - 10.0.1.11 80
expect pass "vm-1 spoofing 10.0.1.99 -> ext 9000" tcp $G1 10.0.1.99 192.168.50.3 9000
expect pass "vm-1 spoofing fd01::99 -> ext 9000" tcp $G1 fd01::99 fd50::3 9000

check "fw apply" run $HV "$GH" fw apply --rules "$RULES" --host hv-1

echo "== outside -> guests: members, non-members, port edges, IPv4 and IPv6"
expect pass "non-member -> vm-1 tcp 80" tcp $EXT 192.168.50.3 10.0.1.11 80
expect pass "non-member -> vm-1 tcp6 80" tcp $EXT fd50::3 fd01::11 80
expect drop "non-member -> vm-1 tcp 8080" tcp $EXT 192.168.50.3 10.0.1.11 8080
expect pass "member (sg-ops) -> vm-1 tcp 8080" tcp $EXT 192.168.50.2 10.0.1.11 8080
expect pass "member -> vm-1 tcp 8081 (upper edge)" tcp $EXT 192.168.50.2 10.0.1.11 8081
expect drop "member -> vm-1 tcp 8079 (below)" tcp $EXT 192.168.50.2 10.0.1.11 8079
expect drop "member -> vm-1 tcp 8082 (above)" tcp $EXT 192.168.50.2 10.0.1.11 8082
expect pass "member -> vm-1 tcp6 8080" tcp $EXT fd50::2 fd01::11 8080
expect drop "non-member -> vm-1 tcp6 8080" tcp $EXT fd50::3 fd01::11 8080
expect pass "ext -> vm-1 icmp" run $EXT "$PROBE" icmp 10.0.1.11
expect pass "ext -> vm-1 icmpv6" run $EXT "$PROBE" icmp6 fd01::11
expect drop "ext -> vm-2 icmp" run $EXT "$PROBE" icmp 10.0.1.12
expect drop "ext -> vm-2 tcp 5432 (db: only from sg-web)" tcp $EXT 192.168.50.3 10.0.1.12 5432
expect drop "ext -> vm-2 tcp6 22" tcp $EXT fd50::3 fd01::12 22

echo "== guest to guest: the sender's egress and the receiver's ingress"
expect pass "vm-1 (web) -> vm-2 (db) tcp 5432" tcp $G1 10.0.1.11 10.0.1.12 5432
expect pass "vm-1 -> vm-2 tcp6 5432" tcp $G1 fd01::11 fd01::12 5432
expect drop "vm-1 -> vm-2 tcp 5433 (web's egress allows, db's ingress does not)" tcp $G1 10.0.1.11 10.0.1.12 5433
expect drop "vm-2 -> vm-1 tcp 80 (web's ingress allows, db's egress does not)" tcp $G2 - 10.0.1.11 80
expect pass "vm-3 (web) -> vm-2 tcp 5432" tcp $G3 - 10.0.1.12 5432
expect drop "vm-3 -> vm-1 tcp 80 (web's egress has no port 80)" tcp $G3 - 10.0.1.11 80
expect pass "vm-1 -> ext tcp 9000" tcp $G1 10.0.1.11 192.168.50.3 9000
expect pass "vm-1 -> ext tcp6 9000" tcp $G1 fd01::11 fd50::3 9000
expect drop "vm-2 -> ext tcp 9000" tcp $G2 - 192.168.50.3 9000

echo "== anti-spoofing: a guest sends only from its own addresses"
expect drop "vm-1 from 10.0.1.99" tcp $G1 10.0.1.99 192.168.50.3 9000
expect drop "vm-1 from fd01::99" tcp $G1 fd01::99 fd50::3 9000
expect pass "vm-1 from its own 10.0.1.11" tcp $G1 10.0.1.11 192.168.50.3 9000
check "spoof counter counted" sh -c "ip netns exec $HV nft list chain inet gatehouse out_tap1 | grep 'spoofed IPv4' | grep -qv 'packets 0 '"

echo "== an established flow survives a re-apply that removes its rule"
mkdir $TMP/closed
sed 's/"FromPort": 7000, "ToPort": 7000/"FromPort": 7001, "ToPort": 7001/' "$RULES/sg.json" >$TMP/closed/sg.json
cp "$RULES/inventory.json" $TMP/closed/
nl_flow_survives $HV $EXT $G1 10.0.1.11 $TMP/closed

echo "== a guest of another hypervisor joins sg-web: membership update, no reload"
mkdir $TMP/joined
cp $TMP/closed/sg.json $TMP/joined/
sed 's/"Guests": \[\]/"Guests": [{"Name": "vm-9", "Interfaces": [{"Name": "tap9", "Addresses": ["192.168.50.4"], "SecurityGroups": ["sg-web"]}]}]/' \
	"$RULES/inventory.json" >$TMP/joined/inventory.json
expect drop "ext .4 -> vm-2 tcp 5432 before" tcp $EXT 192.168.50.4 10.0.1.12 5432
run $HV nft -a list table inet gatehouse | grep -v 'elements\|^\s*[0-9a-f:.]*\( comment\|,\)' >$TMP/handles.before
run $HV "$GH" fw apply --rules $TMP/joined --host hv-1 >$TMP/join.out 2>&1
cat $TMP/join.out
check "reported as a membership update (+1 -0)" grep -q 'membership updated (+1 -0' $TMP/join.out
run $HV nft -a list table inet gatehouse | grep -v 'elements\|^\s*[0-9a-f:.]*\( comment\|,\)' >$TMP/handles.after
check "rule and set handles unchanged" diff -u $TMP/handles.before $TMP/handles.after
expect pass "vm-9 (.4, now in sg-web) -> vm-2 tcp 5432" tcp $EXT 192.168.50.4 10.0.1.12 5432
check "fw diff is empty" run $HV "$GH" fw diff --rules $TMP/joined --host hv-1
run $HV "$GH" fw apply --rules $TMP/closed --host hv-1 >$TMP/leave.out 2>&1
check "removed: membership updated (+0 -1)" grep -q 'membership updated (+0 -1' $TMP/leave.out
expect drop "ext .4 -> vm-2 tcp 5432 after removal" tcp $EXT 192.168.50.4 10.0.1.12 5432

echo "== drift on a guest chain is repaired"
run $HV nft insert rule inet gatehouse out_tap2 accept
expect pass "hand edit opens vm-2 egress" tcp $G2 - 192.168.50.3 9000
run $HV "$GH" fw apply --rules $TMP/closed --host hv-1 >$TMP/repair.out 2>&1
cat $TMP/repair.out
check "repair reported" grep -q 'repaired 1 difference' $TMP/repair.out
expect drop "vm-2 egress closed again" tcp $G2 - 192.168.50.3 9000

echo "== fw show names the guests' rules"
run $HV "$GH" fw show >$TMP/show.txt
check "show lists out_tap1 and sg-web rules" sh -c "grep -q out_tap1 $TMP/show.txt && grep -q 'sg-web out\[' $TMP/show.txt"

echo "== --confirm rolls back a guests' ruleset (forward chain included) unless confirmed"
run $HV nft -s list table inet gatehouse >$TMP/before.nft
run $HV "$GH" fw apply --full --confirm 1 --rules "$RULES" --host hv-1 </dev/null >/dev/null 2>&1
check "exit status 4 (rolled back)" [ $? = 4 ]
run $HV nft -s list table inet gatehouse >$TMP/after.nft
check "previous ruleset restored" diff -u $TMP/before.nft $TMP/after.nft
expect drop "vm-2 egress still closed" tcp $G2 - 192.168.50.3 9000
expect pass "vm-1 -> vm-2 tcp 5432 still open" tcp $G1 10.0.1.11 10.0.1.12 5432

echo "== a guest port moved into a bridge is named in a warning (not filtered there)"
ip -n $HV link add br9 type bridge
ip -n $HV link set tap3 master br9
run $HV "$GH" fw apply --rules $TMP/closed --host hv-1 >/dev/null 2>$TMP/bridged.err
check "warning names tap3" grep -q 'guest port tap3 is a port of bridge br9, but the inventory does not say so: .* NOT enforced' $TMP/bridged.err
check "no warning for routed tap1" sh -c "! grep -q 'port tap1' $TMP/bridged.err"
ip -n $HV link set tap3 nomaster
ip -n $HV link del br9

echo "== fw stats: exact counts per security-group rule and per interface"
# A full replace starts every counter from zero.
check "apply --full" run $HV "$GH" fw apply --full --rules $TMP/closed --host hv-1
for i in 1 2 3 4 5; do run $EXT "$PROBE" icmp 10.0.1.11; done
for i in 1 2 3; do run $EXT "$PROBE" icmp6 fd01::11; done
for i in 1 2 3 4; do run $EXT "$PROBE" icmp 10.0.1.12; done
for i in 1 2 3; do tcp $EXT 192.168.50.3 10.0.1.11 80; done
run $HV "$GH" fw stats --rules $TMP/closed --host hv-1 --json >$TMP/stats.json
cat $TMP/stats.json
# gh_probe sends a 64-byte ICMP message: 84 bytes with IPv4, 104 with IPv6.
check "sg-web in[2] (icmp) on tap1: 5 packets, 420 bytes" grep -q \
	'{"group_id":"sg-web","direction":"ingress","rule":2,"interface":"tap1","packets":5,"bytes":420,"shared":false}' $TMP/stats.json
check "sg-web in[3] (icmpv6) on tap1: 3 packets, 312 bytes" grep -q \
	'{"group_id":"sg-web","direction":"ingress","rule":3,"interface":"tap1","packets":3,"bytes":312,"shared":false}' $TMP/stats.json
check "sg-web in[0] (tcp 80) on tap1: 3 connections, 3 packets" grep -q \
	'{"group_id":"sg-web","direction":"ingress","rule":0,"interface":"tap1","packets":3,"bytes":[0-9]*,"shared":false}' $TMP/stats.json
check "tap2 ingress default deny: 4 packets, 336 bytes" grep -q \
	'{"interface":"tap2","direction":"ingress","reason":"default_deny","packets":4,"bytes":336}' $TMP/stats.json
check "nothing spoofed since" grep -q \
	'{"interface":"tap1","direction":"egress","reason":"spoofed_source","packets":0,"bytes":0}' $TMP/stats.json
run $HV "$GH" fw stats --rules $TMP/closed --host hv-1 --prometheus >$TMP/stats.prom
check "prometheus: the same count" grep -q \
	'^gatehouse_fw_rule_packets_total{host="hv-1",group_id="sg-web",direction="ingress",rule="2",interface="tap1",shared="false"} 5$' $TMP/stats.prom
check "stats refused for rules the table was not written from" sh -c \
	"! ip netns exec $HV $GH fw stats --rules $RULES --host hv-1 >/dev/null 2>&1"

exit $FAIL
