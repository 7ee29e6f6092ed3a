#!/usr/bin/env bash
# Runs the test suite in Release and ends with one line "N passed, N failed".
#   scripts/test.sh                 every test project
#   scripts/test.sh --engine        only the PIR engine tests (CI reruns these with SIMD disabled)
# Extra arguments after the selector go to `dotnet test` (e.g. --filter ...).
# If PRIVOMEGA_COUNTS is set, "passed failed" is appended to that file for the caller to sum.
set -uo pipefail
cd "$(dirname "$0")/.."

target=Privomega.Pir.sln
if [ "${1:-}" = "--engine" ]; then
  target=tests/Engine.Tests/Privomega.Pir.Engine.Tests.csproj
  shift
fi

# The PostgreSQL and cluster tests need a database: a throwaway one, stopped when this script ends.
if [ "$target" = Privomega.Pir.sln ] && [ -z "${PRIVOMEGA_POSTGRES:-}" ]; then
  pg_exports=$(scripts/postgres.sh start) || { echo "0 passed, 1 failed"; exit 1; }
  eval "$pg_exports"
  trap 'scripts/postgres.sh stop "$PRIVOMEGA_POSTGRES_DIR"' EXIT
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build "$target" -c Release -nologo -v q -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
dotnet test "$target" -c Release --no-build -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# VSTest prints one summary per test assembly: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, ...".
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
rm -f "$log"
# A crashed test host or a failed run without a summary still counts as a failure.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
[ -n "${PRIVOMEGA_COUNTS:-}" ] && echo "$passed $failed" >> "$PRIVOMEGA_COUNTS"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
