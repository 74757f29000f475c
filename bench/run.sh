#!/usr/bin/env bash
# Runs the lifecycle benchmark (as root) and records the figures in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/prerequisites.sh
dotnet build bench/Paddock.Bench -c Release --nologo -v quiet
dotnet publish src/Paddock.Agent -c Release -o artifacts/agent --nologo -v quiet
dotnet bench/Paddock.Bench/bin/Release/net10.0/Paddock.Bench.dll --results bench/RESULTS.md "$@"
