#!/usr/bin/env bash
# Runs the service locally: installs the pinned Azurite if needed, starts it when the settings point
# at development storage and nothing answers there, then runs the local host on http://127.0.0.1:7071.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/azurite ]; then
  echo "Installing the pinned Azurite (npm ci)…"
  npm ci --no-audit --no-fund --loglevel=error
fi

settings=local.settings.json
[ -f "$settings" ] || settings=local.settings.sample.json
storage="${PaymentsStorage:-$(node -e "const s=require('./$settings');process.stdout.write((s.Values&&s.Values.PaymentsStorage)||'')")}"

azurite_pid=""
cleanup() { [ -n "$azurite_pid" ] && kill "$azurite_pid" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ "$storage" = "UseDevelopmentStorage=true" ] && ! port_open 10002; then
  echo "Starting Azurite (data in .azurite/)…"
  mkdir -p .azurite
  node_modules/.bin/azurite --location .azurite --skipApiVersionCheck --loose --silent \
    --blobPort 10000 --queuePort 10001 --tablePort 10002 &
  azurite_pid=$!
  for _ in $(seq 1 50); do port_open 10002 && port_open 10001 && break; sleep 0.2; done
fi

dotnet run --project functions/Payments.LocalHost -c Release -- "$@"
