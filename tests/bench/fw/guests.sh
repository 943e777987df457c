#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Benchmark of guests (not a test): a hypervisor with 200 guests and 10,000
# security-group rules (50 groups of 200 udp rules, each guest in
# GPG of them (default 1: every rule used once or more, 40,000 elements;
# GPG=5, the AWS default cap: 200,000), plus a group reference), in
# throwaway network namespaces:
#   - compile + apply (gatehouse fw apply --full --stats: in-library times),
#   - a guest of another host joining a referenced group (membership update),
#   - the packet path: new-flow UDP request/response rate from an outside
#     client through the hypervisor to guest vm-0, matching the last rule of
#     its last group, with gatehouse's table and with a table holding only
#     the stateful base, measured side by side (alternating, best of 3).
#
#   tests/bench/fw/guests.sh [BUILD_DIR] [SECONDS_PER_RATE]
#
# BRIDGED=1: every guest is declared a port of bridge br0 (table bridge
# gatehouse and the address maps of the forward chain), and vm-0's tap0 is
# one: the packet path is routed into the bridge to a bridged guest, with
# br_netfilter (in hv only), against the stateful base with br_netfilter too.
#
# Needs root, nft and cc; exits 0 (a benchmark, not a test) without them.
# Prints the results and saves them to BUILD_DIR/bench-fw-guests.txt.
set -u
. "$(dirname "$0")/lib.sh"
bench_start "fw guests bench" "$@"

HV=$P-hv
G=$P-vm0
C=$P-cl

GUESTS=200
GPG=${GPG:-1}
NGROUPS=50
PER=200
# The client sends from the source of the last rule of the last group.
last=$((NGROUPS * PER - 1))
SRC=10.100.$((last / 256)).$((last % 256))
PORT=$((10000 + PER - 1))

bench_netns $HV $G $C
ip netns exec $HV sysctl -qw net.ipv4.ip_forward=1
ip netns exec $HV sysctl -qw net.netfilter.nf_conntrack_udp_timeout=1 2>/dev/null
[ -n "${BRIDGED:-}" ] && ip netns exec $HV sysctl -qw net.bridge.bridge-nf-call-iptables=1 \
	net.bridge.bridge-nf-call-ip6tables=1
ip link add eth0 netns $G type veth peer name tap0 netns $HV || exit 1
ip -n $G addr add 10.1.0.1/32 dev eth0
ip -n $G link set eth0 up
ip -n $G route add 10.1.255.254 dev eth0
ip -n $G route add default via 10.1.255.254
ip -n $HV addr add 10.1.255.254/32 dev tap0
ip -n $HV link set tap0 up
ip -n $HV route add 10.1.0.1/32 dev tap0
ip link add eth0 netns $C type veth peer name eth0 netns $HV || exit 1
ip -n $C addr add $SRC/16 dev eth0
ip -n $C link set eth0 up
ip -n $C route add 10.1.0.0/16 via 10.100.255.254
ip -n $HV addr add 10.100.255.254/16 dev eth0
ip -n $HV link set eth0 up
if [ -n "${BRIDGED:-}" ]; then # tap0 a port of br0, which takes over tap0's address
	ip -n $HV route del 10.1.0.1/32 dev tap0
	ip -n $HV addr del 10.1.255.254/32 dev tap0
	ip -n $HV link add br0 type bridge
	ip -n $HV link set tap0 master br0
	ip -n $HV addr add 10.1.255.254/16 dev br0
	ip -n $HV link set br0 up
fi

# gen DIR [joined]: the rules; with "joined", guest vm-x of hv-2 joins sg-peers.
gen() {
	mkdir -p "$1"
	awk -v g=$NGROUPS -v per=$PER 'BEGIN {
		printf "{\"SecurityGroups\": [\n"
		for (k = 0; k < g; k++) {
			printf "{\"GroupId\": \"sg-b%d\", \"IpPermissions\": [\n", k
			for (i = 0; i < per; i++) {
				n = k * per + i
				printf "{\"IpProtocol\": \"udp\", \"FromPort\": %d, \"ToPort\": %d, \"IpRanges\": [{\"CidrIp\": \"10.100.%d.%d/32\"}]},\n", \
					10000 + i, 10000 + i, int(n / 256), n % 256
			}
			printf "{\"IpProtocol\": \"udp\", \"FromPort\": 53, \"ToPort\": 53, \"UserIdGroupPairs\": [{\"GroupId\": \"sg-peers\"}]}],\n"
			printf " \"IpPermissionsEgress\": [{\"IpProtocol\": \"-1\", \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}]}]},\n"
		}
		printf "{\"GroupId\": \"sg-peers\"}]}\n"
	}' >"$1/sg.json"
	awk -v n=$GUESTS -v g=$NGROUPS -v gpg=$GPG -v joined="${2:-}" -v bridged="${BRIDGED:-}" 'BEGIN {
		printf "{\"Hosts\": [{\"Name\": \"hv-1\", \"Interfaces\": [{\"Name\": \"eth0\", \"Addresses\": [\"10.100.255.254\"], \"SecurityGroups\": []}],\n \"Guests\": [\n"
		for (j = 0; j < n; j++) {
			printf "%s{\"Name\": \"vm-%d\", \"Interfaces\": [{\"Name\": \"tap%d\", %s\"Addresses\": [\"10.1.%d.%d\"], \"SecurityGroups\": [", \
				j ? ",\n" : "", j, j, bridged ? "\"Bridge\": \"br0\", " : "", int(j / 250), j % 250 + 1
			for (k = 0; k < gpg; k++)
				printf "%s\"sg-b%d\"", k ? ", " : "", (j + g - gpg + k) % g
			printf "]}]}"
		}
		printf "]},\n {\"Name\": \"hv-2\", \"Interfaces\": [], \"Guests\": [{\"Name\": \"peer-0\", \"Interfaces\": [{\"Name\": \"tap0\", \"Addresses\": [\"10.2.0.1\"], \"SecurityGroups\": [\"sg-peers\"]}]}"
		if (joined)
			printf ", {\"Name\": \"peer-1\", \"Interfaces\": [{\"Name\": \"tap1\", \"Addresses\": [\"10.2.0.2\"], \"SecurityGroups\": [\"sg-peers\"]}]}"
		printf "]}]}\n"
	}' >"$1/inventory.json"
}
gen $W/rules
gen $W/joined joined

stateful='table inet stateful {
	chain forward {
		type filter hook forward priority filter; policy accept;
		ct state established,related accept
	}
}'

out=$build/bench-fw-guests.txt
{
echo "gatehouse fw guests benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), $(nproc) CPUs"
echo "$GUESTS guests${BRIDGED:+ (all bridged)}, $((NGROUPS * PER)) udp rules in $NGROUPS groups (+1 group reference each), $GPG group(s) per guest"
echo
echo "== compile + apply, membership update (best of 3, in-library times)"
best_c=""; best_a=""; best_u=""
for k in 1 2 3; do
	ip netns exec $HV nft flush ruleset
	ip netns exec $HV "$GH" fw apply --full --stats --rules $W/rules --host hv-1 >/dev/null 2>$W/apply.err || cat $W/apply.err
	c=$(sed -n 's/.*load+compile \([0-9.]*\) ms.*/\1/p' $W/apply.err)
	a=$(sed -n 's/.*apply \([0-9.]*\) ms.*/\1/p' $W/apply.err)
	ip netns exec $HV "$GH" fw apply --stats --rules $W/joined --host hv-1 >$W/upd.out 2>$W/upd.err
	u=$(sed -n 's/.*apply \([0-9.]*\) ms.*/\1/p' $W/upd.err)
	grep -q 'membership updated (+1 -0' $W/upd.out || u="(not a membership update!)"
	how="table read back"
	grep -q 'table not read back' $W/upd.err && how="generation unchanged: not read back"
	echo "run $k: load+compile $c ms, apply $a ms, membership update $u ms ($how)"
done
sed -n 's/^stats: \([0-9]* groups.*\); load.*/objects: \1/p' $W/apply.err
echo "targets: compile + apply < 150 ms; membership update < 5 ms"

echo
echo "== packet path: new-flow UDP request/response rate, client -> hv -> vm-0 (${secs}s each, best of 3)"
ip netns exec $G "$RR" server $PORT >/dev/null 2>&1 &
echo $! >>"$W/pids"
sleep 0.3
rate() {
	ip netns exec $HV conntrack -F >/dev/null 2>&1
	ip netns exec $C "$RR" client 10.1.0.1 $PORT $secs | cut -d' ' -f1
}
bg=0; bs=0
for k in 1 2 3; do
	ip netns exec $HV nft flush ruleset
	echo "$stateful" | ip netns exec $HV nft -f -
	s=$(rate)
	ip netns exec $HV nft flush ruleset
	ip netns exec $HV "$GH" fw apply --full --rules $W/rules --host hv-1 >/dev/null 2>&1
	g=$(rate)
	echo "round $k: stateful base only ${s:-0}/s, gatehouse ${g:-0}/s"
	[ "${s:-0}" -gt $bs ] && bs=$s
	[ "${g:-0}" -gt $bg ] && bg=$g
done
awk -v g=$bg -v s=$bs 'BEGIN { printf "best: gatehouse %d/s, stateful base %d/s: ratio %.2f (target >= 0.90)\n", g, s, s ? g / s : 0 }'
} | tee "$out"
