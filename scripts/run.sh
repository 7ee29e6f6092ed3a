#!/usr/bin/env bash
# The main job: the PIR throughput benchmark on a generated database (needs only the .NET SDK).
# Options go to the throughput command, e.g. scripts/run.sh --scheme dpf --records 4194304 --json
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec dotnet run -c Release --project bench -- throughput "$@"
