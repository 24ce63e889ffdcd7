#!/usr/bin/env bash
# Runs the Reliability service (HTTP API + Orleans silo). With no ConnectionStrings__Reliability it
# starts its own PostgreSQL with data under ./data. Extra options go to the service, e.g. --urls.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/deploy/scripts/prerequisites.sh"
if [ -z "${ConnectionStrings__Reliability:-}" ]; then
  ensure_postgres_binaries
fi
exec dotnet run --project "$repo/src/Reliability.Api" -c Release -- "$@"
