#!/usr/bin/env bash
# The main job: start a Privomega primary and replica on loopback (SQLite under ./data), print their URLs
# and how to point a client at them, stop both on Ctrl-C.
#   scripts/run.sh                      primary on 127.0.0.1:5080, replica on 127.0.0.1:5081 (development profile)
#   PRIVOMEGA_PORT=6000 scripts/run.sh  primary on 6000, replica on 6001; PRIVOMEGA_DATA=dir for another data folder
#   scripts/run.sh throughput|plan|sda|... [options]   the bench commands (e.g. scripts/run.sh throughput --scheme dpf)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ $# -gt 0 ]; then
  exec dotnet run -c Release --project bench -- "$@"
fi

port=${PRIVOMEGA_PORT:-5080}
data=${PRIVOMEGA_DATA:-data}
primary="http://127.0.0.1:${port}"
replica="http://127.0.0.1:$((port + 1))"
dotnet build src/Server/Privomega.Server.csproj -c Release -nologo -v q -clp:ErrorsOnly
server=src/Server/bin/Release/net10.0/Privomega.Server.dll

dotnet "$server" --urls "$primary" --Privomega:Profile=development --Privomega:DataDirectory="$data" &
primary_pid=$!
stopped=0
stop() {
  [ "$stopped" = 1 ] && return
  stopped=1
  # Background jobs of a script ignore SIGINT, so Ctrl-C reaches them as SIGTERM from here.
  kill -TERM ${replica_pid:-} "$primary_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "stopped primary and replica"
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

for _ in $(seq 1 100); do
  curl -fs "$primary/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
dotnet "$server" --urls "$replica" --Privomega:Profile=development --Privomega:Role=Replica \
  --Privomega:PrimaryUrl="$primary" --Privomega:DataDirectory="$data" &
replica_pid=$!

cat <<MSG

Privomega is running (development profile: 10 s epochs, 1 s mail epochs, proof of work 8 bits).
  primary  $primary   (writes, heads, every PIR scheme; data in $data/primary.db)
  replica  $replica   (verified heads and snapshots, XOR/DPF PIR; data in $data/replica.db)
  health   $primary/healthz   metrics $primary/metrics   API docs/http-api.md
Point a client at both: --primary $primary --replica $replica
Press Ctrl-C to stop both.

MSG
wait -n
