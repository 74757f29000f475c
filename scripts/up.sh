#!/usr/bin/env bash
# Installs what is missing, builds Paddock and starts the server with its embedded defaults:
# http://127.0.0.1:3000, data in /var/lib/paddock (SQLite), crun sandboxes, the `base` template.
# Extra arguments go to the server, e.g. --urls http://0.0.0.0:3000 or --data-dir /srv/paddock.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/prerequisites.sh
dotnet publish src/Paddock.Server -c Release -o artifacts/server --nologo -v quiet
dotnet publish src/Paddock.Agent -c Release -o artifacts/server/agent --nologo -v quiet
exec dotnet artifacts/server/Paddock.Server.dll "$@"
