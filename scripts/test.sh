#!/usr/bin/env bash
# Publishes the Functions app, then runs every test (unit, storage on real Azurite, end-to-end on the
# local host, the published app and its entry points, GnuPG interop, consistency) and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/azurite ]; then
  echo "Installing the pinned Azurite (npm ci)…"
  npm ci --no-audit --no-fund --loglevel=error || exit 1
fi

# The tests read the published Functions app (functions.metadata, extensions.json, the zip).
bash scripts/publish.sh >/dev/null || { echo "0 passed, 1 failed"; exit 1; }

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
dotnet test Payments.Functions.sln -c Release --logger "trx" --results-directory "$results" "$@"
status=$?

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a build or host failure counts
echo "$passed passed, $failed failed"
exit "$status"
