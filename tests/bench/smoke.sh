#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# CTest smoke run of one benchmark: it must exit 0 and print its JSON line.
# No timing is checked.
#
#   smoke.sh PATTERN PROGRAM [ARGS...]
set -u
pattern="$1"
shift
out=$("$@") || { rc=$?; printf '%s\n' "$out"; echo "smoke: $* exited $rc" >&2; exit 1; }
printf '%s\n' "$out"
printf '%s\n' "$out" | grep -q -- "$pattern" || { echo "smoke: no line matching $pattern" >&2; exit 1; }
