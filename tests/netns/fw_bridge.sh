#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Security groups of BRIDGED guests, proven with real packets in throwaway
# network namespaces.  "hv" is a hypervisor with a bridge br0 (10.0.2.1,
# fd02::1) whose ports btap1..btap3 are veth pairs to three guests bm-1
# (web), bm-2 (db), bm-3 (web, IPv4 only), declared with "Bridge": "br0"
# in RULES (tests/netns/bridge); vm-1 is a routed guest on tap1, as in
# fw_guests.sh; "ext" is the outside on hv's eth0 with a member address of
# sg-ops (192.168.50.2, fd50::2), a non-member (.3, ::3) and a spare (.4)
# that the membership test makes a bridged guest of another hypervisor.
# br_netfilter's sysctls are set in hv only (they are per namespace).
# Only hv gets a ruleset; nothing runs in the caller's namespace.  Exit 77
# (skipped) when namespaces are refused or the kernel has no br_netfilter.
#
#   fw_bridge.sh GATEHOUSE GH_PROBE RULES_DIR GH_FRAME
set -u
. "$(dirname "$0")/lib.sh"
nl_start ghbr "$@"
FRAME=$4
HV=$P-hv
EXT=$P-ext
R1=$P-vm1
B1=$P-bm1
B2=$P-bm2
B3=$P-bm3
nl_cleanup_add $HV $EXT $R1 $B1 $B2 $B3

ip netns add $HV 2>/dev/null || { echo "SKIP: cannot create a network namespace"; exit 77; }
ip -n $HV link set lo up
ip netns exec $HV sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 || exit 1
[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || { echo "SKIP: no br_netfilter"; exit 77; }
ip netns exec $HV sysctl -qw net.bridge.bridge-nf-call-iptables=1 \
	net.bridge.bridge-nf-call-ip6tables=1 || exit 1
ip -n $HV link add br0 type bridge || exit 1
ip -n $HV addr add 10.0.2.1/24 dev br0
ip -n $HV addr add fd02::1/64 dev br0 nodad
ip -n $HV link set br0 up

newns() { # NS: a namespace without IPv6 duplicate address detection (no waiting)
	ip netns add "$1" || exit 1
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ip -n "$1" link set lo up
}

# bguest NS PORT V4 [V6]: a bridged guest, its port PORT a member of br0
bguest() {
	newns "$1"
	ip link add eth0 netns "$1" type veth peer name "$2" netns $HV || exit 1
	ip -n $HV link set "$2" master br0
	ip -n $HV link set "$2" up
	ip -n "$1" addr add "$3/24" dev eth0
	ip -n "$1" link set eth0 up
	ip -n "$1" route add default via 10.0.2.1
	if [ -n "${4:-}" ]; then
		ip -n "$1" addr add "$4/64" dev eth0 nodad
		ip -n "$1" -6 route add default via fd02::1
	fi
}
bguest $B1 btap1 10.0.2.11 fd02::11
bguest $B2 btap2 10.0.2.12 fd02::12
bguest $B3 btap3 10.0.2.13
# Sources bm-1 does not own, for the spoofing tests (bm-1's tests bind their source).
ip -n $B1 addr add 10.0.2.99/32 dev eth0
ip -n $B1 addr add fd02::99/128 dev eth0 nodad

# The routed guest vm-1 on tap1.
newns $R1
ip link add eth0 netns $R1 type veth peer name tap1 netns $HV || exit 1
ip -n $R1 link set eth0 up
ip -n $HV link set tap1 up
ip -n $R1 addr add 10.0.1.11/32 dev eth0
ip -n $R1 route add 10.0.1.1 dev eth0
ip -n $R1 route add default via 10.0.1.1
ip -n $HV addr add 10.0.1.1/32 dev tap1
ip -n $HV route add 10.0.1.11/32 dev tap1

newns $EXT
nl_outside $EXT $HV 10.0.0.0/16 fd02::/64

for p in 80 8079 8080 8081 8082; do
	bg $B1 socat TCP6-LISTEN:$p,ipv6only=0,reuseaddr,fork SYSTEM:"echo ok"
done
for p in 22 5432 5433; do
	bg $B2 socat TCP6-LISTEN:$p,ipv6only=0,reuseaddr,fork SYSTEM:"echo ok"
done
bg $B3 socat TCP6-LISTEN:80,ipv6only=0,reuseaddr,fork SYSTEM:"echo ok"
bg $R1 socat TCP6-LISTEN:80,ipv6only=0,reuseaddr,fork SYSTEM:"echo ok"
bg $EXT socat TCP6-LISTEN:9000,ipv6only=0,reuseaddr,fork SYSTEM:"echo ok"
bg $EXT socat -u TCP6-LISTEN:7000,ipv6only=0,reuseaddr OPEN:$TMP/flow.txt,creat,append
sleep 1

mac() { ip -n "$1" -o link show eth0 | sed 's/.*link\/ether \([0-9a-f:]*\).*/\1/'; }
lladdr() { ip -n "$1" -6 -o addr show dev eth0 scope link | sed 's/.*inet6 \([0-9a-f:]*\).*/\1/'; }
neigh_mac() { # ADDRESS: the MAC hv has for it on br0
	ip -n $HV neigh show "$1" dev br0 | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p'
}
# learn ADDRESS: hv talks to it, so that its neighbour entry exists; then
# waits out the kernel's ARP locktime (1 s), after which a reply may replace it.
learn() {
	case "$1" in *:*) run $HV "$PROBE" icmp6 "$1";; *) run $HV "$PROBE" icmp "$1";; esac
	sleep 1.2
}
# spoofed_neigh KIND ADDRESS: bm-1 claims ADDRESS (bm-2's) in a gratuitous
# ARP or an unsolicited neighbour advertisement; 0 when hv now has bm-1's MAC.
spoofed_neigh() {
	if [ "$1" = garp ]; then
		run $B1 "$FRAME" garp eth0 "$2" >/dev/null
	else
		run $B1 "$FRAME" na eth0 "$(lladdr $B1)" "$2" >/dev/null
	fi
	sleep 0.3
	[ "$(neigh_mac "$2")" = "$MAC1" ]
}
# wrong_mac: bm-1 sends UDP 6000 (web -> db: allowed) to bm-2's address
# but bm-3's MAC; 0 when bm-3 received it.
wrong_mac() {
	run $B3 "$FRAME" sniff eth0 6000 1.5 >$TMP/sniff3 &
	s=$!
	sleep 0.3
	run $B1 "$FRAME" udp eth0 "$MAC3" 10.0.2.11 10.0.2.12 6000
	wait $s
	[ "$(cat $TMP/sniff3)" -gt 0 ]
}
right_mac() { # the same to bm-2's MAC; 0 when bm-2 received it
	run $B2 "$FRAME" sniff eth0 6000 1.5 >$TMP/sniff2 &
	s=$!
	sleep 0.3
	run $B1 "$FRAME" udp eth0 "$MAC2" 10.0.2.11 10.0.2.12 6000
	wait $s
	[ "$(cat $TMP/sniff2)" -gt 0 ]
}
# rogue_dhcp: bm-1 broadcasts a DHCP offer (udp 67 -> 68); 0 when bm-2 got it.
rogue_dhcp() {
	run $B2 "$FRAME" sniff eth0 68 1.5 >$TMP/sniff68 &
	s=$!
	sleep 0.3
	run $B1 "$FRAME" udp eth0 ff:ff:ff:ff:ff:ff 10.0.2.11 255.255.255.255 68 67
	wait $s
	[ "$(cat $TMP/sniff68)" -gt 0 ]
}
MAC1=$(mac $B1)
MAC2=$(mac $B2)
MAC3=$(mac $B3)

echo "== baseline (no firewall): bridging works, spoofing too"
expect pass "ext -> bm-1 tcp 8082" tcp $EXT 192.168.50.3 10.0.2.11 8082
expect pass "bm-2 -> bm-1 tcp 80" tcp $B2 - 10.0.2.11 80
expect pass "bm-1 spoofing 10.0.2.99 -> ext 9000" tcp $B1 10.0.2.99 192.168.50.3 9000
learn 10.0.2.12
expect pass "bm-1's gratuitous ARP for bm-2's 10.0.2.12 takes over hv's entry" spoofed_neigh garp 10.0.2.12
ip -n $HV neigh del 10.0.2.12 dev br0
learn fd02::12
expect pass "bm-1's advertisement for bm-2's fd02::12 takes over hv's entry" spoofed_neigh na fd02::12
ip -n $HV neigh del fd02::12 dev br0
expect pass "a frame to bm-3's MAC with bm-2's address reaches bm-3" wrong_mac
expect pass "bm-1's DHCP offer reaches bm-2" rogue_dhcp

echo "== apply refuses bridged guests without br_netfilter's sysctls"
ip netns exec $HV sysctl -qw net.bridge.bridge-nf-call-ip6tables=0
run $HV "$GH" fw apply --rules "$RULES" --host hv-1 >/dev/null 2>$TMP/nobrnf.err
check "refused (exit 1)" [ $? = 1 ]
check "the error names the sysctl" grep -q 'net.bridge.bridge-nf-call-ip6tables = 1' $TMP/nobrnf.err
check "and blames no kernel" sh -c "grep -q 'not applied; the previous ruleset is still in force' $TMP/nobrnf.err && ! grep -q 'kernel refused' $TMP/nobrnf.err"
check "nothing applied" sh -c "! ip netns exec $HV nft list table inet gatehouse >/dev/null 2>&1"
ip netns exec $HV sysctl -qw net.bridge.bridge-nf-call-ip6tables=1

check "fw apply" run $HV "$GH" fw apply --rules "$RULES" --host hv-1
check "both tables" sh -c "ip netns exec $HV nft list tables | tr '\n' ' ' | grep -q 'table inet gatehouse table bridge gatehouse'"

echo "== outside -> bridged guests: members, non-members, port edges, IPv4 and IPv6"
expect pass "non-member -> bm-1 tcp 80" tcp $EXT 192.168.50.3 10.0.2.11 80
expect pass "non-member -> bm-1 tcp6 80" tcp $EXT fd50::3 fd02::11 80
expect drop "non-member -> bm-1 tcp 8080" tcp $EXT 192.168.50.3 10.0.2.11 8080
expect pass "member (sg-ops) -> bm-1 tcp 8080" tcp $EXT 192.168.50.2 10.0.2.11 8080
expect pass "member -> bm-1 tcp 8081 (upper edge)" tcp $EXT 192.168.50.2 10.0.2.11 8081
expect drop "member -> bm-1 tcp 8079 (below)" tcp $EXT 192.168.50.2 10.0.2.11 8079
expect drop "member -> bm-1 tcp 8082 (above)" tcp $EXT 192.168.50.2 10.0.2.11 8082
expect pass "member -> bm-1 tcp6 8080" tcp $EXT fd50::2 fd02::11 8080
expect drop "non-member -> bm-1 tcp6 8080" tcp $EXT fd50::3 fd02::11 8080
expect pass "ext -> bm-1 icmp" run $EXT "$PROBE" icmp 10.0.2.11
expect pass "ext -> bm-1 icmpv6" run $EXT "$PROBE" icmp6 fd02::11
expect drop "ext -> bm-2 icmp" run $EXT "$PROBE" icmp 10.0.2.12
expect drop "ext -> bm-2 tcp 5432 (db: only from sg-web)" tcp $EXT 192.168.50.3 10.0.2.12 5432
expect drop "ext -> bm-2 tcp6 22" tcp $EXT fd50::3 fd02::12 22
expect pass "hv itself -> bm-1 tcp 80 (hv's egress; bm-1's port lets its own address through)" tcp $HV - 10.0.2.11 80

echo "== guest to guest on the bridge: the sender's egress and the receiver's ingress"
expect pass "bm-1 (web) -> bm-2 (db) tcp 5432" tcp $B1 10.0.2.11 10.0.2.12 5432
expect pass "bm-1 -> bm-2 tcp6 5432" tcp $B1 fd02::11 fd02::12 5432
expect drop "bm-1 -> bm-2 tcp 5433 (web's egress allows, db's ingress does not)" tcp $B1 10.0.2.11 10.0.2.12 5433
expect drop "bm-2 -> bm-1 tcp 80 (web's ingress allows, db's egress does not)" tcp $B2 - 10.0.2.11 80
expect drop "bm-2 -> bm-1 tcp6 80" tcp $B2 - fd02::11 80
expect pass "bm-3 (web, IPv4 only) -> bm-2 tcp 5432" tcp $B3 - 10.0.2.12 5432
expect drop "bm-3 -> bm-1 tcp 80 (web's egress has no port 80)" tcp $B3 - 10.0.2.11 80
expect pass "routed vm-1 (web) -> bridged bm-2 tcp 5432" tcp $R1 - 10.0.2.12 5432
expect drop "bridged bm-2 -> routed vm-1 tcp 80" tcp $B2 - 10.0.1.11 80
expect pass "bm-1 -> ext tcp 9000" tcp $B1 10.0.2.11 192.168.50.3 9000
expect pass "bm-1 -> ext tcp6 9000" tcp $B1 fd02::11 fd50::3 9000
expect drop "bm-2 -> ext tcp 9000" tcp $B2 - 192.168.50.3 9000

echo "== anti-spoofing on the bridge: own addresses only, IPv4, IPv6, ARP, ND"
expect drop "bm-1 from 10.0.2.99" tcp $B1 10.0.2.99 192.168.50.3 9000
expect drop "bm-1 from fd02::99" tcp $B1 fd02::99 fd50::3 9000
expect drop "bm-1 from 10.0.2.99 to bm-2 on the bridge" tcp $B1 10.0.2.99 10.0.2.12 5432
expect pass "bm-1 from its own 10.0.2.11" tcp $B1 10.0.2.11 192.168.50.3 9000
check "spoof counter counted" sh -c "ip netns exec $HV nft list chain bridge gatehouse from_btap1 | grep 'spoofed source' | grep -qv 'packets 0 '"
learn 10.0.2.12
expect drop "bm-1's gratuitous ARP for bm-2's 10.0.2.12" spoofed_neigh garp 10.0.2.12
check "hv still has bm-2's MAC for 10.0.2.12" [ "$(neigh_mac 10.0.2.12)" = "$MAC2" ]
learn fd02::12
expect drop "bm-1's advertisement for bm-2's fd02::12" spoofed_neigh na fd02::12
check "hv still has bm-2's MAC for fd02::12" [ "$(neigh_mac fd02::12)" = "$MAC2" ]
check "the advertisement was counted" sh -c "ip netns exec $HV nft list chain bridge gatehouse from_btap1 | grep 'neighbour advertisement' | grep -qv 'packets 0 '"
expect pass "bm-1's own advertisement (for fd02::11) passes" sh -c \
	"ip netns exec $B1 '$FRAME' na eth0 $(lladdr $B1) fd02::11 && sleep 0.3 && ip netns exec $HV nft list chain bridge gatehouse from_btap1 | grep 'neighbour advertisement' | grep -q 'packets 1 '"
expect drop "a frame to bm-3's MAC with bm-2's address" wrong_mac
expect pass "the same frame to bm-2's MAC (allowed by both groups)" right_mac
expect drop "bm-1's DHCP offer (a guest is no DHCP server)" rogue_dhcp

echo "== an established flow survives a re-apply that removes its rule"
# closed: no port 7000, and bm-3 gains an address (the bridge table changes too).
mkdir $TMP/closed
sed 's/"FromPort": 7000, "ToPort": 7000/"FromPort": 7001, "ToPort": 7001/' "$RULES/sg.json" >$TMP/closed/sg.json
sed 's/"10.0.2.13"/"10.0.2.13", "10.0.2.14"/' "$RULES/inventory.json" >$TMP/closed/inventory.json
nl_flow_survives $HV $EXT $B1 10.0.2.11 $TMP/closed

echo "== a bridged guest of another hypervisor joins sg-web: membership update, no reload"
mkdir $TMP/joined
cp $TMP/closed/sg.json $TMP/joined/
sed 's/"Guests": \[\]/"Guests": [{"Name": "bm-9", "Interfaces": [{"Name": "btap9", "Bridge": "br0", "Addresses": ["192.168.50.4"], "SecurityGroups": ["sg-web"]}]}]/' \
	$TMP/closed/inventory.json >$TMP/joined/inventory.json
expect drop "ext .4 -> bm-2 tcp 5432 before" tcp $EXT 192.168.50.4 10.0.2.12 5432
run $HV nft -a list ruleset | grep -v 'elements\|^\s*[0-9a-f:.]*\( comment\|,\)' >$TMP/handles.before
run $HV "$GH" fw apply --rules $TMP/joined --host hv-1 >$TMP/join.out 2>&1
cat $TMP/join.out
check "reported as a membership update (+1 -0)" grep -q 'membership updated (+1 -0' $TMP/join.out
run $HV nft -a list ruleset | grep -v 'elements\|^\s*[0-9a-f:.]*\( comment\|,\)' >$TMP/handles.after
check "rule and set handles unchanged (both tables)" diff -u $TMP/handles.before $TMP/handles.after
expect pass "bm-9 (.4, now in sg-web) -> bm-2 tcp 5432" tcp $EXT 192.168.50.4 10.0.2.12 5432
check "fw diff is empty" run $HV "$GH" fw diff --rules $TMP/joined --host hv-1
run $HV "$GH" fw apply --rules $TMP/closed --host hv-1 >$TMP/leave.out 2>&1
check "removed: membership updated (+0 -1)" grep -q 'membership updated (+0 -1' $TMP/leave.out
expect drop "ext .4 -> bm-2 tcp 5432 after removal" tcp $EXT 192.168.50.4 10.0.2.12 5432

echo "== drift in the bridge table is repaired"
# Both ways: the replies to a spoofed source are stopped at to_btap1 too.
run $HV nft insert rule bridge gatehouse from_btap1 accept
run $HV nft insert rule bridge gatehouse to_btap1 accept
expect pass "hand edit lets bm-1 spoof" tcp $B1 10.0.2.99 192.168.50.3 9000
run $HV "$GH" fw apply --rules $TMP/closed --host hv-1 >$TMP/repair.out 2>&1
cat $TMP/repair.out
check "repair reported" grep -q 'repaired 2 differences' $TMP/repair.out
expect drop "spoofing dropped again" tcp $B1 10.0.2.99 192.168.50.3 9000

echo "== fw show and fw diff cover the bridge table"
run $HV "$GH" fw show >$TMP/show.txt
check "show lists table bridge gatehouse and from_btap1" sh -c \
	"grep -q '^table bridge gatehouse' $TMP/show.txt && grep -q '^chain from_btap1' $TMP/show.txt"
run $HV "$GH" fw diff --rules "$RULES" --host hv-1 >$TMP/diff.txt
check "diff names bm-3's new address in the bridge table" grep -q \
	'^- element bridge gatehouse port_btap3_4 { 10.0.2.14' $TMP/diff.txt

echo "== --confirm rolls back both tables unless confirmed"
run $HV nft -s list table inet gatehouse >$TMP/before.nft
run $HV nft -s list table bridge gatehouse >>$TMP/before.nft
run $HV "$GH" fw apply --full --confirm 1 --rules "$RULES" --host hv-1 </dev/null >/dev/null 2>&1
check "exit status 4 (rolled back)" [ $? = 4 ]
run $HV nft -s list table inet gatehouse >$TMP/after.nft
run $HV nft -s list table bridge gatehouse >>$TMP/after.nft
check "previous ruleset restored" diff -u $TMP/before.nft $TMP/after.nft
expect drop "bm-1 spoofing still dropped" tcp $B1 10.0.2.99 192.168.50.3 9000
expect pass "bm-1 -> bm-2 tcp 5432 still open" tcp $B1 10.0.2.11 10.0.2.12 5432

echo "== fw stats counts a bridged guest's rules"
check "apply --full" run $HV "$GH" fw apply --full --rules $TMP/closed --host hv-1
for i in 1 2 3 4 5; do run $EXT "$PROBE" icmp 10.0.2.11; done
for i in 1 2 3 4; do run $EXT "$PROBE" icmp 10.0.2.12; done
run $HV "$GH" fw stats --rules $TMP/closed --host hv-1 --json >$TMP/stats.json
check "sg-web in[2] (icmp) on btap1: 5 packets, 420 bytes" grep -q \
	'{"group_id":"sg-web","direction":"ingress","rule":2,"interface":"btap1","packets":5,"bytes":420,"shared":false}' $TMP/stats.json
check "btap2 ingress default deny: 4 packets, 336 bytes" grep -q \
	'{"interface":"btap2","direction":"ingress","reason":"default_deny","packets":4,"bytes":336}' $TMP/stats.json
run $B1 "$FRAME" udp eth0 "$MAC3" 10.0.2.11 10.0.2.12 6000
run $HV "$GH" fw stats --rules $TMP/closed --host hv-1 --json >$TMP/stats.json
check "the frame to bm-3's MAC for bm-2: 1 packet, 32 bytes" grep -q \
	'{"interface":"btap3","direction":"ingress","reason":"not_its_address","packets":1,"bytes":32}' $TMP/stats.json
check "from btap1: a spoofed-source count" grep -q \
	'{"interface":"btap1","direction":"egress","reason":"spoofed_source","packets":[0-9]*,"bytes":[0-9]*}' $TMP/stats.json

echo "== a routed guest port moved into a bridge without \"Bridge\" is named in a warning"
ip -n $HV link add br9 type bridge
ip -n $HV link set tap1 master br9
run $HV "$GH" fw apply --rules $TMP/closed --host hv-1 >/dev/null 2>$TMP/bridged.err
check "warning names tap1 and br9" grep -q 'guest port tap1 is a port of bridge br9, but the inventory does not say so' $TMP/bridged.err
check "no warning for declared btap1" sh -c "! grep -q 'port btap1' $TMP/bridged.err"
ip -n $HV link set tap1 nomaster
ip -n $HV link del br9

echo "== a large batch: 400 bridged guests (every ack of the batch fits the receive buffer)"
mkdir $TMP/many
cp "$RULES/sg.json" $TMP/many/
awk 'BEGIN {
	printf "{\"Hosts\": [{\"Name\": \"hv-1\", \"Interfaces\": [{\"Name\": \"eth0\", \"Addresses\": [\"192.168.50.1\"], \"SecurityGroups\": [\"sg-hv\"]}], \"Guests\": [\n"
	for (j = 0; j < 400; j++)
		printf "%s{\"Name\": \"m-%d\", \"Interfaces\": [{\"Name\": \"m%d\", \"Bridge\": \"br0\", \"Addresses\": [\"10.3.%d.%d\", \"fd03::%x\"], \"SecurityGroups\": [\"sg-web\", \"sg-db\"]}]}", \
			j ? ",\n" : "", j, j, int(j / 250), j % 250 + 1, j + 1
	printf "]}]}\n"
}' >$TMP/many/inventory.json
run $HV "$GH" fw apply --full --rules $TMP/many --host hv-1 >$TMP/many.out 2>$TMP/many.err
check "applied" [ $? = 0 ]
grep -v 'does not exist here' $TMP/many.err
check "fw diff is empty" run $HV "$GH" fw diff --rules $TMP/many --host hv-1

exit $FAIL
