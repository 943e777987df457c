#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The gatehouse diff benchmark (issue 12): how fast each seeded edit of the
# bundled policies/ is found (target: under 2 s), an unchanged store's full
# search, and one seeded widening in the 1,000-user generated account
# export (target: under 60 s).  A measurement: it never fails on a slow
# number, only when an edit is not found at all.
#
#   tests/bench/diff/run.sh [BUILD_DIR]     (default: $GH_BUILD_DIR, else build-bench)
#
# One JSON line per case on stdout ({"bench": "diff", "case", "found",
# "first_granted_s", "total_s", "requests", "exhaustive"}); work files go
# to BUILD_DIR/bench-out/diff/.
set -uo pipefail
cd "$(dirname "$0")/../../.."
src="$PWD"
build="${1:-${GH_BUILD_DIR:-build-bench}}"
gh="$build/bin/gatehouse"
bench_store="$build/bin/bench_store"
out="$build/bench-out/diff"
rm -rf "$out"
mkdir -p "$out"
status=0

# run CASE WANT OLD NEW: one JSON line from the summary of gatehouse diff.
run() {
	local name="$1" want="$2" old="$3" new="$4" got summary
	"$gh" diff --json --seconds 60 "$old" "$new" >"$out/$name.jsonl" 2>"$out/$name.err"
	got=$?
	summary="$(grep '^diff: explored' "$out/$name.err")"
	local requests total first exhaustive=false found=false
	requests="$(sed -n 's/.*(\([0-9]*\) requests in.*/\1/p' <<<"$summary")"
	total="$(sed -n 's/.* requests in \([0-9.]*\) s).*/\1/p' <<<"$summary")"
	first="$(sed -n 's/.*(the first granted after \([0-9.]*\) s).*/\1/p' <<<"$summary")"
	[[ $summary == *"exhaustive for that space"* ]] && exhaustive=true
	[[ $got == "$want" ]] && found=true
	printf '{"bench": "diff", "case": "%s", "found": %s, "exit": %s, "first_granted_s": %s, "total_s": %s, "requests": %s, "exhaustive": %s}\n' \
		"$name" "$found" "$got" "${first:-null}" "${total:-null}" "${requests:-null}" "$exhaustive"
	[[ $found == true ]] || status=1
}

while IFS=$'\t' read -r name want file script; do
	[[ $name == '#'* || -z $name ]] && continue
	rm -rf "$out/old" "$out/new"
	cp -R "$src/policies" "$out/old"
	cp -R "$src/policies" "$out/new"
	[[ $file != - ]] && sed -i "$script" "$out/new/$file"
	run "policies-$name" "$want" "$out/old" "$out/new"
done <"$src/tests/diff/seeded-edits.tsv"
rm -rf "$out/old" "$out/new"

# The generated export: athena:GetWorkGroup -> athena:Get* in the default
# version of the first customer-managed policy (attached to six users).
if [[ -x $bench_store ]] && command -v node >/dev/null; then
	"$bench_store" --write-only --seed 1 --work-dir "$out/export" >/dev/null
	mkdir -p "$out/export-old" "$out/export-new"
	mv "$out/export/cli/account-authorization-details.json" "$out/export-old/"
	rm -rf "$out/export"
	node -e '
		const fs = require("fs");
		const d = JSON.parse(fs.readFileSync(process.argv[1]));
		const p = d.Policies[0];
		const v = p.PolicyVersionList.find((x) => x.VersionId === p.DefaultVersionId);
		const st = v.Document.Statement.find((s) => s.Action === "athena:GetWorkGroup");
		if (!st) { console.error("bench diff: the export has no athena:GetWorkGroup statement"); process.exit(1); }
		st.Action = "athena:Get*";
		fs.writeFileSync(process.argv[2], JSON.stringify(d, null, 1));
	' "$out/export-old/account-authorization-details.json" \
		"$out/export-new/account-authorization-details.json" &&
		run export-1000-users-action-wildcard-widened 3 "$out/export-old" "$out/export-new"
	rm -rf "$out/export-old" "$out/export-new"
else
	echo '{"bench": "diff", "case": "export-1000-users-action-wildcard-widened", "skipped": "needs bench_store and node"}'
fi
exit $status
