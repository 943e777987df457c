#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What this script does and its options: usage() below (--help prints it).
set -euo pipefail

cd "$(dirname "$0")/.."
src_dir="$PWD"

build_dir="build-fuzz"
seconds=20
only=()
usage() {
	cat <<'EOF'
Run every libFuzzer harness of a fuzz build for a short while.

  scripts/fuzz.sh [--build-dir DIR] [--seconds N] [--only NAME]

  --build-dir DIR  fuzz build tree (default: build-fuzz; make it with
                   scripts/setup.sh --fuzz)
  --seconds N      fuzzing time per harness (default 20; 0 only replays
                   the seeds and committed reproducers)
  --only NAME      run just this harness (repeatable)

Each DIR/bin/fuzz_* libFuzzer binary runs on a temporary copy of
fuzz/corpus/NAME/ and fuzz/regress/NAME/ (the repository is not
modified), with fuzz/NAME.dict when present, ASan and UBSan aborting on
the first error.  Logs go to DIR/fuzz-logs/, crash reproducers to
DIR/fuzz-artifacts/NAME/.  Exit status: 0 no crash, 1 a harness crashed
(or leaked, timed out, ran out of memory), 2 usage or setup error.
EOF
}

while (($#)); do
	case "$1" in
	--build-dir) build_dir="${2:?--build-dir needs a directory}"; shift ;;
	--seconds) seconds="${2:?--seconds needs a number}"; shift ;;
	--only) only+=("${2:?--only needs a harness name}"); shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "fuzz.sh: unknown option: $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done
if ! [[ $seconds =~ ^[0-9]+$ ]]; then
	echo "fuzz.sh: --seconds wants a whole number, got '$seconds'" >&2
	exit 2
fi
if ! [[ -d $build_dir ]]; then
	echo "fuzz.sh: no build tree at '$build_dir' (run scripts/setup.sh --fuzz)" >&2
	exit 2
fi
build_dir="$(cd "$build_dir" && pwd)"

# Longest input per harness: a policy, a case line, a rule set are a few
# KiB; longer inputs only slow the search.  Never below the largest seed.
max_len_for() {
	case "$1" in
	fuzz_policy_load|fuzz_eval|fuzz_simulate|fuzz_daemon_request) echo 8192 ;;
	# fuzz_ref_diff reads one choice a byte: a whole case takes a few hundred.
	fuzz_ref_diff|fuzz_fw_ref_diff) echo 1024 ;;
	*) echo 4096 ;;
	esac
}

# libFuzzer binaries only: a standalone (replay) build has fuzz_* too.
harnesses=()
for bin in "$build_dir"/bin/fuzz_*; do
	[[ -f $bin && -x $bin ]] || continue
	name="$(basename "$bin")"
	if ((${#only[@]})); then
		want=0
		for o in "${only[@]}"; do
			if [[ $o == "$name" ]]; then want=1; fi
		done
		((want)) || continue
	fi
	if ! grep -qa 'libFuzzer' "$bin"; then
		echo "fuzz.sh: $bin is not a libFuzzer binary (configure with -DGH_FUZZ=ON, CC=clang)" >&2
		exit 2
	fi
	harnesses+=("$name")
done
if ((${#harnesses[@]} == 0)); then
	echo "fuzz.sh: no fuzz_* harness in $build_dir/bin (run scripts/setup.sh --fuzz)" >&2
	exit 2
fi

# Sanitizers: stop at the first error so that it counts as a crash.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
if [[ -z ${ASAN_SYMBOLIZER_PATH:-} ]]; then
	for s in llvm-symbolizer llvm-symbolizer-14 /usr/lib/llvm-14/bin/llvm-symbolizer; do
		if command -v "$s" >/dev/null; then
			ASAN_SYMBOLIZER_PATH="$(command -v "$s")"
			export ASAN_SYMBOLIZER_PATH
			break
		fi
	done
	[[ -n ${ASAN_SYMBOLIZER_PATH:-} ]] ||
		echo "fuzz.sh: no llvm-symbolizer (apt install llvm-14): stack traces show addresses only" >&2
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/gh-fuzz.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
log_dir="$build_dir/fuzz-logs"
mkdir -p "$log_dir"

failed=()
for name in "${harnesses[@]}"; do
	bin="$build_dir/bin/$name"
	corpus="$tmp/$name"
	artifacts="$build_dir/fuzz-artifacts/$name"
	log="$log_dir/$name.log"
	mkdir -p "$corpus" "$artifacts"

	# Seeds and committed reproducers, copied: libFuzzer adds and removes
	# files in its corpus directory.
	nseeds=0
	for d in "$src_dir/fuzz/corpus/$name" "$src_dir/fuzz/regress/$name"; do
		[[ -d $d ]] || continue
		for f in "$d"/*; do
			[[ -f $f ]] || continue
			cp -- "$f" "$corpus/$(basename "$d")-$(basename "$f")"
			nseeds=$((nseeds + 1))
		done
	done

	max_len="$(max_len_for "$name")"
	largest="$(find "$corpus" -type f -printf '%s\n' | sort -n | tail -n 1)"
	if ((${largest:-0} > max_len)); then max_len="$largest"; fi

	args=(-max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
	      -artifact_prefix="$artifacts/")
	if [[ -f $src_dir/fuzz/$name.dict ]]; then args+=(-dict="$src_dir/fuzz/$name.dict"); fi
	if ((seconds > 0)); then
		args+=(-max_total_time="$seconds")
	else
		args+=(-runs=0)
	fi

	echo "== $name: ${seconds}s, $nseeds seeds, max_len $max_len" >&2
	status=0
	"$bin" "${args[@]}" "$corpus" >"$log" 2>&1 || status=$?
	# "stat::number_of_executed_units: N", ... from -print_final_stats.
	execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
	rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
	echo "   ${execs:-?} runs, ${rate:-?} exec/s, log $log" >&2
	if ((status == 0)); then
		continue
	fi

	failed+=("$name")
	grep -E '^(==[0-9]+== ?ERROR|SUMMARY|.*runtime error:|    #[0-9]+ )' "$log" | head -n 25 >&2 || true
	repro="$(sed -n 's/^.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)"
	known=""
	if [[ -n $repro && -f $repro && -d $src_dir/fuzz/regress/$name ]]; then
		for f in "$src_dir/fuzz/regress/$name"/*; do
			if [[ -f $f ]] && cmp -s -- "$f" "$repro"; then known="$f"; break; fi
		done
	fi
	if [[ -n $known ]]; then
		echo "fuzz.sh: $name fails on the committed reproducer ${known#"$src_dir"/}:" \
			"that bug is not fixed yet" >&2
		echo "  replay:    $bin $known" >&2
	elif [[ -n $repro && -f $repro ]]; then
		echo "fuzz.sh: $name crashed (exit $status); reproducer: $repro" >&2
		echo "  replay:    $bin $repro" >&2
		echo "  minimise:  $bin -minimize_crash=1 -runs=100000 -exact_artifact_path=$repro.min $repro" >&2
		echo "  then commit it as a regression test: fuzz/regress/$name/<what-it-is>" >&2
	else
		echo "fuzz.sh: $name failed (exit $status) without a reproducer; see $log" >&2
	fi
done

if ((${#failed[@]})); then
	echo "fuzz.sh: FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "fuzz.sh: ${#harnesses[@]} harnesses, no crash" >&2
