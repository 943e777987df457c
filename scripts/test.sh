#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What this script does and its options: usage() below (--help prints it).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
fuzz_seconds=20
usage() {
	cat <<'EOF'
Set up and run the whole test suite: once plain, once under ASan+UBSan,
then each libFuzzer harness for a short run on its corpus.

  scripts/test.sh [--quick] [--fuzz-seconds N]

  --quick           plain build only (no sanitizers, no fuzzing)
  --fuzz-seconds N  libFuzzer time per harness (default 20; 0 skips)
EOF
}

while (($#)); do
	case "$1" in
	--quick) quick=1 ;;
	--fuzz-seconds) fuzz_seconds="$2"; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "test.sh: unknown option: $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done

run_suite() {
	local dir="$1"
	echo "== ctest in $dir" >&2
	(cd "$dir" && ctest --output-on-failure -j "$(nproc)")
}

scripts/setup.sh
run_suite build
((quick)) && exit 0

scripts/setup.sh --sanitize
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 run_suite build-asan

if ((fuzz_seconds > 0)); then
	scripts/setup.sh --fuzz
	scripts/fuzz.sh --build-dir build-fuzz --seconds "$fuzz_seconds"
fi
