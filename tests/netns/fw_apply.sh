#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# gatehouse fw apply in throwaway network namespaces, proven with real
# packets.  Five namespaces on one bridge play hosts of the inventory in
# RULES (tests/netns/rules): "target" gets the compiled ruleset, "member"
# (in group sg-clients), "other" (not a member) and "outside" (not in the
# VPC, in prefix list pl-outside) send TCP, UDP, ICMP and ICMPv6 to it.
# Nothing runs in the caller's namespace: every nft and gatehouse call is
# under "ip netns exec".  Exit 77 (skipped) when namespaces are refused.
#
#   fw_apply.sh GATEHOUSE GH_PROBE RULES_DIR
set -u
. "$(dirname "$0")/lib.sh"
nl_start ghfw "$@"
S=$P-sw
T=$P-target
M=$P-member
O=$P-other
X=$P-outside
SCRATCH=$P-scratch
nl_cleanup_add $T $M $O $X $S $SCRATCH

ip netns add $S 2>/dev/null || { echo "SKIP: cannot create a network namespace"; exit 77; }
ip -n $S link add br0 type bridge || exit 77
ip -n $S link set br0 up

# host NS NAME V4/LEN V6/LEN
host() {
	ip netns add "$1" || exit 1
	ip -n "$1" link set lo up
	ip link add eth0 netns "$1" type veth peer name "v$2" netns $S || exit 1
	ip -n $S link set "v$2" master br0 up
	ip -n "$1" addr add "$3" dev eth0
	ip -n "$1" addr add "$4" dev eth0 nodad
	ip -n "$1" link set eth0 up
}
host $T t 10.0.0.1/24 fd00::1/64
host $M m 10.0.0.2/24 fd00::2/64
host $O o 10.0.0.3/24 fd00::3/64
host $X x 192.168.77.3/24 fd99::3/64
ip -n $T route add 192.168.77.0/24 dev eth0
ip -n $T -6 route add fd99::/64 dev eth0
ip -n $X route add 10.0.0.0/24 dev eth0
ip -n $X -6 route add fd00::/64 dev eth0


# Servers: every TCP port answers "ok"; UDP 5353 too; port 80 on the clients.
for p in 22 443 7999 8000 8050 8100 8101 9000; do
	bg $T socat TCP6-LISTEN:$p,ipv6only=0,reuseaddr,fork SYSTEM:"echo ok"
done
bg $T "$PROBE" udp-echo 5353
bg $M socat TCP6-LISTEN:80,ipv6only=0,reuseaddr,fork SYSTEM:"echo ok"
bg $O socat TCP6-LISTEN:80,ipv6only=0,reuseaddr,fork SYSTEM:"echo ok"
# The long-lived flow of the re-apply test writes what it receives here.
bg $T socat -u TCP6-LISTEN:7000,ipv6only=0,reuseaddr OPEN:$TMP/flow.txt,creat,append
sleep 1

tcp() { # NS ADDR PORT -> 0 when "ok" came back
	out=$(run "$1" timeout 4 socat -T2 - TCP:$(addr "$2"):$3,connect-timeout=0.7 </dev/null 2>/dev/null)
	[ "$out" = ok ]
}
udp() { run "$1" "$PROBE" udp "$2" "$3"; }
icmp() { run "$1" "$PROBE" icmp "$2"; }
icmp6() { run "$1" "$PROBE" icmp6 "$2"; }

echo "== baseline (no firewall): everything reaches the target"
expect pass "member tcp 7999" tcp $M 10.0.0.1 7999
expect pass "outside tcp 8000" tcp $X 10.0.0.1 8000
expect pass "outside icmp" icmp $X 10.0.0.1
expect pass "outside icmpv6" icmp6 $X fd00::1
expect pass "other tcp6 22" tcp $O fd00::1 22

# A foreign table (Docker's, the admin's) that gatehouse must never touch.
run $T nft -f - <<'EOF'
table ip foreign {
	set keep { type ipv4_addr; elements = { 192.0.2.1, 192.0.2.2 } }
	chain c { type filter hook input priority 10; policy accept; counter; }
}
EOF
run $T nft -s list table ip foreign >$TMP/foreign.before

echo "== apply"
check "gatehouse fw apply" run $T "$GH" fw apply --rules "$RULES" --host target
check "fw diff is empty right after apply" run $T "$GH" fw diff --rules "$RULES" --host target

echo "== apply converges on the compiled ruleset whatever the kernel holds"
# Edits by hand keep the structure hash stored in the table: apply must
# compare what the kernel holds, undo the edits and say what it repaired.
run $T nft -s list table inet gatehouse >$TMP/clean.txt
expect drop "other tcp 22 (before the edits)" tcp $O 10.0.0.1 22
run $T nft insert rule inet gatehouse input tcp dport 4444 accept
run $T nft insert rule inet gatehouse input tcp dport 22 accept
run $T nft add element inet gatehouse in_eth0_tcp4 '{ 0.0.0.0/0 . 23 }'
expect pass "other tcp 22 (through the inserted rule)" tcp $O 10.0.0.1 22
run $T "$GH" fw diff --rules "$RULES" --host target >$TMP/drift.diff 2>&1
check "fw diff sees the edits (exit 3)" [ $? = 3 ]
run $T "$GH" fw apply --check --rules "$RULES" --host target >$TMP/repair-check.out 2>&1
check "apply --check: would repair 3" grep -q 'would repair 3 differences' $TMP/repair-check.out
run $T "$GH" fw apply --rules "$RULES" --host target >$TMP/repair.out 2>&1
check "apply exit 0" [ $? = 0 ]
cat $TMP/repair.out
check "not \"unchanged\"" sh -c "! grep -q unchanged $TMP/repair.out"
check "ruleset replaced" grep -q '^target: ruleset replaced' $TMP/repair.out
check "reports 3 repairs" grep -q '^target: repaired 3 differences made outside gatehouse' $TMP/repair.out
check "names the rule to port 4444, in nft syntax" \
	grep -qx '  - rule inet gatehouse input meta l4proto tcp tcp dport 4444 accept comment ""' $TMP/repair.out
check "names the added element, in nft syntax" \
	grep -qx '  - element inet gatehouse in_eth0_tcp4 { 0.0.0.0/0 . 23 comment "" }' $TMP/repair.out
check "fw diff prints the inserted rule in nft syntax, with its position" \
	grep -qx -e '- rule inet gatehouse input index 0 meta l4proto tcp tcp dport 22 accept comment ""' $TMP/drift.diff
check "fw diff prints the compiled side in nft syntax" \
	grep -q '^+ rule inet gatehouse input index [0-9]* ct state established,related accept comment ' $TMP/drift.diff
check "fw diff prints no netlink expression" sh -c "! grep -q '\\[meta load\\|\\[cmp ' $TMP/drift.diff"
run $T nft -s list table inet gatehouse >$TMP/repaired.txt
check "table as applied before the edits" diff -u $TMP/clean.txt $TMP/repaired.txt
check "fw diff empty after the repair" run $T "$GH" fw diff --rules "$RULES" --host target
expect drop "other tcp 22 (edits undone)" tcp $O 10.0.0.1 22
run $T "$GH" fw apply --rules "$RULES" --host target >$TMP/again.out 2>&1
check "then unchanged" grep -q '^target: unchanged' $TMP/again.out
# The generation rule (README "Applying"): an apply right after ours, with
# no nftables transaction in between, does not read the table back; any
# transaction since (a hand edit of our table, a change to another table)
# makes it read back, and a hand edit is still repaired.
check "state recorded after the apply" grep -q '^gatehouse-fw-state 1 ' "$GATEHOUSE_FW_STATE"
run $T "$GH" fw apply --rules "$RULES" --host target --stats >$TMP/fast.out 2>&1
check "unchanged generation: table not read back" \
	grep -q '^stats: generation [0-9]* unchanged since the last apply: table not read back' $TMP/fast.out
check "unchanged generation: unchanged" grep -q '^target: unchanged' $TMP/fast.out
run $T nft insert rule inet gatehouse input tcp dport 4444 accept
run $T "$GH" fw apply --rules "$RULES" --host target --stats >$TMP/slow.out 2>&1
check "hand edit after an apply: read back" sh -c "! grep -q 'not read back' $TMP/slow.out"
check "hand edit after an apply: repaired" \
	grep -q '^target: repaired 1 difference made outside gatehouse' $TMP/slow.out
run $T nft add table ip gh_scratch
run $T nft delete table ip gh_scratch
run $T "$GH" fw apply --rules "$RULES" --host target --stats >$TMP/other-table.out 2>&1
check "a transaction in another table: read back" \
	sh -c "! grep -q 'not read back' $TMP/other-table.out"
check "a transaction in another table: unchanged" grep -q '^target: unchanged' $TMP/other-table.out
echo "garbage" >"$GATEHOUSE_FW_STATE"
run $T "$GH" fw apply --rules "$RULES" --host target --stats >$TMP/garbage.out 2>&1
check "a malformed state file: read back" sh -c "! grep -q 'not read back' $TMP/garbage.out"
check "a malformed state file: unchanged" grep -q '^target: unchanged' $TMP/garbage.out
# A base chain re-created with the same rules at another priority.
run $T nft list chain inet gatehouse output | sed 's/priority filter/priority 10/' >$TMP/prio.nft
run $T nft flush chain inet gatehouse output
run $T nft delete chain inet gatehouse output
run $T nft -f $TMP/prio.nft
run $T "$GH" fw apply --rules "$RULES" --host target >$TMP/prio.out 2>&1
check "chain priority repaired" \
	grep -q '^  - chain inet gatehouse output { type filter hook output priority 10; policy drop; ' $TMP/prio.out
run $T nft -s list table inet gatehouse >$TMP/repaired.txt
check "table as applied before the priority edit" diff -u $TMP/clean.txt $TMP/repaired.txt
# A hand edit of a membership set is undone by an element update.
run $T nft add element inet gatehouse grp_sg_clients_4 '{ 10.0.0.3 }'
expect pass "other tcp 22 (added to the members by hand)" tcp $O 10.0.0.1 22
run $T "$GH" fw apply --rules "$RULES" --host target >$TMP/member-edit.out 2>&1
check "membership element removed" grep -q 'membership updated (+0 -1' $TMP/member-edit.out
expect drop "other tcp 22 (membership edit undone)" tcp $O 10.0.0.1 22

echo "== libnftnl apply and nft -f of the compiled text give the same kernel state"
"$GH" fw compile --rules "$RULES" --host target >$TMP/target.nft
ip netns add $SCRATCH
run $SCRATCH nft -f $TMP/target.nft
run $SCRATCH nft -s list table inet gatehouse >$TMP/via-nft.txt
run $T nft -s list table inet gatehouse >$TMP/via-gatehouse.txt
check "nft list identical" diff -u $TMP/via-nft.txt $TMP/via-gatehouse.txt
ip netns del $SCRATCH

echo "== inbound TCP: port range edges, both families"
expect pass "member tcp 8000" tcp $M 10.0.0.1 8000
expect pass "member tcp 8100" tcp $M 10.0.0.1 8100
expect drop "member tcp 7999" tcp $M 10.0.0.1 7999
expect drop "member tcp 8101" tcp $M 10.0.0.1 8101
expect pass "member tcp6 8000" tcp $M fd00::1 8000
expect pass "member tcp6 8100" tcp $M fd00::1 8100
expect drop "member tcp6 8101" tcp $M fd00::1 8101
expect pass "other tcp 8050 (CIDR)" tcp $O 10.0.0.1 8050
expect drop "outside tcp 8050 (not in 10.0.0.0/24)" tcp $X 10.0.0.1 8050

echo "== an IPv4-only rule does not open IPv6"
expect pass "member tcp 9000" tcp $M 10.0.0.1 9000
expect drop "member tcp6 9000" tcp $M fd00::1 9000

echo "== group members vs non-members"
expect pass "member tcp 22" tcp $M 10.0.0.1 22
expect pass "member tcp6 22" tcp $M fd00::1 22
expect drop "other tcp 22" tcp $O 10.0.0.1 22
expect drop "other tcp6 22" tcp $O fd00::1 22
expect pass "member udp 5353" udp $M 10.0.0.1 5353
expect pass "member udp6 5353" udp $M fd00::1 5353
expect drop "other udp 5353" udp $O 10.0.0.1 5353
expect drop "other udp6 5353" udp $O fd00::1 5353

echo "== prefix list"
expect pass "outside tcp 443" tcp $X 10.0.0.1 443
expect pass "outside tcp6 443" tcp $X fd00::1 443
expect drop "member tcp 443" tcp $M 10.0.0.1 443

echo "== ICMP and ICMPv6 (neighbour discovery keeps IPv6 working)"
expect pass "member icmp echo" icmp $M 10.0.0.1
expect drop "outside icmp echo" icmp $X 10.0.0.1
expect pass "member icmpv6 echo" icmp6 $M fd00::1
expect drop "outside icmpv6 echo" icmp6 $X fd00::1

echo "== egress: only tcp 80 to group sg-clients"
expect pass "target -> member tcp 80" tcp $T 10.0.0.2 80
expect pass "target -> member tcp6 80" tcp $T fd00::2 80
expect drop "target -> other tcp 80" tcp $T 10.0.0.3 80

echo "== an established connection survives a re-apply that removes its rule"
mkdir $TMP/closed
sed 's/"FromPort": 7000, "ToPort": 7000/"FromPort": 7001, "ToPort": 7001/' \
	"$RULES/sg.json" >$TMP/closed/sg.json
cp "$RULES/inventory.json" $TMP/closed/
(echo first; until [ -e $TMP/applied ]; do sleep 0.1; done; echo second) |
	run $M socat -u - TCP:10.0.0.1:7000 >/dev/null 2>&1 &
FLOW=$!
PIDS="$PIDS $FLOW"
check "the flow was established before the re-apply" nl_wait_for $TMP/flow.txt first
check "apply without port 7000" run $T "$GH" fw apply --rules $TMP/closed --host target
touch $TMP/applied # the second line goes after the re-apply
wait $FLOW 2>/dev/null
check "first and second line arrived" grep -q second $TMP/flow.txt
bg $T socat TCP6-LISTEN:7000,ipv6only=0,reuseaddr,fork SYSTEM:"echo ok"
sleep 0.5
expect drop "new connection to 7000 after re-apply" tcp $M 10.0.0.1 7000

echo "== a failed apply leaves the old ruleset in force"
run $T nft -s list table inet gatehouse >$TMP/before.txt
GATEHOUSE_FW_FAULT=dup-element run $T "$GH" fw apply --rules "$RULES" --host target \
	>$TMP/fault.out 2>$TMP/fault.err
rc=$?
check "exit status 1" [ $rc = 1 ]
check "the error names the security-group rule" grep -q 'from sg-target in\[' $TMP/fault.err
run $T nft -s list table inet gatehouse >$TMP/after.txt
check "table unchanged" diff -u $TMP/before.txt $TMP/after.txt
expect drop "still closed: tcp 7000" tcp $M 10.0.0.1 7000

echo "== check mode (batch without END) changes nothing"
check "fw apply --check" run $T "$GH" fw apply --check --rules "$RULES" --host target
run $T nft -s list table inet gatehouse >$TMP/after.txt
check "table unchanged" diff -u $TMP/before.txt $TMP/after.txt

echo "== membership update: set elements only, no rule touched"
# The failed apply above left no record: this one reads back and records.
check "apply (unchanged)" run $T "$GH" fw apply --rules $TMP/closed --host target
mkdir $TMP/joined
cp $TMP/closed/sg.json $TMP/joined/
sed 's/"SecurityGroups": \["sg-others"\]/"SecurityGroups": ["sg-others", "sg-clients"]/' \
	"$RULES/inventory.json" >$TMP/joined/inventory.json
run $T nft -a list table inet gatehouse | grep -v 'elements\|^\s*[0-9a-f:.]*\( comment\|,\)' \
	>$TMP/handles.before
run $T "$GH" fw apply --rules $TMP/joined --host target --stats >$TMP/join.out 2>&1
cat $TMP/join.out
check "reported as a membership update" grep -q 'membership updated (+2 -0' $TMP/join.out
check "membership update right after our apply (and a --check): not read back" \
	grep -q 'table not read back' $TMP/join.out
run $T nft -a list table inet gatehouse | grep -v 'elements\|^\s*[0-9a-f:.]*\( comment\|,\)' \
	>$TMP/handles.after
check "rule and set handles unchanged" diff -u $TMP/handles.before $TMP/handles.after
expect pass "other (now a member) tcp 22" tcp $O 10.0.0.1 22
expect pass "other (now a member) tcp6 22" tcp $O fd00::1 22
check "fw diff is empty after the update" run $T "$GH" fw diff --rules $TMP/joined --host target
run $T "$GH" fw apply --rules $TMP/closed --host target >$TMP/leave.out 2>&1
check "leaving: membership updated (+0 -2)" grep -q 'membership updated (+0 -2' $TMP/leave.out
expect drop "other (left again) tcp 22" tcp $O 10.0.0.1 22

echo "== --confirm: rolled back unless confirmed"
run $T nft -s list table inet gatehouse >$TMP/before.txt
run $T "$GH" fw apply --full --confirm 1 --rules "$RULES" --host target </dev/null >/dev/null 2>&1
rc=$?
check "exit status 4 (rolled back)" [ $rc = 4 ]
run $T nft -s list table inet gatehouse >$TMP/after.txt
check "previous ruleset restored" diff -u $TMP/before.txt $TMP/after.txt
echo yes | run $T "$GH" fw apply --confirm 5 --rules "$RULES" --host target >/dev/null 2>&1
check "confirmed: kept" [ $? = 0 ]
expect pass "tcp 7000 open again" tcp $M 10.0.0.1 7000

echo "== SSH safety: refuse a ruleset that would cut the running session"
SSH_CONNECTION="10.0.0.3 40000 10.0.0.1 22" run $T "$GH" fw apply --rules "$RULES" \
	--host target >/dev/null 2>$TMP/ssh.err
check "refused (exit 1)" [ $? = 1 ]
check "says why" grep -q 'does not allow SSH from 10.0.0.3 to port 22' $TMP/ssh.err
SSH_CONNECTION="10.0.0.2 40000 10.0.0.1 22" run $T "$GH" fw apply --rules "$RULES" \
	--host target >/dev/null 2>&1
check "allowed session: applied" [ $? = 0 ]
SSH_CONNECTION="10.0.0.3 40000 10.0.0.1 22" run $T "$GH" fw apply --force --full \
	--rules "$RULES" --host target >/dev/null 2>&1
check "--force applies anyway" [ $? = 0 ]

echo "== --kill-removed deletes tracked flows the new ruleset no longer allows"
if command -v conntrack >/dev/null 2>&1; then
	bg $T socat -u TCP6-LISTEN:8060,ipv6only=0,reuseaddr OPEN:/dev/null
	sleep 0.3
	(sleep 30) | run $M socat -u - TCP:10.0.0.1:8060 >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	sleep 1
	check "flow tracked" sh -c "ip netns exec $T conntrack -L -p tcp --dport 8060 2>/dev/null | grep -q ESTABLISHED"
	sed 's/"FromPort": 8000, "ToPort": 8100/"FromPort": 8000, "ToPort": 8050/' \
		"$RULES/sg.json" >$TMP/closed/sg.json
	run $T "$GH" fw apply --kill-removed --rules $TMP/closed --host target >$TMP/kill.out 2>&1
	cat $TMP/kill.out
	check "killed" grep -q '^[1-9][0-9]* tracked connections' $TMP/kill.out
	check "flow gone" sh -c "! ip netns exec $T conntrack -L -p tcp --dport 8060 2>/dev/null | grep -q ESTABLISHED"
	check "allowed flows kept (ssh from member still tracked or none)" true
fi

echo "== fw show maps the kernel's table back to groups"
run $T "$GH" fw show >$TMP/show.txt
check "show names the rules" grep -q 'sg-target in\[' $TMP/show.txt

echo "== the foreign table was never touched"
run $T nft -s list table ip foreign >$TMP/foreign.after
check "foreign table unchanged" diff -u $TMP/foreign.before $TMP/foreign.after

exit $FAIL
