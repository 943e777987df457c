#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# One golden case: tests/fw/golden/<case>/ is a rules directory (*.json)
# with, beside it:
#   host          the host to compile (one line); without it, only "fw check" runs
#   expect.nft    the nft text "fw compile" must print (exit 0)
#   expect.err    the diagnostics "fw check" must print (exit 1)
#   expect.warn   optional: the warnings a successful compile prints
#   log-drops     optional: an NFLOG group; compile and payload as with
#                 --log-drops GROUP
#   expect.payload  the netlink batch "fw apply --full" would send, as text
#                 (FW_PAYLOAD, tests/fw/fw_payload.c): required beside
#                 expect.nft, so that a change of the bytecode fails a plain
#                 run, without root or a kernel
# When nft is usable in a throwaway network namespace, expect.nft is also
# checked with "nft -c -f" there (never in the caller's namespace).
#
#   golden.sh GATEHOUSE CASEDIR [FW_PAYLOAD]   (GH_GOLDEN_UPDATE=1 rewrites expect.*)
set -u
gh="$1"
dir="$2"
payload="${3:-}"
cd "$dir" || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
host=""
[ -f host ] && host=$(cat host)
logopt=""
loggroup=""
if [ -f log-drops ]; then
	loggroup=$(cat log-drops)
	logopt="--log-drops $loggroup"
fi
fail=0

if [ -f expect.err ]; then
	if [ -n "$host" ]; then
		"$gh" fw check --rules . --host "$host" >"$tmp/out" 2>"$tmp/err"
	else
		"$gh" fw check --rules . >"$tmp/out" 2>"$tmp/err"
	fi
	rc=$?
	if [ "${GH_GOLDEN_UPDATE:-0}" = 1 ]; then cp "$tmp/err" expect.err; fi
	if [ $rc -ne 1 ]; then echo "expected exit 1, got $rc"; fail=1; fi
	diff -u expect.err "$tmp/err" || fail=1
	exit $fail
fi

if [ -z "$host" ]; then echo "no host file and no expect.err"; exit 1; fi
"$gh" fw compile $logopt --rules . --host "$host" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "${GH_GOLDEN_UPDATE:-0}" = 1 ]; then
	cp "$tmp/out" expect.nft
	if [ -s "$tmp/err" ]; then cp "$tmp/err" expect.warn; else rm -f expect.warn; fi
fi
if [ $rc -ne 0 ]; then echo "compile failed ($rc):"; cat "$tmp/err"; exit 1; fi
diff -u expect.nft "$tmp/out" || fail=1
if [ -f expect.warn ]; then
	diff -u expect.warn "$tmp/err" || fail=1
elif [ -s "$tmp/err" ]; then
	echo "unexpected diagnostics:"; cat "$tmp/err"; fail=1
fi
if [ -n "$payload" ]; then
	"$payload" . "$host" $loggroup >"$tmp/payload" 2>"$tmp/payload.err" ||
		{ echo "fw_payload failed:"; cat "$tmp/payload.err"; fail=1; }
	if [ "${GH_GOLDEN_UPDATE:-0}" = 1 ]; then cp "$tmp/payload" expect.payload; fi
	if [ -f expect.payload ]; then
		diff -u expect.payload "$tmp/payload" || fail=1
	else
		echo "no expect.payload (GH_GOLDEN_UPDATE=1 writes it)"; fail=1
	fi
fi

# nft -c in a namespace of our own, when we may create one.
if [ "$(id -u)" = 0 ] && command -v nft >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; then
	ns="gh-golden-$$"
	if ip netns add "$ns" 2>/dev/null; then
		ip netns exec "$ns" nft -c -f "$tmp/out" || { echo "nft -c rejected the text"; fail=1; }
		ip netns del "$ns"
	fi
fi
exit $fail
