#!/usr/bin/env bash
# Publishes the Functions app as it deploys: the folder artifacts/functions (functions.metadata,
# extensions.json, .azurefunctions/, host.json, the worker) and artifacts/functions.zip, the package
# that zip deployment uploads (docs/deploy.md). The tests read both.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf artifacts/functions artifacts/functions.zip
dotnet publish functions/Payments.Functions -c Release -o artifacts/functions "$@"
(cd artifacts/functions && zip -qr ../functions.zip .)
echo "Published: artifacts/functions.zip"
