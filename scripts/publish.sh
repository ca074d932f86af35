#!/usr/bin/env bash
# Publishes the Functions app as it deploys: the folder artifacts/functions (functions.metadata,
# extensions.json, .azurefunctions/, host.json, the worker) and artifacts/functions.zip, the package
# that zip deployment uploads (docs/deploy.md). The tests read both.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf artifacts/functions artifacts/functions.zip
# ReadyToRun for linux-x64 (what Flex Consumption runs): the worker starts about a fifth faster than
# JIT-only (docs/performance.md, cold start). Framework-dependent: the platform brings .NET.
dotnet publish functions/Payments.Functions -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o artifacts/functions "$@"
(cd artifacts/functions && zip -qr ../functions.zip .)
echo "Published: artifacts/functions.zip"
