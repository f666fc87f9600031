#!/usr/bin/env bash
# Routing benchmark: RESTEasy Reactive's matching of RepositoryResource's GET templates for a plain
# read, a content read and a crafted 4,000-character id, with the id pattern pinned and as it was
# before. Prints the medians. Usage: repo-service/bench/routing.sh [rounds=7]
set -euo pipefail
exec "$(dirname "$0")/test-main.sh" 256m dev.keyward.repo.rest.RoutingBenchmark "$@"
