#!/usr/bin/env bash
# Runs the whole test suite (dotnet test Reliability.sln) after installing what a fresh machine lacks.
# The suite starts its own throwaway PostgreSQL unless ConnectionStrings__Reliability names a server.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
source deploy/scripts/prerequisites.sh
ensure_postgres_binaries; ensure_chromium  # chromium: the plugin tests drive it headless

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
dotnet test Reliability.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for the whole run, summed over the test assemblies' own summaries.
awk '/(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
