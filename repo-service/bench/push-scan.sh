#!/usr/bin/env bash
# Push-protection benchmark: a 50 MB push without keys, timed with git into a local bare repository,
# and the pre-receive scan of the same objects (repo-service's PushScanner). Prints the medians and
# the ratio. Usage: repo-service/bench/push-scan.sh [rounds=5] [megabytes=50]
set -euo pipefail
exec "$(dirname "$0")/test-main.sh" 512m dev.keyward.repo.git.PushScanBenchmark "$@"
