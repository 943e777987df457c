#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The boot path of the firewall without systemd: the ExecStart lines of
# scripts/systemd/gatehouse-fw.service.in (boot) and
# gatehouse-fw-reload.service.in (reapply) run directly in a throwaway
# network namespace "t1", with traffic from a peer: good rules applied and
# saved, refused rules leaving the ruleset in force, a boot with refused
# rules falling back to the last good copy, and without one to the
# deny-all-but-SSH fallback.  Exit 77 (skipped) without namespaces.
#
#   fw_boot.sh GATEHOUSE SOURCE_DIR
set -u
GH=$1
SRC=$2

. "$SRC/tests/netns/lib.sh"
nl_require nft socat
P=ghbt$$
T=$P-t1
C=$P-peer
nl_pair $T $C 10.0.9.1/24 10.0.9.2/24

for p in 22 80; do
	ip netns exec $T socat TCP-LISTEN:$p,reuseaddr,fork SYSTEM:"echo ok" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
done
sleep 0.5
tcp() { out=$(run $C timeout 4 socat -T2 - TCP:10.0.9.1:$1,connect-timeout=0.7 </dev/null 2>/dev/null); [ "$out" = ok ]; }

# The unit's ExecStart, as systemd would run it (the helper from the source tree).
execstart() { # UNIT.in -> the command line
	sed -n 's/^ExecStart=//p' "$SRC/scripts/systemd/$1" | sed "s|@GH_LIBEXECDIR@|$SRC/scripts|"
}
BOOT=$(execstart gatehouse-fw.service.in)
REAPPLY=$(execstart gatehouse-fw-reload.service.in)
check "boot unit runs gatehouse-fw-boot boot" [ "$BOOT" = "$SRC/scripts/gatehouse-fw-boot boot" ]
check "reload unit runs gatehouse-fw-boot reapply" [ "$REAPPLY" = "$SRC/scripts/gatehouse-fw-boot reapply" ]

mkdir $TMP/rules $TMP/state
cp "$SRC/tests/netns/boot/rules.json" $TMP/rules/
unit() { # boot|reapply -> the unit's exit status; its journal in $TMP/journal
	cmd=$BOOT
	[ "$1" = reapply ] && cmd=$REAPPLY
	GATEHOUSE_BIN=$GH GATEHOUSE_RULES=$TMP/rules GATEHOUSE_HOST=t1 GATEHOUSE_STATE=$TMP/state \
		ip netns exec $T $cmd >/dev/null 2>$TMP/journal
}

echo "== boot with good rules: applied and saved as the last good copy"
unit boot
check "exit 0" [ $? = 0 ]
check "last good copy saved" cmp -s $TMP/rules/rules.json $TMP/state/last-good/rules.json
expect pass "tcp 80 (the rules)" tcp 80
expect drop "tcp 22 (not in the rules)" tcp 22

echo "== the rules break: re-apply leaves the ruleset in force"
run $T nft --stateless list table inet gatehouse >$TMP/before.nft
echo '{"SecurityGroups": [{"GroupId": "sg-web", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 70}]}]}' \
	>$TMP/rules/rules.json
unit reapply
check "exit 1" [ $? = 1 ]
cat $TMP/journal
check "the journal says why, located" grep -q '^<3>gatehouse-fw:   .*rules.json:1:.*error' $TMP/journal
run $T nft --stateless list table inet gatehouse >$TMP/after.nft
check "table unchanged" diff -u $TMP/before.nft $TMP/after.nft
check "last good copy kept" grep -q '"FromPort": 80, "ToPort": 80' $TMP/state/last-good/rules.json
expect pass "tcp 80 still open" tcp 80

echo "== boot (empty kernel) with refused rules: the last good copy"
run $T nft delete table inet gatehouse
unit boot
check "exit 1" [ $? = 1 ]
check "journal: last good copy applied" grep -q 'applied the last good copy' $TMP/journal
expect pass "tcp 80 (last good)" tcp 80
expect drop "tcp 22" tcp 22

echo "== boot with refused rules and no last good copy: deny all but SSH"
run $T nft delete table inet gatehouse
rm -rf $TMP/state
unit boot
check "exit 1" [ $? = 1 ]
cat $TMP/journal
check "journal: FALLBACK" grep -q '^<3>gatehouse-fw: FALLBACK in force' $TMP/journal
expect pass "tcp 22 (SSH, fallback)" tcp 22
expect drop "tcp 80 (fallback)" tcp 80
check "the fallback is gatehouse's table" sh -c "ip netns exec $T nft list table inet gatehouse | grep -q sg-fallback-ssh"

echo "== a last good copy that is refused too: the fallback"
run $T nft delete table inet gatehouse
mkdir -p $TMP/state/last-good
cp $TMP/rules/rules.json $TMP/state/last-good/
unit boot
check "exit 1" [ $? = 1 ]
check "journal: last good refused" grep -q 'was refused too' $TMP/journal
expect pass "tcp 22 (fallback)" tcp 22

echo "== the rules fixed: re-apply puts them in force and saves them"
cp "$SRC/tests/netns/boot/rules.json" $TMP/rules/
unit reapply
check "exit 0" [ $? = 0 ]
expect pass "tcp 80" tcp 80
expect drop "tcp 22" tcp 22
check "saved" cmp -s $TMP/rules/rules.json $TMP/state/last-good/rules.json

exit $FAIL
