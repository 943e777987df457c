#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Benchmark of the firewall half (not a test): in throwaway network
# namespaces, for 100, 1,000, 10,000 and 50,000 security-group rules,
#   - compile time (gatehouse fw compile) and kernel objects created,
#   - apply time through libnftnl (gatehouse fw apply --full), against
#     loading the same ruleset as text with nft -f, and against the naive
#     design (one nft rule per security-group rule) loaded with nft -f,
#   - a membership update (set elements only),
# the worst cases of the normaliser (normalize.sh) and of set naming
# (groups.sh), each also runnable alone, unprivileged,
# and the packet path: new-flow UDP request/response rate from a source that
# matches the last rule, with 10 and 10,000 rules, set-based vs naive.
#
#   tests/bench/fw/run.sh [BUILD_DIR] [SECONDS_PER_RATE]   (each rate: best of 3)
#
# BUILD_DIR defaults to $GH_BUILD_DIR, else ./build; it must hold
# bin/gatehouse.  Needs root (ip netns), nft and cc; without them it says so
# and exits 0 (a benchmark, not a test).  Results are printed and saved to
# BUILD_DIR/bench-fw.txt.
set -u
. "$(dirname "$0")/lib.sh"
bench_start "fw bench" "$@"

T=$P-t
C=$P-c
bench_netns $T $C
ip link add eth0 netns $T type veth peer name eth0 netns $C || exit 1
ip -n $T addr add 10.99.0.1/8 dev eth0
ip -n $T link set eth0 up
ip -n $C link set eth0 up
# One new conntrack entry per request: let them expire fast.
ip netns exec $T sysctl -qw net.netfilter.nf_conntrack_udp_timeout=1 2>/dev/null

ms() { date +%s%N; }
elapsed() { echo $(( ($2 - $1) / 1000000 )); }

# gen DIR N: N udp rules, rule i from 10.100.x.y/32 to port 10000 + i % 50000,
# one tcp 22 rule from group sg-clients; hosts "bench" and "client-0".
gen() {
	mkdir -p "$1"
	awk -v n="$2" 'BEGIN {
		printf "{\"SecurityGroups\": [{\"GroupId\": \"sg-bench\", \"IpPermissions\": [\n"
		for (i = 0; i < n; i++)
			printf "{\"IpProtocol\": \"udp\", \"FromPort\": %d, \"ToPort\": %d, \"IpRanges\": [{\"CidrIp\": \"10.100.%d.%d/32\"}]},\n", \
				10000 + i % 50000, 10000 + i % 50000, int(i / 256) % 256, i % 256
		printf "{\"IpProtocol\": \"tcp\", \"FromPort\": 22, \"ToPort\": 22, \"UserIdGroupPairs\": [{\"GroupId\": \"sg-clients\"}]}\n"
		printf "]}, {\"GroupId\": \"sg-clients\"}]}\n"
	}' >"$1/sg.json"
	hosts='{"Name": "bench", "Interfaces": [{"Name": "eth0", "Addresses": ["10.99.0.1"], "SecurityGroups": ["sg-bench"]}]},
 {"Name": "client-0", "Interfaces": [{"Name": "eth0", "Addresses": ["10.98.0.1"], "SecurityGroups": ["sg-clients"]}]}'
	echo "{\"Hosts\": [$hosts]}" >"$1/inventory.json"
	# The same with client-1 joining sg-clients (a membership update).
	mkdir -p "$1/joined"
	cp "$1/sg.json" "$1/joined/"
	echo "{\"Hosts\": [$hosts, {\"Name\": \"client-1\", \"Interfaces\": [{\"Name\": \"eth0\"," \
		"\"Addresses\": [\"10.98.0.2\"], \"SecurityGroups\": [\"sg-clients\"]}]}]}" \
		>"$1/joined/inventory.json"
	# The naive design: one nft rule per security-group rule.
	awk -v n="$2" 'BEGIN {
		print "table inet naive {"
		print "\tchain input {"
		print "\t\ttype filter hook input priority filter; policy drop;"
		print "\t\tct state established,related accept"
		print "\t\tct state invalid drop"
		print "\t\tiif \"lo\" accept"
		for (i = 0; i < n; i++)
			printf "\t\tip saddr 10.100.%d.%d udp dport %d accept\n", int(i / 256) % 256, i % 256, 10000 + i % 50000
		print "\t\tip saddr 10.98.0.1 tcp dport 22 accept"
		print "\t}"
		print "}"
	}' >"$1/naive.nft"
}

last_src() { n=$1; i=$((n - 1)); echo "10.100.$(( (i / 256) % 256 )).$(( i % 256 ))"; }
last_port() { n=$1; echo $(( 10000 + (n - 1) % 50000 )); }

flush() {
	ip netns exec $T nft flush ruleset
}

out=$build/bench-fw.txt
{
echo "gatehouse fw benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), $(nproc) CPUs"
echo
echo "== compile and apply (wall times include process start and JSON load)"
printf "%7s | %10s %10s | %10s %10s | %11s | %11s | %9s | %s\n" rules "compile" "(in-lib)" "apply" "(in-lib)" "nft -f sets" "naive nft-f" "member-upd" "kernel objects"
for n in 100 1000 10000 50000; do
	d=$W/r$n
	gen $d $n
	flush
	t0=$(ms); "$GH" fw compile --stats --rules $d --host bench >$d/out.nft 2>$d/compile.err; t1=$(ms)
	comp_lib=$(sed -n 's/.*load+compile \([0-9.]*\) ms.*/\1/p' $d/compile.err)
	objs=$(sed -n 's/.*-> \(.*\); load.*/\1/p' $d/compile.err)
	t2=$(ms); ip netns exec $T "$GH" fw apply --full --stats --rules $d --host bench >/dev/null 2>$d/apply.err; t3=$(ms)
	app_lib=$(sed -n 's/.*apply \([0-9.]*\) ms.*/\1/p' $d/apply.err)
	# Membership update: client-1 joins sg-clients.
	ip netns exec $T "$GH" fw apply --stats --rules $d/joined --host bench >$d/upd.out 2>$d/upd.err
	upd=$(sed -n 's/.*apply \([0-9.]*\) ms.*/\1/p' $d/upd.err)
	grep -q 'membership updated' $d/upd.out || upd="(full!)"
	flush
	t4=$(ms); ip netns exec $T nft -f $d/out.nft; t5=$(ms)
	flush
	t6=$(ms); ip netns exec $T nft -f $d/naive.nft; t7=$(ms)
	flush
	printf "%7d | %7d ms %7s ms | %7d ms %7s ms | %8d ms | %8d ms | %6s ms | %s\n" $n \
		$(elapsed $t0 $t1) "$comp_lib" $(elapsed $t2 $t3) "$app_lib" \
		$(elapsed $t4 $t5) $(elapsed $t6 $t7) "$upd" "$objs"
done

echo
echo "== normaliser worst case (tests/bench/fw/normalize.sh)"
sh "$here/normalize.sh" "$build"
sh "$here/groups.sh" "$build"

echo
echo "== packet path: new-flow UDP request/response rate from the source of the last rule (${secs}s each)"
for p in 10000 10009 19999; do
	ip netns exec $T "$RR" server $p >/dev/null 2>&1 &
	echo $! >>"$W/pids"
done
sleep 0.3
rate() { # SRC PORT -> requests/s
	ip -n $C addr flush dev eth0
	ip -n $C addr add $1/8 dev eth0
	# Best of three runs: the rate of a small VM is noisy, its best is not.
	best=0
	for k in 1 2 3; do
		ip netns exec $T conntrack -F >/dev/null 2>&1
		r=$(ip netns exec $C "$RR" client 10.99.0.1 $2 $secs | cut -d' ' -f1)
		[ "${r:-0}" -gt $best ] && best=$r
	done
	echo $best
}
# "stateful": a table with only conntrack, the least any real ruleset pays.
printf 'table inet stateful {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t\tct state established,related accept\n\t}\n}\n' >$W/stateful.nft
printf "%7s | %10s | %10s | %10s | %10s\n" rules "no table" "stateful" "gatehouse" "naive"
for n in 10 10000; do
	d=$W/p$n
	gen $d $n
	src=$(last_src $n)
	port=$(last_port $n)
	flush
	none=$(rate $src $port)
	ip netns exec $T nft -f $W/stateful.nft
	stf=$(rate $src $port)
	flush
	ip netns exec $T "$GH" fw apply --full --rules $d --host bench >/dev/null 2>&1
	sets=$(rate $src $port)
	flush
	ip netns exec $T nft -f $d/naive.nft
	naive=$(rate $src $port)
	flush
	printf "%7d | %8s/s | %8s/s | %8s/s | %8s/s\n" $n $none $stf $sets $naive
	eval "none_$n=$none stf_$n=$stf sets_$n=$sets naive_$n=$naive"
done
echo
awk -v s10="$sets_10" -v s10k="$sets_10000" -v n10="$naive_10" -v n10k="$naive_10000" \
    -v e10="$none_10" -v e10k="$none_10000" -v st="$stf_10000" 'BEGIN {
	printf "gatehouse 10,000 rules / 10 rules:     %.2f (target >= 0.90)\n", s10k / s10
	printf "naive     10,000 rules / 10 rules:     %.2f\n", n10k / n10
	printf "gatehouse / naive at 10,000 rules:     %.1fx\n", s10k / n10k
	printf "gatehouse 10,000 rules / stateful empty table: %.2f (target >= 0.90)\n", s10k / st
	printf "gatehouse 10,000 rules / no table at all:      %.2f\n", s10k / e10k
}'
} | tee "$out"
