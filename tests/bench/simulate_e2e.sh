#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `gatehouse simulate` end to end against the peer (@cloud-copilot/iam-simulate,
# run by peer_simulate_stream.js as a separate node process) on the same
# generated JSON Lines stream, in one run.  Called by scripts/bench.sh; see
# tests/bench/README.md.
#
#   tests/bench/simulate_e2e.sh BUILD_DIR OUT_DIR [--seed N] [--runs N]
#       [--per-set K] [--peer-dir DIR] [--no-peer] [--callgrind] [--threads N]
#
# Each run times both programs as whole processes (start-up included) on the
# whole stream, alternately, so both see the same machine; prints best,
# median and spread (max - min) of each and the ratio of the bests, one JSON
# line per figure, then the decisions' agreement.  --callgrind adds
# gatehouse's instruction count (valgrind), a figure the load of a shared
# machine does not move.
set -euo pipefail

build=${1:?usage: simulate_e2e.sh BUILD_DIR OUT_DIR [options]}
out=${2:?usage: simulate_e2e.sh BUILD_DIR OUT_DIR [options]}
shift 2
seed=1 runs=3 per_set=10 peer_dir="$build/bench-peer" peer=1 callgrind=0 threads=()
while (($#)); do
	case "$1" in
	--seed) seed="$2"; shift ;;
	--runs) runs="$2"; shift ;;
	--per-set) per_set="$2"; shift ;;
	--peer-dir) peer_dir="$2"; shift ;;
	--no-peer) peer=0 ;;
	--callgrind) callgrind=1 ;;
	--threads) threads=(--threads "$2"); shift ;;
	*) echo "simulate_e2e.sh: unknown option: $1" >&2; exit 2 ;;
	esac
	shift
done
here="$(cd "$(dirname "$0")" && pwd)"
bin="$build/bin"
mkdir -p "$out"
cases="$out/simulate-seed$seed-per$per_set.jsonl"

# 3,000 small cases (3 policies of 5 statements) and 150 of gen.c's heavy set
# (50 policies of 20 statements), a new policy set every --per-set cases.
"$bin/gen_cases" --seed "$seed" --small 3000 --heavy 150 --per-set "$per_set" >"$cases"
bytes=$(stat -c %s "$cases")
lines=$(wc -l <"$cases")

if ((peer)) && ! node -e "require.resolve('@cloud-copilot/iam-simulate', {paths: ['$peer_dir']})" \
	2>/dev/null; then
	echo "simulate_e2e: the peer is not installed under $peer_dir: gatehouse alone" >&2
	peer=0
fi

now_ms() { echo $(($(date +%s%N) / 1000000)); }
gh_ms=() peer_ms=()
for ((r = 0; r < runs; r++)); do
	t0=$(now_ms)
	"$bin/gatehouse" simulate "${threads[@]}" <"$cases" >"$out/simulate-gatehouse.jsonl"
	gh_ms+=($(($(now_ms) - t0)))
	if ((peer)); then
		t0=$(now_ms)
		node "$here/peer_simulate_stream.js" --module-dir "$peer_dir" <"$cases" \
			>"$out/simulate-peer.jsonl"
		peer_ms+=($(($(now_ms) - t0)))
	fi
done

# best median spread of the numbers given
stats() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
	printf "%d %d %d", v[1], v[int((NR + 1) / 2)], v[NR] - v[1] }'; }
read -r gbest gmed gspread <<<"$(stats "${gh_ms[@]}")"
printf '{"bench": "simulate-e2e", "program": "gatehouse", "threads": "%s", "seed": %s, "per_set": %s, "lines": %s, "bytes": %s, "runs": %s, "best_ms": %s, "median_ms": %s, "spread_ms": %s, "all_ms": [%s]}\n' \
	"${threads[1]:-online CPUs}" "$seed" "$per_set" "$lines" "$bytes" "$runs" "$gbest" "$gmed" "$gspread" \
	"$(IFS=,; echo "${gh_ms[*]}")"
if ((peer)); then
	read -r pbest pmed pspread <<<"$(stats "${peer_ms[@]}")"
	printf '{"bench": "simulate-e2e", "program": "peer", "node": "%s", "seed": %s, "per_set": %s, "lines": %s, "runs": %s, "best_ms": %s, "median_ms": %s, "spread_ms": %s, "all_ms": [%s]}\n' \
		"$(node --version)" "$seed" "$per_set" "$lines" "$runs" "$pbest" "$pmed" \
		"$pspread" "$(IFS=,; echo "${peer_ms[*]}")"
	awk -v g="$gbest" -v p="$pbest" -v s="$per_set" 'BEGIN {
		printf "{\"bench\": \"simulate-e2e-ratio\", \"per_set\": %s, \"peer_over_gatehouse\": %.1f}\n",
			s, p / (g > 0 ? g : 1) }'
	# The same for a reader, on stderr (stdout stays JSON lines).
	printf '%s lines, %s bytes: gatehouse best %s ms (median %s, spread %s); peer best %s ms (median %s, spread %s): %s x\n' \
		"$lines" "$bytes" "$gbest" "$gmed" "$gspread" "$pbest" "$pmed" "$pspread" \
		"$(awk -v g="$gbest" -v p="$pbest" 'BEGIN { printf "%.1f", p / (g > 0 ? g : 1) }')" >&2
	node "$here/peer_simulate_stream.js" --compare "$out/simulate-gatehouse.jsonl" \
		"$out/simulate-peer.jsonl"
fi
if ((callgrind)) && command -v valgrind >/dev/null; then
	valgrind --tool=callgrind --callgrind-out-file="$out/simulate.callgrind" \
		"$bin/gatehouse" simulate <"$cases" >/dev/null 2>"$out/simulate-callgrind.log"
	ir=$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$out/simulate-callgrind.log")
	[[ -n $ir ]] || ir=$(awk '/^summary:/ { print $2 }' "$out/simulate.callgrind")
	printf '{"bench": "simulate-e2e-callgrind", "program": "gatehouse", "per_set": %s, "instructions": %s}\n' \
		"$per_set" "${ir:-0}"
fi
