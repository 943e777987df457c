#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The man pages and the bash completion, as cmake --install puts them: every
# line of each --help text is in its man page (they are generated from it),
# groff renders them without warnings, and the completion offers commands,
# flags and the inventory's hosts.
#   tests/man_completion.sh BUILD_DIR GATEHOUSE
set -uo pipefail
build="$1" gh="$2"
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
fail=0 pass=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL: $1" >&2; fail=$((fail + 1)); fi; }

cmake --install "$build" --prefix "$prefix" >/dev/null || { echo "FAIL: cmake --install" >&2; exit 1; }
man1="$(find "$prefix" -path '*/man1/gatehouse.1')"
man8="$(find "$prefix" -path '*/man8/gatehouse-fw.8')"
comp="$(find "$prefix" -path '*/bash-completion/completions/gatehouse')"
check "gatehouse.1 installed" '[[ -f $man1 ]]'
check "bash completion installed" '[[ -f $comp ]]'

# help_in_man PAGE CMD...: each non-blank line of CMD --help, as roff escapes it, is in PAGE.
help_in_man() {
	local page="$1" line missing=0
	shift
	while IFS= read -r line; do
		[[ -z $line ]] && continue
		line="$(sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" <<<"$line")"
		grep -qxF -- "$line" "$page" || { echo "  not in $(basename "$page"): $line" >&2; missing=1; }
	done < <("$@" --help)
	return $missing
}
for c in "" check eval simulate diff; do
	check "gatehouse $c --help is in gatehouse(1)" "help_in_man \"$man1\" \"$gh\" $c"
done
if "$gh" fw --help >/dev/null 2>&1; then
	for s in "" check compile apply diff show; do
		check "gatehouse fw $s --help is in gatehouse-fw(8)" "help_in_man \"$man8\" \"$gh\" fw $s"
	done
fi
if command -v groff >/dev/null; then
	for page in "$prefix"/share/man/man*/*; do
		check "groff renders $(basename "$page") without warnings" \
			"[[ -z \$(groff -man -ww -z \"$page\" 2>&1) ]]"
	done
fi

# The completion, as bash calls it.
source "$comp"
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_gatehouse
	echo "${COMPREPLY[*]}"
}
root="$(cd "$(dirname "$0")/.." && pwd)"
check "completes commands" '[[ $(complete_words "$gh" ev) == eval ]]'
check "completes flags" '[[ $(complete_words "$gh" eval --polic) == "--policies --policy" ]]'
if "$gh" fw --help >/dev/null 2>&1; then
	check "completes fw subcommands" '[[ $(complete_words "$gh" fw ap) == apply ]]'
	check "completes fw flags" '[[ $(complete_words "$gh" fw apply --kill) == --kill-removed ]]'
	check "completes --host from --rules" \
		'[[ $(complete_words "$gh" fw apply --rules "$root/rules" --host db) == db-1 ]]'
fi
echo "$pass passed, $fail failed"
((fail == 0))
