#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What this script does and its options: usage() below (--help prints it).
cd "$(dirname "$0")/.."

# Build: compiler, cmake, pkg-config.  Libraries: jansson (JSON), PCRE2
# (patterns, benchmarked against our matcher), libnftnl + libmnl (netlink),
# libnetfilter-log (fw flows: the logged drops; optional at build time).
# Tests: cmocka (unit tests), nftables (nft -c checks the rendered text),
# iproute2 (network namespaces), conntrack, socat (traffic in tests).
# Fuzzing: clang with its runtime (libFuzzer, sanitizers), llvm-14 for
# llvm-symbolizer (readable sanitizer stack traces).
# gatehoused: libmicrohttpd (HTTP/1.1 server), liboath (RFC 6238 TOTP),
# libssl-dev (libcrypto's SHA-256 for stored token hashes, CRYPTO_memcmp).
# Its tests: curl (requests over the Unix socket), jq (reading answers), oathtool (valid TOTP
# codes), nginx-light (auth_request in front of /v1/check).
PACKAGES=(
	gcc make cmake pkg-config
	libjansson-dev libpcre2-dev libnftnl-dev libmnl-dev libnetfilter-log-dev
	libcmocka-dev nftables iproute2 conntrack socat
	clang libclang-rt-14-dev llvm-14 clang-format-14
	libmicrohttpd-dev liboath-dev libssl-dev curl oathtool nginx-light jq
)

build_dir=""
# Every option stated, so that a build tree configured by hand before does not
# keep a different choice in its cache.
cmake_args=(-DGH_WERROR=ON -DGH_FW=ON -DGH_TESTS=ON -DGH_DAEMON=ON)
do_build=1
usage() {
	cat <<'EOF'
Install what gatehouse needs from Debian (only what is missing), then
configure and build.  Idempotent: a second run installs nothing and
rebuilds only what changed.

  scripts/setup.sh [--build-dir DIR] [--sanitize] [--fuzz] [--no-build]

  --build-dir DIR  build tree (default: build, or build-asan with --sanitize,
                   build-fuzz with --fuzz)
  --sanitize       ASan + UBSan build
  --fuzz           clang build with libFuzzer harnesses
  --no-build       install packages only
set -euo pipefail
EOF
}

while (($#)); do
	case "$1" in
	--build-dir) build_dir="$2"; shift ;;
	--sanitize) cmake_args+=(-DGH_SANITIZE=ON); build_dir="${build_dir:-build-asan}" ;;
	--fuzz) cmake_args+=(-DGH_FUZZ=ON -DCMAKE_C_COMPILER=clang); build_dir="${build_dir:-build-fuzz}" ;;
	--no-build) do_build=0 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "setup.sh: unknown option: $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done
build_dir="${build_dir:-build}"

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "setup: installing ${missing[*]}" >&2
	sudo=""
	[[ $(id -u) == 0 ]] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

((do_build)) || exit 0
cmake -S . -B "$build_dir" "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" >&2
