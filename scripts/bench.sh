#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What this script does and its options: usage() below (--help prints it).
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build-bench
seed=1
seconds=1
peer=1
sim_runs=3
callgrind=0
usage() {
	cat <<'EOF'
Set up and run every benchmark (a measurement, not a test: nothing here
fails on a slow number).  On a fresh Debian 12 as root it installs what is
missing: the build's packages through scripts/setup.sh, node and npm,
and the npm peer @cloud-copilot/iam-simulate into the build tree (never
into the repository: it is AGPL, run only as a separate process).

  scripts/bench.sh [--build-dir DIR] [--seed N] [--seconds S] [--no-peer]
                   [--simulate-runs N] [--callgrind]

  --build-dir DIR  Release build tree (default: build-bench)
  --seed N         generator seed (default 1): same seed, same cases
  --seconds S      measuring time per loop (default 1; the peer gets 2x)
  --no-peer        skip the node peer
  --simulate-runs N  runs of the end-to-end simulate measurement (default 3)
  --callgrind      add gatehouse's instruction count on that stream (valgrind)

Runs: bench_authz (compile time, memory, decisions/s, p50/p99, allocations)
and the peer on the same cases, `gatehouse simulate` end to end against the
peer on one generated JSON Lines stream (3,000 small + 150 heavy cases:
tests/bench/simulate_e2e.sh, best/median/spread and the ratio), bench_pattern (hand matcher vs PCRE2 JIT),
bench_store (the identity store on a generated AWS account export: load
time in both encodings, RSS, decisions/s with principal resolution), then
bench_daemon (gatehoused over its Unix socket: /v1/authorize requests/s
beside a libmicrohttpd hello-world, p99 at 50,000 requests/s, batch
decisions/s, RSS; on bench_store's export, RSS with 10,000 sessions and
after 3 reloads), then tests/bench/fw/run.sh if it exists and is
executable, and tests/bench/diff/run.sh (gatehouse diff on seeded edits).
Raw JSON lines, the
cases and the generated export go to DIR/bench-out/.  See
tests/bench/README.md.
EOF
}

while (($#)); do
	case "$1" in
	--build-dir) build_dir="$2"; shift ;;
	--seed) seed="$2"; shift ;;
	--seconds) seconds="$2"; shift ;;
	--no-peer) peer=0 ;;
	--simulate-runs) sim_runs="$2"; shift ;;
	--callgrind) callgrind=1 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "bench.sh: unknown option: $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done

sudo=""
[[ $(id -u) == 0 ]] || sudo="sudo"

# Build: the project's own set-up (packages, configure, build), in a
# Release tree of its own.
scripts/setup.sh --no-build
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DGH_FW=ON >/dev/null
if ! scripts/setup.sh --build-dir "$build_dir"; then
	echo "bench: the full build failed; building the authz benchmarks alone" >&2
	cmake --build "$build_dir" -j "$(nproc)" --target bench_authz bench_pattern bench_store \
		gatehouse gen_cases >&2
	cmake --build "$build_dir" -j "$(nproc)" --target gatehoused bench_daemon >&2 || true
fi
build_abs="$(cd "$build_dir" && pwd)"
bin="$build_abs/bin"
out="$build_abs/bench-out"
rm -rf "$out"
mkdir -p "$out"

# The peer: node + npm from Debian if missing, the package under the build tree.
peer_dir="$build_abs/bench-peer"
peer_ok=0
peer_why=""
if ((peer)); then
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		echo "bench: installing nodejs npm" >&2
		$sudo apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
			--no-install-recommends nodejs npm >&2 || true
	fi
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		peer_why="node/npm could not be installed"
	else
		mkdir -p "$peer_dir"
		cp tests/bench/package.json "$peer_dir/package.json"
		if (cd "$peer_dir" && npm install --no-audit --no-fund --omit=dev --loglevel=error \
			>"$out/npm-install.log" 2>&1); then
			peer_ok=1
		else
			peer_why="npm install @cloud-copilot/iam-simulate failed: "
			peer_why+="$(tail -n 3 "$out/npm-install.log" | tr '\n' ' ')"
		fi
	fi
else
	peer_why="skipped (--no-peer)"
fi

echo "== bench_authz (seed $seed)"
"$bin/bench_authz" --seed "$seed" --seconds "$seconds" --cases-dir "$out" --peer-cases 400 |
	tee "$out/authz.txt"

: >"$out/peer.jsonl"
if ((peer_ok)); then
	echo "== peer: @cloud-copilot/iam-simulate on the same cases (node $(node --version))"
	peer_seconds=$(awk -v s="$seconds" 'BEGIN { print 2 * s }')
	for profile in typical heavy; do
		[[ -f "$out/$profile.json" ]] || continue
		check=400
		[[ $profile == heavy ]] && check=100
		if ! node tests/bench/peer_iam_simulate.js --cases "$out/$profile.json" \
			--module-dir "$peer_dir" --seconds "$peer_seconds" --check "$check" \
			--max-seconds 120 --examples "$out/$profile-disagreements.jsonl" |
			tee -a "$out/peer.jsonl"; then
			echo "bench: the peer failed on $profile" >&2
		fi
	done
else
	echo "== peer: NOT MEASURED: $peer_why"
	why="${peer_why//[\"\\]/ }"
	printf '{"bench": "peer-missing", "reason": "%s"}\n' "${why//[[:cntrl:]]/ }" >"$out/peer.jsonl"
fi

if [[ -x "$bin/gen_cases" && -x "$bin/gatehouse" ]]; then
	echo "== gatehouse simulate end to end vs the peer (seed $seed, $sim_runs runs)"
	sim_opts=(--seed "$seed" --runs "$sim_runs" --peer-dir "$peer_dir")
	((peer_ok)) || sim_opts+=(--no-peer)
	((callgrind)) && sim_opts+=(--callgrind)
	tests/bench/simulate_e2e.sh "$build_abs" "$out" "${sim_opts[@]}" |
		tee "$out/simulate.jsonl" || echo "bench: simulate_e2e.sh failed" >&2
else
	echo "== gatehouse simulate end to end: not built"
fi

if [[ -x "$bin/bench_pattern" ]]; then
	echo "== bench_pattern (seed $seed)"
	pattern_seconds=$(awk -v s="$seconds" 'BEGIN { print s / 2 }')
	"$bin/bench_pattern" --seed "$seed" --seconds "$pattern_seconds" |
		tee "$out/pattern.txt"
else
	echo "== bench_pattern: not built (libpcre2-8 missing)"
fi

if [[ -x "$bin/bench_store" ]]; then
	echo "== bench_store (seed $seed): identity store on a generated AWS account export"
	if ! "$bin/bench_store" --seed "$seed" --seconds "$seconds" --work-dir "$out/store" |
		tee "$out/store.txt"; then
		echo "bench: bench_store failed (see above)" >&2
	fi
else
	echo "== bench_store: not built"
fi

if command -v node >/dev/null; then
	echo
	node tests/bench/report.js "$out/authz.txt" "$out/peer.jsonl" "$out/pattern.txt" |
		tee "$out/summary.txt"
fi
echo "(raw JSON lines, cases and disagreement examples: $out/)"

if [[ -x "$bin/bench_daemon" && -x "$bin/gatehoused" ]]; then
	echo "== bench_daemon: gatehoused over its Unix socket, beside a libmicrohttpd hello-world"
	if ! "$bin/bench_daemon" --gatehoused "$bin/gatehoused" --policies policies \
		--seconds "$seconds" --threads 2 2>"$out/daemon.log" | tee "$out/daemon.jsonl"; then
		echo "bench: bench_daemon failed (see $out/daemon.log)" >&2
	fi
	if [[ -d "$out/store/cli" ]]; then
		echo "== bench_daemon on bench_store's export: RSS with 10,000 sessions, 3 reloads under load"
		if ! "$bin/bench_daemon" --gatehoused "$bin/gatehoused" --policies "$out/store/cli" \
			--threads 2 --only none --sessions 10000 --reloads 3 2>"$out/daemon-reload.log" |
			tee -a "$out/daemon.jsonl"; then
			echo "bench: bench_daemon failed (see $out/daemon-reload.log)" >&2
		fi
		grep -o 'reload of .* in [0-9]* ms' "$out/daemon-reload.log" || true
	fi
else
	echo "== bench_daemon: not built (GH_DAEMON=OFF?)"
fi

if [[ -x tests/bench/fw/run.sh ]]; then
	echo
	echo "== tests/bench/fw/run.sh"
	GH_BUILD_DIR="$build_dir" tests/bench/fw/run.sh
fi

if [[ -x tests/bench/diff/run.sh ]]; then
	echo
	echo "== tests/bench/diff/run.sh: gatehouse diff on seeded edits"
	tests/bench/diff/run.sh "$build_dir" | tee "$out/diff.jsonl" ||
		echo "bench: gatehouse diff missed a seeded edit (see above)" >&2
fi
