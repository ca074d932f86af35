#!/usr/bin/env bash
# Runs every test (unit, storage on real Azurite, end-to-end on the local host, GnuPG interop,
# consistency) and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/azurite ]; then
  echo "Installing the pinned Azurite (npm ci)…"
  npm ci --no-audit --no-fund --loglevel=error || exit 1
fi

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
