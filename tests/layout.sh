#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# README.md's layout (Design notes, "Layout") is the tree as it is: every
# file of src/ listed on a line of its own under its directory (a .c, and a
# header without a .c of its own), every header of include/gatehouse/, and
# nothing that does not exist.  With BUILD_DIR, also what the layout claims
# of the order: within a directory a file uses (nm: a symbol it needs is
# defined there) only files listed above it.
#
#   tests/layout.sh ROOT [BUILD_DIR]
set -uo pipefail
root=${1:?usage: tests/layout.sh ROOT [BUILD_DIR]}
build=${2:-}
cd "$root" || exit 2

# "dir/name" per listed file, in README order.
listed=$(awk '
	/^- \*\*Layout\.\*\*/ { on = 1; next }
	on && /^  ```/ { if (++fence == 2) exit; next }
	on && fence == 1 && /^  (src|include)\/[a-z\/]*\/ / { dir = $1; next }
	on && fence == 1 && /^    [A-Za-z0-9_]+\.[ch] / { print dir $1 }
' README.md)
[[ -n $listed ]] || { echo "README.md: no layout block found"; exit 1; }

status=0
want=$( (git ls-files 'src/*.c' 'src/*.h' 'include/gatehouse/*.h' 2>/dev/null ||
	find src include -name '*.[ch]') | while read -r f; do
	case $f in
	include/*) echo "$f" ;;
	*.c) echo "$f" ;;
	*.h) [[ -f ${f%.h}.c ]] || echo "$f" ;;
	esac
done | sort)
missing=$(comm -23 <(echo "$want") <(echo "$listed" | sort))
extra=$(comm -13 <(echo "$want") <(echo "$listed" | sort))
dups=$(echo "$listed" | sort | uniq -d)
[[ -z $missing ]] || { echo "not in README.md's layout:"; echo "$missing" | sed 's/^/  /'; status=1; }
[[ -z $extra ]] || { echo "in README.md's layout, not in the tree:"; echo "$extra" | sed 's/^/  /'; status=1; }
[[ -z $dups ]] || { echo "listed twice in README.md's layout:"; echo "$dups" | sed 's/^/  /'; status=1; }

if [[ -n $build ]]; then
	# "file T|U symbol" for every object of src/ (file as src/DIR/NAME.c).
	syms=$(find "$build/src" -name '*.c.o' | while read -r o; do
		rel=${o#"$build"/}
		f="${rel%%/CMakeFiles/*}/${rel##*.dir/}"
		nm "$o" 2>/dev/null | awk -v f="${f%.o}" '
			NF == 3 && $2 ~ /^[TDBRVW]$/ { print f, "T", $3 }
			NF == 2 && $1 == "U" { print f, "U", $2 }'
	done | sort -u)
	[[ -n $syms ]] || { echo "no object files under $build/src (build first)"; exit 2; }
	# A file using a file of its own directory that is listed below it.
	bad=$(awk -v order="$(echo "$listed" | tr '\n' ' ')" '
		BEGIN { n = split(order, o, " "); for (i = 1; i <= n; i++) pos[o[i]] = i }
		function dir(f) { sub(/\/[^\/]*$/, "", f); return f }
		{ if ($2 == "T") def[$3] = def[$3] " " $1; else use[$1] = use[$1] " " $3 }
		END {
			for (f in use) {
				m = split(use[f], u, " ")
				for (i = 1; i <= m; i++) {
					k = split(def[u[i]], d, " ")
					for (j = 1; j <= k; j++)
						if (d[j] != f && dir(d[j]) == dir(f) && (f in pos) && (d[j] in pos) &&
						    pos[d[j]] > pos[f] && !seen[f, d[j]]++)
							print "  " f " uses " d[j] " (" u[i] "), listed below it"
				}
			}
		}' <<<"$syms" | sort)
	[[ -z $bad ]] || { echo "README.md's layout order is not the order of use:"; echo "$bad"; status=1; }
fi
exit $status
