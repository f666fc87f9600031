#!/usr/bin/env bash
# Scheduled-job benchmark: the service under test on a real (embedded) PostgreSQL with N tokens
# inserted by SQL, ~1% due; prints the time of one expiry run and one deprecation run, and of a
# rerun with nothing due.
# Usage: token-service/bench/jobs.sh [tokens=1000000] [due%=1]
set -euo pipefail
cd "$(dirname "$0")/../.."

./mvnw -q -pl token-service test -Dtest=ExpiryJobBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.tokens="${1:-1000000}" -Dbench.due="${2:-1}"
