#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main job on the bundled examples: set up, then validate every policy
# under policies/ and evaluate the documented example requests, printing
# each decision with its reasons.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
gh=build/bin/gatehouse

echo "== gatehouse check policies/"
"$gh" check policies/
