#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install the build into a temporary prefix and build main.c against the
# INSTALLED policy engine through pkg-config, as another C program would,
# then run it.  With a shared libgh_authz, also check that it exports the
# public API only (authz_* and diag_*).
#
#   tests/pkgconfig/run.sh BUILD_DIR CC [EXTRA_CFLAGS...]
set -euo pipefail
build="$1" cc="$2"
shift 2
flags=()
for a in "$@"; do [[ -z $a ]] || flags+=("$a"); done # CMake passes "" for no flags
here="$(cd "$(dirname "$0")" && pwd)"
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" >/dev/null
pc="$(dirname "$(find "$prefix" -name gatehouse-authz.pc | head -n 1)")"
export PKG_CONFIG_PATH="$pc"
libdir="$(pkg-config --variable=libdir gatehouse-authz)"
[[ -x "$prefix/bin/gatehouse" ]] || { echo "gatehouse not installed" >&2; exit 1; }

# Only the installed headers: no -I into the source tree.
"$cc" -std=c11 -Wall -Wextra -Werror "${flags[@]}" -o "$prefix/prog" "$here/main.c" \
	$(pkg-config --cflags --libs gatehouse-authz)
LD_LIBRARY_PATH="$libdir" "$prefix/prog"

if [[ -e "$libdir/libgh_authz.so" ]]; then
	extra="$(nm -D --defined-only "$libdir/libgh_authz.so" | awk '{print $3}' |
		grep -vE '^(authz_|diag_|_init$|_fini$)' || true)"
	if [[ -n "$extra" ]]; then
		echo "libgh_authz.so exports more than the public API:" >&2
		echo "$extra" >&2
		exit 1
	fi
	echo "libgh_authz.so exports the public API only"
fi
